/* buf.c — see buf.h. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max ? max : BUF_DEFAULT_MAX;
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	free(b->p);
	size_t max = b->max;
	buf_init(b, max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = false;
	if (b->p)
		b->p[0] = '\0';
}

static bool grow(struct buf *b, size_t extra)
{
	if (b->overflow)
		return false;
	if (extra > b->max || b->len > b->max - extra) {
		b->overflow = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		abort();
	b->p = p;
	b->cap = cap;
	return true;
}

void buf_add_grow(struct buf *b, const void *p, size_t n)
{
	if (!grow(b, n))
		return;
	if (n) /* p may be NULL then: another empty buffer's contents */
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *buf_detach(struct buf *b, size_t *ret_len)
{
	if (!b->p) {
		/* never written (or refused at once): hand out an empty string */
		b->p = malloc(1);
		if (!b->p)
			abort();
		b->p[0] = '\0';
		b->len = 0;
	}
	char *p = b->p;
	if (ret_len)
		*ret_len = b->len;
	size_t max = b->max;
	buf_init(b, max);
	return p;
}

const char *buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

size_t utf8_fit(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}
