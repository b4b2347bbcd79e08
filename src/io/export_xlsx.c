/* export_xlsx.c — the XLSX writer of the exporter: libxlsxwriter in
 * constant-memory mode (each row goes to a work file as it is written),
 * a bold frozen header row, and typed cells: numbers as numbers, money in
 * major units with its currency's decimals, dates and times as Excel
 * dates, booleans as TRUE/FALSE, everything else as text. The workbook is
 * assembled in a work file (the zip needs to seek) and then copied to the
 * output. */
#include <xlsxwriter.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/money.h"
#include "io/export_internal.h"
#include "io/table.h"

#define XLSX_MAX_ROWS  1048576 /* Excel's limit, the header row included */
#define XLSX_MAX_CHARS 32767   /* characters in a cell */

enum { FMT_HEADER, FMT_DATE, FMT_DATETIME, FMT_MONEY0, FMT_MONEY2, FMT_MONEY3, FMT_COUNT };

struct xlsx {
	char path[4096];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *fmt[FMT_COUNT];
};

static enum rp_err lxw_fail(struct rp_error *err, lxw_error e)
{
	return rp_fail(err, RP_EIO, "export_failed", "the spreadsheet could not be written: %s",
		       lxw_strerror(e));
}

static void add_formats(struct xlsx *x)
{
	static const char *const num[FMT_COUNT] = {
		[FMT_DATE] = "yyyy-mm-dd",  [FMT_DATETIME] = "yyyy-mm-dd hh:mm:ss",
		[FMT_MONEY0] = "#,##0",	    [FMT_MONEY2] = "#,##0.00",
		[FMT_MONEY3] = "#,##0.000",
	};
	for (int i = 0; i < FMT_COUNT; i++) {
		x->fmt[i] = workbook_add_format(x->wb);
		if (num[i])
			format_set_num_format(x->fmt[i], num[i]);
	}
	format_set_bold(x->fmt[FMT_HEADER]);
}

static void write_header(struct export_job *j, struct xlsx *x)
{
	for (int k = 0; k < j->ncols; k++) {
		enum field_type t = j->e->fields[j->cols[k].field].type;
		bool wide = j->cols[k].ref_name || t == FT_TEXT || t == FT_EMAIL || t == FT_URL;
		worksheet_set_column(x->ws, (lxw_col_t)k, (lxw_col_t)k, wide ? 24 : 14, NULL);
		worksheet_write_string(x->ws, 0, (lxw_col_t)k, j->cols[k].header,
				       x->fmt[FMT_HEADER]);
	}
	worksheet_freeze_panes(x->ws, 1, 0);
}

static enum rp_err xlsx_begin(struct export_job *j, struct rp_error *err)
{
	struct xlsx *x = arena_alloc(j->d->a, sizeof *x);
	const char *dir = j->opt->tmpdir && *j->opt->tmpdir ? j->opt->tmpdir : getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(x->path, sizeof x->path, "%s/rapport-xlsx-XXXXXX", dir);
	int fd = mkstemp(x->path);
	if (fd < 0)
		return rp_fail(err, RP_EIO, "export_failed", "cannot create a work file in %s",
			       dir);
	close(fd);
	lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
	x->wb = workbook_new_opt(x->path, &o);
	x->ws = x->wb ? workbook_add_worksheet(x->wb, j->e->name) : NULL;
	if (!x->ws) {
		if (x->wb)
			lxw_workbook_free(x->wb);
		unlink(x->path);
		return rp_fail(err, RP_EIO, "export_failed", "cannot start the spreadsheet");
	}
	add_formats(x);
	write_header(j, x);
	j->state = x;
	return RP_OK;
}

/* s with the "_" of each "_xHHHH_" in it written "_x005F_": libxlsxwriter
 * escapes a carriage return as "_x000D_" but leaves text that looks like
 * an escape as it is, which Excel and our importer would then undo. */
static const char *escape_escapes(const char *s, struct arena *a)
{
	unsigned u;
	const char *p = s;
	while ((p = strstr(p, "_x")) && !table_xlsx_escape_at(p, &u))
		p++;
	if (!p)
		return s;
	struct buf b;
	buf_init(&b, 2 * strlen(s) + 1); /* each 7 bytes of an escape grow by 6 */
	for (; *s; s++) {
		if (table_xlsx_escape_at(s, &u))
			buf_adds(&b, "_x005F");
		buf_addc(&b, *s);
	}
	const char *out = arena_strndup(a, b.p, b.len);
	buf_release(&b);
	return out;
}

/* A string cell, cut to Excel's limit between two characters; the limit
 * counts the text as written, each "_" that escape_escapes turns into
 * "_x005F_" six characters longer. */
