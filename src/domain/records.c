/* records.c — the record service: create, update, delete, restore, get
 * and list for any entity, each write validated, authorised, checked
 * (references, unique values), written, indexed and audited in one
 * transaction. */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/jsonw.h"
#include "domain/hooks.h"
#include "model/registry.h"

static enum rp_err forbidden(struct rp_error *err, const char *what, const struct entity_def *e)
{
	return rp_fail(err, RP_EFORBIDDEN, "forbidden", "your role may not %s %s", what, e->name);
}

static enum rp_err not_found(struct rp_error *err, const struct entity_def *e, int64_t id)
{
	return rp_fail(err, RP_ENOTFOUND, "not_found", "%s %lld does not exist", e->singular,
		       (long long)id);
}

void domain_stamp_new(struct record *r, struct arena *a, int64_t user_id)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_text(r, a, "created_at", now);
	record_set_text(r, a, "updated_at", now);
	if (user_id)
		record_set_int(r, "created_by", user_id);
	record_set_int(r, "version", 1);
}

#define SEEN_SLOTS 8192 /* an import batch names up to thousands of accounts */

struct ref_seen {
	const struct entity_def *e;
	int64_t id;
};

void domain_remember_refs(struct dctx *d, bool on)
{
	free(d->seen);
	d->seen = on ? calloc(SEEN_SLOTS, sizeof *d->seen) : NULL;
	if (on && !d->seen)
		abort();
}

static struct ref_seen *seen_slot(struct dctx *d, const struct entity_def *e, int64_t id)
{
	return d->seen ? &d->seen[((uint64_t)id * 31u + (uint64_t)e->code) % SEEN_SLOTS] : NULL;
}

/* Owner and team only need to exist (a role may assign without reading
 * the users list); any other reference must be visible to the caller:
 * live, and in their read scope (a caller reading every row needs no
 * more than a live row, the cheaper look). The caller exists: the user
 * was read, live and active, to sign the caller in (most records are
 * owned by their author, and an import asks for every row). */
static bool ref_ok(struct dctx *d, const struct field_def *f, int64_t id)
{
	const struct entity_def *re = model_entity(f->ref);
	bool self = id > 0 && id == d->p->user_id && !strcmp(re->name, "users");
	if (f->flags & FF_SYSTEM)
		return self || store_exists(d->c, re, id);
	struct ref_seen *seen = seen_slot(d, re, id);
	if (seen && seen->e == re && seen->id == id)
		return true;
	struct record *target;
	struct rp_error ignore;
	rp_error_init(&ignore);
	bool ok = acl_scope(d->p, re, ACL_READ).scope == SCOPE_ALL
			  ? store_exists(d->c, re, id)
			  : domain_get(d, re, id, &target, &ignore) == RP_OK;
	if (ok && seen)
		*seen = (struct ref_seen){re, id};
	return ok;
}

/* Fields the client sent that the caller's role may not write, and
 * references that must point at records the caller can see (a reference
 * to a hidden record would confirm that it exists). */
static void check_fields(struct dctx *d, const struct entity_def *e, const struct record *r,
			 json_t *body, struct rp_error *err)
{
	for (int i = 0; i < r->n; i++) {
		const struct field_def *f = &e->fields[i];
		if (!r->set[i])
			continue;
		if (json_object_get(body, f->name) && acl_field_readonly(d->p, e, f))
			rp_field_fail(err, f->name, "read_only", "your role may not change %s",
				      f->name);
		else if (f->type == FT_REF && r->v[i].kind == V_INT && !(f->flags & FF_READONLY) &&
			 !ref_ok(d, f, r->v[i].i))
			rp_field_fail(err, f->name, "not_found", "no %s with id %lld", f->ref,
				      (long long)r->v[i].i);
	}
}

/* Below scope "all", a record can only be given to the caller or, with
 * scope "team", to a member of the caller's team, and only within the
 * caller's team: nobody hands records across teams they cannot see. */
static bool owner_allowed(struct dctx *d, const struct scope *s, const struct record *r)
{
	if (s->scope == SCOPE_ALL)
		return true;
	if (!acl_row_in_scope(s, r))
		return false;
	int64_t owner = record_int(r, "owner_id"), team = record_int(r, "team_id");
	if (team && team != d->p->team_id)
		return false;
	if (owner == d->p->user_id)
		return true;
	if (s->scope != SCOPE_TEAM || !d->p->team_id)
		return false;
	struct record *u;
	struct rp_error ignore;
	rp_error_init(&ignore);
	return store_get(d->c, model_entity("users"), owner, d->a, &u, &ignore) == RP_OK &&
	       record_int(u, "team_id") == d->p->team_id;
}

