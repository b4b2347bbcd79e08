/* export.c — GET /api/v1/{entity}/export?format=csv|xlsx|vcf&bom=1&fields=
 * &<the list endpoint's filters, sort and q>: the records the caller may
 * list, as a file to download. The file is written whole to an unlinked
 * temporary file beside the database (not in memory, and not in a /tmp
 * that may be RAM) and then served from its descriptor, so a failure is
 * still a clean problem document and memory stays bounded. */
#include "api/internal.h"

#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "io/export.h"

/* Parameters of the export itself, or of the list that mean nothing for a
 * whole-file export (it has no pages and embeds no records). */
static bool export_param(const char *key)
{
	static const char *const own[] = {"format", "bom",     "headers", "limit",
					  "cursor", "include", NULL};
	for (int i = 0; own[i]; i++)
		if (!strcmp(key, own[i]))
			return true;
	return false;
}

static bool parse_options(struct call *c, struct export_options *opt)
{
	const char *fmt = http_param(c->req, "format");
	const char *bom = http_param(c->req, "bom");
	if (!export_format_from_name(fmt ? fmt : "csv", &opt->format)) {
		rp_fail(&c->err, RP_EINVAL, "invalid_format", "format must be csv, xlsx or vcf");
		rp_field_fail(&c->err, "format", "invalid_value",
			      "format must be csv, xlsx or vcf");
		return false;
	}
	opt->bom = bom && (!strcmp(bom, "1") || !strcmp(bom, "true"));
	const char *headers = http_param(c->req, "headers");
	if (headers && strcmp(headers, "names") && strcmp(headers, "labels")) {
		rp_fail(&c->err, RP_EINVAL, "invalid_headers", "headers must be names or labels");
		rp_field_fail(&c->err, "headers", "invalid_value",
			      "headers must be names or labels");
		return false;
	}
	opt->labels = headers && !strcmp(headers, "labels");
	opt->fields = http_param(c->req, "fields");
	return true;
}

/* The folder of the database file: exports are written there. */
static const char *work_dir(struct call *c)
{
	char *copy = arena_strdup(c->req->arena, store_path(c->app->store));
	return dirname(copy);
}

static void send_file(struct call *c, const struct entity_def *e, const struct export_options *opt,
		      FILE *f)
{
	struct stat st;
	int fd = fflush(f) == 0 ? dup(fileno(f)) : -1;
	fclose(f);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		api_problem_simple(c->resp, RP_EIO, "export_failed",
				   "the export could not be sent");
		return;
	}
	char day[RP_TIME_LEN];
	clock_format(clock_now(), day);
	day[10] = '\0';
	c->resp->content_type = export_content_type(opt->format);
	http_set_header(c->resp, "Content-Disposition",
			arena_printf(c->req->arena, "attachment; filename=\"%s-%s.%s\"", e->name,
				     day, export_file_extension(opt->format)));
	http_set_header(c->resp, "Cache-Control", "no-store");
	http_set_body_fd(c->resp, fd, (uint64_t)st.st_size);
}

void h_export(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)))
		return;
	struct export_options opt = {0};
	struct query_param params[HTTP_MAX_QUERY_PARAMS];
	int n = 0;
	for (int i = 0; i < req->nparams; i++)
		if (!export_param(req->params[i].key))
			params[n++] = req->params[i];
	struct list_query q;
	if (!parse_options(&c, &opt) || export_check(e, opt.format, &c.err) ||
	    model_parse_list_query(e, params, n, req->arena, &q, &c.err))
		return api_problem(resp, &c.err);
	opt.tmpdir = work_dir(&c);
	FILE *f = export_tmpfile(opt.tmpdir);
	if (!f)
		return api_problem_simple(resp, RP_EIO, "export_failed",
					  "no room for the export file");
	api_read_replica(&c); /* a report: the replica may serve it */
	if (export_write(&c.d, &q, &opt, f, NULL, &c.err)) {
		fclose(f);
		return api_problem(resp, &c.err);
	}
	send_file(&c, e, &opt, f);
}
