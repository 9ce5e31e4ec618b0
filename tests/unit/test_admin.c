/* tests/unit/test_admin.c — the site admin's models (auth/admin.c) and the
 * audit log's reading side (audit/query.c): the filter checks and the date
 * arithmetic (pure), then every model on SQLite, always, and on PostgreSQL
 * when CSEC_TEST_PG_URL names a server (scripts/with-pg). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "audit/query.h"
#include "auth/accounts.h"
#include "auth/admin.h"
#include "auth/tokens.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_helpers.h"

static const uint8_t key[32] = {7};

/* ------------------------------------------------------------ dates */

static void test_days(void **state)
{
	(void)state;
	assert_int_equal(audit_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(audit_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(audit_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(audit_days_from_civil(2024, 3, 1) - audit_days_from_civil(2024, 2, 28), 2);
	assert_int_equal(audit_days_from_civil(2023, 3, 1) - audit_days_from_civil(2023, 2, 28), 1);
	/* Every day from 1900 to past 2100 goes there and back, in order. */
	for (int64_t z = -25567; z < 50000; z++) {
		int64_t y;
		unsigned m, d;
		audit_civil_from_days(z, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_int_equal(audit_days_from_civil(y, m, d), z);
	}
}

/* ------------------------------------------------------------ filters */

static int parse(struct audit_filter *f, struct audit_filter_errors *e, const char *actor,
                 const char *org, const char *action, const char *outcome, const char *from,
                 const char *to, const char *before)
{
	struct audit_filter_input in = {actor, org, action, outcome, from, to, before};
	return audit_filter_parse(&in, f, e);
}

static void test_filter_good(void **state)
{
	(void)state;
	struct audit_filter f;
	struct audit_filter_errors e;
	assert_int_equal(parse(&f, &e, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
	assert_string_equal(f.actor, "");
	assert_int_equal(f.org_id, 0);
	assert_string_equal(f.from_at, "");
	assert_int_equal(f.before, 0);

	assert_int_equal(parse(&f, &e, "  Officer@Metro.Example ", "12", " AUTH.Signin ", "failure",
	                       "2024-02-29", "2025-03-01", "99"),
	                 0);
	assert_string_equal(f.actor, "officer@metro.example");
	assert_false(f.actor_prefix);
	assert_int_equal(f.org_id, 12);
	assert_string_equal(f.action, "auth.signin");
	assert_string_equal(f.outcome, "failure");
	assert_string_equal(f.from, "2024-02-29");
	assert_string_equal(f.from_at, "2024-02-29T00:00:00.000Z");
	assert_string_equal(f.to, "2025-03-01");
	assert_string_equal(f.to_at, "2025-03-02T00:00:00.000Z");
	assert_int_equal(f.before, 99);

	assert_int_equal(parse(&f, &e, "jane*", "", "auth.*", "", "2025-12-31", "2025-12-31", ""),
	                 0);
	assert_string_equal(f.actor, "jane");
	assert_true(f.actor_prefix);
	assert_string_equal(f.action, "auth.");
	assert_string_equal(f.from_at, "2025-12-31T00:00:00.000Z");
	assert_string_equal(f.to_at, "2026-01-01T00:00:00.000Z");

	/* The last day there is: no upper bound rather than a year 10000. */
	assert_int_equal(parse(&f, &e, "", "", "*", "", "", "9999-12-31", ""), 0);
	assert_string_equal(f.to, "9999-12-31");
	assert_string_equal(f.to_at, "");
	assert_string_equal(f.action, "");
}

static void test_filter_bad(void **state)
{
	(void)state;
	struct audit_filter f;
	struct audit_filter_errors e;
	char big[AUDIT_FILTER_MAX_INPUT + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char actor321[AUDIT_MAX_ACTOR + 2];
	memset(actor321, 'a', sizeof actor321 - 1);
	actor321[sizeof actor321 - 1] = '\0';

	assert_int_equal(
	        parse(&f, &e, "*", "x", "auth sign", "maybe", "2023-02-29", "2025-13-01", "-1"), 7);
	assert_string_equal(e.actor, "admin.audit.actor.star");
	assert_string_equal(e.org, "admin.audit.org.invalid");
	assert_string_equal(e.action, "admin.audit.action.invalid");
	assert_string_equal(e.outcome, "admin.audit.outcome.invalid");
	assert_string_equal(e.from, "admin.audit.date.invalid");
	assert_string_equal(e.to, "admin.audit.date.invalid");
	assert_string_equal(e.before, "admin.audit.before.invalid");
	/* A field in error filters nothing. */
	assert_string_equal(f.actor, "");
	assert_false(f.actor_prefix);
	assert_int_equal(f.org_id, 0);
	assert_string_equal(f.action, "");
	assert_string_equal(f.from_at, "");
	assert_int_equal(f.before, 0);

	assert_int_equal(parse(&f, &e, big, "0", "a%", "Success", "1969-12-31", "2025-1-1", "0"),
	                 7);
	assert_string_equal(e.actor, "admin.audit.actor.invalid");
	assert_int_equal(parse(&f, &e, actor321, NULL, NULL, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(parse(&f, &e, "a\tb\x01", NULL, NULL, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(parse(&f, &e, "\xff\xfe", NULL, NULL, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(parse(&f, &e, NULL, "99999999999999999999", NULL, NULL, NULL, NULL, NULL),
	                 1);
	char action65[AUDIT_MAX_ACTION + 2];
	memset(action65, 'a', sizeof action65 - 1);
	action65[sizeof action65 - 1] = '\0';
	assert_int_equal(parse(&f, &e, NULL, NULL, action65, NULL, NULL, NULL, NULL), 1);
	action65[AUDIT_MAX_ACTION] = '\0';
	assert_int_equal(parse(&f, &e, NULL, NULL, action65, NULL, NULL, NULL, NULL), 0);

	/* Dates in the wrong order name the end date; the start still holds. */
	assert_int_equal(parse(&f, &e, NULL, NULL, NULL, NULL, "2025-03-02", "2025-03-01", NULL),
	                 1);
	assert_null(e.from);
	assert_string_equal(e.to, "admin.audit.date.order");
	assert_string_equal(f.from_at, "2025-03-02T00:00:00.000Z");
	assert_string_equal(f.to_at, "");
	const char *const bad_dates[] = {"2025-02-30", "2025-04-31",  "2025-00-10",
	                                 "2025-01-00", "20250101",    "2025/01/01",
	                                 "2025-01-1x", "10000-01-01", " 2025-01-01x"};
	for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++)
		assert_int_equal(parse(&f, &e, NULL, NULL, NULL, NULL, bad_dates[i], NULL, NULL),
		                 1);
}

static void test_like(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(db_like_pattern("Ann_%\\x", true, true, out, sizeof out), 0);
	assert_string_equal(out, "%ann\\_\\%\\\\x%");
	assert_int_equal(db_like_pattern("", true, true, out, sizeof out), 0);
	assert_string_equal(out, "%%");
	assert_int_equal(db_like_pattern("Auth.", false, false, out, sizeof out), 0);
	assert_string_equal(out, "Auth.%");
	/* A pattern that does not fit is refused, never cut short. */
	assert_int_equal(db_like_pattern("abcdefgh", true, true, out, 6), -1);
	assert_string_equal(out, "");
	assert_int_equal(db_like_pattern("%%", false, false, out, 6), 0);
	assert_string_equal(out, "\\%\\%%");
	assert_int_equal(db_like_pattern("%%", false, false, out, 5), -1);
}

/* ------------------------------------------------------------ store fixtures */

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
	return fixture_group_sqlite("admin");
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

static int64_t org(struct db *db, const char *slug, const char *name)
{
	int64_t id = 0;
	CHECK(db, accounts_org_create(db, slug, name, "school", "VA", &id));
	return id;
}

static int64_t user(struct db *db, const char *email, const char *name)
{
	int64_t id = 0;
	CHECK(db, accounts_user_create(db, email, name, "x", false, &id));
	return id;
}

static int64_t count(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int64_t count(struct db *db, const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	struct db_stmt *st;
	/* Not a literal: the statement cache is bypassed by finalizing at once. */
	CHECK(db, db_prepare(db, sql, &st));
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_finalize(st);
	return n;
}

static int64_t get_int(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);
	if (path2)
		v = json_object_get(v, path2);
	assert_true(json_is_integer(v));
	return (int64_t)json_integer_value(v);
}

/* ------------------------------------------------------------ organizations */

static void test_orgs(void **state)
{
	struct db *db = *state;
	int64_t metro = org(db, "metro-pd", "Metro Police Department");
	int64_t county = org(db, "county-cw", "County Child Welfare");
	int64_t valley = org(db, "valley", "Valley 100% Youth_Shelter");
	assert_int_equal(admin_org_set_status(db, valley, NULL, "pending"), DB_OK);
	int64_t u = user(db, "ann@metro.example", "Ann");
	CHECK(db, accounts_membership_add(db, u, metro, "officer"));
	CHECK(db, accounts_membership_add(db, user(db, "bo@metro.example", "Bo"), metro, "leader"));
	CHECK(db, accounts_membership_add(db, u, county, "partner"));
	runf(db, "UPDATE memberships SET status = 'disabled' WHERE org_id = %lld",
	     (long long)county);

	json_t *c = NULL;
	CHECK(db, admin_counts(db, &c));
	assert_int_equal(get_int(c, "organizations", "active"), 2);
	assert_int_equal(get_int(c, "organizations", "pending"), 1);
	assert_int_equal(get_int(c, "organizations", "disabled"), 0);
	assert_int_equal(get_int(c, "people", "active"), 2);
	assert_int_equal(get_int(c, "people", "locked"), 0);
	json_decref(c);

	json_t *list = NULL;
	bool more = true;
	CHECK(db, admin_orgs_list(db, "", "", 1, &list, &more));
	assert_false(more);
	assert_int_equal(json_array_size(list), 3);
	json_t *first = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(first, "name")),
	                    "County Child Welfare");
	assert_int_equal(get_int(first, "members", NULL), 0); /* its one membership is disabled */
	assert_int_equal(get_int(json_array_get(list, 1), "members", NULL), 2);
	json_decref(list);
	CHECK(db, admin_orgs_list(db, "pending", "", 1, &list, &more));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	CHECK(db, admin_orgs_list(db, "", "METRO", 1, &list, &more));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	/* % and _ are what they are, not wildcards. */
	CHECK(db, admin_orgs_list(db, "", "100%", 1, &list, &more));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	CHECK(db, admin_orgs_list(db, "", "y_1", 1, &list, &more)); /* "Valley 100" */
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	CHECK(db, admin_orgs_list(db, "", "h_s", 1, &list, &more)); /* "Youth_Shelter" */
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(admin_orgs_list(db, "", "", 0, &list, &more), DB_EINVAL);

	CHECK(db, admin_orgs_names(db, 2, &list));
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);

	json_t *o = NULL;
	CHECK(db, admin_org_get(db, metro, &o));
	assert_string_equal(json_string_value(json_object_get(o, "slug")), "metro-pd");
	assert_string_equal(json_string_value(json_object_get(o, "state")), "VA");
	assert_true(json_is_array(json_object_get(o, "domains")));
	json_decref(o);
	assert_int_equal(admin_org_get(db, 999999, &o), DB_DONE);
	CHECK(db, admin_org_members(db, metro, &list));
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "email")),
	                    "ann@metro.example");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "role")),
	                    "officer");
	json_decref(list);

	/* The status moves only as asked. */
	assert_int_equal(admin_org_set_status(db, metro, "pending", "active"), DB_DONE);
	assert_int_equal(admin_org_set_status(db, valley, "pending", "active"), DB_OK);
	assert_int_equal(admin_org_set_status(db, valley, "pending", "active"), DB_DONE);
	assert_int_equal(admin_org_set_status(db, metro, "disabled", "active"), DB_DONE);
	assert_int_equal(admin_org_set_status(db, metro, NULL, "disabled"), DB_OK);
	assert_int_equal(admin_org_set_status(db, metro, NULL, "disabled"), DB_DONE);
	assert_int_equal(admin_org_set_status(db, metro, "disabled", "active"), DB_OK);
	assert_int_equal(admin_org_set_status(db, 999999, NULL, "disabled"), DB_DONE);
}

static void test_orgs_pages(void **state)
{
	struct db *db = *state;
	char slug[32], name[32];
	for (int i = 0; i < ADMIN_LIST_PAGE + 5; i++) {
		snprintf(slug, sizeof slug, "org-%03d", i);
		snprintf(name, sizeof name, "Org %03d", i);
		org(db, slug, name);
	}
	json_t *list = NULL;
	bool more = false;
	CHECK(db, admin_orgs_list(db, NULL, NULL, 1, &list, &more));
	assert_true(more);
	assert_int_equal(json_array_size(list), ADMIN_LIST_PAGE);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
	                    "Org 000");
	json_decref(list);
	CHECK(db, admin_orgs_list(db, NULL, NULL, 2, &list, &more));
	assert_false(more);
	assert_int_equal(json_array_size(list), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
	                    "Org 050");
	json_decref(list);
}

static void test_sessions_end_org(void **state)
{
	struct db *db = *state;
	int64_t a = org(db, "a-org", "A"), b = org(db, "b-org", "B");
	int64_t u1 = user(db, "u1@x.example", "U1"), u2 = user(db, "u2@x.example", "U2");
	char token[SESSION_TOKEN_LEN + 1];
	CHECK(db, session_create(db, u1, a, "127.0.0.1", "t", 1000, token));
	CHECK(db, session_create(db, u1, a, "127.0.0.1", "t", 1000, token));
	CHECK(db, session_create(db, u2, b, "127.0.0.1", "t", 1000, token));
	CHECK(db, session_create(db, u2, 0, "127.0.0.1", "t", 1000, token));
	int64_t ended = -1;
	CHECK(db, admin_sessions_end_org(db, a, &ended));
	assert_int_equal(ended, 2);
	assert_int_equal(count(db, "SELECT count(*) FROM sessions"), 2);
	CHECK(db, admin_sessions_end_org(db, a, &ended));
	assert_int_equal(ended, 0);
	CHECK(db, admin_sessions_end_org(db, b, NULL));
	assert_int_equal(count(db, "SELECT count(*) FROM sessions"), 1);
}

/* ------------------------------------------------------------ people */

static void test_users(void **state)
{
	struct db *db = *state;
	int64_t a = org(db, "a-org", "Alpha"), b = org(db, "b-org", "Beta");
	int64_t ann = user(db, "ann@x.example", "Ann Lee");
	int64_t bo = user(db, "bo@y.example", "Bo Diaz");
	user(db, "cy_1@x.example", "Cy");
	CHECK(db, accounts_membership_add(db, ann, b, "officer"));
	CHECK(db, accounts_membership_add(db, ann, a, "trainer"));
	CHECK(db, accounts_membership_add(db, bo, a, "org_admin"));

	json_t *list = NULL;
	bool more = true;
	CHECK(db, admin_users_list(db, "", "", 1, &list, &more));
	assert_false(more);
	assert_int_equal(json_array_size(list), 3);
	json_t *p = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "Ann Lee");
	json_t *ms = json_object_get(p, "memberships");
	assert_int_equal(json_array_size(ms), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ms, 0), "org")),
	                    "Alpha");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ms, 0), "role")),
	                    "trainer");
	assert_int_equal(json_array_size(json_object_get(json_array_get(list, 2), "memberships")),
	                 0);
	json_decref(list);

	CHECK(db, admin_users_list(db, NULL, "LEE", 1, &list, &more));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	CHECK(db, admin_users_list(db, NULL, "@x.EXAMPLE", 1, &list, &more));
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	CHECK(db, admin_users_list(db, NULL, "y_1", 1, &list, &more));
	assert_int_equal(json_array_size(list), 1); /* cy_1, and not "cy-1"-likes */
	json_decref(list);

	struct arena *ar = arena_create(0);
	struct admin_user u;
	CHECK(db, admin_user_get(db, ar, bo, &u));
	assert_string_equal(u.email, "bo@y.example");
	assert_string_equal(u.status, "active");
	assert_false(u.site_admin);
	assert_int_equal(admin_user_get(db, ar, 999999, &u), DB_DONE);
	arena_destroy(ar);

	assert_int_equal(admin_user_set_status(db, bo, "disabled", "active"), DB_DONE);
	assert_int_equal(admin_user_set_status(db, bo, NULL, "disabled"), DB_OK);
	assert_int_equal(admin_user_set_status(db, bo, NULL, "disabled"), DB_DONE);
	CHECK(db, admin_users_list(db, "disabled", NULL, 1, &list, &more));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(admin_user_set_status(db, bo, "disabled", "active"), DB_OK);
	assert_int_equal(admin_user_set_status(db, 999999, NULL, "disabled"), DB_DONE);
}

