/* features/settings/handlers.c — the site admin's settings page. Values are
 * checked the way their users check them (the SMTP URL as the mail worker
 * does, zones with ICU, addresses as the outbox does); a bad value re-renders
 * the form with every value kept and the problem next to its field, and
 * nothing is saved. The SMTP password is write-only: the page never shows
 * it, an empty field keeps it, and the audit record names the keys that
 * changed, never a value. */
#include "features/settings/settings.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "db/settings.h"
#include "features/accounts/accounts.h"
#include "jobs/mail.h"
#include "jobs/smtp.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A setting the page edits: its key in the store, the form field, the most
 * bytes it may hold, and whether it is a secret (never shown back). */
struct field {
	const char *key;
	const char *name;
	size_t max;
	bool secret;
};

static const struct field fields[] = {
        {"deployment.name", "name", 100, false},
        {"support.contact", "support", 200, false},
        {"deployment.time_zone", "time_zone", TZ_MAX_NAME, false},
        {"smtp.url", "smtp_url", 300, false},
        {"smtp.user", "smtp_user", 200, false},
        {"smtp.password", "smtp_password", 200, true},
        {"smtp.from", "smtp_from", MAIL_MAX_ADDR, false},
};

#define NFIELDS (sizeof fields / sizeof fields[0])

static const char *const zones[] = {
        "America/New_York",    "America/Chicago",
        "America/Denver",      "America/Phoenix",
        "America/Los_Angeles", "America/Anchorage",
        "Pacific/Honolulu",    "America/Puerto_Rico",
        "Pacific/Guam",        "UTC",
};

static int render(struct req *req, int status, json_t *values, json_t *errors, bool saved,
                  bool password_set, const char *notice)
{
	json_t *zl = json_array();
	for (size_t i = 0; zl && i < sizeof zones / sizeof zones[0]; i++)
		json_array_append_new(zl, json_string(zones[i]));
	json_t *data = json_pack("{s:o, s:o, s:o, s:b, s:b, s:b, s:s?}", "values", values, "errors",
	                         errors, "zones", zl, "has_errors", json_object_size(errors) > 0,
	                         "saved", saved, "password_set", password_set, "notice",
	                         notice ? page_msg(notice) : NULL);
	return page_render(req, status, "settings/index", "page.settings.title", data);
}

/* The current values (the password only as "is set"). */
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

int settings_page(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *values = json_object();
	bool password_set;
	if (!db || !values || load(req, db, values, &password_set) != DB_OK) {
		json_decref(values);
		return -1;
	}
	const char *q = req_query(req, "saved");
	return render(req, 200, values, json_object(), q && strcmp(q, "1") == 0, password_set,
	              NULL);
}

/* true when s holds a control character (a line break in a setting would
 * end up in mail headers or the page's footer). */
static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* Checks the value of field f; NULL or the catalogue key of the problem. */
static const char *check(const struct field *f, const char *v)
{
	if (strlen(v) > f->max)
		return "settings.error.too_long";
	if (!str_utf8_valid(v, strlen(v)) || has_control(v))
		return "settings.error.characters";
	if (strcmp(f->name, "name") == 0 && !v[0])
		return "settings.error.name_missing";
	if (strcmp(f->name, "time_zone") == 0 && v[0] && !tz_valid(v))
		return "settings.error.time_zone";
	if (strcmp(f->name, "smtp_from") == 0 && v[0] && !mail_address_valid(v))
		return "settings.error.from";
	if (strcmp(f->name, "smtp_url") == 0 && v[0]) {
		char why[160];
		if (smtp_url_check(v, why, sizeof why) != 0)
			return "settings.error.smtp_url";
	}
	return NULL;
}

int settings_save(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *values = json_object(), *errors = json_object();
	bool password_set = false;
	if (!db || !values || !errors) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	const char *current[NFIELDS];
	for (size_t i = 0; i < NFIELDS; i++) {
		if (db_setting_get(db, req->arena, fields[i].key, &current[i]) != DB_OK) {
			json_decref(values);
			json_decref(errors);
			return -1;
		}
		if (fields[i].secret)
			password_set = current[i] && current[i][0];
	}
	const char *next[NFIELDS];
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = req_form(req, fields[i].name);
		v = v ? v : "";
		/* Blanks around a value are a typing slip, except in a password. */
		if (!fields[i].secret) {
			struct str t = str_trim(str_from(v));
			v = arena_strndup(req->arena, t.p, t.len);
			if (!v) {
				json_decref(values);
				json_decref(errors);
				return -1;
			}
			json_object_set_new(values, fields[i].name, json_string(v));
		}
		const char *bad = check(&fields[i], v);
		if (bad)
			json_object_set_new(errors, fields[i].name, json_string(page_msg(bad)));
		next[i] = v;
	}
	bool clear_password = req_form(req, "smtp_password_clear") != NULL;
	if (json_object_size(errors) > 0)
		return render(req, 422, values, errors, false, password_set, NULL);

	/* Save what changed, and name the keys in the audit record. */
	json_t *changed = json_array();
	int rc = changed ? db_begin_write(db) : DB_ENOMEM;
	for (size_t i = 0; rc == DB_OK && i < NFIELDS; i++) {
		const char *v = next[i];
		if (fields[i].secret && !v[0])
			v = clear_password ? "" : NULL; /* empty keeps the old password */
		if (!v || strcmp(v, current[i] ? current[i] : "") == 0)
			continue;
		rc = db_setting_set(db, fields[i].key, v);
		json_array_append_new(changed, json_string(fields[i].key));
	}
	char *detail = NULL;
	if (rc == DB_OK && json_array_size(changed) > 0) {
		json_t *d = json_pack("{s:O}", "changed", changed);
		detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
		json_decref(d);
		rc = detail ? accounts_audit(db, req, "site.settings", "settings", NULL, "success",
		                             detail)
		            : DB_ENOMEM;
	}
	free(detail);
	json_decref(changed);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		json_decref(values);
		json_decref(errors);
		log_msg(LOG_ERROR, "saving site settings: %s", db_errmsg(db));
		return -1;
	}
	json_decref(values);
	json_decref(errors);
	return http_redirect(req, 303, "/admin/settings?saved=1");
}

int settings_test_mail(struct req *req)
{
	struct db *db = db_pool_get();
	const char *subject, *body;
	if (!db)
		return -1;
	json_t *data = json_pack("{s:s, s:s}", "name", req->who.name, "url", req->cfg->public_url);
	if (page_render_mail(req->arena, "mail/settings_test", data, &subject, &body) != 0)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = mail_enqueue(db, req->who.email, subject, body, (int64_t)time(NULL), NULL);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "site.settings.test_mail", "user", NULL, "success",
		                    NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "queueing the test message: %s", mail_strerror(rc));
		return -1;
	}
	mail_kick();
	json_t *values = json_object();
	bool password_set;
	if (!values || load(req, db, values, &password_set) != DB_OK) {
		json_decref(values);
		return -1;
	}
	return render(req, 200, values, json_object(), false, password_set,
	              "settings.test_mail.queued");
}
