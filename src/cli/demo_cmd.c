/* demo_cmd.c — `rapport demo [--scale N] [--activities N] [--seed S]`: fills the database
 * with realistic demo data, showing progress on stderr. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "domain/domain.h"
#include "io/demo.h"

static void progress(const char *stage, int64_t done, int64_t total, void *ctx)
{
	if (!isatty(2) && done != total)
		return;
	int pct = total ? (int)(done * 100 / total) : 100;
	fprintf(stderr, "\r%-12s %3d%% (%lld/%lld)%s", stage, pct, (long long)done,
		(long long)total, done == total ? "\n" : "");
}

/* A count as written: "1e6" or "10k" is a usage error, not 1 or 10. */
static bool parse_count(const char *s, int64_t *ret)
{
	long long n;
	if (!cli_number(s, 0, INT64_MAX, &n))
		return false;
	*ret = n;
	return true;
}

int cmd_demo(struct config *cfg, int argc, const char **argv)
{
	struct demo_options opt = {.contacts = 2000, .seed = 42, .progress = progress};
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--scale") && v && parse_count(v, &opt.contacts))
			i++;
		else if (!strcmp(argv[i], "--activities") && v && parse_count(v, &opt.activities))
			i++;
		else if (!strcmp(argv[i], "--seed") && v)
			opt.seed = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: rapport demo [--scale CONTACTS] [--activities N] "
					"[--seed N]\n");
			return 2;
		}
	}
	const char *pw = getenv("RAPPORT_DEMO_PASSWORD");
	char generated[33] = "";
	if (!pw || !*pw) {
		domain_random_hex(generated, 6);
		pw = generated;
	}
	char hash[PASSWORD_HASH_MAX];
	struct rp_error err;
	rp_error_init(&err);
	if (domain_hash_password(pw, hash, &err)) {
		fprintf(stderr, "rapport: %s\n", err.detail);
		return 1;
	}
	opt.password_hash = hash;
	struct store *s = cli_open_store(cfg);
	if (cli_bootstrap(s)) {
		store_close(s);
		return 1;
	}
	struct demo_counts n;
	int64_t t0 = clock_mono_ns();
	int rc = 0;
	if (demo_generate(s, &opt, &n, &err)) {
		fprintf(stderr, "rapport: %s\n", err.detail);
		rc = 1;
	} else {
		double secs = (double)(clock_mono_ns() - t0) / 1e9;
		fprintf(stderr,
			"rapport: demo data in %.1f s: %lld accounts, %lld contacts, "
			"%lld leads, %lld deals, %lld activities, %lld products, %lld users\n",
			secs, (long long)n.accounts, (long long)n.contacts, (long long)n.leads,
			(long long)n.deals, (long long)n.activities, (long long)n.products,
			(long long)n.users);
		if (generated[0])
			fprintf(stderr,
				"rapport: demo users (…@demo.rapport.test) sign in "
				"with password %s\n",
				generated);
	}
	store_close(s);
	return rc;
}
