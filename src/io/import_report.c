/* import_report.c — what an import tells of its rows: the counts, every
 * row's outcome for a dry run's report (the rejected ones for a run's),
 * the first values of each column for the mapping screen, and the file of
 * rejected rows with their reasons, written once their batch commits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "io/csvw.h"
#include "io/import_internal.h"
#include "io/table.h"
#include "model/registry.h"

#define REPORT_ROWS    1000 /* row outcomes kept in a dry run's report */
#define REPORT_REJECTS 100  /* rejected rows kept in a run's report */
#define SAMPLE_ROWS    3    /* values of each column shown with the mapping */
#define SAMPLE_BYTES   200  /* of each value */

void import_count(struct importer *im, const char *what)
{
	record_set_int(im->imp, what, record_int(im->imp, what) + 1);
}

/* Keeps a row's outcome for the report: every row of a dry run (up to
 * REPORT_ROWS created and REPORT_ROWS others, so a big file's updates
 * and rejects are not crowded out by its first new rows), the rejected
 * ones of a run. */
void import_report_row(struct importer *im, const char *action, int64_t id, const char *match,
		       const struct rp_error *rerr)
{
	bool rejected = !strcmp(action, "rejected");
	int *n = &im->nreported[strcmp(action, "create") != 0];
	if (im->dry_run ? *n >= REPORT_ROWS : (!rejected || *n >= REPORT_REJECTS))
		return;
	++*n;
	json_t *o = json_object();
	json_object_set_new(o, "row", json_integer(im->row_number));
	json_object_set_new(o, "action", json_string(action));
	/* a dry run's records are rolled back: no id of them */
	if (id && !(im->dry_run && (!strcmp(action, "create") || import_dry_made(im, id))))
		json_object_set_new(o, "id", json_integer(id));
	if (match)
		json_object_set_new(o, "match", json_string(match));
	if (rerr && rerr->err) {
		json_t *errs = json_array();
		for (int i = 0; i < rerr->nfields; i++) {
			const struct rp_field_error *f = &rerr->fields[i];
			json_t *fe = json_pack("{s:s,s:s,s:s}", "field", f->field, "code", f->code,
					       "message", f->message);
			if (f->reason[0]) {
				json_object_set_new(fe, "reason", json_string(f->reason));
				json_object_set_new(fe, "value", json_string(f->value));
			}
			json_array_append_new(errs, fe);
		}
		if (!rerr->nfields)
			json_array_append_new(errs, json_pack("{s:s,s:s}", "code", rerr->code,
							      "message", rerr->detail));
		json_object_set_new(o, "errors", errs);
	}
	json_array_append_new(im->report_rows, o);
}

/* The language the importing user reads, or NULL for English. */
static const char *reader_locale(const struct importer *im)
{
	const char *loc = domain_locale(im->d.p);
	return loc && strcmp(loc, "en") ? loc : NULL;
}

/* A field's name in the reader's language, else as the API spells it. */
static void add_field_label(struct buf *b, const struct entity_def *e, const char *locale,
			    const char *field)
{
	const struct field_def *f = entity_field(e, field);
	buf_adds(b, f ? field_label_in(f, locale) : field);
}

/* One field error in the reader's language: the catalogue's reason with
 * the value at fault, else the code's text with the English detail after
 * it, else the English. */
static void add_field_reason(struct buf *b, const char *locale, const struct rp_field_error *f)
{
	char key[64];
	snprintf(key, sizeof key, "error.%s", f->reason);
	const char *vars[] = {"value", f->value, NULL};
	char *text = f->reason[0] ? i18n_format(locale, key, vars) : NULL;
	if (text) {
		buf_adds(b, text);
		free(text);
		return;
	}
	snprintf(key, sizeof key, "error.%s", f->code);
	const char *general = i18n_text(locale, key);
	if (general)
		buf_printf(b, "%s (%s)", general, f->message);
	else
		buf_adds(b, f->message);
}

/* "field: message; field: message" for the rejected-rows file, in the
 * importing user's language. */
static char *reason_text(const struct importer *im, const struct rp_error *e)
{
	const char *locale = reader_locale(im);
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < e->nfields; i++) {
		const struct rp_field_error *f = &e->fields[i];
		if (i)
			buf_adds(&b, "; ");
		if (!locale) {
			buf_printf(&b, "%s: %s", f->field, f->message);
			continue;
		}
		add_field_label(&b, im->e, locale, f->field);
		buf_adds(&b, ": ");
		add_field_reason(&b, locale, f);
	}
	if (!e->nfields)
		buf_adds(&b, e->detail[0] ? e->detail : e->code);
	return buf_detach(&b, NULL);
}

