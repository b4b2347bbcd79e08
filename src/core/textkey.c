/* textkey.c — normalised search keys for Rapport's full-text search.
 *
 * Computes, in C, the text Rapport stores in its FTS5 table (tokenizer
 * "unicode61 remove_diacritics 0") and the MATCH expression for a user's
 * query: Unicode folding with utf8proc, Han → pinyin and Cyrillic → Latin
 * transliteration with ICU, Han bigrams so 2-character Chinese queries
 * work.  Contracts are in textkey.h.
 *
 * Pipeline: the input is folded to NFKC + case fold (marks kept), cut into
 * segments (runs of letters/digits/marks, split again between Han and
 * non-Han), and each segment is mark-stripped on its own.  Cyrillic words
 * are transliterated from both the unstripped and the stripped form so
 * "Сергей" gives "sergey" (from й) as well as "sergei".
 *
 * The ICU transliterators, one set per thread, are in translit.c.
 */
#include "core/textkey.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/translit.h"
#include "core/xalloc.h"

/* Pinyin concatenations span at most this many syllables. */
#define PINYIN_WINDOW 8

/* NFKC + case fold + drop default ignorables; marks are kept. */
#define FOLD_BASE                                                                                  \
	(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)
/* Remove combining marks from already folded text, recompose. */
#define FOLD_STRIP (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK)

/* ------------------------------------------------------------------ */
/* Memory and growable strings                                          */
/* ------------------------------------------------------------------ */

typedef struct {
	char *p;
	size_t len, cap;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra)
{
	size_t need = add_size(add_size(b->len, extra), 1);
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = add_size(cap, cap);
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void sb_putc(sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

/* Starts a new space-separated token. */
static void sb_sep(sbuf *b)
{
	if (b->len)
		sb_putc(b, ' ');
}

static void sb_token(sbuf *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	sb_sep(b);
	sb_put(b, s, n);
}

/* Hands the NUL-terminated buffer to the caller. */
static char *sb_take(sbuf *b)
{
	sb_reserve(b, 0);
	b->p[b->len] = '\0';
	return b->p;
}

static bool is_ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* ------------------------------------------------------------------ */
/* utf8proc folding and classification                                  */
/* ------------------------------------------------------------------ */

static bool input_ok(const char *s, size_t len)
{
	return (s || len == 0) && len <= TEXTKEY_MAX_INPUT;
}

static bool all_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* ASCII is its own NFKC form and has no marks or default ignorables:
 * folding it is lowering A-Z. Most e-mail addresses, phones and Latin
 * names take this path (utf8proc decomposes every character). */
static char *umap_ascii(const char *s, size_t len, int options, size_t *outlen)
{
	char *r = xrealloc(NULL, len + 1);
	bool fold = options & UTF8PROC_CASEFOLD;
	for (size_t i = 0; i < len; i++)
		r[i] = fold && s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + ('a' - 'A')) : s[i];
	r[len] = '\0';
	*outlen = len;
	return r;
}

/* utf8proc_map() over len bytes; NULL on invalid UTF-8. */
static char *umap(const char *s, size_t len, int options, size_t *outlen)
{
	if (s && all_ascii(s, len))
		return umap_ascii(s, len, options, outlen);
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)(s ? s : ""),
					  (utf8proc_ssize_t)len, &out, (utf8proc_option_t)options);
	if (n == UTF8PROC_ERROR_NOMEM)
		abort();
	if (n < 0)
		return NULL;
	*outlen = (size_t)n;
	return (char *)out;
}

/* NFKC + case fold, marks kept; NULL on invalid input. */
static char *fold_base(const char *s, size_t len, size_t *outlen)
{
	if (!input_ok(s, len))
		return NULL;
	return umap(s, len, FOLD_BASE, outlen);
}

/* Strips marks from text that is already valid UTF-8. */
static char *strip_marks(const char *s, size_t len, size_t *outlen)
{
	char *r = umap(s, len, FOLD_STRIP, outlen);
	if (!r)
		abort(); /* cannot happen: s came out of utf8proc */
	return r;
}

