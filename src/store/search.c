/* search.c — the store's side of full-text search: writing records'
 * search texts (queued in a write transaction, textq.c), global search
 * over one entity, and keeping the index merged (store_search_optimize
 * after bulk loads, store_search_tidy while idle). A search text is keyed
 * by the entity's code << SEARCH_SHIFT | the record's id; SQLite keeps an
 * index per entity, keyed by the id alone (search_per_entity). */
#include "store/internal.h"

#include <malloc.h>
#include <stdio.h>

#include "core/log.h"
#include "model/registry.h"

#define SEARCH_SHIFT 40

int64_t search_base(const struct entity_def *e)
{
	return (int64_t)e->code << SEARCH_SHIFT;
}

void sql_search_range(struct sql *q, const char *column, const struct entity_def *e)
{
	int64_t base = search_base(e);
	sql_add(q, " AND ");
	sql_add(q, column);
	sql_add(q, " BETWEEN ");
	sql_int(q, base);
	sql_add(q, " AND ");
	sql_int(q, base + ((int64_t)1 << SEARCH_SHIFT) - 1);
}

bool search_key_of(const struct entity_def *e, int64_t key, int64_t *ret_id)
{
	int64_t id = key - search_base(e);
	*ret_id = id;
	return id >= 0 && id < ((int64_t)1 << SEARCH_SHIFT);
}

const char *search_table(const struct db_driver *drv, const struct entity_def *e,
			 char buf[SEARCH_TABLE_LEN])
{
	if (!drv->search_per_entity)
		return "search_index";
	snprintf(buf, SEARCH_TABLE_LEN, "search_%s", e->name);
	return buf;
}

int64_t search_key_base(const struct db_driver *drv, const struct entity_def *e)
{
	return drv->search_per_entity ? 0 : search_base(e);
}

void sql_search_source(const struct db_driver *drv, struct sql *q, const struct entity_def *e,
		       const char *alias)
{
	char buf[SEARCH_TABLE_LEN];
	sql_add(q, search_table(drv, e, buf));
	sql_add(q, " AS ");
	sql_add(q, alias);
}

void sql_search_match(const struct db_driver *drv, struct sql *q, const struct entity_def *e,
		      const char *alias, const char *match)
{
	char buf[SEARCH_TABLE_LEN];
	drv->sql_match(q, alias, search_table(drv, e, buf), match);
	if (!drv->search_per_entity) {
		char column[SEARCH_TABLE_LEN];
		snprintf(column, sizeof column, "%s.rowid", alias);
		sql_search_range(q, column, e);
	}
}

void sql_search_id(const struct db_driver *drv, struct sql *q, const struct entity_def *e,
		   const char *alias)
{
	sql_add(q, alias);
	sql_add(q, ".rowid");
	int64_t base = search_key_base(drv, e);
	if (base) {
		sql_add(q, "-");
		sql_int(q, base);
	}
}

static enum rp_err exec_on_table(struct store_conn *c, const char *format, const char *table,
				 struct rp_error *err)
{
	char sql[512];
	snprintf(sql, sizeof sql, format, table);
	return exec_text(c, sql, err);
}

enum rp_err search_tables_exec(struct store_conn *c, const char *format, struct rp_error *err)
{
	const struct db_driver *drv = conn_driver(c);
	if (!drv->search_per_entity)
		return exec_on_table(c, format, "search_index", err);
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		char buf[SEARCH_TABLE_LEN];
		if ((e->flags & EF_SEARCH) &&
		    exec_on_table(c, format, search_table(drv, e, buf), err))
			return err->err;
	}
	return RP_OK;
}

enum rp_err store_search_add(struct store_conn *c, const struct entity_def *e, int64_t id,
			     const char *text, struct rp_error *err)
{
	struct search_text t = {.e = e, .id = id, .text = text};
	return store_search_add_many(c, &t, 1, err);
}

/* Inside a write transaction the texts are queued (textq.c); outside one
 * they are written at once. */
static enum rp_err search_write(struct store_conn *c, const struct search_text *t, int n,
				bool replace, struct rp_error *err)
{
	bool now = !(c->txdepth > 0 && c->writing);
	struct text_queue one = {0};
	struct text_queue *q = now ? &one : &c->texts;
	for (int i = 0; i < n; i++)
		textq_push(q, search_base(t[i].e) + t[i].id, t[i].text, !replace);
	if (!now)
		return RP_OK;
	enum rp_err rc = textq_write(c, q, err);
	textq_free(q);
	return rc;
}

enum rp_err store_search_flush(struct store_conn *c, struct rp_error *err)
{
	if (!c->writing || !c->texts.n)
		return RP_OK;
	/* other transactions' texts wait for the batch's commit: this one's
	 * go after them, at its own commit */
	if (c->s->drv->group_commit && c->s->w.texts.n)
		return RP_OK;
	return textq_write(c, &c->texts, err);
}

enum rp_err store_search_optimize(struct store_conn *c, struct rp_error *err)
{
	const char *sql = conn_driver(c)->search_optimize;
	if (!sql)
		return RP_OK;
	if (store_begin(c, true, err))
		return err->err;
	if (search_tables_exec(c, sql, err)) {
		store_rollback(c);
		return err->err;
	}
	return store_commit(c, err);
}

#define TIDY_IDLE_NS (250 * 1000000LL) /* no write for this long: the store is idle */
#define TIDY_STEPS   64		       /* steps a tidy takes at most; the next goes on */

