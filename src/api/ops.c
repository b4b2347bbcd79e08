/* ops.c — what operators poll: /healthz and /metrics. */
#include "api/internal.h"

#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"

void h_healthz(struct http_request *req, struct http_response *resp, void *appv)
{
	struct api_app *app = appv;
	struct store_conn *c = api_conn(app, resp);
	if (!c)
		return;
	buf_adds(&resp->body, "{\"status\":\"ok\"}");
	http_set_header(resp, "Cache-Control", "no-store");
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void h_metrics(struct http_request *req, struct http_response *resp, void *appv)
{
	struct api_app *app = appv;
	resp->content_type = "text/plain; version=0.0.4";
	http_metrics_write(&resp->body);
	buf_printf(&resp->body,
		   "# HELP rapport_process_resident_memory_bytes Resident memory.\n"
		   "# TYPE rapport_process_resident_memory_bytes gauge\n"
		   "rapport_process_resident_memory_bytes %ld\n"
		   "# HELP rapport_process_start_time_seconds Start time.\n"
		   "# TYPE rapport_process_start_time_seconds gauge\n"
		   "rapport_process_start_time_seconds %lld\n",
		   rss_kib() * 1024, (long long)app->started_at);
	uint64_t batches, writes;
	store_commit_counts(app->store, &batches, &writes);
	buf_printf(&resp->body,
		   "# HELP rapport_store_commit_batches_total Group-commit batches made durable.\n"
		   "# TYPE rapport_store_commit_batches_total counter\n"
		   "rapport_store_commit_batches_total %llu\n"
		   "# HELP rapport_store_commit_writes_total Write transactions in them.\n"
		   "# TYPE rapport_store_commit_writes_total counter\n"
		   "rapport_store_commit_writes_total %llu\n",
		   (unsigned long long)batches, (unsigned long long)writes);
}
