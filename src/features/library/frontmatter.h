/* features/library/frontmatter.h — the YAML front matter of a pack page
 * (docs/content-packs.md): the block between a first line "---" and the
 * next line "---", parsed with libyaml's event API into struct pack_page,
 * with every problem recorded as file:line. Used by pack.c; its own header
 * so that the fuzz target and the unit tests reach it alone. */
#ifndef CSEC_FEATURES_LIBRARY_FRONTMATTER_H
#define CSEC_FEATURES_LIBRARY_FRONTMATTER_H

#include "features/library/pack.h"

#include <stdbool.h>
#include <stddef.h>

/* Bounds on what the parser accepts (beyond PACK_MAX_FILE_BYTES). */
#define FRONTMATTER_MAX_BYTES (64 * 1024)
#define FRONTMATTER_MAX_EVENTS 4096
#define FRONTMATTER_MAX_DEPTH 6
#define FRONTMATTER_MAX_SCALAR 4096
#define FRONTMATTER_MAX_SOURCES 100
#define FRONTMATTER_URL_MAX 2048
#define FRONTMATTER_SOURCE_TEXT_MAX 300

/* The file line of each field, set (> 0) only when the field is present and
 * valid, so callers can point at it (duplicate slug, kind in the wrong
 * folder) and know which fields they may use. */
struct frontmatter_lines {
	int title, slug, kind, order, visibility, summary, sources, reviewed;
};

/* Parses the front matter of data (len bytes; need not be NUL-terminated)
 * into page (every field left NULL/0 unless valid; page->markdown and
 * markdown_len/body_line always describe the body, which is the whole
 * file when there is no front matter) and lines (may be NULL). Problems go
 * to pr under the name file. Returns 0, or -ENOMEM. */
int frontmatter_parse(struct arena *a, const char *file, const char *data, size_t len,
                      struct pack_page *page, struct frontmatter_lines *lines,
                      struct pack_problems *pr);

/* The same for a course's lesson (course/SLUG/lessons/): kind must be
 * "lesson" (page->kind is left PAGE_GUIDE; lines->kind is set), and there
 * is no visibility field (a lesson's is its course's). */
int frontmatter_parse_lesson(struct arena *a, const char *file, const char *data, size_t len,
                             struct pack_page *page, struct frontmatter_lines *lines,
                             struct pack_problems *pr);

/* The line (counted by '\n') of the first carriage return not followed by
 * a line feed, or 0. Such files are refused: Markdown and YAML count a bare
 * CR as a line end, editors and this validator's line numbers do not. */
int frontmatter_bare_cr(const char *data, size_t len);
#define FRONTMATTER_BARE_CR                                                                        \
	"a carriage return without a line feed: save the file with LF or CRLF line ends"

/* Checks used for pack.json as well. */
bool frontmatter_slug_valid(const char *s, size_t len);
bool frontmatter_date_valid(const char *s, size_t len); /* YYYY-MM-DD, a real day */
bool frontmatter_url_valid(const char *s, size_t len); /* http:// or https://HOST... */
/* Characters (UTF-8 code points) in s. */
size_t frontmatter_chars(const char *s, size_t len);

#endif
