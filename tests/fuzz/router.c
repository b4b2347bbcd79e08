/* router.c — feeds a method and a path ("METHOD PATH", split at the first
 * space) to router_find over the API's real route table and over a table
 * with a final "*" and as many parameters as fit, checking that a match
 * captures no more parameters than there are slots, that every captured
 * parameter is a non-empty segment of the path (the "*" rest excepted),
 * and that a 405 names the methods of the path. */
#include <string.h>

#include "api/api.h"
#include "harness.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void h(struct http_request *req, struct http_response *resp, void *app)
{
	(void)req;
	(void)resp;
	(void)app;
}

static const struct http_route extra[] = {
	{.method = "GET", .pattern = "/files/:bucket/*", .fn = h},
	{.method = "GET", .pattern = "/x/:a/:b/:c/*", .fn = h},
	{.method = "PUT", .pattern = "/:a/:b/:c/:d", .fn = h},
	{.method = "GET", .pattern = "/", .fn = h},
	{.method = "GET", .pattern = "/*", .fn = h},
	{0},
};

static void run(const struct router *routes, const char *method, const char *path)
{
	struct arena *a = arena_new();
	struct http_request req = {.method = method, .path = path, .arena = a};
	const struct http_route *r = NULL;
	struct buf allow;
	buf_init(&allow, 256);
	enum route_result rr = router_find(routes, &req, &r, &allow);
	FUZZ_CHECK(req.npath_params >= 0 && req.npath_params <= HTTP_MAX_PATH_PARAMS,
		   "path parameter count out of range");
	if (rr == ROUTE_FOUND) {
		FUZZ_CHECK(r && r->pattern, "found without a route");
		bool star = strchr(r->pattern, '*') != NULL;
		for (int i = 0; i < req.npath_params; i++) {
			const char *p = req.path_params[i];
			FUZZ_CHECK(p != NULL, "a NULL path parameter");
			bool last = i == req.npath_params - 1;
			if (!(star && last))
				FUZZ_CHECK(*p && !strchr(p, '/') && strstr(path, p),
					   "a parameter that is not a segment of the path");
		}
	} else if (rr == ROUTE_BAD_METHOD) {
		FUZZ_CHECK(allow.len > 0, "405 with no allowed method");
	} else {
		FUZZ_CHECK(req.npath_params == 0, "no route but parameters left");
	}
	buf_release(&allow);
	arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *parts[2];
	int n = fuzz_split(data, size, ' ', parts, 2);
	const char *method = parts[0], *path = n > 1 ? parts[1] : "/";
	static struct router *api, *more;
	if (!api) {
		api = router_new(api_routes);
		more = router_new(extra);
		FUZZ_CHECK(api && more, "a route table refused");
	}
	run(api, method, path);
	run(more, method, path);
	fuzz_free_parts(parts, n);
	return 0;
}
