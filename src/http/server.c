/* server.c — libmicrohttpd glue: accumulates the body within its limit,
 * builds a struct http_request in a per-request arena, routes it, sends
 * the response, logs it and counts it. */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/http.h"
#include "http/listener.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "http/upload.h"

struct http_server {
	struct MHD_Daemon *d;
	struct listener *listener; /* NULL with cfg.no_listen */
	struct http_config cfg;
	struct router *router;
	void *app;
	http_handler not_found;
	uint16_t port;
	struct rate_limiter *limiter;
	atomic_int held; /* answers set aside until their writes are durable */
};

/* Per-connection request state, from the first call of the access handler
 * to the completion callback. */
struct req_state {
	struct arena *arena;
	struct buf body;
	bool too_big;
	int64_t started_ns;
	/* the route, found from the headers (route_found) */
	bool route_found;
	const struct http_route *route;
	int npath_params;
	const char *path_params[HTTP_MAX_PATH_PARAMS];
	struct upload *upload; /* routes that stream their body to a file */
	bool upload_failed;
	int retry_after; /* > 0: over the client's request rate; its body is dropped */
	/* an answer held until its writes are durable (http_config.owed) */
	bool held;
	struct http_response resp;
	const char *client_ip;
	struct MHD_Connection *conn;
};

/* The route is known from the headers alone. One that takes uploads gets
 * its body streamed to a file from the first byte. */
static void find_route(struct http_server *s, struct req_state *st, struct MHD_Connection *conn,
		       const char *method, const char *url)
{
	struct http_request probe = {.method = method, .path = url, .arena = st->arena};
	const struct http_route *rt;
	if (router_find(s->router, &probe, &rt, NULL) != ROUTE_FOUND)
		return;
	st->route_found = true;
	st->route = rt;
	st->npath_params = probe.npath_params;
	memcpy(st->path_params, probe.path_params, sizeof st->path_params);
	if (!rt->max_upload)
		return;
	st->upload = upload_begin(conn, s->cfg.upload_dir, rt->max_upload, st->arena);
	st->upload_failed = !st->upload;
}

/* --- metrics ------------------------------------------------------------ */

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				   0.05,   0.1,	  0.25,	  0.5,	 1,    2.5};
#define NBUCKETS (sizeof bucket_le / sizeof *bucket_le)
static atomic_ullong status_count[6]; /* by status class 1xx..5xx */
static atomic_ullong bucket_count[NBUCKETS + 1];
static atomic_ullong duration_us_sum;

static void metrics_observe(int status, int64_t ns)
{
	int cls = status / 100;
	if (cls >= 1 && cls <= 5)
		atomic_fetch_add(&status_count[cls], 1);
	double s = (double)ns / 1e9;
	size_t b = 0;
	while (b < NBUCKETS && s > bucket_le[b])
		b++;
	atomic_fetch_add(&bucket_count[b], 1);
	atomic_fetch_add(&duration_us_sum, (unsigned long long)(ns / 1000));
}

void http_metrics_write(struct buf *out)
{
	buf_adds(out, "# HELP rapport_http_requests_total HTTP requests by status class.\n"
		      "# TYPE rapport_http_requests_total counter\n");
	for (int c = 1; c <= 5; c++)
		buf_printf(out, "rapport_http_requests_total{code=\"%dxx\"} %llu\n", c,
			   atomic_load(&status_count[c]));
	buf_adds(out, "# HELP rapport_http_request_duration_seconds Time to answer a request.\n"
		      "# TYPE rapport_http_request_duration_seconds histogram\n");
	unsigned long long cum = 0;
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += atomic_load(&bucket_count[b]);
		buf_printf(out, "rapport_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			   bucket_le[b], cum);
	}
	cum += atomic_load(&bucket_count[NBUCKETS]);
	buf_printf(out, "rapport_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	buf_printf(out, "rapport_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load(&duration_us_sum) / 1e6);
	buf_printf(out, "rapport_http_request_duration_seconds_count %llu\n", cum);
}

