/* http_headers.c — feeds the header block of a request: the first byte
 * picks a request line (a list with a query string, a PATCH or DELETE of
 * a record, a login, a page), the rest are header lines as a client sends
 * them (Cookie, Authorization, If-Match, X-CSRF-Token, Idempotency-Key,
 * Accept-Language, Content-Type, Content-Length, Transfer-Encoding...),
 * then a small JSON body. libmicrohttpd splits them and parses cookies;
 * the probe handlers read them as the API does (see harness.h). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const lines[] = {
		"GET /api/v1/contacts?sort=-name&limit=5 HTTP/1.1\r\n",
		"PATCH /api/v1/deals/7 HTTP/1.1\r\n",
		"DELETE /api/v1/accounts/3 HTTP/1.1\r\n",
		"POST /api/v1/auth/login HTTP/1.1\r\n",
		"GET /contacts/12 HTTP/1.1\r\n",
		"POST /api/v1/leads HTTP/1.0\r\n",
	};
	static const char body[] = "{\"name\":\"Ivan\"}";
	static struct http_server *s;
	if (!s)
		s = fuzz_api_server();
	if (size < 1 || size > 32 * 1024)
		return 0;
	const char *line = lines[data[0] % (sizeof lines / sizeof *lines)];
	size_t n = strlen(line) + size - 1 + 4 + sizeof body;
	char *req = malloc(n);
	if (!req)
		abort();
	size_t k = 0;
	memcpy(req + k, line, strlen(line));
	k += strlen(line);
	memcpy(req + k, data + 1, size - 1);
	k += size - 1;
	memcpy(req + k, "\r\n\r\n", 4);
	k += 4;
	memcpy(req + k, body, sizeof body - 1);
	k += sizeof body - 1;
	fuzz_http_send(s, req, k);
	free(req);
	return 0;
}
