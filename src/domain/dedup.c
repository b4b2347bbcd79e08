/* dedup.c — when two records are the same customer. Every write of an
 * entity with FF_MATCH fields stores its normalised keys: e-mail (folded),
 * phone (E.164 digits, national numbers completed with the default
 * country) and name (Latin letters of every script, words in any order,
 * legal forms of companies dropped); importers and the duplicates screen
 * look records up by them and compare names with Jaro-Winkler. */
#include "domain/dedup.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/textkey.h"
#include "core/xalloc.h"
#include "model/registry.h"

#define MAX_KEYS 12

static char default_country[3];

void dedup_set_default_country(const char *cc)
{
	snprintf(default_country, sizeof default_country, "%s", cc ? cc : "");
	for (char *p = default_country; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

const char *dedup_default_country(void)
{
	return default_country;
}

bool dedup_email_key(const char *s, char *out, size_t n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	char *f = len ? textkey_fold(s, len) : NULL;
	bool ok = f && strchr(f, '@') && strlen(f) < n;
	if (ok)
		snprintf(out, n, "%s", f);
	free(f);
	return ok;
}

/* Calling code and national trunk prefix of the countries our customers
 * dial most; others need the number written with its + code. */
static const struct {
	const char *iso, *code, *trunk;
} countries[] = {
	{"CN", "86", "0"},  {"RU", "7", "8"},	{"KZ", "7", "8"},   {"BY", "375", "8"},
	{"UA", "380", "0"}, {"US", "1", "1"},	{"CA", "1", "1"},   {"GB", "44", "0"},
	{"DE", "49", "0"},  {"FR", "33", "0"},	{"IT", "39", ""},   {"ES", "34", ""},
	{"NL", "31", "0"},  {"JP", "81", "0"},	{"KR", "82", "0"},  {"IN", "91", "0"},
	{"SG", "65", ""},   {"HK", "852", ""},	{"TW", "886", "0"}, {"AU", "61", "0"},
	{"BR", "55", "0"},  {"TR", "90", "0"},	{"PL", "48", ""},   {"AE", "971", "0"},
	{"UZ", "998", "8"}, {"KG", "996", "0"}, {"MN", "976", "0"}, {"MO", "853", ""},
};

static int country_index(const char *iso)
{
	for (size_t i = 0; iso && i < sizeof countries / sizeof *countries; i++)
		if (!strcmp(countries[i].iso, iso))
			return (int)i;
	return -1;
}

bool dedup_known_country(const char *iso)
{
	return country_index(iso) >= 0;
}

static bool starts(const char *s, const char *prefix)
{
	return *prefix && !strncmp(s, prefix, strlen(prefix));
}

/* The digits of s without a "(0)": written after a country's code ("+44
 * (0)20 …", "0049 (0)30 …") it is the trunk prefix a caller inside the
 * country dials, never part of the number. */
static char *digits_without_trunk(const char *s, bool international)
{
	const char *trunk = international ? strstr(s, "(0)") : NULL;
	if (!trunk)
		return textkey_digits(s, strlen(s));
	char copy[256];
	size_t before = (size_t)(trunk - s);
	if (strlen(s) >= sizeof copy)
		return textkey_digits(s, strlen(s));
	snprintf(copy, sizeof copy, "%.*s%s", (int)before, s, trunk + 3);
	return textkey_digits(copy, strlen(copy));
}

bool dedup_phone_key(const char *s, const char *country, char *out, size_t n)
{
	const char *p = s;
	while (*p == ' ' || *p == '\t' || *p == '(')
		p++;
	bool plus = *p == '+' || !strncmp(p, "\xef\xbc\x8b", 3); /* + or full-width ＋ */
	char *digits = digits_without_trunk(s, plus || starts(p, "00"));
	if (!digits)
		return false;
	int ci = country_index(country && *country ? country : default_country);
	const char *d = digits;
	char buf[64] = "";
	if (plus) {
		snprintf(buf, sizeof buf, "%s", d);
	} else if (starts(d, "00")) {
		snprintf(buf, sizeof buf, "%s", d + 2);
	} else if (ci >= 0 && !strcmp(countries[ci].code, "7") && starts(d, "810")) {
		snprintf(buf, sizeof buf, "%s", d + 3);
	} else if (ci >= 0 && starts(d, countries[ci].code) && strlen(d) >= 11) {
		snprintf(buf, sizeof buf, "%s", d); /* the code written without + */
	} else if (ci >= 0) {
		if (starts(d, countries[ci].trunk))
			d += strlen(countries[ci].trunk);
		snprintf(buf, sizeof buf, "%s%s", countries[ci].code, d);
	} else {
		snprintf(buf, sizeof buf, "%s", d);
	}
	free(digits);
	size_t len = strlen(buf);
	if (len < 7 || len > 15 || len >= n)
		return false;
	snprintf(out, n, "%s", buf);
	return true;
}

int dedup_phone_national_keys(const char *key, const char *country, char out[2][32])
{
	int ci = country_index(country);
	if (ci < 0 || !starts(key, countries[ci].code))
		return 0;
	const char *national = key + strlen(countries[ci].code);
	size_t len = strlen(national), trunk = strlen(countries[ci].trunk);
	if (len < 7 || len + trunk >= 32)
		return 0;
	memcpy(out[0], national, len + 1);
	if (!trunk)
		return 1;
	memcpy(out[1], countries[ci].trunk, trunk);
	memcpy(out[1] + trunk, national, len + 1);
	return 2;
}

/* Words that say what kind of company it is, not which one. */
static const char *const legal_forms[] = {
	"llc",	"ltd", "limited", "inc", "incorporated", "corp", "corporation", "co",	 "company",
	"gmbh", "ag",  "sa",	  "srl", "bv",		 "plc",	 "ooo",		"oao",	 "zao",
	"pao",	"ao",  "ip",	  "nko", "tov",		 "pte",	 "kk",		"group", NULL,
};
/* The same in Chinese, as the pinyin they become at the end of a name. */
static const char *const legal_suffixes[] = {
	"gufenyouxiangongsi", "youxianzerengongsi", "youxiangongsi", "jituan", "gongsi", NULL,
};

static bool in_list(const char *w, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(w, list[i]))
			return true;
	return false;
}

static void strip_suffix(char *w)
{
	size_t n = strlen(w);
	for (int i = 0; legal_suffixes[i]; i++) {
		size_t k = strlen(legal_suffixes[i]);
		if (n > k && !strcmp(w + n - k, legal_suffixes[i])) {
			w[n - k] = '\0';
			return;
		}
	}
}

static int cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The UTF-8 length of the Han character (CJK Unified Ideographs, their
 * extensions and compatibility forms) at p; 0 for anything else. */
static size_t han_at(const unsigned char *p)
{
	if (p[0] >= 0xe0 && p[0] <= 0xef && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		unsigned c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
		bool han = (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
			   (c >= 0xf900 && c <= 0xfaff);
		return han ? 3 : 0;
	}
	if (p[0] == 0xf0 && p[1] >= 0xa0 && p[1] <= 0xb1 && (p[2] & 0xc0) == 0x80 &&
	    (p[3] & 0xc0) == 0x80)
		return 4; /* U+20000..U+31FFF: extensions B to H */
	return 0;
}

/* Family names of two characters: 欧阳修 is Ouyang Xiu. */
static const char *const compound_surnames[] = {
	"欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "慕容",
	"令狐", "夏侯", "公孙", "长孙", "尉迟", "宇文", NULL,
};

/* A Chinese name written alone, family name first ("张伟", "欧阳修"), as
 * its pinyin in two words ("zhang wei"), so that its key is the key of
 * "Wei Zhang" and "Zhang Wei" whichever way the words sort. The family
 * name's pinyin is cut from the whole name's, so readings stay those of
 * the name (乐 alone reads as the surname Yue, 王乐 is Wang Le). NULL
 * when s is no such name (malloc'd otherwise). */
static char *han_name_words(const char *s)
{
	while (*s == ' ')
		s++;
	size_t len = strlen(s), fam = 0, chars = 0;
	while (len && s[len - 1] == ' ')
		len--;
	for (size_t i = 0, k; i < len; i += k, chars++) {
		k = han_at((const unsigned char *)s + i);
		if (!k)
			return NULL;
		if (!fam)
			fam = k;
	}
	if (chars < 2 || chars > 4)
		return NULL;
	for (int i = 0; chars > 2 && compound_surnames[i]; i++)
		if (!strncmp(s, compound_surnames[i], strlen(compound_surnames[i])))
			fam = strlen(compound_surnames[i]);
	char *all = textkey_latin(s, len), *f = textkey_latin(s, fam), *out = NULL;
	size_t fl = f ? strlen(f) : 0;
	if (all && fl && fl < strlen(all) && !strncmp(all, f, fl)) {
		struct buf b;
		buf_init(&b, 0);
		buf_add(&b, all, fl);
		buf_addc(&b, ' ');
		buf_adds(&b, all + fl);
		out = buf_detach(&b, NULL);
	}
	free(all);
	free(f);
	return out;
}

static char *name_key(const char *s, bool company);

/* The last key made on this thread, for inputs that fit: an import asks
 * for a row's keys twice (to find its duplicate, then to index the
 * record it writes), and a name's key is a transliteration. Fixed
 * buffers, so a thread leaves nothing behind when it ends. */
#define LAST_KEY_MAX 256
static _Thread_local struct {
	bool company, valid, none; /* none: the name had no key */
	char in[LAST_KEY_MAX], key[LAST_KEY_MAX];
} last_key;

char *dedup_name_key(const char *s, bool company)
{
	size_t n = strlen(s);
	if (last_key.valid && last_key.company == company && !strcmp(last_key.in, s))
		return last_key.none ? NULL : xstrdup(last_key.key);
	char *key = name_key(s, company);
	last_key.valid = n < LAST_KEY_MAX && (!key || strlen(key) < LAST_KEY_MAX);
	if (last_key.valid) {
		memcpy(last_key.in, s, n + 1);
		last_key.company = company;
		last_key.none = !key;
		if (key)
			memcpy(last_key.key, key, strlen(key) + 1);
	}
	return key;
}

static char *name_key(const char *s, bool company)
{
	char *latin = company ? NULL : han_name_words(s);
	if (!latin)
		latin = textkey_latin(s, strlen(s));
	if (!latin)
		return NULL;
	char *words[64] = {0};
	int n = 0;
	for (char *save = NULL, *w = strtok_r(latin, " ", &save); w && n < 64;
	     w = strtok_r(NULL, " ", &save)) {
		if (company && in_list(w, legal_forms))
			continue;
		if (company)
			strip_suffix(w);
		if (*w)
			words[n++] = w;
	}
	qsort(words, (size_t)n, sizeof *words, cmp_words);
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < n; i++)
		buf_adds(&b, words[i]);
	free(latin);
	char *key = buf_detach(&b, NULL);
	if (key && !*key) {
		free(key);
		return NULL;
	}
	return key;
}

/* Two names are alike when they differ in one place by one letter
 * ("petrov"/"petrow", "catherine"/"katherine", "alexandr"/"alexander") or
 * two swapped ("ivna"/"ivan"), not by more ("oleg"/"olga", "natalya"/
 * "tatyana" of one surname), and are long enough that a letter is a slip
 * of the pen, not another name ("li"/"lei"). */
#define ALIKE_MIN_LEN 9

double dedup_similarity(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (!la || !lb)
		return 0;
	if (la > 256 || lb > 256)
		return strcmp(a, b) ? 0 : 1;
	size_t window = (la > lb ? la : lb) / 2;
	window = window ? window - 1 : 0;
	bool ma[256] = {0}, mb[256] = {0};
	size_t m = 0;
	for (size_t i = 0; i < la; i++) {
		size_t lo = i > window ? i - window : 0,
		       hi = i + window + 1 < lb ? i + window + 1 : lb;
		for (size_t j = lo; j < hi; j++)
			if (!mb[j] && a[i] == b[j]) {
				ma[i] = mb[j] = true;
				m++;
				break;
			}
	}
	if (!m)
		return 0;
	size_t t = 0, k = 0;
	for (size_t i = 0; i < la; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	double md = (double)m;
	double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2) / md) / 3;
	size_t prefix = 0;
	while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1 - jaro);
}

