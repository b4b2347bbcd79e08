/* table_internal.h — shared by the table reader's files only (nothing else
 * includes it): the reader's state, the row being built, and the calls
 * between the front (table.c), the text sniffers (table_sniff.c), the CSV
 * back end (table_csv.c) and the XLSX back end (table_xlsx*.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "io/table.h"

#define TABLE_MAX_ROW	((size_t)1 << 20) /* bytes of cell text in one row */
#define TABLE_MAX_CELLS 1024
#define TABLE_CHUNK	((size_t)64 << 10) /* read size, and the sniffers' sample */
#define TABLE_ENC_LEN	32

/* The row a back end is building: cell texts one after another, each with
 * its NUL, so the cell pointers are made only once the row is complete
 * (the buffer may move while it grows). */
struct table_row {
	struct buf text;
	size_t off[TABLE_MAX_CELLS];
	int n;
	size_t bytes; /* cell text, NULs not counted: the 1 MiB limit */
	/* over a limit: the rest of the row is read and dropped, and the row
	 * is handed out as one that could not be read (why says why) */
	bool over;
	char why_code[32], why[160];
};

/* Empty rows are held back until a non-empty row shows they were not
 * trailing; runs of them on consecutive lines take one slot. */
#define TABLE_PENDING 64
struct table_empty_run {
	int64_t line, count;
	int ncells;
};

struct table_csv;
struct table_xlsx;
struct table_vcf;

struct table_reader {
	enum table_format format;
	struct table_csv *csv;
	struct table_xlsx *xlsx;
	struct table_vcf *vcf;
	struct table_row row;
	int64_t building; /* line or row number of the row being built */
	const char *cells[TABLE_MAX_CELLS];
	int64_t row_number; /* of the last row returned */

	struct table_empty_run pending[TABLE_PENDING];
	int npending, pending_head;
	bool held; /* t->row is a finished row waiting behind pending ones */
	int64_t held_line;
	bool held_over; /* ... one that could not be read */
	char held_why[160];

	bool failed, ended;
	enum rp_err fail_err;
	char fail_code[40], fail_detail[256];

	char encoding[TABLE_ENC_LEN];
	char delimiter;
};

/* Appends one cell to the row being built; RP_EINVAL ("too_many_cells",
 * "row_too_large") past the limits, with t->building in the message. */
/* Marks the row being built as one that could not be read (too long). */
void table_row_over(struct table_reader *t, const char *code, size_t limit);
enum rp_err table_row_add(struct table_reader *t, const char *p, size_t n, struct rp_error *err);
/* Appends empty cells until the row has n. */
enum rp_err table_row_pad(struct table_reader *t, int n, struct rp_error *err);

/* --- table_sniff.c: what a CSV file's first bytes tell ------------------ */

/* Length of a byte-order mark at p (0 if none); *ret_enc is its encoding. */
size_t sniff_bom(const unsigned char *p, size_t n, const char **ret_enc);
/* Picks the encoding of a sample with no BOM: UTF-16 by its NUL bytes,
 * UTF-8 when the sample is (nearly all) valid UTF-8, else uchardet's
 * answer mapped to an iconv name. at_eof: the sample is the whole file,
 * so a sequence cut at its end is an error, not a chunk boundary.
 * RP_EINVAL "not_a_table" for binary data, "bad_encoding" when nothing
 * fits. out gets TABLE_ENC_LEN bytes. */
enum rp_err sniff_encoding(const unsigned char *p, size_t n, bool at_eof, char *out,
			   struct rp_error *err);
/* The iconv name for what a person or uchardet calls an encoding
 * ("gbk" → "GB18030", "ascii" → "UTF-8"), upper-cased into out. */
void sniff_canonical_encoding(const char *name, char *out);
/* Length of the longest prefix of p[0..n) that is whole, valid UTF-8
 * (RFC 3629: no overlongs, surrogates or code points past U+10FFFF). */
size_t sniff_utf8_prefix(const unsigned char *p, size_t n);
/* Length of the longest prefix of p[0..n) that is ASCII. */
size_t sniff_ascii_prefix(const unsigned char *p, size_t n);
/* ',', ';' or '\t', from the first lines of UTF-8 text (outside quotes). */
char sniff_delimiter(const char *p, size_t n, bool at_eof);

/* --- table_csv.c ---------------------------------------------------------- */

enum rp_err table_csv_open(struct table_reader *t, int fd, const struct table_options *opt,
			   struct rp_error *err);
/* Builds the next raw row in t->row: 1 (and *ret_line), 0 at the end, -1. */
int table_csv_next(struct table_reader *t, int64_t *ret_line, struct rp_error *err);
double table_csv_progress(const struct table_csv *c);
void table_csv_free(struct table_csv *c);

/* --- table_vcf.c ------------------------------------------------------------ */

