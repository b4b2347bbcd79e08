/* merge.c — duplicates on demand: groups of records sharing an e-mail,
 * phone or name key (people's names only within one company), then pairs
 * whose names are spelled almost alike ("similar_name"), and
 * merging two records into one: the survivor keeps its values and takes
 * the duplicate's where it has none (or the ones the user picked), every
 * activity, deal and contact of the duplicate moves to it, and the
 * duplicate goes to the recycle bin; both histories say so. */
#include "domain/dedup.h"

#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

static bool listed_before(const struct dedup_group *g, int j)
{
	for (int k = 0; k < j; k++)
		if (g->ids[k] == g->ids[j])
			return true;
	return false;
}

/* The records of a key group the caller may see (people's name keys
 * hold their company already), each once: a record whose e-mail and
 * email2 (or phone and mobile) are the same holds the key twice. */
static int visible_members(struct dctx *d, const struct entity_def *e, const struct dedup_group *g,
			   struct record **out)
{
	int n = 0;
	for (int j = 0; j < g->n; j++) {
		struct rp_error ignore;
		rp_error_init(&ignore);
		struct record *r;
		if (listed_before(g, j) || domain_get(d, e, g->ids[j], &r, &ignore))
			continue;
		out[n++] = r;
	}
	return n;
}

#define SIMILAR		"similar_name"
#define SIMILAR_WINDOW	20     /* earlier names of the company a name is compared with */
#define SIMILAR_BATCH	500    /* names read at a time */
#define SIMILAR_PER_ASK 100000 /* names a page reads at most: it answers in bounded time */

/* The company part of a name key ("a12" of "a12:ivanpetrov"; "" for an
 * account's), and the name after it. */
static size_t company_len(const char *key)
{
	const char *colon = strchr(key, ':');
	return colon ? (size_t)(colon - key) : 0;
}

static const char *name_of(const char *key)
{
	size_t n = company_len(key);
	return n ? key + n + 1 : key;
}

static bool same_company(const char *a, const char *b)
{
	size_t n = company_len(a);
	return n == company_len(b) && !strncmp(a, b, n);
}

/* Adds the pair as a group when both records are live and the caller's
 * to see. */
static void add_pair(struct dctx *d, const struct entity_def *e, const char *key, int64_t a,
		     int64_t b, struct dup_page *ret)
{
	struct dedup_group g = {.kind = SIMILAR, .key = key, .ids = {a, b}, .n = 2};
	struct dup_group *out = &ret->groups[ret->n];
	*out = (struct dup_group){.kind = SIMILAR, .key = key};
	out->records = arena_alloc(d->a, sizeof *out->records * 2);
	out->n = visible_members(d, e, &g, out->records);
	if (out->n == 2 && !dedup_has_han(record_text(out->records[0], e->title_field)) &&
	    !dedup_has_han(record_text(out->records[1], e->title_field)))
		ret->n++;
}

/* Pairs of one company's names spelled alike, in key order after the
 * cursor: each name against the SIMILAR_WINDOW names before it (the
 * sorted neighbours, so "ivanpetrov" meets "ivanpetrow"; within a
 * company smaller than the window, everyone). Names the same are the
 * exact groups' already. */
static enum rp_err similar_pairs(struct dctx *d, const struct entity_def *e, const char *after,
				 int limit, struct dup_page *ret)
{
	struct dedup_key win[SIMILAR_WINDOW], keys[SIMILAR_BATCH];
	int64_t win_ids[SIMILAR_WINDOW], ids[SIMILAR_BATCH];
	int nwin = 0;
	if (after) { /* the window as it stood at the cursor, oldest first */
		int n = store_dedup_run(d->c, e, "name", after, true, SIMILAR_WINDOW, d->a, keys,
					ids);
		for (int i = n - 1; i >= 0; i--, nwin++) {
			win[nwin] = keys[i];
			win_ids[nwin] = ids[i];
		}
	}
	const char *pos = after;
	for (int read = 0; ret->n < limit && read < SIMILAR_PER_ASK;) {
		int n = store_dedup_run(d->c, e, "name", pos, false, SIMILAR_BATCH, d->a, keys,
					ids);
		if (n == 0) {
			pos = NULL; /* the end */
			break;
		}
		for (int i = 0; i < n && ret->n < limit; i++, read++) {
			for (int w = 0; w < nwin; w++)
				if (ids[i] != win_ids[w] && strcmp(keys[i].key, win[w].key) &&
				    same_company(keys[i].key, win[w].key) &&
				    dedup_names_alike(name_of(keys[i].key), name_of(win[w].key)))
					add_pair(d, e, keys[i].key, win_ids[w], ids[i], ret);
			if (nwin == SIMILAR_WINDOW) {
				memmove(win, win + 1, sizeof *win * (SIMILAR_WINDOW - 1));
				memmove(win_ids, win_ids + 1,
					sizeof *win_ids * (SIMILAR_WINDOW - 1));
				nwin--;
			}
			win[nwin] = keys[i];
			win_ids[nwin++] = ids[i];
			pos = keys[i].key;
		}
	}
	ret->next_kind = pos ? SIMILAR : NULL;
	ret->next_key = pos;
	return RP_OK;
}