static enum rp_err merge_step(struct store_conn *c, bool *more, struct rp_error *err)
{
	if (store_begin(c, true, err))
		return err->err;
	if (conn_driver(c)->search_merge_step(c, more, err)) {
		store_rollback(c);
		return err->err;
	}
	return store_commit(c, err);
}

/* Merge steps until nothing is left to merge, another write comes, or
 * TIDY_STEPS are done; how many steps ran. */
static int tidy(struct store_conn *c, uint64_t writes)
{
	struct store *s = c->s;
	for (int i = 0; i < TIDY_STEPS; i++) {
		bool more = false;
		struct rp_error err;
		rp_error_init(&err);
		if (merge_step(c, &more, &err)) {
			log_warn("merging the search index: %s", err.detail);
			return i + 1;
		}
		int64_t idle_ns;
		uint64_t now = writes_since(s, &idle_ns);
		if (now > writes + 1)
			return i + 1; /* another write came: at the next idle moment */
		writes = now;
		if (!more) {
			s->w.tidied = writes;
			return i + 1;
		}
	}
	return TIDY_STEPS;
}

void store_search_tidy(struct store_conn *c)
{
	struct store *s = c->s;
	if (!s->drv->search_merge_step || !s->drv->group_commit)
		return;
	int64_t idle_ns;
	uint64_t writes = writes_since(s, &idle_ns);
	if (writes == s->w.tidied || idle_ns < TIDY_IDLE_NS)
		return;
	/* the merge's pages are of no use to later requests: an idle server
	 * should not keep them */
	if (tidy(c, writes) > 1) {
		writer_exec_between_batches(s, s->drv->release_memory);
		malloc_trim(0);
	}
}

enum rp_err store_search_add_many(struct store_conn *c, const struct search_text *t, int n,
				  struct rp_error *err)
{
	return search_write(c, t, n, false, err);
}

enum rp_err store_search_put_many(struct store_conn *c, const struct search_text *t, int n,
				  struct rp_error *err)
{
	return search_write(c, t, n, true, err);
}

enum rp_err store_search_put(struct store_conn *c, const struct entity_def *e, int64_t id,
			     const char *text, struct rp_error *err)
{
	struct search_text t = {.e = e, .id = id, .text = text};
	return store_search_put_many(c, &t, 1, err);
}

/* The index's rows of the entity, newest first, joined to the records. */
static void search_by_index(struct store_conn *c, struct sql *q, const struct entity_def *e,
			    const char *match)
{
	const struct db_driver *drv = conn_driver(c);
	sql_add(q, " FROM ");
	sql_search_source(drv, q, e, "s");
	sql_add(q, " JOIN ");
	sql_ident(q, e->name);
	sql_add(q, " AS t ON t.\"id\"=");
	sql_search_id(drv, q, e, "s");
	sql_add(q, " WHERE ");
	sql_search_match(drv, q, e, "s", match);
	sql_add(q, " AND t.\"deleted_at\" IS NULL");
}

/* PostgreSQL (search_terms): the entity's rows whose words start as the
 * query's longest word does, newest first, each checked against the whole
 * query and joined to its record. LATERAL ... OFFSET 0 keeps the planner
 * to that order, which ends as soon as enough rows match. */
static void search_by_prefix(struct store_conn *c, struct sql *q, const struct entity_def *e,
			     const char *match, char *prefix, const struct scope *scope)
{
	sql_add(q, " FROM search_terms AS k CROSS JOIN LATERAL (SELECT 1 FROM search_index AS s"
		   " WHERE s.rowid=k.rowid AND ");
	conn_driver(c)->sql_match(q, "s", "search_index", match);
	sql_add(q, " OFFSET 0) AS s CROSS JOIN LATERAL (SELECT t.* FROM ");
	sql_ident(q, e->name);
	sql_add(q, " AS t WHERE t.\"id\"=k.rowid-");
	sql_int(q, search_base(e));
	sql_add(q, " AND t.\"deleted_at\" IS NULL");
	sql_scope(q, "t", scope);
	sql_add(q, " OFFSET 0) AS t WHERE k.term=rp_search_term(");
	sql_text_owned(q, prefix);
	sql_add(q, ")");
	sql_search_range(q, "k.rowid", e);
}

enum rp_err store_search(struct store_conn *c, const struct entity_def *e, const char *match,
			 const struct scope *scope, const bool *want, int limit, struct arena *a,
			 struct record ***ret_rows, int *ret_n, struct rp_error *err)
{
	if (limit < 1)
		limit = 1;
	const struct db_driver *drv = conn_driver(c);
	char *prefix = drv->search_prefix ? drv->search_prefix(match) : NULL;
	struct sql q;
	sql_init(&q);
	int map[MODEL_MAX_FIELDS];
	sql_add(&q, "SELECT ");
	int ncols = sql_select_columns(&q, e, want, "t", map);
	if (prefix) {
		search_by_prefix(c, &q, e, match, prefix, scope);
		sql_add(&q, " ORDER BY k.rowid DESC LIMIT ");
	} else {
		search_by_index(c, &q, e, match);
		sql_scope(&q, "t", scope);
		sql_add(&q, " ORDER BY s.rowid DESC LIMIT ");
	}
	sql_int(&q, limit);
	enum rp_err rc = fetch_rows(c, &q, e, map, ncols, limit, a, ret_rows, ret_n, NULL, err);
	sql_release(&q);
	return rc;
}
