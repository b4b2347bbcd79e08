/* conn.c — connections and statements through the driver: opening the
 * store (a file path or "sqlite:PATH" for SQLite, a postgres:// URL for
 * PostgreSQL), one connection per thread, a cache of prepared statements
 * keyed by SQL text, and running statements. Nothing here names a
 * database library; sqlite.c and pg.c do. */
#include "store/internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* Statement texts run to a kilobyte (a SELECT of every column) and are
 * hashed on every statement: eight bytes a step. */
static uint64_t hash_text(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 1469598103934665603ull ^ n;
	for (; n >= 8; n -= 8, s += 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	for (; n; n--, s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ^ (h >> 32);
}

enum rp_err dbconn_open(struct store *s, struct dbconn *d, bool writer, struct rp_error *err)
{
	d->drv = s->drv;
	return s->drv->open(s, s->url, d, writer, err);
}

void dbconn_close(struct dbconn *d)
{
	for (int i = 0; i < STMT_CACHE; i++) {
		if (d->cache[i].st) {
			d->drv->finalize(d->cache[i].st);
			free(d->cache[i].st);
		}
		free(d->cache[i].sql);
		d->cache[i] = (struct stmt_slot){0};
	}
	if (d->drv && d->db)
		d->drv->close(d);
	d->db = NULL;
}

static void conn_close(struct store_conn *c)
{
	later_drop(c);
	dbconn_close(&c->own);
	dbconn_close(&c->replica);
	free(c);
}

static void conn_unlink(struct store *s, struct store_conn *c)
{
	pthread_mutex_lock(&s->lock);
	for (struct store_conn **p = &s->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	pthread_mutex_unlock(&s->lock);
}

static void conn_thread_end(void *p)
{
	struct store_conn *c = p;
	conn_unlink(c->s, c);
	conn_close(c);
}

enum rp_err exec_text(struct store_conn *c, const char *text, struct rp_error *err)
{
	struct rp_error ignore;
	if (!err) {
		rp_error_init(&ignore);
		err = &ignore;
	}
	return c->d->drv->exec(c->d, text, err);
}

static enum rp_err conn_open(struct store *s, struct store_conn **ret, struct rp_error *err)
{
	struct store_conn *c = xcalloc(1, sizeof *c);
	c->s = s;
	if (dbconn_open(s, &c->own, false, err)) {
		free(c);
		return err->err;
	}
	c->d = &c->own;
	*ret = c;
	return RP_OK;
}

static const struct db_driver *driver_of(const char **url)
{
	if (!strncmp(*url, "postgres://", 11) || !strncmp(*url, "postgresql://", 13))
		return &pg_driver;
	if (!strncmp(*url, "sqlite:", 7))
		*url += 7;
	return &sqlite_driver;
}

enum rp_err store_open(const char *url, const struct store_options *opt, struct store **ret,
		       struct rp_error *err)
{
	const struct db_driver *drv = driver_of(&url);
	if (!drv->open)
		return rp_fail(err, RP_EINVAL, "unsupported_store", "this build has no %s store",
			       drv->name);
	struct store *s = xcalloc(1, sizeof *s);
	s->drv = drv;
	s->url = strdup(url);
	s->replica_url = opt && opt->replica_url ? strdup(opt->replica_url) : NULL;
	s->path = drv->data_path ? drv->data_path(url) : strdup(url);
	s->opt = opt ? *opt
		     : (struct store_options){.busy_timeout_ms = 5000, .synchronous_full = true};
	if (s->opt.busy_timeout_ms <= 0)
		s->opt.busy_timeout_ms = 5000;
	static _Atomic uint64_t instances;
	s->instance = ++instances;
	pthread_key_create(&s->key, conn_thread_end);
	pthread_mutex_init(&s->lock, NULL);
	struct store_conn *c = store_conn(s, err);
	if (!c || writer_open(s, err) || (s->replica_url && replica_check(s, err))) {
		store_close(s);
		return err->err;
	}
	*ret = s;
	return RP_OK;
}

uint64_t store_instance(const struct store_conn *c)
{
	return c->s->instance;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	pthread_setspecific(s->key, NULL);
	struct store_conn *c = s->conns;
	while (c) {
		struct store_conn *next = c->next;
		conn_close(c);
		c = next;
	}
	writer_close(s);
	pthread_key_delete(s->key);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s->url);
	free(s->replica_url);
	free(s);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

struct store_conn *store_conn(struct store *s, struct rp_error *err)
{
	struct store_conn *c = pthread_getspecific(s->key);
	if (c)
		return c;
	if (conn_open(s, &c, err))
		return NULL;
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->key, c);
	return c;
}

static struct dbstmt *new_statement(struct dbconn *d, const char *text, struct rp_error *err)
{
	struct dbstmt *st = xcalloc(1, sizeof *st);
	st->drv = d->drv;
	st->conn = d;
	if (d->drv->prepare(d, text, st, err)) {
		free(st);
		return NULL;
	}
	return st;
}

static struct dbstmt *borrow(struct dbstmt *st)
{
	if (st)
		st->busy = true;
	return st;
}

/* The slot a new statement takes: the less recently used of its two that
 * is not borrowed (a statement still being stepped through, as when a
 * caller reads several result sets side by side), NULL if both are. */
static struct stmt_slot *victim(struct stmt_slot *a, struct stmt_slot *b)
{
	if (!a->st || !b->st)
		return !a->st ? a : b;
	if (a->st->busy || b->st->busy)
		return a->st->busy ? (b->st->busy ? NULL : b) : a;
	return a->used <= b->used ? a : b;
}

struct dbstmt *dbconn_statement(struct dbconn *d, const char *text, struct rp_error *err)
{
	/* Two-way: a statement may sit in either of two slots, so two busy
	 * statements that hash alike do not evict each other on every use (an
	 * import's ~40 statements a row re-prepared some each time with one). */
	uint64_t h = hash_text(text);
	struct stmt_slot *a = &d->cache[h % STMT_CACHE];
	struct stmt_slot *b = &d->cache[(h >> 32) % STMT_CACHE];
	static atomic_ullong clock_ticks; /* one clock for every cache: the writer's is shared */
	uint64_t tick = atomic_fetch_add_explicit(&clock_ticks, 1, memory_order_relaxed) + 1;
	bool taken = false; /* the text's statement is borrowed already */
	for (struct stmt_slot *p = a; p; p = p == a && b != a ? b : NULL)
		if (p->st && p->hash == h && !strcmp(p->sql, text)) {
			if (p->st->busy) {
				taken = true;
				break;
			}
			p->used = tick;
			return borrow(p->st);
		}
	struct stmt_slot *slot = taken ? NULL : victim(a, b);
	struct dbstmt *st = new_statement(d, text, err);
	if (!st || !slot) {
		if (st)
			st->uncached = true;
		return borrow(st);
	}
	if (slot->st) {
		d->drv->finalize(slot->st);
		free(slot->st);
	}
	free(slot->sql);
	slot->st = st;
	slot->sql = strdup(text);
	slot->hash = h;
	slot->used = tick;
	return borrow(st);
}

void dbconn_statement_done(struct dbstmt *st)
{
	if (!st)
		return;
	st->drv->reset(st);
	st->busy = false;
	if (st->uncached) {
		st->drv->finalize(st);
		free(st);
	}
}

static struct dbstmt *cache_lookup(struct store_conn *c, const char *text, struct rp_error *err)
{
	/* a read after this thread's write waits for the write to be durable
	 * (store_defer_durable), so it sees it */
	if (c->owed && c->txdepth == 0 && store_settle(c, err))
		return NULL;
	return dbconn_statement(c->d, text, err);
}

/* st with its values bound and its run started; NULL (and st handed
 * back) when that failed. */
static struct dbstmt *bound(struct dbstmt *st, const struct value *v, int n, struct rp_error *err)
{
	if (st && st->drv->bind(st, v, n, err)) {
		dbconn_statement_done(st);
		return NULL;
	}
	return st;
}

struct dbstmt *stmt_prepare(struct store_conn *c, struct sql *q, struct rp_error *err)
{
	if (q->overflow || q->b.overflow) {
		rp_fail(err, RP_EINVAL, "query_too_large", "the request needs too large a query");
		return NULL;
	}
	struct dbstmt *st = cache_lookup(c, buf_str(&q->b), err);
	return bound(st, q->params, q->n, err);
}

struct dbstmt *stmt_prepare_text(struct store_conn *c, const char *text, struct rp_error *err)
{
	return bound(cache_lookup(c, text, err), NULL, 0, err);
}

void stmt_done(struct dbstmt *st)
{
	dbconn_statement_done(st);
}

static enum rp_err stmt_exec_in_tx(struct store_conn *c, struct sql *q, struct exec_result *res,
				   struct returning *want, struct rp_error *err)
{
	struct dbstmt *st = stmt_prepare(c, q, err);
	if (!st)
		return err->err;
	int rc = stmt_step(st);
	if (want) { /* the whole statement runs before the count is known */
		want->row = rc == DB_ROW
				    ? row_to_record(st, want->e, want->map, want->ncols, want->a)
				    : NULL;
		while (rc == DB_ROW)
			rc = stmt_step(st);
	}
	int changed = rc == DB_ERROR ? 0 : st->drv->changes(st);
	c->rows_changed += changed;
	if (res) {
		res->rowid = st->drv->last_id(st);
		res->changes = changed;
	}
	enum rp_err r = rc == DB_ERROR ? stmt_fail(st, err) : RP_OK;
	stmt_done(st);
	return r;
}

/* A write outside a transaction still goes through the writer (and its
 * group commit), as a transaction of its own. */
enum rp_err stmt_exec_returning(struct store_conn *c, struct sql *q, struct exec_result *res,
				struct returning *want, struct rp_error *err)
{
	if (c->txdepth > 0 || !c->s->drv->group_commit)
		return stmt_exec_in_tx(c, q, res, want, err);
	if (store_begin(c, true, err))
		return err->err;
	if (stmt_exec_in_tx(c, q, res, want, err)) {
		store_rollback(c);
		return err->err;
	}
	return store_commit(c, err);
}

enum rp_err stmt_exec_r(struct store_conn *c, struct sql *q, struct exec_result *res,
			struct rp_error *err)
{
	return stmt_exec_returning(c, q, res, NULL, err);
}

enum rp_err stmt_exec(struct store_conn *c, struct sql *q, struct rp_error *err)
{
	return stmt_exec_r(c, q, NULL, err);
}

void stmt_column_value(struct dbstmt *st, int col, struct arena *a, struct value *v)
{
	if (st->drv->col_value) {
		st->drv->col_value(st, col, a, v);
		return;
	}
	switch (st->drv->col_kind(st, col)) {
	case V_INT: *v = (struct value){.kind = V_INT, .i = stmt_int(st, col)}; break;
	case V_REAL: *v = (struct value){.kind = V_REAL, .d = stmt_double(st, col)}; break;
	case V_TEXT: {
		size_t n = 0;
		const char *s = st->drv->col_text(st, col, &n);
		*v = (struct value){.kind = V_TEXT, .s = arena_strndup(a, s, n), .len = n};
		break;
	}
	default: *v = (struct value){.kind = V_NULL};
	}
}

struct record *row_to_record_at(struct dbstmt *st, int first, const struct entity_def *e,
				const int *map, int ncols, struct arena *a)
{
	struct record *r = record_new(a, e);
	for (int k = 0; k < ncols; k++) {
		if (map[k] >= r->n)
			continue;
		stmt_column_value(st, first + k, a, &r->v[map[k]]);
		r->set[map[k]] = true;
	}
	return r;
}

struct record *row_to_record(struct dbstmt *st, const struct entity_def *e, const int *map,
			     int ncols, struct arena *a)
{
	return row_to_record_at(st, 0, e, map, ncols, a);
}

enum rp_err store_backup(struct store *s, const char *dest, struct rp_error *err)
{
	return s->drv->backup(s, dest, err);
}

enum rp_err store_check(struct store_conn *c, struct rp_error *err)
{
	/* the references a restore checks: foreign keys and activities' links */
	if (conn_driver(c)->check(c, err) || store_check_references(c, NULL, err))
		return err->err;
	return RP_OK;
}
