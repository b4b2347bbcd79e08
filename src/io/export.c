/* export.c — the export loop shared by every format: which columns, the
 * pages read through the domain (so scope and hidden fields apply), the
 * cache of referenced records' names, and the format table. The writers
 * themselves are in export_csv.c, export_xlsx.c and export_vcf.c. */
#include "io/export_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/registry.h"

/* Features are rows: one per format. */
static const struct {
	const char *name, *alias, *content_type, *extension;
	const struct export_writer *writer;
} formats[EXPORT_FORMAT_COUNT] = {
	[EXPORT_CSV] = {"csv", NULL, "text/csv; charset=utf-8", "csv", &export_csv_writer},
	[EXPORT_XLSX] = {"xlsx", NULL,
			 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			 "xlsx", &export_xlsx_writer},
	[EXPORT_VCF] = {"vcf", "vcard", "text/vcard; charset=utf-8", "vcf", &export_vcf_writer},
};

bool export_format_from_name(const char *s, enum export_format *ret)
{
	for (int i = 0; s && i < EXPORT_FORMAT_COUNT; i++)
		if (!strcmp(s, formats[i].name) ||
		    (formats[i].alias && !strcmp(s, formats[i].alias))) {
			*ret = (enum export_format)i;
			return true;
		}
	return false;
}

const char *export_format_name(enum export_format f)
{
	return f < EXPORT_FORMAT_COUNT ? formats[f].name : "?";
}

const char *export_content_type(enum export_format f)
{
	return f < EXPORT_FORMAT_COUNT ? formats[f].content_type : "application/octet-stream";
}

const char *export_file_extension(enum export_format f)
{
	return f < EXPORT_FORMAT_COUNT ? formats[f].extension : "bin";
}

enum rp_err export_check(const struct entity_def *e, enum export_format f, struct rp_error *err)
{
	if (f == EXPORT_VCF && !(e->flags & EF_PERSON)) {
		rp_fail(err, RP_EINVAL, "invalid_format", "vCard export is for contacts and leads");
		rp_field_fail(err, "format", "invalid_value",
			      "vCard export is for contacts and leads; use csv or xlsx");
		return RP_EINVAL;
	}
	return RP_OK;
}

/* --- referenced records' names ------------------------------------------ */

#define REF_SLOTS 4096 /* direct-mapped: memory stays bounded */

struct ref_slot {
	const struct entity_def *ent;
	int64_t id;
	char *name; /* NULL: not readable by the caller */
};

struct ref_cache {
	struct ref_slot slot[REF_SLOTS];
};

static void ref_cache_free(struct ref_cache *rc)
{
	if (!rc)
		return;
	for (int i = 0; i < REF_SLOTS; i++)
		free(rc->slot[i].name);
	free(rc);
}

static char *lookup_title(struct dctx *pd, const struct entity_def *re, int64_t id)
{
	struct record *r;
	struct rp_error ignore;
	rp_error_init(&ignore);
	const struct field_def *tf = entity_field(re, re->title_field);
	if (!tf || acl_field_hidden(pd->p, re, tf) || domain_get(pd, re, id, &r, &ignore))
		return NULL;
	const char *t = record_text(r, re->title_field);
	return t ? strdup(t) : NULL;
}

/* The entity field of r refers to: its own, or the one r's related_type
 * names. */
static const struct entity_def *ref_entity(const struct export_job *j, const struct record *r,
					   const struct field_def *f)
{
	if (f->ref)
		return model_entity(f->ref);
	const char *type = field_is_related_link(j->e, f) ? record_text(r, "related_type") : NULL;
	return type ? model_entity(type) : NULL;
}

const char *export_ref_name(struct export_job *j, struct dctx *pd, const struct record *r,
			    int field)
{
	const struct field_def *f = &j->e->fields[field];
	const struct value *v = &r->v[field];
	const struct entity_def *re = ref_entity(j, r, f);
	if (!re || v->kind != V_INT)
		return NULL;
	uint64_t h = ((uint64_t)v->i * 0x9E3779B97F4A7C15ull) ^ (uint64_t)re->code;
	struct ref_slot *s = &j->refs->slot[(h >> 20) % REF_SLOTS];
	if (s->ent != re || s->id != v->i) {
		free(s->name);
		s->ent = re;
		s->id = v->i;
		s->name = lookup_title(pd, re, v->i);
	}
	return s->name ? arena_strdup(pd->a, s->name) : NULL;
}

