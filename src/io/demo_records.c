/* demo_records.c — one generator per entity of the demo data: accounts,
 * contacts, leads, deals and activities. Each makes record i of n in the
 * current batch's arena and queues it with demo_emit; the shapes
 * (who owns what, which status, how much) are decided here, the words come
 * from demo_names.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "io/demo_internal.h"
#include "model/registry.h"

#define DAY	       DEMO_DAY
#define SET_S(r, f, v) record_set_text((r), g->a, (f), (v))

struct tag_odds {
	double p;
	const char *json;
};

static const char *pick_tags(struct rng *r, const struct tag_odds *t, int n)
{
	double u = rng_unit(r);
	for (int i = 0; i < n; i++) {
		if (u < t[i].p)
			return t[i].json;
		u -= t[i].p;
	}
	return "[]";
}

/* Units of the currency per US dollar, roughly. */
static double per_usd(const char *cur)
{
	static const struct {
		const char *cur;
		double rate;
	} fx[] = {{"CNY", 7.2},	 {"RUB", 90},	{"GBP", 0.79},
		  {"EUR", 0.92}, {"CAD", 1.36}, {"AUD", 1.52}};
	for (size_t i = 0; i < sizeof fx / sizeof *fx; i++)
		if (!strcmp(cur, fx[i].cur))
			return fx[i].rate;
	return 1.0;
}

/* Minor units of x major units kept to `sig` significant digits, the way
 * people quote prices and revenues (12,500, not 12,487.31). */
static int64_t money(double x, int sig)
{
	if (x < 1)
		x = 1;
	if (sig > 0) {
		double mag = pow(10.0, floor(log10(x)) - (sig - 1));
		x = round(x / mag) * mag;
	}
	return (int64_t)llround(x) * 100;
}

static int64_t log_uniform(struct rng *r, double lo, double hi)
{
	return (int64_t)(lo * pow(hi / lo, rng_unit(r)));
}

static void set_contact_points(struct demo_gen *g, struct record *r, const struct demo_city *c)
{
	SET_S(r, "city", c->name);
	SET_S(r, "country", c->country);
}

/* --- accounts --------------------------------------------------------------- */

static int account_tier(struct rng *r, int64_t i, int64_t n)
{
	static const int top[] = {10, 40, 40, 10}, rest[] = {58, 30, 10, 2};
	double q = (double)i / (double)n;
	/* the oldest accounts are the biggest: they get most contacts and deals */
	if (i < 5 || q < 0.002)
		return rng_chance(r, 0.6) ? TIER_STRATEGIC : TIER_LARGE;
	return rng_weighted(r, q < 0.02 ? top : rest, 4);
}

