/* store.h — the only door to the database. Callers speak in entities,
 * records and list queries; the SQL, the dialect (SQLite now, PostgreSQL
 * behind the same calls later), connections, statement caches and
 * migrations stay behind this header.
 *
 * Threads: each thread gets its own connection from store_conn(); a
 * connection is used by one thread only. Every function returning enum
 * rp_err fills `err` on failure. Rows come back in the caller's arena. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "model/query.h"
#include "model/record.h"

struct store;
struct store_conn;

struct store_options {
	int busy_timeout_ms;	 /* how long a writer waits for the lock */
	bool synchronous_full;	 /* fsync every commit (default) */
	const char *replica_url; /* PostgreSQL: a streaming replica for reports */
};

/* Opens (creating if needed) the database at `url`: a file path, or
 * "sqlite:PATH". Does not migrate. */
enum rp_err store_open(const char *url, const struct store_options *opt, struct store **ret,
		       struct rp_error *err);
void store_close(struct store *s);
const char *store_path(const struct store *s);

/* The calling thread's connection (opened on first use; closed when the
 * thread ends or the store closes). NULL only if the database cannot be
 * opened, with err filled. */
struct store_conn *store_conn(struct store *s, struct rp_error *err);

/* Applies numbered migrations, loads custom fields into the registry and
 * brings every entity table up to its descriptor (tables, columns,
 * indexes). Idempotent. */
enum rp_err store_migrate(struct store *s, struct rp_error *err);
int store_schema_version(struct store_conn *c);

/* Transactions. A write transaction takes the write lock at once, so two
 * writers never deadlock on an upgrade. Nested calls are counted. */
enum rp_err store_begin(struct store_conn *c, bool write, struct rp_error *err);
enum rp_err store_commit(struct store_conn *c, struct rp_error *err);
void store_rollback(struct store_conn *c);
/* Holds one read transaction on the thread's own connection until
 * store_release_reads (or a write transaction, which ends it first), so a
 * request's reads share one snapshot and one lock instead of taking and
 * dropping both per statement. For request threads; no-op inside a
 * transaction. */
void store_hold_reads(struct store_conn *c);
void store_release_reads(struct store_conn *c);

/* Late acknowledgement of durable writes, for a server that can hold an
 * answer without holding its thread. While on, the commit of a write
 * transaction (SQLite's group commit) returns once the transaction is in
 * the writer's batch, without waiting for the batch to reach the disk; the
 * thread then owes its caller that wait. The next transaction this thread
 * begins waits first (so it sees its own writes); store_take_owed ends the
 * mode and returns the batch still owed (0: none), and
 * store_when_durable calls fn(arg, failed) once that batch is on disk
 * (failed NULL) or could not get there (why) — at once if that is decided,
 * otherwise from the thread that committed it. Waiting threads per batch stop bounding the
 * batch's size: a batch takes every write made during the last one's
 * fsync. Without group commit (PostgreSQL) commits wait as always. */
void store_defer_durable(struct store_conn *c, bool on);
uint64_t store_take_owed(struct store_conn *c);
void store_when_durable(struct store *s, uint64_t batch,
			void (*fn)(void *arg, const struct rp_error *failed), void *arg);
/* Waits for what this thread owes (see above); an error if the batch failed. */
enum rp_err store_settle(struct store_conn *c, struct rp_error *err);
/* Batches and writes committed since the store opened (group commit). */
void store_commit_counts(struct store *s, uint64_t *batches, uint64_t *writes);

/* Read replica (replica.c). store_read_replica switches the connection's
 * reads outside transactions to the replica if it has replayed min_lsn
 * (0: any), and says whether it did; store_read_primary switches back (a
 * write transaction does too). store_take_commit_lsn: the log position
 * after this thread's commits since the last call (0: none, or no
 * replica), for the caller to remember per user. */
bool store_has_replica(const struct store *s);
bool store_read_replica(struct store_conn *c, uint64_t min_lsn);
void store_read_primary(struct store_conn *c);
uint64_t store_take_commit_lsn(struct store_conn *c);

