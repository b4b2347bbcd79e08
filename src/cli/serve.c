/* serve.c — `rapport serve`: opens and migrates the store, creates the
 * first admin on an empty database, and runs the HTTP server until
 * SIGINT/SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/textkey.h"
#include "domain/domain.h"
#include "io/import.h"
#include "jobs/jobs.h"

static bool split_listen(const char *listen, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= hostlen)
		return false;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535 || !colon[1])
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (!strcmp(host, "localhost"))
		snprintf(host, hostlen, "127.0.0.1");
	*port = (uint16_t)p;
	return true;
}

/* The worker's import job: the import runs while the lease holds. */
static bool import_tick(const struct record *imp, double progress, void *ctx)
{
	(void)imp;
	(void)progress;
	return job_alive(ctx);
}

static enum rp_err run_import_job(struct store *s, int64_t id, struct job_ctx *ctx,
				  struct rp_error *err)
{
	return import_run(s, id, import_tick, ctx, err);
}

#define CATCH_UP_ROUNDS 64 /* transactions before the queue is looked at again */

/* Writes what a backlog holds, CATCH_UP_ROUNDS transactions at most. */
static void catch_up(struct store_conn *c, enum store_backlog which)
{
	struct rp_error err;
	rp_error_init(&err);
	if (domain_catch_up(c, which, CATCH_UP_ROUNDS, &err))
		log_warn("catching up (%s): %s",
			 which == BACKLOG_SEARCH ? "search texts" : "duplicate keys", err.detail);
}

/* With the job queue empty: the search texts an interrupted import left
 * to write and the duplicate keys an upgrade asked to make again
 * (domain_catch_up), then the search index's merging. */
static void housekeeping(struct store_conn *c)
{
	catch_up(c, BACKLOG_SEARCH);
	catch_up(c, BACKLOG_DEDUP);
	store_search_tidy(c);
}

/* Each connection is a descriptor: the soft limit (often 1024) is raised
 * towards the hard one so --max-conns can be reached. */
static void allow_open_files(unsigned max_conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_conns + 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		log_info("rapport: only %llu open files allowed; fewer than --max-conns %u "
			 "connections may be served",
			 (unsigned long long)rl.rlim_cur, max_conns);
}

int cmd_serve(struct config *cfg, int argc, const char **argv)
{
	char host[256];
	uint16_t port;
	if (!split_listen(cfg->listen, host, sizeof host, &port)) {
		fprintf(stderr, "rapport: --listen wants HOST:PORT, got '%s'\n", cfg->listen);
		return 2;
	}
	int64_t t0 = clock_mono_ns();
	struct store *s = cli_open_store(cfg);
	if (cli_bootstrap(s)) {
		store_close(s);
		return 1;
	}
	struct api_app app = {
		.store = s,
		.cfg = {.session_ttl_s = (int)cfg->session_ttl,
			.cookie_secure = cfg->cookie_secure,
			.login_max_failures = (int)cfg->login_failures,
			.login_window_s = 900,
			.login_ip_max_failures = (int)cfg->login_failures * 10},
		.started_at = clock_now(),
		.web_dir = cfg->web_dir,
	};
	char upload_dir[4200];
	import_dir(store_path(s), upload_dir, sizeof upload_dir);
	mkdir(upload_dir, 0750);
	struct http_config hc = {
		.upload_dir = upload_dir,
		.host = host,
		.port = port,
		.threads = (unsigned)cfg->threads,
		.max_body = (size_t)cfg->max_body,
		.conn_timeout_s = (unsigned)cfg->conn_timeout,
		.max_conns = (unsigned)cfg->max_conns,
		.max_conns_per_ip = (unsigned)cfg->max_conns_per_ip,
		.rate_per_ip = (unsigned)cfg->rate_limit,
		/* a request head up to 16 KB (browsers and proxies send under
		 * 8); libmicrohttpd zeroes the whole buffer after every
		 * request, 2 % of a GET's time at 32 KB */
		.conn_memory = 16 * 1024,
		.access_log = !cfg->quiet,
		.request_done = api_request_done,
		.owed = api_owed,
		.await = api_await,
	};
	allow_open_files(hc.max_conns);
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* worker threads inherit it */
	signal(SIGPIPE, SIG_IGN);
	static const struct job_handler handlers[] = {{"import", run_import_job}};
	app.jobs = jobs_start(s, handlers, 1, housekeeping);
	char msg[256];
	struct http_server *srv = http_start(&hc, api_routes, &app, api_not_found, msg, sizeof msg);
	if (!srv) {
		fprintf(stderr, "rapport: %s\n", msg);
		jobs_stop(app.jobs);
		store_close(s);
		return 1;
	}
	textkey_warm(); /* ICU's transliterators, off the start path */
	log_info("rapport serving http://%s:%u/ (database %s, started in %.1f ms)", host,
		 http_port(srv), store_path(s), (double)(clock_mono_ns() - t0) / 1e6);
	int sig = 0;
	sigwait(&sigs, &sig);
	log_info("rapport stopping (signal %d)", sig);
	http_stop(srv);
	jobs_stop(app.jobs);
	store_close(s);
	return 0;
}
