/* records.c — generic record SQL compiled from descriptors: insert,
 * update, get, and the list query (filters, scope, full-text, keyset
 * cursor, multi-key sort). The search index's own SQL is search.c's. */
#include "store/internal.h"

#include <string.h>

#include "model/registry.h"

static bool sets_id(const struct record *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->set[i] && r->ent->fields[i].type == FT_ID)
			return true;
	return false;
}

/* INSERT INTO entity (the columns r sets) VALUES: the head of an insert. */
static void insert_head(struct sql *q, const struct record *r)
{
	const struct entity_def *e = r->ent;
	sql_add(q, "INSERT INTO ");
	sql_ident(q, e->name);
	sql_add(q, " (");
	int k = 0;
	for (int i = 0; i < r->n; i++) {
		if (!r->set[i])
			continue;
		if (k++)
			sql_add(q, ",");
		sql_ident(q, field_column(&e->fields[i]));
	}
	sql_add(q, ") VALUES ");
}

/* (the values r sets) */
static void insert_values(struct sql *q, const struct record *r)
{
	sql_add(q, "(");
	int k = 0;
	for (int i = 0; i < r->n; i++) {
		if (!r->set[i])
			continue;
		if (k++)
			sql_add(q, ",");
		sql_param(q, &r->v[i]);
	}
	sql_add(q, ")");
}

/* Runs an INSERT (id 0) or the UPDATE of row id in q; with ret, the row
 * as stored comes back into a (NULL if the statement wrote none). */
static enum rp_err exec_write(struct store_conn *c, struct sql *q, const struct entity_def *e,
			      int64_t id, struct arena *a, struct record **ret,
			      struct exec_result *res, struct rp_error *err)
{
	if (!ret)
		return stmt_exec_r(c, q, res, err);
	if (!conn_driver(c)->write_returning) { /* written, then read */
		enum rp_err rc = stmt_exec_r(c, q, res, err);
		if (rc == RP_OK && res->changes == 0)
			*ret = NULL;
		else if (rc == RP_OK)
			rc = store_get(c, e, id ? id : res->rowid, a, ret, err);
		return rc;
	}
	int map[MODEL_MAX_FIELDS];
	sql_add(q, " RETURNING ");
	int ncols = sql_select_columns(q, e, NULL, NULL, map);
	struct returning want = {.e = e, .map = map, .ncols = ncols, .a = a};
	enum rp_err rc = stmt_exec_returning(c, q, res, &want, err);
	if (rc == RP_OK) {
		*ret = want.row;
		res->rowid = want.row ? record_int(want.row, "id") : 0;
	}
	return rc;
}

static bool integer_column(const struct field_def *f)
{
	return f->type == FT_ID || f->type == FT_INT || f->type == FT_MONEY || f->type == FT_BOOL ||
	       f->type == FT_REF;
}

/* Whether f's column stores v as it is: SQLite converts what does not
 * match its type (an integer into a REAL column). */
static bool stored_as_given(const struct field_def *f, const struct value *v)
{
	switch (v->kind) {
	case V_NULL: return true;
	case V_INT: return integer_column(f);
	case V_REAL: return f->type == FT_NUMBER;
	case V_TEXT: return !integer_column(f) && f->type != FT_NUMBER;
	}
	return false;
}

/* The row an insert of r wrote as id, made from r: without RETURNING the
 * other way is reading it back, a statement a record (a tenth of an
 * import's statements). NULL when a value would not be stored as given,
 * and the row is read. The only default is version's. */
static struct record *inserted_row(const struct record *r, int64_t id, struct arena *a)
{
	const struct entity_def *e = r->ent;
	struct record *out = record_new(a, e);
	for (int i = 0; i < out->n; i++) {
		const struct field_def *f = &e->fields[i];
		out->set[i] = true;
		if (f->type == FT_ID)
			out->v[i] = (struct value){.kind = V_INT, .i = id};
		else if (i < r->n && r->set[i])
			out->v[i] = r->v[i];
		else if (!strcmp(f->name, "version"))
			out->v[i] = (struct value){.kind = V_INT, .i = 1};
		else
			out->v[i] = (struct value){.kind = V_NULL};
		if (!stored_as_given(f, &out->v[i]))
			return NULL;
	}
	return out;
}

