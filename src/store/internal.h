/* internal.h — shared inside src/store only: the connection, the SQL
 * builder and statement helpers. Nothing outside the store includes it. */
#pragma once
#include <pthread.h>
#include <string.h>

#include "store/store.h"

#define SQL_MAX_PARAMS 512
#define STMT_CACHE     512 /* two candidate slots per statement (see cache_lookup) */

struct db_driver;
struct sql;
struct dbconn;

/* A prepared statement of either driver and the state of its current run.
 * Statements live in their connection's cache; callers borrow them between
 * stmt_prepare and stmt_done. */
struct dbstmt {
	const struct db_driver *drv;
	struct dbconn *conn;
	void *h;       /* the driver's statement (sqlite3_stmt *; PostgreSQL: NULL) */
	void *res;     /* PostgreSQL: the result of the current run */
	int row;       /* PostgreSQL: the current row, -1 before the first */
	int nrows;     /* PostgreSQL: rows in res */
	int rc;	       /* the driver's code of the last failure (SQLite's result code) */
	char state[6]; /* PostgreSQL: SQLSTATE of the last failure */
	char msg[160]; /* PostgreSQL: its message */
	char name[16]; /* PostgreSQL: the prepared statement's name */
	char *text;    /* PostgreSQL: its SQL, to prepare again on a new session */
	unsigned gen;  /* PostgreSQL: the session it was prepared in */
	int nparams;   /* PostgreSQL: parameters the text has */
	bool busy;     /* borrowed: between dbconn_statement and stmt_done */
	bool uncached; /* in no slot of the cache: freed by stmt_done */
};

struct stmt_slot {
	uint64_t hash;
	char *sql;
	struct dbstmt *st;
	uint64_t used; /* when last used: the older of two candidates goes */
};

/* One database connection and its prepared statements. */
struct dbconn {
	void *db; /* sqlite3 *, PGconn * */
	const struct db_driver *drv;
	struct stmt_slot cache[STMT_CACHE];
	unsigned nnamed; /* PostgreSQL: statements named so far */
	unsigned gen;	 /* PostgreSQL: sessions so far (reconnects) */
	bool intx;	 /* PostgreSQL: a transaction is open */
	void *aux;	 /* SQLite's writer: its log checkpointer (sqlite_wal.c) */
};

/* Step results. */
enum { DB_ERROR = -1, DB_DONE = 0, DB_ROW = 1 };

/* What differs between SQLite and PostgreSQL: the connection, statements,
 * results and errors, and the few spellings of SQL that differ (the SQL
 * builder and the schema ask the driver for them). sqlite.c and pg.c each
 * define one; nothing else in the store calls a database library. */
struct db_driver {
	const char *name;
	/* Writes go through one writer connection per process with group
	 * commit (txn.c); otherwise each connection writes for itself. */
	bool group_commit;
	/* A request's reads may share one held read transaction
	 * (store_hold_reads): where a failed statement does not end it. */
	bool hold_reads;

