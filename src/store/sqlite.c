/* sqlite.c — SQLite connections: one per thread, WAL, foreign keys, busy
 * timeout, a prepared-statement cache keyed by SQL text, transactions,
 * error mapping, online backup and integrity check. */
#include "store/internal.h"

#include <stdatomic.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/textkey.h"

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

enum rp_err sqlite_fail(struct store_conn *c, int rc, struct rp_error *err)
{
	int base = rc & 0xff;
	switch (base) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return rp_fail(err, RP_EBUSY, "busy", "the database is busy; try again");
	case SQLITE_FULL:
		return rp_fail(err, RP_ENOSPACE, "insufficient_storage",
			       "the disk is full; nothing was written");
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return rp_fail(err, RP_EIO, "storage_error", "the database could not be written");
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return rp_fail(err, RP_ECONFLICT, "duplicate",
				       "a record with this value already exists");
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return rp_fail(err, RP_EINVAL, "invalid_reference",
				       "a referenced record does not exist");
		return rp_fail(err, RP_EINVAL, "constraint_failed",
			       "the values break a rule of the database");
	default:
		return rp_fail(err, RP_EINTERNAL, "internal_error", "database error %d: %s", rc,
			       c && c->db ? sqlite3_errmsg(c->db) : "");
	}
}

void dbconn_close(struct dbconn *d)
{
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(d->cache[i].st);
		free(d->cache[i].sql);
		d->cache[i] = (struct stmt_slot){0};
	}
	sqlite3_close_v2(d->db);
	d->db = NULL;
}

static void conn_close(struct store_conn *c)
{
	dbconn_close(&c->own);
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
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, text, NULL, NULL, &msg);
	sqlite3_free(msg);
	return rc == SQLITE_OK ? RP_OK : sqlite_fail(c, rc, err);
}

/* rp_fold(x): Unicode case and accent folding for contains/prefix
 * filters; SQLite's lower() and LIKE fold ASCII only. */
static void fold_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]);
	if (n <= TEXTKEY_MAX_INPUT) {
		char *f = textkey_fold(s, n);
		if (f)
			sqlite3_result_text(ctx, f, -1, free);
		else
			sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
		return;
	}
	/* long texts are folded piece by piece, cut between characters */
	struct buf out;
	buf_init(&out, 0);
	for (size_t at = 0; at < n;) {
		size_t len = n - at < TEXTKEY_MAX_INPUT ? n - at : TEXTKEY_MAX_INPUT;
		while (at + len < n && ((unsigned char)s[at + len] & 0xC0) == 0x80)
			len--;
		char *f = textkey_fold(s + at, len);
		if (f)
			buf_adds(&out, f);
		else
			buf_add(&out, s + at, len);
		free(f);
		at += len;
	}
	size_t len;
	char *folded = buf_detach(&out, &len);
	sqlite3_result_text(ctx, folded, (int)len, free);
}

