/* vcard.c — vCard 4.0 escaping, folding and card assembly (see vcard.h). */
#include "io/vcard.h"

#include <string.h>

void vcard_escape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (c) {
		case '\\': buf_adds(out, "\\\\"); break;
		case ',': buf_adds(out, "\\,"); break;
		case ';': buf_adds(out, "\\;"); break;
		case '\r':
			if (i + 1 < n && s[i + 1] == '\n')
				i++; /* CRLF is one line break */
			buf_adds(out, "\\n");
			break;
		case '\n': buf_adds(out, "\\n"); break;
		default: buf_addc(out, c);
		}
	}
}

/* The longest prefix of s[0..n) of at most max octets that ends between
 * two UTF-8 sequences (at least one whole character). */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	/* a malformed run of continuation bytes: cut anyway */
	return k > 0 ? k : max;
}

void vcard_fold(struct buf *out, const char *line, size_t n)
{
	size_t at = 0;
	bool first = true;
	do {
		/* a continuation's leading space counts toward its 75 octets */
		size_t room = first ? VCARD_LINE_MAX : VCARD_LINE_MAX - 1;
		size_t k = utf8_cut(line + at, n - at, room);
		if (!first)
			buf_addc(out, ' ');
		buf_add(out, line + at, k);
		buf_adds(out, "\r\n");
		at += k;
		first = false;
	} while (at < n);
}

void vcard_begin(struct vcard *v, struct buf *out)
{
	v->out = out;
	buf_init(&v->line, 0);
	buf_adds(out, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
}

void vcard_end(struct vcard *v)
{
	buf_adds(v->out, "END:VCARD\r\n");
	buf_release(&v->line);
}

void vcard_prop(struct vcard *v, const char *name_and_params)
{
	buf_reset(&v->line);
	buf_adds(&v->line, name_and_params);
	buf_addc(&v->line, ':');
}

void vcard_text(struct vcard *v, const char *s)
{
	if (s)
		vcard_escape(&v->line, s, strlen(s));
}

void vcard_raw(struct vcard *v, const char *s)
{
	buf_adds(&v->line, s);
}

void vcard_end_prop(struct vcard *v)
{
	vcard_fold(v->out, v->line.p ? v->line.p : "", v->line.len);
	buf_reset(&v->line);
}

void vcard_text_prop(struct vcard *v, const char *name_and_params, const char *value)
{
	if (!value || !*value)
		return;
	vcard_prop(v, name_and_params);
	vcard_text(v, value);
	vcard_end_prop(v);
}
