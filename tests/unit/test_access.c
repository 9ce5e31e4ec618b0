/* tests/unit/test_access.c — the policy table (auth/policy.h), time zones
 * (core/tz.h) and the single-use mail tokens (auth/mailtoken.h, on SQLite
 * always and on PostgreSQL when CSEC_TEST_PG_URL names a server). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/mailtoken.h"
#include "auth/policy.h"
#include "core/crypto.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/migrate.h"

#include "store_helpers.h"

/* ---------------------------------------------------------------- policy */

static struct principal as_role(const char *role)
{
	return (struct principal){.authenticated = true, .user_id = 7, .org_id = 3, .role = role};
}

static void test_policy_anyone_and_signed_in(void **state)
{
	(void)state;
	struct principal anon = {0}, officer = as_role("officer");
	assert_true(policy_allows("public", &anon));
	assert_true(policy_allows("public", NULL));
	assert_false(policy_allows("signed_in", &anon));
	assert_true(policy_allows("signed_in", &officer));
}

static void test_policy_org_roles(void **state)
{
	(void)state;
	for (int r = 0; r < POLICY_ROLES; r++) {
		struct principal p = as_role(policy_role_name(r));
		bool admin = r == POLICY_ROLE_ORG_ADMIN;
		assert_int_equal(policy_allows("org.members.manage", &p), admin);
		assert_int_equal(policy_allows("org.settings.manage", &p), admin);
		assert_false(policy_allows("site.orgs.manage", &p));
		assert_false(policy_allows("audit.read", &p));
	}
	/* An org role needs an active organization in the session. */
	struct principal no_org = as_role("org_admin");
	no_org.org_id = 0;
	assert_false(policy_allows("org.members.manage", &no_org));
	/* A role the table does not know holds nothing. */
	struct principal odd = as_role("chief");
	assert_false(policy_allows("org.members.manage", &odd));
	struct principal none = as_role(NULL);
	assert_false(policy_allows("org.members.manage", &none));
}

static void test_policy_site_admin(void **state)
{
	(void)state;
	struct principal admin = {.authenticated = true, .site_admin = true, .user_id = 1};
	struct principal forged = {.authenticated = false, .site_admin = true};
	assert_true(policy_allows("site.orgs.manage", &admin));
	assert_true(policy_allows("audit.read", &admin));
	assert_false(policy_allows("site.orgs.manage", &forged));
	/* Site admins hold no org permission without a membership role. */
	assert_false(policy_allows("org.members.manage", &admin));
}

static void test_policy_unknown_denied(void **state)
{
	(void)state;
	struct principal admin = {.authenticated = true, .site_admin = true};
	assert_false(policy_known("no.such.permission"));
	assert_false(policy_allows("no.such.permission", &admin));
	assert_false(policy_allows(NULL, &admin));
	assert_int_equal(policy_role("org_admin"), POLICY_ROLE_ORG_ADMIN);
	assert_int_equal(policy_role("Org_Admin"), -1);
	assert_null(policy_role_name(POLICY_ROLES));
}

static void test_policy_roles_or_site_admin(void **state)
{
	(void)state;
	struct principal admin = {.authenticated = true, .site_admin = true};
	struct principal editor = {.authenticated = true, .org_id = 3, .role = "editor"};
	struct principal officer = {.authenticated = true, .org_id = 3, .role = "officer"};
	struct principal no_org = {.authenticated = true, .role = "editor"};
	assert_true(policy_allows("content.edit", &admin));
	assert_true(policy_allows("content.edit", &editor));
	assert_false(policy_allows("content.edit", &officer));
	assert_false(policy_allows("content.edit", &no_org));
	assert_false(policy_allows("content.edit", &(struct principal){0}));
	assert_false(policy_allows("content.org.write", &admin)); /* an org's own pages */
	assert_true(policy_allows("content.manage", &admin));
	assert_false(policy_allows("content.manage", &editor));
}

static void test_policy_table_describes_every_row(void **state)
{
	(void)state;
	unsigned n = 0;
	const struct policy_row *rows = policy_table(&n);
	assert_true(n >= 8);
	for (unsigned i = 0; i < n; i++) {
		int kinds = rows[i].anyone + rows[i].signed_in + rows[i].site_admin +
		        (rows[i].roles != 0);
		/* one kind of holder, or site admins together with some roles */
		if (rows[i].site_admin && rows[i].roles != 0)
			assert_int_equal(kinds, 2);
		else
			assert_int_equal(kinds, 1);
		assert_non_null(rows[i].who);
		assert_non_null(rows[i].scope);
		assert_true(policy_known(rows[i].permission));
	}
}

/* --------------------------------------------------------------- time zones */

