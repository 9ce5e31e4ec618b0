/* tests/unit/test_profile.c — what the profile pages stand on: the
 * User-Agent as session_create keeps it (whole UTF-8 characters, no control
 * characters), the POST/officer ID rule, the short browser description, and
 * the profile model (features/profile/model.h) on SQLite and, when
 * CSEC_TEST_PG_URL names a server, on PostgreSQL: the user row, live
 * sessions and ending them (never another person's), the organization's
 * time zone, and the count of recent reset links. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/accounts.h"
#include "auth/mailtoken.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/profile/model.h"

#include <stdio.h>
#include <string.h>

#include "store_helpers.h"

#define NOW 1800000000

/* ------------------------------------------------------- the User-Agent */

static const char *clean(const char *in, size_t outlen)
{
	static char out[512];
	assert_true(outlen <= sizeof out);
	size_t n = session_clean_user_agent(in, out, outlen);
	assert_int_equal(n, strlen(out));
	assert_true(n < outlen);
	assert_true(str_utf8_valid(out, n));
	return out;
}

static void test_ua_plain(void **state)
{
	(void)state;
	assert_string_equal(clean(NULL, 200), "");
	assert_string_equal(clean("", 200), "");
	assert_string_equal(clean("Mozilla/5.0 (X11; Linux x86_64)", 200),
	                    "Mozilla/5.0 (X11; Linux x86_64)");
	assert_string_equal(clean("abc", 1), "");
	assert_string_equal(clean("abc", 3), "ab");
}

/* Every cut falls before a character that does not fit whole: 2, 3 and
 * 4-byte characters at every position around the end. */
