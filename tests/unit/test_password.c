/* tests/unit/test_password.c — auth/password and the crypto_pw_* wrappers:
 * the length rule in code points, the common-password list, argon2id hashing
 * and verification, and the cost of password_burn. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "core/crypto.h"
#include "core/embed.h"

static int group_setup(void **state)
{
	(void)state;
	return password_init() == 0 ? 0 : -1;
}

static int policy(const char *s)
{
	return password_check_policy(s, strlen(s));
}

/* n copies of the UTF-8 sequence u into out (room for n * strlen(u) + 1). */
static const char *repeat(char *out, const char *u, size_t n)
{
	size_t k = strlen(u);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * k, u, k);
	out[n * k] = '\0';
	return out;
}

static void policy_counts_code_points(void **state)
{
	(void)state;
	char b[4 * 200 + 1];
	assert_int_equal(policy(""), PASSWORD_TOO_SHORT);
	assert_int_equal(policy("x7#Kq2!"), PASSWORD_TOO_SHORT); /* 7 */
	assert_int_equal(policy("x7#Kq2!p"), PASSWORD_OK); /* 8 */
	/* 7 two-byte characters are 14 bytes but 7 code points. */
	assert_int_equal(policy(repeat(b, "é", 7)), PASSWORD_TOO_SHORT);
	assert_int_equal(policy(repeat(b, "é", 8)), PASSWORD_OK);
	/* 7 four-byte emoji (28 bytes), then 8. */
	assert_int_equal(policy(repeat(b, "\xF0\x9F\x94\x92", 7)), PASSWORD_TOO_SHORT);
	assert_int_equal(policy(repeat(b, "\xF0\x9F\x94\x92", 8)), PASSWORD_OK);
	/* Three-byte CJK, mixed with ASCII: "ab" + 6 x U+5BC6 = 8 code points. */
	snprintf(b, sizeof b, "ab%s", "密密密密密密");
	assert_int_equal(policy(b), PASSWORD_OK);
	b[strlen(b) - 3] = '\0';
	assert_int_equal(policy(b), PASSWORD_TOO_SHORT);
}

static void policy_long_boundaries(void **state)
{
	(void)state;
	char b[4 * 200 + 1];
	assert_int_equal(policy(repeat(b, "q", 64)), PASSWORD_OK);
	assert_int_equal(policy(repeat(b, "q", 128)), PASSWORD_OK);
	assert_int_equal(policy(repeat(b, "q", 129)), PASSWORD_TOO_LONG);
	/* 128 four-byte characters are 512 bytes and still allowed. */
	assert_int_equal(policy(repeat(b, "\xF0\x9F\x94\x92", 128)), PASSWORD_OK);
	assert_int_equal(policy(repeat(b, "\xF0\x9F\x94\x92", 129)), PASSWORD_TOO_LONG);
	assert_int_equal(policy(repeat(b, "ж", 129)), PASSWORD_TOO_LONG);
}

