/* sqltrace.c — an LD_PRELOAD shim for the benchmarks: when BENCH_SQLTRACE
 * names a file, every statement rapport runs is appended to it, with its
 * bound values (sqlite3_expanded_sql), one statement per line, when it is
 * first stepped, after "T<thread id> " (tools/ceiling.py tells the
 * requests' threads from the job worker's). bench/run.sh uses it to learn
 * the exact SQL behind each workload, so the storage ceiling runs the
 * same queries as the server. Not for production: it costs a write per
 * statement. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int (*real_step)(sqlite3_stmt *);
static int fd = -2;

int sqlite3_step(sqlite3_stmt *st)
{
	if (!real_step)
		real_step = (int (*)(sqlite3_stmt *))dlsym(RTLD_NEXT, "sqlite3_step");
	if (fd == -2) {
		const char *path = getenv("BENCH_SQLTRACE");
		fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
	}
	if (fd >= 0 && !sqlite3_stmt_busy(st)) {
		char *sql = sqlite3_expanded_sql(st);
		if (sql) {
			size_t n = strlen(sql);
			for (size_t i = 0; i < n; i++)
				if (sql[i] == '\n' || sql[i] == '\t')
					sql[i] = ' ';
			/* one write per line, so threads do not interleave */
			char tid[32];
			int k = snprintf(tid, sizeof tid, "T%ld ", (long)syscall(SYS_gettid));
			char *line = malloc((size_t)k + n + 2);
			if (line) {
				memcpy(line, tid, (size_t)k);
				memcpy(line + k, sql, n);
				memcpy(line + k + n, ";\n", 2);
				ssize_t w = write(fd, line, (size_t)k + n + 2);
				(void)w;
				free(line);
			}
			sqlite3_free(sql);
		}
	}
	return real_step(st);
}
