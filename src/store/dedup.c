/* dedup.c — the normalised keys that find duplicate records (e-mail,
 * phone, name; computed by the domain), and lookups of one live record by
 * a field's value (external ids, names) for the importer. */
#include "store/internal.h"

#include <string.h>

#include "model/registry.h"

#define DEDUP_ADD_MAX 64

enum rp_err store_dedup_replace(struct store_conn *c, const struct entity_def *e, int64_t id,
				const struct dedup_key *keys, int n, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "DELETE FROM dedup_keys WHERE entity=%i AND record_id=%i", (int64_t)e->code,
		id);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc ? rc : store_dedup_add(c, e, id, keys, n, err);
}

enum rp_err store_dedup_add(struct store_conn *c, const struct entity_def *e, int64_t id,
			    const struct dedup_key *keys, int n, struct rp_error *err)
{
	enum rp_err rc = RP_OK;
	for (int i = 0; i < n && rc == RP_OK; i += DEDUP_ADD_MAX) {
		int64_t ids[DEDUP_ADD_MAX];
		int part = n - i < DEDUP_ADD_MAX ? n - i : DEDUP_ADD_MAX;
		for (int k = 0; k < part; k++)
			ids[k] = id;
		rc = store_dedup_add_many(c, e, ids, keys + i, part, err);
	}
	return rc;
}

enum rp_err store_dedup_add_many(struct store_conn *c, const struct entity_def *e,
				 const int64_t *ids, const struct dedup_key *keys, int n,
				 struct rp_error *err)
{
	/* One row per statement on SQLite: a statement of several rows that
	 * may fail halfway gets a statement journal, and ending one costs in
	 * proportion to what the open transaction wrote (a fifth of an
	 * import's CPU in bulk batches of thousands of rows). On PostgreSQL
	 * the keys go in together: a round trip each costs more. */
	bool together = conn_driver(c)->multi_row_writes;
	enum rp_err rc = RP_OK;
	for (int i = 0; i < n && rc == RP_OK;) {
		struct sql q;
		sql_init(&q);
		sql_add(&q, "INSERT INTO dedup_keys (entity, kind, key, record_id) VALUES ");
		int k = 0;
		do {
			sql_add(&q, k++ ? "," : "");
			sql_fmt(&q, "(%i,%t,%t,%i)", (int64_t)e->code, keys[i].kind, keys[i].key,
				ids[i]);
		} while (++i < n && together && k < SQL_MAX_PARAMS / 4);
		rc = stmt_exec(c, &q, err);
		sql_release(&q);
	}
	return rc;
}

int store_dedup_find(struct store_conn *c, const struct entity_def *e, const char *kind,
		     const char *key, int64_t except_id, int64_t *ret_ids, int max)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT DISTINCT k.record_id FROM dedup_keys k JOIN ");
	sql_ident(&q, e->name);
	sql_fmt(&q,
		" t ON t.id=k.record_id AND t.deleted_at IS NULL WHERE k.entity=%i AND k.kind=%t"
		" AND k.key=%t AND k.record_id<>%i ORDER BY k.record_id LIMIT %i",
		(int64_t)e->code, kind, key, except_id, (int64_t)max);
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	sql_release(&q);
	int n = 0;
	while (st && n < max && stmt_step(st) == DB_ROW)
		ret_ids[n++] = stmt_int(st, 0);
	stmt_done(st);
	return n;
}

int store_dedup_find_each(struct store_conn *c, const struct entity_def *e,
			  const struct dedup_key *keys, int n, int64_t *ret_ids)
{
	for (int i = 0; i < n; i++)
		ret_ids[i] = 0;
	if (n <= 0)
		return 0;
	/* a column per key, each its own lookup: one statement of OR-ed keys
	 * took PostgreSQL's planner 2-4 ms every time */
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT ");
	for (int i = 0; i < n; i++) {
		sql_add(&q, i ? ",(SELECT min(k.record_id) FROM dedup_keys k JOIN "
			      : "(SELECT min(k.record_id) FROM dedup_keys k JOIN ");
		sql_ident(&q, e->name);
		sql_fmt(&q,
			" t ON t.id=k.record_id AND t.deleted_at IS NULL WHERE k.entity=%i"
			" AND k.kind=%t AND k.key=%t)",
			(int64_t)e->code, keys[i].kind, keys[i].key);
	}
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	sql_release(&q);
	int found = 0;
	if (st && stmt_step(st) == DB_ROW)
		for (int i = 0; i < n; i++)
			found += (ret_ids[i] = stmt_int(st, i)) != 0;
	stmt_done(st);
	return found;
}