static enum rp_err insert(struct store_conn *c, const struct record *r, int64_t *ret_id,
			  struct arena *a, struct record **ret, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	insert_head(&q, r);
	insert_values(&q, r);
	if (!ret)
		sql_add(&q, conn_driver(c)->returning_id);
	struct exec_result res;
	struct record **read = ret;
	if (ret && !conn_driver(c)->write_returning && !sets_id(r)) {
		read = NULL; /* made from r once the id is known */
		*ret = NULL;
	}
	enum rp_err rc = exec_write(c, &q, r->ent, 0, a, read, &res, err);
	if (rc == RP_OK && ret && !read && !(*ret = inserted_row(r, res.rowid, a)))
		rc = store_get(c, r->ent, res.rowid, a, ret, err);
	sql_release(&q);
	/* a row written with its id (a restore) leaves PostgreSQL's sequence
	 * behind */
	if (rc == RP_OK && sets_id(r))
		rc = ids_written(c, r->ent->name, err);
	if (rc == RP_OK && ret && !*ret)
		rc = rp_fail(err, RP_EINTERNAL, "internal_error", "the insert returned no row");
	if (rc == RP_OK && ret_id)
		*ret_id = res.rowid;
	return rc;
}

enum rp_err store_insert(struct store_conn *c, const struct record *r, int64_t *ret_id,
			 struct rp_error *err)
{
	return insert(c, r, ret_id, NULL, NULL, err);
}

enum rp_err store_insert_fresh(struct store_conn *c, const struct record *r, struct arena *a,
			       struct record **ret, struct rp_error *err)
{
	return insert(c, r, NULL, a, ret, err);
}

static bool same_columns(const struct record *a, const struct record *b)
{
	if (a->ent != b->ent || a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (a->set[i] != b->set[i])
			return false;
	return true;
}

static int set_count(const struct record *r)
{
	int k = 0;
	for (int i = 0; i < r->n; i++)
		k += r->set[i];
	return k;
}

enum rp_err store_insert_many(struct store_conn *c, struct record *const *r, int n,
			      int ret_failed[2], struct rp_error *err)
{
	bool together = conn_driver(c)->multi_row_writes;
	enum rp_err rc = RP_OK;
	for (int i = 0; rc == RP_OK && i < n;) {
		/* rows alike in their columns, as many as the parameters allow */
		int per = together ? SQL_MAX_PARAMS / (set_count(r[i]) ? set_count(r[i]) : 1) : 1;
		int first = i;
		struct sql q;
		sql_init(&q);
		insert_head(&q, r[i]);
		for (; i < n && i - first < per && same_columns(r[first], r[i]); i++) {
			if (i > first)
				sql_add(&q, ",");
			insert_values(&q, r[i]);
		}
		rc = stmt_exec(c, &q, err);
		sql_release(&q);
		if (rc == RP_OK && sets_id(r[first]))
			rc = ids_written(c, r[first]->ent->name, err);
		if (rc) {
			ret_failed[0] = first;
			ret_failed[1] = i - 1;
		}
	}
	return rc;
}

static enum rp_err update(struct store_conn *c, const struct record *r, int64_t id, struct arena *a,
			  struct record **ret, struct rp_error *err)
{
	const struct entity_def *e = r->ent;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "UPDATE ");
	sql_ident(&q, e->name);
	sql_add(&q, " SET ");
	int k = 0;
	for (int i = 0; i < r->n; i++) {
		if (!r->set[i] || e->fields[i].type == FT_ID)
			continue;
		if (k++)
			sql_add(&q, ",");
		sql_ident(&q, field_column(&e->fields[i]));
		sql_add(&q, "=");
		sql_param(&q, &r->v[i]);
	}
	enum rp_err rc = RP_OK;
	if (k) {
		sql_add(&q, " WHERE \"id\"=");
		sql_int(&q, id);
		struct exec_result res;
		rc = exec_write(c, &q, e, id, a, ret, &res, err);
		if (rc == RP_OK && res.changes == 0)
			rc = rp_fail(err, RP_ENOTFOUND, "not_found", "%s %lld does not exist",
				     e->singular, (long long)id);
	} else if (ret) {
		rc = store_get(c, e, id, a, ret, err);
	}
	sql_release(&q);
	return rc;
}