/* Bulk mode, for a loader that writes many records in one transaction and
 * replays the whole of it without bulk mode when a part fails: nested
 * write transactions open no savepoint, and a nested rollback dooms the
 * transaction (its commit then rolls back and fails). Savepoints cost a
 * copy of every page a part touches. Set it (on or off) right after
 * store_begin: with SQLite the transaction then becomes the writer's
 * batch itself when nothing else waits in it (see txn.c). */
void store_set_bulk(struct store_conn *c, bool on);
/* True once a nested part of the bulk transaction that wrote has been
 * rolled back (a part that wrote nothing may roll back harmlessly). */
bool store_bulk_failed(const struct store_conn *c);

/* --- records ----------------------------------------------------------- */

/* Inserts the set slots of r; sets id in ret_id. When r sets id and the
 * system fields (created_at, version, deleted_at, ...), they are written
 * as given: that is how a backup is restored. */
enum rp_err store_insert(struct store_conn *c, const struct record *r, int64_t *ret_id,
			 struct rp_error *err);
/* The same, with the row as stored (defaults, id) read back by the same
 * statement into a: a write then needs no second read. */
enum rp_err store_insert_fresh(struct store_conn *c, const struct record *r, struct arena *a,
			       struct record **ret, struct rp_error *err);
/* Inserts records of one entity with their ids set (a restore): several
 * to a statement where the driver writes so, each row as store_insert
 * would. On a failure ret_failed[0..1] are the first and last index of
 * the rows of the statement that failed (one row on SQLite). */
enum rp_err store_insert_many(struct store_conn *c, struct record *const *r, int n,
			      int ret_failed[2], struct rp_error *err);
/* Updates the set slots of r on row id. */
enum rp_err store_update(struct store_conn *c, const struct record *r, int64_t id,
			 struct rp_error *err);
enum rp_err store_update_fresh(struct store_conn *c, const struct record *r, int64_t id,
			       struct arena *a, struct record **ret, struct rp_error *err);
/* Reads one row, deleted or not (the caller decides what deleted means). */
enum rp_err store_get(struct store_conn *c, const struct entity_def *e, int64_t id, struct arena *a,
		      struct record **ret, struct rp_error *err);
/* Row id of e and, in the same statement, the record its reference field
 * points at (*ret_ref NULL when it points at nothing). */
enum rp_err store_get_with_ref(struct store_conn *c, const struct entity_def *e, int64_t id,
			       const char *field, struct arena *a, struct record **ret,
			       struct record **ret_ref, struct rp_error *err);
/* Reads a page: up to q->limit rows in q's order after q's cursor, the
 * scope and filters applied. *ret_more tells whether rows follow. */
enum rp_err store_list(struct store_conn *c, const struct list_query *q, struct arena *a,
		       struct record ***ret_rows, int *ret_n, bool *ret_more, struct rp_error *err);
/* The id of q's first row (q's scope, filters and order; one row read),
 * 0 if none or on a failure. */
int64_t store_first_id(struct store_conn *c, const struct list_query *q, struct arena *a);
/* True if a live row with that id exists (for reference checks). */
bool store_exists(struct store_conn *c, const struct entity_def *e, int64_t id);
/* True if another live row (id != except_id) has this value in field. */
bool store_value_taken(struct store_conn *c, const struct entity_def *e, const struct field_def *f,
		       const struct value *v, int64_t except_id);
/* Counts live rows (for metrics and demo). */
int64_t store_count(struct store_conn *c, const struct entity_def *e);

/* Writes {"data":[{<group fields>, "count", "sum"}]} for the rows q
 * selects (its cursor, sort and limit are ignored), grouped by the given
 * field indexes; sum_field < 0 for counts only. At most 1000 groups. */
enum rp_err store_aggregate(struct store_conn *c, const struct list_query *q, const int *group,
			    int ngroup, int sum_field, struct buf *out, struct rp_error *err);

/* --- search ------------------------------------------------------------ */

/* Inside a write transaction the texts written below reach the index when
 * it commits (with group commit, when its batch does), all of them in two
 * statements: FTS5 writes an index segment at every savepoint. A search
 * inside the transaction does not see them yet. Outside one they are
 * written at once. */

