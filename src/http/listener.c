/* listener.c — the listening socket and the thread that accepts from it.
 * libmicrohttpd's workers each accepted for themselves, whichever won the
 * race, several connections in a row: 32 connections opened together
 * landed on one to four of four workers from run to run, and a GET's
 * rate went with it (53,000 to 85,000 a second). Here one thread accepts
 * and hands each connection to the daemon, which spreads added
 * connections over its workers. */
#include "http/listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/xalloc.h"

struct listener {
	int fd;
	struct MHD_Daemon *d;
	pthread_t thread;
	atomic_bool stopping;
};

static void *accept_loop(void *arg)
{
	struct listener *l = arg;
	while (!atomic_load(&l->stopping)) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof peer;
		int fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			/* the daemon closes fd if it cannot take it (its limits) */
			MHD_add_connection(l->d, fd, (struct sockaddr *)&peer, len);
			continue;
		}
		/* EINTR, a connection reset before it was accepted: the next
		 * one; anything else (out of descriptors or memory) waits for
		 * connections to close rather than spinning */
		if (errno != EINTR && errno != ECONNABORTED && errno != EPROTO)
			usleep(10 * 1000);
	}
	return NULL;
}

int listener_bind(const struct sockaddr_in *addr, int backlog, uint16_t *ret_port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	struct sockaddr_in bound;
	socklen_t len = sizeof bound;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    bind(fd, (const struct sockaddr *)addr, sizeof *addr) != 0 ||
	    listen(fd, backlog) != 0 || getsockname(fd, (struct sockaddr *)&bound, &len) != 0) {
		close(fd);
		return -1;
	}
	*ret_port = ntohs(bound.sin_port);
	return fd;
}

struct listener *listener_start(int fd, struct MHD_Daemon *d)
{
	struct listener *l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->d = d;
	if (pthread_create(&l->thread, NULL, accept_loop, l) != 0) {
		free(l);
		return NULL;
	}
	return l;
}

void listener_stop(struct listener *l)
{
	if (!l)
		return;
	atomic_store(&l->stopping, true);
	shutdown(l->fd, SHUT_RDWR); /* wakes the blocked accept */
	pthread_join(l->thread, NULL);
	close(l->fd);
	free(l);
}
