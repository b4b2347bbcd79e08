/* table_xlsx_part.c — reading the XML parts of an .xlsx safely: each zip
 * entry goes through libxml2's streaming reader (never a DOM), with its
 * declared size and compression ratio checked before inflating and the
 * bytes actually inflated counted while reading (zip bombs); no network,
 * no DTD, no entity expansion (XXE, billion laughs). Also the two parts
 * loaded whole before the sheet: shared strings and cell styles. */
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <string.h>
#include <zip.h>

#include "io/table_internal.h"

/* Real sheets compress 5-100:1; deflate's ceiling is about 1030:1, which
 * only long runs of one byte reach, so past 1000:1 it is a bomb. */
#define XLSX_MAX_RATIO	 1000
#define XLSX_RATIO_FLOOR ((uint64_t)1 << 20)

/* No NOENT (entities stay unexpanded), no DTDLOAD / DTDATTR (no external
 * subset is fetched), NONET (no network, should anything ask). */
#define XLSX_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser(); /* once, before threads race to do it */
}

static int part_read(void *ctx, char *buffer, int len)
{
	struct xlsx_part *p = ctx;
	zip_int64_t n = zip_fread(p->zf, buffer, (zip_uint64_t)len);
	if (n < 0) {
		p->io_error = true;
		return -1;
	}
	p->inflated += (uint64_t)n;
	if (p->inflated > p->declared || p->inflated > p->limit) {
		p->too_large = true;
		return -1;
	}
	return (int)n;
}

static int part_close(void *ctx)
{
	struct xlsx_part *p = ctx;
	if (p->zf)
		zip_fclose(p->zf);
	p->zf = NULL;
	return 0;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct xlsx_part *p = ctx;
	if (p->xml_error[0] || e->level < XML_ERR_ERROR)
		return;
	snprintf(p->xml_error, sizeof p->xml_error, "%s", e->message ? e->message : "error");
	size_t n = strlen(p->xml_error);
	while (n > 0 && (p->xml_error[n - 1] == '\n' || p->xml_error[n - 1] == ' '))
		p->xml_error[--n] = '\0';
	p->xml_line = e->line;
}

static enum rp_err check_size(const struct xlsx_part *p, const zip_stat_t *st, struct rp_error *err)
{
	if (!(st->valid & ZIP_STAT_SIZE) || !(st->valid & ZIP_STAT_COMP_SIZE))
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "%s: no size in the zip", p->name);
	if (st->size > p->limit)
		return rp_fail(err, RP_EINVAL, "xlsx_too_large",
			       "%s would inflate to %llu bytes; the limit is %llu", p->name,
			       (unsigned long long)st->size, (unsigned long long)p->limit);
	uint64_t comp = st->comp_size ? st->comp_size : 1;
	if (st->size > XLSX_RATIO_FLOOR && st->size / comp > XLSX_MAX_RATIO)
		return rp_fail(err, RP_EINVAL, "xlsx_too_large",
			       "%s is compressed %llu:1, which no real sheet is", p->name,
			       (unsigned long long)(st->size / comp));
	return RP_OK;
}

enum rp_err xlsx_part_open(struct zip *z, const char *name, uint64_t limit, struct xlsx_part *p,
			   struct rp_error *err)
{
	memset(p, 0, sizeof *p);
	p->name = name;
	p->limit = limit;
	zip_int64_t idx = zip_name_locate(z, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return RP_ENOTFOUND;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) != 0)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "%s: %s", name,
			       zip_error_strerror(zip_get_error(z)));
	enum rp_err rc = check_size(p, &st, err);
	if (rc)
		return rc;
	p->declared = st.size;
	p->zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
	if (!p->zf)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "%s: %s", name,
			       zip_error_strerror(zip_get_error(z)));
	pthread_once(&xml_once, xml_init);
	/* from here the reader owns zf: it calls part_close, even on failure */
	p->r = xmlReaderForIO(part_read, part_close, p, name, NULL, XLSX_XML_OPTIONS);
	if (!p->r)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "%s: cannot start the XML reader", name);
	xmlTextReaderSetStructuredErrorHandler(p->r, on_xml_error, p);
	return RP_OK;
}