static void test_users_pages(void **state)
{
	struct db *db = *state;
	int64_t a = org(db, "a-org", "Alpha"), b = org(db, "b-org", "Beta");
	char email[64], name[32];
	for (int i = 0; i < ADMIN_LIST_PAGE + 1; i++) {
		snprintf(email, sizeof email, "p%03d@x.example", i);
		snprintf(name, sizeof name, "Person %03d", i);
		int64_t id = user(db, email, name);
		/* Two memberships each: the page is counted in people, not rows. */
		CHECK(db, accounts_membership_add(db, id, a, "officer"));
		CHECK(db, accounts_membership_add(db, id, b, "partner"));
	}
	json_t *list = NULL;
	bool more = false;
	CHECK(db, admin_users_list(db, NULL, NULL, 1, &list, &more));
	assert_true(more);
	assert_int_equal(json_array_size(list), ADMIN_LIST_PAGE);
	assert_int_equal(json_array_size(json_object_get(json_array_get(list, ADMIN_LIST_PAGE - 1),
	                                                 "memberships")),
	                 2);
	json_decref(list);
	CHECK(db, admin_users_list(db, NULL, NULL, 2, &list, &more));
	assert_false(more);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
	                    "Person 050");
	json_decref(list);
}

static void test_tokens_revoke(void **state)
{
	struct db *db = *state;
	int64_t u1 = user(db, "u1@x.example", "U1"), u2 = user(db, "u2@x.example", "U2");
	runf(db,
	     "INSERT INTO api_tokens (token_hash, user_id, name, scope, created_at, expires_at, "
	     "revoked_at) VALUES ('h1', %lld, 'a', 'read', 1, 9, NULL), ('h2', %lld, 'b', 'write', "
	     "1, 9, NULL), ('h3', %lld, 'c', 'read', 1, 9, 5), ('h4', %lld, 'd', 'read', 1, 9, "
	     "NULL)",
	     (long long)u1, (long long)u1, (long long)u1, (long long)u2);
	int n = -1;
	CHECK(db, apitoken_revoke_user(db, u1, 1234, &n));
	assert_int_equal(n, 2);
	assert_int_equal(count(db, "SELECT count(*) FROM api_tokens WHERE revoked_at = 1234"), 2);
	assert_int_equal(count(db, "SELECT revoked_at FROM api_tokens WHERE token_hash = 'h3'"), 5);
	assert_int_equal(count(db, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL"), 1);
	CHECK(db, apitoken_revoke_user(db, u1, 2000, &n));
	assert_int_equal(n, 0);
}

/* ------------------------------------------------------------ the audit walk */

static void append(struct db *db, const char *actor, int64_t org_id, const char *action,
                   const char *outcome)
{
	struct audit_event e = {.actor = actor,
	                        .org_id = org_id,
	                        .action = action,
	                        .outcome = outcome,
	                        .target_type = "user",
	                        .target_id = actor,
	                        .source = "192.0.2.1",
	                        .detail_json = "{\"n\":1}"};
	CHECK(db, db_begin_write(db));
	CHECK(db, audit_append(db, key, &e));
	CHECK(db, db_commit(db));
}

struct seen {
	int64_t seq[64];
	int n;
	int stop_after;
	const char *org_name;
};

static int collect(void *p, const struct audit_row *r)
{
	struct seen *s = p;
	if (s->stop_after && s->n == s->stop_after)
		return 42;
	assert_true(s->n < 64);
	s->seq[s->n++] = r->seq;
	if (r->org_name)
		s->org_name = r->org_name[0] ? "set" : "empty";
	assert_non_null(r->hash);
	assert_non_null(r->prev_hash);
	assert_int_equal(strlen(r->hash), 64);
	return 0;
}

/* The seqs a query finds, newest first, as "5,3,1". */
static const char *found(struct db *db, const struct audit_filter *f, int limit, char *out,
                         size_t outlen)
{
	struct seen s = {0};
	CHECK(db, audit_query(db, f, limit, collect, &s));
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < s.n; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%s%lld", i ? "," : "",
		                      (long long)s.seq[i]);
	return out;
}

static void test_audit_query(void **state)
{
	struct db *db = *state;
	int64_t metro = org(db, "metro-pd", "Metro");
	append(db, "ann@x.example", metro, "auth.signin", "success"); /* 1 */
	append(db, "ann@x.example", metro, "auth.signout", "success"); /* 2 */
	append(db, "anna@x.example", 0, "auth.signin", "failure"); /* 3 */
	append(db, "cli", 0, "org.create", "success"); /* 4 */
	append(db, "bo_x@y.example", metro, "site.org_x", "denied"); /* 5 */
	append(db, "boax@y.example", metro, "site.orgyx", "success"); /* 6 */

	struct audit_filter f;
	struct audit_filter_errors e;
	char out[256];
	assert_int_equal(parse(&f, &e, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "6,5,4,3,2,1");
	assert_string_equal(found(db, &f, 2, out, sizeof out), "6,5");
	f.before = 5;
	assert_string_equal(found(db, &f, 100, out, sizeof out), "4,3,2,1");
	assert_int_equal(audit_query(db, &f, 0, collect, NULL), DB_EINVAL);
	assert_int_equal(audit_query(db, &f, 1001, collect, NULL), DB_EINVAL);

	parse(&f, &e, "ann@x.example", NULL, NULL, NULL, NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "2,1");
	parse(&f, &e, "ann*", NULL, NULL, NULL, NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "3,2,1");
	parse(&f, &e, "bo_*", NULL, NULL, NULL, NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "5");
	parse(&f, &e, NULL, "1", NULL, NULL, NULL, NULL, NULL);
	f.org_id = metro;
	assert_string_equal(found(db, &f, 100, out, sizeof out), "6,5,2,1");
	parse(&f, &e, NULL, NULL, "auth.", NULL, NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "3,2,1");
	parse(&f, &e, NULL, NULL, "auth.signin", NULL, NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "3,1");
	parse(&f, &e, NULL, NULL, "site.org_", NULL, NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "5");
	parse(&f, &e, NULL, NULL, NULL, "failure", NULL, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "3");
	parse(&f, &e, "ann*", NULL, "auth.", "success", NULL, NULL, "2");
	assert_string_equal(found(db, &f, 100, out, sizeof out), "1");

	/* Dates: the records are from today (UTC). */
	time_t now = time(NULL);
	struct tm tm;
	char today[16], tomorrow[16], yesterday[16];
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	now += 86400;
	gmtime_r(&now, &tm);
	strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
	now -= 2 * 86400;
	gmtime_r(&now, &tm);
	strftime(yesterday, sizeof yesterday, "%Y-%m-%d", &tm);
	assert_int_equal(parse(&f, &e, NULL, NULL, NULL, NULL, today, today, NULL), 0);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "6,5,4,3,2,1");
	parse(&f, &e, NULL, NULL, NULL, NULL, tomorrow, NULL, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "");
	parse(&f, &e, NULL, NULL, NULL, NULL, NULL, yesterday, NULL);
	assert_string_equal(found(db, &f, 100, out, sizeof out), "");

	/* The callback may stop the walk; its answer comes back. */
	parse(&f, &e, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	struct seen s = {.stop_after = 2};
	assert_int_equal(audit_query(db, &f, 100, collect, &s), 42);
	assert_int_equal(s.n, 2);
	/* Records name their organization. */
	struct seen s2 = {0};
	parse(&f, &e, NULL, NULL, NULL, NULL, NULL, NULL, "2");
	CHECK(db, audit_query(db, &f, 100, collect, &s2));
	assert_string_equal(s2.org_name, "set");
}

/* The lines of an export, parsed; fails on any line that is not JSON. */
static size_t lines(const struct buf *b, json_t **out, size_t max)
{
	size_t n = 0;
	const char *p = buf_cstr(b);
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl); /* every line ends with a newline */
		json_error_t err;
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, &err);
		if (!j)
			fail_msg("line %zu is not JSON: %s", n + 1, err.text);
		if (n < max)
			out[n] = j;
		else
			json_decref(j);
		n++;
		p = nl + 1;
	}
	return n;
}