void demo_gen_account(struct demo_gen *g, int64_t i, int64_t n)
{
	static const char *const lifecycles[] = {"prospect", "customer", "churned"};
	static const char *const tiers[] = {"small", "medium", "large", "strategic"};
	static const double emp_lo[] = {5, 50, 500, 5000}, emp_hi[] = {50, 500, 5000, 120000};
	static const struct tag_odds tags[] = {{0.07, "[\"vip\"]"},
					       {0.04, "[\"partner\"]"},
					       {0.03, "[\"reseller\"]"},
					       {0.04, "[\"key-account\"]"},
					       {0.01, "[\"vip\",\"key-account\"]"}};
	struct rng *rg = &g->r;
	int lang = demo_pick_lang(g);
	int city = demo_pick_city(rg, lang);
	const struct demo_city *ci = &demo_cities[city];
	int owner = demo_pick_owner(g, ci->team);
	int64_t t = demo_business(g, demo_spread(g, i, n), demo_owner_tz(owner));
	struct demo_account *ai = &g->ai[i];
	memset(ai, 0, sizeof *ai);
	demo_company_pick(rg, city, &ai->co);
	ai->tier = (uint8_t)account_tier(rg, i, n);
	bool big = ai->tier >= TIER_LARGE;
	const int lc_w[] = {big ? 5 : 38, big ? 85 : 50, big ? 10 : 12};
	ai->lifecycle = (uint8_t)rng_weighted(rg, lc_w, 3);
	int64_t since = 0, churned = 0;
	if (ai->lifecycle != LC_PROSPECT) {
		since = demo_later(g, t, 45.0 * DAY);
		churned = since + rng_range(rg, 90, 600) * DAY;
		if (ai->lifecycle == LC_CHURNED && churned > g->now - DAY)
			ai->lifecycle = LC_CUSTOMER; /* too young to have left */
	}
	int64_t employees = log_uniform(rg, emp_lo[ai->tier], emp_hi[ai->tier]);
	double revenue =
		(double)employees * (double)rng_range(rg, 60, 250) * 1000.0 * per_usd(ci->currency);

	struct record *r = record_new(g->a, model_entity("accounts"));
	char name[256], host[128], buf[256];
	demo_company_name(&ai->co, name, sizeof name);
	demo_company_host(&ai->co, host, sizeof host);
	SET_S(r, "name", name);
	SET_S(r, "industry", demo_company_industry(&ai->co));
	snprintf(buf, sizeof buf, "https://www.%s", host);
	SET_S(r, "website", buf);
	demo_phone(rg, ci, false, buf, sizeof buf);
	SET_S(r, "phone", buf);
	SET_S(r, "country", ci->country);
	SET_S(r, "region", ci->region);
	SET_S(r, "city", ci->name);
	demo_address(rg, ci, buf, sizeof buf);
	SET_S(r, "address", buf);
	SET_S(r, "lifecycle", lifecycles[ai->lifecycle]);
	if (since)
		demo_set_date(g, r, "customer_since", since);
	if (ai->lifecycle == LC_CHURNED)
		demo_set_date(g, r, "churned_at", churned);
	SET_S(r, "tier", tiers[ai->tier]);
	record_set_int(r, "employees", employees);
	record_set_int(r, "annual_revenue", money(revenue, 2));
	SET_S(r, "currency", ci->currency);
	if (rng_chance(rg, 0.3)) {
		snprintf(buf, sizeof buf, "ERP-%06lld", (long long)(i + 1));
		SET_S(r, "external_id", buf);
	}
	int64_t updated = ai->lifecycle == LC_CHURNED ? churned
			  : rng_chance(rg, 0.6)	      ? demo_later(g, t, 30.0 * DAY)
						      : t;
	demo_set_common(g, r, owner, t, updated, pick_tags(rg, tags, 5));
	demo_emit(g, &g->acc, i, r, t, owner);
}

/* --- contacts --------------------------------------------------------------- */

static const char *channel(struct rng *r, int lang)
{
	static const char *const ch[] = {"email", "phone", "sms", "chat", "visit", "mail"};
	static const int w[DL_COUNT][6] = {[DL_EN] = {60, 25, 5, 5, 2, 3},
					   [DL_ZH] = {20, 25, 5, 45, 5, 0},
					   [DL_RU] = {40, 40, 3, 14, 3, 0}};
	return ch[rng_weighted(r, w[lang], 6)];
}

