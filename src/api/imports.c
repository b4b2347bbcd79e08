/* imports.c — the import endpoints beyond the generic record ones:
 * POST /api/v1/imports (multipart: file, entity, mapping, options,
 * strategy, dry_run, template_id; or the raw file with those as query
 * parameters; or from_import=<id> to run again on an earlier upload) queues
 * a job and answers 202 with the import to poll; /imports/:id/cancel,
 * /imports/:id/undo and /imports/:id/rejects (the rejected rows as CSV).
 * Listing and reading imports are the generic handlers'. */
#include "api/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "io/import.h"
#include "jobs/jobs.h"
#include "model/registry.h"

static void decref(void *p)
{
	json_decref(p);
}

/* A JSON form field ("mapping", "options"); NULL when absent, with a
 * field error when it is not JSON. */
static json_t *json_field(struct call *c, const char *name)
{
	const char *s = http_form_field(c->req, name);
	if (!s || !*s)
		return NULL;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	if (!j) {
		rp_field_fail(&c->err, name, "invalid_json", "%s is not valid JSON", name);
		return NULL;
	}
	arena_on_release(c->req->arena, decref, j);
	return j;
}

static bool truthy(const char *s)
{
	return s &&
	       (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "yes"));
}

/* Mapping and options saved under a template, unless the request gives
 * its own. */
static void apply_template(struct call *c, struct import_request *rq)
{
	const char *tid = http_form_field(c->req, "template_id");
	if (!tid || !*tid)
		return;
	struct record *t;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (domain_get(&c->d, model_entity("import_templates"), strtoll(tid, NULL, 10), &t,
		       &ignore)) {
		rp_field_fail(&c->err, "template_id", "not_found", "no import template %.20s", tid);
		return;
	}
	if (!rq->e)
		rq->e = model_entity(record_text(t, "entity"));
	const char *parts[] = {"mapping", "options"};
	json_t **slots[] = {&rq->mapping, &rq->options};
	for (int i = 0; i < 2; i++) {
		if (*slots[i])
			continue;
		json_t *j = json_loads(record_text(t, parts[i]), 0, NULL);
		if (j)
			arena_on_release(c->req->arena, decref, j);
		*slots[i] = j;
	}
}

/* Runs again on an earlier import's file: the file is copied (linked when
 * the file system allows) to a new upload. */
static const char *reuse_file(struct call *c, const char *from, const char **ret_name)
{
	struct record *prev;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (domain_get(&c->d, model_entity("imports"), strtoll(from, NULL, 10), &prev, &ignore)) {
		rp_field_fail(&c->err, "from_import", "not_found", "no import %.20s", from);
		return NULL;
	}
	char src[4400], dst[4500];
	import_file_path(store_path(c->app->store), record_int(prev, "id"), src, sizeof src);
	import_find_file(store_path(c->app->store), src, sizeof src);
	snprintf(dst, sizeof dst, "%s.reuse-%lld-%d", src, (long long)clock_mono_ns(),
		 (int)getpid());
	if (link(src, dst) != 0) {
		rp_field_fail(&c->err, "from_import", "gone", "the file of import %.20s is gone",
			      from);
		return NULL;
	}
	*ret_name = arena_strdup(c->req->arena, record_text(prev, "file_name"));
	return arena_strdup(c->req->arena, dst);
}

/* GET /api/v1/imports: the generic list of imports. Without this literal
 * route the POST one above would answer the path with 405 before the
 * /api/v1/:entity pattern is tried (literal paths win in the router). */
void h_import_list(struct http_request *req, struct http_response *resp, void *app)
{
	req->path_params[0] = "imports";
	req->npath_params = 1;
	h_list(req, resp, app);
}

