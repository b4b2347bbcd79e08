/* test_router.c — unit tests for src/http/router.c: exact paths, ':'
 * parameters captured in order, a final '*', 405 when only the method is
 * wrong (with the methods the Allow header lists), literal routes before
 * routes with parameters, HEAD served by GET routes, and paths that match
 * nothing; tables a request's parameters cannot fit refused up front. */
#include "unit.h"

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/router.h"

static void h(struct http_request *req, struct http_response *resp, void *app)
{
	(void)req;
	(void)resp;
	(void)app;
}

enum {
	R_HEALTH,
	R_LIST,
	R_CREATE,
	R_GET,
	R_PATCH,
	R_DELETE,
	R_TIMELINE,
	R_RESTORE,
	R_FILES,
	R_STATIC,
	R_ROOT,
	R_COUNT
};

static const struct http_route routes[] = {
	[R_HEALTH] = {.method = "GET", .pattern = "/api/v1/health", .fn = h},
	[R_LIST] = {.method = "GET", .pattern = "/api/v1/:entity", .fn = h},
	[R_CREATE] = {.method = "POST", .pattern = "/api/v1/:entity", .fn = h},
	[R_GET] = {.method = "GET", .pattern = "/api/v1/:entity/:id", .fn = h},
	[R_PATCH] = {.method = "PATCH", .pattern = "/api/v1/:entity/:id", .fn = h},
	[R_DELETE] = {.method = "DELETE", .pattern = "/api/v1/:entity/:id", .fn = h},
	[R_TIMELINE] = {.method = "GET", .pattern = "/api/v1/:entity/:id/timeline", .fn = h},
	[R_RESTORE] = {.method = "POST", .pattern = "/api/v1/:entity/:id/restore", .fn = h},
	[R_FILES] = {.method = "GET", .pattern = "/files/:bucket/*", .fn = h},
	[R_STATIC] = {.method = "GET", .pattern = "/static/*", .fn = h},
	[R_ROOT] = {.method = "GET", .pattern = "/", .fn = h},
	[R_COUNT] = {0},
};

