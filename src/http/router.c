/* router.c — matching a method and path against the route table. */
#include "http/router.h"

#include <string.h>

/* How a pattern met a path. */
enum match { NO_MATCH, MATCH_LITERAL, MATCH_PARAMS };

static size_t segment_len(const char *s)
{
	size_t n = 0;
	while (s[n] && s[n] != '/')
		n++;
	return n;
}

/* Compares one pattern against a path, segment by segment; with req, fills
 * its path parameters (':' segments, and a last '*' taking the rest). */
static enum match match_path(const char *p, const char *s, struct http_request *req)
{
	int n = 0;
	bool params = false;
	while (*p && *s) {
		if (*p == '/' && *s == '/') {
			p++;
			s++;
			continue;
		}
		size_t pl = segment_len(p), sl = segment_len(s);
		if (pl == 1 && *p == '*' && !p[1]) {
			if (req && n < HTTP_MAX_PATH_PARAMS)
				req->path_params[n++] = arena_strdup(req->arena, s);
			if (req)
				req->npath_params = n;
			return MATCH_PARAMS;
		}
		if (*p == ':') {
			if (sl == 0 || n >= HTTP_MAX_PATH_PARAMS)
				return NO_MATCH;
			if (req)
				req->path_params[n] = arena_strndup(req->arena, s, sl);
			n++;
			params = true;
		} else if (pl != sl || memcmp(p, s, pl)) {
			return NO_MATCH;
		}
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return NO_MATCH;
	if (req)
		req->npath_params = n;
	return params ? MATCH_PARAMS : MATCH_LITERAL;
}

static bool method_matches(const struct http_route *r, const char *method)
{
	return !strcmp(r->method, method) || (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"));
}

/* The methods of the routes whose path matches in the way `kind`, for the
 * Allow header of a 405. */
static void list_methods(const struct http_route *routes, const char *path, enum match kind,
			 struct buf *allow)
{
	for (const struct http_route *r = routes; allow && r->pattern; r++) {
		if (match_path(r->pattern, path, NULL) != kind)
			continue;
		if (allow->len)
			buf_adds(allow, ", ");
		buf_adds(allow, r->method);
	}
}

enum route_result router_find(const struct http_route *routes, struct http_request *req,
			      const struct http_route **ret, struct buf *allow)
{
	/* A literal path (/api/v1/auth/login) is never taken by a pattern
	 * (/api/v1/:entity/:id): a wrong method on it is 405, not a record.
	 * One pass finds both kinds; the parameters are captured once, for
	 * the route chosen. */
	const struct http_route *with_params = NULL;
	bool literal_path = false, params_path = false;
	req->npath_params = 0;
	for (const struct http_route *r = routes; r->pattern; r++) {
		enum match m = match_path(r->pattern, req->path, NULL);
		if (m == NO_MATCH)
			continue;
		bool method_ok = method_matches(r, req->method);
		if (m == MATCH_LITERAL && method_ok) {
			*ret = r;
			return ROUTE_FOUND;
		}
		if (m == MATCH_LITERAL)
			literal_path = true;
		else if (method_ok && !with_params)
			with_params = r;
		else
			params_path = true;
	}
	if (literal_path) {
		list_methods(routes, req->path, MATCH_LITERAL, allow);
		return ROUTE_BAD_METHOD;
	}
	if (with_params) {
		match_path(with_params->pattern, req->path, req);
		*ret = with_params;
		return ROUTE_FOUND;
	}
	if (params_path) {
		list_methods(routes, req->path, MATCH_PARAMS, allow);
		return ROUTE_BAD_METHOD;
	}
	return ROUTE_NOT_FOUND;
}
