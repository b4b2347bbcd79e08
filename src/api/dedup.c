/* dedup.c — GET /api/v1/{entity}/duplicates (groups of records that look
 * like one customer, paged with an opaque cursor) and
 * POST /api/v1/{entity}/{id}/merge {"duplicate_id", "values"}. */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/codec.h"

#define GROUPS_DEFAULT 20
#define GROUPS_MAX     100

/* The cursor is the last group's kind and key, NUL-separated. */
static const char *encode_cursor(struct arena *a, const char *kind, const char *key)
{
	struct buf raw, out;
	buf_init(&raw, 0);
	buf_init(&out, 0);
	buf_add(&raw, kind, strlen(kind) + 1);
	buf_adds(&raw, key);
	base64url_encode(&out, raw.p, raw.len);
	const char *s = arena_strdup(a, buf_str(&out));
	buf_release(&raw);
	buf_release(&out);
	return s;
}

static bool decode_cursor(struct arena *a, const char *s, const char **kind, const char **key)
{
	struct buf raw;
	buf_init(&raw, 4096);
	bool ok = base64url_decode(&raw, s, strlen(s)) && raw.len > 0 && memchr(raw.p, 0, raw.len);
	if (ok) {
		*kind = arena_strdup(a, raw.p);
		size_t kl = strlen(raw.p) + 1;
		*key = arena_strndup(a, raw.p + kl, raw.len - kl);
	}
	buf_release(&raw);
	return ok;
}

void h_duplicates(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)))
		return;
	const char *lim = http_param(req, "limit"), *cur = http_param(req, "cursor");
	int limit = lim ? (int)strtol(lim, NULL, 10) : GROUPS_DEFAULT;
	const char *kind = NULL, *key = NULL;
	if (limit < 1 || limit > GROUPS_MAX)
		rp_field_fail(&c.err, "limit", "invalid", "limit is 1 to %d", GROUPS_MAX);
	if (cur && *cur && !decode_cursor(req->arena, cur, &kind, &key))
		rp_field_fail(&c.err, "cursor", "invalid", "the cursor is not one this API gave");
	struct dup_page page;
	if (c.err.err || domain_duplicates(&c.d, e, kind, key, limit, &page, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	const bool *vis = acl_visible_fields(&c.d, e);
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	for (int i = 0; i < page.n; i++) {
		jw_obj(&w);
		jw_kstr(&w, "kind", page.groups[i].kind);
		jw_kstr(&w, "key", page.groups[i].key);
		jw_key(&w, "records");
		jw_arr(&w);
		for (int k = 0; k < page.groups[i].n; k++)
			api_write_record(&w, e, page.groups[i].records[k], vis, NULL);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "next_cursor");
	if (page.next_kind)
		jw_str(&w, encode_cursor(req->arena, page.next_kind, page.next_key));
	else
		jw_null(&w);
	jw_obj_end(&w);
}

void h_merge(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	json_t *body;
	if (!api_begin_record(req, resp, app, &c, &e, &id) || !(body = api_body(req, resp)))
		return;
	/* the survivor as the user saw it: a merge changes it as PATCH does */
	int64_t version = api_parse_if_match(http_header(req, "If-Match"));
	if (version == -2) {
		api_problem_simple(resp, RP_EINVAL, "invalid_if_match",
				   "If-Match must be the record's ETag");
		return;
	}
	json_t *dup = json_object_get(body, "duplicate_id");
	if (!json_is_integer(dup) || json_integer_value(dup) <= 0) {
		rp_field_fail(&c.err, "duplicate_id", "required",
			      "duplicate_id is the id of the record to merge into this one");
		api_problem(resp, &c.err);
		return;
	}
	struct record *r;
	if (domain_merge(&c.d, e, id, json_integer_value(dup), json_object_get(body, "values"),
			 version, &r, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	api_write_one(&c, e, r, 200);
}