/* Replaces the indexed text of a record (NULL text removes it). */
enum rp_err store_search_put(struct store_conn *c, const struct entity_def *e, int64_t id,
			     const char *text, struct rp_error *err);
/* The same for a record that has none yet (just inserted). */
enum rp_err store_search_add(struct store_conn *c, const struct entity_def *e, int64_t id,
			     const char *text, struct rp_error *err);
/* The same for many records at once. */
struct search_text {
	const struct entity_def *e;
	int64_t id;
	const char *text;
};
enum rp_err store_search_add_many(struct store_conn *c, const struct search_text *t, int n,
				  struct rp_error *err);
enum rp_err store_search_put_many(struct store_conn *c, const struct search_text *t, int n,
				  struct rp_error *err);
/* Writes the texts the open write transaction has queued so far, where
 * nothing else waits for the commit: a long transaction (a restore)
 * bounds its memory with it. */
enum rp_err store_search_flush(struct store_conn *c, struct rp_error *err);
/* Writes what the open write transaction queued for its commit (audit
 * and undo-log rows, search texts) now: a transaction of a million
 * changes (an undo) would hold them all in memory. */
enum rp_err store_write_queued(struct store_conn *c, struct rp_error *err);
/* After a bulk load (a restore, the demo): merges the search index into
 * one segment. FTS5 keeps a segment per batch of texts written and merges
 * them lazily, so a search of a freshly loaded index reads dozens of
 * b-trees (a quarter of its time at 100k and 1M contacts, measured).
 * Seconds per million records, with the writer held. Nothing on
 * PostgreSQL. */
enum rp_err store_search_optimize(struct store_conn *c, struct rp_error *err);
/* Merges the search index's small segments while the store is idle: FTS5
 * writes a segment per batch of texts and merges them only as more come,
 * and every search reads every segment (15 after two seconds of creates
 * at 1M made a search 1.8 times as slow). Does something only when
 * records were written since the last tidy and nothing for a moment;
 * each step is a short write transaction of its own, and it stops as soon
 * as another write comes. For a background thread (the job worker). */
void store_search_tidy(struct store_conn *c);
/* Texts written after their records (backlog.c). While on, the
 * domain asks store_search_deferred inside a write transaction and, when
 * true, queues a new record's key with store_search_later instead of its
 * text; the key reaches search_backlog at the commit (and goes with a
 * rollback). Such a record is not found by search until its text is
 * written. */
void store_search_defer(struct store_conn *c, bool on);
bool store_search_deferred(const struct store_conn *c);
enum rp_err store_search_later(struct store_conn *c, const struct entity_def *e, int64_t id,
			       struct rp_error *err);
/* Records whose derived rows wait to be written (backlog.c): search texts
 * deferred as above, duplicate keys a migration asked to make again. */
enum store_backlog { BACKLOG_SEARCH, BACKLOG_DEDUP };
/* Inside a write transaction: hands the records of up to max keys of the
 * backlog, oldest first, to fn, entity by entity (records since removed
 * are left out), and takes those keys out of the backlog. Returns the keys
 * taken (0: the backlog is empty), -1 on a failure in err. */
typedef enum rp_err (*backlog_fn)(void *ctx, const struct entity_def *e, struct record *const *rows,
				  int n, struct rp_error *err);
int store_backlog_take(struct store_conn *c, enum store_backlog which, int max, backlog_fn fn,
		       void *ctx, struct rp_error *err);
/* Whether any key waits in the backlog. */
bool store_backlog_waiting(struct store_conn *c, enum store_backlog which);
/* Starts (on) or ends a long run of big write batches, as an import's:
 * the writer gets more page cache meanwhile (db_driver.bulk_begin). Runs
 * may overlap; the last one to end gives the memory back. */
void store_bulk_writes(struct store *s, bool on);
/* Live rows of e matching an FTS expression, newest first, within scope;
 * with want (indexed by field), only those fields are read. */
enum rp_err store_search(struct store_conn *c, const struct entity_def *e, const char *match,
			 const struct scope *scope, const bool *want, int limit, struct arena *a,
			 struct record ***ret_rows, int *ret_n, struct rp_error *err);

