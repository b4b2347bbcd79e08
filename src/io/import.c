/* import.c — runs an import. The file is read row by row (io/table.c);
 * each row becomes a JSON body for the record service, so validation,
 * permissions, search indexing and the audit trail are those of the API.
 * Rows go in batches, each one transaction that also records how far the
 * import got (a crash resumes after the last batch); a row that fails is
 * undone alone (a savepoint) and written to the rejected-rows file with
 * its reason once its batch has committed (import_report.c). A dry run
 * does all of it and rolls every batch back, remembering the rows it
 * reported as new (import_match.c), so its report is what a run does. */
#include "io/import.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "domain/dedup.h"
#include "io/import_internal.h"
#include "io/table.h"
#include "model/registry.h"

#define BATCH_ROWS_MIN 10
#define BATCH_ROWS_MAX 4000
#define BATCH_MS       200	  /* what a batch aims to take */
#define BATCH_BYTES    (8u << 20) /* of cells read ahead */
#define CATCH_UP_ROWS  5000	  /* rows between two writes of search texts */

/* --- running -------------------------------------------------------------------- */

enum rp_err import_log_change(struct importer *im, const struct entity_def *e,
			      const struct record *r, const char *action, const char *old,
			      struct rp_error *err)
{
	if (im->dry_run)
		return RP_OK;
	struct import_change ch = {.import_id = im->import_id,
				   .seq = ++im->seq,
				   .entity = e->name,
				   .record_id = record_int(r, "id"),
				   .version = record_int(r, "version"),
				   .action = action,
				   .old = old};
	return store_import_change_add(im->d.c, &ch, err);
}

int64_t import_last_seq(struct importer *im)
{
	struct import_change last;
	struct arena *a = arena_new();
	int n = store_import_changes(im->d.c, im->import_id, INT64_MAX, 1, a, &last);
	arena_free(a);
	return n ? last.seq : 0;
}

/* The previous values of the fields body is about to change. */
static char *old_values(const struct entity_def *e, const struct record *cur, json_t *body)
{
	json_t *old = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		const struct field_def *f = entity_field(e, k);
		const struct value *ov = record_get(cur, k);
		if (f && ov)
			json_object_set_new(old, k, model_value_json(f, ov));
	}
	char *s = json_dumps(old, JSON_COMPACT);
	json_decref(old);
	return s;
}

/* Merge keeps what the record has: only its empty fields are filled. */
static void keep_existing(const struct entity_def *e, const struct record *cur, json_t *body)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(body, tmp, k, v)
	{
		const struct value *ov = record_get(cur, k);
		const struct field_def *f = entity_field(e, k);
		bool empty =
			!ov || ov->kind == V_NULL || (ov->kind == V_TEXT && !*ov->s) ||
			(f && f->type == FT_TAGS && ov->kind == V_TEXT && !strcmp(ov->s, "[]"));
		if (!empty)
			json_object_del(body, k);
	}
}

static enum rp_err write_row(struct importer *im, json_t *body, int64_t match_id, const char *match,
			     struct rp_error *err)
{
	struct dctx *d = &im->d;
	struct record *r;
	if (!match_id) {
		if (domain_create(d, im->e, body, &r, err))
			return err->err;
		int64_t id = record_int(r, "id");
		import_count(im, "created");
		import_report_row(im, "create", id, NULL, NULL);
		if (im->dry_run)
			import_dry_remember(im, body, id);
		return import_log_change(im, im->e, r, "created", NULL, err);
	}
	if (!strcmp(im->strategy, "skip")) {
		import_count(im, "skipped");
		import_report_row(im, "skip", match_id, match, NULL);
		return RP_OK;
	}
	struct record *cur;
	if (domain_get(d, im->e, match_id, &cur, err))
		return err->err;
	bool merge = !strcmp(im->strategy, "merge");
	if (merge)
		keep_existing(im->e, cur, body);
	json_object_del(body, "owner_id"); /* a match keeps its owner */
	if (json_object_size(body) == 0) {
		import_count(im, "skipped");
		import_report_row(im, "skip", match_id, match, NULL);
		return RP_OK;
	}
	char *old = old_values(im->e, cur, body);
	enum rp_err rc = domain_update(d, im->e, match_id, body, -1, &r, err);
	if (!rc && record_int(r, "version") == record_int(cur, "version")) {
		import_count(im, "skipped"); /* the row says what the record says */
		import_report_row(im, "skip", match_id, match, NULL);
	} else if (!rc) {
		import_count(im, merge ? "merged" : "updated");
		import_report_row(im, merge ? "merge" : "update", match_id, match, NULL);
		rc = import_log_change(im, im->e, r, merge ? "merged" : "updated", old, err);
	}
	free(old);
	return rc;
}

