/* acl.c — roles and scopes. A role's permissions are JSON:
 *   {"admin":true} or
 *   {"*":{"read":"all",...}, "deals":{"read":"team","create":"all",
 *    "edit":"own","delete":"none","hidden":["amount"],"readonly":[...]}}
 * An entity's entry overrides "*"; a missing action means "none". */
#include "domain/domain.h"

#include <string.h>

#include "model/registry.h"

static void decref(void *p)
{
	json_decref(p);
}

enum rp_err domain_principal(struct store_conn *c, int64_t user_id, struct arena *a,
			     struct principal **ret, struct rp_error *err)
{
	const struct entity_def *users = model_entity("users");
	struct record *u, *role = NULL;
	struct rp_error ignore;
	rp_error_init(&ignore);
	/* the user and the role in one statement: every request asks */
	if (store_get_with_ref(c, users, user_id, "role_id", a, &u, &role, &ignore) ||
	    record_get(u, "deleted_at")->kind != V_NULL || !record_int(u, "active"))
		return rp_fail(err, RP_EUNAUTH, "unauthorized", "the user is unknown or disabled");
	struct principal *p = arena_alloc(a, sizeof *p);
	p->user_id = user_id;
	p->team_id = record_int(u, "team_id");
	p->role_id = record_int(u, "role_id");
	p->two_factor = record_int(u, "two_factor") != 0;
	p->user = u;
	if (role) {
		const char *perms = record_text(role, "permissions");
		p->perms = perms ? json_loads(perms, 0, NULL) : NULL;
		if (p->perms)
			arena_on_release(a, decref, p->perms);
		p->admin = json_is_true(json_object_get(p->perms, "admin"));
		p->require_2fa = record_int(role, "require_2fa") != 0;
	}
	*ret = p;
	return RP_OK;
}

static json_t *entity_perms(const struct principal *p, const struct entity_def *e)
{
	json_t *ep = json_object_get(p->perms, e->name);
	return ep ? ep : json_object_get(p->perms, "*");
}

struct scope acl_scope(const struct principal *p, const struct entity_def *e, enum acl_action act)
{
	static const char *const names[] = {"read", "create", "edit", "delete"};
	struct scope s = {SCOPE_NONE, p->user_id, p->team_id};
	if (p->admin) {
		s.scope = SCOPE_ALL;
		return s;
	}
	const char *v = json_string_value(json_object_get(entity_perms(p, e), names[act]));
	if (!v)
		return s;
	if (!strcmp(v, "all"))
		s.scope = SCOPE_ALL;
	else if (!strcmp(v, "team"))
		s.scope = SCOPE_TEAM;
	else if (!strcmp(v, "own"))
		s.scope = SCOPE_OWN;
	return s;
}

bool acl_row_in_scope(const struct scope *s, const struct record *r)
{
	int64_t owner = record_int(r, "owner_id"), team = record_int(r, "team_id");
	switch (s->scope) {
	case SCOPE_ALL: return true;
	case SCOPE_TEAM: return owner == s->user_id || (s->team_id && team == s->team_id);
	case SCOPE_OWN: return owner == s->user_id;
	default: return false;
	}
}

static bool listed(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return true;
	}
	return false;
}

bool acl_field_hidden(const struct principal *p, const struct entity_def *e,
		      const struct field_def *f)
{
	if (p->admin || !strcmp(f->name, "id"))
		return false;
	return listed(json_object_get(entity_perms(p, e), "hidden"), f->name);
}

bool acl_field_readonly(const struct principal *p, const struct entity_def *e,
			const struct field_def *f)
{
	if (p->admin)
		return false;
	json_t *ep = entity_perms(p, e);
	return listed(json_object_get(ep, "readonly"), f->name) ||
	       listed(json_object_get(ep, "hidden"), f->name);
}

const bool *acl_visible_fields(const struct dctx *d, const struct entity_def *e)
{
	int n = entity_nfields(e);
	bool *vis = arena_alloc(d->a, sizeof *vis * (size_t)n);
	for (int i = 0; i < n; i++)
		vis[i] = field_readable(&e->fields[i]) && !acl_field_hidden(d->p, e, &e->fields[i]);
	return vis;
}