enum rp_err store_update(struct store_conn *c, const struct record *r, int64_t id,
			 struct rp_error *err)
{
	return update(c, r, id, NULL, NULL, err);
}

enum rp_err store_update_fresh(struct store_conn *c, const struct record *r, int64_t id,
			       struct arena *a, struct record **ret, struct rp_error *err)
{
	return update(c, r, id, a, ret, err);
}

/* Runs a SELECT whose columns were listed by sql_select_columns and
 * collects up to max rows; *ret_more tells if another row followed. */
enum rp_err fetch_rows(struct store_conn *c, struct sql *q, const struct entity_def *e,
		       const int *map, int ncols, int max, struct arena *a,
		       struct record ***ret_rows, int *ret_n, bool *ret_more, struct rp_error *err)
{
	struct dbstmt *st = stmt_prepare(c, q, err);
	if (!st)
		return err->err;
	struct record **rows = arena_alloc(a, sizeof *rows * (size_t)(max + 1));
	int n = 0, rc;
	bool more = false;
	while ((rc = stmt_step(st)) == DB_ROW) {
		if (n == max) {
			more = true;
			break;
		}
		rows[n++] = row_to_record(st, e, map, ncols, a);
	}
	enum rp_err r = rc == DB_ERROR ? stmt_fail(st, err) : RP_OK;
	stmt_done(st);
	if (r)
		return r;
	*ret_rows = rows;
	*ret_n = n;
	if (ret_more)
		*ret_more = more;
	return RP_OK;
}

enum rp_err store_get(struct store_conn *c, const struct entity_def *e, int64_t id, struct arena *a,
		      struct record **ret, struct rp_error *err)
{
	struct sql q;
	int map[MODEL_MAX_FIELDS];
	int ncols = sql_select_all(&q, e, map);
	sql_add(&q, " WHERE \"id\"=");
	sql_int(&q, id);
	if (c->writing)
		sql_add(&q, conn_driver(c)->lock_read);
	struct record **rows = NULL;
	int n = 0;
	enum rp_err rc = fetch_rows(c, &q, e, map, ncols, 1, a, &rows, &n, NULL, err);
	sql_release(&q);
	if (rc)
		return rc;
	if (n == 0)
		return rp_fail(err, RP_ENOTFOUND, "not_found", "%s %lld does not exist",
			       e->singular, (long long)id);
	*ret = rows[0];
	return RP_OK;
}

