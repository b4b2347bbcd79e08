/* schema.c — migrations: numbered SQL files for the system tables, and
 * entity tables kept in step with their descriptors (create, add missing
 * columns, indexes). Custom fields are loaded into the registry here. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "model/registry.h"

/* Always taken before the writer's lock; recursive, so a restore can hold
 * it across its transaction and migrate inside it (store_schema_hold). */
static pthread_mutex_t schema_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void store_schema_hold(void)
{
	pthread_mutex_lock(&schema_lock);
}

void store_schema_release(void)
{
	pthread_mutex_unlock(&schema_lock);
}

static const char *column_type(const struct db_driver *drv, enum field_type t)
{
	switch (t) {
	case FT_ID: return drv->id_column;
	case FT_INT:
	case FT_MONEY:
	case FT_BOOL:
	case FT_REF: return drv->int_type;
	case FT_NUMBER: return drv->real_type;
	default: return "TEXT";
	}
}

/* "col" TYPE [NOT NULL DEFAULT ..] [REFERENCES ...] */
static void column_def(const struct db_driver *drv, struct buf *b, const struct field_def *f,
		       bool adding)
{
	buf_printf(b, "\"%s\" %s", field_column(f), column_type(drv, f->type));
	if (f->type == FT_ID)
		return;
	/* a NOT NULL column added to a table with rows needs a default: the
	 * version has one, the stamps are only ever created with their table */
	if ((f->flags & FF_NOTNULL) && !strcmp(f->name, "version"))
		buf_adds(b, " NOT NULL DEFAULT 1");
	else if ((f->flags & FF_NOTNULL) && !adding)
		buf_adds(b, " NOT NULL");
	if (f->type == FT_REF && f->ref && drv->inline_references)
		buf_printf(b, " REFERENCES \"%s\"(\"id\")", f->ref);
}

static enum rp_err create_table(struct store_conn *c, const struct entity_def *e,
				struct rp_error *err)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "CREATE TABLE IF NOT EXISTS \"%s\" (", e->name);
	int n = entity_nfields(e);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_adds(&b, ", ");
		column_def(conn_driver(c), &b, &e->fields[i], false);
	}
	buf_adds(&b, ")");
	buf_adds(&b, conn_driver(c)->table_suffix);
	enum rp_err rc = exec_text(c, buf_str(&b), err);
	buf_release(&b);
	return rc;
}

static bool has_column(struct store_conn *c, const char *table, const char *col)
{
	struct sql q;
	sql_init(&q);
	sql_add(&q, conn_driver(c)->has_column);
	q.params[q.n++] = (struct value){.kind = V_TEXT, .s = table, .len = strlen(table)};
	q.params[q.n++] = (struct value){.kind = V_TEXT, .s = col, .len = strlen(col)};
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st = stmt_prepare(c, &q, &err);
	bool found = st && stmt_step(st) == DB_ROW;
	stmt_done(st);
	sql_release(&q);
	return found;
}

static enum rp_err add_column(struct store_conn *c, const struct entity_def *e,
			      const struct field_def *f, struct rp_error *err)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "ALTER TABLE \"%s\" ADD COLUMN ", e->name);
	column_def(conn_driver(c), &b, f, true);
	enum rp_err rc = exec_text(c, buf_str(&b), err);
	buf_release(&b);
	return rc;
}

/* Whether the driver can tell that the index `name` exists: 1 yes, 0 no
 * or cannot tell, -1 on error. PostgreSQL refuses even CREATE INDEX IF
 * NOT EXISTS (and DROP INDEX) on a table with foreign key checks pending
 * (a restore defers them), so it is asked first. */
static int index_exists(struct store_conn *c, const char *name, struct rp_error *err)
{
	const char *has = conn_driver(c)->has_index;
	if (!has)
		return 0;
	struct sql q;
	sql_init(&q);
	sql_add(&q, has);
	q.params[q.n++] = (struct value){.kind = V_TEXT, .s = name, .len = strlen(name)};
	struct dbstmt *st = stmt_prepare(c, &q, err);
	sql_release(&q);
	if (!st)
		return -1;
	bool found = stmt_step(st) == DB_ROW;
	stmt_done(st);
	return found;
}

/* Runs sql, which creates the index `name`, unless it exists. */
static enum rp_err create_index(struct store_conn *c, const char *name, const char *sql,
				struct rp_error *err)
{
	int has = index_exists(c, name, err);
	return has < 0 ? err->err : has ? RP_OK : exec_text(c, sql, err);
}

