/* admin.c — `rapport user ...` and `rapport token ...`: administration
 * from the shell, acting as the first administrator through the same
 * record service the API uses (so rules, hashing and audit all apply). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/domain.h"
#include "model/registry.h"

struct admin_session {
	struct store *s;
	struct arena *a;
	struct dctx d;
};

static int open_admin(struct config *cfg, struct admin_session *as)
{
	int cli_bootstrap(struct store * s);
	struct rp_error err;
	rp_error_init(&err);
	as->s = cli_open_store(cfg);
	as->a = arena_new();
	if (cli_bootstrap(as->s))
		return 1;
	as->d.c = store_conn(as->s, &err);
	as->d.a = as->a;
	struct principal *p = NULL;
	const struct entity_def *users = model_entity("users");
	/* the acting administrator: the oldest active user with the admin role */
	int64_t admin_role = domain_role_by_name(as->d.c, "admin", as->a);
	for (int64_t id = 1; id < 1000 && !p; id++) {
		struct record *u;
		struct rp_error ignore;
		rp_error_init(&ignore);
		if (store_get(as->d.c, users, id, as->a, &u, &ignore) == RP_OK &&
		    record_int(u, "role_id") == admin_role)
			domain_principal(as->d.c, id, as->a, &p, &ignore);
	}
	if (!p) {
		fprintf(stderr, "rapport: no active administrator found\n");
		return 1;
	}
	as->d.p = p;
	return 0;
}

/* The oldest active, live user with the admin role; 0 if none. */
static int64_t first_admin(struct store_conn *c, struct arena *a)
{
	const struct entity_def *users = model_entity("users");
	int64_t role = domain_role_by_name(c, "admin", a);
	struct query_param p[] = {{"role_id", arena_printf(a, "%lld", (long long)role)},
				  {"active", "true"},
				  {"limit", "1"}};
	struct list_query q;
	struct record **rows;
	int n = 0;
	bool more;
	struct rp_error err;
	rp_error_init(&err);
	if (!role || model_parse_list_query(users, p, 3, a, &q, &err))
		return 0;
	q.scope = (struct scope){.scope = SCOPE_ALL};
	if (store_list(c, &q, a, &rows, &n, &more, &err) || n == 0)
		return 0;
	return record_int(rows[0], "id");
}

int cli_acting_user(struct store *s, const char *email, struct arena *a, struct dctx *d)
{
	struct rp_error err;
	rp_error_init(&err);
	d->a = a;
	if (!(d->c = store_conn(s, &err))) {
		fprintf(stderr, "rapport: %s\n", err.detail);
		return 1;
	}
	int64_t id = email ? domain_user_by_email(d->c, email, a) : first_admin(d->c, a);
	struct principal *p = NULL;
	if (!id || domain_principal(d->c, id, a, &p, &err)) {
		if (email)
			fprintf(stderr, "rapport: no active user with e-mail %s\n", email);
		else
			fprintf(stderr, "rapport: no active administrator (run rapport init)\n");
		return 1;
	}
	d->p = p;
	return 0;
}

static void close_admin(struct admin_session *as)
{
	arena_free(as->a);
	store_close(as->s);
}

static const char *opt(int argc, const char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], name) && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	}
	return NULL;
}

static int report(const struct rp_error *err)
{
	fprintf(stderr, "rapport: %s\n", err->detail);
	for (int i = 0; i < err->nfields; i++)
		fprintf(stderr, "  %s: %s\n", err->fields[i].field, err->fields[i].message);
	return 1;
}

static int64_t user_id(struct admin_session *as, const char *email)
{
	int64_t id = email ? domain_user_by_email(as->d.c, email, as->a) : 0;
	if (!id)
		fprintf(stderr, "rapport: no user with e-mail %s\n", email ? email : "(none)");
	return id;
}

