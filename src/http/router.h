/* http/router.h — the route table type and path matching. A pattern is a
 * path whose segments are literal or {name}; {name} matches one non-empty
 * segment. The first route whose pattern and method match wins. */
#ifndef CSEC_HTTP_ROUTER_H
#define CSEC_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

typedef int (*http_handler)(struct req *req);

struct route {
	const char *method; /* "GET", "POST", ... (GET also answers HEAD) */
	const char *pattern; /* "/guide/{slug}" */
	http_handler handler;
	const char *permission; /* a name in the policy table; never NULL */
	bool csrf; /* state-changing: Origin check and CSRF token */
	size_t max_body; /* 0: the server default */
	size_t max_field; /* bytes of one field's value or file part; 0: the server default */
	const char *summary; /* one line for `csec routes` */
	bool slow; /* runs on the worker pool (http/workers.h) */
	bool secret_path; /* the path holds a secret: log the pattern instead */
	bool mfa_exempt; /* open to a signed-in person who must still set up MFA */
};

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_BAD_METHOD };

struct router_match {
	const struct route *route;
	unsigned nparams;
	const char *param_start[HTTP_MAX_PARAMS]; /* pointers into the matched path */
	size_t param_len[HTTP_MAX_PARAMS];
	const char *param_name[HTTP_MAX_PARAMS]; /* pointers into the pattern */
	size_t param_name_len[HTTP_MAX_PARAMS];
	char allow[96]; /* for ROUTER_BAD_METHOD: "GET, HEAD, POST" */
};

/* Matches method and path (already decoded, starting with '/') against the
 * table. Fills m and returns the result. */
enum router_result router_match(const struct route *routes, size_t n, const char *method,
                                const char *path, struct router_match *m);

/* Checks a table at start-up: every pattern well-formed, permission set, no
 * duplicate (method, pattern). 0, or -1 with a message in err. */
int router_check(const struct route *routes, size_t n, char *err, size_t errlen);

#endif
