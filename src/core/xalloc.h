/* xalloc.h — allocation that aborts when memory runs out, for code whose
 * callers have no way to report it (the text code of core/, the store's
 * connections and statements, the listener, the registry's custom fields). */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline size_t add_size(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		abort();
	return a + b;
}

static inline void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

static inline void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

/* A copy of s (NULL for NULL). */
static inline char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *r = strdup(s);
	if (!r)
		abort();
	return r;
}