static enum rp_err check_unique(struct dctx *d, const struct entity_def *e, const struct record *r,
				int64_t id, struct rp_error *err)
{
	for (int i = 0; i < r->n; i++) {
		const struct field_def *f = &e->fields[i];
		if (!r->set[i] || !(f->flags & FF_UNIQUE) || r->v[i].kind == V_NULL)
			continue;
		if (store_value_taken(d->c, e, f, &r->v[i], id)) {
			rp_field_fail(err, f->name, "duplicate", "another %s has this %s",
				      e->singular, f->name);
			err->err = RP_ECONFLICT;
			snprintf(err->code, sizeof err->code, "duplicate");
		}
	}
	return err->err;
}

/* [{"field","old","new"}] for each set field that differs from old,
 * written directly: building and dumping a jansson tree was a tenth of an
 * import's CPU (profiled). */
static char *changes_json(const struct entity_def *e, const struct record *old,
			  const struct record *r)
{
	struct buf b;
	buf_init(&b, 0);
	struct jw w;
	jw_init(&w, &b);
	jw_arr(&w);
	for (int i = 0; i < r->n; i++) {
		const struct field_def *f = &e->fields[i];
		if (!r->set[i] || (f->flags & FF_SYSTEM && f->flags & FF_READONLY))
			continue;
		const struct value *ov = old && i < old->n ? &old->v[i] : NULL;
		if (ov && value_equal(ov, &r->v[i]))
			continue;
		jw_obj(&w);
		jw_kstr(&w, "field", f->name);
		jw_key(&w, "old");
		if (ov && f->type != FT_PASSWORD)
			model_write_value(&w, f, ov);
		else
			jw_null(&w);
		jw_key(&w, "new");
		if (f->type == FT_PASSWORD)
			jw_str(&w, "(changed)");
		else
			model_write_value(&w, f, &r->v[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	return buf_detach(&b, NULL);
}

static enum rp_err audit(struct dctx *d, const struct entity_def *e, int64_t id, const char *action,
			 const struct record *old, const struct record *r, struct rp_error *err)
{
	char *changes = r ? changes_json(e, old, r) : NULL;
	enum rp_err rc =
		store_audit_add(d->c, e, id, d->p->user_id, action, changes ? changes : "[]", err);
	free(changes);
	return rc;
}

/* Drops from r the set fields equal to old, so an update writes and
 * audits real changes only. Returns how many remain. */
static int keep_changes(struct record *r, const struct record *old)
{
	int n = 0;
	for (int i = 0; i < r->n; i++) {
		if (!r->set[i])
			continue;
		if (i < old->n && value_equal(&old->v[i], &r->v[i]))
			r->set[i] = false;
		else
			n++;
	}
	return n;
}

/* After the row is written (fresh: as stored): its search text,
 * duplicate keys and audit entry. */
static enum rp_err finish_write(struct dctx *d, const struct entity_def *e, struct record *fresh,
				const char *action, const struct record *old,
				const struct record *r, struct record **ret, struct rp_error *err)
{
	bool is_new = !old;
	int64_t id = record_int(fresh, "id");
	if ((is_new ? domain_index_new_record(d->c, e, id, fresh, d->a, err)
		    : domain_index_changed(d->c, e, id, old, fresh, d->a, err)) ||
	    audit(d, e, id, action, old, r, err))
		return err->err;
	if (ret)
		*ret = fresh;
	return RP_OK;
}

enum rp_err domain_create(struct dctx *d, const struct entity_def *e, json_t *body,
			  struct record **ret, struct rp_error *err)
{
	struct scope cs = acl_scope(d->p, e, ACL_CREATE);
	if (cs.scope == SCOPE_NONE)
		return forbidden(err, "create", e);
	struct record *r;
	if (model_validate_write(e, body, true, d->a, &r, err))
		return err->err;
	if (!record_get(r, "owner_id") || record_get(r, "owner_id")->kind == V_NULL ||
	    !r->set[entity_field_index(e, "owner_id")])
		record_set_int(r, "owner_id", d->p->user_id);
	if (!r->set[entity_field_index(e, "team_id")] && d->p->team_id)
		record_set_int(r, "team_id", d->p->team_id);
	if (!owner_allowed(d, &cs, r))
		return rp_fail(err, RP_EFORBIDDEN, "forbidden",
			       "your role may not create %s for that owner or team", e->name);
	domain_stamp_new(r, d->a, d->p->user_id);
	if (d->history && d->history->created_at)
		record_set_text(r, d->a, "created_at", d->history->created_at);
	if (store_begin(d->c, true, err))
		return err->err;
	struct record *fresh;
	check_fields(d, e, r, body, err);
	if (err->err || hooks_before_write(d, e, NULL, r, err) || check_unique(d, e, r, 0, err) ||
	    store_insert_fresh(d->c, r, d->a, &fresh, err) ||
	    finish_write(d, e, fresh, "create", NULL, r, ret, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

/* Reads a row the caller may see; deleted rows only when want_deleted. */
static enum rp_err get_visible(struct dctx *d, const struct entity_def *e, int64_t id,
			       bool want_deleted, struct record **ret, struct rp_error *err)
{
	struct scope rs = acl_scope(d->p, e, ACL_READ);
	struct record *r;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (rs.scope == SCOPE_NONE || store_get(d->c, e, id, d->a, &r, &ignore) ||
	    (record_get(r, "deleted_at")->kind != V_NULL) != want_deleted ||
	    !acl_row_in_scope(&rs, r))
		return not_found(err, e, id);
	*ret = r;
	return RP_OK;
}

enum rp_err domain_get(struct dctx *d, const struct entity_def *e, int64_t id, struct record **ret,
		       struct rp_error *err)
{
	return get_visible(d, e, id, false, ret, err);
}

static enum rp_err check_edit(struct dctx *d, const struct entity_def *e, enum acl_action act,
			      const struct record *old, int64_t if_match, struct rp_error *err)
{
	struct scope es = acl_scope(d->p, e, act);
	if (!acl_row_in_scope(&es, old))
		return forbidden(err, act == ACL_DELETE ? "delete" : "change", e);
	if (if_match >= 0 && record_int(old, "version") != if_match)
		return rp_fail(err, RP_EPRECOND, "version_conflict",
			       "the record changed since you read it (version "
			       "%lld now)",
			       (long long)record_int(old, "version"));
	return RP_OK;
}

static void stamp_update(struct record *r, struct arena *a, const struct record *old)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_text(r, a, "updated_at", now);
	record_set_int(r, "version", record_int(old, "version") + 1);
}

enum rp_err domain_update(struct dctx *d, const struct entity_def *e, int64_t id, json_t *body,
			  int64_t if_match, struct record **ret, struct rp_error *err)
{
	struct record *old, *r;
	if (model_validate_write(e, body, false, d->a, &r, err))
		return err->err;
	if (store_begin(d->c, true, err))
		return err->err;
	if (get_visible(d, e, id, false, &old, err) ||
	    check_edit(d, e, ACL_EDIT, old, if_match, err))
		goto fail;
	check_fields(d, e, r, body, err);
	if (err->err || hooks_before_write(d, e, old, r, err))
		goto fail;
	if (keep_changes(r, old) == 0) {
		store_rollback(d->c);
		*ret = old;
		return RP_OK;
	}
	/* the new owner/team must still be within what the caller may edit */
	struct record *merged = record_new(d->a, e);
	for (int i = 0; i < merged->n; i++)
		merged->v[i] = r->set[i] ? r->v[i] : old->v[i];
	struct scope es = acl_scope(d->p, e, ACL_EDIT);
	if ((r->set[entity_field_index(e, "owner_id")] ||
	     r->set[entity_field_index(e, "team_id")]) &&
	    !owner_allowed(d, &es, merged)) {
		rp_fail(err, RP_EFORBIDDEN, "forbidden",
			"your role may not give this %s to that owner or team", e->singular);
		goto fail;
	}
	stamp_update(r, d->a, old);
	struct record *fresh;
	if (check_unique(d, e, r, id, err) || store_update_fresh(d->c, r, id, d->a, &fresh, err) ||
	    finish_write(d, e, fresh, "update", old, r, ret, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

static enum rp_err set_deleted(struct dctx *d, const struct entity_def *e, int64_t id,
			       const struct record *old, bool deleted, struct record **ret,
			       struct rp_error *err)
{
	struct record *r = record_new(d->a, e);
	if (deleted) {
		char now[RP_TIME_LEN];
		clock_format(clock_now(), now);
		record_set_text(r, d->a, "deleted_at", now);
	} else {
		record_set_null(r, "deleted_at");
	}
	stamp_update(r, d->a, old);
	if (!deleted && check_unique(d, e, old, id, err))
		return err->err;
	struct record *fresh;
	if (store_update_fresh(d->c, r, id, d->a, &fresh, err) ||
	    audit(d, e, id, deleted ? "delete" : "restore", NULL, NULL, err))
		return err->err;
	if (ret)
		*ret = fresh;
	return RP_OK;
}

enum rp_err domain_delete(struct dctx *d, const struct entity_def *e, int64_t id, int64_t if_match,
			  struct rp_error *err)
{
	struct record *old;
	if (store_begin(d->c, true, err))
		return err->err;
	if (get_visible(d, e, id, false, &old, err) ||
	    check_edit(d, e, ACL_DELETE, old, if_match, err))
		goto fail;
	if (!strcmp(e->name, "users") && id == d->p->user_id) {
		rp_fail(err, RP_ECONFLICT, "conflict", "you cannot delete yourself");
		goto fail;
	}
	if (set_deleted(d, e, id, old, true, NULL, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

enum rp_err domain_restore(struct dctx *d, const struct entity_def *e, int64_t id,
			   struct record **ret, struct rp_error *err)
{
	struct record *old;
	if (store_begin(d->c, true, err))
		return err->err;
	if (get_visible(d, e, id, true, &old, err) || check_edit(d, e, ACL_DELETE, old, -1, err) ||
	    set_deleted(d, e, id, old, false, ret, err) || store_commit(d->c, err))
		goto fail;
	return RP_OK;
fail:
	store_rollback(d->c);
	return err->err;
}

static bool hidden_index(struct dctx *d, const struct entity_def *e, int fi)
{
	return acl_field_hidden(d->p, e, &e->fields[fi]);
}

enum rp_err domain_list(struct dctx *d, struct list_query *q, struct record ***ret_rows, int *ret_n,
			bool *ret_more, struct rp_error *err)
{
	const struct entity_def *e = q->ent;
	q->scope = acl_scope(d->p, e, ACL_READ);
	if (q->scope.scope == SCOPE_NONE)
		return forbidden(err, "read", e);
	if (q->deleted && acl_scope(d->p, e, ACL_DELETE).scope == SCOPE_NONE)
		return forbidden(err, "see deleted", e);
	for (int i = 0; i < q->nfilters; i++)
		if (hidden_index(d, e, q->filters[i].field))
			return rp_fail(err, RP_EINVAL, "invalid_filter", "%s cannot be filtered",
				       e->fields[q->filters[i].field].name);
	for (int i = 0; i < q->nsort; i++)
		if (hidden_index(d, e, q->sort[i].field))
			return rp_fail(err, RP_EINVAL, "invalid_sort", "cannot sort by %s",
				       e->fields[q->sort[i].field].name);
	if (q->q) {
		char *m = domain_fts_query(d->a, q->q);
		if (!m) {
			*ret_rows = NULL;
			*ret_n = 0;
			*ret_more = false;
			return RP_OK;
		}
		q->match = m;
	}
	return store_list(d->c, q, d->a, ret_rows, ret_n, ret_more, err);
}

static int summary_field(struct dctx *d, const struct entity_def *e, const char *name, bool numeric,
			 struct rp_error *err)
{
	int i = entity_field_index(e, name);
	const struct field_def *f = i >= 0 ? &e->fields[i] : NULL;
	bool ok = f && field_readable(f) && !acl_field_hidden(d->p, e, f) && f->type != FT_JSON &&
		  f->type != FT_TAGS &&
		  (!numeric || f->type == FT_INT || f->type == FT_MONEY || f->type == FT_NUMBER);
	if (!ok) {
		rp_fail(err, RP_EINVAL, "invalid_summary", "cannot %s %s",
			numeric ? "sum" : "group by", name);
		rp_field_fail(err, numeric ? "sum" : "group_by", "invalid_summary", "cannot %s %s",
			      numeric ? "sum" : "group by", name);
		return -1;
	}
	return i;
}

enum rp_err domain_summary(struct dctx *d, struct list_query *q, const char *group_by,
			   const char *sum, struct buf *out, struct rp_error *err)
{
	const struct entity_def *e = q->ent;
	int group[3], ngroup = 0, sum_field = -1;
	const char *p = group_by ? group_by : "";
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (ngroup == 3)
			return rp_fail(err, RP_EINVAL, "invalid_summary",
				       "group by at most 3 fields");
		char *name = arena_strndup(d->a, p, n);
		if ((group[ngroup++] = summary_field(d, e, name, false, err)) < 0)
			return err->err;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (sum && *sum && (sum_field = summary_field(d, e, sum, true, err)) < 0)
		return err->err;
	struct record **rows;
	int n;
	bool more;
	q->limit = 1; /* the list checks (scope, hidden filters) without reading */
	if (domain_list(d, q, &rows, &n, &more, err))
		return err->err;
	return store_aggregate(d->c, q, group, ngroup, sum_field, out, err);
}
