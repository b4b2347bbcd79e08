/* demo.c — the demo-data generator's driver: checks the options, looks up
 * the roles and the first user, creates teams, users, the pipeline and the
 * products, then runs the record stages (demo_records.c) in batches of one
 * transaction each. Also the helpers the stages share: compact per-record
 * bookkeeping, the time model, and insert + search indexing.
 *
 * Time model: record i of n is created at the (i+u)/n quantile of a
 * density rising linearly over the two years, so ids follow created_at
 * and recent months hold about three times the records of the first (a
 * growing business); then moved into the owner's business hours and
 * mostly off weekends. A child (contact, deal, activity) picks its parent among the
 * records created before it, so it is never older than its parent. */
#include "io/demo.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/textkey.h"
#include "io/demo_internal.h"
#include "model/query.h"
#include "model/registry.h"

#define BATCH 5000
#define SPAN (730 * (int64_t)DEMO_DAY)
#define MEMO_SLOTS (1u << 18)

static void *xrealloc(void *p, size_t n)
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
		m->idx = xrealloc(m->idx, sizeof *m->idx * (size_t)m->cap);
		m->id = xrealloc(m->id, sizeof *m->id * (size_t)m->cap);
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

static void table_init(struct demo_table *tb, int64_t cap)
{
	memset(tb, 0, sizeof *tb);
	tb->cap = cap;
	tb->t = xrealloc(NULL, sizeof *tb->t * (size_t)cap);
	tb->owner = xrealloc(NULL, (size_t)cap);
}

static void table_release(struct demo_table *tb)
{
	free(tb->ids.idx);
	free(tb->ids.id);
	free(tb->t);
	free(tb->owner);
}

int64_t demo_table_time(const struct demo_gen *g, const struct demo_table *tb,
			int64_t i)
{
	return g->start + tb->t[i];
}

/* Binary search: times are sorted up to a day's jitter, close enough. */
int64_t demo_table_before(const struct demo_gen *g, const struct demo_table *tb,
			  int64_t t)
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
	double f = (-a + sqrt(a * a + 2.0 * (1.0 - a) * y * (a + (1.0 - a) / 2.0))) /
		   (1.0 - a);
	return g->start + (int64_t)(f * (double)(g->now - g->start));
}

int64_t demo_business(struct demo_gen *g, int64_t t, int tz)
{
	static const int hour_w[] = {3, 8, 12, 12, 6, 8, 12, 12, 10, 7, 3, 2};
	int64_t local = t + tz * 3600;
	int64_t day = local / DEMO_DAY - (local % DEMO_DAY < 0);
	int dow = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01: Thursday; 0 = Sunday */
	if ((dow == 6 || dow == 0) && rng_chance(&g->r, 0.9)) /* to a weekday */
		day += dow == 6 ? -rng_range(&g->r, 1, 5) : rng_range(&g->r, 1, 5);
	int h = 8 + rng_weighted(&g->r, hour_w, 12);
	int64_t x = day * DEMO_DAY + h * 3600 + (int64_t)rng_below(&g->r, 3600) -
		    tz * 3600;
	if (x > g->now - 60)
		x = g->now - 60 - (int64_t)rng_below(&g->r, 3 * 3600);
	return x < g->start ? g->start + (int64_t)rng_below(&g->r, 3600) : x;
}

int64_t demo_after(const struct demo_gen *g, int64_t t, int64_t parent,
		   int64_t gap)
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

void demo_set_time(struct demo_gen *g, struct record *r, const char *field,
		   int64_t t)
{
	char s[RP_TIME_LEN];
	clock_format(t, s);
	record_set_text(r, g->a, field, s);
}

void demo_set_date(struct demo_gen *g, struct record *r, const char *field,
		   int64_t t)
{
	char s[RP_TIME_LEN];
	clock_format(t, s);
	s[10] = 0;
	record_set_text(r, g->a, field, s);
}

void demo_set_common(struct demo_gen *g, struct record *r, int owner,
		     int64_t created, int64_t updated, const char *tags)
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
			r->v[i] = (struct value){.kind = V_TEXT, .s = f->dflt,
						 .len = strlen(f->dflt)};
	}
}