/* Decodes the code point at *pos of valid UTF-8 and advances *pos. */
static utf8proc_int32_t next_cp(const char *s, size_t len, size_t *pos)
{
	utf8proc_int32_t c = -1;
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + *pos,
					      (utf8proc_ssize_t)(len - *pos), &c);
	if (n <= 0) {
		*pos = len;
		return -1;
	}
	*pos += (size_t)n;
	return c;
}

static bool in_range(utf8proc_int32_t c, utf8proc_int32_t lo, utf8proc_int32_t hi)
{
	return c >= lo && c <= hi;
}

/* CJK Unified Ideographs (+ Ext A–G), compatibility ideographs, 〇. */
static bool is_han(utf8proc_int32_t c)
{
	return in_range(c, 0x4E00, 0x9FFF) || in_range(c, 0x3400, 0x4DBF) ||
	       in_range(c, 0xF900, 0xFAFF) || in_range(c, 0x20000, 0x2EBEF) ||
	       in_range(c, 0x2F800, 0x2FA1F) || in_range(c, 0x30000, 0x3134F) || c == 0x3007;
}

static bool is_cyrillic(utf8proc_int32_t c)
{
	return in_range(c, 0x0400, 0x052F) || in_range(c, 0x1C80, 0x1C8F) ||
	       in_range(c, 0x2DE0, 0x2DFF) || in_range(c, 0xA640, 0xA69F);
}

enum kind { K_SEP, K_MARK, K_HAN, K_WORD };

static enum kind kind_of(utf8proc_int32_t c)
{
	if (c < 0)
		return K_SEP;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO: return is_han(c) ? K_HAN : K_WORD;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME: return K_MARK;
	default: return K_SEP;
	}
}

/* Value of a decimal digit of any script, -1 for anything else. */
static int digit_value(utf8proc_int32_t c)
{
	if (c < 0 || utf8proc_category(c) != UTF8PROC_CATEGORY_ND)
		return -1;
	return (int)u_charDigitValue((UChar32)c);
}

/* ------------------------------------------------------------------ */
/* Segmentation                                                         */
/* ------------------------------------------------------------------ */

typedef struct {
	const char *p;
	size_t len;
	bool han; /* Han run (else any other letters/digits) */
	bool cyr; /* contains at least one Cyrillic letter */
} segment;

/* Skips separators from *pos; returns the offset of the next
 * non-separator, or len. */
static size_t skip_separators(const char *s, size_t len, size_t pos)
{
	while (pos < len) {
		size_t next = pos;
		if (kind_of(next_cp(s, len, &next)) != K_SEP)
			break;
		pos = next;
	}
	return pos;
}

/* Finds the next segment of folded text s at or after *pos: a maximal run
 * of letters, digits and marks in which Han and non-Han do not mix.
 * Returns false at the end of s. */
static bool next_segment(const char *s, size_t len, size_t *pos, segment *g)
{
	size_t at = skip_separators(s, len, *pos);
	if (at >= len) {
		*pos = len;
		return false;
	}
	*g = (segment){.p = s + at};
	bool decided = false;
	size_t end = at;
	while (end < len) {
		size_t next = end;
		utf8proc_int32_t c = next_cp(s, len, &next);
		enum kind k = kind_of(c);
		if (k == K_SEP)
			break;
		if (k != K_MARK) {
			bool han = (k == K_HAN);
			if (decided && han != g->han)
				break;
			g->han = han;
			decided = true;
			g->cyr = g->cyr || is_cyrillic(c);
		}
		end = next;
	}
	g->len = end - at;
	*pos = end;
	return true;
}

/* ------------------------------------------------------------------ */
/* Index: Cyrillic and Latin words                                      */
/* ------------------------------------------------------------------ */

/* Adds the Latin transliteration(s) of a Cyrillic word: from the word
 * as folded (raw, marks kept) and from its stripped form. */
static void index_cyrillic(sbuf *out, const char *raw, size_t rawn, const char *word, size_t wn,
			   struct translit *t)
{
	size_t an = 0, bn = 0;
	char *a = translit_word(t, TR_CYRILLIC, raw, rawn, &an);
	if (a && !same_bytes(a, an, word, wn))
		sb_token(out, a, an);
	if (!same_bytes(raw, rawn, word, wn)) {
		char *b = translit_word(t, TR_CYRILLIC, word, wn, &bn);
		if (b && !(a && same_bytes(b, bn, a, an)) && !same_bytes(b, bn, word, wn))
			sb_token(out, b, bn);
		free(b);
	}
	free(a);
}

