/* totp.c — two-factor sign-in with time-based one-time passwords (RFC
 * 6238: HMAC-SHA-1, 30-second steps, 6 digits, one step of clock drift
 * either way) through liboath. Secrets are 20 random bytes from
 * libsodium, handed to the user once in base32 and kept in the store's
 * user_totp table, never in a record. A code is accepted once: the step
 * it belongs to is claimed in the same statement that checks that no
 * later step was used (store_totp_claim_step). users.two_factor says
 * whether the user has it on; turning it on, off or resetting it writes
 * an audit entry naming that field only. */
#include "domain/domain.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

#define TOTP_STEP	  30
#define TOTP_DIGITS	  6
#define TOTP_WINDOW	  1  /* steps accepted before and after now */
#define TOTP_SECRET_BYTES 20 /* RFC 4226 recommends 160 bits */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void oath_start(void)
{
	oath_init();
}

bool domain_totp_code_ok(const char *code)
{
	if (!code || strlen(code) != TOTP_DIGITS)
		return false;
	for (const char *p = code; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* liboath's comparison hook: 0 when the candidate equals the code, in
 * constant time. */
static int same_code(void *code, const char *candidate)
{
	return strlen(candidate) == TOTP_DIGITS && sodium_memcmp(code, candidate, TOTP_DIGITS) == 0
		       ? 0
		       : 1;
}

int64_t domain_totp_match(const char *secret_b32, int64_t now, const char *code)
{
	if (!secret_b32 || !domain_totp_code_ok(code) || now < 0)
		return -1;
	pthread_once(&oath_once, oath_start);
	char *raw = NULL;
	size_t len = 0;
	if (oath_base32_decode(secret_b32, strlen(secret_b32), &raw, &len) != OATH_OK)
		return -1;
	int pos = 0;
	uint64_t counter = 0;
	int rc = oath_totp_validate3_callback(raw, len, (time_t)now, TOTP_STEP, 0, TOTP_DIGITS,
					      TOTP_WINDOW, &pos, &counter, same_code, (void *)code);
	sodium_memzero(raw, len);
	free(raw);
	return rc >= 0 ? (int64_t)counter : -1;
}

void domain_totp_new_secret(char out[TOTP_SECRET_B32])
{
	unsigned char raw[TOTP_SECRET_BYTES];
	randombytes_buf(raw, sizeof raw);
	pthread_once(&oath_once, oath_start);
	char *b32 = NULL;
	size_t len = 0;
	/* 160 bits are exactly 32 base32 characters, without padding */
	if (oath_base32_encode((const char *)raw, sizeof raw, &b32, &len) != OATH_OK ||
	    len != TOTP_SECRET_B32 - 1)
		abort(); /* only fails to allocate */
	memcpy(out, b32, TOTP_SECRET_B32 - 1);
	out[TOTP_SECRET_B32 - 1] = '\0';
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(b32, len);
	free(b32);
}

/* RFC 3986 percent-encoding of everything but the unreserved characters. */
static void pct(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			buf_addc(b, (char)*p);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

char *domain_totp_uri(struct arena *a, const char *issuer, const char *account,
		      const char *secret_b32)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "otpauth://totp/");
	pct(&b, issuer);
	buf_addc(&b, ':');
	pct(&b, account);
	buf_adds(&b, "?secret=");
	pct(&b, secret_b32);
	buf_adds(&b, "&issuer=");
	pct(&b, issuer);
	buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP);
	char *s = arena_strdup(a, buf_str(&b));
	buf_release(&b);
	return s;
}

/* --- the user's own steps ------------------------------------------------ */

/* users.two_factor of user_id becomes `on`, with an audit entry by the
 * caller naming that field alone (never the secret). Inside a write
 * transaction. Like last_login_at, a bookkeeping field: the version stays,
 * so nobody's open form goes stale. */
static enum rp_err set_flag(struct dctx *d, int64_t user_id, bool on, struct rp_error *err)
{
	const struct entity_def *users = model_entity("users");
	struct record *r = record_new(d->a, users);
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_int(r, "two_factor", on);
	record_set_text(r, d->a, "updated_at", now);
	if (store_update(d->c, r, user_id, err))
		return err->err;
	return store_audit_add(d->c, users, user_id, d->p->user_id, "update",
			       on ? "[{\"field\":\"two_factor\",\"old\":false,\"new\":true}]"
				  : "[{\"field\":\"two_factor\",\"old\":true,\"new\":false}]",
			       err);
}

static enum rp_err code_field(const char *code, struct rp_error *err)
{
	if (!code)
		rp_field_fail(err, "code", "required",
			      "the 6-digit code from your app is required");
	else if (!domain_totp_code_ok(code))
		rp_field_fail(err, "code", "invalid_value", "the code is 6 digits");
	return err->err;
}