static void test_ua_cut_at_boundary(void **state)
{
	(void)state;
	static const char *chars[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x94\x92"};
	char in[300], want[300];
	for (size_t c = 0; c < 3; c++) {
		size_t k = strlen(chars[c]);
		for (size_t pad = 195; pad <= 199; pad++) {
			memset(in, 'a', pad);
			memcpy(in + pad, chars[c], k);
			in[pad + k] = '\0';
			const char *out = clean(in, SESSION_UA_MAX + 1);
			memcpy(want, in, pad + k + 1);
			if (pad + k > SESSION_UA_MAX)
				want[pad] = '\0'; /* the character does not fit: dropped whole */
			assert_string_equal(out, want);
		}
	}
	/* Long text of two-byte characters: 199 bytes hold 99 of them. */
	char many[401];
	for (size_t i = 0; i < 200; i++)
		memcpy(many + 2 * i, "\xC3\xA9", 2);
	many[400] = '\0';
	assert_int_equal(strlen(clean(many, SESSION_UA_MAX + 1)), 198);
}

static void test_ua_controls_and_bad_bytes(void **state)
{
	(void)state;
	/* C0 (tab, newline, ESC), DEL and C1 (U+0085, U+009B) are dropped. */
	assert_string_equal(clean("Fire\tfox\r\n/1\x1b[31m\x7f"
	                          "2\xC2\x85\xC2\x9B!",
	                          200),
	                    "Firefox/1[31m2!");
	/* A stray continuation byte, a lead byte without its continuation, an
	 * overlong form, a surrogate, past U+10FFFF, 0xFF, and a sequence cut
	 * off at the end: dropped, the text around them kept. */
	assert_string_equal(clean("a\x80"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("a\xC3"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("a\xC0\xAF"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("a\xE0\x80\xAF"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("a\xED\xA0\x80"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("a\xF4\x90\x80\x80"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("a\xFF"
	                          "b",
	                          200),
	                    "ab");
	assert_string_equal(clean("ab\xE2\x82", 200), "ab");
	/* Good characters of every length stay. */
	assert_string_equal(clean("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x92\xF4\x8F\xBF\xBF", 200),
	                    "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x92\xF4\x8F\xBF\xBF");
	/* Dropped controls do not count toward the length. */
	char in[600];
	memset(in, '\t', 300);
	memset(in + 300, 'x', 250);
	in[550] = '\0';
	assert_int_equal(strlen(clean(in, SESSION_UA_MAX + 1)), SESSION_UA_MAX);
}

/* ------------------------------------------------------- officer ID, agent */

static void test_officer_id(void **state)
{
	(void)state;
	char out[ACCOUNTS_OFFICER_ID_MAX + 1];
	static const struct {
		const char *in, *want, *err;
	} cases[] = {
	        {NULL, "", NULL},
	        {"", "", NULL},
	        {"   \t ", "", NULL},
	        {"12345", "12345", NULL},
	        {"  IL-12345/B.7 ", "IL-12345/B.7", NULL},
	        {"Badge 4411", "Badge 4411", NULL},
	        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL},
	        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, "officer_id.too_long"},
	        {"---", NULL, "officer_id.invalid"},
	        {"./ /", NULL, "officer_id.invalid"},
	        {"<script>", NULL, "officer_id.invalid"},
	        {"A_1", NULL, "officer_id.invalid"},
	        {"A\n1", NULL, "officer_id.invalid"},
	        {"A\t1", NULL, "officer_id.invalid"},
	        {"\xC3\x9C"
	         "1",
	         NULL, "officer_id.invalid"},
	        {"A'1", NULL, "officer_id.invalid"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *err = accounts_check_officer_id(cases[i].in, out, sizeof out);
		if (cases[i].err) {
			assert_non_null(err);
			assert_string_equal(err, cases[i].err);
		} else {
			assert_null(err);
			assert_string_equal(out, cases[i].want);
		}
	}
	/* A buffer too small for the value refuses it rather than cut it. */
	char small[4];
	assert_non_null(accounts_check_officer_id("12345", small, sizeof small));
}

static void test_describe_agent(void **state)
{
	(void)state;
	static const struct {
		const char *ua, *browser, *os;
	} cases[] = {
	        {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
	         "Firefox", "Linux"},
	        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "Chrome/126.0.0.0 Safari/537.36",
	         "Chrome", "Windows"},
	        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
	         "Edge", "Windows"},
	        {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
	         "Gecko) Version/17.5 Safari/605.1.15",
	         "Safari", "macOS"},
	        {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
	         "(KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1",
	         "Chrome", "iOS"},
	        {"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
	         "Samsung Internet", "Android"},
	        {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "Chrome/126.0.0.0 Safari/537.36",
	         "Chrome", "ChromeOS"},
	        {"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "Chrome/126.0.0.0 Safari/537.36 OPR/111.0",
	         "Opera", "Windows"},
	        {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "HeadlessChrome/126.0.0.0 Safari/537.36",
	         "Chrome", "Linux"},
	        {"curl/7.88.1", "curl", NULL},
	        {"node", NULL, NULL},
	        {"", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *b = (const char *)1, *o = (const char *)1;
		profile_describe_agent(cases[i].ua, &b, &o);
		if (cases[i].browser)
			assert_string_equal(b, cases[i].browser);
		else
			assert_null(b);
		if (cases[i].os)
			assert_string_equal(o, cases[i].os);
		else
			assert_null(o);
	}
	const char *b = (const char *)1, *o = (const char *)1;
	profile_describe_agent(NULL, &b, &o);
	assert_null(b);
	assert_null(o);
}

/* --------------------------------------------------------------- the model */

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
	return fixture_group_sqlite("profile");
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

static int64_t add_user(struct db *db, const char *email)
{
	int64_t id = 0;
	CHECK(db, accounts_user_create(db, email, "Pat Doe", "hash", false, &id));
	return id;
}

static int64_t add_session(struct db *db, int64_t user, int64_t org, int64_t at)
{
	char token[SESSION_TOKEN_LEN + 1];
	CHECK(db, session_create(db, user, org, "203.0.113.9", "Firefox/1 (Linux)", at, token));
	return query_int(db, "SELECT MAX(id) FROM sessions");
}

static void test_user_row(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	struct profile_user u;
	int64_t id = add_user(db, "pat@example.org");
	CHECK(db, profile_user_get(db, a, id, &u));
	assert_int_equal(u.id, id);
	assert_string_equal(u.email, "pat@example.org");
	assert_string_equal(u.name, "Pat Doe");
	assert_string_equal(u.officer_id, "");
	assert_string_equal(u.status, "active");
	CHECK(db, accounts_user_update(db, id, "Pat Q. Doe", "IL-1234"));
	CHECK(db, accounts_user_update(db, id, NULL, NULL)); /* NULL keeps both */
	assert_int_equal(accounts_user_update(db, id + 100, "X", NULL), DB_DONE);
	CHECK(db, profile_password_set(db, id, "$argon2id$new"));
	CHECK(db, profile_user_get(db, a, id, &u));
	assert_string_equal(u.name, "Pat Q. Doe");
	assert_string_equal(u.officer_id, "IL-1234");
	assert_string_equal(u.password_hash, "$argon2id$new");
	assert_int_equal(profile_user_get(db, a, id + 100, &u), DB_DONE);
	arena_destroy(a);
}

static void test_sessions_live_and_own(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	struct auth_limits l;
	auth_limits_default(&l);
	int64_t pat = add_user(db, "pat@example.org"), sam = add_user(db, "sam@example.org");
	int64_t old = add_session(db, pat, 0, NOW - 600); /* live: seen 10 minutes ago */
	int64_t cur = add_session(db, pat, 0, NOW - 60);
	int64_t idle = add_session(db, pat, 0, NOW - l.idle_seconds - 1);
	int64_t ancient = add_session(db, pat, 0, NOW - l.lifetime_seconds - 1);
	runf(db, "UPDATE sessions SET last_seen_at = %d WHERE id = %lld", NOW,
	     (long long)ancient); /* busy, but past its absolute lifetime */
	int64_t theirs = add_session(db, sam, 0, NOW);

	struct profile_session list[PROFILE_SESSIONS_MAX];
	size_t n = 0;
	CHECK(db, profile_sessions(db, a, pat, NOW, &l, list, &n));
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, cur); /* most recently seen first */
	assert_int_equal(list[1].id, old);
	assert_int_equal(list[1].created_at, NOW - 600);
	assert_string_equal(list[0].client, "203.0.113.9");
	assert_string_equal(list[0].user_agent, "Firefox/1 (Linux)");

	/* Another person's session, or none: DB_DONE, and nothing ends. */
	assert_int_equal(profile_session_end(db, pat, theirs), DB_DONE);
	assert_int_equal(profile_session_end(db, pat, theirs + 100), DB_DONE);
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM sessions"), 5);
	CHECK(db, profile_session_end(db, pat, old));
	assert_int_equal(profile_session_end(db, pat, old), DB_DONE);

	int ended = -1;
	CHECK(db, profile_sessions_end_others(db, pat, cur, &ended));
	assert_int_equal(ended, 2); /* idle and ancient: gone too */
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM sessions"), 2);
	CHECK(db, profile_sessions(db, a, pat, NOW, &l, list, &n));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, cur);
	CHECK(db, profile_sessions(db, a, sam, NOW, &l, list, &n));
	assert_int_equal(n, 1);
	(void)idle;
	arena_destroy(a);
}

static void test_sessions_capped(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	struct auth_limits l;
	auth_limits_default(&l);
	int64_t pat = add_user(db, "pat@example.org");
	CHECK(db, db_begin_write(db));
	for (int i = 0; i < PROFILE_SESSIONS_MAX + 5; i++)
		add_session(db, pat, 0, NOW - i);
	CHECK(db, db_commit(db));
	struct profile_session list[PROFILE_SESSIONS_MAX];
	size_t n = 0;
	CHECK(db, profile_sessions(db, a, pat, NOW, &l, list, &n));
	assert_int_equal(n, PROFILE_SESSIONS_MAX);
	assert_int_equal(list[0].last_seen_at, NOW);
	arena_destroy(a);
}

static void test_org_zone(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	int64_t org = 0;
	const char *zone = NULL;
	CHECK(db, accounts_org_create(db, "metro-pd", "Metro PD", "law_enforcement", "IL", &org));
	CHECK(db, accounts_org_zone(db, a, 0, &zone));
	assert_string_equal(zone, "UTC");
	CHECK(db, accounts_org_zone(db, a, org, &zone));
	assert_string_equal(zone, "America/New_York"); /* the column's default */
	runf(db, "UPDATE organizations SET time_zone = 'America/Chicago' WHERE id = %lld",
	     (long long)org);
	CHECK(db, accounts_org_zone(db, a, org, &zone));
	assert_string_equal(zone, "America/Chicago");
	runf(db, "UPDATE organizations SET time_zone = 'Mars/Olympus' WHERE id = %lld",
	     (long long)org);
	CHECK(db, accounts_org_zone(db, a, org, &zone));
	assert_string_equal(zone, "UTC");
	CHECK(db, accounts_org_zone(db, a, org + 100, &zone));
	assert_string_equal(zone, "UTC");
	arena_destroy(a);
}

static void test_reset_count(void **state)
{
	struct db *db = *state;
	int64_t pat = add_user(db, "pat@example.org"), sam = add_user(db, "sam@example.org");
	char token[MAILTOKEN_LEN + 1];
	int n = -1;
	CHECK(db, profile_reset_mails_since(db, pat, NOW - 900, &n));
	assert_int_equal(n, 0);
	CHECK(db, mailtoken_create(db, "reset", pat, NOW - 1000, 1800, token));
	CHECK(db, mailtoken_create(db, "reset", pat, NOW - 900, 1800, token));
	CHECK(db, mailtoken_create(db, "reset", pat, NOW - 10, 1800, token));
	CHECK(db, mailtoken_create(db, "verify", pat, NOW - 10, 1800, token));
	CHECK(db, mailtoken_create(db, "reset", sam, NOW - 10, 1800, token));
	/* Spent links count too: the limit is on mails sent. */
	CHECK(db, mailtoken_revoke_user(db, "reset", pat, NOW));
	CHECK(db, profile_reset_mails_since(db, pat, NOW - 900, &n));
	assert_int_equal(n, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_ua_plain),
	        cmocka_unit_test(test_ua_cut_at_boundary),
	        cmocka_unit_test(test_ua_controls_and_bad_bytes),
	        cmocka_unit_test(test_officer_id),
	        cmocka_unit_test(test_describe_agent),
	};
	const struct CMUnitTest common[] = {
	        T(test_user_row), T(test_sessions_live_and_own), T(test_sessions_capped),
	        T(test_org_zone), T(test_reset_count),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("profile", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("profile on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("profile on PostgreSQL", common, group_pg,
		                                      NULL);
	} else {
		printf("[  SKIPPED ] profile on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. through scripts/with-pg)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