/* Drops the index `name` of an earlier version, if it is there. */
static enum rp_err drop_old_index(struct store_conn *c, const char *name, struct rp_error *err)
{
	int has = index_exists(c, name, err);
	if (has < 0)
		return err->err;
	if (!has && conn_driver(c)->has_index)
		return RP_OK;
	char q[300];
	snprintf(q, sizeof q, "DROP INDEX IF EXISTS \"%s\"", name);
	return exec_text(c, q, err);
}

static enum rp_err field_indexes(struct store_conn *c, const struct entity_def *e,
				 const struct field_def *f, struct rp_error *err)
{
	char q[600], name[200];
	const char *col = field_column(f), *nulls = conn_driver(c)->index_nulls;
	if (f->flags & FF_UNIQUE) {
		snprintf(name, sizeof name, "%s_%s_uniq", e->name, col);
		snprintf(q, sizeof q,
			 "CREATE UNIQUE INDEX IF NOT EXISTS \"%s\" ON "
			 "\"%s\"(\"%s\") WHERE \"deleted_at\" IS NULL",
			 name, e->name, col);
		if (create_index(c, name, q, err))
			return err->err;
	}
	if (f->type == FT_REF && strcmp(f->name, "created_by")) {
		/* "the account's contacts, newest first" is the common list: the
		 * reference with created_at serves it in order (and the plain
		 * equality lookups too, so the one-column index goes) */
		snprintf(name, sizeof name, "%s_%s_created", e->name, col);
		snprintf(q, sizeof q,
			 "CREATE INDEX IF NOT EXISTS \"%s\" ON \"%s\"(\"%s\"%s, "
			 "\"created_at\"%s); DROP INDEX IF EXISTS \"%s_%s\"",
			 name, e->name, col, nulls, nulls, e->name, col);
		return create_index(c, name, q, err);
	}
	if ((f->flags & FF_SEARCH) && conn_driver(c)->text_index && field_is_text(f->type) &&
	    !c->bulk_loading) {
		snprintf(name, sizeof name, "%s_%s_trgm", e->name, col);
		snprintf(q, sizeof q, conn_driver(c)->text_index, name, e->name, col);
		if (create_index(c, name, q, err))
			return err->err;
	}
	if (!strcmp(f->name, "deleted_at")) {
		/* the recycle bin: its few rows, not a walk past every live one */
		snprintf(name, sizeof name, "%s_deleted", e->name);
		snprintf(q, sizeof q,
			 "CREATE INDEX IF NOT EXISTS \"%s\" ON \"%s\"(\"deleted_at\") "
			 "WHERE \"deleted_at\" IS NOT NULL",
			 name, e->name);
		return create_index(c, name, q, err);
	}
	if ((f->flags & (FF_SORT | FF_INDEX)) || f->type == FT_REF) {
		if (f->type == FT_ID)
			return RP_OK;
		/* Every list reads live rows only, so a sort index holds only
		 * those: with all of a field's rows in it, a page had to step
		 * over each deleted row that sorts before it (20,000 contacts
		 * deleted after an import made "newest first" 30 times slower).
		 * The full index it replaces goes; a unique field's index
		 * (live rows too) serves its sort. */
		if (!(f->flags & FF_UNIQUE)) {
			snprintf(name, sizeof name, "%s_%s_live", e->name, col);
			snprintf(q, sizeof q,
				 "CREATE INDEX IF NOT EXISTS \"%s\" ON \"%s\"(\"%s\"%s) "
				 "WHERE \"deleted_at\" IS NULL",
				 name, e->name, col, nulls);
			if (create_index(c, name, q, err))
				return err->err;
		}
		snprintf(name, sizeof name, "%s_%s", e->name, col);
		return drop_old_index(c, name, err);
	}
	return RP_OK;
}

enum rp_err store_bulk_load(struct store_conn *c, bool begin, struct rp_error *err)
{
	const struct db_driver *drv = conn_driver(c);
	const char *sql = begin ? drv->bulk_load_begin : drv->bulk_load_end;
	if (!begin && store_search_optimize(c, err))
		return err->err;
	if (!sql)
		return RP_OK;
	if (c->txdepth == 0)
		return rp_fail(err, RP_EINTERNAL, "internal_error",
			       "a bulk load needs a write transaction");
	if (exec_text(c, sql, err))
		return err->err;
	c->bulk_loading = begin;
	for (int i = 0; !begin && i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		for (int k = 0; k < entity_nfields(e); k++)
			if (field_indexes(c, e, &e->fields[k], err))
				return err->err;
	}
	return RP_OK;
}

/* Columns whose values derive from other rows: when one is added to a
 * table that has rows already, it is filled the way the record service
 * keeps it (activities.account_id: the account of the record the activity
 * is about, see domain/hooks.c). */
