/* domain.h — the record service and its rules: every write is validated,
 * authorised, written, indexed for search and audited in one transaction;
 * every read is limited to what the caller's role lets them see. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "model/query.h"
#include "model/record.h"
#include "store/store.h"

enum acl_action { ACL_READ, ACL_CREATE, ACL_EDIT, ACL_DELETE };

/* Who is asking: the user, their team and their role's permissions. */
struct principal {
	int64_t user_id, team_id, role_id;
	bool admin;
	bool two_factor;  /* the user signs in with a second factor */
	bool require_2fa; /* the role asks for one */
	json_t *perms;	  /* the role's permissions; released with the arena */
	struct record *user;
};

/* What a domain call works with: the thread's connection, the caller and
 * the request's arena (which owns every record handed back). */
/* Dates a record brings from the system it was kept in before (an
 * import): when it was made, and when a deal closed. NULL: now. */
struct history {
	const char *created_at, *closed_at; /* RP_TIME text */
};

struct dctx {
	struct store_conn *c;
	const struct principal *p;
	struct arena *a;
	/* NULL, or an imported record's own dates: its creation, a deal's
	 * close (else, for a deal closed on the way in, its expected close) */
	const struct history *history;
	/* NULL, or the references found visible so far in a run of writes
	 * (domain_remember_refs): an import's rows name the same accounts
	 * again and again */
	struct ref_seen *seen;
};

/* Starts (on) or ends remembering the references d's writes found
 * visible; the caller ends it, or starts it afresh, when a rollback may
 * have taken a remembered record away. */
void domain_remember_refs(struct dctx *d, bool on);

/* --- access ----------------------------------------------------------- */

/* Loads an active user and their role; RP_EUNAUTH if the user is missing
 * or disabled. */
enum rp_err domain_principal(struct store_conn *c, int64_t user_id, struct arena *a,
			     struct principal **ret, struct rp_error *err);
/* The caller a request names: by a Bearer token's secret, or by the user
 * id of a session. As domain_principal (RP_EUNAUTH for an unknown token
 * or user), remembered while no user, role or token changes (caller.c). */
enum rp_err domain_caller_token(struct store_conn *c, const char *secret, struct arena *a,
				struct principal **ret, struct rp_error *err);
enum rp_err domain_caller_user(struct store_conn *c, int64_t user_id, struct arena *a,
			       struct principal **ret, struct rp_error *err);
/* True while the caller's role requires two-factor sign-in and they have
 * not set it up: a browser session may then only enrol (api_begin). */
static inline bool domain_must_enrol(const struct principal *p)
{
	return p->require_2fa && !p->two_factor;
}
/* The language the caller reads ("ru"), NULL when not known. */
static inline const char *domain_locale(const struct principal *p)
{
	return p && p->user ? record_text(p->user, "locale") : NULL;
}
struct scope acl_scope(const struct principal *p, const struct entity_def *e, enum acl_action act);
bool acl_row_in_scope(const struct scope *s, const struct record *r);
bool acl_field_hidden(const struct principal *p, const struct entity_def *e,
		      const struct field_def *f);
bool acl_field_readonly(const struct principal *p, const struct entity_def *e,
			const struct field_def *f);
/* Per field of e: may the caller see it (readable and not hidden). Arena. */
const bool *acl_visible_fields(const struct dctx *d, const struct entity_def *e);

/* --- records ---------------------------------------------------------- */

enum rp_err domain_create(struct dctx *d, const struct entity_def *e, json_t *body,
			  struct record **ret, struct rp_error *err);
/* if_match < 0: no precondition. */
enum rp_err domain_update(struct dctx *d, const struct entity_def *e, int64_t id, json_t *body,
			  int64_t if_match, struct record **ret, struct rp_error *err);
enum rp_err domain_delete(struct dctx *d, const struct entity_def *e, int64_t id, int64_t if_match,
			  struct rp_error *err);
enum rp_err domain_restore(struct dctx *d, const struct entity_def *e, int64_t id,
			   struct record **ret, struct rp_error *err);
/* A live record the caller may read; RP_ENOTFOUND otherwise (never 403,
 * so ids of others' records are not confirmed). */