bool dedup_names_alike(const char *a, const char *b)
{
	/* the cheap tests first: an import asks this of up to 200 names a row */
	size_t la = strlen(a), lb = strlen(b), pre = 0, suf = 0;
	if (la < ALIKE_MIN_LEN || lb < ALIKE_MIN_LEN || la > lb + 1 || lb > la + 1)
		return false;
	while (pre < la && pre < lb && a[pre] == b[pre])
		pre++;
	while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf])
		suf++;
	size_t ma = la - pre - suf, mb = lb - pre - suf;
	bool swapped = ma == 2 && mb == 2 && a[pre] == b[pre + 1] && a[pre + 1] == b[pre];
	return ((ma <= 1 && mb <= 1) || swapped) && dedup_similarity(a, b) >= DEDUP_SIMILAR_NAME;
}

bool dedup_has_han(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (han_at(p))
			return true;
	return false;
}

bool dedup_all_han(const char *s)
{
	size_t n;
	for (const unsigned char *p = (const unsigned char *)s; *p; p += n)
		if (!(n = han_at(p)))
			return false;
	return true;
}

static bool is_company(const struct entity_def *e)
{
	return !strcmp(e->name, "accounts");
}

/* People share a name key only within one company: the key of a contact
 * is "a<account id>:<name>", of a lead "<company key>:<name>"; without a
 * company a person has no name key (namesakes are not duplicates). */