	/* Connects to url (the store's, or its read replica's). */
	enum rp_err (*open)(struct store *s, const char *url, struct dbconn *d, bool writer,
			    struct rp_error *err);
	void (*close)(struct dbconn *d);
	/* Runs SQL text without parameters (DDL, several statements). */
	enum rp_err (*exec)(struct dbconn *d, const char *text, struct rp_error *err);
	/* Prepares text with n placeholders (?) into st. */
	enum rp_err (*prepare)(struct dbconn *d, const char *text, struct dbstmt *st,
			       struct rp_error *err);
	void (*finalize)(struct dbstmt *st);
	/* Binds the values and starts the run. */
	enum rp_err (*bind)(struct dbstmt *st, const struct value *v, int n, struct rp_error *err);
	int (*step)(struct dbstmt *st); /* DB_ROW, DB_DONE or DB_ERROR */
	void (*reset)(struct dbstmt *st);
	/* The last failure of st as our error, with a detail safe to show. */
	enum rp_err (*fail)(struct dbstmt *st, struct rp_error *err);
	int (*ncols)(struct dbstmt *st);
	const char *(*col_name)(struct dbstmt *st, int col);
	enum vkind (*col_kind)(struct dbstmt *st, int col);
	int64_t (*col_int)(struct dbstmt *st, int col);
	double (*col_double)(struct dbstmt *st, int col);
	/* NULL for NULL; valid until the next step or reset. */
	const char *(*col_text)(struct dbstmt *st, int col, size_t *ret_len);
	/* The column as a value, its text copied into a; NULL: made from
	 * col_kind and the others (stmt_column_value). */
	void (*col_value)(struct dbstmt *st, int col, struct arena *a, struct value *v);
	/* Row id made by the last insert (SQLite), rows the last write changed. */
	int64_t (*last_id)(struct dbstmt *st);
	int (*changes)(struct dbstmt *st);
	/* Makes the writer's commits durable (group commit only). */
	enum rp_err (*sync)(struct store *s, struct rp_error *err);
	/* Dialect hooks: full-text match of alias's row (of the index table)
	 * against an FTS5-style expression (textkey_query's), and replacing a
	 * row of the index. */
	void (*sql_match)(struct sql *q, const char *alias, const char *table, const char *match);
	/* A search index per entity (search_<entity>, keyed by the record's
	 * id, made by search_create), instead of one search_index for all,
	 * keyed by search_base(e) + id. */
	bool search_per_entity;
	const char *search_create; /* printf format: the table's name */
	/* The prefix (at most 3 characters) of the longest word of a match
	 * expression, as migrations/pg/006 indexes prefixes in search_terms;
	 * malloc'd, or NULL when the driver has no such index or the
	 * expression no word. Global search then reads that prefix's rows of
	 * an entity newest first and checks the whole expression on each. */
	char *(*search_prefix)(const char *match);
	/* Replaces the texts of keys (a NULL or empty text removes it). */
	enum rp_err (*search_put)(struct store_conn *c, const int64_t *keys,
				  const char *const *texts, int n, struct rp_error *err);
	/* Adds the texts of keys that have none yet (NULL or empty texts are
	 * passed over). */
	enum rp_err (*search_add)(struct store_conn *c, const int64_t *keys,
				  const char *const *texts, int n, struct rp_error *err);
	/* t.column contains (or starts with) v, both folded as rp_fold does. */
	void (*sql_contains)(struct sql *q, const char *column, const struct value *v, bool prefix);
	enum rp_err (*backup)(struct store *s, const char *dest, struct rp_error *err);
	/* store_path() of a store that is no file (heap; named after the
	 * database the URL names), NULL for the URL itself. */
	char *(*data_path)(const char *url);
	enum rp_err (*check)(struct store_conn *c, struct rp_error *err);
	enum rp_err (*check_references)(struct store_conn *c, struct store_dangling *ret,
					struct rp_error *err);
	/* Sets the identity of table after rows were written with their ids
	 * (PostgreSQL's sequences); NULL when nothing is needed. */
	enum rp_err (*ids_written)(struct store_conn *c, const char *table, struct rp_error *err);

	/* Adds the foreign key of table.column to ref's id, unless there
	 * (NULL: the column definition carries it). */
	enum rp_err (*add_reference)(struct store_conn *c, const char *table, const char *column,
				     const char *ref, struct rp_error *err);

	/* The write-ahead log position as a number: after the last commit on
	 * the primary, and replayed so far on a replica (NULL on a primary).
	 * NULL where there are no replicas. */
	const char *written_lsn, *replayed_lsn;