void demo_gen_contact(struct demo_gen *g, int64_t i, int64_t n)
{
	static const struct tag_odds tags[] = {{0.04, "[\"decision-maker\"]"},
					       {0.02, "[\"champion\"]"},
					       {0.01, "[\"vip\"]"},
					       {0.02, "[\"newsletter\"]"}};
	struct rng *rg = &g->r;
	int64_t base = demo_spread(g, i, n), a = -1;
	int64_t m = demo_table_before(g, &g->acc, base);
	int city, owner;
	if (m > 0 && !rng_chance(rg, 0.07)) {
		/* Zipf-like: account k gets weight 1/(k+1)^0.8, plus a flat part
		 * so small accounts get their few contacts */
		a = rng_chance(rg, 0.75) ? demo_zipf(rg, m, 0.8)
					 : (int64_t)rng_below(rg, (uint64_t)m);
		city = g->ai[a].co.city;
		owner = demo_inherit_owner(g, g->acc.owner[a], 0.85);
	} else {
		city = demo_pick_city(rg, demo_pick_lang(g));
		owner = demo_pick_owner(g, demo_cities[city].team);
	}
	const struct demo_city *ci = &demo_cities[city];
	int lang = ci->lang;
	int64_t t = demo_business(g, base, demo_owner_tz(owner));
	if (a >= 0)
		t = demo_after(g, t, demo_table_time(g, &g->acc, a), 3600);

	struct demo_person p;
	char buf[160];
	demo_person(rg, lang, ci->german, &p);
	struct record *r = record_new(g->a, model_entity("contacts"));
	SET_S(r, "name", p.name);
	SET_S(r, "family_name", p.family);
	SET_S(r, "given_name", p.given);
	if (rng_chance(rg, 0.92)) {
		demo_email(rg, &p, lang, ci->german, buf, sizeof buf);
		SET_S(r, "email", buf);
	}
	if (rng_chance(rg, 0.08)) {
		demo_email(rg, &p, lang, ci->german, buf, sizeof buf);
		SET_S(r, "email2", buf);
	}
	if (rng_chance(rg, 0.45)) {
		demo_phone(rg, ci, false, buf, sizeof buf);
		SET_S(r, "phone", buf);
	}
	if (rng_chance(rg, 0.7)) {
		demo_phone(rg, ci, true, buf, sizeof buf);
		SET_S(r, "mobile", buf);
	}
	if (rng_chance(rg, 0.85))
		SET_S(r, "title", demo_title(rg, lang));
	if (a >= 0)
		record_set_int(r, "account_id", demo_table_id(&g->acc, a));
	if (rng_chance(rg, 0.25)) /* born 1960-1999 */
		demo_set_date(g, r, "birthday", (rng_range(rg, -3652, 10957)) * DAY);
	if (rng_chance(rg, 0.7))
		SET_S(r, "preferred_channel", channel(rg, lang));
	record_set_int(r, "marketing_consent", rng_chance(rg, 0.4));
	set_contact_points(g, r, ci);
	int64_t updated = rng_chance(rg, 0.4) ? demo_later(g, t, 20.0 * DAY) : t;
	demo_set_common(g, r, owner, t, updated, pick_tags(rg, tags, 4));
	demo_emit(g, &g->con, i, r, t, owner);
	if (a >= 0 && g->ai[a].nkey < DEMO_NKEY)
		g->ai[a].key[g->ai[a].nkey++] = (int32_t)i;
}

/* --- leads ------------------------------------------------------------------ */

enum { LS_NEW, LS_CONTACTED, LS_QUALIFIED, LS_CONVERTED, LS_DISQUALIFIED };

/* Young leads are still new; old ones were worked to an end. */
static int lead_status(struct demo_gen *g, int64_t t)
{
	static const int young[] = {60, 30, 8, 0, 2}, month[] = {20, 35, 20, 10, 15},
			 old[] = {3, 15, 14, 18, 50};
	int64_t age = g->now - t;
	return rng_weighted(&g->r, age < 7 * DAY ? young : age < 30 * DAY ? month : old, 5);
}

