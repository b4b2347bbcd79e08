/* record.h — a record in memory: one value slot per field of its entity.
 * The domain fills one to write, the store fills one when it reads. Values
 * point into the arena the record was made in. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/entity.h"

enum vkind { V_NULL, V_INT, V_REAL, V_TEXT };

struct value {
	enum vkind kind;
	int64_t i;
	double d;
	const char *s; /* NUL-terminated */
	size_t len;
};

struct record {
	const struct entity_def *ent;
	int n;		 /* field count when the record was made */
	struct value *v; /* n slots */
	bool *set;	 /* n flags: slot holds a value to write / was read */
};

struct record *record_new(struct arena *a, const struct entity_def *e);
/* A copy in a, its texts too. */
struct record *record_copy(struct arena *a, const struct record *from);
/* Value slot of a field by name, NULL if the entity has no such field. */
const struct value *record_get(const struct record *r, const char *field);
int64_t record_int(const struct record *r, const char *field); /* 0 if unset */
const char *record_text(const struct record *r, const char *field);
void record_set_int(struct record *r, const char *field, int64_t v);
void record_set_text(struct record *r, struct arena *a, const char *field, const char *s);
void record_set_null(struct record *r, const char *field);
void record_set_real(struct record *r, const char *field, double v);
/* Leaves the slot's value but marks it not to be written. */
void record_unset(struct record *r, const char *field);
bool value_equal(const struct value *a, const struct value *b);
/* v, its text (if any) copied into a. */
struct value value_copy(struct arena *a, const struct value *v);
/* Whether a field that pick accepts differs between two versions of a
 * record of e (a field old lacks counts as differing). */
bool record_fields_differ(const struct entity_def *e, const struct record *old,
			  const struct record *fresh, bool (*pick)(const struct field_def *f));

/* Validates a JSON object from a client against the entity and converts it
 * into a record with `set` marking the fields it carries. On create,
 * required fields must be present and defaults fill absent ones. Unknown,
 * read-only and badly typed fields become field errors; every problem is
 * reported, not just the first. */
enum rp_err model_validate_write(const struct entity_def *e, json_t *body, bool create,
				 struct arena *a, struct record **ret, struct rp_error *err);

/* Converts one JSON value for field f (used by validation and by the
 * custom-field default). */
enum rp_err model_convert(const struct field_def *f, json_t *j, struct arena *a, struct value *ret,
			  struct rp_error *err);

/* Converts a query-string value for field f (filters, cursors). */
enum rp_err model_convert_text(const struct field_def *f, const char *s, struct arena *a,
			       struct value *ret, struct rp_error *err);

/* Writes a value as JSON as the API shows it (booleans as true/false, JSON
 * and tags columns inline). */
struct jw;
void model_write_value(struct jw *w, const struct field_def *f, const struct value *v);
/* Writes the field's name as an object's key. */
void model_write_key(struct jw *w, const struct field_def *f);
/* A value as a jansson object (for audit and cursors); new reference. */
json_t *model_value_json(const struct field_def *f, const struct value *v);

size_t utf8_chars(const char *s, size_t len);
