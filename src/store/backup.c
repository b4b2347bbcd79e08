/* backup.c — what a full backup (rapport export --all / import --all)
 * needs from the store: reading every row of an entity as stored (deleted
 * ones and write-only columns included), dumping and loading the system
 * tables a backup carries, deferring and then checking foreign keys so
 * rows load in any order, and emptying a freshly bootstrapped database.
 * Rows themselves are inserted with store_insert, which writes the id and
 * system fields when the record sets them. */
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonw.h"
#include "model/registry.h"

/* Load order: definitions first (they add columns), then what refers to
 * records (the log, the tokens, the two-factor secrets: a restore keeps
 * two-factor sign-in on for those who had it). */
static const char *const backup_tables[] = {"custom_fields", "audit_log", "api_tokens", "user_totp",
					    NULL};

const char *const *store_backup_tables(void)
{
	return backup_tables;
}

static bool is_backup_table(const char *t)
{
	for (int i = 0; backup_tables[i]; i++)
		if (!strcmp(t, backup_tables[i]))
			return true;
	return false;
}

enum rp_err store_scan(struct store_conn *c, const struct entity_def *e, int64_t after_id,
		       int limit, struct arena *a, struct record ***ret_rows, int *ret_n,
		       struct rp_error *err)
{
	struct sql q;
	int map[MODEL_MAX_FIELDS];
	int ncols = sql_select_all(&q, e, map);
	sql_fmt(&q, " WHERE \"id\">%i ORDER BY \"id\" LIMIT %i", after_id, (int64_t)limit);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	struct record **rows = arena_alloc(a, sizeof *rows * (size_t)(limit > 0 ? limit : 1));
	int n = 0, rc;
	while (n < limit && (rc = stmt_step(st)) == DB_ROW)
		rows[n++] = row_to_record(st, e, map, ncols, a);
	enum rp_err r = n < limit && rc == DB_ERROR ? stmt_fail(st, err) : RP_OK;
	stmt_done(st);
	if (r)
		return r;
	*ret_rows = rows;
	*ret_n = n;
	return RP_OK;
}

int64_t store_table_count(struct store_conn *c, const char *table)
{
	if (!is_backup_table(table) && !model_entity(table))
		return -1;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT count(*) FROM ");
	sql_ident(&q, table);
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	int64_t n = st && stmt_step(st) == DB_ROW ? stmt_int(st, 0) : -1;
	stmt_done(st);
	sql_release(&q);
	return n;
}

/* One result row as a JSON object keyed by column, from column `from`. */
static bool row_json(struct dbstmt *st, int from, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	for (int i = from; i < st->drv->ncols(st); i++) {
		jw_key(&w, st->drv->col_name(st, i));
		switch (st->drv->col_kind(st, i)) {
		case V_INT: jw_int(&w, stmt_int(st, i)); break;
		case V_REAL: jw_double(&w, stmt_double(st, i)); break;
		case V_TEXT: {
			size_t n = 0;
			const char *s = stmt_textn(st, i, &n);
			jw_strn(&w, s, n);
			break;
		}
		case V_NULL: jw_null(&w); break;
		default: return false;
		}
	}
	jw_obj_end(&w);
	buf_addc(out, '\n');
	return true;
}

enum rp_err store_table_dump(struct store_conn *c, const char *table, int64_t after, int limit,
			     struct buf *out, int64_t *ret_last, int *ret_n, struct rp_error *err)
{
	if (!is_backup_table(table))
		return rp_fail(err, RP_EINTERNAL, "internal_error", "%s is not a backup table",
			       table);
	struct sql q;
	sql_init(&q);
	/* every backup table's id is its rowid in SQLite */
	sql_add(&q, "SELECT id, * FROM ");
	sql_ident(&q, table);
	sql_fmt(&q, " WHERE id>%i ORDER BY id LIMIT %i", after, (int64_t)limit);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	int n = 0, rc;
	enum rp_err res = RP_OK;
	while ((rc = stmt_step(st)) == DB_ROW) {
		*ret_last = stmt_int(st, 0);
		n++;
		if (!row_json(st, 1, out)) {
			res = rp_fail(err, RP_EINTERNAL, "internal_error",
				      "%s holds a binary value", table);
			break;
		}
	}
	if (res == RP_OK && rc == DB_ERROR)
		res = stmt_fail(st, err);
	stmt_done(st);
	if (res == RP_OK)
		*ret_n = n;
	return res;
}

