/* features/accounts/accounts.h — signing in and out, the signed-in person's
 * account page, and the hooks that tell the HTTP layer who is asking and
 * whether a form's CSRF token is good. */
#ifndef CSEC_FEATURES_ACCOUNTS_H
#define CSEC_FEATURES_ACCOUNTS_H

#include <stdint.h>

#include "auth/session.h"
#include "core/crypto.h"
#include "http/http.h"

/* Keeps the deployment secret (CSRF and audit keys) and the limits. */
void accounts_init(const uint8_t key[CRYPTO_KEY_BYTES], const struct auth_limits *limits);

/* For other features: the deployment's key for audit records, the limits
 * in force, one audit record for this request (the signed-in person, or
 * "anonymous", as actor; the active organization; the client address)
 * appended inside the caller's open write transaction, and the Set-Cookie
 * header for a session token that session_create just made. */
const uint8_t *accounts_audit_key(void);
const struct auth_limits *accounts_auth_limits(void);
struct db;
int accounts_audit(struct db *db, const struct req *req, const char *action,
                   const char *target_type, const char *target_id, const char *outcome,
                   const char *detail_json);
int accounts_session_cookie(struct req *req, const char *token);
/* A privilege change (DESIGN.md §6): replaces the request's session by a new
 * one for the same person and organization, inside the caller's write
 * transaction; token (SESSION_TOKEN_LEN + 1 bytes) receives the new token
 * for accounts_session_cookie after the commit, and req->who now carries
 * the new session (so the page's CSRF tokens match the new cookie). */
int accounts_rotate_session(struct db *db, struct req *req, int64_t now, char *token);

/* http_config hooks. */
int accounts_authenticate(struct req *req);
bool accounts_csrf_valid(struct req *req);
const char *accounts_csrf_token(struct req *req);

int accounts_login_form(struct req *req);
int accounts_login_submit(struct req *req); /* a slow route: it hashes */
int accounts_login_code_form(struct req *req); /* the second step, with MFA on */
int accounts_login_code_submit(struct req *req);
int accounts_mfa_page(struct req *req); /* set up or turn off MFA */
int accounts_mfa_confirm(struct req *req);
int accounts_mfa_disable(struct req *req); /* a slow route: checks the password */
int accounts_logout(struct req *req);
int accounts_account(struct req *req);
int accounts_switch_org(struct req *req); /* the active organization */
int accounts_setup_form(struct req *req);
int accounts_setup_submit(struct req *req); /* a slow route: it hashes */

#endif
