/* http/dispatch.h — the engine-independent life of a request: once its head
 * has arrived (dispatch_begin), while its body arrives (dispatch_body), and
 * when it is complete (dispatch_end). http/server.c calls these; tests and
 * fuzzers can too. After each call, req->resp.status != 0 means the answer is
 * ready. */
#ifndef CSEC_HTTP_DISPATCH_H
#define CSEC_HTTP_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "http/router.h"

struct dispatch_table {
	const struct route *routes;
	size_t count;
};

/* Validates the target, finds the route and prepares the body parser. The
 * caller has set req->arena, cfg, method, raw_path, query, headers, client,
 * https, request_id and start_us. content_length is -1 when unknown. */
void dispatch_begin(struct req *req, const struct dispatch_table *t, int64_t content_length);

/* Feeds a chunk of the body. Once the body is refused the rest is ignored. */
void dispatch_body(struct req *req, const char *data, size_t len);

/* The body is complete: checks access and runs the handler. */
void dispatch_end(struct req *req);

/* Calls add(ctx, name, value) for each header every response carries
 * (security headers, cache policy) and then for the response's own. */
void dispatch_headers(const struct req *req,
                      void (*add)(void *ctx, const char *name, const char *value), void *ctx);

#endif