static const char *company_part(const struct entity_def *e, const struct record *r, struct arena *a)
{
	const struct value *acc = record_get(r, "account_id");
	if (acc && acc->kind == V_INT && acc->i)
		return arena_printf(a, "a%lld", (long long)acc->i);
	const struct value *co = record_get(r, "company");
	char *k = co && co->kind == V_TEXT ? dedup_name_key(co->s, true) : NULL;
	const char *out = k ? arena_strdup(a, k) : NULL;
	free(k);
	return out;
}

int dedup_keys_of(const struct entity_def *e, const struct record *r, const char *country,
		  struct arena *a, struct dedup_key *ret, int max)
{
	int n = 0;
	const char *company = is_company(e) ? "" : company_part(e, r, a);
	for (int i = 0; i < r->n && i < e->nfields && n < max; i++) {
		const struct field_def *f = &e->fields[i];
		if (!(f->flags & FF_MATCH) || r->v[i].kind != V_TEXT || !*r->v[i].s)
			continue;
		char key[320];
		char *name = NULL;
		if (f->type == FT_EMAIL && dedup_email_key(r->v[i].s, key, sizeof key))
			ret[n++] = (struct dedup_key){"email", arena_strdup(a, key)};
		else if (f->type == FT_PHONE &&
			 dedup_phone_key(r->v[i].s, country, key, sizeof key))
			ret[n++] = (struct dedup_key){"phone", arena_strdup(a, key)};
		else if (f->type == FT_TEXT && company &&
			 (name = dedup_name_key(r->v[i].s, is_company(e))))
			ret[n++] = (struct dedup_key){
				"name", *company ? arena_printf(a, "%s:%s", company, name)
						 : arena_strdup(a, name)};
		free(name);
	}
	return n;
}

