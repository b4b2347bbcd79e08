/* meta.c — the descriptors as the UI and integrators see them: /meta,
 * custom fields, and the OpenAPI 3.1 document generated from the same
 * descriptors. Hidden fields are left out for the caller's role. */
#include "api/internal.h"

#include <string.h>

#include "model/registry.h"

/* read_only: the field is not the caller's to change (the descriptor's,
 * or the role's "readonly" list), so the UI offers no input for it. */
static void write_field(struct jw *w, const struct field_def *f, bool read_only)
{
	jw_obj(w);
	jw_kstr(w, "name", f->name);
	jw_kstr(w, "type", field_type_name(f->type));
	jw_kstr(w, "label", f->label ? f->label : f->name);
	jw_kbool(w, "required", f->flags & FF_REQUIRED);
	jw_kbool(w, "read_only", read_only || (f->flags & FF_READONLY));
	jw_kbool(w, "write_only", f->flags & FF_WRITEONLY);
	jw_kbool(w, "unique", f->flags & FF_UNIQUE);
	jw_kbool(w, "searchable", f->flags & FF_SEARCH);
	jw_kbool(w, "sortable", (f->flags & (FF_SORT | FF_INDEX)) || f->type == FT_ID);
	jw_kbool(w, "filterable", !(f->flags & FF_NOFILTER));
	jw_kbool(w, "custom", f->flags & FF_CUSTOM);
	jw_kbool(w, "system", f->flags & FF_SYSTEM);
	if (field_is_text(f->type) && f->type != FT_DATE && f->type != FT_DATETIME)
		jw_kint(w, "max_length", f->max_len ? f->max_len : MODEL_TEXT_MAX);
	if (f->enum_values) {
		jw_key(w, "options");
		jw_arr(w);
		for (const char *const *v = f->enum_values; *v; v++)
			jw_str(w, *v);
		jw_arr_end(w);
	}
	if (f->ref)
		jw_kstr(w, "ref", f->ref);
	if (f->dflt)
		jw_kstr(w, "default", f->dflt);
	jw_obj_end(w);
}

static void write_entity(struct jw *w, struct call *c, const struct entity_def *e)
{
	static const char *const acts[] = {"read", "create", "edit", "delete"};
	static const char *const scopes[] = {"none", "own", "team", "all"};
	jw_obj(w);
	jw_kstr(w, "name", e->name);
	jw_kstr(w, "singular", e->singular);
	jw_kstr(w, "label", e->label);
	jw_kstr(w, "title_field", e->title_field);
	jw_kbool(w, "searchable", e->flags & EF_SEARCH);
	jw_kbool(w, "timeline", e->flags & EF_TIMELINE);
	jw_kbool(w, "generic_create", !(e->flags & EF_OWN_CREATE));
	jw_key(w, "access");
	jw_obj(w);
	for (int a = 0; a < 4; a++)
		jw_kstr(w, acts[a], scopes[acl_scope(c->d.p, e, (enum acl_action)a).scope]);
	jw_obj_end(w);
	jw_key(w, "fields");
	jw_arr(w);
	int n = entity_nfields(e);
	for (int i = 0; i < n; i++)
		if (!acl_field_hidden(c->d.p, e, &e->fields[i]))
			write_field(w, &e->fields[i], acl_field_readonly(c->d.p, e, &e->fields[i]));
	jw_arr_end(w);
	jw_obj_end(w);
}

void h_meta(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_key(&w, "entities");
	jw_arr(&w);
	for (int i = 0; i < model_entity_count(); i++)
		write_entity(&w, &c, model_entity_at(i));
	jw_arr_end(&w);
	jw_obj_end(&w);
}

void h_meta_entity(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)))
		return;
	struct jw w;
	jw_init(&w, &resp->body);
	write_entity(&w, &c, e);
}

void h_add_field(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	const struct entity_def *e;
	json_t *body;
	if (!api_begin(req, resp, app, &c) || !(e = api_entity(&c, 0)) ||
	    !(body = api_body(req, resp)))
		return;
	if (domain_add_field(&c.d, e, body, &c.err)) {
		api_problem(resp, &c.err);
		return;
	}
	resp->status = 201;
	struct jw w;
	jw_init(&w, &resp->body);
	write_field(&w, entity_field(e, json_string_value(json_object_get(body, "name"))), false);
}

