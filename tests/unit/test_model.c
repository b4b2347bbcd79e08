/* test_model.c — unit tests for src/model: the entity registry and its
 * descriptors, write validation (model_validate_write), custom fields,
 * list-query parsing (filters, sort, limit, fields, include) and keyset
 * cursors. No database: the model is pure data. */
#include "unit.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/codec.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "model/query.h"
#include "model/record.h"
#include "model/registry.h"

static int setup(void **state)
{
	model_init();
	*state = arena_new();
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static const struct entity_def *ent(const char *name)
{
	const struct entity_def *e = model_entity(name);
	if (!e)
		fail_msg("no entity %s", name);
	return e;
}

static json_t *body(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &je);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, je.text);
	return j;
}

/* Finds the field error for `field`; NULL if there is none. */
static const struct rp_field_error *field_err(const struct rp_error *e, const char *field)
{
	for (int i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i].field, field))
			return &e->fields[i];
	return NULL;
}

static void assert_field_err(const struct rp_error *e, const char *field, const char *code)
{
	const struct rp_field_error *f = field_err(e, field);
	if (!f)
		fail_msg("no field error for %s (have %d)", field, e->nfields);
	assert_string_equal(f->code, code);
}

/* Validates text as a write to entity name; returns the result code. */
static enum rp_err validate(struct arena *a, const char *name, const char *text, bool create,
			    struct record **ret, struct rp_error *err)
{
	json_t *j = body(text);
	struct record *r = NULL;
	enum rp_err rc = model_validate_write(ent(name), j, create, a, ret ? ret : &r, err);
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------------ */
/* registry                                                             */
/* ------------------------------------------------------------------ */

static void test_registry_builtins(void **state)
{
	(void)state;
	static const char *const names[] = {
		"users",     "teams",  "roles", "accounts",   "contacts", "leads",
		"pipelines", "stages", "deals", "activities", "products", "tags",
	};
	static const struct {
		const char *name;
		enum field_type type;
		unsigned flags; /* that must be set */
		const char *ref;
	} std[] = {
		{"owner_id", FT_REF, FF_SYSTEM, "users"},
		{"team_id", FT_REF, FF_SYSTEM, "teams"},
		{"tags", FT_TAGS, FF_SYSTEM, NULL},
		{"created_at", FT_DATETIME, FF_SYSTEM | FF_READONLY, NULL},
		{"updated_at", FT_DATETIME, FF_SYSTEM | FF_READONLY, NULL},
		{"created_by", FT_REF, FF_SYSTEM | FF_READONLY, "users"},
		{"version", FT_INT, FF_SYSTEM | FF_READONLY, NULL},
		{"deleted_at", FT_DATETIME, FF_SYSTEM | FF_READONLY, NULL},
	};
	assert_true(model_entity_count() >= 12); /* the ones below, at least */
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		assert_non_null(model_entity(names[i]));
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		assert_non_null(e);
		/* id first */
		assert_true(entity_nfields(e) > 9);
		assert_string_equal(e->fields[0].name, "id");
		assert_int_equal(e->fields[0].type, FT_ID);
		assert_true(e->fields[0].flags & FF_READONLY);
		assert_int_equal(entity_field_index(e, "id"), 0);
		for (size_t k = 0; k < sizeof std / sizeof *std; k++) {
			const struct field_def *f = entity_field(e, std[k].name);
			if (!f)
				fail_msg("%s lacks %s", e->name, std[k].name);
			assert_int_equal(f->type, std[k].type);
			assert_int_equal(f->flags & std[k].flags, std[k].flags);
			if (std[k].ref)
				assert_string_equal(f->ref, std[k].ref);
		}
		/* the title field exists */
		assert_non_null(entity_field(e, e->title_field));
		if (e->subtitle_field)
			assert_non_null(entity_field(e, e->subtitle_field));
	}
	assert_null(model_entity_at(-1));
	assert_null(model_entity_at(model_entity_count()));
}

static void test_registry_lookups(void **state)
{
	(void)state;
	const struct entity_def *c = model_entity("contacts");
	assert_non_null(c);
	assert_ptr_equal(model_entity("contact"), c);
	assert_string_equal(c->name, "contacts");
	assert_string_equal(c->singular, "contact");
	assert_ptr_equal(model_entity("activity"), model_entity("activities"));
	assert_ptr_equal(model_entity_by_code(c->code), c);
	assert_null(model_entity("Contacts"));
	assert_null(model_entity("contactz"));
	assert_null(model_entity(""));
	assert_null(model_entity_by_code(0));
	assert_null(model_entity_by_code(9999));
	/* init is idempotent: same entities, same count */
	int n = model_entity_count();
	model_init();
	assert_int_equal(model_entity_count(), n);
	assert_ptr_equal(model_entity("contacts"), c);
	assert_int_equal(entity_field_index(c, "nope"), -1);
	assert_null(entity_field(c, "nope"));
	/* a column differs from its name where the descriptor says so */
	const struct field_def *pw = entity_field(ent("users"), "password");
	assert_non_null(pw);
	assert_string_equal(field_column(pw), "password_hash");
	assert_false(field_readable(pw));
	assert_string_equal(field_column(entity_field(c, "email")), "email");
}

