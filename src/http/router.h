/* router.h — route lookup, separate from the server glue so it can be
 * unit tested. */
#pragma once
#include "http/http.h"

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

struct router;

/* The route table (ended by a route without a pattern) made ready for
 * lookups; it must outlive the router. NULL when a pattern has more
 * segments or parameters than a request can hold. */
struct router *router_new(const struct http_route *routes);
void router_free(struct router *r);

/* Finds the first route matching req's method and path; fills the path
 * parameters. Literal routes are tried before routes with parameters.
 * ROUTE_BAD_METHOD when the path exists for other methods, whose names
 * are then appended to allow (may be NULL) for the Allow header. */
enum route_result router_find(const struct router *r, struct http_request *req,
			      const struct http_route **ret, struct buf *allow);
