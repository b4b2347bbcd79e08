/* import_cell.c — feeds one spreadsheet cell to the importer's cell
 * readers (src/io/import_convert.c, import_map.c): import_convert for a
 * field of every type (dates as people write them in three orders,
 * numbers and money with separators and currency signs, booleans and
 * picklist labels in three languages, tags, JSON), import_parse_date, the
 * currency a cell names, and the cell read as a column header
 * (import_header_key, import_auto_target). The first two bytes pick the
 * entity and field, the third the date order and the row's currency; the
 * rest is the cell, UTF-8 as the table reader hands it out. Checks
 * import_convert's contract (a value, or NULL with a field error), that
 * a value it makes for a field a column may map to is of the JSON kind
 * the field takes (whole numbers and money within 9e15), and that a
 * parsed date is a real YYYY-MM-DD. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "harness.h"
#include "io/import.h"
#include "model/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool kind_fits(const struct field_def *f, json_t *j)
{
	switch (f->type) {
	case FT_INT:
	case FT_MONEY:
	case FT_REF:
	case FT_ID: return json_is_integer(j);
	case FT_NUMBER: return json_is_number(j);
	case FT_BOOL: return json_is_boolean(j);
	case FT_TAGS: return json_is_array(j);
	case FT_JSON: return json_is_object(j) || json_is_array(j);
	default: return json_is_string(j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	model_init();
	if (size < 3)
		return 0;
	const struct entity_def *e = model_entity_at(data[0] % model_entity_count());
	const struct field_def *f = &e->fields[data[1] % entity_nfields(e)];
	static const char orders[] = {0, 'D', 'M', 0};
	static const char *const currencies[] = {NULL, "USD", "JPY", "RUB"};
	struct import_convert_opts o = {.date_order = orders[data[2] & 3],
					.currency = currencies[(data[2] >> 2) & 3]};
	char *cell = malloc(size - 2);
	if (!cell)
		abort();
	memcpy(cell, data + 3, size - 3);
	cell[size - 3] = '\0';
	if (!utf8_valid(cell, strlen(cell)))
		goto out;
	struct rp_error err;
	rp_error_init(&err);
	json_t *j = import_convert(f, cell, &o, &err);
	FUZZ_CHECK(j != NULL || err.nfields > 0, "a cell refused without a field error");
	if (j) {
		struct arena *a = arena_new();
		struct value v;
		struct rp_error verr;
		rp_error_init(&verr);
		/* the importer converts cells only for fields a column may
		 * map to (never id, read-only or password fields); there the
		 * value must be of the JSON kind the field takes, and the
		 * record service judges the rest (a tag count, a JSON array
		 * for an object field) */
		if (import_target_valid(e, f->name)) {
			FUZZ_CHECK(kind_fits(f, j), "a converted cell of the wrong JSON kind");
			model_convert(f, j, a, &v, &verr);
		}
		if (f->type == FT_MONEY || f->type == FT_INT) {
			FUZZ_CHECK(json_is_integer(j), "money or an integer that is no integer");
			json_int_t iv = json_integer_value(j);
			FUZZ_CHECK(iv >= -9000000000000000LL && iv <= 9000000000000000LL,
				   "a whole number or amount past 9e15");
		}
		json_decref(j);
		arena_free(a);
	}
	char date[11];
	if (import_parse_date(cell, o.date_order, date, NULL))
		FUZZ_CHECK(strlen(date) == 10 && clock_valid_date(date),
			   "a parsed date is no date");
	import_cell_currency(cell);
	free(import_header_key(cell));
	const char *target = import_auto_target(e, cell);
	FUZZ_CHECK(target != NULL && (!*target || import_target_valid(e, target)),
		   "a header mapped to a target that is not valid");
out:
	free(cell);
	return 0;
}
