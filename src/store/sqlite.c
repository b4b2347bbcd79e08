/* sqlite.c — the SQLite driver: connections (WAL, foreign keys, busy
 * timeout, the rp_fold function), statements, error mapping, the WAL sync
 * of group commit, FTS5 search, online backup and integrity check, and
 * SQLite's spellings of SQL. With sqlite_wal.c (the writer's checkpoints)
 * the only file that calls sqlite3_*. */
#include "store/internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/textkey.h"
#include "core/xalloc.h"
#include "model/registry.h"
#include "store/sqlite_wal.h"

#define DB(d)  ((sqlite3 *)(d)->db)
#define ST(st) ((sqlite3_stmt *)(st)->h)

/* Page cache of a connection, in KiB, and of the writer's while an import
 * runs (db_driver.bulk_begin). */
#define CACHE_KB      "16000"
#define BULK_CACHE_KB "49152"

static enum rp_err fail_rc(sqlite3 *db, int rc, struct rp_error *err)
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
			       db ? sqlite3_errmsg(db) : "");
	}
}

static void lite_close(struct dbconn *d)
{
	wal_checkpointer_stop(d->aux, DB(d));
	d->aux = NULL;
	sqlite3_close_v2(DB(d));
	d->db = NULL;
}

/* One short statement (BEGIN, COMMIT, RELEASE w: a few in every request)
 * runs from the statement cache: parsing it each time cost more than
 * running it. */
static enum rp_err exec_cached(struct dbconn *d, const char *text, struct rp_error *err)
{
	struct dbstmt *st = dbconn_statement(d, text, err);
	if (!st)
		return err->err;
	int rc;
	while ((rc = sqlite3_step(ST(st))) == SQLITE_ROW)
		;
	enum rp_err r = rc == SQLITE_DONE ? RP_OK : fail_rc(DB(d), rc, err);
	dbconn_statement_done(st);
	return r;
}

