/* admin.c — `rapport user ...` and `rapport token ...`: administration
 * from the shell, acting as the first administrator through the same
 * record service the API uses (so rules, hashing and audit all apply). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/domain.h"
#include "model/registry.h"

/* The oldest active, live user with the admin role; 0 if none. */
static int64_t first_admin(struct store_conn *c, struct arena *a)
{
	const struct entity_def *users = model_entity("users");
	int64_t role = domain_role_by_name(c, "admin", a);
	struct query_param p[] = {{"role_id", arena_printf(a, "%lld", (long long)role)},
				  {"active", "true"},
				  {"limit", "1"}};
	struct list_query q;
	struct rp_error err;
	rp_error_init(&err);
	if (!role || model_parse_list_query(users, p, 3, a, &q, &err))
		return 0;
	q.scope = (struct scope){.scope = SCOPE_ALL};
	return store_first_id(c, &q, a);
}

int cli_acting_user(struct store *s, const char *email, struct arena *a, struct dctx *d)
{
	struct rp_error err;
	rp_error_init(&err);
	*d = (struct dctx){.a = a};
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

int cli_admin_open(struct config *cfg, const char *email, struct admin_session *as)
{
	/* a caller's session on its stack: no memo of references, no history */
	*as = (struct admin_session){0};
	as->s = cli_open_store(cfg);
	as->a = arena_new();
	if (cli_bootstrap(as->s))
		return 1;
	return cli_acting_user(as->s, email, as->a, &as->d);
}

void cli_admin_close(struct admin_session *as)
{
	arena_free(as->a);
	store_close(as->s);
}

const char *cli_opt(int argc, const char **argv, const char *name)
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

int cli_report(const struct rp_error *err)
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
	const char *name = cli_opt(argc, argv, "--name");
	const char *role = cli_opt(argc, argv, "--role");
	const char *password = cli_opt(argc, argv, "--password");
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
	const char *team = cli_opt(argc, argv, "--team");
	if (team)
		json_object_set_new(body, "team_id", json_integer(strtoll(team, NULL, 10)));
	struct record *r;
	struct rp_error err;
	rp_error_init(&err);
	int rc =
		domain_create(&as->d, model_entity("users"), body, &r, &err) ? cli_report(&err) : 0;
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
		return cli_report(&err);
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
			 ? cli_report(&err)
			 : 0;
	if (!rc)
		store_session_delete_user(as->d.c, id);
	json_decref(body);
	return rc;
}

/* Turns a user's two-factor sign-in off (a lost phone, or the last
 * administrator locked out), audited as the first administrator's. */
static int user_reset_2fa(struct admin_session *as, const char *email)
{
	int64_t id = user_id(as, email);
	struct record *r;
	struct rp_error err;
	rp_error_init(&err);
	if (!id)
		return 1;
	if (domain_totp_reset(&as->d, id, &r, &err))
		return cli_report(&err);
	printf("two-factor sign-in of %s is off; they sign in with their password\n", email);
	return 0;
}

int cmd_user(struct config *cfg, int argc, const char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "usage: rapport user add|list|passwd|disable|reset-2fa ...\n");
		return 2;
	}
	struct admin_session as = {0};
	int rc = cli_admin_open(cfg, NULL, &as);
	if (rc)
		goto out;
	const char *sub = argv[0];
	if (!strcmp(sub, "add")) {
		rc = user_add(&as, argc - 1, argv + 1);
	} else if (!strcmp(sub, "list")) {
		rc = user_list(&as);
	} else if (!strcmp(sub, "passwd") && argc >= 2) {
		const char *pw = cli_opt(argc, argv, "--password");
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
	} else if (!strcmp(sub, "reset-2fa") && argc >= 2) {
		rc = user_reset_2fa(&as, argv[1]);
	} else {
		fprintf(stderr, "usage: rapport user add|list|passwd EMAIL|disable EMAIL|"
				"reset-2fa EMAIL\n");
		rc = 2;
	}
out:
	cli_admin_close(&as);
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
	int rc = cli_admin_open(cfg, NULL, &as);
	struct rp_error err;
	rp_error_init(&err);
	if (rc)
		goto out;
	if (!strcmp(argv[0], "create")) {
		int64_t id = user_id(&as, cli_opt(argc, argv, "--user"));
		const char *name = cli_opt(argc, argv, "--name");
		char token[80];
		int64_t tid;
		if (!id)
			rc = 1;
		else if (domain_token_create(as.d.c, id, name ? name : "cli", token, &tid, &err))
			rc = cli_report(&err);
		else
			printf("%s\n", token);
	} else if (!strcmp(argv[0], "revoke") && argc >= 2) {
		if (store_token_revoke(as.d.c, strtoll(argv[1], NULL, 10), 0, &err))
			rc = cli_report(&err);
		else
			printf("token %s revoked\n", argv[1]);
	} else {
		rc = 2;
	}
out:
	cli_admin_close(&as);
	return rc;
}