static void policy_rejects_invalid_utf8(void **state)
{
	(void)state;
	static const char *bad[] = {
	        "abcdefg\xFF", /* not a UTF-8 byte */
	        "abcdefgh\xC3", /* truncated sequence */
	        "abcdefgh\xC0\xAF", /* overlong "/" */
	        "abcdefgh\xED\xA0\x80", /* surrogate U+D800 */
	        "abcdefgh\xF4\x90\x80\x80", /* above U+10FFFF */
	        "\x80\x80\x80\x80\x80\x80\x80\x80\x80", /* lone continuation bytes */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(policy(bad[i]), PASSWORD_INVALID);
	/* An embedded NUL, and a NULL pointer with a length. */
	assert_int_equal(password_check_policy("abcd\0efghij", 11), PASSWORD_INVALID);
	assert_int_equal(password_check_policy(NULL, 9), PASSWORD_INVALID);
	assert_int_equal(password_check_policy(NULL, 0), PASSWORD_TOO_SHORT);
	/* Invalid wins over too short. */
	assert_int_equal(policy("\xFF"), PASSWORD_INVALID);
}

static void policy_refuses_common_in_any_case(void **state)
{
	(void)state;
	assert_true(password_common_count() > 500);
	assert_int_equal(policy("password"), PASSWORD_COMMON);
	assert_int_equal(policy("PASSWORD"), PASSWORD_COMMON);
	assert_int_equal(policy("PassWord1"), PASSWORD_COMMON);
	assert_int_equal(policy("12345678"), PASSWORD_COMMON);
	assert_int_equal(policy("iloveyou"), PASSWORD_COMMON);
	assert_int_equal(policy("qwertyuiop"), PASSWORD_COMMON);
	assert_int_equal(policy("!@#$%^&*"), PASSWORD_COMMON); /* first entry */
	/* Exact match only: a prefix, an extension or a space is not a hit. */
	assert_int_equal(policy("password1x"), PASSWORD_OK);
	assert_int_equal(policy("passwor"), PASSWORD_TOO_SHORT);
	assert_int_equal(policy(" password"), PASSWORD_OK);
	assert_int_equal(policy("correct horse battery staple"), PASSWORD_OK);
	assert_int_equal(policy("Tr0ub4dor&3x"), PASSWORD_OK);
	/* Non-ASCII letters are not folded: the list is ASCII anyway. */
	assert_int_equal(policy("pÄssword"), PASSWORD_OK);
}

static void policy_every_list_entry_is_refused(void **state)
{
	(void)state;
	const struct embed_file *f = embed_find("web/data/common-passwords.txt");
	assert_non_null(f);
	const char *p = (const char *)f->data;
	const char *end = (const char *)f->end;
	size_t lines = 0;
	char up[256];
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		assert_true(n >= PASSWORD_MIN_CHARS && n < sizeof up);
		assert_int_equal(password_check_policy(p, n), PASSWORD_COMMON);
		for (size_t i = 0; i < n; i++)
			up[i] = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 32) : p[i];
		assert_int_equal(password_check_policy(up, n), PASSWORD_COMMON);
		lines++;
		p = nl ? nl + 1 : end;
	}
	assert_int_equal(lines, password_common_count());
}

static void policy_keys(void **state)
{
	(void)state;
	assert_null(password_policy_key(PASSWORD_OK));
	assert_string_equal(password_policy_key(PASSWORD_TOO_SHORT), "password.too_short");
	assert_string_equal(password_policy_key(PASSWORD_TOO_LONG), "password.too_long");
	assert_string_equal(password_policy_key(PASSWORD_COMMON), "password.common");
	assert_string_equal(password_policy_key(PASSWORD_INVALID), "password.invalid");
	assert_string_equal(password_policy_key(PASSWORD_UNAVAILABLE), "password.unavailable");
	assert_null(password_policy_key(-99));
}

static void hash_round_trip(void **state)
{
	(void)state;
	static const char pw[] = "grüne Äpfel am 7. Tag";
	char h[PASSWORD_HASH_BYTES];
	char h2[PASSWORD_HASH_BYTES];
	assert_int_equal(password_hash(pw, strlen(pw), h), 0);
	assert_int_equal(password_verify(h, pw, strlen(pw)), 0);
	/* Wrong password, one byte shorter, different case. */
	assert_int_equal(password_verify(h, "grüne äpfel am 7. Tag", strlen(pw)), -1);
	assert_int_equal(password_verify(h, pw, strlen(pw) - 1), -1);
	assert_int_equal(password_verify(h, "", 0), -1);
	/* A fresh salt each time: same password, different strings. */
	assert_int_equal(password_hash(pw, strlen(pw), h2), 0);
	assert_string_not_equal(h, h2);
	assert_int_equal(password_verify(h2, pw, strlen(pw)), 0);
}

static void hash_names_argon2id_and_parameters(void **state)
{
	(void)state;
	char h[PASSWORD_HASH_BYTES];
	char want[64];
	snprintf(want, sizeof want, "$argon2id$v=19$m=%u,t=%u,p=1$",
	         (unsigned)(CRYPTO_PW_MEMLIMIT / 1024), (unsigned)CRYPTO_PW_OPSLIMIT);
	assert_string_equal(want, "$argon2id$v=19$m=19456,t=2,p=1$");
	assert_int_equal(password_hash("x7#Kq2!p", 8, h), 0);
	assert_int_equal(strncmp(h, want, strlen(want)), 0);
	assert_true(strlen(h) < PASSWORD_HASH_BYTES);
	assert_true(CRYPTO_PW_MEMLIMIT >= 19u * 1024 * 1024 && CRYPTO_PW_OPSLIMIT >= 2);
}

