/* config.c — the configuration table: each setting once, with its flag,
 * environment variable, type and default. */
#include "cli/cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ctype { C_STR, C_LONG, C_BOOL };

static const struct {
	const char *flag, *env;
	enum ctype type;
	size_t offset;
	const char *dflt, *help;
	long min, max;
} settings[] = {
	{"db", "RAPPORT_DB", C_STR, offsetof(struct config, db), "./data/rapport.db",
	 "database: a SQLite file, or a postgres:// URL", 0, 0},
	{"db-replica", "RAPPORT_DB_REPLICA", C_STR, offsetof(struct config, db_replica), "",
	 "postgres:// URL of a streaming replica that serves reports (totals, exports)", 0, 0},
	{"listen", "RAPPORT_LISTEN", C_STR, offsetof(struct config, listen), "127.0.0.1:8080",
	 "HOST:PORT to serve on", 0, 0},
	{"web-dir", "RAPPORT_WEB_DIR", C_STR, offsetof(struct config, web_dir), "",
	 "serve the UI from this folder instead of the built-in copy (development)", 0, 0},
	{"default-country", "RAPPORT_DEFAULT_COUNTRY", C_STR,
	 offsetof(struct config, default_country), "",
	 "ISO code whose national phone numbers are completed when finding duplicates (CN, RU, "
	 "...)",
	 0, 0},
	{"threads", "RAPPORT_THREADS", C_LONG, offsetof(struct config, threads), "4",
	 "HTTP worker threads", 1, 256},
	{"max-body", "RAPPORT_MAX_BODY", C_LONG, offsetof(struct config, max_body), "1048576",
	 "largest request body in bytes", 1024, 1L << 30},
	{"session-ttl", "RAPPORT_SESSION_TTL", C_LONG, offsetof(struct config, session_ttl),
	 "43200", "session lifetime in seconds", 60, 90L * 86400},
	{"conn-timeout", "RAPPORT_CONN_TIMEOUT", C_LONG, offsetof(struct config, conn_timeout),
	 "30", "idle connection timeout in seconds", 1, 3600},
	{"max-conns", "RAPPORT_MAX_CONNS", C_LONG, offsetof(struct config, max_conns), "2000",
	 "open connections at most", 16, 100000},
	{"max-conns-per-ip", "RAPPORT_MAX_CONNS_PER_IP", C_LONG,
	 offsetof(struct config, max_conns_per_ip), "256", "open connections per client address", 1,
	 100000},
	{"rate-limit", "RAPPORT_RATE_LIMIT", C_LONG, offsetof(struct config, rate_limit), "1000",
	 "requests a second per client address, in bursts of twice that (0: no limit)", 0, 1000000},
	{"login-failures", "RAPPORT_LOGIN_FAILURES", C_LONG,
	 offsetof(struct config, login_failures), "5",
	 "failed sign-ins per e-mail in 15 minutes before a pause", 1, 1000},
	{"busy-timeout", "RAPPORT_BUSY_TIMEOUT", C_LONG, offsetof(struct config, busy_timeout),
	 "5000", "milliseconds a write waits for the database lock", 1, 600000},
	{"cookie-secure", "RAPPORT_COOKIE_SECURE", C_BOOL, offsetof(struct config, cookie_secure),
	 "false", "mark the session cookie Secure (behind HTTPS)", 0, 0},
	{"quiet", "RAPPORT_QUIET", C_BOOL, offsetof(struct config, quiet), "false", "no access log",
	 0, 0},
	{"no-sync", "RAPPORT_NO_SYNC", C_BOOL, offsetof(struct config, no_sync), "false",
	 "do not fsync each commit (faster, loses recent writes on power loss)", 0, 0},
};
#define NSETTINGS (sizeof settings / sizeof *settings)

static void set(struct config *cfg, size_t i, const char *v, const char *from)
{
	void *p = (char *)cfg + settings[i].offset;
	switch (settings[i].type) {
	case C_STR: *(const char **)p = v; return;
	case C_BOOL:
		*(bool *)p = !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes");
		return;
	case C_LONG: {
		long long n;
		if (!cli_number(v, settings[i].min, settings[i].max, &n)) {
			fprintf(stderr, "rapport: %s %s: %s must be a number from %ld to %ld\n",
				from, settings[i].flag, v, settings[i].min, settings[i].max);
			exit(2);
		}
		*(long *)p = (long)n;
		return;
	}
	}
}

bool cli_number(const char *s, long long min, long long max, long long *ret)
{
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno || !*s || *end || n < min || n > max)
		return false;
	*ret = n;
	return true;
}

static int find(const char *name, size_t len)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].flag) == len && !memcmp(settings[i].flag, name, len))
			return (int)i;
	return -1;
}

void config_usage(void)
{
	fprintf(stderr, "\nSettings (flag, environment variable, default):\n");
	for (size_t i = 0; i < NSETTINGS; i++)
		fprintf(stderr, "  --%-18s %-26s %-18s %s\n", settings[i].flag, settings[i].env,
			settings[i].dflt, settings[i].help);
}

void config_load(struct config *cfg, int argc, char **argv, const char **ret_args, int *ret_nargs)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *env = getenv(settings[i].env);
		set(cfg, i, settings[i].dflt, "default");
		if (env && *env)
			set(cfg, i, env, "environment");
	}
	int n = 0;
	for (int a = 0; a < argc; a++) {
		const char *arg = argv[a];
		if (strncmp(arg, "--", 2) || !strcmp(arg, "--help") || !arg[2]) {
			ret_args[n++] = arg;
			continue;
		}
		const char *name = arg + 2, *eq = strchr(name, '=');
		int i = find(name, eq ? (size_t)(eq - name) : strlen(name));
		if (i < 0) {
			ret_args[n++] = arg; /* a subcommand's own flag */
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v && settings[i].type == C_BOOL)
			v = "true";
		else if (!v && a + 1 < argc)
			v = argv[++a];
		if (!v) {
			fprintf(stderr, "rapport: --%s needs a value\n", settings[i].flag);
			exit(2);
		}
		set(cfg, (size_t)i, v, "flag");
	}
	*ret_nargs = n;
}
