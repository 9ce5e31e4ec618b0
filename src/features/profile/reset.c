/* features/profile/reset.c — forgotten passwords. /password/forgot asks for
 * an email address and always gives the same answer (a 303 to the same
 * page), so it never tells whether an account exists; for an active account
 * it queues a mail with a single-use link, /password/reset/{token}, valid
 * MAILTOKEN_RESET_SECONDS (30 minutes). Only the newest link of a person
 * works, and at most PROFILE_RESET_MAILS go out to one person in
 * PROFILE_RESET_WINDOW, so the form cannot flood a mailbox. Using the link
 * sets the password, spends the link, ends every session of the account and
 * clears its sign-in lockout; the person then signs in again, through their
 * second step when they have one (a mailbox alone never skips MFA). */
#include "features/profile/profile.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/mailtoken.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/profile/internal.h"
#include "features/profile/model.h"
#include "jobs/mail.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ forgot */

static int render_forgot(struct req *req, int status, const char *email, const char *error_key)
{
	json_t *errors = json_object();
	profile_field_error(errors, "email", error_key);
	json_t *data =
	        json_pack("{s:{s:s}, s:o, s:b, s:b}", "values", "email", email ? email : "",
	                  "errors", errors, "has_errors", error_key != NULL, "needs_csrf", 1);
	return page_render(req, status, "profile/forgot", "page.profile.forgot.title", data);
}

int profile_forgot_page(struct req *req)
{
	const char *sent = req_query(req, "sent");
	if (sent && strcmp(sent, "1") == 0) {
		json_t *data = json_pack("{s:b}", "sent", 1);
		return page_render(req, 200, "profile/forgot", "page.profile.forgot.title", data);
	}
	return render_forgot(req, 200, NULL, NULL);
}

/* Queues the reset mail for user inside the open write transaction: spends
 * the person's older links, makes a new one, renders and queues the mail. */
static int queue_reset_mail(struct req *req, struct db *db, const struct account_user *user,
                            int64_t now)
{
	char token[MAILTOKEN_LEN + 1];
	const char *subject = NULL, *body = NULL;
	int rc = mailtoken_revoke_user(db, "reset", user->id, now);
	if (rc == DB_OK)
		rc = mailtoken_create(db, "reset", user->id, now, MAILTOKEN_RESET_SECONDS, token);
	if (rc != DB_OK)
		return rc;
	const char *link =
	        arena_printf(req->arena, "%s/password/reset/%s", req->cfg->public_url, token);
	crypto_wipe(token, sizeof token);
	json_t *data =
	        json_pack("{s:s, s:s, s:s?, s:I}", "name", user->name, "email", user->email, "link",
	                  link, "minutes", (json_int_t)(MAILTOKEN_RESET_SECONDS / 60));
	if (!link || !data) {
		json_decref(data);
		return DB_ENOMEM;
	}
	if (page_render_mail(req->arena, "mail/reset", data, &subject, &body) != 0)
		return DB_ERR;
	rc = mail_enqueue(db, user->email, subject, body, now, NULL);
	if (rc != 0) {
		log_msg(LOG_ERROR, "queueing a reset mail failed: %s", mail_strerror(rc));
		return rc < 0 && rc >= DB_EINVAL ? rc : DB_ERR;
	}
	return DB_OK;
}

int profile_forgot_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL);
	const char *raw_email = req_form(req, "email");
	struct db *db = db_pool_get();
	if (!db)
		return -1;

	/* Per client address, like sign-in: before anything else. */
	char key[80];
	bool allowed = false;
	snprintf(key, sizeof key, "forgot:%s", req->client);
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = rate_limit_hit(db, key, now, accounts_auth_limits()->signin_per_minute,
		                    &allowed);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	if (!allowed) {
		http_add_header(req, "Retry-After", "60");
		return http_error(req, 429, "profile.forgot.rate_limited");
	}

	char email[256];
	const char *bad = accounts_check_email(raw_email, email, sizeof email);
	if (bad)
		return render_forgot(req, 422, raw_email, bad);

	struct account_user user = {0};
	int recent = 0;
	rc = accounts_user_by_email(db, req->arena, email, &user);
	if (rc != DB_OK && rc != DB_DONE)
		return -1;
	bool known = rc == DB_OK && strcmp(user.status, "active") == 0;
	bool queued = false;
	if ((rc = db_begin_write(db)) != DB_OK)
		return -1;
	if (known)
		rc = profile_reset_mails_since(db, user.id, now - PROFILE_RESET_WINDOW + 1,
		                               &recent);
	if (rc == DB_OK && known && recent < PROFILE_RESET_MAILS) {
		rc = queue_reset_mail(req, db, &user, now);
		queued = rc == DB_OK;
		if (rc == DB_OK)
			rc = accounts_audit(db, req, "auth.password.reset_request", "user", email,
			                    "success", NULL);
	} else if (rc == DB_OK) {
		rc = accounts_audit(db, req, "auth.password.reset_request", "user", email,
		                    known ? "denied" : "failure",
		                    known ? "{\"reason\":\"too_many\"}"
		                          : "{\"reason\":\"unknown\"}");
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "a password reset request failed: %s", db_errmsg(db));
		return -1;
	}
	if (queued)
		mail_kick();
	/* The same answer whatever happened above. */
	return http_redirect(req, 303, "/password/forgot?sent=1");
}

