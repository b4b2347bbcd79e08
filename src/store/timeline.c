/* timeline.c — the 360-degree view of a record: activities on it and on
 * the records that point to it (an account's contacts and deals), plus
 * event records (deals) that point to it, newest first. Which entities
 * take part follows from the descriptors' flags and references. */
#include "store/internal.h"

#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

#define TIMELINE_MAX 200 /* items per page; each link query reads at most this many */

/* How rows of a source entity are linked to the record: by a reference
 * field (deals.account_id), or, for activities, by related_type/related_id
 * naming the record itself or one of its children (an account's contacts).
 * Each link is its own simple query, so each can use its index. */
struct link {
	const struct field_def *via;	 /* a reference field of the source */
	const struct entity_def *child;	 /* activities on children of ... */
	const struct field_def *child_f; /* ... linked by this field */
};

static void link_condition(struct sql *q, const struct entity_def *e, int64_t id,
			   const struct link *l)
{
	if (l->via) {
		sql_add(q, "t.");
		sql_ident(q, field_column(l->via));
		sql_fmt(q, "=%i", id);
	} else if (!l->child) {
		sql_fmt(q, "t.\"related_type\"=%t AND t.\"related_id\"=%i", e->name, id);
	} else {
		sql_fmt(q, "t.\"related_type\"=%t AND t.\"related_id\" IN (SELECT \"id\" FROM ",
			l->child->name);
		sql_ident(q, l->child->name);
		sql_add(q, " WHERE ");
		sql_ident(q, field_column(l->child_f));
		sql_fmt(q, "=%i AND \"deleted_at\" IS NULL)", id);
	}
}

/* Appends rows of `src` linked to (e, id) to items. */
static enum rp_err collect(struct store_conn *c, const struct entity_def *src,
			   const struct entity_def *e, int64_t id, const struct link *link,
			   const struct scope *scope, int limit, const char *before,
			   struct arena *a, struct timeline_item *items, int *n,
			   struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	int map[MODEL_MAX_FIELDS];
	sql_add(&q, "SELECT ");
	int ncols = sql_select_columns(&q, src, NULL, "t", map);
	sql_add(&q, " FROM ");
	sql_ident(&q, src->name);
	sql_add(&q, " AS t WHERE t.\"deleted_at\" IS NULL AND ");
	link_condition(&q, e, id, link);
	if (before) {
		sql_add(&q, " AND t.\"created_at\"<");
		sql_text(&q, before);
	}
	sql_scope(&q, "t", scope);
	/* a reference field has an index (field, created_at): walk it, newest
	 * first; other links ("+") sort their few rows, never walking the
	 * created_at index. The driver's spelling of descending matches the
	 * index's NULLs order: on PostgreSQL a plain DESC (NULLs first) would
	 * not, and a big account's activities were all read and sorted (53 ms
	 * for 5,000 at 100k; 0.3 ms walking the index). */
	const char *desc = conn_driver(c)->desc;
	sql_add(&q, " ORDER BY ");
	if (!link->via)
		sql_add(&q, conn_driver(c)->no_index);
	sql_add(&q, "t.\"created_at\"");
	sql_add(&q, desc);
	sql_add(&q, ", t.\"id\"");
	sql_add(&q, desc);
	sql_add(&q, " LIMIT ");
	sql_int(&q, limit);
	struct dbstmt *st = stmt_prepare(c, &q, err);
	if (!st) {
		sql_release(&q);
		return err->err;
	}
	int rc;
	while (*n < TIMELINE_MAX * 16 && (rc = stmt_step(st)) == DB_ROW) {
		struct record *r = row_to_record(st, src, map, ncols, a);
		items[(*n)++] = (struct timeline_item){src, r, record_text(r, "created_at")};
	}
	stmt_done(st);
	sql_release(&q);
	return RP_OK;
}

static bool refers_to(const struct field_def *f, const struct entity_def *e)
{
	return f->type == FT_REF && f->ref && !strcmp(f->ref, e->name) && !(f->flags & FF_SYSTEM);
}

