/* cli.h — shared by the subcommands: configuration and the open store. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "domain/domain.h"
#include "store/store.h"

/* Every setting, from defaults < environment (RAPPORT_*) < flags. */
struct config {
	const char *db;
	const char *db_replica;
	const char *listen;
	const char *web_dir;
	const char *default_country;
	long threads;
	long max_body;
	long session_ttl;
	long conn_timeout;
	long max_conns;
	long max_conns_per_ip;
	long rate_limit;
	long login_failures;
	long busy_timeout;
	bool cookie_secure;
	bool quiet;
	bool no_sync;
};

/* Parses --key value / --key=value flags the config table knows and
 * leaves the rest (positional arguments) in ret_args. Exits with a
 * message on an unknown flag or a bad value. */
void config_load(struct config *cfg, int argc, char **argv, const char **ret_args, int *ret_nargs);
void config_usage(void);

/* Opens and migrates the database named by cfg; exits on failure. */
struct store *cli_open_store(const struct config *cfg);

/* Creates the default roles and the first admin if there are no users. */
int cli_bootstrap(struct store *s);

/* Fills d (connection and principal) for acting as the user with that
 * e-mail, or as the first active administrator when email is NULL.
 * Returns 0, or 1 after a message when there is no such active user. */
int cli_acting_user(struct store *s, const char *email, struct arena *a, struct dctx *d);

/* A command acting through the record service: opens the database (and
 * initialises an empty one), then acts as cli_acting_user does. */
struct admin_session {
	struct store *s;
	struct arena *a;
	struct dctx d;
};
int cli_admin_open(struct config *cfg, const char *email, struct admin_session *as);
void cli_admin_close(struct admin_session *as);
/* The value of --name VALUE or --name=VALUE among argv, or NULL. */
const char *cli_opt(int argc, const char **argv, const char *name);
/* A whole number as written, from min to max ("1e6", "10k" or "" are not
 * numbers, nor is 6 read from "6e1"). */
bool cli_number(const char *s, long long min, long long max, long long *ret);
/* Prints an error and its field errors; returns 1. */
int cli_report(const struct rp_error *err);

int cmd_serve(struct config *cfg, int argc, const char **argv);
int cmd_import(struct config *cfg, int argc, const char **argv);
extern const char *const cli_import_help;
extern const char *const cli_export_help;
int cmd_user(struct config *cfg, int argc, const char **argv);
int cmd_token(struct config *cfg, int argc, const char **argv);
int cmd_demo(struct config *cfg, int argc, const char **argv);
int cmd_export(struct config *cfg, int argc, const char **argv);
/* `export --all DIR` and `import --all DIR`: the full backup and its
 * restore (backup_cmd.c). */
int cli_export_all(struct config *cfg, int argc, const char **argv);
int cli_import_all(struct config *cfg, int argc, const char **argv);
