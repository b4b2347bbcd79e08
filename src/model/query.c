/* query.c — parsing list parameters into a struct list_query, and the
 * keyset cursor (sort signature plus the last row's sort values, as
 * base64url JSON, so a cursor from another sort is refused). */
#include "model/query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/codec.h"
#include "model/registry.h"

static const char *const op_names[OP_COUNT] = {
	"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "prefix", "null",
};

const char *filter_op_name(enum filter_op op)
{
	return op < OP_COUNT ? op_names[op] : "?";
}

static bool op_from_name(const char *s, size_t n, enum filter_op *ret)
{
	for (int i = 0; i < OP_COUNT; i++)
		if (strlen(op_names[i]) == n && !memcmp(op_names[i], s, n)) {
			*ret = (enum filter_op)i;
			return true;
		}
	return false;
}

static bool op_fits_type(enum filter_op op, enum field_type t)
{
	switch (op) {
	case OP_CONTAINS: return field_is_text(t) && t != FT_DATE && t != FT_DATETIME;
	case OP_PREFIX: return field_is_text(t) && t != FT_TAGS;
	case OP_LT:
	case OP_LTE:
	case OP_GT:
	case OP_GTE: return t != FT_BOOL && t != FT_TAGS && t != FT_ENUM;
	default: return true;
	}
}

static enum rp_err parse_in_values(const struct field_def *f, const char *v, struct arena *a,
				   struct filter *flt, struct rp_error *err)
{
	flt->vals = arena_alloc(a, sizeof *flt->vals * QUERY_MAX_IN);
	const char *p = v;
	while (true) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (flt->nvals == QUERY_MAX_IN)
			return rp_fail(err, RP_EINVAL, "invalid_filter",
				       "%s[in] takes at most %d values", f->name, QUERY_MAX_IN);
		char *item = arena_strndup(a, p, n);
		if (model_convert_text(f, item, a, &flt->vals[flt->nvals++], err))
			return RP_EINVAL;
		if (!comma)
			return RP_OK;
		p = comma + 1;
	}
}

/* A time compared with a date (created_at[gte]=2026-01-01) is compared
 * with that day in UTC, from its first second through its last; eq is the
 * whole day (a second filter, which *ret_extra counts). */
static enum rp_err day_bound(const struct field_def *f, enum filter_op op, const char *day,
			     struct arena *a, struct list_query *q, struct filter *flt,
			     int *ret_extra, struct rp_error *err)
{
	char first[32], last[32];
	snprintf(first, sizeof first, "%sT00:00:00Z", day);
	snprintf(last, sizeof last, "%sT23:59:59Z", day);
	if (op == OP_NE)
		return rp_fail(err, RP_EINVAL, "invalid_filter",
			       "%s[ne] takes a time; for other days than %s use [lt] and [gt]",
			       f->name, day);
	if (op == OP_EQ) {
		if (q->nfilters + 1 >= QUERY_MAX_FILTERS)
			return rp_fail(err, RP_EINVAL, "invalid_filter", "at most %d filters",
				       QUERY_MAX_FILTERS);
		struct filter *to = &q->filters[q->nfilters + 1];
		*to = (struct filter){flt->field, OP_LTE, arena_alloc(a, sizeof *to->vals), 1};
		if (model_convert_text(f, last, a, &to->vals[0], err))
			return RP_EINVAL;
		*ret_extra = 1;
		op = OP_GTE;
	}
	flt->op = op;
	flt->vals = arena_alloc(a, sizeof *flt->vals);
	flt->nvals = 1;
	return model_convert_text(f, op == OP_GTE || op == OP_LT ? first : last, a, &flt->vals[0],
				  err);
}

