/* pg_dump.c — `rapport backup` on PostgreSQL: the database's own dump
 * tool writes a consistent copy (one snapshot) in its custom format, and
 * pg_restore reads every part of it back as the check. The tools get the
 * connection from the environment libpq reads (PGHOST, PGPASSWORD, ...),
 * filled from the store's URL, so no password shows in the process
 * list. */
#include "store/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"

extern char **environ;

#define TOOL_OUTPUT_MAX ((size_t)1 << 20) /* what is kept of a tool's output */
#define ENV_MAX		512

/* The environment for a tool: ours without libpq's variables, then those
 * the URL sets. NULL if the URL cannot be read (*why says so). Free with
 * free_env. */
static char **tool_env(const char *url, char **why)
{
	PQconninfoOption *opts = url ? PQconninfoParse(url, why) : NULL;
	if (url && !opts)
		return NULL;
	char **env = calloc(ENV_MAX + 1, sizeof *env);
	if (!env)
		abort();
	int n = 0;
	for (char **e = environ; *e && n < ENV_MAX / 2; e++)
		if (strncmp(*e, "PG", 2) != 0)
			env[n++] = strdup(*e);
	for (PQconninfoOption *o = opts; o && o->keyword && n < ENV_MAX; o++) {
		if (!o->val || !o->envvar)
			continue;
		size_t len = strlen(o->envvar) + strlen(o->val) + 2;
		env[n] = malloc(len);
		if (!env[n])
			abort();
		snprintf(env[n++], len, "%s=%s", o->envvar, o->val);
	}
	PQconninfoFree(opts);
	return env;
}

static void free_env(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

/* The first line of a tool's message, without its "pg_dump: error: ". */
static const char *first_line(struct buf *out, char *line, size_t n)
{
	const char *s = buf_str(out);
	const char *err = strstr(s, "error: ");
	s = err ? err + 7 : s;
	snprintf(line, n, "%s", s);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Runs argv[0] (found on PATH) with the connection of url (NULL: none);
 * what it writes on stdout and stderr goes into out. Returns its exit
 * status, -1 if it could not be run. */
static int run_tool(const char *const *argv, const char *url, struct buf *out, struct rp_error *err)
{
	char *why = NULL;
	char **env = tool_env(url, &why);
	if (!env) {
		rp_fail(err, RP_EINVAL, "invalid_url", "the database URL cannot be read: %s",
			why ? why : "out of memory");
		PQfreemem(why);
		return -1;
	}
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0) {
		free_env(env);
		rp_fail(err, RP_EIO, "io_error", "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free_env(env);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		rp_fail(err, RP_EIO, "tool_missing",
			"cannot run %s (%s): install PostgreSQL's client programs "
			"(apt-get install postgresql-client)",
			argv[0], strerror(rc));
		return -1;
	}
	char chunk[4096];
	ssize_t got;
	while ((got = read(fd[0], chunk, sizeof chunk)) > 0 || (got < 0 && errno == EINTR))
		if (got > 0 && out->len < TOOL_OUTPUT_MAX)
			buf_add(out, chunk, (size_t)got);
	close(fd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

enum rp_err store_pg_dump(const char *url, const char *dest, struct rp_error *err)
{
	const char *const argv[] = {"pg_dump", "--format=custom", "--no-password", "--file", dest,
				    NULL};
	struct buf out;
	buf_init(&out, 0);
	int status = run_tool(argv, url, &out, err);
	if (status > 0) {
		char line[300];
		rp_fail(err, RP_EIO, "backup_failed", "pg_dump failed: %s",
			first_line(&out, line, sizeof line));
	}
	buf_release(&out);
	if (status != 0)
		unlink(dest); /* no half-written copy is left to be taken for one */
	return status == 0 ? RP_OK : err->err;
}

bool store_is_pg_dump(const char *path)
{
	char magic[5];
	FILE *f = fopen(path, "rb");
	bool is = f && fread(magic, 1, sizeof magic, f) == sizeof magic &&
		  !memcmp(magic, "PGDMP", sizeof magic);
	if (f)
		fclose(f);
	return is;
}

enum rp_err store_pg_dump_verify(const char *path, struct rp_error *err)
{
	/* the table of contents first: a dump of a Rapport database */
	const char *const list[] = {"pg_restore", "--list", path, NULL};
	struct buf out;
	buf_init(&out, 0);
	char line[300];
	int status = run_tool(list, NULL, &out, err);
	if (status > 0)
		rp_fail(err, RP_EINVAL, "damaged_backup", "pg_restore cannot read it: %s",
			first_line(&out, line, sizeof line));
	else if (status == 0 && !strstr(buf_str(&out), " TABLE DATA public schema_migrations "))
		rp_fail(err, RP_EINVAL, "not_rapport",
			"a PostgreSQL dump, but not of a Rapport "
			"database (no schema_migrations)");
	buf_release(&out);
	if (err->err)
		return err->err;
	/* then every table's rows, read back and thrown away */
	const char *const all[] = {"pg_restore", "--file=/dev/null", path, NULL};
	buf_init(&out, 0);
	status = run_tool(all, NULL, &out, err);
	if (status > 0)
		rp_fail(err, RP_EINVAL, "damaged_backup", "pg_restore cannot read all of it: %s",
			first_line(&out, line, sizeof line));
	buf_release(&out);
	return err->err;
}
