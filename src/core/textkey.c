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
 * ICU transliterators are not thread-safe: textkey_init() opens prototypes
 * and each thread clones them on first use (kept in a pthread key whose
 * destructor closes them at thread exit).
 */
#include "core/textkey.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

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

static size_t add_size(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		abort();
	return a + b;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

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
/* ICU transliterators                                                  */
/* ------------------------------------------------------------------ */

enum { TR_HAN_NAMES, TR_HAN_PLAIN, TR_CYRILLIC, TR_COUNT };

static const char *const TR_IDS[TR_COUNT] = {
	[TR_HAN_NAMES] = "Han-Latin/Names; Latin-ASCII; Lower",
	[TR_HAN_PLAIN] = "Han-Latin; Latin-ASCII; Lower",
	[TR_CYRILLIC] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower",
};

/* Transliteration is most of the CPU of a write (profiled): names and
 * words repeat (common surnames, a company on every row of an import), so
 * each thread remembers its last results, direct-mapped. */
#define MEMO_SLOTS   1024
#define MEMO_MAX_LEN 256
typedef struct {
	const void *tr;
	uint64_t hash;
	char *in, *out;
	size_t inlen, outlen;
} tk_memo;

typedef struct {
	UTransliterator *tr[TR_COUNT];
	tk_memo *memo; /* MEMO_SLOTS, allocated on first use */
} tk_thread;

static UTransliterator *g_proto[TR_COUNT];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t g_key;
static atomic_bool g_ready;

static UTransliterator *open_translit(const char *id)
{
	UChar uid[128];
	int32_t n = 0;
	UErrorCode st = U_ZERO_ERROR;
	u_strFromUTF8(uid, (int32_t)(sizeof uid / sizeof *uid), &n, id, -1, &st);
	if (U_FAILURE(st))
		return NULL;
	UParseError pe;
	UTransliterator *t = utrans_openU(uid, n, UTRANS_FORWARD, NULL, 0, &pe, &st);
	if (U_FAILURE(st)) {
		if (t)
			utrans_close(t);
		return NULL;
	}
	return t;
}

static void close_all(UTransliterator **tr)
{
	for (int i = 0; i < TR_COUNT; i++) {
		if (tr[i])
			utrans_close(tr[i]);
		tr[i] = NULL;
	}
}

/* pthread key destructor. */
static void thread_free(void *p)
{
	tk_thread *t = p;
	if (!t)
		return;
	close_all(t->tr);
	for (int i = 0; t->memo && i < MEMO_SLOTS; i++) {
		free(t->memo[i].in);
		free(t->memo[i].out);
	}
	free(t->memo);
	free(t);
}

/* Clones the prototypes for the calling thread. */
static tk_thread *thread_create(void)
{
	tk_thread *t = xcalloc(1, sizeof *t);
	bool ok = true;
	pthread_mutex_lock(&g_lock);
	for (int i = 0; ok && i < TR_COUNT; i++) {
		UErrorCode st = U_ZERO_ERROR;
		t->tr[i] = g_proto[i] ? utrans_clone(g_proto[i], &st) : NULL;
		ok = t->tr[i] && U_SUCCESS(st);
	}
	pthread_mutex_unlock(&g_lock);
	if (!ok || pthread_setspecific(g_key, t) != 0) {
		thread_free(t);
		return NULL;
	}
	return t;
}

/* The calling thread's transliterators (compiling the prototypes on
 * first use), or NULL if ICU cannot open them. */
static tk_thread *thread_get(void)
{
	if (!atomic_load(&g_ready) && textkey_init() != 0)
		return NULL;
	tk_thread *t = pthread_getspecific(g_key);
	return t ? t : thread_create();
}

static int init_locked(void)
{
	for (int i = 0; i < TR_COUNT; i++) {
		g_proto[i] = open_translit(TR_IDS[i]);
		if (!g_proto[i])
			goto fail;
	}
	if (pthread_key_create(&g_key, thread_free) != 0)
		goto fail;
	atomic_store(&g_ready, true);
	return 0;
fail:
	close_all(g_proto);
	return -1;
}

int textkey_init(void)
{
	pthread_mutex_lock(&g_lock);
	int rc = atomic_load(&g_ready) ? 0 : init_locked();
	pthread_mutex_unlock(&g_lock);
	return rc;
}

static void *warm(void *arg)
{
	(void)arg;
	textkey_init();
	return NULL;
}

void textkey_warm(void)
{
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, warm, NULL) != 0)
		textkey_init(); /* no thread: compile now */
	pthread_attr_destroy(&attr);
}

void textkey_shutdown(void)
{
	pthread_mutex_lock(&g_lock);
	if (atomic_load(&g_ready)) {
		atomic_store(&g_ready, false);
		tk_thread *t = pthread_getspecific(g_key);
		pthread_setspecific(g_key, NULL);
		thread_free(t);
		pthread_key_delete(g_key);
		close_all(g_proto);
	}
	pthread_mutex_unlock(&g_lock);
}

