/* demo.h — realistic demo data for trying Rapport and for benchmarks.
 *
 * `rapport demo --scale N` fills a database with N contacts and everything
 * around them, in English, Chinese and Russian: 4 sales teams with their
 * users, one "Sales" pipeline, ~20 products, and accounts, contacts, leads,
 * deals and activities skewed like real data (a few huge accounts, more
 * records in recent months, business hours, most tasks done, some
 * overdue). Every person's e-mail is under example.* or demo.rapport.test,
 * so no message can reach a real mailbox. */
#pragma once
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define DEMO_MAX_CONTACTS   50000000
#define DEMO_MAX_ACTIVITIES 500000000

struct demo_options {
	/* The scale: number of contacts (accounts ≈ contacts/8, deals ≈
	 * contacts/3, activities ≈ contacts*2, leads ≈ contacts/4). */
	int64_t contacts;
	/* Activities in all (calls, e-mails, meetings, tasks and notes on the
	 * records); 0: twice the contacts. */
	int64_t activities;
	uint64_t seed; /* deterministic output for a given seed and `now` */
	/* Argon2id hash given to the demo users (computed by the caller), or
	 * NULL to create no login-able users. */
	const char *password_hash;
	/* Called after each committed batch (stage "setup", "accounts",
	 * "contacts", "leads", "deals", "activities"); may be NULL. */
	void (*progress)(const char *stage, int64_t done, int64_t total, void *ctx);
	void *ctx;
	/* The moment the data ends at (seconds since the epoch, UTC): records
	 * span the two years before it, tasks fall due around it. 0 = now.
	 * Set it (with seed) to get byte-identical output on another day. */
	int64_t now;
};

/* Rows created per entity. */
struct demo_counts {
	int64_t teams, users, accounts, contacts, leads, pipelines, stages, deals, activities,
		products;
};

/* Fills the database with demo data, in batches of one transaction each
 * (about 5,000 records), and puts every record of a searchable entity in
 * the search index.
 *
 * The database must be migrated and have the default roles (looked up by
 * name: "sales" and "manager" are used) and at least one user (the lowest
 * id becomes created_by of the teams, pipeline and products). A pipeline
 * named "Sales" that already exists is reused with its stages.
 *
 * Errors: RP_EINVAL for contacts outside 1..DEMO_MAX_CONTACTS or
 * activities outside 0..DEMO_MAX_ACTIVITIES, a missing
 * role or no user; RP_ECONFLICT when the demo teams, users or products
 * already exist (demo data was loaded before); store errors as they come.
 * Batches committed before an error stay. Prints nothing. ret_counts
 * (optional) is written on success only. */
enum rp_err demo_generate(struct store *s, const struct demo_options *opt,
			  struct demo_counts *ret_counts, struct rp_error *err);
