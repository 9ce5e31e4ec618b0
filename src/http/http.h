/* http/http.h — what handlers see of HTTP: struct req (the parsed request,
 * its arena, and the response being built) and the functions that read a
 * request and write a response. Nothing here depends on the HTTP engine;
 * http/server.c translates between libmicrohttpd and these types. */
#ifndef CSEC_HTTP_HTTP_H
#define CSEC_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "core/buf.h"
#include "core/net.h"
#include "db/settings.h"
#include "http/form.h"

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_RESP_HEADERS 12
#define HTTP_MAX_TRUSTED 32

/* Server-wide settings, read-only once the server runs. */
struct req;

struct http_config {
	const char *public_url; /* e.g. "https://portal.example.org" (no trailing /) */
	const char *public_origin; /* scheme://host[:port] of public_url, for Origin checks */
	bool public_https;
	struct net_cidr trusted[HTTP_MAX_TRUSTED];
	size_t ntrusted;
	struct form_limits limits; /* body, fields, field size */
	size_t max_url; /* request target, bytes */
	bool diagnostics; /* adds the test-only routes */
	/* Fills req->who from the request's credentials (a session cookie);
	 * NULL leaves every request anonymous. 0, or a negative errno (500). */
	int (*authenticate)(struct req *req);
	/* true when a state-changing request carries a valid CSRF token. */
	bool (*csrf_valid)(struct req *req);
	/* The CSRF token forms on this request's page must carry (NULL: none). */
	const char *(*csrf_token)(struct req *req);
};

struct http_header {
	const char *name;
	const char *value;
};

/* A body made piece by piece while it is sent (chunked), for one too big to
 * hold in memory whole (the audit log's export). After the handler has
 * returned, the engine calls read on its own thread, for up to max bytes
 * at a time into buf: read returns how many it wrote (at least 1), 0 at
 * the end, or a negative errno to abort (the connection is closed and the
 * client sees a cut-off body). done (may be NULL) is called exactly once,
 * when ctx is no longer needed: after the end, after an abort, or when the
 * response is never sent at all. ctx must not point into the request's
 * arena, which may be gone by then. */
struct http_stream {
	long (*read)(void *ctx, char *buf, size_t max);
	void (*done)(void *ctx);
	void *ctx;
};

struct resp {
	int status;
	const char *content_type;
	struct buf body;
	const unsigned char *fixed; /* a body that outlives the request (assets) */
	size_t fixed_len;
	struct http_stream stream; /* when read is set: the body (see above) */
	struct http_header headers[HTTP_MAX_RESP_HEADERS];
	unsigned nheaders;
	const char *cache_control; /* NULL: "no-store" for pages, set by dispatch */
};

struct route;

struct req {
	struct arena *arena;
	const struct http_config *cfg;
	const char *method;
	const char *raw_path; /* as received, without the query: for logs */
	const char *path; /* percent-decoded and validated */
	const char *query; /* raw query string, "" when none */
	struct form query_form;
	struct form body; /* form fields of a urlencoded or multipart body */
	struct http_header *headers;
	size_t nheaders;
	char client[46]; /* client address (DESIGN.md §4: proxies believed when trusted) */
	bool https; /* request reached us over TLS (directly or via a trusted proxy) */
	char request_id[17];
	const struct route *route;
	const char *param_names[HTTP_MAX_PARAMS];
	const char *param_values[HTTP_MAX_PARAMS];
	unsigned nparams;
	struct resp resp;
	struct principal who; /* anonymous until cfg->authenticate fills it */
	struct site_values site; /* filled by the session lookup; else by the page */
	int64_t start_us;
	bool cookies_parsed;
	struct form cookies;
	/* body intake, driven by http/dispatch.c */
	struct form_parser *parser;
	struct buf raw_body; /* application/json bodies, for the API */
	bool authenticated_early; /* cfg->authenticate already ran (before a large body) */
	int body_status; /* an HTTP status when the body was refused */
	const char *body_msg; /* its catalogue key */
};

/* Request readers. Each returns NULL when the item is absent. Strings live in
 * the request arena. */
const char *req_header(const struct req *req, const char *name); /* case-insensitive */
const char *req_cookie(struct req *req, const char *name);
const char *req_param(const struct req *req, const char *name); /* {name} in the route */
const char *req_query(const struct req *req, const char *name);
const char *req_form(const struct req *req, const char *name);

/* true for paths under /api/, which answer in JSON. */
bool req_is_api(const struct req *req);

/* Response writers. Each returns 0, or a negative errno code (the server then
 * answers 500). json bodies are stolen (the reference is released). */
int http_json(struct req *req, int status, json_t *body);
int http_json_error(struct req *req, int status, const char *code, const char *message);
int http_redirect(struct req *req, int status, const char *location);
int http_text(struct req *req, int status, const char *content_type, const char *text, size_t len);
int http_add_header(struct req *req, const char *name, const char *value);
/* Answers with a streamed body (struct http_stream); call it last, as the
 * handler's answer. The response owns s->ctx from here on. */
int http_stream(struct req *req, int status, const char *content_type, const struct http_stream *s);
/* Releases a streamed body that will not be sent (its done), if any. */
void http_stream_drop(struct req *req);

/* The error answer that fits the request: the HTML error page, or the JSON
 * error object under /api/. msg_key names the explanation in the message
 * catalogue; NULL means the status's own ("error.404.message"). Headers
 * already added (such as Allow) are kept. */
int http_error(struct req *req, int status, const char *msg_key);

/* Standard reason phrase for a status ("Not Found"). */
const char *http_reason(int status);

/* A JSON error code for a status ("not_found"). */
const char *http_error_code(int status);

#endif
