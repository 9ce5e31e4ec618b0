/* tests/unit/test_audit.c — the audit log (audit.h, migration 0002) on
 * SQLite, always, and on PostgreSQL when CSEC_TEST_PG_URL names a server.
 * Each test gets a fresh, migrated store (PostgreSQL: a fresh schema
 * csec_unit). Tampering is done the way an attacker with write access to the
 * store would: with plain SQL, after dropping the triggers that refuse it.
 * The hash and MAC are recomputed here by an encoder of the test's own,
 * written from the format in audit.h, and pinned by a known answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_helpers.h"

static const uint8_t KEY[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t OTHER_KEY[32] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                      0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                      0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                      0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0x01};

/* ------------------------------------------------- the test's own encoder */

#define NF                                                                                         \
	12 /* seq at actor_user_id actor org_id action target_type target_id                       \
	      outcome source detail prev_hash */

static void put(unsigned char *out, size_t *n, const char *s)
{
	if (!s) {
		out[(*n)++] = 'N';
		return;
	}
	size_t len = strlen(s);
	assert_true(*n + 9 + len < 16384);
	out[(*n)++] = 'T';
	for (int i = 7; i >= 0; i--)
		out[(*n)++] = (unsigned char)((uint64_t)len >> (8 * i));
	memcpy(out + *n, s, len);
	*n += len;
}

static void t_hash(const char *const f[NF], char out[65])
{
	static unsigned char buf[16384];
	uint8_t h[32];
	size_t n = 0;

	memcpy(buf, "csec-audit-v1\n", 14);
	n = 14;
	for (int i = 0; i < NF; i++)
		put(buf, &n, f[i]);
	crypto_sha256(h, buf, n);
	crypto_hex(out, h, sizeof(h));
}

static void t_mac(const uint8_t key[32], int64_t count, const char *last, char out[65])
{
	unsigned char buf[256];
	char c[24];
	uint8_t m[32];
	size_t n = 25;

	memcpy(buf, "csec-audit-checkpoint-v1\n", 25);
	snprintf(c, sizeof(c), "%lld", (long long)count);
	put(buf, &n, c);
	put(buf, &n, last);
	crypto_hmac(m, key, buf, n);
	crypto_hex(out, m, sizeof(m));
}

static const char ZEROS[65] = "0000000000000000000000000000000000000000000000000000000000000000";

/* One stored record, read back as text (NULL for SQL NULL). */
struct row {
	char f[NF][600];
	bool null[NF];
	char hash[80];
	int64_t id;
};

static const char select_row[] =
        "SELECT seq, at, actor_user_id, actor, org_id, action, target_type, target_id, "
        "outcome, source, detail, prev_hash, hash, id FROM audit_log WHERE seq = $1";

static void read_row(struct db *db, int64_t seq, struct row *r)
{
	struct db_stmt *st;

	CHECK(db, db_prepare(db, select_row, &st));
	CHECK(db, db_bind_int64(st, 1, seq));
	if (db_step(st) != DB_ROW)
		fail_msg("no record %lld", (long long)seq);
	for (int i = 0; i < NF; i++) {
		r->null[i] = db_column_is_null(st, i);
		snprintf(r->f[i], sizeof(r->f[i]), "%s", db_column_text(st, i, NULL));
	}
	snprintf(r->hash, sizeof(r->hash), "%s", db_column_text(st, 12, NULL));
	r->id = db_column_int64(st, 13);
	db_finalize(st);
}