/* --- request helpers ---------------------------------------------------- */

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p;
		int len = c < 0x80	   ? 1
			  : (c >> 5) == 6  ? 2
			  : (c >> 4) == 14 ? 3
			  : (c >> 3) == 30 ? 4
					   : 0;
		if (!len || end - p < len)
			return false;
		uint32_t cp = len == 1 ? c : c & (0x7F >> len);
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += len;
	}
	return true;
}

const char *http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_param(const struct http_request *req, const char *key)
{
	for (int i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].key, key))
			return req->params[i].value;
	return NULL;
}

const char *http_form_field(const struct http_request *req, const char *name)
{
	const struct http_upload *u = req->upload;
	for (int i = 0; u && i < u->nfields; i++)
		if (!strcmp(u->field_names[i], name))
			return u->field_values[i];
	return http_param(req, name);
}

void http_set_header(struct http_response *resp, const char *name, const char *value)
{
	for (int i = 0; i < resp->nheaders; i++)
		if (!strcasecmp(resp->header_names[i], name)) {
			resp->header_values[i] = value;
			return;
		}
	if (resp->nheaders < HTTP_MAX_HEADERS) {
		resp->header_names[resp->nheaders] = name;
		resp->header_values[resp->nheaders++] = value;
	}
}

void http_set_body_fd(struct http_response *resp, int fd, uint64_t size)
{
	if (resp->has_body_fd)
		close(resp->body_fd);
	resp->has_body_fd = true;
	resp->body_fd = fd;
	resp->body_fd_size = size;
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	struct http_request *req = cls;
	if (req->nparams >= HTTP_MAX_QUERY_PARAMS || !utf8_valid(key, strlen(key)) ||
	    (value && !utf8_valid(value, strlen(value)))) {
		req->bad_params = true;
		return MHD_NO;
	}
	req->params[req->nparams++] = (struct query_param){
		arena_strdup(req->arena, key), arena_strdup(req->arena, value ? value : "")};
	return MHD_YES;
}

/* Seconds the client must wait before this request, 0 if it may go. */
static int over_rate(struct http_server *s, struct MHD_Connection *conn)
{
	if (!s->limiter)
		return 0;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return 0;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		return ratelimit_take(s->limiter, &((const struct sockaddr_in *)sa)->sin_addr, 4,
				      clock_mono_ns());
	if (sa->sa_family == AF_INET6)
		return ratelimit_take(s->limiter, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16,
				      clock_mono_ns());
	return 0;
}

static const char *client_ip(struct MHD_Connection *conn, struct arena *a)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char ip[INET6_ADDRSTRLEN] = "?";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip,
				  sizeof ip);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip,
				  sizeof ip);
	}
	return arena_strdup(a, ip);
}

/* --- the access handler --------------------------------------------------- */

static void simple_problem(struct http_response *resp, int status, const char *code,
			   const char *title)
{
	resp->status = status;
	resp->content_type = "application/problem+json";
	buf_printf(&resp->body,
		   "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,"
		   "\"code\":\"%s\",\"detail\":\"%s\"}",
		   title, status, code, title);
}

