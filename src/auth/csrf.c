/* auth/csrf.c — see csrf.h. */
#include "auth/csrf.h"

#include <string.h>

static struct crypto_hmac_key key; /* ready for HMACs: see crypto.h */

/* The CSRF tokens use a key of their own, derived from the deployment
 * secret, so that no token an attacker can obtain (the nonce is theirs to
 * choose) is ever a MAC under the key that seals the audit log. */
void csrf_set_key(const uint8_t k[CRYPTO_KEY_BYTES])
{
	static const char label[] = "csec-csrf-key-v1";
	uint8_t derived[CRYPTO_KEY_BYTES];
	crypto_hmac(derived, k, label, sizeof label - 1);
	crypto_hmac_key_init(&key, derived);
	crypto_wipe(derived, sizeof derived);
}

void csrf_new_nonce(char *out)
{
	uint8_t raw[16];
	crypto_random(raw, sizeof raw);
	crypto_b64url(out, CSRF_NONCE_LEN + 1, raw, sizeof raw);
}

static void token(const char *purpose, const char *value, char *out)
{
	uint8_t mac[CRYPTO_HMAC_BYTES];
	char msg[160];
	size_t p = strlen(purpose), v = strlen(value);
	if (p + 1 + v > sizeof msg)
		v = sizeof msg - p - 1; /* values are fixed-length tokens; never reached */
	memcpy(msg, purpose, p);
	msg[p] = '|';
	memcpy(msg + p + 1, value, v);
	crypto_hmac_with(mac, &key, msg, p + 1 + v);
	crypto_b64url(out, CSRF_TOKEN_LEN + 1, mac, sizeof mac);
}

void csrf_pre_token(const char *nonce, char *out)
{
	token("pre", nonce, out);
}

void csrf_session_token(const char *token_hash, char *out)
{
	token("session", token_hash, out);
}

bool csrf_equal(const char *submitted, const char *expected)
{
	size_t n = strlen(expected);
	if (!submitted || strlen(submitted) != n)
		return false;
	return crypto_equal(submitted, expected, n);
}
