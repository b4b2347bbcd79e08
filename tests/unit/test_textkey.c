/* test_textkey.c — unit tests for src/core/textkey.c (search-key folding,
 * transliteration, Han bigrams, FTS5 query building), checked against a
 * real SQLite FTS5 table.
 *
 * Build and run from the repository root:
 * gcc -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc src/core/textkey.c tests/unit/test_textkey.c $(pkg-config --cflags --libs libutf8proc icu-uc icu-i18n cmocka sqlite3) -o /tmp/test_textkey && /tmp/test_textkey
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "core/textkey.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static char *fold(const char *s)
{
	return textkey_fold(s, strlen(s));
}
static char *index_of(const char *s)
{
	return textkey_index(s, strlen(s));
}
static char *query_of(const char *s)
{
	return textkey_query(s, strlen(s));
}
static char *digits_of(const char *s)
{
	return textkey_digits(s, strlen(s));
}

static void assert_fold(const char *in, const char *want)
{
	char *got = fold(in);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void assert_query(const char *in, const char *want)
{
	char *got = query_of(in);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* True when tok is one of the space-separated tokens of text. */
static bool has_token(const char *text, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = text; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && memcmp(p, tok, n) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

/* Checks the index of `in` holds every token of the NULL-terminated list. */
static void assert_index_has(const char *in, const char *const *toks)
{
	char *idx = index_of(in);
	assert_non_null(idx);
	for (; *toks; toks++) {
		if (!has_token(idx, *toks))
			fail_msg("index of \"%s\" = \"%s\" lacks \"%s\"", in, idx, *toks);
	}
	free(idx);
}

/* Index text is tokens of letters/digits separated by single spaces. */
static void assert_clean_index(const char *idx)
{
	size_t len = strlen(idx);
	assert_true(len == 0 || (idx[0] != ' ' && idx[len - 1] != ' '));
	assert_null(strstr(idx, "  "));
	for (size_t pos = 0; pos < len;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)idx + pos,
						      (utf8proc_ssize_t)(len - pos), &c);
		assert_true(n > 0);
		pos += (size_t)n;
		if (c == ' ')
			continue;
		utf8proc_category_t cat = utf8proc_category(c);
		assert_true(cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO
				    ? true
				    : (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO));
	}
}

/* ------------------------------------------------------------------ */
/* FTS5 fixture                                                         */
/* ------------------------------------------------------------------ */

static sqlite3 *g_db;

static const char *const ROWS[] = {
	/* 1 */ "Иванов Пётр Сергеевич",
	/* 2 */ "王小明",
	/* 3 */ "张三",
	/* 4 */ "Café ÉCOLE",
	/* 5 */ "ivan.petrov@mail.ru",
	/* 6 */ "+7 (916) 123-45-67",
	/* 7 */ "Щукин Жуков",
	/* 8 */ "Maria Ivanova",
	/* 9 */ "单田芳",
	/* 10 */ "iPhone手机 Сергей",
};
#define NROWS (sizeof ROWS / sizeof *ROWS)

