/* import_manage.c — an import as a record the user handles: creating it
 * (the request checked, the upload kept beside the database, a job
 * queued), cancelling it, and undoing it from its log of changes. The run
 * itself is import.c's. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "domain/dedup.h"
#include "io/import_internal.h"
#include "model/registry.h"

/* --- creating --------------------------------------------------------------- */

static void check_mapping(const struct entity_def *e, json_t *mapping, struct rp_error *err)
{
	if (!mapping)
		return;
	if (!json_is_object(mapping)) {
		rp_field_fail(err, "mapping", "invalid",
			      "mapping is an object {\"Header\": \"field\"}");
		return;
	}
	const char *header;
	json_t *target;
	json_object_foreach(mapping, header, target)
	{
		const char *t = json_string_value(target);
		if (json_is_null(target))
			continue;
		if (!t || !import_target_valid(e, t))
			rp_field_fail(
				err, "mapping", "invalid_target",
				"column \"%.40s\" maps to \"%.40s\", which is not a field of %s",
				header, t ? t : "?", e->name);
	}
}

static void check_options(json_t *o, struct rp_error *err)
{
	if (!o)
		return;
	if (!json_is_object(o)) {
		rp_field_fail(err, "options", "invalid", "options is an object");
		return;
	}
	const char *cc = json_string_value(json_object_get(o, "country"));
	if (cc && *cc && !dedup_known_country(cc))
		rp_field_fail(err, "options.country", "invalid",
			      "\"%.8s\" is not a country code Rapport knows (CN, RU, US, ...)", cc);
	const char *order = json_string_value(json_object_get(o, "date_order"));
	if (order && strcmp(order, "DMY") && strcmp(order, "MDY") && strcmp(order, "YMD"))
		rp_field_fail(err, "options.date_order", "invalid",
			      "date_order is DMY, MDY or YMD");
	const char *tz = json_string_value(json_object_get(o, "timezone"));
	if (tz && *tz && !import_known_timezone(tz))
		rp_field_fail(
			err, "options.timezone", "invalid",
			"\"%.40s\" is not a time zone (Europe/Moscow, Asia/Shanghai, UTC, ...)",
			tz);
	const char *delim = json_string_value(json_object_get(o, "delimiter"));
	if (delim && strcmp(delim, ",") && strcmp(delim, ";") && strcmp(delim, "\t") &&
	    strcmp(delim, "tab"))
		rp_field_fail(err, "options.delimiter", "invalid",
			      "the delimiter is a comma, a semicolon or a tab");
}

static bool strategy_valid(const char *s)
{
	return !strcmp(s, "skip") || !strcmp(s, "update") || !strcmp(s, "merge") ||
	       !strcmp(s, "create");
}

static enum rp_err move_upload(const char *from, const char *to, struct rp_error *err)
{
	char dir[4400];
	snprintf(dir, sizeof dir, "%s", to);
	mkdir(dirname(dir), 0750);
	if (rename(from, to) != 0)
		return rp_fail(err, RP_EIO, "storage_error", "the uploaded file could not be kept");
	return RP_OK;
}

enum rp_err import_create(struct dctx *d, const char *db_path, const struct import_request *rq,
			  struct record **ret, struct rp_error *err)
{
	const struct entity_def *ie = import_entity();
	if (acl_scope(d->p, ie, ACL_CREATE).scope == SCOPE_NONE)
		return rp_fail(err, RP_EFORBIDDEN, "forbidden", "your role may not import");
	if (!rq->e || !import_entity_ok(rq->e))
		rp_field_fail(
			err, "entity", "invalid",
			"import into accounts, contacts, leads, deals, products or activities");
	else if (acl_scope(d->p, rq->e, ACL_CREATE).scope == SCOPE_NONE)
		return rp_fail(err, RP_EFORBIDDEN, "forbidden", "your role may not create %s",
			       rq->e->name);
	const char *strategy = rq->strategy && *rq->strategy ? rq->strategy : "update";
	if (!strategy_valid(strategy))
		rp_field_fail(err, "strategy", "invalid",
			      "strategy is skip, update, merge or create");
	if (rq->e)
		check_mapping(rq->e, rq->mapping, err);
	check_options(rq->options, err);
	if (!rq->upload_path)
		rp_field_fail(err, "file", "required", "send the file to import");
	if (err->err)
		return err->err;