static enum rp_err lite_exec(struct dbconn *d, const char *text, struct rp_error *err)
{
	if (strlen(text) < 48 && !strchr(text, ';'))
		return exec_cached(d, text, err);
	char *msg = NULL;
	int rc = sqlite3_exec(DB(d), text, NULL, NULL, &msg);
	sqlite3_free(msg);
	return rc == SQLITE_OK ? RP_OK : fail_rc(DB(d), rc, err);
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

/* Before SQLite starts: no memory statistics, which take a process-wide
 * mutex on every allocation (seen in a GET's profile); nothing here reads
 * them. */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum rp_err lite_open(struct store *s, const char *url, struct dbconn *d, bool writer,
			     struct rp_error *err)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, configure_sqlite);
	sqlite3 *db = NULL;
	d->aux = NULL;
	int rc = sqlite3_open_v2(
		url, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	d->db = db;
	if (rc != SQLITE_OK) {
		rp_fail(err, RP_EIO, "storage_error", "cannot open the database %s: %s", s->path,
			sqlite3_errstr(rc));
		dbconn_close(d);
		return RP_EIO;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, s->opt.busy_timeout_ms);
	sqlite3_create_function_v2(db, "rp_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				   fold_fn, NULL, NULL, NULL);
	char pragmas[256];
	snprintf(pragmas, sizeof pragmas,
		 "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
		 "PRAGMA synchronous=%s; PRAGMA temp_store=MEMORY;"
		 "PRAGMA cache_size=-" CACHE_KB ";",
		 /* the writer's commits are made durable by txn.c syncing
		  * the WAL itself, outside the writer lock */
		 s->opt.synchronous_full && !writer ? "FULL" : "NORMAL");
	char *msg = NULL;
	rc = sqlite3_exec(db, pragmas, NULL, NULL, &msg);
	sqlite3_free(msg);
	if (rc != SQLITE_OK) {
		rp_fail(err, RP_EIO, "storage_error", "cannot set up the database %s: %s", s->path,
			sqlite3_errstr(rc));
		dbconn_close(d);
		return RP_EIO;
	}
	if (writer)
		d->aux = wal_checkpointer_start(db, url);
	return RP_OK;
}

static enum rp_err lite_prepare(struct dbconn *d, const char *text, struct dbstmt *st,
				struct rp_error *err)
{
	sqlite3_stmt *h = NULL;
	int rc = sqlite3_prepare_v3(DB(d), text, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL);
	if (rc != SQLITE_OK)
		return fail_rc(DB(d), rc, err);
	st->h = h;
	return RP_OK;
}

static void lite_finalize(struct dbstmt *st)
{
	sqlite3_finalize(ST(st));
	st->h = NULL;
}

static enum rp_err lite_bind(struct dbstmt *st, const struct value *v, int n, struct rp_error *err)
{
	sqlite3_stmt *h = ST(st);
	for (int i = 0; i < n; i++) {
		switch (v[i].kind) {
		case V_NULL: sqlite3_bind_null(h, i + 1); break;
		case V_INT: sqlite3_bind_int64(h, i + 1, v[i].i); break;
		case V_REAL: sqlite3_bind_double(h, i + 1, v[i].d); break;
		case V_TEXT:
			sqlite3_bind_text(h, i + 1, v[i].s, (int)v[i].len, SQLITE_TRANSIENT);
			break;
		}
	}
	return RP_OK;
}

static int lite_step(struct dbstmt *st)
{
	int rc = sqlite3_step(ST(st));
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	st->rc = rc;
	return DB_ERROR;
}

static void lite_reset(struct dbstmt *st)
{
	sqlite3_reset(ST(st));
	sqlite3_clear_bindings(ST(st));
}

static enum rp_err lite_fail(struct dbstmt *st, struct rp_error *err)
{
	return fail_rc(DB(st->conn), st->rc, err);
}

static int lite_ncols(struct dbstmt *st)
{
	return sqlite3_column_count(ST(st));
}

static const char *lite_col_name(struct dbstmt *st, int col)
{
	return sqlite3_column_name(ST(st), col);
}

static enum vkind kind_of(int sqlite_type)
{
	switch (sqlite_type) {
	case SQLITE_INTEGER: return V_INT;
	case SQLITE_FLOAT: return V_REAL;
	case SQLITE_TEXT: return V_TEXT;
	default: return V_NULL; /* no table holds blobs */
	}
}

static enum vkind lite_col_kind(struct dbstmt *st, int col)
{
	return kind_of(sqlite3_column_type(ST(st), col));
}

static int64_t lite_col_int(struct dbstmt *st, int col)
{
	return sqlite3_column_int64(ST(st), col);
}

static double lite_col_double(struct dbstmt *st, int col)
{
	return sqlite3_column_double(ST(st), col);
}

static const char *lite_col_text(struct dbstmt *st, int col, size_t *ret_len)
{
	const char *s = (const char *)sqlite3_column_text(ST(st), col);
	if (ret_len)
		*ret_len = (size_t)sqlite3_column_bytes(ST(st), col);
	return s;
}

/* The column found once: sqlite3_column_type, _text and _bytes each look
 * it up anew, a fifth of turning a page of rows into records. The value
 * is "unprotected", which matters only to a connection that threads share
 * at once; ours are opened NOMUTEX and used by one thread at a time. */
static void lite_col_value(struct dbstmt *st, int col, struct arena *a, struct value *v)
{
	sqlite3_value *sv = sqlite3_column_value(ST(st), col);
	switch (kind_of(sqlite3_value_type(sv))) {
	case V_INT: *v = (struct value){.kind = V_INT, .i = sqlite3_value_int64(sv)}; break;
	case V_REAL: *v = (struct value){.kind = V_REAL, .d = sqlite3_value_double(sv)}; break;
	case V_TEXT: {
		const char *s = (const char *)sqlite3_value_text(sv);
		size_t n = (size_t)sqlite3_value_bytes(sv);
		*v = (struct value){.kind = V_TEXT, .s = arena_strndup(a, s, n), .len = n};
		break;
	}
	default: *v = (struct value){.kind = V_NULL};
	}
}

static int64_t lite_last_id(struct dbstmt *st)
{
	return sqlite3_last_insert_rowid(DB(st->conn));
}

static int lite_changes(struct dbstmt *st)
{
	return sqlite3_changes(DB(st->conn));
}

/* Makes everything committed so far durable: one fdatasync of the WAL
 * (a transaction is committed once its commit frame is in the WAL; frames
 * written after the sync began may be torn, and recovery ignores them by
 * their checksums, as with synchronous=FULL). */
static enum rp_err lite_sync(struct store *s, struct rp_error *err)
{
	struct writer *w = &s->w;
	if (!s->opt.synchronous_full)
		return RP_OK;
	if (w->wal_fd < 0) {
		char path[4096];
		snprintf(path, sizeof path, "%s-wal", s->path);
		w->wal_fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (w->wal_fd < 0 || fdatasync(w->wal_fd) != 0)
		return rp_fail(err, RP_EIO, "storage_error",
			       "the write-ahead log could not be synced");
	return RP_OK;
}

/* An FTS5 table per entity (search_<entity>), rowid = the record's id:
 * with one table for all, each entity's query also stepped through the
 * other entities' entries for its terms (migrations/008). */
static void lite_sql_match(struct sql *q, const char *alias, const char *table, const char *match)
{
	(void)alias;
	sql_add(q, table);
	sql_add(q, " MATCH ");
	sql_text(q, match);
}

/* rp_fold is textkey_fold: Unicode case and accent folding, which
 * SQLite's own lower()/LIKE lack. */
static void lite_sql_contains(struct sql *q, const char *column, const struct value *v, bool prefix)
{
	sql_add(q, "instr(rp_fold(t.");
	sql_ident(q, column);
	sql_add(q, "), rp_fold(");
	sql_param(q, v);
	sql_add(q, prefix ? "))=1" : "))>0");
}

/* The keys (and texts) of a batch as one JSON array, bound to a single
 * statement: FTS5 writes its pending terms out as an index segment at
 * every statement inside a transaction, so a statement per record (or per
 * hundred) made many small segments and their merges, most of an
 * import's index time (profiled). */
static char *keys_json(const int64_t *keys, const char *const *texts, int n)
{
	struct buf b;
	buf_init(&b, 0);
	struct jw w;
	jw_init(&w, &b);
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		if (texts && (!texts[i] || !*texts[i]))
			continue;
		if (texts) {
			jw_arr(&w);
			jw_int(&w, keys[i]);
			jw_str(&w, texts[i]);
			jw_arr_end(&w);
		} else {
			jw_int(&w, keys[i]);
		}
	}
	jw_arr_end(&w);
	return buf_detach(&b, NULL);
}

/* Runs head, the table, middle, the json bound, and tail: a statement
 * over json_each. */
static enum rp_err exec_with_json(struct store_conn *c, const char *head, const char *table,
				  const char *middle, char *json, const char *tail,
				  struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, head);
	sql_add(&q, table);
	sql_add(&q, middle);
	sql_text_owned(&q, json);
	sql_add(&q, tail);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}

