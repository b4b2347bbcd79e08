/* ratelimit.h — requests per second per client address (a token bucket
 * each), so one client cannot take the server's time from the others. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct rate_limiter;

/* per_second == 0: no limit (ratelimit_take always allows). Bursts of up
 * to twice per_second are allowed. */
struct rate_limiter *ratelimit_new(unsigned per_second);
void ratelimit_free(struct rate_limiter *rl);
/* Takes a token for the address (its raw bytes); 0 if the request may go
 * now, else how many seconds to wait (for Retry-After). */
int ratelimit_take(struct rate_limiter *rl, const void *addr, size_t len, int64_t now_ns);