static lxw_error put_string(struct xlsx *x, lxw_row_t row, lxw_col_t col, const char *s, size_t n,
			    struct arena *a)
{
	size_t chars = 0, i = 0;
	unsigned u;
	for (; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		chars += table_xlsx_escape_at(s + i, &u) ? 7 : 1;
		if (chars > XLSX_MAX_CHARS)
			break;
	}
	return worksheet_write_string(x->ws, row, col,
				      escape_escapes(i < n ? arena_strndup(a, s, i) : s, a), NULL);
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS..." as an Excel date; false if
 * the text is something else or before 1900 (Excel's epoch). */
static bool parse_when(const char *s, bool with_time, lxw_datetime *dt)
{
	int sec = 0;
	*dt = (lxw_datetime){0};
	int n = with_time ? sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &dt->year, &dt->month, &dt->day,
				   &dt->hour, &dt->min, &sec)
			  : sscanf(s, "%4d-%2d-%2d", &dt->year, &dt->month, &dt->day);
	dt->sec = sec;
	return n == (with_time ? 6 : 3) && dt->year >= 1900 && dt->year <= 9999;
}

static lxw_error put_money(struct export_job *j, struct xlsx *x, const struct record *r,
			   lxw_row_t row, lxw_col_t col, int64_t minor)
{
	int digits = money_decimals(export_record_currency(j, r));
	static const double scale[] = {1, 10, 100, 1000};
	lxw_format *f = x->fmt[digits == 0 ? FMT_MONEY0 : digits == 3 ? FMT_MONEY3 : FMT_MONEY2];
	return worksheet_write_number(x->ws, row, col, (double)minor / scale[digits], f);
}

static lxw_error put_value(struct export_job *j, struct xlsx *x, const struct field_def *f,
			   const struct record *r, const struct value *v, lxw_row_t row,
			   lxw_col_t col, struct arena *a)
{
	lxw_datetime dt;
	switch (v->kind) {
	case V_NULL: return LXW_NO_ERROR;
	case V_REAL: return worksheet_write_number(x->ws, row, col, v->d, NULL);
	case V_INT:
		if (f->type == FT_BOOL)
			return worksheet_write_boolean(x->ws, row, col, v->i != 0, NULL);
		if (f->type == FT_MONEY)
			return put_money(j, x, r, row, col, v->i);
		return worksheet_write_number(x->ws, row, col, (double)v->i, NULL);
	case V_TEXT:
		if ((f->type == FT_DATE || f->type == FT_DATETIME) &&
		    parse_when(v->s, f->type == FT_DATETIME, &dt))
			return worksheet_write_datetime(
				x->ws, row, col, &dt,
				x->fmt[f->type == FT_DATE ? FMT_DATE : FMT_DATETIME]);
		const char *label = export_choice_label(j, f, v);
		if (label)
			return put_string(x, row, col, label, strlen(label), a);
		return put_string(x, row, col, v->s, v->len, a);
	}
	return LXW_NO_ERROR;
}

static enum rp_err xlsx_row(struct export_job *j, struct dctx *pd, const struct record *r,
			    struct rp_error *err)
{
	struct xlsx *x = j->state;
	if (j->rows + 1 >= XLSX_MAX_ROWS) {
		rp_fail(err, RP_EINVAL, "too_many_rows",
			"an XLSX sheet holds at most %d rows; narrow the filter or export as CSV",
			XLSX_MAX_ROWS - 1);
		rp_field_fail(err, "format", "too_many_rows", "%s", err->detail);
		err->err = RP_EINVAL;
		return RP_EINVAL;
	}
	lxw_row_t row = (lxw_row_t)(j->rows + 1);
	for (int k = 0; k < j->ncols; k++) {
		const struct export_col *col = &j->cols[k];
		const struct field_def *f = &j->e->fields[col->field];
		const struct value *v = &r->v[col->field];
		lxw_error e = LXW_NO_ERROR;
		if (col->ref_name) {
			const char *name = export_ref_name(j, pd, r, col->field);
			if (name)
				e = put_string(x, row, (lxw_col_t)k, name, strlen(name), pd->a);
		} else {
			e = put_value(j, x, f, r, v, row, (lxw_col_t)k, pd->a);
		}
		if (e != LXW_NO_ERROR)
			return lxw_fail(err, e);
	}
	return RP_OK;
}

static enum rp_err xlsx_end(struct export_job *j, struct rp_error *err)
{
	struct xlsx *x = j->state;
	lxw_error e = workbook_close(x->wb);
	enum rp_err rc = e != LXW_NO_ERROR ? lxw_fail(err, e) : RP_OK;
	FILE *in = rc ? NULL : fopen(x->path, "rb");
	if (!rc && !in)
		rc = rp_fail(err, RP_EIO, "export_failed",
			     "the spreadsheet could not be read back");
	if (in) {
		rc = export_copy_file(in, j->out, err);
		fclose(in);
	}
	unlink(x->path);
	fflush(j->out);
	return rc;
}

static void xlsx_abort(struct export_job *j)
{
	struct xlsx *x = j->state;
	if (!x)
		return;
	lxw_workbook_free(x->wb);
	unlink(x->path);
}

const struct export_writer export_xlsx_writer = {xlsx_begin, xlsx_row, xlsx_end, xlsx_abort};
