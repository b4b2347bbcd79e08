/* export_internal.h — shared by the export writers in src/io only: the
 * job (columns, the caller, the output) and the writer table. */
#pragma once
#include "io/export.h"

/* One output column: a field's value, or the readable name of the record
 * a reference field points at. */
struct export_col {
	int field;
	bool ref_name;
	const char *header;
};

struct ref_cache;

struct export_job {
	struct dctx *d; /* the caller; d->a lives as long as the export */
	const struct entity_def *e;
	const struct export_options *opt;
	const bool *vis; /* fields the caller may see */
	struct export_col *cols;
	int ncols;
	struct ref_cache *refs;
	int currency;	    /* field index of the entity's currency, or -1 */
	const char *locale; /* of the labels, when the options ask for them */
	FILE *out;
	int64_t rows;
	void *state; /* the writer's own */
};

/* A format's writer: begin once, row per record, end once on success;
 * abort instead of end after a failure (may be NULL). pd is the page's
 * context: its arena is freed after the page. */
struct export_writer {
	enum rp_err (*begin)(struct export_job *j, struct rp_error *err);
	enum rp_err (*row)(struct export_job *j, struct dctx *pd, const struct record *r,
			   struct rp_error *err);
	enum rp_err (*end)(struct export_job *j, struct rp_error *err);
	void (*abort)(struct export_job *j);
};

extern const struct export_writer export_csv_writer;
extern const struct export_writer export_xlsx_writer;
extern const struct export_writer export_vcf_writer;

/* The title of the record r's reference field (index field) points at —
 * an activity's related_id: the record of its related_type —, if the
 * caller may read it; NULL otherwise. Looked up once per export (a
 * bounded cache); the string is owned by pd->a. */
const char *export_ref_name(struct export_job *j, struct dctx *pd, const struct record *r,
			    int field);

/* A value as CSV text: integers in decimal, reals in the shortest form
 * that reads back exactly, booleans true/false; NULL is "". Owned by a. */
const char *export_value_text(const struct field_def *f, const struct value *v, struct arena *a,
			      size_t *ret_len);

/* A labelled export's word for a picklist value v of f in the caller's
 * language ("Телефон" for phone), or NULL: write the value itself. */
const char *export_choice_label(const struct export_job *j, const struct field_def *f,
				const struct value *v);

/* The currency code of r (which gives its money fields their decimals),
 * or NULL when the entity has none or r's is empty. Borrowed from r. */
const char *export_record_currency(const struct export_job *j, const struct record *r);

/* The text of field `name` of r when the caller may see it, else NULL. */
const char *export_field_text(const struct export_job *j, const struct record *r, const char *name);

/* Copies a file (from its start) to out; RP_EIO on failure. */
enum rp_err export_copy_file(FILE *in, FILE *out, struct rp_error *err);