static bool json_to_value(json_t *j, struct value *v)
{
	switch (json_typeof(j)) {
	case JSON_NULL: *v = (struct value){.kind = V_NULL}; return true;
	case JSON_INTEGER:
		*v = (struct value){.kind = V_INT, .i = json_integer_value(j)};
		return true;
	case JSON_REAL: *v = (struct value){.kind = V_REAL, .d = json_real_value(j)}; return true;
	case JSON_TRUE:
	case JSON_FALSE: *v = (struct value){.kind = V_INT, .i = json_is_true(j)}; return true;
	case JSON_STRING:
		*v = (struct value){
			.kind = V_TEXT, .s = json_string_value(j), .len = json_string_length(j)};
		return true;
	default: return false;
	}
}

enum rp_err store_table_load(struct store_conn *c, const char *table, json_t *row,
			     struct rp_error *err)
{
	if (!is_backup_table(table) || !json_is_object(row) || json_object_size(row) == 0)
		return rp_fail(err, RP_EINVAL, "invalid_backup", "a %s row must be a JSON object",
			       table);
	struct sql q;
	sql_init(&q);
	sql_add(&q, "INSERT INTO ");
	sql_ident(&q, table);
	sql_add(&q, " (");
	const char *key;
	json_t *j;
	int k = 0;
	/* an unknown column fails the prepare: the names are quoted */
	json_object_foreach(row, key, j)
	{
		if (k++)
			sql_add(&q, ",");
		sql_ident(&q, key);
	}
	sql_add(&q, ") VALUES (");
	k = 0;
	enum rp_err rc = RP_OK;
	json_object_foreach(row, key, j)
	{
		struct value v;
		if (!json_to_value(j, &v)) {
			rc = rp_fail(err, RP_EINVAL, "invalid_backup",
				     "%s.%s must be a number, text or null", table, key);
			break;
		}
		if (k++)
			sql_add(&q, ",");
		sql_param(&q, &v);
	}
	sql_add(&q, ")");
	if (rc == RP_OK && (rc = stmt_exec(c, &q, err)) == RP_EINTERNAL) {
		/* the database's own words, without "database error N: " */
		const char *d = strncmp(err->detail, "database error", 14)
					? NULL
					: strstr(err->detail, ": ");
		char why[sizeof err->detail];
		snprintf(why, sizeof why, "%s", d ? d + 2 : err->detail);
		rc = rp_fail(err, RP_EINVAL, "invalid_backup",
			     "a %s row does not fit this database: %s", table, why);
	}
	sql_release(&q);
	if (rc == RP_OK && json_object_get(row, "id"))
		rc = ids_written(c, table, err);
	return rc;
}

static enum rp_err move_ids(struct store_conn *c, const char *table, struct rp_error *err)
{
	return conn_driver(c)->ids_written ? conn_driver(c)->ids_written(c, table, err) : RP_OK;
}

enum rp_err ids_written(struct store_conn *c, const char *table, struct rp_error *err)
{
	if (c->ids_later) {
		c->ids_pending = true;
		return RP_OK;
	}
	return move_ids(c, table, err);
}

void store_defer_ids(struct store_conn *c)
{
	c->ids_later = true;
	c->ids_pending = false;
}

enum rp_err store_ids_written(struct store_conn *c, const char *table, struct rp_error *err)
{
	if (!c->ids_pending)
		return RP_OK;
	c->ids_pending = false;
	return move_ids(c, table, err);
}

