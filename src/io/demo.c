/* demo.c — the demo-data generator's driver: checks the options, looks up
 * the roles and the first user, creates teams, users, the pipeline and the
 * products, then runs the record stages (demo_records.c).
 *
 * Each stage runs on two threads: a producer makes the records in order
 * (so the output depends on the seed and `now` alone) together with their
 * search text, while the caller's thread inserts the previous batch, one
 * transaction per DEMO_BATCH records. SQLite's single writer stays busy
 * and the transliteration (ICU) runs beside it on the second core. */
#include "io/demo.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/textkey.h"
#include "domain/dedup.h"
#include "io/demo_internal.h"
#include "model/query.h"
#include "model/registry.h"

#define SPAN (730 * (int64_t)DEMO_DAY)

/* --- products ------------------------------------------------------------ */

struct demo_product {
	const char *name, *sku, *description, *currency, *recurring;
	int64_t price, cost; /* minor units */
	bool retired;	     /* no longer sold: active = false */
};

static const struct demo_product demo_products[] = {
#define P(n, sku, d, cur, rec, price, cost)                                                        \
	{                                                                                          \
		n, sku, d, cur, rec, price, cost, false                                            \
	}
	P("Rapport CRM Professional (per user)", "CRM-PRO-M", "Per user, billed monthly", "USD",
	  "monthly", 4900, 700),
	P("Rapport CRM Enterprise (50 users)", "CRM-ENT-Y", "Annual subscription, 50 named users",
	  "USD", "yearly", 9900000, 1500000),
	P("Rapport CRM 企业版（50 用户，年度）", "CRM-ENT-CN-Y", "年度订阅，50 个用户", "CNY",
	  "yearly", 49800000, 7000000),
	P("Rapport CRM Корпоративная (50 пользователей, год)", "CRM-ENT-RU-Y",
	  "Годовая подписка, 50 пользователей", "RUB", "yearly", 490000000, 70000000),
	P("Marketing Automation Module", "MKT-AUTO-Y", "Campaigns, journeys and attribution", "USD",
	  "yearly", 2400000, 300000),
	P("API Add-on", "API-ADD-M", "Higher API limits and webhooks", "USD", "monthly", 19900,
	  1500),
	P("Storage Add-on 1 TB", "STO-1TB-M", "Extra attachment storage", "USD", "monthly", 25000,
	  9000),
	P("Standard Support", "SUP-STD-Y", "Business hours, next-day response", "USD", "yearly",
	  1200000, 450000),
	P("Premium Support 24/7", "SUP-PRM-Y", "Round the clock, 1-hour response", "USD", "yearly",
	  3600000, 1600000),
	P("标准技术支持（年度）", "SUP-STD-CN-Y", "工作日支持，次日响应", "CNY", "yearly", 8000000,
	  3200000),
	P("Техподдержка «Стандарт» (год)", "SUP-STD-RU-Y", "Рабочие дни, ответ на следующий день",
	  "RUB", "yearly", 90000000, 36000000),
	P("Implementation Services (per day)", "SRV-IMPL-D", "Consultant day, remote or on site",
	  "USD", "none", 120000, 60000),
	P("Data Migration Package", "SRV-MIG", "Import from spreadsheets or another CRM", "USD",
	  "none", 850000, 350000),
	P("Onsite Training (per day)", "SRV-TRN-D", "Up to 12 participants", "USD", "none", 150000,
	  70000),
	P("实施服务（人天）", "SRV-IMPL-CN-D", "顾问现场或远程实施", "CNY", "none", 600000, 300000),
	P("Внедрение (человеко-день)", "SRV-IMPL-RU-D", "Работа консультанта", "RUB", "none",
	  4500000, 2200000),
	P("Thin Client Terminal T200", "HW-T200", "Fanless terminal for front desks", "USD", "none",
	  45000, 31000),
	P("Barcode Scanner BS-10", "HW-BS10", "USB and Bluetooth", "USD", "none", 18900, 12000),
	P("Receipt Printer RP-80", "HW-RP80", "80 mm thermal printer", "USD", "none", 22900, 15500),
	P("门店收银终端 POS-300", "HW-POS300-CN", "含扫码枪与小票打印机", "CNY", "none", 399900,
	  280000),
	P("Сервер R2 (2U)", "HW-R2-RU", "Стоечный сервер для локальной установки", "RUB", "none",
	  62000000, 48000000),
	{"Legacy Starter Plan", "CRM-START-M", "No longer sold", "USD", "monthly", 1900, 500, true},
#undef P
};
static const int demo_nproducts = (int)(sizeof demo_products / sizeof *demo_products);

/* --- setup: roles, first user, teams, users, pipeline, products ------------ */

/* a: the arena of the batch being inserted (the producer thread owns g->a
 * meanwhile). */
