/* records.c — the generic record endpoints, one set for every entity:
 * list, create (with Idempotency-Key), get, update (If-Match), delete,
 * restore, timeline, history; and global search. */
#include "api/internal.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "model/registry.h"

#define IDEM_KEY_MAX 200

int64_t api_parse_if_match(const char *h)
{
	if (!h || !strcmp(h, "*"))
		return -1;
	if (!strncmp(h, "W/", 2))
		h += 2;
	bool quoted = *h == '"';
	h += quoted;
	/* digits only: strtoll alone would take "-5" (no version, so the
	 * check was skipped), " 5" or "+5" */
	if (!isdigit((unsigned char)*h))
		return -2;
	char *end;
	errno = 0;
	long long v = strtoll(h, &end, 10);
	if (errno || strcmp(end, quoted ? "\"" : ""))
		return -2;
	return v;
}

static int64_t if_match(struct http_request *req)
{
	return api_parse_if_match(http_header(req, "If-Match"));
}

bool api_begin_record(struct http_request *req, struct http_response *resp, void *app,
		      struct call *c, const struct entity_def **e, int64_t *id)
{
	return api_begin(req, resp, app, c) && (*e = api_entity(c, 0)) && (*id = api_id(c, 1)) >= 0;
}

static void fail(struct call *c)
{
	api_problem(c->resp, &c->err);
}

void api_write_one(struct call *c, const struct entity_def *e, const struct record *r, int status)
{
	c->resp->status = status;
	api_set_etag(c, r);
	struct jw w;
	jw_init(&w, &c->resp->body);
	api_write_record(&w, e, r, acl_visible_fields(&c->d, e), NULL);
}

/* Embeds include=... references, each only if the caller may read it. */
static void write_includes(struct call *c, struct jw *w, const struct list_query *q,
			   const struct record *r)
{
	for (int k = 0; k < q->ninclude; k++) {
		const struct entity_def *ie = q->include[k];
		const struct value *v = &r->v[q->include_field[k]];
		struct record *ir = NULL;
		struct rp_error ignore;
		rp_error_init(&ignore);
		jw_key(w, ie->singular);
		if (v->kind == V_INT && domain_get(&c->d, ie, v->i, &ir, &ignore) == RP_OK)
			api_write_record(w, ie, ir, acl_visible_fields(&c->d, ie), NULL);
		else
			jw_null(w);
	}
}

void h_list(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)))
		return;
	struct list_query q;
	struct record **rows;
	int n;
	bool more;
	if (model_parse_list_query(e, req->params, req->nparams, req->arena, &q, &c.err) ||
	    domain_list(&c.d, &q, &rows, &n, &more, &c.err))
		return fail(&c);
	/* the fields vis and want both cover: one added meanwhile is not shown */
	int nf = entity_nfields(e);
	const bool *vis = acl_visible_fields(&c.d, e);
	if (q.want && q.nwant < nf)
		nf = q.nwant;
	int shown[MODEL_MAX_FIELDS];
	int nshown = api_shown_fields(e, nf, vis, q.want, shown);
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		jw_obj(&w);
		api_write_shown(&w, e, rows[i], shown, nshown);
		if (q.ninclude)
			write_includes(&c, &w, &q, rows[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "next_cursor");
	jw_str(&w, more && n ? model_encode_cursor(&q, rows[n - 1], req->arena) : NULL);
	jw_obj_end(&w);
}

static void request_hash(struct http_request *req, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->path, strlen(req->path));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->body, req->body_len);
	crypto_hash_sha256_final(&st, h);
	struct buf b;
	buf_init(&b, 0);
	hex_encode(&b, h, sizeof h);
	memcpy(out, buf_str(&b), 65);
	buf_release(&b);
}

/* Replays the stored answer of an earlier request with the same key. */
static bool replay(struct call *c, const char *key, const char *hash)
{
	struct idem_row row;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_idem_get(c->d.c, c->d.p->user_id, key, c->req->arena, &row, &ignore))
		return false;
	if (strcmp(row.request_hash, hash)) {
		rp_fail(&c->err, RP_EINVAL, "idempotency_key_reused",
			"this Idempotency-Key was used with another request");
		rp_field_fail(&c->err, "Idempotency-Key", "idempotency_key_reused",
			      "this key was used with another request");
		api_problem(c->resp, &c->err);
		return true;
	}
	c->resp->status = row.status;
	buf_adds(&c->resp->body, row.body);
	/* headers were stored as "ETag\nLocation" */
	const char *nl = row.headers ? strchr(row.headers, '\n') : NULL;
	if (nl) {
		http_set_header(
			c->resp, "ETag",
			arena_strndup(c->req->arena, row.headers, (size_t)(nl - row.headers)));
		http_set_header(c->resp, "Location", nl + 1);
	}
	http_set_header(c->resp, "Idempotent-Replayed", "true");
	return true;
}

