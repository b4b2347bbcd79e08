/* sqlite_wal.c — checkpoints of the SQLite writer's write-ahead log, in a
 * thread of their own. SQLite's automatic checkpoint runs inside COMMIT:
 * it copies the log's pages into the database and syncs it, while the
 * writer lock is held and every other writer waits (a quarter of a big
 * import's time at 100k rows, profiled). Here the writer's commit only
 * wakes the thread, which copies the log a chunk at a time.
 *
 * The log starts again from its beginning only when a write transaction
 * begins with every frame copied. Under steady writes the next batch has
 * always begun before the thread is done, so the log never started
 * again: it grew to the hard limit (260 MB), and every commit past the
 * wake size woke the thread for a checkpoint of its last few frames, two
 * syncs each. So once the log is RESTART_FRAMES long and the thread has
 * copied all but the last frames, the writer's commit copies those itself
 * (a sync of the log and one of the database, under the writer lock) and
 * the transaction after it starts the log again. Past a hard limit (the
 * thread cannot keep up) the commit checkpoints itself, as SQLite would,
 * so the log stays bounded. */
#include "store/sqlite_wal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Frames (pages) not yet copied that wake the thread: 16 MB of 4 KB
 * pages; a page changed many times in between is copied once. */
#define WAKE_FRAMES 4000
/* The log's length at which the writer finishes the copy and the log
 * starts again: its few-millisecond pause comes once per 64 MB. */
#define RESTART_FRAMES (4 * WAKE_FRAMES)
/* At most this many frames left for the writer to copy when it restarts. */
#define RESTART_LEFT (WAKE_FRAMES / 4)
/* Frames past which the commit checkpoints itself. */
#define FORCE_FRAMES (16 * WAKE_FRAMES)

struct wal_checkpointer {
	char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int frames;	 /* the log's length at the last commit */
	int tried;	 /* its length when the thread last started to copy */
	int copied;	 /* frames of the log the thread copied (0: none since it began again) */
	int not_before;	 /* after a restart that failed: the length at which to try again */
	unsigned starts; /* how many times the log began again */
	bool copying;
	bool stop;
};

/* Copies the log into the database; returns whether it copied all of it
 * (*ret_copied: how much of it is copied now). PASSIVE: never waits for
 * readers; what it cannot copy now (a reader's snapshot still needs it),
 * a later run copies. A failure (a full disk) leaves the pages in the
 * log, where they stay durable and readable. */
static bool checkpoint(sqlite3 *db, int *ret_copied)
{
	int log = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
	if (ret_copied)
		*ret_copied = copied;
	return rc == SQLITE_OK && log > 0 && copied == log;
}

/* A connection of the thread's own; NULL when the file cannot be opened
 * (the next wake tries again). */
static sqlite3 *open_database(const char *path)
{
	sqlite3 *db = NULL;
	/* a connection learns the file is in WAL mode when it first reads it;
	 * until then a checkpoint does nothing */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close_v2(db);
		return NULL;
	}
	return db;
}

/* Whether the thread has frames to copy: a chunk, or, once the log is
 * long enough to start again, whatever would leave the writer too much
 * to copy itself (each new commit asks again). Lock held. */
static bool thread_due(const struct wal_checkpointer *k)
{
	if (k->copying)
		return false;
	return k->frames - k->tried >= WAKE_FRAMES ||
	       (k->frames >= RESTART_FRAMES && k->frames > k->tried &&
		k->frames - k->copied >= RESTART_LEFT);
}

static void *run(void *arg)
{
	struct wal_checkpointer *k = arg;
	sqlite3 *db = NULL;
	pthread_mutex_lock(&k->lock);
	while (!k->stop) {
		if (!thread_due(k)) {
			pthread_cond_wait(&k->wake, &k->lock);
			continue;
		}
		k->copying = true;
		k->tried = k->frames;
		unsigned log = k->starts;
		pthread_mutex_unlock(&k->lock);
		if (!db)
			db = open_database(k->path);
		int copied = 0;
		if (db)
			checkpoint(db, &copied);
		pthread_mutex_lock(&k->lock);
		k->copying = false;
		if (k->starts == log) /* it did not begin again meanwhile */
			k->copied = copied;
	}
	pthread_mutex_unlock(&k->lock);
	sqlite3_close_v2(db);
	return NULL;
}

/* Whether the writer's commit finishes the copy now, so the log starts
 * again at the next transaction. Lock held. */
static bool restart_due(const struct wal_checkpointer *k, int frames)
{
	return frames >= FORCE_FRAMES || (frames >= RESTART_FRAMES && frames >= k->not_before &&
					  !k->copying && frames - k->copied < RESTART_LEFT);
}

/* sqlite3_wal_hook: called after each commit of the writer, with the
 * log's length in frames. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)name;
	struct wal_checkpointer *k = arg;
	pthread_mutex_lock(&k->lock);
	if (frames < k->frames) { /* the log began again */
		k->tried = k->copied = k->not_before = 0;
		k->starts++;
	}
	k->frames = frames;
	bool restart = restart_due(k, frames);
	if (!restart && thread_due(k))
		pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	if (restart && !checkpoint(db, NULL)) {
		pthread_mutex_lock(&k->lock);
		k->not_before = frames + RESTART_LEFT;
		pthread_mutex_unlock(&k->lock);
	}
	return SQLITE_OK;
}

struct wal_checkpointer *wal_checkpointer_start(sqlite3 *writer, const char *path)
{
	struct wal_checkpointer *k = calloc(1, sizeof *k);
	if (!k || !(k->path = strdup(path))) {
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->wake, NULL);
	if (pthread_create(&k->thread, NULL, run, k) != 0) {
		pthread_cond_destroy(&k->wake);
		pthread_mutex_destroy(&k->lock);
		free(k->path);
		free(k);
		return NULL; /* SQLite's own checkpoints stay on */
	}
	sqlite3_wal_autocheckpoint(writer, 0);
	sqlite3_wal_hook(writer, on_commit, k);
	return k;
}

void wal_checkpointer_stop(struct wal_checkpointer *k, sqlite3 *writer)
{
	if (!k)
		return;
	sqlite3_wal_hook(writer, NULL, NULL);
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	free(k->path);
	free(k);
}
