/* groupcommit.c — SQLite's group commit: how the writer's batches are
 * committed and made durable (struct writer). A commit round takes the
 * open batch, writes its search texts, COMMITs it (appending to the WAL
 * without waiting for the disk) and syncs the WAL outside the writer lock,
 * so the next batch fills while the disk works. A writer thread that waits
 * for its batch runs the round itself when no round is running; answers
 * held without a thread (store_when_durable) are served by a thread of
 * the writer's own, which runs rounds while any of them waits. */
#include "store/internal.h"

#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/clock.h"

static void *committer_main(void *arg);

enum rp_err writer_open(struct store *s, struct rp_error *err)
{
	struct writer *w = &s->w;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->done_lock, NULL);
	pthread_cond_init(&w->done, NULL);
	pthread_cond_init(&w->work, NULL);
	w->wal_fd = -1;
	/* an index another process left untidy: tidied at the first idle moment */
	w->tidied = UINT64_MAX;
	if (!s->drv->group_commit)
		return RP_OK;
	if (dbconn_open(s, &w->conn, true, err))
		return err->err;
	w->committer_on = pthread_create(&w->committer, NULL, committer_main, s) == 0;
	if (!w->committer_on)
		return rp_fail(err, RP_EINTERNAL, "internal_error", "cannot start a thread");
	return RP_OK;
}

void writer_close(struct store *s)
{
	struct writer *w = &s->w;
	if (w->committer_on) {
		pthread_mutex_lock(&w->done_lock);
		w->stopping = true;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->done_lock);
		pthread_join(w->committer, NULL);
	}
	if (w->conn.db && w->open)
		w->conn.drv->exec(&w->conn, "COMMIT", NULL);
	dbconn_close(&w->conn);
	textq_free(&w->texts);
	free(w->waits);
	if (w->wal_fd >= 0)
		close(w->wal_fd);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->done_lock);
	pthread_mutex_destroy(&w->lock);
}

/* Runs sql (a setting) on the writer's connection if no batch is open,
 * else at the next moment none is (after the open batch's COMMIT), after
 * those asked for before it. A failure only leaves the setting as it
 * was. */
static void run_between(struct writer *w)
{
	for (int i = 0; i < w->nbetween; i++)
		w->conn.drv->exec(&w->conn, w->between[i], NULL);
	w->nbetween = 0;
}

void writer_exec_between_batches(struct store *s, const char *sql)
{
	struct writer *w = &s->w;
	if (!sql || !w->conn.db)
		return;
	pthread_mutex_lock(&w->lock);
	if (!w->open) {
		run_between(w); /* a batch rolled back since they were asked for */
		w->conn.drv->exec(&w->conn, sql, NULL);
	} else if (w->nbetween < (int)(sizeof w->between / sizeof *w->between))
		w->between[w->nbetween++] = sql;
	else /* the last word on a setting is the one that counts */
		w->between[w->nbetween - 1] = sql;
	pthread_mutex_unlock(&w->lock);
}

void store_bulk_writes(struct store *s, bool on)
{
	struct writer *w = &s->w;
	pthread_mutex_lock(&w->done_lock);
	int was = w->bulk_runs;
	w->bulk_runs += on ? 1 : -1;
	bool change = on ? was == 0 : w->bulk_runs == 0;
	pthread_mutex_unlock(&w->done_lock);
	if (!change)
		return;
	writer_exec_between_batches(s, on ? s->drv->bulk_begin : s->drv->bulk_end);
	if (!on)
		malloc_trim(0);
}

/* Writes the search texts of the batch's savepoints on the writer's
 * connection, as the batch's last statements. Writer lock held. */
static enum rp_err write_batch_texts(struct store *s, struct rp_error *err)
{
	struct writer *w = &s->w;
	if (!w->texts.n)
		return RP_OK;
	/* a handle inside the batch: its statements are not transactions */
	struct store_conn in_batch = {.s = s, .d = &w->conn, .txdepth = 1, .writing = true};
	return textq_write(&in_batch, &w->texts, err);
}

/* Commits the open batch, if any; *ret_batch is the last batch that is
 * now committed, *ret_writes how many write transactions it held. Takes
 * the writer lock for the COMMIT only: the writer's connection runs
 * synchronous=NORMAL, so COMMIT appends to the WAL without waiting for
 * the disk. */
static bool commit_open_batch(struct store *s, uint64_t *ret_batch, int *ret_writes,
			      struct rp_error *err)
{
	struct writer *w = &s->w;
	bool ok = true;
	pthread_mutex_lock(&w->lock);
	*ret_batch = w->batch;
	*ret_writes = w->open ? w->pending : 0;
	if (w->open) {
		if (write_batch_texts(s, err) || w->conn.drv->exec(&w->conn, "COMMIT", err)) {
			ok = false;
			w->conn.drv->exec(&w->conn, "ROLLBACK", NULL);
		}
		w->open = false;
	}
	run_between(w);
	textq_free(&w->texts);
	pthread_mutex_unlock(&w->lock);
	return ok;
}

static bool decided(const struct writer *w, uint64_t batch)
{
	return w->durable >= batch || w->failed >= batch;
}

/* Why batch `mine` is not durable (done_lock held; it is decided). */
static enum rp_err lost(const struct writer *w, struct rp_error *err)
{
	enum rp_err rc = w->commit_err.err ? w->commit_err.err : RP_EIO;
	return rp_fail(err, rc, w->commit_err.code[0] ? w->commit_err.code : "storage_error",
		       "the change could not be made durable; nothing was acknowledged");
}