static bool has_field_error(const struct rp_error *err, const char *field)
{
	for (int i = 0; i < err->nfields; i++)
		if (!strcmp(err->fields[i].field, field))
			return true;
	return false;
}

/* A row some cells of which could not be read also gets the errors of
 * the values that could (a bad e-mail beside a bad date), so one fix of
 * the file mends the row; checked as a change, since whether the row is
 * a new record or a match is not known yet. */
static void add_value_errors(struct importer *im, json_t *body, struct rp_error *err)
{
	struct rp_error v;
	rp_error_init(&v);
	struct record *r;
	if (err->err != RP_EINVAL ||
	    model_validate_write(im->e, body, false, im->d.a, &r, &v) == RP_OK)
		return;
	for (int i = 0; i < v.nfields && err->nfields < RP_MAX_FIELD_ERRORS; i++)
		if (!has_field_error(err, v.fields[i].field))
			err->fields[err->nfields++] = v.fields[i];
}

/* The row's dates of the old system, taken out of its body (the record
 * service stamps a record's own): when it was made — a match keeps its
 * own —, and when a deal closed. A date after today is a field error. */
static void take_history(struct importer *im, json_t *body, struct history *h, struct rp_error *err)
{
	static const char *const fields[] = {"created_at", "closed_at"};
	const char **dates[] = {&h->created_at, &h->closed_at};
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		const char *v = json_string_value(json_object_get(body, fields[i]));
		*dates[i] = v ? arena_strdup(im->d.a, v) : NULL;
		if (v && strcmp(v, now) > 0) {
			rp_field_fail(err, fields[i], "invalid", "\"%s\" is in the future", v);
			rp_field_because(err, "in_future", v);
		}
		json_object_del(body, fields[i]);
	}
}

/* A dry run's row that matches one an earlier batch reported as new (and
 * rolled back): reported as the run will do it, with no record to name. */
static void dry_same_row(struct importer *im, const char *match, bool same)
{
	if (same) { /* the run's update changes nothing: a skip */
		import_count(im, "skipped");
		import_report_row(im, "skip", 0, match, NULL);
		return;
	}
	static const struct {
		const char *strategy, *counter, *action;
	} as[] = {{"skip", "skipped", "skip"},
		  {"merge", "merged", "merge"},
		  {"update", "updated", "update"}};
	for (size_t i = 0; i < sizeof as / sizeof *as; i++)
		if (!strcmp(im->strategy, as[i].strategy)) {
			import_count(im, as[i].counter);
			import_report_row(im, as[i].action, 0, match, NULL);
		}
}

/* The importer's counters, kept in the import record. */
static const char *const counters[] = {"processed_rows", "created", "updated",
				       "merged",	 "skipped", "rejected"};
#define NCOUNTERS (sizeof counters / sizeof *counters)

static bool store_failed(enum rp_err e)
{
	return e == RP_EIO || e == RP_ENOSPACE || e == RP_EBUSY || e == RP_EINTERNAL;
}

/* One row: converted, matched and written, or rejected with nothing of it
 * left behind. Normally the row has a savepoint of its own; in a bulk
 * batch (no savepoints) a failing row sets im->replay instead, and the
 * batch is rolled back and written again row by row. */
