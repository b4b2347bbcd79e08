/* import_files.c — what an import keeps: its files beside the database
 * (the upload and the rejected rows) and its record, which only the
 * importer writes. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "io/import_internal.h"
#include "model/registry.h"

/* --- paths ----------------------------------------------------------------- */

/* Named after the database (as SQLite names its -wal and -shm files):
 * imports are numbered per database, and two databases of one directory
 * sharing a folder read and overwrote each other's files. A URL's query
 * is left out of the name. */
void import_dir(const char *db_path, char *out, size_t n)
{
	size_t len = strcspn(db_path, "?");
	snprintf(out, n, "%.*s-imports", (int)len, db_path);
}

void import_file_path(const char *db_path, int64_t id, char *out, size_t n)
{
	char dir[4200];
	import_dir(db_path, dir, sizeof dir);
	snprintf(out, n, "%s/%lld.data", dir, (long long)id);
}

void import_rejects_path(const char *db_path, int64_t id, char *out, size_t n)
{
	char dir[4200];
	import_dir(db_path, dir, sizeof dir);
	snprintf(out, n, "%s/%lld.rejects.csv", dir, (long long)id);
}

bool import_find_file(const char *db_path, char *path, size_t n)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return true;
	/* before, every database of a directory shared its "imports" folder */
	char copy[4096], old[4400];
	snprintf(copy, sizeof copy, "%s", db_path);
	const char *name = strrchr(path, '/');
	snprintf(old, sizeof old, "%s/imports%s", dirname(copy), name ? name : "/");
	if (stat(old, &st) != 0)
		return false;
	snprintf(path, n, "%s", old);
	return true;
}

/* --- the import record ------------------------------------------------------- */

const struct entity_def *import_entity(void)
{
	return model_entity("imports");
}

/* Writes the importer's own fields of the import record (clients may not:
 * they are read-only in the descriptor). */
enum rp_err import_save(struct store_conn *c, struct record *r, int64_t id, struct arena *a,
			struct rp_error *err)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	record_set_text(r, a, "updated_at", now);
	return store_update(c, r, id, err);
}

enum rp_err import_load(struct store_conn *c, int64_t id, struct arena *a, struct record **ret,
			struct rp_error *err)
{
	if (store_get(c, import_entity(), id, a, ret, err))
		return err->err;
	if (record_get(*ret, "deleted_at")->kind != V_NULL)
		return rp_fail(err, RP_ENOTFOUND, "not_found", "import %lld does not exist",
			       (long long)id);
	return RP_OK;
}

bool import_entity_ok(const struct entity_def *e)
{
	const struct field_def *f = entity_field(import_entity(), "entity");
	for (int i = 0; f && f->enum_values[i]; i++)
		if (!strcmp(f->enum_values[i], e->name))
			return true;
	return false;
}
