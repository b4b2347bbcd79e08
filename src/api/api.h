/* api.h — the REST API of Rapport (/api/v1): authentication, the generic
 * record handlers driven by the descriptors, and the action endpoints.
 * The route table is built here; cli/serve hands it to the http server. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "domain/domain.h"
#include "http/http.h"

struct api_config {
	int session_ttl_s;	/* idle-independent session lifetime */
	bool cookie_secure;	/* add Secure to the session cookie */
	int login_max_failures; /* per e-mail in login_window_s */
	int login_window_s;
	int login_ip_max_failures;
};

struct api_app {
	struct store *store;
	struct api_config cfg;
	int64_t started_at;
	const char *web_dir; /* serve the UI from this folder (development) */
	struct jobs *jobs;   /* the background worker, woken when a job is queued */
};

/* The largest file an import takes (streamed to disk, never held in RAM). */
#define API_MAX_IMPORT_BYTES ((size_t)2 << 30)

extern const struct http_route api_routes[];
void api_not_found(struct http_request *req, struct http_response *resp, void *app);
/* Ends what a request kept open on its thread (the held read snapshot). */
void api_request_done(void *app);
/* http_config.owed and .await: a request's writes are acknowledged once
 * their group-commit batch is durable, without holding the thread. */
uint64_t api_owed(void *app);
void api_await(void *app, uint64_t owed, void *hold);
