/* import.h — moving records in from spreadsheets and other CRMs' exports:
 * which column goes where (import_map.c), reading cells as field values
 * (import_convert.c) and the importer itself (import.c), which runs an
 * `imports` record: row by row through the record service (so every rule
 * and permission holds), duplicates found by external id, e-mail, phone
 * and name, batches all-or-nothing, rejected rows to a file, and every
 * change logged so the import can be undone. */
#pragma once
#include <jansson.h>
#include <stdbool.h>

#include "domain/domain.h"

#define N(...) ((const char *const[]){__VA_ARGS__, NULL})

/* --- mapping --------------------------------------------------------------- */

/* Case-folded letters and digits of s (malloc'd). */
char *import_header_key(const char *s);
/* Whether key (import_header_key's) is name's key: a header, an alias or
 * a label matched as headers are. */
bool import_header_is(const char *key, const char *name);
/* Whether target is part of a person's name that e keeps no field for
 * (a patronymic; a lead's first and last names): the import makes the
 * name of the parts. */
bool import_name_part(const struct entity_def *e, const char *target);
/* The field of e a "<ref>" or "<ref>.external_id" target goes through
 * ("account" → account_id), or NULL. */
const struct field_def *import_ref_field(const struct entity_def *e, const char *target);
/* Whether a mapping target makes sense for e ("" = skip is valid). */
bool import_target_valid(const struct entity_def *e, const char *target);
/* Whether f is a date a record brings from the old system, which only an
 * import may set: created_at, a deal's closed_at (struct history). */
bool import_history_field(const struct field_def *f);
/* The target a header maps to by itself, "" when none. */
const char *import_auto_target(const struct entity_def *e, const char *header);
/* The targets of a file's n columns: chosen[i] is the one the user gave
 * column i (NULL: automatic), the others each header's own, then what only
 * the whole file tells: a bare "id" column is skipped when another column
 * goes to external_id (a Rapport export has both: the old system's id
 * wins), a reference's "account_id" beside its "account_name" (a Rapport
 * export's ids of another database, and the title) is skipped for the
 * name's link, and a mobile column ("Mobile", "手机", "Мобильный") goes to phone
 * when e has no mobile field and no other column goes to phone. ret[i]
 * gets column i's target ("" to skip): a static string or chosen[i]. */
void import_auto_targets(const struct entity_def *e, const char *const *headers,
			 const char *const *chosen, int n, const char **ret);

/* --- cells ----------------------------------------------------------------- */

/* "won" or "lost" when name is what another CRM calls a closed deal's
 * stage ("Closed Won", "Lost", "赢单", "Закрыто и не реализовано"), else
 * NULL. */
const char *import_stage_kind(const char *name);

struct import_convert_opts {
	char date_order;	      /* 'D' (day first), 'M' (month first) or 0: guess */
	const char *timezone;	      /* of times written without one; NULL = UTC */
	const char *currency;	      /* for money: the row's currency, NULL = none given */
	const char *default_currency; /* when neither the row nor the cell names one;
					 NULL = 2 decimals */
	bool point_decimal;	      /* numbers as a spreadsheet stored them (XLSX):
					 "12.345" is 12.345, never European 12345 */
};
/* Whether zone is a time zone ICU knows ("Europe/Moscow", "UTC"). */
bool import_known_timezone(const char *zone);
/* 'D' for a date that can only be day first (25/12/1980), 'M' for one
 * that can only be month first (12/25/1980), else 0. */
char import_date_hint(const char *s);
/* YYYY-MM-DD from a written date; ret_rest (may be NULL) gets what follows. */
bool import_parse_date(const char *s, char order, char out[11], const char **ret_rest);
/* The cell as the JSON the API takes for f; NULL with a field error in
 * err when it cannot be read. */
json_t *import_convert(const struct field_def *f, const char *cell,
		       const struct import_convert_opts *o, struct rp_error *err);
/* Whether a task's status as other systems write it ("Completed",
 * "Not Started", "Выполнена", "进行中", yes/no) says it is done: 1 or 0,
 * -1 for a word none of them uses. */
int import_task_done(const char *cell);
/* The currency a cell's sign or word names ("¥" → CNY), or NULL. */
const char *import_cell_currency(const char *cell);
/* The currency a currency column's cell names: a sign or word ("¥" →
 * CNY) or a code of three letters, upper-cased ("jpy" → JPY); false
 * when it names none. */
bool import_currency_code(const char *cell, char ret_code[4]);
/* The cell without the ' an export or a rejects file put before text a
 * spreadsheet would run as a formula ("'=SUM(A1)" → "=SUM(A1)", "'+1 512"
 * → "+1 512"); any other cell as it is. Borrowed from cell. */
const char *import_unguarded(const char *cell);

/* --- imports ---------------------------------------------------------------- */

struct import_request {
	const struct entity_def *e;
	const char *file_name;	 /* as the user named it */
	const char *upload_path; /* a file to move into the imports folder */
	json_t *mapping;	 /* {"Header": "target"}; NULL = automatic */
	json_t *options;	 /* {country, encoding, delimiter, sheet, date_order,
				    create_missing}; NULL = defaults */
	const char *strategy;	 /* skip | update | merge | create; NULL = update */
	bool dry_run;
	bool run_here; /* the caller runs it (the CLI): no job is queued */
};

/* Checks the request and the caller's rights, moves the file into the
 * imports folder beside the database and records the import, queued.
 * Field errors name the request's part ("entity", "mapping", ...). */
enum rp_err import_create(struct dctx *d, const char *db_path, const struct import_request *rq,
			  struct record **ret, struct rp_error *err);

/* Called after every batch with the import as it stands; return false to
 * stop: the batches done so far stay and the import stays running, to be
 * resumed after them by the next import_run (a cancel is the user's, by
 * the import's status). */
typedef bool (*import_tick_fn)(const struct record *imp, double progress, void *ctx);

/* Runs a queued (or interrupted) import to its end as the user who
 * created it. Resumes after the last committed batch. */
enum rp_err import_run(struct store *s, int64_t import_id, import_tick_fn tick, void *ctx,
		       struct rp_error *err);
/* Asks a queued or running import to stop after its current batch. */
enum rp_err import_cancel(struct dctx *d, int64_t import_id, struct record **ret,
			  struct rp_error *err);
/* Deletes what the import created and puts back what it changed. */
enum rp_err import_undo(struct dctx *d, int64_t import_id, struct record **ret,
			struct rp_error *err);

/* The imports folder beside the database, "<database>-imports"; where an
 * import keeps its file and its rejected rows (CSV). */
void import_dir(const char *db_path, char *out, size_t n);
void import_file_path(const char *db_path, int64_t id, char *out, size_t n);
void import_rejects_path(const char *db_path, int64_t id, char *out, size_t n);
/* Whether the file at path (made by the two above) exists; an import made
 * when the folder was "imports", shared by the databases of a directory,
 * has it there, and path becomes that. */
bool import_find_file(const char *db_path, char *path, size_t n);
