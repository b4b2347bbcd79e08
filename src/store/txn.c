/* txn.c — transactions. Reads run on the thread's own connection (WAL
 * snapshots never block). With SQLite, writes run on the one writer
 * connection with group commit: each write transaction is a savepoint
 * inside the open batch (see struct writer; groupcommit.c commits the
 * batches). With PostgreSQL, which has row locks and its own group
 * commit, each thread writes on its own connection. */
#include "store/internal.h"

#include <stdio.h>

static void use_own(struct store_conn *c)
{
	c->d = &c->own;
	c->writing = false;
}

/* Takes the writer and opens a savepoint in its batch (opening the batch
 * when none is). */
static enum rp_err writer_enter(struct store_conn *c, struct rp_error *err)
{
	struct writer *w = &c->s->w;
	pthread_mutex_lock(&w->lock);
	c->d = &w->conn;
	c->writing = true;
	if (!w->open) {
		if (exec_text(c, c->s->drv->begin_write, err))
			goto fail;
		w->open = true;
		w->pending = 0;
		w->batch++;
	}
	if (exec_text(c, "SAVEPOINT w", err))
		goto fail;
	c->begin_changes = c->rows_changed;
	return RP_OK;
fail:
	use_own(c);
	pthread_mutex_unlock(&w->lock);
	return err->err;
}

/* Ends the open batch when nothing was released into it, so an idle
 * writer never keeps the database's write lock. Writer lock held. */
static void close_if_empty(struct store_conn *c)
{
	struct writer *w = &c->s->w;
	if (w->open && w->pending == 0) {
		exec_text(c, "ROLLBACK", NULL);
		w->open = false;
	}
}

static void writer_leave(struct store_conn *c)
{
	use_own(c);
	pthread_mutex_unlock(&c->s->w.lock);
}

/* A nested write transaction is a savepoint of its own, so a part that
 * fails (one row of an import batch) is undone alone and the rest of the
 * transaction goes on. Nested reads share the outer snapshot. */
enum sp_action { SP_OPEN, SP_RELEASE, SP_UNDO };

static enum rp_err savepoint(struct store_conn *c, enum sp_action act, struct rp_error *err)
{
	char sql[64];
	int n = c->txdepth;
	if (act == SP_OPEN)
		snprintf(sql, sizeof sql, "SAVEPOINT n%d", n);
	else if (act == SP_RELEASE)
		snprintf(sql, sizeof sql, "RELEASE n%d", n);
	else
		snprintf(sql, sizeof sql, "ROLLBACK TO n%d; RELEASE n%d", n, n);
	return exec_text(c, sql, err);
}

/* Whether nested write transactions get savepoints of their own. */
static bool nested_savepoints(const struct store_conn *c)
{
	return c->writing && !c->bulk;
}

#define BULK_LEVELS (int)(sizeof((struct store_conn *)0)->bulk_changes / sizeof(int64_t))

/* Whether the nested part ending now changed any row: one that wrote
 * nothing (an update that changed nothing) may end without a savepoint. */
static bool bulk_part_wrote(const struct store_conn *c)
{
	return c->txdepth > BULK_LEVELS || c->rows_changed != c->bulk_changes[c->txdepth - 1];
}

/* Makes a loader's write transaction the writer's batch itself instead of
 * a savepoint in it. While a savepoint is open SQLite keeps a copy of every
 * page the batch changes in an in-memory journal, and each statement that
 * ends walks that journal from its start to cut its own part off
 * (memjrnlTruncate): a cost growing with the batch, a fifth of a big
 * import's time (perf). Only when nothing else waits in the open batch and
 * the transaction has written nothing yet; otherwise it stays a savepoint. */
static void writer_take_batch(struct store_conn *c)
{
	struct writer *w = &c->s->w;
	if (!c->s->drv->group_commit || !c->writing || c->txdepth != 1 || c->whole_batch ||
	    w->pending > 0 || c->rows_changed != c->begin_changes)
		return;
	if (exec_text(c, "RELEASE w", NULL) == RP_OK)
		c->whole_batch = true;
}

void store_set_bulk(struct store_conn *c, bool on)
{
	c->bulk = on;
	writer_take_batch(c);
}

bool store_bulk_failed(const struct store_conn *c)
{
	return c->doomed;
}

void store_hold_reads(struct store_conn *c)
{
	if (c->txdepth > 0 || c->held || c->owed || !c->s->drv->hold_reads)
		return;
	c->held = exec_text(c, c->s->drv->begin_read, NULL) == RP_OK;
}

void store_release_reads(struct store_conn *c)
{
	if (!c->held || c->txdepth > 0)
		return;
	c->held = false;
	if (exec_text(c, "COMMIT", NULL))
		exec_text(c, "ROLLBACK", NULL);
}