/* --- columns ----------------------------------------------------------- */

static bool has_col(const struct export_job *j, int field)
{
	for (int k = 0; k < j->ncols; k++)
		if (j->cols[k].field == field && !j->cols[k].ref_name)
			return true;
	return false;
}

/* "account_id" → "account_name"; "created_by" → "created_by_name". */
static const char *ref_header(struct arena *a, const char *name)
{
	size_t n = strlen(name);
	if (n > 3 && !strcmp(name + n - 3, "_id"))
		n -= 3;
	return arena_printf(a, "%.*s_name", (int)n, name);
}

static void add_col(struct export_job *j, int field)
{
	if (field < 0 || !j->vis[field] || has_col(j, field))
		return;
	const struct field_def *f = &j->e->fields[field];
	bool link = f->type == FT_REF || field_is_related_link(j->e, f);
	if (j->opt->labels) {
		j->cols[j->ncols++] =
			(struct export_col){field, link, field_label_in(f, j->locale)};
		return;
	}
	j->cols[j->ncols++] = (struct export_col){field, false, f->name};
	if (link)
		j->cols[j->ncols++] =
			(struct export_col){field, true, ref_header(j->d->a, f->name)};
}

/* The columns, in the order of opt->fields (id first) or of the
 * descriptor. Names were checked by the list query's parser. */
static void plan_columns(struct export_job *j)
{
	int n = entity_nfields(j->e);
	j->cols = arena_alloc(j->d->a, sizeof *j->cols * (size_t)(2 * n));
	const char *p = j->opt->fields;
	if (!p || !*p) {
		for (int i = 0; i < n; i++)
			add_col(j, i);
		return;
	}
	add_col(j, 0);
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		add_col(j, entity_field_index(j->e, arena_strndup(j->d->a, p, len)));
		if (!comma)
			break;
		p = comma + 1;
	}
}

/* What the store reads: the columns, plus the currency that gives money
 * its decimals. NULL (every field) for vCard, whose shape is fixed. */
static void plan_fetch(struct export_job *j, struct list_query *q)
{
	if (j->opt->format == EXPORT_VCF || !j->opt->fields || !*j->opt->fields) {
		q->want = NULL;
		q->nwant = 0;
		return;
	}
	int n = entity_nfields(j->e);
	bool *want = arena_alloc(j->d->a, sizeof *want * (size_t)n);
	for (int k = 0; k < j->ncols; k++)
		want[j->cols[k].field] = true;
	int cur = entity_field_index(j->e, "currency");
	if (cur >= 0)
		want[cur] = true;
	want[0] = true;
	q->want = want;
	q->nwant = n;
}

/* --- the page loop ----------------------------------------------------- */

/* Points q's cursor after row r, copying its sort values into a. */
static void cursor_after(struct list_query *q, const struct record *r, struct arena *a)
{
	struct value *after = arena_alloc(a, sizeof *after * (size_t)q->nsort);
	for (int k = 0; k < q->nsort; k++)
		after[k] = value_copy(a, &r->v[q->sort[k].field]);
	q->after = after;
}

/* Reads the pages, each in an arena of its own, and hands every row to
 * the writer. */
static enum rp_err run_pages(struct export_job *j, const struct export_writer *w,
			     struct list_query *q, struct rp_error *err)
{
	struct arena *cursor = NULL;
	enum rp_err rc = RP_OK;
	q->after = NULL;
	for (bool more = true; more && rc == RP_OK;) {
		struct dctx pd = *j->d;
		pd.a = arena_new();
		struct record **rows;
		int n = 0;
		q->limit = EXPORT_PAGE;
		rc = domain_list(&pd, q, &rows, &n, &more, err);
		for (int i = 0; rc == RP_OK && i < n; i++, j->rows++)
			rc = w->row(j, &pd, rows[i], err);
		if (rc == RP_OK && more && n > 0) {
			struct arena *next = arena_new();
			cursor_after(q, rows[n - 1], next);
			arena_free(cursor);
			cursor = next;
		}
		more = more && n > 0;
		arena_free(pd.a);
	}
	q->after = NULL;
	arena_free(cursor);
	return rc;
}