static enum rp_err import_row(struct importer *im, const char *const *cells, int n,
			      struct rp_error *fatal)
{
	struct rp_error err;
	rp_error_init(&err);
	for (int k = im->ncols; k < n; k++)
		if (*cells[k]) {
			/* a sheet has no delimiters: a cell beyond the header's */
			rp_fail(&err, RP_EINVAL, "ragged_row",
				table_format_of(im->t) == TABLE_XLSX
					? "the row has a value in column %d, past the header's %d "
					  "columns: a column without a header?"
					: "the row has %d cells and the header %d: a delimiter or "
					  "quote out of place?",
				table_format_of(im->t) == TABLE_XLSX ? k + 1 : n, im->ncols);
			import_reject(im, cells, n, &err);
			return RP_OK;
		}
	if (store_begin(im->d.c, true, fatal))
		return fatal->err;
	int64_t linked = im->linked_created;
	json_t *body = import_row_body(im, cells, n, &err);
	const char *match = NULL;
	struct history hist;
	bool unreadable = err.err != RP_OK;
	take_history(im, body, &hist, &err);
	if (unreadable)
		add_value_errors(im, body, &err);
	if (!err.err) {
		/* rows are created anyway: no look for their duplicates */
		int64_t match_id =
			strcmp(im->strategy, "create") ? import_find_match(im, body, &match) : 0;
		bool same;
		if (!match_id && im->dry_run && strcmp(im->strategy, "create") &&
		    (match = import_dry_seen(im, body, &same))) {
			dry_same_row(im, match, same);
			json_decref(body);
			return store_commit(im->d.c, fatal);
		}
		im->d.history = &hist;
		enum rp_err wrc = write_row(im, body, match_id, match, &err);
		im->d.history = NULL;
		if (wrc == RP_OK) {
			json_decref(body);
			if (im->bulk && store_bulk_failed(im->d.c))
				im->replay = true; /* a part of the row was undone */
			return store_commit(im->d.c, fatal);
		}
	}
	store_rollback(im->d.c);
	if (im->linked_created != linked)
		import_forget_links(im); /* accounts the row created are gone */
	im->linked_created = linked;
	json_decref(body);
	if (fatal->err)
		return fatal->err;
	if (store_failed(err.err)) {
		*fatal = err; /* the store failed, not the row */
		return fatal->err;
	}
	if (im->bulk)
		im->replay = true;
	else
		import_reject(im, cells, n, &err);
	return RP_OK;
}

static bool stop_requested(struct importer *im)
{
	struct arena *a = arena_new();
	struct record *now;
	struct rp_error ignore;
	rp_error_init(&ignore);
	bool stop = import_load(im->d.c, im->import_id, a, &now, &ignore) ||
		    strcmp(record_text(now, "status"), "running") != 0;
	arena_free(a);
	return stop;
}

/* --- batches ------------------------------------------------------------------- */

/* A row read ahead of its batch's transaction, so a failed bulk batch can
 * be written again. */
struct batch_row {
	int64_t line;
	const char **cells; /* NULL: a row the reader could not take */
	int n;
	struct rp_error *unreadable; /* why not */
};

struct batch {
	struct batch_row *rows;
	int n;
};

/* What a batch may change in the importer, to go back to before a
 * replay. */
struct batch_mark {
	int64_t count[NCOUNTERS];
	int64_t linked_created, seq;
	int nreported[2];
	size_t nreport_rows;
};

static void mark_take(const struct importer *im, struct batch_mark *m)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		m->count[i] = record_int(im->imp, counters[i]);
	m->linked_created = im->linked_created;
	m->seq = im->seq;
	memcpy(m->nreported, im->nreported, sizeof m->nreported);
	m->nreport_rows = json_array_size(im->report_rows);
}

static void mark_restore(struct importer *im, const struct batch_mark *m)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		record_set_int(im->imp, counters[i], m->count[i]);
	im->linked_created = m->linked_created;
	im->seq = m->seq;
	memcpy(im->nreported, m->nreported, sizeof im->nreported);
	while (json_array_size(im->report_rows) > m->nreport_rows)
		json_array_remove(im->report_rows, json_array_size(im->report_rows) - 1);
	import_drop_rejects(im);
}

/* Reads up to max rows (and BATCH_BYTES of cells) into b, copied into the
 * batch's arena; rows done before an interruption are passed over.
 * Returns the rows read from the file (0 at its end, -1 on a failure). */
static int read_batch(struct importer *im, int max, struct batch *b, struct rp_error *err)
{
	struct arena *a = im->d.a;
	b->rows = arena_alloc(a, sizeof *b->rows * (size_t)max);
	b->n = 0;
	size_t bytes = 0;
	int read = 0;
	while (b->n < max && bytes < BATCH_BYTES) {
		const char *const *cells;
		int n, got = table_next(im->t, &cells, &n, err);
		if (got == -1)
			return -1;
		if (got == 0)
			break;
		read++;
		if (got > 0)
			import_keep_samples(im, cells, n);
		if (im->skip > 0) { /* done before an interruption */
			im->skip--;
			if (got == -2)
				rp_error_init(err);
			continue;
		}
		struct batch_row *r = &b->rows[b->n++];
		r->line = table_row_number(im->t);
		r->cells = NULL;
		r->n = 0;
		if (got == -2) {
			r->unreadable = arena_alloc(a, sizeof *r->unreadable);
			*r->unreadable = *err;
			rp_error_init(err);
			continue;
		}
		r->n = n;
		r->cells = arena_alloc(a, sizeof *r->cells * (size_t)(n ? n : 1));
		for (int i = 0; i < n; i++) {
			r->cells[i] = arena_strdup(a, cells[i]);
			bytes += strlen(cells[i]) + 1;
		}
	}
	return read;
}

