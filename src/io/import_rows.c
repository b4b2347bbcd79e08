/* import_rows.c — the importer's view of a file: its columns and where
 * each goes, one row as the JSON body the record service takes (the
 * records it links to are found by import_links.c). import_match.c finds
 * the record a row is the same as. */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "domain/dedup.h"
#include "io/import_internal.h"
#include "model/registry.h"

/* --- the file and its columns ------------------------------------------------ */

static json_t *import_json(const struct record *imp, const char *field)
{
	const char *s = record_text(imp, field);
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_object();
}

/* The reader's options, from the import's. */
static void table_options_of(struct importer *im, struct table_options *to)
{
	json_t *o = import_json(im->imp, "options");
	const char *enc = json_string_value(json_object_get(o, "encoding"));
	const char *delim = json_string_value(json_object_get(o, "delimiter"));
	const char *sheet = json_string_value(json_object_get(o, "sheet"));
	*to = (struct table_options){0};
	to->encoding = enc && *enc ? arena_strdup(im->run_arena, enc) : NULL;
	to->delimiter = !delim ? 0 : !strcmp(delim, "tab") ? '\t' : delim[0];
	to->sheet = sheet && *sheet ? arena_strdup(im->run_arena, sheet) : NULL;
	json_decref(o);
}

#define TITLE_ROWS_MAX 10 /* rows above the header a report may have */

static int filled_cells(const char *const *cells, int n)
{
	int filled = 0;
	for (int i = 0; i < n; i++)
		filled += *cells[i] != '\0';
	return filled;
}

/* How many rows come before the header: a report saved from a CRM or 1C
 * puts its title ("Отчёт по сделкам", a date) in one cell above it. Rows
 * of at most one filled cell are titles when a row of several follows
 * within TITLE_ROWS_MAX; a one-column file has none. */
static int title_rows(const char *path, const struct table_options *to)
{
	struct table_reader *t;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (table_open(path, to, &t, &ignore))
		return 0;
	const char *const *cells;
	int n, got = 0, titles = 0;
	for (int row = 0; row < TITLE_ROWS_MAX && (got = table_next(t, &cells, &n, &ignore)) > 0;
	     row++) {
		if (filled_cells(cells, n) > 1)
			break;
		titles++;
	}
	table_close(t);
	return titles < TITLE_ROWS_MAX && got > 0 ? titles : 0;
}

/* Reads the header row, after the titles above it. Only a first row of
 * at most one filled cell has the file read ahead for the titles (an
 * XLSX's open reads its shared strings). */
static int read_header(struct importer *im, const char *path, const struct table_options *to,
		       const char *const **cells, int *n, struct rp_error *err)
{
	int got = table_next(im->t, cells, n, err);
	if (got <= 0 || filled_cells(*cells, *n) > 1)
		return got;
	im->title_rows = title_rows(path, to);
	for (int i = 0; i < im->title_rows; i++)
		if ((got = table_next(im->t, cells, n, err)) <= 0)
			break;
	return got;
}

enum rp_err import_open_table(struct importer *im, const char *path, struct rp_error *err)
{
	json_t *o = import_json(im->imp, "options");
	struct table_options to;
	table_options_of(im, &to);
	const char *country = json_string_value(json_object_get(o, "country"));
	const char *order = json_string_value(json_object_get(o, "date_order"));
	const char *tz = json_string_value(json_object_get(o, "timezone"));
	im->country = country && *country ? arena_strdup(im->run_arena, country) : NULL;
	im->timezone = tz && *tz ? arena_strdup(im->run_arena, tz) : NULL;
	im->date_order = order ? order[0] : 0;
	json_t *cm = json_object_get(o, "create_missing");
	im->create_missing = !json_is_false(cm);
	json_decref(o);

