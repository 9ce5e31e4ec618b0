/* features/library/edit_model.h — the editor's model (docs/library-editing.md):
 * pages as an editor sees them (published or not, edited here or not, an
 * update waiting or not), their revisions numbered from 1, and the writes
 * an editor makes: a new revision (typed, or copied from an earlier one or
 * from a waiting update), publish, unpublish, dismiss an update, a new
 * organization page. The tables are migration 0008_library's.
 *
 * Scope: org_id 0 reaches the shared pages of the content packs only; an
 * organization's id reaches that organization's own pages only. A page
 * outside the scope is DB_DONE, exactly like one that does not exist.
 *
 * Writes run inside the caller's write transaction (db_begin_write, then
 * library_lock), so the caller appends the audit record to the same
 * transaction. Functions return DB_OK, DB_DONE (not found) or a negative DB
 * code; strings live in the caller's arena. */
#ifndef CSEC_FEATURES_LIBRARY_EDIT_MODEL_H
#define CSEC_FEATURES_LIBRARY_EDIT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

#define LIBEDIT_MAX_PAGES 2000 /* pages an index lists */
#define LIBEDIT_MAX_REVISIONS 500 /* revisions a history lists, newest first */

/* What one revision holds. */
struct libedit_content {
	const char *kind, *visibility, *title, *summary, *reviewed;
	int order;
	const char *sources_json; /* [{"title","publisher","url","checked"}] */
	const char *markdown;
	size_t markdown_len;
	const char *html, *toc_json; /* rendered at save or import */
	const char *content_hash;
};

/* A page with its current revision. */
struct libedit_page {
	int64_t id;
	int64_t org_id; /* 0: a shared page of a pack */
	const char *pack; /* "" for an organization's page */
	const char *slug, *kind;
	bool published, locally_edited;
	int64_t current_rev; /* revision ids */
	int64_t pending_rev; /* 0: no update waiting */
	int current_number; /* the current revision's number, from 1 */
	int64_t updated_at;
	struct libedit_content cur;
};

int libedit_page_get(struct db *db, struct arena *a, int64_t org_id, int64_t page_id,
                     struct libedit_page *out);

/* A page as an editor's index lists it. */
struct libedit_item {
	int64_t id;
	const char *slug, *kind, *title, *visibility, *pack;
	bool published, locally_edited, update_waiting;
	int64_t updated_at;
};

/* The pages of the scope by kind, order, title (at most LIBEDIT_MAX_PAGES). */
int libedit_pages(struct db *db, struct arena *a, int64_t org_id, struct libedit_item **out,
                  size_t *n);

/* One revision of a page. content is filled by libedit_revision_get only. */
struct libedit_revision {
	int64_t id;
	int number;
	int64_t created_at;
	const char *author; /* the person's name; "" for an import */
	const char *pack_version; /* the pack version it came from; "" for an edit */
	const char *message;
	struct libedit_content c;
};

/* The page's revisions, newest first (at most LIBEDIT_MAX_REVISIONS); *total
 * is how many it has in all. */
int libedit_revisions(struct db *db, struct arena *a, int64_t page_id,
                      struct libedit_revision **out, size_t *n, int *total);

/* Revision number (from 1) of the page, with its content. DB_DONE when there
 * is none. */
int libedit_revision_get(struct db *db, struct arena *a, int64_t page_id, int number,
                         struct libedit_revision *out);

/* The same, by revision id (the waiting update). */
int libedit_revision_by_id(struct db *db, struct arena *a, int64_t page_id, int64_t rev_id,
                           struct libedit_revision *out);

/* A new revision someone wrote. */
struct libedit_new {
	int64_t author_id;
	const char *message;
	int64_t now;
	struct libedit_content c; /* html, toc_json, content_hash rendered */
	const char *plain_text;
	int64_t words;
};

/* Adds the revision to the page and makes it current (with the listing's
 * copies of kind, visibility, order, title, summary); locally_edited sets
 * the page's flag (shared pages: a newer pack never overwrites it). The
 * published state does not change. *rev_id: the new revision. */
int libedit_save(struct db *db, int64_t page_id, const struct libedit_new *r, bool locally_edited,
                 int64_t *rev_id);

/* Adds a copy of revision from_rev (a rollback, or taking a waiting update)
 * as the page's new current revision by author_id with message.
 * locally_edited as for libedit_save; clear_pending forgets the waiting
 * update. DB_DONE when from_rev is not one of the page's revisions. */
int libedit_copy(struct db *db, int64_t page_id, int64_t from_rev, int64_t author_id,
                 const char *message, int64_t now, bool locally_edited, bool clear_pending,
                 int64_t *rev_id);

/* Publishes or unpublishes the page; locally_edited as above. */
int libedit_set_published(struct db *db, int64_t page_id, bool published, bool locally_edited,
                          int64_t now);

/* Forgets the waiting update (the editor keeps the page as it is). */
int libedit_dismiss_update(struct db *db, int64_t page_id, int64_t now);

/* A new, published page of organization org_id (visibility "org"): the row
 * only; the caller adds its first revision with libedit_save in the same
 * transaction. DB_ECONSTRAINT when the organization has a page with that
 * slug already. */
int libedit_create(struct db *db, int64_t org_id, const char *slug, const char *kind,
                   const char *title, int64_t now, int64_t *page_id);

/* Whether the organization has a page with that slug. */
int libedit_slug_taken(struct db *db, int64_t org_id, const char *slug, bool *taken);

/* The page a link of a page in scope org_id may lead to: a shared page of
 * that kind and slug, or (org_id > 0) one of the organization's own; its
 * current HTML in *html (for anchors). DB_DONE when there is none. */
int libedit_link_target(struct db *db, struct arena *a, int64_t org_id, const char *kind,
                        const char *slug, const char **html);

#endif
