/* common.c — what every API handler shares: problem documents, the JSON
 * body, path parameters, record serialisation, ETags, the route table. */
#include "api/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/static.h"
#include "model/registry.h"

const struct http_route api_routes[] = {
	{.method = "GET", .pattern = "/healthz", .fn = h_healthz},
	{.method = "GET", .pattern = "/metrics", .fn = h_metrics},
	{.method = "POST", .pattern = "/api/v1/auth/login", .fn = h_login},
	{.method = "POST", .pattern = "/api/v1/auth/logout", .fn = h_logout},
	{.method = "GET", .pattern = "/api/v1/auth/me", .fn = h_me},
	{.method = "PATCH", .pattern = "/api/v1/auth/me", .fn = h_me_update},
	{.method = "POST", .pattern = "/api/v1/auth/2fa/setup", .fn = h_totp_setup},
	{.method = "POST", .pattern = "/api/v1/auth/2fa/enable", .fn = h_totp_enable},
	{.method = "POST", .pattern = "/api/v1/auth/2fa/disable", .fn = h_totp_disable},
	{.method = "POST", .pattern = "/api/v1/users/:id/reset_2fa", .fn = h_totp_reset},
	{.method = "POST", .pattern = "/api/v1/tokens", .fn = h_token_create},
	{.method = "GET", .pattern = "/api/v1/tokens", .fn = h_token_list},
	{.method = "DELETE", .pattern = "/api/v1/tokens/:id", .fn = h_token_revoke},
	{.method = "GET", .pattern = "/api/v1/search", .fn = h_search},
	{.method = "GET", .pattern = "/api/v1/meta", .fn = h_meta},
	{.method = "GET", .pattern = "/api/v1/meta/:entity", .fn = h_meta_entity},
	{.method = "POST", .pattern = "/api/v1/meta/:entity/fields", .fn = h_add_field},
	{.method = "GET", .pattern = "/api/v1/openapi.json", .fn = h_openapi},
	{.method = "GET", .pattern = "/api/v1/imports", .fn = h_import_list},
	{.method = "POST",
	 .pattern = "/api/v1/imports",
	 .fn = h_import_create,
	 .max_upload = API_MAX_IMPORT_BYTES},
	{.method = "POST", .pattern = "/api/v1/imports/:id/cancel", .fn = h_import_cancel},
	{.method = "POST", .pattern = "/api/v1/imports/:id/undo", .fn = h_import_undo},
	{.method = "GET", .pattern = "/api/v1/imports/:id/rejects", .fn = h_import_rejects},
	{.method = "GET", .pattern = "/api/v1/:entity", .fn = h_list},
	{.method = "POST", .pattern = "/api/v1/:entity", .fn = h_create},
	{.method = "GET", .pattern = "/api/v1/:entity/summary", .fn = h_summary},
	{.method = "GET", .pattern = "/api/v1/:entity/duplicates", .fn = h_duplicates},
	{.method = "GET", .pattern = "/api/v1/:entity/export", .fn = h_export},
	{.method = "GET", .pattern = "/api/v1/:entity/:id", .fn = h_get},
	{.method = "PATCH", .pattern = "/api/v1/:entity/:id", .fn = h_update},
	{.method = "DELETE", .pattern = "/api/v1/:entity/:id", .fn = h_delete},
	{.method = "POST", .pattern = "/api/v1/:entity/:id/restore", .fn = h_restore},
	{.method = "POST", .pattern = "/api/v1/:entity/:id/merge", .fn = h_merge},
	{.method = "GET", .pattern = "/api/v1/:entity/:id/timeline", .fn = h_timeline},
	{.method = "GET", .pattern = "/api/v1/:entity/:id/history", .fn = h_history},
	{0},
};