/* ------------------------------------------------------------------ */
/* Index: Han runs                                                      */
/* ------------------------------------------------------------------ */

/* Writes the overlapping bigrams of a Han run (≥ 2 characters, no marks)
 * separated by single spaces, with no leading space. */
static void put_bigrams(sbuf *out, const char *h, size_t hn)
{
	size_t prev = 0, cur = 0;
	next_cp(h, hn, &cur); /* cur: start of the second character */
	bool first = true;
	while (cur < hn) {
		size_t next = cur;
		next_cp(h, hn, &next);
		if (!first)
			sb_putc(out, ' ');
		sb_put(out, h + prev, next - prev);
		first = false;
		prev = cur;
		cur = next;
	}
}

/* Byte offset of the last code point of non-empty valid UTF-8. */
static size_t last_cp_offset(const char *s, size_t len)
{
	size_t at = 0;
	for (size_t pos = 0; pos < len;) {
		at = pos;
		next_cp(s, len, &pos);
	}
	return at;
}

typedef struct {
	const char *p;
	size_t len;
} span;

typedef struct {
	span *v;
	size_t n, cap;
} syllables;

/* Cuts a transliteration into runs of [a-z0-9]; anything else (spaces,
 * apostrophes, characters ICU could not read) separates. */
static syllables split_syllables(const char *s, size_t len)
{
	syllables r = {0};
	for (size_t i = 0; i < len;) {
		if (!is_ascii_alnum(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < len && is_ascii_alnum(s[j]))
			j++;
		if (r.n == r.cap) {
			r.cap = r.cap ? r.cap * 2 : 16;
			r.v = xrealloc(r.v, r.cap * sizeof *r.v);
		}
		r.v[r.n++] = (span){s + i, j - i};
		i = j;
	}
	return r;
}

static bool any_marked(const bool *mask, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (mask[i])
			return true;
	return false;
}

/* Emits syllables and concatenation windows; with a mask, only the
 * syllables and windows that touch a marked syllable. */
static void emit_pinyin(sbuf *out, const syllables *sy, const bool *mask)
{
	for (size_t i = 0; i < sy->n; i++)
		if (!mask || mask[i])
			sb_token(out, sy->v[i].p, sy->v[i].len);
	for (size_t i = 0; i + 1 < sy->n; i++) {
		size_t end = sy->n - i > PINYIN_WINDOW ? i + PINYIN_WINDOW : sy->n;
		if (mask && !any_marked(mask, i, end))
			continue;
		sb_sep(out);
		for (size_t j = i; j < end; j++)
			sb_put(out, sy->v[j].p, sy->v[j].len);
	}
}

/* Emits the plain reading where it differs from the names reading. */
static void emit_pinyin_diff(sbuf *out, const syllables *names, const syllables *plain)
{
	if (plain->n != names->n) {
		emit_pinyin(out, plain, NULL);
		return;
	}
	bool *mask = xcalloc(plain->n, sizeof *mask);
	bool differs = false;
	for (size_t i = 0; i < plain->n; i++) {
		mask[i] =
			!same_bytes(plain->v[i].p, plain->v[i].len, names->v[i].p, names->v[i].len);
		differs = differs || mask[i];
	}
	if (differs)
		emit_pinyin(out, plain, mask);
	free(mask);
}

static void index_pinyin(sbuf *out, const char *h, size_t hn, struct translit *t)
{
	size_t an = 0, bn = 0;
	char *a = translit_run(t, TR_HAN_NAMES, h, hn, &an);
	char *b = translit_run(t, TR_HAN_PLAIN, h, hn, &bn);
	syllables names = a ? split_syllables(a, an) : (syllables){0};
	syllables plain = b ? split_syllables(b, bn) : (syllables){0};
	emit_pinyin(out, &names, NULL);
	emit_pinyin_diff(out, &names, &plain);
	free(names.v);
	free(plain.v);
	free(a);
	free(b);
}

/* Han run (stripped, so Han characters only): bigrams, last character,
 * pinyin. */
static void index_han(sbuf *out, const char *h, size_t hn, struct translit *t)
{
	size_t last = last_cp_offset(h, hn);
	if (last > 0) {
		sb_sep(out);
		put_bigrams(out, h, hn);
	}
	sb_token(out, h + last, hn - last);
	index_pinyin(out, h, hn, t);
}

/* ------------------------------------------------------------------ */
/* Index: phone numbers                                                 */
/* ------------------------------------------------------------------ */

static bool is_phone_punct(utf8proc_int32_t c)
{
	return c == ' ' || c == '+' || c == '-' || c == '(' || c == ')' || c == '.';
}

/* Emits the collected digits when they look like a phone number split
 * into groups (a single group is already a word token). */
static void flush_phone(sbuf *out, sbuf *digits, size_t *groups)
{
	if (*groups >= 2 && digits->len >= 5)
		sb_token(out, digits->p, digits->len);
	digits->len = 0;
	*groups = 0;
}

static void index_phones(sbuf *out, const char *s, size_t len)
{
	sbuf digits = {0};
	size_t groups = 0;
	bool in_group = false;
	for (size_t pos = 0; pos < len;) {
		utf8proc_int32_t c = next_cp(s, len, &pos);
		int d = digit_value(c);
		if (d >= 0) {
			groups += !in_group;
			in_group = true;
			sb_putc(&digits, (char)('0' + d));
			continue;
		}
		in_group = false;
		if (!is_phone_punct(c))
			flush_phone(out, &digits, &groups);
	}
	flush_phone(out, &digits, &groups);
	free(digits.p);
}

/* ------------------------------------------------------------------ */
/* Public functions                                                     */
/* ------------------------------------------------------------------ */

static void index_segment(sbuf *out, const segment *g, struct translit *t)
{
	size_t wn = 0;
	char *w = strip_marks(g->p, g->len, &wn);
	if (wn == 0) {
		free(w);
		return;
	}
	if (g->han) {
		index_han(out, w, wn, t);
	} else {
		sb_token(out, w, wn);
		if (g->cyr)
			index_cyrillic(out, g->p, g->len, w, wn, t);
	}
	free(w);
}

/* Folds s, cuts it into segments and writes each through `each`; with
 * phones, the digit strings of phone numbers follow. (Remembering whole
 * keys per thread, as transliterations are, made imports slower: the
 * entries pushed the names' transliterations out of the memo.) */
static char *map_segments(const char *s, size_t len,
			  void (*each)(sbuf *, const segment *, struct translit *), bool phones)
{
	struct translit *t = translit_thread();
	if (!t)
		return NULL;
	size_t n = 0;
	char *base = fold_base(s, len, &n);
	if (!base)
		return NULL;
	sbuf out = {0};
	segment g;
	for (size_t pos = 0; next_segment(base, n, &pos, &g);)
		each(&out, &g, t);
	if (phones)
		index_phones(&out, base, n);
	free(base);
	return sb_take(&out);
}

char *textkey_index(const char *s, size_t len)
{
	return map_segments(s, len, index_segment, true);
}

/* One segment as Latin letters and digits: a Han run as its pinyin
 * syllables run together, a Cyrillic word transliterated, others folded
 * with their marks stripped. */
static void latin_segment(sbuf *out, const segment *g, struct translit *t)
{
	size_t wn = 0, ln = 0;
	char *w = strip_marks(g->p, g->len, &wn);
	char *l = NULL;
	if (wn && g->han)
		l = translit_word(t, TR_HAN_NAMES, w, wn, &ln);
	else if (wn && g->cyr)
		l = translit_word(t, TR_CYRILLIC, g->p, g->len, &ln);
	if (l)
		sb_token(out, l, ln);
	else if (wn)
		sb_token(out, w, wn);
	free(l);
	free(w);
}

char *textkey_latin(const char *s, size_t len)
{
	return map_segments(s, len, latin_segment, false);
}

/* Writes s inside an FTS5 string, doubling any '"'. */
static void put_quoted(sbuf *out, const char *s, size_t n)
{
	sb_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sb_putc(out, '"');
		sb_putc(out, s[i]);
	}
	sb_putc(out, '"');
}

