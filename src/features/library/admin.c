/* features/library/admin.c — the site admin's content page (admin.h): the
 * active pack with its review record, the versions and the roll back to
 * one of them (a confirmation page, then a POST), recording and clearing a
 * review, and the download of the active pack as a .zip. The upload lives
 * in admin_upload.c. Every change is made, with its audit record, in one
 * write transaction by the store (store.h, admin_model.h); handlers here
 * check, call, and answer. */
#include "features/library/admin.h"

#include "auth/accounts.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
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
#include <time.h>

#define REVIEW_FIELD_MAX 200 /* bytes of a reviewer's name or role */

/* What ?done= may say, each with its notice "content_admin.done.NAME". */
static const char *const done_names[] = {"imported", "rolled_back", "reviewed", "review_cleared",
                                         "discarded"};

/* ------------------------------------------------------------ shared */

static void destroy_arena(void *p)
{
	arena_destroy(p);
}

struct arena *library_admin_work_arena(struct req *req)
{
	struct arena *a = arena_create(LIBRARY_ADMIN_WORK_MAX);
	if (!a || arena_defer(req->arena, destroy_arena, a) != 0)
		return NULL; /* a failed defer has destroyed it already */
	return a;
}

void library_admin_actor(const struct req *req, struct library_actor *out)
{
	*out = (struct library_actor){
	        .user_id = req->who.user_id,
	        .name = req->who.email,
	        .org_id = req->who.org_id,
	        .source = req->client,
	};
}

const char *library_admin_when(struct req *req, const char *zone, int64_t t)
{
	char text[96];
	if (tz_format(t, zone, "d MMM yyyy HH:mm zzz", text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(req->arena, text);
	return s ? s : "";
}

const char *library_admin_zone(struct req *req, struct db *db)
{
	const char *zone = "UTC";
	if (accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK || !zone)
		return "UTC";
	return zone;
}

const char *library_admin_label(struct req *req, const char *prefix, const char *value)
{
	const char *key = arena_printf(req->arena, "%s.%s", prefix, value ? value : "");
	return key ? page_msg(key) : "";
}

json_t *library_admin_version_json(struct req *req, const char *zone,
                                   const struct library_version *v)
{
	bool reviewed = v->reviewed_on[0] != '\0';
	const char *by = v->imported_by[0]
	        ? v->imported_by
	        : library_admin_label(req, "content_admin.by", v->source);
	const char *rollback =
	        arena_printf(req->arena, "/admin/content/rollback?version=%lld", (long long)v->id);
	const char *download =
	        arena_printf(req->arena, "/admin/content/export.zip?pack=%s", v->pack);
	if (!rollback || !download)
		return NULL;
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:b, "
	                 "s:b, s:s, s:s, s:s, s:s, s:s}",
	                 "id", (json_int_t)v->id, "pack", v->pack, "version", v->version, "title",
	                 v->title, "license", v->license, "as_of", v->as_of, "review_status",
	                 library_admin_label(req, "content_admin.status", v->review_status),
	                 "source", v->source, "source_label",
	                 library_admin_label(req, "content_admin.source", v->source), "imported_on",
	                 library_admin_when(req, zone, v->imported_at), "by", by, "active",
	                 v->active, "pages", (json_int_t)v->pages, "reviewed", reviewed, "draft",
	                 strcmp(v->review_status, "draft") == 0 && !reviewed, "reviewer",
	                 v->reviewer, "reviewer_role", v->reviewer_role, "reviewed_on",
	                 v->reviewed_on, "rollback_href", rollback, "export_href", download);
}

json_t *library_admin_problems(const struct pack_problems *pr, size_t *more)
{
	json_t *list = json_array();
	size_t shown = pr->n < LIBRARY_ADMIN_MAX_PROBLEMS ? pr->n : LIBRARY_ADMIN_MAX_PROBLEMS;
	*more = pr->n - shown;
	for (size_t i = 0; list && i < shown; i++) {
		const struct pack_problem *p = &pr->items[i];
		char line[32] = "";
		if (p->line > 0)
			snprintf(line, sizeof line, ":%d", p->line);
		json_t *s = json_sprintf("%s%s: %s", p->file ? p->file : "?", line,
		                         p->message ? p->message : "");
		if (!s || json_array_append_new(list, s) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

int64_t library_admin_form_id(const struct req *req, const char *name)
{
	const char *v = req_form(req, name);
	int64_t id = 0;
	if (!v || str_to_i64(str_from(v), 1, INT64_MAX, &id) != 0)
		return 0;
	return id;
}

/* The version with that id among the list, or NULL. */
static const struct library_version *find_version(const struct library_version *list, size_t n,
                                                  int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].id == id)
			return &list[i];
	return NULL;
}

/* The active version of pack (NULL: the one active version, when only one
 * pack is active), or NULL. */
static const struct library_version *find_active(const struct library_version *list, size_t n,
                                                 const char *pack)
{
	const struct library_version *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!list[i].active || (pack && strcmp(list[i].pack, pack) != 0))
			continue;
		if (found)
			return NULL; /* several packs are active and none was named */
		found = &list[i];
	}
	return found;
}