int store_dedup_keys_of(struct store_conn *c, const struct entity_def *e, const int64_t *ids, int n,
			const char *const *kinds, struct arena *a, struct dedup_key **ret_keys,
			int64_t **ret_ids)
{
	*ret_keys = NULL;
	*ret_ids = NULL;
	if (n <= 0 || !*kinds)
		return 0;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT record_id, kind, key FROM ");
	sql_add(&q, conn_driver(c)->dedup_keys_by_record);
	sql_fmt(&q, " WHERE entity=%i AND record_id IN (", (int64_t)e->code);
	for (int i = 0; i < n; i++)
		sql_fmt(&q, i ? ",%i" : "%i", ids[i]);
	sql_add(&q, ") AND kind IN (");
	for (const char *const *k = kinds; *k; k++)
		sql_fmt(&q, k == kinds ? "%t" : ",%t", *k);
	sql_add(&q, ")");
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	sql_release(&q);
	int got = 0, cap = 0;
	while (st && stmt_step(st) == DB_ROW) {
		if (got == cap) {
			cap = cap ? cap * 2 : 16;
			struct dedup_key *k = arena_alloc(a, sizeof *k * (size_t)cap);
			int64_t *id = arena_alloc(a, sizeof *id * (size_t)cap);
			if (got) {
				memcpy(k, *ret_keys, sizeof *k * (size_t)got);
				memcpy(id, *ret_ids, sizeof *id * (size_t)got);
			}
			*ret_keys = k;
			*ret_ids = id;
		}
		const char *kind = stmt_text(st, 1);
		for (const char *const *k = kinds; *k; k++)
			if (!strcmp(*k, kind))
				kind = *k; /* the caller's string, which outlives the row */
		(*ret_keys)[got] = (struct dedup_key){kind, arena_strdup(a, stmt_text(st, 2))};
		(*ret_ids)[got++] = stmt_int(st, 0);
	}
	stmt_done(st);
	return got;
}

int64_t store_find_by(struct store_conn *c, const struct entity_def *e, const char *field,
		      const char *value)
{
	const struct field_def *f = entity_field(e, field);
	if (!f || !value || !*value)
		return 0;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT id FROM ");
	sql_ident(&q, e->name);
	sql_add(&q, " WHERE ");
	sql_ident(&q, field_column(f));
	sql_fmt(&q, "=%t AND deleted_at IS NULL ORDER BY id LIMIT 1", value);
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	sql_release(&q);
	int64_t id = st && stmt_step(st) == DB_ROW ? stmt_int(st, 0) : 0;
	stmt_done(st);
	return id;
}

/* Keys two or more records of e share, in (kind, key) order after the
 * cursor: one pass over the key index, so a page costs the same at any
 * size. Deleted records are among the ids, and a record holding the key
 * in two fields is there twice; the caller filters. */
int store_dedup_groups(struct store_conn *c, const struct entity_def *e, const char *after_kind,
		       const char *after_key, int limit, struct arena *a, struct dedup_group *ret,
		       struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT kind, key, ");
	sql_add(&q, conn_driver(c)->ids_concat);
	sql_fmt(&q, " FROM dedup_keys WHERE entity=%i", (int64_t)e->code);
	if (after_kind)
		sql_fmt(&q, " AND (kind, key) > (%t, %t)", after_kind, after_key);
	sql_fmt(&q,
		" GROUP BY kind, key HAVING count(DISTINCT record_id) > 1"
		" ORDER BY kind, key LIMIT %i",
		(int64_t)limit);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return -1;
	int n = 0;
	while (n < limit && stmt_step(st) == DB_ROW) {
		struct dedup_group *g = &ret[n++];
		g->kind = arena_strdup(a, stmt_text(st, 0));
		g->key = arena_strdup(a, stmt_text(st, 1));
		const char *p = stmt_text(st, 2);
		g->n = 0;
		while (p && *p && g->n < DEDUP_GROUP_MAX) {
			char *end;
			g->ids[g->n++] = strtoll(p, &end, 10);
			p = *end == ',' ? end + 1 : end;
		}
	}
	stmt_done(st);
	return n;
}

enum rp_err store_dedup_move_prefix(struct store_conn *c, const struct entity_def *e,
				    const char *kind, const char *from, const char *to,
				    struct rp_error *err)
{
	/* [from, from + U+10FFFF): one range of the key index, as in
	 * store_dedup_near; the cut is the length of the bound text, so no
	 * integer parameter meets substr (PostgreSQL has no substr(text,
	 * bigint)) */
	struct buf upper;
	buf_init(&upper, 0);
	buf_adds(&upper, from);
	buf_adds(&upper, "\xf4\x8f\xbf\xbf");
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"UPDATE dedup_keys SET key=%t || substr(key, length(%t) + 1) WHERE entity=%i"
		" AND kind=%t AND key>=%t AND key<%t",
		to, from, (int64_t)e->code, kind, from, buf_str(&upper));
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	buf_release(&upper);
	return rc;
}

/* Every reference to record from_id of e now points at to_id: FT_REF
 * fields of every entity, and activities linked by related_type/_id.
 * Each moved row's version goes up so a stale edit of it gets 412. */
