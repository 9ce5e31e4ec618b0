/* features/library/admin.h — the site admin's content page (/admin/content,
 * docs/content-admin.md): the active content pack and its review record,
 * every imported version with a roll back to any of them, the upload of a
 * pack as a .zip (checked, summed up, then imported on a second POST), the
 * record of a subject-matter expert's review, and the download of the
 * active pack as a .zip. Every route needs content.manage (site admins);
 * every change is audited. */
#ifndef CSEC_FEATURES_LIBRARY_ADMIN_H
#define CSEC_FEATURES_LIBRARY_ADMIN_H

#include "features/library/admin_model.h"
#include "http/http.h"

/* The upload's request body: the .zip, the CSRF field and the multipart
 * framing around them. */
#define LIBRARY_ADMIN_UPLOAD_BODY (LIBRARY_UPLOAD_MAX + 64u * 1024)

/* GET /admin/content: the active pack(s), the review record, the versions,
 * the upload form; ?done= names what was just done. */
int library_admin_page(struct req *req);

/* POST /admin/content/upload (multipart: the file in "pack"): reads and
 * checks the .zip. Problems: 422 with each as file:line: message, nothing
 * kept. A good pack: 200 with what importing it would change, the upload
 * kept for the session until imported, discarded or an hour old. */
int library_admin_upload(struct req *req);

/* POST /admin/content/import (field "sha256", the upload the summary
 * described): imports the waiting upload in one transaction; 303 back. */
int library_admin_import(struct req *req);

/* POST /admin/content/discard: forgets the waiting upload; 303 back. */
int library_admin_discard(struct req *req);

/* GET /admin/content/rollback?version=ID: what rolling back would do, and
 * the button. POST /admin/content/rollback (field "version"): does it. */
int library_admin_rollback_confirm(struct req *req);
int library_admin_rollback(struct req *req);

/* POST /admin/content/review (fields version, reviewer, role, date):
 * records a review (422 with each problem named, input kept).
 * POST /admin/content/review/clear (field version): clears it. */
int library_admin_review(struct req *req);
int library_admin_review_clear(struct req *req);

/* GET /admin/content/export.zip[?pack=ID]: the active pack as a .zip, with
 * local edits, audited (library.pack.export). */
int library_admin_export(struct req *req);

#endif