#ifdef DEMO_STATS
int64_t demo_stat_hits, demo_stat_miss;
#endif

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
static const char *index_text(struct demo_gen *g, const char *s, size_t n,
			      char **own)
{
	*own = NULL;
	size_t i = 0;
	while (i < n && !((unsigned char)s[i] & 0x80))
		i++;
	if (i == n)
		return *own = textkey_index(s, n);
	uint64_t h = hash_bytes(s, n);
	struct demo_memo *m = &g->memo[h & (MEMO_SLOTS - 1)];
	if (m->key && m->h == h && m->len == n && !memcmp(m->key, s, n)) {
#ifdef DEMO_STATS
		demo_stat_hits++;
#endif
		return m->val;
	}
#ifdef DEMO_STATS
	demo_stat_miss++;
#endif
	char *v = textkey_index(s, n);
	if (!v)
		return NULL;
	free(m->key);
	free(m->val);
	*m = (struct demo_memo){.h = h, .len = n, .key = xrealloc(NULL, n + 1), .val = v};
	memcpy(m->key, s, n);
	m->key[n] = 0;
	return v;
}

/* The search text as domain_search_text builds it: textkey_index of every
 * FF_SEARCH field holding text, in descriptor order, joined by single
 * spaces (values that index to nothing add nothing). */
static const char *search_text(struct demo_gen *g, const struct record *r)
{
	buf_reset(&g->text);
	for (int i = 0; i < r->n; i++) {
		const struct value *v = &r->v[i];
		if (!(r->ent->fields[i].flags & FF_SEARCH) || !r->set[i] ||
		    v->kind != V_TEXT)
			continue;
		char *own;
		const char *t = index_text(g, v->s, v->len, &own);
		if (t && *t) {
			if (g->text.len)
				buf_addc(&g->text, ' ');
			buf_adds(&g->text, t);
		}
		free(own);
	}
	return buf_str(&g->text);
}

/* A batch of records made on the producer thread, inserted on the caller's
 * thread in one transaction; its arena goes with it. */
struct demo_row {
	const struct record *r;
	const char *text; /* search text, NULL for entities not searched */
};

struct demo_batch {
	struct arena *a;
	struct demo_table *tb;
	int n;
	struct demo_row rows[BATCH];
	struct demo_batch *next;
};

void demo_emit(struct demo_gen *g, struct demo_table *tb, int64_t index,
	       struct record *r, int64_t t, int owner)
{
	struct demo_batch *b = g->batch;
	fill_unset(r);
	if (tb) {
		if (index >= tb->cap)
			abort(); /* tables are sized from the scale up front */
		tb->t[index] = (int32_t)(t - g->start);
		tb->owner[index] = (uint8_t)owner;
	}
	b->tb = tb;
	b->rows[b->n].r = r;
	b->rows[b->n++].text = r->ent->flags & EF_SEARCH
				       ? arena_strdup(g->a, search_text(g, r)) : NULL;
}

static enum rp_err insert_row(struct demo_gen *g, const struct record *r,
			      const char *text, int64_t *ret_id)
{
	if (store_insert(g->c, r, ret_id, g->err))
		return g->err->err;
	if (text && store_search_put(g->c, r->ent, *ret_id, text, g->err))
		return g->err->err;
	return RP_OK;
}

/* For the setup rows, made and inserted on the caller's thread. */
static enum rp_err insert_now(struct demo_gen *g, struct record *r, int64_t *ret_id)
{
	fill_unset(r);
	return insert_row(g, r, r->ent->flags & EF_SEARCH ? search_text(g, r) : NULL,
			  ret_id);
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
	return rng_chance(&g->r, keep) ? owner
				       : demo_pick_owner(g, demo_users[owner].team);
}

int demo_owner_lang(int owner)
{
	return demo_teams[demo_users[owner].team].lang;
}

int demo_owner_tz(int owner)
{
	return demo_teams[demo_users[owner].team].tz;
}

/* --- setup: roles, first user, teams, users, pipeline, products ------------ */

static enum rp_err list_rows(struct demo_gen *g, const char *entity,
			     const struct query_param *p, int np,
			     struct record ***rows, int *n)
{
	struct list_query q;
	if (model_parse_list_query(model_entity(entity), p, np, g->a, &q, g->err))
		return g->err->err;
	q.scope.scope = SCOPE_ALL;
	return store_list(g->c, &q, g->a, rows, n, NULL, g->err);
}