/* Activities on the record, and on each kind of record that refers to it. */
static enum rp_err collect_activities(struct store_conn *c, const struct entity_def *src,
				      const struct entity_def *e, int64_t id,
				      const struct scope *sc, int limit, const char *before,
				      struct arena *a, struct timeline_item *items, int *n,
				      struct rp_error *err)
{
	/* activities that carry the record's id themselves (an account's,
	 * kept on every activity about it, its contacts and its deals): one
	 * index range */
	int nsrc = entity_nfields(src);
	for (int k = 0; k < nsrc; k++) {
		struct link via = {.via = &src->fields[k]};
		if (refers_to(via.via, e))
			return collect(c, src, e, id, &via, sc, limit, before, a, items, n, err);
	}
	struct link direct = {0};
	if (collect(c, src, e, id, &direct, sc, limit, before, a, items, n, err))
		return err->err;
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *child = model_entity_at(i);
		if (!(child->flags & EF_TIMELINE) || child == e)
			continue;
		int nf = entity_nfields(child);
		for (int k = 0; k < nf; k++) {
			struct link l = {.child = child, .child_f = &child->fields[k]};
			if (refers_to(l.child_f, e) &&
			    collect(c, src, e, id, &l, sc, limit, before, a, items, n, err))
				return err->err;
		}
	}
	return RP_OK;
}

/* Event records (deals) whose reference fields point at the record. */
static enum rp_err collect_events(struct store_conn *c, const struct entity_def *src,
				  const struct entity_def *e, int64_t id, const struct scope *sc,
				  int limit, const char *before, struct arena *a,
				  struct timeline_item *items, int *n, struct rp_error *err)
{
	int nf = entity_nfields(src);
	for (int k = 0; k < nf; k++) {
		struct link l = {.via = &src->fields[k]};
		if (refers_to(l.via, e) &&
		    collect(c, src, e, id, &l, sc, limit, before, a, items, n, err))
			return err->err;
	}
	return RP_OK;
}

static int newest_first(const void *pa, const void *pb)
{
	const struct timeline_item *x = pa, *y = pb;
	int c = strcmp(y->at ? y->at : "", x->at ? x->at : "");
	if (c)
		return c;
	return record_int(y->rec, "id") > record_int(x->rec, "id") ? 1 : -1;
}

enum rp_err store_timeline(struct store_conn *c, const struct entity_def *e, int64_t id,
			   struct scope (*scope_of)(const struct entity_def *, void *), void *ctx,
			   int limit, const char *before, struct arena *a,
			   struct timeline_item **ret, int *ret_n, struct rp_error *err)
{
	if (limit <= 0 || limit > TIMELINE_MAX)
		limit = TIMELINE_MAX;
	struct timeline_item *items = arena_alloc(a, sizeof *items * TIMELINE_MAX * 16);
	int n = 0;
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *src = model_entity_at(i);
		struct scope sc = scope_of(src, ctx);
		if (sc.scope == SCOPE_NONE)
			continue;
		enum rp_err rc = RP_OK;
		if (src->flags & EF_ACTIVITY)
			rc = collect_activities(c, src, e, id, &sc, limit, before, a, items, &n,
						err);
		else if ((src->flags & EF_EVENT) && src != e)
			rc = collect_events(c, src, e, id, &sc, limit, before, a, items, &n, err);
		if (rc)
			return rc;
	}
	qsort(items, (size_t)n, sizeof *items, newest_first);
	*ret = items;
	*ret_n = n < limit ? n : limit;
	return RP_OK;
}

enum rp_err store_activities_account(struct store_conn *c, const char *type, int64_t id,
				     int64_t account_id, struct rp_error *err)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	struct sql q;
	sql_init(&q);
	sql_add(&q, "UPDATE activities SET account_id=");
	if (account_id)
		sql_int(&q, account_id);
	else
		sql_add(&q, "NULL");
	sql_fmt(&q, ", version=version+1, updated_at=%t WHERE related_type=%t AND related_id=%i",
		now, type, id);
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}
