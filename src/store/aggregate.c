/* aggregate.c — counts and sums of the rows a list query selects, grouped
 * by up to a few fields: the board's column totals, and later reports. */
#include "store/internal.h"

#include "core/jsonw.h"
#include "model/registry.h"

enum rp_err store_aggregate(struct store_conn *c, const struct list_query *lq, const int *group,
			    int ngroup, int sum_field, struct buf *out, struct rp_error *err)
{
	const struct entity_def *e = lq->ent;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT count(*)");
	/* whole numbers (money is in minor units) summed exactly, as
	 * integers; a number field's fractions kept */
	bool real = sum_field >= 0 && e->fields[sum_field].type == FT_NUMBER;
	if (sum_field >= 0) {
		sql_add(&q, ", coalesce(");
		sql_add(&q, real ? conn_driver(c)->sum : "sum");
		sql_add(&q, "(t.");
		sql_ident(&q, field_column(&e->fields[sum_field]));
		sql_add(&q, "), 0)");
	}
	for (int g = 0; g < ngroup; g++) {
		sql_add(&q, ", t.");
		sql_ident(&q, field_column(&e->fields[group[g]]));
	}
	sql_list_from_where(c, &q, lq);
	for (int g = 0; g < ngroup; g++) {
		sql_add(&q, g ? ", t." : " GROUP BY t.");
		sql_ident(&q, field_column(&e->fields[group[g]]));
	}
	/* groups in their values' order, an empty one last, on both stores
	 * (PostgreSQL's hash aggregate gave them in any order) */
	for (int g = 0; g < ngroup; g++) {
		const char *col = field_column(&e->fields[group[g]]);
		sql_add(&q, g ? ", t." : " ORDER BY t.");
		sql_ident(&q, col);
		sql_add(&q, " IS NULL, t.");
		sql_ident(&q, col);
	}
	sql_add(&q, " LIMIT 1000");
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	int rc, first_group = sum_field >= 0 ? 2 : 1;
	struct arena *a = arena_new();
	while ((rc = stmt_step(st)) == DB_ROW) {
		jw_obj(&w);
		for (int g = 0; g < ngroup; g++) {
			struct value v;
			stmt_column_value(st, first_group + g, a, &v);
			model_write_key(&w, &e->fields[group[g]]);
			model_write_value(&w, &e->fields[group[g]], &v);
		}
		jw_kint(&w, "count", stmt_int(st, 0));
		if (sum_field >= 0 && real) {
			jw_key(&w, "sum");
			jw_double(&w, stmt_double(st, 1));
		} else if (sum_field >= 0) {
			jw_kint(&w, "sum", stmt_int(st, 1));
		}
		jw_obj_end(&w);
	}
	arena_free(a);
	enum rp_err r = rc == DB_ERROR ? stmt_fail(st, err) : RP_OK;
	stmt_done(st);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return r;
}