	/* Taken first in the migration's transaction, so servers started
	 * together migrate one after the other (NULL: the write lock does). */
	/* printf format, the table's name: triggers that count every write
	 * to it in auth_version (migrations/009), made if missing. */
	const char *auth_trigger;
	const char *migrate_lock;
	/* Run on the group-commit writer's connection around a migration,
	 * outside any batch: its index builds sort on disk rather than in
	 * memory (an upgrade at 1M contacts held 1.2 GB), while the writer's
	 * savepoints otherwise stay in memory. NULL: nothing to run. */
	const char *migrate_sort_begin, *migrate_sort_end;

	/* Spellings. */
	const char *int_type, *real_type, *id_column; /* column types, "id" column */
	const char *table_suffix;		      /* after CREATE TABLE (...) */
	bool inline_references;			      /* REFERENCES in column definitions */
	/* Bulk writes put many rows in one statement: a round trip each is
	 * most of a bulk load's time on PostgreSQL. (SQLite has no round
	 * trips, and a many-row statement that may fail halfway gets a
	 * statement journal, whose end costs as much as the transaction wrote.) */
	bool multi_row_writes;
	const char *returning_id; /* after an INSERT to read its id */
	/* A write reads its row back in the same statement (RETURNING): on
	 * PostgreSQL that saves a round trip. On SQLite a second statement is
	 * cheaper: RETURNING gives the statement a journal of its own, whose
	 * end costs in proportion to what the transaction wrote (an import's
	 * bulk batch took half as long again). */
	bool write_returning;
	const char *no_index; /* before a column not to order by index */
	/* the keys of given records, by their own index: SQLite's planner
	 * otherwise reads every key of the entity from the covering
	 * (entity, kind, key, record_id) one */
	const char *dedup_keys_by_record;
	const char *asc, *desc;	 /* sort orders with NULLs first ascending, last descending */
	const char *index_nulls; /* after an indexed column, for those orders */
	const char *skip_locked; /* after a subquery choosing a row to take */
	/* after a row read in a write transaction: the row stays as read until
	 * the commit, so a check on it (a version, a status) holds when the
	 * write lands; empty where the writer is serialised anyway */
	const char *lock_read;
	/* The database's clock in Unix seconds: job leases are reckoned by it,
	 * so servers whose clocks differ (or jump) agree on who holds one. */
	const char *epoch_now;
	const char *sum;		    /* sum(x) as a real, for a number field's totals */
	const char *ids_concat;		    /* record ids of a group, comma-separated */
	const char *tags_open, *tags_close; /* EXISTS (SELECT 1 FROM elements of ...) */
	const char *has_column;		    /* ?=table, ?=column: a row if it exists */
	const char *begin_read, *begin_write;
	const char *defer_foreign_keys;
	/* CREATE INDEX for contains/prefix filters on a searchable text
	 * column (printf: index name, table, column), or NULL. */
	const char *text_index;
	const char *has_index; /* ?=index name: a row if it exists; NULL: never asked */
	/* A restore into an empty database: what to drop before the rows go
	 * in and build after (indexes cheaper built once than kept up row by
	 * row); the end runs after the foreign keys are checked, and the
	 * indexes of fields are made again as a start-up makes them. NULL:
	 * nothing. */
	const char *bulk_load_begin, *bulk_load_end;
	/* Merges each search index into one segment (store_search_optimize;
	 * printf format: the table's name), or NULL when it keeps itself
	 * merged. */
	const char *search_optimize;
	/* One bounded step of merging the search index's small segments
	 * (store_search_tidy), in the caller's write transaction; *more is
	 * false when there was nothing to merge. NULL: nothing to do. */
	enum rp_err (*search_merge_step)(struct store_conn *c, bool *more, struct rp_error *err);
	/* Frees the writer's cached pages after a tidy (they served only the
	 * merge): NULL when nothing is to be done. */
	const char *release_memory;
	/* Run on the writer's connection while a long run of big write
	 * batches (an import) goes on, and after it: a batch's index pages are
	 * read and dirtied once in a bigger page cache, not evicted and read
	 * again (a 1M-row import: 110 s -> 97 s). NULL: nothing to run. */
	const char *bulk_begin, *bulk_end;
	const struct migration *migrations; /* this dialect's numbered files */
};

