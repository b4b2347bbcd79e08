/* router.h — route lookup, separate from the server glue so it can be
 * unit tested. */
#pragma once
#include "http/http.h"

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Finds the first route matching req's method and path; fills the path
 * parameters. Literal routes are tried before routes with parameters.
 * ROUTE_BAD_METHOD when the path exists for other methods, whose names
 * are then appended to allow (may be NULL) for the Allow header. */
enum route_result router_find(const struct http_route *routes, struct http_request *req,
			      const struct http_route **ret, struct buf *allow);
