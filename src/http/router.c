/* router.c — matching a method and path against the route table. */
#include "http/router.h"

#include <string.h>

/* Compares one pattern against a path, capturing ':' segments. */
static bool match_path(const char *pattern, const char *path, struct http_request *req)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '/' && *s == '/') {
			p++;
			s++;
			continue;
		}
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t sl = se ? (size_t)(se - s) : strlen(s);
		if (pl == 1 && *p == '*' && !pe) {
			if (n < HTTP_MAX_PATH_PARAMS)
				req->path_params[n++] = arena_strdup(req->arena, s);
			req->npath_params = n;
			return true;
		}
		if (*p == ':') {
			if (sl == 0 || n >= HTTP_MAX_PATH_PARAMS)
				return false;
			req->path_params[n++] = arena_strndup(req->arena, s, sl);
		} else if (pl != sl || memcmp(p, s, pl)) {
			return false;
		}
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return false;
	req->npath_params = n;
	return true;
}

static bool is_literal(const char *pattern)
{
	return !strchr(pattern, ':') && !strchr(pattern, '*');
}

static bool method_matches(const struct http_route *r, const char *method)
{
	return !strcmp(r->method, method) || (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"));
}

/* One pass over the routes of one kind (literal or with parameters). */
static enum route_result find_pass(const struct http_route *routes, bool literal,
				   struct http_request *req, const struct http_route **ret,
				   struct buf *allow)
{
	bool path_matched = false;
	for (const struct http_route *r = routes; r->pattern; r++) {
		if (is_literal(r->pattern) != literal || !match_path(r->pattern, req->path, req))
			continue;
		if (method_matches(r, req->method)) {
			*ret = r;
			return ROUTE_FOUND;
		}
		path_matched = true;
		if (allow) {
			if (allow->len)
				buf_adds(allow, ", ");
			buf_adds(allow, r->method);
		}
	}
	req->npath_params = 0;
	return path_matched ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

enum route_result router_find(const struct http_route *routes, struct http_request *req,
			      const struct http_route **ret, struct buf *allow)
{
	/* A literal path (/api/v1/auth/login) is never taken by a pattern
	 * (/api/v1/:entity/:id): a wrong method on it is 405, not a record. */
	enum route_result rc = find_pass(routes, true, req, ret, allow);
	if (rc != ROUTE_NOT_FOUND)
		return rc;
	return find_pass(routes, false, req, ret, allow);
}
