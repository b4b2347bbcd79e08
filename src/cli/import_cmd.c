/* import_cmd.c — `rapport import ENTITY FILE [options]`: the importer of
 * the API run in the shell with a progress bar, the file copied into the
 * imports folder first (so the import can be undone and its rejected rows
 * looked at later); `rapport import --undo ID`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "io/import.h"
#include "model/registry.h"

const char *const cli_import_help =
	"rapport import ENTITY FILE [--map MAPPING.json] [--template NAME] [--dry-run]\n"
	"                      [--strategy update|merge|skip|create] [--country CC]\n"
	"                      [--encoding NAME] [--delimiter ,|;|tab] [--sheet NAME]\n"
	"                      [--date-order DMY|MDY|YMD] [--timezone ZONE] [--no-create-missing]\n"
	"                      [--user EMAIL]\n"
	"       rapport import --undo ID [--user EMAIL]\n"
	"       rapport import --all DIR   (restore a backup of rapport export --all)\n"
	"ENTITY is accounts, contacts, leads, deals, products or activities; FILE is CSV\n"
	"(any encoding, , ; or tab), XLSX, or vCard (.vcf: a contact a card, as phones\n"
	"export them). --map names a JSON object {\"Header\": \"field\"};\n"
	"without it columns are matched by their headers (English, Chinese, Russian, and\n"
	"the exports of Salesforce, HubSpot, Zoho, Bitrix24, amoCRM, Outlook, Google).\n"
	"Rows matching a record by external id, e-mail, phone or name (within a company)\n"
	"update it (--strategy update, the default), fill its empty fields (merge), are\n"
	"left alone (skip), or are created anyway (create). A time written without a zone\n"
	"(2026-01-05 14:30) is in --timezone (Europe/Moscow, Asia/Shanghai, ...), else UTC.";

static bool has_flag(int argc, const char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/* Copies the user's file into a temp file beside the database (the
 * importer takes it from there; the original stays where it was). */
static char *copy_in(const char *db_path, const char *src)
{
	char dir[4200];
	import_dir(db_path, dir, sizeof dir);
	mkdir(dir, 0750);
	char *tmp = malloc(4300);
	snprintf(tmp, 4300, "%s/.cli-XXXXXX", dir);
	int fd = mkstemp(tmp);
	FILE *in = fopen(src, "rb"), *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	bool ok = in && out;
	char chunk[1 << 16];
	size_t n;
	while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
		ok = fwrite(chunk, 1, n, out) == n;
	ok = ok && !ferror(in);
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "rapport: cannot read %s\n", src);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

static json_t *options_from(int argc, const char **argv)
{
	json_t *o = json_object();
	static const struct {
		const char *flag, *key;
	} map[] = {{"--country", "country"},	   {"--encoding", "encoding"},
		   {"--delimiter", "delimiter"},   {"--sheet", "sheet"},
		   {"--date-order", "date_order"}, {"--timezone", "timezone"}};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		const char *v = cli_opt(argc, argv, map[i].flag);
		if (v)
			json_object_set_new(o, map[i].key, json_string(v));
	}
	if (has_flag(argc, argv, "--no-create-missing"))
		json_object_set_new(o, "create_missing", json_false());
	return o;
}

/* A template's mapping and options, by name. */
static bool load_template(struct admin_session *as, const char *name, json_t **mapping,
			  json_t **options)
{
	const struct entity_def *te = model_entity("import_templates");
	int64_t id = store_find_by(as->d.c, te, "name", name);
	struct record *t;
	struct rp_error err;
	rp_error_init(&err);
	if (!id || domain_get(&as->d, te, id, &t, &err)) {
		fprintf(stderr, "rapport: no import template named %s\n", name);
		return false;
	}
	if (!*mapping)
		*mapping = json_loads(record_text(t, "mapping"), 0, NULL);
	json_t *saved = json_loads(record_text(t, "options"), 0, NULL);
	if (saved) {
		json_object_update_missing(*options, saved);
		json_decref(saved);
	}
	return true;
}

struct bar {
	int64_t started;
	bool tty;
	double shown;
};

static bool draw(const struct record *imp, double progress, void *ctx)
{
	struct bar *b = ctx;
	if (b->shown >= 1 || (!b->tty && progress < 1 && progress - b->shown < 0.1))
		return true; /* the end is told once, however often it is reached */
	b->shown = progress;
	int width = 30, done = (int)(progress * width + 0.5);
	double secs = (double)(clock_mono_ns() - b->started) / 1e9;
	int64_t rows = record_int(imp, "processed_rows");
	fprintf(stderr, "%s[%.*s%*s] %3d%%  %lld rows  %.0f rows/s%s", b->tty ? "\r" : "", done,
		"##############################", width - done, "", (int)(progress * 100),
		(long long)rows, secs > 0 ? (double)rows / secs : 0, b->tty ? "" : "\n");
	return true;
}