/* A numbered migration, embedded at build (scripts/embed.sh). */
struct migration {
	const char *path;
	const unsigned char *data;
	size_t len;
};
extern const struct migration store_migrations[];

extern const struct db_driver sqlite_driver;
extern const struct db_driver pg_driver;

static inline struct value value_int(int64_t i)
{
	return (struct value){.kind = V_INT, .i = i};
}

/* NULL: SQL NULL */
static inline struct value value_text(const char *s)
{
	return s ? (struct value){.kind = V_TEXT, .s = s, .len = strlen(s)}
		 : (struct value){.kind = V_NULL};
}

/* textq.c: search texts written at the commit (or at the batch's). */
struct queued_text {
	int64_t key; /* the search index's rowid */
	char *text;  /* malloc'd; NULL removes the record's text */
	bool add;    /* the record has no text in the index yet */
};
struct text_queue {
	struct queued_text *v;
	int n, cap;
	int mark[16]; /* texts queued when each nested level began */
};
void textq_push(struct text_queue *q, int64_t key, const char *text, bool add);
/* Moves from's texts to the end of to. */
void textq_append(struct text_queue *to, struct text_queue *from);
void textq_mark(struct text_queue *q, int depth); /* a nested level begins */
void textq_undo(struct text_queue *q, int depth); /* ...and rolls back */
void textq_free(struct text_queue *q);
/* Writes q through c (inside its write transaction) and empties it. */
enum rp_err textq_write(struct store_conn *c, struct text_queue *q, struct rp_error *err);

/* later.c: rows inserted at the commit. */
#define LATER_COLS 7
struct later_row {
	const char *table; /* "name (columns)" */
	int n;
	struct value v[LATER_COLS]; /* texts malloc'd */
};
struct later {
	struct later_row *rows;
	int n, cap;
	int mark[16]; /* rows queued when each nested level began */
};
/* Inserts a row into table ("name (columns)") at the commit of the open
 * write transaction, or at once outside one. */
enum rp_err later_insert(struct store_conn *c, const char *table, const struct value *v, int n,
			 struct rp_error *err);
/* Writes the queue (txn.c before a commit; a read of those tables). */
enum rp_err later_flush(struct store_conn *c, struct rp_error *err);
/* With the connection's queued search texts (textq.c): */
void later_mark(struct store_conn *c); /* a nested level begins */
void later_undo(struct store_conn *c); /* ...and rolls back */
void later_drop(struct store_conn *c); /* the transaction rolls back */

/* A thread's handle. Reads go through the thread's own connection; inside
 * a write transaction with group commit `d` points at the shared writer's,
 * so every function below works the same on either. */
struct store_conn {
	struct store *s;
	struct dbconn *d;
	struct dbconn own;
	int txdepth;
	bool writing;		  /* holds the writer for a write transaction */
	bool bulk;		  /* nested write transactions are not savepoints */
	bool doomed;		  /* bulk: a nested part failed; only a rollback may end it */
	bool whole_batch;	  /* the transaction is the writer's batch, not a savepoint in it */
	int64_t begin_changes;	  /* rows_changed when the write transaction began */
	int64_t rows_changed;	  /* by this thread's write statements, ever */
	int64_t bulk_changes[16]; /* bulk: rows_changed when each level began */
	bool held;		  /* a read transaction spans the request (store_hold_reads) */
	bool in_held;		  /* the open read transaction is the held one */
	struct dbconn replica;	  /* to the read replica, opened when first asked for */
	int64_t replica_retry_at; /* clock_mono_ns() before which the replica is not tried */
	uint64_t commit_lsn;	  /* log position after this thread's last commit */
	bool ids_later;		  /* store_defer_ids: the sequences are moved per table */
	bool ids_pending;	  /* ...and a row was written with its id since */
	bool bulk_loading;	  /* store_bulk_load: the text indexes are made at its end */
	struct later later;	  /* rows inserted at the commit (later.c) */
	struct text_queue texts;  /* search texts written at the commit (textq.c) */
	bool search_later;	  /* store_search_defer */
	bool defer_durable;	  /* store_defer_durable */
	uint64_t owed;		  /* ...the last batch a write went into, not yet durable */
	struct job_fence fence;	  /* store_fence: the job this thread's writes are for */
	struct store_conn *next;
};

