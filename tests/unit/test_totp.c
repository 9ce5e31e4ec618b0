/* tests/unit/test_totp.c — the second factor (auth/totp.h, migration 0004)
 * and the sealing and key derivation it adds to core/crypto. The pure parts
 * (RFC 6238 vectors, the window, code format, sealing, the otpauth URI, the
 * QR code's SVG) run once; the model functions run on SQLite, always, and
 * on PostgreSQL when CSEC_TEST_PG_URL names a server (each test in a fresh
 * schema, csec_unit). Codes are computed here with liboath's generator, the
 * QR code is redrawn from the SVG's path and compared with libqrencode's
 * own bitmap, and the key derivation and HMACs are pinned by answers
 * computed outside C (Python's hashlib.blake2b with the same key and person,
 * hmac with hashlib.sha256). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/accounts.h"
#include "auth/totp.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_helpers.h"

static const uint8_t KEY[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t OTHER_KEY[32] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                      0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                      0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                      0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0x01};

/* RFC 6238's SHA-1 seed, "12345678901234567890", in base32. */
static const char RFC_SECRET[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

#define NOW ((int64_t)1700000000) /* 2023-11-14T22:13:20Z, step 56666666 */
#define STEP (NOW / TOTP_PERIOD)

/* The secret_sealed text of a user's row, into out. */
static void sealed_of(struct db *db, int64_t user_id, char *out, size_t outlen)
{
	struct db_stmt *st;

	CHECK(db, db_prepare(db, "SELECT secret_sealed FROM user_mfa WHERE user_id = $1", &st));
	CHECK(db, db_bind_int64(st, 1, user_id));
	assert_int_equal(db_step(st), DB_ROW);
	snprintf(out, outlen, "%s", db_column_text(st, 0, NULL));
	db_finalize(st);
}

static int64_t last_step_of(struct db *db, int64_t user_id)
{
	struct db_stmt *st;
	int64_t v;

	CHECK(db, db_prepare(db, "SELECT last_step FROM user_mfa WHERE user_id = $1", &st));
	CHECK(db, db_bind_int64(st, 1, user_id));
	assert_int_equal(db_step(st), DB_ROW);
	v = db_column_int64(st, 0);
	db_finalize(st);
	return v;
}

/* The 6-digit code of a base32 secret at time t, by liboath directly. */
static void code_at(const char *secret, int64_t t, char out[7])
{
	char *raw = NULL;
	size_t len = 0;

	assert_int_equal(totp_init(), 0);
	assert_int_equal(oath_base32_decode(secret, strlen(secret), &raw, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(raw, len, (time_t)t, TOTP_PERIOD, 0, 6, out), OATH_OK);
	free(raw);
}

static int64_t make_user(struct db *db, const char *email, bool site_admin)
{
	int64_t id = 0;

	CHECK(db, accounts_user_create(db, email, "Test Person", "", site_admin, &id));
	return id;
}

/* Begins and confirms enrolment for user with a fresh secret (into secret),
 * at NOW; returns the recovery codes in codes. */
static void enrol(struct db *db, int64_t user, char secret[TOTP_SECRET_LEN + 1],
                  char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT])
{
	char code[7];

	assert_int_equal(totp_new_secret(secret, TOTP_SECRET_LEN + 1), 0);
	CHECK(db, totp_enrol_begin(db, KEY, user, secret));
	code_at(secret, NOW, code);
	CHECK(db, db_begin_write(db));
	CHECK(db, totp_enrol_confirm(db, KEY, user, code, NOW, codes));
	CHECK(db, db_commit(db));
}

/* --------------------------------------------------------------- fixtures */

static int setup(void **state)
{
	*state = fixture_open(true);
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

static int group_sqlite(void **state)
{
	(void)state;
	return fixture_group_sqlite("totp");
}

static int group_sqlite_done(void **state)
{
	(void)state;
	return fixture_group_sqlite_done();
}

static int group_pg(void **state)
{
	(void)state;
	F.pg = true;
	return 0;
}

/* ------------------------------------------------- pure: codes and checks */

/* RFC 6238 Appendix B, SHA-1 rows: liboath's 8-digit codes are the RFC's,
 * and a 6-digit code is their last six digits (the same truncation, mod
 * 10^6), which totp_check accepts at exactly that step. */
static void test_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *otp8;
	} v[] = {
	        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
	        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	};
	static const char seed[] = "12345678901234567890";
	(void)state;
	assert_int_equal(totp_init(), 0);
	assert_int_equal(totp_init(), 0); /* once is enough; twice is harmless */
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char otp[9], six[7];
		int64_t step = -1;
		assert_int_equal(oath_totp_generate(seed, 20, (time_t)v[i].t, 30, 0, 8, otp),
		                 OATH_OK);
		assert_string_equal(otp, v[i].otp8);
		code_at(RFC_SECRET, v[i].t, six);
		assert_string_equal(six, v[i].otp8 + 2);
		assert_int_equal(totp_check(RFC_SECRET, v[i].otp8 + 2, v[i].t, 0, &step), 0);
		assert_true(step == v[i].t / 30);
	}
}

static void test_window(void **state)
{
	char c[5][7];
	int64_t step;
	(void)state;
	/* c[k] is the code of step STEP + k - 2 */
	for (int k = 0; k < 5; k++)
		code_at(RFC_SECRET, NOW + (k - 2) * TOTP_PERIOD, c[k]);
	/* No two equal (else the test would prove nothing about the window). */
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			assert_string_not_equal(c[i], c[j]);
	for (int k = 1; k <= 3; k++) {
		assert_int_equal(totp_check(RFC_SECRET, c[k], NOW, 0, &step), 0);
		assert_true(step == STEP + k - 2);
	}
	assert_int_equal(totp_check(RFC_SECRET, c[0], NOW, 0, &step), TOTP_EINVALID);
	assert_int_equal(step, 0);
	assert_int_equal(totp_check(RFC_SECRET, c[4], NOW, 0, &step), TOTP_EINVALID);
	/* Anywhere in a step counts as that step: its first and last second. */
	int64_t first = STEP * TOTP_PERIOD, last = first + TOTP_PERIOD - 1;
	assert_int_equal(totp_check(RFC_SECRET, c[3], first, 0, &step), 0);
	assert_int_equal(totp_check(RFC_SECRET, c[1], last, 0, &step), 0);
	assert_int_equal(totp_check(RFC_SECRET, c[1], last + 1, 0, &step), TOTP_EINVALID);
	/* A bad secret is the caller's fault, never "wrong code". */
	assert_int_equal(totp_check("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", c[2], NOW, 0, &step),
	                 TOTP_ELIB);
	assert_int_equal(totp_check("GEZDGNBVGY3TQOJQ", c[2], NOW, 0, &step), TOTP_ELIB);
	assert_int_equal(totp_check(NULL, c[2], NOW, 0, &step), TOTP_ELIB);
	assert_int_equal(totp_check(RFC_SECRET, c[2], 10, 0, &step), TOTP_ELIB);
}

