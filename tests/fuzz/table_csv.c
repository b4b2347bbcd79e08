/* table_csv.c — feeds a file's bytes to the spreadsheet reader as CSV
 * (src/io/table.c, table_csv.c, table_sniff.c): BOM and encoding
 * detection (UTF-16 by NULs, UTF-8 by validity, uchardet), iconv
 * conversion in chunks, delimiter sniffing, libcsv in strict mode, the row
 * limits and the held-back empty rows. The first byte picks the options a
 * user could send: the encoding (detected, or one named) and the
 * delimiter (detected, or one named). Every row handed out must be UTF-8,
 * within the limits, and numbered in order. */
#include "harness.h"
#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const encodings[] = {NULL,	     NULL,	     NULL,	    "UTF-8",
					"GB18030",   "WINDOWS-1251", "UTF-16LE",    "UTF-16BE",
					"SHIFT_JIS", "KOI8-R",	     "ISO-2022-JP", "UTF-7",
					"big5",	     "latin1",	     "UCS-4",	    "nonsense"};
static const char delims[] = {0, ',', ';', '\t'};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct table_options opt = {
		.format = TABLE_CSV,
		.encoding = encodings[data[0] & 15],
		.delimiter = delims[(data[0] >> 4) & 3],
	};
	fuzz_read_table(fuzz_file(data + 1, size - 1), &opt);
	return 0;
}
