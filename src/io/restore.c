/* restore.c — loading a full backup (see backup.h) into an empty
 * database: the manifest is checked, the target must be empty (or just
 * bootstrapped, whose rows are replaced), then every file loads in one
 * write transaction with foreign keys checked at the end, the search
 * index is rebuilt, and only then is anything committed. */
#include <errno.h>
#include <string.h>

#include "domain/dedup.h"
#include "domain/domain.h"
#include "io/backup_internal.h"
#include "model/registry.h"

#define MANIFEST_MAX (1 << 20)
#define LINE_MAX_LEN ((size_t)64 << 20)

/* Prefixes err's detail with where the problem is: lines first..last of
 * file (one line when they are equal, none when 0). */
static enum rp_err at_lines(struct rp_error *err, const char *file, int64_t first, int64_t last)
{
	char detail[sizeof err->detail], code[sizeof err->code], where[64] = "";
	snprintf(detail, sizeof detail, "%s", err->detail);
	snprintf(code, sizeof code, "%s", err->code);
	if (first > 0 && first < last)
		snprintf(where, sizeof where, " lines %lld-%lld", (long long)first,
			 (long long)last);
	else if (last > 0)
		snprintf(where, sizeof where, " line %lld", (long long)last);
	return rp_fail(err, err->err ? err->err : RP_EINVAL, code, "%s%s: %s", file, where, detail);
}

/* --- the manifest -------------------------------------------------------- */

static json_t *read_manifest(const char *dir, struct rp_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, BACKUP_MANIFEST);
	json_error_t je;
	json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!m) {
		rp_fail(err, RP_EINVAL, "invalid_backup",
			"%s is missing or not JSON (%s): not a finished backup", path, je.text);
		return NULL;
	}
	return m;
}

static enum rp_err check_manifest(json_t *m, int schema, struct rp_error *err)
{
	const char *format = json_string_value(json_object_get(m, "format"));
	json_int_t version = json_integer_value(json_object_get(m, "format_version"));
	json_int_t their = json_integer_value(json_object_get(m, "schema_version"));
	if (!format || strcmp(format, BACKUP_FORMAT) ||
	    !json_is_array(json_object_get(m, "load_order")))
		return rp_fail(err, RP_EINVAL, "invalid_backup",
			       "the manifest is not one of a Rapport backup");
	if (version != BACKUP_FORMAT_VERSION)
		return rp_fail(err, RP_EINVAL, "invalid_backup",
			       "backup format version %lld; this Rapport reads version %d",
			       (long long)version, BACKUP_FORMAT_VERSION);
	if (their > schema)
		return rp_fail(err, RP_EINVAL, "invalid_backup",
			       "the backup is from a newer Rapport (schema %lld, this one has %d)",
			       (long long)their, schema);
	return RP_OK;
}

/* --- the target ---------------------------------------------------------- */

/* What a bootstrap makes: rows only in these tables, at most one user. */
static bool bootstrap_table(const char *name)
{
	return !strcmp(name, "users") || !strcmp(name, "roles") || !strcmp(name, "pipelines") ||
	       !strcmp(name, "stages");
}

static enum rp_err not_empty(struct rp_error *err, const char *table, int64_t n)
{
	return rp_fail(err, RP_ECONFLICT, "database_not_empty",
		       "the database already holds data (%s has %lld rows); import --all "
		       "restores into a new database: give --db a file that does not exist yet",
		       table, (long long)n);
}

/* RP_OK when the target holds nothing, or only a bootstrap's rows (then
 * *ret_bootstrap is set: they are to be replaced). */
static enum rp_err check_target(struct store_conn *c, bool *ret_bootstrap, struct rp_error *err)
{
	bool any = false;
	for (const char *const *t = store_backup_tables(); *t; t++) {
		int64_t n = store_table_count(c, *t);
		if (n != 0)
			return not_empty(err, *t, n);
	}
	for (int i = 0; i < model_entity_count(); i++) {
		const char *name = model_entity_at(i)->name;
		int64_t n = store_table_count(c, name);
		if (n != 0 && (!bootstrap_table(name) || (!strcmp(name, "users") && n > 1)))
			return not_empty(err, name, n);
		any = any || n != 0;
	}
	*ret_bootstrap = any;
	return RP_OK;
}

