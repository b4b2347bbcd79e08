/* pg.c — the PostgreSQL driver (libpq): a connection per thread (the
 * store's pool), statements prepared once per connection by name and run
 * with PQexecPrepared, text results read row by row, SQLSTATEs mapped to
 * our errors, and PostgreSQL's spellings of SQL (its full-text search is
 * pg_search.c, its backups pg_dump.c). With pg_dump.c's parsing of a URL,
 * the only file that calls libpq. */
#include "store/internal.h"
#include "store/pg_internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "model/registry.h"

#define CONN(d) ((PGconn *)(d)->db)
#define RES(st) ((PGresult *)(st)->res)

/* PostgreSQL's type ids (pg_type.dat) of the results we read. */
enum {
	OID_BOOL = 16,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700
};

/* The data folder for files kept beside the database (imports, exports):
 * $RAPPORT_DATA_DIR, else ./data. store_path() names a file in it after
 * the database ("postgres-crm" for postgres://host/crm), so callers that
 * take its folder find the right one, and those that add to its name
 * (the imports folder) keep two databases' files apart. */
static char *data_path(const char *url)
{
	const char *dir = getenv("RAPPORT_DATA_DIR");
	const char *end = url + strcspn(url, "?"), *authority = strstr(url, "://");
	const char *slash = authority && authority < end
				    ? memchr(authority + 3, '/', (size_t)(end - authority - 3))
				    : NULL;
	const char *name = slash ? slash + 1 : end;
	char safe[256] = "";
	size_t n = 0;
	for (; name < end && n + 1 < sizeof safe; name++)
		safe[n++] =
			isalnum((unsigned char)*name) || *name == '_' || *name == '-' ? *name : '_';
	safe[n] = '\0';
	char path[4400];
	snprintf(path, sizeof path, "%s/postgres%s%s", dir && *dir ? dir : "./data", n ? "-" : "",
		 safe);
	return strdup(path);
}

static enum rp_err fail_state(const char *state, const char *msg, struct rp_error *err)
{
	if (!strcmp(state, "23505"))
		return rp_fail(err, RP_ECONFLICT, "duplicate",
			       "a record with this value already exists");
	if (!strcmp(state, "23503"))
		return rp_fail(err, RP_EINVAL, "invalid_reference",
			       "a referenced record does not exist");
	/* a value of the wrong type (22...) is what SQLite's STRICT tables
	 * report as a constraint */
	if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2))
		return rp_fail(err, RP_EINVAL, "constraint_failed",
			       "the values break a rule of the database");
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
	    !strcmp(state, "57014"))
		return rp_fail(err, RP_EBUSY, "busy", "the database is busy; try again");
	if (!strcmp(state, "53100"))
		return rp_fail(err, RP_ENOSPACE, "insufficient_storage",
			       "the disk is full; nothing was written");
	if (!strncmp(state, "08", 2) || !strncmp(state, "53", 2) || !strncmp(state, "57", 2) ||
	    !strncmp(state, "58", 2) || !*state)
		return rp_fail(err, RP_EIO, "storage_error", "the database could not be reached");
	return rp_fail(err, RP_EINTERNAL, "internal_error", "database error %s: %s", state, msg);
}

/* Keeps SQLSTATE and message of a failed result in st (or reports them). */
static enum rp_err fail_result(PGconn *conn, PGresult *res, struct dbstmt *st, struct rp_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(conn);
	char st_buf[6];
	snprintf(st_buf, sizeof st_buf, "%s", state ? state : "");
	if (st) {
		memcpy(st->state, st_buf, sizeof st_buf);
		snprintf(st->msg, sizeof st->msg, "%s", msg);
	}
	return fail_state(st_buf, msg, err);
}

static bool result_ok(PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* "relation already exists, skipping" and the like */
}

static void pq_close(struct dbconn *d)
{
	PQfinish(CONN(d));
	d->db = NULL;
}

