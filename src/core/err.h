/* err.h — the one error type of Rapport and the detail record that carries
 * field-level reasons up to the API, which turns it into RFC 9457. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum rp_err {
	RP_OK = 0,
	RP_EINVAL,     /* bad input: validation, malformed JSON, bad filter */
	RP_ENOTFOUND,  /* no such record, or not visible to the caller */
	RP_ECONFLICT,  /* unique key taken, idempotency key reused */
	RP_EPRECOND,   /* stale If-Match */
	RP_EFORBIDDEN, /* authenticated but not allowed */
	RP_EUNAUTH,    /* not authenticated */
	RP_ETOOBIG,    /* body or value over its limit */
	RP_ERATE,      /* rate limited */
	RP_EBUSY,      /* database busy past its timeout */
	RP_EIO,	       /* storage failure */
	RP_ENOSPACE,   /* disk full */
	RP_EINTERNAL,  /* a bug: never caused by input */
	RP_ERR_COUNT
};

#define RP_MAX_FIELD_ERRORS 32

struct rp_field_error {
	char field[64];
	char code[32];
	char message[160];
	/* what a person reads, in their language: the catalogue's
	 * "error.<reason>" with {value} the input at fault (core/i18n.h);
	 * "" where the code says it all */
	char reason[32];
	char value[64];
};

/* Details of a failure. Functions fill it on error; callers own it (usually
 * on the stack) and pass it down. `code` is the stable machine-readable
 * reason, e.g. "validation_failed"; `detail` is for people. */
struct rp_error {
	enum rp_err err;
	char code[40];
	char detail[256];
	int nfields;
	bool last_dropped; /* the last field error came past the maximum */
	struct rp_field_error fields[RP_MAX_FIELD_ERRORS];
	int retry_after; /* seconds, for RP_ERATE */
};

/* Sets err, code and a printf-style detail; returns err so callers can
 * `return rp_fail(e, RP_EINVAL, "bad_cursor", "cursor is not valid");`.
 * e may be NULL. */
enum rp_err rp_fail(struct rp_error *e, enum rp_err err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Appends a field error (dropped silently past RP_MAX_FIELD_ERRORS) and
 * marks the whole error RP_EINVAL/"validation_failed" if it was unset. */
void rp_field_fail(struct rp_error *e, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Names the translatable reason of the field error just added and the
 * input at fault (cut to whole characters); nothing if it was dropped. */
void rp_field_because(struct rp_error *e, const char *reason, const char *value);

void rp_error_clear(struct rp_error *e);
/* Readies an error for use without zeroing its field array (8 KiB): the
 * hot paths declare several per request. */
static inline void rp_error_init(struct rp_error *e)
{
	e->err = RP_OK;
	e->code[0] = e->detail[0] = '\0';
	e->nfields = 0;
	e->last_dropped = false;
	e->retry_after = 0;
}

/* HTTP status, default code string and title for an error kind. */
int rp_err_status(enum rp_err err);
const char *rp_err_code(enum rp_err err);
const char *rp_err_title(enum rp_err err);