	if (table_open(path, &to, &im->t, err))
		return err->err;
	const char *const *cells;
	int n, got = read_header(im, path, &to, &cells, &n, err);
	if (got < 0)
		return err->err; /* a header that cannot be read: nothing to map */
	if (got == 0 || n == 0)
		return rp_fail(err, RP_EINVAL, "empty_file", "the file has no header row");
	im->ncols = n;
	im->headers = arena_alloc(im->run_arena, sizeof *im->headers * (size_t)n);
	for (int i = 0; i < n; i++)
		im->headers[i] = arena_strdup(im->run_arena, cells[i]);
	return RP_OK;
}

static void resolve_column(struct importer *im, struct column *col, const char *target)
{
	col->target = arena_strdup(im->run_arena, target);
	col->kind = COL_SKIP;
	if (!*target || !import_target_valid(im->e, target))
		return;
	const struct field_def *f = entity_field(im->e, target);
	if (f && f->type != FT_REF) {
		col->kind = COL_FIELD;
		col->f = f;
		return;
	}
	if (f) { /* a ref field by its own name: our own ids */
		col->kind = COL_FIELD;
		col->f = f;
		return;
	}
	if (!strcmp(target, "done")) {
		col->kind = COL_TASK_DONE;
		col->f = entity_field(im->e, "done_at");
		return;
	}
	if (import_name_part(im->e, target)) {
		col->kind = COL_NAME_PART;
		return;
	}
	col->f = import_ref_field(im->e, target);
	if (!strcmp(target, "related.external_id"))
		col->kind = COL_RELATED_EXT;
	else if (!strcmp(target, "related"))
		col->kind = COL_RELATED_NAME;
	else
		col->kind = strchr(target, '.') ? COL_REF_EXT : COL_REF_NAME;
}

/* The field that takes a second value of field: a second e-mail, or the
 * other number. */
static const struct {
	const char *field, *sibling;
} siblings[] = {{"email", "email2"}, {"phone", "mobile"}, {"mobile", "phone"}};

static const char *sibling_of(const char *field)
{
	for (size_t s = 0; s < sizeof siblings / sizeof *siblings; s++)
		if (!strcmp(siblings[s].field, field))
			return siblings[s].sibling;
	return NULL;
}

/* A second column whose header names a field already taken (two "Email"
 * columns) goes to its sibling if free (email2, mobile), else is skipped:
 * the first column wins, nothing is silently overwritten. */
static const char *unused_target(struct importer *im, int i, const char *target)
{
	bool taken = false;
	for (int k = 0; k < i && !taken; k++)
		taken = *target && !strcmp(im->cols[k].target, target);
	if (!strcmp(target, "related"))
		return target; /* each column may name it: see import_related_by_name */
	if (!taken)
		return target;
	const char *sibling = sibling_of(target);
	if (!sibling || !import_target_valid(im->e, sibling))
		return "";
	for (int k = 0; k < i; k++)
		if (!strcmp(im->cols[k].target, sibling))
			return "";
	return sibling;
}

#define MORE_VALUES " ::: " /* Google Contacts' cell of several e-mails or numbers */

/* Whether the row being read has a value in a column that goes to target. */
static bool column_filled(const struct importer *im, const char *target)
{
	for (int k = 0; k < im->ncols && k < im->row_ncells; k++)
		if (!strcmp(im->cols[k].target, target) && *im->row_cells[k])
			return true;
	return false;
}

/* A cell of several values ("a@x.ru ::: b@x.ru"): the first is the
 * field's; the second goes to the sibling field (email2, mobile) when the
 * row has none, else the cell is an error — a value is never dropped. */
