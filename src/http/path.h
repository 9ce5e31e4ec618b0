/* http/path.h — turns the raw request path into the decoded path handlers and
 * the router see, refusing anything that could reach outside the route table
 * or confuse a later layer. */
#ifndef CSEC_HTTP_PATH_H
#define CSEC_HTTP_PATH_H

#include <stddef.h>

struct arena;

enum path_error {
	PATH_OK = 0,
	PATH_EENCODING = -1, /* % not followed by two hex digits */
	PATH_ETRAVERSAL = -2, /* a "." or ".." segment, or a backslash */
	PATH_ESLASH = -3, /* an encoded '/' (%2F) */
	PATH_EBYTES = -4, /* NUL, control characters or invalid UTF-8 */
	PATH_EFORM = -5, /* does not start with '/' */
	PATH_ENOMEM = -6,
};

/* Decodes raw[0..len) into an arena string. Returns 0 or a path_error. */
int path_decode(struct arena *a, const char *raw, size_t len, const char **out);

/* The catalogue key that explains an error to the person who sent it. */
const char *path_error_key(int err);

#endif
