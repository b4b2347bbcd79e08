/* search_text.c — feeds what a user types in a search box (q=) and what a
 * record's text fields hold to the Unicode search keys (src/core/textkey.c):
 * textkey_query, whose result goes to SQLite as an FTS5 MATCH expression,
 * and textkey_fold, textkey_index, textkey_latin (ICU transliteration)
 * and textkey_digits. textkey.h promises that textkey_query's result is
 * valid FTS5 syntax whatever was typed; this target runs it against an
 * FTS5 table in memory, so a query that SQLite refuses (a 500 for a
 * search) is a crash. Keys must come out NUL-free, and folding twice
 * must change nothing. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/textkey.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3_stmt *match_stmt(void)
{
	static sqlite3 *db;
	static sqlite3_stmt *st;
	if (st)
		return st;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "CREATE VIRTUAL TABLE t USING fts5(body);"
			 "INSERT INTO t VALUES ('ivan petrov 王小明 иван 79161234567');",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &st, NULL) !=
		    SQLITE_OK)
		abort();
	textkey_init();
	return st;
}

static void check_key(char *k, const char *what)
{
	if (!k)
		return;
	FUZZ_CHECK(utf8_valid(k, strlen(k)), what);
	free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sqlite3_stmt *st = match_stmt();
	const char *s = (const char *)data;
	char *q = textkey_query(s, size);
	if (q) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			fprintf(stderr, "MATCH %s: %s\n", q, sqlite3_errmsg(sqlite3_db_handle(st)));
		FUZZ_CHECK(rc == SQLITE_ROW, "textkey_query made an expression FTS5 refuses");
		free(q);
	}
	char *f = textkey_fold(s, size);
	if (f) {
		char *ff = textkey_fold(f, strlen(f));
		FUZZ_CHECK(ff && !strcmp(f, ff), "folding a folded text changed it");
		free(ff);
	}
	check_key(f, "a fold that is not UTF-8");
	check_key(textkey_index(s, size), "an index text that is not UTF-8");
	if (size <= 4096) /* transliteration is slow; long inputs add nothing */
		check_key(textkey_latin(s, size), "a Latin key that is not UTF-8");
	char *d = textkey_digits(s, size);
	if (d) {
		for (const char *p = d; *p; p++)
			FUZZ_CHECK(*p >= '0' && *p <= '9', "textkey_digits gave a non-digit");
		free(d);
	}
	return 0;
}
