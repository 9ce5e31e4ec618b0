/* features/library/edit.h — editing the knowledge base in the browser
 * (docs/library-editing.md). Two sets of the same pages:
 *
 *   /library/edit/...  the shared pages of the content packs, for holders
 *                      of content.edit (editors, site admins);
 *   /org/pages/...     the active organization's own private pages, for
 *                      holders of content.org.write (its org admins and
 *                      leaders), taken from the session, never the request.
 *
 * A page id outside the route's set answers 404, exactly like one that
 * does not exist. Every change is a new revision or a state change made in
 * one write transaction with its audit record (library.page.*). */
#ifndef CSEC_FEATURES_LIBRARY_EDIT_H
#define CSEC_FEATURES_LIBRARY_EDIT_H

#include <stdint.h>

#include "http/http.h"

struct db;

/* The largest request an edit form sends: the Markdown (up to twice a
 * pack file's limit, so that a page slightly over it gets the 422 that
 * says so rather than a 413) percent-encoded, and the fields around it. */
#define LIBEDIT_MAX_FIELD (512u * 1024)
#define LIBEDIT_MAX_BODY (4u * 1024 * 1024)

/* For the reading pages (features/library/handlers.c): where the viewer
 * edits page_id — its shared editor for holders of content.edit, its
 * organization's for holders of content.org.write when it is their active
 * organization's page — or NULL (also for everyone else, without a query).
 * And where the viewer edits the pages of a listing, or NULL. label gets
 * the link's text from the catalogue. */
const char *libedit_page_href(struct req *req, struct db *db, int64_t page_id, const char **label);
const char *libedit_listing_href(const struct req *req, const char **label);

/* Shared pages (content.edit). */
int libedit_index(struct req *req); /* GET /library/edit */
int libedit_form(struct req *req); /* GET /library/edit/{page} */
int libedit_submit(struct req *req); /* POST: action=preview (never saves) or save */
int libedit_view(struct req *req); /* GET .../view: as readers see it, published or not */
int libedit_history(struct req *req); /* GET .../history */
int libedit_diff(struct req *req); /* GET .../diff?from=N&to=M */
int libedit_rollback(struct req *req); /* POST .../rollback (revision=N) */
int libedit_publish(struct req *req); /* POST .../publish */
int libedit_unpublish(struct req *req); /* POST .../unpublish */
int libedit_update(struct req *req); /* GET .../update: the waiting pack update */
int libedit_update_take(struct req *req); /* POST .../update/take */
int libedit_update_dismiss(struct req *req); /* POST .../update/dismiss */

/* The active organization's own pages (content.org.write). */
int libedit_org_index(struct req *req); /* GET /org/pages */
int libedit_org_new_form(struct req *req); /* GET /org/pages/new */
int libedit_org_new_submit(struct req *req); /* POST /org/pages/new: preview or create */
int libedit_org_form(struct req *req); /* GET /org/pages/{page} */
int libedit_org_submit(struct req *req);
int libedit_org_view(struct req *req);
int libedit_org_history(struct req *req);
int libedit_org_diff(struct req *req);
int libedit_org_rollback(struct req *req);
int libedit_org_publish(struct req *req);
int libedit_org_unpublish(struct req *req);

#endif