/* The keys of e among keys, as the record ids of e's table (their texts
 * in e_texts); how many. */
static int keys_of(const struct entity_def *e, const int64_t *keys, const char *const *texts, int n,
		   int64_t *e_keys, const char **e_texts)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		int64_t id;
		if (!search_key_of(e, keys[i], &id))
			continue;
		e_keys[m] = id;
		if (texts)
			e_texts[m] = texts[i];
		m++;
	}
	return m;
}

enum search_write { SW_ADD, SW_PUT };

/* One statement per entity among the keys (a batch's texts are mostly of
 * one entity). */
static enum rp_err search_write(struct store_conn *c, const int64_t *keys, const char *const *texts,
				int n, enum search_write how, struct rp_error *err)
{
	int64_t *e_keys = xcalloc((size_t)n, sizeof *e_keys);
	const char **e_texts = xcalloc((size_t)n, sizeof *e_texts);
	enum rp_err rc = RP_OK;
	for (int i = 0; rc == RP_OK && i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		int m = (e->flags & EF_SEARCH) ? keys_of(e, keys, texts, n, e_keys, e_texts) : 0;
		if (!m)
			continue;
		char buf[SEARCH_TABLE_LEN];
		const char *table = search_table(conn_driver(c), e, buf);
		if (how == SW_PUT)
			rc = exec_with_json(c, "DELETE FROM ", table,
					    " WHERE rowid IN (SELECT value FROM json_each(",
					    keys_json(e_keys, NULL, m), "))", err);
		if (rc == RP_OK)
			rc = exec_with_json(
				c, "INSERT INTO ", table,
				" (rowid, body) SELECT value->>0, value->>1 FROM json_each(",
				keys_json(e_keys, (const char *const *)e_texts, m), ")", err);
	}
	free(e_keys);
	free(e_texts);
	return rc;
}

