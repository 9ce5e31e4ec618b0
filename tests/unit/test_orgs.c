/* tests/unit/test_orgs.c — the org admins' models: auth/orgs.h (settings,
 * email domains, members, the search pattern, the validation of domains,
 * ORIs and jurisdictions), auth/invitations.h (invitations and the people
 * they name), session_delete_user_org, and the principal a session keeps
 * in memory following every change in the store. The pure parts run once; the
 * model functions run on SQLite, always, and on PostgreSQL when
 * CSEC_TEST_PG_URL names a server (each test in a fresh schema). Every
 * function that takes an organization is also called with the other
 * organization's ids, which must find nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/accounts.h"
#include "auth/invitations.h"
#include "auth/orgs.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_helpers.h"

#define NOW ((int64_t)1700000000)

/* ------------------------------------------------------------ validation */

static void test_check_domain(void **state)
{
	(void)state;
	char out[ORGS_MAX_DOMAIN + 1];
	assert_null(orgs_check_domain("  Metro.Example.GOV ", out, sizeof out));
	assert_string_equal(out, "metro.example.gov");
	assert_null(orgs_check_domain("a-b.c1.org", out, sizeof out));
	assert_null(orgs_check_domain("x.y", out, sizeof out));
	assert_string_equal(orgs_check_domain("", out, sizeof out), "members.domain.missing");
	assert_string_equal(orgs_check_domain(NULL, out, sizeof out), "members.domain.missing");
	assert_string_equal(orgs_check_domain("chief@metro.gov", out, sizeof out),
	                    "members.domain.at");
	assert_string_equal(orgs_check_domain("@metro.gov", out, sizeof out), "members.domain.at");
	static const char *const bad[] = {
	        "localhost",    "metro..gov", ".metro.gov",  "metro.gov.",
	        "-metro.gov",   "metro-.gov", "metro.-gov",  "metro_pd.gov",
	        "metro pd.gov", "métro.gov",  "metro.gov/x", "metro.gov:80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!orgs_check_domain(bad[i], out, sizeof out))
			fail_msg("\"%s\" was accepted", bad[i]);
	/* Labels up to 63 characters, names up to 253 bytes. */
	char label[80];
	memset(label, 'a', 63);
	memcpy(label + 63, ".gov", 5);
	assert_null(orgs_check_domain(label, out, sizeof out));
	memset(label, 'a', 64);
	memcpy(label + 64, ".gov", 5);
	assert_non_null(orgs_check_domain(label, out, sizeof out));
	char longname[300];
	size_t n = 0;
	while (n + 10 <= 253) {
		memcpy(longname + n, "abcdefghi.", 10);
		n += 10;
	}
	memcpy(longname + n, "org", 4); /* 253 - (253 % 10) + 3 bytes: 253 */
	assert_int_equal(strlen(longname), 253);
	assert_null(orgs_check_domain(longname, out, sizeof out));
	memcpy(longname + n, "orgs", 5);
	assert_non_null(orgs_check_domain(longname, out, sizeof out));
	/* An output buffer too small is a refusal, never an overflow. */
	char tiny[8];
	assert_non_null(orgs_check_domain("metro.example.gov", tiny, sizeof tiny));
}

static void test_check_ori(void **state)
{
	(void)state;
	char out[ORGS_ORI_LEN + 1];
	assert_null(orgs_check_ori("il0160000", out, sizeof out));
	assert_string_equal(out, "IL0160000");
	assert_null(orgs_check_ori(" VA1234567 ", out, sizeof out));
	assert_string_equal(out, "VA1234567");
	assert_null(orgs_check_ori("", out, sizeof out));
	assert_string_equal(out, "");
	assert_null(orgs_check_ori(NULL, out, sizeof out));
	static const char *const bad[] = {"IL016000",  "IL01600000", "IL016 000",
	                                  "IL016-000", "IL01600é",   "IL016000!"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!orgs_check_ori(bad[i], out, sizeof out))
			fail_msg("\"%s\" was accepted", bad[i]);
	char small[4];
	assert_non_null(orgs_check_ori("IL0160000", small, sizeof small));
}

static void test_check_jurisdiction(void **state)
{
	(void)state;
	assert_null(orgs_check_jurisdiction(""));
	assert_null(orgs_check_jurisdiction(NULL));
	assert_null(orgs_check_jurisdiction("Doña Ana County"));
	assert_non_null(orgs_check_jurisdiction("Cook\nCounty"));
	assert_non_null(orgs_check_jurisdiction("\xff\xfe"));
	char big[ORGS_MAX_JURISDICTION + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_non_null(orgs_check_jurisdiction(big));
	big[ORGS_MAX_JURISDICTION] = '\0';
	assert_null(orgs_check_jurisdiction(big));
}

static void test_like_pattern(void **state)
{
	(void)state;
	char out[ORGS_LIKE_MAX];
	assert_true(orgs_like_pattern("  Smith ", out, sizeof out));
	assert_string_equal(out, "%smith%");
	assert_true(orgs_like_pattern("50%_off\\", out, sizeof out));
	assert_string_equal(out, "%50\\%\\_off\\\\%");
	assert_false(orgs_like_pattern("", out, sizeof out));
	assert_string_equal(out, "");
	assert_false(orgs_like_pattern("   ", out, sizeof out));
	assert_false(orgs_like_pattern(NULL, out, sizeof out));
	char q[ORGS_MAX_QUERY + 2];
	memset(q, '%', sizeof q - 1);
	q[sizeof q - 1] = '\0';
	assert_false(orgs_like_pattern(q, out, sizeof out)); /* over the bound */
	q[ORGS_MAX_QUERY] = '\0';
	assert_true(orgs_like_pattern(q, out, sizeof out)); /* every byte escaped still fits */
	assert_int_equal(strlen(out), 2 * ORGS_MAX_QUERY + 2);
}

/* ---------------------------------------------------------------- fixture */

struct world {
	struct db *db;
	struct arena *a;
	int64_t org_a, org_b;
	int64_t admin_a, officer_a, admin_b;
};

static int64_t user(struct db *db, const char *email, const char *name)
{
	int64_t id = 0;
	CHECK(db, accounts_user_create(db, email, name, "x", false, &id));
	return id;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	w->db = fixture_open(true);
	w->a = arena_create(1u << 20);
	CHECK(w->db,
	      accounts_org_create(w->db, "metro-pd", "Metro PD", "law_enforcement", "IL",
	                          &w->org_a));
	CHECK(w->db,
	      accounts_org_create(w->db, "county-cw", "County CW", "child_welfare", "IL",
	                          &w->org_b));
	w->admin_a = user(w->db, "admin@a.example", "Alex Admin");
	w->officer_a = user(w->db, "officer@a.example", "Olive 50%_Officer");
	w->admin_b = user(w->db, "admin@b.example", "Bea Admin");
	CHECK(w->db, accounts_membership_add(w->db, w->admin_a, w->org_a, "org_admin"));
	CHECK(w->db, accounts_membership_add(w->db, w->officer_a, w->org_a, "officer"));
	CHECK(w->db, accounts_membership_add(w->db, w->admin_b, w->org_b, "org_admin"));
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

/* ------------------------------------------------------------- settings */

static void test_settings(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	struct org_settings s;
	CHECK(db, orgs_get(db, w->a, w->org_a, &s));
	assert_string_equal(s.name, "Metro PD");
	assert_string_equal(s.kind, "law_enforcement");
	assert_string_equal(s.time_zone, "America/New_York");
	assert_string_equal(s.ori, "");
	assert_false(s.mfa_required);
	assert_int_equal(orgs_get(db, w->a, 999999, &s), DB_DONE);

	s.name = "Metro Police Department";
	s.jurisdiction = "Cook County";
	s.state = "IL";
	s.time_zone = "America/Chicago";
	s.ori = "IL0160000";
	s.mfa_required = true;
	CHECK(db, db_begin_write(db));
	CHECK(db, orgs_lock(db, w->org_a));
	CHECK(db, orgs_update(db, &s));
	CHECK(db, db_commit(db));
	struct org_settings t;
	CHECK(db, orgs_get(db, w->a, w->org_a, &t));
	assert_string_equal(t.name, "Metro Police Department");
	assert_string_equal(t.jurisdiction, "Cook County");
	assert_string_equal(t.time_zone, "America/Chicago");
	assert_string_equal(t.ori, "IL0160000");
	assert_true(t.mfa_required);
	CHECK(db, orgs_get(db, w->a, w->org_b, &t));
	assert_string_equal(t.name, "County CW");
	assert_false(t.mfa_required);
	s.id = 999999;
	assert_int_equal(orgs_update(db, &s), DB_DONE);
	assert_int_equal(orgs_lock(db, 999999), DB_DONE);
}

static void test_domains(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	struct org_domain *d;
	size_t n;
	CHECK(db, orgs_domains(db, w->a, w->org_a, &d, &n));
	assert_int_equal(n, 0);
	const struct org_domain set[] = {{"z.example", false}, {"metro.example.gov", true}};
	CHECK(db, db_begin_write(db));
	CHECK(db, orgs_domains_replace(db, w->org_a, set, 2));
	CHECK(db, orgs_domains_replace(db, w->org_b, set, 1));
	CHECK(db, db_commit(db));
	CHECK(db, orgs_domains(db, w->a, w->org_a, &d, &n));
	assert_int_equal(n, 2);
	assert_string_equal(d[0].domain, "metro.example.gov");
	assert_true(d[0].auto_approve);
	assert_string_equal(d[1].domain, "z.example");
	assert_false(d[1].auto_approve);
	CHECK(db, db_begin_write(db));
	CHECK(db, orgs_domains_replace(db, w->org_a, set, 1));
	CHECK(db, db_commit(db));
	CHECK(db, orgs_domains(db, w->a, w->org_a, &d, &n));
	assert_int_equal(n, 1);
	assert_string_equal(d[0].domain, "z.example");
	CHECK(db, orgs_domains(db, w->a, w->org_b, &d, &n));
	assert_int_equal(n, 1); /* the other organization's are its own */
	/* More rows than the bound (written by hand) are cut at the bound. */
	for (int i = 0; i < ORGS_MAX_DOMAINS + 5; i++)
		runf(db, "INSERT INTO org_domains (org_id, domain) VALUES (%lld, 'd%02d.example')",
		     (long long)w->org_b, i);
	CHECK(db, orgs_domains(db, w->a, w->org_b, &d, &n));
	assert_int_equal(n, ORGS_MAX_DOMAINS);
}

/* ---------------------------------------------------------------- members */

static void test_members(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	struct org_member *m;
	size_t n;
	int64_t total;
	char like[ORGS_LIKE_MAX];
	CHECK(db, orgs_members(db, w->a, w->org_a, NULL, 0, 50, &m, &n, &total));
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(m[0].email, "admin@a.example");
	assert_string_equal(m[0].role, "org_admin");
	assert_string_equal(m[0].status, "active");
	assert_string_equal(m[1].name, "Olive 50%_Officer");
	/* Case-insensitive, by name or email; wildcards are literal. */
	assert_true(orgs_like_pattern("OLIVE", like, sizeof like));
	CHECK(db, orgs_members(db, w->a, w->org_a, like, 0, 50, &m, &n, &total));
	assert_int_equal(n, 1);
	assert_int_equal(m[0].user_id, w->officer_a);
	assert_true(orgs_like_pattern("50%_", like, sizeof like));
	CHECK(db, orgs_members(db, w->a, w->org_a, like, 0, 50, &m, &n, &total));
	assert_int_equal(n, 1);
	assert_true(orgs_like_pattern("5_%", like, sizeof like));
	CHECK(db, orgs_members(db, w->a, w->org_a, like, 0, 50, &m, &n, &total));
	assert_int_equal(n, 0);
	assert_true(orgs_like_pattern("%", like, sizeof like));
	CHECK(db, orgs_members(db, w->a, w->org_a, like, 0, 50, &m, &n, &total));
	assert_int_equal(n, 1); /* only the name with a % */
	assert_true(orgs_like_pattern("@A.EXAMPLE", like, sizeof like));
	CHECK(db, orgs_members(db, w->a, w->org_a, like, 0, 50, &m, &n, &total));
	assert_int_equal(total, 2);
	/* Pages. */
	CHECK(db, orgs_members(db, w->a, w->org_a, NULL, 1, 1, &m, &n, &total));
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_int_equal(m[0].user_id, w->officer_a);
	CHECK(db, orgs_members(db, w->a, w->org_a, NULL, 2, 1, &m, &n, &total));
	assert_int_equal(n, 0);
	assert_int_equal(orgs_members(db, w->a, w->org_a, NULL, 0, 0, &m, &n, &total), DB_EINVAL);
	/* The other organization's member is not found here. */
	struct org_member one;
	CHECK(db, orgs_member_get(db, w->a, w->org_a, w->officer_a, &one));
	assert_string_equal(one.role, "officer");
	assert_int_equal(orgs_member_get(db, w->a, w->org_a, w->admin_b, &one), DB_DONE);
	assert_int_equal(orgs_member_get(db, w->a, w->org_b, w->officer_a, &one), DB_DONE);
}

static void test_member_changes(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	struct org_member m;
	int64_t admins = 0;
	CHECK(db, orgs_active_admins(db, w->org_a, &admins));
	assert_int_equal(admins, 1);
	CHECK(db, orgs_member_set_role(db, w->org_a, w->officer_a, "org_admin"));
	CHECK(db, orgs_active_admins(db, w->org_a, &admins));
	assert_int_equal(admins, 2);
	CHECK(db, orgs_member_set_status(db, w->org_a, w->officer_a, "disabled"));
	CHECK(db, orgs_member_get(db, w->a, w->org_a, w->officer_a, &m));
	assert_string_equal(m.status, "disabled");
	CHECK(db, orgs_active_admins(db, w->org_a, &admins));
	assert_int_equal(admins, 1); /* a disabled admin does not count */
	CHECK(db, orgs_member_set_status(db, w->org_a, w->officer_a, "active"));
	runf(db, "UPDATE users SET status = 'disabled' WHERE id = %lld", (long long)w->officer_a);
	CHECK(db, orgs_active_admins(db, w->org_a, &admins));
	assert_int_equal(admins, 1); /* nor does a disabled account */
	/* Another organization's member is out of reach. */
	assert_int_equal(orgs_member_set_role(db, w->org_a, w->admin_b, "officer"), DB_DONE);
	assert_int_equal(orgs_member_set_status(db, w->org_a, w->admin_b, "disabled"), DB_DONE);
	CHECK(db, orgs_member_get(db, w->a, w->org_b, w->admin_b, &m));
	assert_string_equal(m.role, "org_admin");
	assert_string_equal(m.status, "active");
	/* The CHECK constraints hold. */
	assert_int_equal(orgs_member_set_role(db, w->org_a, w->officer_a, "chief"), DB_ECONSTRAINT);
	assert_int_equal(orgs_member_set_status(db, w->org_a, w->officer_a, "gone"),
	                 DB_ECONSTRAINT);
}

static void test_sessions_in_org(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	char t1[SESSION_TOKEN_LEN + 1], t2[SESSION_TOKEN_LEN + 1], t3[SESSION_TOKEN_LEN + 1];
	CHECK(db, accounts_membership_add(db, w->officer_a, w->org_b, "partner"));
	CHECK(db, session_create(db, w->officer_a, w->org_a, "", "", NOW, t1));
	CHECK(db, session_create(db, w->officer_a, w->org_b, "", "", NOW, t2));
	CHECK(db, session_create(db, w->admin_a, w->org_a, "", "", NOW, t3));
	CHECK(db, session_delete_user_org(db, w->officer_a, w->org_a));
	assert_int_equal(query_int(db, "SELECT count(*) FROM sessions"), 2);
	char q[200];
	snprintf(q, sizeof q,
	         "SELECT count(*) FROM sessions WHERE user_id = %lld AND active_org_id = %lld",
	         (long long)w->officer_a, (long long)w->org_b);
	assert_int_equal(query_int(db, q), 1); /* the session in the other organization stays */
	snprintf(q, sizeof q, "SELECT count(*) FROM sessions WHERE user_id = %lld",
	         (long long)w->admin_a);
	assert_int_equal(query_int(db, q), 1); /* other people's sessions stay */
}

/* A signed-in request's principal is kept in memory (auth/session_cache.h),
 * checked against the session row's auth_stamp: every change it is made of
 * must show on the very next load. Each load is done twice, so the second
 * comes from what the first kept. */
static void load_twice(struct world *w, const char *token, struct principal *who)
{
	struct auth_limits l;
	auth_limits_default(&l);
	for (int i = 0; i < 2; i++)
		CHECK(w->db, session_load(w->db, w->a, token, NOW, &l, who, NULL));
}

static void test_kept_principal_follows_the_store(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	long long me = w->officer_a, a = w->org_a, b = w->org_b;
	char t[SESSION_TOKEN_LEN + 1];
	struct principal who;
	CHECK(db, session_create(db, w->officer_a, w->org_a, "", "", NOW, t));
	load_twice(w, t, &who);
	assert_string_equal(who.name, "Olive 50%_Officer");
	assert_string_equal(who.role, "officer");
	assert_int_equal(who.org_id, w->org_a);
	assert_false(who.must_enrol);

	runf(db, "UPDATE users SET name = 'Olive Renamed', email = 'o2@a.example' WHERE id = %lld",
	     me);
	load_twice(w, t, &who);
	assert_string_equal(who.name, "Olive Renamed");
	assert_string_equal(who.email, "o2@a.example");

	runf(db, "UPDATE memberships SET role = 'trainer' WHERE user_id = %lld AND org_id = %lld",
	     me, a);
	load_twice(w, t, &who);
	assert_string_equal(who.role, "trainer");

	runf(db, "UPDATE organizations SET name = 'Metro Police' WHERE id = %lld", a);
	load_twice(w, t, &who);
	assert_string_equal(who.org_name, "Metro Police");

	/* The MFA rule: the organization's setting, the person's own MFA,
	 * a role elsewhere, the site admin flag. */
	runf(db, "UPDATE organizations SET mfa_required = 1 WHERE id = %lld", a);
	load_twice(w, t, &who);
	assert_true(who.must_enrol);
	runf(db, "INSERT INTO user_mfa (user_id, secret_sealed, enabled) VALUES (%lld, 'x', 1)",
	     me);
	load_twice(w, t, &who);
	assert_false(who.must_enrol);
	runf(db, "UPDATE user_mfa SET enabled = 0 WHERE user_id = %lld", me);
	load_twice(w, t, &who);
	assert_true(who.must_enrol);
	runf(db, "DELETE FROM user_mfa WHERE user_id = %lld", me);
	runf(db, "UPDATE organizations SET mfa_required = 0 WHERE id = %lld", a);
	load_twice(w, t, &who);
	assert_false(who.must_enrol);
	runf(db, "INSERT INTO memberships (user_id, org_id, role) VALUES (%lld, %lld, 'leader')",
	     me, b);
	load_twice(w, t, &who);
	assert_true(who.must_enrol);
	runf(db, "DELETE FROM memberships WHERE user_id = %lld AND org_id = %lld", me, b);
	load_twice(w, t, &who);
	assert_false(who.must_enrol);
	runf(db, "UPDATE users SET site_admin = 1 WHERE id = %lld", me);
	load_twice(w, t, &who);
	assert_true(who.site_admin);
	assert_true(who.must_enrol);
	runf(db, "UPDATE users SET site_admin = 0 WHERE id = %lld", me);
	load_twice(w, t, &who);
	assert_false(who.site_admin);

	/* The membership, the organization, the session's active organization. */
	runf(db, "UPDATE memberships SET status = 'disabled' WHERE user_id = %lld", me);
	load_twice(w, t, &who);
	assert_null(who.role);
	assert_int_equal(who.org_id, 0);
	runf(db, "UPDATE memberships SET status = 'active' WHERE user_id = %lld", me);
	runf(db, "UPDATE organizations SET status = 'disabled' WHERE id = %lld", a);
	load_twice(w, t, &who);
	assert_null(who.role);
	runf(db, "UPDATE organizations SET status = 'active' WHERE id = %lld", a);
	load_twice(w, t, &who);
	assert_string_equal(who.role, "trainer");
	runf(db, "INSERT INTO memberships (user_id, org_id, role) VALUES (%lld, %lld, 'partner')",
	     me, b);
	runf(db, "UPDATE sessions SET active_org_id = %lld WHERE user_id = %lld", b, me);
	load_twice(w, t, &who);
	assert_string_equal(who.role, "partner");
	assert_int_equal(who.org_id, w->org_b);

	/* The person disabled, the session ended. */
	struct auth_limits l;
	auth_limits_default(&l);
	runf(db, "UPDATE users SET status = 'disabled' WHERE id = %lld", me);
	assert_int_equal(session_load(db, w->a, t, NOW, &l, &who, NULL), DB_DONE);
	runf(db, "UPDATE users SET status = 'active' WHERE id = %lld", me);
	assert_int_equal(session_load(db, w->a, t, NOW, &l, &who, NULL), DB_DONE);
	char t2[SESSION_TOKEN_LEN + 1];
	CHECK(db, session_create(db, w->officer_a, w->org_a, "", "", NOW, t2));
	load_twice(w, t2, &who);
	CHECK(db, session_delete_user(db, w->officer_a));
	assert_int_equal(session_load(db, w->a, t2, NOW, &l, &who, NULL), DB_DONE);
}

/* ------------------------------------------------------------ invitations */

static void test_invitations(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	char tok1[INVITATION_TOKEN_LEN + 1], tok2[INVITATION_TOKEN_LEN + 1];
	int64_t id1, id2, revoked = -1, uid;
	struct invitation inv;
	CHECK(db, db_begin_write(db));
	CHECK(db, invitations_user_create(db, "new@a.example", "", &uid));
	CHECK(db, invitations_revoke_email(db, w->org_a, "new@a.example", NOW, &revoked));
	assert_int_equal(revoked, 0);
	CHECK(db,
	      invitations_create(db, w->org_a, "new@a.example", "officer", w->admin_a, NOW, tok1,
	                         &id1));
	CHECK(db, db_commit(db));
	assert_int_equal(strlen(tok1), INVITATION_TOKEN_LEN);
	char q[200];
	snprintf(q, sizeof q, "SELECT count(*) FROM invitations WHERE token_hash = '%s'", tok1);
	assert_int_equal(query_int(db, q), 0); /* only the hash is stored */
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM users WHERE email = 'new@a.example' "
	                           "AND status = 'invited' AND password_hash = '' AND "
	                           "email_verified = 0"),
	                 1);

	CHECK(db, invitations_find(db, w->a, tok1, NOW + 10, &inv));
	assert_int_equal(inv.id, id1);
	assert_int_equal(inv.org_id, w->org_a);
	assert_string_equal(inv.org_name, "Metro PD");
	assert_string_equal(inv.email, "new@a.example");
	assert_string_equal(inv.role, "officer");
	assert_int_equal(inv.expires_at, NOW + INVITATION_SECONDS);
	assert_int_equal(inv.state, INVITATION_PENDING);
	CHECK(db, invitations_find(db, w->a, tok1, NOW + INVITATION_SECONDS, &inv));
	assert_int_equal(inv.state, INVITATION_EXPIRED);
	assert_int_equal(invitations_find(db, w->a, "short", NOW, &inv), DB_DONE);
	char unknown[INVITATION_TOKEN_LEN + 1];
	memset(unknown, 'A', INVITATION_TOKEN_LEN);
	unknown[INVITATION_TOKEN_LEN] = '\0';
	assert_int_equal(invitations_find(db, w->a, unknown, NOW, &inv), DB_DONE);
	assert_int_equal(invitations_find(db, w->a, NULL, NOW, &inv), DB_DONE);

	/* Listed for its organization only, and by search. */
	struct invitation *list;
	size_t n;
	char like[ORGS_LIKE_MAX];
	CHECK(db, invitations_pending(db, w->a, w->org_a, NULL, NOW, &list, &n));
	assert_int_equal(n, 1);
	CHECK(db, invitations_pending(db, w->a, w->org_b, NULL, NOW, &list, &n));
	assert_int_equal(n, 0);
	assert_true(orgs_like_pattern("NEW@", like, sizeof like));
	CHECK(db, invitations_pending(db, w->a, w->org_a, like, NOW, &list, &n));
	assert_int_equal(n, 1);
	assert_true(orgs_like_pattern("nobody", like, sizeof like));
	CHECK(db, invitations_pending(db, w->a, w->org_a, like, NOW, &list, &n));
	assert_int_equal(n, 0);
	CHECK(db,
	      invitations_pending(db, w->a, w->org_a, NULL, NOW + INVITATION_SECONDS, &list, &n));
	assert_int_equal(n, 0); /* expired ones are not pending */

	/* A new one replaces it. */
	CHECK(db, db_begin_write(db));
	CHECK(db, invitations_revoke_email(db, w->org_a, "new@a.example", NOW + 1, &revoked));
	assert_int_equal(revoked, 1);
	CHECK(db,
	      invitations_create(db, w->org_a, "new@a.example", "leader", w->admin_a, NOW + 1, tok2,
	                         &id2));
	CHECK(db, db_commit(db));
	CHECK(db, invitations_find(db, w->a, tok1, NOW + 2, &inv));
	assert_int_equal(inv.state, INVITATION_REVOKED);
	CHECK(db, db_begin_write(db));
	assert_int_equal(invitations_accept(db, w->a, tok1, NOW + 2, &inv), DB_DONE);
	CHECK(db, db_commit(db));

	/* Revoking by id: only in its organization, only while pending. */
	const char *email = NULL;
	assert_int_equal(invitations_revoke(db, w->a, w->org_b, id2, NOW + 3, &email), DB_DONE);
	assert_int_equal(invitations_revoke(db, w->a, w->org_a, id1, NOW + 3, &email), DB_DONE);

	/* Accepting: once. */
	CHECK(db, db_begin_write(db));
	CHECK(db, invitations_accept(db, w->a, tok2, NOW + 3, &inv));
	assert_int_equal(inv.id, id2);
	assert_string_equal(inv.role, "leader");
	assert_int_equal(inv.state, INVITATION_ACCEPTED);
	CHECK(db, invitations_user_activate(db, uid, "Nell New", "hash"));
	CHECK(db, invitations_membership_add(db, uid, inv.org_id, inv.role));
	CHECK(db, invitations_membership_add(db, uid, inv.org_id, "officer"));
	CHECK(db, db_commit(db));
	assert_int_equal(invitations_user_activate(db, uid, "Again", "hash2"), DB_DONE);
	CHECK(db, db_begin_write(db));
	assert_int_equal(invitations_accept(db, w->a, tok2, NOW + 4, &inv), DB_DONE);
	CHECK(db, db_commit(db));
	assert_int_equal(invitations_revoke(db, w->a, w->org_a, id2, NOW + 5, &email), DB_DONE);
	struct account_user u;
	CHECK(db, accounts_user_by_email(db, w->a, "new@a.example", &u));
	assert_string_equal(u.status, "active");
	assert_string_equal(u.name, "Nell New");
	struct org_member m;
	CHECK(db, orgs_member_get(db, w->a, w->org_a, uid, &m));
	/* An existing membership is left as it is. */
	assert_string_equal(m.role, "leader");
}

static void test_invitation_revoke_and_disabled_org(void **state)
{
	struct world *w = *state;
	struct db *db = w->db;
	char tok[INVITATION_TOKEN_LEN + 1];
	int64_t id;
	struct invitation inv;
	const char *email = NULL;
	CHECK(db, invitations_create(db, w->org_a, "x@a.example", "officer", 0, NOW, tok, &id));
	CHECK(db, invitations_revoke(db, w->a, w->org_a, id, NOW + 1, &email));
	assert_string_equal(email, "x@a.example");
	CHECK(db, invitations_find(db, w->a, tok, NOW + 2, &inv));
	assert_int_equal(inv.state, INVITATION_REVOKED);
	/* An organization that is not active: its invitations are dead. */
	CHECK(db, invitations_create(db, w->org_b, "y@b.example", "officer", 0, NOW, tok, &id));
	runf(db, "UPDATE organizations SET status = 'disabled' WHERE id = %lld",
	     (long long)w->org_b);
	CHECK(db, invitations_find(db, w->a, tok, NOW + 1, &inv));
	assert_int_equal(inv.state, INVITATION_REVOKED);
	CHECK(db, db_begin_write(db));
	assert_int_equal(invitations_accept(db, w->a, tok, NOW + 1, &inv), DB_DONE);
	CHECK(db, db_commit(db));
	/* The role's CHECK constraint holds. */
	assert_int_equal(invitations_create(db, w->org_a, "z@a.example", "chief", 0, NOW, tok, &id),
	                 DB_ECONSTRAINT);
}

/* --------------------------------------------------------------- fixtures */

static int group_sqlite(void **state)
{
	(void)state;
	return fixture_group_sqlite("orgs");
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
	        cmocka_unit_test(test_check_domain),
	        cmocka_unit_test(test_check_ori),
	        cmocka_unit_test(test_check_jurisdiction),
	        cmocka_unit_test(test_like_pattern),
	};
	const struct CMUnitTest common[] = {
	        T(test_settings),        T(test_domains),
	        T(test_members),         T(test_member_changes),
	        T(test_sessions_in_org), T(test_kept_principal_follows_the_store),
	        T(test_invitations),     T(test_invitation_revoke_and_disabled_org),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("orgs", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("orgs on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("orgs on PostgreSQL", common, group_pg, NULL);
	} else {
		printf("[  SKIPPED ] orgs on PostgreSQL: %zu tests skipped (set CSEC_TEST_PG_URL, "
		       "e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
