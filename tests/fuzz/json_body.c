/* json_body.c — feeds a record write's body through the API's path up to
 * the database: api_body (jansson, duplicate keys refused) and
 * model_validate_write for the entity the first byte picks (create when
 * its low bit is 0, update otherwise), then the roles hook's check of a
 * role's permissions JSON. A body that validates is written back as the
 * API would answer it (api_write_record); that text must parse as JSON
 * again, which checks the writer's escaping of whatever came in. */
#include <jansson.h>
#include <string.h>

#include "api/internal.h"
#include "domain/hooks.h"
#include "harness.h"
#include "model/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_back(const struct entity_def *e, const struct record *r)
{
	struct buf out;
	buf_init(&out, 0);
	struct jw w;
	jw_init(&w, &out);
	api_write_record(&w, e, r, NULL, NULL);
	json_error_t je;
	json_t *j = json_loadb(out.p, out.len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fprintf(stderr, "written: %s\nerror: %s\n", buf_str(&out), je.text);
	FUZZ_CHECK(j != NULL, "a validated record written back is not JSON");
	json_decref(j);
	for (int i = 0; i < r->n; i++)
		if (r->set[i])
			json_decref(model_value_json(&e->fields[i], &r->v[i]));
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	model_init();
	if (size < 1)
		return 0;
	const struct entity_def *e = model_entity_at((data[0] >> 1) % model_entity_count());
	bool create = !(data[0] & 1);
	struct arena *a = arena_new();
	struct http_request req = {.method = create ? "POST" : "PATCH",
				   .path = "/api/v1/x",
				   .body = (const char *)data + 1,
				   .body_len = size - 1,
				   .arena = a};
	struct http_response resp = {.status = 200};
	buf_init(&resp.body, 0);
	json_t *body = api_body(&req, &resp);
	if (!body) {
		FUZZ_CHECK(resp.status == 400, "a refused body that is not a 400");
		goto out;
	}
	struct record *r = NULL;
	struct rp_error err;
	rp_error_init(&err);
	if (model_validate_write(e, body, create, a, &r, &err)) {
		FUZZ_CHECK(err.err != RP_OK && (err.nfields > 0 || err.code[0]),
			   "a refused body with no reason");
		goto out;
	}
	if (!strcmp(e->name, "roles")) {
		struct dctx d = {.a = a};
		hooks_before_write(&d, e, NULL, r, &err);
	}
	write_back(e, r);
out:
	buf_release(&resp.body);
	arena_free(a);
	return 0;
}
