/* features/accounts/hooks.c — who is asking (the session cookie) and the
 * CSRF tokens forms carry. */
#include "features/accounts/accounts.h"

#include "audit/audit.h"
#include "auth/csrf.h"
#include "auth/totp.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"

#include <string.h>
#include <time.h>

/* Shared with handlers.c through accounts_init. */
struct auth_limits accounts_limits;
uint8_t accounts_key[CRYPTO_KEY_BYTES];

void accounts_init(const uint8_t key[CRYPTO_KEY_BYTES], const struct auth_limits *limits)
{
	memcpy(accounts_key, key, sizeof accounts_key);
	accounts_limits = *limits;
	csrf_set_key(key);
}

const uint8_t *accounts_audit_key(void)
{
	return accounts_key;
}

const struct auth_limits *accounts_auth_limits(void)
{
	return &accounts_limits;
}

int accounts_audit(struct db *db, const struct req *req, const char *action,
                   const char *target_type, const char *target_id, const char *outcome,
                   const char *detail_json)
{
	const struct principal *w = &req->who;
	struct audit_event e = {
	        .actor_user_id = w->authenticated ? w->user_id : 0,
	        .actor = w->authenticated ? w->email : "anonymous",
	        .org_id = w->org_id,
	        .action = action,
	        .target_type = target_type,
	        .target_id = target_id,
	        .outcome = outcome,
	        .source = req->client,
	        .detail_json = detail_json,
	};
	return audit_append(db, accounts_key, &e);
}

int accounts_session_cookie(struct req *req, const char *token)
{
	const char *cookie = arena_printf(
	        req->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax", SESSION_COOKIE, token);
	return cookie ? http_add_header(req, "Set-Cookie", cookie) : -1;
}

int accounts_rotate_session(struct db *db, struct req *req, int64_t now, char *token)
{
	int rc = session_delete(db, req->who.token_hash);
	if (rc == DB_OK)
		rc = session_create(db, req->who.user_id, req->who.org_id, req->client,
		                    req_header(req, "User-Agent"), now, token);
	if (rc == DB_OK)
		session_token_hash(token, req->who.token_hash);
	return rc;
}

int accounts_authenticate(struct req *req)
{
	const char *token = req_cookie(req, SESSION_COOKIE);
	if (!token)
		return 0;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = session_load(db, req->arena, token, (int64_t)time(NULL), &accounts_limits,
	                      &req->who);
	if (rc == DB_DONE) {
		memset(&req->who, 0, sizeof req->who);
		return 0;
	}
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "session lookup failed: %s", db_errmsg(db));
		return -1;
	}
	bool required = false, enabled = false;
	rc = mfa_required(db, req->who.user_id, &required);
	if (rc == DB_OK && required)
		rc = totp_enabled(db, req->who.user_id, &enabled);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "MFA lookup failed: %s", db_errmsg(db));
		return -1;
	}
	req->who.must_enrol = required && !enabled;
	return 0;
}

/* The pre-session nonce: the one the browser holds, or a new one that this
 * response hands it. */
static const char *pre_nonce(struct req *req, bool create)
{
	const char *nonce = req_cookie(req, CSRF_PRE_COOKIE);
	if (nonce && strlen(nonce) == CSRF_NONCE_LEN &&
	    strspn(nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	            CSRF_NONCE_LEN)
		return nonce;
	if (!create)
		return NULL;
	char *fresh = arena_alloc(req->arena, CSRF_NONCE_LEN + 1);
	if (!fresh)
		return NULL;
	csrf_new_nonce(fresh);
	char *cookie = arena_printf(
	        req->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=7200",
	        CSRF_PRE_COOKIE, fresh);
	if (!cookie || http_add_header(req, "Set-Cookie", cookie) != 0)
		return NULL;
	return fresh;
}

const char *accounts_csrf_token(struct req *req)
{
	char *out = arena_alloc(req->arena, CSRF_TOKEN_LEN + 1);
	if (!out)
		return NULL;
	if (req->who.authenticated) {
		csrf_session_token(req->who.token_hash, out);
		return out;
	}
	const char *nonce = pre_nonce(req, true);
	if (!nonce)
		return NULL;
	csrf_pre_token(nonce, out);
	return out;
}

bool accounts_csrf_valid(struct req *req)
{
	char expected[CSRF_TOKEN_LEN + 1];
	if (req->who.authenticated) {
		csrf_session_token(req->who.token_hash, expected);
	} else {
		const char *nonce = pre_nonce(req, false);
		if (!nonce)
			return false;
		csrf_pre_token(nonce, expected);
	}
	return csrf_equal(req_form(req, "_csrf"), expected);
}