static void set_utm(struct demo_gen *g, struct record *r, int lang, int source, int64_t t)
{
	static const char *const engines[DL_COUNT][3] = {{"google", "bing", "duckduckgo"},
							 {"baidu", "bing", "sogou"},
							 {"yandex", "google", "mail.ru"}};
	static const char *const socials[DL_COUNT][2] = {
		{"linkedin", "facebook"}, {"wechat", "weibo"}, {"vk", "telegram"}};
	static const char *const terms[DL_COUNT][3] = {
		{"crm software", "sales crm", "crm for small business"},
		{"客户管理系统", "crm软件", "销售管理软件"},
		{"crm система", "crm для малого бизнеса", "учёт клиентов"}};
	static const char *const campaigns[] = {"crm_trial", "brand", "retargeting", "webinar",
						"pricing_page"};
	static const char *const contents[] = {"banner_a", "banner_b", "text_ad_1", "video"};
	struct rng *rg = &g->r;
	bool paid = source == 7 || (source == 0 && rng_chance(rg, 0.4));
	const char *src = source == 5	? socials[lang][rng_below(rg, 2)]
			  : source == 4 ? "newsletter"
					: engines[lang][rng_below(rg, 3)];
	SET_S(r, "utm_source", src);
	SET_S(r, "utm_medium",
	      source == 5   ? "social"
	      : source == 4 ? "email"
	      : paid	    ? "cpc"
			    : "organic");
	char when[RP_TIME_LEN], buf[96];
	clock_format(t, when);
	int quarter = ((when[5] - '0') * 10 + (when[6] - '0') - 1) / 3 + 1;
	snprintf(buf, sizeof buf, "%s_%.4s_q%d", RNG_PICK(rg, campaigns), when, quarter);
	SET_S(r, "utm_campaign", buf);
	if (paid)
		SET_S(r, "utm_term", terms[lang][rng_below(rg, 3)]);
	if (paid && rng_chance(rg, 0.4))
		SET_S(r, "utm_content", RNG_PICK(rg, contents));
}

/* A converted lead became (or joined) an account of its language. */
static int64_t converted_account(struct demo_gen *g, int64_t t, int lang, char *company, size_t n)
{
	int64_t m = demo_table_before(g, &g->acc, t);
	for (int tries = 0; m > 0 && tries < 8; tries++) {
		int64_t a = (int64_t)rng_below(&g->r, (uint64_t)m);
		if (demo_cities[g->ai[a].co.city].lang == lang) {
			demo_company_name(&g->ai[a].co, company, n);
			return demo_table_id(&g->acc, a);
		}
	}
	return 0;
}

void demo_gen_lead(struct demo_gen *g, int64_t i, int64_t n)
{
	static const char *const sources[] = {"web",	"referral", "event", "cold_call", "email",
					      "social", "partner",  "ads",   "other"};
	static const int source_w[] = {32, 12, 10, 8, 10, 10, 6, 10, 2};
	static const char *const statuses[] = {"new", "contacted", "qualified", "converted",
					       "disqualified"};
	static const int score_lo[] = {15, 25, 55, 65, 0}, score_hi[] = {65, 75, 95, 100, 40};
	struct rng *rg = &g->r;
	int lang = demo_pick_lang(g);
	int city = demo_pick_city(rg, lang);
	const struct demo_city *ci = &demo_cities[city];
	int owner = demo_pick_owner(g, ci->team);
	int64_t t = demo_business(g, demo_spread(g, i, n), demo_owner_tz(owner));
	int source = rng_weighted(rg, source_w, 9), status = lead_status(g, t);
	int score = (int)rng_range(rg, score_lo[status], score_hi[status]);

	struct demo_person p;
	char buf[256], company[256] = "";
	demo_person(rg, lang, ci->german, &p);
	struct record *r = record_new(g->a, model_entity("leads"));
	SET_S(r, "name", p.name);
	int64_t acc = status == LS_CONVERTED && rng_chance(rg, 0.7)
			      ? converted_account(g, t, lang, company, sizeof company)
			      : 0;
	if (!acc && rng_chance(rg, 0.85)) {
		struct demo_company co;
		demo_company_pick(rg, city, &co);
		demo_company_name(&co, company, sizeof company);
	}
	if (*company)
		SET_S(r, "company", company);
	if (rng_chance(rg, 0.92)) {
		demo_email(rg, &p, lang, ci->german, buf, sizeof buf);
		SET_S(r, "email", buf);
	}
	if (rng_chance(rg, 0.6)) {
		demo_phone(rg, ci, rng_chance(rg, 0.5), buf, sizeof buf);
		SET_S(r, "phone", buf);
	}
	if (rng_chance(rg, 0.55))
		SET_S(r, "title", demo_title(rg, lang));
	SET_S(r, "source", sources[source]);
	SET_S(r, "status", statuses[status]);
	record_set_int(r, "score", score);
	int64_t touched = t;
	if (status != LS_NEW) {
		touched = demo_later(g, t, 5.0 * 3600);
		demo_set_time(g, r, "first_contacted_at", touched);
	}
	if (acc)
		record_set_int(r, "converted_account_id", acc);
	if (status == LS_DISQUALIFIED)
		SET_S(r, "disqualify_reason", demo_disqualify_reason(rg, lang));
	if (source == 0 || source == 4 || source == 5 || source == 7)
		set_utm(g, r, lang, source, t);
	const char *tags = score >= 85 && rng_chance(rg, 0.4)	? "[\"hot\"]"
			   : source == 2 && rng_chance(rg, 0.3) ? "[\"trade-show\"]"
								: "[]";
	int64_t updated = status == LS_NEW ? t : demo_later(g, touched, 7.0 * DAY);
	demo_set_common(g, r, owner, t, updated, tags);
	demo_emit(g, &g->lead, i, r, t, owner);
}