static void verify_refuses_malformed(void **state)
{
	(void)state;
	char h[PASSWORD_HASH_BYTES];
	char cut[PASSWORD_HASH_BYTES];
	char huge[300];
	assert_int_equal(password_hash("x7#Kq2!p", 8, h), 0);
	memcpy(cut, h, sizeof cut);
	/* 43 base64 characters of tag cut to 37: a length no base64 text can
	 * have. (Cut to 38, it would decode to a shorter, valid-looking tag one
	 * time in 16, depending on the random salt's hash.) */
	cut[strlen(cut) - 6] = '\0';
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	memcpy(huge, h, strlen(h)); /* a real hash, then no NUL within 128 bytes */
	const char *bad[] = {
	        NULL,
	        "",
	        "!",
	        "garbage",
	        "$argon2id$",
	        "$argon2id$v=19$m=65536,t=3,p=1$bad",
	        "$argon2i$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
	        "$2y$10$abcdefghijklmnopqrstuuQ5b0k5Kqj6p7m2n3o4p5q6r7s8t9u0v",
	        cut,
	        huge,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(password_verify(bad[i], "x7#Kq2!p", 8), -1);
		assert_int_equal(crypto_pw_verify(bad[i], "x7#Kq2!p", 8), -1);
		assert_true(crypto_pw_needs_rehash(bad[i]));
	}
}

static void needs_rehash_only_for_other_parameters(void **state)
{
	(void)state;
	char h[PASSWORD_HASH_BYTES];
	char old[PASSWORD_HASH_BYTES + 16];
	assert_int_equal(password_hash("x7#Kq2!p", 8, h), 0);
	assert_false(crypto_pw_needs_rehash(h));
	/* The same salt and hash under the parameters an older build used
	 * (64 MiB, t = 3) and others: still parsed, flagged for rehash. */
	const char *rest = strstr(h, ",p=1$");
	assert_non_null(rest);
	snprintf(old, sizeof old, "$argon2id$v=19$m=65536,t=3%s", rest);
	assert_true(crypto_pw_needs_rehash(old));
	snprintf(old, sizeof old, "$argon2id$v=19$m=65536,t=2%s", rest);
	assert_true(crypto_pw_needs_rehash(old));
	snprintf(old, sizeof old, "$argon2i$v=19$m=65536,t=3%s", rest);
	assert_true(crypto_pw_needs_rehash(old));
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* burn must cost about what a verify costs; the bound is loose (a quarter)
 * so a busy CI machine does not make it flaky, yet a burn that skipped the
 * hash (microseconds) fails it by orders of magnitude. */
static void burn_costs_a_verify(void **state)
{
	(void)state;
	char h[PASSWORD_HASH_BYTES];
	assert_int_equal(password_hash("x7#Kq2!p", 8, h), 0);
	double best_verify = 1e9;
	double best_burn = 1e9;
	double best_missing = 1e9;
	for (int i = 0; i < 7; i++) { /* best of 7: robust on a busy machine */
		double t0 = seconds();
		assert_int_equal(password_verify(h, "wrong one", 9), -1);
		double t1 = seconds();
		password_burn("wrong one", 9);
		double t2 = seconds();
		assert_int_equal(password_verify("!", "wrong one", 9), -1);
		double t3 = seconds();
		if (t1 - t0 < best_verify)
			best_verify = t1 - t0;
		if (t2 - t1 < best_burn)
			best_burn = t2 - t1;
		if (t3 - t2 < best_missing)
			best_missing = t3 - t2;
	}
	print_message("verify %.1f ms, burn %.1f ms, verify of a disabled marker %.1f ms\n",
	              best_verify * 1e3, best_burn * 1e3, best_missing * 1e3);
	assert_true(best_burn > best_verify / 4);
	assert_true(best_missing > best_verify / 4);
	password_burn(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(policy_counts_code_points),
	        cmocka_unit_test(policy_long_boundaries),
	        cmocka_unit_test(policy_rejects_invalid_utf8),
	        cmocka_unit_test(policy_refuses_common_in_any_case),
	        cmocka_unit_test(policy_every_list_entry_is_refused),
	        cmocka_unit_test(policy_keys),
	        cmocka_unit_test(hash_round_trip),
	        cmocka_unit_test(hash_names_argon2id_and_parameters),
	        cmocka_unit_test(verify_refuses_malformed),
	        cmocka_unit_test(needs_rehash_only_for_other_parameters),
	        cmocka_unit_test(burn_costs_a_verify),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
