/* search.c — what the caller may find: the search text of records, global
 * search across entities, the timeline, the history, and custom fields. */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>

#include "core/textkey.h"
#include "domain/dedup.h"
#include "model/registry.h"

#define SEARCH_MAX 50

char *domain_search_text(const struct entity_def *e, const struct record *r)
{
	struct buf b;
	buf_init(&b, 0);
	struct textkey_words words = {0};
	textkey_words_start(&words, &b);
	for (int i = 0; i < r->n; i++) {
		const struct field_def *f = &e->fields[i];
		if (!(f->flags & FF_SEARCH) || r->v[i].kind != V_TEXT)
			continue;
		char *t = textkey_index(r->v[i].s, r->v[i].len);
		textkey_words_add(&words, t);
		free(t);
	}
	textkey_words_free(&words);
	return buf_detach(&b, NULL);
}

static enum rp_err index_text(struct store_conn *c, const struct entity_def *e, int64_t id,
			      const struct record *r, bool is_new, struct rp_error *err)
{
	if (!(e->flags & EF_SEARCH))
		return RP_OK;
	if (is_new && store_search_deferred(c))
		return store_search_later(c, e, id, err);
	char *text = domain_search_text(e, r);
	enum rp_err rc = is_new ? store_search_add(c, e, id, text, err)
				: store_search_put(c, e, id, text, err);
	free(text);
	return rc;
}

static enum rp_err index_record(struct store_conn *c, const struct entity_def *e, int64_t id,
				const struct record *r, bool is_new, struct arena *a,
				struct rp_error *err)
{
	if (dedup_index(c, e, id, r, is_new, a, err))
		return err->err;
	return index_text(c, e, id, r, is_new, err);
}

static bool searched(const struct field_def *f)
{
	return f->flags & FF_SEARCH;
}

enum rp_err domain_index_changed(struct store_conn *c, const struct entity_def *e, int64_t id,
				 const struct record *old, const struct record *fresh,
				 struct arena *a, struct rp_error *err)
{
	if (dedup_inputs_differ(e, old, fresh) && dedup_index(c, e, id, fresh, false, a, err))
		return err->err;
	return record_fields_differ(e, old, fresh, searched)
		       ? index_text(c, e, id, fresh, false, err)
		       : RP_OK;
}

enum rp_err domain_index_new_record(struct store_conn *c, const struct entity_def *e, int64_t id,
				    const struct record *r, struct arena *a, struct rp_error *err)
{
	return index_record(c, e, id, r, true, a, err);
}

enum rp_err domain_index_new_records(struct store_conn *c, const struct entity_def *e,
				     struct record *const *rows, int n, struct arena *a,
				     struct rp_error *err)
{
	if (dedup_index_new_many(c, e, rows, n, a, err))
		return err->err;
	for (int i = 0; i < n; i++)
		if (index_text(c, e, record_int(rows[i], "id"), rows[i], true, err))
			return err->err;
	return RP_OK;
}

char *domain_fts_query(struct arena *a, const char *q)
{
	char *m = textkey_query(q, strlen(q));
	if (!m)
		return NULL;
	char *out = arena_strdup(a, m);
	free(m);
	return out;
}

/* The fields a hit carries: its id, title and subtitle. */
static const bool *hit_fields(const struct entity_def *e, struct arena *a)
{
	int n = entity_nfields(e);
	bool *want = arena_alloc(a, sizeof *want * (size_t)n);
	const char *names[] = {"id", e->title_field, e->subtitle_field};
	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		const struct field_def *f = names[k] ? entity_field(e, names[k]) : NULL;
		if (f)
			want[f - e->fields] = true;
	}
	return want;
}

enum rp_err domain_search(struct dctx *d, const char *q, int limit, struct search_hit **ret,
			  int *ret_n, struct rp_error *err)
{
	if (limit <= 0 || limit > SEARCH_MAX)
		limit = SEARCH_MAX;
	int cap = model_entity_count() * limit, n = 0;
	struct search_hit *hits = arena_alloc(d->a, sizeof *hits * (size_t)cap);
	char *match = domain_fts_query(d->a, q);
	for (int i = 0; match && i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		if (!(e->flags & EF_SEARCH))
			continue;
		struct scope sc = acl_scope(d->p, e, ACL_READ);
		if (sc.scope == SCOPE_NONE)
			continue;
		struct record **rows;
		int nrows;
		if (store_search(d->c, e, match, &sc, hit_fields(e, d->a), limit, d->a, &rows,
				 &nrows, err))
			return err->err;
		for (int k = 0; k < nrows && n < cap; k++)
			hits[n++] = (struct search_hit){e, rows[k]};
	}
	*ret = hits;
	*ret_n = n;
	return RP_OK;
}

static struct scope timeline_scope(const struct entity_def *e, void *ctx)
{
	struct dctx *d = ctx;
	return acl_scope(d->p, e, ACL_READ);
}