/* --- deals ------------------------------------------------------------------ */

/* Stage of a deal: open ones spread over the open stages (fewer further
 * on), closed ones won or lost depending on what the account became. */
static const struct demo_stage *deal_stage(struct demo_gen *g, int64_t t, int lifecycle)
{
	static const double won_p[] = {
		[LC_PROSPECT] = 0.2, [LC_CUSTOMER] = 0.6, [LC_CHURNED] = 0.45};
	int64_t age = g->now - t;
	double p_open = age < 60 * DAY ? 0.9 : age < 365 * DAY ? 0.62 : 0.4;
	int kind = rng_chance(&g->r, p_open)		 ? SK_OPEN
		   : rng_chance(&g->r, won_p[lifecycle]) ? SK_WON
							 : SK_LOST;
	int w[DEMO_MAX_STAGES], k = 0;
	for (int s = 0; s < g->nstages; s++) {
		w[s] = g->stages[s].kind == kind ? (kind == SK_OPEN ? 40 - 6 * (k < 5 ? k : 5) : 1)
						 : 0;
		k += g->stages[s].kind == kind;
	}
	return &g->stages[rng_weighted(&g->r, w, g->nstages)];
}

void demo_gen_deal(struct demo_gen *g, int64_t i, int64_t n)
{
	static const double median_usd[] = {4000, 15000, 45000, 150000};
	static const char *const kinds[] = {"open", "won", "lost"};
	static const char *const sources[] = {"inbound", "outbound", "referral",
					      "partner", "upsell",   "renewal"};
	static const struct tag_odds tags[] = {{0.04, "[\"upsell\"]"}, {0.02, "[\"competitive\"]"}};
	struct rng *rg = &g->r;
	int64_t base = demo_spread(g, i, n);
	int64_t m = demo_table_before(g, &g->acc, base);
	m = m ? m : 1;
	int64_t a =
		rng_chance(rg, 0.75) ? demo_zipf(rg, m, 0.8) : (int64_t)rng_below(rg, (uint64_t)m);
	const struct demo_account *ai = &g->ai[a];
	const struct demo_city *ci = &demo_cities[ai->co.city];
	int owner = demo_inherit_owner(g, g->acc.owner[a], 0.9);
	int64_t t = demo_business(g, base, demo_owner_tz(owner));
	t = demo_after(g, t, demo_table_time(g, &g->acc, a), DAY);
	int64_t contact = 0;
	if (ai->nkey) {
		int32_t k = ai->key[rng_chance(rg, 0.6) ? 0 : rng_below(rg, ai->nkey)];
		t = demo_after(g, t, demo_table_time(g, &g->con, k), 3600);
		contact = demo_table_id(&g->con, k);
	}
	const struct demo_stage *st = deal_stage(g, t, ai->lifecycle);
	double amount = median_usd[ai->tier] * exp(0.9 * rng_normal(rg)) * per_usd(ci->currency);

	struct record *r = record_new(g->a, model_entity("deals"));
	char name[384], company[160];
	demo_company_short(&ai->co, company, sizeof company);
	snprintf(name, sizeof name, "%s — %s", company, demo_offer(rg, ci->lang));
	SET_S(r, "name", name);
	record_set_int(r, "account_id", demo_table_id(&g->acc, a));
	if (contact)
		record_set_int(r, "contact_id", contact);
	record_set_int(r, "pipeline_id", g->pipeline_id);
	record_set_int(r, "stage_id", st->id);
	record_set_int(r, "amount", money(amount, rng_chance(rg, 0.85) ? 2 : 0));
	SET_S(r, "currency", ci->currency);
	record_set_int(r, "probability", st->prob);
	demo_set_date(g, r, "expected_close", t + rng_range(rg, 30, 120) * DAY);
	SET_S(r, "status", kinds[st->kind]);
	int64_t closed = 0;
	if (st->kind != SK_OPEN) {
		closed = demo_later(g, t, (st->kind == SK_WON ? 40.0 : 30.0) * DAY);
		demo_set_time(g, r, "closed_at", closed);
	}
	if (st->kind == SK_LOST)
		SET_S(r, "lost_reason", demo_lost_reason(rg, ci->lang));
	int src = ai->lifecycle == LC_CUSTOMER && rng_chance(rg, 0.3) ? 4 + (int)rng_below(rg, 2)
								      : (int)rng_below(rg, 4);
	SET_S(r, "source", sources[src]);
	if (rng_chance(rg, 0.15))
		SET_S(r, "description", demo_body(rg, ci->lang));
	int64_t updated = closed ? closed : rng_chance(rg, 0.5) ? demo_later(g, t, 10.0 * DAY) : t;
	demo_set_common(g, r, owner, t, updated, pick_tags(rg, tags, 2));
	demo_emit(g, &g->deal, i, r, t, owner);
}

