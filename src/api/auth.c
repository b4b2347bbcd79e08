/* auth.c — who is calling: session cookies with a CSRF token for the
 * browser, Bearer tokens for integrations; login with throttling and, for
 * users who have it on, a second factor (totp.c); API token management.
 * Secrets are stored only as SHA-256 hashes. */
#include "api/internal.h"

#include <sodium.h>
#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

#define SESSION_COOKIE "rapport_session"

struct store_conn *api_conn(struct api_app *app, struct http_response *resp)
{
	struct rp_error err;
	rp_error_init(&err);
	struct store_conn *c = store_conn(app->store, &err);
	if (!c)
		api_problem(resp, &err);
	return c;
}

static bool from_bearer(struct call *c, const char *auth)
{
	return domain_caller_token(c->d.c, auth + 7, c->req->arena, (struct principal **)&c->d.p,
				   &c->err) == RP_OK;
}

static bool from_cookie(struct call *c, const char *token)
{
	char hash[65];
	struct session_row s;
	domain_secret_hash(token, hash);
	if (store_session_get(c->d.c, hash, &s, &c->err))
		return false;
	if (s.expires_at < clock_now()) {
		store_session_delete(c->d.c, hash);
		rp_fail(&c->err, RP_EUNAUTH, "session_expired",
			"the session has expired; sign in again");
		return false;
	}
	c->via_cookie = true;
	c->csrf = arena_strdup(c->req->arena, s.csrf);
	return domain_caller_user(c->d.c, s.user_id, c->req->arena, (struct principal **)&c->d.p,
				  &c->err) == RP_OK;
}

static bool csrf_ok(struct call *c)
{
	if (!c->via_cookie || !api_unsafe_method(c->req->method))
		return true;
	const char *sent = http_header(c->req, "X-CSRF-Token");
	return sent && c->csrf && strlen(sent) == strlen(c->csrf) &&
	       sodium_memcmp(sent, c->csrf, strlen(sent)) == 0;
}

/* enrolling: the caller may be one who must set up two-factor sign-in
 * first (GET/PATCH /auth/me, /auth/logout, /auth/2fa/...). */
static bool begin(struct http_request *req, struct http_response *resp, struct api_app *app,
		  struct call *c, bool enrolling)
{
	memset(c, 0, offsetof(struct call, err));
	rp_error_init(&c->err);
	c->req = req;
	c->resp = resp;
	c->app = app;
	c->d.a = req->arena;
	if (!(c->d.c = api_conn(app, resp)))
		return false;
	store_hold_reads(c->d.c); /* one snapshot for the request: api_request_done */
	store_defer_durable(c->d.c, req->can_hold); /* answered when durable: api_owed */
	const char *auth = http_header(req, "Authorization");
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	bool ok = false;
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		ok = from_bearer(c, auth);
	else if (cookie && *cookie)
		ok = from_cookie(c, cookie);
	else
		rp_fail(&c->err, RP_EUNAUTH, "unauthorized", "sign in first");
	if (!ok) {
		if (c->err.err != RP_EUNAUTH)
			rp_fail(&c->err, RP_EUNAUTH, "unauthorized", "sign in first");
		api_problem(resp, &c->err);
		return false;
	}
	api_replica_caller(c->d.p->user_id); /* what they write: api_request_done */
	if (!csrf_ok(c)) {
		api_problem_simple(resp, RP_EFORBIDDEN, "csrf_failed",
				   "the X-CSRF-Token header is missing or wrong");
		return false;
	}
	/* Bearer tokens are not limited: a token is a long random secret
	 * made by a user already signed in (or by an administrator at the
	 * shell), not a password a second factor would protect, and a
	 * session that must enrol cannot make one (POST /tokens is refused
	 * here). */
	if (c->via_cookie && !enrolling && domain_must_enrol(c->d.p)) {
		api_problem_simple(resp, RP_EFORBIDDEN, "two_factor_required",
				   "your role requires two-factor sign-in: set it up first");
		return false;
	}
	return true;
}

bool api_begin(struct http_request *req, struct http_response *resp, struct api_app *app,
	       struct call *c)
{
	return begin(req, resp, app, c, false);
}

bool api_begin_enrol(struct http_request *req, struct http_response *resp, struct api_app *app,
		     struct call *c)
{
	return begin(req, resp, app, c, true);
}

void api_write_me(struct call *c, const struct principal *p)
{
	struct jw w;
	jw_init(&w, &c->resp->body);
	jw_obj(&w);
	jw_key(&w, "user");
	api_write_record(&w, p->user->ent, p->user, NULL, NULL);
	jw_kstr(&w, "csrf_token", c->csrf);
	jw_kbool(&w, "admin", p->admin);
	jw_kbool(&w, "two_factor_required", domain_must_enrol(p));
	jw_obj_end(&w);
}

const char *api_login_key(struct arena *a, const char *email)
{
	char *key = arena_printf(a, "email:%s", email);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return key;
}

