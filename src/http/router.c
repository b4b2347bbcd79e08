/* router.c — matching a method and path against the route table. The
 * table is split into segments once, when the server starts; a request's
 * path is split once, and a route of another length is passed over
 * without reading its text. Scanning every pattern byte by byte was 7 %
 * of a GET's time (perf, 35 routes). */
#include "http/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 12

enum seg_kind { SEG_LITERAL, SEG_PARAM, SEG_REST };

struct segment {
	const char *s;
	uint32_t len;
	uint8_t kind;
};

struct compiled_route {
	const struct http_route *route;
	int nseg;
	bool rest;   /* the last segment is '*' */
	bool params; /* has ':' or '*' segments */
	struct segment seg[MAX_SEGMENTS];
};

struct router {
	int n;
	struct compiled_route v[];
};

/* A request path cut at its slashes. more: it had over MAX_SEGMENTS. */
struct split_path {
	int n;
	bool more;
	struct segment seg[MAX_SEGMENTS];
};

/* How a pattern met a path. */
enum match { NO_MATCH, MATCH_LITERAL, MATCH_PARAMS };

/* Cuts s (which starts with '/') into segments; false when it has more
 * than max and more is NULL. */
static bool split(const char *s, struct segment *seg, int max, int *n, bool *more)
{
	*n = 0;
	if (more)
		*more = false;
	for (const char *p = s + 1;; p++) {
		const char *end = strchrnul(p, '/');
		if (*n == max) {
			if (!more)
				return false;
			*more = true;
			return true;
		}
		seg[(*n)++] = (struct segment){.s = p, .len = (uint32_t)(end - p)};
		if (!*end)
			return true;
		p = end;
	}
}

static bool compile_one(const struct http_route *r, struct compiled_route *c)
{
	c->route = r;
	if (r->pattern[0] != '/' || !split(r->pattern, c->seg, MAX_SEGMENTS, &c->nseg, NULL))
		return false;
	int nparams = 0;
	for (int i = 0; i < c->nseg; i++) {
		struct segment *g = &c->seg[i];
		if (g->len && g->s[0] == ':') {
			g->kind = SEG_PARAM;
			nparams++;
		} else if (i == c->nseg - 1 && g->len == 1 && g->s[0] == '*') {
			g->kind = SEG_REST;
			c->rest = true;
			nparams++;
		}
	}
	c->params = nparams > 0;
	return nparams <= HTTP_MAX_PATH_PARAMS;
}

struct router *router_new(const struct http_route *routes)
{
	int n = 0;
	while (routes[n].pattern)
		n++;
	struct router *r = calloc(1, sizeof *r + sizeof r->v[0] * (size_t)n);
	if (!r)
		abort();
	r->n = n;
	for (int i = 0; i < n; i++)
		if (!compile_one(&routes[i], &r->v[i])) {
			free(r);
			return NULL;
		}
	return r;
}

void router_free(struct router *r)
{
	free(r);
}

static enum match match(const struct compiled_route *c, const struct split_path *p)
{
	if (c->rest ? p->n < c->nseg : p->n != c->nseg || p->more)
		return NO_MATCH;
	for (int i = 0; i < c->nseg; i++) {
		const struct segment *g = &c->seg[i], *s = &p->seg[i];
		switch (g->kind) {
		case SEG_REST:
			if (!s->s[0]) /* the rest may not be empty */
				return NO_MATCH;
			break;
		case SEG_PARAM:
			if (!s->len)
				return NO_MATCH;
			break;
		default:
			if (g->len != s->len || memcmp(g->s, s->s, s->len))
				return NO_MATCH;
		}
	}
	return c->params ? MATCH_PARAMS : MATCH_LITERAL;
}

/* Copies the parameters of a route that matched into req. */
static void capture(const struct compiled_route *c, const struct split_path *p,
		    struct http_request *req)
{
	int n = 0;
	for (int i = 0; i < c->nseg; i++) {
		if (c->seg[i].kind == SEG_PARAM)
			req->path_params[n++] =
				arena_strndup(req->arena, p->seg[i].s, p->seg[i].len);
		else if (c->seg[i].kind == SEG_REST)
			req->path_params[n++] = arena_strdup(req->arena, p->seg[i].s);
	}
	req->npath_params = n;
}

static bool method_matches(const struct http_route *r, const char *method)
{
	return !strcmp(r->method, method) || (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"));
}

/* The methods of the routes whose path matches in the way `kind`, for the
 * Allow header of a 405. */
static void list_methods(const struct router *r, const struct split_path *p, enum match kind,
			 struct buf *allow)
{
	for (int i = 0; allow && i < r->n; i++) {
		if (match(&r->v[i], p) != kind)
			continue;
		if (allow->len)
			buf_adds(allow, ", ");
		buf_adds(allow, r->v[i].route->method);
	}
}

enum route_result router_find(const struct router *r, struct http_request *req,
			      const struct http_route **ret, struct buf *allow)
{
	req->npath_params = 0;
	struct split_path p;
	if (req->path[0] != '/')
		return ROUTE_NOT_FOUND;
	split(req->path, p.seg, MAX_SEGMENTS, &p.n, &p.more);
	/* A literal path (/api/v1/auth/login) is never taken by a pattern
	 * (/api/v1/:entity/:id): a wrong method on it is 405, not a record.
	 * One pass finds both kinds; the parameters are captured once, for
	 * the route chosen. */
	const struct compiled_route *with_params = NULL;
	bool literal_path = false, params_path = false;
	for (int i = 0; i < r->n; i++) {
		enum match m = match(&r->v[i], &p);
		if (m == NO_MATCH)
			continue;
		bool method_ok = method_matches(r->v[i].route, req->method);
		if (m == MATCH_LITERAL && method_ok) {
			*ret = r->v[i].route;
			return ROUTE_FOUND;
		}
		if (m == MATCH_LITERAL)
			literal_path = true;
		else if (method_ok && !with_params)
			with_params = &r->v[i];
		else
			params_path = true;
	}
	if (literal_path) {
		list_methods(r, &p, MATCH_LITERAL, allow);
		return ROUTE_BAD_METHOD;
	}
	if (with_params) {
		capture(with_params, &p, req);
		*ret = with_params->route;
		return ROUTE_FOUND;
	}
	if (params_path) {
		list_methods(r, &p, MATCH_PARAMS, allow);
		return ROUTE_BAD_METHOD;
	}
	return ROUTE_NOT_FOUND;
}