/* --- activities ------------------------------------------------------------ */

struct when {
	int64_t due, done;
};

/* Calls, e-mails and notes are logged when they happen; meetings and
 * visits are booked ahead; tasks fall due, mostly get done, and some are
 * due today, overdue or ahead. */
static struct when schedule(struct demo_gen *g, int type, int64_t t, int tz)
{
	struct rng *rg = &g->r;
	struct when w = {0, 0};
	int64_t age = g->now - t;
	if (type == DA_TASK) {
		if (age < 7 * DAY && rng_chance(rg, 0.3)) {
			int64_t today = (g->now + tz * 3600) / DAY * DAY - tz * 3600;
			w.due = today + rng_range(rg, 9, 18) * 3600;
			if (w.due < t) /* made today after that hour: due next hour */
				w.due = (t / 3600 + 1) * 3600;
			return w;
		}
		w.due = (t + rng_range(rg, 1, 240) * 3600) / 3600 * 3600;
		if (w.due <= g->now) {
			if (rng_chance(rg, age > 60 * DAY ? 0.96 : 0.8)) {
				int64_t end = w.due + 2 * DAY < g->now ? w.due + 2 * DAY : g->now;
				w.done = t + (int64_t)(rng_unit(rg) * (double)(end - t));
			}
		} else if (rng_chance(rg, 0.1)) {
			w.done = t + (int64_t)(rng_unit(rg) * (double)(g->now - t));
		}
	} else if (type == DA_MEETING || type == DA_VISIT) {
		w.due = (t + rng_range(rg, 1, 14) * DAY) / 1800 * 1800;
		if (w.due < g->now - 4 * 3600 && rng_chance(rg, 0.95))
			w.done = w.due + 3600;
	} else {
		w.done = t;
	}
	return w;
}

