/* auth/session.h — sessions (DESIGN.md §6): 256-bit random tokens that only
 * the person's cookie holds; the store keeps their SHA-256. Idle timeout and
 * absolute lifetime are checked at every lookup; last_seen is written at
 * most once a minute. Also the sign-in counters behind lockout and the
 * per-address rate limit. */
#ifndef CSEC_AUTH_SESSION_H
#define CSEC_AUTH_SESSION_H

#include "core/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "db/settings.h"

struct arena;
struct db;

#define SESSION_TOKEN_LEN CRYPTO_TOKEN_LEN /* base64url of 32 bytes, unpadded */
#define SESSION_COOKIE "__Host-csec_session"

struct auth_limits {
	int64_t idle_seconds; /* default 1800; may only be lowered */
	int64_t lifetime_seconds; /* default 43200; may only be lowered */
	int64_t lockout_seconds; /* default 600 */
	int lockout_failures; /* default 5 */
	int signin_per_minute; /* per client address; default 20 */
	int token_failures_per_minute; /* failed API tokens per client address; default 20 */
};

void auth_limits_default(struct auth_limits *l);

/* SHA-256 of a token, lower-case hex (65 bytes with the NUL). */
void session_token_hash(const char *token, char out[65]);

/* What the store keeps of a User-Agent header, in bytes. */
#define SESSION_UA_MAX 199

/* Copies the User-Agent text in (NULL: none) into out (outlen bytes, at
 * least 1) as what the store keeps of it: well-formed UTF-8 only (a stray
 * byte is dropped), no control characters (C0, DEL, C1), cut before the
 * first character that would not fit whole, NUL-terminated. Returns the
 * length written. session_create keeps SESSION_UA_MAX bytes this way, so a
 * long header never splits a character (PostgreSQL refuses broken UTF-8)
 * and the sessions page never shows a control character. */
size_t session_clean_user_agent(const char *in, char *out, size_t outlen);

/* Creates a session for user in org (0: none) and writes its new token to
 * token (SESSION_TOKEN_LEN + 1 bytes). 0 or a negative DB code. */
int session_create(struct db *db, int64_t user_id, int64_t org_id, const char *client,
                   const char *user_agent, int64_t now, char *token);

/* Finds the live session for token and fills who (strings in a), with
 * must_enrol set when MFA is required and not set up (the rule of
 * mfa_required), and site with the settings every page shows, when site is
 * not NULL. One statement a request: the session row alone when this thread
 * keeps the principal and the row's auth_stamp says it is still right
 * (auth/session_cache.h), else the full lookup over the session, person,
 * organization, membership and MFA rule (two when a kept one is stale).
 * Returns 0 when found; DB_DONE when unknown, expired (it is then deleted) or its
 * user is no longer active; a negative DB code on failure. */
int session_load(struct db *db, struct arena *a, const char *token, int64_t now,
                 const struct auth_limits *l, struct principal *who, struct site_values *site);

/* Ends one session (by token hash), or every session of a user. */
int session_delete(struct db *db, const char *token_hash);
int session_delete_user(struct db *db, int64_t user_id);
/* Ends every session of user_id whose active organization is org_id (their
 * membership there was disabled or its role changed: the person signs in
 * again and gets a new token). Sessions in their other organizations stay. */
int session_delete_user_org(struct db *db, int64_t user_id, int64_t org_id);

/* Lockout. signin_locked_until returns (in *until) the time the email's lock
 * ends, or 0. signin_failed counts a failure and locks when the limit is
 * reached (*until then set). signin_succeeded clears the count. Emails are
 * counted whether or not an account exists. */
int signin_locked_until(struct db *db, const char *email, int64_t now, int64_t *until);
int signin_failed(struct db *db, const char *email, int64_t now, const struct auth_limits *l,
                  int64_t *until);
int signin_succeeded(struct db *db, const char *email);

/* Fixed one-minute window per key: counts this attempt and sets *allowed
 * when it is within limit. */
int rate_limit_hit(struct db *db, const char *key, int64_t now, int limit, bool *allowed);
/* The attempts counted for key in the current window (0 when none), without
 * counting one: for a limit that only failures count. Reads, never writes. */
int rate_limit_count(struct db *db, const char *key, int64_t now, int64_t *count);

#endif