void import_reject(struct importer *im, const char *const *cells, int n, const struct rp_error *e)
{
	import_count(im, "rejected");
	import_report_row(im, "rejected", 0, NULL, e);
	char num[24];
	snprintf(num, sizeof num, "%lld", (long long)im->row_number);
	char *why = reason_text(im, e);
	csvw_cell(im->pending_rejects, 0, num, strlen(num), false);
	csvw_cell(im->pending_rejects, 1, why, strlen(why), true);
	for (int i = 0; i < im->ncols; i++) {
		const char *v = cells && i < n ? cells[i] : "";
		csvw_cell(im->pending_rejects, i + 2, v, strlen(v), true);
	}
	csvw_end_row(im->pending_rejects);
	free(why);
}

/* Moves the rows rejected in a committed batch to the rejects file. */
void import_flush_rejects(struct importer *im)
{
	fflush(im->pending_rejects);
	if (im->pending_len && im->rejects)
		fwrite(im->pending_buf, 1, im->pending_len, im->rejects);
	if (im->rejects)
		fflush(im->rejects);
	rewind(im->pending_rejects);
	im->pending_len = 0;
}

void import_drop_rejects(struct importer *im)
{
	fflush(im->pending_rejects);
	rewind(im->pending_rejects);
	im->pending_len = 0;
}

/* The first values of each column, for the mapping screen; each cut
 * between UTF-8 letters (half a letter would be no JSON string). */
void import_keep_samples(struct importer *im, const char *const *cells, int n)
{
	if (im->nsampled >= SAMPLE_ROWS || !im->report_cols)
		return;
	im->nsampled++;
	for (int i = 0; i < n && i < im->ncols; i++) {
		json_t *col = json_array_get(im->report_cols, (size_t)i);
		json_t *samples = json_object_get(col, "samples");
		if (!samples) {
			samples = json_array();
			json_object_set_new(col, "samples", samples);
		}
		if (*cells[i])
			json_array_append_new(
				samples, json_stringn(cells[i], utf8_fit(cells[i], SAMPLE_BYTES)));
	}
}

void import_set_report(struct importer *im)
{
	json_t *rep = json_object();
	json_object_set_new(rep, "encoding", json_string(im->t ? table_encoding(im->t) : ""));
	char delim[2] = {im->t ? table_delimiter(im->t) : 0, 0};
	json_object_set_new(rep, "delimiter", json_string(delim));
	json_object_set_new(rep, "title_rows", json_integer(im->title_rows));
	json_object_set_new(rep, "columns",
			    im->report_cols ? json_incref(im->report_cols) : json_array());
	json_object_set(rep, "rows", im->report_rows);
	json_object_set_new(rep, "linked_created", json_integer(im->linked_created));
	char *s = json_dumps(rep, JSON_COMPACT);
	record_set_text(im->imp, im->run_arena, "report", s);
	free(s);
	json_decref(rep);
}

enum rp_err import_open_rejects(struct importer *im, const char *db_path, bool resume,
				struct rp_error *err)
{
	char path[4300];
	import_rejects_path(db_path, im->import_id, path, sizeof path);
	im->pending_rejects = open_memstream(&im->pending_buf, &im->pending_len);
	if (im->dry_run)
		return RP_OK;
	im->rejects = fopen(path, resume ? "ab" : "wb");
	if (!im->rejects || !im->pending_rejects)
		return rp_fail(err, RP_EIO, "storage_error",
			       "the rejected-rows file cannot be written");
	if (!resume) {
		/* the CLI tells a person to open this file: without a BOM,
		 * Excel reads it in the ANSI code page (mojibake) */
		fputs("\xEF\xBB\xBF", im->rejects);
		const char *locale = reader_locale(im), *row = i18n_text(locale, "file.row"),
			   *reason = i18n_text(locale, "file.reason");
		csvw_cell(im->rejects, 0, row, strlen(row), false);
		csvw_cell(im->rejects, 1, reason, strlen(reason), false);
		for (int i = 0; i < im->ncols; i++)
			csvw_cell(im->rejects, i + 2, im->headers[i], strlen(im->headers[i]), true);
		csvw_end_row(im->rejects);
	}
	return RP_OK;
}