int xlsx_part_read(struct xlsx_part *p, struct rp_error *err)
{
	int rc = xmlTextReaderRead(p->r);
	if (rc == 1 && xmlTextReaderNodeType(p->r) == XML_READER_TYPE_DOCUMENT_TYPE) {
		rp_fail(err, RP_EINVAL, "bad_xlsx",
			"%s declares a DTD, which spreadsheets never do: refused", p->name);
		return -1;
	}
	if (rc >= 0)
		return rc;
	if (p->too_large)
		rp_fail(err, RP_EINVAL, "xlsx_too_large",
			"%s inflates past its declared size or the limit (%llu bytes)", p->name,
			(unsigned long long)(p->declared < p->limit ? p->declared : p->limit));
	else if (p->io_error)
		rp_fail(err, RP_EINVAL, "bad_xlsx", "%s: cannot inflate (damaged zip?)", p->name);
	else
		rp_fail(err, RP_EINVAL, "bad_xlsx", "%s line %d: %s", p->name, p->xml_line,
			p->xml_error[0] ? p->xml_error : "malformed XML");
	return -1;
}

void xlsx_part_close(struct xlsx_part *p)
{
	if (p->r)
		xmlFreeTextReader(p->r); /* closes zf through part_close */
	else
		part_close(p);
	p->r = NULL;
}

/* --- the current node ------------------------------------------------------- */

int xlsx_type(const struct xlsx_part *p)
{
	return xmlTextReaderNodeType(p->r);
}

static bool named(const struct xlsx_part *p, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(p->r);
	return n && strcmp((const char *)n, local) == 0;
}

bool xlsx_start(const struct xlsx_part *p, const char *local)
{
	return xlsx_type(p) == XML_READER_TYPE_ELEMENT && named(p, local);
}

bool xlsx_end(const struct xlsx_part *p, const char *local)
{
	return xlsx_type(p) == XML_READER_TYPE_END_ELEMENT && named(p, local);
}

bool xlsx_empty(const struct xlsx_part *p)
{
	return xmlTextReaderIsEmptyElement(p->r) == 1;
}

bool xlsx_is_text(const struct xlsx_part *p)
{
	int type = xlsx_type(p);
	return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	       type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

const char *xlsx_text(const struct xlsx_part *p)
{
	const xmlChar *v = xmlTextReaderConstValue(p->r);
	return v ? (const char *)v : "";
}

bool xlsx_attr(const struct xlsx_part *p, const char *local, char *out, size_t cap)
{
	bool found = false;
	/* the value pointer may be the reader's scratch buffer: copy it now;
	 * xmlns:r="..." has the local name "r" too, but is no attribute */
	for (int rc = xmlTextReaderMoveToFirstAttribute(p->r); rc == 1 && !found;
	     rc = xmlTextReaderMoveToNextAttribute(p->r)) {
		if (xmlTextReaderIsNamespaceDecl(p->r) != 1 && named(p, local)) {
			snprintf(out, cap, "%s", xlsx_text(p));
			found = true;
		}
	}
	xmlTextReaderMoveToElement(p->r);
	return found;
}

/* --- shared strings ----------------------------------------------------------- */

static void strings_push(struct xlsx_strings *ss, size_t start)
{
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 1024;
		ss->off = realloc(ss->off, ss->cap * sizeof *ss->off);
		if (!ss->off)
			abort();
	}
	buf_addc(&ss->data, '\0');
	ss->off[ss->n++] = (uint32_t)start;
}

/* Each <si> is one string: its <t>, or its rich-text runs' <t>s joined;
 * the phonetic guide (<rPh>, Japanese furigana) is not part of the text. */
static int strings_parse(struct xlsx_part *p, struct xlsx_strings *ss, struct rp_error *err)
{
	bool in_si = false, in_t = false, in_rph = false;
	size_t start = 0;
	int rc;
	while ((rc = xlsx_part_read(p, err)) == 1) {
		if (xlsx_start(p, "si")) {
			start = ss->data.len;
			if (xlsx_empty(p))
				strings_push(ss, start);
			else
				in_si = true;
		} else if (xlsx_end(p, "si") && in_si) {
			strings_push(ss, start);
			in_si = in_t = in_rph = false;
		} else if (xlsx_start(p, "rPh") && !xlsx_empty(p)) {
			in_rph = true;
		} else if (xlsx_end(p, "rPh")) {
			in_rph = false;
		} else if (xlsx_start(p, "t") && in_si && !in_rph && !xlsx_empty(p)) {
			in_t = true;
		} else if (xlsx_end(p, "t")) {
			in_t = false;
		} else if (in_t && xlsx_is_text(p)) {
			xlsx_add_text(&ss->data, xlsx_text(p));
		}
	}
	return rc;
}

