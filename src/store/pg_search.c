/* pg_search.c — the PostgreSQL driver's full-text search and contains
 * filters: the tsvector and tsquery written here from the same folded
 * text FTS5 indexes, split into tokens as FTS5's unicode61 tokenizer
 * splits them, so both stores find the same things; the prefix global
 * search reads the search terms by (migrations/pg/006). pg.c names these
 * in its driver table. */
#include "store/internal.h"
#include "store/pg_internal.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* FTS5's unicode61 tokenizer keeps letters, numbers and private-use
 * characters together and splits at everything else; the tsvector and
 * tsquery written here split the same way, so both stores see the same
 * tokens. */
static bool token_char(utf8proc_int32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_CO: return true;
	default: return false;
	}
}

/* The next token of s[0..n) at *pos: its start and length, or false. */
static bool next_token(const char *s, size_t n, size_t *pos, const char **ret, size_t *ret_len)
{
	size_t start = SIZE_MAX, at = *pos;
	while (at < n) {
		utf8proc_int32_t c = -1;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
						      (utf8proc_ssize_t)(n - at), &c);
		if (k <= 0) {
			k = 1;
			c = 0;
		}
		bool in = c > 0 && token_char(c);
		if (in && start == SIZE_MAX)
			start = at;
		if (!in && start != SIZE_MAX)
			break;
		at += (size_t)k;
	}
	*pos = at;
	if (start == SIZE_MAX)
		return false;
	*ret = s + start;
	*ret_len = at - start;
	return true;
}

/* A lexeme as tsvector/tsquery input: in single quotes, ' and \ doubled
 * or escaped. PostgreSQL limits a lexeme to 2046 bytes. */
static void put_lexeme(struct buf *b, const char *t, size_t n)
{
	if (n > 2000)
		n = 2000;
	buf_addc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\'' || t[i] == '\\')
			buf_addc(b, t[i]);
		buf_addc(b, t[i]);
	}
	buf_addc(b, '\'');
}

/* 'tok':1 'tok':2 ... (positions as FTS5 counts them, for phrases). */
static char *tsvector_text(const char *body)
{
	struct buf b;
	buf_init(&b, 0);
	size_t n = strlen(body), pos = 0;
	const char *t;
	size_t tn;
	int k = 0;
	while (next_token(body, n, &pos, &t, &tn)) {
		if (k++)
			buf_addc(&b, ' ');
		put_lexeme(&b, t, tn);
		/* positions past PostgreSQL's 16383 are kept as 16383 */
		buf_printf(&b, ":%d", k < 16383 ? k : 16383);
	}
	return buf_detach(&b, NULL);
}

/* The next "phrase"[*] of an FTS5 expression (textkey_query's: such terms
 * joined by AND) from p: its text in phrase (initialised here), whether a
 * star follows; the position after it, or NULL when there is none. */
static const char *next_phrase(const char *p, struct buf *phrase, bool *star)
{
	while (*p && *p != '"')
		p++;
	if (!*p)
		return NULL;
	buf_init(phrase, 0);
	for (p++; *p; p++) {
		if (*p == '"' && p[1] == '"') {
			buf_addc(phrase, '"');
			p++;
		} else if (*p == '"') {
			p++;
			break;
		} else {
			buf_addc(phrase, *p);
		}
	}
	*star = *p == '*';
	return p;
}

/* The expression as a tsquery: ('a' <-> 'b':*) & ('c'). */
static char *tsquery_text(const char *match)
{
	struct buf b, phrase;
	buf_init(&b, 0);
	int terms = 0;
	bool star;
	for (const char *p = match; (p = next_phrase(p, &phrase, &star));) {
		const char *ph = buf_str(&phrase), *t;
		size_t n = strlen(ph), pos = 0, tn;
		int k = 0;
		while (next_token(ph, n, &pos, &t, &tn)) {
			buf_adds(&b, k++ ? " <-> " : terms++ ? " & (" : "(");
			put_lexeme(&b, t, tn);
		}
		if (k) {
			if (star)
				buf_adds(&b, ":*");
			buf_addc(&b, ')');
		}
		buf_release(&phrase);
	}
	return buf_detach(&b, NULL);
}

/* How many characters of each word migrations/pg/006 indexes. */
#define TERM_PREFIX_CHARS 3

/* The term of the longest word of the expression's phrases (the longer a
 * word, the fewer rows share its start): its first TERM_PREFIX_CHARS
 * characters, or the whole of a shorter word that is not a prefix (the
 * last word of a starred phrase is). */