static enum rp_err lite_search_add(struct store_conn *c, const int64_t *keys,
				   const char *const *texts, int n, struct rp_error *err)
{
	return search_write(c, keys, texts, n, SW_ADD, err);
}

static enum rp_err lite_search_put(struct store_conn *c, const int64_t *keys,
				   const char *const *texts, int n, struct rp_error *err)
{
	return search_write(c, keys, texts, n, SW_PUT, err);
}

/* One step on the first entity's index that has something to merge. FTS5
 * counts the pages a merge writes in the connection's total changes:
 * fewer than two means it found nothing to merge. */
static enum rp_err lite_search_merge_step(struct store_conn *c, bool *more, struct rp_error *err)
{
	sqlite3 *db = DB(c->d);
	*more = false;
	for (int i = 0; !*more && i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		if (!(e->flags & EF_SEARCH))
			continue;
		char buf[SEARCH_TABLE_LEN], sql[256];
		const char *table = search_table(conn_driver(c), e, buf);
		snprintf(sql, sizeof sql, "INSERT INTO %s(%s, rank) VALUES('merge', 64)", table,
			 table);
		int before = sqlite3_total_changes(db);
		if (exec_text(c, sql, err))
			return err->err;
		*more = sqlite3_total_changes(db) - before >= 2;
	}
	return RP_OK;
}

static enum rp_err lite_backup(struct store *s, const char *dest, struct rp_error *err)
{
	struct store_conn *c = store_conn(s, err);
	if (!c)
		return err->err;
	sqlite3 *out = NULL;
	int rc = sqlite3_open(dest, &out);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(out, "main", DB(c->d), "main");
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
	struct dbstmt *st = stmt_prepare_text(c, "PRAGMA integrity_check", err);
	if (!st)
		return err->err;
	enum rp_err rc = RP_OK;
	int step = stmt_step(st);
	const char *said = step == DB_ROW ? stmt_text(st, 0) : NULL;
	if (!said || strcmp(said, "ok"))
		rc = rp_fail(err, RP_EIO, "integrity_failed", "integrity check failed: %.200s",
			     said ? said : "the database is malformed");
	stmt_done(st);
	return rc;
}

/* FTS5 compares each index with the text it holds. */
static enum rp_err check_search_index(struct store_conn *c, struct rp_error *err)
{
	struct rp_error why;
	rp_error_init(&why);
	if (search_tables_exec(c, "INSERT INTO %1$s(%1$s) VALUES('integrity-check')", &why))
		return rp_fail(err, RP_EIO, "integrity_failed",
			       "the search index is damaged: %.200s", why.detail);
	return RP_OK;
}

/* Every page and index, then the search index against its text. */
static enum rp_err lite_check(struct store_conn *c, struct rp_error *err)
{
	if (check_pages(c, err) || check_search_index(c, err))
		return err->err;
	return RP_OK;
}