enum rp_err xlsx_load_strings(struct zip *z, const char *name, struct xlsx_strings *ss,
			      struct rp_error *err)
{
	buf_init(&ss->data, XLSX_MAX_STRINGS + 1);
	struct xlsx_part p;
	enum rp_err rc = xlsx_part_open(z, name, XLSX_MAX_STRINGS, &p, err);
	if (rc == RP_ENOTFOUND)
		return RP_OK; /* a workbook with no text has none */
	if (rc)
		return rc;
	int r = strings_parse(&p, ss, err);
	xlsx_part_close(&p);
	if (r < 0)
		return RP_EINVAL;
	if (ss->data.overflow)
		return rp_fail(err, RP_EINVAL, "xlsx_too_large", "%s: more than %llu bytes of text",
			       name, (unsigned long long)XLSX_MAX_STRINGS);
	return RP_OK;
}

const char *xlsx_string(const struct xlsx_strings *ss, size_t i)
{
	return i < ss->n ? ss->data.p + ss->off[i] : NULL;
}

void xlsx_strings_release(struct xlsx_strings *ss)
{
	buf_release(&ss->data);
	free(ss->off);
	ss->off = NULL;
	ss->n = ss->cap = 0;
}

/* --- styles: which cellXfs show dates ----------------------------------------- */

#define XLSX_MAX_FORMATS 4096
#define XLSX_MAX_XFS	 65536 /* Excel's own limit is 64,000 */

struct numfmt {
	int id;
	bool date;
};

struct styles_parse {
	struct numfmt fmts[XLSX_MAX_FORMATS]; /* the workbook's own formats */
	int nfmts;
	bool in_xfs;
};

static int attr_int(const struct xlsx_part *p, const char *local, int def)
{
	char v[24];
	if (!xlsx_attr(p, local, v, sizeof v))
		return def;
	char *end;
	long n = strtol(v, &end, 10);
	return (end == v || *end || n < 0 || n > 1000000) ? def : (int)n;
}

static bool fmt_is_date(const struct styles_parse *sp, int id)
{
	/* a workbook may redefine a built-in id */
	for (int i = 0; i < sp->nfmts; i++)
		if (sp->fmts[i].id == id)
			return sp->fmts[i].date;
	return xlsx_builtin_is_date(id);
}

static void styles_add_xf(struct xlsx_styles *st, bool date)
{
	if (st->n >= XLSX_MAX_XFS)
		return;
	if ((st->n & (st->n - 1)) == 0) { /* at 0 and each power of two */
		st->date = realloc(st->date, (st->n ? st->n * 2 : 16) * sizeof *st->date);
		if (!st->date)
			abort();
	}
	st->date[st->n++] = date;
}

static void styles_node(struct xlsx_part *p, struct styles_parse *sp, struct xlsx_styles *st)
{
	if (xlsx_start(p, "numFmt") && sp->nfmts < XLSX_MAX_FORMATS) {
		char code[256] = "";
		xlsx_attr(p, "formatCode", code, sizeof code);
		sp->fmts[sp->nfmts++] =
			(struct numfmt){attr_int(p, "numFmtId", -1), xlsx_format_is_date(code)};
	} else if (xlsx_start(p, "cellXfs")) {
		sp->in_xfs = !xlsx_empty(p);
	} else if (xlsx_end(p, "cellXfs")) {
		sp->in_xfs = false;
	} else if (sp->in_xfs && xlsx_start(p, "xf")) {
		styles_add_xf(st, fmt_is_date(sp, attr_int(p, "numFmtId", 0)));
	}
}

enum rp_err xlsx_load_styles(struct zip *z, const char *name, struct xlsx_styles *st,
			     struct rp_error *err)
{
	struct xlsx_part p;
	enum rp_err rc = xlsx_part_open(z, name, XLSX_MAX_SMALL, &p, err);
	if (rc == RP_ENOTFOUND)
		return RP_OK; /* no styles: no dates, numbers stay numbers */
	if (rc)
		return rc;
	struct styles_parse *sp = calloc(1, sizeof *sp);
	if (!sp)
		abort();
	int r;
	while ((r = xlsx_part_read(&p, err)) == 1)
		styles_node(&p, sp, st);
	free(sp);
	xlsx_part_close(&p);
	return r < 0 ? RP_EINVAL : RP_OK;
}

bool xlsx_style_is_date(const struct xlsx_styles *st, size_t s)
{
	return s < st->n && st->date[s];
}

void xlsx_styles_release(struct xlsx_styles *st)
{
	free(st->date);
	st->date = NULL;
	st->n = 0;
}