enum rp_err store_get_with_ref(struct store_conn *c, const struct entity_def *e, int64_t id,
			       const char *field, struct arena *a, struct record **ret,
			       struct record **ret_ref, struct rp_error *err)
{
	const struct field_def *f = entity_field(e, field);
	const struct entity_def *re = f && f->ref ? model_entity(f->ref) : NULL;
	if (!re)
		return rp_fail(err, RP_EINTERNAL, "internal_error", "%s.%s refers to nothing",
			       e->name, field);
	struct sql q;
	sql_init(&q);
	int map[MODEL_MAX_FIELDS], rmap[MODEL_MAX_FIELDS];
	sql_add(&q, "SELECT ");
	int ncols = sql_select_columns(&q, e, NULL, "t", map);
	sql_add(&q, ",");
	int rcols = sql_select_columns(&q, re, NULL, "r", rmap);
	sql_add(&q, " FROM ");
	sql_ident(&q, e->name);
	sql_add(&q, " AS t LEFT JOIN ");
	sql_ident(&q, re->name);
	sql_add(&q, " AS r ON r.\"id\"=t.");
	sql_ident(&q, field_column(f));
	sql_add(&q, " WHERE t.\"id\"=");
	sql_int(&q, id);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	int rc = stmt_step(st);
	if (rc == DB_ROW) {
		*ret = row_to_record_at(st, 0, e, map, ncols, a);
		struct record *ref = row_to_record_at(st, ncols, re, rmap, rcols, a);
		*ret_ref = record_get(ref, "id")->kind == V_NULL ? NULL : ref;
	}
	enum rp_err r = rc == DB_ERROR ? stmt_fail(st, err)
			: rc == DB_ROW
				? RP_OK
				: rp_fail(err, RP_ENOTFOUND, "not_found", "%s %lld does not exist",
					  e->singular, (long long)id);
	stmt_done(st);
	return r;
}

static void col_ref(struct sql *q, const struct field_def *f)
{
	sql_add(q, "t.");
	sql_ident(q, field_column(f));
}

static void compile_tags(struct store_conn *c, struct sql *q, const struct filter *flt,
			 const struct field_def *f)
{
	if (flt->op == OP_NULL) {
		sql_add(q, flt->vals[0].i ? "(" : "NOT (");
		col_ref(q, f);
		sql_add(q, " IS NULL OR ");
		col_ref(q, f);
		sql_add(q, "='[]')");
		return;
	}
	sql_add(q, flt->op == OP_NE ? "NOT EXISTS" : "EXISTS");
	sql_add(q, conn_driver(c)->tags_open);
	col_ref(q, f);
	sql_add(q, conn_driver(c)->tags_close);
	for (int i = 0; i < flt->nvals; i++) {
		if (i)
			sql_add(q, ",");
		sql_param(q, &flt->vals[i]);
	}
	sql_add(q, "))");
}

static void compile_filter(struct store_conn *c, struct sql *q, const struct entity_def *e,
			   const struct filter *flt)
{
	static const char *const cmp[] = {
		[OP_EQ] = "=", [OP_NE] = " IS DISTINCT FROM ",
		[OP_LT] = "<", [OP_LTE] = "<=",
		[OP_GT] = ">", [OP_GTE] = ">=",
	};
	const struct field_def *f = &e->fields[flt->field];
	sql_add(q, " AND ");
	if (f->type == FT_TAGS) {
		compile_tags(c, q, flt, f);
		return;
	}
	switch (flt->op) {
	case OP_IN:
		col_ref(q, f);
		sql_add(q, " IN (");
		for (int i = 0; i < flt->nvals; i++) {
			if (i)
				sql_add(q, ",");
			sql_param(q, &flt->vals[i]);
		}
		sql_add(q, ")");
		return;
	case OP_NULL:
		col_ref(q, f);
		sql_add(q, flt->vals[0].i ? " IS NULL" : " IS NOT NULL");
		return;
	case OP_CONTAINS:
	case OP_PREFIX:
		conn_driver(c)->sql_contains(q, field_column(f), &flt->vals[0],
					     flt->op == OP_PREFIX);
		return;
	default:
		col_ref(q, f);
		sql_add(q, cmp[flt->op]);
		sql_param(q, &flt->vals[0]);
		return;
	}
}

/* Fields no row leaves NULL: the id, required ones and the stamps every
 * write sets. */
static bool never_null(const struct field_def *f)
{
	return f->type == FT_ID || (f->flags & (FF_REQUIRED | FF_NOTNULL));
}

/* Rows after the cursor's value of sort key k, on that key alone, with
 * NULLs first in ascending and last in descending order (SQLite's own
 * placement, spelled out so the PostgreSQL dialect can match it). A field
 * that is never NULL gets no "OR IS NULL": that would make the condition
 * no index range, and a deep page would walk the index from its start. */
