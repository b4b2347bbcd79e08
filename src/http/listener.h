/* listener.h — the server's listening socket and its accepting thread
 * (listener.c). Inside src/http only, for server.c. */
#pragma once
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>

struct listener;

/* A listening TCP socket on addr (port 0: any free one, in *ret_port);
 * -1 when it cannot be had (the port in use). */
int listener_bind(const struct sockaddr_in *addr, int backlog, uint16_t *ret_port);
/* Accepts on fd in a thread of its own and adds each connection to d;
 * takes fd over. NULL when no thread can be started (fd stays the
 * caller's). */
struct listener *listener_start(int fd, struct MHD_Daemon *d);
/* Stops accepting and closes the socket; before d stops. */
void listener_stop(struct listener *l);