enum rp_err dedup_repoint(struct store_conn *c, const struct entity_def *e, int64_t from_id,
			  int64_t to_id, struct arena *a, struct rp_error *err)
{
	if (!is_company(e))
		return RP_OK;
	const char *from = arena_printf(a, "a%lld:", (long long)from_id),
		   *to = arena_printf(a, "a%lld:", (long long)to_id);
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *x = model_entity_at(i);
		if (!is_company(x) && dedup_applies(x) && entity_field(x, "account_id") &&
		    store_dedup_move_prefix(c, x, "name", from, to, err))
			return err->err;
	}
	return RP_OK;
}

static bool key_input(const struct field_def *f)
{
	return (f->flags & FF_MATCH) || !strcmp(f->name, "account_id") ||
	       !strcmp(f->name, "company");
}

bool dedup_inputs_differ(const struct entity_def *e, const struct record *old,
			 const struct record *fresh)
{
	return record_fields_differ(e, old, fresh, key_input);
}

bool dedup_applies(const struct entity_def *e)
{
	for (int i = 0; i < e->nfields; i++)
		if (e->fields[i].flags & FF_MATCH)
			return true;
	return false;
}

enum rp_err dedup_index(struct store_conn *c, const struct entity_def *e, int64_t id,
			const struct record *r, bool is_new, struct arena *a, struct rp_error *err)
{
	if (!dedup_applies(e))
		return RP_OK;
	struct dedup_key keys[MAX_KEYS];
	int n = dedup_keys_of(e, r, NULL, a, keys, MAX_KEYS);
	return is_new ? store_dedup_add(c, e, id, keys, n, err)
		      : store_dedup_replace(c, e, id, keys, n, err);
}

enum rp_err dedup_index_new_many(struct store_conn *c, const struct entity_def *e,
				 struct record *const *rows, int n, struct arena *a,
				 struct rp_error *err)
{
	if (!dedup_applies(e) || n <= 0)
		return RP_OK;
	struct dedup_key *keys = arena_alloc(a, sizeof *keys * (size_t)n * MAX_KEYS);
	int64_t *ids = arena_alloc(a, sizeof *ids * (size_t)n * MAX_KEYS);
	int nkeys = 0;
	for (int i = 0; i < n; i++) {
		int got = dedup_keys_of(e, rows[i], NULL, a, keys + nkeys, MAX_KEYS);
		for (int k = 0; k < got; k++)
			ids[nkeys + k] = record_int(rows[i], "id");
		nkeys += got;
	}
	return store_dedup_add_many(c, e, ids, keys, nkeys, err);
}
