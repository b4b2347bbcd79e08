/* backlog.c — what is derived from records (search texts, duplicate keys)
 * written after them, from a table of the records' keys (an entity's code
 * << 40 | the record's id, as search keys are).
 *
 * Search texts (search_backlog). Written with each new record, an import's
 * texts took more than a quarter of a million-row import (FTS5 segments
 * written and merged at every batch's commit, amid the other indexes'
 * pages); written alone, thousands to a transaction, a third of that. A
 * connection that defers its texts (store_search_defer) writes only the
 * new records' keys, to search_backlog, at its commit; the domain writes
 * their texts later (domain_catch_up). The backlog is a table, not
 * memory, so a crash leaves nothing unsearchable for good: whoever catches
 * up next (the import resumed, the idle job worker) writes them.
 *
 * Duplicate keys (dedup_backlog): records whose keys a new version makes
 * otherwise (a migration lists them) have them made again by the idle
 * job worker. */
#include "store/internal.h"

#include <stdio.h>

#include "model/registry.h"

void store_search_defer(struct store_conn *c, bool on)
{
	c->search_later = on;
}

bool store_search_deferred(const struct store_conn *c)
{
	return c->search_later && c->txdepth > 0 && c->writing;
}

enum rp_err store_search_later(struct store_conn *c, const struct entity_def *e, int64_t id,
			       struct rp_error *err)
{
	struct value key = {.kind = V_INT, .i = search_base(e) + id};
	return later_insert(c, "search_backlog", &key, 1, err);
}

static const char *const tables[] = {
	[BACKLOG_SEARCH] = "search_backlog", [BACKLOG_DEDUP] = "dedup_backlog"};

/* The greatest of the first max keys of the backlog; 0 when it is empty. */
static int64_t last_of_first(struct store_conn *c, const char *table, int max, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT max(key) FROM (SELECT key FROM ");
	sql_add(&q, table);
	sql_fmt(&q, " ORDER BY key LIMIT %i) b", (int64_t)max);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return -1;
	int64_t last = stmt_step(st) == DB_ROW ? stmt_int(st, 0) : 0;
	stmt_done(st);
	return last;
}

/* The records of e whose keys wait in the backlog up to last, deleted ones
 * too (as when they are written), in one statement. */
static enum rp_err waiting_records(struct store_conn *c, const char *table,
				   const struct entity_def *e, int64_t last, int max,
				   struct arena *a, struct record ***ret_rows, int *ret_n,
				   struct rp_error *err)
{
	int64_t base = search_base(e);
	struct sql q;
	int map[MODEL_MAX_FIELDS];
	int ncols = sql_select_all(&q, e, map);
	sql_fmt(&q, " WHERE \"id\" IN (SELECT key-%i FROM ", base);
	sql_add(&q, table);
	sql_fmt(&q, " WHERE key BETWEEN %i AND %i) ORDER BY \"id\"", base, last);
	enum rp_err rc = fetch_rows(c, &q, e, map, ncols, max, a, ret_rows, ret_n, NULL, err);
	sql_release(&q);
	return rc;
}

static enum rp_err forget_up_to(struct store_conn *c, const char *table, int64_t last,
				struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "DELETE FROM ");
	sql_add(&q, table);
	sql_fmt(&q, " WHERE key<=%i", last);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}

int store_backlog_take(struct store_conn *c, enum store_backlog which, int max, backlog_fn fn,
		       void *ctx, struct rp_error *err)
{
	const char *table = tables[which];
	if (later_flush(c, err))
		return -1;
	int64_t last = last_of_first(c, table, max, err);
	if (last <= 0)
		return (int)last;
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		if ((which == BACKLOG_SEARCH && !(e->flags & EF_SEARCH)) || search_base(e) > last)
			continue;
		struct arena *a = arena_new();
		struct record **rows = NULL;
		int n = 0;
		enum rp_err rc = waiting_records(c, table, e, last, max, a, &rows, &n, err);
		if (rc == RP_OK && n > 0)
			rc = fn(ctx, e, rows, n, err);
		arena_free(a);
		if (rc)
			return -1;
	}
	int64_t before = c->rows_changed;
	if (forget_up_to(c, table, last, err))
		return -1;
	return (int)(c->rows_changed - before);
}

bool store_backlog_waiting(struct store_conn *c, enum store_backlog which)
{
	struct rp_error err;
	rp_error_init(&err);
	char sql[64];
	/* one row read, not a count: an interrupted import can leave a million */
	snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", tables[which]);
	struct dbstmt *st = stmt_prepare_text(c, sql, &err);
	bool any = st && stmt_step(st) == DB_ROW;
	stmt_done(st);
	return any;
}
