/* internal.h — shared inside src/store only: the connection, the SQL
 * builder and statement helpers. Nothing outside the store includes it. */
#pragma once
#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

#define SQL_MAX_PARAMS 512
#define STMT_CACHE     512 /* two candidate slots per statement (see cache_lookup) */

struct stmt_slot {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *st;
	uint64_t used; /* when last used: the older of two candidates goes */
};

/* One SQLite connection and its prepared statements. */
struct dbconn {
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE];
};

/* A thread's handle. Reads go through the thread's own connection; inside
 * a write transaction `db` and `cache` point at the shared writer's, so
 * every function below works the same on either. */
struct store_conn {
	struct store *s;
	sqlite3 *db;
	struct stmt_slot *cache;
	struct dbconn own;
	int txdepth;
	bool writing;		  /* holds the writer for a write transaction */
	bool bulk;		  /* nested write transactions are not savepoints */
	bool doomed;		  /* bulk: a nested part failed; only a rollback may end it */
	int64_t bulk_changes[16]; /* bulk: rows changed when each level began */
	bool held;		  /* a read transaction spans the request (store_hold_reads) */
	bool in_held;		  /* the open read transaction is the held one */
	struct store_conn *next;
};

/* Group commit: one connection does every write. Each write transaction
 * is a savepoint inside the open batch; one COMMIT ends a whole batch,
 * and one fdatasync of the WAL, done after the writer lock is released,
 * makes every batch committed before it durable. Writers answer only once
 * their batch is durable. Concurrent writers thus share fsyncs, work on
 * the next batch overlaps the sync, and nobody queues on SQLite's busy
 * handler. */
struct writer {
	pthread_mutex_t lock; /* held while a thread uses conn */
	struct dbconn conn;
	bool open;	/* a batch transaction is open */
	int pending;	/* savepoints released into the open batch */
	uint64_t batch; /* id of the open (or last) batch */
	pthread_mutex_t done_lock;
	pthread_cond_t done;
	uint64_t durable; /* last batch committed and synced to disk */
	uint64_t failed;  /* last batch whose commit or sync failed */
	bool committing;
	int wal_fd; /* the WAL file, synced outside the writer lock */
	struct rp_error commit_err;
};

struct store {
	char *path;
	struct store_options opt;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards conns */
	struct store_conn *conns;
	struct writer w;
};

/* sqlite.c: opening a connection with Rapport's settings. */
enum rp_err dbconn_open(struct store *s, struct dbconn *d, bool writer, struct rp_error *err);
void dbconn_close(struct dbconn *d);
/* txn.c: the writer's lifecycle. */
enum rp_err writer_open(struct store *s, struct rp_error *err);
void writer_close(struct store *s);

/* A statement under construction: text plus bound values. Identifiers only
 * ever come from descriptors and go through sql_ident. */
struct sql {
	struct buf b;
	struct value params[SQL_MAX_PARAMS];
	int n;
	bool overflow;
};

void sql_init(struct sql *q);
void sql_release(struct sql *q);
void sql_add(struct sql *q, const char *text);
void sql_ident(struct sql *q, const char *name);
void sql_param(struct sql *q, const struct value *v);
void sql_int(struct sql *q, int64_t i);
void sql_text(struct sql *q, const char *s);
/* Appends SQL text in which %t binds a text argument (const char *, NULL
 * binds NULL) and %i an int64_t argument; %% is a percent sign. The
 * arguments are bound as parameters, never pasted into the text. */
void sql_fmt(struct sql *q, const char *fmt, ...);

/* Prepares (through the cache) and binds; the statement is reset by
 * stmt_done. NULL on failure with err filled. */
sqlite3_stmt *stmt_prepare(struct store_conn *c, struct sql *q, struct rp_error *err);
sqlite3_stmt *stmt_prepare_text(struct store_conn *c, const char *text, struct rp_error *err);
void stmt_done(sqlite3_stmt *st);
/* Runs a statement that returns no rows; a write outside a transaction
 * becomes a transaction of its own. */
enum rp_err stmt_exec(struct store_conn *c, struct sql *q, struct rp_error *err);
/* The same, reporting the new row id and the rows changed (read inside
 * the transaction, before the connection is handed back). */
struct exec_result {
	int64_t rowid;
	int changes;
};
enum rp_err stmt_exec_r(struct store_conn *c, struct sql *q, struct exec_result *res,
			struct rp_error *err);
/* Runs plain SQL text (DDL, pragmas) outside the cache. */
enum rp_err exec_text(struct store_conn *c, const char *text, struct rp_error *err);
/* Maps an SQLite result code to our error, with a detail safe to show. */
enum rp_err sqlite_fail(struct store_conn *c, int rc, struct rp_error *err);
void stmt_bind_value(sqlite3_stmt *st, int i, const struct value *v);
/* Reads column col into v (text copied into a). */
void stmt_column_value(sqlite3_stmt *st, int col, struct arena *a, struct value *v);

/* Appends "id","name",... for the fields in want (all readable if NULL);
 * fills map[k] = field index of the k-th column. Returns the count. */
int sql_select_columns(struct sql *q, const struct entity_def *e, const bool *want,
		       const char *alias, int *map);
/* Reads one result row into a new record. */
struct record *row_to_record(sqlite3_stmt *st, const struct entity_def *e, const int *map,
			     int ncols, struct arena *a);
/* Appends " FROM <table> AS t WHERE ..." with the deleted flag, scope,
 * filters and full-text match of a list query (not its cursor). */
void sql_list_from_where(struct sql *q, const struct list_query *lq);
/* Appends the scope condition for alias (" AND ..."). */
void sql_scope(struct sql *q, const char *alias, const struct scope *s);