static enum rp_err insert_row(struct demo_gen *g, struct arena *a, const struct record *r,
			      const char *text, int64_t *ret_id)
{
	if (store_insert(g->c, r, ret_id, g->err))
		return g->err->err;
	if (text && store_search_add(g->c, r->ent, *ret_id, text, g->err))
		return g->err->err;
	return dedup_index(g->c, r->ent, *ret_id, r, true, a, g->err);
}

/* For the setup rows, made and inserted on the caller's thread. */
static enum rp_err insert_now(struct demo_gen *g, struct record *r, int64_t *ret_id)
{
	return insert_row(g, g->a, r, demo_finish(g, r), ret_id);
}

static enum rp_err list_rows(struct demo_gen *g, const char *entity, const struct query_param *p,
			     int np, struct record ***rows, int *n)
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

static bool taken(struct demo_gen *g, const char *entity, const char *field, const char *value)
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
				       "already holds demo data",
				       demo_teams[t].name);
	for (int u = 0; u < demo_nusers; u++) {
		snprintf(email, sizeof email, "%s@demo.rapport.test", demo_users[u].local);
		if (taken(g, "users", "email", email))
			return rp_fail(g->err, RP_ECONFLICT, "demo_exists",
				       "user \"%s\" already exists", email);
	}
	for (int p = 0; p < demo_nproducts; p++)
		if (taken(g, "products", "sku", demo_products[p].sku))
			return rp_fail(g->err, RP_ECONFLICT, "demo_exists",
				       "product SKU \"%s\" already exists", demo_products[p].sku);
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
	return kind && !strcmp(kind, "won")    ? SK_WON
	       : kind && !strcmp(kind, "lost") ? SK_LOST
					       : SK_OPEN;
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
	const struct query_param q[] = {{"pipeline_id", id}, {"sort", "position"}, {"limit", "32"}};
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
		{"Won", 100, SK_WON},	      {"Lost", 0, SK_LOST},
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

/* What the record service derives on each write and the bulk inserts do
 * not: the account of every activity. */
static enum rp_err fill_derived(struct demo_gen *g)
{
	enum rp_err rc = store_begin(g->c, true, g->err);
	if (!rc)
		rc = store_fill_derived(g->c, "activities", NULL, g->err);
	if (!rc)
		return store_commit(g->c, g->err);
	store_rollback(g->c);
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
		struct demo_batch *b = demo_xrealloc(NULL, sizeof *b);
		b->n = 0;
		b->tb = NULL;
		b->a = g->a = arena_new();
		g->batch = b;
		for (int k = 0; k < DEMO_BATCH && i < j->total; k++, i++)
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
		rc = insert_row(g, b->a, b->rows[k].r, b->rows[k].text, &id);
		if (rc == RP_OK && b->tb)
			demo_table_insert(b->tb, id);
	}
	if (rc == RP_OK)
		return store_commit(g->c, g->err);
	store_rollback(g->c);
	return rc;
}

/* Runs a stage: the producer thread makes batches of DEMO_BATCH records while
 * this thread inserts the previous one, a transaction per batch, and
 * reports progress after each commit. */
static enum rp_err run_stage(struct demo_gen *g, const char *stage, int64_t total, gen_fn fn,
			     int64_t *count)
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
			       "the scale must be between 1 and %d contacts", DEMO_MAX_CONTACTS);
	if (opt->activities < 0 || opt->activities > DEMO_MAX_ACTIVITIES)
		return rp_fail(err, RP_EINVAL, "invalid_activities",
			       "the activities must be between 0 (twice the contacts) and %d",
			       DEMO_MAX_ACTIVITIES);
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
	demo_table_release(&g->acc);
	demo_table_release(&g->con);
	demo_table_release(&g->lead);
	demo_table_release(&g->deal);
	free(g->ai);
	demo_memo_free(g->memo);
	buf_release(&g->text);
	textkey_words_free(&g->words);
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
	int64_t ndeal = n / 3 ? n / 3 : 1, nact = opt->activities ? opt->activities : n * 2;
	struct demo_gen *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	g->memo = demo_memo_new();
	g->c = c;
	g->opt = opt;
	g->err = err;
	g->now = opt->now > 0 ? opt->now : clock_now();
	g->start = g->now - SPAN;
	rng_seed(&g->r, opt->seed);
	demo_table_init(&g->acc, nacc);
	demo_table_init(&g->con, n);
	demo_table_init(&g->lead, nlead);
	demo_table_init(&g->deal, ndeal);
	g->ai = demo_xrealloc(NULL, sizeof *g->ai * (size_t)nacc);
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
		rc = run_stage(g, "activities", nact, demo_gen_activity, &g->counts.activities);
	if (!rc)
		rc = fill_derived(g);
	if (!rc)
		rc = store_search_optimize(c, err);
	if (!rc && ret_counts)
		*ret_counts = g->counts;
	gen_release(g);
	return rc;
}
