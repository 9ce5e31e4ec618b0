/* features/course/media_admin.c — site admins and the course's media
 * (docs/course-video.md): the list of every file by course (name, type,
 * size, source, who uploaded it and when), the upload (type checked by
 * content and extension, at most COURSE_MEDIA_MAX bytes; an upload of a
 * name wins over the pack's file of that name) and the deletion of an
 * upload. Both changes are audited (course.media.uploaded,
 * course.media.deleted). */
#include "features/course/media.h"
#include "features/course/media_model.h"

#include "auth/accounts.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *when(struct arena *a, const char *zone, int64_t t)
{
	char text[96];
	if (tz_format(t, zone, "d MMM yyyy HH:mm zzz", text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(a, text);
	return s ? s : "";
}

static const char *size_text(struct arena *a, uint64_t n)
{
	if (n < 1024)
		return arena_printf(a, "%llu B", (unsigned long long)n);
	if (n < 1024 * 1024)
		return arena_printf(a, "%.1f KiB", (double)n / 1024.0);
	return arena_printf(a, "%.1f MiB", (double)n / (1024.0 * 1024.0));
}

static bool slug_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Renders the page; status 200, or 422 with errors and the input kept.
 * errors: {field: message} or NULL; values: {course, name} or NULL. */
static int render(struct req *req, int status, const char *filter, json_t *errors, json_t *values)
{
	struct db *db = db_pool_get();
	if (!db) {
		json_decref(errors);
		json_decref(values);
		return -1;
	}
	const char *zone = "UTC";
	if (accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK || !zone)
		zone = "UTC";
	struct media_course *courses;
	size_t ncourses;
	struct media_row *rows;
	size_t nrows;
	int rc = media_courses(db, req->arena, &courses, &ncourses);
	if (rc == DB_OK)
		rc = media_list(db, req->arena, filter, &rows, &nrows);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "course media: listing: %s", db_errmsg(db));
		json_decref(errors);
		json_decref(values);
		return -1;
	}
	const char *chosen = values ? json_string_value(json_object_get(values, "course")) : NULL;
	json_t *copts = json_array(), *filter_opts = json_array(), *list = json_array();
	for (size_t i = 0; i < ncourses; i++) {
		json_array_append_new(copts,
		                      json_pack("{s:s, s:s, s:b}", "value", courses[i].slug,
		                                "label", courses[i].title, "selected",
		                                chosen && strcmp(chosen, courses[i].slug) == 0));
		json_array_append_new(filter_opts,
		                      json_pack("{s:s, s:s, s:b}", "value", courses[i].slug,
		                                "label", courses[i].title, "selected",
		                                filter && strcmp(filter, courses[i].slug) == 0));
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct media_row *r = &rows[i];
		bool upload = strcmp(r->source, "upload") == 0;
		json_array_append_new(
		        list,
		        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:b, s:s?}", "id",
		                  (json_int_t)r->id, "course", r->course_slug, "name", r->name,
		                  "type", r->content_type, "source_label",
		                  page_msg(upload ? "course_media.source.upload"
		                                  : "course_media.source.pack"),
		                  "size", size_text(req->arena, r->size), "by",
		                  r->uploaded_by[0] ? r->uploaded_by : "—", "when",
		                  when(req->arena, zone, r->created_at), "upload", upload,
		                  "delete_action",
		                  upload ? arena_printf(req->arena,
		                                        "/admin/course-media/%lld/delete",
		                                        (long long)r->id)
		                         : NULL));
	}
	const char *done = req_query(req, "done");
	const char *done_key = done && strcmp(done, "uploaded") == 0 ? "course_media.done.uploaded"
	        : done && strcmp(done, "deleted") == 0               ? "course_media.done.deleted"
	                                                             : NULL;
	json_t *data = json_pack(
	        "{s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:s?, s:s?, s:i}", "courses", copts,
	        "filter_courses", filter_opts, "files", list, "filtered", filter && filter[0],
	        "has_errors", errors != NULL, "errors", errors ? errors : json_object(), "values",
	        values ? values : json_object(), "done", done_key ? page_msg(done_key) : NULL,
	        "filter", filter && filter[0] ? filter : NULL, "max_mib",
	        (int)(COURSE_MEDIA_MAX >> 20));
	return data
	        ? page_render(req, status, "course/video/admin", "page.course_media.title", data)
	        : -1;
}

