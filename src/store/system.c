/* system.c — the store's non-entity tables: audit log, sessions, API
 * tokens, idempotency keys and failed-login counts. */
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonw.h"

static void now_text(char out[RP_TIME_LEN])
{
	clock_format(clock_now(), out);
}

/* Runs q and reports whether it yielded a row; the statement is left on
 * that row for the caller to read, and must be passed to stmt_done. */
static struct dbstmt *query_row(struct store_conn *c, struct sql *q, bool *ret_found,
				struct rp_error *err)
{
	struct dbstmt *st = stmt_prepare(c, q, err);
	if (!st)
		return NULL;
	int rc = stmt_step(st);
	if (rc == DB_ERROR) {
		stmt_fail(st, err);
		stmt_done(st);
		return NULL;
	}
	*ret_found = rc == DB_ROW;
	return st;
}

static enum rp_err run(struct store_conn *c, struct sql *q, struct rp_error *err)
{
	enum rp_err rc = stmt_exec(c, q, err);
	sql_release(q);
	return rc;
}

enum rp_err store_audit_add(struct store_conn *c, const struct entity_def *e, int64_t id,
			    int64_t user_id, const char *action, const char *changes_json,
			    struct rp_error *err)
{
	char now[RP_TIME_LEN];
	now_text(now);
	const struct value v[] = {value_text(e->name),	    value_int(id),
				  value_int(user_id),	    value_text(action),
				  value_text(changes_json), value_text(now)};
	return later_insert(c, "audit_log (entity, record_id, user_id, action, changes, at)", v,
			    (int)(sizeof v / sizeof *v), err);
}

enum rp_err store_audit_list(struct store_conn *c, const struct entity_def *e, int64_t id,
			     int limit, struct buf *out, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"SELECT id, user_id, action, changes, at FROM audit_log"
		" WHERE entity=%t AND record_id=%i ORDER BY id DESC LIMIT %i",
		e->name, id, (int64_t)limit);
	struct dbstmt *st = later_flush(c, err) ? NULL : stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	while (stmt_step(st) == DB_ROW) {
		jw_obj(&w);
		jw_kint(&w, "id", stmt_int(st, 0));
		jw_key(&w, "user_id");
		if (stmt_null(st, 1))
			jw_null(&w);
		else
			jw_int(&w, stmt_int(st, 1));
		jw_kstr(&w, "action", stmt_text(st, 2));
		jw_key(&w, "changes");
		size_t n = 0;
		const char *changes = stmt_textn(st, 3, &n);
		jw_raw(&w, changes, n);
		jw_kstr(&w, "at", stmt_text(st, 4));
		jw_obj_end(&w);
	}
	stmt_done(st);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return RP_OK;
}

enum rp_err store_session_put(struct store_conn *c, const char *token_hash, int64_t user_id,
			      const char *csrf, int64_t expires_at, struct rp_error *err)
{
	char now[RP_TIME_LEN];
	now_text(now);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"INSERT INTO sessions (token_hash, user_id, csrf, created_at,"
		" expires_at) VALUES (%t,%i,%t,%t,%i)",
		token_hash, user_id, csrf, now, expires_at);
	return run(c, &q, err);
}

enum rp_err store_session_get(struct store_conn *c, const char *token_hash, struct session_row *ret,
			      struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "SELECT user_id, expires_at, csrf FROM sessions WHERE token_hash=%t",
		token_hash);
	bool found = false;
	struct dbstmt *st = query_row(c, &q, &found, err);
	sql_release(&q);
	if (!st)
		return err->err;
	if (found) {
		ret->user_id = stmt_int(st, 0);
		ret->expires_at = stmt_int(st, 1);
		snprintf(ret->csrf, sizeof ret->csrf, "%s", stmt_text(st, 2));
	}
	stmt_done(st);
	return found ? RP_OK : rp_fail(err, RP_EUNAUTH, "unauthorized", "no such session");
}

static void delete_where(struct store_conn *c, const char *sql_text_, const struct value *v)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, sql_text_);
	sql_param(&q, v);
	struct rp_error err;
	rp_error_init(&err);
	stmt_exec(c, &q, &err);
	sql_release(&q);
}

void store_session_delete(struct store_conn *c, const char *token_hash)
{
	struct value v = {.kind = V_TEXT, .s = token_hash, .len = strlen(token_hash)};
	delete_where(c, "DELETE FROM sessions WHERE token_hash=", &v);
}

void store_session_delete_user(struct store_conn *c, int64_t user_id)
{
	struct value v = {.kind = V_INT, .i = user_id};
	delete_where(c, "DELETE FROM sessions WHERE user_id=", &v);
}

enum rp_err store_token_put(struct store_conn *c, int64_t user_id, const char *name,
			    const char *token_hash, const char *prefix, int64_t *ret_id,
			    struct rp_error *err)
{
	char now[RP_TIME_LEN];
	now_text(now);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"INSERT INTO api_tokens (user_id, name, token_hash, prefix,"
		" created_at) VALUES (%i,%t,%t,%t,%t)",
		user_id, name, token_hash, prefix, now);
	sql_add(&q, conn_driver(c)->returning_id);
	struct exec_result res;
	enum rp_err rc = stmt_exec_r(c, &q, &res, err);
	sql_release(&q);
	if (!rc)
		*ret_id = res.rowid;
	return rc;
}

