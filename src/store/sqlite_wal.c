/* sqlite_wal.c — checkpoints of the SQLite writer's write-ahead log, in a
 * thread of their own. SQLite's automatic checkpoint runs inside COMMIT:
 * it copies the log's pages into the database and syncs it, while the
 * writer lock is held and every other writer waits (a quarter of a big
 * import's time at 100k rows, profiled). Here the writer's commit only
 * wakes the thread; past a hard limit (the thread cannot keep up) the
 * commit checkpoints itself, as SQLite would, so the log stays bounded. */
#include "store/sqlite_wal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Frames (pages) in the log that wake the thread: 16 MB of 4 KB pages;
 * a page changed many times in between is copied once. */
#define WAKE_FRAMES 4000
/* Frames past which the commit checkpoints itself. */
#define FORCE_FRAMES (16 * WAKE_FRAMES)

struct wal_checkpointer {
	char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int frames; /* the log's size at the last commit that asked */
	bool stop;
};

static void checkpoint(sqlite3 *db)
{
	/* PASSIVE: never waits for readers; what it cannot copy now, a
	 * later run copies. A failure (a full disk) leaves the pages in the
	 * log, where they stay durable and readable. */
	sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
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

static void *run(void *arg)
{
	struct wal_checkpointer *k = arg;
	sqlite3 *db = NULL;
	pthread_mutex_lock(&k->lock);
	while (!k->stop) {
		if (k->frames < WAKE_FRAMES) {
			pthread_cond_wait(&k->wake, &k->lock);
			continue;
		}
		k->frames = 0;
		pthread_mutex_unlock(&k->lock);
		if (!db)
			db = open_database(k->path);
		if (db)
			checkpoint(db);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	sqlite3_close_v2(db);
	return NULL;
}

/* sqlite3_wal_hook: called after each commit of the writer, with the
 * log's size in frames. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)name;
	struct wal_checkpointer *k = arg;
	if (frames >= FORCE_FRAMES) {
		checkpoint(db);
		return SQLITE_OK;
	}
	if (frames >= WAKE_FRAMES) {
		pthread_mutex_lock(&k->lock);
		k->frames = frames;
		pthread_cond_signal(&k->wake);
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