static void test_reuse_pure(void **state)
{
	char c[7], prev[7];
	int64_t step;
	(void)state;
	code_at(RFC_SECRET, NOW, c);
	code_at(RFC_SECRET, NOW - TOTP_PERIOD, prev);
	assert_int_equal(totp_check(RFC_SECRET, c, NOW, STEP - 1, &step), 0);
	assert_true(step == STEP);
	assert_int_equal(totp_check(RFC_SECRET, c, NOW, STEP, &step), TOTP_EREUSED);
	assert_int_equal(step, 0);
	assert_int_equal(totp_check(RFC_SECRET, c, NOW, STEP + 1, &step), TOTP_EREUSED);
	/* An older code, still inside the window, after a newer one was used. */
	assert_int_equal(totp_check(RFC_SECRET, prev, NOW, STEP, &step), TOTP_EREUSED);
}

static void test_code_format(void **state)
{
	char c[7], spaced[16], s[64];
	int64_t step;
	(void)state;
	code_at(RFC_SECRET, NOW, c);
	snprintf(spaced, sizeof spaced, " %.3s %.3s ", c, c + 3);
	assert_int_equal(totp_check(RFC_SECRET, spaced, NOW, 0, &step), 0);

	const char *bad[] = {"",         "12345",   "1234567", "12a456",  "+12345",
	                     "123\t456", "123-456", "12345\n", "-123456", "\357\274\22123456",
	                     "0x1234",   "123 45"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (totp_check(RFC_SECRET, bad[i], NOW, 0, &step) != TOTP_EFORMAT)
			fail_msg("\"%s\" was not refused as malformed", bad[i]);
	assert_int_equal(totp_check(RFC_SECRET, NULL, NOW, 0, &step), TOTP_EFORMAT);
	/* Past TOTP_CODE_MAX bytes nothing is looked at, spaces or not. */
	memset(s, ' ', sizeof s);
	memcpy(s + TOTP_CODE_MAX - 6, c, 6);
	s[TOTP_CODE_MAX] = '\0';
	assert_int_equal(totp_check(RFC_SECRET, s, NOW, 0, &step), 0);
	s[TOTP_CODE_MAX] = ' ';
	s[TOTP_CODE_MAX + 1] = '\0';
	assert_int_equal(totp_check(RFC_SECRET, s, NOW, 0, &step), TOTP_EFORMAT);
	/* Well-formed but wrong: a code from far away in time. */
	char far[7], near[3][7];
	code_at(RFC_SECRET, NOW + 1000 * TOTP_PERIOD, far);
	for (int k = 0; k < 3; k++) {
		code_at(RFC_SECRET, NOW + (k - 1) * TOTP_PERIOD, near[k]);
		assert_string_not_equal(far, near[k]);
	}
	assert_int_equal(totp_check(RFC_SECRET, far, NOW, 0, &step), TOTP_EINVALID);
}

static void test_new_secret(void **state)
{
	char a[TOTP_SECRET_LEN + 1], b[TOTP_SECRET_LEN + 1], small[TOTP_SECRET_LEN];
	char *raw = NULL;
	size_t len = 0;
	(void)state;
	assert_int_equal(totp_new_secret(a, sizeof a), 0);
	assert_int_equal(totp_new_secret(b, sizeof b), 0);
	assert_int_equal(strlen(a), TOTP_SECRET_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), TOTP_SECRET_LEN);
	assert_int_equal(oath_base32_decode(a, strlen(a), &raw, &len), OATH_OK);
	assert_int_equal(len, TOTP_SECRET_BYTES);
	free(raw);
	assert_int_equal(totp_new_secret(small, sizeof small), TOTP_ELIB);
}

/* ------------------------------------------------------ pure: crypto */

static void test_derive_key(void **state)
{
	/* Python: hashlib.blake2b(b"csec-totp-secret-v1", key=bytes(range(1, 33)),
	 *                         person=b"csec-derive-v1", digest_size=32) */
	static const char kat[] =
	        "c169bc0ae6958868006466765fdee96160432f4d186f01da52cbc06a30939a03";
	uint8_t a[32], b[32], c[32];
	char hex[65];
	char long_label[CRYPTO_LABEL_MAX + 2];
	(void)state;
	assert_int_equal(crypto_derive_key(a, KEY, "csec-totp-secret-v1"), 0);
	crypto_hex(hex, a, sizeof a);
	assert_string_equal(hex, kat);
	assert_int_equal(crypto_derive_key(b, KEY, "csec-totp-secret-v1"), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(crypto_derive_key(b, KEY, "csec-recovery-code-v1"), 0);
	assert_memory_not_equal(a, b, 32);
	assert_int_equal(crypto_derive_key(c, OTHER_KEY, "csec-totp-secret-v1"), 0);
	assert_memory_not_equal(a, c, 32);
	/* Not the HMAC the CSRF key is made with, whatever the label. */
	crypto_hmac(c, KEY, "csec-totp-secret-v1", 19);
	assert_memory_not_equal(a, c, 32);
	/* Bad labels: refused, and the output is zeroed. */
	static const uint8_t zero[32];
	memset(long_label, 'a', sizeof long_label - 1);
	long_label[sizeof long_label - 1] = '\0';
	const char *bad[] = {NULL, "", "has space", "tab\t", "\xc3\xa9", long_label};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(c, 0x55, sizeof c);
		assert_int_equal(crypto_derive_key(c, KEY, bad[i]), -1);
		assert_memory_equal(c, zero, 32);
	}
	long_label[CRYPTO_LABEL_MAX] = '\0'; /* exactly the maximum */
	assert_int_equal(crypto_derive_key(c, KEY, long_label), 0);
}

/* HMAC-SHA-256, one-shot and with a prepared key, against answers computed
 * outside C (Python's hmac with hashlib.sha256), for message lengths on
 * either side of SHA-256's block and padding boundaries; the prepared key is
 * used repeatedly, so no MAC may disturb it. Then keyed BLAKE2b the same way. */