static enum rp_err find_roles_and_admin(struct demo_gen *g)
{
	struct record **rows;
	int n;
	const struct query_param p[] = {{"limit", "500"}};
	if (list_rows(g, "roles", p, 1, &rows, &n))
		return g->err->err;
	for (int i = 0; i < n; i++) {
		const char *name = record_text(rows[i], "name");
		if (name && !strcmp(name, "sales"))
			g->role_sales = record_int(rows[i], "id");
		if (name && !strcmp(name, "manager"))
			g->role_manager = record_int(rows[i], "id");
	}
	if (!g->role_sales || !g->role_manager)
		return rp_fail(g->err, RP_EINVAL, "missing_role",
			       "the database has no role named \"%s\"; initialise it first",
			       g->role_sales ? "manager" : "sales");
	const struct query_param q[] = {{"limit", "1"}};
	if (list_rows(g, "users", q, 1, &rows, &n))
		return g->err->err;
	if (n == 0)
		return rp_fail(g->err, RP_EINVAL, "no_users",
			       "the database has no user; initialise it first");
	g->admin_id = record_int(rows[0], "id");
	return RP_OK;
}

static bool taken(struct demo_gen *g, const char *entity, const char *field,
		  const char *value)
{
	const struct entity_def *e = model_entity(entity);
	struct value v = {.kind = V_TEXT, .s = value, .len = strlen(value)};
	return store_value_taken(g->c, e, entity_field(e, field), &v, 0);
}

/* Demo data goes into a database once: its unique names would clash. */
static enum rp_err check_fresh(struct demo_gen *g)
{
	char email[96];
	for (int t = 0; t < DT_COUNT; t++)
		if (taken(g, "teams", "name", demo_teams[t].name))
			return rp_fail(g->err, RP_ECONFLICT, "demo_exists",
				       "team \"%s\" already exists: the database "
				       "already holds demo data", demo_teams[t].name);
	for (int u = 0; u < demo_nusers; u++) {
		snprintf(email, sizeof email, "%s@demo.rapport.test", demo_users[u].local);
		if (taken(g, "users", "email", email))
			return rp_fail(g->err, RP_ECONFLICT, "demo_exists",
				       "user \"%s\" already exists", email);
	}
	for (int p = 0; p < demo_nproducts; p++)
		if (taken(g, "products", "sku", demo_products[p].sku))
			return rp_fail(g->err, RP_ECONFLICT, "demo_exists",
				       "product SKU \"%s\" already exists",
				       demo_products[p].sku);
	return RP_OK;
}

/* Setup rows belong to the first user and predate the records. */
static void set_setup_common(struct demo_gen *g, struct record *r, int64_t t)
{
	record_set_int(r, "owner_id", g->admin_id);
	record_set_int(r, "created_by", g->admin_id);
	demo_set_time(g, r, "created_at", t);
	demo_set_time(g, r, "updated_at", t);
	record_set_int(r, "version", 1);
	record_set_text(r, g->a, "tags", "[]");
}

static enum rp_err create_teams_and_users(struct demo_gen *g)
{
	const struct entity_def *te = model_entity("teams"), *ue = model_entity("users");
	for (int t = 0; t < DT_COUNT; t++) {
		struct record *r = record_new(g->a, te);
		record_set_text(r, g->a, "name", demo_teams[t].name);
		record_set_text(r, g->a, "description", demo_teams[t].description);
		set_setup_common(g, r, g->start - 30 * DEMO_DAY);
		if (insert_now(g, r, &g->team_id[t]))
			return g->err->err;
	}
	g->counts.teams = DT_COUNT;
	if (demo_nusers > (int)(sizeof g->user_id / sizeof *g->user_id))
		return rp_fail(g->err, RP_EINTERNAL, "internal", "too many demo users");
	for (int u = 0; u < demo_nusers; u++) {
		const struct demo_user_def *d = &demo_users[u];
		const struct demo_team_def *t = &demo_teams[d->team];
		struct record *r = record_new(g->a, ue);
		char email[96];
		snprintf(email, sizeof email, "%s@demo.rapport.test", d->local);
		record_set_text(r, g->a, "email", email);
		record_set_text(r, g->a, "name", d->name);
		record_set_text(r, g->a, "password", g->opt->password_hash);
		record_set_int(r, "role_id", d->manager ? g->role_manager : g->role_sales);
		record_set_text(r, g->a, "locale", t->locale);
		record_set_text(r, g->a, "time_zone", t->time_zone);
		record_set_int(r, "active", 1);
		set_setup_common(g, r, g->start - 28 * DEMO_DAY + u * 3600);
		record_set_int(r, "team_id", g->team_id[d->team]);
		if (insert_now(g, r, &g->user_id[u]))
			return g->err->err;
		g->team_users[d->team][g->nteam_users[d->team]++] = u;
	}
	g->counts.users = demo_nusers;
	return RP_OK;
}