/* The key model_write_key writes for f, against the name quoted. */
static void assert_key_written(const struct field_def *f)
{
	struct buf b;
	buf_init(&b, 0);
	struct jw w;
	jw_init(&w, &b);
	jw_arr(&w);
	jw_obj(&w); /* first in its object: no comma */
	model_write_key(&w, f);
	jw_int(&w, 1);
	jw_obj_end(&w);
	jw_obj(&w); /* after another member: a comma */
	jw_kint(&w, "a", 0);
	model_write_key(&w, f);
	jw_int(&w, 1);
	jw_obj_end(&w);
	jw_arr_end(&w);
	char want[256];
	snprintf(want, sizeof want, "[{\"%s\":1},{\"a\":0,\"%s\":1}]", f->name, f->name);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_registry_consistency(void **state)
{
	struct arena *a = *state;
	/* a field the registry did not make ready, short or long, is written
	 * as one it did */
	struct field_def loose[] = {
		{.name = "a"}, {.name = "a_name_with_more_characters_than_a_key_has_room_for"}};
	for (size_t i = 0; i < sizeof loose / sizeof *loose; i++) {
		assert_int_equal(loose[i].json_key_len, 0);
		assert_key_written(&loose[i]);
	}
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		/* names, codes unique across entities */
		for (int k = 0; k < i; k++) {
			assert_string_not_equal(e->name, model_entity_at(k)->name);
			assert_int_not_equal(e->code, model_entity_at(k)->code);
		}
		int n = entity_nfields(e);
		for (int j = 0; j < n; j++) {
			const struct field_def *f = &e->fields[j];
			/* field names unique within the entity */
			assert_int_equal(entity_field_index(e, f->name), j);
			/* and identifiers, which JSON writes unescaped (json_key) */
			if (strspn(f->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
				    strlen(f->name) ||
			    !f->name[0])
				fail_msg("%s.%s: not a-z, 0-9 and _", e->name, f->name);
			assert_true(f->json_key_len > 0);
			assert_key_written(f);
			if (f->type == FT_REF) {
				assert_non_null(f->ref);
				assert_non_null(model_entity(f->ref));
			}
			if (f->type == FT_ENUM) {
				assert_non_null(f->enum_values);
				assert_non_null(f->enum_values[0]);
			}
			/* every default is a valid value of its field */
			if (f->dflt && f->type != FT_BOOL) {
				struct rp_error err = {0};
				struct value v;
				if (model_convert_text(f, f->dflt, a, &v, &err))
					fail_msg("%s.%s: default %s invalid", e->name, f->name,
						 f->dflt);
			}
		}
	}
}

static void test_field_types(void **state)
{
	(void)state;
	for (int t = 0; t < FT_COUNT; t++) {
		const char *n = field_type_name((enum field_type)t);
		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		enum field_type back;
		assert_true(field_type_from_name(n, &back));
		assert_int_equal(back, t);
	}
	enum field_type x = FT_TEXT;
	assert_false(field_type_from_name("varchar", &x));
	assert_int_equal(x, FT_TEXT);
	assert_string_equal(field_type_name(FT_COUNT), "unknown");
	assert_false(field_is_text(FT_INT));
	assert_false(field_is_text(FT_MONEY));
	assert_false(field_is_text(FT_BOOL));
	assert_false(field_is_text(FT_REF));
	assert_true(field_is_text(FT_TEXT));
	assert_true(field_is_text(FT_DATETIME));
	assert_true(field_is_text(FT_ENUM));
}

/* ------------------------------------------------------------------ */
/* records                                                              */
/* ------------------------------------------------------------------ */

static void test_record_basics(void **state)
{
	struct arena *a = *state;
	const struct entity_def *e = ent("contacts");
	struct record *r = record_new(a, e);
	assert_int_equal(r->n, entity_nfields(e));
	for (int i = 0; i < r->n; i++)
		assert_false(r->set[i]);
	char name[] = "Ada";
	record_set_text(r, a, "name", name);
	name[0] = 'X'; /* copied, not borrowed */
	record_set_int(r, "account_id", 7);
	record_set_null(r, "email");
	record_set_int(r, "no_such_field", 1); /* ignored */
	assert_string_equal(record_text(r, "name"), "Ada");
	assert_int_equal(record_int(r, "account_id"), 7);
	assert_int_equal(record_int(r, "name"), 0);
	assert_null(record_text(r, "account_id"));
	assert_null(record_text(r, "email"));
	assert_int_equal(record_get(r, "email")->kind, V_NULL);
	assert_true(r->set[entity_field_index(e, "email")]);
	assert_false(r->set[entity_field_index(e, "phone")]);
	assert_null(record_get(r, "no_such_field"));
	record_set_text(r, a, "title", NULL);
	assert_int_equal(record_get(r, "title")->kind, V_NULL);

	struct value t1 = {.kind = V_TEXT, .s = "ab", .len = 2};
	struct value t2 = {.kind = V_TEXT, .s = "abc", .len = 2};
	struct value t3 = {.kind = V_TEXT, .s = "ac", .len = 2};
	struct value i1 = {.kind = V_INT, .i = 2};
	struct value n1 = {.kind = V_NULL};
	assert_true(value_equal(&t1, &t2));
	assert_false(value_equal(&t1, &t3));
	assert_false(value_equal(&t1, &i1));
	assert_true(value_equal(&n1, &n1));
	assert_int_equal(utf8_chars("Жёлтый", strlen("Жёлтый")), 6);
	assert_int_equal(utf8_chars("王小明😀", strlen("王小明😀")), 4);
}

static void test_write_value(void **state)
{
	(void)state;
	const struct entity_def *e = ent("contacts");
	struct buf b;
	buf_init(&b, 0);
	struct jw w;
	jw_init(&w, &b);
	jw_arr(&w);
	struct value t = {.kind = V_INT, .i = 1};
	model_write_value(&w, entity_field(e, "marketing_consent"), &t);
	struct value tags = {.kind = V_TEXT, .s = "[\"a\"]", .len = 5};
	model_write_value(&w, entity_field(e, "tags"), &tags);
	struct value s = {.kind = V_TEXT, .s = "q\"", .len = 2};
	model_write_value(&w, entity_field(e, "name"), &s);
	struct value n = {.kind = V_NULL};
	model_write_value(&w, entity_field(e, "name"), &n);
	model_write_value(&w, entity_field(e, "account_id"), &t);
	jw_arr_end(&w);
	assert_string_equal(buf_str(&b), "[true,[\"a\"],\"q\\\"\",null,1]");
	buf_release(&b);

	json_t *j = model_value_json(entity_field(e, "marketing_consent"), &t);
	assert_true(json_is_true(j));
	json_decref(j);
	j = model_value_json(entity_field(e, "tags"), &tags);
	assert_true(json_is_array(j));
	json_decref(j);
}

/* ------------------------------------------------------------------ */
/* model_validate_write                                                 */
/* ------------------------------------------------------------------ */

static void test_validate_ok_and_defaults(void **state)
{
	struct arena *a = *state;
	struct rp_error err = {0};
	struct record *r = NULL;
	assert_int_equal(validate(a, "deals", "{\"name\":\"Big deal\"}", true, &r, &err), RP_OK);
	assert_int_equal(err.nfields, 0);
	assert_non_null(r);
	assert_string_equal(record_text(r, "name"), "Big deal");
	assert_string_equal(record_text(r, "status"), "open");
	assert_string_equal(record_text(r, "currency"), "USD");
	assert_int_equal(record_get(r, "amount")->kind, V_INT);
	assert_int_equal(record_int(r, "amount"), 0);
	assert_string_equal(record_text(r, "tags"), "[]");
	const struct entity_def *e = ent("deals");
	assert_true(r->set[entity_field_index(e, "status")]);
	/* no default, not given: not set */
	assert_false(r->set[entity_field_index(e, "probability")]);
	/* read-only fields are never filled in */
	assert_false(r->set[entity_field_index(e, "version")]);
	assert_false(r->set[entity_field_index(e, "id")]);

	/* given values win over defaults */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "deals",
				  "{\"name\":\"D\",\"status\":\"won\",\"currency\":"
				  "\"EUR\",\"amount\":12345,\"probability\":100,"
				  "\"expected_close\":\"2024-02-29\",\"account_id\":3,"
				  "\"tags\":[\"vip\",\"q1\",\"vip\"]}",
				  true, &r, &err),
			 RP_OK);
	assert_string_equal(record_text(r, "status"), "won");
	assert_string_equal(record_text(r, "currency"), "EUR");
	assert_int_equal(record_int(r, "amount"), 12345);
	assert_int_equal(record_int(r, "account_id"), 3);
	assert_string_equal(record_text(r, "expected_close"), "2024-02-29");
	assert_string_equal(record_text(r, "tags"), "[\"vip\",\"q1\"]");

	/* booleans default to integers 0/1 */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{\"name\":\"C\"}", true, &r, &err), RP_OK);
	assert_int_equal(record_get(r, "marketing_consent")->kind, V_INT);
	assert_int_equal(record_int(r, "marketing_consent"), 0);
	rp_error_clear(&err);
	assert_int_equal(validate(a, "products", "{\"name\":\"P\"}", true, &r, &err), RP_OK);
	assert_int_equal(record_int(r, "active"), 1);

	/* datetimes are normalised to UTC */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "activities",
				  "{\"type\":\"call\",\"subject\":\"s\",\"due_at\":"
				  "\"2026-03-01T12:00:00.250+03:00\"}",
				  true, &r, &err),
			 RP_OK);
	assert_string_equal(record_text(r, "due_at"), "2026-03-01T09:00:00Z");
}