static enum rp_err parse_filter(const struct entity_def *e, const char *key, const char *v,
				struct arena *a, struct list_query *q, struct rp_error *err)
{
	const char *br = strchr(key, '[');
	size_t nlen = br ? (size_t)(br - key) : strlen(key);
	char *name = arena_strndup(a, key, nlen);
	enum filter_op op = OP_EQ;
	if (br) {
		size_t olen = strlen(br + 1);
		if (olen < 2 || br[olen] != ']' || !op_from_name(br + 1, olen - 1, &op))
			return rp_fail(err, RP_EINVAL, "invalid_filter",
				       "unknown filter operator in %s; use one of "
				       "eq ne lt lte gt gte in contains prefix null",
				       key);
	}
	int fi = entity_field_index(e, name);
	if (fi < 0)
		return rp_fail(err, RP_EINVAL, "invalid_filter", "%s has no field %s", e->name,
			       name);
	const struct field_def *f = &e->fields[fi];
	if ((f->flags & FF_NOFILTER) || !field_readable(f) || !op_fits_type(op, f->type))
		return rp_fail(err, RP_EINVAL, "invalid_filter", "%s cannot be filtered with %s",
			       name, op_names[op]);
	if (q->nfilters == QUERY_MAX_FILTERS)
		return rp_fail(err, RP_EINVAL, "invalid_filter", "at most %d filters",
			       QUERY_MAX_FILTERS);
	struct filter *flt = &q->filters[q->nfilters];
	flt->field = fi;
	flt->op = op;
	int extra = 0;
	bool day = f->type == FT_DATETIME && op != OP_IN && op != OP_NULL && op != OP_CONTAINS &&
		   op != OP_PREFIX && clock_valid_date(v);
	if (day) {
		if (day_bound(f, op, v, a, q, flt, &extra, err)) {
			if (err->nfields)
				goto bad;
			return err->err;
		}
	} else if (op == OP_IN) {
		if (parse_in_values(f, v, a, flt, err))
			goto bad;
	} else if (op == OP_NULL) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return rp_fail(err, RP_EINVAL, "invalid_filter",
				       "%s[null] takes true or false", name);
		flt->vals = arena_alloc(a, sizeof *flt->vals);
		flt->vals[0] = (struct value){.kind = V_INT, .i = !strcmp(v, "true")};
		flt->nvals = 1;
	} else {
		flt->vals = arena_alloc(a, sizeof *flt->vals);
		flt->nvals = 1;
		/* contains/prefix match part of a value, so only the type's
		 * basic shape is checked, not e.g. the e-mail syntax. */
		struct field_def loose = *f;
		if (op == OP_CONTAINS || op == OP_PREFIX || f->type == FT_TAGS)
			loose.type = FT_TEXT;
		if (model_convert_text(&loose, v, a, &flt->vals[0], err))
			goto bad;
	}
	q->nfilters += 1 + extra;
	return RP_OK;
bad:
	/* Field errors from conversion become one filter problem. */
	err->err = RP_EINVAL;
	snprintf(err->code, sizeof err->code, "invalid_filter");
	snprintf(err->detail, sizeof err->detail, "bad value for %s: %s", key,
		 err->nfields ? err->fields[0].message : "invalid");
	return RP_EINVAL;
}

static enum rp_err parse_sort(const struct entity_def *e, const char *v, struct arena *a,
			      struct list_query *q, struct rp_error *err)
{
	q->nsort = 0;
	const char *p = v;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool desc = n && *p == '-';
		char *name = arena_strndup(a, p + desc, n - desc);
		int fi = entity_field_index(e, name);
		if (fi < 0 || !field_readable(&e->fields[fi]) || e->fields[fi].type == FT_JSON ||
		    e->fields[fi].type == FT_TAGS)
			return rp_fail(err, RP_EINVAL, "invalid_sort", "cannot sort %s by %s",
				       e->name, name);
		if (q->nsort == QUERY_MAX_SORT)
			return rp_fail(err, RP_EINVAL, "invalid_sort", "at most %d sort keys",
				       QUERY_MAX_SORT);
		q->sort[q->nsort++] = (struct sort_key){fi, desc};
		if (!strcmp(name, "id"))
			return comma ? rp_fail(err, RP_EINVAL, "invalid_sort",
					       "id must be the last sort key")
				     : RP_OK;
		if (!comma)
			break;
		p = comma + 1;
	}
	/* id breaks ties in the direction of the last key: an index on that
	 * key ends in the row id, so it gives the whole order without a sort
	 * of each run of equal values (3 % of a page of -created_at) */
	q->sort[q->nsort] = (struct sort_key){0, q->nsort > 0 && q->sort[q->nsort - 1].desc};
	q->nsort++;
	return RP_OK;
}

