/* tests/unit/test_tokens.c — personal access tokens (auth/tokens.h,
 * migration 0007's api_tokens). The validation and the token's form run
 * once; the model functions run on SQLite, always, and on PostgreSQL when
 * CSEC_TEST_PG_URL names a server (each test in a fresh schema): who may
 * have a token (never a site admin, an inactive person, someone who must
 * set up MFA first, nor past the cap on live tokens), that only the hash is
 * stored, the lookup's rules (revoked, expired, disabled, promoted to site
 * admin), the principal it fills, last_used_at at most once a minute, the
 * list, and revocation of one's own tokens only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/accounts.h"
#include "auth/session.h"
#include "auth/tokens.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_helpers.h"

#define NOW ((int64_t)1700000000)
#define DAY ((int64_t)86400)

/* ------------------------------------------------------------ pure parts */

static void test_check_name(void **state)
{
	(void)state;
	char name[4 * APITOKEN_NAME_MAX + 8];

	assert_non_null(apitoken_check_name(NULL));
	assert_string_equal(apitoken_check_name(""), "api.token.name.missing");
	assert_string_equal(apitoken_check_name("   "), "api.token.name.missing");
	assert_null(apitoken_check_name("Nightly export"));
	memset(name, 'x', APITOKEN_NAME_MAX);
	name[APITOKEN_NAME_MAX] = '\0';
	assert_null(apitoken_check_name(name));
	name[APITOKEN_NAME_MAX] = 'x';
	name[APITOKEN_NAME_MAX + 1] = '\0';
	assert_string_equal(apitoken_check_name(name), "api.token.name.invalid");
	/* Characters, not bytes: 100 two-byte letters are fine. */
	for (int i = 0; i < APITOKEN_NAME_MAX; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2); /* é */
	name[2 * APITOKEN_NAME_MAX] = '\0';
	assert_null(apitoken_check_name(name));
	assert_string_equal(apitoken_check_name("tab\there"), "api.token.name.invalid");
	assert_string_equal(apitoken_check_name("del\x7f"), "api.token.name.invalid");
	assert_string_equal(apitoken_check_name("bad \xc3\x28"), "api.token.name.invalid");
}