int course_media_admin(struct req *req)
{
	const char *filter = req_query(req, "course");
	if (filter && filter[0] && !slug_ok(filter))
		filter = NULL;
	return render(req, 200, filter && filter[0] ? filter : "", NULL, NULL);
}

static int refuse(struct req *req, int status, const char *course, const char *name,
                  const char *field, const char *key)
{
	json_t *errors = json_pack("{s:s}", field, page_msg(key));
	json_t *values =
	        json_pack("{s:s, s:s}", "course", course ? course : "", "name", name ? name : "");
	return render(req, status, "", errors, values);
}

int course_media_upload(struct req *req)
{
	const char *course = req_form(req, "course"), *target = req_form(req, "name");
	const struct form_field *f = form_get(&req->body, "file");
	course = course ? course : "";
	target = target ? target : "";
	if (!slug_ok(course))
		return refuse(req, 422, course, target, "course", "course_media.error.course");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	struct media_course *courses;
	size_t ncourses;
	if (media_courses(db, req->arena, &courses, &ncourses) != DB_OK)
		return -1;
	bool known = false;
	for (size_t i = 0; i < ncourses && !known; i++)
		known = strcmp(courses[i].slug, course) == 0;
	if (!known)
		return refuse(req, 422, course, target, "course", "course_media.error.course");
	if (strncmp(target, "media/", 6) != 0 || !media_name_valid(target + 6))
		return refuse(req, 422, course, target, "name", "course_media.error.name");
	if (!f || !f->filename || f->value_len == 0)
		return refuse(req, 422, course, target, "file", "course_media.error.empty");
	if (f->value_len > COURSE_MEDIA_MAX)
		return refuse(req, 413, course, target, "file", "course_media.error.too_big");
	const char *type = media_type_check(target, (const unsigned char *)f->value, f->value_len);
	if (!type)
		return refuse(req, 422, course, target, "file", "course_media.error.type");

	uint8_t h[CRYPTO_SHA256_BYTES];
	char sha[2 * CRYPTO_SHA256_BYTES + 1];
	crypto_sha256(h, f->value, f->value_len);
	crypto_hex(sha, h, sizeof h);
	int64_t id = 0, now = (int64_t)time(NULL);
	int replaced = 0;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = media_upload_put(db, course, target, type, (const unsigned char *)f->value,
		                      f->value_len, sha, req->who.user_id, now, &id, &replaced);
	if (rc == DB_OK) {
		json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}", "course", course, "name",
		                      target, "type", type, "size", (json_int_t)f->value_len,
		                      "sha256", sha, "replaced", replaced);
		char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(d);
		const char *tid = arena_printf(req->arena, "%lld", (long long)id);
		rc = detail && tid ? accounts_audit(db, req, "course.media.uploaded",
		                                    "course_media", tid, "success", detail)
		                   : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "course media: upload: %s", db_errmsg(db));
		return -1;
	}
	const char *to =
	        arena_printf(req->arena, "/admin/course-media?course=%s&done=uploaded", course);
	return to ? http_redirect(req, 303, to) : -1;
}

int course_media_delete(struct req *req)
{
	int64_t id;
	const char *p = req_param(req, "media");
	if (!p || str_to_i64(str_from(p), 1, INT64_MAX, &id) != 0)
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	const char *course = NULL, *name = NULL;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = media_upload_delete(db, req->arena, id, &course, &name);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK) {
		json_t *d = json_pack("{s:s, s:s}", "course", course, "name", name);
		char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(d);
		rc = detail ? accounts_audit(db, req, "course.media.deleted", "course_media", p,
		                             "success", detail)
		            : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "course media: delete: %s", db_errmsg(db));
		return -1;
	}
	const char *to =
	        arena_printf(req->arena, "/admin/course-media?course=%s&done=deleted", course);
	return to ? http_redirect(req, 303, to) : -1;
}