/* import_row with an arena of the row's own, freed with it: what a row
 * works with (its record, keys, search text, candidates) is not needed
 * by the next, so a batch holds no more than its cells however long it
 * is. */
static enum rp_err import_row_alone(struct importer *im, const struct batch_row *r,
				    struct rp_error *err)
{
	struct arena *batch = im->d.a;
	im->d.a = arena_new();
	enum rp_err rc = import_row(im, (const char *const *)r->cells, r->n, err);
	arena_free(im->d.a);
	im->d.a = batch;
	return rc;
}

/* Saves the import's state in a transaction of its own. */
static enum rp_err save_now(struct importer *im, struct rp_error *err)
{
	struct store_conn *c = im->d.c;
	if (store_begin(c, true, err) ||
	    import_save(c, im->imp, im->import_id, im->run_arena, err) || store_commit(c, err)) {
		store_rollback(c);
		return err->err;
	}
	return RP_OK;
}

/* Writes the batch's rows in one transaction with the import's progress;
 * a dry run rolls it back and saves its progress alone. In bulk mode a
 * row that fails stops the batch with im->replay set and nothing
 * written. */
static enum rp_err write_batch(struct importer *im, const struct batch *b, bool bulk,
			       struct rp_error *err)
{
	struct store_conn *c = im->d.c;
	if (store_begin(c, true, err))
		return err->err;
	store_set_bulk(c, bulk);
	im->bulk = bulk;
	im->replay = false;
	domain_remember_refs(&im->d, true); /* what this batch's rows link to */
	for (int i = 0; i < b->n && !im->replay; i++) {
		const struct batch_row *r = &b->rows[i];
		im->row_number = r->line;
		record_set_int(im->imp, "processed_rows",
			       record_int(im->imp, "processed_rows") + 1);
		if (!r->cells)
			import_reject(im, NULL, 0, r->unreadable);
		else if (import_row_alone(im, r, err))
			goto fail;
	}
	if (im->replay) {
		store_rollback(c);
		import_forget_links(im);
		import_dry_drop(im);
		return RP_OK;
	}
	record_set_real(im->imp, "progress", table_progress(im->t));
	if (im->dry_run) {
		store_rollback(c);
		import_forget_links(im);
		import_drop_rejects(im);
		import_dry_keep(im);
		return save_now(im, err); /* the progress went with the rollback */
	}
	if (import_save(c, im->imp, im->import_id, im->run_arena, err) || store_commit(c, err))
		goto fail;
	import_flush_rejects(im);
	return RP_OK;
fail:
	store_rollback(c);
	import_forget_links(im);
	import_drop_rejects(im);
	import_dry_drop(im);
	return err->err;
}

/* The next batch's size: a batch holds the database's write lock, so it
 * aims at BATCH_MS whatever a row costs. */
static void size_next_batch(struct importer *im, int64_t took_ns, int rows)
{
	int64_t ms = took_ns / 1000000;
	if (ms < BATCH_MS / 2 && rows >= im->batch_rows && im->batch_rows < BATCH_ROWS_MAX)
		im->batch_rows *= 2;
	else if (ms > BATCH_MS * 2 && im->batch_rows > BATCH_ROWS_MIN)
		im->batch_rows /= 2;
}

/* Reads and writes one batch: in bulk first, and row by row (each row in
 * its savepoint) when a row of it fails. Returns the rows read (0 at the
 * end of the file, -1 on a failure in err). */
static int run_batch(struct importer *im, struct rp_error *err)
{
	struct batch b;
	int64_t t0 = clock_mono_ns();
	/* A dry run rolls each batch back, so a row cannot match one an
	 * earlier batch would have made: its batches are as long as any, and
	 * only rows that far apart are reported otherwise than run. */
	int read = read_batch(im, im->dry_run ? BATCH_ROWS_MAX : im->batch_rows, &b, err);
	if (read <= 0)
		return read;
	struct batch_mark mark;
	mark_take(im, &mark);
	if (write_batch(im, &b, true, err))
		return -1;
	if (im->replay) {
		mark_restore(im, &mark);
		if (write_batch(im, &b, false, err))
			return -1;
	}
	size_next_batch(im, clock_mono_ns() - t0, read);
	return read;
}

