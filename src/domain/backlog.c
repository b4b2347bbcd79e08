/* backlog.c — writes what the store's backlogs say is owed (store/backlog.c):
 * the search texts of records an import made, the duplicate keys of
 * records a new version keys otherwise. */
#include "domain/domain.h"

#include <stdlib.h>

#include "domain/dedup.h"

#define CATCH_UP_TAKE 1000 /* records read into memory at a time */

static enum rp_err write_texts(void *ctx, const struct entity_def *e, struct record *const *rows,
			       int n, struct rp_error *err)
{
	struct store_conn *c = ctx;
	struct search_text *t = calloc((size_t)n, sizeof *t);
	if (!t)
		abort();
	for (int i = 0; i < n; i++)
		t[i] = (struct search_text){.e = e,
					    .id = record_int(rows[i], "id"),
					    .text = domain_search_text(e, rows[i])};
	/* put, not add: a record changed since it was made has its text */
	enum rp_err rc = store_search_put_many(c, t, n, err);
	for (int i = 0; i < n; i++)
		free((char *)t[i].text);
	free(t);
	return rc;
}

static enum rp_err write_keys(void *ctx, const struct entity_def *e, struct record *const *rows,
			      int n, struct rp_error *err)
{
	struct store_conn *c = ctx;
	enum rp_err rc = RP_OK;
	for (int i = 0; i < n && rc == RP_OK; i++) {
		struct arena *a = arena_new();
		rc = dedup_index(c, e, record_int(rows[i], "id"), rows[i], false, a, err);
		arena_free(a);
	}
	return rc;
}

/* Up to max records in one write transaction; *ret_more when more may
 * wait. */
static enum rp_err catch_up_once(struct store_conn *c, enum store_backlog which, int max,
				 bool *ret_more, struct rp_error *err)
{
	*ret_more = false;
	if (store_begin(c, true, err))
		return err->err;
	backlog_fn fn = which == BACKLOG_SEARCH ? write_texts : write_keys;
	int done = 0, took = 0;
	while (done < max) {
		int part = max - done < CATCH_UP_TAKE ? max - done : CATCH_UP_TAKE;
		took = store_backlog_take(c, which, part, fn, c, err);
		if (took <= 0)
			break;
		done += took;
	}
	if (took < 0 || store_commit(c, err)) {
		store_rollback(c);
		return err->err;
	}
	*ret_more = took > 0;
	return RP_OK;
}

enum rp_err domain_catch_up(struct store_conn *c, enum store_backlog which, int rounds,
			    struct rp_error *err)
{
	/* a look first: an idle server asks every second */
	bool more = store_backlog_waiting(c, which);
	for (int i = 0; more && i < rounds; i++)
		if (catch_up_once(c, which, DOMAIN_CATCH_UP_RECORDS, &more, err))
			return err->err;
	return RP_OK;
}
