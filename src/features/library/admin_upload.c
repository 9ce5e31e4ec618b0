/* features/library/admin_upload.c — uploading a content pack as a .zip
 * (admin.h), in two steps. The first POST reads the archive (libzip, with
 * pack.h's limits and no path that leaves the pack), checks the pack as
 * `csec content validate` does, and runs the import without keeping it
 * (LIBRARY_IF_DRYRUN), so the summary says exactly what importing would
 * change; the bytes then wait in the store for this session
 * (admin_model.h). The second POST names the upload by its SHA-256 (so a
 * newer upload in another tab is never imported by an older summary),
 * takes it out of the store and imports it for real, in one transaction:
 * a failure changes nothing. The file name the browser sends is shown, never
 * used: the archive is recognised by its bytes. */
#include "features/library/admin.h"

#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/library/admin_internal.h"
#include "features/library/admin_model.h"
#include "features/library/pack.h"
#include "features/library/store.h"
#include "render/page.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* What browsers send as a .zip's Content-Type (Windows says
 * x-zip-compressed; some send octet-stream for any file). The type is the
 * client's claim, so the bytes decide in the end. */
static const char *const zip_types[] = {"application/zip", "application/x-zip-compressed",
                                        "application/x-zip", "multipart/x-zip",
                                        "application/octet-stream"};

static bool zip_type(const char *ct)
{
	size_t n = strcspn(ct, "; \t");
	for (size_t i = 0; i < sizeof zip_types / sizeof zip_types[0]; i++)
		if (strlen(zip_types[i]) == n && strncasecmp(ct, zip_types[i], n) == 0)
			return true;
	return false;
}

static bool zip_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcasecmp(name + n - 4, ".zip") == 0;
}

/* A local file header, or the end record of an empty archive. */
static bool zip_magic(const char *p, size_t n)
{
	return n >= 4 && p[0] == 'P' && p[1] == 'K' &&
	        ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* The upload form again, with what was wrong: error a catalogue key, or
 * problems (stolen) the pack's, with more left out. */
static int render_refused(struct req *req, int status, const char *error, json_t *problems,
                          size_t more, const char *file_name)
{
	json_t *data = json_pack("{s:s?, s:o?, s:I, s:s, s:i}", "error",
	                         error ? page_msg(error) : NULL, "problems", problems, "more",
	                         (json_int_t)more, "file_name", file_name ? file_name : "",
	                         "upload_max_mib", (int)(LIBRARY_UPLOAD_MAX >> 20));
	return data ? page_render(req, status, "admin/content_upload",
	                          "page.content_admin.upload.title", data)
	            : -1;
}

enum checked { CHECKED_OK, CHECKED_PROBLEMS, CHECKED_UNREADABLE, CHECKED_TOO_BIG };

/* Out of memory in the work arena, past half its cap: the pack needs more
 * than a request may use (reading, checking and rendering a pack take
 * about twelve times its size), not a failure of the server. */
static bool work_full(struct arena *work, int rc)
{
	return (rc == -ENOMEM || rc == DB_ENOMEM) && arena_used(work) > LIBRARY_ADMIN_WORK_MAX / 2;
}

/* Reads, checks and imports (or, with LIBRARY_IF_DRYRUN, tries) the pack in
 * the .zip: *out says how it went, problems go to pr. 0, or a negative
 * code for a failure of ours (out of memory, the store). */
static int check_and_import(struct arena *work, struct db *db, const struct library_actor *who,
                            const void *zip, size_t len, unsigned flags, struct pack_problems *pr,
                            struct pack *pack, struct library_result *res, enum checked *out)
{
	struct pack_file *files = NULL;
	size_t n = 0;
	*out = CHECKED_PROBLEMS;
	int rc = pack_files_from_zip(work, zip, len, &files, &n, pr);
	if (work_full(work, rc)) {
		*out = CHECKED_TOO_BIG;
		return 0;
	}
	if (rc == -ENOMEM)
		return rc;
	if (pr->n > 0)
		return 0;
	if (rc < 0) {
		*out = CHECKED_UNREADABLE;
		return 0;
	}
	rc = pack_load(work, files, n, pack, pr);
	if (work_full(work, rc)) {
		*out = CHECKED_TOO_BIG;
		return 0;
	}
	if (rc < 0)
		return rc;
	if (pr->n > 0)
		return 0;
	rc = library_import(db, work, accounts_audit_key(), who, pack, LIBRARY_FROM_UPLOAD, flags,
	                    pr, res);
	if (rc == LIBRARY_EINVALID && pr->n > 0)
		return 0;
	if (work_full(work, rc)) {
		*out = CHECKED_TOO_BIG;
		return 0;
	}
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_ERR;
	*out = CHECKED_OK;
	return 0;
}

/* Pages named in each list of the summary (the counts are whole). */
#define SUMMARY_LIST_MAX 50

static json_t *refs(const struct library_page_ref *r, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list,
		                      json_pack("{s:s, s:s}", "slug", r[i].slug, "title",
		                                r[i].title ? r[i].title : ""));
	return list;
}

