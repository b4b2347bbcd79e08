/* import_internal.h — the importer's state, shared by import.c (the run:
 * batches, outcomes, undo log), import_rows.c (columns, a row as a record
 * body), import_match.c (the record a row matches), import_dry.c (a dry
 * run's memory) and import_stage.c.
 * Nothing else includes it. */
#pragma once
#include <stdio.h>

#include "io/import.h"
#include "io/table.h"

struct dedup_key;
struct stage_memo;

enum col_kind {
	COL_SKIP,
	COL_FIELD,	  /* a field of the entity */
	COL_REF_NAME,	  /* "<ref>": a referenced record by name (or e-mail) */
	COL_REF_EXT,	  /* "<ref>.external_id": by the old system's id */
	COL_RELATED_EXT,  /* activities' "related.external_id": any linked entity */
	COL_RELATED_NAME, /* activities' "related": by title, in the row's related_type */
	COL_TASK_DONE,	  /* activities' "done": a task's status, done or not */
	COL_NAME_PART,	  /* a part of the name with no field: see import_name_part */
};

struct column {
	enum col_kind kind;
	const char *target;
	const struct field_def *f; /* the field written (the ref field for links) */
	char date_order;	   /* a date column's, read off all its cells; 0: none */
};

struct importer {
	int64_t import_id;
	struct arena *run_arena; /* lives for the whole run */
	struct dctx d;		 /* d.a is the current batch's arena */
	struct record *imp;	 /* the import record as the run keeps it */
	const struct entity_def *e;
	const char *strategy;
	bool dry_run;
	bool ended;   /* the start found the import cancelling and ended it */
	int64_t skip; /* rows done before an interruption */
	int64_t seq;  /* last undo-log entry */
	int64_t row_number;
	int batch_rows;	     /* rows the next batch reads */
	bool bulk;	     /* the batch runs without a savepoint per row */
	int rows_unsearched; /* rows since the search texts were last written */
	bool replay;	     /* a row of the bulk batch failed: write it again row by row */
	/* the file */
	struct table_reader *t;
	int title_rows; /* rows above the header (a report's title) */
	int ncols;
	const char *const *row_cells; /* the row being read, trimmed and unguarded */
	int row_ncells;
	char **headers;
	struct column *cols;
	int currency_col; /* -1 if none */
	/* options */
	const char *country;
	const char *timezone; /* of times written without one; NULL: UTC */
	char date_order;
	bool create_missing;
	/* outcomes */
	json_t *report_rows, *report_cols;
	int nreported[2]; /* rows in the report: [0] a dry run's created, [1] others */
	int nsampled;
	int64_t linked_created;
	struct account_memo *accounts; /* account ids by name, this run's */
	struct dry_memo *dry;	       /* a dry run's rows reported as new (import_dry.c) */
	size_t naccount_slots, naccounts;
	struct stage_memo *stages; /* stages and pipelines by name (import_stage.c) */
	FILE *rejects;		   /* the file of rejected rows */
	FILE *pending_rejects;	   /* this batch's, until it commits */
	char *pending_buf;
	size_t pending_len;
};

bool import_entity_ok(const struct entity_def *e);
/* The imports descriptor; an import record read (RP_ENOTFOUND when
 * deleted) and written with the importer's own (read-only) fields. */
const struct entity_def *import_entity(void);
enum rp_err import_load(struct store_conn *c, int64_t id, struct arena *a, struct record **ret,
			struct rp_error *err);
enum rp_err import_save(struct store_conn *c, struct record *r, int64_t id, struct arena *a,
			struct rp_error *err);
/* Opens the file with the import's options and reads its header row. */
enum rp_err import_open_table(struct importer *im, const char *path, struct rp_error *err);
/* Resolves every column's target (the import's mapping, else automatic)
 * and records the result in the import. */
enum rp_err import_columns(struct importer *im, struct rp_error *err);
void import_columns_free(struct importer *im);
/* Reads the file at path through once, when the import was not told its
 * date order, for each date column's: 31/12 says day first, 12/31 month
 * first, for every date of the column. */
void import_date_orders(struct importer *im, const char *path);
/* Forgets the accounts found or created by name: after a rollback they
 * may not exist. */
void import_forget_links(struct importer *im);

/* --- import_links.c: the records a row's cells name; 0 (or nothing set)
 * with a field error in err when a cell names none --- */

