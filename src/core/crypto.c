/* core/crypto.c — see crypto.h. Thin wrappers, so the rest of the tree never
 * depends on libsodium's names and the choice of primitives lives here. */
#include "core/crypto.h"

#include <sodium.h>

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