/* --- rows ---------------------------------------------------------------- */

/* A stored value of field f from JSON, its type checked against the
 * column's so a wrong file fails with a reason, not a constraint. */
static bool stored_value(const struct field_def *f, json_t *j, struct value *v)
{
	bool text = field_is_text(f->type);
	switch (json_typeof(j)) {
	case JSON_NULL: *v = (struct value){.kind = V_NULL}; return true;
	case JSON_INTEGER:
		*v = (struct value){.kind = V_INT, .i = json_integer_value(j)};
		return !text;
	case JSON_REAL:
		*v = (struct value){.kind = V_REAL, .d = json_real_value(j)};
		return f->type == FT_NUMBER;
	case JSON_STRING:
		*v = (struct value){
			.kind = V_TEXT, .s = json_string_value(j), .len = json_string_length(j)};
		return text;
	default: return false;
	}
}

/* The record a backup row holds, or a reason it holds none. */
static enum rp_err read_record(const struct entity_def *e, json_t *row, struct arena *a,
			       struct record **ret, struct rp_error *err)
{
	if (!json_is_object(row))
		return rp_fail(err, RP_EINVAL, "invalid_backup", "not a JSON object");
	struct record *r = record_new(a, e);
	const char *key;
	json_t *j;
	json_object_foreach(row, key, j)
	{
		int i = entity_field_index(e, key);
		if (i < 0)
			return rp_fail(err, RP_EINVAL, "invalid_backup", "%s has no field %s",
				       e->name, key);
		if (!stored_value(&e->fields[i], j, &r->v[i]))
			return rp_fail(err, RP_EINVAL, "invalid_backup",
				       "%s is not a stored %s value", key,
				       field_type_name(e->fields[i].type));
		r->set[i] = true;
	}
	if (!r->set[0] || r->v[0].kind != V_INT || r->v[0].i <= 0)
		return rp_fail(err, RP_EINVAL, "invalid_backup", "the row has no id");
	/* what every record of the entity has had since it was made (a
	 * custom field made required later may be empty in older rows) */
	for (int i = 0; i < r->n; i++) {
		const struct field_def *f = &e->fields[i];
		if ((f->flags & FF_REQUIRED) && !(f->flags & FF_CUSTOM) &&
		    (!r->set[i] || r->v[i].kind == V_NULL))
			return rp_fail(err, RP_EINVAL, "invalid_backup", "%s has no %s", e->name,
				       f->name);
	}
	*ret = r;
	return RP_OK;
}

/* Records read and not written yet, with the JSON rows whose strings they
 * point into, written together (store_insert_many). */
#define PENDING_ROWS 256
struct pending {
	struct record *r[PENDING_ROWS];
	json_t *json[PENDING_ROWS];
	int64_t line[PENDING_ROWS];
	int n;
	int64_t failed[2]; /* the lines of the rows whose write failed */
};

static void drop_pending(struct pending *p)
{
	for (int i = 0; i < p->n; i++)
		json_decref(p->json[i]);
	p->n = 0;
}

static enum rp_err write_pending(struct store_conn *c, struct pending *p, struct rp_error *err)
{
	int failed[2] = {0, 0};
	enum rp_err rc = p->n ? store_insert_many(c, p->r, p->n, failed, err) : RP_OK;
	if (rc) {
		p->failed[0] = p->line[failed[0]];
		p->failed[1] = p->line[failed[1]];
	}
	drop_pending(p);
	return rc;
}

/* Reads one line (without its newline) into *line; 1, 0 at the end, -1
 * when a line is longer than LINE_MAX_LEN. */
static int next_line(FILE *f, char **line, size_t *cap, size_t *ret_len)
{
	ssize_t n = getline(line, cap, f);
	if (n < 0)
		return 0;
	if ((size_t)n > LINE_MAX_LEN)
		return -1;
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	*ret_len = (size_t)n;
	return 1;
}

/* One line: a record joins p (written when p is full), another table's
 * row is written at once. */