/* Writes the search texts of the records the import made (deferred:
 * store/backlog.c) once CATCH_UP_ROWS rows came since the last time,
 * or all of them (at the end), in transactions of their own. A
 * failure leaves them to whoever catches up next (the job worker). */
static void catch_up_search(struct importer *im, int rows, bool all)
{
	im->rows_unsearched += rows;
	if (!all && im->rows_unsearched < CATCH_UP_ROWS)
		return;
	struct rp_error err;
	rp_error_init(&err);
	if (domain_catch_up(im->d.c, BACKLOG_SEARCH, INT_MAX, &err))
		log_warn("import %lld: writing search texts: %s", (long long)im->import_id,
			 err.detail);
	im->rows_unsearched = 0;
}

static void finish(struct importer *im, const char *status, const char *error)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_text(im->imp, im->run_arena, "status", status);
	if (error)
		record_set_text(im->imp, im->run_arena, "error", error);
	record_set_text(im->imp, im->run_arena, "finished_at", now);
	record_set_int(im->imp, "total_rows", record_int(im->imp, "processed_rows"));
	if (!strcmp(status, "done"))
		record_set_real(im->imp, "progress", 1.0);
	import_set_report(im);
}

/* Why a workbook gave no rows, when the sheet read (the first, none was
 * named) has none and others may hold them: a cover page first is
 * common. NULL otherwise. */
static const char *empty_sheet(struct importer *im)
{
	json_t *o = json_loads(
		record_text(im->imp, "options") ? record_text(im->imp, "options") : "{}", 0, NULL);
	bool named = o && json_string_value(json_object_get(o, "sheet")) &&
		     *json_string_value(json_object_get(o, "sheet"));
	json_decref(o);
	if (named || !im->t || record_int(im->imp, "processed_rows") > 0)
		return NULL;
	struct buf others;
	buf_init(&others, 200);
	const char *why = NULL;
	if (table_other_sheets(im->t, &others) > 0)
		why = arena_printf(
			im->run_arena,
			"the workbook's first sheet has no rows under its header; its other "
			"sheets are %s%s: choose the one to import (sheet)",
			buf_str(&others), others.overflow ? "..." : "");
	buf_release(&others);
	return why;
}

static void close_importer(struct importer *im)
{
	if (im->t)
		table_close(im->t);
	if (im->rejects)
		fclose(im->rejects);
	if (im->pending_rejects)
		fclose(im->pending_rejects);
	free(im->pending_buf);
	json_decref(im->report_rows);
	json_decref(im->report_cols);
	import_dry_free(im);
	import_columns_free(im);
}

static enum rp_err start_locked(struct importer *im, struct store *s, struct rp_error *err);

/* A run that finds its import cancelled while it was not running (the
 * server was stopped or killed while it was cancelling) writes the end it
 * did not get to. Its counts are those of its last committed batch. */
static enum rp_err end_cancelled(struct importer *im, struct rp_error *err)
{
	struct record *w = record_new(im->run_arena, import_entity());
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_text(w, im->run_arena, "status", "cancelled");
	record_set_text(w, im->run_arena, "finished_at", now);
	record_set_int(w, "total_rows", record_int(im->imp, "processed_rows"));
	if (import_save(im->d.c, w, im->import_id, im->run_arena, err))
		return err->err;
	im->ended = true;
	return rp_fail(err, RP_ECONFLICT, "not_queued", "the import is cancelled");
}

/* Takes the import from queued (or interrupted) to running in one write
 * transaction, so a cancel cannot slip in between the look and the
 * change. */
static enum rp_err start(struct importer *im, struct store *s, struct rp_error *err)
{
	if (store_begin(im->d.c, true, err))
		return err->err;
	enum rp_err rc = start_locked(im, s, err);
	if (rc == RP_OK || im->ended) { /* an end written here (end_cancelled) stays */
		enum rp_err crc = store_commit(im->d.c, err);
		if (crc)
			rc = crc;
	} else {
		store_rollback(im->d.c);
	}
	/* from now on only a cancel (or the end) changes the status */
	if (rc == RP_OK)
		record_unset(im->imp, "status");
	return rc;
}

