/* table.h — reads a spreadsheet file as rows of UTF-8 text cells, one row
 * at a time in bounded memory, whatever wrote it: CSV (RFC 4180; comma,
 * semicolon or tab detected; UTF-8 with or without BOM, UTF-16 LE/BE by
 * BOM, GB18030/GBK, Windows-1251 and the rest detected or named, and
 * converted to UTF-8) and XLSX (the first or a named sheet; shared and
 * inline strings; numbers, booleans and dates as text), and contacts'
 * vCards (a row per card under fixed columns, table_vcf.c). The importer
 * sees the same rows from each. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum table_format { TABLE_AUTO, TABLE_CSV, TABLE_XLSX, TABLE_VCARD };

struct table_options {
	enum table_format format; /* TABLE_AUTO: XLSX by its zip signature, vCard by
				     its BEGIN:VCARD */
	const char *encoding;	  /* iconv name; NULL = detect */
	char delimiter;		  /* ',', ';', '\t'; 0 = detect */
	const char *sheet;	  /* XLSX sheet name; NULL = the first */
};

struct table_reader;

/* Opens path. Errors (RP_EINVAL with a reason a person can act on:
 * "not_a_table", "bad_encoding", "no_such_sheet", "xlsx_too_large", ...;
 * RP_EIO when it cannot be read). */
enum rp_err table_open(const char *path, const struct table_options *opt, struct table_reader **ret,
		       struct rp_error *err);

/* The next row: *ret_cells points at ncells NUL-terminated UTF-8 strings
 * (empty cells are ""), valid until the next call. Returns 1 for a row, 0
 * at the end, -2 for a row that could not be read (longer than 1 MiB or
 * more than 1024 cells: err says which line and why, and the next call
 * goes on after it), -1 on a malformed file (err filled: the line and
 * why; reading stops). Trailing empty rows are skipped. */
int table_next(struct table_reader *t, const char *const **ret_cells, int *ret_ncells,
	       struct rp_error *err);

/* The 1-based line (CSV) or row number (XLSX) of the last row returned, as
 * a person would find it in the file. */
int64_t table_row_number(const struct table_reader *t);
/* How far through the input, 0..1 (for progress bars). */
double table_progress(const struct table_reader *t);
/* What was detected or chosen: "UTF-8", "GB18030", "WINDOWS-1251", ...
 * and the delimiter (0 for XLSX). */
const char *table_encoding(const struct table_reader *t);
char table_delimiter(const struct table_reader *t);
/* TABLE_CSV, TABLE_XLSX or TABLE_VCARD: what the file turned out to be. */
enum table_format table_format_of(const struct table_reader *t);

/* The worksheets of an XLSX file other than the one read, comma separated,
 * appended to names (a struct buf); returns how many (0 for CSV). */
struct buf;
int table_other_sheets(const struct table_reader *t, struct buf *names);

void table_close(struct table_reader *t);

/* Whether s starts with "_xHHHH_", the way an .xlsx writes a character
 * XML cannot hold (ST_Xstring: "_x000D_" is a carriage return, and
 * "_x005F_" the "_" of text that looks like one); its UTF-16 unit goes
 * to *ret_unit. Both the reader and the XLSX export use it. */
bool table_xlsx_escape_at(const char *s, unsigned *ret_unit);
