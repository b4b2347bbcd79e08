/* harness.h — what the fuzz targets share: splitting an input into parts,
 * an input as a file the readers can open, and an in-process HTTP server
 * (no socket to listen on, no threads) that serves one request read from
 * a socketpair. Each target is one tests/fuzz/NAME.c with
 * LLVMFuzzerTestOneInput; `make fuzz` builds and runs them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

/* Aborts with msg when cond is false: a property the target checks
 * beyond "no crash" (libFuzzer saves the input as a crash). */
#define FUZZ_CHECK(cond, msg) fuzz_check((cond), (msg), __FILE__, __LINE__)
void fuzz_check(bool cond, const char *msg, const char *file, int line);

/* Splits data at each byte sep into at most max NUL-terminated parts
 * (malloc'd copies in out[], free with fuzz_free_parts); the last part
 * takes the rest. Returns the number of parts (at least 1). */
int fuzz_split(const uint8_t *data, size_t size, char sep, char **out, int max);
void fuzz_free_parts(char **parts, int n);

/* The bytes as a regular file (a memfd) and a path that opens it; the
 * same file is rewritten on every call. */
const char *fuzz_file(const uint8_t *data, size_t size);

/* Starts the in-process server on routes (kept); NULL not_found answers
 * 404. Uploads go to a temp folder made for the process. */
struct http_server *fuzz_http_start(const struct http_route *routes, http_handler not_found,
				    void *app);
/* Sends the bytes as one request (its writing side then shut) and serves
 * it to the end; aborts if the server hangs on it. */
void fuzz_http_send(struct http_server *s, const void *req, size_t n);

/* The API's route table with every handler replaced by a probe that reads
 * what the real handlers read from a request, with no database: the
 * session cookie, Authorization, If-Match (api_parse_if_match),
 * X-CSRF-Token, Idempotency-Key, the query parameters (through
 * model_parse_list_query for an entity's list), the JSON body (through
 * model_validate_write) and the upload's form fields and file; and a
 * not-found handler that runs the static file lookup. */
struct http_server *fuzz_api_server(void);

/* Opens path with the table reader and reads every row, checking that each
 * is UTF-8, within the row limits and numbered in order, and that every
 * failure says why. */
struct table_options;
void fuzz_read_table(const char *path, const struct table_options *opt);
