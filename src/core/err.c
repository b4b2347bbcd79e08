/* err.c — the error table: each kind's HTTP status, stable code and title. */
#include "core/err.h"
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int status;
	const char *code;
	const char *title;
} err_table[RP_ERR_COUNT] = {
	[RP_OK] = {200, "ok", "OK"},
	[RP_EINVAL] = {400, "bad_request", "Bad request"},
	[RP_ENOTFOUND] = {404, "not_found", "Not found"},
	[RP_ECONFLICT] = {409, "conflict", "Conflict"},
	[RP_EPRECOND] = {412, "version_conflict", "Precondition failed"},
	[RP_EFORBIDDEN] = {403, "forbidden", "Forbidden"},
	[RP_EUNAUTH] = {401, "unauthorized", "Unauthorized"},
	[RP_ETOOBIG] = {413, "payload_too_large", "Payload too large"},
	[RP_ERATE] = {429, "rate_limited", "Too many requests"},
	[RP_EBUSY] = {503, "busy", "Service busy"},
	[RP_EIO] = {503, "storage_error", "Storage unavailable"},
	[RP_ENOSPACE] = {507, "insufficient_storage", "Insufficient storage"},
	[RP_EINTERNAL] = {500, "internal_error", "Internal error"},
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

enum rp_err rp_fail(struct rp_error *e, enum rp_err err, const char *code, const char *fmt, ...)
{
	if (!e)
		return err;
	e->err = err;
	copy_str(e->code, sizeof e->code, code ? code : rp_err_code(err));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return err;
}

void rp_field_fail(struct rp_error *e, const char *field, const char *code, const char *fmt, ...)
{
	if (!e)
		return;
	if (e->err == RP_OK) {
		e->err = RP_EINVAL;
		copy_str(e->code, sizeof e->code, "validation_failed");
		copy_str(e->detail, sizeof e->detail, "one or more fields are invalid");
	}
	e->last_dropped = e->nfields >= RP_MAX_FIELD_ERRORS;
	if (e->last_dropped)
		return;
	struct rp_field_error *f = &e->fields[e->nfields++];
	copy_str(f->field, sizeof f->field, field);
	copy_str(f->code, sizeof f->code, code);
	f->reason[0] = f->value[0] = '\0';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
}

/* Copies src into dst[cap] without splitting a UTF-8 sequence. */
static void copy_chars(char *dst, size_t cap, const char *src)
{
	size_t n = utf8_fit(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void rp_field_because(struct rp_error *e, const char *reason, const char *value)
{
	if (!e || e->nfields == 0 || e->last_dropped)
		return;
	struct rp_field_error *f = &e->fields[e->nfields - 1];
	copy_str(f->reason, sizeof f->reason, reason);
	copy_chars(f->value, sizeof f->value, value ? value : "");
}

void rp_error_clear(struct rp_error *e)
{
	memset(e, 0, sizeof *e);
}

int rp_err_status(enum rp_err err)
{
	return err < RP_ERR_COUNT ? err_table[err].status : 500;
}

const char *rp_err_code(enum rp_err err)
{
	return err < RP_ERR_COUNT ? err_table[err].code : "internal_error";
}

const char *rp_err_title(enum rp_err err)
{
	return err < RP_ERR_COUNT ? err_table[err].title : "Internal error";
}