static int setup(void **state)
{
	*state = arena_new();
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

/* Looks req up in table, made ready for lookups anew. */
static enum route_result find_in(const struct http_route *table, struct http_request *req,
				 const struct http_route **ret, struct buf *allow)
{
	struct router *r = router_new(table);
	assert_non_null(r);
	enum route_result rc = router_find(r, req, ret, allow);
	router_free(r);
	return rc;
}

static struct http_request request(struct arena *a, const char *method, const char *path)
{
	struct http_request req = {0};
	req.method = method;
	req.path = path;
	req.arena = a;
	return req;
}

/* Expects method+path to find routes[want] with the given parameters. */
static void found(struct arena *a, const char *method, const char *path, int want, int nparams,
		  const char *p0, const char *p1)
{
	struct http_request req = request(a, method, path);
	const struct http_route *r = NULL;
	struct buf allow;
	buf_init(&allow, 0);
	enum route_result rc = find_in(routes, &req, &r, &allow);
	buf_release(&allow);
	if (rc != ROUTE_FOUND)
		fail_msg("%s %s: result %d, want found", method, path, rc);
	if (r != &routes[want])
		fail_msg("%s %s: matched %s %s, want %s %s", method, path, r->method, r->pattern,
			 routes[want].method, routes[want].pattern);
	assert_int_equal(req.npath_params, nparams);
	if (nparams > 0)
		assert_string_equal(req.path_params[0], p0);
	if (nparams > 1)
		assert_string_equal(req.path_params[1], p1);
}

/* Expects no route; for ROUTE_BAD_METHOD, `allow` is what the Allow
 * header gets (NULL: not checked). */
static void not_found_in(const struct http_route *table, struct arena *a, const char *method,
			 const char *path, enum route_result want, const char *allow_want)
{
	struct http_request req = request(a, method, path);
	const struct http_route *r = (const struct http_route *)0x1;
	struct buf allow;
	buf_init(&allow, 0);
	enum route_result rc = find_in(table, &req, &r, &allow);
	if (rc != want)
		fail_msg("%s %s: result %d, want %d", method, path, rc, want);
	assert_ptr_equal(r, (const struct http_route *)0x1); /* untouched */
	assert_int_equal(req.npath_params, 0);
	if (want == ROUTE_NOT_FOUND)
		assert_string_equal(buf_str(&allow), "");
	if (allow_want && strcmp(buf_str(&allow), allow_want))
		fail_msg("%s %s: Allow \"%s\", want \"%s\"", method, path, buf_str(&allow),
			 allow_want);
	buf_release(&allow);
}

static void not_found(struct arena *a, const char *method, const char *path, enum route_result want)
{
	not_found_in(routes, a, method, path, want, NULL);
}

static void test_exact_paths(void **state)
{
	struct arena *a = *state;
	found(a, "GET", "/api/v1/health", R_HEALTH, 0, NULL, NULL);
	found(a, "GET", "/", R_ROOT, 0, NULL, NULL);
	/* a literal matches whole segments only */
	found(a, "GET", "/api/v1/healthz", R_LIST, 1, "healthz", NULL);
	/* segments compare whole, and case matters */
	not_found(a, "GET", "/api/v2/contacts", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/API/v1/health", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api/v1", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api", ROUTE_NOT_FOUND);
	not_found(a, "GET", "", ROUTE_NOT_FOUND);
}

static void test_parameters(void **state)
{
	struct arena *a = *state;
	found(a, "GET", "/api/v1/contacts", R_LIST, 1, "contacts", NULL);
	found(a, "POST", "/api/v1/deals", R_CREATE, 1, "deals", NULL);
	found(a, "GET", "/api/v1/contacts/42", R_GET, 2, "contacts", "42");
	found(a, "PATCH", "/api/v1/contacts/42", R_PATCH, 2, "contacts", "42");
	found(a, "DELETE", "/api/v1/leads/7", R_DELETE, 2, "leads", "7");
	found(a, "GET", "/api/v1/accounts/9/timeline", R_TIMELINE, 2, "accounts", "9");
	found(a, "POST", "/api/v1/accounts/9/restore", R_RESTORE, 2, "accounts", "9");
	/* any characters in a segment, UTF-8 included */
	found(a, "GET", "/api/v1/контакты/x-y_z.1", R_GET, 2, "контакты", "x-y_z.1");

	/* the parameters are copies, not views into the path */
	char path[] = "/api/v1/contacts/42";
	struct http_request req = request(a, "GET", path);
	const struct http_route *r = NULL;
	assert_int_equal(find_in(routes, &req, &r, NULL), ROUTE_FOUND);
	memcpy(path, "/api/v1/XXXXXXXX/99", sizeof path);
	assert_string_equal(req.path_params[0], "contacts");
	assert_string_equal(req.path_params[1], "42");

	/* empty segments never match a parameter; no trailing slash */
	not_found(a, "GET", "/api/v1/", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api/v1//42", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api/v1/contacts/", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api/v1/contacts//timeline", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api/v1/health/", ROUTE_NOT_FOUND);
	/* too many or too few segments */
	not_found(a, "GET", "/api/v1/contacts/42/timeline/extra", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/api/v1/contacts/42/other", ROUTE_NOT_FOUND);
}

static void test_star(void **state)
{
	struct arena *a = *state;
	found(a, "GET", "/static/app.js", R_STATIC, 1, "app.js", NULL);
	found(a, "GET", "/static/css/site/app.css", R_STATIC, 1, "css/site/app.css", NULL);
	found(a, "HEAD", "/static/x", R_STATIC, 1, "x", NULL);
	/* ':' parameters before a '*' come first, in order */
	found(a, "GET", "/files/b1/x/y.txt", R_FILES, 2, "b1", "x/y.txt");
	not_found(a, "GET", "/static", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/staticx/app.js", ROUTE_NOT_FOUND);
	not_found(a, "POST", "/static/app.js", ROUTE_BAD_METHOD);
}

static void test_bad_method(void **state)
{
	struct arena *a = *state;
	/* 405, and the methods the path does have, in table order */
	not_found_in(routes, a, "PUT", "/api/v1/contacts/42", ROUTE_BAD_METHOD,
		     "GET, PATCH, DELETE");
	not_found_in(routes, a, "DELETE", "/api/v1/contacts", ROUTE_BAD_METHOD, "GET, POST");
	not_found_in(routes, a, "GET", "/api/v1/contacts/42/restore", ROUTE_BAD_METHOD, "POST");
	not_found_in(routes, a, "POST", "/api/v1/contacts/42/timeline", ROUTE_BAD_METHOD, "GET");
	not_found_in(routes, a, "DELETE", "/", ROUTE_BAD_METHOD, "GET");
	not_found_in(routes, a, "get", "/api/v1/contacts", ROUTE_BAD_METHOD, "GET, POST");
	/* a path that exists for no method is plain not found */
	not_found(a, "PUT", "/nope", ROUTE_NOT_FOUND);
	/* allow may be NULL */
	struct http_request req = request(a, "PUT", "/api/v1/contacts/42");
	const struct http_route *r = NULL;
	assert_int_equal(find_in(routes, &req, &r, NULL), ROUTE_BAD_METHOD);
}

static void test_literal_before_pattern(void **state)
{
	struct arena *a = *state;
	/* the pattern comes first in the table, yet the literal path wins */
	static const struct http_route t[] = {
		{.method = "GET", .pattern = "/api/v1/:entity/:id", .fn = h},
		{.method = "PATCH", .pattern = "/api/v1/:entity/:id", .fn = h},
		{.method = "POST", .pattern = "/api/v1/auth/login", .fn = h},
		{.method = "GET", .pattern = "/api/v1/auth/me", .fn = h},
		{0},
	};
	struct http_request req = request(a, "POST", "/api/v1/auth/login");
	const struct http_route *r = NULL;
	assert_int_equal(find_in(t, &req, &r, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &t[2]);
	assert_int_equal(req.npath_params, 0);
	req = request(a, "GET", "/api/v1/auth/me");
	assert_int_equal(find_in(t, &req, &r, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &t[3]);
	/* a wrong method on a literal path is 405, not a record read */
	not_found_in(t, a, "GET", "/api/v1/auth/login", ROUTE_BAD_METHOD, "POST");
	not_found_in(t, a, "PATCH", "/api/v1/auth/me", ROUTE_BAD_METHOD, "GET");
	/* other paths still reach the pattern */
	req = request(a, "PATCH", "/api/v1/contacts/3");
	assert_int_equal(find_in(t, &req, &r, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &t[1]);
	assert_int_equal(req.npath_params, 2);
	assert_string_equal(req.path_params[1], "3");
	/* in the main table: POST /api/v1/health is 405 (GET only), not a
	 * create of entity "health" */
	not_found_in(routes, a, "POST", "/api/v1/health", ROUTE_BAD_METHOD, "GET");
	found(a, "POST", "/api/v1/healthz", R_CREATE, 1, "healthz", NULL);
}

static void test_head_matches_get(void **state)
{
	struct arena *a = *state;
	found(a, "HEAD", "/api/v1/health", R_HEALTH, 0, NULL, NULL);
	found(a, "HEAD", "/api/v1/contacts", R_LIST, 1, "contacts", NULL);
	found(a, "HEAD", "/api/v1/contacts/5", R_GET, 2, "contacts", "5");
	found(a, "HEAD", "/", R_ROOT, 0, NULL, NULL);
	/* only GET routes serve HEAD */
	not_found(a, "HEAD", "/api/v1/contacts/5/restore", ROUTE_BAD_METHOD);
}

static void test_not_found(void **state)
{
	struct arena *a = *state;
	not_found(a, "GET", "/nope", ROUTE_NOT_FOUND);
	not_found(a, "GET", "/nope/a/b/c/d/e/f", ROUTE_NOT_FOUND);
	not_found(a, "GET", "//", ROUTE_NOT_FOUND);
	not_found(a, "GET", "api/v1/health", ROUTE_NOT_FOUND);
	/* an empty table finds nothing */
	static const struct http_route none[] = {{0}};
	struct http_request req = request(a, "GET", "/");
	const struct http_route *r = NULL;
	assert_int_equal(find_in(none, &req, &r, NULL), ROUTE_NOT_FOUND);
}

static void test_param_limit(void **state)
{
	struct arena *a = *state;
	static const struct http_route deep[] = {
		{.method = "GET", .pattern = "/:a/:b/:c/:d", .fn = h},
		{.method = "GET", .pattern = "/x/:a/:b/:c/*", .fn = h},
		{.method = "GET", .pattern = "/y/*", .fn = h},
		{0},
	};
	assert_int_equal(HTTP_MAX_PATH_PARAMS, 4);
	struct http_request req = request(a, "GET", "/1/2/3/4");
	const struct http_route *r = NULL;
	assert_int_equal(find_in(deep, &req, &r, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &deep[0]);
	assert_int_equal(req.npath_params, 4);
	assert_string_equal(req.path_params[3], "4");
	req = request(a, "GET", "/1/2/3/4/5");
	assert_int_equal(find_in(deep, &req, &r, NULL), ROUTE_NOT_FOUND);
	assert_int_equal(req.npath_params, 0);
	/* a '*' takes the fourth slot, and the rest of the path however long */
	req = request(a, "GET", "/x/1/2/3/rest/of/it");
	assert_int_equal(find_in(deep, &req, &r, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &deep[1]);
	assert_int_equal(req.npath_params, 4);
	assert_string_equal(req.path_params[0], "1");
	assert_string_equal(req.path_params[3], "rest/of/it");
	req = request(a, "GET", "/y/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q");
	assert_int_equal(find_in(deep, &req, &r, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &deep[2]);
	assert_string_equal(req.path_params[0], "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q");
	/* a path longer than any pattern matches none of fixed length */
	req = request(a, "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14");
	assert_int_equal(find_in(deep, &req, &r, NULL), ROUTE_NOT_FOUND);
	/* a pattern whose parameters a request cannot hold is refused when
	 * the table is made ready, not left never to match */
	static const char *const refused[] = {
		"/:a/:b/:c/:d/:e",		  /* five parameters */
		"/x/:a/:b/:c/:d/*",		  /* four and a rest */
		"/1/2/3/4/5/6/7/8/9/10/11/12/13", /* more segments than a path holds */
		"api",				  /* not from the root */
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		const struct http_route one[] = {{.method = "GET", .pattern = refused[i], .fn = h},
						 {0}};
		if (router_new(one))
			fail_msg("pattern %s was taken", refused[i]);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exact_paths),
		T(test_parameters),
		T(test_star),
		T(test_bad_method),
		T(test_literal_before_pattern),
		T(test_head_matches_get),
		T(test_not_found),
		T(test_param_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
