/* export_csv.c — the CSV writer of the exporter: a header row of API
 * field names, then one row per record with values as the API sends
 * them, but money in major units with its currency's decimals
 * ("12500.00", JPY "1000000", as the importer reads it back); text that a
 * spreadsheet would run as a formula is neutralised, numbers never are
 * (so -5 stays a number). */
#include "core/money.h"
#include "io/csvw.h"
#include "io/export_internal.h"

static enum rp_err finish(struct export_job *j, struct rp_error *err)
{
	if (ferror(j->out))
		return rp_fail(err, RP_EIO, "export_failed",
			       "the export file could not be written");
	return RP_OK;
}

static enum rp_err csv_begin(struct export_job *j, struct rp_error *err)
{
	if (j->opt->bom)
		fputs(CSVW_BOM, j->out);
	for (int k = 0; k < j->ncols; k++)
		csvw_cell(j->out, k, j->cols[k].header, strlen(j->cols[k].header), false);
	csvw_end_row(j->out);
	return finish(j, err);
}

static enum rp_err csv_row(struct export_job *j, struct dctx *pd, const struct record *r,
			   struct rp_error *err)
{
	for (int k = 0; k < j->ncols; k++) {
		const struct export_col *col = &j->cols[k];
		const struct field_def *f = &j->e->fields[col->field];
		const struct value *v = &r->v[col->field];
		if (col->ref_name) {
			const char *name = export_ref_name(j, pd, r, col->field);
			csvw_cell(j->out, k, name, name ? strlen(name) : 0, true);
			continue;
		}
		size_t n = 0;
		char money[MONEY_TEXT_LEN];
		const char *label = export_choice_label(j, f, v);
		const char *s =
			label ? label
			: f->type == FT_MONEY && v->kind == V_INT
				? money_format_major(v->i, export_record_currency(j, r), money)
				: export_value_text(f, v, pd->a, &n);
		if (s == money || s == label)
			n = strlen(s);
		/* only stored text can carry a formula; numbers are printed here */
		csvw_cell(j->out, k, s, n, v->kind == V_TEXT);
	}
	csvw_end_row(j->out);
	return ferror(j->out) ? finish(j, err) : RP_OK;
}

static enum rp_err csv_end(struct export_job *j, struct rp_error *err)
{
	fflush(j->out);
	return finish(j, err);
}

const struct export_writer export_csv_writer = {csv_begin, csv_row, csv_end, NULL};