enum rp_err domain_totp_setup(struct dctx *d, char ret_secret[TOTP_SECRET_B32],
			      struct rp_error *err)
{
	if (d->p->two_factor)
		return rp_fail(err, RP_ECONFLICT, "already_enabled",
			       "two-factor sign-in is on already; turn it off first");
	char secret[TOTP_SECRET_B32];
	domain_totp_new_secret(secret);
	struct totp_row row = {.secret = NULL, .pending = secret, .last_step = 0};
	if (store_totp_put(d->c, d->p->user_id, &row, err))
		return err->err;
	memcpy(ret_secret, secret, sizeof secret);
	sodium_memzero(secret, sizeof secret);
	return RP_OK;
}

enum rp_err domain_totp_enable(struct dctx *d, const char *code, struct rp_error *err)
{
	if (code_field(code, err))
		return err->err;
	if (d->p->two_factor)
		return rp_fail(err, RP_ECONFLICT, "already_enabled",
			       "two-factor sign-in is on already");
	if (store_begin(d->c, true, err))
		return err->err;
	struct totp_row row;
	struct rp_error ignore;
	rp_error_init(&ignore);
	int64_t step;
	if (store_totp_get(d->c, d->p->user_id, d->a, &row, &ignore) || !row.pending) {
		rp_fail(err, RP_ECONFLICT, "setup_required",
			"set two-factor sign-in up first (POST /api/v1/auth/2fa/setup)");
		goto fail;
	}
	if ((step = domain_totp_match(row.pending, clock_now(), code)) < 0) {
		rp_field_fail(
			err, "code", "invalid_otp",
			"the code does not match; check the app's clock and try the next one");
		goto fail;
	}
	struct totp_row on = {.secret = row.pending, .pending = NULL, .last_step = step};
	if (store_totp_put(d->c, d->p->user_id, &on, err) ||
	    set_flag(d, d->p->user_id, true, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

enum rp_err domain_totp_disable(struct dctx *d, const char *password, const char *code,
				struct rp_error *err)
{
	if (!password)
		rp_field_fail(err, "password", "required", "your password is required");
	code_field(code, err);
	if (err->err)
		return err->err;
	if (!d->p->two_factor)
		return rp_fail(err, RP_ECONFLICT, "not_enabled", "two-factor sign-in is off");
	if (!domain_verify_password(record_text(d->p->user, "password"), password))
		rp_field_fail(err, "password", "invalid_value", "the password is wrong");
	if (store_begin(d->c, true, err))
		return err->err;
	struct totp_row row;
	struct rp_error ignore;
	rp_error_init(&ignore);
	int64_t step = -1;
	if (store_totp_get(d->c, d->p->user_id, d->a, &row, &ignore) == RP_OK)
		step = domain_totp_match(row.secret, clock_now(), code);
	if (step < 0)
		rp_field_fail(err, "code", "invalid_otp", "the code does not match");
	else if (!err->err && store_totp_claim_step(d->c, d->p->user_id, step, &ignore))
		rp_field_fail(err, "code", "invalid_otp",
			      "this code has been used already; wait for the next one");
	if (err->err || store_totp_delete(d->c, d->p->user_id, err) ||
	    set_flag(d, d->p->user_id, false, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

enum rp_err domain_totp_reset(struct dctx *d, int64_t user_id, struct record **ret,
			      struct rp_error *err)
{
	const struct entity_def *users = model_entity("users");
	if (!d->p->admin)
		return rp_fail(err, RP_EFORBIDDEN, "forbidden",
			       "only an administrator may reset two-factor sign-in");
	if (store_begin(d->c, true, err))
		return err->err;
	struct record *u;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_get(d->c, users, user_id, d->a, &u, &ignore) ||
	    record_get(u, "deleted_at")->kind != V_NULL) {
		rp_fail(err, RP_ENOTFOUND, "not_found", "user %lld does not exist",
			(long long)user_id);
		goto fail;
	}
	if (store_totp_delete(d->c, user_id, err) ||
	    (record_int(u, "two_factor") && set_flag(d, user_id, false, err)) ||
	    store_get(d->c, users, user_id, d->a, ret, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

enum rp_err domain_totp_verify(struct store_conn *c, int64_t user_id, const char *code,
			       struct arena *a, struct rp_error *err)
{
	struct totp_row row;
	struct rp_error ignore;
	rp_error_init(&ignore);
	int64_t step = -1;
	if (store_totp_get(c, user_id, a, &row, &ignore) == RP_OK)
		step = domain_totp_match(row.secret, clock_now(), code);
	if (step < 0)
		return rp_fail(
			err, RP_EUNAUTH, "invalid_otp",
			"the code is wrong or has expired; enter the one your app shows now");
	if (store_totp_claim_step(c, user_id, step, &ignore))
		return rp_fail(err, RP_EUNAUTH, "invalid_otp",
			       "this code has been used already; wait for the next one");
	return RP_OK;
}
