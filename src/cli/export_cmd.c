/* export_cmd.c — `rapport export ENTITY --format csv|xlsx|vcf ...`: the
 * same export as GET /api/v1/{entity}/export, run as a user (the first
 * active administrator unless --user names another), so that user's
 * scope and hidden fields apply. `rapport export --all DIR` and
 * `rapport import --all DIR` (the full backup) are in backup_cmd.c. */
#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/domain.h"
#include "io/export.h"
#include "model/registry.h"

#define MAX_FILTERS 32

const char *const cli_export_help =
	"usage: rapport export ENTITY [--format csv|xlsx|vcf] [--filter 'FIELD[OP]=VALUE']...\n"
	"                      [--fields A,B] [--sort -X,Y] [--q TEXT] [--deleted] [--bom]\n"
	"                      [--labels] [-o FILE] [--user EMAIL]\n"
	"       rapport export --all DIR\n"
	"Writes the records of ENTITY the user may list (the first active admin by\n"
	"default) to FILE, or to stdout; --filter takes the list API's filters\n"
	"(OP: eq ne lt lte gt gte in contains prefix null). The format follows\n"
	"FILE's extension when --format is not given. --labels heads the columns\n"
	"with the fields' labels in the user's language and names linked records\n"
	"without their ids.\n";

struct export_args {
	const char *entity, *format, *fields, *sort, *q, *out, *user;
	bool bom, deleted, labels;
	const char *filters[MAX_FILTERS];
	int nfilters;
};

/* Reads the flags; false (after a message) on anything unknown. */
static bool parse_args(int argc, const char **argv, struct export_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **slot = !strcmp(f, "--format")			 ? &a->format
				    : !strcmp(f, "--fields")			 ? &a->fields
				    : !strcmp(f, "--sort")			 ? &a->sort
				    : !strcmp(f, "--q")				 ? &a->q
				    : !strcmp(f, "-o") || !strcmp(f, "--output") ? &a->out
				    : !strcmp(f, "--user")			 ? &a->user
										 : NULL;
		if (slot && v) {
			*slot = argv[++i];
		} else if (!strcmp(f, "--filter") && v && a->nfilters < MAX_FILTERS) {
			a->filters[a->nfilters++] = argv[++i];
		} else if (!strcmp(f, "--bom")) {
			a->bom = true;
		} else if (!strcmp(f, "--labels")) {
			a->labels = true;
		} else if (!strcmp(f, "--deleted")) {
			a->deleted = true;
		} else if (f[0] != '-' && !a->entity) {
			a->entity = f;
		} else {
			fprintf(stderr, "rapport: export: unexpected '%s'\n%s", f, cli_export_help);
			return false;
		}
	}
	if (!a->entity) {
		fputs(cli_export_help, stderr);
		return false;
	}
	return true;
}

/* The query string the list API would get, as parameters. */
static int build_params(const struct export_args *a, struct arena *ar, struct query_param *p)
{
	int n = 0;
	for (int i = 0; i < a->nfilters; i++) {
		const char *eq = strchr(a->filters[i], '=');
		p[n].key = eq ? arena_strndup(ar, a->filters[i], (size_t)(eq - a->filters[i]))
			      : a->filters[i];
		p[n++].value = eq ? eq + 1 : "";
	}
	if (a->fields)
		p[n++] = (struct query_param){"fields", a->fields};
	if (a->sort)
		p[n++] = (struct query_param){"sort", a->sort};
	if (a->q)
		p[n++] = (struct query_param){"q", a->q};
	if (a->deleted)
		p[n++] = (struct query_param){"deleted", "true"};
	return n;
}

/* --format, else FILE's extension, else CSV. */
static bool pick_format(const struct export_args *a, enum export_format *ret)
{
	/* "XLSX" as "xlsx": a file named by hand, or by Windows, is in capitals */
	char name[8] = "";
	const char *given = a->format ? a->format : a->out ? strrchr(a->out, '.') : NULL;
	given = given && !a->format ? given + 1 : given;
	for (size_t i = 0; given && given[i] && i + 1 < sizeof name; i++)
		name[i] = (char)tolower((unsigned char)given[i]), name[i + 1] = '\0';
	if (a->format)
		return strlen(a->format) < sizeof name && export_format_from_name(name, ret);
	if (!export_format_from_name(name, ret))
		*ret = EXPORT_CSV;
	return true;
}

static int report(const struct rp_error *err)
{
	fprintf(stderr, "rapport: %s\n", err->detail);
	for (int i = 0; i < err->nfields; i++)
		fprintf(stderr, "  %s: %s\n", err->fields[i].field, err->fields[i].message);
	return 1;
}

/* Exports into a temporary file beside FILE and renames it into place, so
 * a failed export never leaves half a file under FILE's name. */
static int export_to_file(struct dctx *d, struct list_query *q, struct export_options *opt,
			  const char *path, int64_t *rows, struct rp_error *err)
{
	char tmp[4096], dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	opt->tmpdir = dirname(dir);
	int fd = mkstemp(tmp);
	mode_t mask = umask(0);
	umask(mask);
	if (fd >= 0) /* mkstemp makes 0600; a user's export is an ordinary file */
		fchmod(fd, 0666 & ~mask);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		fprintf(stderr, "rapport: cannot write %s\n", path);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	enum rp_err rc = export_write(d, q, opt, f, rows, err);
	if (fclose(f) != 0 && !rc)
		rc = rp_fail(err, RP_EIO, "export_failed", "cannot write %s", path);
	if (!rc && rename(tmp, path) != 0)
		rc = rp_fail(err, RP_EIO, "export_failed", "cannot write %s", path);
	if (rc) {
		unlink(tmp);
		return report(err);
	}
	return 0;
}

static int run_export(struct store *s, const struct export_args *a)
{
	struct rp_error err;
	rp_error_init(&err);
	struct export_options opt = {.bom = a->bom, .labels = a->labels, .fields = a->fields};
	const struct entity_def *e = model_entity(a->entity);
	if (!e || strcmp(e->name, a->entity)) {
		fprintf(stderr, "rapport: no kind of record named '%s'\n", a->entity);
		return 2;
	}
	if (!pick_format(a, &opt.format)) {
		fprintf(stderr, "rapport: --format must be csv, xlsx or vcf\n");
		return 2;
	}
	struct arena *ar = arena_new();
	struct dctx d = {.a = ar};
	struct query_param params[MAX_FILTERS + 4];
	struct list_query q;
	int64_t rows = 0;
	int rc = cli_acting_user(s, a->user, ar, &d);
	if (rc == 0 &&
	    (export_check(e, opt.format, &err) ||
	     model_parse_list_query(e, params, build_params(a, ar, params), ar, &q, &err)))
		rc = report(&err);
	if (rc == 0 && a->out)
		rc = export_to_file(&d, &q, &opt, a->out, &rows, &err);
	else if (rc == 0 && export_write(&d, &q, &opt, stdout, &rows, &err))
		rc = report(&err);
	if (rc == 0)
		fprintf(stderr, "rapport: exported %lld %s%s%s\n", (long long)rows,
			rows == 1 ? e->singular : e->name, a->out ? " to " : "",
			a->out ? a->out : "");
	arena_free(ar);
	return rc;
}

int cmd_export(struct config *cfg, int argc, const char **argv)
{
	struct export_args a = {0};
	if (argc >= 1 && !strcmp(argv[0], "--all"))
		return cli_export_all(cfg, argc - 1, argv + 1);
	if (!parse_args(argc, argv, &a))
		return 2;
	struct store *s = cli_open_store(cfg);
	int rc = run_export(s, &a);
	store_close(s);
	return rc;
}
