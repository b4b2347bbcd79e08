/* vcard_write.c — vCard is written here, never parsed (src/io/vcard.c has
 * no reader; import takes CSV and XLSX only), so this target checks the
 * writer on any field value instead: vcard_escape then vcard_fold must
 * give physical lines of at most 75 octets ended by CRLF, continuation
 * lines starting with one space, no fold inside a UTF-8 sequence of a
 * valid value, and unfolding must give back the escaped line exactly,
 * with no bare CR or LF left in it. */
#include <string.h>

#include "harness.h"
#include "io/vcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf line, out, back;
	buf_init(&line, 0);
	buf_init(&out, 0);
	buf_init(&back, 0);
	buf_adds(&line, "NOTE:");
	vcard_escape(&line, (const char *)data, size);
	for (size_t i = 5; i < line.len; i++)
		FUZZ_CHECK(line.p[i] != '\r' && line.p[i] != '\n', "a line break left unescaped");
	vcard_fold(&out, line.p, line.len);
	bool valid = utf8_valid((const char *)data, size);
	const char *p = out.p, *end = out.p + out.len;
	bool first = true;
	while (p < end) {
		const char *crlf = memmem(p, (size_t)(end - p), "\r\n", 2);
		FUZZ_CHECK(crlf != NULL, "a physical line without CRLF");
		size_t n = (size_t)(crlf - p);
		FUZZ_CHECK(n <= VCARD_LINE_MAX, "a physical line over 75 octets");
		if (!first) {
			FUZZ_CHECK(n >= 1 && p[0] == ' ', "a continuation without its space");
			p++, n--;
			if (valid && n > 0)
				FUZZ_CHECK(((unsigned char)p[0] & 0xC0) != 0x80,
					   "a fold inside a UTF-8 sequence");
		}
		buf_add(&back, p, n);
		p = crlf + 2;
		first = false;
	}
	FUZZ_CHECK(back.len == line.len && !memcmp(back.p, line.p, line.len),
		   "unfolding does not give the line back");
	buf_release(&line);
	buf_release(&out);
	buf_release(&back);
	return 0;
}