static void test_validate_update_has_no_defaults(void **state)
{
	struct arena *a = *state;
	struct rp_error err = {0};
	struct record *r = NULL;
	assert_int_equal(validate(a, "deals", "{\"amount\":5}", false, &r, &err), RP_OK);
	const struct entity_def *e = ent("deals");
	assert_true(r->set[entity_field_index(e, "amount")]);
	assert_false(r->set[entity_field_index(e, "name")]);
	assert_false(r->set[entity_field_index(e, "status")]);
	assert_false(r->set[entity_field_index(e, "currency")]);
	/* null clears an optional field on update */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "deals", "{\"probability\":null}", false, &r, &err), RP_OK);
	assert_true(r->set[entity_field_index(e, "probability")]);
	assert_int_equal(record_get(r, "probability")->kind, V_NULL);
	/* but a required one cannot be nulled or emptied */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "deals", "{\"name\":null}", false, &r, &err), RP_EINVAL);
	assert_field_err(&err, "name", "required");
	rp_error_clear(&err);
	assert_int_equal(validate(a, "deals", "{\"name\":\"\"}", false, &r, &err), RP_EINVAL);
	assert_field_err(&err, "name", "required");
}

static void test_validate_required(void **state)
{
	struct arena *a = *state;
	struct rp_error err = {0};
	struct record *r = (struct record *)0x1;
	assert_int_equal(validate(a, "contacts", "{\"email\":\"a@b.co\"}", true, &r, &err),
			 RP_EINVAL);
	assert_int_equal(err.err, RP_EINVAL);
	assert_string_equal(err.code, "validation_failed");
	assert_int_equal(err.nfields, 1);
	assert_field_err(&err, "name", "required");
	assert_ptr_equal(r, (struct record *)0x1); /* ret_ untouched */

	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{\"name\":\"\"}", true, NULL, &err), RP_EINVAL);
	assert_field_err(&err, "name", "required");

	/* an activity needs both type and subject */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "activities", "{}", true, NULL, &err), RP_EINVAL);
	assert_int_equal(err.nfields, 2);
	assert_field_err(&err, "type", "required");
	assert_field_err(&err, "subject", "required");

	/* on update nothing is required */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{}", false, NULL, &err), RP_OK);

	/* the body must be an object */
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "[1,2]", true, NULL, &err), RP_EINVAL);
	assert_string_equal(err.code, "invalid_body");
}