static void dispatch(struct http_server *s, struct req_state *st, struct http_request *req,
		     struct http_response *resp)
{
	if (st->route_found) {
		req->npath_params = st->npath_params;
		memcpy(req->path_params, st->path_params, sizeof req->path_params);
		st->route->fn(req, resp, s->app);
		return;
	}
	const struct http_route *route = NULL;
	struct buf allow;
	buf_init(&allow, 256);
	enum route_result rr = router_find(s->router, req, &route, &allow);
	if (rr == ROUTE_BAD_METHOD)
		http_set_header(resp, "Allow", arena_strdup(req->arena, buf_str(&allow)));
	buf_release(&allow);
	switch (rr) {
	case ROUTE_FOUND: route->fn(req, resp, s->app); return;
	case ROUTE_BAD_METHOD:
		simple_problem(resp, 405, "method_not_allowed", "Method not allowed");
		return;
	case ROUTE_NOT_FOUND:
		if (s->not_found)
			s->not_found(req, resp, s->app);
		else
			simple_problem(resp, 404, "not_found", "Not found");
		return;
	}
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct http_response *resp,
				     const char *method)
{
	struct MHD_Response *r;
	if (resp->has_body_fd) {
		/* MHD reads the file as it sends and closes it afterwards */
		buf_release(&resp->body);
		r = MHD_create_response_from_fd64(resp->body_fd_size, resp->body_fd);
		if (!r)
			close(resp->body_fd);
	} else {
		size_t len = 0;
		char *body = buf_detach(&resp->body, &len);
		r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	}
	if (!r)
		return MHD_NO;
	if (resp->content_type)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->header_names[i], resp->header_values[i]);
	(void)method;
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Counts and logs the answer, and queues it. */
static enum MHD_Result answer(struct http_server *s, struct req_state *st,
			      struct MHD_Connection *conn, const char *method, const char *url,
			      const char *client_ip, struct http_response *resp)
{
	int64_t ns = clock_mono_ns() - st->started_ns;
	metrics_observe(resp->status, ns);
	if (s->cfg.access_log)
		log_info("access %s %s %s %d %llu %.3fms", client_ip, method, url, resp->status,
			 resp->has_body_fd ? (unsigned long long)resp->body_fd_size
					   : (unsigned long long)resp->body.len,
			 (double)ns / 1e6);
	return send_response(conn, resp, method);
}

static void drop_response(struct http_response *resp)
{
	if (resp->has_body_fd)
		close(resp->body_fd);
	buf_release(&resp->body);
}

void http_release(void *hold, struct http_response *instead)
{
	struct req_state *st = hold;
	if (instead) {
		drop_response(&st->resp);
		st->resp = *instead;
	}
	MHD_resume_connection(st->conn);
}

/* The held answer, once MHD calls back for its resumed connection. */
static enum MHD_Result answer_held(struct http_server *s, struct req_state *st,
				   struct MHD_Connection *conn, const char *method, const char *url)
{
	st->held = false;
	atomic_fetch_sub(&s->held, 1);
	return answer(s, st, conn, method, url, st->client_ip, &st->resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_server *s = cls;
	struct req_state *st = *con_cls;
	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			abort();
		st->arena = arena_new();
		st->started_ns = clock_mono_ns();
		buf_init(&st->body, s->cfg.max_body);
		*con_cls = st;
		st->retry_after = over_rate(s, conn);
		if (!st->retry_after)
			find_route(s, st, conn, method, url);
		return MHD_YES;
	}
	if (st->held)
		return answer_held(s, st, conn, method, url);
	if (*upload_size && st->retry_after) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size && st->upload) {
		if (!upload_feed(st->upload, upload, *upload_size))
			st->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		buf_add(&st->body, upload, *upload_size);
		if (st->body.overflow)
			st->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	struct http_request req = {.method = method,
				   .path = url,
				   .arena = st->arena,
				   .conn = conn,
				   .can_hold = !s->cfg.no_listen && s->cfg.await};
	req.client_ip = client_ip(conn, st->arena);
	struct http_response resp = {.status = 200, .content_type = "application/json"};
	buf_init(&resp.body, 0);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, &req);
	int upload_status = 200;
	if (st->upload)
		req.upload = upload_end(st->upload, &upload_status);
	if (st->retry_after) {
		simple_problem(&resp, 429, "rate_limited", "Too many requests from this address");
		char secs[16];
		snprintf(secs, sizeof secs, "%d", st->retry_after);
		http_set_header(&resp, "Retry-After", arena_strdup(st->arena, secs));
	} else if (st->upload_failed) {
		simple_problem(&resp, 503, "storage_error", "The upload cannot be stored");
	} else if (upload_status == 400) {
		simple_problem(&resp, 400, "bad_upload", "The uploaded form is malformed");
	} else if (st->too_big || upload_status == 413) {
		simple_problem(&resp, 413, "payload_too_large", "The request body is too large");
	} else if (req.bad_params || !utf8_valid(url, strlen(url))) {
		simple_problem(&resp, 400, "invalid_query", "The query string is not valid");
	} else {
		req.body = buf_str(&st->body);
		req.body_len = st->body.len;
		dispatch(s, st, &req, &resp);
	}
	if (s->cfg.request_done)
		s->cfg.request_done(s->app);
	uint64_t owed = s->cfg.owed ? s->cfg.owed(s->app) : 0;
	if (owed && req.can_hold) {
		st->held = true;
		st->resp = resp;
		st->client_ip = req.client_ip;
		st->conn = conn;
		atomic_fetch_add(&s->held, 1);
		MHD_suspend_connection(conn);
		s->cfg.await(s->app, owed, st); /* may release it at once */
		return MHD_YES;
	}
	return answer(s, st, conn, method, url, req.client_ip, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct req_state *st = *con_cls;
	if (!st)
		return;
	if (st->held) { /* closed before its answer went */
		drop_response(&st->resp);
		atomic_fetch_sub(&((struct http_server *)cls)->held, 1);
	}
	upload_free(st->upload);
	arena_free(st->arena);
	buf_release(&st->body);
	free(st);
	*con_cls = NULL;
}