static enum rp_err load_line(struct store_conn *c, const struct backup_entry *en, const char *line,
			     size_t len, int64_t lineno, struct arena *a, struct pending *p,
			     struct rp_error *err)
{
	json_error_t je;
	json_t *row = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!row)
		return rp_fail(err, RP_EINVAL, "invalid_backup", "not JSON: %s", je.text);
	if (!en->ent) {
		enum rp_err rc = store_table_load(c, en->name, row, err);
		json_decref(row);
		return rc;
	}
	struct record *r = NULL;
	if (read_record(en->ent, row, a, &r, err)) {
		json_decref(row);
		return err->err;
	}
	p->r[p->n] = r;
	p->line[p->n] = lineno;
	p->json[p->n++] = row;
	return RP_OK;
}

/* Loads one file; its row count must match the manifest's. */
static enum rp_err load_entry(struct store_conn *c, const char *dir, const struct backup_entry *en,
			      struct rp_error *err)
{
	char path[4096], file[128];
	snprintf(file, sizeof file, "%s.jsonl", en->name);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	FILE *f = fopen(path, "rb");
	if (!f)
		return rp_fail(err, RP_EINVAL, "invalid_backup", "cannot read %s: %s", path,
			       strerror(errno));
	char *line = NULL;
	size_t cap = 0, len = 0;
	int64_t count = 0, lineno = 0;
	enum rp_err rc = RP_OK;
	bool write_failed = false;
	struct arena *a = arena_new();
	struct pending *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	int got;
	while (rc == RP_OK && (got = next_line(f, &line, &cap, &len)) != 0) {
		lineno++;
		if (got < 0) {
			rc = rp_fail(err, RP_EINVAL, "invalid_backup", "the line is too long");
			break;
		}
		if (len == 0) /* a blank line is no row */
			continue;
		if ((rc = load_line(c, en, line, len, lineno, a, p, err)))
			break;
		count++;
		if (p->n < PENDING_ROWS && count % BACKUP_PAGE != 0)
			continue;
		if ((rc = write_pending(c, p, err))) {
			write_failed = true;
			break;
		}
		if (count % BACKUP_PAGE == 0) { /* bounded memory */
			arena_free(a);
			a = arena_new();
		}
	}
	if (rc == RP_OK && p->n)
		write_failed = (rc = write_pending(c, p, err)) != RP_OK;
	int64_t failed[2] = {p->failed[0], p->failed[1]};
	drop_pending(p);
	free(p);
	arena_free(a);
	free(line);
	fclose(f);
	if (rc)
		return write_failed ? at_lines(err, file, failed[0], failed[1])
				    : at_lines(err, file, lineno, lineno);
	if (count != en->count)
		return rp_fail(err, RP_EINVAL, "invalid_backup",
			       "%s holds %lld rows but the manifest says %lld (a damaged copy?)",
			       file, (long long)count, (long long)en->count);
	return RP_OK;
}

/* The line of the row with that id in the file of table, 0 if none: a
 * reference is checked once everything is loaded, by table and id, and
 * whoever mends the backup needs the line. */
static int64_t line_of_id(const char *dir, const char *table, int64_t id)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.jsonl", dir, table);
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char *line = NULL;
	size_t cap = 0, len = 0;
	int64_t lineno = 0, found = 0;
	while (!found && next_line(f, &line, &cap, &len) > 0) {
		lineno++;
		json_t *row = json_loadb(line, len, 0, NULL);
		json_t *v = json_object_get(row, "id");
		if (json_is_integer(v) && json_integer_value(v) == id)
			found = lineno;
		json_decref(row);
	}
	free(line);
	fclose(f);
	return found;
}

/* The manifest's load order, each name known to this build. */
static enum rp_err read_plan(json_t *m, struct backup_entry *out, int *ret_n, struct rp_error *err)
{
	json_t *order = json_object_get(m, "load_order"), *it;
	size_t i;
	int n = 0;
	json_array_foreach(order, i, it)
	{
		const char *name = json_string_value(json_object_get(it, "name"));
		const char *kind = json_string_value(json_object_get(it, "kind"));
		json_t *count = json_object_get(it, "count");
		const struct entity_def *e = name ? model_entity(name) : NULL;
		bool entity = kind && !strcmp(kind, "entity");
		const char *table = NULL; /* the store's own string: m is freed soon */
		for (const char *const *t = store_backup_tables(); name && *t; t++)
			if (!strcmp(name, *t))
				table = *t;
		if (n == BACKUP_MAX_ENTRIES || !json_is_integer(count) ||
		    (entity ? !e || strcmp(e->name, name) : !table))
			return rp_fail(err, RP_EINVAL, "invalid_backup",
				       "the manifest names %s, which this Rapport does not know",
				       name ? name : "an entry without a name");
		out[n++] = (struct backup_entry){entity ? e->name : table, entity ? e : NULL,
						 json_integer_value(count)};
	}
	*ret_n = n;
	return RP_OK;
}