/* One query term for a stripped, non-empty segment. */
static void query_term(sbuf *out, const char *w, size_t wn, bool han)
{
	if (han && last_cp_offset(w, wn) > 0) {
		sbuf phrase = {0};
		put_bigrams(&phrase, w, wn);
		put_quoted(out, phrase.p, phrase.len);
		free(phrase.p);
		return;
	}
	put_quoted(out, w, wn);
	sb_putc(out, '*');
}

char *textkey_query(const char *s, size_t len)
{
	size_t n = 0;
	char *base = fold_base(s, len, &n);
	if (!base)
		return NULL;
	sbuf out = {0};
	size_t terms = 0;
	segment g;
	for (size_t pos = 0; next_segment(base, n, &pos, &g);) {
		size_t wn = 0;
		char *w = strip_marks(g.p, g.len, &wn);
		if (wn > 0) {
			if (terms++)
				sb_put(&out, " AND ", 5);
			query_term(&out, w, wn, g.han);
		}
		free(w);
	}
	free(base);
	if (terms == 0) {
		free(out.p);
		return NULL;
	}
	return sb_take(&out);
}

char *textkey_fold(const char *s, size_t len)
{
	size_t n = 0, m = 0;
	char *base = fold_base(s, len, &n);
	if (!base)
		return NULL;
	char *r = strip_marks(base, n, &m);
	free(base);
	if (memchr(r, '\0', m)) {
		free(r);
		return NULL;
	}
	return r;
}

