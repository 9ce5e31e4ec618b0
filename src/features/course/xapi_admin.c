/* features/course/xapi_admin.c — see xapi_admin.h. The form follows the
 * site settings page: a bad value re-renders it with every value kept and
 * the problem next to its field (422), nothing saved; the password is
 * write-only (an empty field keeps it); the audit record names the keys that
 * changed, never a value. The export is built in bounded memory (at most
 * EXPORT_MAX statements or EXPORT_MAX_BYTES; X-Csec-Export-Next-After says
 * where the next one continues) and audited once it is ready. */
#include "features/course/xapi_admin.h"

#include "auth/accounts.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "db/settings.h"
#include "features/accounts/accounts.h"
#include "jobs/xapi.h"
#include "render/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_MAX 100000 /* statements in one export */
#define EXPORT_MAX_BYTES (64u << 20)

struct field {
	const char *key, *name;
	size_t max;
	bool secret;
};

static const struct field fields[] = {
        {"lrs.endpoint", "endpoint", XAPI_MAX_URL, false},
        {"lrs.user", "user", 200, false},
        {"lrs.password", "password", 200, true},
};

#define NFIELDS (sizeof fields / sizeof fields[0])

static const char *when(struct req *req, const char *zone, int64_t t)
{
	char text[96];
	if (t <= 0 || tz_format(t, zone, "d MMM yyyy HH:mm zzz", text, sizeof text) != 0)
		return NULL;
	return arena_strdup(req->arena, text);
}

/* The queue's state for the page; NULL on a store error. */
static json_t *status_data(struct req *req, struct db *db)
{
	struct xapi_status s;
	const char *zone = "UTC";
	if (xapi_status_read(db, req->arena, &s) != DB_OK)
		return NULL;
	if (accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK || !zone)
		zone = "UTC";
	return json_pack("{s:I, s:I, s:I, s:I, s:s?, s:s?, s:s?, s:b}", "queued",
	                 (json_int_t)s.queued, "sending", (json_int_t)s.sending, "sent",
	                 (json_int_t)s.sent, "held", (json_int_t)s.held, "last_sent",
	                 when(req, zone, s.last_sent_at), "next_attempt",
	                 s.queued ? when(req, zone, s.next_attempt_at) : NULL, "last_error",
	                 s.last_error, "waiting", s.queued + s.held > 0);
}

static int render(struct req *req, struct db *db, int status, json_t *values, json_t *errors,
                  bool password_set, const char *notice)
{
	json_t *st = status_data(req, db);
	const char *endpoint = NULL; /* the saved one, whatever the form holds */
	if (!st || db_setting_get(db, req->arena, "lrs.endpoint", &endpoint) != DB_OK) {
		json_decref(st);
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	json_t *data = json_pack("{s:o, s:o, s:o, s:b, s:b, s:b, s:s?}", "values", values, "errors",
	                         errors, "status", st, "has_errors", json_object_size(errors) > 0,
	                         "password_set", password_set, "configured", endpoint && *endpoint,
	                         "notice", notice ? page_msg(notice) : NULL);
	return page_render(req, status, "course/xapi/index", "page.course_xapi.title", data);
}

/* The saved values (the password only as "is set"). */
static int load(struct req *req, struct db *db, json_t *values, bool *password_set)
{
	*password_set = false;
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = NULL;
		int rc = db_setting_get(db, req->arena, fields[i].key, &v);
		if (rc != DB_OK)
			return rc;
		if (fields[i].secret)
			*password_set = v && v[0];
		else
			json_object_set_new(values, fields[i].name, json_string(v ? v : ""));
	}
	return DB_OK;
}

static int page(struct req *req, const char *notice)
{
	struct db *db = db_pool_get();
	json_t *values = json_object();
	bool password_set;
	if (!db || !values || load(req, db, values, &password_set) != DB_OK) {
		json_decref(values);
		return -1;
	}
	return render(req, db, 200, values, json_object(), password_set, notice);
}