#define DRY_ROWS_SHOWN 20
#define SAMPLE_SHOWN   40 /* bytes of a column's example value */

/* What a dry run read the file as and where each column would go, as
 * the wizard's mapping step shows it: the names a --map file takes,
 * with the column's first values. */
static void dry_columns(const json_t *rep)
{
	const char *enc = json_string_value(json_object_get(rep, "encoding"));
	const char *delim = json_string_value(json_object_get(rep, "delimiter"));
	json_int_t titles = json_integer_value(json_object_get(rep, "title_rows"));
	fprintf(stderr, "rapport: the file read as %s", enc && *enc ? enc : "a workbook");
	if (delim && *delim)
		fprintf(stderr, *delim == '\t' ? ", separated by tabs" : ", separated by \"%s\"",
			delim);
	if (titles)
		fprintf(stderr, ", its header on line %lld", (long long)titles + 1);
	fputs("; its columns:\n", stderr);
	size_t i, k;
	json_t *col, *sample;
	json_array_foreach(json_object_get(rep, "columns"), i, col)
	{
		const char *target = json_string_value(json_object_get(col, "target"));
		fprintf(stderr, "  %s -> %s", json_string_value(json_object_get(col, "header")),
			target && *target ? target : "(not imported)");
		json_array_foreach(json_object_get(col, "samples"), k, sample)
		{
			const char *v = json_string_value(sample);
			size_t n = utf8_fit(v, SAMPLE_SHOWN);
			fputs(k ? " | " : "   e.g. ", stderr);
			for (size_t c = 0; c < n; c++) /* a cell's line breaks stay on one line */
				fputc((unsigned char)v[c] < ' ' ? ' ' : v[c], stderr);
			fputs(v[n] ? "..." : "", stderr);
		}
		fputc('\n', stderr);
	}
}

/* A dry run's rows that would not simply be created: what each would
 * do to which record, or why it would be rejected. */
static void dry_rows(const json_t *rep)
{
	json_t *rows = json_object_get(rep, "rows");
	size_t i, shown = 0, more = 0;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		const char *action = json_string_value(json_object_get(row, "action"));
		if (!action || !strcmp(action, "create"))
			continue;
		if (shown == DRY_ROWS_SHOWN) {
			more++;
			continue;
		}
		shown++;
		fprintf(stderr, "  row %lld: %s",
			(long long)json_integer_value(json_object_get(row, "row")), action);
		json_t *id = json_object_get(row, "id");
		const char *match = json_string_value(json_object_get(row, "match"));
		if (id)
			fprintf(stderr, " record %lld", (long long)json_integer_value(id));
		if (match)
			fprintf(stderr, " (same %s)", match);
		size_t k;
		json_t *e;
		json_array_foreach(json_object_get(row, "errors"), k, e)
		{
			const char *field = json_string_value(json_object_get(e, "field"));
			fprintf(stderr, "%s%s%s%s", k ? "; " : ": ", field ? field : "",
				field ? ": " : "",
				json_string_value(json_object_get(e, "message")));
		}
		fputc('\n', stderr);
	}
	if (more)
		fprintf(stderr, "  ... and %zu more rows that are not new records\n", more);
}

/* After a run: the columns with values that went nowhere, so a column
 * no field took is seen, not lost unnoticed. */
static void skipped_columns(const json_t *rep)
{
	size_t i, n = 0;
	json_t *col;
	json_array_foreach(json_object_get(rep, "columns"), i, col)
	{
		const char *target = json_string_value(json_object_get(col, "target"));
		const char *header = json_string_value(json_object_get(col, "header"));
		if ((target && *target) || !header || !*header ||
		    !json_array_size(json_object_get(col, "samples")))
			continue;
		fprintf(stderr, "%s\"%s\"", n++ ? ", " : "rapport: not imported: ", header);
	}
	if (n)
		fputs(" (no field takes them: --map one to a field, or see --dry-run)\n", stderr);
}

static void report(const struct record *imp)
{
	const char *text = record_text(imp, "report");
	json_t *rep = text ? json_loads(text, 0, NULL) : NULL;
	if (!rep)
		return;
	if (record_int(imp, "dry_run")) {
		dry_columns(rep);
		dry_rows(rep);
	} else {
		skipped_columns(rep);
	}
	json_decref(rep);
}