static void test_check_scope_days(void **state)
{
	(void)state;
	int64_t days = -1;

	assert_null(apitoken_check_scope("read"));
	assert_null(apitoken_check_scope("write"));
	assert_non_null(apitoken_check_scope(NULL));
	assert_non_null(apitoken_check_scope(""));
	assert_non_null(apitoken_check_scope("READ"));
	assert_non_null(apitoken_check_scope("admin"));

	assert_null(apitoken_check_days(NULL, &days));
	assert_int_equal(days, APITOKEN_DEFAULT_DAYS);
	days = -1;
	assert_null(apitoken_check_days("", &days));
	assert_int_equal(days, 90);
	assert_null(apitoken_check_days("1", &days));
	assert_int_equal(days, 1);
	assert_null(apitoken_check_days("365", &days));
	assert_int_equal(days, 365);
	assert_null(apitoken_check_days(" 30 ", &days));
	assert_int_equal(days, 30);
	const char *bad[] = {"0", "366", "-1", "abc", "30d", "1e2", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_string_equal(apitoken_check_days(bad[i], &days), "api.token.days.invalid");
}

static void test_well_formed(void **state)
{
	(void)state;
	char t[APITOKEN_LEN + 2];

	snprintf(t, sizeof t, "csec_pat_%s", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_Q");
	assert_int_equal(strlen(t), APITOKEN_LEN);
	assert_true(apitoken_well_formed(t));
	t[APITOKEN_LEN - 1] = '=';
	assert_false(apitoken_well_formed(t));
	t[APITOKEN_LEN - 1] = 'Q';
	t[0] = 'C';
	assert_false(apitoken_well_formed(t));
	t[0] = 'c';
	t[APITOKEN_LEN - 1] = '\0';
	assert_false(apitoken_well_formed(t));
	assert_false(apitoken_well_formed(NULL));
	assert_false(apitoken_well_formed(""));
	for (int why = APITOKEN_NO_USER; why <= APITOKEN_TOO_MANY; why++)
		assert_non_null(apitoken_refusal_key((enum apitoken_refusal)why));
	assert_null(apitoken_refusal_key(APITOKEN_ALLOWED));
}

/* --------------------------------------------------------------- helpers */

struct world {
	struct db *db;
	struct arena *a;
	int64_t org_b, org_a; /* "Beta" and "Alpha": Alpha comes first by name */
	int64_t officer, other, admin, leader, loner;
};

static int64_t user(struct db *db, const char *email, bool site_admin)
{
	int64_t id = 0;
	CHECK(db, accounts_user_create(db, email, "Test Person", "", site_admin, &id));
	return id;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	assert_non_null(w);
	w->db = fixture_open(true);
	w->a = arena_create(0);
	struct db *db = w->db;
	CHECK(db, accounts_org_create(db, "beta", "Beta PD", "law_enforcement", "", &w->org_b));
	CHECK(db, accounts_org_create(db, "alpha", "Alpha CW", "child_welfare", "", &w->org_a));
	w->officer = user(db, "officer@example.org", false);
	w->other = user(db, "other@example.org", false);
	w->admin = user(db, "admin@example.org", true);
	w->leader = user(db, "leader@example.org", false);
	w->loner = user(db, "loner@example.org", false);
	CHECK(db, accounts_membership_add(db, w->officer, w->org_b, "officer"));
	CHECK(db, accounts_membership_add(db, w->officer, w->org_a, "analyst"));
	CHECK(db, accounts_membership_add(db, w->other, w->org_b, "trainer"));
	CHECK(db, accounts_membership_add(db, w->leader, w->org_b, "leader"));
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	arena_destroy(w->a);
	fixture_close(w->db);
	free(w);
	return 0;
}

static int64_t issue(struct world *w, int64_t user_id, const char *name, const char *scope,
                     int64_t days, int64_t now, char *token)
{
	int64_t id = 0;
	enum apitoken_refusal why = APITOKEN_ALLOWED;
	CHECK(w->db, db_begin_write(w->db));
	CHECK(w->db, apitoken_create(w->db, user_id, name, scope, days, now, token, &id, &why));
	CHECK(w->db, db_commit(w->db));
	assert_int_equal(why, APITOKEN_ALLOWED);
	assert_true(apitoken_well_formed(token));
	return id;
}

static enum apitoken_refusal refused(struct world *w, int64_t user_id)
{
	char token[APITOKEN_LEN + 1];
	int64_t id = 0;
	enum apitoken_refusal why = APITOKEN_ALLOWED;
	assert_int_equal(apitoken_create(w->db, user_id, "x", "read", 30, NOW, token, &id, &why),
	                 DB_DONE);
	assert_string_equal(token, "");
	return why;
}

static int64_t int_of(struct db *db, const char *sql, int64_t id)
{
	struct db_stmt *st;
	CHECK(db, db_prepare(db, sql, &st));
	CHECK(db, db_bind_int64(st, 1, id));
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_column_is_null(st, 0) ? -1 : db_column_int64(st, 0);
	db_finalize(st);
	return v;
}

/* ------------------------------------------------------------ the model */

static void test_create_stores_hash(void **state)
{
	struct world *w = *state;
	char token[APITOKEN_LEN + 1], hex[65];
	uint8_t d[CRYPTO_SHA256_BYTES];
	int64_t id = issue(w, w->officer, "Nightly export", "write", 30, NOW, token);

	crypto_sha256(d, token, strlen(token));
	crypto_hex(hex, d, sizeof d);
	struct db_stmt *st;
	CHECK(w->db,
	      db_prepare(w->db,
	                 "SELECT token_hash, user_id, name, scope, created_at, expires_at, "
	                 "last_used_at, revoked_at FROM api_tokens WHERE id = $1",
	                 &st));
	CHECK(w->db, db_bind_int64(st, 1, id));
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_column_text(st, 0, NULL), hex);
	assert_int_equal(db_column_int64(st, 1), w->officer);
	assert_string_equal(db_column_text(st, 2, NULL), "Nightly export");
	assert_string_equal(db_column_text(st, 3, NULL), "write");
	assert_int_equal(db_column_int64(st, 4), NOW);
	assert_int_equal(db_column_int64(st, 5), NOW + 30 * DAY);
	assert_true(db_column_is_null(st, 6));
	assert_true(db_column_is_null(st, 7));
	db_finalize(st);

	/* Two tokens never share a value. */
	char second[APITOKEN_LEN + 1];
	issue(w, w->officer, "Second", "read", 1, NOW, second);
	assert_string_not_equal(token, second);
	/* Bad arguments are refused before the store is touched. */
	enum apitoken_refusal why;
	assert_int_equal(apitoken_create(w->db, w->officer, "", "read", 30, NOW, token, &id, &why),
	                 DB_EINVAL);
	assert_int_equal(apitoken_create(w->db, w->officer, "x", "all", 30, NOW, token, &id, &why),
	                 DB_EINVAL);
	assert_int_equal(
	        apitoken_create(w->db, w->officer, "x", "read", 366, NOW, token, &id, &why),
	        DB_EINVAL);
	assert_int_equal(query_int(w->db, "SELECT COUNT(*) FROM api_tokens"), 2);
}

static void test_who_may_have_one(void **state)
{
	struct world *w = *state;

	assert_int_equal(refused(w, w->admin), APITOKEN_SITE_ADMIN);
	assert_int_equal(refused(w, 999999), APITOKEN_NO_USER);
	/* A leader must use MFA and has not set it up. */
	assert_int_equal(refused(w, w->leader), APITOKEN_NEEDS_MFA);
	runf(w->db, "UPDATE users SET status = 'disabled' WHERE id = %lld", (long long)w->other);
	assert_int_equal(refused(w, w->other), APITOKEN_INACTIVE);
	/* With MFA on, the leader may. */
	runf(w->db,
	     "INSERT INTO user_mfa (user_id, secret_sealed, enabled) VALUES (%lld, 'v1.x', 1)",
	     (long long)w->leader);
	char token[APITOKEN_LEN + 1];
	issue(w, w->leader, "leader", "read", 30, NOW, token);
	assert_int_equal(query_int(w->db, "SELECT COUNT(*) FROM api_tokens"), 1);
}

static void test_live_cap(void **state)
{
	struct world *w = *state;
	char token[APITOKEN_LEN + 1];

	for (int i = 0; i < APITOKEN_MAX_LIVE; i++)
		issue(w, w->loner, "one of many", "read", 30, NOW, token);
	assert_int_equal(refused(w, w->loner), APITOKEN_TOO_MANY);
	/* Revoked and expired tokens do not count. */
	runf(w->db,
	     "UPDATE api_tokens SET revoked_at = %lld WHERE id = (SELECT MIN(id) FROM api_tokens "
	     "WHERE user_id = %lld)",
	     (long long)NOW, (long long)w->loner);
	issue(w, w->loner, "again", "read", 30, NOW, token);
	assert_int_equal(refused(w, w->loner), APITOKEN_TOO_MANY);
	runf(w->db,
	     "UPDATE api_tokens SET expires_at = %lld WHERE id = (SELECT MAX(id) FROM api_tokens "
	     "WHERE user_id = %lld)",
	     (long long)NOW, (long long)w->loner);
	issue(w, w->loner, "after expiry", "read", 30, NOW, token);
}

static void test_authenticate(void **state)
{
	struct world *w = *state;
	char rtok[APITOKEN_LEN + 1], wtok[APITOKEN_LEN + 1], lone[APITOKEN_LEN + 1];
	struct principal p;
	int64_t rid = issue(w, w->officer, "r", "read", 30, NOW, rtok);
	issue(w, w->officer, "w", "write", 30, NOW, wtok);
	issue(w, w->loner, "l", "read", 30, NOW, lone);

	memset(&p, 0x55, sizeof p);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, rtok, NOW + 10, &p));
	assert_true(p.authenticated);
	assert_true(p.via_token);
	assert_false(p.token_write);
	assert_false(p.site_admin);
	assert_false(p.must_enrol);
	assert_int_equal(p.session_id, 0);
	assert_int_equal(p.user_id, w->officer);
	assert_string_equal(p.email, "officer@example.org");
	assert_string_equal(p.name, "Test Person");
	/* The first active membership by organization name. */
	assert_int_equal(p.org_id, w->org_a);
	assert_string_equal(p.org_name, "Alpha CW");
	assert_string_equal(p.role, "analyst");
	assert_string_equal(p.token_hash, "");

	CHECK(w->db, apitoken_authenticate(w->db, w->a, wtok, NOW + 10, &p));
	assert_true(p.token_write);
	/* A disabled membership or organization is not the active one. */
	runf(w->db, "UPDATE memberships SET status = 'disabled' WHERE org_id = %lld",
	     (long long)w->org_a);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, wtok, NOW + 10, &p));
	assert_int_equal(p.org_id, w->org_b);
	assert_string_equal(p.role, "officer");
	/* No membership at all: no organization. */
	CHECK(w->db, apitoken_authenticate(w->db, w->a, lone, NOW + 10, &p));
	assert_int_equal(p.org_id, 0);
	assert_null(p.role);

	/* last_used_at: written at the first use, then at most once a minute. */
	const char *used = "SELECT last_used_at FROM api_tokens WHERE id = $1";
	assert_int_equal(int_of(w->db, used, rid), NOW + 10);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, rtok, NOW + 69, &p));
	assert_int_equal(int_of(w->db, used, rid), NOW + 10);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, rtok, NOW + 70, &p));
	assert_int_equal(int_of(w->db, used, rid), NOW + 70);

	/* Refusals leave who untouched. */
	struct principal q = {.user_id = 77};
	char wrong[APITOKEN_LEN + 1];
	memcpy(wrong, rtok, sizeof wrong);
	wrong[APITOKEN_LEN - 1] = wrong[APITOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(apitoken_authenticate(w->db, w->a, wrong, NOW, &q), DB_DONE);
	assert_int_equal(apitoken_authenticate(w->db, w->a, "csec_pat_short", NOW, &q), DB_DONE);
	assert_int_equal(apitoken_authenticate(w->db, w->a, "", NOW, &q), DB_DONE);
	/* Expired: good until (not at) expires_at. */
	CHECK(w->db, apitoken_authenticate(w->db, w->a, rtok, NOW + 30 * DAY - 1, &p));
	assert_int_equal(apitoken_authenticate(w->db, w->a, rtok, NOW + 30 * DAY, &q), DB_DONE);
	/* The person disabled, or made a site admin. */
	runf(w->db, "UPDATE users SET status = 'disabled' WHERE id = %lld", (long long)w->officer);
	assert_int_equal(apitoken_authenticate(w->db, w->a, wtok, NOW, &q), DB_DONE);
	runf(w->db, "UPDATE users SET status = 'active', site_admin = 1 WHERE id = %lld",
	     (long long)w->officer);
	assert_int_equal(apitoken_authenticate(w->db, w->a, wtok, NOW, &q), DB_DONE);
	runf(w->db, "UPDATE users SET site_admin = 0 WHERE id = %lld", (long long)w->officer);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, wtok, NOW, &p));
	assert_int_equal(q.user_id, 77);
}

