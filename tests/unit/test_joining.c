/* tests/unit/test_joining.c — the model of asking to join by email domain
 * (auth/joining.h) on SQLite, always, and on PostgreSQL when
 * CSEC_TEST_PG_URL names a server (each test in a fresh schema,
 * csec_unit): which organizations a domain opens (active ones only, the
 * exact domain), pending accounts and their verification, the state of a
 * confirmation token, and requests that an org admin can only see and
 * decide in their own organization, once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/accounts.h"
#include "auth/joining.h"
#include "auth/mailtoken.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_helpers.h"

#define NOW 1700000000

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
	return fixture_group_sqlite("joining");
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

/* Two active organizations and a disabled one: metro (law enforcement)
 * lists metro.example and auto-approves fast.example; county (child
 * welfare) lists metro.example too; closed (disabled) lists closed.example
 * and metro.example. Ids in *metro, *county, *closed. */
static void world(struct db *db, int64_t *metro, int64_t *county, int64_t *closed)
{
	CHECK(db, accounts_org_create(db, "metro", "Metro PD", "law_enforcement", "IL", metro));
	CHECK(db, accounts_org_create(db, "county", "County CW", "child_welfare", "IL", county));
	CHECK(db, accounts_org_create(db, "closed", "Aardvark Closed", "school", "", closed));
	runf(db, "UPDATE organizations SET status = 'disabled' WHERE id = %lld",
	     (long long)*closed);
	runf(db,
	     "INSERT INTO org_domains (org_id, domain, auto_approve) VALUES "
	     "(%lld, 'metro.example', 0), (%lld, 'fast.example', 1), (%lld, 'metro.example', 0), "
	     "(%lld, 'closed.example', 1), (%lld, 'metro.example', 1)",
	     (long long)*metro, (long long)*metro, (long long)*county, (long long)*closed,
	     (long long)*closed);
}

static int64_t person(struct db *db, const char *email)
{
	int64_t id = 0;
	CHECK(db, joining_user_create(db, email, "A Person", "$argon2id$x", &id));
	return id;
}

/* ------------------------------------------------------------------- pure */

static void test_domain_and_default_role(void **state)
{
	(void)state;
	assert_string_equal(joining_domain("ann@metro.example"), "metro.example");
	assert_string_equal(joining_domain("a@b@c.example"), "c.example");
	assert_null(joining_domain("ann@"));
	assert_null(joining_domain("ann"));
	assert_null(joining_domain(NULL));
	assert_string_equal(joining_default_role("law_enforcement"), "officer");
	assert_string_equal(joining_default_role("child_welfare"), "partner");
	assert_string_equal(joining_default_role("federal"), "partner");
	assert_string_equal(joining_default_role(NULL), "partner");
}

/* ---------------------------------------------------------------- domains */

static void test_domains(void **state)
{
	struct db *db = *state;
	int64_t metro, county, closed;
	world(db, &metro, &county, &closed);
	assert_int_equal(joining_domain_listed(db, "metro.example"), DB_OK);
	assert_int_equal(joining_domain_listed(db, "fast.example"), DB_OK);
	/* Exact domains only, and only active organizations. */
	assert_int_equal(joining_domain_listed(db, "sub.fast.example"), DB_DONE);
	assert_int_equal(joining_domain_listed(db, "example"), DB_DONE);
	assert_int_equal(joining_domain_listed(db, "closed.example"), DB_DONE);
	assert_int_equal(joining_domain_listed(db, ""), DB_DONE);
	assert_int_equal(joining_domain_listed(db, NULL), DB_DONE);

	struct arena *a = arena_create(1 << 20);
	struct joining_org *orgs = NULL;
	size_t n = 99;
	CHECK(db, joining_orgs_for_domain(db, a, "metro.example", &orgs, &n));
	assert_int_equal(n, 2); /* not the disabled one */
	assert_string_equal(orgs[0].name, "County CW"); /* by name */
	assert_int_equal(orgs[0].id, county);
	assert_string_equal(orgs[0].kind, "child_welfare");
	assert_false(orgs[0].auto_approve);
	assert_string_equal(orgs[1].name, "Metro PD");
	assert_false(orgs[1].auto_approve);
	CHECK(db, joining_orgs_for_domain(db, a, "fast.example", &orgs, &n));
	assert_int_equal(n, 1);
	assert_true(orgs[0].auto_approve);
	CHECK(db, joining_orgs_for_domain(db, a, "nowhere.example", &orgs, &n));
	assert_int_equal(n, 0);

	const char *name, *kind, *zone;
	CHECK(db, joining_org_info(db, a, metro, &name, &kind, &zone));
	assert_string_equal(name, "Metro PD");
	assert_string_equal(kind, "law_enforcement");
	assert_string_equal(zone, "America/New_York");
	assert_int_equal(joining_org_info(db, a, 9999, &name, &kind, &zone), DB_DONE);
	arena_destroy(a);
}

