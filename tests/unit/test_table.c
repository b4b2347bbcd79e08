/* test_table.c — unit tests for src/io/table*.c, the spreadsheet reader
 * under the importer: CSV in the encodings and delimiters people's files
 * come in, with the line numbers a person needs to fix one; XLSX written
 * by libxlsxwriter and by hand (inline strings, gaps, dates, 1904), and
 * the attacks an upload can carry (XXE, billion laughs, zip bombs). Every
 * file is made by the test in a temporary folder. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/buf.h"
#include "io/table.h"
#include "io/table_internal.h"

static char tmpdir[64];

/* ------------------------------------------------------------------ */
/* helpers                                                              */
/* ------------------------------------------------------------------ */

static const char *path_of(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

static const char *write_bytes(const char *name, const void *data, size_t n)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return p;
}

static const char *write_text(const char *name, const char *s)
{
	return write_bytes(name, s, strlen(s));
}

/* UTF-8 text in another encoding (malloc'd). */
static char *encode(const char *utf8, const char *to, size_t *ret_len)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t il = strlen(utf8), cap = il * 4 + 16, ol = cap;
	char *out = malloc(cap), *ip = (char *)utf8, *op = out;
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*ret_len = cap - ol;
	return out;
}

/* Reads a whole table into "LINE:cell|cell\n" lines; returns table_next's
 * last result (0 at a clean end, -1 on error, err filled). */
static int dump(const char *path, const struct table_options *opt, struct buf *out,
		struct rp_error *err)
{
	struct table_reader *t = NULL;
	rp_error_clear(err);
	if (table_open(path, opt, &t, err) != RP_OK)
		return -2;
	const char *const *cells;
	int n, rc;
	while ((rc = table_next(t, &cells, &n, err)) == 1) {
		buf_printf(out, "%lld:", (long long)table_row_number(t));
		for (int i = 0; i < n; i++) {
			buf_adds(out, i ? "|" : "");
			buf_adds(out, cells[i]);
		}
		buf_addc(out, '\n');
	}
	table_close(t);
	return rc;
}

/* The dump of a file that must read without error. */
static char *read_ok(const char *path, const struct table_options *opt)
{
	struct buf b;
	buf_init(&b, 0);
	struct rp_error err;
	int rc = dump(path, opt, &b, &err);
	if (rc != 0)
		fail_msg("%s: rc %d, %s: %s", path, rc, err.code, err.detail);
	return buf_detach(&b, NULL);
}

/* A file that must fail (at open or later) with that code; returns the
 * rows read before the failure, the detail in ret_detail. */
static void read_fails(const char *path, const struct table_options *opt, const char *code,
		       const char *detail_part)
{
	struct buf b;
	buf_init(&b, 0);
	struct rp_error err;
	int rc = dump(path, opt, &b, &err);
	if (rc >= 0)
		fail_msg("%s: expected %s, read:\n%s", path, code, buf_str(&b));
	assert_string_equal(err.code, code);
	if (detail_part && !strstr(err.detail, detail_part))
		fail_msg("detail \"%s\" lacks \"%s\"", err.detail, detail_part);
	buf_release(&b);
}

static void check_read(const char *path, const struct table_options *opt, const char *want)
{
	char *got = read_ok(path, opt);
	assert_string_equal(got, want);
	free(got);
}

static struct table_reader *open_ok(const char *path, const struct table_options *opt)
{
	struct table_reader *t = NULL;
	struct rp_error err;
	rp_error_clear(&err);
	if (table_open(path, opt, &t, &err) != RP_OK)
		fail_msg("%s: %s: %s", path, err.code, err.detail);
	return t;
}

/* ------------------------------------------------------------------ */
/* CSV: encodings                                                       */
/* ------------------------------------------------------------------ */

static void test_csv_utf8_plain(void **state)
{
	(void)state;
	const char *p = write_text("plain.csv", "name,city\nIvan,Moscow\nJohn,\"New York\"\n");
	check_read(p, NULL, "1:name|city\n2:Ivan|Moscow\n3:John|New York\n");
	struct table_reader *t = open_ok(p, NULL);
	assert_string_equal(table_encoding(t), "UTF-8");
	assert_int_equal(table_delimiter(t), ',');
	table_close(t);
}

static void test_csv_utf8_bom(void **state)
{
	(void)state;
	const char *p = write_text("bom.csv", "\xEF\xBB\xBF名字,城市\n张三,北京\n");
	check_read(p, NULL, "1:名字|城市\n2:张三|北京\n");
	struct table_reader *t = open_ok(p, NULL);
	assert_string_equal(table_encoding(t), "UTF-8");
	table_close(t);
}

static void test_csv_utf16le_bom(void **state)
{
	(void)state;
	size_t n;
	char *body = encode("Имя\tГород\r\nИван\t北京\r\n", "UTF-16LE", &n);
	char *file = malloc(n + 2);
	memcpy(file, "\xFF\xFE", 2);
	memcpy(file + 2, body, n);
	const char *p = write_bytes("utf16.csv", file, n + 2);
	check_read(p, NULL, "1:Имя|Город\n2:Иван|北京\n");
	struct table_reader *t = open_ok(p, NULL);
	assert_string_equal(table_encoding(t), "UTF-16LE");
	assert_int_equal(table_delimiter(t), '\t');
	table_close(t);
	/* and big-endian with its own mark */
	free(body);
	body = encode("a,b\nc,d\n", "UTF-16BE", &n);
	memcpy(file, "\xFE\xFF", 2);
	file = realloc(file, n + 2);
	memcpy(file + 2, body, n);
	check_read(write_bytes("utf16be.csv", file, n + 2), NULL, "1:a|b\n2:c|d\n");
	free(body);
	free(file);
}

static void test_csv_utf16le_without_bom(void **state)
{
	(void)state;
	size_t n;
	char *body = encode("name,phone\nWang,+86 10 8234 5678\n", "UTF-16LE", &n);
	const char *p = write_bytes("utf16nobom.csv", body, n);
	check_read(p, NULL, "1:name|phone\n2:Wang|+86 10 8234 5678\n");
	free(body);
}

static const char chinese_csv[] = "姓名,公司,城市,电话\n"
				  "张三,北京华信科技有限公司,北京,010-82345678\n"
				  "李四,上海明达贸易有限公司,上海,021-63451234\n"
				  "王小明,深圳创新电子有限公司,深圳,0755-26781234\n"
				  "赵敏,广州天河物流有限公司,广州,020-38761234\n"
				  "刘洋,杭州西湖软件有限公司,杭州,0571-87651234\n";

static void test_csv_gb18030_detected(void **state)
{
	(void)state;
	size_t n;
	char *gb = encode(chinese_csv, "GB18030", &n);
	const char *p = write_bytes("gb.csv", gb, n);
	struct table_reader *t = open_ok(p, NULL);
	assert_string_equal(table_encoding(t), "GB18030");
	table_close(t);
	char *got = read_ok(p, NULL);
	assert_non_null(strstr(got, "3:李四|上海明达贸易有限公司|上海|021-63451234\n"));
	assert_non_null(strstr(got, "4:王小明|深圳创新电子有限公司|深圳|0755-26781234\n"));
	free(got);
	free(gb);
}

