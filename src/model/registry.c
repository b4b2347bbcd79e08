/* registry.c — builds the entity registry from the built-in specs and
 * takes custom fields at run time. */
#include "model/registry.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "model/entities.h"

#define MAX_ENTITIES 64

static struct entity_def entities[MAX_ENTITIES];
static int nentities;
static unsigned generation;

static const struct field_def head_fields[] = {
	{.name = "id", .type = FT_ID, .flags = FF_READONLY | FF_SYSTEM | FF_SORT},
};

static const struct field_def tail_fields[] = {
	{.name = "owner_id", .type = FT_REF, .ref = "users", .flags = FF_SYSTEM | FF_INDEX},
	{.name = "team_id", .type = FT_REF, .ref = "teams", .flags = FF_SYSTEM | FF_INDEX},
	{.name = "tags", .type = FT_TAGS, .flags = FF_SYSTEM, .max_len = 4096, .dflt = "[]"},
	{.name = "created_at",
	 .type = FT_DATETIME,
	 .flags = FF_READONLY | FF_SYSTEM | FF_SORT | FF_NOTNULL},
	{.name = "updated_at",
	 .type = FT_DATETIME,
	 .flags = FF_READONLY | FF_SYSTEM | FF_SORT | FF_NOTNULL},
	{.name = "created_by", .type = FT_REF, .ref = "users", .flags = FF_READONLY | FF_SYSTEM},
	{.name = "version", .type = FT_INT, .flags = FF_READONLY | FF_SYSTEM | FF_NOTNULL},
	{.name = "deleted_at", .type = FT_DATETIME, .flags = FF_READONLY | FF_SYSTEM},
};

/* The field's name as a JSON key, written with one copy for each of the
 * thousand keys of a page of a list (a name needs no escaping) */
static void make_json_key(struct field_def *f)
{
	size_t n = strlen(f->name);
	f->json_key_len = 0;
	if (n + 4 >= sizeof f->json_key)
		return;
	snprintf(f->json_key, sizeof f->json_key, ",\"%s\":", f->name);
	f->json_key_len = (uint8_t)(n + 4);
}

static void append(struct entity_def *e, const struct field_def *f)
{
	if (e->nfields >= MODEL_MAX_FIELDS)
		abort(); /* built-in tables are sized below the limit */
	e->fields[e->nfields] = *f;
	make_json_key(&e->fields[e->nfields++]);
}

static void build_entity(struct entity_def *e, const struct entity_spec *s)
{
	e->name = s->name;
	e->singular = s->singular;
	e->label = s->label;
	e->code = s->code;
	e->flags = s->flags;
	e->title_field = s->title_field;
	e->subtitle_field = s->subtitle_field;
	e->fields = calloc(MODEL_MAX_FIELDS, sizeof *e->fields);
	if (!e->fields)
		abort();
	append(e, &head_fields[0]);
	for (const struct field_def *f = s->fields; f->name; f++)
		append(e, f);
	for (size_t i = 0; i < sizeof tail_fields / sizeof *tail_fields; i++)
		append(e, &tail_fields[i]);
}

void model_init(void)
{
	if (nentities)
		return;
	for (const struct entity_spec *s = model_builtin; s->name; s++)
		build_entity(&entities[nentities++], s);
	/* never the same twice, even across a shutdown: caches key on it */
	__atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
}

static void free_custom(struct field_def *f)
{
	free((char *)f->name);
	free((char *)f->column);
	free((char *)f->label);
	free((char *)f->ref);
	free((char *)f->dflt);
	if (f->enum_values) {
		for (const char *const *v = f->enum_values; *v; v++)
			free((char *)*v);
		free((void *)f->enum_values);
	}
}

void model_shutdown(void)
{
	for (int i = 0; i < nentities; i++) {
		struct entity_def *e = &entities[i];
		for (int j = 0; j < e->nfields; j++)
			if (e->fields[j].flags & FF_CUSTOM)
				free_custom(&e->fields[j]);
		free(e->fields);
	}
	memset(entities, 0, sizeof entities);
	nentities = 0;
}

int model_entity_count(void)
{
	return nentities;
}

const struct entity_def *model_entity_at(int i)
{
	return i >= 0 && i < nentities ? &entities[i] : NULL;
}

