/* replica.c — which requests read from the read replica (--db-replica),
 * and read-your-writes for them: the log position of each user's last
 * write is remembered (in this process), and a report reads from the
 * replica only once the replica has replayed it. Several servers behind a
 * load balancer keep that promise when a user's requests stay on one
 * server (a sticky session); docs/scaling.md. */
#include "api/internal.h"

#include <pthread.h>

/* A slot keeps the highest position of every user hashed to it, so a
 * collision can only send a report to the primary, never a stale one. */
#define LSN_SLOTS 4096

static uint64_t g_lsn[LSN_SLOTS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int64_t t_user; /* the request's caller, 0 if none */

static size_t slot_of(int64_t user_id)
{
	return (size_t)((uint64_t)user_id * 0x9E3779B97F4A7C15ull >> 52) % LSN_SLOTS;
}

void api_replica_caller(int64_t user_id)
{
	t_user = user_id;
}

void api_replica_request_done(struct store_conn *c)
{
	store_read_primary(c);
	uint64_t lsn = store_take_commit_lsn(c);
	if (lsn && t_user) {
		size_t i = slot_of(t_user);
		pthread_mutex_lock(&g_lock);
		if (lsn > g_lsn[i])
			g_lsn[i] = lsn;
		pthread_mutex_unlock(&g_lock);
	}
	t_user = 0;
}

bool api_read_replica(struct call *c)
{
	if (!store_has_replica(c->app->store))
		return false;
	size_t i = slot_of(c->d.p->user_id);
	pthread_mutex_lock(&g_lock);
	uint64_t min = g_lsn[i];
	pthread_mutex_unlock(&g_lock);
	bool on = store_read_replica(c->d.c, min);
	http_set_header(c->resp, "X-Rapport-Read-From", on ? "replica" : "primary");
	return on;
}