/* Calls the held answers whose batch is now decided, outside done_lock
 * (they resume connections). done_lock held on entry and on return. */
static void answer_decided(struct writer *w)
{
	int n = 0, keep = 0;
	struct durable_wait *ready = malloc(sizeof *ready * (size_t)(w->nwaits ? w->nwaits : 1));
	if (!ready)
		abort();
	for (int i = 0; i < w->nwaits; i++) {
		if (decided(w, w->waits[i].batch))
			ready[n++] = w->waits[i];
		else
			w->waits[keep++] = w->waits[i];
	}
	w->nwaits = keep;
	uint64_t durable = w->durable;
	struct rp_error why;
	rp_error_init(&why);
	if (w->failed > durable) /* the last round failed */
		lost(w, &why);
	pthread_mutex_unlock(&w->done_lock);
	for (int i = 0; i < n; i++)
		ready[i].fn(ready[i].arg, durable >= ready[i].batch ? NULL : &why);
	free(ready);
	pthread_mutex_lock(&w->done_lock);
}

/* Commits and syncs the open batch for everyone waiting on it. done_lock
 * held on entry and on return; no other round running. */
static void commit_round(struct store *s)
{
	struct writer *w = &s->w;
	w->committing = true;
	pthread_mutex_unlock(&w->done_lock);
	uint64_t batch;
	int writes;
	struct rp_error cerr;
	rp_error_init(&cerr);
	bool ok = commit_open_batch(s, &batch, &writes, &cerr) && s->drv->sync(s, &cerr) == RP_OK;
	pthread_mutex_lock(&w->done_lock);
	if (ok && batch > w->durable)
		w->durable = batch;
	if (!ok) {
		w->failed = batch;
		w->commit_err = cerr;
	}
	if (ok && writes > 0) {
		w->batches++;
		w->writes += (uint64_t)writes;
		w->last_write_ns = clock_mono_ns();
	}
	w->committing = false;
	pthread_cond_broadcast(&w->done);
	answer_decided(w);
	if (w->nwaits)
		pthread_cond_signal(&w->work);
}

enum rp_err wait_durable(struct store *s, uint64_t mine, struct rp_error *err)
{
	struct writer *w = &s->w;
	pthread_mutex_lock(&w->done_lock);
	while (!decided(w, mine)) {
		if (w->committing)
			pthread_cond_wait(&w->done, &w->done_lock);
		else
			commit_round(s);
	}
	enum rp_err rc = w->durable < mine ? lost(w, err) : RP_OK;
	pthread_mutex_unlock(&w->done_lock);
	return rc;
}

/* The writer's own thread: runs commit rounds while answers are held. */
static void *committer_main(void *arg)
{
	struct store *s = arg;
	struct writer *w = &s->w;
	pthread_mutex_lock(&w->done_lock);
	for (;;) {
		if (w->nwaits > 0 && !w->committing)
			commit_round(s);
		else if (w->stopping && w->nwaits == 0)
			break;
		else
			pthread_cond_wait(&w->work, &w->done_lock);
	}
	pthread_mutex_unlock(&w->done_lock);
	return NULL;
}

void store_when_durable(struct store *s, uint64_t batch,
			void (*fn)(void *arg, const struct rp_error *failed), void *arg)
{
	struct writer *w = &s->w;
	pthread_mutex_lock(&w->done_lock);
	if (decided(w, batch)) {
		bool ok = w->durable >= batch;
		struct rp_error why;
		rp_error_init(&why);
		if (!ok)
			lost(w, &why);
		pthread_mutex_unlock(&w->done_lock);
		fn(arg, ok ? NULL : &why);
		return;
	}
	if (w->nwaits == w->capwaits) {
		w->capwaits = w->capwaits ? w->capwaits * 2 : 64;
		w->waits = realloc(w->waits, sizeof *w->waits * (size_t)w->capwaits);
		if (!w->waits)
			abort();
	}
	w->waits[w->nwaits++] = (struct durable_wait){batch, fn, arg};
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->done_lock);
}

void store_defer_durable(struct store_conn *c, bool on)
{
	c->defer_durable = on && c->s->drv->group_commit && c->s->w.committer_on;
}

uint64_t store_take_owed(struct store_conn *c)
{
	uint64_t owed = c->owed;
	c->owed = 0;
	c->defer_durable = false;
	return owed;
}

enum rp_err store_settle(struct store_conn *c, struct rp_error *err)
{
	uint64_t owed = c->owed;
	c->owed = 0;
	return owed ? wait_durable(c->s, owed, err) : RP_OK;
}

void store_commit_counts(struct store *s, uint64_t *batches, uint64_t *writes)
{
	struct writer *w = &s->w;
	pthread_mutex_lock(&w->done_lock);
	*batches = w->batches;
	*writes = w->writes;
	pthread_mutex_unlock(&w->done_lock);
}

uint64_t writes_since(struct store *s, int64_t *ret_idle_ns)
{
	struct writer *w = &s->w;
	pthread_mutex_lock(&w->done_lock);
	uint64_t writes = w->writes;
	*ret_idle_ns = clock_mono_ns() - w->last_write_ns;
	pthread_mutex_unlock(&w->done_lock);
	return writes;
}