static void row_hash(const struct row *r, char out[65])
{
	const char *f[NF];

	for (int i = 0; i < NF; i++)
		f[i] = r->null[i] ? NULL : r->f[i];
	t_hash(f, out);
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
	return fixture_group_sqlite("audit");
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

/* ---------------------------------------------------------------- helpers */

/* The i-th event of a varied set: with and without user, org, target,
 * source and detail; every outcome; non-ASCII text. */
static struct audit_event event(int i)
{
	static const char *const outcomes[] = {"success", "failure", "denied"};
	/* per thread: the writers of the concurrency tests call this too */
	static _Thread_local char actor[64], target[32], detail[128];
	struct audit_event e = {0};

	snprintf(actor, sizeof(actor), i % 5 == 0 ? "system" : "officer%d@agency.example", i % 7);
	snprintf(target, sizeof(target), "%d", 1000 + i);
	snprintf(detail, sizeof(detail), "{\"n\":%d,\"note\":\"J\\u00fcrgen \xc3\xa9t\xc3\xa9\"}",
	         i);
	e.actor_user_id = i % 5 == 0 ? 0 : 1 + i % 7;
	e.actor = actor;
	e.org_id = i % 3 == 0 ? 0 : 1 + i % 2;
	e.action = i % 2 ? "auth.signin" : "org.member.role_change";
	e.target_type = i % 4 == 0 ? NULL : i % 4 == 1 ? "" : "user";
	e.target_id = i % 4 >= 2 ? target : NULL;
	e.outcome = outcomes[i % 3];
	e.source = i % 6 == 0 ? NULL : "2001:db8::17";
	e.detail_json = i % 2 ? detail : NULL;
	return e;
}

/* Appends n varied events, each in a transaction of its own. */
static void fill(struct db *db, int n)
{
	for (int i = 0; i < n; i++) {
		struct audit_event e = event(i);
		CHECK(db, audit_record(db, KEY, &e));
	}
}

static void expect_intact(struct db *db, const uint8_t *key, int64_t n)
{
	char msg[512], want[64];
	int64_t bad = -1;
	int rc = audit_verify(db, key, &bad, msg, sizeof(msg));

	if (rc != 0)
		fail_msg("audit_verify -> %d (bad %lld): %s", rc, (long long)bad, msg);
	assert_int_equal(bad, 0);
	snprintf(want, sizeof(want), "audit log intact: %lld record%s", (long long)n,
	         n == 1 ? "" : "s");
	assert_string_equal(msg, want);
}

static void expect_broken(struct db *db, const uint8_t *key, int64_t bad_seq, const char *part)
{
	char msg[512];
	int64_t bad = -1;
	int rc = audit_verify(db, key, &bad, msg, sizeof(msg));

	if (rc != AUDIT_EBROKEN)
		fail_msg("audit_verify -> %d, want AUDIT_EBROKEN (%s): %s", rc, part, msg);
	if (bad != bad_seq || !strstr(msg, part))
		fail_msg("bad %lld \"%s\"; want %lld \"%s\"", (long long)bad, msg,
		         (long long)bad_seq, part);
}

/* What an attacker does first: the refusing triggers go. */
static void drop_triggers(struct db *db)
{
	if (db_dialect(db) == DB_SQLITE)
		CHECK(db,
		      db_exec_script(db,
		                     "DROP TRIGGER audit_log_no_update; "
		                     "DROP TRIGGER audit_log_no_delete; "
		                     "DROP TRIGGER audit_checkpoint_no_delete"));
	else
		CHECK(db,
		      db_exec_script(db,
		                     "DROP TRIGGER audit_log_no_update ON audit_log; "
		                     "DROP TRIGGER audit_log_no_delete ON audit_log; "
		                     "DROP TRIGGER audit_log_no_truncate ON audit_log; "
		                     "DROP TRIGGER audit_checkpoint_no_delete "
		                     "ON audit_checkpoint; "
		                     "DROP TRIGGER audit_checkpoint_no_truncate "
		                     "ON audit_checkpoint"));
}

static void set_checkpoint(struct db *db, int64_t count, const char *last, const char *mac)
{
	runf(db,
	     "UPDATE audit_checkpoint SET count = %lld, last_hash = '%s', mac = '%s' "
	     "WHERE id = 1",
	     (long long)count, last, mac);
}

static int64_t records(struct db *db)
{
	return query_int(db, "SELECT count(*) FROM audit_log");
}

/* ------------------------------------------------------------------ tests */

static void test_known_answer(void **state)
{
	const char *f[NF] = {"1",
	                     "2025-01-31T23:59:59.123Z",
	                     "42",
	                     "chief@agency.example",
	                     NULL,
	                     "auth.signin",
	                     "user",
	                     "42",
	                     "success",
	                     "203.0.113.9",
	                     "{\"mfa\":true}",
	                     ZEROS};
	uint8_t key[32];
	char h[65], m[65];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	/* Computed independently (Python hashlib/hmac) from the format in
	 * audit.h and docs/audit.md. */
	t_hash(f, h);
	assert_string_equal(h, "c017bc03f262c6ef5bfa461abd1e8283d7f1ac9ec1c723edca0345b5f096ea46");
	t_mac(key, 1, h, m);
	assert_string_equal(m, "e56c5b3982f5c2034cdfaad705b83b3bd631bc5e9081866a457db0ae1b93f4bd");
}

static void test_empty_log(void **state)
{
	struct db *db = *state;
	char msg[8];
	int64_t bad = -1;

	expect_intact(db, KEY, 0);
	expect_intact(db, OTHER_KEY, 0); /* nothing keyed yet */
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_checkpoint"), 0);
	/* msg may be NULL or short */
	assert_int_equal(audit_verify(db, KEY, &bad, NULL, 0), 0);
	assert_int_equal(audit_verify(db, KEY, NULL, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "audit l");
}

static void test_append_and_verify(void **state)
{
	struct db *db = *state;
	struct row r;
	char h[65], prev[65], m[65];
	const int n = 300; /* more than a page of audit_verify */

	/* Many appends in one transaction, then more each in its own. */
	CHECK(db, db_begin_write(db));
	for (int i = 0; i < 260; i++) {
		struct audit_event e = event(i);
		CHECK(db, audit_append(db, KEY, &e));
	}
	CHECK(db, db_commit(db));
	for (int i = 260; i < n; i++) {
		struct audit_event e = event(i);
		CHECK(db, audit_record(db, KEY, &e));
	}
	expect_intact(db, KEY, n);
	assert_int_equal(records(db), n);
	assert_int_equal(query_int(db, "SELECT min(seq) FROM audit_log"), 1);
	assert_int_equal(query_int(db, "SELECT max(seq) FROM audit_log"), n);

	/* Every record holds what was given, linked and hashed as documented. */
	memcpy(prev, ZEROS, sizeof(prev));
	for (int i = 0; i < n; i++) {
		struct audit_event e = event(i);
		char seq[24];
		read_row(db, i + 1, &r);
		snprintf(seq, sizeof(seq), "%d", i + 1);
		assert_string_equal(r.f[0], seq);
		/* YYYY-MM-DDTHH:MM:SS.mmmZ */
		assert_int_equal(strlen(r.f[1]), 24);
		assert_true(r.f[1][10] == 'T' && r.f[1][19] == '.' && r.f[1][23] == 'Z');
		assert_int_equal(r.null[2], e.actor_user_id == 0);
		assert_string_equal(r.f[3], e.actor);
		assert_int_equal(r.null[4], e.org_id == 0);
		if (e.org_id)
			assert_int_equal(strtoll(r.f[4], NULL, 10), e.org_id);
		assert_string_equal(r.f[5], e.action);
		assert_int_equal(r.null[6], !e.target_type || !*e.target_type); /* "" = none */
		assert_int_equal(r.null[7], e.target_id == NULL);
		assert_string_equal(r.f[8], e.outcome);
		assert_int_equal(r.null[9], e.source == NULL);
		assert_int_equal(r.null[10], e.detail_json == NULL);
		if (e.detail_json)
			assert_string_equal(r.f[10], e.detail_json);
		assert_string_equal(r.f[11], prev);
		row_hash(&r, h);
		assert_string_equal(r.hash, h);
		memcpy(prev, h, sizeof(prev));
	}
	/* The checkpoint: count, last hash, MAC under the key. */
	struct db_stmt *st;
	CHECK(db, db_prepare(db, "SELECT count, last_hash, mac FROM audit_checkpoint", &st));
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int64(st, 0), n);
	assert_string_equal(db_column_text(st, 1, NULL), prev);
	t_mac(KEY, n, prev, m);
	assert_string_equal(db_column_text(st, 2, NULL), m);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);

	/* A change past the first page is found too. */
	drop_triggers(db);
	CHECK(db, run(db, "UPDATE audit_log SET actor = 'mallory@example.org' WHERE seq = 280"));
	expect_broken(db, KEY, 280, "record 280: its hash does not match its content");
}

