/* table_sniff.c — what the first 64 KiB of a CSV file tell (or, when they
 * are plain ASCII, 64 KiB from its first byte past ASCII): its byte-order
 * mark, its encoding (UTF-16 by its NULs, UTF-8 by validity, else
 * uchardet), and its delimiter (the one that splits every line the same
 * number of times). */
#include <ctype.h>
#include <string.h>
#include <uchardet.h>

#include "io/table_internal.h"

size_t sniff_bom(const unsigned char *p, size_t n, const char **ret_enc)
{
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		*ret_enc = "UTF-8";
		return 3;
	}
	if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		*ret_enc = "UTF-16LE";
		return 2;
	}
	if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		*ret_enc = "UTF-16BE";
		return 2;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF); 0 when invalid, -1 when p[0..n)
 * is a valid start cut short. */
static int utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	int len;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		unsigned char lim_lo = i == 1 ? lo : 0x80, lim_hi = i == 1 ? hi : 0xBF;
		if (p[i] < lim_lo || p[i] > lim_hi)
			return 0;
	}
	return len;
}

size_t sniff_utf8_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		int len = utf8_seq(p + i, n - i);
		if (len <= 0)
			break;
		i += (size_t)len;
	}
	return i;
}

size_t sniff_ascii_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/* Counts multi-byte sequences and invalid bytes. */
static void utf8_census(const unsigned char *p, size_t n, bool at_eof, size_t *ret_multi,
			size_t *ret_bad)
{
	size_t multi = 0, bad = 0, i = 0;
	while (i < n) {
		int len = utf8_seq(p + i, n - i);
		if (len < 0) {
			if (at_eof)
				bad++;
			break;
		}
		if (len == 0) {
			bad++;
			i++;
			continue;
		}
		multi += len > 1;
		i += (size_t)len;
	}
	*ret_multi = multi;
	*ret_bad = bad;
}

/* UTF-16 without a BOM (some exporters write it) shows as a NUL in every
 * other byte; any other NUL means the file is not text. */
static const char *nul_pattern(const unsigned char *p, size_t n, bool *ret_binary)
{
	size_t even = 0, odd = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0)
			*(i % 2 ? &odd : &even) += 1;
	*ret_binary = false;
	if (even + odd == 0)
		return NULL;
	size_t pairs = n / 2 ? n / 2 : 1;
	if (odd * 10 >= pairs * 3 && even * 20 < pairs)
		return "UTF-16LE";
	if (even * 10 >= pairs * 3 && odd * 20 < pairs)
		return "UTF-16BE";
	*ret_binary = true;
	return NULL;
}

/* What uchardet (and people) call an encoding → the name iconv should use.
 * GB2312 and GBK are subsets of GB18030, so text detected as either decodes
 * as GB18030 even when it strays past the subset; ASCII is UTF-8; Latin-1
 * files from Windows use 0x80-0x9F (€, curly quotes) as Windows-1252. */
static const struct {
	const char *from, *to;
} enc_alias[] = {
	{"ASCII", "UTF-8"},	    {"US-ASCII", "UTF-8"},
	{"UTF8", "UTF-8"},	    {"GB2312", "GB18030"},
	{"GBK", "GB18030"},	    {"CP936", "GB18030"},
	{"EUC-CN", "GB18030"},	    {"ISO-8859-1", "WINDOWS-1252"},
	{"LATIN1", "WINDOWS-1252"}, {"CP1251", "WINDOWS-1251"},
	{"CP1252", "WINDOWS-1252"}, {"X-MAC-CYRILLIC", "MAC-CYRILLIC"},
};

void sniff_canonical_encoding(const char *name, char *out)
{
	size_t i = 0;
	for (; i < TABLE_ENC_LEN - 1 && name[i]; i++)
		out[i] = (char)toupper((unsigned char)name[i]);
	out[i] = '\0';
	for (size_t k = 0; k < sizeof enc_alias / sizeof *enc_alias; k++) {
		if (strcmp(out, enc_alias[k].from) == 0) {
			snprintf(out, TABLE_ENC_LEN, "%s", enc_alias[k].to);
			return;
		}
	}
}