static void test_validate_field_errors(void **state)
{
	struct arena *a = *state;
	static const struct {
		const char *entity, *json, *field, *code;
	} cases[] = {
		{"contacts", "{\"name\":\"x\",\"nope\":1}", "nope", "unknown_field"},
		{"contacts", "{\"name\":\"x\",\"version\":3}", "version", "read_only"},
		{"contacts", "{\"name\":\"x\",\"created_at\":\"2026-01-01T00:00:00Z\"}",
		 "created_at", "read_only"},
		{"contacts", "{\"name\":\"x\",\"id\":5}", "id", "read_only"},
		{"deals", "{\"name\":\"x\",\"closed_at\":\"2026-01-01T00:00:00Z\"}", "closed_at",
		 "read_only"},
		{"deals", "{\"name\":\"x\",\"amount\":\"x\"}", "amount", "invalid_type"},
		{"deals", "{\"name\":\"x\",\"amount\":1.5}", "amount", "invalid_type"},
		{"deals", "{\"name\":\"x\",\"amount\":true}", "amount", "invalid_type"},
		{"deals", "{\"name\":\"x\",\"status\":\"pending\"}", "status", "invalid_value"},
		{"deals", "{\"name\":\"x\",\"status\":\"Open\"}", "status", "invalid_value"},
		{"deals", "{\"name\":\"x\",\"status\":1}", "status", "invalid_type"},
		{"deals", "{\"name\":\"x\",\"probability\":101}", "probability", "out_of_range"},
		{"deals", "{\"name\":\"x\",\"probability\":-1}", "probability", "out_of_range"},
		{"deals", "{\"name\":\"x\",\"currency\":\"usd\"}", "currency", "invalid_value"},
		{"deals", "{\"name\":\"x\",\"currency\":\"USDX\"}", "currency", "invalid_value"},
		{"deals", "{\"name\":\"x\",\"expected_close\":\"2026-02-30\"}", "expected_close",
		 "invalid_value"},
		{"deals", "{\"name\":\"x\",\"account_id\":0}", "account_id", "invalid_value"},
		{"deals", "{\"name\":\"x\",\"account_id\":\"3\"}", "account_id", "invalid_type"},
		{"deals", "{\"name\":\"x\",\"tags\":\"vip\"}", "tags", "invalid_type"},
		{"deals", "{\"name\":\"x\",\"tags\":[1]}", "tags", "invalid_value"},
		{"deals", "{\"name\":\"x\",\"tags\":[\"\"]}", "tags", "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"email\":\"not-an-email\"}", "email",
		 "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"email\":\"a@b\"}", "email", "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"email\":\"a b@c.de\"}", "email", "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"email\":\"a@b@c.de\"}", "email", "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"email\":\"@c.de\"}", "email", "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"phone\":\"call me\"}", "phone", "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"birthday\":\"1990-13-01\"}", "birthday",
		 "invalid_value"},
		{"contacts", "{\"name\":\"x\",\"marketing_consent\":\"yes\"}", "marketing_consent",
		 "invalid_type"},
		{"contacts", "{\"name\":\"a\\u0000b\"}", "name", "invalid_format"},
		{"contacts", "{\"name\":42}", "name", "invalid_type"},
		{"accounts", "{\"name\":\"x\",\"website\":\"not a url\"}", "website",
		 "invalid_value"},
		{"accounts", "{\"name\":\"x\",\"employees\":-5}", "employees", "out_of_range"},
		{"activities", "{\"type\":\"call\",\"subject\":\"s\",\"due_at\":\"2026-01-01\"}",
		 "due_at", "invalid_value"},
		{"roles", "{\"name\":\"r\",\"permissions\":[1]}", "permissions", "invalid_type"},
		{"users",
		 "{\"name\":\"u\",\"email\":\"u@x.io\",\"role_id\":1,\"password\":\"short\"}",
		 "password", "invalid_value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct rp_error err = {0};
		enum rp_err rc = validate(a, cases[i].entity, cases[i].json, true, NULL, &err);
		if (rc != RP_EINVAL)
			fail_msg("%s %s: accepted", cases[i].entity, cases[i].json);
		const struct rp_field_error *f = field_err(&err, cases[i].field);
		if (!f || strcmp(f->code, cases[i].code))
			fail_msg("%s %s: want %s/%s, got %s/%s", cases[i].entity, cases[i].json,
				 cases[i].field, cases[i].code,
				 err.nfields ? err.fields[0].field : "-",
				 err.nfields ? err.fields[0].code : "-");
		assert_string_equal(err.code, "validation_failed");
		assert_true(strlen(f->message) > 0);
	}
}

static void test_validate_text_length(void **state)
{
	struct arena *a = *state;
	/* contacts.name allows 300 characters, counted as characters */
	char json[2000];
	char name[1300];
	memset(name, 'n', 301);
	name[301] = '\0';
	snprintf(json, sizeof json, "{\"name\":\"%s\"}", name);
	struct rp_error err = {0};
	assert_int_equal(validate(a, "contacts", json, true, NULL, &err), RP_EINVAL);
	assert_field_err(&err, "name", "too_long");

	name[300] = '\0';
	snprintf(json, sizeof json, "{\"name\":\"%s\"}", name);
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", json, true, NULL, &err), RP_OK);

	/* 300 two-byte characters are 600 bytes and still fit */
	name[0] = '\0';
	for (int i = 0; i < 300; i++)
		memcpy(name + 2 * i, "Ж", 3);
	snprintf(json, sizeof json, "{\"name\":\"%s\"}", name);
	rp_error_clear(&err);
	struct record *r = NULL;
	assert_int_equal(validate(a, "contacts", json, true, &r, &err), RP_OK);
	assert_int_equal(record_get(r, "name")->len, 600);
}

static void test_validate_reports_every_problem(void **state)
{
	struct arena *a = *state;
	struct rp_error err = {0};
	enum rp_err rc = validate(a, "deals",
				  "{\"nope\":1,\"version\":2,\"amount\":\"x\",\"status\":\"bad\","
				  "\"currency\":\"us\",\"probability\":500}",
				  true, NULL, &err);
	assert_int_equal(rc, RP_EINVAL);
	assert_int_equal(err.nfields, 7);
	assert_field_err(&err, "nope", "unknown_field");
	assert_field_err(&err, "version", "read_only");
	assert_field_err(&err, "amount", "invalid_type");
	assert_field_err(&err, "status", "invalid_value");
	assert_field_err(&err, "currency", "invalid_value");
	assert_field_err(&err, "probability", "out_of_range");
	assert_field_err(&err, "name", "required");
}

/* Regression (was a bug): src/model/record.c:455-464 (model_validate_write). A field that is
 * present in the body but invalid is left unset, so the create pass then
 * treats it as absent: a required field gets a second, wrong "required"
 * error ({"name":42} → invalid_type AND required; {"name":null} → required
 * twice), and a field with a default silently gets the default filled in
 * behind the error. Proposed fix: remember which fields the body carried
 * (e.g. a bool seen[] in the loop over the body, or mark r->set[i] and
 * keep a separate "bad" flag) and skip defaults/required for those. */
static void test_validate_one_error_per_field(void **state)
{
	struct arena *a = *state;
	struct rp_error err = {0};
	assert_int_equal(validate(a, "contacts", "{\"name\":42}", true, NULL, &err), RP_EINVAL);
	assert_int_equal(err.nfields, 1);
	assert_field_err(&err, "name", "invalid_type");
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{\"name\":null}", true, NULL, &err), RP_EINVAL);
	assert_int_equal(err.nfields, 1);
	assert_field_err(&err, "name", "required");
}

/* Regression (was a bug): src/model/record.c:289-290 (convert_string, FT_DATETIME) with
 * src/core/clock.c. A datetime whose offset moves it past 9999-12-31 in
 * UTC is accepted by clock_parse, and clock_format leaves the 21-byte
 * buffer without a NUL, so strlen(buf) here reads past the stack buffer
 * (ASan: stack-buffer-overflow) and whatever follows ends up stored.
 * Times in years 1..999 are stored without zero padding ("1-01-01...").
 * Proposed fix: see test_clock_extreme_years in test_core.c (range check
 * in clock_parse, snprintf-based clock_format). */
static void test_validate_datetime_out_of_range(void **state)
{
	struct arena *a = *state;
	struct rp_error err = {0};
	struct record *r = NULL;
	enum rp_err rc = validate(a, "activities",
				  "{\"type\":\"call\",\"subject\":\"s\",\"due_at\":"
				  "\"9999-12-31T23:30:00-01:00\"}",
				  true, &r, &err);
	if (rc == RP_OK)
		assert_int_equal(strlen(record_text(r, "due_at")), 20);
	else
		assert_field_err(&err, "due_at", "invalid_value");
	rp_error_clear(&err);
	assert_int_equal(validate(a, "activities",
				  "{\"type\":\"call\",\"subject\":\"s\",\"due_at\":"
				  "\"0001-01-01T00:00:00Z\"}",
				  true, &r, &err),
			 RP_OK);
	assert_string_equal(record_text(r, "due_at"), "0001-01-01T00:00:00Z");
}

/* ------------------------------------------------------------------ */
/* custom fields                                                        */
/* ------------------------------------------------------------------ */