enum rp_err domain_duplicates(struct dctx *d, const struct entity_def *e, const char *after_kind,
			      const char *after_key, int limit, struct dup_page *ret,
			      struct rp_error *err)
{
	if (!dedup_applies(e))
		return rp_fail(err, RP_ENOTFOUND, "not_found", "%s have no duplicate keys",
			       e->name);
	/* a name compared with a window of others may pair with each: the
	 * page takes all of a name's pairs, past its limit if need be */
	*ret = (struct dup_page){
		.groups =
			arena_alloc(d->a, sizeof *ret->groups * (size_t)(limit + SIMILAR_WINDOW))};
	if (after_kind && !strcmp(after_kind, SIMILAR))
		return similar_pairs(d, e, after_key, limit, ret);
	struct dedup_group *batch = arena_alloc(d->a, sizeof *batch * (size_t)limit);
	const char *kind = after_kind, *key = after_key;
	/* keys whose records are deleted or out of scope are skipped, so read
	 * on until the page is full or the keys end */
	for (int round = 0; ret->n < limit && round < 50; round++) {
		int n = store_dedup_groups(d->c, e, kind, key, limit, d->a, batch, err);
		if (n < 0)
			return err->err;
		int i = 0;
		for (; i < n && ret->n < limit; i++) {
			struct dup_group *g = &ret->groups[ret->n];
			*g = (struct dup_group){.kind = batch[i].kind, .key = batch[i].key};
			g->records = arena_alloc(d->a, sizeof *g->records * (size_t)batch[i].n);
			g->n = visible_members(d, e, &batch[i], g->records);
			kind = batch[i].kind;
			key = batch[i].key;
			if (g->n > 1)
				ret->n++;
		}
		/* the keys ended only if this short read was used up: a page
		 * that filled before its last group goes on from there */
		if (n < limit && i == n) {
			kind = key = NULL; /* the end */
			break;
		}
	}
	ret->next_kind = kind;
	ret->next_key = key;
	if (kind)
		return RP_OK;
	/* the shared keys ended: the names alike follow, on this page or the next */
	if (ret->n < limit)
		return similar_pairs(d, e, NULL, limit, ret);
	ret->next_kind = SIMILAR;
	ret->next_key = "";
	return RP_OK;
}

static bool empty_value(const struct value *v)
{
	return v->kind == V_NULL || (v->kind == V_TEXT && (!*v->s || !strcmp(v->s, "[]")));
}

/* What the survivor takes: the user's picks, then the duplicate's values
 * of the fields the survivor has empty — of those the caller's role may
 * change: the others stay as they are, as in an edit by that user (the
 * duplicate keeps its value in the recycle bin). A pick of such a field
 * is refused, as the user asked for it. */
static json_t *merged_values(const struct dctx *d, const struct entity_def *e,
			     const struct record *keep, const struct record *dup, json_t *picked)
{
	json_t *body = picked ? json_deep_copy(picked) : json_object();
	for (int i = 0; i < keep->n && i < dup->n; i++) {
		const struct field_def *f = &e->fields[i];
		if (f->flags & (FF_SYSTEM | FF_READONLY | FF_WRITEONLY) || f->type == FT_ID ||
		    f->type == FT_PASSWORD || json_object_get(body, f->name) ||
		    acl_field_readonly(d->p, e, f))
			continue;
		if (empty_value(&keep->v[i]) && !empty_value(&dup->v[i]))
			json_object_set_new(body, f->name, model_value_json(f, &dup->v[i]));
	}
	return body;
}

static enum rp_err note(struct dctx *d, const struct entity_def *e, int64_t id, const char *field,
			int64_t other, struct rp_error *err)
{
	char changes[128];
	snprintf(changes, sizeof changes, "[{\"field\":\"%s\",\"old\":null,\"new\":%lld}]", field,
		 (long long)other);
	return store_audit_add(d->c, e, id, d->p->user_id, "merge", changes, err);
}

/* The duplicate's activities now point at the survivor: they belong to
 * its account. */
static enum rp_err follow_survivor(struct dctx *d, const struct entity_def *e,
				   const struct record *keep, struct rp_error *err)
{
	if (strcmp(e->name, "contacts") && strcmp(e->name, "deals") && strcmp(e->name, "leads"))
		return RP_OK;
	const char *field = !strcmp(e->name, "leads") ? "converted_account_id" : "account_id";
	return store_activities_account(d->c, e->name, record_int(keep, "id"),
					record_int(keep, field), err);
}

enum rp_err domain_merge(struct dctx *d, const struct entity_def *e, int64_t keep_id,
			 int64_t dup_id, json_t *picked, int64_t if_match, struct record **ret,
			 struct rp_error *err)
{
	if (keep_id == dup_id)
		return rp_fail(err, RP_EINVAL, "same_record",
			       "a record cannot be merged into itself");
	if (picked && !json_is_object(picked)) {
		rp_field_fail(err, "values", "invalid", "values is an object of fields");
		return err->err;
	}
	struct record *keep, *dup, *after;
	if (domain_get(d, e, keep_id, &keep, err) || domain_get(d, e, dup_id, &dup, err))
		return err->err;
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	json_t *body = merged_values(d, e, keep, dup, picked);
	if (store_begin(d->c, true, err))
		goto out;
	if (domain_update(d, e, keep_id, body, if_match, &after, err) ||
	    store_repoint(d->c, e, dup_id, keep_id, d->p->user_id, now, err) ||
	    dedup_repoint(d->c, e, dup_id, keep_id, d->a, err) ||
	    follow_survivor(d, e, after, err) || domain_delete(d, e, dup_id, -1, err) ||
	    note(d, e, keep_id, "merged_from", dup_id, err) ||
	    note(d, e, dup_id, "merged_into", keep_id, err) || store_commit(d->c, err)) {
		store_rollback(d->c);
		goto out;
	}
	json_decref(body);
	return domain_get(d, e, keep_id, ret, err);
out:
	json_decref(body);
	return err->err;
}
