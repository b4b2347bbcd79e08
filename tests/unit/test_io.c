/* test_io.c — unit tests for src/io's text writers: CSV cells and rows
 * (RFC 4180 quoting, formula neutralisation, CRLF, the BOM constant) and
 * vCard 4.0 text (escaping of , ; \ and line breaks; folding at 75 octets
 * without splitting a UTF-8 sequence, with Chinese and Russian names;
 * whole cards). */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"
#include "io/csvw.h"
#include "io/vcard.h"

/* --- CSV --------------------------------------------------------------- */

/* What csvw_row writes for cells, as a malloc'd string. */
static char *csv_of(const char *const *cells, int n, bool neutralise)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(csvw_row(f, cells, n, neutralise), 0);
	fclose(f);
	return out;
}

static void expect_csv(const char *const *cells, int n, bool neutralise, const char *want)
{
	char *got = csv_of(cells, n, neutralise);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_plain_cells_are_not_quoted(void **state)
{
	(void)state;
	const char *cells[] = {"1", "Ivan Petrov", "", NULL, "王小明"};
	expect_csv(cells, 5, true, "1,Ivan Petrov,,,王小明\r\n");
}

static void test_csv_quotes_what_needs_it(void **state)
{
	(void)state;
	const char *cells[] = {"a,b", "say \"hi\"", "two\nlines", "cr\rhere", " edge", "end "};
	expect_csv(cells, 6, false,
		   "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\" edge\",\"end \"\r\n");
}

static void test_csv_neutralises_formulas(void **state)
{
	(void)state;
	const char *cells[] = {"=1+1", "+7 495", "-5", "@SUM(A1)", "\tx", "\rx", "a=b", "'q"};
	expect_csv(cells, 8, true, "'=1+1,'+7 495,'-5,'@SUM(A1),'\tx,\"'\rx\",a=b,'q\r\n");
	/* the same cells without neutralising: numbers the caller knows */
	const char *nums[] = {"-5", "-0.25", "+3"};
	expect_csv(nums, 3, false, "-5,-0.25,+3\r\n");
}

static void test_csv_neutralised_and_quoted(void **state)
{
	(void)state;
	const char *cells[] = {"=HYPERLINK(\"http://x\",\"y\")"};
	expect_csv(cells, 1, true, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
}

static void test_csv_is_formula(void **state)
{
	(void)state;
	assert_true(csvw_is_formula("=", 1));
	assert_true(csvw_is_formula("-1", 2));
	assert_false(csvw_is_formula("", 0));
	assert_false(csvw_is_formula("1-2", 3));
	assert_false(csvw_is_formula(" =1", 3));
	assert_string_equal(CSVW_BOM, "\xEF\xBB\xBF");
}

static void test_csv_cells_one_at_a_time(void **state)
{
	(void)state;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	csvw_cell(f, 0, "id", 2, false);
	csvw_cell(f, 1, "a\0b", 3, false); /* the length is what counts */
	csvw_end_row(f);
	fclose(f);
	assert_int_equal(len, 8);
	assert_memory_equal(out, "id,a\0b\r\n", 8);
	free(out);
}

/* --- vCard ------------------------------------------------------------- */

static void test_vcard_escape(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	const char *s = "Petrov, Ivan; Jr.\\ \r\nline2\rline3\nline4";
	vcard_escape(&b, s, strlen(s));
	assert_string_equal(buf_str(&b), "Petrov\\, Ivan\\; Jr.\\\\ \\nline2\\nline3\\nline4");
	buf_reset(&b);
	s = "ООО «Ромашка», отдел; продаж";
	vcard_escape(&b, s, strlen(s));
	assert_string_equal(buf_str(&b), "ООО «Ромашка»\\, отдел\\; продаж");
	buf_release(&b);
}

/* Checks every physical line of folded output: CRLF-ended, at most 75
 * octets, continuations start with one space, no line starts or ends
 * inside a UTF-8 sequence; returns the unfolded text. */
static char *unfold_checked(const char *folded)
{
	struct buf out;
	buf_init(&out, 0);
	const char *p = folded;
	bool first = true;
	while (*p) {
		const char *crlf = strstr(p, "\r\n");
		assert_non_null(crlf);
		size_t n = (size_t)(crlf - p);
		assert_true(n <= VCARD_LINE_MAX);
		const char *body = p;
		if (!first) {
			assert_int_equal(*p, ' ');
			body++;
		}
		size_t bn = (size_t)(crlf - body);
		if (bn) {
			assert_true(((unsigned char)body[0] & 0xC0) != 0x80);
			/* the next line (if any) must not start mid-sequence either */
			if (crlf[2] == ' ')
				assert_true(((unsigned char)crlf[3] & 0xC0) != 0x80);
		}
		buf_add(&out, body, bn);
		p = crlf + 2;
		first = false;
	}
	return buf_detach(&out, NULL);
}

static void fold_round_trip(const char *line)
{
	struct buf b;
	buf_init(&b, 0);
	vcard_fold(&b, line, strlen(line));
	char *back = unfold_checked(buf_str(&b));
	assert_string_equal(back, line);
	free(back);
	buf_release(&b);
}

static void test_vcard_fold_short_line_is_kept(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	vcard_fold(&b, "FN:王小明", strlen("FN:王小明"));
	assert_string_equal(buf_str(&b), "FN:王小明\r\n");
	buf_release(&b);
}

static void test_vcard_fold_ascii_at_75(void **state)
{
	(void)state;
	char line[200];
	memset(line, 'a', sizeof line);
	line[199] = '\0';
	struct buf b;
	buf_init(&b, 0);
	vcard_fold(&b, line, 75);
	assert_int_equal(b.len, 77); /* exactly 75: no fold */
	buf_reset(&b);
	vcard_fold(&b, line, 76);
	assert_int_equal(b.len, 75 + 2 + 1 + 1 + 2);
	assert_memory_equal(b.p + 75, "\r\n a\r\n", 6);
	buf_release(&b);
	fold_round_trip(line);
}

static void test_vcard_fold_chinese_and_russian(void **state)
{
	(void)state;
	/* 3-octet Han and 2-octet Cyrillic: 75 is a multiple of neither run */
	fold_round_trip("NOTE:王小明是上海众诚物流股份有限公司的采购总监，负责华东地区全部的供应商"
			"管理与年度框架合同的谈判和签署工作，联系人张三李四王五赵六");
	fold_round_trip("FN:Иван Петрович Сидоров-Кузнецов из ООО «Магистраль-Телеком», "
			"Нижний Новгород, отдел закупок и снабжения");
	fold_round_trip("N:X;Иван王小明Ольга😀Петрова张伟😀😀😀 Smirnov Иван Петрович Сидоров-Кузнецов "
			"王小明王小明王小明");
}

static void test_vcard_card(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	struct vcard v;
	vcard_begin(&v, &b);
	vcard_text_prop(&v, "FN", "王, 小明");
	vcard_prop(&v, "N");
	vcard_text(&v, "王");
	vcard_raw(&v, ";");
	vcard_text(&v, "小明");
	vcard_raw(&v, ";;;");
	vcard_end_prop(&v);
	vcard_text_prop(&v, "NOTE", NULL); /* absent: no line */
	vcard_text_prop(&v, "TITLE", "");
	vcard_end(&v);
	assert_string_equal(buf_str(&b), "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:王\\, 小明\r\n"
					 "N:王;小明;;;\r\nEND:VCARD\r\n");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_plain_cells_are_not_quoted),
		cmocka_unit_test(test_csv_quotes_what_needs_it),
		cmocka_unit_test(test_csv_neutralises_formulas),
		cmocka_unit_test(test_csv_neutralised_and_quoted),
		cmocka_unit_test(test_csv_is_formula),
		cmocka_unit_test(test_csv_cells_one_at_a_time),
		cmocka_unit_test(test_vcard_escape),
		cmocka_unit_test(test_vcard_fold_short_line_is_kept),
		cmocka_unit_test(test_vcard_fold_ascii_at_75),
		cmocka_unit_test(test_vcard_fold_chinese_and_russian),
		cmocka_unit_test(test_vcard_card),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
