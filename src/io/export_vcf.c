/* export_vcf.c — the vCard writer of the exporter: one vCard 4.0 per
 * contact or lead (FN, N, EMAIL, TEL, ORG, TITLE, BDAY, ADR, NOTE,
 * CATEGORIES, UID, REV), from the fields the caller may see. */
#include <jansson.h>
#include <string.h>

#include "io/export_internal.h"
#include "io/vcard.h"
#include "model/registry.h"

static enum rp_err vcf_begin(struct export_job *j, struct rp_error *err)
{
	j->state = arena_alloc(j->d->a, sizeof(struct buf));
	buf_init(j->state, 0);
	return RP_OK;
}

/* "1985-04-12" → "19850412"; "2026-11-22T15:24:13Z" → "20261122T152413Z"
 * (RFC 6350's basic ISO 8601 forms). */
static const char *basic_iso(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *w = out;
	for (const char *p = s; *p; p++)
		if (*p != '-' && *p != ':')
			*w++ = *p;
	*w = '\0';
	return out;
}

/* N: family;given;additional;prefixes;suffixes. */
static void put_n(struct export_job *j, struct vcard *v, const struct record *r)
{
	vcard_prop(v, "N");
	vcard_text(v, export_field_text(j, r, "family_name"));
	vcard_raw(v, ";");
	vcard_text(v, export_field_text(j, r, "given_name"));
	vcard_raw(v, ";;;");
	vcard_end_prop(v);
}

/* ADR: pobox;ext;street;locality;region;code;country. */
static void put_adr(struct export_job *j, struct vcard *v, const struct record *r)
{
	const char *city = export_field_text(j, r, "city");
	const char *country = export_field_text(j, r, "country");
	if (!city && !country)
		return;
	vcard_prop(v, "ADR");
	vcard_raw(v, ";;;");
	vcard_text(v, city);
	vcard_raw(v, ";;;");
	vcard_text(v, country);
	vcard_end_prop(v);
}

/* CATEGORIES from the tags (a JSON array of strings). */
static void put_categories(struct export_job *j, struct vcard *v, const struct record *r)
{
	const char *tags = export_field_text(j, r, "tags");
	json_t *arr = tags ? json_loads(tags, 0, NULL) : NULL;
	size_t i;
	json_t *t;
	if (json_array_size(arr) > 0) {
		vcard_prop(v, "CATEGORIES");
		json_array_foreach(arr, i, t)
		{
			if (i)
				vcard_raw(v, ",");
			vcard_text(v, json_string_value(t));
		}
		vcard_end_prop(v);
	}
	json_decref(arr);
}

static void put_org(struct export_job *j, struct dctx *pd, struct vcard *v, const struct record *r)
{
	int i = entity_field_index(j->e, "account_id");
	if (i >= 0 && j->vis[i]) {
		vcard_text_prop(v, "ORG", export_ref_name(j, pd, r, i));
		return;
	}
	vcard_text_prop(v, "ORG", export_field_text(j, r, "company")); /* leads */
}

static void put_dates(struct export_job *j, struct dctx *pd, struct vcard *v,
		      const struct record *r)
{
	const char *bday = export_field_text(j, r, "birthday");
	const char *rev = export_field_text(j, r, "updated_at");
	if (bday)
		vcard_text_prop(v, "BDAY", basic_iso(pd->a, bday));
	if (rev)
		vcard_text_prop(v, "REV", basic_iso(pd->a, rev));
}

static void put_card(struct export_job *j, struct dctx *pd, struct vcard *v, const struct record *r)
{
	vcard_text_prop(v, "KIND", "individual");
	vcard_text_prop(v, "FN", export_field_text(j, r, "name"));
	put_n(j, v, r);
	vcard_text_prop(v, "EMAIL;PREF=1", export_field_text(j, r, "email"));
	vcard_text_prop(v, "EMAIL", export_field_text(j, r, "email2"));
	vcard_text_prop(v, "TEL;TYPE=voice", export_field_text(j, r, "phone"));
	vcard_text_prop(v, "TEL;TYPE=cell", export_field_text(j, r, "mobile"));
	put_org(j, pd, v, r);
	vcard_text_prop(v, "TITLE", export_field_text(j, r, "title"));
	put_dates(j, pd, v, r);
	put_adr(j, v, r);
	vcard_text_prop(v, "NOTE", export_field_text(j, r, "description"));
	put_categories(j, v, r);
	/* a URN of our own: stable for the record, so a re-import or a
	 * CardDAV sync updates the card instead of adding another */
	vcard_prop(v, "UID");
	vcard_raw(v, arena_printf(pd->a, "urn:rapport:%s:%lld", j->e->name,
				  (long long)record_int(r, "id")));
	vcard_end_prop(v);
}

static enum rp_err vcf_row(struct export_job *j, struct dctx *pd, const struct record *r,
			   struct rp_error *err)
{
	struct buf *b = j->state;
	struct vcard v;
	buf_reset(b);
	vcard_begin(&v, b);
	put_card(j, pd, &v, r);
	vcard_end(&v);
	if (fwrite(b->p, 1, b->len, j->out) != b->len)
		return rp_fail(err, RP_EIO, "export_failed",
			       "the export file could not be written");
	return RP_OK;
}

static enum rp_err vcf_end(struct export_job *j, struct rp_error *err)
{
	buf_release(j->state);
	fflush(j->out);
	if (ferror(j->out))
		return rp_fail(err, RP_EIO, "export_failed",
			       "the export file could not be written");
	return RP_OK;
}

static void vcf_abort(struct export_job *j)
{
	buf_release(j->state);
}

const struct export_writer export_vcf_writer = {vcf_begin, vcf_row, vcf_end, vcf_abort};
