/* registry.h — the set of entities Rapport knows: the built-in descriptors
 * plus custom fields added at run time. Built once at start; custom fields
 * are appended in place (see entity_def), so readers take no lock. */
#pragma once
#include <stdbool.h>

#include "core/err.h"
#include "model/entity.h"

void model_init(void); /* idempotent */
void model_shutdown(void);

int model_entity_count(void);
const struct entity_def *model_entity_at(int i);
/* By URL name ("contacts") or singular ("contact"); NULL if unknown. */
const struct entity_def *model_entity(const char *name);
const struct entity_def *model_entity_by_code(int code);

/* The published field count (acquire load: pairs with custom-field add). */
int entity_nfields(const struct entity_def *e);
/* Field index by API name, or -1. */
int entity_field_index(const struct entity_def *e, const char *name);
const struct field_def *entity_field(const struct entity_def *e, const char *name);
/* Whether f is an activity's link to the record it is about: related_id,
 * whose entity the row's related_type names (no ref of its own). */
bool field_is_related_link(const struct entity_def *e, const struct field_def *f);

/* Checks a custom field definition (name syntax, clashes, type, limits)
 * without adding it. Errors name the offending field of the definition. */
enum rp_err model_check_custom_field(const struct entity_def *e, const struct field_def *def,
				     struct rp_error *err);
/* Appends a checked custom field; copies every string. Serialised by the
 * caller (the store holds its write lock while it adds the column). */
enum rp_err model_add_custom_field(const struct entity_def *e, const struct field_def *def,
				   struct rp_error *err);

/* Incremented by every change of the registry; caches key on it. */
unsigned model_generation(void);

/* The enum values known for a field, NULL-terminated. */
bool field_enum_has(const struct field_def *f, const char *v);