	struct record *r = record_new(d->a, ie);
	record_set_text(r, d->a, "entity", rq->e->name);
	record_set_text(r, d->a, "file_name", rq->file_name ? rq->file_name : "upload");
	record_set_text(r, d->a, "status", "queued");
	record_set_int(r, "dry_run", rq->dry_run);
	record_set_text(r, d->a, "strategy", strategy);
	char *m = rq->mapping ? json_dumps(rq->mapping, JSON_COMPACT) : NULL;
	char *o = rq->options ? json_dumps(rq->options, JSON_COMPACT) : NULL;
	record_set_text(r, d->a, "mapping", m ? m : "{}");
	record_set_text(r, d->a, "options", o ? o : "{}");
	free(m);
	free(o);
	static const char *const zero[] = {"total_rows", "processed_rows", "created", "updated",
					   "merged",	 "skipped",	   "rejected"};
	for (size_t i = 0; i < sizeof zero / sizeof *zero; i++)
		record_set_int(r, zero[i], 0);
	record_set_int(r, "owner_id", d->p->user_id);
	if (d->p->team_id)
		record_set_int(r, "team_id", d->p->team_id);
	domain_stamp_new(r, d->a, d->p->user_id);
	int64_t id = 0;
	char path[4300];
	if (store_begin(d->c, true, err))
		return err->err;
	if (store_insert(d->c, r, &id, err))
		goto fail;
	import_file_path(db_path, id, path, sizeof path);
	if (move_upload(rq->upload_path, path, err) ||
	    (!rq->run_here && store_job_add(d->c, "import", id, NULL, err)) ||
	    store_commit(d->c, err))
		goto fail;
	return import_load(d->c, id, d->a, ret, err);
fail:
	store_rollback(d->c);
	return err->err;
}

/* --- cancel and undo ----------------------------------------------------------- */

static enum rp_err own_import(struct dctx *d, int64_t id, struct record **ret, struct rp_error *err)
{
	struct record *r;
	if (domain_get(d, import_entity(), id, &r, err))
		return err->err;
	struct scope es = acl_scope(d->p, import_entity(), ACL_EDIT);
	if (!acl_row_in_scope(&es, r))
		return rp_fail(err, RP_EFORBIDDEN, "forbidden",
			       "your role may not change this import");
	*ret = r;
	return RP_OK;
}

enum rp_err import_cancel(struct dctx *d, int64_t id, struct record **ret, struct rp_error *err)
{
	/* The status is read in the write transaction, so the run cannot start
	 * between the look and the change. A queued import ends here; a
	 * running one is "cancelling" until its run has committed the batch
	 * under way and written the final counts (an undo waits for that). */
	if (store_begin(d->c, true, err))
		return err->err;
	struct record *r;
	if (own_import(d, id, &r, err))
		goto fail;
	const char *status = record_text(r, "status");
	if (strcmp(status, "queued") && strcmp(status, "running")) {
		rp_fail(err, RP_ECONFLICT, "not_running", "the import is %s already", status);
		goto fail;
	}
	bool queued = !strcmp(status, "queued");
	struct record *w = record_new(d->a, import_entity());
	record_set_text(w, d->a, "status", queued ? "cancelled" : "cancelling");
	record_set_text(w, d->a, "error", "cancelled by the user");
	if (queued) {
		char now[RP_TIME_LEN];
		clock_format(clock_now(), now);
		record_set_text(w, d->a, "finished_at", now);
	}
	if (import_save(d->c, w, id, d->a, err) || store_commit(d->c, err))
		goto fail;
	return import_load(d->c, id, d->a, ret, err);
fail:
	store_rollback(d->c);
	return err->err;
}

/* The records an undo has met, in its walk from the newest change to the
 * oldest: the first change met of a record is the import's last, whose
 * version says whether anyone changed the record since. */
struct undo_walk {
	struct met {
		int64_t key; /* entity code << 40 | id; 0: a free slot */
		bool kept;   /* changed since the import: left as it is */
	} * slots;
	size_t cap, n;
	int64_t kept;
};

static struct met *met_slot(struct undo_walk *w, int64_t key)
{
	if ((w->n + 1) * 2 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1024;
		struct met *fresh = xcalloc(cap, sizeof *fresh);
		for (size_t i = 0; i < w->cap; i++)
			for (size_t k = (uint64_t)w->slots[i].key * 0x9E3779B97F4A7C15u & (cap - 1);
			     w->slots[i].key; k = (k + 1) & (cap - 1))
				if (!fresh[k].key) {
					fresh[k] = w->slots[i];
					break;
				}
		free(w->slots);
		w->slots = fresh;
		w->cap = cap;
	}
	size_t k = (uint64_t)key * 0x9E3779B97F4A7C15u & (w->cap - 1);
	while (w->slots[k].key && w->slots[k].key != key)
		k = (k + 1) & (w->cap - 1);
	return &w->slots[k];
}

