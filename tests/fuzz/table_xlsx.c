/* table_xlsx.c — feeds a file's bytes to the spreadsheet reader as XLSX
 * (src/io/table_xlsx*.c): libzip opens the bytes as a zip, the size and
 * ratio checks run, and each part found is read by libxml2's streaming
 * reader (workbook, relationships, shared strings, styles, the sheet).
 * The first byte picks whether a sheet is named. Mutating compressed
 * bytes seldom gets past the zip's checks, so table_xlsx_xml.c feeds the
 * XML parts themselves. */
#include "harness.h"
#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *const sheets[] = {NULL, "Sheet1", "data", "Контакты"};
	struct table_options opt = {.format = TABLE_XLSX, .sheet = sheets[data[0] & 3]};
	fuzz_read_table(fuzz_file(data + 1, size - 1), &opt);
	return 0;
}
