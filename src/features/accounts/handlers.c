/* features/accounts/handlers.c — sign in, sign out, and the account page.
 * Sign-in follows DESIGN.md §6: the per-address rate limit first, then the
 * per-email lockout, then one argon2id verification — or the same cost spent
 * on a dummy hash when the email has no account, so neither the answer nor
 * its timing tells whether an account exists. Every outcome is audited in
 * the transaction that records it. */
#include "features/accounts/accounts.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/joining.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

extern struct auth_limits accounts_limits;
extern uint8_t accounts_key[CRYPTO_KEY_BYTES];

#define MAX_PASSWORD_BYTES 1024
#define MFA_COOKIE "__Host-csec_mfa"

/* Appends one audit record for this request inside the open transaction. */
static int audit(struct db *db, const struct req *req, int64_t user_id, const char *actor,
                 const char *action, const char *outcome, const char *detail)
{
	struct audit_event e = {
	        .actor_user_id = user_id,
	        .actor = actor,
	        .org_id = req->who.org_id,
	        .action = action,
	        .target_type = user_id ? "user" : NULL,
	        .target_id = NULL,
	        .outcome = outcome,
	        .source = req->client,
	        .detail_json = detail,
	};
	return audit_append(db, accounts_key, &e);
}

/* Where to go after signing in ("next", from the form or the query, e.g. an
 * invitation's link): only a path on this site, of the characters paths
 * here use, so it can neither leave the site ("//host", "/\\host", a
 * scheme) nor carry anything but a path; NULL otherwise (then /account). */
#define MAX_NEXT 256
static const char *next_of(struct req *req)
{
	const char *n = req_form(req, "next");
	if (!n)
		n = req_query(req, "next");
	if (!n || n[0] != '/' || n[1] == '/' || strnlen(n, MAX_NEXT + 1) > MAX_NEXT ||
	    strstr(n, "..") ||
	    strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_.~-") !=
	            strlen(n))
		return NULL;
	return n;
}

static int render_form(struct req *req, int status, const char *email, const char *error_key,
                       const char *error_arg)
{
	json_t *data = json_pack("{s:s, s:s?, s:s?, s:b, s:s?}", "email", email ? email : "",
	                         "error", error_key ? page_msg(error_key) : NULL, "error_arg",
	                         error_arg, "needs_csrf", 1, "next", next_of(req));
	return page_render(req, status, "login", "page.login.title", data);
}

int accounts_login_form(struct req *req)
{
	if (req->who.authenticated)
		return http_redirect(req, 303, next_of(req) ? next_of(req) : "/account");
	return render_form(req, 200, NULL, NULL, NULL);
}

/* "14:52 CST" for a lock's end, in the time zone of the organization that
 * lists the email's domain (so the zone says nothing about whether the
 * account exists), else in the deployment's (docs/configuration.md). */
static const char *clock_text(struct req *req, const char *email, int64_t t)
{
	const char *zone = NULL;
	struct db *db = db_pool_get();
	if (db && email && accounts_zone_for_email(db, req->arena, email, &zone) != DB_OK)
		zone = NULL;
	char text[64];
	if (tz_format(t, zone ? zone : "UTC", "HH:mm zzz", text, sizeof text) != 0)
		return "";
	return arena_strdup(req->arena, text);
}

static int render_code_form(struct req *req, int status, const char *error_key,
                            const char *error_arg)
{
	json_t *data = json_pack("{s:s?, s:s?, s:b, s:s?}", "error",
	                         error_key ? page_msg(error_key) : NULL, "error_arg", error_arg,
	                         "needs_csrf", 1, "next", next_of(req));
	return page_render(req, status, "login_code", "page.login_code.title", data);
}

/* Counts the failure and answers (on the password form, or on the code form
 * when code_step); db is in a write transaction. */