/* UTF-16 → malloc'd UTF-8; NULL on ICU error. */
static char *utf16_to_utf8(const UChar *u, int32_t ulen, size_t *outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;
	u_strToUTF8(NULL, 0, &n, u, ulen, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return NULL;
	char *r = xrealloc(NULL, add_size((size_t)n, 1));
	st = U_ZERO_ERROR;
	u_strToUTF8(r, n + 1, &n, u, ulen, &st);
	if (U_FAILURE(st)) {
		free(r);
		return NULL;
	}
	*outlen = (size_t)n;
	return r;
}

/* One utrans_transUChars() attempt with a buffer of cap UChars.  Returns
 * the buffer, or NULL with *need set when cap was too small (*need = 0
 * on other errors). */
static UChar *translit_try(UTransliterator *tr, const char *s, size_t len, int32_t cap,
			   int32_t *ulen, int32_t *need)
{
	UChar *buf = xrealloc(NULL, (size_t)cap * sizeof *buf);
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;
	u_strFromUTF8(buf, cap, &n, s, (int32_t)len, &st);
	int32_t limit = n;
	if (U_SUCCESS(st))
		utrans_transUChars(tr, buf, &n, cap, 0, &limit, &st);
	*need = 0;
	if (U_SUCCESS(st) && n < cap) {
		*ulen = n;
		return buf;
	}
	if (st == U_BUFFER_OVERFLOW_ERROR || n >= cap)
		*need = n > cap ? n + 16 : cap * 2;
	free(buf);
	return NULL;
}

/* Transliterates len bytes of valid UTF-8; malloc'd UTF-8 or NULL. */
static uint64_t memo_hash(const void *tr, const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)tr;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *r = xrealloc(NULL, n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* The remembered result for (tr, s), as a fresh copy; NULL if none. */
static char *memo_get(tk_thread *t, const void *tr, const char *s, size_t len, uint64_t h,
		      size_t *outlen)
{
	if (!t || !t->memo || len > MEMO_MAX_LEN)
		return NULL;
	tk_memo *m = &t->memo[h % MEMO_SLOTS];
	if (m->tr != tr || m->hash != h || m->inlen != len || memcmp(m->in, s, len))
		return NULL;
	*outlen = m->outlen;
	return dup_bytes(m->out, m->outlen);
}

static void memo_put(tk_thread *t, const void *tr, const char *s, size_t len, uint64_t h,
		     const char *out, size_t outlen)
{
	if (!t || len > MEMO_MAX_LEN)
		return;
	if (!t->memo)
		t->memo = xcalloc(MEMO_SLOTS, sizeof *t->memo);
	tk_memo *m = &t->memo[h % MEMO_SLOTS];
	free(m->in);
	free(m->out);
	*m = (tk_memo){tr, h, dup_bytes(s, len), dup_bytes(out, outlen), len, outlen};
}

static char *transliterate_now(UTransliterator *tr, const char *s, size_t len, size_t *outlen);

static char *transliterate(UTransliterator *tr, const char *s, size_t len, size_t *outlen)
{
	tk_thread *t = atomic_load(&g_ready) ? pthread_getspecific(g_key) : NULL;
	uint64_t h = memo_hash(tr, s, len);
	char *r = memo_get(t, tr, s, len, h, outlen);
	if (r)
		return r;
	r = transliterate_now(tr, s, len, outlen);
	if (r)
		memo_put(t, tr, s, len, h, r, *outlen);
	return r;
}

static char *transliterate_now(UTransliterator *tr, const char *s, size_t len, size_t *outlen)
{
	int32_t cap = (int32_t)len * 4 + 16; /* len ≤ 64 KiB: no overflow */
	for (int attempt = 0; attempt < 4 && cap > 0; attempt++) {
		int32_t ulen = 0, need = 0;
		UChar *buf = translit_try(tr, s, len, cap, &ulen, &need);
		if (buf) {
			char *r = utf16_to_utf8(buf, ulen, outlen);
			free(buf);
			return r;
		}
		if (need <= cap)
			return NULL;
		cap = need;
	}
	return NULL;
}

static bool is_ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Transliterates one word and keeps only [a-z0-9] ("ol'ga" → "olga").
 * Returns malloc'd text (possibly empty) or NULL on ICU error. */
static char *latin_word(UTransliterator *tr, const char *s, size_t len, size_t *outlen)
{
	size_t n = 0;
	char *r = transliterate(tr, s, len, &n);
	if (!r)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = r[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (is_ascii_alnum(c))
			r[k++] = c;
	}
	r[k] = '\0';
	*outlen = k;
	return r;
}

/* ------------------------------------------------------------------ */
/* Index: Cyrillic and Latin words                                      */
/* ------------------------------------------------------------------ */

/* Adds the Latin transliteration(s) of a Cyrillic word: from the word
 * as folded (raw, marks kept) and from its stripped form. */
static void index_cyrillic(sbuf *out, const char *raw, size_t rawn, const char *word, size_t wn,
			   tk_thread *t)
{
	size_t an = 0, bn = 0;
	char *a = latin_word(t->tr[TR_CYRILLIC], raw, rawn, &an);
	if (a && !same_bytes(a, an, word, wn))
		sb_token(out, a, an);
	if (!same_bytes(raw, rawn, word, wn)) {
		char *b = latin_word(t->tr[TR_CYRILLIC], word, wn, &bn);
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

static void index_pinyin(sbuf *out, const char *h, size_t hn, tk_thread *t)
{
	size_t an = 0, bn = 0;
	char *a = transliterate(t->tr[TR_HAN_NAMES], h, hn, &an);
	char *b = transliterate(t->tr[TR_HAN_PLAIN], h, hn, &bn);
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
static void index_han(sbuf *out, const char *h, size_t hn, tk_thread *t)
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

static void index_segment(sbuf *out, const segment *g, tk_thread *t)
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
			  void (*each)(sbuf *, const segment *, tk_thread *), bool phones)
{
	tk_thread *t = thread_get();
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
static void latin_segment(sbuf *out, const segment *g, tk_thread *t)
{
	size_t wn = 0, ln = 0;
	char *w = strip_marks(g->p, g->len, &wn);
	char *l = NULL;
	if (wn && g->han)
		l = latin_word(t->tr[TR_HAN_NAMES], w, wn, &ln);
	else if (wn && g->cyr)
		l = latin_word(t->tr[TR_CYRILLIC], g->p, g->len, &ln);
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
