/* totp.c — the store's side of two-factor sign-in: the user_totp table
 * (migration 005), one row per user who set it up, keyed by the user's
 * id. Only the domain's totp.c calls these. */
#include "store/internal.h"

#include <string.h>

#include "core/clock.h"

enum rp_err store_totp_get(struct store_conn *c, int64_t user_id, struct arena *a,
			   struct totp_row *ret, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "SELECT secret, pending, last_step FROM user_totp WHERE id=%i", user_id);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return err->err;
	int rc = stmt_step(st);
	if (rc == DB_ROW) {
		const char *secret = stmt_text(st, 0);
		const char *pending = stmt_text(st, 1);
		ret->secret = secret ? arena_strdup(a, secret) : NULL;
		ret->pending = pending ? arena_strdup(a, pending) : NULL;
		ret->last_step = stmt_int(st, 2);
	}
	enum rp_err res = rc == DB_ROW ? RP_OK
			  : rc == DB_ERROR
				  ? stmt_fail(st, err)
				  : rp_fail(err, RP_ENOTFOUND, "not_found", "no two-factor secret");
	stmt_done(st);
	return res;
}

enum rp_err store_totp_put(struct store_conn *c, int64_t user_id, const struct totp_row *row,
			   struct rp_error *err)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"INSERT INTO user_totp (id, secret, pending, last_step, updated_at)"
		" VALUES (%i,%t,%t,%i,%t) ON CONFLICT (id) DO UPDATE SET"
		" secret=excluded.secret, pending=excluded.pending,"
		" last_step=excluded.last_step, updated_at=excluded.updated_at",
		user_id, row->secret, row->pending, row->last_step, now);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}

enum rp_err store_totp_claim_step(struct store_conn *c, int64_t user_id, int64_t step,
				  struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "UPDATE user_totp SET last_step=%i WHERE id=%i AND last_step<%i", step, user_id,
		step);
	struct exec_result res;
	enum rp_err rc = stmt_exec_r(c, &q, &res, err);
	sql_release(&q);
	if (rc == RP_OK && res.changes == 0)
		rc = rp_fail(err, RP_ECONFLICT, "otp_reused", "this code has been used already");
	return rc;
}

enum rp_err store_totp_delete(struct store_conn *c, int64_t user_id, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "DELETE FROM user_totp WHERE id=%i", user_id);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}