/* --- timeline ---------------------------------------------------------- */

struct timeline_item {
	const struct entity_def *ent;
	struct record *rec;
	const char *at; /* RFC 3339 */
};

/* Records linked to (e, id) — activities on it and on its children, and
 * its deals — newest first, each within the caller's scope for its
 * entity (scope_of is called per entity). */
enum rp_err store_timeline(struct store_conn *c, const struct entity_def *e, int64_t id,
			   struct scope (*scope_of)(const struct entity_def *, void *), void *ctx,
			   int limit, const char *before, struct arena *a,
			   struct timeline_item **ret, int *ret_n, struct rp_error *err);

/* --- duplicates and lookups -------------------------------------------- */

/* A normalised key of a record: kind "email", "phone" or "name". */
struct dedup_key {
	const char *kind;
	const char *key;
};
/* Replaces the record's keys (n = 0 removes them). */
enum rp_err store_dedup_replace(struct store_conn *c, const struct entity_def *e, int64_t id,
				const struct dedup_key *keys, int n, struct rp_error *err);
/* Adds the keys of a record that has none yet (just inserted). */
enum rp_err store_dedup_add(struct store_conn *c, const struct entity_def *e, int64_t id,
			    const struct dedup_key *keys, int n, struct rp_error *err);
/* The same for several new records: keys[i] is a key of record ids[i]
 * (on PostgreSQL many to a statement). */
enum rp_err store_dedup_add_many(struct store_conn *c, const struct entity_def *e,
				 const int64_t *ids, const struct dedup_key *keys, int n,
				 struct rp_error *err);
/* Up to max live records of e other than except_id with that key, lowest
 * id first; returns how many. */
int store_dedup_find(struct store_conn *c, const struct entity_def *e, const char *kind,
		     const char *key, int64_t except_id, int64_t *ret_ids, int max);
/* For each of keys[0..n) of e, the lowest live record with that key in
 * ret_ids[i] (0: none), in one statement; returns how many were found. */
int store_dedup_find_each(struct store_conn *c, const struct entity_def *e,
			  const struct dedup_key *keys, int n, int64_t *ret_ids);
/* Up to max keys of a kind (deleted records' included) with their records,
 * in key order: after from (from the first when NULL), or with before the
 * ones up to and including from, nearest first. */
int store_dedup_run(struct store_conn *c, const struct entity_def *e, const char *kind,
		    const char *from, bool before, int max, struct arena *a,
		    struct dedup_key *ret_keys, int64_t *ret_ids);
/* Up to max keys of a kind that start with prefix (deleted records'
 * included), with their records: those nearest to key in key order, half
 * from key on and half before it (a company of thousands of people reads
 * the names around a row's, not its first ones). */
int store_dedup_near(struct store_conn *c, const struct entity_def *e, const char *kind,
		     const char *prefix, const char *key, int max, struct arena *a,
		     struct dedup_key *ret_keys, int64_t *ret_ids);
/* The keys of the kinds named (a NULL-ended list) that records ids[0..n)
 * of e have, in *ret_keys with their record in *ret_ids (in the arena);
 * returns how many. */
int store_dedup_keys_of(struct store_conn *c, const struct entity_def *e, const int64_t *ids, int n,
			const char *const *kinds, struct arena *a, struct dedup_key **ret_keys,
			int64_t **ret_ids);
/* The lowest id of a live record whose field equals value, or 0. */
int64_t store_find_by(struct store_conn *c, const struct entity_def *e, const char *field,
		      const char *value);

#define DEDUP_GROUP_MAX 20
struct dedup_group {
	const char *kind, *key;
	int64_t ids[DEDUP_GROUP_MAX];
	int n;
};
/* Up to limit keys that two or more records of e share (ids of deleted
 * records included), ordered by (kind, key) after (after_kind,
 * after_key) when given. -1 on failure. */
int store_dedup_groups(struct store_conn *c, const struct entity_def *e, const char *after_kind,
		       const char *after_key, int limit, struct arena *a, struct dedup_group *ret,
		       struct rp_error *err);
/* Keys of a kind of e that start with from now start with to instead
 * (the rest of each key kept), deleted records' included. */