static void test_custom_field_check(void **state)
{
	(void)state;
	const struct entity_def *e = ent("contacts");
	static const struct {
		const char *name;
		const char *code;
	} bad_names[] = {
		{"1abc", "invalid_format"},
		{"Name", "invalid_format"},
		{"a", "invalid_format"},
		{"_x", "invalid_format"},
		{"has-dash", "invalid_format"},
		{"has space", "invalid_format"},
		{"ümlaut", "invalid_format"},
		{"abcdefghijabcdefghijabcdefghijabcdefghijx", "invalid_format"},
		{"email", "duplicate"},
		{"name", "duplicate"},
		{"id", "duplicate"},
		{"owner_id", "duplicate"},
	};
	for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
		struct rp_error err = {0};
		struct field_def def = {.name = bad_names[i].name, .type = FT_TEXT};
		if (model_check_custom_field(e, &def, &err) != RP_EINVAL)
			fail_msg("accepted custom field name %s", bad_names[i].name);
		assert_field_err(&err, "name", bad_names[i].code);
	}
	struct rp_error err = {0};
	struct field_def nameless = {.type = FT_TEXT};
	assert_int_equal(model_check_custom_field(e, &nameless, &err), RP_EINVAL);
	assert_field_err(&err, "name", "invalid_format");

	/* 40 characters is the longest name */
	rp_error_clear(&err);
	struct field_def ok = {.name = "abcdefghijabcdefghijabcdefghijabcdefgh_9", .type = FT_TEXT};
	assert_int_equal(model_check_custom_field(e, &ok, &err), RP_OK);
	assert_int_equal(err.nfields, 0);

	/* types that cannot be custom, enums without options, bad refs */
	static const enum field_type bad_types[] = {FT_ID, FT_PASSWORD, FT_TAGS};
	for (size_t i = 0; i < 3; i++) {
		rp_error_clear(&err);
		struct field_def d = {.name = "fine_name", .type = bad_types[i]};
		assert_int_equal(model_check_custom_field(e, &d, &err), RP_EINVAL);
		assert_field_err(&err, "type", "invalid_value");
	}
	rp_error_clear(&err);
	struct field_def en = {.name = "fine_name", .type = FT_ENUM};
	assert_int_equal(model_check_custom_field(e, &en, &err), RP_EINVAL);
	assert_field_err(&err, "options", "required");
	rp_error_clear(&err);
	struct field_def rf = {.name = "fine_name", .type = FT_REF, .ref = "nope"};
	assert_int_equal(model_check_custom_field(e, &rf, &err), RP_EINVAL);
	assert_field_err(&err, "ref", "invalid_value");
	rp_error_clear(&err);
	struct field_def ml = {.name = "fine_name", .type = FT_TEXT, .max_len = -1};
	assert_int_equal(model_check_custom_field(e, &ml, &err), RP_EINVAL);
	assert_field_err(&err, "max_length", "out_of_range");
	/* every problem of the definition at once */
	rp_error_clear(&err);
	struct field_def all = {.name = "Bad", .type = FT_REF, .max_len = 200000};
	assert_int_equal(model_check_custom_field(e, &all, &err), RP_EINVAL);
	assert_int_equal(err.nfields, 3);
	/* checking adds nothing */
	assert_null(entity_field(e, "fine_name"));
}

static void test_custom_field_add(void **state)
{
	struct arena *a = *state;
	const struct entity_def *e = ent("contacts");
	int before = entity_nfields(e);
	unsigned gen = model_generation();
	struct record *old = record_new(a, e);

	char name[] = "loyalty_tier";
	char label[] = "Loyalty tier";
	const char *opts[] = {"gold", "silver", NULL};
	struct field_def def = {.name = name,
				.label = label,
				.type = FT_ENUM,
				.enum_values = opts,
				.flags = FF_SORT | FF_READONLY | FF_SYSTEM,
				.dflt = "silver"};
	struct rp_error err = {0};
	assert_int_equal(model_add_custom_field(e, &def, &err), RP_OK);
	assert_int_equal(entity_nfields(e), before + 1);
	assert_int_equal(model_generation(), gen + 1);
	/* the definition was copied */
	name[0] = 'X';
	label[0] = 'X';
	opts[0] = "copper";
	const struct field_def *f = entity_field(e, "loyalty_tier");
	assert_non_null(f);
	assert_int_equal(entity_field_index(e, "loyalty_tier"), before);
	assert_string_equal(f->column, "cf_loyalty_tier");
	assert_string_equal(field_column(f), "cf_loyalty_tier");
	assert_string_equal(f->label, "Loyalty tier");
	assert_true(f->json_key_len > 0);
	assert_key_written(f); /* made from the copy of its name */
	assert_true(f->flags & FF_CUSTOM);
	assert_true(f->flags & FF_SORT);
	assert_false(f->flags & FF_READONLY); /* only user-settable flags kept */
	assert_false(f->flags & FF_SYSTEM);
	assert_true(field_enum_has(f, "gold"));
	assert_false(field_enum_has(f, "copper"));

	/* validation now knows it; its default applies on create */
	struct record *r = NULL;
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{\"name\":\"C\"}", true, &r, &err), RP_OK);
	assert_string_equal(record_text(r, "loyalty_tier"), "silver");
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{\"name\":\"C\",\"loyalty_tier\":\"gold\"}", true,
				  &r, &err),
			 RP_OK);
	assert_string_equal(record_text(r, "loyalty_tier"), "gold");
	rp_error_clear(&err);
	assert_int_equal(validate(a, "contacts", "{\"name\":\"C\",\"loyalty_tier\":\"copper\"}",
				  true, &r, &err),
			 RP_EINVAL);
	assert_field_err(&err, "loyalty_tier", "invalid_value");

	/* a record made before the field has no slot for it */
	assert_null(record_get(old, "loyalty_tier"));
	record_set_text(old, a, "loyalty_tier", "gold"); /* ignored, no crash */

	/* the same name twice is refused, and nothing changes */
	struct field_def again = {.name = "loyalty_tier", .type = FT_TEXT};
	rp_error_clear(&err);
	assert_int_equal(model_add_custom_field(e, &again, &err), RP_EINVAL);
	assert_field_err(&err, "name", "duplicate");
	assert_int_equal(entity_nfields(e), before + 1);
	assert_int_equal(model_generation(), gen + 1);

	/* a second one lands after it */
	struct field_def score = {.name = "score_2", .type = FT_INT};
	rp_error_clear(&err);
	assert_int_equal(model_add_custom_field(e, &score, &err), RP_OK);
	assert_int_equal(entity_field_index(e, "score_2"), before + 1);
	assert_int_equal(model_generation(), gen + 2);
}

static void test_custom_field_limit(void **state)
{
	(void)state;
	const struct entity_def *e = ent("tags");
	struct rp_error err = {0};
	int added = 0;
	for (int i = 0; i < MODEL_MAX_CUSTOM; i++) {
		char name[32];
		snprintf(name, sizeof name, "extra_%d", i);
		struct field_def d = {.name = name, .type = FT_TEXT};
		if (model_add_custom_field(e, &d, &err) != RP_OK)
			fail_msg("custom field %d refused: %s", i,
				 err.nfields ? err.fields[0].code : err.code);
		added++;
	}
	assert_int_equal(added, MODEL_MAX_CUSTOM);
	struct field_def one_more = {.name = "one_more", .type = FT_TEXT};
	assert_int_equal(model_add_custom_field(e, &one_more, &err), RP_EINVAL);
	assert_field_err(&err, "name", "limit_reached");
	assert_null(entity_field(e, "one_more"));
}

/* ------------------------------------------------------------------ */
/* list queries                                                         */
/* ------------------------------------------------------------------ */

#define P(k, v) ((struct query_param){(k), (v)})

static enum rp_err parse(struct arena *a, const char *entity, const struct query_param *p, int n,
			 struct list_query *q, struct rp_error *err)
{
	return model_parse_list_query(ent(entity), p, n, a, q, err);
}

