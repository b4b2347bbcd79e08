/* import_dry.c — a dry run's memory of the rows it reported as new. A
 * dry run writes each batch and rolls it back, so a row repeating one of
 * an earlier batch finds no record and would be reported as created where
 * the run updates, merges or skips it. The memo keeps, of each row
 * reported new, hashes of its external id, e-mail and phone keys, its
 * name key and a hash of the whole row, and matches a later row by the
 * run's rules (import_match.c): external id, e-mail, a phone unless the
 * e-mails differ, then the same or an alike name within the company
 * unless e-mails or phones differ, and only when one row is left.
 *
 * A person's name key names the company by its record id ("a12:ivan"),
 * and the dry run's accounts go with each batch's rollback (the next
 * batch may give id 12 to another company), so the memo keys people by
 * their company's name key instead. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xalloc.h"
#include "domain/dedup.h"
#include "io/import_internal.h"
#include "model/registry.h"

/* What the memo holds at most (its arrays may double once past it);
 * then it stops remembering. */
#define DRY_MEMO_BYTES (40u << 20)
/* Companies' keys by account id, for the batch under way (its ids go
 * with its rollback). */
#define DRY_COMPANIES 1024
/* A company's rows looked at for an alike name, newest first (the run
 * looks at the 200 names around the row's). */
#define DRY_ALIKE_ROWS 200

struct dry_key {
	uint64_t h;
	char kind; /* 'x' external id, 'e' e-mail, 'p' phone */
};

struct dry_row {
	uint64_t body; /* hash of the whole row */
	uint32_t key;  /* its first key in keys */
	uint32_t nkeys;
	uint32_t name;	    /* 1 + where its name key starts in names; 0: none */
	int32_t same_name;  /* the previous row with that name key; -1: none */
	int32_t in_company; /* the company's previous row with a name; -1: none */
};

/* A hash of a key (or a name, or a company) and the row it leads to: the
 * first row with an external id, e-mail or phone (the record the others
 * were copied from), the last one with a name or of a company (each
 * chained to the one before). */
struct dry_slot {
	uint64_t h;
	int32_t row;
};

struct row_keys {
	struct dry_key k[IMPORT_ROW_KEYS + 1];
	int n;
	const char *name; /* the name key, its company by name; NULL: none */
	bool han;	  /* the name is in Chinese characters: no name alike */
};

struct company_key {
	int64_t id;
	char *key;
};

struct dry_memo {
	struct dry_row *rows;
	size_t nrows, caprows;
	size_t indexed; /* rows before it are in slots; the batch's after it */
	struct dry_key *keys;
	size_t nkeys, capkeys;
	char *names;
	size_t nnames, capnames;
	struct dry_slot *slots;
	size_t nslots, used;
	bool full;
	struct company_key companies[DRY_COMPANIES];
	/* the keys import_dry_seen found for the row it looked at last, which
	 * import_dry_remember wants next when nothing matched */
	struct row_keys last;
	int64_t last_row;
	int64_t *made; /* the batch's records, in increasing order */
	size_t nmade, capmade;
};

static size_t memo_bytes(const struct dry_memo *m)
{
	return m->caprows * sizeof *m->rows + m->capkeys * sizeof *m->keys + m->capnames +
	       m->nslots * sizeof *m->slots;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	*cap = n;
	return xrealloc(p, n * size);
}

static uint64_t salted(char kind, const char *s, size_t n)
{
	return fnv1a((uint64_t)(unsigned char)kind, s, n) | 1; /* 0: a free slot */
}

static struct dry_slot *slot_of(const struct dry_memo *m, uint64_t h)
{
	for (size_t i = h & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1))
		if (!m->slots[i].h || m->slots[i].h == h)
			return &m->slots[i];
}

static int32_t lookup(const struct dry_memo *m, uint64_t h)
{
	if (!m->nslots)
		return -1;
	const struct dry_slot *s = slot_of(m, h);
	return s->h ? s->row : -1;
}

static void rehash(struct dry_memo *m, size_t nslots)
{
	struct dry_slot *old = m->slots;
	size_t n = m->nslots;
	m->slots = xcalloc(nslots, sizeof *m->slots);
	m->nslots = nslots;
	for (size_t i = 0; i < n; i++)
		if (old[i].h)
			*slot_of(m, old[i].h) = old[i];
	free(old);
}

/* Sets h's row (keep: a row already there stays); returns the row it had
 * (-1: none). */
static int32_t put(struct dry_memo *m, uint64_t h, int32_t row, bool keep)
{
	if ((m->used + 1) * 2 > m->nslots)
		rehash(m, m->nslots ? m->nslots * 2 : 4096);
	struct dry_slot *s = slot_of(m, h);
	int32_t had = s->h ? s->row : -1;
	if (!s->h)
		m->used++;
	if (!s->h || !keep)
		*s = (struct dry_slot){h, row};
	return had;
}

/* --- a row's keys as the memo keeps them ------------------------------- */

/* The name key with its company by name: "a12:ivan" → "Acme's key:ivan".
 * NULL when the account cannot be read. */