static enum rp_err ask_uchardet(const unsigned char *p, size_t n, char *out, struct rp_error *err)
{
	uchardet_t ud = uchardet_new();
	if (!ud)
		abort();
	int rc = uchardet_handle_data(ud, (const char *)p, n);
	uchardet_data_end(ud);
	const char *cs = rc == 0 ? uchardet_get_charset(ud) : "";
	if (!cs || !*cs) {
		uchardet_delete(ud);
		return rp_fail(err, RP_EINVAL, "bad_encoding",
			       "cannot tell the file's encoding: choose it (UTF-8, GB18030, "
			       "WINDOWS-1251, ...)");
	}
	sniff_canonical_encoding(cs, out);
	uchardet_delete(ud);
	return RP_OK;
}

enum rp_err sniff_encoding(const unsigned char *p, size_t n, bool at_eof, char *out,
			   struct rp_error *err)
{
	bool binary;
	const char *utf16 = nul_pattern(p, n, &binary);
	if (binary)
		return rp_fail(err, RP_EINVAL, "not_a_table",
			       "the file holds binary data, not CSV text");
	if (utf16) {
		snprintf(out, TABLE_ENC_LEN, "%s", utf16);
		return RP_OK;
	}
	/* Validity first: uchardet misreads short UTF-8 files. A few bad
	 * bytes among many good sequences are a damaged UTF-8 file, which
	 * must fail on the bad line rather than decode as Latin-1 garbage;
	 * legacy 8-bit text almost never forms valid sequences. */
	size_t multi, bad;
	utf8_census(p, n, at_eof, &multi, &bad);
	if (bad == 0 || (multi > 0 && bad * 4 <= multi)) {
		snprintf(out, TABLE_ENC_LEN, "UTF-8");
		return RP_OK;
	}
	return ask_uchardet(p, n, out, err);
}

/* --- the delimiter ----------------------------------------------------- */

#define SNIFF_LINES 20

static const char delims[] = {'\t', ';', ','}; /* the preference on a tie */
enum { NDELIM = sizeof delims };

struct delim_count {
	int min, max;
	long total;
};

static void tally_record(struct delim_count *dc, const int *cur, int nrec)
{
	for (int d = 0; d < NDELIM; d++) {
		if (nrec == 0 || cur[d] < dc[d].min)
			dc[d].min = cur[d];
		if (nrec == 0 || cur[d] > dc[d].max)
			dc[d].max = cur[d];
		dc[d].total += cur[d];
	}
}

/* Counts each candidate per record (newlines inside quotes do not end
 * one), over the first SNIFF_LINES non-blank records; a record cut by the
 * end of the sample is left out unless the sample is the whole file. */
static int count_delims(const char *p, size_t n, bool at_eof, struct delim_count *dc)
{
	int nrec = 0, cur[NDELIM] = {0};
	bool quoted = false, blank = true;
	for (size_t i = 0; i < n && nrec < SNIFF_LINES; i++) {
		char c = p[i];
		if (c == '"') {
			quoted = !quoted;
			blank = false;
		} else if (!quoted && (c == '\n' || c == '\r')) {
			if (!blank)
				tally_record(dc, cur, nrec++);
			memset(cur, 0, sizeof cur);
			blank = true;
		} else if (!quoted) {
			for (int d = 0; d < NDELIM; d++)
				cur[d] += c == delims[d];
			blank = blank && (c == ' ');
		}
	}
	if (!blank && (at_eof || nrec == 0) && nrec < SNIFF_LINES)
		tally_record(dc, cur, nrec++);
	return nrec;
}

char sniff_delimiter(const char *p, size_t n, bool at_eof)
{
	struct delim_count dc[NDELIM] = {0};
	int nrec = count_delims(p, n, at_eof, dc);
	if (nrec == 0)
		return ',';
	/* the same count on every line beats any count that varies */
	int best = -1;
	for (int d = 0; d < NDELIM; d++)
		if (dc[d].min > 0 && dc[d].min == dc[d].max &&
		    (best < 0 || dc[d].min > dc[best].min))
			best = d;
	if (best >= 0)
		return delims[best];
	for (int d = 0; d < NDELIM; d++)
		if (dc[d].total > 0 &&
		    (best < 0 || dc[d].min > dc[best].min ||
		     (dc[d].min == dc[best].min && dc[d].total > dc[best].total)))
			best = d;
	return best >= 0 ? delims[best] : ',';
}