static void test_audit_export(void **state)
{
	struct db *db = *state;
	int64_t metro = org(db, "metro-pd", "Metro");
	append(db, "ann@x.example", metro, "auth.signin", "success"); /* 1 */
	append(db, "ann@x.example", metro, "auth.signout", "success"); /* 2 */
	append(db, "anna@x.example", 0, "auth.signin", "failure"); /* 3 */
	append(db, "cli", 0, "org.create", "success"); /* 4 */
	append(db, "bo@y.example", metro, "site.org.create", "denied"); /* 5 */
	append(db, "bo@y.example", metro, "site.org.enable", "success"); /* 6 */

	struct audit_filter f;
	struct audit_filter_errors e;
	struct audit_export_result r;
	struct buf b;
	json_t *l[8];
	parse(&f, &e, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

	buf_init(&b, NULL, 1 << 20);
	CHECK(db, audit_export_jsonl(db, &f, 100, &b, &r));
	assert_int_equal(r.records, 6);
	assert_false(r.truncated);
	assert_int_equal(lines(&b, l, 8), 6);
	assert_int_equal(json_integer_value(json_object_get(l[0], "seq")), 6);
	assert_int_equal(json_integer_value(json_object_get(l[5], "seq")), 1);
	assert_string_equal(json_string_value(json_object_get(l[0], "org_name")), "Metro");
	assert_int_equal(json_integer_value(json_object_get(l[0], "org")), metro);
	assert_true(json_is_null(json_object_get(l[2], "org")));
	assert_true(json_is_null(json_object_get(l[2], "org_name")));
	assert_true(json_is_null(json_object_get(l[0], "actor_user_id")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(l[0], "detail"), "n")),
	                 1);
	assert_string_equal(json_string_value(json_object_get(l[0], "source")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(l[3], "time")) + 23, "Z");
	for (int i = 0; i < 5; i++)
		assert_string_equal(json_string_value(json_object_get(l[i], "prev_hash")),
		                    json_string_value(json_object_get(l[i + 1], "hash")));
	for (int i = 0; i < 6; i++)
		json_decref(l[i]);

	/* Exactly as many as allowed: complete. One fewer: cut short. */
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 6, &b, &r));
	assert_int_equal(r.records, 6);
	assert_false(r.truncated);
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 4, &b, &r));
	assert_int_equal(r.records, 4);
	assert_true(r.truncated);
	assert_int_equal(r.next_before, 3);
	assert_int_equal(lines(&b, l, 0), 4);
	/* ... and the rest, from where it says. */
	f.before = r.next_before;
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 4, &b, &r));
	assert_int_equal(r.records, 2);
	assert_false(r.truncated);
	f.before = 0;

	/* The byte cap: whole lines only. */
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 2, &b, &r));
	size_t two = b.len;
	struct buf small;
	buf_init(&small, NULL, two + 10);
	CHECK(db, audit_export_jsonl(db, &f, 100, &small, &r));
	assert_int_equal(r.records, 2);
	assert_true(r.truncated);
	assert_int_equal(r.next_before, 5);
	assert_int_equal(small.len, two);
	assert_int_equal(small.data[small.len - 1], '\n');
	buf_free(&small);

	/* The filters hold. */
	parse(&f, &e, NULL, NULL, "auth.", NULL, NULL, NULL, NULL);
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 100, &b, &r));
	assert_int_equal(r.records, 3);
	buf_free(&b);
}