static const struct {
	const char *table, *column, *fill;
} derived[] = {
	{"activities", "account_id",
	 "UPDATE activities SET account_id = CASE related_type"
	 " WHEN 'accounts' THEN related_id"
	 " WHEN 'contacts' THEN (SELECT account_id FROM contacts WHERE id = activities.related_id)"
	 " WHEN 'deals' THEN (SELECT account_id FROM deals WHERE id = activities.related_id)"
	 " WHEN 'leads' THEN (SELECT converted_account_id FROM leads"
	 " WHERE id = activities.related_id) END"
	 " WHERE account_id IS NULL AND related_id IS NOT NULL"},
};

enum rp_err store_fill_derived(struct store_conn *c, const char *table, const char *column,
			       struct rp_error *err)
{
	for (size_t i = 0; i < sizeof derived / sizeof *derived; i++)
		if (!strcmp(derived[i].table, table) &&
		    (!column || !strcmp(derived[i].column, column)) &&
		    exec_text(c, derived[i].fill, err))
			return err->err;
	return RP_OK;
}

/* The foreign keys of a field, where the driver adds them apart. */
static enum rp_err field_reference(struct store_conn *c, const struct entity_def *e,
				   const struct field_def *f, struct rp_error *err)
{
	if (f->type != FT_REF || !f->ref || !conn_driver(c)->add_reference)
		return RP_OK;
	return conn_driver(c)->add_reference(c, e->name, field_column(f), f->ref, err);
}

/* An entity of global search has a search index of its own where the
 * driver keeps one per entity: made here if it has none yet (migration
 * 008 made those of the entities it knew). */
static enum rp_err create_search_index(struct store_conn *c, const struct entity_def *e,
				       struct rp_error *err)
{
	const struct db_driver *drv = conn_driver(c);
	char buf[SEARCH_TABLE_LEN];
	const char *table = search_table(drv, e, buf);
	if (!drv->search_per_entity || !(e->flags & EF_SEARCH) || has_column(c, table, "body"))
		return RP_OK;
	char sql[512];
	snprintf(sql, sizeof sql, drv->search_create, table);
	return exec_text(c, sql, err);
}

static enum rp_err sync_entity(struct store_conn *c, const struct entity_def *e,
			       struct rp_error *err)
{
	if (create_table(c, e, err) || create_search_index(c, e, err))
		return err->err;
	int n = entity_nfields(e);
	for (int i = 0; i < n; i++) {
		const struct field_def *f = &e->fields[i];
		if (!has_column(c, e->name, field_column(f)) &&
		    (add_column(c, e, f, err) ||
		     store_fill_derived(c, e->name, field_column(f), err)))
			return err->err;
		if (field_indexes(c, e, f, err))
			return err->err;
	}
	return RP_OK;
}

/* Indexes that follow from how the domain reads, not from one field. The
 * pipeline board reads each stage's deals by amount (its cards) and the
 * count and total per stage and currency (its column headers): without
 * deals_board_cards every column page sorts all of its stage's deals, and
 * without deals_board_totals (which covers the totals query) the summary
 * reads every deal row of the pipeline. */
static const char *const extra_indexes =
	"CREATE INDEX IF NOT EXISTS activities_related ON activities"
	" (related_type, related_id, created_at);"
	"CREATE INDEX IF NOT EXISTS deals_board_cards ON deals"
	" (stage_id, amount) WHERE deleted_at IS NULL;"
	"CREATE INDEX IF NOT EXISTS deals_board_totals ON deals"
	" (stage_id, currency, amount) WHERE deleted_at IS NULL;";

/* The tables whose rows say who a caller is and what they may do, and
 * custom_fields: a field added to users is in the caller's record. */
static const char *const auth_tables[] = {"users", "roles", "api_tokens", "custom_fields"};

static enum rp_err create_auth_triggers(struct store_conn *c, struct rp_error *err)
{
	for (size_t i = 0; i < sizeof auth_tables / sizeof *auth_tables; i++) {
		char sql[1024];
		snprintf(sql, sizeof sql, conn_driver(c)->auth_trigger, auth_tables[i]);
		if (exec_text(c, sql, err))
			return err->err;
	}
	return RP_OK;
}

int store_schema_version(struct store_conn *c)
{
	struct rp_error err;
	rp_error_init(&err);
	struct dbstmt *st =
		stmt_prepare_text(c, "SELECT max(version) FROM schema_migrations", &err);
	int v = 0;
	if (st && stmt_step(st) == DB_ROW)
		v = (int)stmt_int(st, 0);
	stmt_done(st);
	return v;
}