static void test_bad_events(void **state)
{
	struct db *db = *state;
	char longer[AUDIT_MAX_DETAIL + 16];
	struct audit_event good = event(1), e;

	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	struct {
		const char *what;
		struct audit_event e;
	} bad[] = {
	        {"no actor", good},           {"empty actor", good},
	        {"actor with newline", good}, {"no action", good},
	        {"action caps", good},        {"action space", good},
	        {"action dot first", good},   {"action too long", good},
	        {"no outcome", good},         {"bad outcome", good},
	        {"negative user", good},      {"negative org", good},
	        {"detail not json", good},    {"detail an array", good},
	        {"detail too long", good},    {"detail duplicate keys", good},
	        {"source too long", good},    {"target_id too long", good},
	        {"bad utf-8", good},
	};
	bad[0].e.actor = NULL;
	bad[1].e.actor = "";
	bad[2].e.actor = "a\nb";
	bad[3].e.action = NULL;
	bad[4].e.action = "Auth.signin";
	bad[5].e.action = "auth signin";
	bad[6].e.action = ".auth";
	bad[7].e.action = longer + sizeof(longer) - 1 - (AUDIT_MAX_ACTION + 1);
	bad[8].e.outcome = NULL;
	bad[9].e.outcome = "ok";
	bad[10].e.actor_user_id = -1;
	bad[11].e.org_id = -2;
	bad[12].e.detail_json = "{not json";
	bad[13].e.detail_json = "[1,2]";
	bad[14].e.detail_json = longer;
	bad[15].e.detail_json = "{\"a\":1,\"a\":2}";
	bad[16].e.source = longer + sizeof(longer) - 1 - (AUDIT_MAX_SOURCE + 1);
	bad[17].e.target_id = longer + sizeof(longer) - 1 - (AUDIT_MAX_TARGET_ID + 1);
	bad[18].e.actor = "caf\xc3";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = audit_record(db, KEY, &bad[i].e);
		if (rc != DB_EINVAL)
			fail_msg("%s: audit_record -> %d", bad[i].what, rc);
		CHECK(db, db_begin_write(db));
		rc = audit_append(db, KEY, &bad[i].e);
		CHECK(db, db_rollback(db));
		if (rc != DB_EINVAL)
			fail_msg("%s: audit_append -> %d", bad[i].what, rc);
	}
	assert_int_equal(audit_record(db, KEY, NULL), DB_EINVAL);
	assert_int_equal(records(db), 0);
	/* the limits themselves are fine */
	e = good;
	e.detail_json = "{}";
	e.source = longer + sizeof(longer) - 1 - AUDIT_MAX_SOURCE;
	e.target_id = longer + sizeof(longer) - 1 - AUDIT_MAX_TARGET_ID;
	e.action = "a";
	CHECK(db, audit_record(db, KEY, &e));
	expect_intact(db, KEY, 1);
}