static void sort_signature(const struct list_query *q, struct buf *b)
{
	for (int i = 0; i < q->nsort; i++) {
		if (i)
			buf_addc(b, ',');
		if (q->sort[i].desc)
			buf_addc(b, '-');
		buf_adds(b, q->ent->fields[q->sort[i].field].name);
	}
}

const char *model_encode_cursor(const struct list_query *q, const struct record *r, struct arena *a)
{
	struct buf sig, out;
	buf_init(&sig, 0);
	buf_init(&out, 0);
	sort_signature(q, &sig);
	json_t *vals = json_array();
	for (int i = 0; i < q->nsort; i++) {
		const struct field_def *f = &q->ent->fields[q->sort[i].field];
		const struct value *v = &r->v[q->sort[i].field];
		json_array_append_new(vals, v->kind == V_TEXT ? json_stringn(v->s, v->len)
							      : model_value_json(f, v));
	}
	json_t *c = json_pack("{s:s, s:o}", "s", buf_str(&sig), "v", vals);
	char *txt = json_dumps(c, JSON_COMPACT);
	base64url_encode(&out, txt, strlen(txt));
	const char *res = arena_strdup(a, buf_str(&out));
	free(txt);
	json_decref(c);
	buf_release(&sig);
	buf_release(&out);
	return res;
}

static enum rp_err cursor_value(const struct field_def *f, json_t *j, struct arena *a,
				struct value *ret)
{
	if (json_is_null(j)) {
		*ret = (struct value){.kind = V_NULL};
		return RP_OK;
	}
	if (json_is_string(j) && field_is_text(f->type)) {
		*ret = (struct value){
			.kind = V_TEXT,
			.s = arena_strndup(a, json_string_value(j), json_string_length(j)),
			.len = json_string_length(j)};
		return RP_OK;
	}
	if (json_is_integer(j) && !field_is_text(f->type) && f->type != FT_NUMBER) {
		*ret = (struct value){.kind = V_INT, .i = json_integer_value(j)};
		return RP_OK;
	}
	if (json_is_boolean(j) && f->type == FT_BOOL) {
		*ret = (struct value){.kind = V_INT, .i = json_is_true(j)};
		return RP_OK;
	}
	if (json_is_number(j) && f->type == FT_NUMBER) {
		*ret = (struct value){.kind = V_REAL, .d = json_number_value(j)};
		return RP_OK;
	}
	return RP_EINVAL;
}

static enum rp_err parse_cursor(const char *s, struct arena *a, struct list_query *q,
				struct rp_error *err)
{
	struct buf raw, sig;
	buf_init(&raw, 4096);
	buf_init(&sig, 0);
	json_t *c = NULL;
	enum rp_err rc = RP_EINVAL;
	if (!base64url_decode(&raw, s, strlen(s)) || raw.overflow)
		goto out;
	c = json_loadb(buf_str(&raw), raw.len, JSON_REJECT_DUPLICATES, NULL);
	json_t *vals = json_object_get(c, "v");
	const char *got = json_string_value(json_object_get(c, "s"));
	sort_signature(q, &sig);
	if (!got || strcmp(got, buf_str(&sig)) || !json_is_array(vals) ||
	    json_array_size(vals) != (size_t)q->nsort)
		goto out;
	q->after = arena_alloc(a, sizeof *q->after * (size_t)q->nsort);
	for (int i = 0; i < q->nsort; i++)
		if (cursor_value(&q->ent->fields[q->sort[i].field], json_array_get(vals, (size_t)i),
				 a, &q->after[i]))
			goto out;
	rc = RP_OK;
out:
	json_decref(c);
	buf_release(&raw);
	buf_release(&sig);
	if (rc)
		rp_fail(err, RP_EINVAL, "invalid_cursor",
			"the cursor is not valid for this list and sort");
	return rc;
}