static void assert_parse_fails(struct arena *a, const char *entity, struct query_param p,
			       const char *code)
{
	struct list_query q;
	struct rp_error err = {0};
	if (parse(a, entity, &p, 1, &q, &err) != RP_EINVAL)
		fail_msg("%s: %s=%s accepted", entity, p.key, p.value);
	assert_int_equal(err.err, RP_EINVAL);
	if (strcmp(err.code, code))
		fail_msg("%s=%s: code %s, want %s", p.key, p.value, err.code, code);
	assert_true(err.nfields >= 1);
}

static void test_query_defaults(void **state)
{
	struct arena *a = *state;
	struct list_query q;
	struct rp_error err = {0};
	assert_int_equal(parse(a, "contacts", NULL, 0, &q, &err), RP_OK);
	assert_ptr_equal(q.ent, ent("contacts"));
	assert_int_equal(q.limit, QUERY_DEFAULT_LIMIT);
	assert_int_equal(q.nsort, 1);
	assert_int_equal(q.sort[0].field, 0);
	assert_false(q.sort[0].desc);
	assert_int_equal(q.nfilters, 0);
	assert_null(q.after);
	assert_null(q.want);
	assert_null(q.q);
	assert_false(q.deleted);
	assert_int_equal(q.ninclude, 0);

	struct query_param p[] = {P("q", "ivan"), P("deleted", "true"), P("format", "csv")};
	assert_int_equal(parse(a, "contacts", p, 3, &q, &err), RP_OK);
	assert_string_equal(q.q, "ivan");
	assert_true(q.deleted);
	assert_int_equal(q.nfilters, 0); /* format is not a filter */
	struct query_param p2[] = {P("q", ""), P("deleted", "no")};
	assert_int_equal(parse(a, "contacts", p2, 2, &q, &err), RP_OK);
	assert_null(q.q);
	assert_false(q.deleted);
}

static void test_query_filters(void **state)
{
	struct arena *a = *state;
	const struct entity_def *e = ent("deals");
	struct query_param p[] = {
		P("name", "Acme"),
		P("name[eq]", "Acme"),
		P("name[ne]", "Other"),
		P("amount[lt]", "100"),
		P("amount[lte]", "-100"),
		P("amount[gt]", "5"),
		P("amount[gte]", "0"),
		P("status[in]", "open,won"),
		P("name[contains]", "cme"),
		P("name[prefix]", "Ac"),
		P("lost_reason[null]", "true"),
		P("account_id[null]", "false"),
		P("created_at[gte]", "2026-01-01T03:00:00+03:00"),
		P("tags", "vip"),
		P("expected_close[lt]", "2026-12-31"),
		P("id[in]", "1,2,3"),
	};
	static const struct {
		const char *field;
		enum filter_op op;
		int nvals;
	} want[] = {
		{"name", OP_EQ, 1},	      {"name", OP_EQ, 1},
		{"name", OP_NE, 1},	      {"amount", OP_LT, 1},
		{"amount", OP_LTE, 1},	      {"amount", OP_GT, 1},
		{"amount", OP_GTE, 1},	      {"status", OP_IN, 2},
		{"name", OP_CONTAINS, 1},     {"name", OP_PREFIX, 1},
		{"lost_reason", OP_NULL, 1},  {"account_id", OP_NULL, 1},
		{"created_at", OP_GTE, 1},    {"tags", OP_EQ, 1},
		{"expected_close", OP_LT, 1}, {"id", OP_IN, 3},
	};
	int n = (int)(sizeof p / sizeof *p);
	struct list_query q;
	struct rp_error err = {0};
	assert_int_equal(parse(a, "deals", p, n, &q, &err), RP_OK);
	assert_int_equal(q.nfilters, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(q.filters[i].field, entity_field_index(e, want[i].field));
		assert_int_equal(q.filters[i].op, want[i].op);
		assert_int_equal(q.filters[i].nvals, want[i].nvals);
	}
	assert_string_equal(q.filters[0].vals[0].s, "Acme");
	assert_int_equal(q.filters[3].vals[0].kind, V_INT);
	assert_int_equal(q.filters[3].vals[0].i, 100);
	assert_int_equal(q.filters[4].vals[0].i, -100);
	assert_string_equal(q.filters[7].vals[0].s, "open");
	assert_string_equal(q.filters[7].vals[1].s, "won");
	assert_string_equal(q.filters[8].vals[0].s, "cme");
	assert_int_equal(q.filters[10].vals[0].i, 1);
	assert_int_equal(q.filters[11].vals[0].i, 0);
	/* filter times are normalised like stored ones */
	assert_string_equal(q.filters[12].vals[0].s, "2026-01-01T00:00:00Z");
	assert_string_equal(q.filters[13].vals[0].s, "vip");
	assert_int_equal(q.filters[15].vals[2].i, 3);
	for (int i = 0; i < OP_COUNT; i++)
		assert_string_not_equal(filter_op_name((enum filter_op)i), "?");
	assert_string_equal(filter_op_name(OP_CONTAINS), "contains");

	/* contains and prefix check only the shape: a partial e-mail is ok */
	struct query_param pe[] = {P("email[contains]", "@exa"), P("email[prefix]", "ivan.")};
	assert_int_equal(parse(a, "contacts", pe, 2, &q, &err), RP_OK);
	assert_int_equal(q.nfilters, 2);
}

