/* http_request.c — feeds raw bytes as one HTTP request to the real server
 * glue (src/http/server.c on an in-process libmicrohttpd with no socket to
 * listen on): the request line, URL unescaping and the query string
 * (libmicrohttpd's parser, then collect_param's UTF-8 and count limits),
 * routing over the API's real route table (src/http/router.c), headers,
 * cookies, the body within its limit, multipart uploads (src/http/upload.c),
 * and, in the probe handlers, list parameters and JSON bodies (see
 * harness.h). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_server *s;
	if (!s)
		s = fuzz_api_server();
	if (size > 64 * 1024)
		return 0;
	fuzz_http_send(s, data, size);
	return 0;
}
