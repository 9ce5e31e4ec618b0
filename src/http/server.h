/* http/server.h — starts and stops the HTTP engine. The only module that
 * knows the engine is libmicrohttpd (server.c). */
#ifndef CSEC_HTTP_SERVER_H
#define CSEC_HTTP_SERVER_H

#include <stddef.h>

#include "core/net.h"
#include "http/dispatch.h"

struct http_server;

struct http_listen {
	struct net_addr addr;
	unsigned port; /* 0 asks the system for a free port */
	unsigned threads; /* 0: one per core */
	int fd; /* set by http_server_listen */
};

/* Opens the listening socket, so the port is known (and the public URL can
 * name it) before the server starts; with port 0, l->port becomes the one
 * the system chose. 0, or -1 with a message in err. */
int http_server_listen(struct http_listen *l, char *err, size_t errlen);

/* Starts serving table with cfg (both must outlive the server) on the socket
 * http_server_listen opened, which the server then owns. Returns 0, or -1
 * with a message in err. */
int http_server_start(const struct http_listen *l, const struct http_config *cfg,
                      const struct dispatch_table *table, struct http_server **out, char *err,
                      size_t errlen);

/* Stops in the order DESIGN.md §3 gives: stop accepting, let requests in
 * flight finish (up to grace_seconds), stop the engine. */
void http_server_stop(struct http_server *s, unsigned grace_seconds);

#endif
