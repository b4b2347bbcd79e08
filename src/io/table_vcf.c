/* table_vcf.c — the vCard back end: contacts as phones, iCloud, Google and
 * Outlook export them (vCard 2.1, 3.0 and 4.0), read as a table of one row
 * per card under a header of fixed columns that the import's mapping knows
 * ("Full Name", "E-mail", "Mobile", "Company", ...). Lines are unfolded;
 * values are unescaped, quoted-printable decoded and converted to UTF-8
 * from their CHARSET, else from the file's encoding. Photos, keys and
 * sounds are passed over. A card holding more e-mails or numbers than a
 * contact has fields for keeps the rest in its notes: nothing is dropped.
 * Memory: one chunk of the file and one card, whatever its size. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/table_internal.h"

enum vcol {
	C_FN,
	C_FAMILY,
	C_GIVEN,
	C_EMAIL,
	C_EMAIL2,
	C_MOBILE,
	C_PHONE,
	C_ORG,
	C_TITLE,
	C_BDAY,
	C_CITY,
	C_COUNTRY,
	C_NOTE,
	C_CATEGORIES,
	NCOLS
};

static const char *const headers[NCOLS] = {
	"Full Name", "Family Name", "Given Name", "E-mail", "E-mail 2", "Mobile", "Phone",
	"Company",   "Job Title",   "Birthday",	  "City",   "Country",	"Notes",  "Categories",
};

struct table_vcf {
	int fd;
	uint64_t size, nread;
	char in[TABLE_CHUNK];
	size_t in_pos, in_len;
	bool eof;
	int64_t line;	    /* physical line of the next byte */
	struct buf logical; /* the unfolded line being read */
	bool over;	    /* it grew past TABLE_MAX_ROW: the rest is dropped */
	bool header_out;
	struct buf cells[NCOLS];
	struct buf extra; /* values past the fields, for the notes */
	char enc[TABLE_ENC_LEN];
};

/* --- lines -------------------------------------------------------------------- */

static enum rp_err refill(struct table_vcf *v, struct rp_error *err)
{
	v->in_pos = v->in_len = 0;
	while (!v->eof && v->in_len == 0) {
		ssize_t n = read(v->fd, v->in, sizeof v->in);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rp_fail(err, RP_EIO, "io_error", "cannot read the file: %s",
				       strerror(errno));
		v->eof = n == 0;
		v->in_len = (size_t)n;
		v->nread += (uint64_t)n;
	}
	return RP_OK;
}

/* The next byte without taking it; -1 at the end. */
static int peek(struct table_vcf *v, struct rp_error *err)
{
	if (v->in_pos == v->in_len && (refill(v, err) || v->in_len == 0))
		return -1;
	return (unsigned char)v->in[v->in_pos];
}

static void keep(struct table_vcf *v, const char *p, size_t n)
{
	if (v->over || n > TABLE_MAX_ROW - v->logical.len) {
		v->over = true;
		return;
	}
	buf_add(&v->logical, p, n);
}

/* Appends one physical line, without its CR LF; 1, or 0 at the end. */
static int physical(struct table_vcf *v, struct rp_error *err)
{
	bool any = false;
	for (;;) {
		if (peek(v, err) < 0)
			return err->err ? -1 : any;
		any = true;
		const char *p = v->in + v->in_pos;
		const char *nl = memchr(p, '\n', v->in_len - v->in_pos);
		size_t n = nl ? (size_t)(nl - p) : v->in_len - v->in_pos;
		keep(v, p, n);
		v->in_pos += n + (nl != NULL);
		if (nl) {
			v->line++;
			if (v->logical.len && v->logical.p[v->logical.len - 1] == '\r')
				v->logical.p[--v->logical.len] = '\0';
			return 1;
		}
	}
}

/* Whether the line's parameters say QUOTED-PRINTABLE (vCard 2.1). */
static bool quoted_printable(const struct buf *b)
{
	const char *colon = memchr(b->p, ':', b->len);
	size_t n = colon ? (size_t)(colon - b->p) : b->len;
	for (size_t i = 0; i + 16 <= n; i++)
		if (!strncasecmp(b->p + i, "QUOTED-PRINTABLE", 16))
			return true;
	return false;
}