static int64_t duration(struct rng *r, int type)
{
	static const int meeting[] = {30, 45, 60, 90};
	switch (type) {
	case DA_CALL: return 1 + (int64_t)(5.0 * exp(0.8 * rng_normal(r)));
	case DA_MEETING: return RNG_PICK(r, meeting);
	case DA_VISIT: return rng_range(r, 4, 16) * 15;
	default: return 0;
	}
}

void demo_gen_activity(struct demo_gen *g, int64_t i, int64_t n)
{
	static const char *const related[] = {"accounts", "contacts", "leads", "deals"};
	static const int related_w[] = {20, 35, 15, 30};
	static const int type_w[DL_COUNT][DA_COUNT] = {[DL_EN] = {25, 30, 10, 12, 13, 2, 4, 4},
						       [DL_ZH] = {22, 14, 10, 12, 13, 3, 21, 5},
						       [DL_RU] = {30, 25, 10, 10, 13, 2, 6, 4}};
	struct rng *rg = &g->r;
	struct demo_table *tabs[] = {&g->acc, &g->con, &g->lead, &g->deal};
	int64_t base = demo_spread(g, i, n);
	int rt = rng_weighted(rg, related_w, 4);
	int64_t m = demo_table_before(g, tabs[rt], base);
	if (m == 0) { /* nothing of that kind yet: the first account will do */
		rt = 0;
		m = demo_table_before(g, tabs[0], base);
		m = m ? m : 1;
	}
	struct demo_table *tb = tabs[rt];
	int64_t k = rt == 0 ? (rng_chance(rg, 0.5) ? demo_zipf(rg, m, 0.8) : demo_recent(rg, m))
		    : rng_chance(rg, 0.6) ? demo_recent(rg, m)
					  : (int64_t)rng_below(rg, (uint64_t)m);
	int owner = demo_inherit_owner(g, tb->owner[k], 0.85);
	int lang = demo_owner_lang(owner), tz = demo_owner_tz(owner);
	int64_t t = demo_business(g, base, tz);
	t = demo_after(g, t, demo_table_time(g, tb, k), 600);
	int type = rng_weighted(rg, type_w[lang], DA_COUNT);
	struct when w = schedule(g, type, t, tz);

	struct record *r = record_new(g->a, model_entity("activities"));
	SET_S(r, "type", demo_act_names[type]);
	SET_S(r, "subject", demo_subject(rg, lang, type));
	if ((type == DA_EMAIL || type == DA_MEETING || type == DA_NOTE || type == DA_VISIT) &&
	    rng_chance(rg, 0.35))
		SET_S(r, "body", demo_body(rg, lang));
	if (w.due)
		demo_set_time(g, r, "due_at", w.due);
	int64_t minutes = w.done ? duration(rg, type) : 0;
	if (minutes)
		record_set_int(r, "duration_min", minutes);
	if (w.done && (type == DA_MEETING || type == DA_VISIT))
		w.done = w.due + minutes * 60; /* booked at least 4 h before now */
	if (w.done)
		demo_set_time(g, r, "done_at", w.done);
	if (type == DA_CALL || type == DA_EMAIL)
		SET_S(r, "direction", rng_chance(rg, 0.65) ? "outbound" : "inbound");
	SET_S(r, "related_type", related[rt]);
	record_set_int(r, "related_id", demo_table_id(tb, k));
	demo_set_common(g, r, owner, t, w.done > t ? w.done : t, "[]");
	demo_emit(g, NULL, i, r, t, owner);
}
