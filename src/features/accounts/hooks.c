/* features/accounts/hooks.c — who is asking (the session cookie, or under
 * /api/v1/ a personal access token) and the CSRF tokens forms carry. */
#include "features/accounts/accounts.h"

#include "audit/audit.h"
#include "auth/csrf.h"
#include "auth/tokens.h"
#include "auth/totp.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
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

/* DESIGN.md §6: a personal access token counts only under /api/v1/. */
static bool api_v1(const struct req *req)
{
	return req->path && strncmp(req->path, "/api/v1/", 8) == 0;
}

/* The credential of an "Authorization: Bearer <token>" header; NULL when
 * there is no such header (another scheme is no bearer token either). */
static const char *bearer_token(const struct req *req)
{
	const char *h = req_header(req, "Authorization");
	if (!h || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return NULL;
	for (h += 6; *h == ' ' || *h == '\t'; h++)
		;
	return h;
}

/* A token that is malformed, unknown, expired, revoked or whose person may
 * no longer use it: RFC 6750's answer. The request goes no further (the
 * cookie, if any, is not tried instead). */
static int refuse_token(struct req *req)
{
	if (http_add_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"") != 0)
		return -1;
	return http_json_error(req, 401, "invalid_token", page_msg("api.token.invalid"));
}

/* Past the per-address limit on failed tokens: 429 until the window ends. */
static int refuse_address(struct req *req, int64_t now)
{
	const char *wait = arena_printf(req->arena, "%lld", (long long)(60 - now % 60));
	if (!wait || http_add_header(req, "Retry-After", wait) != 0)
		return -1;
	return http_error(req, 429, "api.token.rate_limited");
}

/* Counts a refused token against the client address and audits it
 * (api.token.failed: why, and the token's id when the store knows it;
 * never the token), then answers 401, or 429 when that failure went past
 * the limit. */
static int token_failed(struct req *req, struct db *db, const char *key, const char *token,
                        int64_t now)
{
	const char *reason = NULL;
	int64_t id = 0;
	bool allowed = false;
	int rc = apitoken_refusal_reason(db, token, now, &reason, &id);
	const char *target = id ? arena_printf(req->arena, "%lld", (long long)id) : NULL;
	const char *detail = arena_printf(req->arena, "{\"reason\":\"%s\"}", reason);
	if (rc == DB_OK && (!detail || (id && !target)))
		rc = DB_ENOMEM;
	if (rc == DB_OK)
		rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = rate_limit_hit(db, key, now, accounts_limits.token_failures_per_minute,
		                    &allowed);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "api.token.failed", "api_token", target, "failure",
		                    detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "recording a refused API token failed: %s", db_errmsg(db));
		return -1;
	}
	return allowed ? refuse_token(req) : refuse_address(req, now);
}

int accounts_authenticate(struct req *req)
{
	/* On /api/v1/ a bearer token is tried first; elsewhere the header is
	 * ignored, so a token can never open a page meant for a browser. */
	const char *bearer = api_v1(req) ? bearer_token(req) : NULL;
	const char *cookie = bearer ? NULL : req_cookie(req, SESSION_COOKIE);
	if (!bearer && !cookie)
		return 0;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int64_t now = (int64_t)time(NULL);
	/* DESIGN.md §6: failed tokens count per client address, and past the
	 * limit even a good one is not looked at, so guessing learns nothing. */
	char key[80];
	int64_t failures = 0;
	snprintf(key, sizeof key, "apitoken:%s", req->client);
	if (bearer && rate_limit_count(db, key, now, &failures) != DB_OK) {
		log_msg(LOG_ERROR, "rate limit lookup failed: %s", db_errmsg(db));
		return -1;
	}
	if (bearer && failures >= accounts_limits.token_failures_per_minute)
		return refuse_address(req, now);
	int rc = bearer ? apitoken_authenticate(db, req->arena, bearer, now, &req->who)
	                : session_load(db, req->arena, cookie, now, &accounts_limits, &req->who,
	                               &req->site);
	if (rc == DB_DONE) {
		memset(&req->who, 0, sizeof req->who);
		return bearer ? token_failed(req, db, key, bearer, now) : 0;
	}
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "%s lookup failed: %s", bearer ? "API token" : "session",
		        db_errmsg(db));
		return -1;
	}
	if (!bearer)
		return 0; /* session_load has set must_enrol in its one query */
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
	if (crypto_token_well_formed(nonce, CSRF_NONCE_LEN))
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
	if (req->who.via_token) /* no forms, and no session to key a token */
		return NULL;
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
	if (req->who.via_token) /* http/dispatch.c never asks: tokens need none */
		return false;
	if (req->who.authenticated) {
		csrf_session_token(req->who.token_hash, expected);
	} else {
		const char *nonce = pre_nonce(req, false);
		if (!nonce)
			return false;
		csrf_pre_token(nonce, expected);
	}
	/* Forms send the field; programs using the session cookie (JSON under
	 * /api/v1/) send the header, which another site cannot set. */
	const char *given = req_form(req, "_csrf");
	if (!given)
		given = req_header(req, "X-CSRF-Token");
	return csrf_equal(given, expected);
}