static int summary(const struct record *imp, const char *db_path)
{
	int64_t id = record_int(imp, "id");
	const char *status = record_text(imp, "status");
	fprintf(stderr,
		"\nrapport: import %lld %s%s: %lld row%s, %lld created, %lld updated, "
		"%lld merged, %lld skipped, %lld rejected\n",
		(long long)id, status,
		record_int(imp, "dry_run") ? " (dry run: nothing written)" : "",
		(long long)record_int(imp, "processed_rows"),
		record_int(imp, "processed_rows") == 1 ? "" : "s",
		(long long)record_int(imp, "created"), (long long)record_int(imp, "updated"),
		(long long)record_int(imp, "merged"), (long long)record_int(imp, "skipped"),
		(long long)record_int(imp, "rejected"));
	report(imp);
	const char *error = record_text(imp, "error");
	if (error && *error)
		fprintf(stderr, "rapport: %s\n", error);
	if (record_int(imp, "rejected") && !record_int(imp, "dry_run")) {
		char path[4400];
		import_rejects_path(db_path, id, path, sizeof path);
		fprintf(stderr, "rapport: rejected rows and why: %s\n", path);
	}
	if (!record_int(imp, "dry_run") && !strcmp(status, "done"))
		fprintf(stderr, "rapport: undo it with: rapport import --undo %lld\n",
			(long long)id);
	return !strcmp(status, "done") ? 0 : 1;
}

static int undo(struct admin_session *as, const char *id)
{
	struct record *imp;
	struct rp_error err;
	rp_error_init(&err);
	if (import_undo(&as->d, strtoll(id, NULL, 10), &imp, &err))
		return cli_report(&err);
	int64_t kept = record_int(imp, "undo_kept");
	if (kept)
		fprintf(stderr,
			"rapport: import %s undone; %lld record%s changed since the import %s left "
			"as %s\n",
			id, (long long)kept, kept == 1 ? "" : "s", kept == 1 ? "was" : "were",
			kept == 1 ? "it is" : "they are");
	else
		fprintf(stderr, "rapport: import %s undone\n", id);
	return 0;
}

static int run(struct admin_session *as, int argc, const char **argv)
{
	struct import_request rq = {.e = model_entity(argv[0]),
				    .file_name = argv[1],
				    .strategy = cli_opt(argc, argv, "--strategy"),
				    .dry_run = has_flag(argc, argv, "--dry-run"),
				    .run_here = true};
	if (!rq.e) {
		fprintf(stderr, "rapport: no kind of record is called %s\n", argv[0]);
		return 2;
	}
	json_t *options = options_from(argc, argv);
	const char *map = cli_opt(argc, argv, "--map");
	const char *tpl = cli_opt(argc, argv, "--template");
	json_error_t je;
	if (map && !(rq.mapping = json_load_file(map, JSON_REJECT_DUPLICATES, &je))) {
		fprintf(stderr, "rapport: %s: %s (line %d)\n", map, je.text, je.line);
		json_decref(options);
		return 1;
	}
	if (tpl && !load_template(as, tpl, &rq.mapping, &options)) {
		json_decref(options);
		json_decref(rq.mapping);
		return 1;
	}
	rq.options = options;
	const char *db = store_path(as->s);
	char *tmp = copy_in(db, argv[1]);
	int rc = 1;
	struct record *imp;
	struct rp_error err;
	rp_error_init(&err);
	rq.upload_path = tmp;
	if (!tmp) {
		rc = 1;
	} else if (import_create(&as->d, db, &rq, &imp, &err)) {
		unlink(tmp);
		rc = cli_report(&err);
	} else {
		struct bar b = {.started = clock_mono_ns(), .tty = isatty(2)};
		int64_t id = record_int(imp, "id");
		enum rp_err ir = import_run(as->s, id, draw, &b, &err);
		struct rp_error gerr;
		rp_error_init(&gerr);
		bool saved = store_get(as->d.c, model_entity("imports"), id, as->a, &imp, &gerr) ==
			     RP_OK;
		/* the summary says the error the import saved; one it could not
		 * save is said here */
		const char *said = saved ? record_text(imp, "error") : NULL;
		if (ir && !(said && !strcmp(said, err.detail)))
			fprintf(stderr, "\nrapport: %s\n", err.detail);
		if (saved)
			rc = summary(imp, db) || ir;
	}
	free(tmp);
	json_decref(options);
	json_decref(rq.mapping);
	return rc;
}

int cmd_import(struct config *cfg, int argc, const char **argv)
{
	const char *undo_id = cli_opt(argc, argv, "--undo");
	bool all = argc > 0 && !strcmp(argv[0], "--all");
	if (has_flag(argc, argv, "--help") ||
	    (!undo_id && !all && (argc < 2 || argv[0][0] == '-'))) {
		fprintf(stderr, "usage: %s\n", cli_import_help);
		return has_flag(argc, argv, "--help") ? 0 : 2;
	}
	if (undo_id && (!*undo_id || strspn(undo_id, "0123456789") != strlen(undo_id))) {
		fprintf(stderr, "rapport: --undo takes the number of an import, not '%s'\n",
			undo_id);
		return 2;
	}
	if (argc > 0 && !strcmp(argv[0], "--all"))
		return cli_import_all(cfg, argc, argv);
	struct admin_session as = {0};
	int rc = cli_admin_open(cfg, cli_opt(argc, argv, "--user"), &as);
	if (!rc)
		rc = undo_id ? undo(&as, undo_id) : run(&as, argc, argv);
	cli_admin_close(&as);
	return rc;
}