static void test_macs(void **state)
{
	(void)state;
	static const struct {
		size_t n;
		const char *hex;
	} want[] = {
	        {0, "462476a897ddfdbd40d1420e08a5bcfeeb25c3e2ade6a0a9083b327b9ef9fca1"},
	        {55, "24e6abb060cdd35fd247e925370fd0d8eb98f5b5c8843aac8b1da25ff6872cfd"},
	        {56, "64236377a89ef9604e487e23bce0df792ba8bd7c6d2866360be316f6b2245402"},
	        {64, "5e7bf884a4b5b2161d018f99d245477124b01b4bfa1b9bd5290ca2535cbcb34a"},
	        {72, "6e9bf8b6dc21e72b7522f99f80bd9648dd0912527be9d0b70587ce2137287f19"},
	        {119, "9c025e30de0e3c48d449aa04657ad6bb48ec9dcc06904bfddc7be3ab3e11c865"},
	        {200, "a80506b105de4ef6446aa0520967954519d6f8a57a4347ab9e234a34828ceec5"},
	};
	uint8_t msg[200], mac[CRYPTO_HMAC_BYTES];
	char hex[2 * CRYPTO_HMAC_BYTES + 1];
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	struct crypto_hmac_key k;
	crypto_hmac_key_init(&k, KEY);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
			crypto_hmac(mac, KEY, msg, want[i].n);
			crypto_hex(hex, mac, sizeof mac);
			assert_string_equal(hex, want[i].hex);
			crypto_hmac_with(mac, &k, msg, want[i].n);
			crypto_hex(hex, mac, sizeof mac);
			assert_string_equal(hex, want[i].hex);
		}
	}
	crypto_wipe(&k, sizeof k);
	/* Keyed BLAKE2b-256 (Python: hashlib.blake2b(msg, key=KEY, digest_size=32)),
	 * around its 128-byte block. */
	static const struct {
		size_t n;
		const char *hex;
	} blake[] = {
	        {0, "6689399b55d2c998473a55fa741f5c0bd91c49e7d15cc211482a37d75a9d95a0"},
	        {72, "e6130c07e714d72f277ab8022575088cf620894e0b51e0006a4c1260cbee5d4d"},
	        {128, "d2e59685d0a3aa2ad41968c5aae207e2575a30effa42deb85bc70e7190fe0e55"},
	        {129, "83678cfe55871c872c41adcf6cde7403fa2be0cece7f0ea41ce80aba47c4fb1b"},
	        {200, "165b4416634efc5cdc0acdb1f294260ecea36434537dbba8f7dbfa95aaf2c7ef"},
	};
	for (size_t i = 0; i < sizeof blake / sizeof blake[0]; i++) {
		crypto_keyed_hash(mac, KEY, msg, blake[i].n);
		crypto_hex(hex, mac, sizeof mac);
		assert_string_equal(hex, blake[i].hex);
	}
}

static void test_seal_open(void **state)
{
	static const char msg[] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
	char text[256], text2[300], out[64];
	size_t n = 0, len = sizeof msg - 1;
	(void)state;
	assert_int_equal(crypto_seal_text_len(len), 3 + 96 + 1);
	assert_int_equal(crypto_seal_text_len(CRYPTO_SEAL_MAX + 1), 0);
	assert_int_equal(crypto_seal_text(text, sizeof text, KEY, msg, len, "user_mfa:1"), 0);
	assert_int_equal(strlen(text) + 1, crypto_seal_text_len(len));
	assert_memory_equal(text, "v1.", 3);
	assert_null(strstr(text, msg));
	assert_int_equal(
	        crypto_open_text(out, sizeof out, &n, KEY, text, strlen(text), "user_mfa:1"), 0);
	assert_int_equal(n, len);
	assert_memory_equal(out, msg, len);

	/* A fresh nonce each time: the same input seals differently. */
	assert_int_equal(crypto_seal_text(text2, sizeof text2, KEY, msg, len, "user_mfa:1"), 0);
	assert_string_not_equal(text, text2);

	/* Wrong key, wrong or missing context. */
	assert_int_equal(
	        crypto_open_text(out, sizeof out, &n, OTHER_KEY, text, strlen(text), "user_mfa:1"),
	        -1);
	assert_int_equal(n, 0);
	assert_int_equal(
	        crypto_open_text(out, sizeof out, &n, KEY, text, strlen(text), "user_mfa:2"), -1);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, text, strlen(text), NULL), -1);

	/* Flip each byte of the sealed bytes in turn (nonce, ciphertext, tag):
	 * every one is caught. */
	uint8_t bin[128];
	size_t binlen = 0;
	assert_int_equal(crypto_unb64url(bin, sizeof bin, &binlen, text + 3, strlen(text) - 3), 0);
	assert_int_equal(binlen, CRYPTO_SEAL_NONCE_BYTES + len + CRYPTO_SEAL_TAG_BYTES);
	for (size_t i = 0; i < binlen; i++) {
		bin[i] ^= 0x01;
		memcpy(text2, "v1.", 3);
		crypto_b64url(text2 + 3, sizeof text2 - 3, bin, binlen);
		bin[i] ^= 0x01;
		memset(out, 'x', sizeof out);
		if (crypto_open_text(out, sizeof out, &n, KEY, text2, strlen(text2),
		                     "user_mfa:1") != -1)
			fail_msg("a flipped bit at byte %zu went unnoticed", i);
		/* nothing of the plaintext is left behind */
		assert_null(memchr(out, 'J', sizeof out));
	}
	/* Cut short, lengthened, another version, not base64url, empty. */
	size_t tl = strlen(text);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, text, tl - 1, "user_mfa:1"),
	                 -1);
	snprintf(text2, sizeof text2, "%sA", text);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, text2, tl + 1, "user_mfa:1"),
	                 -1);
	snprintf(text2, sizeof text2, "v2.%s", text + 3);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, text2, tl, "user_mfa:1"), -1);
	snprintf(text2, sizeof text2, "%s", text);
	text2[10] = '+';
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, text2, tl, "user_mfa:1"), -1);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, "", 0, "user_mfa:1"), -1);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, "v1.", 3, "user_mfa:1"), -1);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, NULL, 0, "user_mfa:1"), -1);
	/* The plaintext does not fit: refused, not truncated. */
	assert_int_equal(crypto_open_text(out, len - 1, &n, KEY, text, tl, "user_mfa:1"), -1);

	/* Output too small to seal into; input over the cap. */
	assert_int_equal(
	        crypto_seal_text(text2, crypto_seal_text_len(len) - 1, KEY, msg, len, NULL), -1);
	static char big[CRYPTO_SEAL_MAX + 1];
	static char bigout[2 * CRYPTO_SEAL_MAX];
	assert_int_equal(crypto_seal_text(bigout, sizeof bigout, KEY, big, sizeof big, NULL), -1);
	assert_int_equal(crypto_seal_text(bigout, sizeof bigout, KEY, big, CRYPTO_SEAL_MAX, NULL),
	                 0);
	/* Empty plaintext round-trips too. */
	assert_int_equal(crypto_seal_text(text2, sizeof text2, KEY, "", 0, NULL), 0);
	assert_int_equal(crypto_open_text(out, sizeof out, &n, KEY, text2, strlen(text2), NULL), 0);
	assert_int_equal(n, 0);
}