enum rp_err export_write(struct dctx *d, struct list_query *q, const struct export_options *opt,
			 FILE *out, int64_t *ret_rows, struct rp_error *err)
{
	const struct entity_def *e = q->ent;
	if (opt->format >= EXPORT_FORMAT_COUNT || export_check(e, opt->format, err))
		return err->err ? err->err : RP_EINVAL;
	const struct export_writer *w = formats[opt->format].writer;
	struct export_job j = {.d = d, .e = e, .opt = opt, .out = out};
	j.vis = acl_visible_fields(d, e);
	j.refs = calloc(1, sizeof *j.refs);
	if (!j.refs)
		abort();
	j.currency = entity_field_index(e, "currency");
	j.locale = opt->labels ? domain_locale(d->p) : NULL;
	plan_columns(&j);
	plan_fetch(&j, q);
	/* one read transaction: every page comes from the same snapshot */
	enum rp_err rc = store_begin(d->c, false, err);
	if (rc == RP_OK) {
		rc = w->begin(&j, err);
		if (rc == RP_OK)
			rc = run_pages(&j, w, q, err);
		store_commit(d->c, NULL);
		if (rc == RP_OK)
			rc = w->end(&j, err);
		else if (w->abort)
			w->abort(&j);
	}
	ref_cache_free(j.refs);
	if (rc == RP_OK && ret_rows)
		*ret_rows = j.rows;
	return rc;
}

/* --- helpers for the writers -------------------------------------------- */

const char *export_value_text(const struct field_def *f, const struct value *v, struct arena *a,
			      size_t *ret_len)
{
	const char *s = "";
	switch (v->kind) {
	case V_NULL: break;
	case V_TEXT: *ret_len = v->len; return v->s;
	case V_INT:
		s = f->type == FT_BOOL ? (v->i ? "true" : "false")
				       : arena_printf(a, "%lld", (long long)v->i);
		break;
	case V_REAL:
		/* the shortest of %.15g..%.17g that reads back as the same double */
		for (int prec = 15; prec <= 17; prec++) {
			s = arena_printf(a, "%.*g", prec, v->d);
			if (strtod(s, NULL) == v->d)
				break;
		}
		break;
	}
	*ret_len = strlen(s);
	return s;
}

const char *export_choice_label(const struct export_job *j, const struct field_def *f,
				const struct value *v)
{
	if (!j->opt->labels || f->type != FT_ENUM || v->kind != V_TEXT)
		return NULL;
	return enum_label_in(f, v->s, j->locale);
}

const char *export_record_currency(const struct export_job *j, const struct record *r)
{
	int i = j->currency;
	return i >= 0 && i < r->n && r->v[i].kind == V_TEXT ? r->v[i].s : NULL;
}

const char *export_field_text(const struct export_job *j, const struct record *r, const char *name)
{
	int i = entity_field_index(j->e, name);
	if (i < 0 || i >= r->n || !j->vis[i] || r->v[i].kind != V_TEXT || !r->v[i].len)
		return NULL;
	return r->v[i].s;
}

enum rp_err export_copy_file(FILE *in, FILE *out, struct rp_error *err)
{
	char chunk[65536];
	size_t n;
	rewind(in);
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		if (fwrite(chunk, 1, n, out) != n)
			break;
	if (ferror(in) || ferror(out))
		return rp_fail(err, RP_EIO, "export_failed",
			       "the export file could not be written");
	return RP_OK;
}

FILE *export_tmpfile(const char *dir)
{
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	/* O_TMPFILE: never visible in the folder, gone when closed */
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		char path[4096];
		snprintf(path, sizeof path, "%s/rapport-export-XXXXXX", dir);
		fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w+b");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}
