/* hooks.c — the rules some entities add to the generic record service:
 * users (e-mail case, password hashing), deals (stage drives pipeline,
 * probability, status and closed_at), leads (first contact time),
 * activities (a link to a record the caller can see, and the account it
 * belongs to), contacts and deals (their activities follow them to another
 * account), roles (permission syntax). */
#include "domain/hooks.h"

#include <ctype.h>
#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

typedef enum rp_err (*hook_fn)(struct dctx *d, const struct entity_def *e, const struct record *old,
			       struct record *r, struct rp_error *err);

static bool is_set(const struct record *r, const char *field)
{
	int i = entity_field_index(r->ent, field);
	return i >= 0 && i < r->n && r->set[i];
}

/* The value a field will have after the write: the new one if set, else
 * the old one. */
static const struct value *after(const struct record *old, const struct record *r,
				 const char *field)
{
	if (is_set(r, field) || !old)
		return record_get(r, field);
	return record_get(old, field);
}

static void now_text(char out[RP_TIME_LEN])
{
	clock_format(clock_now(), out);
}

static enum rp_err users_hook(struct dctx *d, const struct entity_def *e, const struct record *old,
			      struct record *r, struct rp_error *err)
{
	const char *email = record_text(r, "email");
	if (email) {
		char *low = arena_strdup(d->a, email);
		for (char *p = low; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		record_set_text(r, d->a, "email", low);
	}
	if (!old)
		record_set_int(r, "two_factor", 0); /* read-only: set by /auth/2fa */
	const char *pw = record_text(r, "password");
	if (pw) {
		char hash[PASSWORD_HASH_MAX];
		if (domain_hash_password(pw, hash, err))
			return err->err;
		record_set_text(r, d->a, "password", hash);
	}
	if (old && record_int(old, "id") == d->p->user_id &&
	    ((is_set(r, "active") && !record_int(r, "active")) ||
	     (is_set(r, "role_id") && record_int(r, "role_id") != record_int(old, "role_id"))))
		rp_field_fail(err, is_set(r, "active") ? "active" : "role_id", "forbidden",
			      "you cannot disable yourself or change your own role");
	return err->err;
}

static enum rp_err apply_stage(struct dctx *d, const struct record *old, struct record *r,
			       struct rp_error *err)
{
	const struct value *sv = after(old, r, "stage_id");
	if (!is_set(r, "stage_id") || sv->kind != V_INT)
		return RP_OK;
	struct record *stage;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_get(d->c, model_entity("stages"), sv->i, d->a, &stage, &ignore) ||
	    record_get(stage, "deleted_at")->kind != V_NULL) {
		rp_field_fail(err, "stage_id", "not_found", "no such stage");
		return err->err;
	}
	int64_t pipeline = record_int(stage, "pipeline_id");
	if (is_set(r, "pipeline_id") && record_get(r, "pipeline_id")->kind == V_INT &&
	    record_int(r, "pipeline_id") != pipeline) {
		rp_field_fail(err, "stage_id", "invalid_value",
			      "the stage belongs to another pipeline");
		return err->err;
	}
	record_set_int(r, "pipeline_id", pipeline);
	if (!is_set(r, "probability"))
		record_set_int(r, "probability", record_int(stage, "probability"));
	/* the stage says the status unless the caller did: a new deal's
	 * "open" is the default, not the caller's word, when its stage is
	 * Won or Lost */
	const char *kind = record_text(stage, "kind");
	bool said = is_set(r, "status") && (old || strcmp(record_text(r, "status"), "open"));
	if (kind && !said)
		record_set_text(r, d->a, "status", kind);
	return RP_OK;
}

int64_t domain_default_pipeline(struct store_conn *c, struct arena *a)
{
	const struct entity_def *pe = model_entity("pipelines");
	struct list_query q = {.ent = pe, .scope = {SCOPE_ALL}};
	struct value yes = {.kind = V_INT, .i = 1};
	q.filters[q.nfilters++] =
		(struct filter){entity_field_index(pe, "is_default"), OP_EQ, &yes, 1};
	q.sort[q.nsort++] = (struct sort_key){0, false};
	return store_first_id(c, &q, a);
}