static void test_query_filter_errors(void **state)
{
	struct arena *a = *state;
	/* the error names the parameter as the field */
	struct list_query q;
	struct rp_error err = {0};
	struct query_param p = P("nope", "1");
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_EINVAL);
	assert_string_equal(err.code, "invalid_filter");
	assert_int_equal(err.nfields, 1);
	assert_string_equal(err.fields[0].field, "nope");
	assert_string_equal(err.fields[0].code, "invalid_filter");

	assert_parse_fails(a, "deals", P("name[foo]", "x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("name[]", "x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("name[eq", "x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("name[eq]x", "x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("name[EQ]", "x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("nope[eq]", "x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("amount[gt]", "abc"), "invalid_filter");
	assert_parse_fails(a, "deals", P("amount", "12x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("amount", ""), "invalid_filter");
	assert_parse_fails(a, "deals", P("amount[in]", "1,x"), "invalid_filter");
	assert_parse_fails(a, "deals", P("status", "bogus"), "invalid_filter");
	assert_parse_fails(a, "deals", P("status[lt]", "open"), "invalid_filter");
	assert_parse_fails(a, "deals", P("amount[contains]", "1"), "invalid_filter");
	assert_parse_fails(a, "deals", P("tags[prefix]", "v"), "invalid_filter");
	assert_parse_fails(a, "deals", P("created_at[contains]", "2026"), "invalid_filter");
	assert_parse_fails(a, "deals", P("created_at", "yesterday"), "invalid_filter");
	assert_parse_fails(a, "deals", P("expected_close", "2026-02-30"), "invalid_filter");
	assert_parse_fails(a, "deals", P("lost_reason[null]", "maybe"), "invalid_filter");
	assert_parse_fails(a, "contacts", P("marketing_consent", "yes"), "invalid_filter");
	assert_parse_fails(a, "contacts", P("marketing_consent[gt]", "true"), "invalid_filter");
	assert_parse_fails(a, "users", P("password", "secret"), "invalid_filter");
	assert_parse_fails(a, "roles", P("permissions", "{}"), "invalid_filter");

	/* in takes at most QUERY_MAX_IN values */
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < QUERY_MAX_IN; i++)
		buf_printf(&b, "%s%d", i ? "," : "", i + 1);
	struct query_param in = P("id[in]", buf_str(&b));
	rp_error_clear(&err);
	assert_int_equal(parse(a, "deals", &in, 1, &q, &err), RP_OK);
	assert_int_equal(q.filters[0].nvals, QUERY_MAX_IN);
	buf_adds(&b, ",101");
	in.value = buf_str(&b);
	assert_parse_fails(a, "deals", in, "invalid_filter");
	buf_release(&b);

	/* at most QUERY_MAX_FILTERS filters */
	struct query_param many[QUERY_MAX_FILTERS + 1];
	for (int i = 0; i <= QUERY_MAX_FILTERS; i++)
		many[i] = P("amount[gt]", "1");
	rp_error_clear(&err);
	assert_int_equal(parse(a, "deals", many, QUERY_MAX_FILTERS, &q, &err), RP_OK);
	assert_int_equal(q.nfilters, QUERY_MAX_FILTERS);
	rp_error_clear(&err);
	assert_int_equal(parse(a, "deals", many, QUERY_MAX_FILTERS + 1, &q, &err), RP_EINVAL);
	assert_string_equal(err.code, "invalid_filter");
}

static void test_query_sort(void **state)
{
	struct arena *a = *state;
	const struct entity_def *e = ent("deals");
	struct list_query q;
	struct rp_error err = {0};
	struct query_param p = P("sort", "-amount,name");
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.nsort, 3);
	assert_int_equal(q.sort[0].field, entity_field_index(e, "amount"));
	assert_true(q.sort[0].desc);
	assert_int_equal(q.sort[1].field, entity_field_index(e, "name"));
	assert_false(q.sort[1].desc);
	assert_int_equal(q.sort[2].field, 0); /* id appended */
	assert_false(q.sort[2].desc);
	/* in the direction of the last key */
	p.value = "name,-created_at";
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.nsort, 3);
	assert_int_equal(q.sort[2].field, 0);
	assert_true(q.sort[2].desc);

	/* id given last is not appended again, and may be descending */
	p.value = "-id";
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.nsort, 1);
	assert_true(q.sort[0].desc);
	p.value = "name,-id";
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.nsort, 2);
	assert_true(q.sort[1].desc);
	p.value = "";
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.nsort, 1);

	/* QUERY_MAX_SORT user keys, plus id */
	p.value = "name,amount,status,currency,created_at,updated_at";
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.nsort, QUERY_MAX_SORT + 1);
	assert_parse_fails(a, "deals",
			   P("sort", "name,amount,status,currency,created_at,"
				     "updated_at,probability"),
			   "invalid_sort");
	assert_parse_fails(a, "deals", P("sort", "nope"), "invalid_sort");
	assert_parse_fails(a, "deals", P("sort", "-"), "invalid_sort");
	assert_parse_fails(a, "deals", P("sort", ",name"), "invalid_sort");
	assert_parse_fails(a, "deals", P("sort", "id,name"), "invalid_sort");
	assert_parse_fails(a, "deals", P("sort", "tags"), "invalid_sort");
	assert_parse_fails(a, "roles", P("sort", "permissions"), "invalid_sort");
	assert_parse_fails(a, "users", P("sort", "password"), "invalid_sort");
}

