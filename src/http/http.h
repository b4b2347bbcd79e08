/* http.h — the HTTP server: libmicrohttpd glue, a router over a table of
 * routes, request bodies bounded by a limit, one arena per request, an
 * access log line per request and request metrics. Knows nothing of
 * entities or users. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "model/query.h" /* struct query_param */

#define HTTP_MAX_PATH_PARAMS  4
#define HTTP_MAX_QUERY_PARAMS 64
#define HTTP_MAX_HEADERS      16

/* A body streamed to a file (routes with max_upload): for
 * multipart/form-data the first file part, with the other parts as small
 * fields; for any other type the body itself. */
#define HTTP_MAX_FORM_FIELDS 16
struct http_upload {
	const char *path; /* the temp file; the handler may rename it away */
	int64_t size;
	const char *file_name;	  /* the part's filename, NULL for a raw body */
	const char *content_type; /* of the part or the body */
	const char *field_names[HTTP_MAX_FORM_FIELDS];
	const char *field_values[HTTP_MAX_FORM_FIELDS];
	int nfields;
};

struct http_request {
	const char *method;
	const char *path;
	const char *path_params[HTTP_MAX_PATH_PARAMS];
	int npath_params;
	struct query_param params[HTTP_MAX_QUERY_PARAMS];
	int nparams;
	bool bad_params; /* too many, or not UTF-8 */
	const char *body;
	size_t body_len;
	const char *client_ip;
	struct http_upload *upload; /* routes with max_upload only */
	struct arena *arena;
	void *conn; /* the server's connection handle */
	/* The answer may wait for durable writes (http_config.owed) without
	 * holding the server's thread. */
	bool can_hold;
};

struct http_response {
	int status;
	const char *content_type;
	struct buf body;
	const char *header_names[HTTP_MAX_HEADERS];
	const char *header_values[HTTP_MAX_HEADERS];
	int nheaders;
	/* A body read from a file instead of `body` (http_set_body_fd). */
	bool has_body_fd;
	int body_fd;
	uint64_t body_fd_size;
};

/* A handler fills resp; it never frees (everything lives in req->arena). */
typedef void (*http_handler)(struct http_request *req, struct http_response *resp, void *app);

/* Pattern segments starting with ':' match any one segment and are passed
 * in path_params in order; a final "*" matches the rest of the path. */
struct http_route {
	const char *method;
	const char *pattern;
	http_handler fn;
	size_t max_upload; /* > 0: the body goes to a file, up to this size */
};

struct http_config {
	const char *host;
	uint16_t port;
	unsigned threads;
	size_t max_body;	 /* bytes; larger bodies get 413 */
	const char *upload_dir;	 /* where uploads are streamed (the data folder) */
	unsigned conn_timeout_s; /* idle connections are closed */
	unsigned max_conns;
	unsigned max_conns_per_ip;
	unsigned rate_per_ip; /* requests a second per client address; 0: no limit */
	size_t conn_memory;   /* per-connection buffer limit */
	bool access_log;
	void (*request_done)(void *app); /* after each request, on its thread */
	/* Answers held until the request's writes are durable: after a
	 * request (and request_done), owed returns what its writes still wait
	 * for (0: nothing); the connection is then set aside, its thread goes
	 * on with others, and await arranges for http_release(hold, instead)
	 * to be called, from any thread, once the writes are durable (instead
	 * NULL) or lost (instead: the answer to send in its place). */
	uint64_t (*owed)(void *app);
	void (*await)(void *app, uint64_t owed, void *hold);
	/* Tests and fuzzing: no listening socket and no threads; connections
	 * come from http_serve_socket, in the caller's thread. */
	bool no_listen;
};

struct http_server;

/* Starts serving; routes and app must outlive the server. NULL on failure
 * with a message in err_msg. */
struct http_server *http_start(const struct http_config *cfg, const struct http_route *routes,
			       void *app, http_handler not_found, char *err_msg, size_t err_len);
void http_stop(struct http_server *s);
/* Sends a held answer (http_config.owed), or `instead` (taken over) in
 * its place; any thread. */
void http_release(void *hold, struct http_response *instead);
/* The port actually bound (useful with port 0). */
uint16_t http_port(const struct http_server *s);
/* On a server started with cfg->no_listen: takes fd, one end of a
 * connected stream socket (a socketpair), and serves it in this thread
 * until the connection is closed. The peer sends its requests (and shuts
 * down its writing side) and reads the answers, from another thread when
 * the answers may not fit in the socket's buffer. The server owns and
 * closes fd. 0 when the connection was served to its end, -1 when it was
 * still open after max_steps polls (each waits up to 10 ms for the
 * socket), or on error. */
int http_serve_socket(struct http_server *s, int fd, unsigned max_steps);

const char *http_header(const struct http_request *req, const char *name);
const char *http_cookie(const struct http_request *req, const char *name);
const char *http_param(const struct http_request *req, const char *key);
/* A multipart field of an upload, else the query parameter; NULL if none. */
const char *http_form_field(const struct http_request *req, const char *name);
void http_set_header(struct http_response *resp, const char *name, const char *value);
/* Sends the first `size` bytes of the open file fd as the body instead of
 * resp->body, so a large download (an export) never sits in memory. The
 * server owns fd from here on and closes it once sent (or if the
 * response is replaced by another fd). */
void http_set_body_fd(struct http_response *resp, int fd, uint64_t size);

/* Prometheus text for the server's request counters and latencies. */
void http_metrics_write(struct buf *out);

bool utf8_valid(const char *s, size_t n);