enum rp_err domain_timeline(struct dctx *d, const struct entity_def *e, int64_t id, int limit,
			    const char *before, struct timeline_item **ret, int *ret_n,
			    struct rp_error *err)
{
	struct record *r;
	if (!(e->flags & EF_TIMELINE))
		return rp_fail(err, RP_ENOTFOUND, "not_found", "%s have no timeline", e->name);
	if (domain_get(d, e, id, &r, err))
		return err->err;
	return store_timeline(d->c, e, id, timeline_scope, d, limit, before, d->a, ret, ret_n, err);
}

/* Drops from an audit listing the changes of fields hidden from the
 * caller's role, so history never reveals what the record hides. */
static void hide_changes(struct dctx *d, const struct entity_def *e, const struct buf *raw,
			 struct buf *out)
{
	json_t *doc = json_loadb(buf_str(raw), raw->len, 0, NULL);
	size_t i, k;
	json_t *entry, *change;
	json_array_foreach(json_object_get(doc, "data"), i, entry)
	{
		json_t *changes = json_object_get(entry, "changes");
		for (k = json_array_size(changes); k-- > 0;) {
			change = json_array_get(changes, k);
			const struct field_def *f = entity_field(
				e, json_string_value(json_object_get(change, "field")) ?: "");
			if (f && acl_field_hidden(d->p, e, f))
				json_array_remove(changes, k);
		}
	}
	char *s = json_dumps(doc, JSON_COMPACT);
	if (s)
		buf_adds(out, s);
	free(s);
	json_decref(doc);
}

enum rp_err domain_history(struct dctx *d, const struct entity_def *e, int64_t id, struct buf *out,
			   struct rp_error *err)
{
	struct record *r;
	struct rp_error ignore;
	rp_error_init(&ignore);
	/* the history of a deleted record stays readable from the bin */
	if (domain_get(d, e, id, &r, &ignore) != RP_OK) {
		struct scope rs = acl_scope(d->p, e, ACL_READ);
		if (rs.scope == SCOPE_NONE || store_get(d->c, e, id, d->a, &r, err) ||
		    !acl_row_in_scope(&rs, r))
			return rp_fail(err, RP_ENOTFOUND, "not_found", "%s %lld does not exist",
				       e->singular, (long long)id);
	}
	struct buf raw;
	buf_init(&raw, 0);
	enum rp_err rc = store_audit_list(d->c, e, id, 500, &raw, err);
	if (rc == RP_OK)
		hide_changes(d, e, &raw, out);
	buf_release(&raw);
	return rc;
}

static const char *const *options_from_json(struct arena *a, json_t *opts)
{
	if (!json_is_array(opts) || json_array_size(opts) == 0 || json_array_size(opts) > 200)
		return NULL;
	size_t n = json_array_size(opts);
	const char **v = arena_alloc(a, sizeof *v * (n + 1));
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(opts, i));
		if (!s || !*s || strlen(s) > 100)
			return NULL;
		v[i] = s;
	}
	return v;
}

enum rp_err domain_add_field(struct dctx *d, const struct entity_def *e, json_t *body,
			     struct rp_error *err)
{
	if (!d->p->admin)
		return rp_fail(err, RP_EFORBIDDEN, "forbidden", "only administrators add fields");
	if (!json_is_object(body))
		return rp_fail(err, RP_EINVAL, "invalid_body", "the body must be a JSON object");
	struct field_def def = {0};
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "name") && strcmp(k, "type") && strcmp(k, "label") &&
		    strcmp(k, "options") && strcmp(k, "ref") && strcmp(k, "required") &&
		    strcmp(k, "searchable") && strcmp(k, "sortable") && strcmp(k, "max_length"))
			rp_field_fail(err, k, "unknown_field", "unknown property %s", k);
	}
	def.name = json_string_value(json_object_get(body, "name"));
	const char *type = json_string_value(json_object_get(body, "type"));
	if (!type || !field_type_from_name(type, &def.type))
		rp_field_fail(err, "type", "invalid_value",
			      "type must be one of text, integer, number, boolean, "
			      "date, datetime, enum, money, email, phone, url, "
			      "currency, reference, json");
	def.label = json_string_value(json_object_get(body, "label"));
	def.ref = json_string_value(json_object_get(body, "ref"));
	def.enum_values = options_from_json(d->a, json_object_get(body, "options"));
	json_t *ml = json_object_get(body, "max_length");
	def.max_len = json_is_integer(ml) ? (int)json_integer_value(ml) : 0;
	if (json_is_true(json_object_get(body, "required")))
		def.flags |= FF_REQUIRED;
	if (json_is_true(json_object_get(body, "searchable")))
		def.flags |= FF_SEARCH;
	if (json_is_true(json_object_get(body, "sortable")))
		def.flags |= FF_SORT;
	if (err->err)
		return err->err;
	return store_add_custom_field(d->c, e, &def, err);
}