/* What the confirmation page shows of the pack and of what its import
 * would do, against the pack's active version. */
static json_t *summary(struct req *req, struct db *db, const struct pack *p,
                       const struct library_result *res, const char *file_name, size_t len,
                       const char *sha256)
{
	struct library_version *list = NULL;
	size_t n = 0;
	if (library_versions(db, req->arena, &list, &n) != DB_OK)
		return NULL;
	const char *zone = library_admin_zone(req, db);
	json_t *current = NULL, *others = json_array();
	bool seen = false;
	for (size_t i = 0; others && i < n; i++) {
		bool same = strcmp(list[i].pack, p->meta.id) == 0;
		seen |= same && strcmp(list[i].version, p->meta.version) == 0;
		if (!list[i].active)
			continue;
		json_t *v = library_admin_version_json(req, zone, &list[i]);
		if (same)
			current = v;
		else
			json_array_append_new(others, v);
	}
	bool draft = p->meta.review_status && strcmp(p->meta.review_status, "draft") == 0;
	struct library_diff d;
	json_t *diff = NULL;
	if (library_pack_diff(db, req->arena, p, SUMMARY_LIST_MAX, &d) == DB_OK)
		diff = json_pack("{s:o, s:I, s:o, s:I, s:o, s:I}", "added",
		                 refs(d.added, d.n_added), "more_added",
		                 (json_int_t)(d.all_added - d.n_added), "removed",
		                 refs(d.removed, d.n_removed), "more_removed",
		                 (json_int_t)(d.all_removed - d.n_removed), "edited",
		                 refs(d.edited, d.n_edited), "more_edited",
		                 (json_int_t)(d.all_edited - d.n_edited));
	if (!diff) {
		json_decref(current);
		json_decref(others);
		return NULL;
	}
	return json_pack("{s:s, s:I, s:I, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I}, "
	                 "s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o?, s:o, s:b, s:s}",
	                 "file_name", file_name, "size", (json_int_t)len, "size_kib",
	                 (json_int_t)((len + 1023) / 1024), "sha256", sha256, "pack", "id",
	                 p->meta.id, "version", p->meta.version, "title",
	                 p->meta.title ? p->meta.title : "", "as_of",
	                 p->meta.as_of ? p->meta.as_of : "", "license",
	                 p->meta.license ? p->meta.license : "", "review_status",
	                 library_admin_label(req, "content_admin.status",
	                                     p->meta.review_status ? p->meta.review_status : ""),
	                 "draft", draft, "pages", (json_int_t)p->n_pages, "counts", "added",
	                 (json_int_t)res->added, "updated", (json_int_t)res->updated, "unchanged",
	                 (json_int_t)res->unchanged, "waiting", (json_int_t)res->waiting,
	                 "unpublished", (json_int_t)res->unpublished, "diff", diff, "current",
	                 current, "others", others, "seen_before", seen, "expires",
	                 library_admin_when(req, zone, (int64_t)time(NULL) + LIBRARY_UPLOAD_TTL));
}

