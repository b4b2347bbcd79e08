/* worker.c — the job worker thread: claim, run, record the outcome;
 * with the queue empty, does the housekeeping it was given and sleeps
 * until woken or for a second. */
#include "jobs/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"

struct jobs {
	struct store *s;
	const struct job_handler *handlers;
	int n;
	jobs_idle_fn idle;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping, woken;
};

struct job_ctx {
	struct jobs *j;
	struct store_conn *c;
	const struct job_row *job;
	int64_t renewed_ns; /* monotonic: a jump of the wall clock is no gap */
	bool lost;	    /* the lease ran out and another worker took the job */
};

bool job_alive(struct job_ctx *ctx)
{
	int64_t now = clock_mono_ns();
	if (!ctx->lost && now - ctx->renewed_ns >= (int64_t)JOB_LEASE_S * 1000000000 / 3) {
		struct rp_error err;
		rp_error_init(&err);
		/* a failure to renew is tried again at the next call: the lease
		 * has two thirds of its time left */
		if (store_job_touch(ctx->c, ctx->job, JOB_LEASE_S, &err) == RP_OK)
			ctx->renewed_ns = now;
		else
			ctx->lost = store_lease_lost(&err);
	}
	pthread_mutex_lock(&ctx->j->lock);
	bool alive = !ctx->j->stopping && !ctx->lost;
	pthread_mutex_unlock(&ctx->j->lock);
	return alive;
}

static const struct job_handler *handler_for(struct jobs *j, const char *kind)
{
	for (int i = 0; i < j->n; i++)
		if (!strcmp(j->handlers[i].kind, kind))
			return &j->handlers[i];
	return NULL;
}

static void lease_lost(const struct job_row *job)
{
	log_warn("job %lld (%s %lld): its lease ran out and another worker took it over; "
		 "stopped here",
		 (long long)job->id, job->kind, (long long)job->ref_id);
}

/* Runs a claimed job with its writes fenced by the claim (store_fence),
 * then records how it ended: done or failed; back in the queue when the
 * server is stopping (another start or server takes it up at once); as it
 * is when another worker took it over. */
static void run_one(struct jobs *j, struct store_conn *c, const struct job_row *job)
{
	struct job_ctx ctx = {.j = j, .c = c, .job = job, .renewed_ns = clock_mono_ns()};
	const struct job_handler *h = handler_for(j, job->kind);
	struct rp_error err;
	rp_error_init(&err);
	store_fence(c, job, JOB_LEASE_S);
	enum rp_err rc =
		h ? h->run(j->s, job->ref_id, &ctx, &err)
		  : rp_fail(&err, RP_EINTERNAL, "unknown_job", "no handler for %s", job->kind);
	store_fence(c, NULL, 0);
	if (ctx.lost || (rc && store_lease_lost(&err))) {
		lease_lost(job);
		return;
	}
	pthread_mutex_lock(&j->lock);
	bool stopped = j->stopping;
	pthread_mutex_unlock(&j->lock);
	struct rp_error ferr;
	rp_error_init(&ferr);
	if (stopped && !rc) {
		store_job_release(c, job, &ferr);
		return;
	}
	if (rc)
		log_warn("job %lld (%s %lld) failed: %s", (long long)job->id, job->kind,
			 (long long)job->ref_id, err.detail);
	if (store_job_finish(c, job, rc ? "failed" : "done", rc ? err.detail : NULL, &ferr) &&
	    store_lease_lost(&ferr))
		lease_lost(job);
}

/* Waits until woken, stopped or a second has passed. */
static bool idle(struct jobs *j)
{
	pthread_mutex_lock(&j->lock);
	if (!j->woken && !j->stopping) {
		struct timespec until; /* the cond waits by the monotonic clock */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&j->wake, &j->lock, &until);
	}
	j->woken = false;
	bool go_on = !j->stopping;
	pthread_mutex_unlock(&j->lock);
	return go_on;
}

static void *worker(void *arg)
{
	struct jobs *j = arg;
	struct rp_error err;
	rp_error_init(&err);
	struct store_conn *c = store_conn(j->s, &err);
	if (!c) {
		log_warn("job worker: %s", err.detail);
		return NULL;
	}
	do {
		struct job_row job;
		rp_error_init(&err);
		while (store_job_claim(c, JOB_LEASE_S, &job, &err) == RP_OK) {
			run_one(j, c, &job);
			pthread_mutex_lock(&j->lock);
			bool stop = j->stopping;
			pthread_mutex_unlock(&j->lock);
			if (stop)
				return NULL;
		}
		if (j->idle)
			j->idle(c);
	} while (idle(j));
	return NULL;
}

struct jobs *jobs_start(struct store *s, const struct job_handler *handlers, int n,
			jobs_idle_fn when_idle)
{
	struct jobs *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	*j = (struct jobs){.s = s, .handlers = handlers, .n = n, .idle = when_idle};
	pthread_mutex_init(&j->lock, NULL);
	/* a wait to a wall-clock time would last an hour if the clock were
	 * set back an hour meanwhile, and queued jobs would wait with it */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&j->thread, NULL, worker, j) != 0) {
		log_warn("job worker: cannot start a thread (%s)", strerror(errno));
		pthread_mutex_destroy(&j->lock);
		pthread_cond_destroy(&j->wake);
		free(j);
		return NULL;
	}
	return j;
}

void jobs_wake(struct jobs *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->woken = true;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
}

void jobs_stop(struct jobs *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = true;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->wake);
	free(j);
}
