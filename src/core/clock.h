/* clock.h — time in Rapport: UTC everywhere, RFC 3339 on the wire and in
 * the store ("2026-11-22T15:24:13Z"), dates as YYYY-MM-DD. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_TIME_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

int64_t clock_now(void);     /* seconds since the epoch, UTC */
int64_t clock_mono_ns(void); /* monotonic, for durations */
/* Formats t as RFC 3339 UTC into out (RP_TIME_LEN bytes). */
void clock_format(int64_t t, char out[RP_TIME_LEN]);
/* Parses RFC 3339 with Z or ±HH:MM offset (fractional seconds dropped);
 * false on anything else, including impossible dates. */
bool clock_parse(const char *s, int64_t *ret_t);
/* True for a real calendar date written YYYY-MM-DD. */
bool clock_valid_date(const char *s);
