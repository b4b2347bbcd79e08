/* i18n.h — the words the server writes for people in their language (the
 * reasons in an import's file of rejected rows, a labelled export): the
 * "error.*", "field.*", "enum.*" and "file.*" entries of the UI's
 * catalogues (web/app/locales), compiled in by scripts/embed-messages.sh,
 * so both speak from one catalogue. */
#pragma once
#include <stddef.h>

struct i18n_entry {
	const char *locale, *key, *text;
};

/* The generated table, sorted by locale and key. */
extern const struct i18n_entry i18n_entries[];
extern const size_t i18n_count;

/* The languages of the catalogues ("en", "ru", "zh"), NULL-ended. */
extern const char *const i18n_locales[];

/* The text of key in locale ("ru"), else in English, else NULL. */
const char *i18n_text(const char *locale, const char *key);

/* i18n_text with each {name} of vars (name, value pairs, NULL-ended)
 * replaced by its value; a {name} not in vars stays. NULL when the key is
 * in no catalogue; else a malloc'd string. */
char *i18n_format(const char *locale, const char *key, const char *const *vars);