static int fail_signin(struct req *req, struct db *db, const char *email, int64_t user_id,
                       int64_t now, const char *why, bool code_step)
{
	int64_t until = 0;
	int rc = signin_failed(db, email, now, &accounts_limits, &until);
	char detail[96];
	snprintf(detail, sizeof detail, "{\"reason\":\"%s\"%s}", why,
	         until ? ",\"locked\":true" : "");
	if (rc == DB_OK)
		rc = audit(db, req, user_id, email, "auth.signin", "failure", detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "recording a failed sign-in: %s", db_errmsg(db));
		return -1;
	}
	if (code_step)
		return until
		        ? render_code_form(req, 429, "login.locked", clock_text(req, email, until))
		        : render_code_form(req, 401, "login.code.failed", NULL);
	if (until)
		return render_form(req, 429, email, "login.locked", clock_text(req, email, until));
	return render_form(req, 401, email, "login.failed", NULL);
}

/* The end of a successful sign-in (password, and code when MFA is on):
 * clears the failure count, opens a session in the first organization,
 * audits, commits, and sends the new session cookie. db is in a write
 * transaction, which this commits or rolls back. */
static int start_session(struct req *req, struct db *db, const char *email, int64_t user_id,
                         int64_t now, const char *how)
{
	int64_t org_id = 0;
	char token[SESSION_TOKEN_LEN + 1];
	int rc = signin_succeeded(db, email);
	if (rc == DB_OK) {
		rc = accounts_first_membership(db, user_id, &org_id);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	if (rc == DB_OK)
		rc = session_create(db, user_id, org_id, req->client, req_header(req, "User-Agent"),
		                    now, token);
	if (rc == DB_OK) {
		req->who.org_id = org_id;
		rc = audit(db, req, user_id, email, "auth.signin", "success", how);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "creating a session: %s", db_errmsg(db));
		return -1;
	}
	const char *cookie = arena_printf(
	        req->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax", SESSION_COOKIE, token);
	crypto_wipe(token, sizeof token);
	if (!cookie || http_add_header(req, "Set-Cookie", cookie) != 0)
		return -1;
	return http_redirect(req, 303, next_of(req) ? next_of(req) : "/account");
}

int accounts_login_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL);
	const char *raw_email = req_form(req, "email");
	const char *pw = req_form(req, "password");
	size_t pwlen = pw ? strlen(pw) : 0;
	char email[256];
	struct db *db = db_pool_get();
	if (!db)
		return -1;

	/* The per-address limit comes before anything costly. */
	char key[80];
	bool allowed = false;
	snprintf(key, sizeof key, "signin:%s", req->client);
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = rate_limit_hit(db, key, now, accounts_limits.signin_per_minute, &allowed);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	if (!allowed) {
		http_add_header(req, "Retry-After", "60");
		return http_error(req, 429, "login.rate_limited");
	}

	const char *bad = accounts_check_email(raw_email, email, sizeof email);
	if (bad || pwlen == 0 || pwlen > MAX_PASSWORD_BYTES)
		return render_form(req, 422, raw_email, bad ? bad : "login.password_missing", NULL);

	struct account_user user = {0};
	int64_t locked_until = 0;
	rc = signin_locked_until(db, email, now, &locked_until);
	if (rc == DB_OK)
		rc = accounts_user_by_email(db, req->arena, email, &user);
	if (rc != DB_OK && rc != DB_DONE)
		return -1;
	bool known = rc == DB_OK && strcmp(user.status, "active") == 0;
	/* The same cost on every path: a real verification or a dummy one. */
	bool ok = known ? password_verify(user.password_hash, pw, pwlen) == 0
	                : (password_burn(pw, pwlen), false);

	if ((rc = db_begin_write(db)) != DB_OK)
		return -1;
	if (locked_until) {
		rc = audit(db, req, known ? user.id : 0, email, "auth.signin", "denied",
		           "{\"reason\":\"locked\"}");
		if (rc == DB_OK)
			rc = db_commit(db);
		if (rc != DB_OK) {
			db_rollback(db);
			return -1;
		}
		return render_form(req, 429, email, "login.locked",
		                   clock_text(req, email, locked_until));
	}
	if (!ok)
		return fail_signin(req, db, email, known ? user.id : 0, now,
		                   known ? "password" : "unknown", false);

	/* With MFA on, the right password only opens the half-signed-in state:
	 * a challenge (5 minutes) in a cookie, and the code form. */
	bool mfa = false;
	rc = totp_enabled(db, user.id, &mfa);
	if (rc == DB_OK && !mfa)
		return start_session(req, db, email, user.id, now, "{\"factors\":\"password\"}");
	char challenge[MFA_CHALLENGE_TOKEN_LEN + 1];
	if (rc == DB_OK)
		rc = mfa_challenge_create(db, user.id, now, challenge);
	if (rc == DB_OK)
		rc = audit(db, req, user.id, email, "auth.signin.password", "success", NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	const char *cookie = arena_printf(
	        req->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=%d", MFA_COOKIE,
	        challenge, MFA_CHALLENGE_SECONDS);
	crypto_wipe(challenge, sizeof challenge);
	if (!cookie || http_add_header(req, "Set-Cookie", cookie) != 0)
		return -1;
	const char *next = next_of(req); /* path characters only: no encoding needed */
	return http_redirect(req, 303,
	                     next ? arena_printf(req->arena, "/login/code?next=%s", next)
	                          : "/login/code");
}