/* --- OpenAPI ------------------------------------------------------------- */

static void schema_of(struct jw *w, const struct field_def *f)
{
	jw_obj(w);
	switch (f->type) {
	case FT_ID:
	case FT_INT:
	case FT_MONEY:
	case FT_REF:
		jw_kstr(w, "type", "integer");
		jw_kstr(w, "format", "int64");
		if (f->min < f->max) {
			jw_kint(w, "minimum", f->min);
			jw_kint(w, "maximum", f->max);
		}
		break;
	case FT_NUMBER: jw_kstr(w, "type", "number"); break;
	case FT_BOOL: jw_kstr(w, "type", "boolean"); break;
	case FT_JSON: jw_kstr(w, "type", "object"); break;
	case FT_TAGS:
		jw_kstr(w, "type", "array");
		jw_key(w, "items");
		jw_obj(w);
		jw_kstr(w, "type", "string");
		jw_kint(w, "maxLength", 64);
		jw_obj_end(w);
		break;
	default:
		jw_kstr(w, "type", "string");
		if (f->type == FT_DATE)
			jw_kstr(w, "format", "date");
		else if (f->type == FT_DATETIME)
			jw_kstr(w, "format", "date-time");
		else if (f->type == FT_EMAIL)
			jw_kstr(w, "format", "email");
		else if (f->type == FT_PASSWORD)
			jw_kstr(w, "format", "password");
		else
			jw_kint(w, "maxLength", f->max_len ? f->max_len : MODEL_TEXT_MAX);
		if (f->enum_values) {
			jw_key(w, "enum");
			jw_arr(w);
			for (const char *const *v = f->enum_values; *v; v++)
				jw_str(w, *v);
			jw_arr_end(w);
		}
	}
	if (f->flags & FF_READONLY)
		jw_kbool(w, "readOnly", true);
	if (f->flags & FF_WRITEONLY)
		jw_kbool(w, "writeOnly", true);
	if (f->label)
		jw_kstr(w, "title", f->label);
	jw_obj_end(w);
}

static void entity_schema(struct jw *w, const struct entity_def *e)
{
	jw_key(w, e->singular);
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_key(w, "properties");
	jw_obj(w);
	int n = entity_nfields(e);
	for (int i = 0; i < n; i++) {
		model_write_key(w, &e->fields[i]);
		schema_of(w, &e->fields[i]);
	}
	jw_obj_end(w);
	jw_key(w, "required");
	jw_arr(w);
	for (int i = 0; i < n; i++)
		if (e->fields[i].flags & FF_REQUIRED)
			jw_str(w, e->fields[i].name);
	jw_arr_end(w);
	jw_kbool(w, "additionalProperties", false);
	jw_obj_end(w);
}

static void ref_to(struct jw *w, struct arena *a, const char *schema)
{
	jw_obj(w);
	jw_kstr(w, "$ref", arena_printf(a, "#/components/schemas/%s", schema));
	jw_obj_end(w);
}