int64_t domain_first_stage(struct store_conn *c, int64_t pipeline, const char *field,
			   const char *value, struct arena *a)
{
	const struct entity_def *se = model_entity("stages");
	struct list_query q = {.ent = se, .scope = {SCOPE_ALL}};
	struct value text = {.kind = V_TEXT, .s = value, .len = value ? strlen(value) : 0};
	struct value pv = {.kind = V_INT, .i = pipeline};
	if (field)
		q.filters[q.nfilters++] =
			(struct filter){entity_field_index(se, field), OP_EQ, &text, 1};
	if (pipeline)
		q.filters[q.nfilters++] =
			(struct filter){entity_field_index(se, "pipeline_id"), OP_EQ, &pv, 1};
	q.sort[q.nsort++] = (struct sort_key){entity_field_index(se, "position"), false};
	q.sort[q.nsort++] = (struct sort_key){0, false};
	return store_first_id(c, &q, a);
}

/* A new deal without a stage starts in the first stage of the default
 * pipeline (or of its own), as a person adding it from the board expects. */
static void default_stage(struct dctx *d, struct record *r)
{
	int64_t pipeline = record_int(r, "pipeline_id");
	if (!pipeline)
		pipeline = domain_default_pipeline(d->c, d->a);
	int64_t stage = pipeline ? domain_first_stage(d->c, pipeline, NULL, NULL, d->a) : 0;
	if (stage)
		record_set_int(r, "stage_id", stage);
}

static enum rp_err follow_account(struct dctx *d, const struct entity_def *e,
				  const struct record *old, struct record *r, struct rp_error *err);

/* When a deal closing now closed: now, or for one imported its close date
 * in the old system — given, else its expected close (the date Salesforce
 * and HubSpot keep as a closed deal's close date), at noon UTC so the day
 * is the same in every zone. */
static const char *closed_when(struct dctx *d, const struct record *r, char ts[RP_TIME_LEN])
{
	now_text(ts);
	if (!d->history)
		return ts;
	if (d->history->closed_at)
		return d->history->closed_at;
	const char *expected = record_text(r, "expected_close");
	if (expected && strlen(expected) == 10 && strncmp(expected, ts, 10) <= 0)
		return arena_printf(d->a, "%sT12:00:00Z", expected);
	return ts;
}

static enum rp_err deals_hook(struct dctx *d, const struct entity_def *e, const struct record *old,
			      struct record *r, struct rp_error *err)
{
	if (follow_account(d, e, old, r, err))
		return err->err;
	if (!old && !is_set(r, "stage_id"))
		default_stage(d, r);
	if (apply_stage(d, old, r, err))
		return err->err;
	const char *was = old ? record_text(old, "status") : "open";
	const struct value *now = after(old, r, "status");
	bool open = now->kind == V_TEXT && !strcmp(now->s, "open");
	if (d->history && d->history->closed_at && open) {
		rp_field_fail(
			err, "closed_at", "invalid",
			"an open deal has no close date (give it a won or lost status or stage)");
		return err->err;
	}
	if (now->kind == V_TEXT && (!was || strcmp(was, now->s))) {
		if (!open) {
			char ts[RP_TIME_LEN];
			record_set_text(r, d->a, "closed_at", closed_when(d, r, ts));
		} else {
			record_set_null(r, "closed_at");
		}
	}
	return RP_OK;
}

static enum rp_err leads_hook(struct dctx *d, const struct entity_def *e, const struct record *old,
			      struct record *r, struct rp_error *err)
{
	if (follow_account(d, e, old, r, err))
		return err->err;
	const struct value *st = after(old, r, "status");
	const struct value *first = after(old, r, "first_contacted_at");
	if (st->kind == V_TEXT && strcmp(st->s, "new") && first->kind == V_NULL) {
		char ts[RP_TIME_LEN];
		now_text(ts);
		record_set_text(r, d->a, "first_contacted_at", ts);
	}
	return RP_OK;
}

static void set_activity_account(struct record *r, const char *type, const struct record *target);

