/* auth/csrf.h — CSRF tokens (DESIGN.md §4, §6). Before sign-in the token is
 * stateless: an HMAC under the deployment secret of a random nonce that the
 * browser holds in the __Host-csec_pre cookie, so showing the sign-in form
 * writes nothing to the store. Once signed in, the token is a MAC (keyed
 * BLAKE2b, cheaper than an HMAC on every page) of the session's token hash
 * under a key of its own, so it changes with every new session. Tokens are
 * base64url. */
#ifndef CSEC_AUTH_CSRF_H
#define CSEC_AUTH_CSRF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/crypto.h"

#define CSRF_PRE_COOKIE "__Host-csec_pre"
#define CSRF_NONCE_LEN 22 /* base64url of 16 bytes */
#define CSRF_TOKEN_LEN 43 /* base64url of 32 bytes */

/* Derives the tokens' keys from the deployment secret. */
void csrf_set_key(const uint8_t key[CRYPTO_KEY_BYTES]);

/* A fresh random nonce for the pre-session cookie (CSRF_NONCE_LEN + 1). */
void csrf_new_nonce(char *out);

/* The token for a nonce or for a session's token hash (CSRF_TOKEN_LEN + 1). */
void csrf_pre_token(const char *nonce, char *out);
void csrf_session_token(const char *token_hash, char *out);

/* Constant-time comparison of a submitted token with the expected one. */
bool csrf_equal(const char *submitted, const char *expected);

#endif
