/* features/accounts/mfa.c — setting up two-step sign-in (TOTP) from the
 * account: a QR code and the secret in text, confirmation with a first code,
 * the ten recovery codes shown once, and turning it off again with the
 * password. Every change is audited in its own transaction. */
#include "features/accounts/accounts.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <string.h>
#include <time.h>

extern uint8_t accounts_key[CRYPTO_KEY_BYTES];

#define MAX_PASSWORD_BYTES 1024

static int audit_mfa(struct db *db, const struct req *req, const char *action)
{
	struct audit_event e = {.actor_user_id = req->who.user_id,
	                        .actor = req->who.email,
	                        .org_id = req->who.org_id,
	                        .action = action,
	                        .target_type = "user",
	                        .target_id = req->who.email,
	                        .outcome = "success",
	                        .source = req->client};
	return audit_append(db, accounts_key, &e);
}

/* The enrolment view: a pending secret (kept across reloads, so the QR code
 * does not change under the person's phone), its QR code and its text. */
static int render_enrol(struct req *req, struct db *db, int status, const char *error_key)
{
	char secret[TOTP_SECRET_LEN + 1];
	int rc = totp_pending_secret(db, accounts_key, req->who.user_id, secret, sizeof secret);
	if (rc == TOTP_ENOTENROLLED) {
		rc = totp_new_secret(secret, sizeof secret);
		if (rc == DB_OK)
			rc = totp_enrol_begin(db, accounts_key, req->who.user_id, secret);
	}
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "MFA enrolment could not start (%d)", rc);
		return -1;
	}
	struct buf uri, svg;
	buf_init(&uri, req->arena, 2048);
	buf_init(&svg, req->arena, 64 * 1024);
	const char *issuer = page_msg("site.default_name");
	rc = totp_uri(issuer, req->who.email, secret, &uri);
	if (rc == 0)
		rc = totp_qr_svg(buf_cstr(&uri), page_msg("mfa.qr.label"), &svg);
	/* The secret is shown in groups of four, as authenticator apps ask. */
	char grouped[TOTP_SECRET_LEN + TOTP_SECRET_LEN / 4 + 1];
	size_t g = 0;
	for (size_t i = 0; secret[i]; i++) {
		if (i && i % 4 == 0)
			grouped[g++] = ' ';
		grouped[g++] = secret[i];
	}
	grouped[g] = '\0';
	crypto_wipe(secret, sizeof secret);
	if (rc != 0)
		return -1;
	json_t *data = json_pack("{s:s, s:s, s:s?, s:b}", "state", "enrol", "secret", grouped,
	                         "error", error_key ? page_msg(error_key) : NULL, "has_qr", 1);
	if (data)
		json_object_set_new(data, "qr", json_string(buf_cstr(&svg)));
	crypto_wipe(grouped, sizeof grouped);
	return page_render(req, status, "mfa", "page.mfa.title", data);
}

static int render_enabled(struct req *req, int status, const char *error_key)
{
	json_t *data = json_pack("{s:s, s:s?}", "state", "enabled", "error",
	                         error_key ? page_msg(error_key) : NULL);
	return page_render(req, status, "mfa", "page.mfa.title", data);
}

int accounts_mfa_page(struct req *req)
{
	struct db *db = db_pool_get();
	bool enabled = false;
	if (!db || totp_enabled(db, req->who.user_id, &enabled) != DB_OK)
		return -1;
	return enabled ? render_enabled(req, 200, NULL) : render_enrol(req, db, 200, NULL);
}

int accounts_mfa_confirm(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT];
	char token[SESSION_TOKEN_LEN + 1];
	int64_t now = (int64_t)time(NULL);
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = totp_enrol_confirm(db, accounts_key, req->who.user_id, req_form(req, "code"),
		                        now, codes);
	if (rc == TOTP_EFORMAT || rc == TOTP_EINVALID || rc == TOTP_EREUSED) {
		db_rollback(db);
		return render_enrol(req, db, 422, "mfa.code.wrong");
	}
	if (rc == TOTP_EENABLED) {
		db_rollback(db);
		return render_enabled(req, 409, NULL);
	}
	/* Enrolment lifts the enrolment gate: a privilege change, so a new
	 * session token. */
	if (rc == DB_OK)
		rc = accounts_rotate_session(db, req, now, token);
	if (rc == DB_OK)
		rc = audit_mfa(db, req, "mfa.enable");
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		crypto_wipe(codes, sizeof codes);
		return -1;
	}
	req->who.must_enrol = false;
	rc = accounts_session_cookie(req, token);
	crypto_wipe(token, sizeof token);
	if (rc != 0) {
		crypto_wipe(codes, sizeof codes);
		return -1;
	}
	json_t *list = json_array();
	for (int i = 0; list && i < TOTP_RECOVERY_COUNT; i++)
		json_array_append_new(list, json_string(codes[i]));
	crypto_wipe(codes, sizeof codes);
	json_t *data = json_pack("{s:s, s:o}", "state", "codes", "codes", list);
	return page_render(req, 200, "mfa", "page.mfa.title", data);
}

int accounts_mfa_disable(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	const char *pw = req_form(req, "password");
	size_t len = pw ? strlen(pw) : 0;
	struct account_user user;
	int rc = accounts_user_by_email(db, req->arena, req->who.email, &user);
	if (rc != DB_OK)
		return -1;
	if (len == 0 || len > MAX_PASSWORD_BYTES ||
	    password_verify(user.password_hash, pw, len) != 0)
		return render_enabled(req, 401, "mfa.password.wrong");
	char token[SESSION_TOKEN_LEN + 1];
	rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = totp_disable(db, req->who.user_id);
	if (rc == DB_OK)
		rc = accounts_rotate_session(db, req, (int64_t)time(NULL), token);
	if (rc == DB_OK)
		rc = audit_mfa(db, req, "mfa.disable");
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	rc = accounts_session_cookie(req, token);
	crypto_wipe(token, sizeof token);
	return rc != 0 ? -1 : http_redirect(req, 303, "/account/mfa");
}