static const char *first_of_many(struct importer *im, const struct field_def *f, const char *cell,
				 const struct import_convert_opts *co, json_t *body,
				 struct rp_error *err)
{
	const char *more = strstr(cell, MORE_VALUES);
	if (!more)
		return cell;
	const char *second = more + strlen(MORE_VALUES);
	const char *sibling = sibling_of(f->name);
	const struct field_def *sf = sibling ? entity_field(im->e, sibling) : NULL;
	if (!sf || !import_target_valid(im->e, sibling) || column_filled(im, sibling) ||
	    strstr(second, MORE_VALUES)) {
		rp_field_fail(err, f->name, "invalid", "\"%.60s\" holds more values than %s", cell,
			      sf ? "the two fields for them" : "the field");
		rp_field_because(err, "too_many_values", cell);
		return NULL;
	}
	json_t *v = import_convert(sf, second, co, err);
	if (v)
		json_object_set_new(body, sibling, v);
	return arena_strndup(im->d.a, cell, (size_t)(more - cell));
}

enum rp_err import_columns(struct importer *im, struct rp_error *err)
{
	json_t *given = import_json(im->imp, "mapping");
	json_t *resolved = json_object();
	im->report_cols = json_array();
	im->cols = arena_alloc(im->run_arena, sizeof *im->cols * (size_t)im->ncols);
	im->currency_col = -1;
	const char **given_to = arena_alloc(im->run_arena, sizeof *given_to * (size_t)im->ncols);
	const char **targets = arena_alloc(im->run_arena, sizeof *targets * (size_t)im->ncols);
	for (int i = 0; i < im->ncols; i++) {
		json_t *g = json_object_get(given, im->headers[i]);
		given_to[i] = !g ? NULL : json_string_value(g) ? json_string_value(g) : "";
	}
	import_auto_targets(im->e, (const char *const *)im->headers, given_to, im->ncols, targets);
	for (int i = 0; i < im->ncols; i++) {
		bool chosen = given_to[i] != NULL;
		const char *target = targets[i];
		if (!chosen)
			target = unused_target(im, i, target);
		resolve_column(im, &im->cols[i], target);
		if (im->cols[i].kind == COL_FIELD && !strcmp(im->cols[i].f->name, "currency"))
			im->currency_col = i;
		json_object_set_new(resolved, im->headers[i], json_string(im->cols[i].target));
		json_array_append_new(im->report_cols,
				      json_pack("{s:s,s:s,s:b}", "header", im->headers[i], "target",
						im->cols[i].target, "auto", !chosen));
	}
	char *m = json_dumps(resolved, JSON_COMPACT);
	record_set_text(im->imp, im->run_arena, "mapping", m);
	free(m);
	json_decref(resolved);
	json_decref(given);
	(void)err;
	return RP_OK;
}

static bool is_date_column(const struct column *col)
{
	return col->kind == COL_FIELD && (col->f->type == FT_DATE || col->f->type == FT_DATETIME);
}

void import_date_orders(struct importer *im, const char *path)
{
	int ndates = 0;
	for (int k = 0; k < im->ncols; k++)
		ndates += is_date_column(&im->cols[k]);
	if (im->date_order || !ndates)
		return;
	struct table_options to;
	table_options_of(im, &to);
	struct table_reader *t;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (table_open(path, &to, &t, &ignore))
		return;
	int *day = xcalloc((size_t)im->ncols, sizeof *day);
	int *month = xcalloc((size_t)im->ncols, sizeof *month);
	const char *const *cells;
	int n, got;
	for (int row = 0; (got = table_next(t, &cells, &n, &ignore)) != 0 && got != -1; row++) {
		rp_error_init(&ignore);
		if (got < 0 || row <= im->title_rows) /* the titles and the header */
			continue;
		for (int k = 0; k < n && k < im->ncols; k++) {
			char hint = is_date_column(&im->cols[k]) ? import_date_hint(cells[k]) : 0;
			day[k] += hint == 'D';
			month[k] += hint == 'M';
		}
	}
	table_close(t);
	/* one way only: a column that has both is read date by date */
	for (int k = 0; k < im->ncols; k++)
		im->cols[k].date_order = day[k] && !month[k] ? 'D' : month[k] && !day[k] ? 'M' : 0;
	free(day);
	free(month);
}