static const char *stable_name(struct importer *im, const char *key)
{
	if (key[0] != 'a' || !strchr(key, ':'))
		return key; /* a lead's: its company's key already */
	char *end;
	long long id = strtoll(key + 1, &end, 10);
	if (*end != ':')
		return key;
	struct company_key *c = &im->dry->companies[(uint64_t)id % DRY_COMPANIES];
	if (c->id != id || !c->key) {
		struct record *acc;
		struct rp_error err;
		rp_error_init(&err);
		if (domain_get(&im->d, model_entity("accounts"), id, &acc, &err))
			return NULL;
		const char *name = record_text(acc, "name");
		free(c->key);
		*c = (struct company_key){id, name ? dedup_name_key(name, true) : NULL};
	}
	return c->key ? arena_printf(im->d.a, "c%s%s", c->key, end) : NULL;
}

/* The batch's account ids are gone with it. */
static void forget_companies(struct dry_memo *m)
{
	for (int i = 0; i < DRY_COMPANIES; i++) {
		free(m->companies[i].key);
		m->companies[i] = (struct company_key){0};
	}
}

static void keys_of(struct importer *im, json_t *body, struct row_keys *out)
{
	if (im->dry->last_row == im->row_number) {
		*out = im->dry->last;
		return;
	}
	out->n = 0;
	out->name = NULL;
	out->han = dedup_has_han(json_string_value(json_object_get(body, im->e->title_field)));
	const char *ext = json_string_value(json_object_get(body, "external_id"));
	if (ext && *ext)
		out->k[out->n++] = (struct dry_key){salted('x', ext, strlen(ext)), 'x'};
	struct dedup_key keys[IMPORT_ROW_KEYS];
	int m = import_row_keys(im, body, keys, IMPORT_ROW_KEYS);
	for (int i = 0; i < m; i++) {
		char kind = keys[i].kind[0];
		if (kind == 'e' || kind == 'p')
			out->k[out->n++] = (struct dry_key){
				salted(kind, keys[i].key, strlen(keys[i].key)), kind};
		else if (!strcmp(keys[i].kind, "name") && !out->name)
			out->name = stable_name(im, keys[i].key);
	}
	im->dry->last = *out;
	im->dry->last_row = im->row_number;
}

static struct dry_memo *memo(struct importer *im)
{
	if (!im->dry) {
		im->dry = xcalloc(1, sizeof *im->dry);
		im->dry->last_row = -1;
	}
	return im->dry;
}

static uint64_t body_hash(json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = s ? fnv1a(0, s, strlen(s)) : 0;
	free(s);
	return h;
}

static uint64_t company_hash(const char *name)
{
	const char *colon = strchr(name, ':');
	return salted('c', name, colon ? (size_t)(colon - name) : strlen(name));
}

/* --- remembering ----------------------------------------------------- */

/* Ids grow within a batch; one that does not goes in its place. */
static void add_made(struct dry_memo *m, int64_t id)
{
	m->made = grow(m->made, &m->capmade, m->nmade + 1, sizeof *m->made);
	size_t i = m->nmade++;
	for (; i > 0 && m->made[i - 1] > id; i--)
		m->made[i] = m->made[i - 1];
	m->made[i] = id;
}