static int stage_kind(const char *kind)
{
	return kind && !strcmp(kind, "won") ? SK_WON : kind && !strcmp(kind, "lost") ? SK_LOST : SK_OPEN;
}

/* A pipeline named "Sales" may exist already (an initialised database):
 * then the deals go through its stages. */
static enum rp_err reuse_pipeline(struct demo_gen *g, bool *ret_found)
{
	struct record **rows;
	int n;
	const struct query_param p[] = {{"name", "Sales"}, {"limit", "1"}};
	*ret_found = false;
	if (list_rows(g, "pipelines", p, 2, &rows, &n))
		return g->err->err;
	if (n == 0)
		return RP_OK;
	g->pipeline_id = record_int(rows[0], "id");
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)g->pipeline_id);
	const struct query_param q[] = {{"pipeline_id", id}, {"sort", "position"},
					{"limit", "32"}};
	if (list_rows(g, "stages", q, 3, &rows, &n))
		return g->err->err;
	bool have[3] = {false, false, false};
	for (int i = 0; i < n && i < DEMO_MAX_STAGES; i++) {
		struct demo_stage *s = &g->stages[g->nstages++];
		s->id = record_int(rows[i], "id");
		s->prob = (int)record_int(rows[i], "probability");
		s->kind = stage_kind(record_text(rows[i], "kind"));
		have[s->kind] = true;
	}
	if (!have[SK_OPEN] || !have[SK_WON] || !have[SK_LOST])
		return rp_fail(g->err, RP_ECONFLICT, "pipeline_unusable",
			       "pipeline \"Sales\" exists but lacks an open, a won "
			       "or a lost stage");
	*ret_found = true;
	return RP_OK;
}

static enum rp_err create_pipeline(struct demo_gen *g)
{
	static const struct {
		const char *name;
		int prob, kind;
	} def[] = {
		{"Prospecting", 10, SK_OPEN}, {"Qualification", 25, SK_OPEN},
		{"Proposal", 50, SK_OPEN},    {"Negotiation", 75, SK_OPEN},
		{"Won", 100, SK_WON},         {"Lost", 0, SK_LOST},
	};
	static const char *const kinds[] = {"open", "won", "lost"};
	bool found;
	if (reuse_pipeline(g, &found) || found)
		return g->err->err;
	int64_t t = g->start - 30 * DEMO_DAY;
	struct record *r = record_new(g->a, model_entity("pipelines"));
	record_set_text(r, g->a, "name", "Sales");
	record_set_int(r, "is_default", 1);
	record_set_text(r, g->a, "currency", "USD");
	set_setup_common(g, r, t);
	if (insert_now(g, r, &g->pipeline_id))
		return g->err->err;
	for (int i = 0; i < (int)(sizeof def / sizeof *def); i++) {
		r = record_new(g->a, model_entity("stages"));
		record_set_int(r, "pipeline_id", g->pipeline_id);
		record_set_text(r, g->a, "name", def[i].name);
		record_set_int(r, "position", i + 1);
		record_set_int(r, "probability", def[i].prob);
		record_set_text(r, g->a, "kind", kinds[def[i].kind]);
		set_setup_common(g, r, t);
		struct demo_stage *s = &g->stages[g->nstages++];
		if (insert_now(g, r, &s->id))
			return g->err->err;
		s->prob = def[i].prob;
		s->kind = def[i].kind;
	}
	g->counts.pipelines = 1;
	g->counts.stages = g->nstages;
	return RP_OK;
}

static enum rp_err create_products(struct demo_gen *g)
{
	const struct entity_def *e = model_entity("products");
	for (int i = 0; i < demo_nproducts; i++) {
		const struct demo_product *p = &demo_products[i];
		struct record *r = record_new(g->a, e);
		int64_t id;
		record_set_text(r, g->a, "name", p->name);
		record_set_text(r, g->a, "sku", p->sku);
		record_set_text(r, g->a, "description", p->description);
		record_set_int(r, "price", p->price);
		record_set_int(r, "cost", p->cost);
		record_set_text(r, g->a, "currency", p->currency);
		record_set_text(r, g->a, "recurring", p->recurring);
		record_set_int(r, "active", !p->retired);
		set_setup_common(g, r, g->start - 20 * DEMO_DAY + i * 600);
		if (insert_now(g, r, &id))
			return g->err->err;
	}
	g->counts.products = demo_nproducts;
	return RP_OK;
}