static void exec_sql(const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(g_db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
}

static int setup_db(void **state)
{
	(void)state;
	if (sqlite3_open(":memory:", &g_db) != SQLITE_OK)
		return -1;
	exec_sql("CREATE VIRTUAL TABLE s USING fts5(body, "
		 "tokenize = 'unicode61 remove_diacritics 0')");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(g_db, "INSERT INTO s(rowid, body) VALUES(?, ?)", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	for (size_t i = 0; i < NROWS; i++) {
		char *idx = index_of(ROWS[i]);
		if (!idx)
			return -1;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(i + 1));
		sqlite3_bind_text(st, 2, idx, -1, free);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

static int teardown_db(void **state)
{
	(void)state;
	sqlite3_close(g_db);
	g_db = NULL;
	return 0;
}

/* Runs a MATCH expression; returns SQLite's result code and sets *rows to
 * the bit set of matching rowids (bit i = rowid i). */
static int run_match(const char *expr, uint64_t *rows)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(g_db, "SELECT rowid FROM s WHERE s MATCH ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
	*rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*rows |= (uint64_t)1 << (sqlite3_column_int64(st, 0) & 63);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Rowids matched by what a user typed (0 when the query is empty). */
static uint64_t search(const char *typed)
{
	char *q = query_of(typed);
	if (!q)
		return 0;
	uint64_t rows = 0;
	int rc = run_match(q, &rows);
	if (rc != SQLITE_OK)
		fail_msg("query \"%s\" → \"%s\": %s", typed, q, sqlite3_errmsg(g_db));
	free(q);
	return rows;
}

#define ROW(n) ((uint64_t)1 << (n))

static void assert_finds(const char *typed, uint64_t want)
{
	uint64_t got = search(typed);
	if (got != want)
		fail_msg("\"%s\": rows %#llx, expected %#llx", typed, (unsigned long long)got,
			 (unsigned long long)want);
}

/* ------------------------------------------------------------------ */
/* textkey_fold                                                         */
/* ------------------------------------------------------------------ */

static void test_fold_latin(void **state)
{
	(void)state;
	assert_fold("Café", "cafe");
	assert_fold("ÉCOLE", "ecole");
	assert_fold("ＡＢＣ", "abc");
	assert_fold("Straße", "strasse");
	assert_fold("Ångström Ñandú", "angstrom nandu");
	assert_fold("ﬁnance", "finance");
	assert_fold("Cafe\xcc\x81", "cafe"); /* decomposed é */
	assert_fold("soft\xc2\xadhyphen", "softhyphen");
	assert_fold("", "");
}

static void test_fold_cyrillic(void **state)
{
	(void)state;
	assert_fold("ПЁТР", "петр");
	assert_fold("Иванов", "иванов");
	assert_fold("Сергей", "сергеи");
}

static void test_fold_idempotent(void **state)
{
	(void)state;
	const char *in[] = {"Café ÉCOLE", "ПЁТР Йошкар-Ола", "王小明", "Straße",
			    "İstanbul",	  "ǅemal",	     "ﬃ ½ ①",  "Ὀδυσσεύς"};
	for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
		char *a = fold(in[i]);
		assert_non_null(a);
		char *b = fold(a);
		assert_non_null(b);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void test_invalid_input(void **state)
{
	(void)state;
	const char *bad[] = {"\xff",	     "abc\xc3",		 "\xc0\xaf",
			     "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok \x80 no"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t n = strlen(bad[i]);
		assert_null(textkey_fold(bad[i], n));
		assert_null(textkey_index(bad[i], n));
		assert_null(textkey_query(bad[i], n));
		assert_null(textkey_digits(bad[i], n));
	}
	/* Embedded NUL: no faithful NUL-terminated fold; a separator elsewhere. */
	assert_null(textkey_fold("a\0b", 3));
	char *idx = textkey_index("a\0b", 3);
	assert_non_null(idx);
	assert_string_equal(idx, "a b");
	free(idx);
	/* NULL with length 0 is the empty string. */
	char *e = textkey_fold(NULL, 0);
	assert_non_null(e);
	assert_string_equal(e, "");
	free(e);
	assert_null(textkey_fold(NULL, 1));
}

static void test_size_limit(void **state)
{
	(void)state;
	size_t n = TEXTKEY_MAX_INPUT;
	char *big = malloc(n + 1);
	assert_non_null(big);
	/* 65535 bytes of 王 (3 bytes each) + 1 ASCII byte = exactly 64 KiB. */
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(big + i, "王", 3);
	big[n - 1] = 'x';
	big[n] = 'y';
	char *r = textkey_index(big, n);
	assert_non_null(r);
	assert_clean_index(r);
	free(r);
	r = textkey_query(big, n);
	assert_non_null(r);
	uint64_t rows;
	assert_int_equal(run_match(r, &rows), SQLITE_OK);
	free(r);
	assert_null(textkey_fold(big, n + 1));
	assert_null(textkey_index(big, n + 1));
	assert_null(textkey_query(big, n + 1));
	assert_null(textkey_digits(big, n + 1));
	free(big);
}

/* ------------------------------------------------------------------ */
/* textkey_index                                                        */
/* ------------------------------------------------------------------ */

static void test_index_latin(void **state)
{
	(void)state;
	char *idx = index_of("Café ÉCOLE");
	assert_non_null(idx);
	assert_string_equal(idx, "cafe ecole");
	free(idx);
	idx = index_of("  --  ");
	assert_non_null(idx);
	assert_string_equal(idx, "");
	free(idx);
}

static void test_index_russian(void **state)
{
	(void)state;
	assert_index_has("Иванов", (const char *[]){"иванов", "ivanov", NULL});
	assert_index_has("ПЁТР", (const char *[]){"петр", "petr", NULL});
	assert_index_has("Щукин Жуков",
			 (const char *[]){"щукин", "shchukin", "жуков", "zhukov", NULL});
	assert_index_has("Сергей", (const char *[]){"сергеи", "sergey", "sergei", NULL});
	assert_index_has("Ольга Хрущёва",
			 (const char *[]){"ольга", "olga", "хрущева", "khrushcheva", NULL});
	char *idx = index_of("Иванов");
	assert_string_equal(idx, "иванов ivanov");
	free(idx);
}

static void test_index_chinese(void **state)
{
	(void)state;
	char *idx = index_of("王小明");
	assert_non_null(idx);
	assert_string_equal(idx, "王小 小明 明 wang xiao ming wangxiaoming xiaoming");
	free(idx);
	idx = index_of("王");
	assert_string_equal(idx, "王 wang");
	free(idx);
	assert_index_has("张三", (const char *[]){"张三", "三", "zhang", "san", "zhangsan", NULL});
	/* Surname reading (Names) plus the plain reading. */
	assert_index_has("单田芳",
			 (const char *[]){"shan", "shantianfang", "dan", "dantianfang", NULL});
	/* Han split from Latin in the same word. */
	assert_index_has("iPhone手机",
			 (const char *[]){"iphone", "手机", "shou", "ji", "shouji", NULL});
	/* Full-width punctuation separates runs. */
	assert_index_has("北京，上海",
			 (const char *[]){"北京", "上海", "beijing", "shanghai", NULL});
}

static void test_index_email(void **state)
{
	(void)state;
	char *idx = index_of("Ivan.Petrov@Mail.RU");
	assert_non_null(idx);
	assert_string_equal(idx, "ivan petrov mail ru");
	free(idx);
}

static void test_index_phone(void **state)
{
	(void)state;
	assert_index_has("+7 (916) 123-45-67", (const char *[]){"79161234567", "916", "123", NULL});
	assert_index_has("тел.: 8 916 123 45 67, офис",
			 (const char *[]){"89161234567", "тел", "tel", NULL});
	/* One group: already a token, not repeated; under 5 digits: none. */
	char *idx = index_of("ИНН 7707083893");
	assert_string_equal(idx, "инн inn 7707083893");
	free(idx);
	idx = index_of("12-34");
	assert_string_equal(idx, "12 34");
	free(idx);
}

static void test_index_clean_tokens(void **state)
{
	(void)state;
	const char *in[] = {
		"Café ÉCOLE",
		"Иванов, Пётр (CEO) — «Рога и копыта»",
		"王小明 & 张三",
		"O'Brien \"quoted\" NEAR(a b)",
		"e\xcc\x81\xcc\x81 \xcc\x81 x",
		"日本語のテキスト",
		"한국어 텍스트",
		"Ὀδυσσεύς",
		"مرحبا ١٢٣",
		"😀 emoji ♥",
		"a\tb\nc\r\nd",
		"x²+y³=z½",
		"Ⅻ ⑫ ㈱",
	};
	for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
		char *idx = index_of(in[i]);
		assert_non_null(idx);
		assert_clean_index(idx);
		free(idx);
	}
}

/* ------------------------------------------------------------------ */
/* textkey_query                                                        */
/* ------------------------------------------------------------------ */

static void test_query_format(void **state)
{
	(void)state;
	assert_query("Иван", "\"иван\"*");
	assert_query("ivan petrov", "\"ivan\"* AND \"petrov\"*");
	assert_query("王小明", "\"王小 小明\"");
	assert_query("王", "\"王\"*");
	assert_query("iPhone手机", "\"iphone\"* AND \"手机\"");
	assert_query("\"ivan\" OR (petrov*)", "\"ivan\"* AND \"or\"* AND \"petrov\"*");
	assert_query("", NULL);
	assert_query("  ,.;:-*^\"()  ", NULL);
	assert_null(textkey_query(NULL, 0));
}

static void test_search_latin(void **state)
{
	(void)state;
	assert_finds("cafe", ROW(4));
	assert_finds("CAFÉ", ROW(4));
	assert_finds("café école", ROW(4));
	assert_finds("ECOLE", ROW(4));
	assert_finds("caf", ROW(4));
}

static void test_search_russian(void **state)
{
	(void)state;
	assert_finds("иван", ROW(1));
	assert_finds("ИВАН", ROW(1));
	assert_finds("Иванов", ROW(1));
	/* Latin finds Иванов via transliteration, plus the Latin rows. */
	assert_finds("ivan", ROW(1) | ROW(5) | ROW(8));
	assert_finds("ivanov", ROW(1) | ROW(8));
	assert_finds("пётр", ROW(1));
	assert_finds("петр", ROW(1));
	assert_finds("petr", ROW(1) | ROW(5));
	assert_finds("shchukin", ROW(7));
	assert_finds("zhukov", ROW(7));
	assert_finds("жук", ROW(7));
	assert_finds("sergey", ROW(1) | ROW(10)); /* sergeyevich */
	assert_finds("sergei", ROW(10));
	assert_finds("серге", ROW(1) | ROW(10));
	assert_finds("сергей", ROW(10));
	assert_finds("иван сидоров", 0);
}

static void test_search_chinese(void **state)
{
	(void)state;
	assert_finds("小明", ROW(2));
	assert_finds("王小", ROW(2));
	assert_finds("王小明", ROW(2));
	assert_finds("王", ROW(2));
	assert_finds("明", ROW(2));
	assert_finds("小", ROW(2));
	assert_finds("小王", 0);
	assert_finds("王明", 0);
	assert_finds("wang", ROW(2));
	assert_finds("Wang Xiao Ming", ROW(2));
	assert_finds("wangxiao", ROW(2));
	assert_finds("wangxiaoming", ROW(2));
	assert_finds("xiaoming", ROW(2));
	assert_finds("zhang", ROW(3));
	assert_finds("zhangsan", ROW(3));
	assert_finds("张", ROW(3));
	assert_finds("三", ROW(3));
	assert_finds("张三", ROW(3));
	assert_finds("shan tianfang", ROW(9));
	assert_finds("dantianfang", ROW(9));
	assert_finds("手机", ROW(10));
	assert_finds("iphone", ROW(10));
	assert_finds("shouji", ROW(10));
}

static void test_search_email_phone(void **state)
{
	(void)state;
	assert_finds("ivan.petrov@mail.ru", ROW(5));
	assert_finds("petrov@mail", ROW(5));
	assert_finds("mail.ru", ROW(5));
	assert_finds("79161234567", ROW(6));
	assert_finds("7916123", ROW(6));
	assert_finds("+7 (916) 123-45-67", ROW(6));
	assert_finds("916", ROW(6));
}

/* A record's text: a word a second value repeats is left out, except Han
 * words, which must stay beside their neighbours for phrase queries. */
static void test_words_join(void **state)
{
	(void)state;
	static const char *const values[] = {"Иван Павлов", "Павлов", "Иван",
					     "王小明",	    "明",     "+7 916 000-00-00"};
	struct buf out;
	buf_init(&out, 0);
	struct textkey_words w = {0};
	for (int round = 0; round < 2; round++) { /* the set is reused */
		textkey_words_start(&w, &out);
		for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
			char *t = textkey_index(values[i], strlen(values[i]));
			textkey_words_add(&w, t);
			free(t);
		}
		textkey_words_add(&w, "");
		textkey_words_add(&w, NULL);
		assert_string_equal(buf_str(&out), "иван ivan павлов pavlov 王小 小明 明 wang xiao "
						   "ming wangxiaoming xiaoming 明 7 916 000 00 "
						   "79160000000");
	}
	/* more words than the set's first size */
	textkey_words_start(&w, &out);
	struct buf want;
	buf_init(&want, 0);
	char word[32];
	for (int i = 0; i < 300; i++) {
		snprintf(word, sizeof word, "w%d w%d", i, i / 2);
		textkey_words_add(&w, word);
		buf_printf(&want, i ? " w%d" : "w%d", i);
	}
	assert_string_equal(buf_str(&out), buf_str(&want));
	buf_release(&want);
	textkey_words_free(&w);
	buf_release(&out);
}

/* Whatever the user types, the expression must never be an FTS5 error. */
static void test_hostile_queries(void **state)
{
	(void)state;
	static const char *const nasty[] = {
		"\"",
		"\"\"",
		"\"abc",
		"a\"b",
		"(",
		")",
		"()",
		"(a OR b",
		"a OR b)",
		"NEAR",
		"NEAR(a b)",
		"NEAR(\"a\" \"b\", 5)",
		"near/3",
		"AND",
		"OR",
		"NOT",
		"a AND",
		"OR b",
		"NOT a",
		"a NOT",
		"AND OR NOT",
		"*",
		"**",
		"a*",
		"*a",
		"a**",
		"^",
		"^a",
		"a^b",
		":",
		"body:ivan",
		"body :",
		"{body}: x",
		"-",
		"-ivan",
		"a - b",
		"+",
		"+a",
		"[",
		"]",
		"{",
		"}",
		"'",
		"''",
		"\\",
		"\\\"",
		"a:b:c",
		"\" OR \"1\"=\"1",
		"); DROP TABLE s; --",
		"王\" OR \"小",
		"王*",
		"\"王小\"*",
		"ivan*",
		"ivan\"*",
		"\"*\"",
		"\x01\x02\x1f\x7f",
		"😀😀",
		"…",
		"​",
		"\xc2\xad",
		"e\xcc\x81",
		"\xcc\x81",
		"ＡＮＤ",
		"＂ivan＂",
		"（王）",
		"0",
		"00",
		"\"\"\"\"\"",
		"a OR OR b",
		"NEAR(",
		"NEAR()",
		"a + b",
		"ivan^",
		"rank:1",
		"s MATCH 'x'",
		"%",
		"_",
		"ﬁ",
		"Ⅻ",
		"½",
		"ß*",
	};
	for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++) {
		char *q = query_of(nasty[i]);
		if (!q)
			continue;
		uint64_t rows;
		if (run_match(q, &rows) != SQLITE_OK)
			fail_msg("\"%s\" → \"%s\": %s", nasty[i], q, sqlite3_errmsg(g_db));
		free(q);
	}
}

/* Random strings over a hostile alphabet. */
static void test_hostile_fuzz(void **state)
{
	(void)state;
	static const char *const atoms[] = {
		"\"",  "(",    ")", "*",    "^",  ":",	"-",  "+", " ",	 "AND",	     "OR",
		"NOT", "NEAR", "a", "ivan", "王", "小", "明", "ё", "Й",	 "\xcc\x81", ",",
		"{",   "}",    "'", "\\",   "0",  "9",	".",  "@", "\t", "😀",
	};
	uint32_t x = 12345;
	char buf[256];
	for (int round = 0; round < 3000; round++) {
		size_t len = 0;
		x = x * 1103515245u + 12345u;
		int n = (int)((x >> 16) % 12) + 1;
		for (int k = 0; k < n; k++) {
			x = x * 1103515245u + 12345u;
			const char *a = atoms[(x >> 16) % (sizeof atoms / sizeof *atoms)];
			size_t al = strlen(a);
			memcpy(buf + len, a, al);
			len += al;
		}
		char *q = textkey_query(buf, len);
		if (!q)
			continue;
		uint64_t rows;
		if (run_match(q, &rows) != SQLITE_OK)
			fail_msg("\"%.*s\" → \"%s\": %s", (int)len, buf, q, sqlite3_errmsg(g_db));
		free(q);
	}
}

/* ------------------------------------------------------------------ */
/* textkey_digits                                                       */
/* ------------------------------------------------------------------ */

static void assert_digits(const char *in, const char *want)
{
	char *got = digits_of(in);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_digits(void **state)
{
	(void)state;
	assert_digits("+7 (916) 123-45-67", "79161234567");
	assert_digits("８ ９１６", "8916");
	assert_digits("٠١٢٣", "0123");
	assert_digits("no digits", "");
	assert_digits("", "");
	assert_digits("x²", "");
}

/* ------------------------------------------------------------------ */
/* Threads and lifecycle                                                */
/* ------------------------------------------------------------------ */

static const char *const THREAD_INPUTS[] = {
	"Иванов Пётр",
	"王小明",
	"Щукин Жуков Сергей",
	"张三 单田芳",
	"Café +7 (916) 123-45-67",
	"Хрущёв 北京市朝阳区",
};
#define NTHREAD_INPUTS (sizeof THREAD_INPUTS / sizeof *THREAD_INPUTS)
static char *g_expected[NTHREAD_INPUTS];

static void *thread_main(void *arg)
{
	(void)arg;
	intptr_t bad = 0;
	for (int round = 0; round < 100; round++) {
		for (size_t i = 0; i < NTHREAD_INPUTS; i++) {
			char *got = index_of(THREAD_INPUTS[i]);
			bad += !got || strcmp(got, g_expected[i]) != 0;
			free(got);
		}
	}
	return (void *)bad;
}

static void test_threads(void **state)
{
	(void)state;
	for (size_t i = 0; i < NTHREAD_INPUTS; i++) {
		g_expected[i] = index_of(THREAD_INPUTS[i]);
		assert_non_null(g_expected[i]);
	}
	pthread_t th[8];
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, NULL), 0);
	for (size_t i = 0; i < 8; i++) {
		void *bad = NULL;
		assert_int_equal(pthread_join(th[i], &bad), 0);
		assert_true(bad == NULL);
	}
	for (size_t i = 0; i < NTHREAD_INPUTS; i++)
		free(g_expected[i]);
}

static void test_lifecycle(void **state)
{
	(void)state;
	assert_int_equal(textkey_init(), 0); /* idempotent */
	textkey_shutdown();
	char *q = query_of("Иванов"); /* needs no transliterator */
	assert_non_null(q);
	free(q);
	/* after a shutdown the first use opens the transliterators again */
	char *idx = index_of("Иванов");
	assert_non_null(idx);
	assert_string_equal(idx, "иванов ivanov");
	free(idx);
	textkey_shutdown();
	textkey_warm();
	idx = index_of("Петров"); /* waits for the warm-up, or opens them itself */
	assert_non_null(idx);
	assert_string_equal(idx, "петров petrov");
	free(idx);
	assert_int_equal(textkey_init(), 0);
}

static int group_setup(void **state)
{
	if (textkey_init() != 0)
		return -1;
	return setup_db(state);
}

static int group_teardown(void **state)
{
	teardown_db(state);
	textkey_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_latin),
		cmocka_unit_test(test_fold_cyrillic),
		cmocka_unit_test(test_fold_idempotent),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_index_latin),
		cmocka_unit_test(test_index_russian),
		cmocka_unit_test(test_index_chinese),
		cmocka_unit_test(test_index_email),
		cmocka_unit_test(test_index_phone),
		cmocka_unit_test(test_index_clean_tokens),
		cmocka_unit_test(test_query_format),
		cmocka_unit_test(test_search_latin),
		cmocka_unit_test(test_search_russian),
		cmocka_unit_test(test_search_chinese),
		cmocka_unit_test(test_search_email_phone),
		cmocka_unit_test(test_words_join),
		cmocka_unit_test(test_hostile_queries),
		cmocka_unit_test(test_hostile_fuzz),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_lifecycle),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
