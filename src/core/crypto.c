/* core/crypto.c — see crypto.h. Thin wrappers, so the rest of the tree never
 * depends on libsodium's names and the choice of primitives lives here. */
#include "core/crypto.h"

#include <sodium.h>
#include <string.h>

_Static_assert(CRYPTO_PW_STRBYTES == crypto_pwhash_argon2id_STRBYTES,
               "CRYPTO_PW_STRBYTES must match libsodium's string size");
_Static_assert(CRYPTO_PW_OPSLIMIT >= 2 && CRYPTO_PW_MEMLIMIT >= 19u * 1024u * 1024u,
               "DESIGN.md section 6: argon2id with m >= 19 MiB and t >= 2");
_Static_assert(CRYPTO_PW_OPSLIMIT >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
                       CRYPTO_PW_MEMLIMIT >= crypto_pwhash_argon2id_MEMLIMIT_MIN,
               "below libsodium's argon2id minimum");

int crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void crypto_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

void crypto_sha256(uint8_t out[CRYPTO_SHA256_BYTES], const void *p, size_t n)
{
	crypto_hash_sha256(out, p, n);
}

void crypto_hmac(uint8_t out[CRYPTO_HMAC_BYTES], const uint8_t key[CRYPTO_KEY_BYTES],
                 const void *msg, size_t n)
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, CRYPTO_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, msg, n);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

_Static_assert(sizeof(crypto_auth_hmacsha256_state) <= sizeof(struct crypto_hmac_key),
               "struct crypto_hmac_key cannot hold libsodium's HMAC-SHA-256 state");

void crypto_hmac_key_init(struct crypto_hmac_key *k, const uint8_t key[CRYPTO_KEY_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, CRYPTO_KEY_BYTES);
	memcpy(k->state, &st, sizeof st);
	sodium_memzero(&st, sizeof st);
}