/* After the server dropped the session (a restart, a failover): a new
 * one, when no transaction was open in the old — one that was is lost,
 * and its writer gets the error. Statements are prepared again on use. */
static bool reconnect(struct dbconn *d)
{
	if (d->intx || PQstatus(CONN(d)) != CONNECTION_BAD)
		return false;
	PQreset(CONN(d));
	if (PQstatus(CONN(d)) != CONNECTION_OK)
		return false;
	d->gen++;
	return true;
}

static bool starts(const char *text, const char *word)
{
	return !strncasecmp(text, word, strlen(word));
}

static enum rp_err pq_exec(struct dbconn *d, const char *text, struct rp_error *err)
{
	PGresult *res = PQexec(CONN(d), text);
	if (!result_ok(res) && reconnect(d)) {
		PQclear(res);
		res = PQexec(CONN(d), text);
	}
	bool ok = result_ok(res);
	if (ok && starts(text, "BEGIN"))
		d->intx = true;
	else if (starts(text, "COMMIT") ||
		 (starts(text, "ROLLBACK") && !starts(text, "ROLLBACK TO")))
		d->intx = false;
	enum rp_err rc = ok ? RP_OK : fail_result(CONN(d), res, NULL, err);
	PQclear(res);
	return rc;
}

static enum rp_err pq_open(struct store *s, const char *url, struct dbconn *d, bool writer,
			   struct rp_error *err)
{
	(void)writer;
	/* session settings travel with the connection, so PQreset keeps them */
	char options[160];
	snprintf(options, sizeof options,
		 "-c client_min_messages=warning -c synchronous_commit=%s -c lock_timeout=%d",
		 s->opt.synchronous_full ? "on" : "off", s->opt.busy_timeout_ms);
	/* a host that does not answer fails after 10 s unless the URL says
	 * otherwise (keys after "dbname" would override the URL's) */
	const char *const keys[] = {"connect_timeout", "dbname", "application_name", "options",
				    NULL};
	const char *const vals[] = {"10", url, "rapport", options, NULL};
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	d->db = conn;
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password */
		char why[200];
		snprintf(why, sizeof why, "%s", conn ? PQerrorMessage(conn) : "out of memory");
		why[strcspn(why, "\n")] = 0;
		dbconn_close(d);
		return rp_fail(err, RP_EIO, "storage_error", "cannot connect to PostgreSQL: %s",
			       why);
	}
	PQsetNoticeProcessor(conn, no_notices, NULL);
	return RP_OK;
}

/* The text with each ? placeholder numbered ($1, $2, ...), quoted strings
 * and identifiers left alone; *ret_n is how many there were. */
static char *number_placeholders(const char *text, int *ret_n)
{
	struct buf b;
	buf_init(&b, 0);
	int n = 0;
	char quote = 0;
	for (const char *p = text; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			buf_addc(&b, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			buf_addc(&b, *p);
		} else if (*p == '?') {
			buf_printf(&b, "$%d", ++n);
		} else {
			buf_addc(&b, *p);
		}
	}
	*ret_n = n;
	return buf_detach(&b, NULL);
}

static enum rp_err prepare_named(struct dbstmt *st, struct rp_error *err)
{
	PGresult *res = PQprepare(CONN(st->conn), st->name, st->text, st->nparams, NULL);
	enum rp_err rc = result_ok(res) ? RP_OK : fail_result(CONN(st->conn), res, st, err);
	PQclear(res);
	st->gen = st->conn->gen;
	return rc;
}

static enum rp_err pq_prepare(struct dbconn *d, const char *text, struct dbstmt *st,
			      struct rp_error *err)
{
	snprintf(st->name, sizeof st->name, "r%u", ++d->nnamed);
	st->text = number_placeholders(text, &st->nparams);
	st->row = -1;
	enum rp_err rc = prepare_named(st, err);
	if (rc && reconnect(d))
		rc = prepare_named(st, err);
	if (rc) {
		free(st->text);
		st->text = NULL;
	}
	return rc;
}

