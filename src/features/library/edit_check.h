/* features/library/edit_check.h — the editor's form checked with the rules
 * `csec content validate` applies to a page's front matter (frontmatter.c:
 * the same limits and the same checks of slugs, dates and addresses), each
 * problem named by the field it belongs to and a message key of the
 * catalogue (web/messages/en/library-edit.txt). The Markdown itself is
 * checked by the handler with the pack's own functions (placeholders,
 * markdown_render) and the store (links). Pure: no store, no request. */
#ifndef CSEC_FEATURES_LIBRARY_EDIT_CHECK_H
#define CSEC_FEATURES_LIBRARY_EDIT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "features/library/pack.h"

struct arena;

#define LIBEDIT_MESSAGE_MAX 200 /* characters of a revision's message */
/* Source rows a form may send (blank ones included); more non-blank rows
 * than FRONTMATTER_MAX_SOURCES is a problem. */
#define LIBEDIT_MAX_SOURCE_ROWS 120

/* One source row as typed. */
struct libedit_source_in {
	const char *title, *publisher, *url, *checked;
};

/* The form as typed (NULL reads as ""). */
struct libedit_input {
	const char *title, *summary, *visibility, *order, *reviewed, *message;
	const char *slug, *kind; /* a new page only */
	const char *body;
	size_t body_len;
	const struct libedit_source_in *sources;
	size_t n_sources;
};

/* What is checked. */
#define LIBEDIT_CHECK_NEW 1u /* slug and kind (a new organization page) */
#define LIBEDIT_CHECK_ORG 2u /* an organization's page: visibility is "org" */
#define LIBEDIT_CHECK_MESSAGE 4u /* the revision's message (saving, not previewing) */

struct libedit_problem {
	const char *field; /* "title", "sources", "source_url_2", "body", ... */
	const char *key; /* catalogue key */
};

struct libedit_checked {
	/* The page as a pack would hold it: title, slug (when checked), kind
	 * (when checked), visibility, order, summary, reviewed, sources and the
	 * Markdown with line ends made "\n"; path "" and body_line 1. Fields
	 * with a problem are left NULL. */
	struct pack_page page;
	const char *message;
	struct libedit_problem *problems;
	size_t n;
};

/* Checks in. Returns 0 (problems, if any, in out) or -ENOMEM. */
int libedit_check(struct arena *a, const struct libedit_input *in, unsigned flags,
                  struct libedit_checked *out);

/* The problem of field, or NULL. */
const char *libedit_problem(const struct libedit_checked *c, const char *field);

#endif