/* "default": a problem document, as every operation may answer. */
static void problem_response(struct jw *w, struct arena *a, const char *description)
{
	jw_key(w, "default");
	jw_obj(w);
	jw_kstr(w, "description", description);
	jw_key(w, "content");
	jw_obj(w);
	jw_key(w, "application/problem+json");
	jw_obj(w);
	jw_key(w, "schema");
	ref_to(w, a, "Problem");
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void json_content(struct jw *w, struct arena *a, const char *schema, bool list)
{
	jw_key(w, "content");
	jw_obj(w);
	jw_key(w, list ? "application/json" : "application/json");
	jw_obj(w);
	jw_key(w, "schema");
	if (!list) {
		ref_to(w, a, schema);
	} else {
		jw_obj(w);
		jw_kstr(w, "type", "object");
		jw_key(w, "properties");
		jw_obj(w);
		jw_key(w, "data");
		jw_obj(w);
		jw_kstr(w, "type", "array");
		jw_key(w, "items");
		ref_to(w, a, schema);
		jw_obj_end(w);
		jw_key(w, "next_cursor");
		jw_obj(w);
		jw_key(w, "type");
		jw_arr(w);
		jw_str(w, "string");
		jw_str(w, "null");
		jw_arr_end(w);
		jw_obj_end(w);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
}

static void operation(struct jw *w, struct arena *a, const char *method, const struct entity_def *e,
		      const char *summary, int status, bool body, bool list, bool id_param)
{
	jw_key(w, method);
	jw_obj(w);
	jw_kstr(w, "operationId",
		arena_printf(a, "%s_%s%s", method, e->name, id_param ? "_by_id" : ""));
	jw_kstr(w, "summary", summary);
	jw_key(w, "tags");
	jw_arr(w);
	jw_str(w, e->label);
	jw_arr_end(w);
	if (id_param || list) {
		jw_key(w, "parameters");
		jw_arr(w);
		if (id_param) {
			jw_obj(w);
			jw_kstr(w, "name", "id");
			jw_kstr(w, "in", "path");
			jw_kbool(w, "required", true);
			jw_key(w, "schema");
			jw_obj(w);
			jw_kstr(w, "type", "integer");
			jw_obj_end(w);
			jw_obj_end(w);
		}
		static const char *const lp[] = {"limit",  "cursor",  "sort",
						 "fields", "include", "q"};
		for (size_t i = 0; list && i < sizeof lp / sizeof *lp; i++) {
			jw_obj(w);
			jw_kstr(w, "name", lp[i]);
			jw_kstr(w, "in", "query");
			jw_key(w, "schema");
			jw_obj(w);
			jw_kstr(w, "type", i == 0 ? "integer" : "string");
			jw_obj_end(w);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	if (body) {
		jw_key(w, "requestBody");
		jw_obj(w);
		jw_kbool(w, "required", true);
		json_content(w, a, e->singular, false);
		jw_obj_end(w);
	}
	jw_key(w, "responses");
	jw_obj(w);
	jw_key(w, arena_printf(a, "%d", status));
	jw_obj(w);
	jw_kstr(w, "description", "success");
	if (status != 204)
		json_content(w, a, e->singular, list);
	jw_obj_end(w);
	problem_response(w, a, "an RFC 9457 problem");
	jw_obj_end(w);
	jw_obj_end(w);
}

static void entity_paths(struct jw *w, struct arena *a, const struct entity_def *e)
{
	jw_key(w, arena_printf(a, "/api/v1/%s", e->name));
	jw_obj(w);
	operation(w, a, "get", e, arena_printf(a, "List %s", e->name), 200, false, true, false);
	operation(w, a, "post", e, arena_printf(a, "Create a %s", e->singular), 201, true, false,
		  false);
	jw_obj_end(w);
	jw_key(w, arena_printf(a, "/api/v1/%s/{id}", e->name));
	jw_obj(w);
	operation(w, a, "get", e, arena_printf(a, "Read a %s", e->singular), 200, false, false,
		  true);
	operation(w, a, "patch", e, arena_printf(a, "Change a %s", e->singular), 200, true, false,
		  true);
	operation(w, a, "delete", e, arena_printf(a, "Move a %s to the recycle bin", e->singular),
		  204, false, false, true);
	jw_obj_end(w);
}

static void query_param(struct jw *w, const char *name, const char *desc, const char *const *values)
{
	jw_obj(w);
	jw_kstr(w, "name", name);
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description", desc);
	jw_key(w, "schema");
	jw_obj(w);
	jw_kstr(w, "type", "string");
	if (values) {
		jw_key(w, "enum");
		jw_arr(w);
		for (; *values; values++)
			jw_str(w, *values);
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
}

static void file_content(struct jw *w, const char *type)
{
	jw_key(w, type);
	jw_obj(w);
	jw_key(w, "schema");
	jw_obj(w);
	jw_kstr(w, "type", "string");
	jw_obj_end(w);
	jw_obj_end(w);
}

/* GET /api/v1/{entity}/export: the list's filters, sort and q, plus the
 * file's own parameters. */
static void export_path(struct jw *w, struct arena *a, const struct entity_def *e)
{
	static const char *const all[] = {"csv", "xlsx", "vcf", NULL};
	static const char *const sheets[] = {"csv", "xlsx", NULL};
	bool vcard = e->flags & EF_PERSON;
	jw_key(w, arena_printf(a, "/api/v1/%s/export", e->name));
	jw_obj(w);
	jw_key(w, "get");
	jw_obj(w);
	jw_kstr(w, "operationId", arena_printf(a, "export_%s", e->name));
	jw_kstr(w, "summary", arena_printf(a, "Export %s as a file", e->name));
	jw_kstr(w, "description",
		"Every record the list endpoint would return for the same "
		"filters, sort and q (all pages), as an attachment.");
	jw_key(w, "tags");
	jw_arr(w);
	jw_str(w, e->label);
	jw_arr_end(w);
	jw_key(w, "parameters");
	jw_arr(w);
	query_param(w, "format", "file format (default csv)", vcard ? all : sheets);
	query_param(w, "bom", "1: start a CSV with a UTF-8 byte-order mark (Excel)", NULL);
	query_param(w, "fields", "columns, in this order (id first)", NULL);
	query_param(w, "sort", "as for the list", NULL);
	query_param(w, "q", "full-text query, as for the list", NULL);
	jw_arr_end(w);
	jw_key(w, "responses");
	jw_obj(w);
	jw_key(w, "200");
	jw_obj(w);
	jw_kstr(w, "description", "the file (Content-Disposition: attachment)");
	jw_key(w, "content");
	jw_obj(w);
	file_content(w, "text/csv");
	file_content(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	if (vcard)
		file_content(w, "text/vcard");
	jw_obj_end(w);
	jw_obj_end(w);
	problem_response(w, a, "an RFC 9457 problem (e.g. a bad format or filter)");
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void problem_schema(struct jw *w)
{
	jw_key(w, "Problem");
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_key(w, "properties");
	jw_obj(w);
	static const char *const str[] = {"type", "title", "detail", "code"};
	for (size_t i = 0; i < 4; i++) {
		jw_key(w, str[i]);
		jw_obj(w);
		jw_kstr(w, "type", "string");
		jw_obj_end(w);
	}
	jw_key(w, "status");
	jw_obj(w);
	jw_kstr(w, "type", "integer");
	jw_obj_end(w);
	jw_key(w, "errors");
	jw_obj(w);
	jw_kstr(w, "type", "array");
	jw_key(w, "items");
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

void h_openapi(struct http_request *req, struct http_response *resp, void *app)
{
	struct call c;
	if (!api_begin(req, resp, app, &c))
		return;
	struct arena *a = req->arena;
	struct jw w;
	jw_init(&w, &resp->body);
	jw_obj(&w);
	jw_kstr(&w, "openapi", "3.1.0");
	jw_key(&w, "info");
	jw_obj(&w);
	jw_kstr(&w, "title", "Rapport API");
	jw_kstr(&w, "version", "1");
	jw_kstr(&w, "description",
		"Generated from the entity descriptors, custom fields included.");
	jw_obj_end(&w);
	jw_key(&w, "paths");
	jw_obj(&w);
	for (int i = 0; i < model_entity_count(); i++) {
		entity_paths(&w, a, model_entity_at(i));
		export_path(&w, a, model_entity_at(i));
	}
	jw_obj_end(&w);
	jw_key(&w, "components");
	jw_obj(&w);
	jw_key(&w, "schemas");
	jw_obj(&w);
	for (int i = 0; i < model_entity_count(); i++)
		entity_schema(&w, model_entity_at(i));
	problem_schema(&w);
	jw_obj_end(&w);
	jw_key(&w, "securitySchemes");
	jw_obj(&w);
	jw_key(&w, "bearer");
	jw_obj(&w);
	jw_kstr(&w, "type", "http");
	jw_kstr(&w, "scheme", "bearer");
	jw_obj_end(&w);
	jw_key(&w, "session");
	jw_obj(&w);
	jw_kstr(&w, "type", "apiKey");
	jw_kstr(&w, "in", "cookie");
	jw_kstr(&w, "name", "rapport_session");
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_key(&w, "security");
	jw_arr(&w);
	jw_obj(&w);
	jw_key(&w, "bearer");
	jw_arr(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj(&w);
	jw_key(&w, "session");
	jw_arr(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
}
