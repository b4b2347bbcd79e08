/* harness.c — the fuzz targets' shared helpers (see harness.h). */
#include "harness.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

void fuzz_check(bool cond, const char *msg, const char *file, int line)
{
	if (cond)
		return;
	fprintf(stderr, "%s:%d: property failed: %s\n", file, line, msg);
	abort();
}

int fuzz_split(const uint8_t *data, size_t size, char sep, char **out, int max)
{
	int n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= size && n < max; i++) {
		if (i < size && (data[i] != (uint8_t)sep || n == max - 1))
			continue;
		size_t len = i - start;
		out[n] = malloc(len + 1);
		if (!out[n])
			abort();
		memcpy(out[n], data + start, len);
		out[n][len] = '\0';
		n++;
		start = i + 1;
	}
	return n;
}

void fuzz_free_parts(char **parts, int n)
{
	for (int i = 0; i < n; i++)
		free(parts[i]);
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return path;
}

static char upload_dir[] = "/tmp/rapport-fuzz-XXXXXX";

static void remove_upload_dir(void)
{
	rmdir(upload_dir); /* each upload's file is gone with its request */
}

struct http_server *fuzz_http_start(const struct http_route *routes, http_handler not_found,
				    void *app)
{
	const char *dir = mkdtemp(upload_dir);
	if (!dir)
		abort();
	atexit(remove_upload_dir);
	struct http_config cfg = {
		.host = "127.0.0.1",
		.max_body = 1 << 20,
		.upload_dir = dir,
		.conn_memory = 32 * 1024, /* as rapport serve sets it */
		.no_listen = true,
	};
	char msg[200];
	struct http_server *s = http_start(&cfg, routes, app, not_found, msg, sizeof msg);
	if (!s) {
		fprintf(stderr, "fuzz: %s\n", msg);
		abort();
	}
	return s;
}

struct client {
	int fd;
	const char *req;
	size_t n;
};

/* The client's side: writes the request, shuts its writing side, and
 * reads the answers until the server closes, so a long run of pipelined
 * answers never fills the socket and stalls the server. */
static void *client_run(void *arg)
{
	struct client *c = arg;
	const char *p = c->req;
	size_t n = c->n;
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may close early; fine */
		p += w;
		n -= (size_t)w;
	}
	shutdown(c->fd, SHUT_WR);
	char sink[16384];
	while (read(c->fd, sink, sizeof sink) > 0)
		;
	return NULL;
}

void fuzz_http_send(struct http_server *s, const void *req, size_t n)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	struct client c = {sv[1], req, n};
	pthread_t t;
	if (pthread_create(&t, NULL, client_run, &c) != 0)
		abort();
	int rc = http_serve_socket(s, sv[0], 500); /* 5 s at most, less than -timeout */
	/* before the join: a connection still open would keep the client
	 * reading for good */
	FUZZ_CHECK(rc == 0, "the server did not finish a request whose client had sent it all");
	pthread_join(t, NULL);
	close(sv[1]);
}

/* --- the API's routes, probed --------------------------------------------- */

#include <jansson.h>
#include <strings.h>
#include <sys/stat.h>

#include "api/internal.h"
#include "model/registry.h"

static void check_params(const struct http_request *req)
{
	for (int i = 0; i < req->nparams; i++) {
		const struct query_param *q = &req->params[i];
		FUZZ_CHECK(q->key && q->value, "a query parameter without key or value");
		FUZZ_CHECK(utf8_valid(q->key, strlen(q->key)) &&
				   utf8_valid(q->value, strlen(q->value)),
			   "a query parameter that is not UTF-8 reached a handler");
	}
}

static void probe_headers(struct http_request *req)
{
	char hash[65];
	const char *auth = http_header(req, "Authorization");
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		domain_secret_hash(auth + 7, hash);
	const char *cookie = http_cookie(req, "rapport_session");
	if (cookie && *cookie)
		domain_secret_hash(cookie, hash);
	const char *im = http_header(req, "If-Match");
	int64_t v = api_parse_if_match(im);
	FUZZ_CHECK(v >= -2, "If-Match read as a version below -2");
	FUZZ_CHECK((v == -1) == (!im || !strcmp(im, "*")),
		   "If-Match other than absent or * read as absent");
	const char *names[] = {"X-CSRF-Token", "Idempotency-Key", "If-None-Match",
			       "Accept-Language", "Content-Type"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *h = http_header(req, names[i]);
		if (h)
			FUZZ_CHECK(strlen(h) < (1u << 20), "an absurd header");
	}
}