const char *api_otp(struct arena *a, json_t *v)
{
	const char *s = json_string_value(v);
	if (!s || strlen(s) > 20)
		return NULL;
	char *out = arena_alloc(a, 7);
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (n == 6 || *s < '0' || *s > '9')
			return NULL;
		out[n++] = *s;
	}
	out[n] = '\0';
	return n == 6 ? out : NULL;
}

bool api_login_throttled(struct store_conn *sc, struct api_app *app, const char *email_key,
			 const char *ip_key)
{
	int64_t since = clock_now() - app->cfg.login_window_s;
	return store_login_failures(sc, email_key, since) >= app->cfg.login_max_failures ||
	       store_login_failures(sc, ip_key, since) >= app->cfg.login_ip_max_failures;
}

void api_login_refused(struct http_request *req, struct http_response *resp, struct api_app *app)
{
	api_problem_simple(resp, RP_ERATE, "too_many_attempts",
			   "too many failed sign-ins; wait and try again");
	http_set_header(resp, "Retry-After",
			arena_printf(req->arena, "%d", app->cfg.login_window_s));
}

static void start_session(struct http_request *req, struct http_response *resp, struct api_app *app,
			  struct store_conn *sc, struct principal *p)
{
	char token[65], csrf[65], hash[65];
	domain_random_hex(token, 32);
	domain_random_hex(csrf, 32);
	domain_secret_hash(token, hash);
	struct rp_error err;
	rp_error_init(&err);
	if (store_session_put(sc, hash, p->user_id, csrf, clock_now() + app->cfg.session_ttl_s,
			      &err)) {
		api_problem(resp, &err);
		return;
	}
	http_set_header(resp, "Set-Cookie",
			arena_printf(req->arena,
				     SESSION_COOKIE "=%s; Path=/; HttpOnly; "
						    "SameSite=Lax; Max-Age=%d%s",
				     token, app->cfg.session_ttl_s,
				     app->cfg.cookie_secure ? "; Secure" : ""));
	http_set_header(resp, "Cache-Control", "no-store");
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_key(&w, "user");
	api_write_record(&w, p->user->ent, p->user, NULL, NULL);
	jw_kstr(&w, "csrf_token", csrf);
	jw_kbool(&w, "two_factor_required", domain_must_enrol(p));
	jw_obj_end(&w);
}

/* Stamps last_login_at; a bookkeeping write, so not audited. */
static void note_login(struct store_conn *sc, struct arena *a, struct principal *p)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	struct record *r = record_new(a, p->user->ent);
	record_set_text(r, a, "last_login_at", now);
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_update(sc, r, p->user_id, &ignore) == RP_OK)
		record_set_text(p->user, a, "last_login_at", now);
}

void h_login(struct http_request *req, struct http_response *resp, void *appv)
{
	struct api_app *app = appv;
	struct store_conn *sc = api_conn(app, resp);
	json_t *body = sc ? api_body(req, resp) : NULL;
	if (!body)
		return;
	const char *email = json_string_value(json_object_get(body, "email"));
	const char *password = json_string_value(json_object_get(body, "password"));
	json_t *otp_json = json_object_get(body, "otp");
	const char *otp = api_otp(req->arena, otp_json);
	if (!email || !password || strlen(email) > 254 || strlen(password) > 200 ||
	    (otp_json && !json_is_null(otp_json) && !otp)) {
		struct rp_error e;
		rp_error_init(&e);
		if (!email || strlen(email) > 254)
			rp_field_fail(&e, "email", "required", "e-mail is required");
		if (!password || strlen(password) > 200)
			rp_field_fail(&e, "password", "required", "password is required");
		if (otp_json && !json_is_null(otp_json) && !otp)
			rp_field_fail(&e, "otp", "invalid_value", "the code is 6 digits");
		api_problem(resp, &e);
		return;
	}
	const char *email_key = api_login_key(req->arena, email);
	const char *ip_key = arena_printf(req->arena, "ip:%s", req->client_ip);
	if (api_login_throttled(sc, app, email_key, ip_key)) {
		api_login_refused(req, resp, app);
		return;
	}
	int64_t uid = domain_user_by_email(sc, email, req->arena);
	struct record *u = NULL;
	struct rp_error err;
	rp_error_init(&err);
	const char *hash = NULL;
	if (uid && store_get(sc, model_entity("users"), uid, req->arena, &u, &err) == RP_OK)
		hash = record_text(u, "password");
	/* verify even for unknown users so timing does not reveal accounts */
	bool ok = domain_verify_password(
			  hash ? hash
			       : "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
				 "9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
			  password) &&
		  hash;
	struct principal *p = NULL;
	if (!ok || domain_principal(sc, uid, req->arena, &p, &err)) {
		store_login_fail(sc, email_key, clock_now());
		store_login_fail(sc, ip_key, clock_now());
		api_problem_simple(resp, RP_EUNAUTH, "invalid_credentials",
				   "the e-mail or password is wrong");
		return;
	}
	/* The second factor is asked for only once the password is right:
	 * answering otp_required to every sign-in of the account would tell
	 * anyone that it has two-factor sign-in on, and asking every user
	 * for a code up front would burden all who have not. No session is
	 * made without the code, and wrong codes count as failed sign-ins. */
	if (p->two_factor && !otp) {
		api_problem_simple(resp, RP_EUNAUTH, "otp_required",
				   "enter the 6-digit code from your authenticator app");
		return;
	}
	if (p->two_factor && domain_totp_verify(sc, uid, otp, req->arena, &err)) {
		store_login_fail(sc, email_key, clock_now());
		store_login_fail(sc, ip_key, clock_now());
		api_problem(resp, &err);
		return;
	}
	store_login_clear(sc, email_key);
	note_login(sc, req->arena, p);
	start_session(req, resp, app, sc, p);
}

