/* core/crypto.h — the project's only door to libsodium: random bytes,
 * hashes, MACs, constant-time comparison, password hashing, key derivation
 * and the sealing of small secrets at rest. Nothing else includes sodium.h. */
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

/* A key made ready for many HMAC-SHA-256s: its two padded blocks hashed
 * once, so each MAC under it hashes only the message (for a short message,
 * three SHA-256 blocks rather than five). The state libsodium keeps, held
 * opaquely here (crypto.c checks the size); wipe it with crypto_wipe. */
struct crypto_hmac_key {
	_Alignas(16) unsigned char state[208];
};

void crypto_hmac_key_init(struct crypto_hmac_key *k, const uint8_t key[CRYPTO_KEY_BYTES]);

/* The same MAC as crypto_hmac(out, key, msg, n), for k made from key. */
void crypto_hmac_with(uint8_t out[CRYPTO_HMAC_BYTES], const struct crypto_hmac_key *k,
                      const void *msg, size_t n);

/* BLAKE2b-256 of msg keyed with key: a MAC (and PRF) like HMAC-SHA-256, at a
 * fraction of its cost per request (libsodium runs a vectorised BLAKE2b
 * where the CPU has one; its SHA-256 is plain C). */
void crypto_keyed_hash(uint8_t out[CRYPTO_HMAC_BYTES], const uint8_t key[CRYPTO_KEY_BYTES],
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

/* Secret tokens (sessions, mail links, invitations, challenges, setup and
 * API tokens): 256 random bits in unpadded base64url, of which the store
 * keeps only the SHA-256. crypto_token_new writes CRYPTO_TOKEN_LEN + 1
 * bytes; crypto_token_hash writes the lower-case hex SHA-256 of a token
 * (CRYPTO_TOKEN_HASH_LEN + 1 bytes); crypto_token_well_formed is true when
 * t is exactly len base64url characters (check before looking one up). */
#define CRYPTO_TOKEN_LEN 43
#define CRYPTO_TOKEN_HASH_LEN 64
void crypto_token_new(char *out);
void crypto_token_hash(const char *token, char *out);
bool crypto_token_well_formed(const char *t, size_t len);

/* Decodes 2n hex digits into n bytes; 0 or -1 on bad input. */
int crypto_unhex(void *out, size_t n, const char *hex, size_t hexlen);

/* Decodes unpadded base64url (as crypto_b64url writes it) into at most
 * outcap bytes; *outlen gets the count. 0, or -1 on bad input (any byte
 * outside the alphabet, padding, non-zero trailing bits) or when outcap is
 * too small. */
int crypto_unb64url(void *out, size_t outcap, size_t *outlen, const char *in, size_t inlen);

/* Key derivation: a 32-byte key for one purpose from the deployment secret,
 * so no two uses of that secret ever share a key. label names the purpose
 * ("csec-totp-secret-v1"): 1 to CRYPTO_LABEL_MAX printable ASCII bytes.
 * Keyed BLAKE2b with a personalisation of our own (what libsodium's
 * crypto_kdf does), not HMAC-SHA-256: the tree already shows HMAC-SHA-256
 * outputs under the deployment secret (CSRF tokens, the audit checkpoint),
 * and with another primitive none of them, whatever its input, is also a
 * derived key.
 * 0, or -1 for a bad label (out is then zeroed). */
#define CRYPTO_LABEL_MAX 64
int crypto_derive_key(uint8_t out[CRYPTO_KEY_BYTES], const uint8_t master[CRYPTO_KEY_BYTES],
                      const char *label);

/* Sealing small secrets at rest (TOTP secrets): XChaCha20-Poly1305 (IETF
 * AEAD) under key, with a fresh random 24-byte nonce for every seal, so
 * the same plaintext never seals to the same text and random nonces never
 * collide in practice. context (NULL = none) is authenticated but not
 * stored: bind the sealed value to where it lives ("user_mfa:42"), so a
 * value copied to another row or purpose does not open there.
 *
 * Text form: "v1." + base64url(nonce || ciphertext || 16-byte tag),
 * unpadded; crypto_seal_text_len(n) is its size for n plaintext bytes,
 * with the NUL. Plaintexts are capped at CRYPTO_SEAL_MAX bytes. */
#define CRYPTO_SEAL_MAX 1024
#define CRYPTO_SEAL_NONCE_BYTES 24
#define CRYPTO_SEAL_TAG_BYTES 16
size_t crypto_seal_text_len(size_t n);

/* Seals n bytes at msg into out (outlen >= crypto_seal_text_len(n)) as a
 * NUL-terminated string. 0, or -1 when n > CRYPTO_SEAL_MAX, out is too
 * small or context is longer than CRYPTO_SEAL_MAX. */
int crypto_seal_text(char *out, size_t outlen, const uint8_t key[CRYPTO_KEY_BYTES], const void *msg,
                     size_t n, const char *context);

/* Opens textlen bytes of sealed text into out (outcap bytes; *outlen gets
 * the plaintext length). 0, or -1 when the text is malformed, was sealed
 * under another key or context, was changed in any way, or the plaintext
 * does not fit; out holds nothing usable then (it is wiped). */
int crypto_open_text(void *out, size_t outcap, size_t *outlen, const uint8_t key[CRYPTO_KEY_BYTES],
                     const char *text, size_t textlen, const char *context);

/* Password hashing: argon2id (RFC 9106) in libsodium's PHC string format,
 * "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", NUL-terminated. The names
 * are crypto_pw_* because crypto_pwhash_* is libsodium's own namespace
 * (crypto_pwhash_str would clash with its symbol).
 *
 * Parameters: m = 19 MiB, t = 2, p = 1 (libsodium fixes p at 1): OWASP's
 * recommended argon2id configuration and the minimum DESIGN.md §6 asks for.
 * One hash takes about 14 ms on the 2-core AMD EPYC development machine.
 * We first used m = 64 MiB, t = 3 (RFC 9106's memory-constrained setting,
 * 76 ms), but `make bench` showed its memory traffic stalling everything
 * else on a small server: under 10 sign-ins a second the p99 of a cheap page
 * went from 0.3 ms to 2-3.5 ms (8-12 x) even with the hashing in separate,
 * SCHED_IDLE processes, and m = 46 MiB, t = 1 (another OWASP setting) still
 * gave 4-8 x, while m = 19 MiB, t = 2 gave 1.25 x (the target is 2 x;
 * docs/benchmarks.md). Online guessing is bounded by the lockout and the
 * rate limit whatever the cost; the cost is there for a stolen store.
 * Peak hashing memory is 19 MiB per helper process (one per core). Changing
 * either value later is safe: old hashes still verify, and
 * crypto_pw_needs_rehash tells the sign-in path to store a new one. */
#define CRYPTO_PW_OPSLIMIT 2u
#define CRYPTO_PW_MEMLIMIT (19u * 1024u * 1024u) /* bytes */
#define CRYPTO_PW_STRBYTES 128 /* crypto_pwhash_STRBYTES, with the NUL */

/* Hashes len bytes at pw (any bytes; NULL allowed when len is 0) with a fresh
 * random salt into out as a NUL-terminated string. 0, or -1 when the 19 MiB
 * work area cannot be allocated. Takes tens of milliseconds: call it from
 * the slow-work pool, never from an engine thread. */
int crypto_pw_hash(char out[CRYPTO_PW_STRBYTES], const char *pw, size_t len);

/* 0 when pw matches the stored string, -1 when it does not, or when stored
 * is NULL, not NUL-terminated within CRYPTO_PW_STRBYTES, or not a hash
 * libsodium understands (a malformed string fails fast, without hashing).
 * Uses the parameters recorded in stored, so old hashes still verify. */
int crypto_pw_verify(const char *stored, const char *pw, size_t len);

/* true when stored was not made by crypto_pw_hash with today's parameters:
 * another algorithm (argon2i included), other m or t, or malformed. */
bool crypto_pw_needs_rehash(const char *stored);

#endif