static void test_unb64url(void **state)
{
	uint8_t out[8];
	size_t n = 99;
	(void)state;
	assert_int_equal(crypto_unb64url(out, sizeof out, &n, "AAEC_w", 6), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "\x00\x01\x02\xff", 4);
	assert_int_equal(crypto_unb64url(out, sizeof out, &n, "AAEC/w", 6), -1); /* not url */
	assert_int_equal(n, 0);
	assert_int_equal(crypto_unb64url(out, sizeof out, &n, "AAEC_w==", 8), -1); /* padding */
	assert_int_equal(crypto_unb64url(out, sizeof out, &n, "AAEC_x", 6), -1); /* stray bits */
	assert_int_equal(crypto_unb64url(out, 3, &n, "AAEC_w", 6), -1); /* too small */
}

/* ------------------------------------------------------ pure: URI and QR */

static void test_uri(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b, NULL, 4096);
	assert_int_equal(totp_uri("CSEC Toolkit (Metro)", "alice+mfa@example.org",
	                          "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", &b),
	                 0);
	assert_string_equal(buf_cstr(&b),
	                    "otpauth://totp/CSEC%20Toolkit%20%28Metro%29:alice%2Bmfa%40example.org"
	                    "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	                    "&issuer=CSEC%20Toolkit%20%28Metro%29"
	                    "&algorithm=SHA1&digits=6&period=30");
	/* No raw '+', space, '@' or '&' from the inputs survives. */
	buf_reset(&b);
	assert_int_equal(totp_uri("A&B=C?D#E/F", "o'brien.x_y-z~@ex.org", RFC_SECRET, &b), 0);
	assert_string_equal(buf_cstr(&b),
	                    "otpauth://totp/A%26B%3DC%3FD%23E%2FF:o%27brien.x_y-z~%40ex.org"
	                    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%26B%3DC%3FD%23E%2FF"
	                    "&algorithm=SHA1&digits=6&period=30");
	/* UTF-8 is encoded byte by byte. */
	buf_reset(&b);
	assert_int_equal(totp_uri("Caf\xc3\xa9", "a@b.c", RFC_SECRET, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), "totp/Caf%C3%A9:a%40b.c?"));

	/* Refusals leave the buffer alone. */
	buf_reset(&b);
	char big[TOTP_LABEL_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *bad[][3] = {
	        {"Team:One", "a@b.c", RFC_SECRET},
	        {"Team", "a:b@c", RFC_SECRET},
	        {"", "a@b.c", RFC_SECRET},
	        {"Team", "", RFC_SECRET},
	        {NULL, "a@b.c", RFC_SECRET},
	        {"Team", "a@b.c", NULL},
	        {"Te\nam", "a@b.c", RFC_SECRET},
	        {"Team", "a@b.c", "GEZDGNBVGY3TQOJQ"},
	        {"Team", "a@b.c", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq"},
	        {big, "a@b.c", RFC_SECRET},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(totp_uri(bad[i][0], bad[i][1], bad[i][2], &b), -EINVAL);
	assert_int_equal(b.len, 0);
	big[TOTP_LABEL_MAX] = '\0';
	assert_int_equal(totp_uri(big, big, RFC_SECRET, &b), 0);
	/* A buffer too small: its own error. */
	struct buf small;
	buf_init(&small, NULL, 40);
	assert_int_equal(totp_uri("Team", "a@b.c", RFC_SECRET, &small), -E2BIG);
	buf_free(&small);
	buf_free(&b);
}

/* Redraws the QR symbol from the SVG's path ("MX Yh{n}v1h-{n}z" runs) and
 * returns the number of subpaths; grid is size x size. */
static int redraw(const char *d, unsigned char *grid, int size)
{
	int runs = 0;
	while (*d == 'M') {
		int x, y, n, n2, used = 0;
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4 || used == 0)
			fail_msg("bad path data at \"%.20s\"", d);
		assert_int_equal(n, n2);
		assert_true(x >= 0 && y >= 0 && n > 0 && x + n <= size && y < size);
		for (int i = 0; i < n; i++) {
			assert_int_equal(grid[y * size + x + i], 0); /* no overlap */
			grid[y * size + x + i] = 1;
		}
		d += used;
		runs++;
	}
	assert_int_equal(*d, '"');
	return runs;
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_qr_svg(void **state)
{
	static const char uri[] = "otpauth://totp/CSEC%20Toolkit:alice%2Bmfa%40example.org"
	                          "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=CSEC%20Toolkit"
	                          "&algorithm=SHA1&digits=6&period=30";
	struct buf b;
	char head[200];
	(void)state;
	buf_init(&b, NULL, 65536);
	assert_int_equal(buf_puts(&b, "<p>"), 0); /* appends: what was there stays */
	assert_int_equal(totp_qr_svg(uri, "QR code for \"Alice\" & <co>", &b), 0);
	assert_int_equal(strncmp(buf_cstr(&b), "<p>", 3), 0);
	const char *svg = buf_cstr(&b) + 3;

	/* Shape: <svg ...><rect .../><path .../></svg>, nothing else. */
	assert_int_equal(strncmp(svg, "<svg ", 5), 0);
	assert_int_equal(strcmp(svg + strlen(svg) - 6, "</svg>"), 0);
	assert_int_equal(count(svg, "<path"), 1);
	assert_int_equal(count(svg, "<rect"), 1);
	assert_int_equal(count(svg, "<"), 4);
	assert_int_equal(count(svg, ">"), 4);
	assert_int_equal(count(svg, "/>"), 2);
	assert_int_equal(count(svg, "\""), 2 * 11); /* eleven attributes, all quoted */
	assert_null(strstr(svg, "style"));
	assert_null(strstr(svg, "<script"));
	assert_non_null(strstr(svg, " role=\"img\""));
	assert_non_null(strstr(svg, " xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(
	        strstr(svg, " aria-label=\"QR code for &quot;Alice&quot; &amp; &lt;co&gt;\""));

	/* viewBox: the symbol plus a quiet zone of 4 on each side, and the
	 * dark modules are exactly libqrencode's. */
	QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	int size = qr->width + 8;
	snprintf(head, sizeof head, " viewBox=\"0 0 %d %d\"", size, size);
	assert_non_null(strstr(svg, head));
	snprintf(head, sizeof head, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", size, size);
	assert_non_null(strstr(svg, head));
	const char *d = strstr(svg, " d=\"");
	assert_non_null(d);
	unsigned char *grid = calloc((size_t)size * size, 1);
	assert_non_null(grid);
	int runs = redraw(d + 4, grid, size);
	assert_true(runs > 0);
	int dark = 0;
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			int in = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
			int want = in ? qr->data[(y - 4) * qr->width + (x - 4)] & 1 : 0;
			if (grid[y * size + x] != want)
				fail_msg("module (%d, %d) is %d, want %d", x, y, grid[y * size + x],
				         want);
			dark += want;
		}
	assert_true(dark > 0);
	free(grid);
	QRcode_free(qr);
	/* A 150-byte URI stays well under the 64 KiB the header suggests. */
	assert_true(strlen(svg) < 16384);

	/* Refusals, and a buffer too small is left as it was. */
	size_t before = b.len;
	assert_int_equal(totp_qr_svg("", "QR", &b), -EINVAL);
	assert_int_equal(totp_qr_svg(NULL, "QR", &b), -EINVAL);
	assert_int_equal(totp_qr_svg(uri, "", &b), -EINVAL);
	assert_int_equal(totp_qr_svg(uri, "a\nb", &b), -EINVAL);
	static char huge[TOTP_QR_TEXT_MAX + 2];
	memset(huge, 'x', TOTP_QR_TEXT_MAX + 1);
	assert_int_equal(totp_qr_svg(huge, "QR", &b), -EINVAL);
	assert_int_equal(b.len, before);
	struct buf small;
	buf_init(&small, NULL, 500);
	assert_int_equal(buf_puts(&small, "keep"), 0);
	assert_int_equal(totp_qr_svg(uri, "QR", &small), -E2BIG);
	assert_string_equal(buf_cstr(&small), "keep");
	assert_int_equal(small.err, 0);
	buf_free(&small);
	buf_free(&b);
}

/* ------------------------------------------------------------ the store */

static bool code_shape(const char *c)
{
	static const char alpha[] = "0123456789abcdefghjkmnpqrstvwxyz";
	if (strlen(c) != 11 || c[5] != '-')
		return false;
	for (int i = 0; i < 11; i++)
		if (i != 5 && !strchr(alpha, c[i]))
			return false;
	return true;
}

static void test_enrol(void **state)
{
	struct db *db = *state;
	char secret[TOTP_SECRET_LEN + 1], again[TOTP_SECRET_LEN + 1], sealed[256];
	char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT], code[7], next[7];
	bool on = true;
	int64_t u = make_user(db, "alice@example.org", false);

	assert_int_equal(totp_enabled(db, u, &on), 0);
	assert_false(on);
	assert_int_equal(totp_pending_secret(db, KEY, u, again, sizeof again), TOTP_ENOTENROLLED);
	code_at(RFC_SECRET, NOW, code);
	assert_int_equal(totp_enrol_confirm(db, KEY, u, code, NOW, codes), TOTP_ENOTENROLLED);
	assert_int_equal(totp_verify(db, KEY, u, code, NOW), TOTP_ENOTENROLLED);

	/* Step 1: stored sealed, not enabled; a second begin replaces it. */
	assert_int_equal(totp_new_secret(secret, sizeof secret), 0);
	assert_int_equal(totp_enrol_begin(db, KEY, u, "not-base32"), TOTP_ELIB);
	CHECK(db, totp_enrol_begin(db, KEY, u, RFC_SECRET));
	CHECK(db, totp_enrol_begin(db, KEY, u, secret));
	assert_int_equal(query_int(db, "SELECT count(*) FROM user_mfa"), 1);
	assert_int_equal(totp_enabled(db, u, &on), 0);
	assert_false(on);
	CHECK(db, totp_pending_secret(db, KEY, u, again, sizeof again));
	assert_string_equal(again, secret);
	assert_int_equal(totp_pending_secret(db, OTHER_KEY, u, again, sizeof again), TOTP_ESEALED);
	assert_string_equal(again, "");
	sealed_of(db, u, sealed, sizeof sealed);
	assert_memory_equal(sealed, "v1.", 3);
	assert_null(strstr(sealed, secret));
	/* A pending secret does not sign anyone in. */
	code_at(secret, NOW, code);
	assert_int_equal(totp_verify(db, KEY, u, code, NOW), TOTP_ENOTENROLLED);

	/* Step 2: a wrong code changes nothing. */
	code_at(secret, NOW + 5 * TOTP_PERIOD, next);
	CHECK(db, db_begin_write(db));
	assert_int_equal(totp_enrol_confirm(db, KEY, u, next, NOW, codes), TOTP_EINVALID);
	assert_int_equal(totp_enrol_confirm(db, KEY, u, "12 34", NOW, codes), TOTP_EFORMAT);
	assert_int_equal(totp_enrol_confirm(db, OTHER_KEY, u, code, NOW, codes), TOTP_ESEALED);
	CHECK(db, db_commit(db));
	assert_int_equal(totp_enabled(db, u, &on), 0);
	assert_false(on);
	assert_int_equal(query_int(db, "SELECT count(*) FROM recovery_codes"), 0);

	/* The right code: enabled, this step used, ten codes shown once. */
	CHECK(db, db_begin_write(db));
	CHECK(db, totp_enrol_confirm(db, KEY, u, code, NOW, codes));
	CHECK(db, db_commit(db));
	assert_int_equal(totp_enabled(db, u, &on), 0);
	assert_true(on);
	assert_true(last_step_of(db, u) == STEP);
	for (int i = 0; i < TOTP_RECOVERY_COUNT; i++) {
		if (!code_shape(codes[i]))
			fail_msg("recovery code \"%s\" is not shaped abcde-fghij", codes[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(codes[i], codes[j]);
	}
	assert_int_equal(query_int(db, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"),
	                 TOTP_RECOVERY_COUNT);
	/* Only HMACs are stored: 64 hex digits, neither the code nor its
	 * plain SHA-256. */
	struct db_stmt *st;
	CHECK(db, db_prepare(db, "SELECT code_hash FROM recovery_codes", &st));
	while (db_step(st) == DB_ROW) {
		const char *h = db_column_text(st, 0, NULL);
		assert_int_equal(strlen(h), 64);
		assert_int_equal(strspn(h, "0123456789abcdef"), 64);
		for (int i = 0; i < TOTP_RECOVERY_COUNT; i++) {
			char norm[11], sha[65];
			uint8_t dg[32];
			memcpy(norm, codes[i], 5);
			memcpy(norm + 5, codes[i] + 6, 6);
			crypto_sha256(dg, norm, 10);
			crypto_hex(sha, dg, 32);
			assert_string_not_equal(h, sha);
			assert_null(strstr(h, norm));
		}
	}
	db_finalize(st);

	/* Enrolling again, reading the secret back, confirming twice: refused
	 * while MFA is on. */
	assert_int_equal(totp_enrol_begin(db, KEY, u, RFC_SECRET), TOTP_EENABLED);
	assert_int_equal(totp_pending_secret(db, KEY, u, again, sizeof again), TOTP_EENABLED);
	assert_int_equal(totp_enrol_confirm(db, KEY, u, code, NOW, codes), TOTP_EENABLED);
	assert_int_equal(totp_pending_secret(db, KEY, make_user(db, "b@example.org", false), again,
	                                     sizeof again),
	                 TOTP_ENOTENROLLED);

	/* The code that confirmed cannot also sign in; the next one can. */
	assert_int_equal(totp_verify(db, KEY, u, code, NOW), TOTP_EREUSED);
	code_at(secret, NOW + TOTP_PERIOD, next);
	assert_int_equal(totp_verify(db, KEY, u, next, NOW + TOTP_PERIOD), 0);
}

static void test_verify(void **state)
{
	struct db *db = *state;
	char secret[TOTP_SECRET_LEN + 1], codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT];
	char c[7];
	int64_t u = make_user(db, "bob@example.org", false);
	int64_t later = NOW + 100 * TOTP_PERIOD, s = later / TOTP_PERIOD;

	enrol(db, u, secret, codes);
	/* one step behind: accepted, and last_step follows it */
	code_at(secret, later - TOTP_PERIOD, c);
	assert_int_equal(totp_verify(db, KEY, u, c, later), 0);
	assert_true(last_step_of(db, u) == s - 1);
	assert_int_equal(totp_verify(db, KEY, u, c, later), TOTP_EREUSED);
	/* the current one */
	code_at(secret, later, c);
	assert_int_equal(totp_verify(db, KEY, u, c, later), 0);
	assert_int_equal(totp_verify(db, KEY, u, c, later + 1), TOTP_EREUSED);
	/* an older one after a newer one: refused */
	code_at(secret, later - TOTP_PERIOD, c);
	assert_int_equal(totp_verify(db, KEY, u, c, later), TOTP_EREUSED);
	/* two steps ahead: outside the window */
	code_at(secret, later + 2 * TOTP_PERIOD, c);
	assert_int_equal(totp_verify(db, KEY, u, c, later), TOTP_EINVALID);
	/* one ahead: accepted; then the current step's code is older: refused */
	code_at(secret, later + TOTP_PERIOD, c);
	assert_int_equal(totp_verify(db, KEY, u, c, later), 0);
	assert_true(last_step_of(db, u) == s + 1);
	code_at(secret, later, c);
	assert_int_equal(totp_verify(db, KEY, u, c, later), TOTP_EREUSED);
	/* malformed: refused before anything is read */
	assert_int_equal(totp_verify(db, KEY, u, "abcdef", later), TOTP_EFORMAT);
	assert_int_equal(totp_verify(db, KEY, u, NULL, later), TOTP_EFORMAT);
	/* someone else's code, another key */
	code_at(secret, later + 10 * TOTP_PERIOD, c);
	assert_int_equal(totp_verify(db, OTHER_KEY, u, c, later + 10 * TOTP_PERIOD), TOTP_ESEALED);
	assert_int_equal(totp_verify(db, KEY, u + 100, c, later + 10 * TOTP_PERIOD),
	                 TOTP_ENOTENROLLED);
	assert_true(last_step_of(db, u) == s + 1);
}

/* The sealed secret is bound to its row: copied to another user's row (by
 * someone who can write to the store but lacks the deployment secret), it
 * does not open, so they cannot give a victim a secret they know. */
static void test_sealed_binding(void **state)
{
	struct db *db = *state;
	char sa[TOTP_SECRET_LEN + 1], sb[TOTP_SECRET_LEN + 1];
	char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT], c[7], sealed[256];
	int64_t a = make_user(db, "mallory@example.org", false);
	int64_t b = make_user(db, "victim@example.org", false);
	int64_t t = NOW + 40 * TOTP_PERIOD;

	enrol(db, a, sa, codes);
	enrol(db, b, sb, codes);
	sealed_of(db, a, sealed, sizeof sealed);
	runf(db, "UPDATE user_mfa SET secret_sealed = '%s' WHERE user_id = %lld", sealed,
	     (long long)b);
	code_at(sa, t, c);
	assert_int_equal(totp_verify(db, KEY, b, c, t), TOTP_ESEALED);
	/* An edited byte in the stored text. */
	sealed[20] = sealed[20] == 'A' ? 'B' : 'A';
	runf(db, "UPDATE user_mfa SET secret_sealed = '%s' WHERE user_id = %lld", sealed,
	     (long long)a);
	assert_int_equal(totp_verify(db, KEY, a, c, t), TOTP_ESEALED);
	/* An absurdly long value is refused the same way, not overflowed. */
	char junk[400];
	memset(junk, 'A', sizeof junk - 1);
	junk[sizeof junk - 1] = '\0';
	runf(db, "UPDATE user_mfa SET secret_sealed = 'v1.%s' WHERE user_id = %lld", junk,
	     (long long)a);
	assert_int_equal(totp_verify(db, KEY, a, c, t), TOTP_ESEALED);
}

struct racer {
	const char *url;
	int64_t user;
	const char *code;
	int64_t now;
	pthread_barrier_t *go;
	int rc;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct db *db = open_url(r->url);
	if (r->go)
		pthread_barrier_wait(r->go);
	r->rc = totp_verify(db, KEY, r->user, r->code, r->now);
	db_close(db);
	return NULL;
}

/* Two requests with one code: only one passes. First made deterministic:
 * A has moved last_step but not committed while B checks the code against
 * the old value and tries to move it; B must find the row gone from under
 * its condition. Then free-running races on fresh connections. */
static void test_verify_concurrent(void **state)
{
	struct db *db = *state;
	char secret[TOTP_SECRET_LEN + 1], codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT];
	char c[7];
	int64_t u = make_user(db, "carol@example.org", false);
	int64_t t = NOW + 200 * TOTP_PERIOD;
	pthread_t th;

	enrol(db, u, secret, codes);
	code_at(secret, t, c);
	CHECK(db, db_begin_write(db));
	assert_int_equal(totp_verify(db, KEY, u, c, t), 0);
	struct racer r = {F.url, u, c, t, NULL, 99};
	assert_int_equal(pthread_create(&th, NULL, race, &r), 0);
	usleep(300 * 1000); /* B reads the old last_step, then waits for the row */
	CHECK(db, db_commit(db));
	pthread_join(th, NULL);
	assert_int_equal(r.rc, TOTP_EREUSED);
	assert_true(last_step_of(db, u) == t / TOTP_PERIOD);

	for (int round = 1; round <= 10; round++) {
		int64_t now = t + round * TOTP_PERIOD;
		pthread_barrier_t go;
		pthread_t ta, tb;
		code_at(secret, now, c);
		assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
		struct racer ra = {F.url, u, c, now, &go, 99}, rb = ra;
		assert_int_equal(pthread_create(&ta, NULL, race, &ra), 0);
		assert_int_equal(pthread_create(&tb, NULL, race, &rb), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		int wins = (ra.rc == 0) + (rb.rc == 0);
		if (wins != 1)
			fail_msg("round %d: %d winners (rc %d, %d)", round, wins, ra.rc, rb.rc);
		int lost = ra.rc == 0 ? rb.rc : ra.rc;
		/* the loser was refused as a replay, or (SQLite, a lost lock
		 * race) told to retry, which then refuses it */
		assert_true(lost == TOTP_EREUSED || lost == DB_ERETRY);
		assert_int_equal(totp_verify(db, KEY, u, c, now), TOTP_EREUSED);
	}
}

/* Turns a displayed code into how someone might type it. */
static void retype(const char *in, char *out, size_t outlen, int how)
{
	size_t k = 0;
	for (const char *p = in; *p && k + 3 < outlen; p++) {
		char ch = *p;
		if (how == 1 && ch == '-')
			continue; /* no hyphen */
		if (how == 1 && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A'); /* capitals */
		if (how == 2 && ch == '-') {
			out[k++] = ' '; /* spaces instead */
			out[k++] = ' ';
			continue;
		}
		if (how == 3 && ch == '0')
			ch = 'O'; /* look-alikes */
		if (how == 3 && ch == '1')
			ch = (k % 2) ? 'l' : 'I';
		out[k++] = ch;
	}
	out[k] = '\0';
}

static void test_recovery(void **state)
{
	struct db *db = *state;
	char secret[TOTP_SECRET_LEN + 1], codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT];
	char other[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT],
	        fresh[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT];
	char typed[64];
	int left = -1;
	int64_t u = make_user(db, "dave@example.org", false);
	int64_t v = make_user(db, "erin@example.org", false);

	assert_int_equal(totp_use_recovery(db, KEY, u, "abcde-fghjk", NOW), TOTP_EINVALID);
	enrol(db, u, secret, codes);
	enrol(db, v, secret, other);
	assert_int_equal(totp_recovery_remaining(db, u, &left), 0);
	assert_int_equal(left, 10);

	/* Single use. */
	assert_int_equal(totp_use_recovery(db, KEY, u, codes[0], NOW), 0);
	assert_int_equal(totp_use_recovery(db, KEY, u, codes[0], NOW + 1), TOTP_EINVALID);
	/* Case, hyphens, spaces and look-alikes do not matter. */
	retype(codes[1], typed, sizeof typed, 1);
	assert_int_equal(totp_use_recovery(db, KEY, u, typed, NOW), 0);
	retype(codes[2], typed, sizeof typed, 2);
	assert_int_equal(totp_use_recovery(db, KEY, u, typed, NOW), 0);
	/* find a code with a 0 or 1 in it to try the look-alikes (one of ten
	 * lacks both with probability (30/32)^10 ~ 0.52; all five: ~4%) */
	int with = -1;
	/* codes[8] and codes[9] are kept for the checks below, so not here:
	 * picking codes[9] would spend it, and the random codes made that
	 * happen once in a while. */
	for (int i = 3; i < 8 && with < 0; i++)
		if (strpbrk(codes[i], "01"))
			with = i;
	if (with >= 0) {
		retype(codes[with], typed, sizeof typed, 3);
		assert_int_equal(totp_use_recovery(db, KEY, u, typed, NOW), 0);
		assert_int_equal(totp_use_recovery(db, KEY, u, codes[with], NOW), TOTP_EINVALID);
	}
	assert_int_equal(totp_recovery_remaining(db, u, &left), 0);
	assert_int_equal(left, with >= 0 ? 6 : 7);
	assert_int_equal(
	        query_int(db, "SELECT count(*) FROM recovery_codes WHERE used_at = 1700000000"),
	        with >= 0 ? 4 : 3);

	/* Someone else's code, another key, malformed input. */
	assert_int_equal(totp_use_recovery(db, KEY, u, other[5], NOW), TOTP_EINVALID);
	assert_int_equal(totp_use_recovery(db, OTHER_KEY, u, codes[9], NOW), TOTP_EINVALID);
	const char *bad[] = {"",
	                     "abcde",
	                     "abcde-fghjkm",
	                     "abcde-fghju",
	                     "abcde_fghjk",
	                     "abcde\tfghjk",
	                     "\303\251bcde-fghjk"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (totp_use_recovery(db, KEY, u, bad[i], NOW) != TOTP_EFORMAT)
			fail_msg("\"%s\" was not refused as malformed", bad[i]);
	assert_int_equal(totp_use_recovery(db, KEY, u, NULL, NOW), TOTP_EFORMAT);
	char longer[100];
	memset(longer, '-', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	memcpy(longer, codes[9], 11);
	assert_int_equal(totp_use_recovery(db, KEY, u, longer, NOW), TOTP_EFORMAT);
	longer[TOTP_RECOVERY_MAX] = '\0'; /* only hyphens after the code, within the cap */
	assert_int_equal(totp_use_recovery(db, KEY, u, longer, NOW), 0);

	/* A new set replaces the old one, spent and unspent alike. */
	CHECK(db, db_begin_write(db));
	CHECK(db, totp_recovery_regenerate(db, KEY, u, fresh));
	CHECK(db, db_commit(db));
	assert_int_equal(totp_use_recovery(db, KEY, u, codes[8], NOW), TOTP_EINVALID);
	assert_int_equal(totp_recovery_remaining(db, u, &left), 0);
	assert_int_equal(left, 10);
	assert_int_equal(totp_use_recovery(db, KEY, u, fresh[8], NOW), 0);
	/* the other person's set is untouched */
	assert_int_equal(totp_recovery_remaining(db, v, &left), 0);
	assert_int_equal(left, 10);

	/* Off: the codes go with it, and enrolment may start again. */
	CHECK(db, db_begin_write(db));
	CHECK(db, totp_disable(db, u));
	CHECK(db, db_commit(db));
	bool on = true;
	assert_int_equal(totp_enabled(db, u, &on), 0);
	assert_false(on);
	assert_int_equal(totp_use_recovery(db, KEY, u, fresh[9], NOW), TOTP_EINVALID);
	assert_int_equal(totp_recovery_remaining(db, u, &left), 0);
	assert_int_equal(left, 0);
	char kept[TOTP_RECOVERY_TEXT];
	memcpy(kept, fresh[9], sizeof kept);
	assert_int_equal(totp_recovery_regenerate(db, KEY, u, fresh), TOTP_ENOTENROLLED);
	assert_int_equal(fresh[0][0], '\0'); /* nothing to show */
	assert_int_equal(query_int(db, "SELECT count(*) FROM user_mfa"), 1);
	CHECK(db, totp_disable(db, u)); /* twice: fine */
	CHECK(db, totp_enrol_begin(db, KEY, u, secret));
	/* a pending re-enrolment is not "on", and old codes stay dead */
	assert_int_equal(totp_enabled(db, u, &on), 0);
	assert_false(on);
	assert_int_equal(totp_use_recovery(db, KEY, u, kept, NOW), TOTP_EINVALID);
}

static void test_challenge(void **state)
{
	struct db *db = *state;
	char tok[MFA_CHALLENGE_TOKEN_LEN + 1], tok2[MFA_CHALLENGE_TOKEN_LEN + 1], hash[65];
	int64_t who = -1;
	int64_t u = make_user(db, "frank@example.org", false);
	uint8_t d[32];

	CHECK(db, mfa_challenge_create(db, u, NOW, tok));
	assert_int_equal(strlen(tok), MFA_CHALLENGE_TOKEN_LEN);
	CHECK(db, mfa_challenge_create(db, u, NOW, tok2));
	assert_string_not_equal(tok, tok2);
	/* Stored as its SHA-256 only. */
	crypto_sha256(d, tok, strlen(tok));
	crypto_hex(hash, d, 32);
	struct db_stmt *st;
	CHECK(db, db_prepare(db, "SELECT count(*) FROM mfa_challenges WHERE token_hash = $1", &st));
	CHECK(db, db_bind_text(st, 1, hash, 64));
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int64(st, 0), 1);
	db_finalize(st);
	CHECK(db, db_prepare(db, "SELECT count(*) FROM mfa_challenges WHERE token_hash = $1", &st));
	CHECK(db, db_bind_text(st, 1, tok, (size_t)-1));
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int64(st, 0), 0);
	db_finalize(st);

	/* Good for five minutes, not a second more; taking does not delete. */
	assert_int_equal(mfa_challenge_take(db, tok, NOW, &who), 0);
	assert_true(who == u);
	assert_int_equal(mfa_challenge_take(db, tok, NOW + 299, &who), 0);
	assert_true(who == u);
	assert_int_equal(mfa_challenge_take(db, tok, NOW + 300, &who), DB_DONE);
	assert_int_equal(who, 0);
	assert_int_equal(mfa_challenge_take(db, tok, NOW + 86400, &who), DB_DONE);
	assert_int_equal(mfa_challenge_take(db, tok, NOW + 1, &who), 0);

	/* Unknown and malformed tokens. */
	char wrong[MFA_CHALLENGE_TOKEN_LEN + 1];
	memcpy(wrong, tok, sizeof wrong);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_int_equal(mfa_challenge_take(db, wrong, NOW, &who), DB_DONE);
	assert_int_equal(mfa_challenge_take(db, "", NOW, &who), DB_DONE);
	assert_int_equal(mfa_challenge_take(db, NULL, NOW, &who), DB_DONE);
	memcpy(wrong, tok, sizeof wrong);
	wrong[7] = '\'';
	assert_int_equal(mfa_challenge_take(db, wrong, NOW, &who), DB_DONE);
	char longer[MFA_CHALLENGE_TOKEN_LEN + 2];
	snprintf(longer, sizeof longer, "%sA", tok);
	assert_int_equal(mfa_challenge_take(db, longer, NOW, &who), DB_DONE);

	/* Delete one; the other lives on. */
	CHECK(db, mfa_challenge_delete(db, tok));
	assert_int_equal(mfa_challenge_take(db, tok, NOW, &who), DB_DONE);
	assert_int_equal(mfa_challenge_take(db, tok2, NOW, &who), 0);
	CHECK(db, mfa_challenge_delete(db, tok));
	CHECK(db, mfa_challenge_delete(db, "junk"));

	/* A later create prunes the expired ones. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM mfa_challenges"), 1);
	CHECK(db, mfa_challenge_create(db, u, NOW + 300, tok));
	assert_int_equal(query_int(db, "SELECT count(*) FROM mfa_challenges"), 1);
	assert_int_equal(mfa_challenge_take(db, tok, NOW + 301, &who), 0);

	/* Turning MFA off ends the user's challenges. */
	CHECK(db, totp_disable(db, u));
	assert_int_equal(mfa_challenge_take(db, tok, NOW + 301, &who), DB_DONE);
	/* A challenge for nobody is refused by the store. */
	assert_int_equal(mfa_challenge_create(db, u + 1000, NOW, tok), DB_ECONSTRAINT);
	assert_int_equal(tok[0], '\0');
}

static void test_required(void **state)
{
	struct db *db = *state;
	bool req = true;
	int64_t org = 0, strict = 0;
	int64_t plain = make_user(db, "plain@example.org", false);
	int64_t admin = make_user(db, "root@example.org", true);
	int64_t oadm = make_user(db, "oadm@example.org", false);
	int64_t lead = make_user(db, "lead@example.org", false);
	int64_t trainer = make_user(db, "trainer@example.org", false);
	int64_t both = make_user(db, "both@example.org", false);

	CHECK(db, accounts_org_create(db, "metro-pd", "Metro PD", "law_enforcement", "", &org));
	CHECK(db, accounts_org_create(db, "strict", "Strict DA", "prosecutor", "", &strict));
	CHECK(db, accounts_membership_add(db, oadm, org, "org_admin"));
	CHECK(db, accounts_membership_add(db, lead, org, "leader"));
	CHECK(db, accounts_membership_add(db, trainer, org, "trainer"));
	CHECK(db, accounts_membership_add(db, both, org, "officer"));
	CHECK(db, accounts_membership_add(db, both, strict, "analyst"));

	struct {
		int64_t id;
		bool want;
	} before[] = {{plain, false},   {admin, true}, {oadm, true}, {lead, true},
	              {trainer, false}, {both, false}, {9999, false}};
	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
		CHECK(db, mfa_required(db, before[i].id, &req));
		if (req != before[i].want)
			fail_msg("user %lld: required = %d", (long long)before[i].id, req);
	}
	/* An organization that requires it: every member, whatever the role
	 * and whichever organization is active. */
	runf(db, "UPDATE organizations SET mfa_required = 1 WHERE id = %lld", (long long)strict);
	CHECK(db, mfa_required(db, both, &req));
	assert_true(req);
	CHECK(db, mfa_required(db, trainer, &req));
	assert_false(req);
	runf(db, "UPDATE organizations SET mfa_required = 1 WHERE id = %lld", (long long)org);
	CHECK(db, mfa_required(db, trainer, &req));
	assert_true(req);
	CHECK(db, mfa_required(db, plain, &req));
	assert_false(req);
}

/* -------------------------------------------------------------------- main */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_rfc6238_vectors),
	        cmocka_unit_test(test_window),
	        cmocka_unit_test(test_reuse_pure),
	        cmocka_unit_test(test_code_format),
	        cmocka_unit_test(test_new_secret),
	        cmocka_unit_test(test_derive_key),
	        cmocka_unit_test(test_macs),
	        cmocka_unit_test(test_seal_open),
	        cmocka_unit_test(test_unb64url),
	        cmocka_unit_test(test_uri),
	        cmocka_unit_test(test_qr_svg),
	};
	const struct CMUnitTest common[] = {
	        T(test_enrol),          T(test_verify),
	        T(test_sealed_binding), T(test_verify_concurrent),
	        T(test_recovery),       T(test_challenge),
	        T(test_required),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0 || totp_init() != 0) {
		fprintf(stderr, "crypto_init or totp_init failed\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("totp", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("totp on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("totp on PostgreSQL", common, group_pg, NULL);
	} else {
		printf("[  SKIPPED ] totp on PostgreSQL: %zu tests skipped (set CSEC_TEST_PG_URL, "
		       "e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
