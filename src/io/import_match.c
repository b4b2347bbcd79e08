/* import_match.c — the record a row of an import is the same as: by the
 * old system's id, by e-mail, by phone, or by a name alike within the
 * same company, never between two people whose e-mails or phones
 * differ. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xalloc.h"
#include "domain/dedup.h"
#include "io/import_internal.h"
#include "model/registry.h"

#define SIMILAR_CANDIDATES 200

/* The kinds of key that say two rows are two people however alike the
 * rest is: a match by phone must not have another e-mail, one by name
 * neither another e-mail nor another phone (two namesakes of one company,
 * each with their own address, stay two records). */
static const char *const phone_vetoes[] = {"email", NULL};
static const char *const name_vetoes[] = {"email", "phone", NULL};

/* Whether the row (keys[0..n)) and the record (its keys of kind among
 * theirs[0..m), by owner) both have keys of kind and share none. */
static bool differ(const char *kind, int64_t id, const struct dedup_key *theirs,
		   const int64_t *owner, int m, const struct dedup_key *keys, int n)
{
	bool mine = false, its = false;
	for (int i = 0; i < n; i++)
		mine = mine || !strcmp(keys[i].kind, kind);
	for (int j = 0; j < m && mine; j++) {
		if (owner[j] != id || strcmp(theirs[j].kind, kind))
			continue;
		its = true;
		for (int i = 0; i < n; i++)
			if (!strcmp(keys[i].kind, kind) && !strcmp(keys[i].key, theirs[j].key))
				return false;
	}
	return its;
}

/* Keeps in ids[0..n) the records that no veto rules out (one look for
 * all of them); returns how many are left. */
static int drop_vetoed(struct importer *im, int64_t *ids, int n, const char *const *vetoes,
		       const struct dedup_key *keys, int nkeys)
{
	struct dedup_key *theirs;
	int64_t *owner;
	int m = store_dedup_keys_of(im->d.c, im->e, ids, n, vetoes, im->d.a, &theirs, &owner);
	int kept = 0;
	for (int i = 0; i < n; i++) {
		bool out = false;
		for (const char *const *v = vetoes; *v && !out; v++)
			out = differ(*v, ids[i], theirs, owner, m, keys, nkeys);
		if (!out)
			ids[kept++] = ids[i];
	}
	return kept;
}

/* The one live record of ids[0..n) no veto rules out: 0 when none is left,
 * or more than one (a guess between two people would overwrite one). */
static int64_t only_one(struct importer *im, int64_t *ids, int n, const struct dedup_key *keys,
			int nkeys)
{
	n = drop_vetoed(im, ids, n, name_vetoes, keys, nkeys);
	int64_t found = 0;
	for (int i = 0; i < n; i++) {
		if (!store_exists(im->d.c, im->e, ids[i]))
			continue;
		if (found)
			return 0;
		found = ids[i];
	}
	return found;
}

/* A person of the same company whose name is spelled almost alike ("Ivan
 * Petrow" for "Ivan Petrov"): people's name keys start with their company
 * ("a12:"), so the company's names are one range of the key index. Only
 * when one person is that alike: with two ("Alexandr" for Alexander or
 * Alexandra?) the row is a new record, which the duplicates screen can
 * merge, rather than a guess that overwrites someone. */
static int64_t similar_name(struct importer *im, const char *key, const struct dedup_key *keys,
			    int nkeys)
{
	const char *colon = strchr(key, ':');
	if (!colon || !colon[1])
		return 0;
	char *prefix = arena_strndup(im->d.a, key, (size_t)(colon - key) + 1);
	struct dedup_key cand[SIMILAR_CANDIDATES];
	int64_t ids[SIMILAR_CANDIDATES];
	int n = store_dedup_near(im->d.c, im->e, "name", prefix, key, SIMILAR_CANDIDATES, im->d.a,
				 cand, ids);
	int alike = 0;
	for (int i = 0; i < n; i++) {
		const char *theirs = strchr(cand[i].key, ':');
		if (theirs && dedup_names_alike(colon + 1, theirs + 1))
			ids[alike++] = ids[i];
	}
	return only_one(im, ids, alike, keys, nkeys);
}