static enum rp_err lite_check_references(struct store_conn *c, struct store_dangling *ret,
					 struct rp_error *err)
{
	struct dbstmt *st = stmt_prepare_text(c, "PRAGMA foreign_key_check", err);
	if (!st)
		return err->err;
	enum rp_err rc = RP_OK;
	if (stmt_step(st) == DB_ROW)
		rc = store_dangling_fail(err, ret, stmt_text(st, 0), stmt_int(st, 1),
					 stmt_text(st, 2));
	stmt_done(st);
	return rc;
}

const struct db_driver sqlite_driver = {
	.name = "SQLite",
	.group_commit = true,
	.migrate_sort_begin = "PRAGMA temp_store=FILE",
	.migrate_sort_end = "PRAGMA temp_store=MEMORY",
	.hold_reads = true,
	.open = lite_open,
	.close = lite_close,
	.exec = lite_exec,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.bind = lite_bind,
	.step = lite_step,
	.reset = lite_reset,
	.fail = lite_fail,
	.ncols = lite_ncols,
	.col_name = lite_col_name,
	.col_kind = lite_col_kind,
	.col_int = lite_col_int,
	.col_double = lite_col_double,
	.col_text = lite_col_text,
	.col_value = lite_col_value,
	.last_id = lite_last_id,
	.changes = lite_changes,
	.sync = lite_sync,
	.sql_match = lite_sql_match,
	.search_put = lite_search_put,
	.search_add = lite_search_add,
	.search_per_entity = true,
	.search_create = "CREATE VIRTUAL TABLE %1$s USING fts5 (body,"
			 " tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');"
			 "INSERT INTO %1$s(%1$s, rank) VALUES('usermerge', 2)",
	.search_optimize = "INSERT INTO %1$s(%1$s) VALUES('optimize')",
	.auth_trigger = "CREATE TRIGGER IF NOT EXISTS %1$s_auth_insert AFTER INSERT ON %1$s"
			" BEGIN UPDATE auth_version SET n = n + 1; END;"
			"CREATE TRIGGER IF NOT EXISTS %1$s_auth_update AFTER UPDATE ON %1$s"
			" BEGIN UPDATE auth_version SET n = n + 1; END;"
			"CREATE TRIGGER IF NOT EXISTS %1$s_auth_delete AFTER DELETE ON %1$s"
			" BEGIN UPDATE auth_version SET n = n + 1; END",
	.search_merge_step = lite_search_merge_step,
	.release_memory = "PRAGMA shrink_memory",
	.bulk_begin = "PRAGMA cache_size=-" BULK_CACHE_KB,
	.bulk_end = "PRAGMA cache_size=-" CACHE_KB "; PRAGMA shrink_memory",
	.sql_contains = lite_sql_contains,
	.backup = lite_backup,
	.check = lite_check,
	.check_references = lite_check_references,
	.int_type = "INTEGER",
	.real_type = "REAL",
	.id_column = "INTEGER PRIMARY KEY",
	.table_suffix = " STRICT",
	.inline_references = true,
	.multi_row_writes = false,
	.returning_id = "",
	.dedup_keys_by_record = "dedup_keys INDEXED BY dedup_keys_record",
	.no_index = "+",
	.asc = " ASC",
	.desc = " DESC",
	.index_nulls = "",
	.skip_locked = "",
	.lock_read = "",
	.epoch_now = "unixepoch()",
	.sum = "total",
	.ids_concat = "group_concat(record_id)",
	.tags_open = " (SELECT 1 FROM json_each(",
	.tags_close = ") WHERE value IN (",
	.has_column = "SELECT 1 FROM pragma_table_info(?) WHERE name=?",
	.begin_read = "BEGIN",
	.begin_write = "BEGIN IMMEDIATE",
	.defer_foreign_keys = "PRAGMA defer_foreign_keys=ON",
	.migrations = store_migrations,
};
