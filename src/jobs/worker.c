/* worker.c — the job worker thread: claim, run, record the outcome;
 * sleeps until woken or for a second when the queue is empty. */
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
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping, woken;
};

struct job_ctx {
	struct jobs *j;
	struct store_conn *c;
	int64_t id;
	int64_t renewed; /* when the lease was last renewed */
};

bool job_alive(struct job_ctx *ctx)
{
	int64_t now = clock_now();
	if (now - ctx->renewed >= JOB_LEASE_S / 3) {
		struct rp_error err;
		rp_error_init(&err);
		store_job_touch(ctx->c, ctx->id, JOB_LEASE_S, &err);
		ctx->renewed = now;
	}
	pthread_mutex_lock(&ctx->j->lock);
	bool alive = !ctx->j->stopping;
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

static void run_one(struct jobs *j, struct store_conn *c, const struct job_row *job)
{
	struct job_ctx ctx = {.j = j, .c = c, .id = job->id, .renewed = clock_now()};
	const struct job_handler *h = handler_for(j, job->kind);
	struct rp_error err;
	rp_error_init(&err);
	enum rp_err rc =
		h ? h->run(j->s, job->ref_id, &ctx, &err)
		  : rp_fail(&err, RP_EINTERNAL, "unknown_job", "no handler for %s", job->kind);
	if (rc)
		log_warn("job %lld (%s %lld) failed: %s", (long long)job->id, job->kind,
			 (long long)job->ref_id, err.detail);
	pthread_mutex_lock(&j->lock);
	bool stopped = j->stopping;
	pthread_mutex_unlock(&j->lock);
	if (stopped && !rc)
		return; /* interrupted: the lease runs out and the job resumes */
	struct rp_error ferr;
	rp_error_init(&ferr);
	store_job_finish(c, job->id, rc ? "failed" : "done", rc ? err.detail : NULL, &ferr);
}

/* Waits until woken, stopped or a second has passed. */
static bool idle(struct jobs *j)
{
	pthread_mutex_lock(&j->lock);
	if (!j->woken && !j->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
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
	} while (idle(j));
	return NULL;
}

struct jobs *jobs_start(struct store *s, const struct job_handler *handlers, int n)
{
	struct jobs *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	*j = (struct jobs){.s = s, .handlers = handlers, .n = n};
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
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