/* Why a token was refused, for the audit record of the failure. */
static void test_refusal_reason(void **state)
{
	struct world *w = *state;
	char tok[APITOKEN_LEN + 1], other[APITOKEN_LEN + 1];
	const char *why = NULL;
	int64_t id = -1;
	int64_t tid = issue(w, w->officer, "r", "read", 30, NOW, tok);
	int64_t oid = issue(w, w->other, "o", "read", 30, NOW, other);

	CHECK(w->db, apitoken_refusal_reason(w->db, "csec_pat_short", NOW, &why, &id));
	assert_string_equal(why, "malformed");
	assert_int_equal(id, 0);
	char unknown[APITOKEN_LEN + 1];
	memcpy(unknown, tok, sizeof unknown);
	unknown[APITOKEN_LEN - 1] = unknown[APITOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	CHECK(w->db, apitoken_refusal_reason(w->db, unknown, NOW, &why, &id));
	assert_string_equal(why, "unknown");
	assert_int_equal(id, 0);
	CHECK(w->db, apitoken_refusal_reason(w->db, tok, NOW + 30 * DAY, &why, &id));
	assert_string_equal(why, "expired");
	assert_int_equal(id, tid);
	runf(w->db, "UPDATE users SET status = 'disabled' WHERE id = %lld", (long long)w->other);
	CHECK(w->db, apitoken_refusal_reason(w->db, other, NOW, &why, &id));
	assert_string_equal(why, "inactive");
	assert_int_equal(id, oid);
	const char *name = NULL;
	CHECK(w->db, apitoken_revoke(w->db, w->a, w->officer, tid, NOW + 1, &name));
	CHECK(w->db, apitoken_refusal_reason(w->db, tok, NOW + 30 * DAY, &why, &id));
	assert_string_equal(why, "revoked"); /* revoked wins over expired */
	assert_int_equal(id, tid);
}

/* The per-address count that only failures raise: read without counting. */
static void test_rate_limit_count(void **state)
{
	struct world *w = *state;
	int64_t n = -1;
	bool allowed = false;
	CHECK(w->db, rate_limit_count(w->db, "apitoken:192.0.2.1", NOW, &n));
	assert_int_equal(n, 0);
	for (int i = 1; i <= 3; i++) {
		CHECK(w->db, db_begin_write(w->db));
		CHECK(w->db, rate_limit_hit(w->db, "apitoken:192.0.2.1", NOW, 2, &allowed));
		CHECK(w->db, db_commit(w->db));
		assert_int_equal(allowed, i <= 2);
		CHECK(w->db, rate_limit_count(w->db, "apitoken:192.0.2.1", NOW, &n));
		assert_int_equal(n, i);
	}
	CHECK(w->db, rate_limit_count(w->db, "apitoken:192.0.2.1", NOW, &n));
	assert_int_equal(n, 3); /* reading does not count */
	CHECK(w->db, rate_limit_count(w->db, "apitoken:192.0.2.2", NOW, &n));
	assert_int_equal(n, 0); /* another address */
	/* The next minute's window starts from nothing. */
	CHECK(w->db, rate_limit_count(w->db, "apitoken:192.0.2.1", NOW - NOW % 60 + 60, &n));
	assert_int_equal(n, 0);
}

static void test_list_and_revoke(void **state)
{
	struct world *w = *state;
	char t1[APITOKEN_LEN + 1], t2[APITOKEN_LEN + 1], t3[APITOKEN_LEN + 1],
	        theirs[APITOKEN_LEN + 1];
	struct principal p;
	const char *name = NULL;
	int64_t first = issue(w, w->officer, "first", "read", 1, NOW, t1);
	int64_t second = issue(w, w->officer, "second", "write", 30, NOW + 5, t2);
	int64_t third = issue(w, w->officer, "third", "read", 30, NOW + 9, t3);
	int64_t other = issue(w, w->other, "not yours", "read", 30, NOW, theirs);

	/* Someone else's token, or none: DB_DONE, and nothing changes. */
	CHECK(w->db, db_begin_write(w->db));
	assert_int_equal(apitoken_revoke(w->db, w->a, w->officer, other, NOW, &name), DB_DONE);
	assert_int_equal(apitoken_revoke(w->db, w->a, w->officer, 999999, NOW, &name), DB_DONE);
	CHECK(w->db, apitoken_revoke(w->db, w->a, w->officer, second, NOW + 20, &name));
	assert_string_equal(name, "second");
	CHECK(w->db, apitoken_revoke(w->db, w->a, w->officer, second, NOW + 40, &name));
	CHECK(w->db, db_commit(w->db));
	assert_int_equal(int_of(w->db, "SELECT revoked_at FROM api_tokens WHERE id = $1", second),
	                 NOW + 20);
	assert_int_equal(int_of(w->db, "SELECT revoked_at FROM api_tokens WHERE id = $1", other),
	                 -1);
	assert_int_equal(apitoken_authenticate(w->db, w->a, t2, NOW + 30, &p), DB_DONE);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, theirs, NOW + 30, &p));
	CHECK(w->db, apitoken_authenticate(w->db, w->a, t3, NOW + 30, &p));

	/* The list: newest first, the state at now, never the hash. */
	json_t *list = NULL;
	CHECK(w->db, apitoken_list(w->db, w->officer, NOW + DAY, &list));
	assert_int_equal(json_array_size(list), 3);
	const int64_t order[] = {third, second, first};
	const char *status[] = {"active", "revoked", "expired"};
	for (size_t i = 0; i < 3; i++) {
		json_t *t = json_array_get(list, i);
		assert_int_equal(json_integer_value(json_object_get(t, "id")), order[i]);
		assert_string_equal(json_string_value(json_object_get(t, "status")), status[i]);
		assert_null(json_object_get(t, "token_hash"));
	}
	json_t *t = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(t, "name")), "third");
	assert_string_equal(json_string_value(json_object_get(t, "scope")), "read");
	assert_int_equal(json_integer_value(json_object_get(t, "created_at")), NOW + 9);
	assert_int_equal(json_integer_value(json_object_get(t, "expires_at")), NOW + 9 + 30 * DAY);
	assert_int_equal(json_integer_value(json_object_get(t, "last_used_at")), NOW + 30);
	assert_true(json_is_null(json_object_get(json_array_get(list, 2), "last_used_at")));
	json_decref(list);

	/* Disabling a person revokes every live token of theirs. */
	int count = -1;
	CHECK(w->db, db_begin_write(w->db));
	CHECK(w->db, apitoken_revoke_user(w->db, w->officer, NOW + 50, &count));
	CHECK(w->db, db_commit(w->db));
	assert_int_equal(count, 2); /* first (expired but unrevoked) and third */
	assert_int_equal(apitoken_authenticate(w->db, w->a, t3, NOW + 60, &p), DB_DONE);
	assert_int_equal(int_of(w->db, "SELECT revoked_at FROM api_tokens WHERE id = $1", second),
	                 NOW + 20);
	CHECK(w->db, apitoken_authenticate(w->db, w->a, theirs, NOW + 60, &p));
}

/* -------------------------------------------------------------------- main */

static int group_sqlite(void **state)
{
	(void)state;
	return fixture_group_sqlite("tokens");
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_check_name),
	        cmocka_unit_test(test_check_scope_days),
	        cmocka_unit_test(test_well_formed),
	};
	const struct CMUnitTest common[] = {
	        T(test_create_stores_hash), T(test_who_may_have_one), T(test_live_cap),
	        T(test_authenticate),       T(test_list_and_revoke),  T(test_refusal_reason),
	        T(test_rate_limit_count),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("tokens", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("tokens on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed +=
		        cmocka_run_group_tests_name("tokens on PostgreSQL", common, group_pg, NULL);
	} else {
		printf("[  SKIPPED ] tokens on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, "
		       "e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