static const char russian_csv[] = "Фамилия;Имя;Отчество;Город;Сумма\n"
				  "Иванов;Иван;Иванович;Москва;1500,50\n"
				  "Петров;Пётр;Сергеевич;Санкт-Петербург;2300,00\n"
				  "Сидорова;Мария;Александровна;Новосибирск;780,25\n"
				  "Кузнецов;Алексей;Дмитриевич;Екатеринбург;12000,00\n"
				  "Смирнова;Ольга;Викторовна;Казань;430,10\n";

static void test_csv_windows1251_detected(void **state)
{
	(void)state;
	size_t n;
	char *cp = encode(russian_csv, "WINDOWS-1251", &n);
	const char *p = write_bytes("ru.csv", cp, n);
	struct table_reader *t = open_ok(p, NULL);
	assert_string_equal(table_encoding(t), "WINDOWS-1251");
	assert_int_equal(table_delimiter(t), ';');
	table_close(t);
	char *got = read_ok(p, NULL);
	assert_non_null(strstr(got, "1:Фамилия|Имя|Отчество|Город|Сумма\n"));
	assert_non_null(strstr(got, "3:Петров|Пётр|Сергеевич|Санкт-Петербург|2300,00\n"));
	free(got);
	free(cp);
}

/* ASCII rows past the first chunk (and past the second: the look-ahead
 * reads on chunk by chunk), then the rows of tail, in encoding. */
static char *late_text(const char *tail, char delim, const char *encoding, size_t *ret_len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "name%cnote\n", delim);
	for (int i = 0; b.len < 2 * TABLE_CHUNK + 1000; i++)
		buf_printf(&b, "Person %d%cnote %d\n", i, delim, i);
	buf_adds(&b, tail);
	char *out = encode(buf_str(&b), encoding, ret_len);
	buf_release(&b);
	return out;
}

/* The encoding of an export whose first non-ASCII byte comes past the
 * first 64 KiB is found at open, before any row is read; it used to be
 * taken for UTF-8 and fail thousands of rows in. */
static void test_csv_encoding_found_past_ascii(void **state)
{
	(void)state;
	static const struct {
		const char *tail, *encoding, *want_row;
		char delim;
	} cases[] = {
		{"张三,北京华信科技有限公司\n李四,上海明达贸易有限公司\n王小明,"
		 "深圳创新电子有限公司\n",
		 "GB18030", ":王小明|深圳创新电子有限公司\n", ','},
		{"Иванов;Москва, улица Тверская\nПетров;Санкт-Петербург, Невский проспект\n"
		 "Сидорова;Новосибирск, Красный проспект\n",
		 "WINDOWS-1251", ":Петров|Санкт-Петербург, Невский проспект\n", ';'},
		{"张三,北京\nИванов,Москва\n", "UTF-8", ":Иванов|Москва\n", ','},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n;
		char *data = late_text(cases[i].tail, cases[i].delim, cases[i].encoding, &n);
		for (size_t k = 0; k < TABLE_CHUNK; k++)
			assert_true((unsigned char)data[k] < 0x80);
		const char *p = write_bytes("late.csv", data, n);
		struct table_reader *t = open_ok(p, NULL);
		assert_string_equal(table_encoding(t), cases[i].encoding);
		assert_int_equal(table_delimiter(t), cases[i].delim);
		table_close(t);
		char *got = read_ok(p, NULL);
		assert_non_null(strstr(got, cases[i].want_row));
		free(got);
		free(data);
	}
	/* all ASCII, longer than a chunk: UTF-8 */
	size_t n;
	char *ascii = late_text("last,row\n", ',', "UTF-8", &n);
	struct table_reader *t = open_ok(write_bytes("ascii.csv", ascii, n), NULL);
	assert_string_equal(table_encoding(t), "UTF-8");
	table_close(t);
	free(ascii);
}

static void test_csv_encoding_option_overrides(void **state)
{
	(void)state;
	/* two short KOI8-R lines are too little for uchardet; a person who
	 * knows says so, and the guess is not used */
	size_t n;
	char *koi = encode("Фамилия,Имя\nИванов,Иван\n", "KOI8-R", &n);
	const char *p = write_bytes("koi.csv", koi, n);
	struct table_options opt = {.encoding = "koi8-r"};
	check_read(p, &opt, "1:Фамилия|Имя\n2:Иванов|Иван\n");
	struct table_reader *t = open_ok(p, &opt);
	assert_string_equal(table_encoding(t), "KOI8-R");
	table_close(t);
	opt.encoding = "no-such-encoding";
	read_fails(p, &opt, "bad_encoding", "NO-SUCH-ENCODING");
	free(koi);
}

/* Found by fuzzing: glibc's iconv decodes UCS-4 code points past
 * U+10FFFF into 5- and 6-byte "UTF-8", which reached the rows (and then
 * json_string, which refuses it). Such text fails on its line instead. */
static void test_csv_ucs4_past_unicode_fails(void **state)
{
	(void)state;
	static const unsigned char ucs4[] = {0, 0, 0, 'a',  0,	  0, 0, ',',  0, 0, 0, 'b',
					     0, 0, 0, '\n', 0,	  0, 0, '1',  0, 0, 0, ',',
					     0, 0, 0, '2',  0,	  0, 0, '\n', 0, 0, 0, 'x',
					     0, 0, 0, ',',  0x7f, 0, 0, 0,    0, 0, 0, '\n'};
	const char *p = write_bytes("ucs4.csv", (const char *)ucs4, sizeof ucs4);
	struct table_options opt = {.encoding = "UCS-4"};
	read_fails(p, &opt, "bad_encoding", "line 3");
	struct buf b;
	buf_init(&b, 0);
	struct rp_error err;
	assert_int_equal(dump(p, &opt, &b, &err), -1);
	assert_string_equal(buf_str(&b), "1:a|b\n2:1|2\n"); /* the lines before it are read */
	buf_release(&b);
}

static void test_csv_invalid_utf8_fails_on_its_line(void **state)
{
	(void)state;
	const char *p =
		write_text("bad8.csv", "Имя,Город\nИван,Москва\nПётр,Мин\xff\xfeск\nОльга,Тула\n");
	read_fails(p, NULL, "bad_encoding", "line 3");
	/* the rows before the damage come out first */
	struct buf b;
	buf_init(&b, 0);
	struct rp_error err;
	assert_int_equal(dump(p, NULL, &b, &err), -1);
	assert_string_equal(buf_str(&b), "1:Имя|Город\n2:Иван|Москва\n");
	buf_release(&b);
	/* a declared encoding is held to as well */
	struct table_options opt = {.encoding = "UTF-8"};
	read_fails(write_text("bad8b.csv", "a,b\nc,\xc3\x28\n"), &opt, "bad_encoding", "line 2");
	/* and a file cut inside a character */
	read_fails(write_text("cut.csv", "a,b\nc,\xe4\xb8"), &opt, "bad_encoding", "line 2");
}