/* ------------------------------------------------------- people and tokens */

static void test_pending_people(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	int64_t id = person(db, "ann@metro.example"), dup = 0;
	assert_int_equal(joining_user_create(db, "ann@metro.example", "Other", "h", &dup),
	                 DB_ECONSTRAINT);
	struct account_user u;
	CHECK(db, joining_user_get(db, a, id, &u));
	assert_string_equal(u.status, "pending");
	assert_string_equal(u.email, "ann@metro.example");
	assert_string_equal(u.name, "A Person");
	assert_false(u.site_admin);
	assert_int_equal(query_int(db, "SELECT email_verified FROM users"), 0);
	assert_int_equal(joining_user_get(db, a, id + 100, &u), DB_DONE);

	CHECK(db, joining_user_verify(db, id));
	CHECK(db, joining_user_get(db, a, id, &u));
	assert_string_equal(u.status, "active");
	assert_int_equal(query_int(db, "SELECT email_verified FROM users"), 1);

	/* A disabled account gets its address confirmed, and stays disabled. */
	int64_t off = person(db, "bob@metro.example");
	runf(db, "UPDATE users SET status = 'disabled' WHERE id = %lld", (long long)off);
	CHECK(db, joining_user_verify(db, off));
	CHECK(db, joining_user_get(db, a, off, &u));
	assert_string_equal(u.status, "disabled");
	arena_destroy(a);
}