enum rp_err store_defer_foreign_keys(struct store_conn *c, struct rp_error *err)
{
	if (c->txdepth == 0)
		return rp_fail(err, RP_EINTERNAL, "internal_error",
			       "foreign keys are deferred inside a transaction only");
	return exec_text(c, conn_driver(c)->defer_foreign_keys, err);
}

enum rp_err store_dangling_fail(struct rp_error *err, struct store_dangling *ret, const char *table,
				int64_t id, const char *ref)
{
	if (ret) {
		snprintf(ret->table, sizeof ret->table, "%s", table);
		ret->id = id;
	}
	return rp_fail(err, RP_EINVAL, "invalid_reference",
		       "%s %lld refers to a record of %s that does not exist", table, (long long)id,
		       ref ? ref : "no entity");
}

enum rp_err store_no_dangling(struct store_conn *c, struct sql *q, const char *entity,
			      const char *ref, struct store_dangling *ret, struct rp_error *err)
{
	struct dbstmt *st = stmt_prepare(c, q, err);
	sql_release(q);
	if (!st)
		return err->err;
	enum rp_err rc = RP_OK;
	int step = stmt_step(st);
	if (step == DB_ROW)
		rc = store_dangling_fail(err, ret, entity, stmt_int(st, 0),
					 ref ? ref : stmt_text(st, 1));
	else if (step == DB_ERROR)
		rc = stmt_fail(st, err);
	stmt_done(st);
	return rc;
}

/* The first row of e (an activity) whose link, related_type/_id, leads
 * nowhere: half a link, a type e cannot link to, or a record not there.
 * No foreign key can say so, the link naming its table in a column. */
static enum rp_err check_links(struct store_conn *c, const struct entity_def *e,
			       struct store_dangling *ret, struct rp_error *err)
{
	const char *const *types = entity_field(e, "related_type")->enum_values;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT \"id\", \"related_type\" FROM ");
	sql_ident(&q, e->name);
	sql_add(&q, " a WHERE (\"related_type\" IS NULL) <> (\"related_id\" IS NULL)"
		    " OR \"related_type\" NOT IN (");
	for (int k = 0; types[k]; k++)
		sql_fmt(&q, k ? ", %t" : "%t", types[k]);
	sql_add(&q, ")");
	for (int k = 0; types[k]; k++) {
		sql_fmt(&q, " OR (\"related_type\"=%t AND NOT EXISTS (SELECT 1 FROM ", types[k]);
		sql_ident(&q, types[k]);
		sql_add(&q, " t WHERE t.\"id\"=a.\"related_id\"))");
	}
	sql_add(&q, " LIMIT 1");
	return store_no_dangling(c, &q, e->name, NULL, ret, err);
}

enum rp_err store_check_references(struct store_conn *c, struct store_dangling *ret,
				   struct rp_error *err)
{
	if (conn_driver(c)->check_references(c, ret, err))
		return err->err;
	for (int i = 0; i < model_entity_count(); i++)
		if ((model_entity_at(i)->flags & EF_ACTIVITY) &&
		    check_links(c, model_entity_at(i), ret, err))
			return err->err;
	return RP_OK;
}

enum rp_err store_erase_all(struct store_conn *c, struct rp_error *err)
{
	if (c->txdepth == 0)
		return rp_fail(err, RP_EINTERNAL, "internal_error",
			       "erasing needs a write transaction");
	if (search_tables_exec(c, "DELETE FROM %s", err) ||
	    exec_text(c,
		      "DELETE FROM sessions; DELETE FROM api_tokens;"
		      " DELETE FROM user_totp;"
		      " DELETE FROM idempotency_keys; DELETE FROM login_failures;"
		      " DELETE FROM search_backlog; DELETE FROM dedup_backlog;"
		      " DELETE FROM audit_log",
		      err))
		return err->err;
	for (int i = 0; i < model_entity_count(); i++) {
		struct sql q;
		sql_init(&q);
		sql_add(&q, "DELETE FROM ");
		sql_ident(&q, model_entity_at(i)->name);
		enum rp_err rc = stmt_exec(c, &q, err);
		sql_release(&q);
		if (rc)
			return rc;
	}
	return RP_OK;
}
