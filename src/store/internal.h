/* internal.h — shared inside src/store only: the connection, the SQL
 * builder and statement helpers. Nothing outside the store includes it. */
#pragma once
#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

#define SQL_MAX_PARAMS 512
#define STMT_CACHE     128

struct stmt_slot {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *st;
};

struct store_conn {
	struct store *s;
	sqlite3 *db;
	int txdepth;
	bool tx_failed;
	struct stmt_slot cache[STMT_CACHE];
	struct store_conn *next;
};

struct store {
	char *path;
	struct store_options opt;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards conns */
	struct store_conn *conns;
};

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
/* Runs a statement that returns no rows. */
enum rp_err stmt_exec(struct store_conn *c, struct sql *q, struct rp_error *err);
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