/* Whether the change is one to leave: its record was changed after the
 * import (its version is not the one the import's last change left). */
static bool changed_since(struct undo_walk *w, const struct entity_def *e,
			  const struct import_change *ch, const struct record *cur)
{
	struct met *m = met_slot(w, (int64_t)e->code << 40 | ch->record_id);
	if (m->key)
		return m->kept;
	m->key = (int64_t)e->code << 40 | ch->record_id;
	w->n++;
	m->kept = ch->version && record_int(cur, "version") != ch->version;
	w->kept += m->kept;
	return m->kept;
}

/* Puts one change back: a created record goes to the recycle bin, a
 * changed one gets its old values again. Records deleted since, or
 * changed since, are left as they are. */
static enum rp_err undo_change(struct dctx *d, struct undo_walk *w, const struct import_change *ch,
			       struct rp_error *err)
{
	const struct entity_def *e = model_entity(ch->entity);
	struct record *cur;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (!e || domain_get(d, e, ch->record_id, &cur, &ignore) || changed_since(w, e, ch, cur))
		return RP_OK;
	if (!strcmp(ch->action, "created"))
		return domain_delete(d, e, ch->record_id, -1, err);
	json_t *old = ch->old ? json_loads(ch->old, 0, NULL) : NULL;
	if (!old)
		return RP_OK;
	struct record *after;
	enum rp_err rc = domain_update(d, e, ch->record_id, old, -1, &after, err);
	json_decref(old);
	return rc;
}

/* Why an import cannot be undone now, or NULL when it can. */
static const char *undo_refusal(const struct record *r, const char **code)
{
	const char *status = record_text(r, "status");
	*code = "not_finished";
	if (record_int(r, "dry_run")) {
		*code = "dry_run";
		return "a dry run changed nothing to undo";
	}
	if (!strcmp(status, "undone"))
		return "the import is undone already";
	if (!strcmp(status, "cancelling"))
		return "the import is stopping after the rows under way: undo it when it is "
		       "cancelled";
	if (!strcmp(status, "queued") || !strcmp(status, "running"))
		return "the import has not finished: cancel it first";
	return NULL;
}

static bool changed_anything(const struct record *r)
{
	return record_int(r, "created") + record_int(r, "updated") + record_int(r, "merged") > 0;
}

/* The status is read inside the write transaction, so two undos (or an
 * undo and a run) cannot both go ahead. */
enum rp_err import_undo(struct dctx *d, int64_t id, struct record **ret, struct rp_error *err)
{
	if (store_begin(d->c, true, err))
		return err->err;
	struct record *r;
	if (own_import(d, id, &r, err))
		goto fail;
	const char *code, *why = undo_refusal(r, &code);
	if (why) {
		rp_fail(err, RP_ECONFLICT, code, "%s", why);
		goto fail;
	}
	/* no savepoint per record: any failure fails the whole undo anyway,
	 * and with thousands of them SQLite walked its in-memory journal from
	 * the start at every statement (a 20,000-row undo took 28 s) */
	store_set_bulk(d->c, true);
	struct import_change page[256];
	int64_t before = INT64_MAX;
	struct undo_walk walk = {0};
	enum rp_err rc = RP_OK;
	struct arena *req = d->a;
	for (bool first = true; rc == RP_OK; first = false) {
		/* a page's records, and what it queued for the commit, go with
		 * the page: an undo of a million rows held them all (5 KB each) */
		struct arena *pa = arena_new();
		d->a = pa;
		int n = store_import_changes(d->c, id, before, 256, pa, page);
		if (first && !n && changed_anything(r))
			rc = rp_fail(err, RP_ECONFLICT, "undo_unavailable",
				     "this database holds no record of what the import changed (it "
				     "was restored from a backup): nothing can be undone");
		for (int i = 0; i < n && rc == RP_OK; i++)
			rc = undo_change(d, &walk, &page[i], err);
		if (rc == RP_OK)
			rc = store_write_queued(d->c, err);
		if (n)
			before = page[n - 1].seq;
		d->a = req;
		arena_free(pa);
		if (n < 256)
			break;
	}
	free(walk.slots);
	if (rc)
		goto fail;
	struct record *w = record_new(d->a, import_entity());
	record_set_text(w, d->a, "status", "undone");
	record_set_int(w, "undo_kept", walk.kept);
	if (import_save(d->c, w, id, d->a, err) || store_commit(d->c, err))
		goto fail;
	return import_load(d->c, id, d->a, ret, err);
fail:
	store_rollback(d->c);
	return err->err;
}