/* --- search index -------------------------------------------------------- */

static enum rp_err reindex(struct store_conn *c, const struct entity_def *e, struct rp_error *err)
{
	int64_t after = 0;
	enum rp_err rc = RP_OK;
	/* deleted rows too: the bin's rows stay indexed, as in the original;
	 * the duplicate keys are rebuilt with the search text */
	bool indexed = (e->flags & EF_SEARCH) || dedup_applies(e);
	for (int n = indexed ? BACKUP_PAGE : 0; rc == RP_OK && n == BACKUP_PAGE;) {
		struct arena *a = arena_new();
		struct record **rows;
		n = 0;
		rc = store_scan(c, e, after, BACKUP_PAGE, a, &rows, &n, err);
		/* the target was empty (check_target): every record is new to
		 * the index, and a page's texts go in together */
		if (n > 0) {
			after = record_int(rows[n - 1], "id");
			rc = domain_index_new_records(c, e, rows, n, a, err);
		}
		if (rc == RP_OK)
			rc = store_search_flush(c, err);
		arena_free(a);
	}
	return rc;
}

/* --- the whole load ------------------------------------------------------ */

static enum rp_err load_all(struct store *s, struct store_conn *c, const char *dir,
			    const struct backup_entry *plan, int n, struct backup_summary *sum,
			    struct rp_error *err)
{
	bool bootstrap = false;
	/* first: nothing may be pending on the tables whose indexes go */
	if (store_bulk_load(c, true, err) || store_defer_foreign_keys(c, err) ||
	    check_target(c, &bootstrap, err) || (bootstrap && store_erase_all(c, err)))
		return err->err;
	store_defer_ids(c);
	for (int i = 0; i < n; i++) {
		if (load_entry(c, dir, &plan[i], err) || store_ids_written(c, plan[i].name, err))
			return err->err;
		/* new definitions: add their columns and registry entries, the
		 * same way a start-up does, before any row needs them */
		if (!strcmp(plan[i].name, "custom_fields") && store_migrate(s, err))
			return err->err;
		sum->files++;
		*(plan[i].ent ? &sum->records : &sum->entries) += plan[i].count;
	}
	for (int i = 0; i < model_entity_count(); i++)
		if (reindex(c, model_entity_at(i), err))
			return err->err;
	struct store_dangling bad = {0};
	if (store_check_references(c, &bad, err)) {
		char file[128];
		snprintf(file, sizeof file, "%s.jsonl", bad.table);
		int64_t line = bad.table[0] ? line_of_id(dir, bad.table, bad.id) : 0;
		return line ? at_lines(err, file, line, line) : err->err;
	}
	return store_bulk_load(c, false, err);
}

enum rp_err backup_import_all(struct store *s, const char *dir, struct backup_summary *ret,
			      struct rp_error *err)
{
	struct store_conn *c = store_conn(s, err);
	if (!c)
		return err->err;
	json_t *m = read_manifest(dir, err);
	struct backup_entry plan[BACKUP_MAX_ENTRIES];
	int n = 0;
	struct backup_summary sum = {0};
	enum rp_err rc = m ? check_manifest(m, store_schema_version(c), err) : err->err;
	if (rc == RP_OK)
		rc = read_plan(m, plan, &n, err);
	json_decref(m);
	if (rc)
		return rc;
	store_schema_hold(); /* load_all migrates inside the transaction */
	if ((rc = store_begin(c, true, err)) == RP_OK) {
		if ((rc = load_all(s, c, dir, plan, n, &sum, err)))
			store_rollback(c);
		else
			rc = store_commit(c, err);
	}
	store_schema_release();
	if (rc)
		return rc;
	if (ret)
		*ret = sum;
	return RP_OK;
}
