/* static.c — serving the UI: embedded files with ETags, a strict CSP, and
 * index.html for any path that is a route of the single-page app. */
#include "http/static.h"

#include <stdio.h>
#include <string.h>

#define CSP                                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self'; "                                \
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; "                              \
	"object-src 'none'; base-uri 'none'; form-action 'self'; "                                 \
	"frame-ancestors 'none'"

static const struct web_asset *find(const char *path)
{
	for (const struct web_asset *a = web_assets; a->path; a++)
		if (!strcmp(a->path, path))
			return a;
	return NULL;
}

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
	};
	for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* Development: the file from disk, re-read on every request. */
static int serve_dir(struct http_request *req, struct http_response *resp, const char *dir,
		     const char *path)
{
	if (strstr(path, ".."))
		return -1;
	char full[4096];
	snprintf(full, sizeof full, "%s%s", dir, path);
	FILE *f = fopen(full, "rb");
	if (!f) {
		snprintf(full, sizeof full, "%s/index.html", dir);
		path = "/index.html";
		if (!(f = fopen(full, "rb")))
			return -1;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&resp->body, chunk, n);
	fclose(f);
	resp->content_type = type_of(path);
	http_set_header(resp, "Cache-Control", "no-store");
	return 0;
}

int http_static_serve(struct http_request *req, struct http_response *resp, const char *web_dir)
{
	/* a request-target that is no path ("abc", "*", "" - libmicrohttpd
	 * passes them on) names no file */
	if (req->path[0] != '/')
		return -1;
	const char *path = !strcmp(req->path, "/") ? "/index.html" : req->path;
	http_set_header(resp, "Content-Security-Policy", CSP);
	if (web_dir && *web_dir)
		return serve_dir(req, resp, web_dir, path);
	const struct web_asset *a = find(path);
	/* A file's URL with this build's ?v= always names these bytes
	 * (build-web.sh): the browser may keep it without asking again, which
	 * spares a page load some 30 conditional requests for the modules.
	 * index.html, the page routes and anything asked for without the
	 * version are revalidated. Another build's ?v= is not found: a page of
	 * that build loading a view later (web/app/lazy.js) would otherwise
	 * mix this build's modules with its own, and it reloads instead. */
	const char *v = http_param(req, "v");
	bool pinned = a && strcmp(path, "/index.html") && v && web_version[0];
	if (pinned && strcmp(v, web_version))
		return -1;
	/* a path with an extension names a file; without one it is a route */
	if (!a && !strchr(strrchr(path, '/'), '.'))
		a = find("/index.html");
	if (!a)
		return -1;
	resp->content_type = a->content_type;
	http_set_header(resp, "ETag", a->etag);
	http_set_header(resp, "Cache-Control",
			pinned ? "public, max-age=31536000, immutable" : "no-cache");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && !strcmp(inm, a->etag)) {
		resp->status = 304;
		return 0;
	}
	buf_add(&resp->body, a->data, a->len);
	return 0;
}
