/* features/profile/account.c — the signed-in person's profile (name and
 * POST/officer ID) and password change. A password change needs the current
 * password, which counts toward the sign-in lockout like a sign-in does;
 * once it is changed every other session of the person ends, outstanding
 * reset links are spent, and this session continues under a new token
 * (DESIGN.md §6: a new token at every privilege change). */
#include "features/profile/profile.h"

#include "auth/mailtoken.h"
#include "auth/accounts.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/profile/internal.h"
#include "features/profile/model.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void profile_field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

void profile_check_new_password(json_t *errors, const char *pw, const char *confirm)
{
	size_t len = pw ? strlen(pw) : 0;
	if (len == 0)
		profile_field_error(errors, "new_password", "profile.password.new_missing");
	else if (len > PROFILE_PASSWORD_BYTES)
		profile_field_error(errors, "new_password", "password.too_long");
	else
		profile_field_error(errors, "new_password",
		                    password_policy_key(password_check_policy(pw, len)));
	if (!confirm || !confirm[0])
		profile_field_error(errors, "confirm_password", "profile.password.confirm_missing");
	else if (len > 0 && strcmp(pw, confirm) != 0)
		profile_field_error(errors, "confirm_password", "profile.password.mismatch");
}

const char *profile_time_text(struct req *req, int64_t t, const char *zone, const char *pattern)
{
	char text[96];
	if (tz_format(t, zone, pattern, text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(req->arena, text);
	return s ? s : "";
}

/* ------------------------------------------------------------------ profile */

static int render_profile(struct req *req, int status, json_t *values, json_t *errors, bool saved)
{
	json_t *data = json_pack("{s:o, s:o, s:b, s:s, s:b, s:s}", "values", values, "errors",
	                         errors, "has_errors", json_object_size(errors) > 0, "email",
	                         req->who.email, "saved", saved, "here", "profile");
	return page_render(req, status, "profile/index", "page.profile.title", data);
}

int profile_page(struct req *req)
{
	struct db *db = db_pool_get();
	struct profile_user u;
	if (!db || profile_user_get(db, req->arena, req->who.user_id, &u) != DB_OK)
		return -1;
	const char *saved = req_query(req, "saved");
	json_t *values = json_pack("{s:s, s:s}", "name", u.name, "officer_id", u.officer_id);
	return render_profile(req, 200, values, json_object(), saved && strcmp(saved, "1") == 0);
}

int profile_update(struct req *req)
{
	const char *name = req_form(req, "name"), *raw_oid = req_form(req, "officer_id");
	char oid[ACCOUNTS_OFFICER_ID_MAX + 1];
	json_t *values = json_pack("{s:s, s:s}", "name", name ? name : "", "officer_id",
	                           raw_oid ? raw_oid : "");
	json_t *errors = json_object();
	if (!values || !errors) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	profile_field_error(errors, "name", accounts_check_name(name));
	profile_field_error(errors, "officer_id",
	                    accounts_check_officer_id(raw_oid, oid, sizeof oid));
	if (json_object_size(errors) > 0)
		return render_profile(req, 422, values, errors, false);
	json_decref(values);
	json_decref(errors);

	struct str n = str_trim(str_from(name));
	const char *clean_name = arena_strndup(req->arena, n.p, n.len);
	struct db *db = db_pool_get();
	struct profile_user u;
	if (!clean_name || !db || profile_user_get(db, req->arena, req->who.user_id, &u) != DB_OK)
		return -1;
	/* The record names what changed, not the values: the log keeps who did
	 * what, and the profile itself keeps the values. */
	bool name_changed = strcmp(u.name, clean_name) != 0;
	bool oid_changed = strcmp(u.officer_id, oid) != 0;
	char detail[64];
	snprintf(detail, sizeof detail, "{\"fields\":[%s%s%s]}", name_changed ? "\"name\"" : "",
	         name_changed && oid_changed ? "," : "", oid_changed ? "\"officer_id\"" : "");
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = accounts_user_update(db, req->who.user_id, clean_name, oid);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "profile.update", "user", req->who.email, "success",
		                    detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "saving a profile failed: %s", db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/account/profile?saved=1");
}

/* ------------------------------------------------------------------ password */

/* The form; locked_text (the lock's end, as text) says it is locked. */
static int render_password(struct req *req, int status, json_t *errors, const char *locked_text,
                           bool done)
{
	json_t *data =
	        json_pack("{s:o, s:b, s:s?, s:b, s:s}", "errors", errors ? errors : json_object(),
	                  "has_errors", errors && json_object_size(errors) > 0, "locked",
	                  locked_text, "done", done, "here", "password");
	return page_render(req, status, "profile/password", "page.profile.password.title", data);
}

/* When the lock on the person's sign-in ends, in their active organization's
 * time zone. */
static const char *lock_text(struct req *req, struct db *db, int64_t until)
{
	const char *zone = "UTC";
	if (accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK)
		zone = "UTC";
	return profile_time_text(req, until, zone, "d MMM yyyy HH:mm zzz");
}

/* Records an attempt refused before any check (the lock), in a transaction
 * of its own, and answers with the locked form. */
static int refuse_locked(struct req *req, struct db *db, int64_t until)
{
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "auth.password.change", "user", req->who.email,
		                    "denied", "{\"reason\":\"locked\"}");
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	return render_password(req, 429, NULL, lock_text(req, db, until), false);
}

/* A wrong current password: one more failure toward the lockout, audited. */
static int wrong_password(struct req *req, struct db *db, int64_t now)
{
	int64_t until = 0;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = signin_failed(db, req->who.email, now, accounts_auth_limits(), &until);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "auth.password.change", "user", req->who.email,
		                    "failure",
		                    until ? "{\"reason\":\"password\",\"locked\":true}"
		                          : "{\"reason\":\"password\"}");
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "recording a wrong password failed: %s", db_errmsg(db));
		return -1;
	}
	if (until)
		return render_password(req, 429, NULL, lock_text(req, db, until), false);
	json_t *errors = json_object();
	profile_field_error(errors, "current_password", "profile.password.current_wrong");
	return render_password(req, 401, errors, NULL, false);
}

