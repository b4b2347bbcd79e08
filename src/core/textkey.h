/* textkey.h — normalised search keys: case folding, accent stripping,
 * transliteration (Han → pinyin, Cyrillic → Latin) and CJK bigrams.
 *
 * SQLite's lower()/NOCASE/LIKE fold ASCII only and the FTS5 trigram
 * tokenizer finds nothing for 2-character Chinese queries, so Rapport
 * normalises search text here and stores the result in an FTS5 table
 * declared with
 *
 *     tokenize = "unicode61 remove_diacritics 0"
 *
 * textkey_index() gives the text to store for one value, textkey_query()
 * the MATCH expression for what a user typed.  Both split text the same
 * way, so whatever the query keeps was also kept by the index.
 *
 * Common rules for every function taking (s, len):
 *   - s points to len bytes of UTF-8 (need not be NUL-terminated; may be
 *     NULL only when len is 0);
 *   - invalid UTF-8 (bad bytes, overlong forms, surrogates, truncation) and
 *     inputs longer than TEXTKEY_MAX_INPUT bytes give NULL;
 *   - results are malloc'd, NUL-terminated and owned by the caller (free());
 *   - allocation failure aborts the process.
 *
 * Thread safety: every function except textkey_shutdown() may be called
 * from any number of threads at once.
 * Each thread lazily gets its own clones of the ICU transliterators; they
 * are released when the thread exits.
 */
#pragma once

#include <stddef.h>

#include "core/buf.h"

/* Largest input accepted by the functions below, in bytes (64 KiB). */
#define TEXTKEY_MAX_INPUT ((size_t)64 * 1024)

/* Opens (compiles) the ICU transliterators used by textkey_index() and
 * textkey_latin().  They are opened on first use anyway; compiling them
 * takes a few hundred milliseconds of CPU, so a server calls
 * textkey_warm() once it is listening, to have them ready off its start
 * path.  Returns 0 on success (also when already initialised) and -1 if
 * ICU cannot open them.  Thread-safe. */
int textkey_init(void);
/* textkey_init() on a background thread. */
void textkey_warm(void);

/* Releases what textkey_init() created, and the calling thread's
 * transliterator clones.  Call at exit, once no other thread uses this
 * module any more.  textkey_init() may be called again afterwards. */
void textkey_shutdown(void);

/* Folds s for comparison: NFKC, Unicode case folding, removal of default
 * ignorable code points (soft hyphen, zero-width joiners...) and removal of
 * all combining marks, result recomposed (NFC).  "Café" → "cafe",
 * "ПЁТР" → "петр" (ё → е, й → и), "ＡＢＣ" → "abc", "Straße" → "strasse".
 * NULL on invalid input (see above) or when the folded text would contain
 * a NUL character.  Does not need textkey_init(). */
char *textkey_fold(const char *s, size_t len);

/* The text to store in the FTS index for one value: tokens separated by
 * single spaces, each token made of letters and digits only.  "" when s
 * has no letters or digits.  NULL on invalid input or when textkey_init()
 * has not succeeded.
 *
 * The folded text (as textkey_fold) is cut into words at every character
 * that is not a letter, digit or combining mark, and between Han and
 * non-Han characters.  Each word gives:
 *   - Latin and other scripts: the folded word ("ivan.petrov@mail.ru" →
 *     "ivan petrov mail ru");
 *   - words containing Cyrillic: the folded word, plus its Latin
 *     transliteration (ICU "Russian-Latin/BGN; Any-Latin; Latin-ASCII;
 *     Lower", punctuation dropped) made both from the word before mark
 *     stripping and after it, when these differ ("Сергей" → "сергеи
 *     sergey sergei", "Щукин" → "щукин shchukin");
 *   - Han runs: every overlapping bigram, then the run's last character
 *     ("王小明" → "王小 小明 明"), then the toneless pinyin syllables and,
 *     from each syllable, the concatenation of it and up to 7 following
 *     syllables ("wang xiao ming wangxiaoming xiaoming").  Pinyin comes
 *     from ICU "Han-Latin/Names" (surname readings: 单 → shan, 曾 → zeng);
 *     where plain "Han-Latin" reads differently (dan, ceng) those
 *     syllables and concatenations are added as well.
 * Finally, each stretch of digits and phone punctuation (space + - ( ) .)
 * holding at least 5 digits in at least 2 groups adds its digit string
 * ("+7 (916) 123-45-67" → "79161234567"). */
char *textkey_index(const char *s, size_t len);

/* A record's search text, built value by value: the values' index texts
 * (textkey_index) joined by single spaces, each non-Han word kept once.
 * Nothing ranks results by how often a word occurs, so a repeat ("Ivan
 * Petrov" as the name, "Petrov" as the family name) only costs index
 * work. Han words all stay: a query's Han bigrams are a phrase, and must
 * stay side by side. */
struct textkey_words {
	struct buf *out;     /* the text so far */
	struct seen_word *v; /* open addressing over out's non-Han words */
	size_t cap, n;
};

/* Starts a text in out (emptied); the set's memory is kept for reuse. */
void textkey_words_start(struct textkey_words *w, struct buf *out);
/* Appends the words of an index text that out does not hold yet. */
void textkey_words_add(struct textkey_words *w, const char *index_text);
void textkey_words_free(struct textkey_words *w);

/* s as words of Latin letters and digits separated by single spaces, for
 * matching names across scripts: folded and mark-stripped, a Han run as
 * one word of its toneless pinyin ("王小明" → "wangxiaoming"), Cyrillic
 * transliterated ("Пётр Иванов" → "petr ivanov").  NULL on invalid input
 * or when textkey_init() has not succeeded. */
char *textkey_latin(const char *s, size_t len);

/* The FTS5 MATCH expression for what a user typed, or NULL when the query
 * has no searchable token (the caller then returns no results) or is
 * invalid input.  Words are cut as in textkey_index(); each becomes one
 * term and terms are joined with " AND ":
 *   - non-Han word: a prefix term,         "иван"*   "ivan"*   "916"*
 *   - one Han character: a prefix term,    "王"*
 *   - Han run of 2+ characters: a phrase of its bigrams, "王小 小明"
 * The result is always valid FTS5 syntax whatever the user typed; FTS5
 * operators in the input are treated as words or separators.  Does not
 * need textkey_init(). */
char *textkey_query(const char *s, size_t len);

/* The decimal digits of s, in order, as ASCII ("+7 (916) 123-45-67" →
 * "79161234567"; full-width and other scripts' decimal digits are
 * converted).  "" when s has none.  NULL on invalid input.  Does not need
 * textkey_init(). */
char *textkey_digits(const char *s, size_t len);