struct http_server *http_start(const struct http_config *cfg, const struct http_route *routes,
			       void *app, http_handler not_found, char *err_msg, size_t err_len)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
	if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
		snprintf(err_msg, err_len, "cannot listen on %s: not an IPv4 address", cfg->host);
		return NULL;
	}
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->cfg = *cfg;
	if (!(s->router = router_new(routes))) {
		snprintf(err_msg, err_len, "a route has more segments or parameters than allowed");
		free(s);
		return NULL;
	}
	s->app = app;
	s->not_found = not_found;
	s->limiter = ratelimit_new(cfg->rate_per_ip);
	int fd = -1;
	s->port = cfg->port;
	if (cfg->no_listen) /* no error log: a socketpair has no TCP options to set */
		s->d = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, s,
					MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->conn_memory,
					MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
					MHD_OPTION_END);
	else if ((fd = listener_bind(&addr, 1024, &s->port)) >= 0)
		s->d = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC,
			0, NULL, NULL, on_request, s, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
			MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout_s,
			MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_conns_per_ip,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->conn_memory,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (s->d && fd >= 0 && !(s->listener = listener_start(fd, s->d))) {
		MHD_stop_daemon(s->d);
		s->d = NULL;
	}
	if (!s->d) {
		if (fd >= 0) /* not handed to a listener */
			close(fd);
		snprintf(err_msg, err_len, "cannot listen on %s:%u (in use?)", cfg->host,
			 cfg->port);
		ratelimit_free(s->limiter);
		router_free(s->router);
		free(s);
		return NULL;
	}
	return s;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	/* MHD must not stop with connections set aside: their writes'
	 * batches are committed within milliseconds */
	listener_stop(s->listener);
	for (int i = 0; i < 10000 && atomic_load(&s->held) > 0; i++)
		usleep(1000);
	MHD_stop_daemon(s->d);
	ratelimit_free(s->limiter);
	router_free(s->router);
	free(s);
}

uint16_t http_port(const struct http_server *s)
{
	return s->port;
}

static unsigned open_connections(struct http_server *s)
{
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return di ? di->num_connections : 0;
}

int http_serve_socket(struct http_server *s, int fd, unsigned max_steps)
{
	struct sockaddr_in peer = {.sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (!s->cfg.no_listen ||
	    MHD_add_connection(s->d, fd, (struct sockaddr *)&peer, sizeof peer) != MHD_YES)
		return -1;
	for (unsigned i = 0; i < max_steps; i++) {
		/* waits up to 10 ms for the socket: the peer may be a thread
		 * that has not sent everything yet */
		if (MHD_run_wait(s->d, 10) != MHD_YES)
			return -1;
		if (open_connections(s) == 0)
			return 0;
	}
	return -1;
}
