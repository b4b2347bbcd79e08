/* later.c — rows a write transaction adds that nothing in it reads back
 * (audit entries, an import's undo log): kept by the connection and
 * written just before the commit, many to a statement where the driver
 * writes so (on PostgreSQL a round trip per row was a fifth of an
 * import's statements). A nested part that rolls back drops the rows it
 * queued; a read of those tables writes the queue first. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

#define LATER_LEVELS (int)(sizeof((struct later *)0)->mark / sizeof(int))

static void free_row(struct later_row *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].kind == V_TEXT)
			free((char *)r->v[i].s);
}

static void truncate_to(struct later *l, int n)
{
	while (l->n > n)
		free_row(&l->rows[--l->n]);
}

static void write_values(struct sql *q, const struct later_row *r)
{
	sql_add(q, "(");
	for (int i = 0; i < r->n; i++) {
		sql_add(q, i ? "," : "");
		sql_param(q, &r->v[i]);
	}
	sql_add(q, ")");
}

enum rp_err later_insert(struct store_conn *c, const char *table, const struct value *v, int n,
			 struct rp_error *err)
{
	if (n > LATER_COLS)
		return rp_fail(err, RP_EINTERNAL, "internal_error", "%d columns for %s: at most %d",
			       n, table, LATER_COLS);
	struct later_row row = {.table = table, .n = n};
	memcpy(row.v, v, sizeof *v * (size_t)n);
	struct later *l = &c->later;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->rows = realloc(l->rows, sizeof *l->rows * (size_t)l->cap);
		if (!l->rows)
			abort();
	}
	for (int i = 0; i < n; i++)
		if (row.v[i].kind == V_TEXT) {
			char *s = malloc(row.v[i].len + 1);
			if (!s)
				abort();
			memcpy(s, v[i].s, v[i].len);
			s[v[i].len] = '\0';
			row.v[i].s = s;
		}
	l->rows[l->n++] = row;
	/* outside a write transaction the row is written at once */
	return c->txdepth > 0 && c->writing ? RP_OK : later_flush(c, err);
}

/* Writes the queued rows of one table (in their order), as many to a
 * statement as the driver allows; marks them done (table NULL). */
static enum rp_err flush_table(struct store_conn *c, struct later *l, int from,
			       struct rp_error *err)
{
	const char *table = l->rows[from].table;
	int per = conn_driver(c)->multi_row_writes ? SQL_MAX_PARAMS / l->rows[from].n : 1;
	enum rp_err rc = RP_OK;
	for (int i = from; rc == RP_OK && i < l->n;) {
		struct sql q;
		sql_init(&q);
		sql_add(&q, "INSERT INTO ");
		sql_add(&q, table);
		sql_add(&q, " VALUES ");
		for (int k = 0; i < l->n && k < per; i++) {
			if (!l->rows[i].table || strcmp(l->rows[i].table, table))
				continue;
			sql_add(&q, k++ ? "," : "");
			write_values(&q, &l->rows[i]);
			l->rows[i].table = NULL;
		}
		rc = stmt_exec(c, &q, err);
		sql_release(&q);
		while (i < l->n && (!l->rows[i].table || strcmp(l->rows[i].table, table)))
			i++;
	}
	return rc;
}

enum rp_err later_flush(struct store_conn *c, struct rp_error *err)
{
	struct later *l = &c->later;
	enum rp_err rc = RP_OK;
	/* table by table: the rows of different tables come interleaved */
	for (int i = 0; rc == RP_OK && i < l->n; i++)
		if (l->rows[i].table)
			rc = flush_table(c, l, i, err);
	truncate_to(l, 0);
	/* what is written now is no longer the queue's to drop */
	memset(l->mark, 0, sizeof l->mark);
	return rc;
}

/* The three below keep the search texts (textq.c), also written at the
 * commit, in step with the rows. */
void later_mark(struct store_conn *c)
{
	if (c->txdepth >= 1 && c->txdepth <= LATER_LEVELS)
		c->later.mark[c->txdepth - 1] = c->later.n;
	textq_mark(&c->texts, c->txdepth);
}

void later_undo(struct store_conn *c)
{
	if (c->txdepth >= 1 && c->txdepth <= LATER_LEVELS)
		truncate_to(&c->later, c->later.mark[c->txdepth - 1]);
	textq_undo(&c->texts, c->txdepth);
}

void later_drop(struct store_conn *c)
{
	truncate_to(&c->later, 0);
	free(c->later.rows);
	c->later = (struct later){0};
	textq_free(&c->texts);
}
