/* main.c — the rapport command: a table of subcommands over one core.
 * Exit codes: 0 success, 1 failure, 2 bad usage. */
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/textkey.h"
#include "domain/dedup.h"
#include "domain/domain.h"
#include "model/registry.h"

static int cmd_init(struct config *cfg, int argc, const char **argv);
static int cmd_migrate(struct config *cfg, int argc, const char **argv);
static int cmd_backup(struct config *cfg, int argc, const char **argv);
static int cmd_check(struct config *cfg, int argc, const char **argv);

static const struct {
	const char *name;
	int (*fn)(struct config *, int, const char **);
	const char *usage, *help;
	const char *const *more; /* a longer --help, if the command has one */
} commands[] = {
	{"serve", cmd_serve, "serve [--listen HOST:PORT]", "run the HTTP server and job worker",
	 NULL},
	{"init", cmd_init, "init", "create the database, default roles and the first admin", NULL},
	{"migrate", cmd_migrate, "migrate", "bring the database schema up to date", NULL},
	{"user", cmd_user, "user add|list|passwd|disable|reset-2fa ...", "manage users", NULL},
	{"token", cmd_token, "token create|revoke ...", "manage API tokens", NULL},
	{"demo", cmd_demo, "demo [--scale N] [--activities N]", "fill the database with demo data",
	 NULL},
	{"backup", cmd_backup, "backup FILE | --verify FILE",
	 "copy the live database to FILE (then checked), or check a copy", NULL},
	{"check", cmd_check, "check", "check the database: pages, indexes, references, search",
	 NULL},
	{"export", cmd_export, "export ENTITY|--all DIR [options]",
	 "records as csv|xlsx|vcf (--format --filter --fields --sort --bom -o --user), "
	 "or with --all DIR a full backup",
	 &cli_export_help},
	{"import", cmd_import, "import ENTITY FILE [options] | --undo ID | --all DIR",
	 "CSV, XLSX or vCard rows into records (rapport import --help), or restore a backup",
	 &cli_import_help},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(void)
{
	fprintf(stderr, "usage: rapport COMMAND [--db PATH] [options]\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "  %-36s %s\n", commands[i].usage, commands[i].help);
	config_usage();
}

static void ensure_parent_dir(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", path);
	char *dir = dirname(copy);
	struct stat st;
	if (strcmp(dir, ".") && stat(dir, &st) != 0)
		mkdir(dir, 0750);
}

/* A command or server started while another process writes batch after
 * batch (an import) can find the write lock taken each time it asks, for
 * longer than the busy timeout: it waits its turn, up to a minute, rather
 * than exit. */
#define MIGRATE_WAIT_NS (60 * 1000000000LL)

static enum rp_err migrate_waiting(struct store *s, struct rp_error *err)
{
	int64_t until = clock_mono_ns() + MIGRATE_WAIT_NS;
	for (bool said = false;; said = true) {
		enum rp_err rc = store_migrate(s, err);
		if (rc != RP_EBUSY || clock_mono_ns() >= until)
			return rc;
		if (!said)
			fprintf(stderr, "rapport: another process is writing; waiting for the "
					"database\n");
		rp_error_init(err);
	}
}

struct store *cli_open_store(const struct config *cfg)
{
	struct rp_error err;
	rp_error_init(&err);
	struct store *s = NULL;
	struct store_options opt = {.busy_timeout_ms = (int)cfg->busy_timeout,
				    .synchronous_full = !cfg->no_sync,
				    .replica_url = *cfg->db_replica ? cfg->db_replica : NULL};
	ensure_parent_dir(cfg->db);
	if (store_open(cfg->db, &opt, &s, &err) || migrate_waiting(s, &err)) {
		fprintf(stderr, "rapport: %s\n", err.detail);
		store_close(s);
		exit(1);
	}
	/* on PostgreSQL the files kept beside the database (uploads, imports,
	 * exports) go to the data folder, which nothing else makes */
	ensure_parent_dir(store_path(s));
	return s;
}

/* Creates the default roles and the first admin if there are no users. */
int cli_bootstrap(struct store *s)
{
	const char *email = getenv("RAPPORT_ADMIN_EMAIL");
	const char *password = getenv("RAPPORT_ADMIN_PASSWORD");
	if (!email || !*email)
		email = "admin@example.com";
	char generated[33];
	bool created;
	struct rp_error err;
	rp_error_init(&err);
	if (domain_bootstrap(s, email, password, generated, &created, &err)) {
		fprintf(stderr, "rapport: %s\n", err.detail);
		return 1;
	}
	if (created && generated[0])
		fprintf(stderr,
			"rapport: created admin %s with password %s "
			"(shown once; change it with 'rapport user passwd')\n",
			email, generated);
	else if (created)
		fprintf(stderr, "rapport: created admin %s\n", email);
	return 0;
}

static int cmd_init(struct config *cfg, int argc, const char **argv)
{
	struct store *s = cli_open_store(cfg);
	int rc = cli_bootstrap(s);
	store_close(s);
	return rc;
}

static int cmd_migrate(struct config *cfg, int argc, const char **argv)
{
	struct store *s = cli_open_store(cfg);
	struct rp_error err;
	rp_error_init(&err);
	struct store_conn *c = store_conn(s, &err);
	printf("schema version %d\n", c ? store_schema_version(c) : 0);
	store_close(s);
	return 0;
}

/* Opens the database file at path as it is (no migration) and runs the
 * store's checks on it; a PostgreSQL dump is read back whole instead. */
static int check_file(const char *path)
{
	struct rp_error err;
	rp_error_init(&err);
	struct store *s = NULL;
	struct store_conn *c = NULL;
	struct stat st;
	const char *file = strncmp(path, "sqlite:", 7) ? path : path + 7;
	bool url = strstr(path, "://") != NULL; /* postgres://: no file */
	if (!url && stat(file, &st) != 0)
		rp_fail(&err, RP_ENOTFOUND, "not_found", "%s does not exist", file);
	else if (!url && store_is_pg_dump(file))
		store_pg_dump_verify(file, &err);
	else if (store_open(path, NULL, &s, &err) == RP_OK && (c = store_conn(s, &err)))
		store_check(c, &err);
	if (c && !err.err && store_schema_version(c) <= 0)
		rp_fail(&err, RP_EINVAL, "not_rapport", "%s is not a Rapport database", path);
	store_close(s);
	if (err.err) {
		fprintf(stderr, "rapport: %s: %s\n", path, err.detail);
		return 1;
	}
	fprintf(stderr, "rapport: %s is consistent\n", path);
	return 0;
}

static int cmd_backup(struct config *cfg, int argc, const char **argv)
{
	if (argc == 2 && !strcmp(argv[0], "--verify"))
		return check_file(argv[1]);
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: rapport backup FILE | rapport backup --verify FILE\n");
		return 2;
	}
	struct stat st;
	if (stat(argv[0], &st) == 0) {
		fprintf(stderr, "rapport: %s exists; not overwriting it\n", argv[0]);
		return 1;
	}
	struct store *s = cli_open_store(cfg);
	struct rp_error err;
	rp_error_init(&err);
	int rc = store_backup(s, argv[0], &err) ? 1 : 0;
	store_close(s);
	if (rc) {
		fprintf(stderr, "rapport: %s\n", err.detail);
		return rc;
	}
	fprintf(stderr, "rapport: backed up to %s\n", argv[0]);
	return check_file(argv[0]);
}

static int cmd_check(struct config *cfg, int argc, const char **argv)
{
	if (argc != 0) {
		fprintf(stderr, "usage: rapport check [--db PATH]\n");
		return 2;
	}
	return check_file(cfg->db);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "rapport: cannot initialise libsodium\n");
		return 1;
	}
	model_init();
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, argv[1]))
			continue;
		struct config cfg;
		const char *args[256];
		int nargs = 0;
		if (argc > 256) {
			fprintf(stderr, "rapport: too many arguments\n");
			return 2;
		}
		config_load(&cfg, argc - 2, argv + 2, args, &nargs);
		for (int a = 0; a < nargs; a++)
			if (!strcmp(args[a], "--help")) {
				fprintf(stderr, "usage: rapport %s\n%s\n", commands[i].usage,
					commands[i].help);
				if (commands[i].more)
					fprintf(stderr, "\n%s\n", *commands[i].more);
				config_usage();
				return 0;
			}
		if (cfg.default_country && *cfg.default_country &&
		    !dedup_known_country(cfg.default_country)) {
			fprintf(stderr,
				"rapport: --default-country %s is not a country code Rapport "
				"knows\n",
				cfg.default_country);
			return 2;
		}
		dedup_set_default_country(cfg.default_country);
		int rc = commands[i].fn(&cfg, nargs, args);
		model_shutdown();
		textkey_shutdown();
		return rc;
	}
	fprintf(stderr, "rapport: unknown command '%s'\n", argv[1]);
	usage();
	return 2;
}