/* The one record with the row's name key, else (for a name written in
 * letters: Chinese ones match by their pinyin exactly, and a syllable
 * apart are someone else) the one with a name alike; 0 when two records
 * have it. */
static int64_t by_name(struct importer *im, const char *key, int64_t exact,
		       const struct dedup_key *keys, int nkeys, bool spelled)
{
	if (!exact)
		return spelled ? similar_name(im, key, keys, nkeys) : 0;
	int64_t ids[2] = {exact, 0};
	int n = 1 + store_dedup_find(im->d.c, im->e, "name", key, exact, &ids[1], 1);
	n = drop_vetoed(im, ids, n, name_vetoes, keys, nkeys);
	return n == 1 ? ids[0] : n || !spelled ? 0 : similar_name(im, key, keys, nkeys);
}

/* A record saved with no country to complete its number keeps the key
 * of a national number as written ("89161234567"), where the row's has
 * the country's code ("79161234567"): the row looks for those too. */
static int add_national_phones(struct importer *im, struct dedup_key *keys, int n, int max)
{
	for (int i = 0, had = n; i < had; i++) {
		char national[2][32];
		int m = strcmp(keys[i].kind, "phone")
				? 0
				: dedup_phone_national_keys(keys[i].key, im->country, national);
		for (int j = 0; j < m && n < max; j++)
			keys[n++] = (struct dedup_key){"phone", arena_strdup(im->d.a, national[j])};
	}
	return n;
}

int import_row_keys(struct importer *im, json_t *body, struct dedup_key *keys, int max)
{
	struct record *r;
	struct rp_error ignore;
	rp_error_init(&ignore);
	json_t *only = json_object();
	for (int i = 0; i < im->e->nfields; i++) {
		const struct field_def *f = &im->e->fields[i];
		json_t *v = json_object_get(body, f->name);
		bool company = !strcmp(f->name, "account_id") || !strcmp(f->name, "company");
		if (((f->flags & FF_MATCH) && json_is_string(v)) || (company && v))
			json_object_set(only, f->name, v);
	}
	int n = 0;
	if (json_object_size(only) &&
	    model_validate_write(im->e, only, false, im->d.a, &r, &ignore) == RP_OK) {
		n = dedup_keys_of(im->e, r, im->country, im->d.a, keys, max);
		if (im->country)
			n = add_national_phones(im, keys, n, max);
	}
	json_decref(only);
	return n;
}

int64_t import_find_match(struct importer *im, json_t *body, const char **ret_match)
{
	const char *ext = json_string_value(json_object_get(body, "external_id"));
	int64_t id = ext ? store_find_by(im->d.c, im->e, "external_id", ext) : 0;
	*ret_match = "external_id";
	if (id)
		return id;
	/* every key at once (the oldest record of each: the one the others
	 * were copied from), then by kind: e-mail before phone before name */
	struct dedup_key keys[IMPORT_ROW_KEYS];
	int64_t ids[IMPORT_ROW_KEYS];
	int n = import_row_keys(im, body, keys, IMPORT_ROW_KEYS);
	store_dedup_find_each(im->d.c, im->e, keys, n, ids);
	static const struct {
		const char *kind;
		const char *const *vetoes;
	} kinds[] = {{"email", NULL}, {"phone", phone_vetoes}, {"name", name_vetoes}};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		*ret_match = kinds[k].kind;
		for (int i = 0; i < n; i++) {
			if (strcmp(keys[i].kind, kinds[k].kind))
				continue;
			id = ids[i];
			if (kinds[k].vetoes == name_vetoes)
				id = by_name(im, keys[i].key, id, keys, n,
					     !dedup_has_han(json_string_value(
						     json_object_get(body, im->e->title_field))));
			else if (id && kinds[k].vetoes)
				id = drop_vetoed(im, &id, 1, kinds[k].vetoes, keys, n) ? id : 0;
			if (id)
				return id;
		}
	}
	*ret_match = NULL;
	return 0;
}