enum rp_err store_token_find(struct store_conn *c, const char *token_hash, int64_t *ret_user_id,
			     int64_t *ret_token_id, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"SELECT user_id, id FROM api_tokens WHERE revoked_at IS NULL"
		" AND token_hash=%t",
		token_hash);
	bool found = false;
	struct dbstmt *st = query_row(c, &q, &found, err);
	sql_release(&q);
	if (!st)
		return err->err;
	if (found) {
		*ret_user_id = stmt_int(st, 0);
		*ret_token_id = stmt_int(st, 1);
	}
	stmt_done(st);
	return found ? RP_OK
		     : rp_fail(err, RP_EUNAUTH, "invalid_token", "the API token is not valid");
}

enum rp_err store_auth_version(struct store_conn *c, int64_t *ret, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT n FROM auth_version WHERE id=1");
	bool found = false;
	struct dbstmt *st = query_row(c, &q, &found, err);
	sql_release(&q);
	if (!st)
		return err->err;
	if (found)
		*ret = stmt_int(st, 0);
	stmt_done(st);
	return found ? RP_OK
		     : rp_fail(err, RP_EIO, "storage_error", "the database has no auth_version");
}

enum rp_err store_token_list(struct store_conn *c, int64_t user_id, struct buf *out,
			     struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT id, user_id, name, prefix, created_at FROM api_tokens"
		    " WHERE revoked_at IS NULL");
	if (user_id) {
		sql_add(&q, " AND user_id=");
		sql_int(&q, user_id);
	}
	sql_add(&q, " ORDER BY id");
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	struct jw w;
	jw_init(&w, out);
	jw_arr(&w);
	while (stmt_step(st) == DB_ROW) {
		jw_obj(&w);
		jw_kint(&w, "id", stmt_int(st, 0));
		jw_kint(&w, "user_id", stmt_int(st, 1));
		jw_kstr(&w, "name", stmt_text(st, 2));
		jw_kstr(&w, "prefix", stmt_text(st, 3));
		jw_kstr(&w, "created_at", stmt_text(st, 4));
		jw_obj_end(&w);
	}
	stmt_done(st);
	jw_arr_end(&w);
	return RP_OK;
}

enum rp_err store_token_revoke(struct store_conn *c, int64_t token_id, int64_t user_id,
			       struct rp_error *err)
{
	char now[RP_TIME_LEN];
	now_text(now);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"UPDATE api_tokens SET revoked_at=%t WHERE revoked_at IS NULL"
		" AND id=%i",
		now, token_id);
	if (user_id)
		sql_fmt(&q, " AND user_id=%i", user_id);
	struct exec_result res;
	enum rp_err rc = stmt_exec_r(c, &q, &res, err);
	sql_release(&q);
	if (!rc && res.changes == 0)
		rc = rp_fail(err, RP_ENOTFOUND, "not_found", "no such token");
	return rc;
}

enum rp_err store_idem_get(struct store_conn *c, int64_t user_id, const char *key, struct arena *a,
			   struct idem_row *ret, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"SELECT status, request_hash, body, headers FROM"
		" idempotency_keys WHERE user_id=%i AND key=%t",
		user_id, key);
	bool found = false;
	struct dbstmt *st = query_row(c, &q, &found, err);
	sql_release(&q);
	if (!st)
		return err->err;
	if (found) {
		ret->status = (int)stmt_int(st, 0);
		snprintf(ret->request_hash, sizeof ret->request_hash, "%s", stmt_text(st, 1));
		ret->body = arena_strdup(a, stmt_text(st, 2));
		ret->headers = arena_strdup(a, stmt_text(st, 3));
	}
	stmt_done(st);
	return found ? RP_OK : RP_ENOTFOUND;
}

enum rp_err store_idem_put(struct store_conn *c, int64_t user_id, const char *key,
			   const struct idem_row *row, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"INSERT INTO idempotency_keys (user_id, key, request_hash,"
		" status, headers, body, created_at) VALUES (%i,%t,%t,%i,%t,%t,%i)",
		user_id, key, row->request_hash, (int64_t)row->status,
		row->headers ? row->headers : "", row->body ? row->body : "", clock_now());
	return run(c, &q, err);
}

int store_login_failures(struct store_conn *c, const char *key, int64_t since)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "SELECT count(*) FROM login_failures WHERE key=%t AND at>=%i", key, since);
	struct rp_error err;
	rp_error_init(&err);
	bool found = false;
	struct dbstmt *st = query_row(c, &q, &found, &err);
	sql_release(&q);
	int n = st && found ? (int)stmt_int(st, 0) : 0;
	stmt_done(st);
	return n;
}

void store_login_fail(struct store_conn *c, const char *key, int64_t at)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "INSERT INTO login_failures (key, at) VALUES (%t,%i)", key, at);
	struct rp_error err;
	rp_error_init(&err);
	run(c, &q, &err);
	/* keep the table small: a day of history is plenty */
	sql_init(&q);
	sql_fmt(&q, "DELETE FROM login_failures WHERE at<%i", at - 86400);
	run(c, &q, &err);
}

void store_login_clear(struct store_conn *c, const char *key)
{
	struct value v = {.kind = V_TEXT, .s = key, .len = strlen(key)};
	delete_where(c, "DELETE FROM login_failures WHERE key=", &v);
}