int xapi_admin_page(struct req *req)
{
	const char *q = req_query(req, "saved");
	return page(req, q && strcmp(q, "1") == 0 ? "course_xapi.saved" : NULL);
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static const char *check(const struct field *f, const char *v)
{
	char why[200];
	if (strlen(v) > f->max)
		return "course_xapi.error.too_long";
	if (!str_utf8_valid(v, strlen(v)) || has_control(v))
		return "course_xapi.error.characters";
	if (strcmp(f->name, "endpoint") == 0 && v[0] &&
	    xapi_endpoint_check(v, why, sizeof why) != 0)
		return "course_xapi.error.endpoint";
	if (strcmp(f->name, "user") == 0 && strchr(v, ':'))
		return "course_xapi.error.user";
	return NULL;
}

int xapi_admin_save(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *values = json_object(), *errors = json_object();
	bool password_set = false;
	const char *current[NFIELDS], *next[NFIELDS];
	if (!db || !values || !errors)
		goto fail;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (db_setting_get(db, req->arena, fields[i].key, &current[i]) != DB_OK)
			goto fail;
		if (fields[i].secret)
			password_set = current[i] && current[i][0];
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = req_form(req, fields[i].name);
		v = v ? v : "";
		if (!fields[i].secret) { /* blanks around a value are a slip */
			struct str t = str_trim(str_from(v));
			if (!(v = arena_strndup(req->arena, t.p, t.len)))
				goto fail;
			json_object_set_new(values, fields[i].name, json_string(v));
		}
		const char *bad = check(&fields[i], v);
		if (bad)
			json_object_set_new(errors, fields[i].name, json_string(page_msg(bad)));
		next[i] = v;
	}
	bool clear_password = req_form(req, "password_clear") != NULL;
	if (json_object_size(errors) > 0)
		return render(req, db, 422, values, errors, password_set, NULL);

	json_t *changed = json_array();
	int rc = changed ? db_begin_write(db) : DB_ENOMEM;
	for (size_t i = 0; rc == DB_OK && i < NFIELDS; i++) {
		const char *v = next[i];
		if (fields[i].secret && !v[0])
			v = clear_password ? "" : NULL; /* empty keeps the saved password */
		if (!v || strcmp(v, current[i] ? current[i] : "") == 0)
			continue;
		rc = db_setting_set(db, fields[i].key, v);
		json_array_append_new(changed, json_string(fields[i].key));
	}
	/* Another LRS, or other credentials: what waits, and what the old one
	 * refused, is tried again at once. */
	if (rc == DB_OK && json_array_size(changed) > 0)
		rc = xapi_requeue(db, (int64_t)time(NULL), NULL);
	char *detail = NULL;
	if (rc == DB_OK && json_array_size(changed) > 0) {
		json_t *d = json_pack("{s:O}", "changed", changed);
		detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
		json_decref(d);
		rc = detail ? accounts_audit(db, req, "xapi.settings", "settings", NULL, "success",
		                             detail)
		            : DB_ENOMEM;
	}
	free(detail);
	json_decref(changed);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "saving the LRS settings: %s", db_errmsg(db));
		goto fail;
	}
	json_decref(values);
	json_decref(errors);
	xapi_kick(); /* a new LRS: send the backlog */
	return http_redirect(req, 303, "/admin/xapi?saved=1");
fail:
	json_decref(values);
	json_decref(errors);
	return -1;
}

int xapi_admin_send(struct req *req)
{
	struct db *db = db_pool_get();
	int64_t n = 0;
	if (!db)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = xapi_requeue(db, (int64_t)time(NULL), &n);
	char detail[64];
	snprintf(detail, sizeof detail, "{\"events\":%lld}", (long long)n);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "xapi.requeued", "settings", NULL, "success", detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "queueing xAPI statements again: %s", db_errmsg(db));
		return -1;
	}
	xapi_kick();
	return page(req, "course_xapi.send.done");
}

/* ------------------------------------------------------------ the export */

/* "YYYY-MM-DD" → its first second (UTC) in *t; false when malformed. */
static bool parse_day(const char *s, int64_t *t)
{
	int y, m, d;
	char end;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || s[4] != '-' ||
	    s[7] != '-' || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
	time_t v = timegm(&tm);
	if (v == (time_t)-1 || tm.tm_mday != d) /* 31 April rolls over */
		return false;
	*t = (int64_t)v;
	return true;
}

int xapi_admin_export(struct req *req)
{
	struct db *db = db_pool_get();
	const char *from_s = req_query(req, "from"), *to_s = req_query(req, "to"),
	           *after_s = req_query(req, "after");
	int64_t from = 0, to = 0, after = 0;
	if (!db)
		return -1;
	if ((from_s && *from_s && !parse_day(from_s, &from)) ||
	    (to_s && *to_s && !parse_day(to_s, &to)) ||
	    (after_s && *after_s && str_to_i64(str_from(after_s), 0, INT64_MAX, &after) != 0))
		return http_json_error(req, 400, "bad_request",
		                       page_msg("course_xapi.error.export_filter"));
	if (to)
		to += 24 * 60 * 60; /* "to" is a whole day, included */

	struct buf out;
	int64_t count = 0, last = 0;
	bool more = false;
	buf_init(&out, NULL, EXPORT_MAX_BYTES);
	buf_putc(&out, '[');
	int rc = xapi_export(db, req->cfg->public_url, from, to, after, EXPORT_MAX, &out, &count,
	                     &last, &more);
	buf_puts(&out, "]\n");
	if (rc != DB_OK || out.err) {
		log_msg(LOG_ERROR, "exporting xAPI statements: %s", db_errmsg(db));
		buf_free(&out);
		return -1;
	}
	json_t *filters = json_object();
	if (from_s && *from_s)
		json_object_set_new(filters, "from", json_string(from_s));
	if (to_s && *to_s)
		json_object_set_new(filters, "to", json_string(to_s));
	if (after)
		json_object_set_new(filters, "after", json_integer(after));
	json_t *d = json_pack("{s:o, s:I, s:b}", "filters", filters, "statements",
	                      (json_int_t)count, "truncated", more);
	char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(d);
	rc = detail ? db_begin_write(db) : DB_ENOMEM;
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "xapi.exported", "settings", NULL, "success", detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	free(detail);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "recording an xAPI export: %s", db_errmsg(db));
		buf_free(&out);
		return -1;
	}
	/* The body outlives the handler: it is freed with the request. */
	if (arena_defer(req->arena, free, out.data) != 0) {
		buf_free(&out);
		return -1;
	}
	char stamp[24];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	const char *disposition = arena_printf(
	        req->arena, "attachment; filename=\"csec-xapi-statements-%s.json\"", stamp);
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	if (more) {
		const char *next = arena_printf(req->arena, "%lld", (long long)last);
		if (!next || http_add_header(req, "X-Csec-Export-Next-After", next) != 0)
			return -1;
	}
	req->resp.status = 200;
	req->resp.content_type = "application/json";
	req->resp.fixed = (const unsigned char *)out.data;
	req->resp.fixed_len = out.len;
	return 0;
}
