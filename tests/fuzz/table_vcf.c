/* table_vcf.c — feeds a file's bytes to the spreadsheet reader as vCards
 * (src/io/table_vcf.c): unfolding, quoted-printable soft breaks, groups,
 * quoted parameters, escapes, CHARSET conversions, skipped photos, cards
 * left open and text between them. The first byte picks the file's
 * encoding (detected, or one a user could name). Every row handed out
 * must be UTF-8, within the limits, and numbered in order. */
#include "harness.h"
#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const encodings[] = {NULL,	       NULL,	   "UTF-8",  "GB18030",
					"WINDOWS-1251", "UTF-16LE", "KOI8-R", "nonsense"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct table_options opt = {.format = TABLE_VCARD, .encoding = encodings[data[0] & 7]};
	fuzz_read_table(fuzz_file(data + 1, size - 1), &opt);
	return 0;
}
