/* replica.c — reads from a PostgreSQL streaming replica (--db-replica).
 * A request that may read there (reports: totals, exports) switches its
 * connection's reads to the replica, but only once the replica has
 * replayed the caller's own last write (its log position, taken after
 * each commit on the primary); else, or when the replica cannot be
 * reached, it reads from the primary as always. Writes never go there. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"

bool store_has_replica(const struct store *s)
{
	return s->replica_url != NULL;
}

/* One number from sql on the connection c->d points at; false if the
 * query fails or gives NULL. */
static bool query_lsn(struct store_conn *c, const char *sql, int64_t *ret)
{
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare_text(c, sql, &err);
	bool ok = st && stmt_step(st) == DB_ROW && !stmt_null(st, 0);
	if (ok)
		*ret = stmt_int(st, 0);
	stmt_done(st);
	return ok;
}

void replica_note_commit(struct store_conn *c)
{
	int64_t lsn;
	if (c->s->replica_url && query_lsn(c, c->s->drv->written_lsn, &lsn) &&
	    (uint64_t)lsn > c->commit_lsn)
		c->commit_lsn = (uint64_t)lsn;
}

uint64_t store_take_commit_lsn(struct store_conn *c)
{
	uint64_t lsn = c->commit_lsn;
	c->commit_lsn = 0;
	return lsn;
}

/* Opens the thread's connection to the replica, unless open. */
static enum rp_err replica_open(struct store_conn *c, struct rp_error *err)
{
	if (c->replica.db)
		return RP_OK;
	c->replica.drv = c->s->drv;
	return c->s->drv->open(c->s, c->s->replica_url, &c->replica, false, err);
}

/* After a failure the replica is left alone for a while, so an
 * unreachable one costs a report one connection timeout, not each. */
#define REPLICA_RETRY_S 10

static bool replica_connect(struct store_conn *c)
{
	if (c->replica.db)
		return true;
	if (clock_mono_ns() < c->replica_retry_at)
		return false;
	struct rp_error err;
	rp_error_init(&err);
	if (replica_open(c, &err) == RP_OK)
		return true;
	c->replica_retry_at = clock_mono_ns() + (int64_t)REPLICA_RETRY_S * 1000000000;
	log_warn("replica: reading from the primary for %d s: %s", REPLICA_RETRY_S, err.detail);
	return false;
}

bool store_read_replica(struct store_conn *c, uint64_t min_lsn)
{
	if (!c->s->replica_url || c->txdepth > 0 || c->d != &c->own || !replica_connect(c))
		return false;
	c->d = &c->replica;
	int64_t replayed;
	bool asked = query_lsn(c, c->s->drv->replayed_lsn, &replayed);
	if (asked && (uint64_t)replayed >= min_lsn)
		return true;
	c->d = &c->own;
	if (!asked) { /* gone (or promoted): connect again later */
		log_warn("replica: reading from the primary for %d s: the replica did not answer",
			 REPLICA_RETRY_S);
		dbconn_close(&c->replica);
		c->replica_retry_at = clock_mono_ns() + (int64_t)REPLICA_RETRY_S * 1000000000;
	}
	return false;
}

enum rp_err replica_check(struct store *s, struct rp_error *err)
{
	if (!s->drv->replayed_lsn)
		return rp_fail(err, RP_EINVAL, "unsupported_store",
			       "a read replica needs PostgreSQL (the store is %s)", s->drv->name);
	struct store_conn *c = store_conn(s, err);
	if (!c || replica_open(c, err))
		return err->err;
	c->d = &c->replica;
	int64_t replayed;
	bool standby = query_lsn(c, s->drv->replayed_lsn, &replayed);
	c->d = &c->own;
	if (!standby)
		return rp_fail(err, RP_EINVAL, "not_a_replica",
			       "the read replica is not a standby replaying the primary's log");
	return RP_OK;
}

void store_read_primary(struct store_conn *c)
{
	if (c->d == &c->replica && c->txdepth == 0)
		c->d = &c->own;
}