enum rp_err store_dedup_move_prefix(struct store_conn *c, const struct entity_def *e,
				    const char *kind, const char *from, const char *to,
				    struct rp_error *err);
/* Points every reference to record from_id of e at to_id instead, with
 * an entry by user_id in each moved record's history. */
enum rp_err store_repoint(struct store_conn *c, const struct entity_def *e, int64_t from_id,
			  int64_t to_id, int64_t user_id, const char *now, struct rp_error *err);

/* --- jobs and imports ---------------------------------------------------- */

struct job_fence {
	int64_t id, claim; /* the job and its claim (attempts); id 0: none */
	int lease_s;
};

struct job_row {
	int64_t id, ref_id;
	char kind[32];
	int attempts; /* claims so far: this one's number fences its writes */
};
enum rp_err store_job_add(struct store_conn *c, const char *kind, int64_t ref_id, int64_t *ret_id,
			  struct rp_error *err);
/* Takes the oldest queued job (or one whose lease expired) for lease_s
 * seconds of the database's clock; RP_ENOTFOUND when there is none. */
enum rp_err store_job_claim(struct store_conn *c, int lease_s, struct job_row *ret,
			    struct rp_error *err);
/* Extends the claim's lease; RP_ECONFLICT "lease_lost" when the job is
 * no longer this claim's (the lease ran out and it was claimed again). */
enum rp_err store_job_touch(struct store_conn *c, const struct job_row *job, int lease_s,
			    struct rp_error *err);
/* status: "done" or "failed"; nothing when the claim was lost. */
enum rp_err store_job_finish(struct store_conn *c, const struct job_row *job, const char *status,
			     const char *error, struct rp_error *err);
/* Puts the claimed job back in the queue, to be taken up at once (by this
 * server when it starts again, or by another). */
enum rp_err store_job_release(struct store_conn *c, const struct job_row *job,
			      struct rp_error *err);
/* From now on every write transaction this thread commits on c renews the
 * claim's lease in the same transaction, and is rolled back instead
 * (RP_ECONFLICT "lease_lost") once the job is no longer this claim's: a
 * job's writes land only while it holds its lease, so a job taken over
 * after its lease ran out is never carried on twice. NULL ends it. */
void store_fence(struct store_conn *c, const struct job_row *job, int lease_s);
bool store_lease_lost(const struct rp_error *err);

/* One record an import created ("created") or changed ("updated",
 * "merged"; old holds the previous values of the fields it wrote). */
struct import_change {
	int64_t import_id, seq, record_id;
	int64_t version; /* the record's after the change; 0: not known */
	const char *entity, *action, *old;
};
enum rp_err store_import_change_add(struct store_conn *c, const struct import_change *ch,
				    struct rp_error *err);
/* Up to limit changes with seq < before_seq, newest first; strings in a. */
int store_import_changes(struct store_conn *c, int64_t import_id, int64_t before_seq, int limit,
			 struct arena *a, struct import_change *ret);

/* The account of the activities about record (type, id) becomes
 * account_id (0: none). */
enum rp_err store_activities_account(struct store_conn *c, const char *type, int64_t id,
				     int64_t account_id, struct rp_error *err);

/* Fills the columns of table whose values derive from other rows
 * (activities.account_id), where they are empty; column NULL: all of
 * them. For bulk loads that bypass the record service (demo data). */
enum rp_err store_fill_derived(struct store_conn *c, const char *table, const char *column,
			       struct rp_error *err);

/* --- custom fields ----------------------------------------------------- */

/* Adds the column and the definition row, then the field to the registry,
 * in one transaction. def is validated by the model first. */
enum rp_err store_add_custom_field(struct store_conn *c, const struct entity_def *e,
				   const struct field_def *def, struct rp_error *err);

/* --- audit ------------------------------------------------------------- */

/* changes_json: [{"field","old","new"}...] */
enum rp_err store_audit_add(struct store_conn *c, const struct entity_def *e, int64_t id,
			    int64_t user_id, const char *action, const char *changes_json,
			    struct rp_error *err);
/* Writes {"data":[...]} of the record's history, newest first. */
enum rp_err store_audit_list(struct store_conn *c, const struct entity_def *e, int64_t id,
			     int limit, struct buf *out, struct rp_error *err);

