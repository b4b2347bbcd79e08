/* ratelimit.c — a token bucket per client address in a fixed table: an
 * address hashes (with a key chosen at start, so nobody can aim at
 * another's slot) to one slot; a new address takes the slot over with a
 * full bucket, which only ever favours the one evicted. Memory stays
 * fixed whatever the number of addresses. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/hash.h"

#define SLOTS	 8192
#define LOCKS	 64
#define ADDR_MAX 16 /* IPv6 */

struct bucket {
	unsigned char addr[ADDR_MAX];
	size_t len;
	double tokens;
	int64_t at_ns; /* when tokens was last brought up to date */
};

struct rate_limiter {
	double rate, burst;
	uint64_t key;
	pthread_mutex_t locks[LOCKS];
	struct bucket slots[SLOTS];
};

struct rate_limiter *ratelimit_new(unsigned per_second)
{
	if (per_second == 0)
		return NULL;
	struct rate_limiter *rl = calloc(1, sizeof *rl);
	if (!rl)
		abort();
	rl->rate = per_second;
	rl->burst = 2.0 * per_second;
	if (getrandom(&rl->key, sizeof rl->key, 0) != sizeof rl->key)
		rl->key = (uint64_t)(uintptr_t)rl ^ 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	return rl;
}

void ratelimit_free(struct rate_limiter *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl);
}

static uint64_t addr_hash(const struct rate_limiter *rl, const unsigned char *a, size_t len)
{
	uint64_t h = fnv1a(rl->key, a, len);
	return h ^ (h >> 29);
}

int ratelimit_take(struct rate_limiter *rl, const void *addr, size_t len, int64_t now_ns)
{
	if (!rl || !addr || len == 0)
		return 0;
	if (len > ADDR_MAX)
		len = ADDR_MAX;
	uint64_t h = addr_hash(rl, addr, len);
	struct bucket *b = &rl->slots[h % SLOTS];
	pthread_mutex_t *lock = &rl->locks[(h % SLOTS) % LOCKS];
	pthread_mutex_lock(lock);
	if (b->len != len || memcmp(b->addr, addr, len)) {
		memcpy(b->addr, addr, len);
		b->len = len;
		b->tokens = rl->burst;
		b->at_ns = now_ns;
	}
	double tokens = b->tokens + (double)(now_ns - b->at_ns) / 1e9 * rl->rate;
	b->tokens = tokens > rl->burst ? rl->burst : tokens;
	b->at_ns = now_ns;
	int wait = 0;
	if (b->tokens >= 1.0)
		b->tokens -= 1.0;
	else
		wait = 1 + (int)((1.0 - b->tokens) / rl->rate);
	pthread_mutex_unlock(lock);
	return wait;
}