/* Whether the first bytes are a vCard's (a BOM and blank lines aside). */
bool table_is_vcard(const unsigned char *p, size_t n);
/* Takes fd (closed by table_vcf_free). */
enum rp_err table_vcf_open(struct table_reader *t, int fd, const struct table_options *opt,
			   struct rp_error *err);
int table_vcf_next(struct table_reader *t, int64_t *ret_line, struct rp_error *err);
double table_vcf_progress(const struct table_vcf *v);
void table_vcf_free(struct table_vcf *v);

/* --- table_xlsx.c ----------------------------------------------------------- */

/* Takes fd (closed on failure too). */
enum rp_err table_xlsx_open(struct table_reader *t, int fd, const struct table_options *opt,
			    struct rp_error *err);
int table_xlsx_next(struct table_reader *t, int64_t *ret_row, struct rp_error *err);
double table_xlsx_progress(const struct table_xlsx *x);
int table_xlsx_other_sheets(const struct table_xlsx *x, struct buf *names);
void table_xlsx_free(struct table_xlsx *x);

/* --- table_xlsx_part.c: the parts of an .xlsx (zip entries of XML) ------- */

#define XLSX_MAX_SHEET	 ((uint64_t)2 << 30)   /* inflated bytes of the sheet */
#define XLSX_MAX_STRINGS ((uint64_t)256 << 20) /* of the shared strings */
#define XLSX_MAX_SMALL	 ((uint64_t)64 << 20)  /* workbook, relationships, styles */

struct zip;
struct zip_file;
struct _xmlTextReader;

/* One zip entry read through libxml2's streaming reader; inflated bytes are
 * counted as they come, so a lying size in the zip cannot get past the
 * limit. Must not move while open (it is the reader's I/O context). */
struct xlsx_part {
	const char *name;
	struct zip_file *zf;
	struct _xmlTextReader *r;
	uint64_t declared, limit, inflated;
	bool too_large, io_error;
	int xml_line;
	char xml_error[160];
};

/* RP_ENOTFOUND (err untouched) when the zip has no such entry; RP_EINVAL
 * "xlsx_too_large" when its declared size passes limit or its compression
 * ratio is absurd, "bad_xlsx" when it cannot be read. */
enum rp_err xlsx_part_open(struct zip *z, const char *name, uint64_t limit, struct xlsx_part *p,
			   struct rp_error *err);
/* The next node: 1, 0 at the end, -1 (err filled). A DTD is refused: no
 * spreadsheet has one, and entities are how XML attacks come. */
int xlsx_part_read(struct xlsx_part *p, struct rp_error *err);
void xlsx_part_close(struct xlsx_part *p);

/* The current node: its type (XML_READER_TYPE_*), whether it is the start
 * (or end) of an element of that local name, namespace prefix ignored. */
int xlsx_type(const struct xlsx_part *p);
bool xlsx_start(const struct xlsx_part *p, const char *local);
bool xlsx_end(const struct xlsx_part *p, const char *local);
bool xlsx_empty(const struct xlsx_part *p);
bool xlsx_is_text(const struct xlsx_part *p);
const char *xlsx_text(const struct xlsx_part *p);
/* Appends a text node's s to b with its _xHHHH_ escapes undone
 * (table_xlsx_escape_at): writers escape a carriage return so. */
void xlsx_add_text(struct buf *b, const char *s);
/* Copies the current element's attribute of that local name into out
 * (cut to cap); false when it has none. */
bool xlsx_attr(const struct xlsx_part *p, const char *local, char *out, size_t cap);

/* The shared strings, in one buffer. */
struct xlsx_strings {
	struct buf data;
	uint32_t *off;
	size_t n, cap;
};
enum rp_err xlsx_load_strings(struct zip *z, const char *name, struct xlsx_strings *ss,
			      struct rp_error *err);
const char *xlsx_string(const struct xlsx_strings *ss, size_t i); /* NULL past the end */
void xlsx_strings_release(struct xlsx_strings *ss);

/* Which cell styles (cellXfs entries) show a date. */
struct xlsx_styles {
	bool *date;
	size_t n;
};
enum rp_err xlsx_load_styles(struct zip *z, const char *name, struct xlsx_styles *st,
			     struct rp_error *err);
bool xlsx_style_is_date(const struct xlsx_styles *st, size_t s);
void xlsx_styles_release(struct xlsx_styles *st);

/* --- table_xlsx_value.c: cell values as text ------------------------------- */

/* True for a number format code that shows a date or time. */
bool xlsx_format_is_date(const char *code);
bool xlsx_builtin_is_date(int id);
/* The shortest text that reads back as v; integers without exponent. */
void xlsx_format_number(double v, char *out, size_t cap);
/* "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SSZ" when there is a time of day;
 * false when serial is no date (negative, past 9999). */
bool xlsx_format_date(double serial, bool date1904, char *out, size_t cap);
