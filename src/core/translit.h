/* translit.h — ICU transliteration for textkey.c (translit.c): a set of
 * transliterators per thread, results remembered per thread. The set is
 * compiled by textkey_init(); textkey_warm() and textkey_shutdown() are
 * there too. */
#pragma once
#include <stddef.h>

enum translit_kind { TR_HAN_NAMES, TR_HAN_PLAIN, TR_CYRILLIC, TR_COUNT };

struct translit;
/* The calling thread's transliterators (compiling the prototypes on first
 * use), or NULL if ICU cannot open them. */
struct translit *translit_thread(void);
/* Transliterates len bytes of valid UTF-8; malloc'd UTF-8 or NULL. */
char *translit_run(struct translit *t, enum translit_kind k, const char *s, size_t len,
		   size_t *outlen);
/* Transliterates one word and keeps only [a-z0-9] ("ol'ga" → "olga"):
 * malloc'd text (possibly empty), or NULL on ICU error. */
char *translit_word(struct translit *t, enum translit_kind k, const char *s, size_t len,
		    size_t *outlen);