/* Applies the migrations newer than the database; *ret_had is the version
 * it had (0: a new database). */
static enum rp_err apply_migrations(struct store_conn *c, int *ret_had, struct rp_error *err)
{
	const struct migration *m = conn_driver(c)->migrations;
	char create[256];
	snprintf(create, sizeof create,
		 "CREATE TABLE IF NOT EXISTS schema_migrations (version "
		 "%s PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)%s",
		 conn_driver(c)->int_type, conn_driver(c)->table_suffix);
	if (exec_text(c, create, err))
		return err->err;
	int have = *ret_had = store_schema_version(c);
	for (int i = 0; m[i].path; i++) {
		int version = (int)strtol(m[i].path, NULL, 10);
		if (version <= have)
			continue;
		if (exec_text(c, (const char *)m[i].data, err)) {
			char why[sizeof err->detail];
			snprintf(why, sizeof why, "%s", err->detail);
			return rp_fail(err, err->err, "migration_failed", "migration %s failed: %s",
				       m[i].path, why);
		}
		struct sql q;
		sql_init(&q);
		char now[RP_TIME_LEN];
		clock_format(clock_now(), now);
		sql_add(&q, "INSERT INTO schema_migrations VALUES (");
		sql_int(&q, version);
		sql_add(&q, ",");
		sql_text(&q, m[i].path);
		sql_add(&q, ",");
		sql_text(&q, now);
		sql_add(&q, ")");
		enum rp_err rc = stmt_exec(c, &q, err);
		sql_release(&q);
		if (rc)
			return rc;
	}
	return RP_OK;
}

static const char *const *parse_options(const char *json)
{
	if (!json)
		return NULL;
	json_t *a = json_loads(json, 0, NULL);
	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	size_t n = json_array_size(a);
	const char **v = calloc(n + 1, sizeof *v);
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = strdup(json_string_value(json_array_get(a, i)) ?: "");
	json_decref(a);
	return v;
}

static void free_options(const char *const *v)
{
	if (!v)
		return;
	for (const char *const *p = v; *p; p++)
		free((char *)*p);
	free((void *)v);
}

static enum rp_err load_custom_fields(struct store_conn *c, struct rp_error *err)
{
	struct dbstmt *st = stmt_prepare_text(c,
					      "SELECT entity, name, type, label, required, "
					      "searchable, sortable, max_len, options, ref "
					      "FROM custom_fields ORDER BY id",
					      err);
	if (!st)
		return err->err;
	while (stmt_step(st) == DB_ROW) {
		const struct entity_def *e = model_entity(stmt_text(st, 0));
		const char *name = stmt_text(st, 1);
		struct field_def def = {.name = name};
		if (!e || entity_field(e, name) ||
		    !field_type_from_name(stmt_text(st, 2), &def.type))
			continue; /* already loaded, or an entity since removed */
		def.label = stmt_text(st, 3);
		def.flags = ((int)stmt_int(st, 4) ? FF_REQUIRED : 0) |
			    ((int)stmt_int(st, 5) ? FF_SEARCH : 0) |
			    ((int)stmt_int(st, 6) ? FF_SORT : 0);
		def.max_len = (int)stmt_int(st, 7);
		def.enum_values = parse_options(stmt_text(st, 8));
		def.ref = stmt_text(st, 9);
		struct rp_error ignore;
		rp_error_init(&ignore);
		model_add_custom_field(e, &def, &ignore);
		free_options(def.enum_values);
	}
	stmt_done(st);
	return RP_OK;
}

#define TRUNK_PHONES_VERSION 13 /* 013_phone_keys_trunk.sql */

/* Upgrading past TRUNK_PHONES_VERSION: the records whose phones hold a
 * "(0)" go to dedup_backlog, to be keyed again. */
static enum rp_err list_trunk_phones(struct store_conn *c, struct rp_error *err)
{
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		struct sql q;
		sql_init(&q);
		sql_add(&q, "INSERT INTO dedup_backlog (key) SELECT ");
		sql_int(&q, search_base(e));
		sql_add(&q, "+\"id\" FROM ");
		sql_ident(&q, e->name);
		bool any = false;
		for (int k = 0; k < e->nfields; k++) {
			const struct field_def *f = &e->fields[k];
			if (f->type != FT_PHONE || !(f->flags & FF_MATCH))
				continue;
			sql_add(&q, any ? " OR " : " WHERE ");
			sql_ident(&q, f->name);
			sql_add(&q, " LIKE '%(0)%'");
			any = true;
		}
		enum rp_err rc = any ? stmt_exec(c, &q, err) : RP_OK;
		sql_release(&q);
		if (rc)
			return rc;
	}
	return RP_OK;
}

