/* export.h — writing the records a list query selects to a file: CSV
 * (RFC 4180, UTF-8, optional BOM), XLSX (typed cells, libxlsxwriter in
 * constant-memory mode) or vCard 4.0 (contacts and leads). Rows are read
 * through domain_list in pages of EXPORT_PAGE with the keyset cursor, so
 * the caller's role scope and hidden fields apply exactly as in
 * GET /api/v1/{entity}, and memory stays bounded however many rows there
 * are. The API streams the file; the CLI writes it to a file or stdout. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "domain/domain.h"

#define EXPORT_PAGE 500

enum export_format { EXPORT_CSV, EXPORT_XLSX, EXPORT_VCF, EXPORT_FORMAT_COUNT };

struct export_options {
	enum export_format format;
	bool bom; /* CSV: start with a UTF-8 byte-order mark (Excel) */
	/* CSV, XLSX: headed by the fields' labels in the caller's language,
	 * a reference by its record's name only (the ids are this
	 * database's); else by the API's names, a reference twice */
	bool labels;
	const char *fields; /* the fields= list as given: the column order; NULL = all */
	const char *tmpdir; /* XLSX work files go here; NULL = $TMPDIR or /tmp */
};

/* "csv", "xlsx", "vcf" (also "vcard"); false for anything else. */
bool export_format_from_name(const char *s, enum export_format *ret);
const char *export_format_name(enum export_format f);	 /* "csv" ... */
const char *export_content_type(enum export_format f);	 /* with charset */
const char *export_file_extension(enum export_format f); /* "csv" ... */

/* Whether f suits entity e (vCard: contacts and leads only). RP_EINVAL
 * with a field error on "format" otherwise. */
enum rp_err export_check(const struct entity_def *e, enum export_format f, struct rp_error *err);

/* Writes every row q selects for d's caller to out, in q's order (its
 * limit and cursor are ignored). Columns: the visible fields (or those
 * named in opt->fields, in that order, id first), and after each
 * reference field a "<field without _id>_name" column with the title of
 * the record it points at, when the caller may read it. CSV values are as
 * the API sends them (money in minor units, booleans true/false, tags and
 * JSON as JSON text); XLSX cells are typed (money in major units).
 * Reads one snapshot of the database. On failure out may hold part of
 * the file: write to a temporary file when that matters. ret_rows
 * (optional) gets the number of records written. */
enum rp_err export_write(struct dctx *d, struct list_query *q, const struct export_options *opt,
			 FILE *out, int64_t *ret_rows, struct rp_error *err);

/* An anonymous temporary file in dir (NULL = $TMPDIR or /tmp), open for
 * reading and writing and already unlinked: it vanishes when closed.
 * NULL on failure (errno set). */
FILE *export_tmpfile(const char *dir);