int accounts_login_code_form(struct req *req)
{
	struct db *db = db_pool_get();
	int64_t user_id;
	if (!db)
		return -1;
	if (mfa_challenge_take(db, req_cookie(req, MFA_COOKIE), (int64_t)time(NULL), &user_id) !=
	    DB_OK)
		return http_redirect(req, 303, "/login");
	return render_code_form(req, 200, NULL, NULL);
}

/* The second step: a TOTP code, or one of the recovery codes. Failures count
 * toward the same lockout as passwords. */
int accounts_login_code_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL), user_id = 0, until = 0;
	const char *challenge = req_cookie(req, MFA_COOKIE), *email = NULL;
	const char *code = req_form(req, "code");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = mfa_challenge_take(db, challenge, now, &user_id);
	if (rc == DB_DONE)
		return http_redirect(req, 303, "/login");
	if (rc == DB_OK)
		rc = accounts_user_email(db, req->arena, user_id, &email);
	if (rc == DB_DONE)
		return http_redirect(req, 303, "/login");
	if (rc == DB_OK)
		rc = signin_locked_until(db, email, now, &until);
	if (rc != DB_OK)
		return -1;
	if (until)
		return render_code_form(req, 429, "login.locked", clock_text(req, email, until));
	if (!code || !code[0])
		return render_code_form(req, 422, "login.code.missing", NULL);
	/* Six digits (spaces allowed) are a TOTP code; anything else is taken
	 * for a recovery code. */
	size_t digits = 0, others = 0;
	for (const char *p = code; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != ' ')
			others++;
	}
	bool recovery = others > 0 || digits != TOTP_DIGITS;
	if ((rc = db_begin_write(db)) != DB_OK)
		return -1;
	rc = recovery ? totp_use_recovery(db, accounts_key, user_id, code, now)
	              : totp_verify(db, accounts_key, user_id, code, now);
	if (rc == TOTP_EFORMAT || rc == TOTP_EINVALID || rc == TOTP_EREUSED)
		return fail_signin(req, db, email, user_id, now, recovery ? "recovery" : "code",
		                   true);
	if (rc == DB_OK)
		rc = mfa_challenge_delete(db, challenge);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "checking a sign-in code failed (%d)", rc);
		return -1;
	}
	http_add_header(req, "Set-Cookie",
	                MFA_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
	return start_session(req, db, email, user_id, now,
	                     recovery ? "{\"factors\":\"password+recovery\"}"
	                              : "{\"factors\":\"password+totp\"}");
}