static int user_add(struct admin_session *as, int argc, const char **argv)
{
	const char *email = argc > 0 ? argv[0] : NULL;
	const char *name = opt(argc, argv, "--name");
	const char *role = opt(argc, argv, "--role");
	const char *password = opt(argc, argv, "--password");
	char generated[33] = "";
	if (!email || !name) {
		fprintf(stderr, "usage: rapport user add EMAIL --name NAME [--role ROLE] "
				"[--team TEAM_ID] [--password PW]\n");
		return 2;
	}
	int64_t role_id = domain_role_by_name(as->d.c, role ? role : "sales", as->a);
	if (!role_id) {
		fprintf(stderr, "rapport: no role named %s\n", role ? role : "sales");
		return 1;
	}
	if (!password) {
		domain_random_hex(generated, 8);
		password = generated;
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:I}", "email", email, "name", name, "password",
				 password, "role_id", (json_int_t)role_id);
	const char *team = opt(argc, argv, "--team");
	if (team)
		json_object_set_new(body, "team_id", json_integer(strtoll(team, NULL, 10)));
	struct record *r;
	struct rp_error err;
	rp_error_init(&err);
	int rc = domain_create(&as->d, model_entity("users"), body, &r, &err) ? report(&err) : 0;
	json_decref(body);
	if (!rc)
		printf("user %lld %s created%s%s\n", (long long)record_int(r, "id"), email,
		       generated[0] ? " with password " : "", generated);
	return rc;
}

static int user_list(struct admin_session *as)
{
	const struct entity_def *users = model_entity("users");
	struct list_query q;
	struct rp_error err;
	rp_error_init(&err);
	struct query_param p[] = {{"limit", "500"}, {"sort", "email"}};
	struct record **rows;
	int n;
	bool more;
	if (model_parse_list_query(users, p, 2, as->a, &q, &err) ||
	    domain_list(&as->d, &q, &rows, &n, &more, &err))
		return report(&err);
	for (int i = 0; i < n; i++)
		printf("%lld\t%s\t%s\trole %lld\t%s\n", (long long)record_int(rows[i], "id"),
		       record_text(rows[i], "email"), record_text(rows[i], "name"),
		       (long long)record_int(rows[i], "role_id"),
		       record_int(rows[i], "active") ? "active" : "disabled");
	return 0;
}

static int user_patch(struct admin_session *as, const char *email, json_t *body)
{
	int64_t id = user_id(as, email);
	struct record *r;
	struct rp_error err;
	rp_error_init(&err);
	int rc = !id ? 1
		 : domain_update(&as->d, model_entity("users"), id, body, -1, &r, &err)
			 ? report(&err)
			 : 0;
	if (!rc)
		store_session_delete_user(as->d.c, id);
	json_decref(body);
	return rc;
}

int cmd_user(struct config *cfg, int argc, const char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "usage: rapport user add|list|passwd|disable ...\n");
		return 2;
	}
	struct admin_session as = {0};
	int rc = open_admin(cfg, &as);
	if (rc)
		goto out;
	const char *sub = argv[0];
	if (!strcmp(sub, "add")) {
		rc = user_add(&as, argc - 1, argv + 1);
	} else if (!strcmp(sub, "list")) {
		rc = user_list(&as);
	} else if (!strcmp(sub, "passwd") && argc >= 2) {
		const char *pw = opt(argc, argv, "--password");
		char generated[33] = "";
		if (!pw) {
			domain_random_hex(generated, 8);
			pw = generated;
		}
		rc = user_patch(&as, argv[1], json_pack("{s:s}", "password", pw));
		if (!rc)
			printf("password of %s changed%s%s\n", argv[1], generated[0] ? " to " : "",
			       generated);
	} else if (!strcmp(sub, "disable") && argc >= 2) {
		rc = user_patch(&as, argv[1], json_pack("{s:b}", "active", 0));
		if (!rc)
			printf("%s disabled; their sessions are closed\n", argv[1]);
	} else {
		fprintf(stderr, "usage: rapport user add|list|passwd EMAIL|disable EMAIL\n");
		rc = 2;
	}
out:
	close_admin(&as);
	return rc;
}

int cmd_token(struct config *cfg, int argc, const char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "usage: rapport token create --user EMAIL [--name NAME] | "
				"revoke ID\n");
		return 2;
	}
	struct admin_session as = {0};
	int rc = open_admin(cfg, &as);
	struct rp_error err;
	rp_error_init(&err);
	if (rc)
		goto out;
	if (!strcmp(argv[0], "create")) {
		int64_t id = user_id(&as, opt(argc, argv, "--user"));
		const char *name = opt(argc, argv, "--name");
		char token[80];
		int64_t tid;
		if (!id)
			rc = 1;
		else if (domain_token_create(as.d.c, id, name ? name : "cli", token, &tid, &err))
			rc = report(&err);
		else
			printf("%s\n", token);
	} else if (!strcmp(argv[0], "revoke") && argc >= 2) {
		if (store_token_revoke(as.d.c, strtoll(argv[1], NULL, 10), 0, &err))
			rc = report(&err);
		else
			printf("token %s revoked\n", argv[1]);
	} else {
		rc = 2;
	}
out:
	close_admin(&as);
	return rc;
}