/* The WHERE of the rows of x whose field f points at record from_id of e. */
static void sql_pointing(struct sql *q, const struct entity_def *e, const struct field_def *f,
			 int64_t from_id, bool related)
{
	sql_add(q, " WHERE ");
	sql_ident(q, field_column(f));
	sql_fmt(q, "=%i", from_id);
	if (related)
		sql_fmt(q, " AND related_type=%t", e->name);
}

/* An entry in each pointing row's own history: its link changed with a
 * merge, from the record binned to the one kept. */
static enum rp_err audit_repoint(struct store_conn *c, const struct entity_def *e,
				 const struct entity_def *x, const struct field_def *f,
				 int64_t from_id, int64_t to_id, int64_t user_id, const char *now,
				 bool related, struct rp_error *err)
{
	char changes[160];
	snprintf(changes, sizeof changes, "[{\"field\":\"%s\",\"old\":%lld,\"new\":%lld}]", f->name,
		 (long long)from_id, (long long)to_id);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"INSERT INTO audit_log (entity, record_id, user_id, action, changes, at)"
		" SELECT %t, id, %i, 'merge', %t, %t FROM ",
		x->name, user_id, changes, now);
	sql_ident(&q, x->name);
	sql_pointing(&q, e, f, from_id, related);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}

enum rp_err store_repoint(struct store_conn *c, const struct entity_def *e, int64_t from_id,
			  int64_t to_id, int64_t user_id, const char *now, struct rp_error *err)
{
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *x = model_entity_at(i);
		for (int k = 0; k < x->nfields; k++) {
			const struct field_def *f = &x->fields[k];
			bool ref = f->type == FT_REF && f->ref && !strcmp(f->ref, e->name) &&
				   !(f->flags & FF_SYSTEM);
			bool related = field_is_related_link(x, f);
			if (!ref && !related)
				continue;
			if (audit_repoint(c, e, x, f, from_id, to_id, user_id, now, related, err))
				return err->err;
			struct sql q;
			sql_init(&q);
			sql_add(&q, "UPDATE ");
			sql_ident(&q, x->name);
			sql_add(&q, " SET ");
			sql_ident(&q, field_column(f));
			sql_fmt(&q, "=%i, version=version+1, updated_at=%t", to_id, now);
			sql_pointing(&q, e, f, from_id, related);
			enum rp_err rc = stmt_exec(c, &q, err);
			sql_release(&q);
			if (rc)
				return rc;
		}
	}
	return RP_OK;
}

/* Runs q (key, record_id rows; released here) into up to max keys of kind. */
static int read_keys(struct store_conn *c, struct sql *q, const char *kind, int max,
		     struct arena *a, struct dedup_key *ret_keys, int64_t *ret_ids)
{
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, q, &err);
	sql_release(q);
	int n = 0;
	while (st && n < max && stmt_step(st) == DB_ROW) {
		ret_keys[n] = (struct dedup_key){kind, arena_strdup(a, stmt_text(st, 0))};
		ret_ids[n++] = stmt_int(st, 1);
	}
	stmt_done(st);
	return n;
}

int store_dedup_run(struct store_conn *c, const struct entity_def *e, const char *kind,
		    const char *from, bool before, int max, struct arena *a,
		    struct dedup_key *ret_keys, int64_t *ret_ids)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "SELECT key, record_id FROM dedup_keys WHERE entity=%i AND kind=%t",
		(int64_t)e->code, kind);
	if (from)
		sql_fmt(&q, before ? " AND key<=%t" : " AND key>%t", from);
	sql_fmt(&q,
		before ? " ORDER BY key DESC, record_id DESC LIMIT %i"
		       : " ORDER BY key, record_id LIMIT %i",
		(int64_t)max);
	return read_keys(c, &q, kind, max, a, ret_keys, ret_ids);
}

int store_dedup_near(struct store_conn *c, const struct entity_def *e, const char *kind,
		     const char *prefix, const char *key, int max, struct arena *a,
		     struct dedup_key *ret_keys, int64_t *ret_ids)
{
	/* [prefix, prefix + U+10FFFF): every key that starts with prefix, in
	 * order (the bound stays valid UTF-8, which PostgreSQL requires) */
	char *upper = arena_printf(a, "%s\xf4\x8f\xbf\xbf", prefix);
	int64_t half = max / 2;
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"SELECT key, record_id FROM (SELECT key, record_id FROM dedup_keys WHERE entity=%i"
		" AND kind=%t AND key>=%t AND key<%t ORDER BY key LIMIT %i) AS after_it"
		" UNION ALL SELECT key, record_id FROM (SELECT key, record_id FROM dedup_keys"
		" WHERE entity=%i AND kind=%t AND key>=%t AND key<%t ORDER BY key DESC LIMIT %i)"
		" AS before_it",
		(int64_t)e->code, kind, key, upper, (int64_t)max - half, (int64_t)e->code, kind,
		prefix, key, half);
	return read_keys(c, &q, kind, max, a, ret_keys, ret_ids);
}