enum rp_err dbconn_open(struct store *s, struct dbconn *d, bool writer, struct rp_error *err)
{
	int rc = sqlite3_open_v2(s->path, &d->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		rp_fail(err, RP_EIO, "storage_error", "cannot open the database %s: %s", s->path,
			sqlite3_errstr(rc));
		dbconn_close(d);
		return RP_EIO;
	}
	sqlite3_extended_result_codes(d->db, 1);
	sqlite3_busy_timeout(d->db, s->opt.busy_timeout_ms);
	sqlite3_create_function_v2(d->db, "rp_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				   fold_fn, NULL, NULL, NULL);
	char pragmas[256];
	snprintf(pragmas, sizeof pragmas,
		 "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
		 "PRAGMA synchronous=%s; PRAGMA temp_store=MEMORY;"
		 "PRAGMA cache_size=-16000;",
		 /* the writer's commits are made durable by txn.c syncing
		  * the WAL itself, outside the writer lock */
		 s->opt.synchronous_full && !writer ? "FULL" : "NORMAL");
	char *msg = NULL;
	rc = sqlite3_exec(d->db, pragmas, NULL, NULL, &msg);
	sqlite3_free(msg);
	if (rc != SQLITE_OK) {
		rp_fail(err, RP_EIO, "storage_error", "cannot set up the database %s: %s", s->path,
			sqlite3_errstr(rc));
		dbconn_close(d);
		return RP_EIO;
	}
	return RP_OK;
}

static enum rp_err conn_open(struct store *s, struct store_conn **ret, struct rp_error *err)
{
	struct store_conn *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->s = s;
	if (dbconn_open(s, &c->own, false, err)) {
		free(c);
		return err->err;
	}
	c->db = c->own.db;
	c->cache = c->own.cache;
	*ret = c;
	return RP_OK;
}

enum rp_err store_open(const char *url, const struct store_options *opt, struct store **ret,
		       struct rp_error *err)
{
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
		return rp_fail(err, RP_EINVAL, "unsupported_store",
			       "this build has no PostgreSQL store yet");
	if (!strncmp(url, "sqlite:", 7))
		url += 7;
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->path = strdup(url);
	s->opt = opt ? *opt
		     : (struct store_options){.busy_timeout_ms = 5000, .synchronous_full = true};
	if (s->opt.busy_timeout_ms <= 0)
		s->opt.busy_timeout_ms = 5000;
	pthread_key_create(&s->key, conn_thread_end);
	pthread_mutex_init(&s->lock, NULL);
	struct store_conn *c = store_conn(s, err);
	if (!c || writer_open(s, err)) {
		store_close(s);
		return err->err;
	}
	*ret = s;
	return RP_OK;
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

static sqlite3_stmt *cache_lookup(struct store_conn *c, const char *text, struct rp_error *err)
{
	/* Two-way: a statement may sit in either of two slots, so two busy
	 * statements that hash alike do not evict each other on every use (an
	 * import's ~40 statements a row re-prepared some each time with one). */
	uint64_t h = hash_text(text);
	struct stmt_slot *a = &c->cache[h % STMT_CACHE];
	struct stmt_slot *b = &c->cache[(h >> 32) % STMT_CACHE];
	static atomic_ullong clock_ticks; /* one clock for every cache: the writer's is shared */
	uint64_t tick = atomic_fetch_add_explicit(&clock_ticks, 1, memory_order_relaxed) + 1;
	for (struct stmt_slot *p = a; p; p = p == a && b != a ? b : NULL)
		if (p->st && p->hash == h && !strcmp(p->sql, text)) {
			p->used = tick;
			return p->st;
		}
	struct stmt_slot *slot = !a->st ? a : !b->st ? b : a->used <= b->used ? a : b;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(c->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		sqlite_fail(c, rc, err);
		return NULL;
	}
	sqlite3_finalize(slot->st);
	free(slot->sql);
	slot->st = st;
	slot->sql = strdup(text);
	slot->hash = h;
	slot->used = tick;
	return st;
}

void stmt_bind_value(sqlite3_stmt *st, int i, const struct value *v)
{
	switch (v->kind) {
	case V_NULL: sqlite3_bind_null(st, i); break;
	case V_INT: sqlite3_bind_int64(st, i, v->i); break;
	case V_REAL: sqlite3_bind_double(st, i, v->d); break;
	case V_TEXT: sqlite3_bind_text(st, i, v->s, (int)v->len, SQLITE_TRANSIENT); break;
	}
}

sqlite3_stmt *stmt_prepare(struct store_conn *c, struct sql *q, struct rp_error *err)
{
	if (q->overflow || q->b.overflow) {
		rp_fail(err, RP_EINVAL, "query_too_large", "the request needs too large a query");
		return NULL;
	}
	sqlite3_stmt *st = cache_lookup(c, buf_str(&q->b), err);
	if (!st)
		return NULL;
	for (int i = 0; i < q->n; i++)
		stmt_bind_value(st, i + 1, &q->params[i]);
	return st;
}

sqlite3_stmt *stmt_prepare_text(struct store_conn *c, const char *text, struct rp_error *err)
{
	return cache_lookup(c, text, err);
}

void stmt_done(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static enum rp_err stmt_exec_in_tx(struct store_conn *c, struct sql *q, struct exec_result *res,
				   struct rp_error *err)
{
	sqlite3_stmt *st = stmt_prepare(c, q, err);
	if (!st)
		return err->err;
	int rc = sqlite3_step(st);
	stmt_done(st);
	if (res) {
		res->rowid = sqlite3_last_insert_rowid(c->db);
		res->changes = sqlite3_changes(c->db);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sqlite_fail(c, rc, err);
	return RP_OK;
}

/* A write outside a transaction still goes through the writer (and its
 * group commit), as a transaction of its own. */
enum rp_err stmt_exec_r(struct store_conn *c, struct sql *q, struct exec_result *res,
			struct rp_error *err)
{
	if (c->txdepth > 0)
		return stmt_exec_in_tx(c, q, res, err);
	if (store_begin(c, true, err))
		return err->err;
	if (stmt_exec_in_tx(c, q, res, err)) {
		store_rollback(c);
		return err->err;
	}
	return store_commit(c, err);
}

enum rp_err stmt_exec(struct store_conn *c, struct sql *q, struct rp_error *err)
{
	return stmt_exec_r(c, q, NULL, err);
}

void stmt_column_value(sqlite3_stmt *st, int col, struct arena *a, struct value *v)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		*v = (struct value){.kind = V_INT, .i = sqlite3_column_int64(st, col)};
		break;
	case SQLITE_FLOAT:
		*v = (struct value){.kind = V_REAL, .d = sqlite3_column_double(st, col)};
		break;
	case SQLITE_TEXT: {
		const char *s = (const char *)sqlite3_column_text(st, col);
		size_t n = (size_t)sqlite3_column_bytes(st, col);
		*v = (struct value){.kind = V_TEXT, .s = arena_strndup(a, s, n), .len = n};
		break;
	}
	default: *v = (struct value){.kind = V_NULL};
	}
}

struct record *row_to_record(sqlite3_stmt *st, const struct entity_def *e, const int *map,
			     int ncols, struct arena *a)
{
	struct record *r = record_new(a, e);
	for (int k = 0; k < ncols; k++) {
		if (map[k] >= r->n)
			continue;
		stmt_column_value(st, k, a, &r->v[map[k]]);
		r->set[map[k]] = true;
	}
	return r;
}

enum rp_err store_backup(struct store *s, const char *dest, struct rp_error *err)
{
	struct store_conn *c = store_conn(s, err);
	if (!c)
		return err->err;
	sqlite3 *out = NULL;
	int rc = sqlite3_open(dest, &out);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(out, "main", c->db, "main");
		if (b) {
			do {
				rc = sqlite3_backup_step(b, 256);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(20);
			} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			sqlite3_backup_finish(b);
		}
		rc = sqlite3_errcode(out);
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		rp_fail(err, RP_EIO, "backup_failed", "backup to %s failed: %s", dest,
			sqlite3_errmsg(out));
		sqlite3_close(out);
		return RP_EIO;
	}
	sqlite3_close(out);
	return RP_OK;
}

static enum rp_err check_pages(struct store_conn *c, struct rp_error *err)
{
	sqlite3_stmt *st = stmt_prepare_text(c, "PRAGMA integrity_check", err);
	if (!st)
		return err->err;
	enum rp_err rc = RP_OK;
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok"))
		rc = rp_fail(err, RP_EIO, "integrity_failed", "integrity check failed: %.200s",
			     sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
							: sqlite3_errmsg(c->db));
	stmt_done(st);
	return rc;
}

/* FTS5 compares its index with the text it holds. */
static enum rp_err check_search_index(struct store_conn *c, struct rp_error *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db,
			      "INSERT INTO search_index(search_index) VALUES('integrity-check')",
			      NULL, NULL, &msg);
	enum rp_err r = RP_OK;
	if (rc != SQLITE_OK)
		r = rp_fail(err, RP_EIO, "integrity_failed", "the search index is damaged: %.200s",
			    msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return r;
}

enum rp_err store_check(struct store_conn *c, struct rp_error *err)
{
	if (check_pages(c, err) || store_check_references(c, err) || check_search_index(c, err))
		return err->err;
	return RP_OK;
}