static enum rp_err setup(struct demo_gen *g)
{
	enum rp_err rc = store_begin(g->c, true, g->err);
	if (rc)
		return rc;
	g->a = arena_new();
	rc = find_roles_and_admin(g);
	if (!rc)
		rc = check_fresh(g);
	if (!rc)
		rc = create_teams_and_users(g);
	if (!rc)
		rc = create_pipeline(g);
	if (!rc)
		rc = create_products(g);
	if (!rc)
		rc = store_commit(g->c, g->err);
	else
		store_rollback(g->c);
	arena_free(g->a);
	g->a = NULL;
	if (!rc && g->opt->progress)
		g->opt->progress("setup", 1, 1, g->opt->ctx);
	return rc;
}

/* --- the stages ----------------------------------------------------------- */

typedef void (*gen_fn)(struct demo_gen *g, int64_t i, int64_t n);

/* Batches handed from the producer to the writer; at most QUEUE_MAX wait,
 * so memory stays bounded whichever side is faster. */
#define QUEUE_MAX 2

struct stage_job {
	struct demo_gen *g;
	gen_fn fn;
	int64_t total;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct demo_batch *head, *tail;
	int queued;
	bool closed;  /* the producer has made its last batch */
	bool stopped; /* the writer failed: make no more */
};

static void batch_free(struct demo_batch *b)
{
	if (b)
		arena_free(b->a);
	free(b);
}