void import_columns_free(struct importer *im)
{
	import_forget_links(im); /* the rest lives in the run's arena */
	domain_remember_refs(&im->d, false);
}

/* A task's status in the old system. A done one was done when its done
 * date says, else when it was due (if that is past: tasks are often
 * closed early), else now; an open one keeps no done date. */
static void task_done(const char *cell, json_t *body, struct rp_error *err)
{
	int done = import_task_done(cell);
	if (done < 0) {
		rp_field_fail(err, "done_at", "invalid",
			      "\"%.60s\" is not a task's status (done or not)", cell);
		rp_field_because(err, "not_task_status", cell);
		return;
	}
	if (!done) {
		if (json_object_get(body, "done_at")) {
			rp_field_fail(err, "done_at", "invalid",
				      "the task is \"%.60s\" but has a done date", cell);
			rp_field_because(err, "open_but_done", cell);
		}
		return;
	}
	if (json_object_get(body, "done_at"))
		return;
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	const char *due = json_string_value(json_object_get(body, "due_at"));
	json_object_set_new(body, "done_at", json_string(due && strcmp(due, now) < 0 ? due : now));
}

/* --- a row -------------------------------------------------------------------- */

static char *trimmed(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

/* Appends word to name with a space between. */
static void add_word(char *name, size_t cap, const char *word)
{
	size_t n = strlen(name);
	if (word && *word)
		snprintf(name + n, cap - n, "%s%s", n ? " " : "", word);
}

/* A part of the name as the row gives it ("" for none); one the entity
 * keeps no field for leaves the body. */
static void name_part(const struct entity_def *e, json_t *body, const char *part, char *out,
		      size_t cap)
{
	json_t *v = json_object_get(body, part);
	snprintf(out, cap, "%s", v ? json_string_value(v) : "");
	if (import_name_part(e, part))
		json_object_del(body, part);
}

/* The name from its parts when the row has none: "Иван Сергеевич Петров",
 * "王小明" (family name first, no space, when both parts are Chinese;
 * Ivan Petrov keeps his order and his space). A patronymic has no field
 * of its own, nor a lead's first and last names: they live in the name
 * (a row's own full name gets a patronymic at its end unless it has it). */
static void compose_name(const struct entity_def *e, json_t *body)
{
	char g[200], middle[200], f[200], name[600] = "";
	name_part(e, body, "given_name", g, sizeof g);
	name_part(e, body, "middle_name", middle, sizeof middle);
	name_part(e, body, "family_name", f, sizeof f);
	const char *had = json_string_value(json_object_get(body, "name"));
	if (had) {
		if (!*middle || strstr(had, middle))
			return;
		snprintf(name, sizeof name, "%s", had);
		add_word(name, sizeof name, middle);
	} else if (*g && *f && !*middle && dedup_all_han(g) && dedup_all_han(f)) {
		snprintf(name, sizeof name, "%s%s", f, g);
	} else {
		add_word(name, sizeof name, g);
		add_word(name, sizeof name, middle);
		add_word(name, sizeof name, f);
	}
	if (*name)
		json_object_set_new(body, "name", json_string(name));
}

/* A deal placed by its stage alone goes into that stage's pipeline. */
static void complete_deal(struct importer *im, json_t *body)
{
	json_t *stage = json_object_get(body, "stage_id");
	if (!stage || json_object_get(body, "pipeline_id"))
		return;
	struct record *st;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_get(im->d.c, model_entity("stages"), json_integer_value(stage), im->d.a, &st,
		      &ignore) == RP_OK)
		json_object_set_new(body, "pipeline_id",
				    json_integer(record_int(st, "pipeline_id")));
}

static void put_value(json_t *body, const struct field_def *f, json_t *v)
{
	json_t *had = json_object_get(body, f->name);
	if (f->type == FT_TAGS && json_is_array(had)) {
		json_array_extend(had, v);
		json_decref(v);
		return;
	}
	json_object_set_new(body, f->name, v);
}