/* --- sessions, tokens, idempotency, login throttling ------------------- */

struct session_row {
	int64_t user_id;
	int64_t expires_at;
	char csrf[65];
};

enum rp_err store_session_put(struct store_conn *c, const char *token_hash, int64_t user_id,
			      const char *csrf, int64_t expires_at, struct rp_error *err);
enum rp_err store_session_get(struct store_conn *c, const char *token_hash, struct session_row *ret,
			      struct rp_error *err);
void store_session_delete(struct store_conn *c, const char *token_hash);
void store_session_delete_user(struct store_conn *c, int64_t user_id);

enum rp_err store_token_put(struct store_conn *c, int64_t user_id, const char *name,
			    const char *token_hash, const char *prefix, int64_t *ret_id,
			    struct rp_error *err);
/* The live token's user, or RP_ENOTFOUND. */
enum rp_err store_token_find(struct store_conn *c, const char *token_hash, int64_t *ret_user_id,
			     int64_t *ret_token_id, struct rp_error *err);
/* A number that changes with every write to users, roles, api_tokens or
 * custom_fields, by any process (migrations/009, schema.c's triggers): what a caller remembered as of one
 * number is still true while it is the same. */
enum rp_err store_auth_version(struct store_conn *c, int64_t *ret, struct rp_error *err);
/* Tells this process's stores apart: never the same for two store_open
 * calls, unlike the store's address. */
uint64_t store_instance(const struct store_conn *c);
/* Writes a JSON array of a user's tokens (all users' when user_id is 0). */
enum rp_err store_token_list(struct store_conn *c, int64_t user_id, struct buf *out,
			     struct rp_error *err);
/* Revokes; RP_ENOTFOUND unless a live token of that user (any user when
 * user_id is 0) has that id. */
enum rp_err store_token_revoke(struct store_conn *c, int64_t token_id, int64_t user_id,
			       struct rp_error *err);

struct idem_row {
	int status;
	char request_hash[65];
	const char *body;    /* arena */
	const char *headers; /* arena: "ETag: ..." lines */
};
enum rp_err store_idem_get(struct store_conn *c, int64_t user_id, const char *key, struct arena *a,
			   struct idem_row *ret, struct rp_error *err);
enum rp_err store_idem_put(struct store_conn *c, int64_t user_id, const char *key,
			   const struct idem_row *row, struct rp_error *err);

/* Failed logins for key since `since`; record and clear them. */
int store_login_failures(struct store_conn *c, const char *key, int64_t since);
void store_login_fail(struct store_conn *c, const char *key, int64_t at);
void store_login_clear(struct store_conn *c, const char *key);

/* --- two-factor secrets (user_totp) ------------------------------------ */

/* A user's TOTP secrets as base32 text: the one in force (NULL until
 * enabled), one set up and awaiting its first code (NULL when none), and
 * the last 30-second step a code was accepted for. Kept out of every
 * entity table, so no record, list, export or audit entry carries them. */
struct totp_row {
	const char *secret;
	const char *pending;
	int64_t last_step;
};
/* RP_ENOTFOUND when the user has no row. Strings live in a. */
enum rp_err store_totp_get(struct store_conn *c, int64_t user_id, struct arena *a,
			   struct totp_row *ret, struct rp_error *err);
/* Inserts or replaces the user's row. */
enum rp_err store_totp_put(struct store_conn *c, int64_t user_id, const struct totp_row *row,
			   struct rp_error *err);
/* Records that a code of `step` was accepted, in one statement: RP_ECONFLICT
 * ("otp_reused") when a code of this step or a later one was accepted
 * before (or the user has no row), so no code works twice. */
enum rp_err store_totp_claim_step(struct store_conn *c, int64_t user_id, int64_t step,
				  struct rp_error *err);
enum rp_err store_totp_delete(struct store_conn *c, int64_t user_id, struct rp_error *err);

/* --- full backup and restore (rapport export --all / import --all) ---- */

