/* static.h — the browser UI's files, compiled into the binary at build
 * (scripts/embed-web.sh) with a content hash as ETag; or, for development,
 * read from a folder given with --web-dir. */
#pragma once
#include <stddef.h>

#include "http/http.h"

struct web_asset {
	const char *path; /* "/index.html" */
	const unsigned char *data;
	size_t len;
	const char *etag; /* quoted */
	const char *content_type;
};

extern const struct web_asset web_assets[];

/* The UI's build version: scripts/build-web.sh names every module and style
 * sheet with ?v=<web_version>; "" when the UI was built without one. */
extern const char web_version[];

/* Serves GET/HEAD of path from the embedded assets (or web_dir when set):
 * the file, 304 on a matching If-None-Match, and for paths that name no
 * file index.html (the UI routes in the browser). Sets the strict
 * Content-Security-Policy. An embedded file asked for with ?v=web_version
 * may be cached for good (immutable); with another ?v= it is not served
 * (-1: that build is gone); anything else is revalidated each time
 * (no-cache), and files from web_dir are not stored (no-store).
 * Returns 0 if served, -1 if there is no UI or no such file. */
int http_static_serve(struct http_request *req, struct http_response *resp, const char *web_dir);
