/* core/secret.h — the deployment secret: 32 random bytes kept hex-encoded in
 * a file of mode 0600 (default <data>/secret.key), shared by every node of a
 * deployment. It keys the sign-in form's CSRF token, the audit checkpoint and
 * the encryption of TOTP secrets, so losing it invalidates those. */
#ifndef CSEC_CORE_SECRET_H
#define CSEC_CORE_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"

/* Reads the secret from path, creating it (0600, random) when missing and
 * create is non-zero. Refuses a file that group or others may read, or whose
 * content is not 64 hex digits. Returns 0, or -1 with a message in err. */
int secret_load(const char *path, int create, uint8_t key[CRYPTO_KEY_BYTES], char *err,
                size_t errlen);

#endif