/* The system tables a backup carries besides the entity tables, in the
 * order to load them, NULL-terminated: custom_fields, audit_log,
 * api_tokens, user_totp. (Sessions, idempotency keys and login failures
 * are transient and left out.) */
const char *const *store_backup_tables(void);
/* Reads up to limit rows of e with id > after_id in id order, deleted or
 * not, with every column as stored (write-only ones such as password
 * hashes included). Rows live in a. */
enum rp_err store_scan(struct store_conn *c, const struct entity_def *e, int64_t after_id,
		       int limit, struct arena *a, struct record ***ret_rows, int *ret_n,
		       struct rp_error *err);
/* All rows of an entity table (deleted too) or of a backup table; -1 for
 * any other name or on failure. */
int64_t store_table_count(struct store_conn *c, const char *table);
/* Appends up to limit rows of a backup table with rowid > after to out as
 * JSON lines (one object per row, keyed by column, values as stored);
 * *ret_last is the last rowid written, *ret_n the number of rows. */
enum rp_err store_table_dump(struct store_conn *c, const char *table, int64_t after, int limit,
			     struct buf *out, int64_t *ret_last, int *ret_n, struct rp_error *err);
/* Inserts one row of a backup table from a JSON object as dumped above.
 * RP_EINVAL ("invalid_backup") for a column the table lacks or a value
 * that is not a number, text or null. */
enum rp_err store_table_load(struct store_conn *c, const char *table, json_t *row,
			     struct rp_error *err);
/* Inside a write transaction: foreign keys are checked at its end rather
 * than per statement, so rows that point at each other (roles and users)
 * load in any order. */
enum rp_err store_defer_foreign_keys(struct store_conn *c, struct rp_error *err);
/* The schema lock is taken before the writer's (store_migrate, custom
 * fields); a transaction that migrates inside it (a restore) holds it from
 * before its store_begin to after its end, so the order never inverts. */
void store_schema_hold(void);
void store_schema_release(void);
/* Inside a write transaction: rows written with their ids (a restore) do
 * not each move the table's id sequence past them (PostgreSQL: a round
 * trip per row); store_ids_written does it once per table, and must be
 * called for each table loaded before the commit. */
void store_defer_ids(struct store_conn *c);
enum rp_err store_ids_written(struct store_conn *c, const char *table, struct rp_error *err);
/* Inside the write transaction of a restore into an empty database:
 * begin drops what the driver builds faster once after the load (on
 * PostgreSQL the GIN indexes and the search terms' triggers), end (after
 * store_check_references) checks the deferred foreign keys and builds it
 * again; on SQLite it merges the search index (store_search_optimize). */
enum rp_err store_bulk_load(struct store_conn *c, bool begin, struct rp_error *err);
/* The row a reference check found pointing at nothing: its table and id. */
struct store_dangling {
	char table[64];
	int64_t id;
};
/* RP_EINVAL naming the first row whose reference points at nothing; that
 * row in *ret (may be NULL). */
enum rp_err store_check_references(struct store_conn *c, struct store_dangling *ret,
				   struct rp_error *err);
/* Inside a write transaction: deletes every record of every entity, the
 * search index, the audit log, tokens, two-factor secrets, sessions,
 * idempotency keys and login failures (custom field definitions stay).
 * For restoring over the rows a bootstrap made. */
enum rp_err store_erase_all(struct store_conn *c, struct rp_error *err);

/* Online backup of the whole database to a new file at dest: SQLite's
 * backup of the file, or on PostgreSQL pg_dump's custom format. */
enum rp_err store_backup(struct store *s, const char *dest, struct rp_error *err);
/* PostgreSQL's dump of the database at url into dest (removed again if
 * pg_dump fails). */
enum rp_err store_pg_dump(const char *url, const char *dest, struct rp_error *err);
/* Whether the file at path is a pg_dump archive (custom format). */
bool store_is_pg_dump(const char *path);
/* Checks such an archive: a dump of a Rapport database, every part of it
 * readable (pg_restore). */
enum rp_err store_pg_dump_verify(const char *path, struct rp_error *err);
/* The database's own consistency checks: every page and index, every
 * reference, the search index against its text. */
enum rp_err store_check(struct store_conn *c, struct rp_error *err);