bool import_dry_made(const struct importer *im, int64_t id)
{
	const struct dry_memo *m = im->dry;
	size_t lo = 0, hi = m ? m->nmade : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->made[mid] == id)
			return true;
		if (m->made[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void import_dry_remember(struct importer *im, json_t *body, int64_t id)
{
	struct dry_memo *m = memo(im);
	add_made(m, id);
	if (m->full || memo_bytes(m) > DRY_MEMO_BYTES || m->nrows >= INT32_MAX / 2) {
		m->full = true;
		return;
	}
	struct row_keys rk;
	keys_of(im, body, &rk);
	if (!rk.n && !rk.name)
		return;
	m->rows = grow(m->rows, &m->caprows, m->nrows + 1, sizeof *m->rows);
	m->keys = grow(m->keys, &m->capkeys, m->nkeys + (size_t)rk.n, sizeof *m->keys);
	struct dry_row *r = &m->rows[m->nrows++];
	*r = (struct dry_row){.body = body_hash(body),
			      .key = (uint32_t)m->nkeys,
			      .nkeys = (uint32_t)rk.n,
			      .same_name = -1,
			      .in_company = -1};
	if (rk.n) /* a row with a name alone: keys may not be allocated yet */
		memcpy(m->keys + m->nkeys, rk.k, sizeof *rk.k * (size_t)rk.n);
	m->nkeys += (size_t)rk.n;
	if (rk.name) {
		size_t len = strlen(rk.name) + 1;
		m->names = grow(m->names, &m->capnames, m->nnames + len, 1);
		memcpy(m->names + m->nnames, rk.name, len);
		r->name = (uint32_t)m->nnames + 1;
		m->nnames += len;
	}
}

/* What held for the batch only: its companies' ids, the last row's keys
 * and the records it made are gone with it. */
static void end_batch(struct dry_memo *m)
{
	forget_companies(m);
	m->last_row = -1;
	m->nmade = 0;
}

void import_dry_keep(struct importer *im)
{
	struct dry_memo *m = im->dry;
	if (!m)
		return;
	end_batch(m);
	for (; m->indexed < m->nrows; m->indexed++) {
		int32_t i = (int32_t)m->indexed;
		struct dry_row *r = &m->rows[i];
		for (uint32_t k = 0; k < r->nkeys; k++)
			put(m, m->keys[r->key + k].h, i, true);
		if (r->name) {
			const char *name = m->names + r->name - 1;
			r->same_name = put(m, salted('n', name, strlen(name)), i, false);
			r->in_company = put(m, company_hash(name), i, false);
		}
	}
}

void import_dry_drop(struct importer *im)
{
	struct dry_memo *m = im->dry;
	if (!m)
		return;
	end_batch(m);
	if (m->indexed == m->nrows)
		return;
	const struct dry_row *first = &m->rows[m->indexed];
	m->nkeys = first->key;
	for (size_t i = m->indexed; i < m->nrows; i++)
		if (m->rows[i].name) {
			m->nnames = m->rows[i].name - 1;
			break;
		}
	m->nrows = m->indexed;
}

void import_dry_free(struct importer *im)
{
	struct dry_memo *m = im->dry;
	if (!m)
		return;
	forget_companies(m);
	free(m->made);
	free(m->rows);
	free(m->keys);
	free(m->names);
	free(m->slots);
	free(m);
	im->dry = NULL;
}

/* --- matching -------------------------------------------------------- */

/* Whether the row and remembered row r both have keys of kind and share
 * none: two people, however alike the rest. */
static bool differ(const struct dry_memo *m, int32_t r, char kind, const struct row_keys *rk)
{
	bool mine = false, its = false;
	for (int i = 0; i < rk->n; i++)
		mine = mine || rk->k[i].kind == kind;
	const struct dry_row *row = &m->rows[r];
	for (uint32_t j = 0; j < row->nkeys && mine; j++) {
		const struct dry_key *theirs = &m->keys[row->key + j];
		if (theirs->kind != kind)
			continue;
		its = true;
		for (int i = 0; i < rk->n; i++)
			if (rk->k[i].h == theirs->h)
				return false;
	}
	return its;
}

static bool name_vetoed(const struct dry_memo *m, int32_t r, const struct row_keys *rk)
{
	return differ(m, r, 'e', rk) || differ(m, r, 'p', rk);
}

/* The one remembered row named as the row is (or, with none, alike in
 * its company) that no veto rules out; -1 when none or two are. */
static int32_t by_name(const struct dry_memo *m, const struct row_keys *rk)
{
	int32_t found = -1;
	int n = 0;
	for (int32_t r = lookup(m, salted('n', rk->name, strlen(rk->name))); r >= 0;
	     r = m->rows[r].same_name)
		if (!strcmp(m->names + m->rows[r].name - 1, rk->name) && !name_vetoed(m, r, rk))
			found = r, n++;
	if (n)
		return n == 1 ? found : -1;
	const char *mine = strchr(rk->name, ':');
	if (!mine || !mine[1] || rk->han)
		return -1;
	int seen = 0;
	for (int32_t r = lookup(m, company_hash(rk->name)); r >= 0 && seen < DRY_ALIKE_ROWS;
	     r = m->rows[r].in_company, seen++) {
		const char *name = m->names + m->rows[r].name - 1;
		const char *theirs = strchr(name, ':');
		if (!theirs || strncmp(name, rk->name, (size_t)(mine - rk->name) + 1) ||
		    !dedup_names_alike(mine + 1, theirs + 1) || name_vetoed(m, r, rk))
			continue;
		if (found >= 0 && strcmp(m->names + m->rows[found].name - 1, name))
			return -1; /* two people alike */
		found = r;
	}
	return found;
}

const char *import_dry_seen(struct importer *im, json_t *body, bool *ret_same)
{
	*ret_same = false;
	const struct dry_memo *m = memo(im);
	if (!m->indexed)
		return NULL;
	struct row_keys rk;
	keys_of(im, body, &rk);
	static const struct {
		char kind;
		const char *name;
	} kinds[] = {{'x', "external_id"}, {'e', "email"}, {'p', "phone"}};
	int32_t r = -1;
	const char *match = NULL;
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds && r < 0; k++)
		for (int i = 0; i < rk.n && r < 0; i++) {
			if (rk.k[i].kind != kinds[k].kind)
				continue;
			r = lookup(m, rk.k[i].h);
			if (r >= 0 && kinds[k].kind == 'p' && differ(m, r, 'e', &rk))
				r = -1;
			match = kinds[k].name;
		}
	if (r < 0 && rk.name) {
		r = by_name(m, &rk);
		match = "name";
	}
	if (r < 0)
		return NULL;
	*ret_same = m->rows[r].body == body_hash(body);
	return match;
}