/* ------------------------------------------------------------------ reset */

static int render_gone(struct req *req)
{
	return page_render(req, 410, "profile/reset_gone", "page.profile.reset_gone.title", NULL);
}

static int render_reset(struct req *req, int status, json_t *errors)
{
	json_t *data = json_pack("{s:o, s:b, s:s, s:b}", "errors", errors ? errors : json_object(),
	                         "has_errors", errors && json_object_size(errors) > 0, "action",
	                         req->path, "needs_csrf", 1);
	return page_render(req, status, "profile/reset", "page.profile.reset.title", data);
}

/* The user a live link belongs to, when that user is still active: DB_OK
 * with *user_id and *email, or DB_DONE. */
static int live_link(struct req *req, struct db *db, int64_t now, int64_t *user_id,
                     const char **email)
{
	int rc = mailtoken_peek(db, "reset", req_param(req, "token"), now, user_id);
	if (rc == DB_OK)
		rc = accounts_user_email(db, req->arena, *user_id, email);
	return rc;
}

int profile_reset_page(struct req *req)
{
	struct db *db = db_pool_get();
	int64_t user_id;
	const char *email;
	if (!db)
		return -1;
	int rc = live_link(req, db, (int64_t)time(NULL), &user_id, &email);
	if (rc == DB_DONE)
		return render_gone(req);
	if (rc != DB_OK)
		return -1;
	return render_reset(req, 200, NULL);
}

int profile_reset_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL), user_id = 0, taken_id = 0;
	const char *pw = req_form(req, "new_password"),
	           *confirm = req_form(req, "confirm_password");
	const char *email = NULL;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	/* A dead link costs no hashing. */
	int rc = live_link(req, db, now, &user_id, &email);
	if (rc == DB_DONE)
		return render_gone(req);
	if (rc != DB_OK)
		return -1;
	json_t *errors = json_object();
	if (!errors)
		return -1;
	profile_check_new_password(errors, pw, confirm);
	if (json_object_size(errors) > 0)
		return render_reset(req, 422, errors);
	json_decref(errors);

	char hash[PASSWORD_HASH_BYTES];
	if (password_hash(pw, strlen(pw), hash) != 0)
		return -1;
	rc = db_begin_write(db);
	/* Spent in the same transaction that uses it: of two uses at once, one
	 * wins and the other finds it gone. */
	if (rc == DB_OK)
		rc = mailtoken_take(db, "reset", req_param(req, "token"), now, &taken_id);
	if (rc == DB_OK && taken_id != user_id)
		rc = DB_DONE;
	if (rc == DB_OK)
		rc = accounts_user_email(db, req->arena, user_id, &email);
	if (rc == DB_DONE) {
		db_rollback(db);
		crypto_wipe(hash, sizeof hash);
		return render_gone(req);
	}
	if (rc == DB_OK)
		rc = profile_password_set(db, user_id, hash);
	if (rc == DB_OK)
		rc = mailtoken_revoke_user(db, "reset", user_id, now);
	if (rc == DB_OK)
		rc = session_delete_user(db, user_id);
	if (rc == DB_OK)
		rc = signin_succeeded(db, email);
	if (rc == DB_OK) {
		/* The link proves the mailbox, so the record names its owner as
		 * the actor, though no one is signed in. */
		struct audit_event e = {.actor_user_id = user_id,
		                        .actor = email,
		                        .action = "auth.password.reset",
		                        .target_type = "user",
		                        .target_id = email,
		                        .outcome = "success",
		                        .source = req->client};
		rc = audit_append(db, accounts_audit_key(), &e);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	crypto_wipe(hash, sizeof hash);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "resetting a password failed: %s", db_errmsg(db));
		return -1;
	}
	/* The browser's own session, if it was this person's, is gone too. */
	if (req->who.authenticated && req->who.user_id == user_id)
		http_add_header(req, "Set-Cookie",
		                SESSION_COOKIE
		                "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
	return http_redirect(req, 303, "/password/changed");
}

int profile_reset_done(struct req *req)
{
	return page_render(req, 200, "profile/reset_done", "page.profile.reset_done.title", NULL);
}