/* The next logical line: continuation lines (a space or tab first) and a
 * quoted-printable value's soft breaks ("=" last) joined. 1, 0 at the end. */
static int logical(struct table_vcf *v, int64_t *ret_line, struct rp_error *err)
{
	buf_reset(&v->logical);
	v->over = false;
	*ret_line = v->line;
	int rc = physical(v, err);
	while (rc == 1) {
		if (v->logical.len && v->logical.p[v->logical.len - 1] == '=' &&
		    quoted_printable(&v->logical)) {
			v->logical.p[--v->logical.len] = '\0';
			rc = physical(v, err);
			continue;
		}
		int c = peek(v, err);
		if (c != ' ' && c != '\t')
			break;
		v->in_pos++;
		rc = physical(v, err);
	}
	return rc < 0 ? -1 : v->logical.len || rc ? 1 : 0;
}

/* --- values ------------------------------------------------------------------- */

struct prop {
	char name[32];
	bool qp, binary, uri;
	char charset[TABLE_ENC_LEN];
	char types[128]; /* ",cell,work," */
	const char *value;
};

static void add_type(struct prop *p, const char *s, size_t n)
{
	size_t len = strlen(p->types);
	if (len + n + 2 >= sizeof p->types)
		return;
	if (!len)
		p->types[len++] = ',';
	for (size_t i = 0; i < n; i++)
		p->types[len++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	p->types[len++] = ',';
	p->types[len] = '\0';
}

static bool has_type(const struct prop *p, const char *type)
{
	char w[40];
	snprintf(w, sizeof w, ",%s,", type);
	return strstr(p->types, w) != NULL;
}

/* One parameter: KEY=VALUE[,VALUE] or a vCard 2.1 bare word. */
static void param(struct prop *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t kn = eq ? (size_t)(eq - s) : n;
	const char *val = eq ? eq + 1 : s;
	size_t vn = n - (size_t)(val - s);
	if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"')
		val++, vn -= 2;
	if (eq && kn == 8 && !strncasecmp(s, "ENCODING", 8)) {
		p->qp = vn == 16 && !strncasecmp(val, "QUOTED-PRINTABLE", 16);
		p->binary = !p->qp && vn > 0 && (val[0] == 'b' || val[0] == 'B');
	} else if (eq && kn == 7 && !strncasecmp(s, "CHARSET", 7)) {
		snprintf(p->charset, sizeof p->charset, "%.*s", (int)vn, val);
	} else if (eq && kn == 5 && !strncasecmp(s, "VALUE", 5)) {
		p->uri = vn == 3 && !strncasecmp(val, "uri", 3);
	} else if (!eq && n == 16 && !strncasecmp(s, "QUOTED-PRINTABLE", 16)) {
		p->qp = true;
	} else if (!eq && n == 6 && !strncasecmp(s, "BASE64", 6)) {
		p->binary = true;
	} else if (!eq || (kn == 4 && !strncasecmp(s, "TYPE", 4))) {
		while (vn > 0) {
			const char *comma = memchr(val, ',', vn);
			size_t wn = comma ? (size_t)(comma - val) : vn;
			add_type(p, val, wn);
			vn -= wn + (comma != NULL);
			val += wn + (comma != NULL);
		}
	}
}

/* Splits "group.NAME;PARAM;PARAM:value"; false for a line with no colon. */
static bool parse_prop(char *line, struct prop *p)
{
	memset(p, 0, sizeof *p);
	char *colon = NULL;
	bool quoted = false;
	for (char *c = line; *c && !colon; c++) {
		if (*c == '"')
			quoted = !quoted;
		else if (*c == ':' && !quoted)
			colon = c;
	}
	if (!colon)
		return false;
	*colon = '\0';
	p->value = colon + 1;
	char *semi = strchr(line, ';');
	size_t nn = semi ? (size_t)(semi - line) : strlen(line);
	char *dot = memchr(line, '.', nn);
	char *name = dot ? dot + 1 : line;
	nn -= (size_t)(name - line);
	snprintf(p->name, sizeof p->name, "%.*s", (int)nn, name);
	for (char *s = semi; s;) {
		char *next = strchr(s + 1, ';');
		param(p, s + 1, next ? (size_t)(next - s - 1) : strlen(s + 1));
		s = next;
	}
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

static void qp_decode(const char *s, struct buf *out)
{
	for (; *s; s++) {
		int hi, lo;
		if (*s == '=' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
			buf_addc(out, (char)(hi * 16 + lo));
			s += 2;
		} else {
			buf_addc(out, *s);
		}
	}
}

/* The value as UTF-8 into out; false when its bytes are not text in the
 * encoding they claim. */
static bool to_utf8(const struct table_vcf *v, const struct prop *p, struct buf *out)
{
	struct buf raw;
	buf_init(&raw, 0);
	if (p->qp)
		qp_decode(p->value, &raw);
	else
		buf_adds(&raw, p->value);
	char enc[TABLE_ENC_LEN];
	sniff_canonical_encoding(*p->charset ? p->charset : v->enc, enc);
	bool ok = true;
	if (!strcmp(enc, "UTF-8")) {
		ok = sniff_utf8_prefix((const unsigned char *)raw.p, raw.len) == raw.len;
		buf_add(out, raw.p, raw.len);
	} else {
		iconv_t cd = iconv_open("UTF-8", enc);
		ok = cd != (iconv_t)-1;
		char *in = raw.p, chunk[1024];
		size_t left = raw.len;
		while (ok && left > 0) {
			char *o = chunk;
			size_t room = sizeof chunk;
			size_t r = iconv(cd, &in, &left, &o, &room);
			buf_add(out, chunk, sizeof chunk - room);
			ok = r != (size_t)-1 || errno == E2BIG;
		}
		if (cd != (iconv_t)-1)
			iconv_close(cd);
	}
	buf_release(&raw);
	return ok;
}

/* Component i of a structured value (N, ADR, ORG: ";" between them),
 * unescaped ("\n", "\,", "\;", "\\"); list items (",") joined by sep. */
static void component(const char *s, int i, const char *sep, struct buf *out)
{
	for (int k = 0; *s && k < i; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == ';')
			k++;
	}
	for (; *s && *s != ';'; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			buf_addc(out, *s == 'n' || *s == 'N' ? '\n' : *s);
		} else if (*s == ',' && sep) {
			buf_adds(out, sep);
		} else {
			buf_addc(out, *s);
		}
	}
}

