/* auth/setup.h — first run: while no site admin exists, a one-time setup URL
 * (valid SETUP_TTL seconds, used once) lets the person who started the
 * portal create the first site admin and the first organization. */
#ifndef CSEC_AUTH_SETUP_H
#define CSEC_AUTH_SETUP_H

#include "core/crypto.h"

#include <stdint.h>

struct db;

#define SETUP_TTL 3600
#define SETUP_TOKEN_LEN CRYPTO_TOKEN_LEN

/* Stores a new token (hashed) and writes it to token (SETUP_TOKEN_LEN + 1). */
int setup_token_create(struct db *db, int64_t now, char *token);

/* DB_OK when token is unused and unexpired, DB_DONE when not. */
int setup_token_check(struct db *db, const char *token, int64_t now);

/* Marks the token used, once: DB_OK for the first caller, DB_DONE after. */
int setup_token_use(struct db *db, const char *token, int64_t now);

#endif