static enum rp_err parse_fields(const struct entity_def *e, const char *v, struct arena *a,
				struct list_query *q, struct rp_error *err)
{
	int n = entity_nfields(e);
	q->want = arena_alloc(a, sizeof *q->want * (size_t)n);
	q->nwant = n;
	q->want[0] = true; /* id always */
	const char *p = v;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = arena_strndup(a, p, len);
		int fi = entity_field_index(e, name);
		if (fi < 0)
			return rp_fail(err, RP_EINVAL, "invalid_fields", "%s has no field %s",
				       e->name, name);
		q->want[fi] = true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return RP_OK;
}

static enum rp_err parse_include(const struct entity_def *e, const char *v, struct arena *a,
				 struct list_query *q, struct rp_error *err)
{
	const char *p = v;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = arena_strndup(a, p, len);
		/* include=account follows the field account_id */
		char *field = arena_printf(a, "%s_id", name);
		int fi = entity_field_index(e, field);
		if (fi < 0 || e->fields[fi].type != FT_REF)
			return rp_fail(err, RP_EINVAL, "invalid_include", "%s cannot include %s",
				       e->name, name);
		if (q->ninclude == QUERY_MAX_INCLUDE)
			return rp_fail(err, RP_EINVAL, "invalid_include", "at most %d includes",
				       QUERY_MAX_INCLUDE);
		q->include[q->ninclude] = model_entity(e->fields[fi].ref);
		q->include_field[q->ninclude++] = fi;
		if (!comma)
			break;
		p = comma + 1;
	}
	return RP_OK;
}

static enum rp_err parse_limit(const char *v, struct list_query *q, struct rp_error *err)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > QUERY_MAX_LIMIT)
		return rp_fail(err, RP_EINVAL, "invalid_limit", "limit must be between 1 and %d",
			       QUERY_MAX_LIMIT);
	q->limit = (int)n;
	return RP_OK;
}

enum rp_err model_parse_list_query(const struct entity_def *e, const struct query_param *params,
				   int n, struct arena *a, struct list_query *q,
				   struct rp_error *err)
{
	memset(q, 0, sizeof *q);
	q->ent = e;
	q->limit = QUERY_DEFAULT_LIMIT;
	q->sort[q->nsort++] = (struct sort_key){0, false};
	const char *cursor = NULL;
	for (int i = 0; i < n; i++) {
		const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
		enum rp_err rc = RP_OK;
		if (!strcmp(k, "sort"))
			rc = parse_sort(e, v, a, q, err);
		else if (!strcmp(k, "limit"))
			rc = parse_limit(v, q, err);
		else if (!strcmp(k, "cursor"))
			cursor = v;
		else if (!strcmp(k, "fields"))
			rc = parse_fields(e, v, a, q, err);
		else if (!strcmp(k, "include"))
			rc = parse_include(e, v, a, q, err);
		else if (!strcmp(k, "q"))
			q->q = *v ? v : NULL;
		else if (!strcmp(k, "deleted"))
			q->deleted = !strcmp(v, "true") || !strcmp(v, "1");
		else if (!strcmp(k, "format"))
			continue; /* export's, not a filter */
		else
			rc = parse_filter(e, k, v, a, q, err);
		if (rc) {
			if (!err->nfields)
				rp_field_fail(err, k, err->code, "%s", err->detail);
			err->err = RP_EINVAL;
			return rc;
		}
	}
	if (cursor && *cursor && parse_cursor(cursor, a, q, err)) {
		rp_field_fail(err, "cursor", "invalid_cursor", "%s", err->detail);
		err->err = RP_EINVAL;
		return RP_EINVAL;
	}
	return RP_OK;
}
