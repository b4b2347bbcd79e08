/* record.c — records in memory and the conversion of client JSON into
 * typed, validated values. Validation is driven entirely by the field
 * descriptors; no entity is named here. */
#include "model/record.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonw.h"
#include "model/registry.h"

#define MAX_TAGS    50
#define TAG_MAX_LEN 64

struct record *record_new(struct arena *a, const struct entity_def *e)
{
	struct record *r = arena_alloc(a, sizeof *r);
	r->ent = e;
	r->n = entity_nfields(e);
	r->v = arena_alloc(a, sizeof *r->v * (size_t)r->n);
	r->set = arena_alloc(a, sizeof *r->set * (size_t)r->n);
	return r;
}

struct record *record_copy(struct arena *a, const struct record *from)
{
	struct record *r = arena_alloc(a, sizeof *r);
	*r = *from;
	r->v = arena_alloc(a, sizeof *r->v * (size_t)r->n);
	r->set = arena_alloc(a, sizeof *r->set * (size_t)r->n);
	memcpy(r->set, from->set, sizeof *r->set * (size_t)r->n);
	for (int i = 0; i < r->n; i++)
		r->v[i] = value_copy(a, &from->v[i]);
	return r;
}

static int slot(const struct record *r, const char *field)
{
	int i = entity_field_index(r->ent, field);
	return i < r->n ? i : -1;
}

const struct value *record_get(const struct record *r, const char *field)
{
	int i = slot(r, field);
	return i < 0 ? NULL : &r->v[i];
}

int64_t record_int(const struct record *r, const char *field)
{
	const struct value *v = record_get(r, field);
	return v && v->kind == V_INT ? v->i : 0;
}

const char *record_text(const struct record *r, const char *field)
{
	const struct value *v = record_get(r, field);
	return v && v->kind == V_TEXT ? v->s : NULL;
}

void record_set_int(struct record *r, const char *field, int64_t x)
{
	int i = slot(r, field);
	if (i < 0)
		return;
	r->v[i] = (struct value){.kind = V_INT, .i = x};
	r->set[i] = true;
}

void record_set_real(struct record *r, const char *field, double x)
{
	int i = slot(r, field);
	if (i < 0)
		return;
	r->v[i] = (struct value){.kind = V_REAL, .d = x};
	r->set[i] = true;
}

void record_unset(struct record *r, const char *field)
{
	int i = slot(r, field);
	if (i >= 0)
		r->set[i] = false;
}

void record_set_text(struct record *r, struct arena *a, const char *field, const char *s)
{
	int i = slot(r, field);
	if (i < 0)
		return;
	if (!s) {
		record_set_null(r, field);
		return;
	}
	size_t n = strlen(s);
	r->v[i] = (struct value){.kind = V_TEXT, .s = arena_strndup(a, s, n), .len = n};
	r->set[i] = true;
}

void record_set_null(struct record *r, const char *field)
{
	int i = slot(r, field);
	if (i < 0)
		return;
	r->v[i] = (struct value){.kind = V_NULL};
	r->set[i] = true;
}

bool value_equal(const struct value *a, const struct value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case V_NULL: return true;
	case V_INT: return a->i == b->i;
	case V_REAL: return a->d == b->d;
	case V_TEXT: return a->len == b->len && !memcmp(a->s, b->s, a->len);
	}
	return false;
}

struct value value_copy(struct arena *a, const struct value *v)
{
	struct value out = *v;
	if (v->kind == V_TEXT && v->s)
		out.s = arena_strndup(a, v->s, v->len);
	return out;
}

bool record_fields_differ(const struct entity_def *e, const struct record *old,
			  const struct record *fresh, bool (*pick)(const struct field_def *f))
{
	for (int i = 0; i < fresh->n && i < e->nfields; i++)
		if (pick(&e->fields[i]) && (i >= old->n || !value_equal(&old->v[i], &fresh->v[i])))
			return true;
	return false;
}

size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static struct value text_value(struct arena *a, const char *s, size_t n)
{
	return (struct value){.kind = V_TEXT, .s = arena_strndup(a, s, n), .len = n};
}

static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return false;
	if (!strchr(at + 1, '.') || at[strlen(at) - 1] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return false;
	return true;
}

static bool valid_phone(const char *s)
{
	int digits = 0;
	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!strchr("+-() ./x#", *p))
			return false;
	}
	return digits >= 3 && digits <= 20;
}

