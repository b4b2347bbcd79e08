/* faultfs.c — an LD_PRELOAD shim for the storage-fault test: while the
 * file named by $FAULT_FLAG exists, every write to a file under
 * $FAULT_DIR fails with ENOSPC (a full disk), or with EIO when the flag
 * file says "eio". Reads are untouched. Removing the flag is the disk
 * coming back. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* The errno to fail with now, 0 when writes may go through. */
static int fault_now(void)
{
	const char *flag = getenv("FAULT_FLAG");
	if (!flag)
		return 0;
	int fd = REAL(open)(flag, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char mode[8] = {0};
	ssize_t n = read(fd, mode, sizeof mode - 1);
	REAL(close)(fd);
	return n >= 3 && !strncmp(mode, "eio", 3) ? EIO : ENOSPC;
}

static int faulty(int fd)
{
	const char *dir = getenv("FAULT_DIR");
	if (!dir || fd < 0)
		return 0;
	char link[64], target[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	if (strncmp(target, dir, strlen(dir)))
		return 0;
	return fault_now();
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	int e = faulty(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return REAL(pwrite64)(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int e = faulty(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return REAL(pwrite)(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	int e = faulty(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return REAL(write)(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	int e = faulty(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return REAL(writev)(fd, iov, n);
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
	int e = faulty(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return REAL(fallocate64)(fd, mode, off, len);
}
