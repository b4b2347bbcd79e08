/* sql.c — the SQL builder: text with placeholders and the values bound to
 * them, so no value ever becomes SQL text. */
#include "store/internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/registry.h"

void sql_init(struct sql *q)
{
	buf_init(&q->b, 1 << 20);
	q->n = 0;
	q->overflow = false;
	q->nowned = 0;
}

void sql_release(struct sql *q)
{
	buf_release(&q->b);
	while (q->nowned > 0)
		free(q->owned[--q->nowned]);
}

void sql_add(struct sql *q, const char *text)
{
	buf_adds(&q->b, text);
}

void sql_ident(struct sql *q, const char *name)
{
	buf_addc(&q->b, '"');
	if (!strchr(name, '"')) { /* descriptors' names: the usual case */
		buf_adds(&q->b, name);
	} else {
		for (const char *p = name; *p; p++) {
			if (*p == '"')
				buf_addc(&q->b, '"');
			buf_addc(&q->b, *p);
		}
	}
	buf_addc(&q->b, '"');
}

void sql_param(struct sql *q, const struct value *v)
{
	if (q->n >= SQL_MAX_PARAMS) {
		q->overflow = true;
		return;
	}
	q->params[q->n++] = *v;
	buf_addc(&q->b, '?');
}

void sql_int(struct sql *q, int64_t i)
{
	struct value v = {.kind = V_INT, .i = i};
	sql_param(q, &v);
}

void sql_text(struct sql *q, const char *s)
{
	struct value v = {.kind = V_TEXT, .s = s, .len = strlen(s)};
	sql_param(q, &v);
}

void sql_text_owned(struct sql *q, char *s)
{
	if (q->nowned == (int)(sizeof q->owned / sizeof *q->owned)) {
		free(s);
		q->overflow = true;
		return;
	}
	q->owned[q->nowned++] = s;
	sql_text(q, s);
}

void sql_fmt(struct sql *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *run = fmt;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		buf_add(&q->b, run, (size_t)(p - run));
		p++;
		if (*p == 't') {
			const char *s = va_arg(ap, const char *);
			struct value nul = {.kind = V_NULL};
			if (s)
				sql_text(q, s);
			else
				sql_param(q, &nul);
		} else if (*p == 'i') {
			sql_int(q, va_arg(ap, int64_t));
		} else {
			buf_addc(&q->b, '%');
			if (!*p)
				break;
		}
		run = p + 1;
	}
	buf_adds(&q->b, run);
	va_end(ap);
}

static int add_columns(struct sql *q, const struct entity_def *e, int n, const bool *want,
		       const char *alias, int *map)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		const struct field_def *f = &e->fields[i];
		if (want && !want[i])
			continue;
		if (k)
			sql_add(q, ",");
		if (alias) {
			sql_add(q, alias);
			sql_add(q, ".");
		}
		sql_ident(q, field_column(f));
		map[k++] = i;
	}
	return k;
}

/* Every field's column list, per entity and alias, kept by each thread:
 * a read of one record asks for it on every request. A list is current
 * while the registry's generation is the one it was made in. */
#define COLS_SLOTS 16
#define COLS_MAX   2048
struct cols_slot {
	const struct entity_def *e;
	char alias[8];
	unsigned generation;
	size_t len;
	char text[COLS_MAX];
};
static _Thread_local struct cols_slot cols_cache[COLS_SLOTS];

static struct cols_slot *cols_slot(const struct entity_def *e, const char *alias)
{
	uintptr_t h = ((uintptr_t)e >> 4) ^ (unsigned char)alias[0];
	return &cols_cache[h % COLS_SLOTS];
}

int sql_select_columns(struct sql *q, const struct entity_def *e, const bool *want,
		       const char *alias, int *map)
{
	unsigned gen = model_generation();
	int n = entity_nfields(e);
	const char *a = alias ? alias : "";
	if (want || strlen(a) >= sizeof cols_cache[0].alias)
		return add_columns(q, e, n, want, alias, map);
	struct cols_slot *c = cols_slot(e, a);
	if (c->e == e && c->generation == gen && !strcmp(c->alias, a)) {
		buf_add(&q->b, c->text, c->len);
		for (int i = 0; i < n; i++)
			map[i] = i;
		return n;
	}
	size_t start = q->b.len;
	add_columns(q, e, n, NULL, alias, map);
	size_t len = q->b.len - start;
	c->e = NULL;
	if (len < COLS_MAX && !q->b.overflow) {
		memcpy(c->text, q->b.p + start, len);
		c->len = len;
		c->generation = gen;
		memcpy(c->alias, a, strlen(a) + 1);
		c->e = e;
	}
	return n;
}

int sql_select_all(struct sql *q, const struct entity_def *e, int *map)
{
	sql_init(q);
	sql_add(q, "SELECT ");
	int ncols = sql_select_columns(q, e, NULL, NULL, map);
	sql_add(q, " FROM ");
	sql_ident(q, e->name);
	return ncols;
}

void sql_scope(struct sql *q, const char *alias, const struct scope *s)
{
	switch (s->scope) {
	case SCOPE_ALL: return;
	case SCOPE_NONE: sql_add(q, " AND 1=0"); return;
	case SCOPE_OWN:
		sql_add(q, " AND ");
		sql_add(q, alias);
		sql_add(q, ".\"owner_id\"=");
		sql_int(q, s->user_id);
		return;
	case SCOPE_TEAM:
		sql_add(q, " AND (");
		sql_add(q, alias);
		sql_add(q, ".\"owner_id\"=");
		sql_int(q, s->user_id);
		if (s->team_id) {
			sql_add(q, " OR ");
			sql_add(q, alias);
			sql_add(q, ".\"team_id\"=");
			sql_int(q, s->team_id);
		}
		sql_add(q, ")");
		return;
	}
}