/* False when the writer has stopped: the batch was not taken. */
static bool queue_push(struct stage_job *j, struct demo_batch *b)
{
	pthread_mutex_lock(&j->mu);
	while (j->queued >= QUEUE_MAX && !j->stopped)
		pthread_cond_wait(&j->cv, &j->mu);
	bool ok = !j->stopped;
	if (ok) {
		b->next = NULL;
		if (j->tail)
			j->tail->next = b;
		else
			j->head = b;
		j->tail = b;
		j->queued++;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	return ok;
}

/* The next batch, or NULL once the producer is done and the queue empty. */
static struct demo_batch *queue_pop(struct stage_job *j)
{
	pthread_mutex_lock(&j->mu);
	while (!j->head && !j->closed)
		pthread_cond_wait(&j->cv, &j->mu);
	struct demo_batch *b = j->head;
	if (b) {
		j->head = b->next;
		if (!j->head)
			j->tail = NULL;
		j->queued--;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	return b;
}

static void queue_flag(struct stage_job *j, bool *flag)
{
	pthread_mutex_lock(&j->mu);
	*flag = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

/* The producer: makes every record of the stage, in order, so the output
 * depends on the seed alone. */
static void *produce(void *arg)
{
	struct stage_job *j = arg;
	struct demo_gen *g = j->g;
	for (int64_t i = 0; i < j->total;) {
		struct demo_batch *b = xrealloc(NULL, sizeof *b);
		b->n = 0;
		b->tb = NULL;
		b->a = g->a = arena_new();
		g->batch = b;
		for (int k = 0; k < BATCH && i < j->total; k++, i++)
			j->fn(g, i, j->total);
		g->a = NULL;
		g->batch = NULL;
		if (!queue_push(j, b)) {
			batch_free(b);
			break;
		}
	}
	queue_flag(j, &j->closed);
	return NULL;
}

static enum rp_err insert_batch(struct demo_gen *g, const struct demo_batch *b)
{
	enum rp_err rc = store_begin(g->c, true, g->err);
	if (rc)
		return rc;
	for (int k = 0; rc == RP_OK && k < b->n; k++) {
		int64_t id;
		rc = insert_row(g, b->rows[k].r, b->rows[k].text, &id);
		if (rc == RP_OK && b->tb) {
			idmap_add(&b->tb->ids, id);
			b->tb->n++;
		}
	}
	if (rc == RP_OK)
		return store_commit(g->c, g->err);
	store_rollback(g->c);
	return rc;
}

/* Runs a stage: the producer thread makes batches of BATCH records while
 * this thread inserts the previous one, a transaction per batch, and
 * reports progress after each commit. */
static enum rp_err run_stage(struct demo_gen *g, const char *stage,
			     int64_t total, gen_fn fn, int64_t *count)
{
	struct stage_job j = {.g = g, .fn = fn, .total = total};
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	pthread_t th;
	enum rp_err rc = RP_OK;
	if (pthread_create(&th, NULL, produce, &j)) {
		rc = rp_fail(g->err, RP_EINTERNAL, "no_thread",
			     "cannot start the demo data thread");
		goto out;
	}
	struct demo_batch *b;
	int64_t done = 0;
	while ((b = queue_pop(&j))) {
		if (rc == RP_OK) {
			rc = insert_batch(g, b);
			if (rc)
				queue_flag(&j, &j.stopped);
		}
		if (rc == RP_OK) {
			done += b->n;
			*count = done;
			if (g->opt->progress)
				g->opt->progress(stage, done, total, g->opt->ctx);
		}
		batch_free(b);
	}
	pthread_join(th, NULL);
out:
	pthread_cond_destroy(&j.cv);
	pthread_mutex_destroy(&j.mu);
	return rc;
}

static enum rp_err check_options(struct store *s, const struct demo_options *opt,
				 struct rp_error *err)
{
	if (!s || !opt)
		return rp_fail(err, RP_EINVAL, "invalid_argument",
			       "demo needs a store and options");
	if (opt->contacts < 1 || opt->contacts > DEMO_MAX_CONTACTS)
		return rp_fail(err, RP_EINVAL, "invalid_scale",
			       "the scale must be between 1 and %d contacts",
			       DEMO_MAX_CONTACTS);
	char *probe = textkey_index("a", 1);
	bool ok = probe != NULL;
	free(probe);
	if (!ok)
		return rp_fail(err, RP_EINTERNAL, "textkey_uninitialised",
			       "textkey_init() must succeed before demo_generate()");
	return RP_OK;
}

static void gen_release(struct demo_gen *g)
{
	table_release(&g->acc);
	table_release(&g->con);
	table_release(&g->lead);
	table_release(&g->deal);
	free(g->ai);
	for (unsigned i = 0; g->memo && i < MEMO_SLOTS; i++) {
		free(g->memo[i].key);
		free(g->memo[i].val);
	}
	free(g->memo);
	buf_release(&g->text);
	free(g);
}

enum rp_err demo_generate(struct store *s, const struct demo_options *opt,
			  struct demo_counts *ret_counts, struct rp_error *err)
{
	if (check_options(s, opt, err))
		return err->err;
	struct store_conn *c = store_conn(s, err);
	if (!c)
		return err->err;
	int64_t n = opt->contacts;
	int64_t nacc = n / 8 ? n / 8 : 1, nlead = n / 4 ? n / 4 : 1;
	int64_t ndeal = n / 3 ? n / 3 : 1, nact = n * 2;
	struct demo_gen *g = calloc(1, sizeof *g);
	if (!g || !(g->memo = calloc(MEMO_SLOTS, sizeof *g->memo)))
		abort();
	g->c = c;
	g->opt = opt;
	g->err = err;
	g->now = opt->now > 0 ? opt->now : clock_now();
	g->start = g->now - SPAN;
	rng_seed(&g->r, opt->seed);
	table_init(&g->acc, nacc);
	table_init(&g->con, n);
	table_init(&g->lead, nlead);
	table_init(&g->deal, ndeal);
	g->ai = xrealloc(NULL, sizeof *g->ai * (size_t)nacc);
	buf_init(&g->text, 0);

	enum rp_err rc = setup(g);
	if (!rc)
		rc = run_stage(g, "accounts", nacc, demo_gen_account, &g->counts.accounts);
	if (!rc)
		rc = run_stage(g, "contacts", n, demo_gen_contact, &g->counts.contacts);
	if (!rc)
		rc = run_stage(g, "leads", nlead, demo_gen_lead, &g->counts.leads);
	if (!rc)
		rc = run_stage(g, "deals", ndeal, demo_gen_deal, &g->counts.deals);
	if (!rc)
		rc = run_stage(g, "activities", nact, demo_gen_activity,
			       &g->counts.activities);
	if (!rc && ret_counts)
		*ret_counts = g->counts;
	gen_release(g);
	return rc;
}