char *pq_search_prefix(const char *match)
{
	struct buf phrase;
	bool star;
	char *best = NULL;
	size_t best_chars = 0;
	for (const char *p = match; (p = next_phrase(p, &phrase, &star));) {
		const char *ph = buf_str(&phrase), *t;
		size_t n = strlen(ph), pos = 0, tn;
		while (next_token(ph, n, &pos, &t, &tn)) {
			size_t chars = utf8_chars(t, tn), end = pos, tn2;
			const char *t2;
			bool prefix = star && !next_token(ph, n, &end, &t2, &tn2);
			if (chars <= best_chars || (prefix && chars < TERM_PREFIX_CHARS))
				continue;
			best_chars = chars;
			size_t bytes = 0;
			for (size_t k = 0; bytes < tn && k < TERM_PREFIX_CHARS; k++)
				for (bytes++;
				     bytes < tn && ((unsigned char)t[bytes] & 0xC0) == 0x80;)
					bytes++;
			free(best);
			best = strndup(t, bytes);
			if (!best)
				abort();
		}
		buf_release(&phrase);
	}
	return best;
}

void pq_sql_match(struct sql *q, const char *alias, const char *table, const char *match)
{
	(void)table;
	sql_add(q, alias);
	sql_add(q, ".tsv @@ ");
	sql_text_owned(q, tsquery_text(match));
	sql_add(q, "::tsquery");
}

static enum rp_err search_put_one(struct store_conn *c, int64_t key, const char *text,
				  struct rp_error *err)
{
	struct sql q;
	sql_init(&q);
	if (!text || !*text) {
		sql_add(&q, "DELETE FROM search_index WHERE rowid=");
		sql_int(&q, key);
	} else {
		sql_add(&q, "INSERT INTO search_index (rowid, body, tsv) VALUES (");
		sql_int(&q, key);
		sql_add(&q, ",");
		sql_text(&q, text);
		sql_add(&q, ",");
		sql_text_owned(&q, tsvector_text(text));
		/* a text that did not change is not written again (nor its terms) */
		sql_add(&q, "::tsvector) ON CONFLICT (rowid) DO UPDATE SET body=excluded.body,"
			    " tsv=excluded.tsv WHERE search_index.body<>excluded.body");
	}
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	return rc;
}

enum rp_err pq_search_put(struct store_conn *c, const int64_t *keys, const char *const *texts,
			  int n, struct rp_error *err)
{
	enum rp_err rc = RP_OK;
	for (int i = 0; rc == RP_OK && i < n; i++)
		rc = search_put_one(c, keys[i], texts[i], err);
	return rc;
}

/* New records' texts, many rows to a statement: a round trip each would
 * be most of a bulk load's time. */
enum rp_err pq_search_add(struct store_conn *c, const int64_t *keys, const char *const *texts,
			  int n, struct rp_error *err)
{
	enum rp_err rc = RP_OK;
	char *tsv[SQL_MAX_PARAMS / 3]; /* 3 parameters a row */
	for (int i = 0; rc == RP_OK && i < n;) {
		struct sql q;
		sql_init(&q);
		sql_add(&q, "INSERT INTO search_index (rowid, body, tsv) VALUES ");
		int rows = 0;
		for (; i < n && rows < (int)(sizeof tsv / sizeof *tsv); i++) {
			if (!texts[i] || !*texts[i])
				continue;
			tsv[rows] = tsvector_text(texts[i]);
			sql_add(&q, rows ? ",(" : "(");
			sql_int(&q, keys[i]);
			sql_add(&q, ",");
			sql_text(&q, texts[i]);
			sql_add(&q, ",");
			sql_text(&q, tsv[rows++]);
			sql_add(&q, "::tsvector)");
		}
		if (rows)
			rc = stmt_exec(c, &q, err);
		sql_release(&q);
		while (rows > 0)
			free(tsv[--rows]);
	}
	return rc;
}

/* rp_fold (migrations/pg/001) folds case and accents; LIKE on the folded
 * column is what a pg_trgm index on rp_fold(column) answers. */
void pq_sql_contains(struct sql *q, const char *column, const struct value *v, bool prefix)
{
	sql_add(q, "rp_fold(t.");
	sql_ident(q, column);
	sql_add(q, prefix ? ") LIKE rp_like(rp_fold(" : ") LIKE '%' || rp_like(rp_fold(");
	sql_param(q, v);
	sql_add(q, "::text)) || '%'");
}
