/* timeline.c — the 360-degree view of a record: activities on it and on
 * the records that point to it (an account's contacts and deals), plus
 * event records (deals) that point to it, newest first. Which entities
 * take part follows from the descriptors' flags and references. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "model/registry.h"

#define TIMELINE_MAX 200 /* items per page */

/* How rows of a source entity are linked to the record: by a reference
 * field (deals.account_id), or, for activities, by related_type/related_id
 * naming the record itself or one of its children (an account's contacts).
 * Each link is its own simple query, so each can use its index. */
struct link {
	const struct field_def *via;	 /* a reference field of the source */
	const struct entity_def *child;	 /* activities on children of ... */
	const struct field_def *child_f; /* ... linked by this field */
};

/* One link's query, newest first, read a row at a time: the page is
 * merged from the heads of all of them, so no query reads more rows than
 * the page takes from it (plus the one it stops at). */
struct source {
	const struct entity_def *ent;
	struct dbstmt *st;
	int *map;
	int ncols;
	struct timeline_item head; /* head.rec NULL: no rows left */
};

/* What every source of one timeline shares. */
struct timeline {
	struct store_conn *c;
	const struct entity_def *e; /* the record's */
	int64_t id;
	int limit;
	const char *before;
	struct arena *a;
	struct source *src;
	int n, cap;
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

/* Reads the source's next row into its head. */
static enum rp_err advance(struct source *s, struct arena *a, struct rp_error *err)
{
	int rc = stmt_step(s->st);
	if (rc == DB_ERROR)
		return stmt_fail(s->st, err);
	s->head.rec = rc == DB_ROW ? row_to_record(s->st, s->ent, s->map, s->ncols, a) : NULL;
	s->head.at = s->head.rec ? record_text(s->head.rec, "created_at") : NULL;
	return RP_OK;
}

static struct source *new_source(struct timeline *t)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 8;
		t->src = xrealloc(t->src, sizeof *t->src * (size_t)cap);
		t->cap = cap;
	}
	return &t->src[t->n];
}

/* Opens the query of rows of `ent` linked to the record and reads its
 * first row. */
static enum rp_err open_source(struct timeline *t, const struct entity_def *ent,
			       const struct link *link, const struct scope *scope,
			       struct rp_error *err)
{
	struct store_conn *c = t->c;
	struct source *s = new_source(t);
	*s = (struct source){.ent = ent, .head = {.ent = ent}};
	s->map = arena_alloc(t->a, sizeof *s->map * MODEL_MAX_FIELDS);
	struct sql q;
	sql_init(&q);
	sql_add(&q, "SELECT ");
	s->ncols = sql_select_columns(&q, ent, NULL, "t", s->map);
	sql_add(&q, " FROM ");
	sql_ident(&q, ent->name);
	sql_add(&q, " AS t WHERE t.\"deleted_at\" IS NULL AND ");
	link_condition(&q, t->e, t->id, link);
	if (t->before) {
		sql_add(&q, " AND t.\"created_at\"<");
		sql_text(&q, t->before);
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
	sql_int(&q, t->limit);
	s->st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!s->st)
		return err->err;
	t->n++;
	return advance(s, t->a, err);
}

static bool refers_to(const struct field_def *f, const struct entity_def *e)
{
	return f->type == FT_REF && f->ref && !strcmp(f->ref, e->name) && !(f->flags & FF_SYSTEM);
}

/* Activities on the record, and on each kind of record that refers to it. */
static enum rp_err open_activities(struct timeline *t, const struct entity_def *src,
				   const struct scope *sc, struct rp_error *err)
{
	/* activities that carry the record's id themselves (an account's,
	 * kept on every activity about it, its contacts and its deals): one
	 * index range */
	int nsrc = entity_nfields(src);
	for (int k = 0; k < nsrc; k++) {
		struct link via = {.via = &src->fields[k]};
		if (refers_to(via.via, t->e))
			return open_source(t, src, &via, sc, err);
	}
	struct link direct = {0};
	if (open_source(t, src, &direct, sc, err))
		return err->err;
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *child = model_entity_at(i);
		if (!(child->flags & EF_TIMELINE) || child == t->e)
			continue;
		int nf = entity_nfields(child);
		for (int k = 0; k < nf; k++) {
			struct link l = {.child = child, .child_f = &child->fields[k]};
			if (refers_to(l.child_f, t->e) && open_source(t, src, &l, sc, err))
				return err->err;
		}
	}
	return RP_OK;
}

/* Event records (deals) whose reference fields point at the record. */
static enum rp_err open_events(struct timeline *t, const struct entity_def *src,
			       const struct scope *sc, struct rp_error *err)
{
	int nf = entity_nfields(src);
	for (int k = 0; k < nf; k++) {
		struct link l = {.via = &src->fields[k]};
		if (refers_to(l.via, t->e) && open_source(t, src, &l, sc, err))
			return err->err;
	}
	return RP_OK;
}

/* Whether x comes before y: newest first, then the higher id, then the
 * entity's name (ids of two entities may be equal), so that a page is
 * always the beginning of a longer one. */
static bool newer(const struct timeline_item *x, const struct timeline_item *y)
{
	int c = strcmp(x->at ? x->at : "", y->at ? y->at : "");
	if (c)
		return c > 0;
	int64_t xi = record_int(x->rec, "id"), yi = record_int(y->rec, "id");
	if (xi != yi)
		return xi > yi;
	return strcmp(x->ent->name, y->ent->name) < 0;
}

/* The source whose head comes first; NULL when all are read out. */
static struct source *newest_head(struct timeline *t)
{
	struct source *best = NULL;
	for (int i = 0; i < t->n; i++)
		if (t->src[i].head.rec && (!best || newer(&t->src[i].head, &best->head)))
			best = &t->src[i];
	return best;
}

static enum rp_err open_sources(struct timeline *t,
				struct scope (*scope_of)(const struct entity_def *, void *),
				void *ctx, struct rp_error *err)
{
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *src = model_entity_at(i);
		struct scope sc = scope_of(src, ctx);
		if (sc.scope == SCOPE_NONE)
			continue;
		if ((src->flags & EF_ACTIVITY) && open_activities(t, src, &sc, err))
			return err->err;
		if (!(src->flags & EF_ACTIVITY) && (src->flags & EF_EVENT) && src != t->e &&
		    open_events(t, src, &sc, err))
			return err->err;
	}
	return RP_OK;
}

enum rp_err store_timeline(struct store_conn *c, const struct entity_def *e, int64_t id,
			   struct scope (*scope_of)(const struct entity_def *, void *), void *ctx,
			   int limit, const char *before, struct arena *a,
			   struct timeline_item **ret, int *ret_n, struct rp_error *err)
{
	if (limit <= 0 || limit > TIMELINE_MAX)
		limit = TIMELINE_MAX;
	struct timeline t = {.c = c, .e = e, .id = id, .limit = limit, .before = before, .a = a};
	struct timeline_item *items = arena_alloc(a, sizeof *items * (size_t)limit);
	int n = 0;
	enum rp_err rc = open_sources(&t, scope_of, ctx, err);
	struct source *s;
	while (!rc && n < limit && (s = newest_head(&t))) {
		items[n++] = s->head;
		rc = advance(s, a, err);
	}
	for (int i = 0; i < t.n; i++)
		stmt_done(t.src[i].st);
	free(t.src);
	if (rc)
		return rc;
	*ret = items;
	*ret_n = n;
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
