/* jsonw.c — see jsonw.h. */
#include "core/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_init(struct jw *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* Writes the separator a new value needs at the current position. */
static void before_value(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		buf_addc(w->out, ',');
	w->need_comma[w->depth] = true;
}

static void open(struct jw *w, char c)
{
	before_value(w);
	buf_addc(w->out, c);
	if (w->depth >= JW_MAX_DEPTH) {
		w->out->overflow = true;
		return;
	}
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	buf_addc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(struct jw *w)
{
	open(w, '{');
}
void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}
void jw_arr(struct jw *w)
{
	open(w, '[');
}
void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

/* The bytes a JSON string cannot hold as they are. */
static inline bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

static void escape_byte(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	switch (c) {
	case '"': buf_add(b, "\\\"", 2); return;
	case '\\': buf_add(b, "\\\\", 2); return;
	case '\n': buf_add(b, "\\n", 2); return;
	case '\r': buf_add(b, "\\r", 2); return;
	case '\t': buf_add(b, "\\t", 2); return;
	default: {
		char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		buf_add(b, u, 6);
	}
	}
}

/* Whether any of the eight bytes of x needs escaping, all at once (the
 * "has a byte less than n" and "has a zero byte" tricks of Bit Twiddling
 * Hacks): the byte loop was a twelfth of a list page's time. Bytes of 0x80
 * and up (UTF-8) never match: ~x masks them out. */
#define BYTES(c) (0x0101010101010101ull * (c))
static inline bool word_needs_escape(uint64_t x)
{
	uint64_t quote = x ^ BYTES('"'), slash = x ^ BYTES('\\'), del = x ^ BYTES(0x7f);
	uint64_t hit = ((x - BYTES(0x20)) & ~x) | ((quote - BYTES(1)) & ~quote) |
		       ((slash - BYTES(1)) & ~slash) | ((del - BYTES(1)) & ~del);
	return hit & BYTES(0x80);
}

void json_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;
	while (i < n) {
		uint64_t x;
		if (n - i >= 8 && (memcpy(&x, p + i, 8), !word_needs_escape(x))) {
			i += 8;
			continue;
		}
		size_t end = n - i >= 8 ? i + 8 : n;
		for (; i < end; i++) {
			if (!needs_escape(p[i]))
				continue;
			buf_add(b, s + run, i - run);
			escape_byte(b, p[i]);
			run = i + 1;
		}
	}
	buf_add(b, s + run, n - run);
}

void jw_key(struct jw *w, const char *key)
{
	before_value(w);
	buf_addc(w->out, '"');
	json_escape(w->out, key, strlen(key));
	buf_add(w->out, "\":", 2);
	w->after_key = true;
}

void jw_raw_key(struct jw *w, const char *key, size_t n)
{
	/* before_value's comma, in the same copy as the key */
	bool comma = !w->after_key && w->need_comma[w->depth];
	if (!w->after_key)
		w->need_comma[w->depth] = true;
	w->after_key = true;
	buf_add(w->out, key + !comma, n - !comma);
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	before_value(w);
	buf_addc(w->out, '"');
	json_escape(w->out, s, n);
	buf_addc(w->out, '"');
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	before_value(w);
	/* by hand: printf's machinery was a tenth of a list page's time */
	char digits[20], *end = digits + sizeof digits, *p = end;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf_addc(w->out, '-');
	buf_add(w->out, p, (size_t)(end - p));
}

void jw_double(struct jw *w, double v)
{
	before_value(w);
	if (!isfinite(v))
		buf_adds(w->out, "null");
	else
		buf_printf(w->out, "%.17g", v);
}

void jw_bool(struct jw *w, bool v)
{
	before_value(w);
	buf_adds(w->out, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	before_value(w);
	buf_adds(w->out, "null");
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	before_value(w);
	buf_add(w->out, json, n);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
