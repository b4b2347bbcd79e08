/* totp.c — two-factor sign-in endpoints: a signed-in user sets it up
 * (POST /auth/2fa/setup answers the secret once), confirms it with a code
 * (/auth/2fa/enable) and turns it off with password and code
 * (/auth/2fa/disable); an administrator resets another user's
 * (POST /users/{id}/reset_2fa). The code at sign-in is checked by
 * h_login (auth.c). These calls are open to a session whose role
 * requires two-factor sign-in before it is set up. */
#include "api/internal.h"

#include <sodium.h>
#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

#define TOTP_ISSUER "Rapport"

/* The code argument for the domain: NULL when absent ("required"), the
 * digits when well formed, else a placeholder the domain rejects as
 * "invalid_value". */
static const char *code_arg(struct call *c, json_t *body)
{
	json_t *v = json_object_get(body, "code");
	if (!v || json_is_null(v))
		return NULL;
	const char *code = api_otp(c->req->arena, v);
	return code ? code : "-";
}

/* Answers as GET /auth/me does, with the caller read again (their
 * two_factor just changed). */
static void answer_me(struct call *c)
{
	struct principal *p;
	if (domain_principal(c->d.c, c->d.p->user_id, c->req->arena, &p, &c->err)) {
		api_problem(c->resp, &c->err);
		return;
	}
	http_set_header(c->resp, "Cache-Control", "no-store");
	api_write_me(c, p);
}

void h_totp_setup(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin_enrol(req, resp, app, &c))
		return;
	char secret[TOTP_SECRET_B32];
	if (domain_totp_setup(&c.d, secret, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	const char *email = record_text(c.d.p->user, "email");
	http_set_header(resp, "Cache-Control", "no-store");
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_kstr(&w, "secret", secret);
	jw_kstr(&w, "otpauth_uri", domain_totp_uri(req->arena, TOTP_ISSUER, email, secret));
	jw_kstr(&w, "issuer", TOTP_ISSUER);
	jw_kstr(&w, "account", email);
	jw_kint(&w, "digits", 6);
	jw_kint(&w, "period", 30);
	jw_obj_end(&w);
	sodium_memzero(secret, sizeof secret);
}

void h_totp_enable(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	json_t *body;
	if (!api_begin_enrol(req, resp, app, &c) || !(body = api_body(req, resp)))
		return;
	if (domain_totp_enable(&c.d, code_arg(&c, body), &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	answer_me(&c);
}

/* Wrong passwords and codes here count as failed sign-ins of the user's
 * e-mail (and address), so a session left open cannot be used to guess
 * either: past the limit the answer is 429 like a sign-in's. */
void h_totp_disable(struct http_request *req, struct http_response *resp, void *appv)
{
	struct api_app *app = appv;
	struct call c;
	json_t *body;
	if (!api_begin_enrol(req, resp, app, &c) || !(body = api_body(req, resp)))
		return;
	const char *email_key = api_login_key(req->arena, record_text(c.d.p->user, "email"));
	const char *ip_key = arena_printf(req->arena, "ip:%s", req->client_ip);
	if (api_login_throttled(c.d.c, app, email_key, ip_key)) {
		api_login_refused(req, resp, app);
		return;
	}
	json_t *pw = json_object_get(body, "password");
	if (domain_totp_disable(&c.d, json_string_value(pw), code_arg(&c, body), &c.err)) {
		for (int i = 0; i < c.err.nfields; i++)
			if (!strcmp(c.err.fields[i].code, "invalid_value") ||
			    !strcmp(c.err.fields[i].code, "invalid_otp")) {
				store_login_fail(c.d.c, email_key, clock_now());
				store_login_fail(c.d.c, ip_key, clock_now());
				break;
			}
		api_problem(resp, &c.err);
		return;
	}
	answer_me(&c);
}

void h_totp_reset(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	int64_t id = api_id(&c, 0);
	struct record *u;
	if (id < 0)
		return;
	if (domain_totp_reset(&c.d, id, &u, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	api_write_one(&c, model_entity("users"), u, 200);
}