/* One cell into the body. Pass 0 takes every column but the links to
 * contacts and activities' records by name, pass 1 those (they look
 * within the row's account, and its related_type). */
static void put_cell(struct importer *im, const struct column *col, const char *cell, int pass,
		     const struct import_convert_opts *co, json_t *body, struct rp_error *err)
{
	bool late = col->kind == COL_RELATED_NAME || col->kind == COL_TASK_DONE ||
		    (col->kind == COL_REF_NAME && !strcmp(col->f->ref, "contacts"));
	if (col->kind == COL_SKIP || !*cell || late != (pass == 1))
		return;
	json_t *v = NULL;
	int64_t id = 0;
	switch (col->kind) {
	case COL_FIELD:
		if (col->f->type == FT_EMAIL || col->f->type == FT_PHONE)
			cell = first_of_many(im, col->f, cell, co, body, err);
		if (!cell)
			break;
		if (col->f->type == FT_MONEY && !co->currency && import_cell_currency(cell) &&
		    entity_field(im->e, "currency") && !json_object_get(body, "currency"))
			json_object_set_new(body, "currency",
					    json_string(import_cell_currency(cell)));
		if (col->date_order) {
			struct import_convert_opts dated = *co;
			dated.date_order = col->date_order;
			v = import_convert(col->f, cell, &dated, err);
		} else {
			v = import_convert(col->f, cell, co, err);
		}
		if (v)
			put_value(body, col->f, v);
		break;
	case COL_REF_NAME: id = import_ref_by_name(im, col, cell, body, err); break;
	case COL_REF_EXT: id = import_ref_by_external_id(im, col, cell, err); break;
	case COL_RELATED_EXT: import_related_by_external_id(im, cell, body, err); break;
	case COL_RELATED_NAME: import_related_by_name(im, cell, body, err); break;
	case COL_TASK_DONE: task_done(cell, body, err); break;
	case COL_NAME_PART: json_object_set_new(body, col->target, json_string(cell)); break;
	case COL_SKIP: break;
	}
	if (id)
		json_object_set_new(body, col->f->name, json_integer(id));
}

json_t *import_row_body(struct importer *im, const char *const *guarded, int n,
			struct rp_error *err)
{
	/* cells as they were before an export guarded them against formulas;
	 * trimmed first, so that the tab or line break the guard kept stays */
	const char **cells = arena_alloc(im->d.a, sizeof *cells * (size_t)(n > 0 ? n : 1));
	for (int k = 0; k < n; k++)
		cells[k] = import_unguarded(trimmed(im->d.a, guarded[k]));
	json_t *body = json_object();
	/* an XLSX number is stored as itself: a person's 41.667 (a price
	 * with VAT) is no European 41,667, which a CSV's "41.667" may be */
	struct import_convert_opts co = {.date_order = im->date_order,
					 .timezone = im->timezone,
					 .point_decimal = table_format_of(im->t) == TABLE_XLSX};
	/* money's minor units follow the row's currency: its column (a
	 * sign or a code: "JPY" has no cents), else the cell's sign, else
	 * the record's default */
	char code[4];
	if (im->currency_col >= 0 && im->currency_col < n &&
	    import_currency_code(cells[im->currency_col], code))
		co.currency = code;
	const struct field_def *cf = entity_field(im->e, "currency");
	co.default_currency = cf ? cf->dflt : NULL;
	im->row_cells = cells;
	im->row_ncells = n;
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < n && k < im->ncols; k++)
			put_cell(im, &im->cols[k], cells[k], pass, &co, body, err);
	if (im->e->flags & EF_PERSON)
		compose_name(im->e, body);
	if (!strcmp(im->e->name, "deals"))
		complete_deal(im, body);
	return body;
}