static void test_triggers_refuse(void **state)
{
	struct db *db = *state;

	fill(db, 5);
	assert_int_equal(run(db, "UPDATE audit_log SET actor = 'x' WHERE seq = 2"), DB_ECONSTRAINT);
	assert_non_null(strstr(db_errmsg(db), "append-only"));
	assert_int_equal(run(db, "UPDATE audit_log SET outcome = outcome"), DB_ECONSTRAINT);
	assert_int_equal(run(db, "DELETE FROM audit_log WHERE seq = 5"), DB_ECONSTRAINT);
	assert_int_equal(run(db, "DELETE FROM audit_log"), DB_ECONSTRAINT);
	assert_int_equal(run(db, "DELETE FROM audit_checkpoint"), DB_ECONSTRAINT);
	if (F.pg) {
		assert_int_equal(run(db, "TRUNCATE audit_log"), DB_ECONSTRAINT);
		assert_int_equal(run(db, "TRUNCATE audit_checkpoint"), DB_ECONSTRAINT);
	}
	/* the columns' own rules */
	assert_int_equal(run(db,
	                     "INSERT INTO audit_log (seq, at, actor, action, outcome, "
	                     "prev_hash, hash) VALUES (6, 'x', 'a', 'b', 'maybe', 'p', 'h')"),
	                 DB_ECONSTRAINT);
	assert_int_equal(run(db,
	                     "INSERT INTO audit_log (seq, at, actor, outcome, prev_hash, "
	                     "hash) VALUES (6, 'x', 'a', 'success', 'p', 'h')"),
	                 DB_ECONSTRAINT); /* action NOT NULL */
	assert_int_equal(run(db,
	                     "INSERT INTO audit_log (seq, at, actor, action, outcome, "
	                     "prev_hash, hash) VALUES (5, 'x', 'a', 'b', 'success', 'p', 'h')"),
	                 DB_ECONSTRAINT); /* seq UNIQUE */
	assert_int_equal(run(db,
	                     "INSERT INTO audit_checkpoint (id, count, last_hash, mac) "
	                     "VALUES (2, 0, 'x', 'y')"),
	                 DB_ECONSTRAINT);
	expect_intact(db, KEY, 5);
}