static bool valid_url(const char *s)
{
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == '"' || *p == '<' || *p == '>')
			return false;
	if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
		return strlen(s) > 8;
	return strchr(s, '.') && !strchr(s, ':'); /* bare host: example.com */
}

static bool valid_currency(const char *s)
{
	return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
	       isupper((unsigned char)s[2]);
}

/* Checks a string value against its text-like type. */
static enum rp_err check_text(const struct field_def *f, const char *s, size_t n,
			      struct rp_error *err)
{
	size_t max = f->max_len ? (size_t)f->max_len : MODEL_TEXT_MAX;
	if (utf8_chars(s, n) > max) {
		rp_field_fail(err, f->name, "too_long", "at most %zu characters", max);
		return RP_EINVAL;
	}
	if (n > MODEL_INDEXED_MAX && (f->flags & (FF_SORT | FF_UNIQUE | FF_INDEX))) {
		rp_field_fail(err, f->name, "too_long", "at most %d bytes in a sortable field",
			      MODEL_INDEXED_MAX);
		return RP_EINVAL;
	}
	if (memchr(s, '\0', n)) {
		rp_field_fail(err, f->name, "invalid_format", "must not contain NUL characters");
		return RP_EINVAL;
	}
	bool ok = true;
	const char *what = "", *reason = NULL; /* reason: core/i18n.h */
	switch (f->type) {
	case FT_EMAIL:
		ok = valid_email(s);
		what = "not a valid e-mail address";
		reason = "not_email";
		break;
	case FT_PHONE:
		ok = valid_phone(s);
		what = "not a valid phone number";
		reason = "not_phone";
		break;
	case FT_URL:
		ok = valid_url(s);
		what = "not a valid web address";
		reason = "not_url";
		break;
	case FT_CURRENCY:
		ok = valid_currency(s);
		what = "must be an ISO 4217 code such as USD";
		reason = "not_currency";
		break;
	case FT_DATE:
		ok = clock_valid_date(s);
		what = "must be a date YYYY-MM-DD";
		reason = "not_date";
		break;
	case FT_ENUM:
		ok = field_enum_has(f, s);
		what = "is not one of the allowed values";
		reason = "not_choice";
		break;
	case FT_PASSWORD:
		ok = utf8_chars(s, n) >= 8;
		what = "must be at least 8 characters";
		break;
	default: break;
	}
	if (!ok) {
		rp_field_fail(err, f->name, "invalid_value", "%s", what);
		if (reason)
			rp_field_because(err, reason, s);
		return RP_EINVAL;
	}
	return RP_OK;
}

static enum rp_err convert_tags(const struct field_def *f, json_t *j, struct arena *a,
				struct value *ret, struct rp_error *err)
{
	if (!json_is_array(j) || json_array_size(j) > MAX_TAGS) {
		rp_field_fail(err, f->name, "invalid_type",
			      "must be an array of at most %d strings", MAX_TAGS);
		return RP_EINVAL;
	}
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(j, i, t)
	{
		const char *s = json_string_value(t);
		size_t n = s ? json_string_length(t) : 0;
		if (!s || n == 0 || utf8_chars(s, n) > TAG_MAX_LEN || memchr(s, 0, n)) {
			rp_field_fail(err, f->name, "invalid_value",
				      "each tag is a string of 1 to %d characters", TAG_MAX_LEN);
			json_decref(out);
			return RP_EINVAL;
		}
		bool dup = false;
		for (size_t k = 0; k < json_array_size(out); k++)
			dup |= !strcmp(json_string_value(json_array_get(out, k)), s);
		if (!dup)
			json_array_append(out, t);
	}
	char *txt = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	*ret = text_value(a, txt, strlen(txt));
	free(txt);
	return RP_OK;
}

static enum rp_err convert_json(const struct field_def *f, json_t *j, struct arena *a,
				struct value *ret, struct rp_error *err)
{
	if (!json_is_object(j)) {
		rp_field_fail(err, f->name, "invalid_type", "must be an object");
		return RP_EINVAL;
	}
	char *txt = json_dumps(j, JSON_COMPACT);
	size_t n = strlen(txt);
	size_t max = f->max_len ? (size_t)f->max_len : 65536;
	if (max > MODEL_INDEXED_MAX && (f->flags & (FF_SORT | FF_UNIQUE | FF_INDEX)))
		max = MODEL_INDEXED_MAX;
	enum rp_err rc = RP_OK;
	if (n > max) {
		rp_field_fail(err, f->name, "too_long", "at most %zu bytes", max);
		rc = RP_EINVAL;
	} else {
		*ret = text_value(a, txt, n);
	}
	free(txt);
	return rc;
}