static void test_csv_binary_is_not_a_table(void **state)
{
	(void)state;
	static const unsigned char bin[] = {0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 1, 2, 3, 0, 0, 7};
	read_fails(write_bytes("img.csv", bin, sizeof bin), NULL, "not_a_table", NULL);
	static const unsigned char xls[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0};
	read_fails(write_bytes("old.xls", xls, sizeof xls), NULL, "not_a_table", ".xls");
}

/* A multi-byte character cut by the 64 KiB read boundary is put back
 * together, in UTF-8 and in GB18030 alike. */
static void test_csv_character_across_chunks(void **state)
{
	(void)state;
	for (int shift = 0; shift < 3; shift++) {
		struct buf b;
		buf_init(&b, 0);
		buf_adds(&b, "name,note\n");
		while (b.len < TABLE_CHUNK - 40)
			buf_adds(&b, "x,filler\n");
		while (b.len < TABLE_CHUNK - 1 - (size_t)shift)
			buf_addc(&b, 'y');
		buf_adds(&b, ",中文名字\n");
		buf_adds(&b, "last,行\n");
		size_t n;
		char *gb = encode(buf_str(&b), "GB18030", &n);
		const char *enc[] = {"UTF-8", "GB18030"};
		const char *data[] = {buf_str(&b), gb};
		size_t len[] = {b.len, n};
		for (int e = 0; e < 2; e++) {
			struct table_options opt = {.encoding = enc[e]};
			char *got = read_ok(write_bytes("chunks.csv", data[e], len[e]), &opt);
			assert_non_null(strstr(got, "|中文名字\n"));
			assert_non_null(strstr(got, ":last|行\n"));
			free(got);
		}
		free(gb);
		buf_release(&b);
	}
}

static void test_csv_empty_file(void **state)
{
	(void)state;
	check_read(write_text("empty.csv", ""), NULL, "");
	check_read(write_text("blank.csv", "\n\n  \n"), NULL, "");
	check_read(write_text("bomonly.csv", "\xEF\xBB\xBF"), NULL, "");
}

/* ------------------------------------------------------------------ */
/* CSV: delimiters, quoting, lines                                      */
/* ------------------------------------------------------------------ */

static void test_csv_delimiters_detected(void **state)
{
	(void)state;
	struct {
		const char *text;
		char want;
	} cases[] = {
		{"a;b;c\n1;2;3\n", ';'},
		{"a\tb\tc\n1\t2\t3\n", '\t'},
		{"a,b,c\n1,2,3\n", ','},
		/* commas in the numbers, semicolons between them: Excel in Russia */
		{"name;sum\nIvan;1,5\nPetr;2,75\nOlga;10\n", ';'},
		/* a comma in a quoted field does not count */
		{"name,note\n\"Smith; John\",x\n\"a;b;c\",y\n", ','},
		/* one column */
		{"name\nIvan\nPetr\n", ','},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct table_reader *t = open_ok(write_text("delim.csv", cases[i].text), NULL);
		if (table_delimiter(t) != cases[i].want)
			fail_msg("case %zu: got '%c'", i, table_delimiter(t));
		table_close(t);
	}
	struct table_options opt = {.delimiter = ';'};
	check_read(write_text("forced.csv", "a,b;c\n"), &opt, "1:a,b|c\n");
	opt.delimiter = '|';
	struct table_reader *t = NULL;
	struct rp_error err;
	assert_int_equal(table_open(path_of("forced.csv"), &opt, &t, &err), RP_EINVAL);
	assert_string_equal(err.code, "bad_delimiter");
}

static void test_csv_quoted_fields(void **state)
{
	(void)state;
	const char *p =
		write_text("quoted.csv", "name,quote,address\n"
					 "\"Smith, John\",\"He said \"\"hi\"\"\",\"12 Main St\n"
					 "Springfield\"\n"
					 "\"\",\"\"\"\",plain\n");
	check_read(p, NULL,
		   "1:name|quote|address\n"
		   "2:Smith, John|He said \"hi\"|12 Main St\nSpringfield\n"
		   "4:|\"|plain\n");
}

/* ------------------------------------------------------------------ */
/* vCard                                                                */
/* ------------------------------------------------------------------ */

#define VCF_HEADER                                                                                 \
	"0:Full Name|Family Name|Given Name|E-mail|E-mail 2|Mobile|Phone|Company|Job Title|"       \
	"Birthday|City|Country|Notes|Categories\n"

static void test_vcf_cards(void **state)
{
	(void)state;
	/* 3.0 as an iPhone writes it: groups, types, folding, escapes */
	const char *p = write_text("iphone.vcf",
				   "\xEF\xBB\xBF"
				   "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\n"
				   "ORG:Acme\\, Inc;Sales;\r\nTITLE:CTO\r\n"
				   "item1.EMAIL;type=INTERNET;type=pref:jane@acme.example\r\n"
				   "EMAIL;type=INTERNET:jane@home.example\r\n"
				   "EMAIL;type=INTERNET;type=WORK:third@acme.example\r\n"
				   "TEL;type=CELL;type=VOICE:(415) 555-0100\r\n"
				   "TEL;type=WORK;type=FAX:(415) 555-0199\r\n"
				   "ADR;type=WORK:;;1 Loop;Cupertino;CA;95014;United States\r\n"
				   "BDAY:1980-07-15\r\nCATEGORIES:vip,partners\r\n"
				   "NOTE:Met at the fair\\, booth 12\\nCall b\r\n ack\r\n"
				   "PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n BBBB\r\n"
				   "END:VCARD\r\n"
				   "\r\n"
				   "BEGIN:VCARD\nVERSION:4.0\nFN:王芳\nN:王;芳;;;\n"
				   "TEL;VALUE=uri;TYPE=\"cell,voice\":tel:+86-138-0000-1111\n"
				   "BDAY:--0412\nEND:VCARD\n");
	check_read(p, NULL,
		   VCF_HEADER
		   "1:Jane Doe|Doe|Jane|jane@acme.example|jane@home.example|(415) 555-0100||"
		   "Acme, Inc|CTO|1980-07-15|Cupertino|United States|Met at the fair, booth "
		   "12\nCall back\nE-mail (work): third@acme.example\nFax (work): (415) "
		   "555-0199|vip,partners\n"
		   "21:王芳|王|芳|||+86-138-0000-1111|||||||Birthday: --04-12|\n");
}