int profile_password_page(struct req *req)
{
	const char *done = req_query(req, "done");
	return render_password(req, 200, NULL, NULL, done && strcmp(done, "1") == 0);
}

int profile_password_change(struct req *req)
{
	int64_t now = (int64_t)time(NULL), until = 0;
	const char *cur = req_form(req, "current_password");
	const char *pw = req_form(req, "new_password"),
	           *confirm = req_form(req, "confirm_password");
	size_t curlen = cur ? strlen(cur) : 0;
	struct db *db = db_pool_get();
	json_t *errors = json_object();
	if (!db || !errors) {
		json_decref(errors);
		return -1;
	}
	/* The cheap checks first: nothing is hashed or counted for a form that
	 * cannot succeed. */
	if (curlen == 0)
		profile_field_error(errors, "current_password", "profile.password.current_missing");
	profile_check_new_password(errors, pw, confirm);
	if (curlen > 0 && pw && strcmp(cur, pw) == 0)
		profile_field_error(errors, "new_password", "profile.password.same");
	if (json_object_size(errors) > 0)
		return render_password(req, 422, errors, NULL, false);
	json_decref(errors);

	/* A lock refuses even the right password, as sign-in does. */
	if (signin_locked_until(db, req->who.email, now, &until) != DB_OK)
		return -1;
	if (until)
		return refuse_locked(req, db, until);
	struct profile_user u;
	if (profile_user_get(db, req->arena, req->who.user_id, &u) != DB_OK)
		return -1;
	if (curlen > PROFILE_PASSWORD_BYTES) /* never the current one: refused like it */
		return wrong_password(req, db, now);
	if (password_verify(u.password_hash, cur, curlen) != 0)
		return wrong_password(req, db, now);

	char hash[PASSWORD_HASH_BYTES], token[SESSION_TOKEN_LEN + 1];
	if (password_hash(pw, strlen(pw), hash) != 0)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = profile_password_set(db, u.id, hash);
	if (rc == DB_OK) /* every session, this one too: it gets a new token below */
		rc = session_delete_user(db, u.id);
	if (rc == DB_OK)
		rc = session_create(db, u.id, req->who.org_id, req->client,
		                    req_header(req, "User-Agent"), now, token);
	if (rc == DB_OK)
		rc = mailtoken_revoke_user(db, "reset", u.id, now);
	if (rc == DB_OK) /* the right password: the failure count starts again */
		rc = signin_succeeded(db, req->who.email);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "auth.password.change", "user", req->who.email,
		                    "success", NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	crypto_wipe(hash, sizeof hash);
	if (rc != DB_OK) {
		db_rollback(db);
		crypto_wipe(token, sizeof token);
		log_msg(LOG_ERROR, "changing a password failed: %s", db_errmsg(db));
		return -1;
	}
	rc = accounts_session_cookie(req, token);
	crypto_wipe(token, sizeof token);
	if (rc != 0)
		return -1;
	return http_redirect(req, 303, "/account/password?done=1");
}