/* A "<ref>" cell: the record by its name (an account created when
 * missing, a contact by e-mail or within the row's account, a user by
 * e-mail or name, a stage or pipeline as import_stage.c finds them). */
int64_t import_ref_by_name(struct importer *im, const struct column *col, const char *cell,
			   json_t *body, struct rp_error *err);
/* A "<ref>.external_id" cell: the record with that old id. */
int64_t import_ref_by_external_id(struct importer *im, const struct column *col, const char *cell,
				  struct rp_error *err);
/* An activity's "related.external_id" and "related" cells: related_type
 * and related_id into body. */
void import_related_by_external_id(struct importer *im, const char *cell, json_t *body,
				   struct rp_error *err);
void import_related_by_name(struct importer *im, const char *cell, json_t *body,
			    struct rp_error *err);
/* A row as the JSON body of a create or update (linked records looked up
 * or created); field errors in err. */
json_t *import_row_body(struct importer *im, const char *const *cells, int n, struct rp_error *err);
/* The live record the row is the same as, 0 if none; *ret_match names
 * the key that matched ("external_id", "email", "phone", "name"). */
int64_t import_find_match(struct importer *im, json_t *body, const char **ret_match);
/* The most duplicate keys of one row. */
#define IMPORT_ROW_KEYS 12
/* The row's duplicate keys, computed as the store computes them; returns
 * how many (at most max). */
int import_row_keys(struct importer *im, json_t *body, struct dedup_key *keys, int max);

/* A dry run's rows reported as new (import_dry.c), remembered so a later
 * batch's row repeating one is reported as the run will do it (the record
 * it matches was rolled back); id is the record the batch made of it. */
void import_dry_remember(struct importer *im, json_t *body, int64_t id);
/* Whether the batch under way made record id of a row (a dry run's
 * report names no record it rolls back). */
bool import_dry_made(const struct importer *im, int64_t id);
/* The batch's rows remembered so go into the memo (the batch ended) or
 * are forgotten (it is written again row by row). */
void import_dry_keep(struct importer *im);
void import_dry_drop(struct importer *im);
void import_dry_free(struct importer *im);
/* The kind of key by which the row matches a row remembered so, or NULL;
 * *ret_same: the row is that one again, every value alike. */
const char *import_dry_seen(struct importer *im, json_t *body, bool *ret_same);
/* The stage a deal's stage cell names, 0 if none (import_stage.c): by
 * name, within the row's pipeline (body's pipeline_id) first; a closed
 * deal as other CRMs name it ("Closed Won", "赢单") in the won or lost
 * stage of that pipeline, or of the default one, and an open one in the
 * closest of ours (see import_stage.c). (A won or lost stage
 * makes the deal won or lost: the record service takes its status.) */
int64_t import_deal_stage(struct importer *im, const char *name, json_t *body);
/* The pipeline a file names: by name, in any case or spacing, else ours
 * for the default one of other CRMs ("Sales Pipeline", "Основная
 * воронка"); 0 if none. */
int64_t import_pipeline(struct importer *im, const char *name);
/* --- import_report.c: what the import tells of its rows --- */

/* Adds one to the counter named what ("created", "rejected", ...). */
void import_count(struct importer *im, const char *what);
/* Keeps a row's outcome for the report (every row of a dry run, up to a
 * thousand; the rejected ones of a run, up to a hundred). */
void import_report_row(struct importer *im, const char *action, int64_t id, const char *match,
		       const struct rp_error *rerr);
/* A row rejected: counted, reported, and its cells with the reason kept
 * for the rejected-rows file (cells NULL: a row the reader could not
 * take). */
void import_reject(struct importer *im, const char *const *cells, int n, const struct rp_error *e);
/* The batch's rejected rows go to the file (it committed) or are dropped. */
void import_flush_rejects(struct importer *im);
void import_drop_rejects(struct importer *im);
/* The first values of each column, for the mapping screen. */
void import_keep_samples(struct importer *im, const char *const *cells, int n);
/* The report (encoding, delimiter, columns, rows) into the import record. */
void import_set_report(struct importer *im);
/* Opens the rejected-rows file (appended to when the run resumes). */
enum rp_err import_open_rejects(struct importer *im, const char *db_path, bool resume,
				struct rp_error *err);

/* Logs a record the run created or changed (r as the change left it),
 * for undo. */
enum rp_err import_log_change(struct importer *im, const struct entity_def *e,
			      const struct record *r, const char *action, const char *old,
			      struct rp_error *err);
int64_t import_last_seq(struct importer *im);