static void test_token_state(void **state)
{
	struct db *db = *state;
	int64_t id = person(db, "ann@metro.example"), who = 0;
	enum joining_token_state s;
	char live[MAILTOKEN_LEN + 1], used[MAILTOKEN_LEN + 1], old[MAILTOKEN_LEN + 1];
	char reset[MAILTOKEN_LEN + 1];
	CHECK(db, mailtoken_create(db, "verify", id, NOW, MAILTOKEN_VERIFY_SECONDS, live));
	CHECK(db, mailtoken_create(db, "verify", id, NOW, MAILTOKEN_VERIFY_SECONDS, used));
	CHECK(db,
	      mailtoken_create(db, "verify", id, NOW - 2 * MAILTOKEN_VERIFY_SECONDS,
	                       MAILTOKEN_VERIFY_SECONDS, old));
	CHECK(db, mailtoken_create(db, "reset", id, NOW, MAILTOKEN_RESET_SECONDS, reset));
	CHECK(db, mailtoken_take(db, "verify", used, NOW, &who));
	assert_int_equal(who, id);

	CHECK(db, joining_token_state(db, live, NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_LIVE);
	CHECK(db, joining_token_state(db, used, NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_SPENT);
	CHECK(db, joining_token_state(db, old, NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_SPENT);
	/* The live one expires at exactly 24 hours. */
	CHECK(db, joining_token_state(db, live, NOW + MAILTOKEN_VERIFY_SECONDS, &s));
	assert_int_equal(s, JOINING_TOKEN_SPENT);
	/* A reset token is no verify token. */
	CHECK(db, joining_token_state(db, reset, NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_UNKNOWN);
	char other[MAILTOKEN_LEN + 1];
	memset(other, 'A', MAILTOKEN_LEN);
	other[MAILTOKEN_LEN] = '\0';
	CHECK(db, joining_token_state(db, other, NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_UNKNOWN);
	CHECK(db, joining_token_state(db, "short", NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_UNKNOWN);
	CHECK(db, joining_token_state(db, NULL, NOW, &s));
	assert_int_equal(s, JOINING_TOKEN_UNKNOWN);
}

/* --------------------------------------------------------------- requests */

static void test_requests_stay_in_their_organization(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	int64_t metro, county, closed, r1, r2, r3, id;
	world(db, &metro, &county, &closed);
	int64_t ann = person(db, "ann@metro.example"), bob = person(db, "bob@metro.example");
	CHECK(db, joining_request_create(db, ann, metro, NOW, &r1));
	CHECK(db, joining_request_create(db, ann, county, NOW + 1, &r2));
	CHECK(db, joining_request_create(db, bob, metro, NOW + 2, &r3));

	assert_int_equal(joining_request_pending(db, ann, metro, &id), DB_OK);
	assert_int_equal(id, r1);
	assert_int_equal(joining_request_pending(db, ann, closed, &id), DB_DONE);

	struct joining_request r;
	CHECK(db, joining_request_get(db, a, metro, r1, &r));
	assert_int_equal(r.user_id, ann);
	assert_int_equal(r.org_id, metro);
	assert_int_equal(r.created_at, NOW);
	assert_string_equal(r.status, "pending");
	assert_string_equal(r.email, "ann@metro.example");
	/* Another organization's request is not found from here. */
	assert_int_equal(joining_request_get(db, a, county, r1, &r), DB_DONE);
	assert_int_equal(joining_request_get(db, a, metro, 9999, &r), DB_DONE);

	json_t *list = NULL;
	CHECK(db, joining_requests_pending(db, metro, &list));
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), r1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "email")),
	                    "bob@metro.example");
	json_decref(list);

	/* Decided once: not from the other organization, not twice. */
	assert_int_equal(joining_request_decide(db, county, r1, "approved", bob, NOW), DB_DONE);
	CHECK(db, joining_request_decide(db, metro, r1, "approved", bob, NOW + 5));
	assert_int_equal(joining_request_decide(db, metro, r1, "declined", bob, NOW + 6), DB_DONE);
	assert_int_equal(query_int(db,
	                           "SELECT decided_at FROM join_requests WHERE status = "
	                           "'approved'"),
	                 NOW + 5);
	assert_int_equal(joining_request_pending(db, ann, metro, &id), DB_DONE);
	CHECK(db, joining_requests_pending(db, metro, &list));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	/* The person's own view: pending ones in active organizations. */
	CHECK(db, joining_requests_of_user(db, ann, &list));
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "org")),
	                    "County CW");
	json_decref(list);
	runf(db, "UPDATE organizations SET status = 'disabled' WHERE id = %lld", (long long)county);
	CHECK(db, joining_requests_of_user(db, ann, &list));
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	assert_int_equal(joining_is_member(db, ann, metro), DB_DONE);
	CHECK(db, accounts_membership_add(db, ann, metro, "officer"));
	assert_int_equal(joining_is_member(db, ann, metro), DB_OK);
	runf(db, "UPDATE memberships SET status = 'disabled'");
	assert_int_equal(joining_is_member(db, ann, metro), DB_OK); /* in any state */
	arena_destroy(a);
}

/* -------------------------------------------------------------------- main */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_domain_and_default_role),
	};
	const struct CMUnitTest common[] = {
	        T(test_domains),
	        T(test_pending_people),
	        T(test_token_state),
	        T(test_requests_stay_in_their_organization),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("joining", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("joining on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("joining on PostgreSQL", common, group_pg,
		                                      NULL);
	} else {
		printf("[  SKIPPED ] joining on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
