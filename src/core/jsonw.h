/* jsonw.h — a small streaming JSON writer into a struct buf. Every key and
 * string is escaped here, so no caller builds JSON with printf. Commas are
 * placed automatically; nesting is bounded by JW_MAX_DEPTH (deeper writes
 * set the buffer's overflow flag). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define JW_MAX_DEPTH 32

struct jw {
	struct buf *out;
	int depth;
	bool need_comma[JW_MAX_DEPTH + 1];
	bool after_key;
};

void jw_init(struct jw *w, struct buf *out);
void jw_obj(struct jw *w); /* { */
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w); /* [ */
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
/* A key written out already, with the comma before it and its quotes and
 * colon (,"name":); the comma is left out where none is due. */
void jw_raw_key(struct jw *w, const char *key, size_t n);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Inserts text that already is valid JSON (e.g. a stored JSON column). */
void jw_raw(struct jw *w, const char *json, size_t n);

/* Shorthands for "key": value pairs. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);

/* Appends s escaped as JSON string content (no quotes) to b. */
void json_escape(struct buf *b, const char *s, size_t n);
