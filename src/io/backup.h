/* backup.h — the full backup as files: `rapport export --all DIR` writes
 * one JSON-lines file per entity (every row, deleted ones too, every
 * column as stored: ids, versions, timestamps, password hashes, custom
 * fields) plus the custom field definitions, the audit log and the API
 * tokens, and a manifest.json with the schema version, the counts and the
 * order to load. `rapport import --all DIR` loads that into an empty
 * database in one transaction and rebuilds the search index, so the
 * restored database answers exactly like the original.
 *
 * Format (format_version 1): each line of <name>.jsonl is one JSON object
 * keyed by API field name (entities; "password" holds the stored argon2id
 * hash) or by column (system tables), with values as stored: integers
 * (booleans are 0/1, money is minor units), reals, strings (JSON and tags
 * fields as their stored JSON text) or null. Rows are in id order. */
#pragma once
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define BACKUP_FORMAT	      "rapport-backup"
#define BACKUP_FORMAT_VERSION 1
#define BACKUP_MANIFEST	      "manifest.json"

struct backup_summary {
	int files;
	int64_t records; /* entity rows */
	int64_t entries; /* system table rows */
};

/* Writes the backup into dir, which must not exist or be empty (it is
 * created). Reads one snapshot. The manifest is written last, so a
 * directory without one is an unfinished backup. */
enum rp_err backup_export_all(struct store *s, const char *dir, struct backup_summary *ret,
			      struct rp_error *err);

/* Loads the backup in dir. The database must hold no records, or only
 * those a bootstrap (`rapport init`, or `serve` on an empty database)
 * makes — at most one user, roles, pipelines and stages, and no audit
 * entries, custom fields or tokens — which are replaced. Everything loads
 * in one transaction: on any error (a malformed line, a count that does
 * not match the manifest, a dangling reference) nothing is written and
 * err names the file and line. */
enum rp_err backup_import_all(struct store *s, const char *dir, struct backup_summary *ret,
			      struct rp_error *err);
