/* table_xlsx_value.c — an .xlsx cell's stored value as the text a person
 * saw: numbers in the shortest form that reads back the same, and date
 * serials (days since 1900 or 1904) as ISO dates when the cell's number
 * format shows a date, text with Excel's _xHHHH_ escapes undone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/clock.h"
#include "io/table_internal.h"

/* Built-in formats that show dates or times: 14-22 everywhere, 45-47
 * (mm:ss, [h]:mm:ss, mmss.0), and the ids East Asian Excel uses for its
 * dates (27-36, 50-58: "yyyy年m月d日" and the like). */
bool xlsx_builtin_is_date(int id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	       (id >= 50 && id <= 58);
}

/* A date or time code letter outside quoted text, [brackets] (colours,
 * locales, conditions) and escapes (\x, _x padding, *x fill). */
bool xlsx_format_is_date(const char *code)
{
	bool quoted = false, bracket = false;
	for (const char *p = code; *p; p++) {
		char c = *p;
		if (quoted) {
			quoted = c != '"';
			continue;
		}
		if (bracket) {
			bracket = c != ']';
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '[')
			bracket = true;
		else if ((c == '\\' || c == '_' || c == '*') && p[1])
			p++;
		else if (strchr("dmyhsDMYHS", c))
			return true;
	}
	return false;
}

bool table_xlsx_escape_at(const char *s, unsigned *ret_unit)
{
	if (s[0] != '_' || s[1] != 'x')
		return false;
	unsigned u = 0;
	for (int i = 2; i < 6; i++) {
		int c = (unsigned char)s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return false;
		u = u * 16 + (unsigned)d;
	}
	if (s[6] != '_')
		return false;
	*ret_unit = u;
	return true;
}

void xlsx_add_text(struct buf *b, const char *s)
{
	for (unsigned u; *s;) {
		/* a NUL or half a surrogate pair has no UTF-8 of its own: kept as written */
		if (!table_xlsx_escape_at(s, &u) || u == 0 || (u >= 0xD800 && u <= 0xDFFF)) {
			buf_addc(b, *s++);
			continue;
		}
		char utf8[4];
		buf_add(b, utf8,
			(size_t)utf8proc_encode_char((utf8proc_int32_t)u,
						     (utf8proc_uint8_t *)utf8));
		s += 7;
	}
}

void xlsx_format_number(double v, char *out, size_t cap)
{
	if (v == 0) {
		snprintf(out, cap, "0"); /* and not "-0" */
		return;
	}
	/* every integer below 2^53 is exact: print all its digits, never
	 * "1e+05"; bigger ones have lost digits already, so %g is honest */
	if (fabs(v) < 1e16 && v == floor(v)) {
		snprintf(out, cap, "%.0f", v);
		return;
	}
	/* 15 digits always round-trip a decimal that had at most 15, so the
	 * first precision that reads back is the shortest form */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

#define SERIAL_MAX 2958466.0 /* 10000-01-01 in the 1900 system */

bool xlsx_format_date(double serial, bool date1904, char *out, size_t cap)
{
	if (!(serial >= 0 && serial < SERIAL_MAX))
		return false;
	int64_t secs = llround(serial * 86400.0);
	int64_t days = secs / 86400, sod = secs % 86400;
	/* days from 1970-01-01 to serial 0. The 1900 system counts a
	 * 1900-02-29 that never was (Lotus 1-2-3's bug, kept by Excel): serials
	 * before it start from 1899-12-31, those after from 1899-12-30, and
	 * 60 itself, the phantom day, reads as 1900-02-28. */
	int64_t epoch = date1904 ? -24107 : days < 60 ? -25568 : -25569;
	int64_t t = (epoch + days) * 86400 + sod;
	if (t > 253402300799LL) /* past 9999-12-31T23:59:59Z */
		return false;
	char iso[RP_TIME_LEN];
	clock_format(t, iso);
	if (sod == 0)
		iso[10] = '\0';
	snprintf(out, cap, "%s", iso);
	return true;
}