int library_admin_upload(struct req *req)
{
	/* The waiting upload belongs to a session; API tokens never reach
	 * /admin, but say so rather than assume it. */
	if (req->who.session_id <= 0)
		return http_error(req, 403, NULL);
	const struct form_field *f = form_get(&req->body, "pack");
	const char *name = f && f->filename ? f->filename : "";
	if (!f || !f->filename || (f->value_len == 0 && !name[0]))
		return render_refused(req, 422, "content_admin.upload.none", NULL, 0, NULL);
	if (!zip_name(name) || (f->content_type && !zip_type(f->content_type)))
		return render_refused(req, 422, "content_admin.upload.not_zip", NULL, 0, name);
	if (f->value_len == 0)
		return render_refused(req, 422, "content_admin.upload.empty", NULL, 0, name);
	if (f->value_len > LIBRARY_UPLOAD_MAX)
		return render_refused(req, 422, "content_admin.upload.too_big", NULL, 0, name);
	if (!zip_magic(f->value, f->value_len))
		return render_refused(req, 422, "content_admin.upload.not_zip", NULL, 0, name);

	struct db *db = db_pool_get();
	struct arena *work = db ? library_admin_work_arena(req) : NULL;
	if (!work)
		return -1;
	struct library_actor who;
	struct pack_problems pr;
	struct pack pack;
	struct library_result res;
	enum checked how;
	library_admin_actor(req, &who);
	pack_problems_init(&pr, work);
	int rc = check_and_import(work, db, &who, f->value, f->value_len, LIBRARY_IF_DRYRUN, &pr,
	                          &pack, &res, &how);
	if (rc != 0) {
		log_msg(LOG_ERROR, "content: checking an upload: %s",
		        rc == -ENOMEM ? "out of memory" : db_errmsg(db));
		return -1;
	}
	if (how == CHECKED_UNREADABLE)
		return render_refused(req, 422, "content_admin.upload.unreadable", NULL, 0, name);
	if (how == CHECKED_TOO_BIG)
		return render_refused(req, 413, "content_admin.upload.too_big_to_check", NULL, 0,
		                      name);
	if (how == CHECKED_PROBLEMS) {
		size_t more = 0;
		json_t *list = library_admin_problems(&pr, &more);
		return list ? render_refused(req, 422, NULL, list, more, name) : -1;
	}

	uint8_t h[CRYPTO_SHA256_BYTES];
	char sha[2 * CRYPTO_SHA256_BYTES + 1];
	crypto_sha256(h, f->value, f->value_len);
	crypto_hex(sha, h, sizeof h);
	rc = library_upload_put(db, req->who.session_id, req->who.user_id, name, sha, f->value,
	                        f->value_len, (int64_t)time(NULL));
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "content: keeping an upload: %s", db_errmsg(db));
		return -1;
	}
	json_t *data = summary(req, db, &pack, &res, name, f->value_len, sha);
	return data ? page_render(req, 200, "admin/content_confirm",
	                          "page.content_admin.confirm.title", data)
	            : -1;
}

int library_admin_import(struct req *req)
{
	if (req->who.session_id <= 0)
		return http_error(req, 403, NULL);
	const char *sha = req_form(req, "sha256");
	uint8_t h[CRYPTO_SHA256_BYTES];
	if (!sha || strlen(sha) != 2 * CRYPTO_SHA256_BYTES ||
	    crypto_unhex(h, sizeof h, sha, strlen(sha)) != 0)
		return http_error(req, 409, "content_admin.import.gone");
	struct db *db = db_pool_get();
	struct arena *work = db ? library_admin_work_arena(req) : NULL;
	if (!work)
		return -1;
	struct library_upload up;
	int rc = library_upload_take(db, work, req->who.session_id, sha, (int64_t)time(NULL), &up);
	if (rc == DB_DONE)
		return http_error(req, 409, "content_admin.import.gone");
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "content: reading an upload: %s", db_errmsg(db));
		return -1;
	}
	struct library_actor who;
	struct pack_problems pr;
	struct pack pack;
	struct library_result res;
	enum checked how;
	library_admin_actor(req, &who);
	pack_problems_init(&pr, work);
	rc = check_and_import(work, db, &who, up.data, up.len, 0, &pr, &pack, &res, &how);
	if (rc != 0) {
		log_msg(LOG_ERROR, "content: importing an upload: %s",
		        rc == -ENOMEM ? "out of memory" : db_errmsg(db));
		return -1;
	}
	/* The store changed since the check (another pack took a slug): the
	 * problems, and the form to upload again. */
	if (how == CHECKED_UNREADABLE)
		return render_refused(req, 422, "content_admin.upload.unreadable", NULL, 0,
		                      up.name);
	if (how == CHECKED_PROBLEMS) {
		size_t more = 0;
		json_t *list = library_admin_problems(&pr, &more);
		return list ? render_refused(req, 422, NULL, list, more, up.name) : -1;
	}
	log_msg(LOG_INFO,
	        "content: imported %s %s from an upload (%zu added, %zu changed, %zu kept; "
	        "%zu KiB of working memory)",
	        res.pack, res.version, res.added, res.updated, res.waiting,
	        arena_used(work) / 1024);
	return http_redirect(req, 303, "/admin/content?done=imported");
}

int library_admin_discard(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (req->who.session_id > 0 && library_upload_delete(db, req->who.session_id) != DB_OK) {
		log_msg(LOG_ERROR, "content: discarding an upload: %s", db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/admin/content?done=discarded");
}