static enum rp_err activities_hook(struct dctx *d, const struct entity_def *e,
				   const struct record *old, struct record *r, struct rp_error *err)
{
	const struct value *type = after(old, r, "related_type");
	const struct value *id = after(old, r, "related_id");
	if ((type->kind == V_NULL) != (id->kind == V_NULL)) {
		rp_field_fail(err, type->kind == V_NULL ? "related_type" : "related_id", "required",
			      "related_type and related_id go together");
		return err->err;
	}
	if (type->kind == V_NULL || (!is_set(r, "related_type") && !is_set(r, "related_id")))
		return RP_OK;
	struct record *target;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (domain_get(d, model_entity(type->s), id->i, &target, &ignore))
		rp_field_fail(err, "related_id", "not_found", "no %s with id %lld", type->s,
			      (long long)id->i);
	else
		set_activity_account(r, type->s, target);
	return err->err;
}

/* The account an activity belongs to, kept on it so an account's
 * timeline is one index range (activities.account_id, created_at) however
 * many contacts and deals the account has. */
static void set_activity_account(struct record *r, const char *type, const struct record *target)
{
	int64_t acc = !strcmp(type, "accounts") ? record_int(target, "id")
		      : !strcmp(type, "leads")	? record_int(target, "converted_account_id")
						: record_int(target, "account_id");
	if (acc)
		record_set_int(r, "account_id", acc);
	else
		record_set_null(r, "account_id");
}

/* A contact or deal that moves to another account takes its activities. */
static enum rp_err follow_account(struct dctx *d, const struct entity_def *e,
				  const struct record *old, struct record *r, struct rp_error *err)
{
	const char *field = !strcmp(e->name, "leads") ? "converted_account_id" : "account_id";
	if (!old || !is_set(r, field))
		return RP_OK;
	const struct value *now = record_get(r, field);
	int64_t acc = now->kind == V_INT ? now->i : 0;
	if (acc == record_int(old, field))
		return RP_OK;
	return store_activities_account(d->c, e->name, record_int(old, "id"), acc, err);
}

static bool valid_scope(json_t *v)
{
	const char *s = json_string_value(v);
	return s &&
	       (!strcmp(s, "none") || !strcmp(s, "own") || !strcmp(s, "team") || !strcmp(s, "all"));
}

static bool valid_entity_perms(json_t *ep)
{
	const char *k;
	json_t *v;
	if (!json_is_object(ep))
		return false;
	json_object_foreach(ep, k, v)
	{
		if (!strcmp(k, "read") || !strcmp(k, "create") || !strcmp(k, "edit") ||
		    !strcmp(k, "delete")) {
			if (!valid_scope(v))
				return false;
		} else if (!strcmp(k, "hidden") || !strcmp(k, "readonly")) {
			size_t i;
			json_t *f;
			if (!json_is_array(v))
				return false;
			json_array_foreach(v, i, f) if (!json_is_string(f)) return false;
		} else {
			return false;
		}
	}
	return true;
}

static enum rp_err roles_hook(struct dctx *d, const struct entity_def *e, const struct record *old,
			      struct record *r, struct rp_error *err)
{
	const char *txt = record_text(r, "permissions");
	if (!txt)
		return RP_OK;
	json_t *perms = json_loads(txt, 0, NULL);
	const char *k;
	json_t *v;
	json_object_foreach(perms, k, v)
	{
		bool ok = !strcmp(k, "admin")
				  ? json_is_boolean(v)
				  : (!strcmp(k, "*") || model_entity(k)) && valid_entity_perms(v);
		if (!ok) {
			rp_field_fail(err, "permissions", "invalid_value",
				      "bad entry \"%s\": use {\"entity\":{\"read\":"
				      "\"none|own|team|all\",...,\"hidden\":[...]}}",
				      k);
			break;
		}
	}
	json_decref(perms);
	return err->err;
}

static const struct {
	const char *entity;
	hook_fn before_write;
} hooks[] = {
	{"users", users_hook},		 {"deals", deals_hook}, {"leads", leads_hook},
	{"activities", activities_hook}, {"roles", roles_hook}, {"contacts", follow_account},
};

enum rp_err hooks_before_write(struct dctx *d, const struct entity_def *e, const struct record *old,
			       struct record *r, struct rp_error *err)
{
	for (size_t i = 0; i < sizeof hooks / sizeof *hooks; i++)
		if (!strcmp(hooks[i].entity, e->name))
			return hooks[i].before_write(d, e, old, r, err);
	return RP_OK;
}