static void test_tamper_each_field(void **state)
{
	struct db *db = *state;
	static const struct {
		int64_t seq;
		const char *column, *value;
	} cases[] = {
	        {1, "at", "'2020-01-01T00:00:00.000Z'"},
	        {2, "actor_user_id", "999"},
	        {5, "actor_user_id", "NULL"}, /* event 4 had user 5 */
	        {3, "actor", "'mallory@example.org'"},
	        {4, "org_id", "77"},
	        {5, "org_id", "NULL"},
	        {6, "action", "'auth.signout'"},
	        {7, "target_type", "'org'"},
	        {8, "target_id", "'9'"},
	        {9, "outcome", "'success'"},
	        {10, "source", "'198.51.100.1'"},
	        {11, "detail", "'{}'"},
	        {12, "detail", "NULL"},
	        {13, "prev_hash",
	         "'" /* a plausible but wrong hash */
	         "1111111111111111111111111111111111111111111111111111111111111111'"},
	        {14, "hash", "'2222222222222222222222222222222222222222222222222222222222222222'"},
	        {30, "actor", "'system'"},
	};

	fill(db, 30);
	drop_triggers(db);
	CHECK(db, run(db, "CREATE TABLE audit_copy AS SELECT * FROM audit_log"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[96];
		long long seq = (long long)cases[i].seq;
		runf(db, "UPDATE audit_log SET %s = %s WHERE seq = %lld", cases[i].column,
		     cases[i].value, seq);
		snprintf(want, sizeof(want), "record %lld: its hash does not match its content",
		         seq);
		expect_broken(db, KEY, seq, want);
		/* put it back: intact again */
		runf(db,
		     "UPDATE audit_log SET %s = (SELECT c.%s FROM audit_copy c "
		     "WHERE c.seq = audit_log.seq) WHERE seq = %lld",
		     cases[i].column, cases[i].column, seq);
		expect_intact(db, KEY, 30);
	}
	/* Two changes: the first is named. */
	CHECK(db, run(db, "UPDATE audit_log SET outcome = 'denied' WHERE seq IN (21, 8)"));
	expect_broken(db, KEY, 8, "record 8:");
}

static void test_tamper_delete_middle(void **state)
{
	struct db *db = *state;

	fill(db, 20);
	/* the trigger refuses first */
	assert_int_equal(run(db, "DELETE FROM audit_log WHERE seq = 9"), DB_ECONSTRAINT);
	expect_intact(db, KEY, 20);
	drop_triggers(db);
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq = 9"));
	expect_broken(db, KEY, 9, "record 9 is missing");
	/* and the first of several */
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq IN (3, 15)"));
	expect_broken(db, KEY, 3, "record 3 is missing");
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq = 1"));
	expect_broken(db, KEY, 1, "record 1 is missing");
}

static void test_tamper_reorder(void **state)
{
	struct db *db = *state;

	fill(db, 20);
	drop_triggers(db);
	/* swap records 5 and 12 */
	CHECK(db, run(db, "UPDATE audit_log SET seq = -5 WHERE seq = 5"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 5 WHERE seq = 12"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 12 WHERE seq = -5"));
	expect_broken(db, KEY, 5, "record 5: its hash does not match its content");
	CHECK(db, run(db, "UPDATE audit_log SET seq = -5 WHERE seq = 5"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 5 WHERE seq = 12"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 12 WHERE seq = -5"));
	expect_intact(db, KEY, 20);
	/* neighbours swapped */
	CHECK(db, run(db, "UPDATE audit_log SET seq = -1 WHERE seq = 19"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 19 WHERE seq = 20"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 20 WHERE seq = -1"));
	expect_broken(db, KEY, 19, "record 19:");
	/* the row ids (storage order) mean nothing: only seq orders */
	CHECK(db, run(db, "UPDATE audit_log SET seq = -1 WHERE seq = 19"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 19 WHERE seq = 20"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = 20 WHERE seq = -1"));
	CHECK(db, run(db, "UPDATE audit_log SET id = id + 1000 WHERE seq <= 10"));
	expect_intact(db, KEY, 20);
}

static void test_tamper_cut_tail(void **state)
{
	struct db *db = *state;

	fill(db, 40);
	drop_triggers(db);
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq > 38"));
	expect_broken(db, KEY, 39, "the log ends at record 38 but the checkpoint says 40");
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq > 1"));
	expect_broken(db, KEY, 2, "the log ends at record 1 but the checkpoint says 40");
	CHECK(db, run(db, "DELETE FROM audit_log"));
	expect_broken(db, KEY, 1, "the log is empty but the checkpoint says 40");
}

static void test_tamper_cut_tail_forge_checkpoint(void **state)
{
	struct db *db = *state;
	struct row r;
	char mac[65];

	fill(db, 40);
	drop_triggers(db);
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq > 38"));
	read_row(db, 38, &r);
	/* checkpoint moved back, its MAC left as it was */
	runf(db, "UPDATE audit_checkpoint SET count = 38, last_hash = '%s' WHERE id = 1", r.hash);
	expect_broken(db, KEY, 38,
	              "the checkpoint's MAC is wrong: it was not written with this "
	              "deployment's secret");
	/* or with a MAC under a key the attacker made up */
	t_mac(OTHER_KEY, 38, r.hash, mac);
	set_checkpoint(db, 38, r.hash, mac);
	expect_broken(db, KEY, 38, "the checkpoint's MAC is wrong");
	/* a forged checkpoint is never extended (that would launder it) */
	struct audit_event e = event(1);
	assert_int_equal(audit_record(db, KEY, &e), DB_EINVAL);
	assert_int_equal(records(db), 38);
	/* the whole log gone and a checkpoint saying so, unkeyed */
	CHECK(db, run(db, "DELETE FROM audit_log"));
	t_mac(OTHER_KEY, 0, ZEROS, mac);
	set_checkpoint(db, 0, ZEROS, mac);
	expect_broken(db, KEY, 0, "the checkpoint's MAC is wrong");
}

/* Recomputes every hash from record `from` on, as an attacker without the
 * key can; returns the new last hash in last. */
static void rehash_chain(struct db *db, int64_t from, int64_t n, char last[65])
{
	struct row r;
	char prev[65];

	if (from == 1) {
		memcpy(prev, ZEROS, sizeof(prev));
	} else {
		read_row(db, from - 1, &r);
		assert_int_equal(strlen(r.hash), 64);
		memcpy(prev, r.hash, sizeof(prev));
	}
	for (int64_t s = from; s <= n; s++) {
		read_row(db, s, &r);
		snprintf(r.f[11], sizeof(r.f[11]), "%s", prev);
		r.null[11] = false;
		row_hash(&r, prev);
		runf(db, "UPDATE audit_log SET prev_hash = '%s', hash = '%s' WHERE seq = %lld",
		     r.f[11], prev, (long long)s);
	}
	memcpy(last, prev, 65);
}

static void test_tamper_rewrite_chain(void **state)
{
	struct db *db = *state;
	char last[65], mac[65];

	fill(db, 25);
	drop_triggers(db);
	CHECK(db,
	      run(db,
	          "UPDATE audit_log SET outcome = 'success', actor = 'chief@agency.example' "
	          "WHERE seq = 3"));
	expect_broken(db, KEY, 3, "record 3: its hash does not match its content");
	/* only record 3 rehashed: the next one no longer links to it */
	rehash_chain(db, 3, 3, last);
	expect_broken(db, KEY, 4, "record 4: it does not link to record 3 before it");
	/* the whole chain rewritten consistently: the checkpoint disagrees */
	rehash_chain(db, 3, 25, last);
	expect_broken(db, KEY, 25, "the checkpoint's last hash does not match record 25");
	/* the checkpoint rewritten too, without the key: its MAC fails */
	t_mac(OTHER_KEY, 25, last, mac);
	set_checkpoint(db, 25, last, mac);
	expect_broken(db, KEY, 25, "the checkpoint's MAC is wrong");
	/* The limit (docs/audit.md): with the deployment secret, history can
	 * be rewritten without a trace. Keep the secret off the store's host. */
	t_mac(KEY, 25, last, mac);
	set_checkpoint(db, 25, last, mac);
	expect_intact(db, KEY, 25);
	/* a chain built from scratch, record 1 not starting at zeros */
	runf(db, "UPDATE audit_log SET prev_hash = '%s' WHERE seq = 1",
	     "abababababababababababababababababababababababababababababababab");
	expect_broken(db, KEY, 1, "record 1:");
}

static void test_wrong_secret(void **state)
{
	struct db *db = *state;
	struct audit_event e = event(3);

	fill(db, 10);
	expect_broken(db, OTHER_KEY, 10,
	              "the checkpoint's MAC is wrong: it was not written with this "
	              "deployment's secret");
	/* a node with another secret cannot append either */
	assert_int_equal(audit_record(db, OTHER_KEY, &e), DB_EINVAL);
	assert_int_equal(records(db), 10);
	expect_intact(db, KEY, 10);
}

static void test_tamper_add_records(void **state)
{
	struct db *db = *state;
	struct row r;
	const char *f[NF];
	char h[65];

	fill(db, 10);
	/* INSERT needs no trigger gone: a made-up record at the end */
	runf(db,
	     "INSERT INTO audit_log (seq, at, actor, action, outcome, prev_hash, hash) "
	     "VALUES (11, '2025-01-01T00:00:00.000Z', 'system', 'x.y', 'success', '%s', '%s')",
	     ZEROS, ZEROS);
	expect_broken(db, KEY, 11, "record 11: its hash does not match its content");
	drop_triggers(db);
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq = 11"));
	expect_intact(db, KEY, 10);
	/* one hashed and linked properly, without moving the keyed checkpoint */
	read_row(db, 10, &r);
	f[0] = "11";
	f[1] = "2025-01-01T00:00:00.000Z";
	f[2] = NULL;
	f[3] = "system";
	f[4] = NULL;
	f[5] = "x.y";
	f[6] = f[7] = NULL;
	f[8] = "success";
	f[9] = f[10] = NULL;
	f[11] = r.hash;
	t_hash(f, h);
	runf(db,
	     "INSERT INTO audit_log (seq, at, actor, action, outcome, prev_hash, hash) "
	     "VALUES (11, '2025-01-01T00:00:00.000Z', 'system', 'x.y', 'success', '%s', '%s')",
	     r.hash, h);
	expect_broken(db, KEY, 11,
	              "record 11 is not covered by the checkpoint, which ends at record 10");
	/* a record slipped in between: a gap, or a hash mismatch */
	CHECK(db, run(db, "DELETE FROM audit_log WHERE seq = 11"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = seq + 100 WHERE seq > 5"));
	CHECK(db, run(db, "UPDATE audit_log SET seq = seq - 99 WHERE seq > 100"));
	expect_broken(db, KEY, 6, "record 6 is missing");
}

static void test_checkpoint_deleted(void **state)
{
	struct db *db = *state;
	struct audit_event e = event(2);

	fill(db, 5);
	drop_triggers(db);
	CHECK(db, run(db, "DELETE FROM audit_checkpoint"));
	expect_broken(db, KEY, 5, "the checkpoint is missing");
	/* appending does not start a second chain over the old one */
	assert_int_equal(audit_record(db, KEY, &e), DB_EINVAL);
	assert_int_equal(records(db), 5);
}

static void test_goes_with_the_transaction(void **state)
{
	struct db *db = *state;
	struct audit_event e = event(7);

	fill(db, 3);
	/* the action fails and rolls back: its record goes with it */
	CHECK(db, db_begin_write(db));
	CHECK(db, audit_append(db, KEY, &e));
	CHECK(db, audit_append(db, KEY, &e));
	assert_int_equal(records(db), 5);
	CHECK(db, db_rollback(db));
	assert_int_equal(records(db), 3);
	expect_intact(db, KEY, 3);
	CHECK(db, audit_record(db, KEY, &e));
	assert_int_equal(query_int(db, "SELECT max(seq) FROM audit_log"), 4);
	expect_intact(db, KEY, 4);
}

static void test_pg_duplicate_seq(void **state)
{
	struct db *db = *state;

	fill(db, 8);
	drop_triggers(db);
	CHECK(db, run(db, "ALTER TABLE audit_log DROP CONSTRAINT audit_log_seq_key"));
	CHECK(db,
	      run(db,
	          "INSERT INTO audit_log (seq, at, actor, action, outcome, prev_hash, "
	          "hash) SELECT seq, at, actor, action, outcome, prev_hash, hash "
	          "FROM audit_log WHERE seq = 5"));
	expect_broken(db, KEY, 5, "record 5 appears twice");
	/* a record without a number (NOT NULL dropped too) */
	CHECK(db, run(db, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"));
	CHECK(db, run(db, "ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL"));
	CHECK(db,
	      run(db,
	          "INSERT INTO audit_log (seq, at, actor, action, outcome, prev_hash, "
	          "hash) VALUES (NULL, 'x', 'a', 'b', 'success', 'p', 'h')"));
	expect_broken(db, KEY, 9, "the log holds 9 records but only 8 of them are in sequence");
}

/* --------------------------------------------------------- concurrency */

#define WRITERS 4
#define TXS 10 /* transactions per writer, two appends each */

struct writer {
	int n;
	int rc;
	char err[512];
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	struct db *db = NULL;

	w->rc = db_open(F.url, &db, w->err, sizeof(w->err));
	if (w->rc < 0)
		return NULL;
	for (int t = 0; t < TXS && w->rc >= 0; t++) {
		struct audit_event e = event(w->n * 100 + t);
		/* two records per transaction, with a pause between them while
		 * the others' transactions are open too */
		w->rc = db_begin_write(db);
		if (w->rc == DB_OK)
			w->rc = audit_append(db, KEY, &e);
		if (w->rc == DB_OK) {
			usleep(2000);
			w->rc = audit_append(db, KEY, &e);
		}
		if (w->rc == DB_OK)
			w->rc = db_commit(db);
		if (w->rc < 0) {
			snprintf(w->err, sizeof(w->err), "%s", db_errmsg(db));
			db_rollback(db);
			break;
		}
		/* and one on its own, retried as needed */
		w->rc = audit_record(db, KEY, &e);
		if (w->rc < 0)
			snprintf(w->err, sizeof(w->err), "%s", db_errmsg(db));
	}
	db_close(db);
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct db *db = *state;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	const int64_t n = WRITERS * TXS * 3;

	for (int i = 0; i < WRITERS; i++) {
		w[i].n = i;
		w[i].rc = 0;
		w[i].err[0] = '\0';
		assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].rc < 0)
			fail_msg("writer %d: %d: %s", i, w[i].rc, w[i].err);
	}
	assert_int_equal(records(db), n);
	assert_int_equal(query_int(db, "SELECT max(seq) FROM audit_log"), n);
	assert_int_equal(query_int(db, "SELECT count(DISTINCT seq) FROM audit_log"), n);
	/* one chain without forks: every record but the first follows exactly one */
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM audit_log a JOIN audit_log b "
	                           "ON b.prev_hash = a.hash"),
	                 n - 1);
	expect_intact(db, KEY, n);
}

/* A verification running while writers commit sees one consistent
 * snapshot, never a false alarm. */
struct verifier {
	int runs, rc;
	char msg[512];
};

static void *verify_thread(void *arg)
{
	struct verifier *v = arg;
	struct db *db = NULL;
	char err[512];
	int64_t bad;

	if (db_open(F.url, &db, err, sizeof(err)) < 0) {
		v->rc = -1;
		snprintf(v->msg, sizeof(v->msg), "%s", err);
		return NULL;
	}
	for (v->runs = 0; v->runs < 15; v->runs++) {
		v->rc = audit_verify(db, KEY, &bad, v->msg, sizeof(v->msg));
		if (v->rc != 0)
			break;
	}
	db_close(db);
	return NULL;
}

static void test_verify_while_writing(void **state)
{
	struct db *db = *state;
	struct writer w = {.n = 1};
	struct verifier v = {0};
	pthread_t tw, tv;

	fill(db, 50);
	assert_int_equal(pthread_create(&tw, NULL, writer_thread, &w), 0);
	assert_int_equal(pthread_create(&tv, NULL, verify_thread, &v), 0);
	pthread_join(tw, NULL);
	pthread_join(tv, NULL);
	if (w.rc < 0)
		fail_msg("writer: %s", w.err);
	if (v.rc != 0)
		fail_msg("verify run %d: %d: %s", v.runs, v.rc, v.msg);
	expect_intact(db, KEY, 50 + TXS * 3);
}

/* ------------------------------------------------------------------- main */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest common[] = {
	        cmocka_unit_test(test_known_answer),
	        T(test_empty_log),
	        T(test_append_and_verify),
	        T(test_bad_events),
	        T(test_triggers_refuse),
	        T(test_tamper_each_field),
	        T(test_tamper_delete_middle),
	        T(test_tamper_reorder),
	        T(test_tamper_cut_tail),
	        T(test_tamper_cut_tail_forge_checkpoint),
	        T(test_tamper_rewrite_chain),
	        T(test_wrong_secret),
	        T(test_tamper_add_records),
	        T(test_checkpoint_deleted),
	        T(test_goes_with_the_transaction),
	        T(test_concurrent_writers),
	        T(test_verify_while_writing),
	};
	const struct CMUnitTest pg_only[] = {
	        T(test_pg_duplicate_seq),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("audit on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed +=
		        cmocka_run_group_tests_name("audit on PostgreSQL", common, group_pg, NULL);
		failed += cmocka_run_group_tests_name("audit on PostgreSQL only", pg_only, group_pg,
		                                      NULL);
	} else {
		printf("[  SKIPPED ] audit on PostgreSQL: %zu tests skipped (set CSEC_TEST_PG_URL, "
		       "e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]) + sizeof(pg_only) / sizeof(pg_only[0]));
	}
	return failed ? 1 : 0;
}
