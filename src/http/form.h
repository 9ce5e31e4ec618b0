/* http/form.h — our own parser for request bodies (application/x-www-form-urlencoded
 * and multipart/form-data, RFC 7578 with RFC 2046 boundaries) and for query
 * strings. It is fed the body chunk by chunk, in pieces of any size down to one
 * byte, checks every limit as bytes arrive (so a client cannot make us buffer
 * more than the limits allow), never reads past the bytes it is given, and
 * runs in time linear in the input. All memory comes from the request arena. */
#ifndef CSEC_HTTP_FORM_H
#define CSEC_HTTP_FORM_H

#include <stddef.h>

struct arena;

struct form_limits {
	size_t max_body; /* total bytes fed; default 1 MiB */
	size_t max_fields; /* default 1000 */
	size_t max_field_bytes; /* per value (and per file part); default 64 KiB */
	size_t max_name_bytes; /* per field name; default 256 */
};

/* Fills l with the defaults above. */
void form_limits_default(struct form_limits *l);

struct form_field {
	const char *name; /* decoded, NUL-terminated, valid UTF-8 without NUL */
	size_t name_len;
	const char *value; /* decoded, NUL-terminated; valid UTF-8 without NUL unless a file */
	size_t value_len;
	/* Multipart file parts (those with a filename parameter): the filename,
	 * NUL-terminated, valid UTF-8, with everything up to the last '/' or '\'
	 * removed ("" when the browser sent no file). NULL for other fields. It
	 * is display text chosen by the client: never use it as a path. */
	const char *filename;
	/* Multipart parts: the part's Content-Type (printable ASCII; tabs allowed) if given,
	 * else NULL. */
	const char *content_type;
};

struct form {
	struct form_field *fields; /* in body order; arena memory */
	size_t count;
};

enum form_error {
	FORM_OK = 0,
	FORM_ETOOBIG = -1, /* body past max_body → HTTP 413 */
	FORM_ETOOMANY = -2, /* more than max_fields → 413 */
	FORM_EFIELD = -3, /* a name or value past its limit → 413 */
	FORM_EENCODING = -4, /* bad percent-encoding → 400 */
	FORM_EUTF8 = -5, /* invalid UTF-8 (or NUL) in a name, filename or non-file value → 400 */
	FORM_EMULTIPART = -6, /* malformed multipart: bad/missing boundary, bad part headers,
	                       * missing Content-Disposition name, truncated body, no closing
	                       * delimiter → 400 */
	FORM_ENOMEM = -7, /* → 500 */
};

/* A short English sentence for an error, for logs and tests (the HTTP layer
 * maps codes to statuses and user-facing text). Never NULL; a static string. */
const char *form_strerror(int err);

/* The HTTP status that fits an error: 400, 413 or 500 (500 for unknown codes),
 * and 200 for FORM_OK. */
int form_error_status(int err);

enum form_kind { FORM_URLENCODED, FORM_MULTIPART };

struct form_parser;

/* Extracts the boundary from a multipart/form-data Content-Type header value
 * such as `multipart/form-data; boundary="a b"`: the media type and parameter
 * names are matched case-insensitively, the value may be a token or a quoted
 * string (backslash escapes), and it must be 1–70 characters of RFC 2046's
 * bchars, not ending in a space. Sets *boundary to a NUL-terminated copy in
 * arena a and returns 0; returns FORM_EMULTIPART when the type is not
 * multipart/form-data or the boundary is missing, repeated or invalid, and
 * FORM_ENOMEM when the arena is exhausted (*boundary is untouched on error). */
int form_multipart_boundary(struct arena *a, const char *content_type, const char **boundary);

/* Creates a parser in arena a (which owns it and everything it returns; there
 * is no destroy). boundary is required for FORM_MULTIPART, as returned by
 * form_multipart_boundary, and ignored otherwise; a missing or invalid one
 * gives a parser whose every call returns FORM_EMULTIPART. limits is copied;
 * NULL means the defaults. Returns NULL when out of memory. */
struct form_parser *form_parser_create(struct arena *a, enum form_kind kind, const char *boundary,
                                       const struct form_limits *limits);

/* Feeds the next len bytes of the body (data may be NULL when len is 0).
 * Returns 0 or a negative form_error. After an error every later call returns
 * the same error (sticky), so the caller may keep draining the body. Results
 * never depend on how the body is cut into chunks. Multipart is strict: CRLF
 * line endings only; at most 16 header lines and 8 KiB of headers per part; a
 * part needs Content-Disposition: form-data with a name; the boundary after
 * CRLF "--" must be followed by "--", or by optional spaces/tabs and CRLF
 * (anything else is FORM_EMULTIPART). A body holding only the close delimiter
 * is a valid form with no fields. A NULL p (a failed create) gives
 * FORM_ENOMEM. Feeding after form_parser_finish is a caller bug, answered with
 * FORM_ETOOBIG. */
int form_parser_feed(struct form_parser *p, const char *data, size_t len);

/* Ends the body: checks completeness (a pending percent escape is
 * FORM_EENCODING; multipart needs its closing delimiter) and on success fills
 * *out with the fields in body order (arena memory, valid until the arena is
 * destroyed) and returns 0. On failure returns the sticky error and sets *out
 * to an empty form. May be called again; it gives the same answer. A NULL p
 * gives FORM_ENOMEM. */
int form_parser_finish(struct form_parser *p, struct form *out);

/* Parses a whole urlencoded string at once (query strings, without the '?'):
 * same rules and limits as the incremental parser (NULL limits = defaults).
 * Returns 0 and fills *out (arena memory), or a negative form_error with *out
 * set to an empty form. */
int form_parse_urlencoded(struct arena *a, const char *s, size_t len,
                          const struct form_limits *limits, struct form *out);

/* The first field called name, or NULL (also when f or name is NULL). The
 * result points into f. */
const struct form_field *form_get(const struct form *f, const char *name);

#endif