void h_create(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	json_t *body;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)) ||
	    !(body = api_body(req, resp)))
		return;
	const char *key = http_header(req, "Idempotency-Key");
	char hash[65];
	if (key && (!*key || strlen(key) > IDEM_KEY_MAX)) {
		api_problem_simple(resp, RP_EINVAL, "invalid_idempotency_key",
				   "Idempotency-Key must be 1 to 200 characters");
		return;
	}
	if (key) {
		request_hash(req, hash);
		if (store_begin(c.d.c, true, &c.err))
			return fail(&c);
		if (replay(&c, key, hash)) {
			store_rollback(c.d.c);
			return;
		}
	}
	struct record *r;
	if (domain_create(&c.d, e, body, &r, &c.err)) {
		store_rollback(c.d.c);
		return fail(&c);
	}
	api_write_one(&c, e, r, 201);
	http_set_header(resp, "Location",
			arena_printf(req->arena, "/api/v1/%s/%lld", e->name,
				     (long long)record_int(r, "id")));
	if (key) {
		struct idem_row row = {.status = 201,
				       .body = buf_str(&resp->body),
				       .headers = arena_printf(req->arena, "%s\n%s",
							       resp->header_values[0],
							       resp->header_values[1])};
		memcpy(row.request_hash, hash, sizeof hash);
		if (store_idem_put(c.d.c, c.d.p->user_id, key, &row, &c.err) ||
		    store_commit(c.d.c, &c.err)) {
			store_rollback(c.d.c);
			return fail(&c);
		}
	}
}

void h_get(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	if (!api_begin_record(req, resp, app, &c, &e, &id))
		return;
	struct record *r;
	if (domain_get(&c.d, e, id, &r, &c.err))
		return fail(&c);
	api_write_one(&c, e, r, 200);
}

void h_update(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	json_t *body;
	if (!api_begin_record(req, resp, app, &c, &e, &id) || !(body = api_body(req, resp)))
		return;
	int64_t version = if_match(req);
	if (version == -2) {
		api_problem_simple(resp, RP_EINVAL, "invalid_if_match",
				   "If-Match must be the record's ETag");
		return;
	}
	struct record *r;
	if (domain_update(&c.d, e, id, body, version, &r, &c.err))
		return fail(&c);
	api_write_one(&c, e, r, 200);
}

void h_delete(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	if (!api_begin_record(req, resp, app, &c, &e, &id))
		return;
	int64_t version = if_match(req);
	if (version == -2) { /* as for PATCH: never a delete without the check asked for */
		api_problem_simple(resp, RP_EINVAL, "invalid_if_match",
				   "If-Match must be the record's ETag");
		return;
	}
	if (domain_delete(&c.d, e, id, version, &c.err))
		return fail(&c);
	resp->status = 204;
}

void h_restore(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	if (!api_begin_record(req, resp, app, &c, &e, &id))
		return;
	struct record *r;
	if (domain_restore(&c.d, e, id, &r, &c.err))
		return fail(&c);
	api_write_one(&c, e, r, 200);
}

void h_timeline(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	if (!api_begin_record(req, resp, app, &c, &e, &id))
		return;
	const char *lim = http_param(req, "limit");
	int limit = lim ? (int)strtol(lim, NULL, 10) : 50;
	struct timeline_item *items;
	int n;
	if (domain_timeline(&c.d, e, id, limit, http_param(req, "before"), &items, &n, &c.err))
		return fail(&c);
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		jw_obj(&w);
		jw_kstr(&w, "entity", items[i].ent->name);
		jw_kint(&w, "id", record_int(items[i].rec, "id"));
		jw_kstr(&w, "at", items[i].at);
		jw_key(&w, "record");
		api_write_record(&w, items[i].ent, items[i].rec,
				 acl_visible_fields(&c.d, items[i].ent), NULL);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
}

void h_history(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	int64_t id;
	if (!api_begin_record(req, resp, app, &c, &e, &id))
		return;
	if (domain_history(&c.d, e, id, &resp->body, &c.err))
		return fail(&c);
}

void h_search(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	const char *q = http_param(req, "q");
	const char *lim = http_param(req, "limit");
	int limit = lim ? (int)strtol(lim, NULL, 10) : 10;
	struct search_hit *hits = NULL;
	int n = 0;
	if (q && *q && domain_search(&c.d, q, limit, &hits, &n, &c.err))
		return fail(&c);
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		const struct entity_def *e = hits[i].ent;
		jw_obj(&w);
		jw_kstr(&w, "entity", e->name);
		jw_kint(&w, "id", record_int(hits[i].rec, "id"));
		jw_kstr(&w, "title", record_text(hits[i].rec, e->title_field));
		const struct field_def *sf =
			e->subtitle_field ? entity_field(e, e->subtitle_field) : NULL;
		jw_kstr(&w, "subtitle",
			sf && !acl_field_hidden(c.d.p, e, sf) ? record_text(hits[i].rec, sf->name)
							      : NULL);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
}

/* GET /api/v1/{entity}/summary?group_by=stage_id,currency&sum=amount&<filters> */
void h_summary(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)))
		return;
	struct query_param params[HTTP_MAX_QUERY_PARAMS];
	int n = 0;
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].key, "group_by") && strcmp(req->params[i].key, "sum"))
			params[n++] = req->params[i];
	struct list_query q;
	api_read_replica(&c); /* totals: the replica may serve them */
	if (model_parse_list_query(e, params, n, req->arena, &q, &c.err) ||
	    domain_summary(&c.d, &q, http_param(req, "group_by"), http_param(req, "sum"),
			   &resp->body, &c.err))
		return fail(&c);
}
