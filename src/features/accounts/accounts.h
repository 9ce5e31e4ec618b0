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
