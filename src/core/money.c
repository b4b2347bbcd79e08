/* money.c — see money.h. Integer arithmetic only: a double cannot hold
 * every amount exactly. */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

int money_decimals(const char *code)
{
	static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
					   "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
					   "VND", "VUV", "XAF", "XOF", "XPF", NULL};
	static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
	for (int i = 0; code && zero[i]; i++)
		if (!strcmp(code, zero[i]))
			return 0;
	for (int i = 0; code && three[i]; i++)
		if (!strcmp(code, three[i]))
			return 3;
	return 2;
}

const char *money_format_major(int64_t minor, const char *code, char out[MONEY_TEXT_LEN])
{
	static const uint64_t scale[] = {1, 10, 100, 1000};
	int digits = money_decimals(code);
	/* the magnitude as unsigned, so INT64_MIN has one too */
	uint64_t m = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
	const char *sign = minor < 0 ? "-" : "";
	if (!digits)
		snprintf(out, MONEY_TEXT_LEN, "%s%llu", sign, (unsigned long long)m);
	else
		snprintf(out, MONEY_TEXT_LEN, "%s%llu.%0*llu", sign,
			 (unsigned long long)(m / scale[digits]), digits,
			 (unsigned long long)(m % scale[digits]));
	return out;
}