static void pq_reset(struct dbstmt *st)
{
	PQclear(RES(st));
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

static void pq_finalize(struct dbstmt *st)
{
	pq_reset(st);
	free(st->text);
	st->text = NULL;
	if (!st->conn->db || st->gen != st->conn->gen)
		return;
	char sql[40];
	snprintf(sql, sizeof sql, "DEALLOCATE \"%s\"", st->name);
	pq_exec(st->conn, sql, NULL);
}

/* Runs the statement with v bound (as text): the whole result is read
 * here, and stepped through by pq_step. */
static enum rp_err pq_bind(struct dbstmt *st, const struct value *v, int n, struct rp_error *err)
{
	static _Thread_local char nums[SQL_MAX_PARAMS][32];
	const char *vals[SQL_MAX_PARAMS];
	if (n > SQL_MAX_PARAMS)
		return rp_fail(err, RP_EINVAL, "query_too_large",
			       "the request needs too large a query");
	for (int i = 0; i < n; i++) {
		switch (v[i].kind) {
		case V_NULL: vals[i] = NULL; break;
		case V_INT:
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)v[i].i);
			vals[i] = nums[i];
			break;
		case V_REAL:
			snprintf(nums[i], sizeof nums[i], "%.17g", v[i].d);
			vals[i] = nums[i];
			break;
		case V_TEXT: vals[i] = v[i].s; break;
		}
	}
	pq_reset(st);
	if (st->gen != st->conn->gen && prepare_named(st, err))
		return err->err;
	PGresult *res = PQexecPrepared(CONN(st->conn), st->name, n, vals, NULL, NULL, 0);
	if (!result_ok(res) && reconnect(st->conn)) {
		PQclear(res);
		if (prepare_named(st, err))
			return err->err;
		res = PQexecPrepared(CONN(st->conn), st->name, n, vals, NULL, NULL, 0);
	}
	if (!result_ok(res)) {
		enum rp_err rc = fail_result(CONN(st->conn), res, st, err);
		PQclear(res);
		return rc;
	}
	st->res = res;
	st->nrows = PQntuples(res);
	return RP_OK;
}

static int pq_step(struct dbstmt *st)
{
	if (!st->res || st->row + 1 >= st->nrows)
		return DB_DONE;
	st->row++;
	return DB_ROW;
}

static enum rp_err pq_fail(struct dbstmt *st, struct rp_error *err)
{
	return fail_state(st->state, st->msg, err);
}

static int pq_ncols(struct dbstmt *st)
{
	return st->res ? PQnfields(RES(st)) : 0;
}

static const char *pq_col_name(struct dbstmt *st, int col)
{
	return PQfname(RES(st), col);
}

static enum vkind pq_col_kind(struct dbstmt *st, int col)
{
	if (st->row < 0 || PQgetisnull(RES(st), st->row, col))
		return V_NULL;
	switch (PQftype(RES(st), col)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8: return V_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC: return V_REAL;
	default: return V_TEXT;
	}
}

static int64_t pq_col_int(struct dbstmt *st, int col)
{
	if (st->row < 0)
		return 0;
	const char *s = PQgetvalue(RES(st), st->row, col);
	if (*s == 't')
		return 1; /* a boolean */
	return strtoll(s, NULL, 10);
}

static double pq_col_double(struct dbstmt *st, int col)
{
	return st->row < 0 ? 0 : strtod(PQgetvalue(RES(st), st->row, col), NULL);
}

static const char *pq_col_text(struct dbstmt *st, int col, size_t *ret_len)
{
	if (st->row < 0 || PQgetisnull(RES(st), st->row, col)) {
		if (ret_len)
			*ret_len = 0;
		return NULL;
	}
	if (ret_len)
		*ret_len = (size_t)PQgetlength(RES(st), st->row, col);
	return PQgetvalue(RES(st), st->row, col);
}