static void test_vcf_android_quoted_printable(void **state)
{
	(void)state;
	/* 2.1 as Android writes it: bare types, quoted-printable UTF-8 with
	 * soft breaks, a Windows-1251 value named by its CHARSET */
	size_t n;
	char *cp = encode("Петров", "WINDOWS-1251", &n);
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b,
		 "BEGIN:VCARD\r\nVERSION:2.1\r\n"
		 "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2;"
		 "=D0=9F=D1=91=D1=82=D1=80;;;\r\n"
		 "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9F=D1=91=D1=82=D1=80 =D0=98=\r\n"
		 "=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2\r\n"
		 "TEL;CELL;PREF:+7 916 111-22-33\r\nTEL;HOME:+7 495 111-22-33\r\n"
		 "TEL;WORK:+7 495 999-88-77\r\n"
		 "ORG;CHARSET=WINDOWS-1251:");
	buf_add(&b, cp, n);
	buf_adds(&b, "\r\nEND:VCARD\r\n");
	free(cp);
	const char *p = write_bytes("android.vcf", b.p, b.len);
	buf_release(&b);
	check_read(p, NULL,
		   VCF_HEADER
		   "1:Пётр Иванов|Иванов|Пётр|||+7 916 111-22-33|+7 495 111-22-33|Петров|||"
		   "||Phone (work): +7 495 999-88-77|\n");
}

static void test_vcf_bad_files(void **state)
{
	(void)state;
	read_fails(write_text("open.vcf", "BEGIN:VCARD\nFN:A\n"), NULL, "not_a_vcard",
		   "line 3: the file ends inside a card");
	read_fails(write_text("stray.vcf", "BEGIN:VCARD\nFN:A\nEND:VCARD\nhello\n"), NULL,
		   "not_a_vcard", "line 4: text outside");
	/* a value not in its encoding: that card cannot be read, the next can */
	struct buf out;
	buf_init(&out, 0);
	struct rp_error err;
	struct table_reader *t = open_ok(
		write_text("badenc.vcf", "BEGIN:VCARD\nFN;CHARSET=UTF-8:\xff\xfe\nEND:VCARD\n"
					 "BEGIN:VCARD\nFN:B\nEND:VCARD\n"),
		NULL);
	const char *const *cells;
	int n;
	assert_int_equal(table_next(t, &cells, &n, &err), 1); /* the header */
	rp_error_clear(&err);
	assert_int_equal(table_next(t, &cells, &n, &err), -2);
	assert_string_equal(err.code, "bad_encoding");
	assert_int_equal(table_row_number(t), 1);
	assert_int_equal(table_next(t, &cells, &n, &err), 1);
	assert_string_equal(cells[0], "B");
	assert_int_equal(table_row_number(t), 4);
	assert_int_equal(table_format_of(t), TABLE_VCARD);
	table_close(t);
	buf_release(&out);
	/* a photo of megabytes is passed over; the card is read */
	struct buf big;
	buf_init(&big, 0);
	buf_adds(&big, "BEGIN:VCARD\nFN:Big\nPHOTO;ENCODING=b:");
	for (int i = 0; i < 40000; i++)
		buf_adds(&big, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n ");
	buf_adds(&big, "QQ==\nEND:VCARD\n");
	check_read(write_bytes("photo.vcf", big.p, big.len), NULL,
		   VCF_HEADER "1:Big|||||||||||||\n");
	buf_release(&big);
}

static void test_csv_line_numbers(void **state)
{
	(void)state;
	/* blank lines skipped, a quoted newline spanning lines, CRLF */
	const char *p = write_text("lines.csv", "h1,h2\r\n"
						"\r\n"
						"a,\"multi\r\nline\r\nvalue\"\r\n"
						"b,c\r\n"
						"\r\n"
						"d,e");
	check_read(p, NULL, "1:h1|h2\n3:a|multi\r\nline\r\nvalue\n6:b|c\n8:d|e\n");
	/* old Mac line ends */
	check_read(write_text("cr.csv", "a,b\rc,d\r\re,f\r"), NULL, "1:a|b\n2:c|d\n4:e|f\n");
}

static void test_csv_malformed_quote(void **state)
{
	(void)state;
	read_fails(write_text("mal1.csv", "a,b\nc,d\"e\nf,g\n"), NULL, "malformed_csv", "line 2");
	read_fails(write_text("mal2.csv", "a,b\n\"x\ny\"z,w\n"), NULL, "malformed_csv", "line 3");
	/* a quote never closed: the row's first line is named */
	read_fails(write_text("mal3.csv", "a,b\nc,d\ne,\"never\nclosed\n"), NULL, "malformed_csv",
		   "line 3");
}

static void test_csv_empty_rows(void **state)
{
	(void)state;
	/* empty rows inside the data stay (the importer reports them);
	 * trailing ones, as Excel leaves below a table, go */
	check_read(write_text("emptyrows.csv", "a,b\n,\nc,d\n,\n,\n,,\n\n"), NULL,
		   "1:a|b\n2:|\n3:c|d\n");
	check_read(write_text("emptyrows2.csv", "a;b\n;\n;\n;\nc;d\n"), NULL,
		   "1:a|b\n2:|\n3:|\n4:|\n5:c|d\n");
}

static void test_csv_limits(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "a,b\n");
	for (int i = 0; i < TABLE_MAX_CELLS; i++)
		buf_adds(&b, "x,");
	buf_adds(&b, "x\n");
	read_fails(write_bytes("wide.csv", b.p, b.len), NULL, "too_many_cells", "line 2");
	/* exactly the limit is fine */
	buf_reset(&b);
	for (int i = 0; i < TABLE_MAX_CELLS - 1; i++)
		buf_adds(&b, "x,");
	buf_adds(&b, "x\n");
	free(read_ok(write_bytes("wide_ok.csv", b.p, b.len), NULL));
	/* one long field, plain and quoted. The plain one is a row that cannot
	 * be read (-2): the reader says so and goes on with the next row. The
	 * quoted one is never closed, so it runs to the end of the file, in
	 * bounded memory, and the file is malformed. */
	for (int quoted = 0; quoted < 2; quoted++) {
		buf_reset(&b);
		buf_adds(&b, "name,note\nIvan,");
		if (quoted)
			buf_addc(&b, '"');
		while (b.len < TABLE_MAX_ROW + 4096)
			buf_adds(&b, "0123456789abcdef");
		buf_adds(&b, "\nnext,row\n");
		const char *p = write_bytes("long.csv", b.p, b.len);
		if (quoted) {
			read_fails(p, NULL, "malformed_csv", NULL);
			continue;
		}
		read_fails(p, NULL, "row_too_large", "line 2");
		struct table_reader *t = open_ok(p, NULL);
		const char *const *cells;
		int n;
		struct rp_error err;
		rp_error_clear(&err);
		assert_int_equal(table_next(t, &cells, &n, &err), 1); /* the header */
		assert_int_equal(table_next(t, &cells, &n, &err), -2);
		assert_int_equal(table_row_number(t), 2);
		assert_int_equal(table_next(t, &cells, &n, &err), 1);
		assert_int_equal(table_row_number(t), 3);
		assert_string_equal(cells[0], "next");
		assert_int_equal(table_next(t, &cells, &n, &err), 0);
		table_close(t);
	}
	buf_release(&b);
}

