/* hash.h — FNV-1a over bytes, for the in-memory tables that key by text or
 * address (the transliteration memo, the importer's accounts, the rate
 * limiter's buckets). seed 0 is plain FNV-1a; a seed sets the table apart
 * (a per-process key, a transliterator). */
#pragma once
#include <stddef.h>
#include <stdint.h>

static inline uint64_t fnv1a(uint64_t seed, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull ^ seed;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}