int accounts_logout(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = session_delete(db, req->who.token_hash);
	if (rc == DB_OK)
		rc = audit(db, req, req->who.user_id, req->who.email, "auth.signout", "success",
		           NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	http_add_header(req, "Set-Cookie",
	                SESSION_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
	return http_redirect(req, 303, "/");
}

/* Switches the session's active organization (DESIGN.md §2): checked
 * against the memberships, audited either way, and a new session token,
 * since the privileges change with the organization. */
int accounts_switch_org(struct req *req)
{
	int64_t org_id = 0, now = (int64_t)time(NULL);
	const char *v = req_form(req, "org");
	if (!v || str_to_i64(str_from(v), 1, INT64_MAX, &org_id) != 0)
		return http_error(req, 400, "org.switch.invalid");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int member = accounts_is_member(db, req->who.user_id, org_id);
	if (member != DB_OK && member != DB_DONE)
		return -1;
	char detail[64], token[SESSION_TOKEN_LEN + 1];
	snprintf(detail, sizeof detail, "{\"to\":%lld}", (long long)org_id);
	int rc = db_begin_write(db);
	if (rc == DB_OK && member == DB_DONE) {
		rc = audit(db, req, req->who.user_id, req->who.email, "org.switch", "denied",
		           detail);
		if (rc == DB_OK)
			rc = db_commit(db);
		if (rc != DB_OK) {
			db_rollback(db);
			return -1;
		}
		return http_error(req, 403, "org.switch.denied");
	}
	if (rc == DB_OK)
		rc = session_delete(db, req->who.token_hash);
	if (rc == DB_OK)
		rc = session_create(db, req->who.user_id, org_id, req->client,
		                    req_header(req, "User-Agent"), now, token);
	if (rc == DB_OK) {
		req->who.org_id = org_id;
		rc = audit(db, req, req->who.user_id, req->who.email, "org.switch", "success",
		           detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	const char *cookie = arena_printf(
	        req->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax", SESSION_COOKIE, token);
	crypto_wipe(token, sizeof token);
	if (!cookie || http_add_header(req, "Set-Cookie", cookie) != 0)
		return -1;
	return http_redirect(req, 303, "/account");
}

int accounts_account(struct req *req)
{
	const struct principal *w = &req->who;
	bool needs_mfa = w->site_admin ||
	        (w->role && (strcmp(w->role, "org_admin") == 0 || strcmp(w->role, "leader") == 0));
	json_t *data =
	        json_pack("{s:{s:s, s:s, s:s?, s:s?, s:b}, s:b}", "account", "name", w->name,
	                  "email", w->email, "org", w->org_name, "role",
	                  w->role ? page_msg(arena_printf(req->arena, "role.%s", w->role)) : NULL,
	                  "site_admin", w->site_admin, "needs_mfa", needs_mfa);
	json_t *orgs = NULL;
	struct db *db = db_pool_get();
	if (!data || !db || accounts_memberships(db, w->user_id, &orgs) != DB_OK) {
		json_decref(data);
		return -1;
	}
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o)
	{
		json_object_set_new(
		        o, "current",
		        json_boolean(json_integer_value(json_object_get(o, "id")) == w->org_id));
		json_object_set_new(o, "role_name",
		                    json_string(page_msg(arena_printf(
		                            req->arena, "role.%s",
		                            json_string_value(json_object_get(o, "role"))))));
	}
	json_object_set_new(data, "switchable", json_boolean(json_array_size(orgs) > 1));
	json_object_set_new(data, "orgs", orgs);
	/* joining: the person's requests to join that wait for an org admin. */
	json_t *asked = NULL;
	if (joining_requests_of_user(db, w->user_id, &asked) != DB_OK) {
		json_decref(data);
		return -1;
	}
	json_object_set_new(data, "join_requests", asked);
	return page_render(req, 200, "account", "page.account.title", data);
}
