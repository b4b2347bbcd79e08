/* bootstrap.c — a new database's first state: the default roles, the
 * first administrator and a default sales pipeline; and passwords. */
#include "domain/domain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "model/registry.h"

static const char *const shared_read =
	"\"users\":{\"read\":\"all\"},\"teams\":{\"read\":\"all\"},"
	"\"roles\":{\"read\":\"all\"},\"pipelines\":{\"read\":\"all\"},"
	"\"stages\":{\"read\":\"all\"},\"products\":{\"read\":\"all\"},"
	"\"tags\":{\"read\":\"all\",\"create\":\"all\"},"
	"\"saved_views\":{\"read\":\"all\",\"create\":\"all\",\"edit\":\"own\",\"delete\":\"own\"},"
	"\"imports\":{\"read\":\"own\",\"create\":\"all\",\"edit\":\"own\"},"
	"\"import_templates\":{\"read\":\"all\",\"create\":\"all\",\"edit\":\"own\","
	"\"delete\":\"own\"}";

static const struct {
	const char *name, *description, *perms; /* perms: %s = shared_read */
} default_roles[] = {
	{"admin", "Everything, including users, roles and custom fields", "{\"admin\":true}"},
	{"manager", "Reads and edits every record; deletes within the team",
	 "{\"*\":{\"read\":\"all\",\"create\":\"all\",\"edit\":\"all\",\"delete\":\"team\"},%s}"},
	{"sales", "Own and team's accounts, contacts, leads, deals and activities",
	 "{\"*\":{\"read\":\"team\",\"create\":\"team\",\"edit\":\"own\",\"delete\":\"own\"},%s}"},
	{"service", "Customers and their activities; reads the team's deals",
	 "{\"accounts\":{\"read\":\"all\",\"create\":\"team\",\"edit\":\"team\"},"
	 "\"contacts\":{\"read\":\"all\",\"create\":\"team\",\"edit\":\"team\"},"
	 "\"activities\":{\"read\":\"team\",\"create\":\"team\",\"edit\":\"own\",\"delete\":"
	 "\"own\"},"
	 "\"deals\":{\"read\":\"team\"},%s}"},
	{"marketing", "Leads and contacts; no deals",
	 "{\"leads\":{\"read\":\"all\",\"create\":\"all\",\"edit\":\"all\",\"delete\":\"team\"},"
	 "\"contacts\":{\"read\":\"all\",\"create\":\"team\",\"edit\":\"team\"},"
	 "\"accounts\":{\"read\":\"all\"},"
	 "\"activities\":{\"read\":\"team\",\"create\":\"team\",\"edit\":\"own\",\"delete\":"
	 "\"own\"},%s}"},
	{"finance", "Reads everything; keeps products and prices",
	 "{\"*\":{\"read\":\"all\"},\"products\":{\"read\":\"all\",\"create\":\"all\",\"edit\":"
	 "\"all\",\"delete\":\"all\"},"
	 "\"deals\":{\"read\":\"all\",\"edit\":\"all\"},"
	 "\"saved_views\":{\"read\":\"all\",\"create\":\"all\",\"edit\":\"own\",\"delete\":\"own\"}"
	 "}"},
	{"read-only", "Reads everything, changes nothing",
	 "{\"*\":{\"read\":\"all\"},\"saved_views\":{\"read\":\"all\",\"create\":\"all\",\"edit\":"
	 "\"own\",\"delete\":\"own\"}}"},
};

static const struct {
	const char *name, *kind;
	int probability;
} default_stages[] = {
	{"Prospecting", "open", 10}, {"Qualification", "open", 25}, {"Proposal", "open", 50},
	{"Negotiation", "open", 75}, {"Won", "won", 100},	    {"Lost", "lost", 0},
};

enum rp_err domain_hash_password(const char *pw, char out[PASSWORD_HASH_MAX], struct rp_error *err)
{
	_Static_assert(crypto_pwhash_STRBYTES <= PASSWORD_HASH_MAX, "hash size");
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return rp_fail(err, RP_EINTERNAL, "internal_error",
			       "out of memory hashing a password");
	return RP_OK;
}