void h_import_create(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	struct import_request rq = {0};
	const char *entity = http_form_field(req, "entity");
	rq.e = entity ? model_entity(entity) : NULL;
	if (entity && !rq.e)
		rp_field_fail(&c.err, "entity", "invalid", "no kind of record is called %.40s",
			      entity);
	rq.mapping = json_field(&c, "mapping");
	rq.options = json_field(&c, "options");
	rq.strategy = http_form_field(req, "strategy");
	rq.dry_run = truthy(http_form_field(req, "dry_run"));
	apply_template(&c, &rq);
	const char *from = http_form_field(req, "from_import");
	if (from && *from) {
		rq.upload_path = reuse_file(&c, from, &rq.file_name);
	} else if (req->upload && req->upload->content_type &&
		   !strncmp(req->upload->content_type, "application/json", 16)) {
		rp_field_fail(
			&c.err, "file", "required",
			"send the file as multipart/form-data (field \"file\"), or as the body "
			"with ?entity=");
	} else if (req->upload && req->upload->size > 0) {
		rq.upload_path = req->upload->path;
		rq.file_name = req->upload->file_name ? req->upload->file_name
						      : http_form_field(req, "file_name");
	}
	if (!rq.e && !c.err.nfields)
		rp_field_fail(&c.err, "entity", "required",
			      "say what the rows are: accounts, contacts, leads, ...");
	struct record *imp;
	if (c.err.err || import_create(&c.d, store_path(c.app->store), &rq, &imp, &c.err)) {
		if (from && rq.upload_path)
			unlink(rq.upload_path);
		api_problem(resp, &c.err);
		return;
	}
	/* the worker reads the import on its own connection */
	if (store_settle(c.d.c, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	jobs_wake(c.app->jobs);
	http_set_header(
		resp, "Location",
		arena_printf(req->arena, "/api/v1/imports/%lld", (long long)record_int(imp, "id")));
	api_write_one(&c, model_entity("imports"), imp, 202);
}

/* The prologue of /imports/:id/... */
static bool begin_import(struct http_request *req, struct http_response *resp, void *app,
			 struct call *c, int64_t *id)
{
	return api_begin(req, resp, app, c) && (*id = api_id(c, 0)) >= 0;
}

/* POST /imports/:id/<action>: the action, then the import as it stands. */
static void import_action(struct http_request *req, struct http_response *resp, void *app,
			  enum rp_err (*act)(struct dctx *, int64_t, struct record **,
					     struct rp_error *))
{
	struct call c;
	int64_t id;
	struct record *imp;
	if (!begin_import(req, resp, app, &c, &id))
		return;
	if (act(&c.d, id, &imp, &c.err))
		api_problem(resp, &c.err);
	else
		api_write_one(&c, model_entity("imports"), imp, 200);
}

void h_import_cancel(struct http_request *req, struct http_response *resp, void *app)
{
	import_action(req, resp, app, import_cancel);
}

void h_import_undo(struct http_request *req, struct http_response *resp, void *app)
{
	import_action(req, resp, app, import_undo);
}

/* The rejected-rows file as the body: streamed (a million-row import's
 * may be large) when it starts with its BOM, as files written now do;
 * one written before gets the BOM Excel needs to read it as UTF-8. */
static void send_rejects(struct http_response *resp, int fd)
{
	struct stat st;
	char head[3];
	if (fd >= 0 && fstat(fd, &st) == 0 && pread(fd, head, 3, 0) == 3 &&
	    !memcmp(head, "\xEF\xBB\xBF", 3)) {
		http_set_body_fd(resp, fd, (uint64_t)st.st_size);
		return;
	}
	buf_reset(&resp->body);
	buf_adds(&resp->body, "\xEF\xBB\xBF");
	if (fd < 0) {
		buf_adds(&resp->body, "row,reason\r\n");
		return;
	}
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&resp->body, chunk, (size_t)n);
	close(fd);
}

void h_import_rejects(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	int64_t id;
	struct record *imp;
	if (!begin_import(req, resp, app, &c, &id))
		return;
	if (domain_get(&c.d, model_entity("imports"), id, &imp, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	char path[4400];
	import_rejects_path(store_path(c.app->store), id, path, sizeof path);
	int fd = import_find_file(store_path(c.app->store), path, sizeof path)
			 ? open(path, O_RDONLY | O_CLOEXEC)
			 : -1;
	send_rejects(resp, fd);
	resp->content_type = "text/csv; charset=utf-8";
	http_set_header(resp, "Content-Disposition",
			arena_printf(req->arena,
				     "attachment; filename=\"import-%lld-rejected.csv\"",
				     (long long)id));
}
