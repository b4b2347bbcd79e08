/* sqlite_wal.h — the SQLite writer's log checkpoints in a thread of their
 * own (sqlite_wal.c). Inside src/store only, for sqlite.c. */
#pragma once
#include <sqlite3.h>

struct wal_checkpointer;

/* Turns SQLite's checkpoints inside COMMIT off for writer and starts the
 * thread that makes them for the database at path; NULL (and SQLite's own
 * checkpoints kept) when no thread can be started. */
struct wal_checkpointer *wal_checkpointer_start(sqlite3 *writer, const char *path);
/* Stops and joins the thread, before writer closes; NULL is a no-op. */
void wal_checkpointer_stop(struct wal_checkpointer *k, sqlite3 *writer);