bool domain_verify_password(const char *hash, const char *pw)
{
	return hash && crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static int64_t find_by(struct store_conn *c, const char *entity, const char *field,
		       const char *value, struct arena *a)
{
	const struct entity_def *e = model_entity(entity);
	struct list_query q = {.ent = e, .limit = 1, .scope = {SCOPE_ALL}};
	struct value v = {.kind = V_TEXT, .s = value, .len = strlen(value)};
	q.filters[0] = (struct filter){entity_field_index(e, field), OP_EQ, &v, 1};
	q.nfilters = 1;
	q.sort[0] = (struct sort_key){0, false};
	q.nsort = 1;
	return store_first_id(c, &q, a);
}

int64_t domain_user_by_email(struct store_conn *c, const char *email, struct arena *a)
{
	char *low = arena_strdup(a, email);
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return find_by(c, "users", "email", low, a);
}

int64_t domain_role_by_name(struct store_conn *c, const char *name, struct arena *a)
{
	return find_by(c, "roles", "name", name, a);
}

static enum rp_err insert(struct store_conn *c, struct record *r, struct arena *a, int64_t *ret_id,
			  struct rp_error *err)
{
	domain_stamp_new(r, a, 0);
	int64_t id;
	if (store_insert(c, r, &id, err) || domain_index_new_record(c, r->ent, id, r, a, err))
		return err->err;
	if (ret_id)
		*ret_id = id;
	return RP_OK;
}

static enum rp_err seed_roles(struct store_conn *c, struct arena *a, int64_t *ret_admin_role,
			      struct rp_error *err)
{
	const struct entity_def *roles = model_entity("roles");
	for (size_t i = 0; i < sizeof default_roles / sizeof *default_roles; i++) {
		struct record *r = record_new(a, roles);
		char perms[2048];
		snprintf(perms, sizeof perms, default_roles[i].perms, shared_read);
		record_set_text(r, a, "name", default_roles[i].name);
		record_set_text(r, a, "description", default_roles[i].description);
		record_set_text(r, a, "permissions", perms);
		record_set_int(r, "require_2fa", 0);
		record_set_text(r, a, "tags", "[]");
		if (insert(c, r, a, i == 0 ? ret_admin_role : NULL, err))
			return err->err;
	}
	return RP_OK;
}

static enum rp_err seed_pipeline(struct store_conn *c, struct arena *a, int64_t owner,
				 struct rp_error *err)
{
	struct record *p = record_new(a, model_entity("pipelines"));
	record_set_text(p, a, "name", "Sales");
	record_set_int(p, "is_default", 1);
	record_set_text(p, a, "currency", "USD");
	record_set_int(p, "owner_id", owner);
	record_set_text(p, a, "tags", "[]");
	int64_t pid;
	if (insert(c, p, a, &pid, err))
		return err->err;
	for (size_t i = 0; i < sizeof default_stages / sizeof *default_stages; i++) {
		struct record *s = record_new(a, model_entity("stages"));
		record_set_int(s, "pipeline_id", pid);
		record_set_text(s, a, "name", default_stages[i].name);
		record_set_int(s, "position", (int64_t)i + 1);
		record_set_int(s, "probability", default_stages[i].probability);
		record_set_text(s, a, "kind", default_stages[i].kind);
		record_set_int(s, "owner_id", owner);
		record_set_text(s, a, "tags", "[]");
		if (insert(c, s, a, NULL, err))
			return err->err;
	}
	return RP_OK;
}

static void generate_password(char out[33])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 20; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[20] = '\0';
}

enum rp_err domain_bootstrap(struct store *s, const char *email, const char *password,
			     char ret_generated[33], bool *ret_created, struct rp_error *err)
{
	struct store_conn *c = store_conn(s, err);
	if (!c)
		return err->err;
	ret_generated[0] = '\0';
	*ret_created = false;
	if (store_count(c, model_entity("users")) > 0)
		return RP_OK;
	if (!password || !*password) {
		generate_password(ret_generated);
		password = ret_generated;
	} else if (strlen(password) < 8) {
		return rp_fail(err, RP_EINVAL, "weak_password",
			       "the admin password needs at least 8 characters");
	}
	char hash[PASSWORD_HASH_MAX];
	if (domain_hash_password(password, hash, err))
		return err->err;
	struct arena *a = arena_new();
	int64_t admin_role = 0, admin = 0;
	enum rp_err rc = store_begin(c, true, err);
	if (rc)
		goto out;
	struct record *u = record_new(a, model_entity("users"));
	record_set_text(u, a, "email", email);
	record_set_text(u, a, "name", "Administrator");
	record_set_text(u, a, "password", hash);
	record_set_text(u, a, "locale", "en");
	record_set_text(u, a, "time_zone", "UTC");
	record_set_int(u, "active", 1);
	record_set_int(u, "two_factor", 0);
	record_set_text(u, a, "tags", "[]");
	if ((rc = seed_roles(c, a, &admin_role, err)))
		goto fail;
	record_set_int(u, "role_id", admin_role);
	if ((rc = insert(c, u, a, &admin, err)) || (rc = seed_pipeline(c, a, admin, err)) ||
	    (rc = store_commit(c, err)))
		goto fail;
	*ret_created = true;
	goto out;
fail:
	store_rollback(c);
out:
	arena_free(a);
	return rc;
}