static void test_tz_valid(void **state)
{
	(void)state;
	assert_true(tz_valid("America/Chicago"));
	assert_true(tz_valid("Pacific/Honolulu"));
	assert_true(tz_valid("UTC"));
	assert_false(tz_valid("Mars/Olympus_Mons"));
	assert_false(tz_valid(""));
	assert_false(tz_valid(NULL));
	assert_false(tz_valid("America/Chicago\n"));
	char long_name[200];
	memset(long_name, 'A', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_false(tz_valid(long_name));
}

static void test_tz_format(void **state)
{
	(void)state;
	char out[64];
	/* 2026-01-15 18:30:00 UTC: winter, CST is UTC-6. */
	assert_int_equal(
	        tz_format(1768501800, "America/Chicago", "yyyy-MM-dd HH:mm zzz", out, sizeof out),
	        0);
	assert_string_equal(out, "2026-01-15 12:30 CST");
	/* 2026-07-15 18:30:00 UTC: summer, CDT is UTC-5. */
	assert_int_equal(tz_format(1784140200, "America/Chicago", "HH:mm zzz", out, sizeof out), 0);
	assert_string_equal(out, "13:30 CDT");
	/* An unknown zone falls back to UTC. */
	assert_int_equal(tz_format(1768501800, "Nowhere/Land", "HH:mm zzz", out, sizeof out), 0);
	assert_string_equal(out, "18:30 UTC");
	/* Too small a buffer is an error with an empty result. */
	char tiny[4];
	assert_int_equal(tz_format(1768501800, "UTC", "yyyy-MM-dd", tiny, sizeof tiny), -1);
	assert_string_equal(tiny, "");
}

/* ------------------------------------------------------------ mail tokens */

static int setup(void **state)
{
	*state = fixture_open(true);
	struct db *db = *state;
	runf(db, "INSERT INTO users (email, name) VALUES ('%s', 'A'), ('%s', 'B')", "a@x.example",
	     "b@x.example");
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

static void test_mailtoken_single_use(void **state)
{
	struct db *db = *state;
	char token[MAILTOKEN_LEN + 1];
	int64_t uid = 0;
	CHECK(db, mailtoken_create(db, "reset", 1, 1000, MAILTOKEN_RESET_SECONDS, token));
	assert_int_equal(strlen(token), MAILTOKEN_LEN);
	assert_int_equal(query_int(db, "SELECT count(*) FROM email_tokens"), 1);
	/* Only the hash is stored. */
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM email_tokens WHERE token_hash = '%s'",
	         token);
	assert_int_equal(query_int(db, sql), 0);
	assert_int_equal(mailtoken_peek(db, "reset", token, 1001, &uid), DB_OK);
	assert_int_equal(uid, 1);
	assert_int_equal(mailtoken_peek(db, "verify", token, 1001, &uid), DB_DONE);
	assert_int_equal(mailtoken_take(db, "reset", token, 1002, &uid), DB_OK);
	assert_int_equal(mailtoken_take(db, "reset", token, 1003, &uid), DB_DONE);
	assert_int_equal(mailtoken_peek(db, "reset", token, 1003, &uid), DB_DONE);
}

static void test_mailtoken_expiry_and_revoke(void **state)
{
	struct db *db = *state;
	char t1[MAILTOKEN_LEN + 1], t2[MAILTOKEN_LEN + 1], t3[MAILTOKEN_LEN + 1];
	int64_t uid;
	CHECK(db, mailtoken_create(db, "reset", 1, 1000, 1800, t1));
	assert_int_equal(mailtoken_take(db, "reset", t1, 1000 + 1800, &uid), DB_DONE);
	CHECK(db, mailtoken_create(db, "reset", 1, 5000, 1800, t2));
	CHECK(db, mailtoken_create(db, "reset", 2, 5000, 1800, t3));
	CHECK(db, mailtoken_revoke_user(db, "reset", 1, 5001));
	assert_int_equal(mailtoken_take(db, "reset", t2, 5002, &uid), DB_DONE);
	assert_int_equal(mailtoken_take(db, "reset", t3, 5002, &uid), DB_OK);
	assert_int_equal(uid, 2);
}

static void test_mailtoken_malformed(void **state)
{
	struct db *db = *state;
	int64_t uid;
	assert_int_equal(mailtoken_peek(db, "reset", NULL, 1, &uid), DB_DONE);
	assert_int_equal(mailtoken_peek(db, "reset", "short", 1, &uid), DB_DONE);
	char odd[MAILTOKEN_LEN + 1];
	memset(odd, '%', MAILTOKEN_LEN);
	odd[MAILTOKEN_LEN] = '\0';
	assert_int_equal(mailtoken_take(db, "reset", odd, 1, &uid), DB_DONE);
}

static int group_sqlite(void **state)
{
	(void)state;
	return fixture_group_sqlite("access");
}

static int group_pg(void **state)
{
	(void)state;
	F.pg = true;
	snprintf(F.base, sizeof F.base, "%s", getenv("CSEC_TEST_PG_URL"));
	return 0;
}

static int group_done(void **state)
{
	(void)state;
	return F.pg ? 0 : fixture_group_sqlite_done();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest plain[] = {
	        cmocka_unit_test(test_policy_anyone_and_signed_in),
	        cmocka_unit_test(test_policy_org_roles),
	        cmocka_unit_test(test_policy_site_admin),
	        cmocka_unit_test(test_policy_unknown_denied),
	        cmocka_unit_test(test_policy_roles_or_site_admin),
	        cmocka_unit_test(test_policy_table_describes_every_row),
	        cmocka_unit_test(test_tz_valid),
	        cmocka_unit_test(test_tz_format),
	};
	const struct CMUnitTest store[] = {
	        T(test_mailtoken_single_use),
	        T(test_mailtoken_expiry_and_revoke),
	        T(test_mailtoken_malformed),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;
	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("policy and time zones", plain, NULL, NULL);
	failed += cmocka_run_group_tests_name("mail tokens on SQLite", store, group_sqlite,
	                                      group_done);
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("mail tokens on PostgreSQL", store, group_pg,
		                                      group_done);
	return failed ? 1 : 0;
}
