/* backup_internal.h — shared by backup.c (writing) and restore.c
 * (loading): what a backup holds, in the order to load it. */
#pragma once
#include "io/backup.h"

#define BACKUP_PAGE	   500 /* rows read or committed to memory at a time */
#define BACKUP_MAX_ENTRIES 80

/* One file of the backup: an entity's rows or a system table's. */
struct backup_entry {
	const char *name;	      /* also the file's name, with .jsonl */
	const struct entity_def *ent; /* NULL for a system table */
	int64_t count;
};

/* The files of a backup of this build, in load order: custom field
 * definitions, every entity, then the audit log and the API tokens.
 * Returns how many (at most max). */
int backup_plan(struct backup_entry *out, int max);
