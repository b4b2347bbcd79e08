/* translit.c — the ICU transliterators behind textkey.c (Han → pinyin,
 * Cyrillic → Latin): compiled once (textkey_init, or textkey_warm off the
 * start path), cloned per thread on first use since ICU's are not
 * thread-safe, closed by a pthread key destructor at thread exit; each
 * thread remembers its last results. */
#include "core/translit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "core/hash.h"
#include "core/textkey.h"
#include "core/xalloc.h"

static const char *const TR_IDS[TR_COUNT] = {
	[TR_HAN_NAMES] = "Han-Latin/Names; Latin-ASCII; Lower",
	[TR_HAN_PLAIN] = "Han-Latin; Latin-ASCII; Lower",
	[TR_CYRILLIC] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower",
};

/* Transliteration is most of the CPU of a write (profiled): names and
 * words repeat (common surnames, a company on every row of an import), so
 * each thread remembers its last results in sets of two, the more recent
 * first. Direct-mapped 1024 slots thrashed on an import of names in three
 * scripts: 9 % of look-ups missed, at ~25 µs of ICU each. */
#define MEMO_SETS    2048
#define MEMO_WAYS    2
#define MEMO_MAX_LEN 256
typedef struct {
	const void *tr;
	uint64_t hash;
	char *in, *out;
	size_t inlen, outlen;
} tk_memo;

struct translit {
	UTransliterator *tr[TR_COUNT];
	tk_memo *memo; /* MEMO_SETS × MEMO_WAYS, allocated on first use */
};

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
	struct translit *t = p;
	if (!t)
		return;
	close_all(t->tr);
	for (int i = 0; t->memo && i < MEMO_SETS * MEMO_WAYS; i++) {
		free(t->memo[i].in);
		free(t->memo[i].out);
	}
	free(t->memo);
	free(t);
}

/* Clones the prototypes for the calling thread. */
static struct translit *thread_create(void)
{
	struct translit *t = xcalloc(1, sizeof *t);
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

struct translit *translit_thread(void)
{
	if (!atomic_load(&g_ready) && textkey_init() != 0)
		return NULL;
	struct translit *t = pthread_getspecific(g_key);
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
		struct translit *t = pthread_getspecific(g_key);
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

static uint64_t memo_hash(const void *tr, const char *s, size_t len)
{
	return fnv1a((uint64_t)(uintptr_t)tr, s, len);
}

static char *dup_bytes(const char *s, size_t n)
{
	char *r = xrealloc(NULL, n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static tk_memo *memo_set(struct translit *t, uint64_t h)
{
	return &t->memo[(h % MEMO_SETS) * MEMO_WAYS];
}

static bool memo_is(const tk_memo *m, const void *tr, const char *s, size_t len, uint64_t h)
{
	return m->tr == tr && m->hash == h && m->inlen == len && !memcmp(m->in, s, len);
}

/* The remembered result for (tr, s), as a fresh copy; NULL if none. A hit
 * in the second way moves to the first. */
static char *memo_get(struct translit *t, const void *tr, const char *s, size_t len, uint64_t h,
		      size_t *outlen)
{
	if (!t || !t->memo || len > MEMO_MAX_LEN)
		return NULL;
	tk_memo *set = memo_set(t, h);
	int way = 0;
	while (way < MEMO_WAYS && !memo_is(&set[way], tr, s, len, h))
		way++;
	if (way == MEMO_WAYS)
		return NULL;
	tk_memo hit = set[way];
	memmove(&set[1], &set[0], (size_t)way * sizeof *set);
	set[0] = hit;
	*outlen = hit.outlen;
	return dup_bytes(hit.out, hit.outlen);
}

/* Puts a result first in its set; the least recent way leaves. */
static void memo_put(struct translit *t, const void *tr, const char *s, size_t len, uint64_t h,
		     const char *out, size_t outlen)
{
	if (!t || len > MEMO_MAX_LEN)
		return;
	if (!t->memo)
		t->memo = xcalloc((size_t)MEMO_SETS * MEMO_WAYS, sizeof *t->memo);
	tk_memo *set = memo_set(t, h);
	free(set[MEMO_WAYS - 1].in);
	free(set[MEMO_WAYS - 1].out);
	memmove(&set[1], &set[0], (MEMO_WAYS - 1) * sizeof *set);
	set[0] = (tk_memo){tr, h, dup_bytes(s, len), dup_bytes(out, outlen), len, outlen};
}

static char *transliterate_now(UTransliterator *tr, const char *s, size_t len, size_t *outlen);

/* Transliterates len bytes of valid UTF-8; malloc'd UTF-8 or NULL. */
static char *transliterate(struct translit *t, UTransliterator *tr, const char *s, size_t len,
			   size_t *outlen)
{
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

char *translit_run(struct translit *t, enum translit_kind kind, const char *s, size_t len,
		   size_t *outlen)
{
	return transliterate(t, t->tr[kind], s, len, outlen);
}

char *translit_word(struct translit *t, enum translit_kind kind, const char *s, size_t len,
		    size_t *outlen)
{
	size_t n = 0;
	char *r = transliterate(t, t->tr[kind], s, len, &n);
	if (!r)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = r[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			r[k++] = c;
	}
	r[k] = '\0';
	*outlen = k;
	return r;
}