/* ------------------------------------------------------------ the page */

/* Renders /admin/content. form_version, values and errors (stolen, may be
 * NULL) are a review form to show again with its problems. */
static int render_page(struct req *req, int status, int64_t form_version, json_t *values,
                       json_t *errors)
{
	struct db *db = db_pool_get();
	struct library_version *list = NULL;
	size_t n = 0;
	json_t *active = json_array(), *versions = json_array();
	json_t *data = json_pack("{s:o, s:o, s:i}", "active", active, "versions", versions,
	                         "upload_max_mib", (int)(LIBRARY_UPLOAD_MAX >> 20));
	if (!data || !db || library_versions(db, req->arena, &list, &n) != DB_OK) {
		json_decref(data);
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	const char *zone = library_admin_zone(req, db);
	for (size_t i = 0; i < n; i++) {
		json_t *v = library_admin_version_json(req, zone, &list[i]);
		if (!v) {
			json_decref(data);
			json_decref(values);
			json_decref(errors);
			return -1;
		}
		json_array_append(versions, v);
		if (list[i].active) {
			bool mine = list[i].id == form_version;
			json_object_set_new(v, "form",
			                    json_pack("{s:O?, s:O?, s:b}", "values",
			                              mine ? values : NULL, "errors",
			                              mine ? errors : NULL, "has_errors",
			                              mine && json_object_size(errors) > 0));
			json_array_append(active, v);
		}
		json_decref(v);
	}
	json_object_set_new(data, "has_errors", json_boolean(json_object_size(errors) > 0));
	json_decref(values);
	json_decref(errors);
	json_object_set_new(data, "several_active", json_boolean(json_array_size(active) > 1));
	const char *done = req_query(req, "done");
	for (size_t i = 0; done && i < sizeof done_names / sizeof done_names[0]; i++)
		if (strcmp(done, done_names[i]) == 0)
			json_object_set_new(
			        data, "done",
			        json_string(library_admin_label(req, "content_admin.done", done)));
	return page_render(req, status, "admin/content", "page.content_admin.title", data);
}

int library_admin_page(struct req *req)
{
	return render_page(req, 200, 0, NULL, NULL);
}

/* ------------------------------------------------------------ roll back */

int library_admin_rollback_confirm(struct req *req)
{
	const char *q = req_query(req, "version");
	int64_t id = 0;
	if (!q || str_to_i64(str_from(q), 1, INT64_MAX, &id) != 0)
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	struct library_version *list = NULL;
	size_t n = 0;
	if (!db || library_versions(db, req->arena, &list, &n) != DB_OK)
		return -1;
	const struct library_version *v = find_version(list, n, id);
	if (!v)
		return http_error(req, 404, NULL);
	const struct library_version *now = find_active(list, n, v->pack);
	const char *zone = library_admin_zone(req, db);
	json_t *data =
	        json_pack("{s:o, s:o?}", "chosen", library_admin_version_json(req, zone, v),
	                  "current", now ? library_admin_version_json(req, zone, now) : NULL);
	return data ? page_render(req, 200, "admin/content_rollback",
	                          "page.content_admin.rollback.title", data)
	            : -1;
}

int library_admin_rollback(struct req *req)
{
	int64_t id = library_admin_form_id(req, "version");
	struct db *db = db_pool_get();
	struct library_version *list = NULL;
	size_t n = 0;
	if (!db || library_versions(db, req->arena, &list, &n) != DB_OK)
		return -1;
	const struct library_version *v = find_version(list, n, id);
	if (!v)
		return http_error(req, 404, NULL);
	if (v->active)
		return http_error(req, 409, "content_admin.rollback.already");
	struct library_actor who;
	struct library_result res;
	library_admin_actor(req, &who);
	int rc = library_rollback(db, req->arena, accounts_audit_key(), &who, id, &res);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "content: rolling back to version %lld: %s", (long long)id,
		        db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/admin/content?done=rolled_back");
}

/* ------------------------------------------------------------ review */

/* A reviewer's name or role, trimmed, into *out: NULL, or the catalogue
 * key of its problem. */
static const char *review_text(struct req *req, const char *name, const char **out)
{
	const char *v = req_form(req, name);
	struct str s = str_trim(str_from(v ? v : ""));
	*out = "";
	if (s.len == 0)
		return arena_printf(req->arena, "content_admin.review.%s.missing", name);
	if (s.len > REVIEW_FIELD_MAX)
		return arena_printf(req->arena, "content_admin.review.%s.long", name);
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return arena_printf(req->arena, "content_admin.review.%s.invalid", name);
	*out = arena_strndup(req->arena, s.p, s.len);
	return *out ? NULL : "error.500.message";
}

/* The review date's problem, or NULL: a date, and not after tomorrow (UTC),
 * which leaves room for every time zone's today. */
static const char *review_date(const char *date)
{
	if (!date || !date[0])
		return "content_admin.review.date.missing";
	if (!library_date_valid(date))
		return "content_admin.review.date.invalid";
	char tomorrow[16];
	time_t t = time(NULL) + 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
	return strcmp(date, tomorrow) > 0 ? "content_admin.review.date.future" : NULL;
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

int library_admin_review(struct req *req)
{
	int64_t id = library_admin_form_id(req, "version");
	struct db *db = db_pool_get();
	struct library_version *list = NULL;
	size_t n = 0;
	if (!db || library_versions(db, req->arena, &list, &n) != DB_OK)
		return -1;
	if (!find_version(list, n, id))
		return http_error(req, 404, NULL);
	const char *raw_reviewer = req_form(req, "reviewer"), *raw_role = req_form(req, "role");
	const char *raw_date = req_form(req, "date");
	const char *reviewer, *role;
	struct str d = str_trim(str_from(raw_date ? raw_date : ""));
	const char *date = arena_strndup(req->arena, d.p, d.len < 16 ? d.len : 16);
	json_t *values =
	        json_pack("{s:s, s:s, s:s}", "reviewer", raw_reviewer ? raw_reviewer : "", "role",
	                  raw_role ? raw_role : "", "date", raw_date ? raw_date : "");
	json_t *errors = json_object();
	if (!values || !errors || !date) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	field_error(errors, "reviewer", review_text(req, "reviewer", &reviewer));
	field_error(errors, "role", review_text(req, "role", &role));
	field_error(errors, "date",
	            d.len > 10 ? "content_admin.review.date.invalid" : review_date(date));
	if (json_object_size(errors) > 0)
		return render_page(req, 422, id, values, errors);
	json_decref(values);
	json_decref(errors);

	struct library_actor who;
	library_admin_actor(req, &who);
	int rc = library_record_review(db, accounts_audit_key(), &who, id, reviewer, role, date,
	                               (int64_t)time(NULL));
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "content: recording a review of version %lld: %s", (long long)id,
		        db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/admin/content?done=reviewed");
}

int library_admin_review_clear(struct req *req)
{
	int64_t id = library_admin_form_id(req, "version");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!id)
		return http_error(req, 404, NULL);
	struct library_actor who;
	library_admin_actor(req, &who);
	int rc = library_review_clear(db, req->arena, accounts_audit_key(), &who, id);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "content: clearing the review of version %lld: %s",
		        (long long)id, db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/admin/content?done=review_cleared");
}

/* ------------------------------------------------------------ download */

/* s with anything but letters, digits, '.', '-' and '_' as '-': a file
 * name that needs no quoting in Content-Disposition. */
static char *file_name_part(struct arena *a, const char *s)
{
	char *c = arena_strndup(a, s, strnlen(s, 80));
	for (char *p = c; p && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			*p = '-';
	return c;
}

int library_admin_export(struct req *req)
{
	const char *pack = req_query(req, "pack");
	if (pack && !library_slug_valid(pack))
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	struct library_version *list = NULL;
	size_t n = 0;
	if (!db || library_versions(db, req->arena, &list, &n) != DB_OK)
		return -1;
	const struct library_version *v = find_active(list, n, pack);
	if (!v)
		return http_error(req, 404, NULL);
	struct arena *work = library_admin_work_arena(req);
	if (!work)
		return -1;
	struct library_actor who;
	struct pack_file *files = NULL;
	size_t nfiles = 0;
	library_admin_actor(req, &who);
	int rc = library_export(db, work, accounts_audit_key(), &who, v->pack, &files, &nfiles);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "content: exporting %s: %s", v->pack, db_errmsg(db));
		return -1;
	}
	const void *zip = NULL;
	size_t len = 0;
	rc = library_zip_write(work, files, nfiles, LIBRARY_ZIP_MAX, &zip, &len);
	if (rc != 0) {
		log_msg(LOG_ERROR, "content: zipping %s: %s", v->pack, strerror(-rc));
		return -1;
	}
	const char *disposition = arena_printf(req->arena, "attachment; filename=\"%s-%s.zip\"",
	                                       file_name_part(req->arena, v->pack),
	                                       file_name_part(req->arena, v->version));
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	/* The body lives in the work arena, freed with the request. */
	req->resp.status = 200;
	req->resp.content_type = "application/zip";
	req->resp.fixed = zip;
	req->resp.fixed_len = len;
	return 0;
}