char *textkey_digits(const char *s, size_t len)
{
	if (!input_ok(s, len))
		return NULL;
	sbuf out = {0};
	for (size_t pos = 0; pos < len;) {
		utf8proc_int32_t c = -1;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
						      (utf8proc_ssize_t)(len - pos), &c);
		if (k <= 0 || !utf8proc_codepoint_valid(c)) {
			free(out.p);
			return NULL;
		}
		pos += (size_t)k;
		int d = digit_value(c);
		if (d >= 0)
			sb_putc(&out, (char)('0' + d));
	}
	return sb_take(&out);
}

/* ------------------------------------------------------------------ */
/* A record's search text: words joined, repeats left out               */
/* ------------------------------------------------------------------ */

struct seen_word {
	uint64_t hash; /* 0: free slot */
	size_t off, len;
};

void textkey_words_start(struct textkey_words *w, struct buf *out)
{
	w->out = out;
	buf_reset(out);
	if (w->n)
		memset(w->v, 0, sizeof *w->v * w->cap);
	w->n = 0;
}

void textkey_words_free(struct textkey_words *w)
{
	free(w->v);
	*w = (struct textkey_words){0};
}

static void words_grow(struct textkey_words *w)
{
	size_t cap = w->cap ? w->cap * 2 : 64;
	struct seen_word *v = xcalloc(cap, sizeof *v);
	for (size_t i = 0; i < w->cap; i++) {
		if (!w->v[i].hash)
			continue;
		size_t j = w->v[i].hash & (cap - 1);
		while (v[j].hash)
			j = (j + 1) & (cap - 1);
		v[j] = w->v[i];
	}
	free(w->v);
	w->v = v;
	w->cap = cap;
}

/* True when out already holds the word (s, n); remembers it otherwise,
 * as the next one appended at offset off. */
static bool seen_before(struct textkey_words *w, const char *s, size_t n, size_t off)
{
	if (2 * (w->n + 1) > w->cap)
		words_grow(w);
	uint64_t h = fnv1a(0, s, n) | 1;
	size_t j = h & (w->cap - 1);
	for (; w->v[j].hash; j = (j + 1) & (w->cap - 1))
		if (w->v[j].hash == h && same_bytes(w->out->p + w->v[j].off, w->v[j].len, s, n))
			return true;
	w->v[j] = (struct seen_word){h, off, n};
	w->n++;
	return false;
}

static bool han_word(const char *s, size_t n)
{
	utf8proc_int32_t c = -1;
	return utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &c) > 0 &&
	       is_han(c);
}

void textkey_words_add(struct textkey_words *w, const char *t)
{
	for (const char *p = t; p && *p && !w->out->overflow;) {
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t off = w->out->len + (w->out->len ? 1 : 0);
		if (n && (han_word(p, n) || !seen_before(w, p, n, off))) {
			if (w->out->len)
				buf_addc(w->out, ' ');
			buf_add(w->out, p, n);
		}
		p += n + (end ? 1 : 0);
	}
}
