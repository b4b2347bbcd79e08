/* textq.c — search texts written at the commit. FTS5 writes the terms it
 * holds as a new index segment at every savepoint, so each write
 * transaction that indexed its record inside its own savepoint left a
 * tiny segment and, later, the merge of it: a quarter of a durable
 * create's time in SQLite (profiled). A write transaction therefore
 * queues its texts on its connection. Without group commit they are
 * written just before its COMMIT; with group commit they join the
 * writer's batch when the transaction's savepoint is released and go in
 * at the batch's COMMIT, every request's texts in one statement pair. A
 * nested part that rolls back drops what it queued.
 *
 * A search inside a write transaction does not see the texts queued in
 * it: nothing searches the index while it writes. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

#define TEXTQ_LEVELS (int)(sizeof((struct text_queue *)0)->mark / sizeof(int))

static void reserve(struct text_queue *q, int more)
{
	if (q->n + more <= q->cap)
		return;
	while (q->n + more > q->cap)
		q->cap = q->cap ? q->cap * 2 : 16;
	q->v = realloc(q->v, sizeof *q->v * (size_t)q->cap);
	if (!q->v)
		abort();
}

void textq_push(struct text_queue *q, int64_t key, const char *text, bool add)
{
	reserve(q, 1);
	char *copy = NULL;
	if (text && !(copy = strdup(text)))
		abort();
	q->v[q->n++] = (struct queued_text){.key = key, .text = copy, .add = add};
}

static void truncate_to(struct text_queue *q, int n)
{
	while (q->n > n)
		free(q->v[--q->n].text);
}

void textq_append(struct text_queue *to, struct text_queue *from)
{
	if (from->n == 0)
		return;
	reserve(to, from->n);
	memcpy(to->v + to->n, from->v, sizeof *from->v * (size_t)from->n); /* texts handed over */
	to->n += from->n;
	from->n = 0;
	memset(from->mark, 0, sizeof from->mark);
}

void textq_mark(struct text_queue *q, int depth)
{
	if (depth >= 1 && depth <= TEXTQ_LEVELS)
		q->mark[depth - 1] = q->n;
}

void textq_undo(struct text_queue *q, int depth)
{
	if (depth >= 1 && depth <= TEXTQ_LEVELS)
		truncate_to(q, q->mark[depth - 1]);
}

void textq_free(struct text_queue *q)
{
	truncate_to(q, 0);
	free(q->v);
	*q = (struct text_queue){0};
}

static int by_key_then_order(const void *pa, const void *pb)
{
	const struct queued_text *a = *(const struct queued_text *const *)pa;
	const struct queued_text *b = *(const struct queued_text *const *)pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a < b ? -1 : a > b; /* the queue's order */
}

/* Writes the queue and empties it: each record's last text, the records
 * new to the index together and the replaced ones together. A record made
 * and then changed before the commit is queued twice and indexed once. */
enum rp_err textq_write(struct store_conn *c, struct text_queue *q, struct rp_error *err)
{
	int n = q->n;
	if (n == 0)
		return RP_OK;
	const struct queued_text **order = malloc(sizeof *order * (size_t)n);
	int64_t *keys = malloc(sizeof *keys * (size_t)n * 2);
	const char **texts = malloc(sizeof *texts * (size_t)n * 2);
	if (!order || !keys || !texts)
		abort();
	for (int i = 0; i < n; i++)
		order[i] = &q->v[i];
	qsort(order, (size_t)n, sizeof *order, by_key_then_order);
	/* added from the front of keys/texts, replaced from the middle */
	int nadd = 0, nput = 0;
	for (int i = 0; i < n;) {
		bool add = true;
		int k = i;
		for (; k < n && order[k]->key == order[i]->key; k++)
			add = add && order[k]->add;
		int at = add ? nadd++ : n + nput++;
		keys[at] = order[i]->key;
		texts[at] = order[k - 1]->text;
		i = k;
	}
	const struct db_driver *d = conn_driver(c);
	enum rp_err rc = nput ? d->search_put(c, keys + n, texts + n, nput, err) : RP_OK;
	if (rc == RP_OK && nadd)
		rc = d->search_add(c, keys, texts, nadd, err);
	free(order);
	free(keys);
	free(texts);
	truncate_to(q, 0);
	memset(q->mark, 0, sizeof q->mark);
	return rc;
}
