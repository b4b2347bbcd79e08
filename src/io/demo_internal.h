/* demo_internal.h — shared by the demo generator's files only (nothing
 * else includes it): the PRNG; the words demo_names.c turns into people,
 * companies, phones and subjects; the generator's state and the helpers
 * of demo_shared.c; the per-entity generators of demo_records.c. */
#pragma once
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- xoshiro256** seeded by splitmix64: fast, deterministic per seed --- */

struct rng {
	uint64_t s[4];
};

static inline uint64_t rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&seed);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); n > 0. The modulo bias is below 2^-40 for the small
 * n used here, far under what demo data could show. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0; /* an empty range gives 0 */
}

/* Uniform in [lo, hi]. */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}

static inline bool rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* Standard normal (Box-Muller, one of the pair). */
static inline double rng_normal(struct rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Index in [0, n) with probability w[i] / sum(w). */
static inline int rng_weighted(struct rng *r, const int *w, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	if (total <= 0)
		return 0; /* no weights: the first choice */
	int x = (int)rng_below(r, (uint64_t)total);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

#define RNG_PICK(r, arr) ((arr)[rng_below((r), sizeof(arr) / sizeof *(arr))])

/* --- languages, teams, cities ----------------------------------------- */

enum demo_lang { DL_EN, DL_ZH, DL_RU, DL_COUNT };
enum demo_team { DT_EAST, DT_WEST, DT_ZH, DT_RU, DT_COUNT };

struct demo_team_def {
	const char *name, *description, *time_zone, *locale;
	int lang, tz; /* tz: hours east of UTC, for business hours */
};
extern const struct demo_team_def demo_teams[DT_COUNT];

struct demo_user_def {
	const char *name, *family, *given, *local; /* local@demo.rapport.test */
	int team;
	bool manager;
};
extern const struct demo_user_def demo_users[];
extern const int demo_nusers;

struct demo_city {
	const char *name, *region, *country, *currency;
	const char *cc, *area;	  /* "+86", "10" */
	const char *tld;	  /* of company web sites: "com.cn" */
	const char *const *forms; /* legal forms, most common first */
	int lang, team, weight;
	bool german; /* German people and street names */
};
extern const struct demo_city demo_cities[];
extern const int demo_ncities;
/* A city of that language, weighted by size. */
int demo_pick_city(struct rng *r, int lang);

/* --- people --------------------------------------------------------------- */

struct demo_person {
	char name[128], family[64], given[64];
	char family_latin[48], given_latin[48];
	bool female;
};
void demo_person(struct rng *r, int lang, bool german, struct demo_person *p);
/* zhang.wei123@example.cn, ivanov@example.ru, j.smith@example.com. */
void demo_email(struct rng *r, const struct demo_person *p, int lang, bool german, char *out,
		size_t n);
const char *demo_title(struct rng *r, int lang);

/* "+86 10 8234 5678", "+7 495 123-45-67", "+1 212-555-0147"; mobile
 * numbers in the country's mobile format. */
void demo_phone(struct rng *r, const struct demo_city *c, bool mobile, char *out, size_t n);
void demo_address(struct rng *r, const struct demo_city *c, char *out, size_t n);

/* --- companies: picked as a compact code, rendered on demand ------------ */

struct demo_company {
	uint16_t brand;
	uint8_t city, ind, form;
};
void demo_company_pick(struct rng *r, int city, struct demo_company *c);
/* 北京华信科技有限公司, ООО «Альфа-Логистик», Apex Logistics Inc. */
void demo_company_name(const struct demo_company *c, char *out, size_t n);
/* 华信科技, Альфа-Логистик, Apex Logistics: for deal names. */
void demo_company_short(const struct demo_company *c, char *out, size_t n);
/* huaxinkeji.com.cn */
void demo_company_host(const struct demo_company *c, char *out, size_t n);
const char *demo_company_industry(const struct demo_company *c);

/* --- words ----------------------------------------------------------------- */

enum demo_act {
	DA_CALL,
	DA_EMAIL,
	DA_MEETING,
	DA_NOTE,
	DA_TASK,
	DA_SMS,
	DA_CHAT,
	DA_VISIT,
	DA_COUNT
};
extern const char *const demo_act_names[DA_COUNT];

const char *demo_subject(struct rng *r, int lang, int act);
const char *demo_body(struct rng *r, int lang);
const char *demo_offer(struct rng *r, int lang); /* what a deal sells */
const char *demo_lost_reason(struct rng *r, int lang);
const char *demo_disqualify_reason(struct rng *r, int lang);

/* --- the generator's state and helpers (demo.c) ------------------------- */

#include "core/arena.h"
#include "core/buf.h"
#include "core/textkey.h"
#include "io/demo.h"
#include "model/record.h"

#define DEMO_BATCH	5000 /* records per transaction */
#define DEMO_NKEY	3    /* contacts remembered per account, for its deals */
#define DEMO_MAX_STAGES 32
#define DEMO_DAY	86400

/* Index → id for records inserted in order: ids come in runs of
 * consecutive values, so only the first of each run is stored. */
struct demo_idmap {
	int64_t n, nruns, cap;
	int64_t *idx, *id;
};

/* What later stages need of one entity's records: ~5 bytes each. t and
 * owner are written when a record is made, ids (and n) when inserted; a
 * stage reads only the tables of finished stages. */
struct demo_table {
	struct demo_idmap ids;
	int64_t n, cap;
	int32_t *t;	/* created_at - start, seconds */
	uint8_t *owner; /* index into demo_users */
};

enum { LC_PROSPECT, LC_CUSTOMER, LC_CHURNED };
enum { TIER_SMALL, TIER_MEDIUM, TIER_LARGE, TIER_STRATEGIC };
enum { SK_OPEN, SK_WON, SK_LOST };

struct demo_account {
	struct demo_company co;
	uint8_t lifecycle, tier, nkey;
	int32_t key[DEMO_NKEY]; /* its first contacts (contacts table index) */
};

struct demo_stage {
	int64_t id;
	int prob, kind;
};

struct demo_memo;

/* A batch of records made on the producer thread and inserted on the
 * caller's thread in one transaction; its arena goes with it. */
struct demo_row {
	const struct record *r;
	const char *text; /* search text; NULL for entities not searched */
};

struct demo_batch {
	struct arena *a;
	struct demo_table *tb; /* learns the ids, or NULL */
	int n;
	struct demo_row rows[DEMO_BATCH];
	struct demo_batch *next;
};

/* Records are made and given their search text on a producer thread, in
 * batches, while the caller's thread inserts the previous batch: the PRNG,
 * the memo, the text buffer and `a` belong to the producer; the store,
 * `err` and the tables' ids to the inserting thread. */
struct demo_gen {
	struct store_conn *c;
	const struct demo_options *opt;
	struct rp_error *err;
	struct rng r;
	int64_t now, start;
	int64_t admin_id, role_sales, role_manager, pipeline_id;
	int64_t team_id[DT_COUNT];
	int64_t user_id[32];
	int team_users[DT_COUNT][16], nteam_users[DT_COUNT];
	struct demo_stage stages[DEMO_MAX_STAGES];
	int nstages;
	struct demo_table acc, con, lead, deal;
	struct demo_account *ai; /* per account */
	struct demo_memo *memo;
	struct buf text;
	struct textkey_words words; /* over text */
	struct arena *a;	    /* the batch being made */
	struct demo_batch *batch;   /* the batch being made */
	struct demo_counts counts;
};

/* demo_shared.c. Allocation failure aborts, as everywhere in Rapport. */
void *demo_xrealloc(void *p, size_t n);
void demo_table_init(struct demo_table *tb, int64_t cap);
void demo_table_release(struct demo_table *tb);
/* Records the id of the next inserted record (writer's thread). */
void demo_table_insert(struct demo_table *tb, int64_t id);
int64_t demo_table_id(const struct demo_table *tb, int64_t i);
int64_t demo_table_time(const struct demo_gen *g, const struct demo_table *tb, int64_t i);
/* How many records were created by t. */
int64_t demo_table_before(const struct demo_gen *g, const struct demo_table *tb, int64_t t);

/* Index in [0, m) with weight 1/(k+1)^s: the first records are the big. */
int64_t demo_zipf(struct rng *r, int64_t m, double s);
/* Index in [0, m) leaning hard to the newest. */
int64_t demo_recent(struct rng *r, int64_t m);

/* Raw creation moment of record i of n (more in recent months). */
int64_t demo_spread(struct demo_gen *g, int64_t i, int64_t n);
/* t's day in time zone tz, at a business hour, mostly a weekday, < now. */
int64_t demo_business(struct demo_gen *g, int64_t t, int tz);
/* t, but at least gap after parent and before now. */
int64_t demo_after(const struct demo_gen *g, int64_t t, int64_t parent, int64_t gap);
/* t plus a log-normal delay of that median, before now. */
int64_t demo_later(struct demo_gen *g, int64_t t, double median_s);

void demo_set_time(struct demo_gen *g, struct record *r, const char *field, int64_t t);
void demo_set_date(struct demo_gen *g, struct record *r, const char *field, int64_t t);
/* owner_id, team_id, created_by, created_at, updated_at, version, tags. */
void demo_set_common(struct demo_gen *g, struct record *r, int owner, int64_t created,
		     int64_t updated, const char *tags);
struct demo_memo *demo_memo_new(void);
void demo_memo_free(struct demo_memo *m);
/* Fills r's unset slots (the descriptor's default, or NULL) and returns
 * its search text (borrowed until the next call), NULL if its entity is
 * not searched. */
const char *demo_finish(struct demo_gen *g, struct record *r);
/* Queues record `index` of its stage: fills unset slots (default or NULL)
 * and computes its search text now; it is inserted later on the writer's
 * thread. tb (NULL: none) learns the record's time and owner now, its id
 * when inserted. */
void demo_emit(struct demo_gen *g, struct demo_table *tb, int64_t index, struct record *r,
	       int64_t t, int owner);

int demo_pick_lang(struct demo_gen *g);
int demo_pick_owner(struct demo_gen *g, int team);
/* The parent's owner with probability keep, else a colleague. */
int demo_inherit_owner(struct demo_gen *g, int owner, double keep);
int demo_owner_lang(int owner);
int demo_owner_tz(int owner);

/* demo_records.c: make (and emit) record i of n of each entity. */
void demo_gen_account(struct demo_gen *g, int64_t i, int64_t n);
void demo_gen_contact(struct demo_gen *g, int64_t i, int64_t n);
void demo_gen_lead(struct demo_gen *g, int64_t i, int64_t n);
void demo_gen_deal(struct demo_gen *g, int64_t i, int64_t n);
void demo_gen_activity(struct demo_gen *g, int64_t i, int64_t n);

/* A word of a list, with its Latin form and a weight. */
struct word {
	const char *s, *latin;
	int w; /* weight, for the lists that have one */
};

/* A word drawn with probability w / sum(w). */
static inline const struct word *pick_weighted_word(struct rng *r, const struct word *w, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += w[i].w;
	int x = (int)rng_below(r, (uint64_t)total);
	for (int i = 0; i < n; i++) {
		if (x < w[i].w)
			return &w[i];
		x -= w[i].w;
	}
	return &w[n - 1];
}
