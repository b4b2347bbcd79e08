/* jobs.h — the background worker of `rapport serve`: takes jobs from the
 * durable queue in the database (store_job_claim) one at a time and runs
 * the handler registered for their kind. A job holds a lease it renews
 * while it runs; one whose server died is taken up again when the lease
 * runs out. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct job_ctx;
/* Runs the job for ref_id (e.g. an import id). Call job_alive() now and
 * then: it renews the lease, and says when to stop. The job's write
 * transactions commit only while it holds the lease (store_fence); when
 * stopped it must be able to resume from its last commit. */
typedef enum rp_err (*job_fn)(struct store *s, int64_t ref_id, struct job_ctx *ctx,
			      struct rp_error *err);

struct job_handler {
	const char *kind;
	job_fn run;
};

#define JOB_LEASE_S 60

struct jobs;
/* What the worker does with the queue empty, on its own connection:
 * housekeeping in short write transactions of its own. */
typedef void (*jobs_idle_fn)(struct store_conn *c);
/* Starts the worker thread; handlers must outlive it. */
struct jobs *jobs_start(struct store *s, const struct job_handler *handlers, int n,
			jobs_idle_fn when_idle);
/* Wakes the worker at once (a job was just queued). */
void jobs_wake(struct jobs *j);
/* Stops after the running job's current step; waits for the thread. */
void jobs_stop(struct jobs *j);
/* Renews the running job's lease; false when the worker is stopping or
 * the lease was lost (another worker took the job over). */
bool job_alive(struct job_ctx *ctx);