static enum rp_err convert_int(const struct field_def *f, json_t *j, struct value *ret,
			       struct rp_error *err)
{
	if (!json_is_integer(j)) {
		rp_field_fail(err, f->name, "invalid_type", "must be an integer");
		return RP_EINVAL;
	}
	int64_t v = json_integer_value(j);
	if (f->type == FT_REF && v <= 0) {
		rp_field_fail(err, f->name, "invalid_value", "must be a record id");
		return RP_EINVAL;
	}
	if (f->min < f->max && (v < f->min || v > f->max)) {
		rp_field_fail(err, f->name, "out_of_range", "must be between %lld and %lld",
			      (long long)f->min, (long long)f->max);
		return RP_EINVAL;
	}
	*ret = (struct value){.kind = V_INT, .i = v};
	return RP_OK;
}

static enum rp_err convert_string(const struct field_def *f, json_t *j, struct arena *a,
				  struct value *ret, struct rp_error *err)
{
	if (!json_is_string(j)) {
		rp_field_fail(err, f->name, "invalid_type", "must be a string");
		return RP_EINVAL;
	}
	const char *s = json_string_value(j);
	size_t n = json_string_length(j);
	if (f->type == FT_DATETIME) {
		int64_t t;
		if (!clock_parse(s, &t)) {
			rp_field_fail(err, f->name, "invalid_value",
				      "must be an RFC 3339 time such as "
				      "2026-01-31T09:30:00Z");
			rp_field_because(err, "not_datetime", s);
			return RP_EINVAL;
		}
		char buf[RP_TIME_LEN];
		clock_format(t, buf);
		*ret = text_value(a, buf, strlen(buf));
		return RP_OK;
	}
	if (check_text(f, s, n, err))
		return RP_EINVAL;
	if ((f->flags & FF_REQUIRED) && n == 0) {
		rp_field_fail(err, f->name, "required", "must not be empty");
		return RP_EINVAL;
	}
	*ret = text_value(a, s, n);
	return RP_OK;
}

enum rp_err model_convert(const struct field_def *f, json_t *j, struct arena *a, struct value *ret,
			  struct rp_error *err)
{
	if (json_is_null(j)) {
		if (f->flags & FF_REQUIRED) {
			rp_field_fail(err, f->name, "required", "must not be empty");
			return RP_EINVAL;
		}
		*ret = (struct value){.kind = V_NULL};
		return RP_OK;
	}
	switch (f->type) {
	case FT_INT:
	case FT_MONEY:
	case FT_REF:
	case FT_ID: return convert_int(f, j, ret, err);
	case FT_NUMBER:
		if (!json_is_number(j)) {
			rp_field_fail(err, f->name, "invalid_type", "must be a number");
			return RP_EINVAL;
		}
		*ret = (struct value){.kind = V_REAL, .d = json_number_value(j)};
		return RP_OK;
	case FT_BOOL:
		if (!json_is_boolean(j)) {
			rp_field_fail(err, f->name, "invalid_type", "must be true or false");
			return RP_EINVAL;
		}
		*ret = (struct value){.kind = V_INT, .i = json_is_true(j)};
		return RP_OK;
	case FT_JSON: return convert_json(f, j, a, ret, err);
	case FT_TAGS: return convert_tags(f, j, a, ret, err);
	default: return convert_string(f, j, a, ret, err);
	}
}