/* Many rows through many chunks: every row comes out, in order, and the
 * progress climbs to 1. */
static void test_csv_streams_many_chunks(void **state)
{
	(void)state;
	const char *p = path_of("big.csv");
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs("id;name;city\n", f);
	enum { N = 60000 };
	for (int i = 1; i <= N; i++)
		fprintf(f, "%d;Иванов Иван %d;\"Москва; %d\"\n", i, i, i % 97);
	fclose(f);
	struct table_reader *t = open_ok(p, NULL);
	assert_int_equal(table_delimiter(t), ';');
	const char *const *cells;
	int n, rows = 0;
	double last = 0;
	struct rp_error err;
	while (table_next(t, &cells, &n, &err) == 1) {
		assert_int_equal(n, 3);
		if (rows > 0) {
			assert_int_equal(strtol(cells[0], NULL, 10), rows);
			assert_int_equal(table_row_number(t), rows + 1);
		}
		double pr = table_progress(t);
		assert_true(pr >= last && pr <= 1.0);
		last = pr;
		rows++;
	}
	assert_int_equal(rows, N + 1);
	assert_true(table_progress(t) == 1.0);
	table_close(t);
}

/* ------------------------------------------------------------------ */
/* XLSX values                                                          */
/* ------------------------------------------------------------------ */