static void compile_after_key(struct sql *q, const struct list_query *lq, int k)
{
	const struct field_def *f = &lq->ent->fields[lq->sort[k].field];
	const struct value *v = &lq->after[k];
	bool desc = lq->sort[k].desc;
	sql_add(q, " AND (");
	if (v->kind == V_NULL) {
		if (desc) {
			sql_add(q, "1=0");
		} else {
			col_ref(q, f);
			sql_add(q, " IS NOT NULL");
		}
	} else {
		col_ref(q, f);
		sql_add(q, desc ? "<" : ">");
		sql_param(q, v);
		if (desc && !never_null(f)) {
			sql_add(q, " OR ");
			col_ref(q, f);
			sql_add(q, " IS NULL");
		}
	}
	sql_add(q, ")");
}

/* Branch k of the keyset: rows equal to the cursor on sort keys 0..k-1
 * and after it on key k. The rows after the cursor are branch nsort-1's,
 * then nsort-2's, ... then 0's, each in sort order. Each branch is an
 * index range (equalities, then one inequality); the single condition
 * "k0 < v0 OR (k0 = v0 AND k1 > v1)" is not, and a page deep in a second
 * that an import filled stepped over every row of that second first. */
static void compile_keyset_branch(struct sql *q, const struct list_query *lq, int k)
{
	for (int i = 0; i < k; i++) {
		sql_add(q, " AND ");
		col_ref(q, &lq->ent->fields[lq->sort[i].field]);
		if (lq->after[i].kind == V_NULL) {
			sql_add(q, " IS NULL");
		} else {
			sql_add(q, "=");
			sql_param(q, &lq->after[i]);
		}
	}
	compile_after_key(q, lq, k);
}

static void compile_match(struct store_conn *c, struct sql *q, const struct entity_def *e,
			  const char *match)
{
	const struct db_driver *drv = conn_driver(c);
	sql_add(q, " AND t.\"id\" IN (SELECT ");
	sql_search_id(drv, q, e, "s");
	sql_add(q, " FROM ");
	sql_search_source(drv, q, e, "s");
	sql_add(q, " WHERE ");
	sql_search_match(drv, q, e, "s", match);
	sql_add(q, ")");
}

void sql_list_from_where(struct store_conn *c, struct sql *q, const struct list_query *lq)
{
	const struct entity_def *e = lq->ent;
	sql_add(q, " FROM ");
	sql_ident(q, e->name);
	sql_add(q, " AS t WHERE t.\"deleted_at\" IS ");
	sql_add(q, lq->deleted ? "NOT NULL" : "NULL");
	sql_scope(q, "t", &lq->scope);
	for (int i = 0; i < lq->nfilters; i++)
		compile_filter(c, q, e, &lq->filters[i]);
	if (lq->match)
		compile_match(c, q, e, lq->match);
}

/* The page's rows (branch -1: from the start; k: keyset branch k), at
 * most max, and whether there are more. */
static enum rp_err list_part(struct store_conn *c, const struct list_query *lq, const bool *want,
			     int branch, int max, struct arena *a, struct record ***ret_rows,
			     int *ret_n, bool *ret_more, struct rp_error *err)
{
	const struct entity_def *e = lq->ent;
	struct sql q;
	sql_init(&q);
	int map[MODEL_MAX_FIELDS];
	sql_add(&q, "SELECT ");
	int ncols = sql_select_columns(&q, e, want, "t", map);
	sql_list_from_where(c, &q, lq);
	if (branch >= 0)
		compile_keyset_branch(&q, lq, branch);
	sql_add(&q, " ORDER BY ");
	if (lq->nsort == 0) /* no order asked for: the ids' (an empty ORDER BY is no SQL) */
		col_ref(&q, &e->fields[0]);
	for (int k = 0; k < lq->nsort; k++) {
		if (k)
			sql_add(&q, ",");
		col_ref(&q, &e->fields[lq->sort[k].field]);
		/* NULLs first ascending, last descending, in both dialects */
		sql_add(&q, lq->sort[k].desc ? conn_driver(c)->desc : conn_driver(c)->asc);
	}
	sql_add(&q, " LIMIT ");
	sql_int(&q, max + 1);
	enum rp_err rc = fetch_rows(c, &q, e, map, ncols, max, a, ret_rows, ret_n, ret_more, err);
	sql_release(&q);
	return rc;
}