void crypto_hmac_with(uint8_t out[CRYPTO_HMAC_BYTES], const struct crypto_hmac_key *k,
                      const void *msg, size_t n)
{
	crypto_auth_hmacsha256_state st;
	memcpy(&st, k->state, sizeof st);
	crypto_auth_hmacsha256_update(&st, msg, n);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

void crypto_keyed_hash(uint8_t out[CRYPTO_HMAC_BYTES], const uint8_t key[CRYPTO_KEY_BYTES],
                       const void *msg, size_t n)
{
	(void)crypto_generichash_blake2b(out, CRYPTO_HMAC_BYTES, msg, n, key, CRYPTO_KEY_BYTES);
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void crypto_hex(char *out, const void *p, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, p, n);
}

size_t crypto_b64_len(size_t n)
{
	return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_b64url(char *out, size_t outlen, const void *p, size_t n)
{
	sodium_bin2base64(out, outlen, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int crypto_unhex(void *out, size_t n, const char *hex, size_t hexlen)
{
	size_t got = 0;
	if (hexlen != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, hex, hexlen, NULL, &got, NULL) != 0 || got != n)
		return -1;
	return 0;
}

int crypto_unb64url(void *out, size_t outcap, size_t *outlen, const char *in, size_t inlen)
{
	size_t got = 0;
	*outlen = 0;
	if (sodium_base642bin(out, outcap, in, inlen, NULL, &got, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	*outlen = got;
	return 0;
}

_Static_assert(CRYPTO_SEAL_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
               "CRYPTO_SEAL_NONCE_BYTES must match XChaCha20-Poly1305");
_Static_assert(CRYPTO_SEAL_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "CRYPTO_SEAL_TAG_BYTES must match XChaCha20-Poly1305");
_Static_assert(CRYPTO_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES &&
                       CRYPTO_KEY_BYTES >= crypto_generichash_blake2b_KEYBYTES_MIN,
               "CRYPTO_KEY_BYTES must suit the sealing and derivation primitives");

int crypto_derive_key(uint8_t out[CRYPTO_KEY_BYTES], const uint8_t master[CRYPTO_KEY_BYTES],
                      const char *label)
{
	/* 16 bytes, as BLAKE2b's personalisation must be. */
	static const unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] =
	        "csec-derive-v1";
	size_t n = label ? strnlen(label, CRYPTO_LABEL_MAX + 1) : 0;
	bool ok = n > 0 && n <= CRYPTO_LABEL_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = label[i] > ' ' && label[i] < 0x7f;
	if (!ok ||
	    crypto_generichash_blake2b_salt_personal(out, CRYPTO_KEY_BYTES,
	                                             (const unsigned char *)label, n, master,
	                                             CRYPTO_KEY_BYTES, NULL, personal) != 0) {
		sodium_memzero(out, CRYPTO_KEY_BYTES);
		return -1;
	}
	return 0;
}

/* The text form's version prefix: a later format (another cipher, a key
 * identifier for rotation) gets another prefix and old values still open. */
static const char seal_prefix[] = "v1.";
#define SEAL_PREFIX_LEN (sizeof seal_prefix - 1)
#define SEAL_BIN_MAX (CRYPTO_SEAL_NONCE_BYTES + CRYPTO_SEAL_MAX + CRYPTO_SEAL_TAG_BYTES)

size_t crypto_seal_text_len(size_t n)
{
	if (n > CRYPTO_SEAL_MAX)
		return 0;
	return SEAL_PREFIX_LEN +
	        crypto_b64_len(CRYPTO_SEAL_NONCE_BYTES + n + CRYPTO_SEAL_TAG_BYTES);
}

static size_t context_len(const char *context)
{
	return context ? strnlen(context, CRYPTO_SEAL_MAX + 1) : 0;
}

int crypto_seal_text(char *out, size_t outlen, const uint8_t key[CRYPTO_KEY_BYTES], const void *msg,
                     size_t n, const char *context)
{
	unsigned char bin[SEAL_BIN_MAX];
	unsigned long long clen = 0;
	size_t adlen = context_len(context);
	if (n > CRYPTO_SEAL_MAX || adlen > CRYPTO_SEAL_MAX || outlen < crypto_seal_text_len(n) ||
	    (n > 0 && !msg))
		return -1;
	randombytes_buf(bin, CRYPTO_SEAL_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(bin + CRYPTO_SEAL_NONCE_BYTES, &clen, msg, n,
	                                           (const unsigned char *)context, adlen, NULL, bin,
	                                           key);
	memcpy(out, seal_prefix, SEAL_PREFIX_LEN);
	sodium_bin2base64(out + SEAL_PREFIX_LEN, outlen - SEAL_PREFIX_LEN, bin,
	                  CRYPTO_SEAL_NONCE_BYTES + (size_t)clen,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof bin);
	return 0;
}

int crypto_open_text(void *out, size_t outcap, size_t *outlen, const uint8_t key[CRYPTO_KEY_BYTES],
                     const char *text, size_t textlen, const char *context)
{
	unsigned char bin[SEAL_BIN_MAX];
	size_t binlen = 0, adlen = context_len(context);
	unsigned long long mlen = 0;
	*outlen = 0;
	if (!text || textlen < SEAL_PREFIX_LEN || adlen > CRYPTO_SEAL_MAX ||
	    memcmp(text, seal_prefix, SEAL_PREFIX_LEN) != 0)
		return -1;
	if (crypto_unb64url(bin, sizeof bin, &binlen, text + SEAL_PREFIX_LEN,
	                    textlen - SEAL_PREFIX_LEN) != 0 ||
	    binlen < CRYPTO_SEAL_NONCE_BYTES + CRYPTO_SEAL_TAG_BYTES ||
	    binlen - CRYPTO_SEAL_NONCE_BYTES - CRYPTO_SEAL_TAG_BYTES > outcap)
		return -1;
	int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
	        out, &mlen, NULL, bin + CRYPTO_SEAL_NONCE_BYTES, binlen - CRYPTO_SEAL_NONCE_BYTES,
	        (const unsigned char *)context, adlen, bin, key);
	sodium_memzero(bin, sizeof bin);
	if (rc != 0) {
		sodium_memzero(out, outcap);
		return -1;
	}
	*outlen = (size_t)mlen;
	return 0;
}

/* A stored string is only handed to libsodium when it ends within the size
 * libsodium assumes; the database may hold anything. */
static bool pw_string_ok(const char *stored)
{
	return stored && strnlen(stored, CRYPTO_PW_STRBYTES) < CRYPTO_PW_STRBYTES;
}

int crypto_pw_hash(char out[CRYPTO_PW_STRBYTES], const char *pw, size_t len)
{
	if (!pw)
		pw = "";
	if (len > crypto_pwhash_argon2id_PASSWD_MAX)
		return -1;
	if (crypto_pwhash_str_alg(out, pw, len, CRYPTO_PW_OPSLIMIT, CRYPTO_PW_MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

int crypto_pw_verify(const char *stored, const char *pw, size_t len)
{
	if (!pw)
		pw = "";
	if (!pw_string_ok(stored) || len > crypto_pwhash_argon2id_PASSWD_MAX)
		return -1;
	return crypto_pwhash_str_verify(stored, pw, len) == 0 ? 0 : -1;
}

bool crypto_pw_needs_rehash(const char *stored)
{
	/* The argon2id-specific call: the generic one would judge an argon2i
	 * string by the same m and t and call it current. It answers -1 for
	 * any other algorithm or a malformed string. */
	if (!pw_string_ok(stored))
		return true;
	return crypto_pwhash_argon2id_str_needs_rehash(stored, CRYPTO_PW_OPSLIMIT,
	                                               CRYPTO_PW_MEMLIMIT) != 0;
}

void crypto_token_new(char *out)
{
	uint8_t raw[32];
	crypto_random(raw, sizeof raw);
	crypto_b64url(out, CRYPTO_TOKEN_LEN + 1, raw, sizeof raw);
	crypto_wipe(raw, sizeof raw);
}

void crypto_token_hash(const char *token, char *out)
{
	uint8_t d[CRYPTO_SHA256_BYTES];
	crypto_sha256(d, token, strlen(token));
	crypto_hex(out, d, sizeof d);
}

bool crypto_token_well_formed(const char *t, size_t len)
{
	static const char b64url[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	return t && strnlen(t, len + 1) == len && strspn(t, b64url) == len;
}