/* Group commit: one connection does every write. Each write transaction
 * is a savepoint inside the open batch; one COMMIT ends a whole batch,
 * and one fdatasync of the WAL, done after the writer lock is released,
 * makes every batch committed before it durable. Writers answer only once
 * their batch is durable. Concurrent writers thus share fsyncs, work on
 * the next batch overlaps the sync, and nobody queues on SQLite's busy
 * handler. (SQLite; PostgreSQL does its own group commit.) */
struct durable_wait {
	uint64_t batch;
	void (*fn)(void *arg, const struct rp_error *failed);
	void *arg;
};
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
	/* Answers waiting for their batch (store_when_durable), and the
	 * thread committing for them when no writer thread waits. */
	struct durable_wait *waits;
	int nwaits, capwaits;
	pthread_cond_t work;
	pthread_t committer;
	bool committer_on, stopping;
	uint64_t batches, writes; /* committed, for the metrics */
	int64_t last_write_ns;	  /* monotonic time of the last batch with writes */
	uint64_t tidied;	  /* writes when the search index was last tidied */
	int wal_fd;		  /* the WAL file, synced outside the writer lock */
	struct text_queue texts;  /* of the savepoints released into the open batch */
	int bulk_runs;		  /* store_bulk_writes on, minus off */
	/* settings for the next moment no batch is open, in order */
	const char *between[4];
	int nbetween;
	struct rp_error commit_err;
};

struct store {
	const struct db_driver *drv;
	char *url;	   /* what the driver connects to: SQLite's file, PostgreSQL's URL */
	char *path;	   /* store_path(): a file in the data folder (SQLite: the database) */
	char *replica_url; /* a streaming replica for reports, or NULL (replica.c) */
	struct store_options opt;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards conns */
	struct store_conn *conns;
	struct writer w;
	uint64_t instance; /* store_instance() */
};

/* records.c: runs q and reads at most max rows of e into an array in a
 * (*ret_more: whether another row followed). */
enum rp_err fetch_rows(struct store_conn *c, struct sql *q, const struct entity_def *e,
		       const int *map, int ncols, int max, struct arena *a,
		       struct record ***ret_rows, int *ret_n, bool *ret_more, struct rp_error *err);

/* search.c: the first key of e's rows in the search index (a record's
 * key is this plus its id), and " AND column BETWEEN" e's first and last
 * key. */
int64_t search_base(const struct entity_def *e);
void sql_search_range(struct sql *q, const char *column, const struct entity_def *e);
/* The table of e's search rows (buf holds it when the driver keeps one per
 * entity), and what a row's key adds to the record's id in it. */
#define SEARCH_TABLE_LEN 64
const char *search_table(const struct db_driver *drv, const struct entity_def *e,
			 char buf[SEARCH_TABLE_LEN]);
int64_t search_key_base(const struct db_driver *drv, const struct entity_def *e);
/* e's search table "AS alias"; alias's match of the expression (and, in
 * the shared index, of e's key range); the record's id of alias's row. */
void sql_search_source(const struct db_driver *drv, struct sql *q, const struct entity_def *e,
		       const char *alias);
void sql_search_match(const struct db_driver *drv, struct sql *q, const struct entity_def *e,
		      const char *alias, const char *match);
void sql_search_id(const struct db_driver *drv, struct sql *q, const struct entity_def *e,
		   const char *alias);
