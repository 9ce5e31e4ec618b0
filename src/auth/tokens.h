/* auth/tokens.h — personal access tokens for the JSON API (DESIGN.md §6;
 * migration 0007, api_tokens). A token is "csec_pat_" + 256 random bits in
 * base64url; it is shown once, when made, and the store keeps only its
 * SHA-256 (hex). A token belongs to one person and carries their own
 * permissions; its scope is "read" (GET and HEAD only) or "write". It
 * expires (90 days unless said otherwise, at most 365), it is never issued
 * to a site admin, to anyone who is not active, or to someone who must set
 * up two-step sign-in and has not, and it stops working when revoked or
 * when its user is disabled. Tokens are accepted only under /api/v1/
 * (features/accounts/hooks.c decides that, not this module). */
#ifndef CSEC_AUTH_TOKENS_H
#define CSEC_AUTH_TOKENS_H

#include "core/crypto.h"

#include <stdbool.h>
#include <stdint.h>

#include "auth/principal.h"

struct arena;
struct db;
struct json_t;

#define APITOKEN_PREFIX "csec_pat_"
#define APITOKEN_PREFIX_LEN 9
#define APITOKEN_LEN (APITOKEN_PREFIX_LEN + CRYPTO_TOKEN_LEN) /* prefix + base64url of 32 bytes */
#define APITOKEN_DEFAULT_DAYS 90
#define APITOKEN_MAX_DAYS 365
#define APITOKEN_NAME_MAX 100 /* characters */
#define APITOKEN_MAX_LIVE 50 /* unrevoked, unexpired tokens per person */
#define APITOKEN_LIST_MAX 200 /* rows apitoken_list returns, newest first */
#define APITOKEN_TOUCH_SECONDS 60 /* last_used_at is written at most this often */

/* Why a token may not be issued (apitoken_create's *why). */
enum apitoken_refusal {
	APITOKEN_ALLOWED = 0,
	APITOKEN_NO_USER, /* no such person */
	APITOKEN_INACTIVE, /* invited, pending, locked or disabled */
	APITOKEN_SITE_ADMIN, /* DESIGN.md §6: never for a site admin */
	APITOKEN_NEEDS_MFA, /* must set up two-step sign-in first */
	APITOKEN_TOO_MANY, /* APITOKEN_MAX_LIVE live tokens already */
};

/* Validation of what a person or a command gives. Each returns NULL when
 * the value is acceptable, else the message-catalogue key that explains
 * the problem. A name is 1 to APITOKEN_NAME_MAX characters of UTF-8 text
 * without control characters (blank is "missing"); a scope is "read" or
 * "write"; days is a whole number from 1 to APITOKEN_MAX_DAYS, and a NULL
 * or empty text means APITOKEN_DEFAULT_DAYS (written to *days). */
const char *apitoken_check_name(const char *name);
const char *apitoken_check_scope(const char *scope);
const char *apitoken_check_days(const char *text, int64_t *days);

/* The catalogue key that explains a refusal ("api.token.refused.site_admin"). */
const char *apitoken_refusal_key(enum apitoken_refusal why);

/* true when token has the form of a personal access token (prefix, length,
 * alphabet); says nothing about whether it is live. */
bool apitoken_well_formed(const char *token);

/* Issues a token to user_id, good for days (checked by apitoken_check_days)
 * from now, and writes it to token (APITOKEN_LEN + 1 bytes) and its row id
 * to *id. Call inside a write transaction (with the audit record). Returns
 * DB_OK; DB_DONE with *why set when the person may not have a token (token
 * is then empty); or a negative DB code. */
int apitoken_create(struct db *db, int64_t user_id, const char *name, const char *scope,
                    int64_t days, int64_t now, char *token, int64_t *id,
                    enum apitoken_refusal *why);

/* The person's tokens, newest first (at most APITOKEN_LIST_MAX): a JSON
 * array (a new reference in *out) of {"id", "name", "scope", "created_at",
 * "expires_at", "last_used_at" (null when never), "revoked_at" (null), and
 * "status": "active", "expired" or "revoked" at now}. Never the hash. */
int apitoken_list(struct db *db, int64_t user_id, int64_t now, struct json_t **out);

/* Revokes token id if it belongs to user_id (already revoked: stays as it
 * was). DB_OK with *name (arena a) set; DB_DONE when the person has no such
 * token (another person's id answers exactly like one that does not exist). */
int apitoken_revoke(struct db *db, struct arena *a, int64_t user_id, int64_t id, int64_t now,
                    const char **name);

/* Revokes every live token of a person (disabling them, DESIGN.md §6).
 * *count gets how many (may be NULL). */
int apitoken_revoke_user(struct db *db, int64_t user_id, int64_t now, int *count);

/* Looks a presented token up: DB_OK when it is well formed, known,
 * unrevoked, unexpired, and its person is active and not a site admin; who
 * is then filled (strings in a) with that person, their first active
 * membership as active organization, via_token, token_write and
 * session_id = 0 (must_enrol is left to the caller). DB_DONE otherwise
 * (who untouched). Writes last_used_at at most once a minute. */
int apitoken_authenticate(struct db *db, struct arena *a, const char *token, int64_t now,
                          struct principal *who);

/* Why apitoken_authenticate refused token, for the audit record of the
 * failure: *reason is "malformed", "unknown", "revoked", "expired" or
 * "inactive" (its person is not active, or is a site admin now), and *id
 * the token's row id when the store knows it (else 0). Neither reveals
 * anything of the token itself. */
int apitoken_refusal_reason(struct db *db, const char *token, int64_t now, const char **reason,
                            int64_t *id);

#endif