static void test_xlsx_number_text(void **state)
{
	(void)state;
	struct {
		double v;
		const char *want;
	} cases[] = {
		{100000, "100000"},
		{0, "0"},
		{-0.0, "0"},
		{42, "42"},
		{-7, "-7"},
		{3.14, "3.14"},
		{0.1, "0.1"},
		{0.1 + 0.2, "0.30000000000000004"},
		{1234567890123.0, "1234567890123"},
		{79161234567.0, "79161234567"},
		{1e20, "1e+20"},
		{1.5e-7, "1.5e-07"},
		{-2.5, "-2.5"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[48];
		xlsx_format_number(cases[i].v, out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_xlsx_date_text(void **state)
{
	(void)state;
	struct {
		double serial;
		bool d1904;
		const char *want;
	} cases[] = {
		{1, false, "1900-01-01"},
		{59, false, "1900-02-28"},
		{60, false, "1900-02-28"}, /* Lotus' 1900-02-29 */
		{61, false, "1900-03-01"},
		{25569, false, "1970-01-01"},
		{45366, false, "2024-03-15"},
		{45366.5, false, "2024-03-15T12:00:00Z"},
		{45366.573263888888, false, "2024-03-15T13:45:30Z"},
		{0, true, "1904-01-01"},
		{43904, true, "2024-03-15"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[48];
		assert_true(xlsx_format_date(cases[i].serial, cases[i].d1904, out, sizeof out));
		assert_string_equal(out, cases[i].want);
	}
	char out[48];
	assert_false(xlsx_format_date(-1, false, out, sizeof out));
	assert_false(xlsx_format_date(3e6, false, out, sizeof out));
}

static void test_xlsx_date_formats(void **state)
{
	(void)state;
	assert_true(xlsx_format_is_date("yyyy-mm-dd"));
	assert_true(xlsx_format_is_date("d/m/yy h:mm"));
	assert_true(xlsx_format_is_date("[$-409]mmmm d, yyyy;@"));
	assert_true(xlsx_format_is_date("yyyy\"年\"m\"月\"d\"日\""));
	assert_true(xlsx_format_is_date("[h]:mm:ss"));
	assert_false(xlsx_format_is_date("General"));
	assert_false(xlsx_format_is_date("0.00"));
	assert_false(xlsx_format_is_date("#,##0 \"days\""));
	assert_false(xlsx_format_is_date("[Red]#,##0;[Blue]-#,##0"));
	assert_false(xlsx_format_is_date("#,##0.00 [$руб.-419]"));
	assert_false(xlsx_format_is_date("0\\d"));
	assert_false(xlsx_format_is_date("0.00E+00"));
	assert_true(xlsx_builtin_is_date(14));
	assert_true(xlsx_builtin_is_date(22));
	assert_true(xlsx_builtin_is_date(46));
	assert_true(xlsx_builtin_is_date(57)); /* yyyy"年"m"月" in Chinese Excel */
	assert_false(xlsx_builtin_is_date(0));
	assert_false(xlsx_builtin_is_date(4));
	assert_false(xlsx_builtin_is_date(49)); /* @, text */
}

/* ------------------------------------------------------------------ */
/* XLSX files                                                           */
/* ------------------------------------------------------------------ */

static const char *write_xlsxwriter_book(void)
{
	const char *p = path_of("book.xlsx");
	lxw_workbook *wb = workbook_new(p);
	assert_non_null(wb);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Контакты");
	lxw_worksheet *ws2 = workbook_add_worksheet(wb, "Deals 2024");
	lxw_format *date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	lxw_format *stamp = workbook_add_format(wb);
	format_set_num_format(stamp, "dd.mm.yyyy hh:mm:ss");
	lxw_format *money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00 [$₽-419]");
	const char *head[] = {"姓名", "Amount", "Paid", "Since", "Last call", "Note"};
	for (int c = 0; c < 6; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
	lxw_datetime d1 = {2024, 3, 15, 0, 0, 0}, t1 = {2024, 3, 15, 13, 45, 30};
	worksheet_write_string(ws, 1, 0, "张三", NULL);
	worksheet_write_number(ws, 1, 1, 100000, money);
	worksheet_write_boolean(ws, 1, 2, 1, NULL);
	worksheet_write_datetime(ws, 1, 3, &d1, date);
	worksheet_write_datetime(ws, 1, 4, &t1, stamp);
	worksheet_write_string(ws, 1, 5, "VIP, \"gold\"", NULL);
	worksheet_write_string(ws, 2, 0, "Иванов Иван", NULL);
	worksheet_write_number(ws, 2, 1, 1234.5, money);
	worksheet_write_boolean(ws, 2, 2, 0, NULL);
	/* D3, E3 left empty; a gap before F3 */
	worksheet_write_string(ws, 2, 5, "на связи", NULL);
	worksheet_write_number(ws, 4, 1, 0.1, NULL); /* row 4 missing */
	worksheet_write_string(ws2, 0, 0, "deal", NULL);
	worksheet_write_number(ws2, 0, 1, 42, NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	return p;
}

static void test_xlsx_written_by_xlsxwriter(void **state)
{
	(void)state;
	const char *p = write_xlsxwriter_book();
	check_read(p, NULL,
		   "1:姓名|Amount|Paid|Since|Last call|Note\n"
		   "2:张三|100000|TRUE|2024-03-15|2024-03-15T13:45:30Z|VIP, \"gold\"\n"
		   "3:Иванов Иван|1234.5|FALSE|||на связи\n"
		   "5:|0.1\n");
	struct table_reader *t = open_ok(p, NULL);
	assert_string_equal(table_encoding(t), "UTF-8");
	assert_int_equal(table_delimiter(t), 0);
	table_close(t);
}

static void test_xlsx_sheet_by_name(void **state)
{
	(void)state;
	const char *p = write_xlsxwriter_book();
	struct table_options opt = {.sheet = "Deals 2024"};
	check_read(p, &opt, "1:deal|42\n");
	opt.sheet = "deals 2024"; /* Excel's names ignore case */
	check_read(p, &opt, "1:deal|42\n");
	opt.sheet = "Сделки";
	read_fails(p, &opt, "no_such_sheet", "Контакты, Deals 2024");
	/* the sheets not read, for a hint when the one read is empty */
	for (int k = 0; k < 2; k++) {
		opt.sheet = k ? "Deals 2024" : NULL;
		struct table_reader *t = open_ok(p, &opt);
		struct buf others;
		buf_init(&others, 0);
		assert_int_equal(table_other_sheets(t, &others), 1);
		assert_string_equal(buf_str(&others), k ? "Контакты" : "Deals 2024");
		buf_release(&others);
		table_close(t);
	}
}

/* A zip made from XML written here: what libxlsxwriter never writes. */
struct part {
	const char *name, *xml;
};

static const char *write_zip(const char *file, const struct part *parts, int n)
{
	const char *p = path_of(file);
	int zerr;
	zip_t *z = zip_open(p, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(z);
	for (int i = 0; i < n; i++) {
		zip_source_t *src = zip_source_buffer(z, parts[i].xml, strlen(parts[i].xml), 0);
		assert_non_null(src);
		assert_true(zip_file_add(z, parts[i].name, src, 0) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	return p;
}

#define NS_MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_REL	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL_T	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char workbook_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
	"<workbook " NS_MAIN " " NS_REL ">"
	"<sheets><sheet name=\"Hidden\" sheetId=\"3\" state=\"hidden\" r:id=\"rId3\"/>"
	"<sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static const char rels_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"" REL_T "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"" REL_T "worksheet\" Target=\"/xl/worksheets/h.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" REL_T "sharedStrings\" Target=\"sharedStrings.xml\"/>"
	"<Relationship Id=\"rId4\" Type=\"" REL_T "styles\" Target=\"styles.xml\"/>"
	"</Relationships>";

static const char strings_xml[] =
	"<sst " NS_MAIN " count=\"3\" uniqueCount=\"3\">"
	"<si><t>Name</t></si>"
	"<si><r><rPr><b/></rPr><t>王</t></r><r><t xml:space=\"preserve\">小明 </t></r>"
	"<rPh sb=\"0\" eb=\"1\"><t>ワン</t></rPh></si>"
	"<si/></sst>";

static const char styles_xml[] =
	"<styleSheet " NS_MAIN ">"
	"<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"#,##0.00&quot;р.&quot;\"/></numFmts>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	"<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
	"<xf numFmtId=\"22\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";

#define SHEET_HEAD "<worksheet " NS_MAIN " " NS_REL "><sheetData>"
#define SHEET_TAIL "</sheetData><mergeCells count=\"0\"/></worksheet>"

static const char *write_hand_book(const char *file, const char *sheet, const char *strings,
				   const char *workbook)
{
	struct part parts[] = {
		{"xl/workbook.xml", workbook ? workbook : workbook_xml},
		{"xl/_rels/workbook.xml.rels", rels_xml},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/worksheets/h.xml", SHEET_HEAD "<row r=\"1\"><c t=\"inlineStr\"><is><t>secret"
						   "</t></is></c></row>" SHEET_TAIL},
		{"xl/sharedStrings.xml", strings ? strings : strings_xml},
		{"xl/styles.xml", styles_xml},
	};
	return write_zip(file, parts, 6);
}

static void test_xlsx_cells_by_hand(void **state)
{
	(void)state;
	const char *sheet = SHEET_HEAD
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" "
		"t=\"s\"><v>1</v></c></row>"
		/* inline string with runs and a phonetic guide; a formula string;
		 * an error; cells with no r follow the last */
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><r><t>Ли</t></r><r><t>за</t></r>"
		"<rPh><t>x</t></rPh></is></c><c t=\"str\"><f>A2&amp;\"!\"</f><v>Лиза!</v></c>"
		"<c t=\"e\"><v>#N/A</v></c><c><v>7</v></c></row>"
		/* styles: 1 custom date, 2 money (not a date), 3 datetime, 4 date */
		"<row r=\"3\"><c r=\"A3\" s=\"1\"><v>45366</v></c><c r=\"B3\" "
		"s=\"2\"><v>1500.5</v></c>"
		"<c r=\"C3\" s=\"3\"><v>45366.25</v></c><c r=\"D3\" s=\"4\" t=\"n\"><v>61</v></c>"
		"<c r=\"E3\" s=\"4\"/><c r=\"F3\" t=\"b\"><v>0</v></c></row>"
		/* rows without r follow the last; an empty shared string is no value */
		"<row><c r=\"B4\"><v>1E-3</v></c><c r=\"C4\" t=\"s\"><v>2</v></c></row>"
		"<row r=\"9\"><c r=\"AA9\"><v>2.5</v></c></row>"
		/* styled but valueless cells make an empty row: trailing, dropped */
		"<row r=\"10\"><c r=\"A10\" s=\"1\"/></row><row r=\"11\"/>" SHEET_TAIL;
	const char *p = write_hand_book("hand.xlsx", sheet, NULL, NULL);
	struct buf want;
	buf_init(&want, 0);
	buf_adds(&want, "1:Name||王小明 \n2:Лиза|Лиза!||7\n"
			"3:2024-03-15|1500.5|2024-03-15T06:00:00Z|1900-03-01||FALSE\n4:|0.001\n9:");
	for (int i = 0; i < 26; i++)
		buf_addc(&want, '|');
	buf_adds(&want, "2.5\n");
	check_read(p, NULL, buf_str(&want));
	buf_release(&want);
	/* the hidden sheet is skipped unless named */
	struct table_options opt = {.sheet = "Hidden"};
	check_read(p, &opt, "1:secret\n");
}

static void test_xlsx_date1904(void **state)
{
	(void)state;
	const char *wb = "<workbook " NS_MAIN " " NS_REL "><workbookPr date1904=\"1\"/>"
			 "<sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
			 "</workbook>";
	const char *sheet = SHEET_HEAD "<row r=\"1\"><c r=\"A1\" s=\"4\"><v>43904</v></c>"
				       "<c r=\"B1\"><v>43904</v></c></row>" SHEET_TAIL;
	check_read(write_hand_book("d1904.xlsx", sheet, NULL, wb), NULL, "1:2024-03-15|43904\n");
}

/* Writers built on the OpenXML SDK prefix every element ("x:row"). */
static void test_xlsx_prefixed_elements(void **state)
{
	(void)state;
	const char *sheet = "<x:worksheet "
			    "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
			    "<x:sheetData><x:row xmlns:r=\"urn:not-a-row-number\" r=\"2\">"
			    "<x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>Ок</x:t></x:is></x:c></x:row>"
			    "</x:sheetData></x:worksheet>";
	check_read(write_hand_book("prefixed.xlsx", sheet, NULL, NULL), NULL, "2:|Ок\n");
}

static void test_xlsx_bad_cells(void **state)
{
	(void)state;
	const char *wide = SHEET_HEAD "<row r=\"1\"><c r=\"AMK1\"><v>1</v></c></row>" SHEET_TAIL;
	read_fails(write_hand_book("wide.xlsx", wide, NULL, NULL), NULL, "too_many_cells", "row 1");
	const char *edge = SHEET_HEAD "<row r=\"1\"><c r=\"AMJ1\"><v>1</v></c></row>" SHEET_TAIL;
	char *got = read_ok(write_hand_book("edge.xlsx", edge, NULL, NULL), NULL);
	assert_int_equal(strlen(got), strlen("1:") + 1023 + 2);
	free(got);
	const char *missing = SHEET_HEAD "<row r=\"1\"><c t=\"s\"><v>99</v></c></row>" SHEET_TAIL;
	read_fails(write_hand_book("sst.xlsx", missing, NULL, NULL), NULL, "bad_xlsx", "row 1");
	const char *order = SHEET_HEAD "<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"B2\"><v>2</v>"
				       "</c></row>" SHEET_TAIL;
	read_fails(write_hand_book("order.xlsx", order, NULL, NULL), NULL, "bad_xlsx", "row 2");
	const char *broken = SHEET_HEAD "<row r=\"1\"><c><v>1</v></row>" SHEET_TAIL;
	read_fails(write_hand_book("broken.xlsx", broken, NULL, NULL), NULL, "bad_xlsx", NULL);
	/* a long column reference overflowed an int before its length was
	 * checked (UB; the fuzz build's UBSan reports it) */
	const char *longref =
		SHEET_HEAD "<row r=\"1\"><c r=\"AAAAAAAAAAAAAA1\"><v>1</v></c></row>" SHEET_TAIL;
	read_fails(write_hand_book("longref.xlsx", longref, NULL, NULL), NULL, "bad_xlsx",
		   "AAAAAAAAAAAAAA1");
}

/* Found by fuzzing: rows whose numbers went back or repeated were read,
 * so two rows could carry one row number in the importer's report. */
static void test_xlsx_rows_out_of_order(void **state)
{
	(void)state;
	const char *again = SHEET_HEAD "<row r=\"2\"><c><v>1</v></c></row><row r=\"2\"><c><v>2</v>"
				       "</c></row>" SHEET_TAIL;
	read_fails(write_hand_book("again.xlsx", again, NULL, NULL), NULL, "bad_xlsx",
		   "row 2 comes after row 2");
	const char *back = SHEET_HEAD "<row r=\"5\"><c><v>1</v></c></row><row r=\"3\"/>" SHEET_TAIL;
	read_fails(write_hand_book("back.xlsx", back, NULL, NULL), NULL, "bad_xlsx",
		   "row 3 comes after row 5");
	const char *mixed =
		SHEET_HEAD "<row r=\"3\"><c><v>1</v></c></row><row><c><v>2</v></c></row>"
			   "<row r=\"7\"><c><v>3</v></c></row>" SHEET_TAIL;
	check_read(write_hand_book("mixed.xlsx", mixed, NULL, NULL), NULL, "3:1\n4:2\n7:3\n");
}

static void test_xlsx_not_a_workbook(void **state)
{
	(void)state;
	struct part parts[] = {{"word/document.xml", "<w/>"}};
	read_fails(write_zip("doc.docx", parts, 1), NULL, "not_a_table", "xl/workbook.xml");
	read_fails(write_bytes("trunc.xlsx", "PK\x03\x04garbage", 11), NULL, "not_a_table", NULL);
}

/* ------------------------------------------------------------------ */
/* XLSX attacks                                                         */
/* ------------------------------------------------------------------ */

static void test_xlsx_xxe_is_refused(void **state)
{
	(void)state;
	const char *secret = write_text("secret.txt", "TOP-SECRET-MARKER");
	char sheet[2048];
	snprintf(sheet, sizeof sheet,
		 "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"file://%s\">"
		 "<!ENTITY pw SYSTEM \"file:///etc/passwd\">]>" SHEET_HEAD
		 "<row r=\"1\"><c t=\"inlineStr\"><is><t>&xxe;&pw;</t></is></c></row>" SHEET_TAIL,
		 secret);
	const char *p = write_hand_book("xxe.xlsx", sheet, NULL, NULL);
	struct buf b;
	buf_init(&b, 0);
	struct rp_error err;
	assert_true(dump(p, NULL, &b, &err) < 0);
	assert_string_equal(err.code, "bad_xlsx");
	assert_null(strstr(buf_str(&b), "TOP-SECRET"));
	assert_null(strstr(buf_str(&b), "root:"));
	assert_null(strstr(err.detail, "TOP-SECRET"));
	buf_release(&b);
	/* in the shared strings, and as a parameter entity */
	char sst[1024];
	snprintf(sst, sizeof sst,
		 "<!DOCTYPE sst [<!ENTITY %% pe SYSTEM \"file://%s\"> %%pe;]>"
		 "<sst " NS_MAIN "><si><t>x</t></si></sst>",
		 secret);
	const char *plain = SHEET_HEAD "<row r=\"1\"><c t=\"s\"><v>0</v></c></row>" SHEET_TAIL;
	read_fails(write_hand_book("xxe2.xlsx", plain, sst, NULL), NULL, "bad_xlsx", "DTD");
	/* an entity that was never declared is just an error */
	const char *undeclared = SHEET_HEAD
		"<row r=\"1\"><c t=\"inlineStr\"><is><t>&xxe;</t></is></c></row>" SHEET_TAIL;
	read_fails(write_hand_book("xxe3.xlsx", undeclared, NULL, NULL), NULL, "bad_xlsx", NULL);
}

static void test_xlsx_billion_laughs_is_refused(void **state)
{
	(void)state;
	struct buf sst;
	buf_init(&sst, 0);
	buf_adds(&sst, "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY lol0 \"lol\">");
	for (int i = 1; i <= 9; i++) {
		buf_printf(&sst, "<!ENTITY lol%d \"", i);
		for (int k = 0; k < 10; k++)
			buf_printf(&sst, "&lol%d;", i - 1);
		buf_adds(&sst, "\">");
	}
	buf_adds(&sst, "]><sst " NS_MAIN "><si><t>&lol9;</t></si></sst>");
	const char *plain = SHEET_HEAD "<row r=\"1\"><c t=\"s\"><v>0</v></c></row>" SHEET_TAIL;
	const char *p = write_hand_book("lol.xlsx", plain, buf_str(&sst), NULL);
	/* refused while its DTD is parsed (libxml2 sees the loop) or when
	 * the reader reaches it: either way, quickly and in little memory */
	time_t start = time(NULL);
	read_fails(p, NULL, "bad_xlsx", "sharedStrings.xml");
	assert_true(time(NULL) - start < 5);
	buf_release(&sst);
}

/* Sets the uncompressed size the zip's central directory declares for
 * entry `name` (what zip_stat reports) without touching its data. */
static void patch_declared_size(const char *path, const char *name, uint32_t size)
{
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	unsigned char data[1 << 16];
	size_t n = fread(data, 1, sizeof data, f);
	size_t name_len = strlen(name);
	bool patched = false;
	for (size_t i = 0; i + 46 + name_len <= n; i++) {
		if (memcmp(data + i, "PK\x01\x02", 4) != 0)
			continue;
		size_t len = (size_t)data[i + 28] | (size_t)data[i + 29] << 8;
		if (len != name_len || memcmp(data + i + 46, name, len) != 0)
			continue;
		unsigned char le[4] = {size & 0xff, size >> 8 & 0xff, size >> 16 & 0xff,
				       size >> 24};
		assert_int_equal(fseek(f, (long)(i + 24), SEEK_SET), 0);
		assert_int_equal(fwrite(le, 1, 4, f), 4);
		patched = true;
	}
	assert_true(patched);
	fclose(f);
}

static void test_xlsx_oversized_entry_is_refused(void **state)
{
	(void)state;
	const char *sheet = SHEET_HEAD "<row r=\"1\"><c><v>1</v></c></row>" SHEET_TAIL;
	/* declared past the 2 GiB sheet limit */
	const char *p = write_hand_book("bomb.xlsx", sheet, NULL, NULL);
	patch_declared_size(p, "xl/worksheets/sheet1.xml", 3u << 30);
	read_fails(p, NULL, "xlsx_too_large", "xl/worksheets/sheet1.xml");
	/* under the limit but an absurd ratio */
	p = write_hand_book("ratio.xlsx", sheet, NULL, NULL);
	patch_declared_size(p, "xl/worksheets/sheet1.xml", 64u << 20);
	read_fails(p, NULL, "xlsx_too_large", "compressed");
	/* shared strings past their own limit */
	p = write_hand_book("sstbomb.xlsx", sheet, NULL, NULL);
	patch_declared_size(p, "xl/sharedStrings.xml", 300u << 20);
	read_fails(p, NULL, "xlsx_too_large", "sharedStrings");
	/* declared small, inflating to more: the bytes are counted */
	struct buf big;
	buf_init(&big, 0);
	buf_adds(&big, SHEET_HEAD);
	for (int r = 1; r <= 3000; r++)
		buf_printf(&big, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", r, r, r);
	buf_adds(&big, SHEET_TAIL);
	p = write_hand_book("liar.xlsx", buf_str(&big), NULL, NULL);
	patch_declared_size(p, "xl/worksheets/sheet1.xml", 1000);
	struct buf b;
	buf_init(&b, 0);
	struct rp_error err;
	assert_int_equal(dump(p, NULL, &b, &err), -1);
	assert_string_equal(err.code, "xlsx_too_large");
	buf_release(&b);
	buf_release(&big);
}

static void test_xlsx_progress(void **state)
{
	(void)state;
	struct buf big;
	buf_init(&big, 0);
	buf_adds(&big, SHEET_HEAD);
	for (int r = 1; r <= 20000; r++)
		buf_printf(&big, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", r, r, r);
	buf_adds(&big, SHEET_TAIL);
	struct table_reader *t =
		open_ok(write_hand_book("prog.xlsx", buf_str(&big), NULL, NULL), NULL);
	const char *const *cells;
	int n, rows = 0;
	double last = 0;
	bool between = false;
	struct rp_error err;
	while (table_next(t, &cells, &n, &err) == 1) {
		double pr = table_progress(t);
		assert_true(pr >= last && pr <= 1.0);
		between = between || (pr > 0.2 && pr < 0.8);
		last = pr;
		rows++;
	}
	assert_int_equal(rows, 20000);
	assert_true(between);
	assert_true(table_progress(t) == 1.0);
	table_close(t);
	buf_release(&big);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/rapport-table-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlink(path_of(e->d_name));
	closedir(d);
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_utf8_plain),
		cmocka_unit_test(test_csv_utf8_bom),
		cmocka_unit_test(test_csv_utf16le_bom),
		cmocka_unit_test(test_csv_utf16le_without_bom),
		cmocka_unit_test(test_csv_gb18030_detected),
		cmocka_unit_test(test_csv_windows1251_detected),
		cmocka_unit_test(test_csv_encoding_found_past_ascii),
		cmocka_unit_test(test_csv_encoding_option_overrides),
		cmocka_unit_test(test_csv_invalid_utf8_fails_on_its_line),
		cmocka_unit_test(test_csv_ucs4_past_unicode_fails),
		cmocka_unit_test(test_csv_binary_is_not_a_table),
		cmocka_unit_test(test_csv_character_across_chunks),
		cmocka_unit_test(test_csv_empty_file),
		cmocka_unit_test(test_csv_delimiters_detected),
		cmocka_unit_test(test_csv_quoted_fields),
		cmocka_unit_test(test_csv_line_numbers),
		cmocka_unit_test(test_vcf_cards),
		cmocka_unit_test(test_vcf_android_quoted_printable),
		cmocka_unit_test(test_vcf_bad_files),
		cmocka_unit_test(test_csv_malformed_quote),
		cmocka_unit_test(test_csv_empty_rows),
		cmocka_unit_test(test_csv_limits),
		cmocka_unit_test(test_csv_streams_many_chunks),
		cmocka_unit_test(test_xlsx_number_text),
		cmocka_unit_test(test_xlsx_date_text),
		cmocka_unit_test(test_xlsx_date_formats),
		cmocka_unit_test(test_xlsx_written_by_xlsxwriter),
		cmocka_unit_test(test_xlsx_sheet_by_name),
		cmocka_unit_test(test_xlsx_cells_by_hand),
		cmocka_unit_test(test_xlsx_date1904),
		cmocka_unit_test(test_xlsx_prefixed_elements),
		cmocka_unit_test(test_xlsx_bad_cells),
		cmocka_unit_test(test_xlsx_rows_out_of_order),
		cmocka_unit_test(test_xlsx_not_a_workbook),
		cmocka_unit_test(test_xlsx_xxe_is_refused),
		cmocka_unit_test(test_xlsx_billion_laughs_is_refused),
		cmocka_unit_test(test_xlsx_oversized_entry_is_refused),
		cmocka_unit_test(test_xlsx_progress),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
