/* render/assets.h — the static files built into the binary (web/static/),
 * each with a strong ETag and a fingerprinted URL (/static/app.1a2b3c4d.css)
 * that may be cached for a year, since a new file gets a new name. */
#ifndef CSEC_RENDER_ASSETS_H
#define CSEC_RENDER_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct asset {
	char name[64]; /* "app.css" */
	char url[96]; /* "/static/app.1a2b3c4d.css" */
	char etag[20]; /* "\"1a2b3c4d5e6f7081\"" */
	const char *type; /* media type */
	const unsigned char *data;
	size_t len;
};

/* Builds the table from the embedded files; 0 or -1 (a name too long). */
int assets_init(void);

/* The fingerprinted URL of "web/static/NAME", or NULL when there is none. */
const char *assets_url(const char *source_path);

/* Finds an asset by the last segment of its URL, plain ("app.css") or
 * fingerprinted ("app.1a2b3c4d.css"; *fingerprinted is then true, and only
 * when the fingerprint is the current one). NULL when unknown. */
const struct asset *assets_find(const char *name, bool *fingerprinted);

#endif