enum rp_err store_list(struct store_conn *c, const struct list_query *lq, struct arena *a,
		       struct record ***ret_rows, int *ret_n, bool *ret_more, struct rp_error *err)
{
	const struct entity_def *e = lq->ent;
	bool *want = NULL;
	if (lq->want) {
		/* sort keys are needed for the cursor even if not asked for */
		int n = entity_nfields(e);
		want = arena_alloc(a, sizeof *want * (size_t)n);
		/* a custom field added since parsing is simply not wanted */
		memcpy(want, lq->want, sizeof *want * (size_t)(lq->nwant < n ? lq->nwant : n));
		for (int k = 0; k < lq->nsort; k++)
			want[lq->sort[k].field] = true;
		for (int k = 0; k < lq->ninclude; k++)
			want[lq->include_field[k]] = true;
	}
	if (!lq->after)
		return list_part(c, lq, want, -1, lq->limit, a, ret_rows, ret_n, ret_more, err);
	/* the branches in order, until the page is full and one more row is
	 * known to follow, or none is left */
	struct record **page = arena_alloc(a, sizeof *page * (size_t)(lq->limit + 1));
	int n = 0;
	bool more = false;
	for (int k = lq->nsort - 1; k >= 0 && !more; k--) {
		struct record **rows;
		int got;
		if (list_part(c, lq, want, k, lq->limit - n, a, &rows, &got, &more, err))
			return err->err;
		memcpy(page + n, rows, sizeof *rows * (size_t)got);
		n += got;
	}
	*ret_rows = page;
	*ret_n = n;
	if (ret_more)
		*ret_more = more;
	return RP_OK;
}

int64_t store_first_id(struct store_conn *c, const struct list_query *q, struct arena *a)
{
	struct list_query one = *q;
	one.limit = 1;
	struct record **rows;
	int n = 0;
	bool more;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_list(c, &one, a, &rows, &n, &more, &ignore) || n == 0)
		return 0;
	return record_int(rows[0], "id");
}

bool store_exists(struct store_conn *c, const struct entity_def *e, int64_t id)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT 1 FROM ");
	sql_ident(&q, e->name);
	sql_add(&q, " WHERE \"id\"=");
	sql_int(&q, id);
	sql_add(&q, " AND \"deleted_at\" IS NULL");
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	bool found = st && stmt_step(st) == DB_ROW;
	stmt_done(st);
	sql_release(&q);
	return found;
}

bool store_value_taken(struct store_conn *c, const struct entity_def *e, const struct field_def *f,
		       const struct value *v, int64_t except_id)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT 1 FROM ");
	sql_ident(&q, e->name);
	sql_add(&q, " WHERE ");
	sql_ident(&q, field_column(f));
	sql_add(&q, "=");
	sql_param(&q, v);
	sql_add(&q, " AND \"deleted_at\" IS NULL AND \"id\"<>");
	sql_int(&q, except_id);
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	bool found = st && stmt_step(st) == DB_ROW;
	stmt_done(st);
	sql_release(&q);
	return found;
}

int64_t store_count(struct store_conn *c, const struct entity_def *e)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT count(*) FROM ");
	sql_ident(&q, e->name);
	sql_add(&q, " WHERE \"deleted_at\" IS NULL");
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	int64_t n = st && stmt_step(st) == DB_ROW ? stmt_int(st, 0) : -1;
	stmt_done(st);
	sql_release(&q);
	return n;
}
