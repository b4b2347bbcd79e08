/* syncwatch.c — an LD_PRELOAD shim for the durability test. It watches a
 * server's writes to its write-ahead log (files ending in "-wal"), the
 * fsync/fdatasync calls on them, and its sends on sockets; an answer sent
 * while a WAL write is not yet on disk is counted as a violation (with one
 * client writing in sequence, every answer follows the writes it
 * acknowledges). At exit it writes "syncs N wal_writes N sends N
 * violations N" to $SYNCWATCH_OUT. A sync covers the writes made before
 * it began: writes racing a running sync stay unsynced. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum fd_kind { FD_UNKNOWN, FD_WAL, FD_SOCKET, FD_OTHER };
#define MAX_FD 4096

static _Atomic unsigned char kinds[MAX_FD];
static atomic_ulong write_gen, synced_gen, syncs, wal_writes, sends, violations;

static enum fd_kind classify(int fd)
{
	if (fd < 0 || fd >= MAX_FD)
		return FD_OTHER;
	enum fd_kind k = atomic_load(&kinds[fd]);
	if (k != FD_UNKNOWN)
		return k;
	struct stat st;
	char link[64], target[4096];
	k = FD_OTHER;
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
		k = FD_SOCKET;
	} else {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n > 4 && !memcmp(target + n - 4, "-wal", 4))
			k = FD_WAL;
	}
	atomic_store(&kinds[fd], (unsigned char)k);
	return k;
}

static void note_write(int fd)
{
	if (classify(fd) == FD_WAL) {
		atomic_fetch_add(&wal_writes, 1);
		atomic_fetch_add(&write_gen, 1);
	}
}

static void note_send(int fd)
{
	if (classify(fd) != FD_SOCKET)
		return;
	atomic_fetch_add(&sends, 1);
	if (atomic_load(&write_gen) > atomic_load(&synced_gen))
		atomic_fetch_add(&violations, 1);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int synced(int fd, int (*real)(int))
{
	unsigned long gen = atomic_load(&write_gen);
	int rc = real(fd);
	if (rc == 0 && classify(fd) == FD_WAL) {
		atomic_fetch_add(&syncs, 1);
		unsigned long cur = atomic_load(&synced_gen);
		while (cur < gen && !atomic_compare_exchange_weak(&synced_gen, &cur, gen))
			;
	}
	return rc;
}

int fsync(int fd)
{
	return synced(fd, REAL(fsync));
}

int fdatasync(int fd)
{
	return synced(fd, REAL(fdatasync));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = REAL(pwrite64)(fd, buf, n, off);
	note_write(fd);
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = REAL(pwrite)(fd, buf, n, off);
	note_write(fd);
	return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	note_send(fd);
	ssize_t r = REAL(write)(fd, buf, n);
	note_write(fd);
	return r;
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	note_send(fd);
	return REAL(writev)(fd, iov, n);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	note_send(fd);
	return REAL(send)(fd, buf, n, flags);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	note_send(fd);
	return REAL(sendmsg)(fd, msg, flags);
}

int close(int fd)
{
	if (fd >= 0 && fd < MAX_FD)
		atomic_store(&kinds[fd], FD_UNKNOWN);
	return REAL(close)(fd);
}

__attribute__((destructor)) static void report(void)
{
	const char *out = getenv("SYNCWATCH_OUT");
	FILE *f = out ? fopen(out, "w") : NULL;
	if (!f)
		return;
	fprintf(f, "syncs %lu wal_writes %lu sends %lu violations %lu\n", atomic_load(&syncs),
		atomic_load(&wal_writes), atomic_load(&sends), atomic_load(&violations));
	fclose(f);
}