enum rp_err domain_get(struct dctx *d, const struct entity_def *e, int64_t id, struct record **ret,
		       struct rp_error *err);
/* Applies the caller's scope and field rules to q, then reads a page. */
enum rp_err domain_list(struct dctx *d, struct list_query *q, struct record ***ret_rows, int *ret_n,
			bool *ret_more, struct rp_error *err);

/* Counts (and sums) of what q selects for the caller, grouped by up to 3
 * fields named in group_by ("stage_id,currency"); sum may be NULL. */
enum rp_err domain_summary(struct dctx *d, struct list_query *q, const char *group_by,
			   const char *sum, struct buf *out, struct rp_error *err);

struct search_hit {
	const struct entity_def *ent;
	struct record *rec; /* its id, title and subtitle fields only */
};
enum rp_err domain_search(struct dctx *d, const char *q, int limit, struct search_hit **ret,
			  int *ret_n, struct rp_error *err);
enum rp_err domain_timeline(struct dctx *d, const struct entity_def *e, int64_t id, int limit,
			    const char *before, struct timeline_item **ret, int *ret_n,
			    struct rp_error *err);
enum rp_err domain_history(struct dctx *d, const struct entity_def *e, int64_t id, struct buf *out,
			   struct rp_error *err);
/* Groups of records that look like one customer (dedup.c keys). */
struct dup_group {
	const char *kind, *key;
	struct record **records; /* the ones the caller may see, 2 or more */
	int n;
};
struct dup_page {
	struct dup_group *groups;
	int n;
	const char *next_kind, *next_key; /* NULL at the end */
};
enum rp_err domain_duplicates(struct dctx *d, const struct entity_def *e, const char *after_kind,
			      const char *after_key, int limit, struct dup_page *ret,
			      struct rp_error *err);
/* Merges record dup_id into keep_id (picked: field values chosen from the
 * duplicate, may be NULL; if_match: keep_id's version, < 0 for none). */
enum rp_err domain_merge(struct dctx *d, const struct entity_def *e, int64_t keep_id,
			 int64_t dup_id, json_t *picked, int64_t if_match, struct record **ret,
			 struct rp_error *err);

/* Adds a custom field (admins only). */
enum rp_err domain_add_field(struct dctx *d, const struct entity_def *e, json_t *body,
			     struct rp_error *err);

/* The search text of a record: textkey_index of each searchable field.
 * malloc'd; caller frees. */
char *domain_search_text(const struct entity_def *e, const struct record *r);
/* What a user typed as a full-text expression, or NULL when nothing in it
 * is searchable. Owned by a. */
char *domain_fts_query(struct arena *a, const char *q);
/* Stores what finds a changed record, its search text and duplicate keys,
 * where the fields they come from changed: a deal's new stage leaves the
 * index alone. */
enum rp_err domain_index_changed(struct store_conn *c, const struct entity_def *e, int64_t id,
				 const struct record *old, const struct record *fresh,
				 struct arena *a, struct rp_error *err);
/* The same for a record just inserted (it has nothing indexed yet). */
enum rp_err domain_index_new_record(struct store_conn *c, const struct entity_def *e, int64_t id,
				    const struct record *r, struct arena *a, struct rp_error *err);
/* The same for many records just inserted (each with its "id"): their
 * duplicate keys go in together. */
enum rp_err domain_index_new_records(struct store_conn *c, const struct entity_def *e,
				     struct record *const *rows, int n, struct arena *a,
				     struct rp_error *err);
/* Writes what a backlog holds (BACKLOG_SEARCH: the texts deferred by
 * store_search_defer; BACKLOG_DEDUP: duplicate keys made again),
 * DOMAIN_CATCH_UP_RECORDS records to a write transaction of its own, at
 * most rounds of them. */
#define DOMAIN_CATCH_UP_RECORDS 5000
enum rp_err domain_catch_up(struct store_conn *c, enum store_backlog which, int rounds,
			    struct rp_error *err);

/* --- users and setup --------------------------------------------------- */

#define PASSWORD_HASH_MAX 128
enum rp_err domain_hash_password(const char *pw, char out[PASSWORD_HASH_MAX], struct rp_error *err);
bool domain_verify_password(const char *hash, const char *pw);

