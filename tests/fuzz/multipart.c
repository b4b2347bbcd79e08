/* multipart.c — feeds an upload to POST /api/v1/imports through the real
 * server glue: the input's first line is the Content-Type (the multipart
 * boundary, or another type for a raw body), the rest is the body, sent
 * with its Content-Length. libmicrohttpd's post processor splits the parts
 * and src/http/upload.c streams the first file to disk and keeps the small
 * fields; the probe checks the file's size and reads the fields back (see
 * harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_server *s;
	if (!s)
		s = fuzz_api_server();
	if (size > 64 * 1024)
		return 0;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	const uint8_t *body = nl ? nl + 1 : data + size;
	size_t blen = size - (size_t)(body - data);
	char head[512];
	int hn = snprintf(head, sizeof head,
			  "POST /api/v1/imports?entity=contacts HTTP/1.1\r\n"
			  "Host: localhost\r\nCookie: rapport_session=abc\r\n"
			  "Content-Length: %zu\r\nContent-Type: ",
			  blen);
	char *req = malloc((size_t)hn + ctlen + 4 + blen);
	if (!req)
		abort();
	size_t k = 0;
	memcpy(req, head, (size_t)hn);
	k += (size_t)hn;
	for (size_t i = 0; i < ctlen; i++) /* one header line, whatever it holds */
		req[k++] = data[i] == '\r' ? ' ' : (char)data[i];
	memcpy(req + k, "\r\n\r\n", 4);
	k += 4;
	memcpy(req + k, body, blen);
	k += blen;
	fuzz_http_send(s, req, k);
	free(req);
	return 0;
}