const struct entity_def *model_entity(const char *name)
{
	for (int i = 0; i < nentities; i++)
		if (!strcmp(entities[i].name, name) || !strcmp(entities[i].singular, name))
			return &entities[i];
	return NULL;
}

const struct entity_def *model_entity_by_code(int code)
{
	for (int i = 0; i < nentities; i++)
		if (entities[i].code == code)
			return &entities[i];
	return NULL;
}

int entity_nfields(const struct entity_def *e)
{
	return __atomic_load_n(&e->nfields, __ATOMIC_ACQUIRE);
}

int entity_field_index(const struct entity_def *e, const char *name)
{
	int n = entity_nfields(e);
	for (int i = 0; i < n; i++)
		if (!strcmp(e->fields[i].name, name))
			return i;
	return -1;
}

const struct field_def *entity_field(const struct entity_def *e, const char *name)
{
	int i = entity_field_index(e, name);
	return i < 0 ? NULL : &e->fields[i];
}

bool field_is_related_link(const struct entity_def *e, const struct field_def *f)
{
	return (e->flags & EF_ACTIVITY) && !strcmp(f->name, "related_id");
}

unsigned model_generation(void)
{
	return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

bool field_enum_has(const struct field_def *f, const char *v)
{
	if (!f->enum_values)
		return false;
	for (const char *const *p = f->enum_values; *p; p++)
		if (!strcmp(*p, v))
			return true;
	return false;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 40 || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int count_custom(const struct entity_def *e)
{
	int n = 0, nf = entity_nfields(e);
	for (int i = 0; i < nf; i++)
		n += (e->fields[i].flags & FF_CUSTOM) != 0;
	return n;
}

enum rp_err model_check_custom_field(const struct entity_def *e, const struct field_def *def,
				     struct rp_error *err)
{
	if (!def->name || !valid_name(def->name))
		rp_field_fail(err, "name", "invalid_format",
			      "2 to 40 characters: a-z, 0-9 and _, starting "
			      "with a letter");
	else if (entity_field(e, def->name))
		rp_field_fail(err, "name", "duplicate", "%s already has a field named %s", e->name,
			      def->name);
	switch (def->type) {
	case FT_ID:
	case FT_PASSWORD:
	case FT_TAGS:
		rp_field_fail(err, "type", "invalid_value",
			      "type %s cannot be used for a custom field",
			      field_type_name(def->type));
		break;
	case FT_ENUM:
		if (!def->enum_values || !def->enum_values[0])
			rp_field_fail(err, "options", "required",
				      "a picklist needs at least one option");
		break;
	case FT_REF:
		if (!def->ref || !model_entity(def->ref))
			rp_field_fail(err, "ref", "invalid_value",
				      "a reference needs a known entity");
		break;
	default: break;
	}
	if (def->max_len < 0 || def->max_len > 100000)
		rp_field_fail(err, "max_length", "out_of_range",
			      "max_length must be between 1 and 100000");
	if (count_custom(e) >= MODEL_MAX_CUSTOM || entity_nfields(e) >= MODEL_MAX_FIELDS)
		rp_field_fail(err, "name", "limit_reached",
			      "%s has the maximum number of custom fields", e->name);
	return err && err->err ? err->err : RP_OK;
}

static const char *const *copy_enum(const char *const *v)
{
	if (!v)
		return NULL;
	size_t n = 0;
	while (v[n])
		n++;
	const char **out = calloc(n + 1, sizeof *out);
	if (!out)
		abort();
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

enum rp_err model_add_custom_field(const struct entity_def *ce, const struct field_def *def,
				   struct rp_error *err)
{
	if (model_check_custom_field(ce, def, err))
		return err->err;
	struct entity_def *e = &entities[ce - entities];
	struct field_def *f = &e->fields[e->nfields];
	*f = *def;
	f->flags = (def->flags & (FF_REQUIRED | FF_SEARCH | FF_SORT | FF_UNIQUE)) | FF_CUSTOM;
	f->name = xstrdup(def->name);
	char col[64];
	snprintf(col, sizeof col, "cf_%s", def->name);
	f->column = xstrdup(col);
	f->label = xstrdup(def->label);
	f->ref = xstrdup(def->ref);
	f->dflt = xstrdup(def->dflt);
	f->enum_values = copy_enum(def->enum_values);
	make_json_key(f);
	__atomic_store_n(&e->nfields, e->nfields + 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
	return RP_OK;
}
