/* arena.h — a memory pool per request (or per command): allocations are
 * freed together, never piece by piece; cleanup callbacks release handles
 * (statements, results) when the arena goes. Not thread-safe: one arena
 * belongs to one thread at a time. Allocation failure aborts. */
#pragma once
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Runs cleanups (last registered first), then frees every block. NULL ok. */
void arena_free(struct arena *a);

/* Zeroed memory aligned for any type, owned by the arena. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fn(ptr) runs when the arena is freed. */
void arena_on_release(struct arena *a, void (*fn)(void *), void *ptr);

/* Bytes handed out so far (for limits and metrics). */
size_t arena_used(const struct arena *a);