static void test_query_limit(void **state)
{
	struct arena *a = *state;
	struct list_query q;
	struct rp_error err = {0};
	struct query_param p = P("limit", "1");
	assert_int_equal(parse(a, "contacts", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.limit, 1);
	p.value = "500";
	assert_int_equal(parse(a, "contacts", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.limit, QUERY_MAX_LIMIT);
	static const char *const bad[] = {
		"0", "501", "abc", "", "10x", "-1", "99999999999999999999", "1.5"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		rp_error_clear(&err);
		p.value = bad[i];
		if (parse(a, "contacts", &p, 1, &q, &err) != RP_EINVAL)
			fail_msg("limit=%s accepted", bad[i]);
		assert_string_equal(err.code, "invalid_limit");
		assert_string_equal(err.fields[0].field, "limit");
		assert_string_equal(err.fields[0].code, "invalid_limit");
	}
}

static void test_query_fields_and_include(void **state)
{
	struct arena *a = *state;
	const struct entity_def *e = ent("contacts");
	struct list_query q;
	struct rp_error err = {0};
	struct query_param p = P("fields", "name,email");
	assert_int_equal(parse(a, "contacts", &p, 1, &q, &err), RP_OK);
	assert_non_null(q.want);
	int n = entity_nfields(e);
	for (int i = 0; i < n; i++) {
		const char *f = e->fields[i].name;
		bool want = !strcmp(f, "id") || !strcmp(f, "name") || !strcmp(f, "email");
		if (q.want[i] != want)
			fail_msg("fields=name,email: %s is %s", f,
				 q.want[i] ? "wanted" : "not wanted");
	}
	assert_parse_fails(a, "contacts", P("fields", "name,nope"), "invalid_fields");

	p = P("include", "account");
	rp_error_clear(&err);
	assert_int_equal(parse(a, "contacts", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.ninclude, 1);
	assert_ptr_equal(q.include[0], ent("accounts"));
	assert_int_equal(q.include_field[0], entity_field_index(e, "account_id"));
	p = P("include", "account,owner");
	assert_int_equal(parse(a, "contacts", &p, 1, &q, &err), RP_OK);
	assert_int_equal(q.ninclude, 2);
	assert_ptr_equal(q.include[1], ent("users"));
	assert_parse_fails(a, "contacts", P("include", "foo"), "invalid_include");
	assert_parse_fails(a, "contacts", P("include", "name"), "invalid_include");
	/* <name>_id exists but is not a reference */
	assert_parse_fails(a, "leads", P("include", "campaign"), "invalid_include");
	assert_parse_fails(a, "activities", P("include", "related"), "invalid_include");
	assert_parse_fails(a, "contacts", P("include", "contact"), "invalid_include");
	assert_parse_fails(a, "contacts", P("include", "account,owner,team,account,owner"),
			   "invalid_include");
}

/* A deal record with the values a page's last row would have. */
static struct record *deal(struct arena *a, int64_t id, int64_t amount, const char *name)
{
	struct record *r = record_new(a, ent("deals"));
	record_set_int(r, "id", id);
	record_set_int(r, "amount", amount);
	record_set_text(r, a, "name", name);
	return r;
}

static void test_query_cursor_round_trip(void **state)
{
	struct arena *a = *state;
	struct list_query q;
	struct rp_error err = {0};
	struct query_param p[2] = {P("sort", "-amount,name"), P("cursor", NULL)};
	assert_int_equal(parse(a, "deals", p, 1, &q, &err), RP_OK);
	struct record *r = deal(a, 17, 500, "Zed \"quoted\" 王");
	const char *cur = model_encode_cursor(&q, r, a);
	assert_non_null(cur);
	/* opaque and URL-safe */
	for (const char *c = cur; *c; c++)
		assert_true((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_');

	p[1].value = cur;
	struct list_query q2;
	assert_int_equal(parse(a, "deals", p, 2, &q2, &err), RP_OK);
	assert_non_null(q2.after);
	assert_int_equal(q2.nsort, 3);
	for (int k = 0; k < q2.nsort; k++)
		assert_true(value_equal(&q2.after[k], &r->v[q2.sort[k].field]));
	assert_int_equal(q2.after[0].kind, V_INT);
	assert_int_equal(q2.after[0].i, 500);
	assert_string_equal(q2.after[1].s, "Zed \"quoted\" 王");
	assert_int_equal(q2.after[2].i, 17);

	/* the cursor is read after the sort, whatever the order given */
	struct query_param rev[2] = {P("cursor", cur), P("sort", "-amount,name")};
	assert_int_equal(parse(a, "deals", rev, 2, &q2, &err), RP_OK);
	assert_non_null(q2.after);

	/* NULL sort values survive */
	struct record *rn = record_new(a, ent("deals"));
	record_set_int(rn, "id", 3);
	record_set_null(rn, "amount");
	record_set_null(rn, "name");
	p[1].value = model_encode_cursor(&q, rn, a);
	assert_int_equal(parse(a, "deals", p, 2, &q2, &err), RP_OK);
	assert_int_equal(q2.after[0].kind, V_NULL);
	assert_int_equal(q2.after[1].kind, V_NULL);
	assert_int_equal(q2.after[2].i, 3);

	/* booleans and datetimes as sort keys */
	struct query_param pc[2] = {P("sort", "marketing_consent,-created_at"), P("cursor", NULL)};
	assert_int_equal(parse(a, "contacts", pc, 1, &q, &err), RP_OK);
	struct record *rc = record_new(a, ent("contacts"));
	record_set_int(rc, "id", 9);
	record_set_int(rc, "marketing_consent", 1);
	record_set_text(rc, a, "created_at", "2026-01-02T03:04:05Z");
	pc[1].value = model_encode_cursor(&q, rc, a);
	assert_int_equal(parse(a, "contacts", pc, 2, &q2, &err), RP_OK);
	assert_int_equal(q2.after[0].kind, V_INT);
	assert_int_equal(q2.after[0].i, 1);
	assert_string_equal(q2.after[1].s, "2026-01-02T03:04:05Z");
	assert_int_equal(q2.after[2].i, 9);
}

static void assert_bad_cursor(struct arena *a, const char *entity, const char *sort,
			      const char *cursor)
{
	struct query_param p[2] = {P("sort", sort), P("cursor", cursor)};
	struct list_query q;
	struct rp_error err = {0};
	if (parse(a, entity, p, 2, &q, &err) != RP_EINVAL)
		fail_msg("cursor %s accepted for sort=%s", cursor, sort);
	assert_string_equal(err.code, "invalid_cursor");
	const struct rp_field_error *f = field_err(&err, "cursor");
	assert_non_null(f);
	assert_string_equal(f->code, "invalid_cursor");
}

static const char *b64(struct arena *a, const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	base64url_encode(&b, text, strlen(text));
	const char *s = arena_strdup(a, buf_str(&b));
	buf_release(&b);
	return s;
}

static void test_query_cursor_rejected(void **state)
{
	struct arena *a = *state;
	struct list_query q;
	struct rp_error err = {0};
	struct query_param p = P("sort", "-amount,name");
	assert_int_equal(parse(a, "deals", &p, 1, &q, &err), RP_OK);
	const char *cur = model_encode_cursor(&q, deal(a, 1, 2, "n"), a);

	/* another sort, another direction */
	assert_bad_cursor(a, "deals", "name", cur);
	assert_bad_cursor(a, "deals", "amount,name", cur);
	assert_bad_cursor(a, "deals", "", cur);
	/* garbage */
	assert_bad_cursor(a, "deals", "-amount,name", "!!!");
	assert_bad_cursor(a, "deals", "-amount,name", "Zm9v"); /* "foo" */
	assert_bad_cursor(a, "deals", "-amount,name", b64(a, "{}"));
	assert_bad_cursor(a, "deals", "-amount,name", b64(a, "[1,2,3]"));
	/* the right signature but values of the wrong type or number */
	assert_bad_cursor(a, "deals", "-amount,name",
			  b64(a, "{\"s\":\"-amount,name,id\",\"v\":[\"x\",\"n\",1]}"));
	assert_bad_cursor(a, "deals", "-amount,name",
			  b64(a, "{\"s\":\"-amount,name,id\",\"v\":[1,2,1]}"));
	assert_bad_cursor(a, "deals", "-amount,name",
			  b64(a, "{\"s\":\"-amount,name,id\",\"v\":[1,\"n\"]}"));
	assert_bad_cursor(a, "deals", "-amount,name",
			  b64(a, "{\"s\":\"-amount,name,id\",\"v\":[1,\"n\",1,2]}"));
	assert_bad_cursor(a, "deals", "-amount,name",
			  b64(a, "{\"s\":\"-amount,name,id\",\"v\":[1.5,\"n\",1]}"));
	/* a hand-made cursor of the right shape is accepted */
	struct query_param ok[2] = {
		P("sort", "-amount,name"),
		P("cursor", b64(a, "{\"s\":\"-amount,name,id\",\"v\":[7,\"n\",1]}"))};
	rp_error_clear(&err);
	assert_int_equal(parse(a, "deals", ok, 2, &q, &err), RP_OK);
	assert_int_equal(q.after[0].i, 7);
	/* an empty cursor means the first page */
	ok[1].value = "";
	assert_int_equal(parse(a, "deals", ok, 2, &q, &err), RP_OK);
	assert_null(q.after);
}

int main(void)
{
	/* each test gets a fresh arena in *state */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_registry_builtins),
		T(test_registry_lookups),
		T(test_registry_consistency),
		T(test_field_types),
		T(test_record_basics),
		T(test_write_value),
		T(test_validate_ok_and_defaults),
		T(test_validate_update_has_no_defaults),
		T(test_validate_required),
		T(test_validate_field_errors),
		T(test_validate_text_length),
		T(test_validate_reports_every_problem),
		T(test_validate_one_error_per_field),
		T(test_validate_datetime_out_of_range),
		T(test_custom_field_check),
		T(test_custom_field_add),
		T(test_custom_field_limit),
		T(test_query_defaults),
		T(test_query_filters),
		T(test_query_filter_errors),
		T(test_query_sort),
		T(test_query_limit),
		T(test_query_fields_and_include),
		T(test_query_cursor_round_trip),
		T(test_query_cursor_rejected),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	model_shutdown();
	return rc;
}