static enum rp_err start_locked(struct importer *im, struct store *s, struct rp_error *err)
{
	struct store_conn *c = im->d.c;
	if (import_load(c, im->import_id, im->run_arena, &im->imp, err))
		return err->err;
	const char *status = record_text(im->imp, "status");
	if (!strcmp(status, "cancelling")) /* the server stopped while it was stopping */
		return end_cancelled(im, err);
	if (strcmp(status, "queued") && strcmp(status, "running"))
		return rp_fail(err, RP_ECONFLICT, "not_queued", "the import is %s", status);
	struct principal *p;
	if (domain_principal(c, record_int(im->imp, "created_by"), im->run_arena, &p, err))
		return err->err;
	im->d.p = p;
	im->e = model_entity(record_text(im->imp, "entity"));
	im->strategy = arena_strdup(im->run_arena, record_text(im->imp, "strategy"));
	im->dry_run = record_int(im->imp, "dry_run") != 0;
	bool resume = !strcmp(status, "running") && !im->dry_run;
	im->skip = resume ? record_int(im->imp, "processed_rows") : 0;
	im->seq = resume ? import_last_seq(im) : 0;
	if (!resume) {
		for (size_t i = 0; i < NCOUNTERS; i++)
			record_set_int(im->imp, counters[i], 0);
	}
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_text(im->imp, im->run_arena, "status", "running");
	record_set_text(im->imp, im->run_arena, "started_at", now);
	char path[4300];
	import_file_path(store_path(s), im->import_id, path, sizeof path);
	import_find_file(store_path(s), path, sizeof path);
	if (import_open_table(im, path, err) || import_columns(im, err))
		return err->err;
	import_date_orders(im, path);
	if (import_open_rejects(im, store_path(s), resume, err) ||
	    import_save(c, im->imp, im->import_id, im->run_arena, err))
		return err->err;
	return RP_OK;
}

static double final_progress(const struct importer *im)
{
	return !strcmp(record_text(im->imp, "status"), "done") ? 1.0
	       : im->t					       ? table_progress(im->t)
							       : 0;
}

enum rp_err import_run(struct store *s, int64_t import_id, import_tick_fn tick, void *ctx,
		       struct rp_error *err)
{
	struct importer im = {
		.import_id = import_id, .report_rows = json_array(), .batch_rows = BATCH_ROWS_MIN};
	im.run_arena = arena_new();
	im.d.a = im.run_arena;
	im.d.c = store_conn(s, err);
	enum rp_err rc = im.d.c ? start(&im, s, err) : err->err;
	if (rc == RP_ECONFLICT && im.imp) { /* cancelled or done before it ran */
		close_importer(&im);
		arena_free(im.run_arena);
		rp_error_clear(err);
		return RP_OK;
	}
	const char *status = "done";
	bool interrupted = false;
	store_bulk_writes(s, true);
	if (im.d.c)
		store_search_defer(im.d.c, true);
	while (rc == RP_OK) {
		struct arena *batch = arena_new();
		im.d.a = batch;
		int rows = run_batch(&im, err);
		im.d.a = im.run_arena;
		arena_free(batch);
		if (rows < 0) {
			rc = err->err;
			break;
		}
		if (rows == 0)
			break;
		catch_up_search(&im, rows, false);
		if (tick && !tick(im.imp, table_progress(im.t), ctx)) {
			interrupted = true;
			break;
		}
		if (stop_requested(&im)) {
			status = "cancelled";
			break;
		}
	}
	if (im.d.c) {
		store_search_defer(im.d.c, false);
		if (!interrupted) /* a server stopping leaves them to the resumed run */
			catch_up_search(&im, 0, true);
	}
	store_bulk_writes(s, false);
	struct rp_error serr;
	rp_error_init(&serr);
	const char *empty;
	if (im.imp && !interrupted && !store_lease_lost(err)) {
		if (rc)
			finish(&im, "failed", err->detail[0] ? err->detail : "the import failed");
		else if (!strcmp(status, "done") && (empty = empty_sheet(&im)))
			finish(&im, "failed", empty);
		else
			finish(&im, status,
			       !strcmp(status, "cancelled") ? "cancelled by the user" : NULL);
		/* a job that lost its lease meanwhile has its end refused, and
		 * says so: another run ends it */
		if (save_now(&im, &serr) && store_lease_lost(&serr) && rc == RP_OK)
			rc = rp_fail(err, serr.err, serr.code, "%s", serr.detail);
		else if (tick)
			tick(im.imp, final_progress(&im), ctx);
	}
	close_importer(&im);
	arena_free(im.run_arena);
	return rc;
}
