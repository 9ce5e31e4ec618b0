/* auth/csrf.c — see csrf.h. */
#include "auth/csrf.h"

#include <string.h>

static struct crypto_hmac_key pre_key; /* ready for HMACs: see crypto.h */
static uint8_t session_key[CRYPTO_KEY_BYTES];

/* The CSRF tokens use keys of their own, derived from the deployment
 * secret, so that no token an attacker can obtain (the nonce is theirs to
 * choose) is ever a MAC under the key that seals the audit log; and the two
 * kinds of token have a key each. */
void csrf_set_key(const uint8_t k[CRYPTO_KEY_BYTES])
{
	static const char label[] = "csec-csrf-key-v1";
	uint8_t derived[CRYPTO_KEY_BYTES];
	crypto_hmac(derived, k, label, sizeof label - 1);
	crypto_hmac_key_init(&pre_key, derived);
	crypto_wipe(derived, sizeof derived);
	if (crypto_derive_key(session_key, k, "csec-csrf-session-v1") != 0)
		crypto_random(session_key, sizeof session_key); /* cannot happen: a fixed label */
}

void csrf_new_nonce(char *out)
{
	uint8_t raw[16];
	crypto_random(raw, sizeof raw);
	crypto_b64url(out, CSRF_NONCE_LEN + 1, raw, sizeof raw);
}

void csrf_pre_token(const char *nonce, char *out)
{
	uint8_t mac[CRYPTO_HMAC_BYTES];
	char msg[4 + CSRF_NONCE_LEN];
	size_t n = strnlen(nonce, CSRF_NONCE_LEN);
	memcpy(msg, "pre|", 4);
	memcpy(msg + 4, nonce, n);
	crypto_hmac_with(mac, &pre_key, msg, 4 + n);
	crypto_b64url(out, CSRF_TOKEN_LEN + 1, mac, sizeof mac);
}

/* Made for every signed-in page, so the cheaper MAC: keyed BLAKE2b. */
void csrf_session_token(const char *token_hash, char *out)
{
	uint8_t mac[CRYPTO_HMAC_BYTES];
	crypto_keyed_hash(mac, session_key, token_hash, strlen(token_hash));
	crypto_b64url(out, CSRF_TOKEN_LEN + 1, mac, sizeof mac);
}

bool csrf_equal(const char *submitted, const char *expected)
{
	size_t n = strlen(expected);
	if (!submitted || strlen(submitted) != n)
		return false;
	return crypto_equal(submitted, expected, n);
}
