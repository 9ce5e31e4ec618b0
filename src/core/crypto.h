/* core/crypto.h — the project's only door to libsodium: random bytes,
 * hashes, MACs and constant-time comparison. Nothing else includes sodium.h. */
#ifndef CSEC_CORE_CRYPTO_H
#define CSEC_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_BYTES 32
#define CRYPTO_HMAC_BYTES 32
#define CRYPTO_KEY_BYTES 32

/* Initialises libsodium; 0, or -1 when the library cannot start. */
int crypto_init(void);

/* Fills p with n unpredictable bytes. */
void crypto_random(void *p, size_t n);

void crypto_sha256(uint8_t out[CRYPTO_SHA256_BYTES], const void *p, size_t n);

/* HMAC-SHA-256 of msg under key. */
void crypto_hmac(uint8_t out[CRYPTO_HMAC_BYTES], const uint8_t key[CRYPTO_KEY_BYTES],
                 const void *msg, size_t n);

/* Constant-time equality of two equal-length byte strings. */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Overwrites n bytes at p so the compiler cannot optimise it away. */
void crypto_wipe(void *p, size_t n);

/* Lower-case hex of n bytes into out (2n+1 bytes including the NUL). */
void crypto_hex(char *out, const void *p, size_t n);

/* Unpadded base64url of n bytes into out (at least crypto_b64_len(n) bytes). */
size_t crypto_b64_len(size_t n);
void crypto_b64url(char *out, size_t outlen, const void *p, size_t n);

/* Decodes 2n hex digits into n bytes; 0 or -1 on bad input. */
int crypto_unhex(void *out, size_t n, const char *hex, size_t hexlen);

#endif