static bool parse_i64(const char *s, int64_t *ret)
{
	if (!*s)
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

enum rp_err model_convert_text(const struct field_def *f, const char *s, struct arena *a,
			       struct value *ret, struct rp_error *err)
{
	json_t *j = NULL;
	int64_t iv;
	switch (f->type) {
	case FT_INT:
	case FT_MONEY:
	case FT_REF:
	case FT_ID:
		if (!parse_i64(s, &iv)) {
			rp_field_fail(err, f->name, "invalid_type", "must be an integer");
			return RP_EINVAL;
		}
		*ret = (struct value){.kind = V_INT, .i = iv};
		return RP_OK;
	case FT_NUMBER: {
		char *end;
		double d = strtod(s, &end);
		if (!*s || *end || !isfinite(d)) {
			rp_field_fail(err, f->name, "invalid_type", "must be a number");
			return RP_EINVAL;
		}
		*ret = (struct value){.kind = V_REAL, .d = d};
		return RP_OK;
	}
	case FT_BOOL:
		if (strcmp(s, "true") && strcmp(s, "false")) {
			rp_field_fail(err, f->name, "invalid_type", "must be true or false");
			return RP_EINVAL;
		}
		*ret = (struct value){.kind = V_INT, .i = !strcmp(s, "true")};
		return RP_OK;
	case FT_TAGS:
	case FT_JSON:
	case FT_TEXT:
	case FT_EMAIL:
	case FT_PHONE:
	case FT_URL:
	case FT_PASSWORD: *ret = text_value(a, s, strlen(s)); return RP_OK;
	default:
		j = json_string(s);
		if (!j) {
			rp_field_fail(err, f->name, "invalid_value", "must be valid UTF-8");
			return RP_EINVAL;
		}
		struct field_def lax = *f;
		lax.flags &= ~FF_REQUIRED;
		enum rp_err rc = model_convert(&lax, j, a, ret, err);
		json_decref(j);
		return rc;
	}
}

static enum rp_err apply_default(const struct field_def *f, struct arena *a, struct value *ret)
{
	if (f->type == FT_BOOL) {
		*ret = (struct value){.kind = V_INT, .i = !strcmp(f->dflt, "true")};
		return RP_OK;
	}
	struct rp_error ignore;
	rp_error_init(&ignore);
	return model_convert_text(f, f->dflt, a, ret, &ignore);
}

enum rp_err model_validate_write(const struct entity_def *e, json_t *body, bool create,
				 struct arena *a, struct record **ret, struct rp_error *err)
{
	if (!json_is_object(body))
		return rp_fail(err, RP_EINVAL, "invalid_body", "the body must be a JSON object");
	struct record *r = record_new(a, e);
	const char *key;
	json_t *val;
	json_object_foreach(body, key, val)
	{
		int i = entity_field_index(e, key);
		if (i < 0 || i >= r->n) {
			rp_field_fail(err, key, "unknown_field", "%s has no field %s", e->name,
				      key);
			continue;
		}
		const struct field_def *f = &e->fields[i];
		if (f->flags & FF_READONLY) {
			rp_field_fail(err, key, "read_only", "%s is set by the system", key);
			continue;
		}
		if (model_convert(f, val, a, &r->v[i], err) == RP_OK)
			r->set[i] = true;
	}
	for (int i = 0; create && i < r->n; i++) {
		const struct field_def *f = &e->fields[i];
		if (r->set[i] || (f->flags & FF_READONLY) || json_object_get(body, f->name))
			continue; /* set, system-made, or already reported */
		if (f->dflt && apply_default(f, a, &r->v[i]) == RP_OK)
			r->set[i] = true;
		else if (f->flags & FF_REQUIRED)
			rp_field_fail(err, f->name, "required", "%s is required", f->name);
	}
	if (err->err)
		return err->err;
	*ret = r;
	return RP_OK;
}

void model_write_key(struct jw *w, const struct field_def *f)
{
	if (f->json_key_len)
		jw_raw_key(w, f->json_key, f->json_key_len);
	else /* a field the registry did not make */
		jw_key(w, f->name);
}

void model_write_value(struct jw *w, const struct field_def *f, const struct value *v)
{
	switch (v->kind) {
	case V_NULL: jw_null(w); return;
	case V_INT:
		if (f->type == FT_BOOL)
			jw_bool(w, v->i != 0);
		else
			jw_int(w, v->i);
		return;
	case V_REAL: jw_double(w, v->d); return;
	case V_TEXT:
		if (f->type == FT_JSON || f->type == FT_TAGS)
			jw_raw(w, v->s, v->len);
		else
			jw_strn(w, v->s, v->len);
		return;
	}
}

json_t *model_value_json(const struct field_def *f, const struct value *v)
{
	switch (v->kind) {
	case V_INT: return f->type == FT_BOOL ? json_boolean(v->i) : json_integer(v->i);
	case V_REAL: return json_real(v->d);
	case V_TEXT:
		if (f->type == FT_JSON || f->type == FT_TAGS) {
			json_t *j = json_loadb(v->s, v->len, 0, NULL);
			if (j)
				return j;
		}
		return json_stringn(v->s, v->len);
	default: return json_null();
	}
}
