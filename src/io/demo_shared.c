/* demo_shared.c — what the demo stages share: compact bookkeeping of the
 * records made so far (ids, times, owners), the time model, owners, and
 * finishing a record (defaults, search text) before it is queued.
 *
 * Time model: record i of n is created at the (i+u)/n quantile of a
 * density rising linearly over the two years, so ids follow created_at
 * and recent months hold about three times the records of the first (a
 * growing business); then moved into the owner's business hours and
 * mostly off weekends. A child (contact, deal, activity) picks its parent
 * among the records created before it, so it is never older than it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/textkey.h"
#include "io/demo_internal.h"
#include "model/registry.h"

#define MEMO_SLOTS (1u << 18)

void *demo_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* --- bookkeeping ------------------------------------------------------------ */

static void idmap_add(struct demo_idmap *m, int64_t id)
{
	if (m->nruns && id == m->id[m->nruns - 1] + (m->n - m->idx[m->nruns - 1])) {
		m->n++;
		return;
	}
	if (m->nruns == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->idx = demo_xrealloc(m->idx, sizeof *m->idx * (size_t)m->cap);
		m->id = demo_xrealloc(m->id, sizeof *m->id * (size_t)m->cap);
	}
	m->idx[m->nruns] = m->n++;
	m->id[m->nruns++] = id;
}

int64_t demo_table_id(const struct demo_table *tb, int64_t i)
{
	const struct demo_idmap *m = &tb->ids;
	int64_t lo = 0, hi = m->nruns - 1;
	while (lo < hi) { /* the last run starting at or before i */
		int64_t mid = (lo + hi + 1) / 2;
		if (m->idx[mid] <= i)
			lo = mid;
		else
			hi = mid - 1;
	}
	return m->id[lo] + (i - m->idx[lo]);
}

void demo_table_init(struct demo_table *tb, int64_t cap)
{
	memset(tb, 0, sizeof *tb);
	tb->cap = cap;
	tb->t = demo_xrealloc(NULL, sizeof *tb->t * (size_t)cap);
	tb->owner = demo_xrealloc(NULL, (size_t)cap);
}

void demo_table_release(struct demo_table *tb)
{
	free(tb->ids.idx);
	free(tb->ids.id);
	free(tb->t);
	free(tb->owner);
}

void demo_table_insert(struct demo_table *tb, int64_t id)
{
	idmap_add(&tb->ids, id);
	tb->n++;
}

int64_t demo_table_time(const struct demo_gen *g, const struct demo_table *tb, int64_t i)
{
	return g->start + tb->t[i];
}