/* An INSERT ... RETURNING "id" carries the id in its first row. */
static int64_t pq_last_id(struct dbstmt *st)
{
	if (!st->res || PQntuples(RES(st)) < 1 || PQnfields(RES(st)) < 1)
		return 0;
	return strtoll(PQgetvalue(RES(st), 0, 0), NULL, 10);
}

static int pq_changes(struct dbstmt *st)
{
	return st->res ? (int)strtol(PQcmdTuples(RES(st)), NULL, 10) : 0;
}

static enum rp_err pq_sync(struct store *s, struct rp_error *err)
{
	(void)s;
	(void)err;
	return RP_OK; /* no group commit: each COMMIT is durable */
}

/* --- backup, checks, identities ------------------------------------------- */

static enum rp_err pq_backup(struct store *s, const char *dest, struct rp_error *err)
{
	return store_pg_dump(s->url, dest, err);
}

static enum rp_err pq_check(struct store_conn *c, struct rp_error *err)
{
	return exec_text(c, "SELECT 1", err);
}

/* Entity tables carry no foreign keys in PostgreSQL (yet): every reference
 * field is checked here, as SQLite's foreign_key_check does. */
static enum rp_err pq_check_references(struct store_conn *c, struct store_dangling *ret,
				       struct rp_error *err)
{
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		int n = entity_nfields(e);
		for (int k = 0; k < n; k++) {
			const struct field_def *f = &e->fields[k];
			if (f->type != FT_REF || !f->ref)
				continue;
			struct sql q;
			sql_init(&q);
			sql_add(&q, "SELECT t.\"id\" FROM ");
			sql_ident(&q, e->name);
			sql_add(&q, " AS t WHERE t.");
			sql_ident(&q, field_column(f));
			sql_add(&q, " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ");
			sql_ident(&q, f->ref);
			sql_add(&q, " AS r WHERE r.\"id\"=t.");
			sql_ident(&q, field_column(f));
			sql_add(&q, ") LIMIT 1");
			if (store_no_dangling(c, &q, e->name, f->ref, ret, err))
				return err->err;
		}
	}
	return RP_OK;
}

/* Foreign keys are added once every table exists (roles and users refer
 * to each other), deferrable so that a restore can load in any order. */
static enum rp_err pq_add_reference(struct store_conn *c, const char *table, const char *column,
				    const char *ref, struct rp_error *err)
{
	char name[64];
	snprintf(name, sizeof name, "%s_%s_fk", table, column);
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT 1 FROM pg_constraint WHERE conname=");
	sql_text(&q, name);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	bool have = stmt_step(st) == DB_ROW;
	stmt_done(st);
	if (have)
		return RP_OK;
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b,
		   "ALTER TABLE \"%s\" ADD CONSTRAINT \"%s\" FOREIGN KEY (\"%s\")"
		   " REFERENCES \"%s\"(\"id\") DEFERRABLE INITIALLY IMMEDIATE",
		   table, name, column, ref);
	enum rp_err rc = exec_text(c, buf_str(&b), err);
	buf_release(&b);
	return rc;
}

/* After rows were written with their own ids, the identity goes on from
 * the largest. */