enum rp_err store_migrate(struct store *s, struct rp_error *err)
{
	struct store_conn *c = store_conn(s, err);
	if (!c)
		return err->err;
	pthread_mutex_lock(&schema_lock);
	/* a restore migrates inside its own transaction, holding the writer */
	bool alone = c->txdepth == 0;
	if (alone)
		writer_exec_between_batches(s, s->drv->migrate_sort_begin);
	enum rp_err rc = store_begin(c, true, err);
	if (rc)
		goto out;
	const char *lock = s->drv->migrate_lock; /* servers starting together */
	int had = 0;
	if ((lock && (rc = exec_text(c, lock, err))) || (rc = apply_migrations(c, &had, err)) ||
	    (rc = load_custom_fields(c, err)))
		goto fail;
	for (int i = 0; i < model_entity_count(); i++)
		if ((rc = sync_entity(c, model_entity_at(i), err)))
			goto fail;
	if (had > 0 && had < TRUNK_PHONES_VERSION && (rc = list_trunk_phones(c, err)))
		goto fail;
	for (int i = 0; i < model_entity_count(); i++) {
		const struct entity_def *e = model_entity_at(i);
		for (int k = 0; k < entity_nfields(e); k++)
			if ((rc = field_reference(c, e, &e->fields[k], err)))
				goto fail;
	}
	if ((rc = exec_text(c, extra_indexes, err)) || (rc = create_auth_triggers(c, err)))
		goto fail;
	rc = store_commit(c, err);
	goto out;
fail:
	store_rollback(c);
out:
	if (alone)
		writer_exec_between_batches(s, s->drv->migrate_sort_end);
	pthread_mutex_unlock(&schema_lock);
	return rc;
}

static char *options_json(const struct field_def *def)
{
	if (!def->enum_values)
		return NULL;
	json_t *a = json_array();
	for (const char *const *p = def->enum_values; *p; p++)
		json_array_append_new(a, json_string(*p));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static enum rp_err insert_definition(struct store_conn *c, const struct entity_def *e,
				     const struct field_def *def, struct rp_error *err)
{
	char now[RP_TIME_LEN];
	clock_format(clock_now(), now);
	char *opts = options_json(def);
	struct value nul = {.kind = V_NULL};
	struct sql q;
	sql_init(&q);
	sql_add(&q, "INSERT INTO custom_fields (entity, name, type, label, required,"
		    " searchable, sortable, max_len, options, ref, created_at) VALUES (");
	sql_text(&q, e->name);
	sql_add(&q, ",");
	sql_text(&q, def->name);
	sql_add(&q, ",");
	sql_text(&q, field_type_name(def->type));
	sql_add(&q, ",");
	def->label ? sql_text(&q, def->label) : sql_param(&q, &nul);
	sql_add(&q, ",");
	sql_int(&q, (def->flags & FF_REQUIRED) != 0);
	sql_add(&q, ",");
	sql_int(&q, (def->flags & FF_SEARCH) != 0);
	sql_add(&q, ",");
	sql_int(&q, (def->flags & FF_SORT) != 0);
	sql_add(&q, ",");
	sql_int(&q, def->max_len);
	sql_add(&q, ",");
	opts ? sql_text(&q, opts) : sql_param(&q, &nul);
	sql_add(&q, ",");
	def->ref ? sql_text(&q, def->ref) : sql_param(&q, &nul);
	sql_add(&q, ",");
	sql_text(&q, now);
	sql_add(&q, ")");
	enum rp_err rc = stmt_exec(c, &q, err);
	sql_release(&q);
	free(opts);
	return rc;
}

enum rp_err store_add_custom_field(struct store_conn *c, const struct entity_def *e,
				   const struct field_def *def, struct rp_error *err)
{
	pthread_mutex_lock(&schema_lock);
	enum rp_err rc = model_check_custom_field(e, def, err);
	if (rc)
		goto out;
	struct field_def col = *def;
	char column[64];
	snprintf(column, sizeof column, "cf_%s", def->name);
	col.column = column;
	if ((rc = store_begin(c, true, err)))
		goto out;
	if ((rc = insert_definition(c, e, def, err)) || (rc = add_column(c, e, &col, err)) ||
	    (rc = field_indexes(c, e, &col, err)) || (rc = field_reference(c, e, &col, err))) {
		store_rollback(c);
		goto out;
	}
	if ((rc = store_commit(c, err)))
		goto out;
	rc = model_add_custom_field(e, def, err);
out:
	pthread_mutex_unlock(&schema_lock);
	return rc;
}
