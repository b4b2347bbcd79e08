/* backup.c — writing the full backup (see backup.h): one JSON-lines file
 * per entity and per system table, read page by page from one snapshot,
 * and the manifest last. Loading it back is restore.c. */
#include "io/backup.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/jsonw.h"
#include "io/backup_internal.h"
#include "model/registry.h"

int backup_plan(struct backup_entry *out, int max)
{
	const char *const *tables = store_backup_tables();
	int n = 0;
	/* custom field definitions first: they add the columns rows fill */
	for (int i = 0; tables[i] && n < max; i++)
		if (!strcmp(tables[i], "custom_fields"))
			out[n++] = (struct backup_entry){tables[i], NULL, 0};
	for (int i = 0; i < model_entity_count() && n < max; i++)
		out[n++] = (struct backup_entry){model_entity_at(i)->name, model_entity_at(i), 0};
	for (int i = 0; tables[i] && n < max; i++)
		if (strcmp(tables[i], "custom_fields"))
			out[n++] = (struct backup_entry){tables[i], NULL, 0};
	return n;
}

/* Creates dir, or accepts it when it exists and is empty. */
static enum rp_err prepare_dir(const char *dir, struct rp_error *err)
{
	if (mkdir(dir, 0750) == 0)
		return RP_OK;
	if (errno != EEXIST)
		return rp_fail(err, RP_EIO, "backup_failed", "cannot create %s: %s", dir,
			       strerror(errno));
	DIR *d = opendir(dir);
	if (!d)
		return rp_fail(err, RP_EIO, "backup_failed", "cannot open %s: %s", dir,
			       strerror(errno));
	struct dirent *de;
	bool empty = true;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty ? RP_OK
		     : rp_fail(err, RP_EINVAL, "backup_exists",
			       "%s is not empty; export --all writes into a new folder", dir);
}

/* One row as stored: keys are API field names, values the stored ones. */
static void write_record(struct buf *b, const struct entity_def *e, const struct record *r)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	for (int i = 0; i < r->n; i++) {
		const struct value *v = &r->v[i];
		model_write_key(&w, &e->fields[i]);
		switch (v->kind) {
		case V_NULL: jw_null(&w); break;
		case V_INT: jw_int(&w, v->i); break;
		case V_REAL: jw_double(&w, v->d); break;
		case V_TEXT: jw_strn(&w, v->s, v->len); break;
		}
	}
	jw_obj_end(&w);
	buf_addc(b, '\n');
}

static enum rp_err dump_entity(struct store_conn *c, const struct entity_def *e, FILE *f,
			       int64_t *ret_count, struct rp_error *err)
{
	struct buf b;
	buf_init(&b, 0);
	int64_t after = 0, count = 0;
	enum rp_err rc = RP_OK;
	for (int n = BACKUP_PAGE; rc == RP_OK && n == BACKUP_PAGE;) {
		struct arena *a = arena_new();
		struct record **rows;
		n = 0;
		rc = store_scan(c, e, after, BACKUP_PAGE, a, &rows, &n, err);
		buf_reset(&b);
		for (int i = 0; rc == RP_OK && i < n; i++)
			write_record(&b, e, rows[i]);
		if (n > 0)
			after = record_int(rows[n - 1], "id");
		count += n;
		if (rc == RP_OK && fwrite(b.p ? b.p : "", 1, b.len, f) != b.len)
			rc = rp_fail(err, RP_EIO, "backup_failed", "cannot write %s.jsonl",
				     e->name);
		arena_free(a);
	}
	buf_release(&b);
	*ret_count = count;
	return rc;
}

static enum rp_err dump_table(struct store_conn *c, const char *table, FILE *f, int64_t *ret_count,
			      struct rp_error *err)
{
	struct buf b;
	buf_init(&b, 0);
	int64_t after = 0, count = 0;
	enum rp_err rc = RP_OK;
	for (int n = BACKUP_PAGE; rc == RP_OK && n == BACKUP_PAGE;) {
		buf_reset(&b);
		n = 0;
		rc = store_table_dump(c, table, after, BACKUP_PAGE, &b, &after, &n, err);
		count += n;
		if (rc == RP_OK && fwrite(b.p ? b.p : "", 1, b.len, f) != b.len)
			rc = rp_fail(err, RP_EIO, "backup_failed", "cannot write %s.jsonl", table);
	}
	buf_release(&b);
	*ret_count = count;
	return rc;
}

static enum rp_err dump_entry(struct store_conn *c, const char *dir, struct backup_entry *en,
			      struct rp_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.jsonl", dir, en->name);
	FILE *f = fopen(path, "wx");
	if (!f)
		return rp_fail(err, RP_EIO, "backup_failed", "cannot create %s: %s", path,
			       strerror(errno));
	enum rp_err rc = en->ent ? dump_entity(c, en->ent, f, &en->count, err)
				 : dump_table(c, en->name, f, &en->count, err);
	if (fclose(f) != 0 && rc == RP_OK)
		rc = rp_fail(err, RP_EIO, "backup_failed", "cannot write %s", path);
	return rc;
}

static enum rp_err write_manifest(struct store_conn *c, const char *dir,
				  const struct backup_entry *en, int n, struct rp_error *err)
{
	char now[RP_TIME_LEN], path[4096];
	clock_format(clock_now(), now);
	struct buf b;
	buf_init(&b, 0);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "format", BACKUP_FORMAT);
	jw_kint(&w, "format_version", BACKUP_FORMAT_VERSION);
	jw_kint(&w, "schema_version", store_schema_version(c));
	jw_kstr(&w, "created_at", now);
	jw_key(&w, "load_order");
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		char file[128];
		snprintf(file, sizeof file, "%s.jsonl", en[i].name);
		jw_obj(&w);
		jw_kstr(&w, "name", en[i].name);
		jw_kstr(&w, "kind", en[i].ent ? "entity" : "table");
		jw_kstr(&w, "file", file);
		jw_kint(&w, "count", en[i].count);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	buf_addc(&b, '\n');
	snprintf(path, sizeof path, "%s/%s", dir, BACKUP_MANIFEST);
	FILE *f = fopen(path, "wx");
	bool ok = f && fwrite(b.p, 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = false;
	buf_release(&b);
	return ok ? RP_OK : rp_fail(err, RP_EIO, "backup_failed", "cannot write %s", path);
}

enum rp_err backup_export_all(struct store *s, const char *dir, struct backup_summary *ret,
			      struct rp_error *err)
{
	struct store_conn *c = store_conn(s, err);
	if (!c || prepare_dir(dir, err))
		return err->err;
	struct backup_entry plan[BACKUP_MAX_ENTRIES];
	int n = backup_plan(plan, BACKUP_MAX_ENTRIES);
	struct backup_summary sum = {0};
	/* one read transaction: every file shows the same moment */
	enum rp_err rc = store_begin(c, false, err);
	for (int i = 0; rc == RP_OK && i < n; i++) {
		rc = dump_entry(c, dir, &plan[i], err);
		sum.files++;
		*(plan[i].ent ? &sum.records : &sum.entries) += plan[i].count;
	}
	if (rc == RP_OK)
		rc = write_manifest(c, dir, plan, n, err);
	store_commit(c, NULL);
	if (rc == RP_OK && ret)
		*ret = sum;
	return rc;
}
