/* render/template.h — the HTML template engine. Templates are compiled once
 * into a node tree when added to a set, then rendered many times, from many
 * threads at once, against jansson data. Every value is HTML-escaped unless a
 * tag whose name says otherwise ({{raw}}) asks for it; values are never parsed
 * as template code. The syntax is described in docs/templates.md.
 *
 * Threading: build the set (add templates, messages, the asset resolver) on
 * one thread, then render from any number of threads. Rendering never mutates
 * the set or the data; adding to a set while it is being rendered is a race. */
#ifndef CSEC_RENDER_TEMPLATE_H
#define CSEC_RENDER_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct tpl_set;

#define TPL_MAX_SIZE (1u << 20) /* bytes in one template source */
#define TPL_MAX_NESTING 64 /* nested blocks in one template */
#define TPL_MAX_PARTIAL_DEPTH 32 /* nested {{> partial}} includes while rendering */
#define TPL_MAX_RENDER_DEPTH 256 /* nested blocks and partials together while rendering */
#define TPL_MAX_ARGS 9 /* paths after {{t "key" ...}} */
#define TPL_MAX_NAME 255 /* bytes in a template name */
#define TPL_MAX_CATALOGUE (4u << 20) /* bytes in one message catalogue source */

/* Creates an empty set. Returns NULL when out of memory. The caller owns the
 * set and frees it with tpl_set_destroy. */
struct tpl_set *tpl_set_create(void);

/* Frees the set, its templates and its messages. NULL is a no-op. */
void tpl_set_destroy(struct tpl_set *set);

/* Compiles src (len bytes, need not be NUL-terminated; copied, so the caller
 * keeps ownership) and adds it under name, e.g. "home" or "partials/nav".
 * Names are 1..TPL_MAX_NAME bytes of [A-Za-z0-9_./-]. Re-adding a name
 * replaces the old template. Returns 0; -EINVAL on a bad name or a syntax
 * error, with "NAME:LINE: message" written to err (when err is not NULL and
 * errlen > 0, always NUL-terminated, truncated to fit); -E2BIG when src is
 * larger than TPL_MAX_SIZE; -ENOMEM. On failure the set is unchanged. */
int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len, char *err,
                size_t errlen);

/* Loads a message catalogue: UTF-8 lines "key = text" (an optional BOM, then
 * '#' comments and blank lines ignored; CRLF accepted; space around the key
 * and text trimmed). Keys are [a-z0-9_.-]+. A key already in the set, or
 * twice in src, is an error. Returns 0; -EINVAL with "LINE: message" in err
 * (e.g. "3: duplicate key"); -E2BIG when src is larger than
 * TPL_MAX_CATALOGUE; -ENOMEM. On failure no message from src is added. */
int tpl_set_add_messages(struct tpl_set *set, const char *src, size_t len, char *err,
                         size_t errlen);

/* Sets the function {{asset "path"}} calls. fn returns the URL of an asset
 * path (a string that must stay valid while the set is used) or NULL if the
 * path is unknown, which makes the render fail with -ENOENT. fn is called
 * from rendering threads concurrently, so it must be thread-safe. fn may be
 * NULL (then every {{asset}} fails with -ENOENT). */
void tpl_set_asset_resolver(struct tpl_set *set, const char *(*fn)(void *ctx, const char *path),
                            void *ctx);

/* Once every template, catalogue and the asset resolver are in: folds what
 * cannot change into plain text, so that rendering does less: a message
 * without arguments becomes its escaped text, an {{asset}} its escaped URL,
 * and neighbouring text is joined; a message with arguments is linked to its
 * entry. Output is the same as without it; an unknown message or asset is
 * left to fail at render time as before. Templates added later are not
 * prepared (they still render). Not thread-safe: call it before the set is
 * shared. Returns 0 or -ENOMEM (the set may then be part prepared, and still
 * renders the same). */
int tpl_set_prepare(struct tpl_set *set);

/* true when a template of that name exists in the set. */
bool tpl_exists(const struct tpl_set *set, const char *name);

/* Renders template name with data (borrowed; a JSON object, or NULL for none)
 * and appends the output to out. If the template declares a layout, the
 * layout is rendered with the template's output in place of its {{yield}}.
 * Returns 0; -ENOENT for an unknown template, layout, partial, message or
 * asset; -ELOOP when partials nest deeper than TPL_MAX_PARTIAL_DEPTH, or
 * blocks and partials together deeper than TPL_MAX_RENDER_DEPTH; -EINVAL
 * when a layout itself declares a layout; -E2BIG when out's cap is reached;
 * -ENOMEM. On failure out holds partial output (and its sticky error, for
 * buffer errors) and should be discarded. */
int tpl_render(const struct tpl_set *set, const char *name, json_t *data, struct buf *out);

/* tpl_render, and on failure writes a message naming the template and line,
 * e.g. "home:12: unknown partial 'partials/nav'", to err (when err is not
 * NULL and errlen > 0; NUL-terminated, truncated to fit). */
int tpl_render_err(const struct tpl_set *set, const char *name, json_t *data, struct buf *out,
                   char *err, size_t errlen);

/* The message text for key (NUL-terminated, owned by the set, valid until the
 * set is destroyed), or NULL when there is no such message. The text is not
 * escaped: escape it before putting it into HTML. */
const char *tpl_message(const struct tpl_set *set, const char *key);

/* Appends s (len bytes, may contain NUL bytes) to out with & < > " ' and `
 * replaced by entities and NUL bytes by U+FFFD, so the result is inert both
 * in text and in quoted attribute values. Returns 0, -E2BIG or -ENOMEM (from
 * buf_append; out keeps what was appended before the failure). */
int tpl_escape_html(struct buf *out, const char *s, size_t len);

/* true when url is one {{url}} lets through: a path starting with a single
 * '/', a "#fragment", a "?query", or an absolute http:, https:, mailto: or
 * tel: URL (scheme case-insensitive), with no ASCII control characters and
 * no backslash directly after a leading '/'. */
bool tpl_url_is_safe(const char *url, size_t len);

#endif
