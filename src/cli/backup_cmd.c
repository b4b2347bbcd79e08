/* backup_cmd.c — `rapport export --all DIR` and `rapport import --all DIR`:
 * the full backup as JSON-lines files (io/backup.h), for moving a
 * database between machines or versions, or keeping a readable copy.
 * `rapport backup FILE` (main.c) is the byte copy of the SQLite file. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/backup.h"

static int fail(const struct rp_error *err)
{
	fprintf(stderr, "rapport: %s\n", err->detail);
	return 1;
}

int cli_export_all(struct config *cfg, int argc, const char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: rapport export --all DIR\n");
		return 2;
	}
	struct store *s = cli_open_store(cfg);
	struct backup_summary sum;
	struct rp_error err;
	rp_error_init(&err);
	int rc = backup_export_all(s, argv[0], &sum, &err) ? fail(&err) : 0;
	if (rc == 0)
		fprintf(stderr,
			"rapport: backed up %lld records and %lld other rows (custom fields, audit "
			"log, tokens) in %d files to %s\n",
			(long long)sum.records, (long long)sum.entries, sum.files, argv[0]);
	store_close(s);
	return rc;
}

int cli_import_all(struct config *cfg, int argc, const char **argv)
{
	if (argc != 2 || strcmp(argv[0], "--all") || argv[1][0] == '-') {
		fprintf(stderr,
			"usage: rapport import --all DIR\n"
			"Restores a backup written by `rapport export --all` into an empty\n"
			"database (a new --db file, or one only `rapport init` has touched).\n");
		return 2;
	}
	struct store *s = cli_open_store(cfg);
	struct backup_summary sum;
	struct rp_error err;
	rp_error_init(&err);
	int rc = backup_import_all(s, argv[1], &sum, &err) ? fail(&err) : 0;
	if (rc == 0)
		fprintf(stderr,
			"rapport: restored %lld records and %lld other rows (custom fields, audit "
			"log, tokens) from %s\n",
			(long long)sum.records, (long long)sum.entries, argv[1]);
	store_close(s);
	return rc;
}
