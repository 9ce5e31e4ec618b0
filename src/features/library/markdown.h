/* features/library/markdown.h — Markdown to HTML with cmark-gfm (tables,
 * autolinks, strikethrough) in safe mode: raw HTML never passes through,
 * tables may not set column alignment, headings get stable anchors and a
 * table of contents. Run once when a page is imported or saved; the
 * result is cached in the store. Placeholders ({{agency.name}}) are left
 * in the HTML as they are and filled when the page is shown
 * (placeholders.h). */
#ifndef CSEC_FEATURES_LIBRARY_MARKDOWN_H
#define CSEC_FEATURES_LIBRARY_MARKDOWN_H

#include <stddef.h>

struct arena;
struct pack_problems;

struct md_heading {
	int level; /* 2 to 4 (the page title is the only h1) */
	const char *id; /* anchor, unique within the page */
	const char *text; /* plain text */
};

struct md_link {
	const char *url;
	int line; /* in the Markdown source, counted from 1 */
};

struct md_result {
	const char *html;
	struct md_heading *toc; /* every h2 and h3, in order */
	size_t n_toc;
	struct md_link *links; /* every link and image target, in order */
	size_t n_links;
	const char *text; /* plain text of the whole page, for search */
	size_t words;
};

/* Renders md. Problems (raw HTML, an h1, aligned table columns, a page over
 * the size limit) go to pr as FILE:(FIRST_LINE + line - 1) when pr is not
 * NULL; the HTML is produced anyway (safe: what is refused is dropped).
 * Returns 0, or a negative errno. */
int markdown_render(struct arena *a, const char *md, size_t len, const char *file, int first_line,
                    struct pack_problems *pr, struct md_result *out);

#endif
