/* table_xlsx_xml.c — feeds the XML parts of a workbook to the XLSX reader:
 * the input is split at NUL bytes into the sheet, the shared strings, the
 * styles, the workbook and its relationships (parts missing from the
 * input get a minimal default), which are stored uncompressed in a zip
 * made here in memory and read through table_open like an upload. So the fuzzer
 * works on the XML (cells, references, types, rich text, number formats,
 * dates, DTDs) rather than on deflate streams. */
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "harness.h"
#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",	  "xl/styles.xml",
	"xl/workbook.xml",	    "xl/_rels/workbook.xml.rels",
};

static const char *const defaults[] = {
	"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>"
	"</worksheet>",
	"<sst><si><t>x</t></si></sst>",
	"<styleSheet><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>",
	"<workbook xmlns:r=\"r\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
	"</sheets></workbook>",
	"<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/sharedStrings\" "
	"Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"x/styles\" "
	"Target=\"styles.xml\"/></Relationships>",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *parts[5];
	int n = fuzz_split(data, size, '\0', parts, 5);
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
	if (!z)
		abort();
	zip_source_keep(mem); /* the zip's bytes are read from it after zip_close */
	for (int i = 0; i < 5; i++) {
		const char *xml = i < n ? parts[i] : defaults[i];
		zip_source_t *src = zip_source_buffer(z, xml, strlen(xml), 0);
		zip_int64_t idx = src ? zip_file_add(z, names[i], src, 0) : -1;
		if (idx < 0 || zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0))
			abort();
	}
	if (zip_close(z) != 0)
		abort();
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_source_stat(mem, &st) != 0 || zip_source_open(mem) != 0)
		abort();
	uint8_t *bytes = malloc(st.size ? st.size : 1);
	if (!bytes || zip_source_read(mem, bytes, st.size) != (zip_int64_t)st.size)
		abort();
	zip_source_close(mem);
	zip_source_free(mem);
	struct table_options opt = {.format = TABLE_XLSX};
	fuzz_read_table(fuzz_file(bytes, st.size), &opt);
	free(bytes);
	fuzz_free_parts(parts, n);
	return 0;
}
