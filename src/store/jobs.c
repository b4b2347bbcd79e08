/* jobs.c — the durable job queue (claimed with a lease, so a job whose
 * server died is taken up again) and the record of what each import
 * changed, read back newest first to undo it. */
#include "store/internal.h"

#include <string.h>

#include "core/clock.h"

/* A job queued to run at once is due from the start of time: a due time
 * read off a clock would hold the job back for as long as that clock is
 * later set back. */
enum rp_err store_job_add(struct store_conn *c, const char *kind, int64_t ref_id, int64_t *ret_id,
			  struct rp_error *err)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"INSERT INTO jobs (kind, ref_id, status, run_after, created_at)"
		" VALUES (%t,%i,'queued',0,%t)",
		kind, ref_id, now);
	sql_add(&q, conn_driver(c)->returning_id);
	struct exec_result res;
	enum rp_err rc = stmt_exec_r(c, &q, &res, err);
	sql_release(&q);
	if (rc == RP_OK && ret_id)
		*ret_id = res.rowid;
	return rc;
}

/* The oldest job that is due, or whose lease ran out (its worker died or
 * lost touch), is taken for lease_s seconds. Leases are reckoned by the
 * database's clock: one server's clock set wrong, or jumping, neither
 * takes a job from a live worker nor keeps a dead one's job waiting. */
enum rp_err store_job_claim(struct store_conn *c, int lease_s, struct job_row *ret,
			    struct rp_error *err)
{
	const char *now = conn_driver(c)->epoch_now;
	struct sql q;
	sql_init(&q);
	sql_add(&q, "UPDATE jobs SET status='running', locked_until=");
	sql_add(&q, now);
	sql_fmt(&q,
		"+%i, attempts=attempts+1 WHERE id=(SELECT id FROM jobs WHERE"
		" (status='queued' AND run_after<=",
		(int64_t)lease_s);
	sql_add(&q, now);
	sql_add(&q, ") OR (status='running' AND locked_until<");
	sql_add(&q, now);
	sql_add(&q, ") ORDER BY id LIMIT 1");
	/* several servers on one PostgreSQL database: a job another holds
	 * locked is passed over, never waited for */
	sql_add(&q, conn_driver(c)->skip_locked);
	sql_add(&q, ") RETURNING id, kind, ref_id, attempts");
	if (store_begin(c, true, err)) {
		sql_release(&q);
		return err->err;
	}
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	bool found = false;
	if (st && stmt_step(st) == DB_ROW) {
		found = true;
		ret->id = stmt_int(st, 0);
		snprintf(ret->kind, sizeof ret->kind, "%s", stmt_text(st, 1));
		ret->ref_id = stmt_int(st, 2);
		ret->attempts = (int)stmt_int(st, 3);
	}
	stmt_done(st);
	if (!found) { /* nothing changed: no commit, no sync of the log each second */
		store_rollback(c);
		return err->err ? err->err : RP_ENOTFOUND;
	}
	if (store_commit(c, err)) {
		store_rollback(c);
		return err->err ? err->err : RP_EIO;
	}
	return RP_OK;
}

/* Runs an UPDATE of the claimed job, which must still be this claim's. */
static enum rp_err update_claimed(struct store_conn *c, struct sql *q, int64_t id, int64_t claim,
				  struct rp_error *err)
{
	sql_fmt(q, " WHERE id=%i AND attempts=%i AND status='running'", id, claim);
	struct exec_result res;
	enum rp_err rc = stmt_exec_r(c, q, &res, err);
	sql_release(q);
	if (rc == RP_OK && res.changes == 0)
		rc = rp_fail(err, RP_ECONFLICT, "lease_lost",
			     "job %lld was taken over after its lease ran out", (long long)id);
	return rc;
}

static enum rp_err renew(struct store_conn *c, int64_t id, int64_t claim, int lease_s,
			 struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "UPDATE jobs SET locked_until=");
	sql_add(&q, conn_driver(c)->epoch_now);
	sql_fmt(&q, "+%i", (int64_t)lease_s);
	return update_claimed(c, &q, id, claim, err);
}

enum rp_err store_job_touch(struct store_conn *c, const struct job_row *job, int lease_s,
			    struct rp_error *err)
{
	return renew(c, job->id, job->attempts, lease_s, err);
}

enum rp_err store_job_finish(struct store_conn *c, const struct job_row *job, const char *status,
			     const char *error, struct rp_error *err)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	struct sql q;
	sql_init(&q);
	sql_fmt(&q, "UPDATE jobs SET status=%t, error=%t, finished_at=%t, locked_until=NULL",
		status, error, now);
	return update_claimed(c, &q, job->id, job->attempts, err);
}

enum rp_err store_job_release(struct store_conn *c, const struct job_row *job, struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, "UPDATE jobs SET status='queued', locked_until=NULL");
	return update_claimed(c, &q, job->id, job->attempts, err);
}

void store_fence(struct store_conn *c, const struct job_row *job, int lease_s)
{
	c->fence =
		job ? (struct job_fence){.id = job->id, .claim = job->attempts, .lease_s = lease_s}
		    : (struct job_fence){0};
}

bool store_lease_lost(const struct rp_error *err)
{
	return err->err == RP_ECONFLICT && !strcmp(err->code, "lease_lost");
}

/* The fence of a write transaction about to commit (see store_fence). */
enum rp_err store_check_fence(struct store_conn *c, struct rp_error *err)
{
	if (!c->fence.id)
		return RP_OK;
	return renew(c, c->fence.id, c->fence.claim, c->fence.lease_s, err);
}

enum rp_err store_import_change_add(struct store_conn *c, const struct import_change *ch,
				    struct rp_error *err)
{
	const struct value v[] = {value_int(ch->import_id),
				  value_int(ch->seq),
				  value_text(ch->entity),
				  value_int(ch->record_id),
				  value_text(ch->action),
				  value_text(ch->old),
				  ch->version ? value_int(ch->version)
					      : (struct value){.kind = V_NULL}};
	return later_insert(
		c, "import_changes (import_id, seq, entity, record_id, action, old, version)", v,
		(int)(sizeof v / sizeof *v), err);
}

int store_import_changes(struct store_conn *c, int64_t import_id, int64_t before_seq, int limit,
			 struct arena *a, struct import_change *ret)
{
	struct sql q;
	sql_init(&q);
	sql_fmt(&q,
		"SELECT seq, entity, record_id, action, old, version FROM import_changes"
		" WHERE import_id=%i AND seq<%i ORDER BY seq DESC LIMIT %i",
		import_id, before_seq, (int64_t)limit);
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = later_flush(c, &err) ? NULL : stmt_prepare(c, &q, &err);
	sql_release(&q);
	int n = 0;
	while (st && n < limit && stmt_step(st) == DB_ROW) {
		struct import_change *ch = &ret[n++];
		const char *old = stmt_text(st, 4);
		*ch = (struct import_change){
			.import_id = import_id,
			.seq = stmt_int(st, 0),
			.entity = arena_strdup(a, stmt_text(st, 1)),
			.record_id = stmt_int(st, 2),
			.action = arena_strdup(a, stmt_text(st, 3)),
			.old = old ? arena_strdup(a, old) : NULL,
			.version = stmt_int(st, 5),
		};
	}
	stmt_done(st);
	return n;
}