/* On an empty database: default roles, the first admin, a default
 * pipeline. If password is NULL one is generated and returned in
 * ret_generated (else ret_generated[0] = 0). Does nothing when users
 * exist already (ret_created false). */
enum rp_err domain_bootstrap(struct store *s, const char *email, const char *password,
			     char ret_generated[33], bool *ret_created, struct rp_error *err);
/* Random bytes as lowercase hex (bytes ≤ 64; out holds 2*bytes+1). */
void domain_random_hex(char *out, size_t bytes);
/* SHA-256 of a secret as hex: what the store keeps of tokens. */
void domain_secret_hash(const char *secret, char out[65]);
/* Mints an API token "rp_..." for user_id; the secret is only in
 * ret_token, the store keeps its hash. */
enum rp_err domain_token_create(struct store_conn *c, int64_t user_id, const char *name,
				char ret_token[80], int64_t *ret_id, struct rp_error *err);

/* --- two-factor sign-in (totp.c) ----------------------------------------- */

#define TOTP_SECRET_B32 33 /* 20 random bytes in base32, and a NUL */

/* True for exactly six ASCII digits. */
bool domain_totp_code_ok(const char *code);
/* The 30-second step (time / 30) whose TOTP code for the base32 secret
 * equals code, looking one step before and after now; -1 if none or the
 * secret is not base32. Pure: no store, the time is given. */
int64_t domain_totp_match(const char *secret_b32, int64_t now, const char *code);
/* A new secret: 20 random bytes as 32 base32 characters. */
void domain_totp_new_secret(char out[TOTP_SECRET_B32]);
/* The otpauth://totp/ URI authenticator apps read (Key Uri Format):
 * label "issuer:account", secret, issuer, SHA1, 6 digits, 30 s, each part
 * percent-encoded. Pure; owned by a. */
char *domain_totp_uri(struct arena *a, const char *issuer, const char *account,
		      const char *secret_b32);

/* The signed-in caller's own two-factor sign-in. setup: a new secret,
 * pending until enable sees a code of it (RP_ECONFLICT "already_enabled"
 * while it is on); the caller shows ret_secret once. enable: a field
 * error on "code" unless it matches the pending secret (RP_ECONFLICT
 * "setup_required" without one). disable: needs the password and a code
 * of the secret in force (field errors "password", "code"). Each change
 * of users.two_factor is audited as a change of that field. */
enum rp_err domain_totp_setup(struct dctx *d, char ret_secret[TOTP_SECRET_B32],
			      struct rp_error *err);
enum rp_err domain_totp_enable(struct dctx *d, const char *code, struct rp_error *err);
enum rp_err domain_totp_disable(struct dctx *d, const char *password, const char *code,
				struct rp_error *err);
/* An administrator turns another user's two-factor sign-in off (a lost
 * phone): the secret is deleted, the change audited; ret is the user as
 * now stored. RP_EFORBIDDEN for others, RP_ENOTFOUND for no such user. */
enum rp_err domain_totp_reset(struct dctx *d, int64_t user_id, struct record **ret,
			      struct rp_error *err);
/* At sign-in: RP_EUNAUTH "invalid_otp" unless code matches user_id's
 * secret and no code of its step or a later one was used before; the
 * step is then used up. */
enum rp_err domain_totp_verify(struct store_conn *c, int64_t user_id, const char *code,
			       struct arena *a, struct rp_error *err);

/* The default pipeline's id; 0 if none. */
int64_t domain_default_pipeline(struct store_conn *c, struct arena *a);
/* The first stage (by position) of pipeline (0: of any) whose field equals
 * value (field NULL: any of its stages); 0 if none. */
int64_t domain_first_stage(struct store_conn *c, int64_t pipeline, const char *field,
			   const char *value, struct arena *a);
/* Looks up a user id by e-mail (case-insensitive); 0 if none. */
int64_t domain_user_by_email(struct store_conn *c, const char *email, struct arena *a);
/* A role id by name; 0 if none. */
int64_t domain_role_by_name(struct store_conn *c, const char *name, struct arena *a);
/* Fills the system fields of a new record (created/updated, version). */
void domain_stamp_new(struct record *r, struct arena *a, int64_t user_id);
