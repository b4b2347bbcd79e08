/* money.h — amounts of money as Rapport keeps them: an integer of minor
 * units plus an ISO 4217 code, whose decimals say how many minor units a
 * major unit has (USD 2, JPY 0, KWD 3). */
#pragma once
#include <stdint.h>

#define MONEY_TEXT_LEN 32 /* "-92233720368547758.08" and its NUL fit */

/* Decimals of a currency's minor unit (ISO 4217): 0 for JPY, KRW, …, 3 for
 * BHD, KWD, …, 2 for every other code and for NULL. */
int money_decimals(const char *code);

/* minor written in major units with the currency's decimals, plain
 * digits, a '.' decimal point, no thousands separator ("12500.00",
 * "-0.05", JPY "1000000"); out holds MONEY_TEXT_LEN bytes. Returns out. */
const char *money_format_major(int64_t minor, const char *code, char out[MONEY_TEXT_LEN]);
