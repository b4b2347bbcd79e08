/* i18n.c — looks up and fills the catalogue's texts (core/i18n.h). */
#include "core/i18n.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

const char *const i18n_locales[] = {"en", "ru", "zh", NULL};

static int compare(const char *locale, const char *key, const struct i18n_entry *e)
{
	int c = strcmp(locale, e->locale);
	return c ? c : strcmp(key, e->key);
}

static const char *find(const char *locale, const char *key)
{
	size_t lo = 0, hi = i18n_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare(locale, key, &i18n_entries[mid]);
		if (c == 0)
			return i18n_entries[mid].text;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *i18n_text(const char *locale, const char *key)
{
	const char *t = locale ? find(locale, key) : NULL;
	return t ? t : find("en", key);
}

static const char *var(const char *const *vars, const char *name, size_t len)
{
	for (; vars && vars[0] && vars[1]; vars += 2)
		if (strlen(vars[0]) == len && !memcmp(vars[0], name, len))
			return vars[1];
	return NULL;
}

char *i18n_format(const char *locale, const char *key, const char *const *vars)
{
	const char *t = i18n_text(locale, key);
	if (!t)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = t; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		const char *v = close ? var(vars, p + 1, (size_t)(close - p - 1)) : NULL;
		if (v) {
			buf_adds(&b, v);
			p = close + 1;
		} else {
			buf_add(&b, p, 1);
			p++;
		}
	}
	return buf_detach(&b, NULL);
}
