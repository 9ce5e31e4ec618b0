/* auth/mailtoken.h — single-use links sent by mail (migration 0007,
 * email_tokens): "verify" proves an email address, "reset" sets a new
 * password. The token is 256 random bits in base64url and goes out only in
 * the mail; the store keeps its SHA-256. Invitations have their own table
 * (they name an organization and a role). */
#ifndef CSEC_AUTH_MAILTOKEN_H
#define CSEC_AUTH_MAILTOKEN_H

#include "core/crypto.h"

#include <stdint.h>

struct db;

#define MAILTOKEN_LEN CRYPTO_TOKEN_LEN /* base64url of 32 bytes, unpadded */
#define MAILTOKEN_VERIFY_SECONDS (24 * 60 * 60)
#define MAILTOKEN_RESET_SECONDS (30 * 60)

/* Creates a token for purpose ("verify" or "reset") and user, good until
 * now + ttl, and writes it to token (MAILTOKEN_LEN + 1 bytes). Call inside
 * the write transaction that also queues the mail. 0 or a negative DB code. */
int mailtoken_create(struct db *db, const char *purpose, int64_t user_id, int64_t now, int64_t ttl,
                     char *token);

/* Looks a token up without using it (to show the form a link opens):
 * DB_OK with *user_id, or DB_DONE when it is malformed, unknown, of another
 * purpose, used or expired. */
int mailtoken_peek(struct db *db, const char *purpose, const char *token, int64_t now,
                   int64_t *user_id);

/* Uses a token up, inside the caller's write transaction: DB_OK with
 * *user_id when it was live (it is now spent), DB_DONE as for peek. */
int mailtoken_take(struct db *db, const char *purpose, const char *token, int64_t now,
                   int64_t *user_id);

/* Spends every live token of purpose for user (a password changed: older
 * reset links must stop working). */
int mailtoken_revoke_user(struct db *db, const char *purpose, int64_t user_id, int64_t now);

#endif