static enum rp_err pq_ids_written(struct store_conn *c, const char *table, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT setval(pg_get_serial_sequence(");
	sql_text(&q, table);
	sql_add(&q, ", 'id'), greatest((SELECT max(\"id\") FROM ");
	sql_ident(&q, table);
	sql_add(&q, "), 1))");
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	stmt_done(st);
	return RP_OK;
}

extern const struct migration store_migrations_pg[];

const struct db_driver pg_driver = {
	.name = "PostgreSQL",
	.group_commit = false,
	.open = pq_open,
	.close = pq_close,
	.exec = pq_exec,
	.prepare = pq_prepare,
	.finalize = pq_finalize,
	.bind = pq_bind,
	.step = pq_step,
	.reset = pq_reset,
	.fail = pq_fail,
	.ncols = pq_ncols,
	.col_name = pq_col_name,
	.col_kind = pq_col_kind,
	.col_int = pq_col_int,
	.col_double = pq_col_double,
	.col_text = pq_col_text,
	.last_id = pq_last_id,
	.changes = pq_changes,
	.sync = pq_sync,
	.sql_match = pq_sql_match,
	.search_prefix = pq_search_prefix,
	.search_put = pq_search_put,
	.search_add = pq_search_add,
	.sql_contains = pq_sql_contains,
	.backup = pq_backup,
	.data_path = data_path,
	.check = pq_check,
	.check_references = pq_check_references,
	.ids_written = pq_ids_written,
	.add_reference = pq_add_reference,
	.int_type = "BIGINT",
	.real_type = "DOUBLE PRECISION",
	.id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	.table_suffix = "",
	.inline_references = false,
	.multi_row_writes = true,
	.returning_id = " RETURNING \"id\"",
	.write_returning = true,
	.dedup_keys_by_record = "dedup_keys",
	.no_index = "",
	.asc = " ASC NULLS FIRST",
	.desc = " DESC NULLS LAST",
	.index_nulls = " NULLS FIRST",
	.skip_locked = " FOR UPDATE SKIP LOCKED",
	/* not a key update: inserts referring to the row (foreign key checks
	 * take KEY SHARE) are not held up */
	.lock_read = " FOR NO KEY UPDATE",
	.epoch_now = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)",
	.auth_trigger = "CREATE OR REPLACE TRIGGER %1$s_auth AFTER INSERT OR UPDATE OR DELETE"
			" ON %1$s FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump()",
	.migrate_lock = "SELECT pg_advisory_xact_lock(7261707074)", /* "rapport" */
	.written_lsn = "SELECT (pg_current_wal_lsn() - '0/0')::bigint",
	.replayed_lsn = "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint",
	.sum = "sum",
	.ids_concat = "string_agg(record_id::text, ',' ORDER BY record_id)",
	.tags_open = " (SELECT 1 FROM json_array_elements_text(",
	.tags_close = "::json) AS j(value) WHERE value IN (",
	.has_column = "SELECT 1 FROM information_schema.columns WHERE"
		      " table_schema=current_schema() AND table_name=? AND column_name=?",
	.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ",
	.begin_write = "BEGIN",
	.defer_foreign_keys = "SET CONSTRAINTS ALL DEFERRED",
	.text_index = "CREATE INDEX IF NOT EXISTS \"%s\" ON \"%s\""
		      " USING gin (rp_fold(\"%s\") gin_trgm_ops)",
	.has_index = "SELECT 1 FROM pg_indexes WHERE schemaname=current_schema() AND indexname=?",
	/* the GIN indexes (search text, contains filters) and the search
	 * terms' triggers; the terms are then made in one statement */
	.bulk_load_begin =
		"ALTER TABLE search_index DISABLE TRIGGER search_terms_add,"
		" DISABLE TRIGGER search_terms_change;"
		"DROP INDEX IF EXISTS search_index_tsv;"
		"DO $$DECLARE i text; BEGIN"
		" FOR i IN SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
		" AND indexname LIKE '%\\_trgm' LOOP EXECUTE format('DROP INDEX %I', i); END LOOP;"
		" END$$",
	.bulk_load_end = "SET CONSTRAINTS ALL IMMEDIATE;"
			 "SET LOCAL maintenance_work_mem = '256MB';"
			 "CREATE INDEX search_index_tsv ON search_index USING gin (tsv);"
			 "ALTER TABLE search_terms DROP CONSTRAINT search_terms_pkey;"
			 "TRUNCATE search_terms;"
			 "INSERT INTO search_terms (term, rowid)"
			 " SELECT t, s.rowid FROM search_index AS s, rp_search_terms(s.tsv) AS t;"
			 "ALTER TABLE search_terms ADD CONSTRAINT search_terms_pkey PRIMARY KEY "
			 "(term, rowid);"
			 "ALTER TABLE search_index ENABLE TRIGGER search_terms_add,"
			 " ENABLE TRIGGER search_terms_change",
	.migrations = store_migrations_pg,
};