/* --- cards ---------------------------------------------------------------------- */

static void put(struct table_vcf *v, enum vcol col, const char *text, const char *sep)
{
	if (!*text)
		return;
	if (v->cells[col].len)
		buf_adds(&v->cells[col], sep);
	buf_adds(&v->cells[col], text);
}

/* A value past the fields, kept in the notes as "Phone (home): ...". */
static void put_extra(struct table_vcf *v, const char *what, const struct prop *p, const char *text)
{
	if (v->extra.len)
		buf_addc(&v->extra, '\n');
	buf_adds(&v->extra, what);
	static const char *const kinds[] = {"home", "work", "cell", "fax", "pager", "other"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (has_type(p, kinds[i])) {
			buf_printf(&v->extra, " (%s)", kinds[i]);
			break;
		}
	buf_printf(&v->extra, ": %s", text);
}

/* yyyymmdd → yyyy-mm-dd and --mmdd → --mm-dd, as the importer reads dates;
 * a time after the date is dropped. */
static void birthday(const char *s, struct buf *out)
{
	size_t n = strcspn(s, "T");
	bool digits = true;
	for (size_t i = s[0] == '-' ? 2 : 0; i < n; i++)
		digits = digits && s[i] >= '0' && s[i] <= '9';
	if (digits && n == 8)
		buf_printf(out, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
	else if (digits && n == 6 && s[0] == '-' && s[1] == '-')
		buf_printf(out, "--%.2s-%.2s", s + 2, s + 4);
	else
		buf_add(out, s, n);
}

static void take(struct table_vcf *v, const struct prop *p, const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	const char *name = p->name;
	if (!strcasecmp(name, "FN")) {
		component(text, 0, ",", &b);
		put(v, C_FN, buf_str(&b), " ");
	} else if (!strcasecmp(name, "N")) {
		component(text, 0, " ", &b);
		put(v, C_FAMILY, buf_str(&b), " ");
		buf_reset(&b);
		component(text, 1, " ", &b);
		put(v, C_GIVEN, buf_str(&b), " ");
	} else if (!strcasecmp(name, "EMAIL") || !strcasecmp(name, "TEL")) {
		bool tel = !strcasecmp(name, "TEL");
		component(text, 0, ",", &b);
		const char *s = buf_str(&b);
		if (tel && !strncasecmp(s, "tel:", 4))
			s += 4;
		enum vcol col = !tel ? (v->cells[C_EMAIL].len ? C_EMAIL2 : C_EMAIL)
				: has_type(p, "cell") || has_type(p, "mobile") ? C_MOBILE
									       : C_PHONE;
		bool fax = tel && (has_type(p, "fax") || has_type(p, "pager"));
		if (*s && (fax || v->cells[col].len))
			put_extra(v, tel ? fax ? "Fax" : "Phone" : "E-mail", p, s);
		else
			put(v, col, s, "");
	} else if (!strcasecmp(name, "ORG")) {
		component(text, 0, NULL, &b);
		put(v, C_ORG, buf_str(&b), "");
	} else if (!strcasecmp(name, "TITLE")) {
		component(text, 0, NULL, &b);
		put(v, C_TITLE, buf_str(&b), "; ");
	} else if (!strcasecmp(name, "BDAY")) {
		/* a day with no year (phones keep those) is no date: a note */
		birthday(text, &b);
		if (!strncmp(buf_str(&b), "--", 2))
			put_extra(v, "Birthday", p, buf_str(&b));
		else
			put(v, C_BDAY, buf_str(&b), "");
	} else if (!strcasecmp(name, "ADR") && !v->cells[C_CITY].len && !v->cells[C_COUNTRY].len) {
		component(text, 3, NULL, &b);
		put(v, C_CITY, buf_str(&b), "");
		buf_reset(&b);
		component(text, 6, NULL, &b);
		put(v, C_COUNTRY, buf_str(&b), "");
	} else if (!strcasecmp(name, "NOTE")) {
		component(text, 0, NULL, &b);
		put(v, C_NOTE, buf_str(&b), "\n");
	} else if (!strcasecmp(name, "CATEGORIES")) {
		component(text, 0, ",", &b);
		put(v, C_CATEGORIES, buf_str(&b), ",");
	}
	buf_release(&b);
}

static void card_reset(struct table_vcf *v)
{
	for (int i = 0; i < NCOLS; i++)
		buf_reset(&v->cells[i]);
	buf_reset(&v->extra);
}

static enum rp_err card_out(struct table_reader *t, struct table_vcf *v, struct rp_error *err)
{
	if (v->extra.len) {
		if (v->cells[C_NOTE].len)
			buf_addc(&v->cells[C_NOTE], '\n');
		buf_add(&v->cells[C_NOTE], v->extra.p, v->extra.len);
	}
	for (int i = 0; i < NCOLS; i++)
		if (table_row_add(t, v->cells[i].p ? v->cells[i].p : "", v->cells[i].len, err))
			return err->err;
	return RP_OK;
}

static int bad_line(int64_t line, const char *why, struct rp_error *err)
{
	rp_fail(err, RP_EINVAL, "not_a_vcard", "line %lld: %s", (long long)line, why);
	return -1;
}

int table_vcf_next(struct table_reader *t, int64_t *ret_line, struct rp_error *err)
{
	struct table_vcf *v = t->vcf;
	if (!v->header_out) {
		v->header_out = true;
		*ret_line = t->building = 0; /* the header is no line of the file */
		for (int i = 0; i < NCOLS; i++)
			table_row_add(t, headers[i], strlen(headers[i]), err);
		return 1;
	}
	bool in_card = false;
	for (;;) {
		int64_t line;
		int rc = logical(v, &line, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return in_card ? bad_line(line,
						  "the file ends inside a card (no END:VCARD)", err)
				       : 0;
		struct prop p;
		bool prop = v->logical.len && parse_prop(v->logical.p, &p);
		bool begin = prop && !strcasecmp(p.name, "BEGIN") && !strcasecmp(p.value, "VCARD");
		bool end = prop && !strcasecmp(p.name, "END") && !strcasecmp(p.value, "VCARD");
		if (!in_card) {
			if (begin) {
				in_card = true;
				*ret_line = t->building = line;
				card_reset(v);
			} else if (v->logical.len &&
				   strspn(v->logical.p, " \t") != v->logical.len) {
				return bad_line(line, "text outside BEGIN:VCARD ... END:VCARD",
						err);
			}
			continue;
		}
		if (end)
			return card_out(t, v, err) ? -1 : 1;
		if (begin) /* a card inside a card (vCard 2.1's AGENT) */
			return bad_line(line, "a card inside a card", err);
		bool binary = prop && (p.binary || !strcasecmp(p.name, "PHOTO") ||
				       !strcasecmp(p.name, "LOGO") ||
				       !strcasecmp(p.name, "SOUND") || !strcasecmp(p.name, "KEY"));
		if (binary || !prop)
			continue;
		if (v->over) {
			table_row_over(t, "row_too_large", TABLE_MAX_ROW);
			continue;
		}
		struct buf text;
		buf_init(&text, 0);
		if (to_utf8(v, &p, &text))
			take(v, &p, buf_str(&text));
		else if (!t->row.over) {
			t->row.over = true;
			snprintf(t->row.why_code, sizeof t->row.why_code, "bad_encoding");
			snprintf(t->row.why, sizeof t->row.why, "line %lld: %s is not text in %s",
				 (long long)line, p.name, *p.charset ? p.charset : v->enc);
		}
		buf_release(&text);
	}
}

/* --- the file ------------------------------------------------------------------- */

bool table_is_vcard(const unsigned char *p, size_t n)
{
	size_t i = n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return n - i >= 11 && !strncasecmp((const char *)p + i, "BEGIN:VCARD", 11);
}

enum rp_err table_vcf_open(struct table_reader *t, int fd, const struct table_options *opt,
			   struct rp_error *err)
{
	struct table_vcf *v = calloc(1, sizeof *v);
	if (!v)
		abort();
	t->vcf = v;
	v->fd = fd;
	v->line = 1;
	struct stat st;
	v->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	buf_init(&v->logical, TABLE_MAX_ROW + 1);
	for (int i = 0; i < NCOLS; i++)
		buf_init(&v->cells[i], TABLE_MAX_ROW);
	buf_init(&v->extra, TABLE_MAX_ROW);
	if (refill(v, err))
		return err->err;
	/* values with no CHARSET are in the file's encoding: UTF-8 since
	 * vCard 3.0, whatever the phone or Outlook wrote before */
	v->in_pos = v->in_len >= 3 && !memcmp(v->in, "\xEF\xBB\xBF", 3) ? 3 : 0;
	if (opt->encoding && *opt->encoding)
		sniff_canonical_encoding(opt->encoding, v->enc);
	else if (sniff_encoding((const unsigned char *)v->in + v->in_pos, v->in_len - v->in_pos,
				v->eof, v->enc, err))
		return err->err;
	snprintf(t->encoding, sizeof t->encoding, "%s", v->enc);
	return RP_OK;
}

double table_vcf_progress(const struct table_vcf *v)
{
	return v && v->size ? (double)v->nread / (double)v->size : 0;
}

void table_vcf_free(struct table_vcf *v)
{
	if (!v)
		return;
	close(v->fd);
	buf_release(&v->logical);
	for (int i = 0; i < NCOLS; i++)
		buf_release(&v->cells[i]);
	buf_release(&v->extra);
	free(v);
}
