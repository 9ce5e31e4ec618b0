/* features/library/edit_internal.h — what the editor's handler files share
 * (edit_form.c: the edit and create forms; edit_pages.c: index, view,
 * history, diff, rollback, publish, the waiting update; edit_common.c):
 * the scope a route reaches, loading the page a path names, the page's
 * summary object for templates, times, messages and the audit record. */
#ifndef CSEC_FEATURES_LIBRARY_EDIT_INTERNAL_H
#define CSEC_FEATURES_LIBRARY_EDIT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "features/library/edit_model.h"
#include "http/http.h"

struct db;

/* Which pages a route reaches. */
struct libedit_scope {
	bool org; /* the active organization's own pages (else the packs' shared pages) */
	int64_t org_id; /* req->who.org_id for org, else 0 */
	const char *base; /* "/org/pages" or "/library/edit" */
};

void libedit_scope_of(const struct req *req, bool org, struct libedit_scope *s);

/* The page {page} names, within the scope: DB_OK, DB_DONE (answer 404) or
 * an error. */
int libedit_load(struct req *req, struct db *db, const struct libedit_scope *s,
                 struct libedit_page *pg);

/* The page's summary for templates ("doc": id, title, slug, labels, state,
 * the links of its editor pages). NULL when out of memory. */
json_t *libedit_doc(struct req *req, const struct libedit_scope *s, const struct libedit_page *pg);

/* Where readers find a page: /guide/SLUG, /practices/SLUG, /resources/SLUG. */
const char *libedit_reader_href(struct req *req, const char *kind, const char *slug);

/* Labels from the catalogue: library.edit.kind.KIND, .visibility.VIS. */
const char *libedit_kind_label(struct req *req, const char *kind);
const char *libedit_visibility_label(struct req *req, const char *vis);

/* The active organization's time zone (UTC without one); t in zone, "" on
 * failure; and t as ISO 8601 for <time datetime>. */
const char *libedit_zone(struct req *req, struct db *db);
const char *libedit_time(struct req *req, const char *zone, int64_t t);
const char *libedit_iso_time(struct req *req, int64_t t);

/* The catalogue text of key with {1} and {2} replaced by a1 and a2 (may be
 * NULL), in arena memory: for texts built in C (problem lines, revision
 * messages). */
const char *libedit_msg(struct req *req, const char *key, const char *a1, const char *a2);

/* The notice of a finished change (?done=saved, published, ...) as the
 * catalogue says it; NULL for none or an unknown one. */
const char *libedit_notice(struct req *req);

/* Parses a positive decimal id or number; false otherwise. */
bool libedit_parse_id(const char *s, int64_t *out);

/* Opens the write transaction of an editor's change: db_begin_write, then
 * the library's lock (serialized with imports). */
int libedit_begin(struct db *db);

/* Appends the audit record (target library_page, outcome success) of the
 * change inside the open transaction; detail (stolen) is an object. */
int libedit_audit(struct db *db, const struct req *req, const char *action, int64_t page_id,
                  json_t *detail);

/* The page as a pack file would show it (its front matter, then its
 * Markdown): what the diff compares, so that a changed title or source
 * shows too. Arena memory; NULL when out of memory. */
const char *libedit_doc_text(struct req *req, const char *slug, const struct libedit_content *c,
                             size_t *len);

/* The diff of two texts as template rows ("rows": [{gap, skipped} or
 * {op, old_no, new_no, text, added, removed}], "added", "removed",
 * "same", "approximate"); NULL when out of memory or too big. */
json_t *libedit_diff_json(struct req *req, const char *old, size_t old_len, const char *new,
                          size_t new_len);

#endif
