/* buf.h — growable byte buffer, always NUL-terminated, with a maximum.
 * Past the maximum further appends are dropped and `overflow` sticks, so a
 * builder checks once at the end (SQLite's sticky-error way). Heap-owned:
 * release with buf_release. Allocation failure aborts. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap, max;
	bool overflow;
};

#define BUF_DEFAULT_MAX ((size_t)256 << 20)

void buf_init(struct buf *b, size_t max); /* max 0 = BUF_DEFAULT_MAX */
void buf_release(struct buf *b);
void buf_reset(struct buf *b);				   /* len = 0, keeps memory */
void buf_add_grow(struct buf *b, const void *p, size_t n); /* the slow path */
void buf_adds(struct buf *b, const char *s);

/* Inline when the bytes fit: JSON writing appends a few bytes at a time,
 * tens of thousands of times for a page of a list. */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!b->overflow && b->cap > 0 && n < b->cap - b->len && n <= b->max - b->len) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return;
	}
	buf_add_grow(b, p, n);
}

static inline void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the contents to the caller (malloc'd) and re-initialises b. */
char *buf_detach(struct buf *b, size_t *ret_len);
const char *buf_str(const struct buf *b); /* "" when empty */
/* How many of s's bytes, at most max, end on a UTF-8 character's end:
 * a cut there never leaves half a character. */
size_t utf8_fit(const char *s, size_t max);
