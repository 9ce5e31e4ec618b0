/* features/library/admin_model.h — what the site admin's content page
 * (/admin/content, docs/content-admin.md) keeps in the store besides the
 * packs themselves (store.h): the uploaded .zip waiting between "check" and
 * "import", and the clearing of a recorded review. Also the in-memory .zip
 * writer behind the pack's download.
 *
 * A waiting upload lives in the store (table library_uploads), not on one
 * server's disk, so the confirming request may reach any node of the
 * deployment. It belongs to one session (deleted with it), there is at most
 * one per session (a new upload replaces it), and it is good for
 * LIBRARY_UPLOAD_TTL seconds: every new upload first deletes those older,
 * and the import takes it out of the store (discarding deletes it).
 *
 * Model functions return DB_OK, DB_DONE when what was asked for does not
 * exist, or a negative DB code. Strings live in the caller's arena. */
#ifndef CSEC_FEATURES_LIBRARY_ADMIN_MODEL_H
#define CSEC_FEATURES_LIBRARY_ADMIN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct pack_file;
struct library_actor;

#define LIBRARY_UPLOAD_MAX (8u * 1024 * 1024) /* bytes of an uploaded .zip */
#define LIBRARY_UPLOAD_TTL 3600 /* seconds an upload waits for its import */
#define LIBRARY_UPLOAD_NAME_MAX 200 /* bytes of the file name kept for display */
#define LIBRARY_ZIP_MAX (48u * 1024 * 1024) /* bytes of a downloaded pack */

/* An upload waiting for its import. */
struct library_upload {
	int64_t created_at;
	const char *name; /* the file name the browser sent: display text only */
	const char *sha256; /* lower-case hex of the bytes */
	const void *data;
	size_t len;
};

/* Keeps data (at most LIBRARY_UPLOAD_MAX bytes) as session_id's waiting
 * upload, replacing the one it had, after deleting every upload older than
 * LIBRARY_UPLOAD_TTL. One write transaction. */
int library_upload_put(struct db *db, int64_t session_id, int64_t user_id, const char *name,
                       const char *sha256, const void *data, size_t len, int64_t now);

/* Takes session_id's waiting upload out of the store when its SHA-256 is
 * sha256 and it is younger than LIBRARY_UPLOAD_TTL (DB_DONE otherwise:
 * none, expired, replaced by a newer upload, or taken already). One
 * statement, so two confirmations of one upload import it once. */
int library_upload_take(struct db *db, struct arena *a, int64_t session_id, const char *sha256,
                        int64_t now, struct library_upload *out);

/* Deletes session_id's waiting upload (DB_OK also when there was none). */
int library_upload_delete(struct db *db, int64_t session_id);

/* Clears the review recorded for version_id (its draft banner returns when
 * its pack.json says "draft"), audited as "library.pack.review.clear" with
 * the review that was recorded. DB_DONE when there is no such version or
 * it has no review recorded. key signs the audit record. */
int library_review_clear(struct db *db, struct arena *a, const uint8_t key[32],
                         const struct library_actor *who, int64_t version_id);

/* A page named in the upload's summary. */
struct library_page_ref {
	const char *slug, *title;
};

/* Which pages importing p would add (no page of any pack has the slug),
 * remove (published pages of p's pack, not edited locally, that p does
 * not hold: the import unpublishes them) and leave as edited locally (p
 * holds them; where p's text differs it waits for an editor), by the
 * store's rules for library_import. Each list is in the pack's order (added)
 * or by slug, at most max long; the counts are the full ones. */
struct library_diff {
	struct library_page_ref *added, *removed, *edited;
	size_t n_added, n_removed, n_edited; /* listed */
	size_t all_added, all_removed, all_edited;
};
struct pack;
int library_pack_diff(struct db *db, struct arena *a, const struct pack *p, size_t max,
                      struct library_diff *out);

/* Writes files into a new .zip held in arena a (deflated, UTF-8 names),
 * refusing to make one over max bytes. 0, -E2BIG past max, -EINVAL for a file libzip
 * refuses (a bad or duplicate name), or -ENOMEM. */
int library_zip_write(struct arena *a, const struct pack_file *files, size_t n, size_t max,
                      const void **out, size_t *len);

/* true when s is a calendar date YYYY-MM-DD (1900 to 9999). */
bool library_date_valid(const char *s);

#endif