enum rp_err store_begin(struct store_conn *c, bool write, struct rp_error *err)
{
	/* what this thread wrote is durable before it reads or writes again */
	if (c->owed && c->txdepth == 0 && store_settle(c, err))
		return err->err;
	if (c->txdepth == 0 && c->held && !write) { /* already in the held snapshot */
		c->txdepth = 1;
		c->in_held = true;
		return RP_OK;
	}
	if (c->txdepth == 0 && c->held)
		store_release_reads(c); /* a write sees the latest data */
	if (c->txdepth > 0) {
		c->txdepth++;
		later_mark(c);
		if (c->writing && c->bulk && c->txdepth <= BULK_LEVELS)
			c->bulk_changes[c->txdepth - 1] = c->rows_changed;
		if (nested_savepoints(c) && savepoint(c, SP_OPEN, err)) {
			c->txdepth--;
			return err->err;
		}
		return RP_OK;
	}
	if (write)
		store_read_primary(c);
	c->txdepth++;
	c->doomed = false;
	const struct db_driver *drv = c->s->drv;
	enum rp_err rc;
	if (!write)
		rc = exec_text(c, drv->begin_read, err);
	else if (drv->group_commit)
		rc = writer_enter(c, err);
	else if ((rc = exec_text(c, drv->begin_write, err)) == RP_OK)
		c->writing = true; /* on its own connection */
	if (rc)
		c->txdepth = 0;
	return rc;
}

enum rp_err store_write_queued(struct store_conn *c, struct rp_error *err)
{
	if (later_flush(c, err) || store_search_flush(c, err))
		return err->err;
	return RP_OK;
}

/* Without group commit the transaction's search texts are its last
 * statements; with it they join the batch once its savepoint is released. */
static enum rp_err texts_before_commit(struct store_conn *c, struct rp_error *err)
{
	return c->s->drv->group_commit ? RP_OK : textq_write(c, &c->texts, err);
}

enum rp_err store_commit(struct store_conn *c, struct rp_error *err)
{
	if (c->txdepth == 0)
		return RP_OK;
	if (c->txdepth > 1) {
		enum rp_err rc = nested_savepoints(c) ? savepoint(c, SP_RELEASE, err) : RP_OK;
		if (rc) {
			later_undo(c);
			savepoint(c, SP_UNDO, NULL);
		}
		c->txdepth--;
		return rc;
	}
	if (c->doomed) {
		store_rollback(c);
		return rp_fail(err, RP_EINTERNAL, "internal_error",
			       "a part of a bulk transaction failed; it was rolled back");
	}
	if (c->in_held) { /* the held read transaction goes on */
		c->txdepth = 0;
		c->in_held = false;
		return RP_OK;
	}
	if (c->writing &&
	    (later_flush(c, err) || texts_before_commit(c, err) || store_check_fence(c, err))) {
		store_rollback(c);
		return err->err;
	}
	c->txdepth = 0;
	c->bulk = c->ids_later = c->bulk_loading = false;
	if (!c->writing || !c->s->drv->group_commit) {
		bool wrote = c->writing;
		c->writing = false;
		enum rp_err rc = exec_text(c, "COMMIT", err);
		if (rc)
			exec_text(c, "ROLLBACK", NULL);
		else if (wrote)
			replica_note_commit(c);
		return rc;
	}
	struct writer *w = &c->s->w;
	if (!c->whole_batch && exec_text(c, "RELEASE w", err)) {
		exec_text(c, "ROLLBACK TO w; RELEASE w", NULL);
		textq_free(&c->texts);
		close_if_empty(c);
		writer_leave(c);
		return err->err;
	}
	c->whole_batch = false;
	textq_append(&w->texts, &c->texts);
	w->pending++;
	uint64_t mine = w->batch;
	writer_leave(c);
	if (c->defer_durable) { /* the caller answers once it is durable */
		c->owed = mine;
		return RP_OK;
	}
	return wait_durable(c->s, mine, err);
}

void store_rollback(struct store_conn *c)
{
	if (c->txdepth == 0)
		return;
	if (c->txdepth > 1) {
		later_undo(c);
		if (nested_savepoints(c))
			savepoint(c, SP_UNDO, NULL);
		else if (c->writing && bulk_part_wrote(c))
			c->doomed = true;
		c->txdepth--;
		return;
	}
	c->txdepth = 0;
	c->doomed = c->bulk = c->ids_later = c->bulk_loading = false;
	later_drop(c);
	if (c->in_held) {
		c->in_held = false;
		return;
	}
	if (!c->writing || !c->s->drv->group_commit) {
		c->writing = false;
		exec_text(c, "ROLLBACK", NULL);
		return;
	}
	if (c->whole_batch) { /* nothing else is in the batch */
		c->whole_batch = false;
		exec_text(c, "ROLLBACK", NULL);
		c->s->w.open = false;
	} else {
		exec_text(c, "ROLLBACK TO w; RELEASE w", NULL);
		close_if_empty(c);
	}
	writer_leave(c);
}