static void test_audit_export_batches(void **state)
{
	struct db *db = *state;
	/* More records than one batch (1000), in one transaction for speed. */
	CHECK(db, db_begin_write(db));
	for (int i = 0; i < 2105; i++) {
		struct audit_event ev = {.actor = i % 2 ? "odd@x.example" : "even@x.example",
		                         .action = "auth.signin",
		                         .outcome = "success"};
		CHECK(db, audit_append(db, key, &ev));
	}
	CHECK(db, db_commit(db));
	struct audit_filter f;
	struct audit_filter_errors e;
	struct audit_export_result r;
	struct buf b;
	buf_init(&b, NULL, 4 << 20);
	parse(&f, &e, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	CHECK(db, audit_export_jsonl(db, &f, 100000, &b, &r));
	assert_int_equal(r.records, 2105);
	assert_false(r.truncated);
	/* Newest first without a gap across the batches. */
	const char *p = buf_cstr(&b);
	for (int64_t want = 2105; want >= 1; want--) {
		char head[32];
		int n = snprintf(head, sizeof head, "{\"seq\":%lld,", (long long)want);
		assert_memory_equal(p, head, (size_t)n);
		p = strchr(p, '\n') + 1;
	}
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 2000, &b, &r));
	assert_int_equal(r.records, 2000);
	assert_true(r.truncated);
	assert_int_equal(r.next_before, 106);
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 1000, &b, &r));
	assert_int_equal(r.records, 1000);
	assert_true(r.truncated);
	assert_int_equal(r.next_before, 1106);
	/* A filter that skips every other record still fills across batches. */
	parse(&f, &e, "odd@x.example", NULL, NULL, NULL, NULL, NULL, NULL);
	buf_reset(&b);
	CHECK(db, audit_export_jsonl(db, &f, 100000, &b, &r));
	assert_int_equal(r.records, 1052);
	assert_false(r.truncated);
	buf_free(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_days),
	        cmocka_unit_test(test_filter_good),
	        cmocka_unit_test(test_filter_bad),
	        cmocka_unit_test(test_like),
	};
	const struct CMUnitTest store[] = {
	        T(test_orgs),        T(test_orgs_pages),   T(test_sessions_end_org),
	        T(test_users),       T(test_users_pages),  T(test_tokens_revoke),
	        T(test_audit_query), T(test_audit_export), T(test_audit_export_batches),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("admin: filters and dates", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("admin on SQLite", store, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("admin on PostgreSQL", store, group_pg, NULL);
	} else {
		printf("[  SKIPPED ] admin on PostgreSQL: %zu tests skipped (set CSEC_TEST_PG_URL, "
		       "e.g. from scripts/pg-start)\n",
		       sizeof(store) / sizeof(store[0]));
	}
	return failed ? 1 : 0;
}