void h_logout(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin_enrol(req, resp, app, &c))
		return;
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	if (c.via_cookie && cookie) {
		char hash[65];
		domain_secret_hash(cookie, hash);
		store_session_delete(c.d.c, hash);
	}
	http_set_header(resp, "Set-Cookie",
			SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	resp->status = 204;
}

void h_me(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin_enrol(req, resp, app, &c))
		return;
	api_write_me(&c, c.d.p);
}

void h_token_create(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	json_t *body = api_body(req, resp);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	char token[80];
	int64_t id;
	if (domain_token_create(c.d.c, c.d.p->user_id, name, token, &id, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	char prefix[12];
	snprintf(prefix, sizeof prefix, "%.10s", token);
	resp->status = 201;
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_kint(&w, "id", id);
	jw_kstr(&w, "name", name);
	jw_kstr(&w, "prefix", prefix);
	jw_kstr(&w, "token", token);
	jw_obj_end(&w);
}

void h_token_list(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	buf_adds(&resp->body, "{\"data\":");
	if (store_token_list(c.d.c, c.d.p->admin ? 0 : c.d.p->user_id, &resp->body, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	buf_addc(&resp->body, '}');
}

void h_token_revoke(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	int64_t id = api_id(&c, 0);
	if (id < 0)
		return;
	if (store_token_revoke(c.d.c, id, c.d.p->admin ? 0 : c.d.p->user_id, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	resp->status = 204;
}

/* PATCH /api/v1/auth/me: a user's own name, language, time zone and
 * password (the last only with the current one), whatever their role
 * allows on the users list. */
void h_me_update(struct http_request *req, struct http_response *resp, void *app)
{
	static const char *const allowed[] = {"name", "locale", "time_zone", "password",
					      "current_password"};
	struct call c;
	json_t *body;
	if (!api_begin_enrol(req, resp, app, &c) || !(body = api_body(req, resp)))
		return;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		bool ok = false;
		for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
			ok |= !strcmp(k, allowed[i]);
		if (!ok)
			rp_field_fail(&c.err, k, "read_only", "you cannot change %s here", k);
	}
	const char *current = json_string_value(json_object_get(body, "current_password"));
	if (json_object_get(body, "password") &&
	    !domain_verify_password(record_text(c.d.p->user, "password"), current ? current : ""))
		rp_field_fail(&c.err, "current_password", "invalid_value",
			      "the current password is wrong");
	if (c.err.err) {
		api_problem(resp, &c.err);
		return;
	}
	json_object_del(body, "current_password");
	/* acting on oneself with the rights of the users admin, limited to
	 * the fields checked above */
	struct principal self = *c.d.p;
	self.admin = true;
	struct dctx d = c.d;
	d.p = &self;
	struct record *u;
	if (domain_update(&d, c.d.p->user->ent, c.d.p->user_id, body, -1, &u, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	self = *c.d.p;
	self.user = u;
	api_write_me(&c, &self);
}

uint64_t api_owed(void *app)
{
	struct api_app *a = app;
	struct rp_error err;
	rp_error_init(&err);
	struct store_conn *c = store_conn(a->store, &err);
	return c ? store_take_owed(c) : 0;
}

static void answer_when_durable(void *hold, const struct rp_error *failed)
{
	if (!failed) {
		http_release(hold, NULL);
		return;
	}
	struct http_response instead = {0};
	buf_init(&instead.body, 0);
	api_problem(&instead, failed);
	http_release(hold, &instead);
}

void api_await(void *app, uint64_t owed, void *hold)
{
	struct api_app *a = app;
	store_when_durable(a->store, owed, answer_when_durable, hold);
}

void api_request_done(void *app)
{
	struct api_app *a = app;
	struct rp_error err;
	rp_error_init(&err);
	struct store_conn *c = store_conn(a->store, &err);
	if (c) {
		store_release_reads(c);
		api_replica_request_done(c);
	}
}