/* Binary search: times are sorted up to a day's jitter, close enough. */
int64_t demo_table_before(const struct demo_gen *g, const struct demo_table *tb, int64_t t)
{
	int64_t lo = 0, hi = tb->n;
	int64_t key = t - g->start;
	while (lo < hi) {
		int64_t mid = (lo + hi) / 2;
		if (tb->t[mid] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Inverse CDF of the continuous density (x+1)^-s on [0, m). */
int64_t demo_zipf(struct rng *r, int64_t m, double s)
{
	double a = 1.0 - s, top = pow((double)m + 1.0, a) - 1.0;
	int64_t k = (int64_t)(pow(1.0 + rng_unit(r) * top, 1.0 / a) - 1.0);
	return k < 0 ? 0 : k >= m ? m - 1 : k;
}

int64_t demo_recent(struct rng *r, int64_t m)
{
	double u = rng_unit(r);
	int64_t k = m - 1 - (int64_t)((double)m * u * u * u);
	return k < 0 ? 0 : k;
}

/* --- time ----------------------------------------------------------------- */

int64_t demo_spread(struct demo_gen *g, int64_t i, int64_t n)
{
	/* density a + (1-a)x over the span (x from 0 to 1): the business
	 * grows, but had customers when it adopted the CRM */
	const double a = 0.3;
	double y = ((double)i + rng_unit(&g->r)) / (double)n;
	double f = (-a + sqrt(a * a + 2.0 * (1.0 - a) * y * (a + (1.0 - a) / 2.0))) / (1.0 - a);
	return g->start + (int64_t)(f * (double)(g->now - g->start));
}

int64_t demo_business(struct demo_gen *g, int64_t t, int tz)
{
	static const int hour_w[] = {3, 8, 12, 12, 6, 8, 12, 12, 10, 7, 3, 2};
	int64_t local = t + tz * 3600;
	int64_t day = local / DEMO_DAY - (local % DEMO_DAY < 0);
	int dow = (int)(((day + 4) % 7 + 7) % 7);	      /* 1970-01-01: Thursday; 0 = Sunday */
	if ((dow == 6 || dow == 0) && rng_chance(&g->r, 0.9)) /* to a weekday */
		day += dow == 6 ? -rng_range(&g->r, 1, 5) : rng_range(&g->r, 1, 5);
	int h = 8 + rng_weighted(&g->r, hour_w, 12);
	int64_t x = day * DEMO_DAY + h * 3600 + (int64_t)rng_below(&g->r, 3600) - tz * 3600;
	if (x > g->now - 60)
		x = g->now - 60 - (int64_t)rng_below(&g->r, 3 * 3600);
	return x < g->start ? g->start + (int64_t)rng_below(&g->r, 3600) : x;
}

int64_t demo_after(const struct demo_gen *g, int64_t t, int64_t parent, int64_t gap)
{
	if (t < parent + gap)
		t = parent + gap;
	if (t >= g->now)
		t = parent + (g->now - parent) / 2;
	return t;
}

int64_t demo_later(struct demo_gen *g, int64_t t, double median_s)
{
	int64_t x = t + (int64_t)(median_s * exp(rng_normal(&g->r)));
	return x >= g->now ? t + (g->now - t) / 2 : x;
}

/* --- records and the search index ------------------------------------------ */

void demo_set_time(struct demo_gen *g, struct record *r, const char *field, int64_t t)
{
	char s[RP_TIME_LEN];
	clock_format(t, s);
	record_set_text(r, g->a, field, s);
}

void demo_set_date(struct demo_gen *g, struct record *r, const char *field, int64_t t)
{
	char s[RP_TIME_LEN];
	clock_format(t, s);
	s[10] = 0;
	record_set_text(r, g->a, field, s);
}

void demo_set_common(struct demo_gen *g, struct record *r, int owner, int64_t created,
		     int64_t updated, const char *tags)
{
	int64_t uid = g->user_id[owner];
	record_set_int(r, "owner_id", uid);
	record_set_int(r, "team_id", g->team_id[demo_users[owner].team]);
	record_set_int(r, "created_by", uid);
	demo_set_time(g, r, "created_at", created);
	demo_set_time(g, r, "updated_at", updated < created ? created : updated);
	record_set_int(r, "version", 1);
	record_set_text(r, g->a, "tags", tags ? tags : "[]");
}

/* Every record of an entity sets the same columns, so the store reuses one
 * cached INSERT: unset slots get the descriptor's default, or NULL. */
static void fill_unset(struct record *r)
{
	for (int i = 0; i < r->n; i++) {
		const struct field_def *f = &r->ent->fields[i];
		if (r->set[i] || f->type == FT_ID)
			continue;
		r->set[i] = true;
		if (!f->dflt)
			r->v[i] = (struct value){.kind = V_NULL};
		else if (f->type == FT_BOOL)
			r->v[i] = (struct value){.kind = V_INT, .i = !strcmp(f->dflt, "true")};
		else if (f->type == FT_INT || f->type == FT_MONEY)
			r->v[i] = (struct value){.kind = V_INT, .i = strtoll(f->dflt, NULL, 10)};
		else
			r->v[i] = (struct value){
				.kind = V_TEXT, .s = f->dflt, .len = strlen(f->dflt)};
	}
}

struct demo_memo {
	uint64_t h;
	size_t len;
	char *key, *val;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* textkey_index of a value. Transliterating Han costs 40-300 µs and demo
 * names repeat, so non-ASCII values are memoised in a direct-mapped table
 * (same input, same output). Returns borrowed text, or *own to free. */
static const char *index_text(struct demo_gen *g, const char *s, size_t n, char **own)
{
	*own = NULL;
	size_t i = 0;
	while (i < n && !((unsigned char)s[i] & 0x80))
		i++;
	if (i == n)
		return *own = textkey_index(s, n);
	uint64_t h = hash_bytes(s, n);
	struct demo_memo *m = &g->memo[h & (MEMO_SLOTS - 1)];
	if (m->key && m->h == h && m->len == n && !memcmp(m->key, s, n))
		return m->val;
	char *v = textkey_index(s, n);
	if (!v)
		return NULL;
	free(m->key);
	free(m->val);
	*m = (struct demo_memo){.h = h, .len = n, .key = demo_xrealloc(NULL, n + 1), .val = v};
	memcpy(m->key, s, n);
	m->key[n] = 0;
	return v;
}

/* The search text as domain_search_text builds it: textkey_index of every
 * FF_SEARCH field holding text, in descriptor order, joined by
 * textkey_words_add. */
static const char *search_text(struct demo_gen *g, const struct record *r)
{
	textkey_words_start(&g->words, &g->text);
	for (int i = 0; i < r->n; i++) {
		const struct value *v = &r->v[i];
		if (!(r->ent->fields[i].flags & FF_SEARCH) || !r->set[i] || v->kind != V_TEXT)
			continue;
		char *own;
		textkey_words_add(&g->words, index_text(g, v->s, v->len, &own));
		free(own);
	}
	return buf_str(&g->text);
}

struct demo_memo *demo_memo_new(void)
{
	struct demo_memo *m = calloc(MEMO_SLOTS, sizeof *m);
	if (!m)
		abort();
	return m;
}

void demo_memo_free(struct demo_memo *m)
{
	for (unsigned i = 0; m && i < MEMO_SLOTS; i++) {
		free(m[i].key);
		free(m[i].val);
	}
	free(m);
}

const char *demo_finish(struct demo_gen *g, struct record *r)
{
	fill_unset(r);
	return r->ent->flags & EF_SEARCH ? search_text(g, r) : NULL;
}

void demo_emit(struct demo_gen *g, struct demo_table *tb, int64_t index, struct record *r,
	       int64_t t, int owner)
{
	struct demo_batch *b = g->batch;
	const char *text = demo_finish(g, r);
	if (tb) {
		if (index >= tb->cap)
			abort(); /* tables are sized from the scale up front */
		tb->t[index] = (int32_t)(t - g->start);
		tb->owner[index] = (uint8_t)owner;
	}
	b->tb = tb;
	b->rows[b->n].r = r;
	b->rows[b->n++].text = text ? arena_strdup(g->a, text) : NULL;
}

/* --- owners ------------------------------------------------------------------ */

int demo_pick_lang(struct demo_gen *g)
{
	static const int w[DL_COUNT] = {[DL_EN] = 40, [DL_ZH] = 35, [DL_RU] = 25};
	return rng_weighted(&g->r, w, DL_COUNT);
}

/* Sales reps own three times what their manager does. */
int demo_pick_owner(struct demo_gen *g, int team)
{
	int w[16], n = g->nteam_users[team];
	for (int i = 0; i < n; i++)
		w[i] = demo_users[g->team_users[team][i]].manager ? 1 : 3;
	return g->team_users[team][rng_weighted(&g->r, w, n)];
}

int demo_inherit_owner(struct demo_gen *g, int owner, double keep)
{
	return rng_chance(&g->r, keep) ? owner : demo_pick_owner(g, demo_users[owner].team);
}

int demo_owner_lang(int owner)
{
	return demo_teams[demo_users[owner].team].lang;
}

int demo_owner_tz(int owner)
{
	return demo_teams[demo_users[owner].team].tz;
}
