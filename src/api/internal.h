/* internal.h — shared by the API's handler files only. */
#pragma once
#include <jansson.h>

#include "api/api.h"
#include "core/jsonw.h"

/* One authenticated API call: what every handler after authentication
 * works with. */
struct call {
	struct http_request *req;
	struct http_response *resp;
	struct api_app *app;
	struct dctx d;
	bool via_cookie;
	const char *csrf;
	struct rp_error err;
};

/* Authenticates (cookie + CSRF for unsafe methods, or Bearer token) and
 * fills c; on failure writes the problem response and returns false. */
bool api_begin(struct http_request *req, struct http_response *resp, struct api_app *app,
	       struct call *c);
/* The same for the calls a session may make while its user must set up
 * two-factor sign-in (domain_must_enrol): /auth/me, /auth/logout and
 * /auth/2fa/...; api_begin refuses such a session with 403
 * "two_factor_required". */
bool api_begin_enrol(struct http_request *req, struct http_response *resp, struct api_app *app,
		     struct call *c);
/* {"user","csrf_token","admin","two_factor_required"}: who p is, as
 * GET /auth/me answers. */
void api_write_me(struct call *c, const struct principal *p);
/* Sign-in throttling: the failure-count key of an e-mail ("email:" and
 * the address in lower case; arena), whether the e-mail or address has
 * failed too often lately, and the 429 answer then. */
const char *api_login_key(struct arena *a, const char *email);
bool api_login_throttled(struct store_conn *sc, struct api_app *app, const char *email_key,
			 const char *ip_key);
void api_login_refused(struct http_request *req, struct http_response *resp, struct api_app *app);
/* A one-time code from JSON: a string of six digits, spaces and hyphens
 * dropped ("123 456"); NULL for anything else. Arena. */
const char *api_otp(struct arena *a, json_t *v);
/* Read replica (replica.c): api_read_replica lets the rest of a report's
 * reads come from the replica once it has the caller's last write (says
 * so in X-Rapport-Read-From); the others note the caller and, at the end
 * of a request, what the caller wrote. */
bool api_read_replica(struct call *c);
void api_replica_caller(int64_t user_id);
void api_replica_request_done(struct store_conn *c);
/* A connection without a caller (login, health). */
struct store_conn *api_conn(struct api_app *app, struct http_response *resp);

void api_problem(struct http_response *resp, const struct rp_error *err);
void api_problem_simple(struct http_response *resp, enum rp_err kind, const char *code,
			const char *detail);
/* Parses the body as a JSON object (duplicate keys and bad UTF-8 refused);
 * NULL with the problem already written. Released with the arena. */
json_t *api_body(struct http_request *req, struct http_response *resp);
/* The entity named by path parameter i, or NULL with 404 written. */
const struct entity_def *api_entity(struct call *c, int i);
/* Path parameter i as a positive id, or -1 with 404 written. */
int64_t api_id(struct call *c, int i);
/* The prologue of every /{entity}/{id}... handler: authenticated, the
 * entity and the id read; false with the problem written. */
bool api_begin_record(struct http_request *req, struct http_response *resp, void *app,
		      struct call *c, const struct entity_def **e, int64_t *id);

void api_write_record(struct jw *w, const struct entity_def *e, const struct record *r,
		      const bool *vis, const bool *want);
/* The "key":value pairs of a record without the braces. */
void api_write_fields(struct jw *w, const struct entity_def *e, const struct record *r,
		      const bool *vis, const bool *want);
/* Of e's first nf fields (vis and want have room for them), those a
 * caller is shown, in order, into ret (MODEL_MAX_FIELDS of room):
 * readable, visible to it (vis) and asked for (want; NULL: all); returns
 * how many. A page works it out once for all its rows. */
int api_shown_fields(const struct entity_def *e, int nf, const bool *vis, const bool *want,
		     int *ret);
/* The "key":value pairs of those fields of r. */
void api_write_shown(struct jw *w, const struct entity_def *e, const struct record *r,
		     const int *shown, int n);
void api_set_etag(struct call *c, const struct record *r);
/* One record as the response, with its status and ETag, the caller's
 * hidden fields left out. */
void api_write_one(struct call *c, const struct entity_def *e, const struct record *r, int status);
bool api_unsafe_method(const char *method);
/* The version an If-Match header names: "3", W/"3" or 3; -1 when absent
 * (NULL) or "*", -2 when unusable. */
int64_t api_parse_if_match(const char *h);

/* handlers */
void h_login(struct http_request *, struct http_response *, void *);
void h_logout(struct http_request *, struct http_response *, void *);
void h_me(struct http_request *, struct http_response *, void *);
void h_me_update(struct http_request *, struct http_response *, void *);
void h_totp_setup(struct http_request *, struct http_response *, void *);
void h_totp_enable(struct http_request *, struct http_response *, void *);
void h_totp_disable(struct http_request *, struct http_response *, void *);
void h_totp_reset(struct http_request *, struct http_response *, void *);
void h_token_create(struct http_request *, struct http_response *, void *);
void h_token_list(struct http_request *, struct http_response *, void *);
void h_token_revoke(struct http_request *, struct http_response *, void *);
void h_list(struct http_request *, struct http_response *, void *);
void h_summary(struct http_request *, struct http_response *, void *);
void h_export(struct http_request *, struct http_response *, void *);
void h_create(struct http_request *, struct http_response *, void *);
void h_get(struct http_request *, struct http_response *, void *);
void h_update(struct http_request *, struct http_response *, void *);
void h_delete(struct http_request *, struct http_response *, void *);
void h_restore(struct http_request *, struct http_response *, void *);
void h_timeline(struct http_request *, struct http_response *, void *);
void h_history(struct http_request *, struct http_response *, void *);
void h_search(struct http_request *, struct http_response *, void *);
void h_meta(struct http_request *, struct http_response *, void *);
void h_meta_entity(struct http_request *, struct http_response *, void *);
void h_add_field(struct http_request *, struct http_response *, void *);
void h_openapi(struct http_request *, struct http_response *, void *);
void h_healthz(struct http_request *, struct http_response *, void *);
void h_metrics(struct http_request *, struct http_response *, void *);
void h_duplicates(struct http_request *, struct http_response *, void *);
void h_merge(struct http_request *, struct http_response *, void *);
void h_import_list(struct http_request *, struct http_response *, void *);
void h_import_create(struct http_request *, struct http_response *, void *);
void h_import_cancel(struct http_request *, struct http_response *, void *);
void h_import_undo(struct http_request *, struct http_response *, void *);
void h_import_rejects(struct http_request *, struct http_response *, void *);