void api_problem(struct http_response *resp, const struct rp_error *err)
{
	enum rp_err kind = err->err ? err->err : RP_EINTERNAL;
	int status = rp_err_status(kind);
	/* field-level validation is 422: the JSON was fine, the values not */
	if (kind == RP_EINVAL && (!strcmp(err->code, "validation_failed") ||
				  !strcmp(err->code, "idempotency_key_reused")))
		status = 422;
	buf_reset(&resp->body);
	resp->status = status;
	resp->content_type = "application/problem+json";
	if (kind == RP_EBUSY) /* the lock is held for a moment: say when to come back */
		http_set_header(resp, "Retry-After", "1");
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_kstr(&w, "type", "about:blank");
	jw_kstr(&w, "title", status == 422 ? "Validation failed" : rp_err_title(kind));
	jw_kint(&w, "status", status);
	jw_kstr(&w, "code", err->code[0] ? err->code : rp_err_code(kind));
	jw_kstr(&w, "detail", err->detail[0] ? err->detail : rp_err_title(kind));
	if (err->nfields) {
		jw_key(&w, "errors");
		jw_arr(&w);
		for (int i = 0; i < err->nfields; i++) {
			jw_obj(&w);
			jw_kstr(&w, "field", err->fields[i].field);
			jw_kstr(&w, "code", err->fields[i].code);
			jw_kstr(&w, "message", err->fields[i].message);
			if (err->fields[i].reason[0]) { /* the UI's words for it */
				jw_kstr(&w, "reason", err->fields[i].reason);
				jw_kstr(&w, "value", err->fields[i].value);
			}
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
}

void api_problem_simple(struct http_response *resp, enum rp_err kind, const char *code,
			const char *detail)
{
	struct rp_error e;
	rp_error_init(&e);
	rp_fail(&e, kind, code, "%s", detail);
	api_problem(resp, &e);
}

static void decref(void *p)
{
	json_decref(p);
}

json_t *api_body(struct http_request *req, struct http_response *resp)
{
	if (req->body_len == 0) {
		api_problem_simple(resp, RP_EINVAL, "invalid_body", "a JSON object is required");
		return NULL;
	}
	json_error_t je;
	json_t *j =
		json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!j) {
		struct rp_error e;
		rp_error_init(&e);
		rp_fail(&e, RP_EINVAL, "invalid_json", "invalid JSON at line %d column %d: %s",
			je.line, je.column, je.text);
		api_problem(resp, &e);
		return NULL;
	}
	arena_on_release(req->arena, decref, j);
	if (!json_is_object(j)) {
		api_problem_simple(resp, RP_EINVAL, "invalid_body",
				   "the body must be a JSON object");
		return NULL;
	}
	return j;
}

const struct entity_def *api_entity(struct call *c, int i)
{
	const char *name = c->req->path_params[i];
	const struct entity_def *e = model_entity(name);
	if (!e || strcmp(e->name, name)) {
		api_problem_simple(c->resp, RP_ENOTFOUND, "not_found", "no such kind of record");
		return NULL;
	}
	return e;
}

int64_t api_id(struct call *c, int i)
{
	const char *s = c->req->path_params[i];
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0 || *s == '+' || *s == '0') {
		api_problem_simple(c->resp, RP_ENOTFOUND, "not_found", "no record has that id");
		return -1;
	}
	return v;
}

int api_shown_fields(const struct entity_def *e, int nf, const bool *vis, const bool *want,
		     int *ret)
{
	int n = 0;
	for (int i = 0; i < nf; i++) {
		const struct field_def *f = &e->fields[i];
		if (field_readable(f) && (!vis || vis[i]) && (!want || want[i]))
			ret[n++] = i;
	}
	return n;
}

void api_write_shown(struct jw *w, const struct entity_def *e, const struct record *r,
		     const int *shown, int n)
{
	for (int k = 0; k < n; k++) {
		int i = shown[k];
		if (i >= r->n) /* a field added since the record was read */
			break;
		model_write_key(w, &e->fields[i]);
		model_write_value(w, &e->fields[i], &r->v[i]);
	}
}

void api_write_fields(struct jw *w, const struct entity_def *e, const struct record *r,
		      const bool *vis, const bool *want)
{
	int shown[MODEL_MAX_FIELDS];
	int n = api_shown_fields(e, r->n, vis, want, shown);
	api_write_shown(w, e, r, shown, n);
}

void api_write_record(struct jw *w, const struct entity_def *e, const struct record *r,
		      const bool *vis, const bool *want)
{
	jw_obj(w);
	api_write_fields(w, e, r, vis, want);
	jw_obj_end(w);
}

void api_set_etag(struct call *c, const struct record *r)
{
	http_set_header(
		c->resp, "ETag",
		arena_printf(c->req->arena, "\"%lld\"", (long long)record_int(r, "version")));
}

bool api_unsafe_method(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

void api_not_found(struct http_request *req, struct http_response *resp, void *appv)
{
	struct api_app *app = appv;
	bool page = (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD")) &&
		    strncmp(req->path, "/api/", 5) && strcmp(req->path, "/api");
	if (page && http_static_serve(req, resp, app->web_dir) == 0)
		return;
	api_problem_simple(resp, RP_ENOTFOUND, "not_found", "no such resource");
}