/* Whether key is one of e's (*ret_id: the record's id). */
bool search_key_of(const struct entity_def *e, int64_t key, int64_t *ret_id);
/* Runs format (one %s: the table's name) on each entity's search index. */
enum rp_err search_tables_exec(struct store_conn *c, const char *format, struct rp_error *err);

/* groupcommit.c: write transactions committed so far, and how long ago
 * the last one was. */
uint64_t writes_since(struct store *s, int64_t *ret_idle_ns);

/* conn.c: a connection of the store's driver, with an empty cache. */
enum rp_err dbconn_open(struct store *s, struct dbconn *d, bool writer, struct rp_error *err);
void dbconn_close(struct dbconn *d);
/* d's prepared statement of text, from its cache or prepared now. */
struct dbstmt *dbconn_statement(struct dbconn *d, const char *text, struct rp_error *err);
/* Hands a statement of dbconn_statement back: reset, and freed if the
 * cache had no room for it. */
void dbconn_statement_done(struct dbstmt *st);
/* backup.c: after a row was written with its id, the table's id sequence
 * is moved past it, now or (store_defer_ids) once per table. */
enum rp_err ids_written(struct store_conn *c, const char *table, struct rp_error *err);
/* replica.c: the log position after a commit, when there is a replica;
 * a replica is one (checked when the store opens). */
void replica_note_commit(struct store_conn *c);
enum rp_err replica_check(struct store *s, struct rp_error *err);
/* groupcommit.c: the writer's lifecycle, and the wait of a write whose
 * savepoint went into batch `mine` until that batch is durable (the first
 * waiter commits the batch for everyone). */
enum rp_err writer_open(struct store *s, struct rp_error *err);
void writer_close(struct store *s);
void writer_exec_between_batches(struct store *s, const char *sql);
enum rp_err wait_durable(struct store *s, uint64_t mine, struct rp_error *err);

/* A statement under construction: text plus bound values. Identifiers only
 * ever come from descriptors and go through sql_ident. */
struct sql {
	struct buf b;
	struct value params[SQL_MAX_PARAMS];
	int n;
	bool overflow;
	char *owned[4]; /* texts bound by sql_text_owned, freed by sql_release */
	int nowned;
};

void sql_init(struct sql *q);
void sql_release(struct sql *q);
void sql_add(struct sql *q, const char *text);
void sql_ident(struct sql *q, const char *name);
void sql_param(struct sql *q, const struct value *v);
void sql_int(struct sql *q, int64_t i);
void sql_text(struct sql *q, const char *s);
/* Binds a heap text that q frees on release. */
void sql_text_owned(struct sql *q, char *s);
/* Appends SQL text in which %t binds a text argument (const char *, NULL
 * binds NULL) and %i an int64_t argument; %% is a percent sign. The
 * arguments are bound as parameters, never pasted into the text. */
void sql_fmt(struct sql *q, const char *fmt, ...);

/* Prepares (through the cache), binds and starts the statement; it is
 * reset by stmt_done. NULL on failure with err filled. */
struct dbstmt *stmt_prepare(struct store_conn *c, struct sql *q, struct rp_error *err);
struct dbstmt *stmt_prepare_text(struct store_conn *c, const char *text, struct rp_error *err);
void stmt_done(struct dbstmt *st);
/* Runs a statement that returns no rows; a write outside a transaction
 * becomes a transaction of its own. */
enum rp_err stmt_exec(struct store_conn *c, struct sql *q, struct rp_error *err);
/* The same, reporting the new row id and the rows changed (read inside
 * the transaction, before the connection is handed back). For the id, the
 * INSERT ends with the driver's returning_id. */
struct exec_result {
	int64_t rowid;
	int changes;
};
/* A write with RETURNING the columns sql_select_columns listed: its first
 * row as a record of e, in a (NULL if it wrote none). */
