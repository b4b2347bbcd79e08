/* upload.h — streaming a request body to a file (server.c's helper):
 * multipart/form-data through libmicrohttpd's post processor, any other
 * body as it comes. */
#pragma once
#include <microhttpd.h>

#include "http/http.h"

struct upload;

/* NULL when no temp file can be made in dir. */
struct upload *upload_begin(struct MHD_Connection *conn, const char *dir, size_t max,
			    struct arena *a);
/* false once the body is over the limit or malformed. */
bool upload_feed(struct upload *u, const char *data, size_t n);
/* What arrived; NULL (with *ret_status 400 or 413) when unusable. */
struct http_upload *upload_end(struct upload *u, int *ret_status);
/* Closes, and removes the temp file unless the handler moved it. */
void upload_free(struct upload *u);
