/* auth/password.h — the password rules of DESIGN.md §6 and the hashing the
 * sign-in and change-password paths use: argon2id through core/crypto, a
 * length rule counted in Unicode code points, no composition rules, and a
 * refusal of passwords on the common-password list built into the binary
 * (web/data/common-passwords.txt, from John the Ripper's password.lst).
 *
 * Passwords are pointer + length and never logged. Every function is safe to
 * call from any thread once password_init has returned. */
#ifndef CSEC_AUTH_PASSWORD_H
#define CSEC_AUTH_PASSWORD_H

#include <stddef.h>

#include "core/crypto.h"

#define PASSWORD_MIN_CHARS 8 /* code points */
#define PASSWORD_MAX_CHARS 128 /* code points; DESIGN.md asks for at least 64 */
#define PASSWORD_HASH_BYTES CRYPTO_PW_STRBYTES

/* What password_check_policy answers: 0, or the rule that refused. */
enum password_rule {
	PASSWORD_OK = 0,
	PASSWORD_TOO_SHORT = -1, /* fewer than PASSWORD_MIN_CHARS code points */
	PASSWORD_TOO_LONG = -2, /* more than PASSWORD_MAX_CHARS code points */
	PASSWORD_COMMON = -3, /* on the common-password list, in any letter case */
	PASSWORD_INVALID = -4, /* not UTF-8, or holds a NUL byte */
	PASSWORD_UNAVAILABLE = -5, /* the list could not be loaded: refused, to fail closed */
};

/* Loads the common-password list from the embedded file into a sorted index
 * and computes the dummy hash that password_burn verifies against (one hash:
 * tens of milliseconds). Call once at start-up, after crypto_init; later
 * calls return the first result at no cost. The other functions call it
 * themselves when it has not run, so forgetting it costs time on the first
 * request, not correctness. 0, -ENOENT when the list is not in the binary (a
 * build fault), -E2BIG when it is over 4 GiB, or -ENOMEM. */
int password_init(void);

/* Number of entries in the common-password index; runs password_init first
 * if it has not run (0 when the list could not be loaded). */
size_t password_common_count(void);

/* Checks a candidate new password against the rules, in this order: invalid
 * UTF-8 or a NUL byte, too short, too long, common. Cheap (no hashing).
 * Returns PASSWORD_OK or one of the negative enum password_rule values. */
int password_check_policy(const char *pw, size_t len);

/* The message-catalogue key for a password_check_policy result
 * ("password.too_short", ...); NULL for PASSWORD_OK or an unknown code. */
const char *password_policy_key(int code);

/* Hashes pw into out (NUL-terminated, for the database). Does not apply the
 * policy: callers setting a password call password_check_policy first. Slow:
 * run it on the slow-work pool. 0, or -ENOMEM. */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_BYTES]);

/* 0 when pw matches stored, -1 otherwise. A stored value that is not an
 * argon2id string (NULL, empty, a "disabled" marker, garbage) still costs a
 * full hash, so an account without a usable hash looks like any other. Slow:
 * run it on the slow-work pool. */
int password_verify(const char *stored, const char *pw, size_t len);

/* For a sign-in whose email matches no account: does the work of one
 * password_verify against a real hash and throws the answer away, so the
 * response time does not tell whether the account exists. */
void password_burn(const char *pw, size_t len);

#endif