struct returning {
	const struct entity_def *e;
	const int *map;
	int ncols;
	struct arena *a;
	struct record *row;
};
/* jobs.c: a fenced thread's write transaction renews its job's lease, or
 * fails with RP_ECONFLICT "lease_lost" (store_fence). */
enum rp_err store_check_fence(struct store_conn *c, struct rp_error *err);
enum rp_err stmt_exec_r(struct store_conn *c, struct sql *q, struct exec_result *res,
			struct rp_error *err);
enum rp_err stmt_exec_returning(struct store_conn *c, struct sql *q, struct exec_result *res,
				struct returning *want, struct rp_error *err);
/* Runs plain SQL text (DDL, pragmas) outside the cache. */
enum rp_err exec_text(struct store_conn *c, const char *text, struct rp_error *err);
/* Runs q (released here), a query for the first row that refers to
 * nothing: its id, and (ref NULL) the entity it names; such a row is
 * RP_EINVAL "invalid_reference", "ENTITY ID refers to a record of REF that
 * does not exist" (backup.c), and *ret (may be NULL) names it. */
enum rp_err store_no_dangling(struct store_conn *c, struct sql *q, const char *entity,
			      const char *ref, struct store_dangling *ret, struct rp_error *err);
/* The failure for row id of table referring to nothing (of ref: NULL when
 * not known); *ret, when not NULL, names the row. */
enum rp_err store_dangling_fail(struct rp_error *err, struct store_dangling *ret, const char *table,
				int64_t id, const char *ref);

/* Reading a run. */
static inline int stmt_step(struct dbstmt *st)
{
	return st->drv->step(st);
}
static inline enum rp_err stmt_fail(struct dbstmt *st, struct rp_error *err)
{
	return st->drv->fail(st, err);
}
static inline int64_t stmt_int(struct dbstmt *st, int col)
{
	return st->drv->col_int(st, col);
}
static inline double stmt_double(struct dbstmt *st, int col)
{
	return st->drv->col_double(st, col);
}
/* NULL for NULL; valid until the next step or stmt_done. */
static inline const char *stmt_text(struct dbstmt *st, int col)
{
	return st->drv->col_text(st, col, NULL);
}
static inline const char *stmt_textn(struct dbstmt *st, int col, size_t *ret_len)
{
	return st->drv->col_text(st, col, ret_len);
}
static inline bool stmt_null(struct dbstmt *st, int col)
{
	return st->drv->col_kind(st, col) == V_NULL;
}
/* Reads column col into v (text copied into a). */
void stmt_column_value(struct dbstmt *st, int col, struct arena *a, struct value *v);
/* The driver of c. */
static inline const struct db_driver *conn_driver(const struct store_conn *c)
{
	return c->s->drv;
}

/* Appends "id","name",... for the fields in want (all readable if NULL);
 * fills map[k] = field index of the k-th column. Returns the count. */
int sql_select_columns(struct sql *q, const struct entity_def *e, const bool *want,
		       const char *alias, int *map);
/* Starts q as "SELECT <every readable column> FROM <e's table>"; map and
 * the count as sql_select_columns. */
int sql_select_all(struct sql *q, const struct entity_def *e, int *map);
/* Reads one result row into a new record. */
struct record *row_to_record(struct dbstmt *st, const struct entity_def *e, const int *map,
			     int ncols, struct arena *a);
/* The same from column first on (a second record of a joined row). */
struct record *row_to_record_at(struct dbstmt *st, int first, const struct entity_def *e,
				const int *map, int ncols, struct arena *a);
/* Appends " FROM <table> AS t WHERE ..." with the deleted flag, scope,
 * filters and full-text match of a list query (not its cursor). */
void sql_list_from_where(struct store_conn *c, struct sql *q, const struct list_query *lq);
/* Appends the scope condition for alias (" AND ..."). */
void sql_scope(struct sql *q, const char *alias, const struct scope *s);
