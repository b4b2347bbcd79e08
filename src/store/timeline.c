/* timeline.c — the 360-degree view of a record: activities on it and on
 * the records that point to it (an account's contacts and deals), plus
 * event records (deals) that point to it, newest first. Which entities
 * take part follows from the descriptors' flags and references. */
#include "store/internal.h"

#include <string.h>

#include "model/registry.h"

#define TIMELINE_MAX 200

/* related_type/related_id pairs that count as "on" (e, id). */
static void activity_links(struct sql *q, const struct entity_def *e, int64_t id)
{
	sql_add(q, "((t.\"related_type\"=");
	sql_text(q, e->name);
	sql_add(q, " AND t.\"related_id\"=");
	sql_int(q, id);
	sql_add(q, ")");
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *child = model_entity_at(i);
		if (!(child->flags & EF_TIMELINE) || child == e)
			continue;
		int n = entity_nfields(child);
		for (int k = 0; k < n; k++) {
			const struct field_def *f = &child->fields[k];
			if (f->type != FT_REF || !f->ref || strcmp(f->ref, e->name) ||
			    (f->flags & FF_SYSTEM))
				continue;
			sql_add(q, " OR (t.\"related_type\"=");
			sql_text(q, child->name);
			sql_add(q, " AND t.\"related_id\" IN (SELECT \"id\" FROM ");
			sql_ident(q, child->name);
			sql_add(q, " WHERE ");
			sql_ident(q, field_column(f));
			sql_add(q, "=");
			sql_int(q, id);
			sql_add(q, " AND \"deleted_at\" IS NULL))");
		}
	}
	sql_add(q, ")");
}

/* Appends rows of `src` linked to (e, id) to items. */
static enum rp_err collect(struct store_conn *c, const struct entity_def *src,
			   const struct entity_def *e, int64_t id, const struct field_def *via,
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
	if (via) {
		sql_add(&q, "t.");
		sql_ident(&q, field_column(via));
		sql_add(&q, "=");
		sql_int(&q, id);
	} else {
		activity_links(&q, e, id);
	}
	if (before) {
		sql_add(&q, " AND t.\"created_at\"<");
		sql_text(&q, before);
	}
	sql_scope(&q, "t", scope);
	sql_add(&q, " ORDER BY t.\"created_at\" DESC, t.\"id\" DESC LIMIT ");
	sql_int(&q, limit);
	sqlite3_stmt *st = stmt_prepare(c, &q, err);
	if (!st) {
		sql_release(&q);
		return err->err;
	}
	int rc;
	while (*n < TIMELINE_MAX * 4 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct record *r = row_to_record(st, src, map, ncols, a);
		items[(*n)++] = (struct timeline_item){src, r, record_text(r, "created_at")};
	}
	stmt_done(st);
	sql_release(&q);
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
	struct timeline_item *items = arena_alloc(a, sizeof *items * TIMELINE_MAX * 4);
	int n = 0;
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *src = model_entity_at(i);
		struct scope sc = scope_of(src, ctx);
		if (sc.scope == SCOPE_NONE)
			continue;
		enum rp_err rc = RP_OK;
		if (src->flags & EF_ACTIVITY) {
			rc = collect(c, src, e, id, NULL, &sc, limit, before, a, items, &n, err);
		} else if ((src->flags & EF_EVENT) && src != e) {
			int nf = entity_nfields(src);
			for (int k = 0; k < nf && !rc; k++) {
				const struct field_def *f = &src->fields[k];
				if (f->type == FT_REF && f->ref && !strcmp(f->ref, e->name) &&
				    !(f->flags & FF_SYSTEM))
					rc = collect(c, src, e, id, f, &sc, limit, before, a, items,
						     &n, err);
			}
		}
		if (rc)
			return rc;
	}
	qsort(items, (size_t)n, sizeof *items, newest_first);
	*ret = items;
	*ret_n = n < limit ? n : limit;
	return RP_OK;
}
