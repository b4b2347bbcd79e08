/* test_http.c — unit tests for the server glue (src/http/server.c) on an
 * in-process server with no listening socket (http_config.no_listen),
 * one request at a time over a socketpair: routing, the static files'
 * fallback for request-targets that are no path, and query strings that
 * are not UTF-8. */
#include "unit.h"

#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "http/static.h"

static void ok_handler(struct http_request *req, struct http_response *resp, void *app)
{
	(void)req;
	(void)app;
	buf_adds(&resp->body, "{\"ok\":true}");
}

static void static_or_404(struct http_request *req, struct http_response *resp, void *app)
{
	(void)app;
	if (http_static_serve(req, resp, NULL) == 0)
		return;
	resp->status = 404;
	buf_adds(&resp->body, "{}");
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/healthz", .fn = ok_handler},
	{0},
};

static int setup(void **state)
{
	struct http_config cfg = {
		.host = "127.0.0.1", .max_body = 4096, .conn_memory = 64 * 1024, .no_listen = true};
	char msg[200];
	*state = http_start(&cfg, routes, NULL, static_or_404, msg, sizeof msg);
	assert_non_null(*state);
	return 0;
}

static int teardown(void **state)
{
	http_stop(*state);
	return 0;
}

/* Sends req, serves it, and returns the response's status code. */
static int status_of(struct http_server *s, const char *req)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], req, strlen(req)), (ssize_t)strlen(req));
	shutdown(sv[1], SHUT_WR);
	assert_int_equal(http_serve_socket(s, sv[0], 1000), 0);
	char resp[512] = "";
	ssize_t n = read(sv[1], resp, sizeof resp - 1);
	close(sv[1]);
	int status = 0;
	if (n > 0 && sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
	return status;
}

static void test_routes_and_static(void **state)
{
	struct http_server *s = *state;
	assert_int_equal(status_of(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_int_equal(status_of(s, "POST /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
	assert_int_equal(status_of(s, "GET /contacts/12 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_int_equal(status_of(s, "GET /nope.js HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
}

/* Found by fuzzing: a request-target without a '/' reached the static
 * files' lookup, which took strrchr(path, '/') for granted; one such
 * request (no sign-in needed) crashed the server. */
static void test_target_without_slash(void **state)
{
	struct http_server *s = *state;
	assert_int_equal(status_of(s, "GET abc HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
	assert_int_equal(status_of(s, "GET * HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
	assert_int_equal(status_of(s, "HEAD ?v=1 HTTP/1.0\r\n\r\n"), 404);
}

static void test_query_not_utf8(void **state)
{
	struct http_server *s = *state;
	assert_int_equal(status_of(s, "GET /healthz?a=%FF HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	assert_int_equal(status_of(s, "GET /healthz?a=%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_and_static),
		cmocka_unit_test(test_target_without_slash),
		cmocka_unit_test(test_query_not_utf8),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