static void probe_upload(struct http_request *req)
{
	const struct http_upload *u = req->upload;
	if (!u)
		return;
	struct stat st;
	FUZZ_CHECK(stat(u->path, &st) == 0 && st.st_size == u->size,
		   "the upload's size is not the file's");
	for (int i = 0; i < u->nfields; i++)
		FUZZ_CHECK(http_form_field(req, u->field_names[i]) != NULL,
			   "a form field that cannot be read back");
	const char *names[] = {"entity", "mapping", "options", "strategy", "dry_run"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *f = http_form_field(req, names[i]);
		if (f && (i == 1 || i == 2))
			json_decref(json_loads(f, JSON_REJECT_DUPLICATES, NULL));
	}
}

static void probe(struct http_request *req, struct http_response *resp, void *app)
{
	(void)app;
	check_params(req);
	probe_headers(req);
	probe_upload(req);
	const struct entity_def *e =
		req->npath_params > 0 ? model_entity(req->path_params[0]) : NULL;
	struct rp_error err;
	rp_error_init(&err);
	if (e && !strcmp(req->method, "GET")) {
		struct list_query q;
		model_parse_list_query(e, req->params, req->nparams, req->arena, &q, &err);
	}
	if (req->body_len) {
		json_t *body = api_body(req, resp);
		struct record *r;
		if (body && e)
			model_validate_write(e, body, !strcmp(req->method, "POST"), req->arena, &r,
					     &err);
	}
	buf_reset(&resp->body);
	resp->status = 200;
}

/* The static lookup of the real not-found handler, its body dropped so a
 * large asset never fills the socket nobody reads. */
static void probe_not_found(struct http_request *req, struct http_response *resp, void *app)
{
	check_params(req);
	api_not_found(req, resp, app);
	buf_reset(&resp->body);
}

struct http_server *fuzz_api_server(void)
{
	static struct http_route routes[64];
	static struct api_app app;
	model_init();
	size_t n = 0;
	for (; api_routes[n].pattern && n < 63; n++) {
		routes[n] = api_routes[n];
		routes[n].fn = probe;
	}
	routes[n] = (struct http_route){0};
	return fuzz_http_start(routes, probe_not_found, &app);
}

/* --- the spreadsheet reader --------------------------------------------- */

#include "io/table.h"

void fuzz_read_table(const char *path, const struct table_options *opt)
{
	struct table_reader *t;
	struct rp_error err;
	rp_error_init(&err);
	if (table_open(path, opt, &t, &err)) {
		FUZZ_CHECK(err.err != RP_OK && err.code[0], "a refused file with no reason");
		return;
	}
	int64_t last = -1; /* a vCard's header is row 0: no line of the file */
	for (int i = 0; i < 1000000; i++) {
		const char *const *cells;
		int n;
		rp_error_init(&err);
		int rc = table_next(t, &cells, &n, &err);
		double pr = table_progress(t);
		FUZZ_CHECK(pr >= 0.0 && pr <= 1.0, "progress out of 0..1");
		if (rc == 0 || rc == -1) {
			FUZZ_CHECK(rc == 0 || err.code[0], "a failed read with no reason");
			break;
		}
		FUZZ_CHECK(rc == 1 || rc == -2, "table_next returned something else");
		int64_t num = table_row_number(t);
		FUZZ_CHECK(num > last, "rows out of order");
		last = num;
		if (rc == -2)
			continue;
		FUZZ_CHECK(n >= 0 && n <= 1024, "cell count out of range");
		size_t bytes = 0;
		for (int k = 0; k < n; k++) {
			size_t len = strlen(cells[k]);
			bytes += len;
			FUZZ_CHECK(utf8_valid(cells[k], len), "a cell that is not UTF-8");
		}
		FUZZ_CHECK(bytes <= ((size_t)1 << 20), "a row over 1 MiB");
	}
	table_close(t);
}
