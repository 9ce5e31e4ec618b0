/* tests/unit/test_library_admin.c — the models behind the site admin's
 * content page (features/library/admin_model.c): the review date check and
 * the .zip writer (pure; its archives read back through pack.h's reader),
 * then the waiting upload, clearing a review and the import's dry run on
 * SQLite, always, and on PostgreSQL when CSEC_TEST_PG_URL names a server
 * (scripts/with-pg). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/library/admin_model.h"
#include "features/library/pack.h"
#include "features/library/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_helpers.h"

static const uint8_t key[32] = {9};

/* ------------------------------------------------------------ dates */

static void test_dates(void **state)
{
	(void)state;
	const char *good[] = {"2026-03-14", "2024-02-29", "2000-02-29", "1900-01-01", "9999-12-31"};
	const char *bad[] = {NULL,          "",           "2026-3-14",  "2026-03-14 ",
	                     " 2026-03-14", "2026/03/14", "2026-02-29", "1900-02-29",
	                     "2026-13-01",  "2026-00-10", "2026-04-31", "2026-01-00",
	                     "1899-12-31",  "20260314",   "2026-03-1x", "２026-03-14"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(library_date_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(library_date_valid(bad[i]));
}

/* ------------------------------------------------------------ zip */

static const char pack_json[] =
        "{\"id\": \"unit-pack\", \"version\": \"1.0\", \"title\": \"Unit pack\", "
        "\"language\": \"en\", \"license\": \"CC BY 4.0\", \"as_of\": \"2026-01-01\", "
        "\"review_status\": \"draft\", \"disclaimer\": \"Not legal advice.\"}";

static const char page_md[] = "---\n"
                              "title: \"First steps\"\n"
                              "slug: first-steps\n"
                              "kind: guide\n"
                              "order: 10\n"
                              "visibility: public\n"
                              "summary: \"Where to begin.\"\n"
                              "sources:\n"
                              "  - title: \"A source\"\n"
                              "    publisher: \"A publisher\"\n"
                              "    url: \"https://example.org/a\"\n"
                              "    checked: 2026-01-01\n"
                              "reviewed: 2026-01-01\n"
                              "---\n"
                              "\n"
                              "Designate a lead.\n";

static void test_zip_round_trip(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	char big[3000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 7);
	struct pack_file in[] = {
	        {"pack.json", pack_json, sizeof pack_json - 1},
	        {"guide/10-first-steps.md", page_md, sizeof page_md - 1},
	        {"resources/empty.md", "", 0},
	        {"practices/long.md", big, sizeof big},
	};
	const void *zip = NULL;
	size_t len = 0;
	assert_int_equal(library_zip_write(a, in, 4, 1 << 20, &zip, &len), 0);
	assert_true(len > 22 && memcmp(zip, "PK\x03\x04", 4) == 0);
	assert_true(len < sizeof big); /* deflated */

	struct pack_problems pr;
	pack_problems_init(&pr, a);
	struct pack_file *out = NULL;
	size_t n = 0;
	assert_int_equal(pack_files_from_zip(a, zip, len, &out, &n, &pr), 0);
	assert_int_equal(pr.n, 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct pack_file *f = NULL;
		for (size_t j = 0; j < n; j++)
			if (strcmp(out[j].path, in[i].path) == 0)
				f = &out[j];
		if (!f)
			fail_msg("%s is not in the archive", in[i].path);
		assert_int_equal(f->len, in[i].len);
		assert_memory_equal(f->data, in[i].data, in[i].len);
	}
	/* And the pack in it loads (the two files that make one). */
	struct pack_file two[2];
	for (size_t j = 0; j < n; j++)
		if (strcmp(out[j].path, "pack.json") == 0)
			two[0] = out[j];
		else if (strcmp(out[j].path, "guide/10-first-steps.md") == 0)
			two[1] = out[j];
	struct pack p;
	assert_int_equal(pack_load(a, two, 2, &p, &pr), 0);
	assert_int_equal(pr.n, 0);
	assert_string_equal(p.meta.id, "unit-pack");
	arena_destroy(a);
}

static void test_zip_limits(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	struct pack_file two[] = {
	        {"a.md", page_md, sizeof page_md - 1},
	        {"b.md", page_md, sizeof page_md - 1},
	};
	const void *zip = NULL;
	size_t len = 0;
	/* Past max: refused, nothing returned. */
	assert_int_equal(library_zip_write(a, two, 2, sizeof page_md, &zip, &len), -E2BIG);
	assert_null(zip);
	assert_int_equal(len, 0);
	/* A name twice, or a bad name: libzip refuses it. */
	struct pack_file dup[] = {
	        {"a.md", "x", 1},
	        {"a.md", "y", 1},
	};
	assert_int_equal(library_zip_write(a, dup, 2, 1 << 20, &zip, &len), -EINVAL);
	/* No files: the empty archive. */
	assert_int_equal(library_zip_write(a, NULL, 0, 1 << 20, &zip, &len), 0);
	assert_int_equal(len, 22);
	assert_memory_equal(zip, "PK\x05\x06", 4);
	arena_destroy(a);
}

/* ------------------------------------------------------------ the store */

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
	return fixture_group_sqlite("library_admin");
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

/* A site admin with a session: *user and *session. */
static void admin_session(struct db *db, const char *email, int64_t *user, int64_t *session)
{
	char token[SESSION_TOKEN_LEN + 1];
	CHECK(db, accounts_user_create(db, email, "Admin", "x", true, user));
	CHECK(db, session_create(db, *user, 0, "127.0.0.1", "unit", (int64_t)time(NULL), token));
	*session = query_int(db, "SELECT max(id) FROM sessions");
}

static void test_uploads(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	int64_t user, s1, s2;
	admin_session(db, "one@site.example", &user, &s1);
	admin_session(db, "two@site.example", &user, &s2);
	int64_t now = (int64_t)time(NULL);
	unsigned char bytes[300];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)i; /* NULs and high bytes survive */
	const char *sha_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *sha_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	struct library_upload up;

	CHECK(db, library_upload_put(db, s1, user, "first.zip", sha_a, bytes, sizeof bytes, now));
	/* A newer upload of the same session replaces it. */
	CHECK(db, library_upload_put(db, s1, user, "second.zip", sha_b, bytes, 10, now));
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_uploads"), 1);
	assert_int_equal(library_upload_take(db, a, s1, sha_a, now, &up), DB_DONE);
	/* Another session does not reach it. */
	assert_int_equal(library_upload_take(db, a, s2, sha_b, now, &up), DB_DONE);
	assert_int_equal(library_upload_take(db, a, s1, sha_b, now, &up), DB_OK);
	assert_string_equal(up.name, "second.zip");
	assert_int_equal(up.len, 10);
	assert_memory_equal(up.data, bytes, 10);
	/* Taken once. */
	assert_int_equal(library_upload_take(db, a, s1, sha_b, now, &up), DB_DONE);
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_uploads"), 0);

	/* The whole upload, bytes exact. */
	CHECK(db, library_upload_put(db, s2, user, "all.zip", sha_a, bytes, sizeof bytes, now));
	assert_int_equal(library_upload_take(db, a, s2, sha_a, now, &up), DB_OK);
	assert_int_equal(up.len, sizeof bytes);
	assert_memory_equal(up.data, bytes, sizeof bytes);

	/* Older than an hour: not taken, and swept by the next upload. */
	CHECK(db,
	      library_upload_put(db, s1, user, "old.zip", sha_a, bytes, 5,
	                         now - LIBRARY_UPLOAD_TTL - 1));
	assert_int_equal(library_upload_take(db, a, s1, sha_a, now, &up), DB_DONE);
	CHECK(db, library_upload_put(db, s2, user, "new.zip", sha_b, bytes, 5, now));
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_uploads"), 1);

	/* Over the limit: refused. */
	assert_int_equal(library_upload_put(db, s1, user, "big.zip", sha_a, bytes,
	                                    LIBRARY_UPLOAD_MAX + 1, now),
	                 DB_EINVAL);
	/* Deleted with its session, and by library_upload_delete. */
	CHECK(db,
	      run(db,
	          "DELETE FROM sessions WHERE id IN (SELECT session_id FROM "
	          "library_uploads)"));
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_uploads"), 0);
	CHECK(db, library_upload_put(db, s1, user, "x.zip", sha_a, bytes, 5, now));
	CHECK(db, library_upload_delete(db, s1));
	CHECK(db, library_upload_delete(db, s1)); /* none left: still fine */
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_uploads"), 0);
	arena_destroy(a);
}

/* The unit pack as version, loaded; its page's text is body. */
static void unit_pack(struct arena *a, const char *version, const char *body, struct pack *p)
{
	char *json = arena_printf(a,
	                          "{\"id\": \"unit-pack\", \"version\": \"%s\", \"title\": \"Unit "
	                          "pack\", \"language\": \"en\", \"license\": \"CC BY 4.0\", "
	                          "\"as_of\": \"2026-01-01\", \"review_status\": \"draft\", "
	                          "\"disclaimer\": \"Not legal advice.\"}",
	                          version);
	char *md = arena_printf(a, "%.*s%s\n", (int)(strstr(page_md, "\nDesignate") - page_md + 1),
	                        page_md, body);
	struct pack_file files[] = {
	        {"pack.json", json, strlen(json)},
	        {"guide/10-first-steps.md", md, strlen(md)},
	};
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	assert_int_equal(pack_load(a, files, 2, p, &pr), 0);
	if (pr.n)
		fail_msg("%s:%d: %s", pr.items[0].file, pr.items[0].line, pr.items[0].message);
}

static void test_dry_run_and_review(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	int64_t user, session;
	admin_session(db, "admin@site.example", &user, &session);
	struct library_actor who = {user, "admin@site.example", 0, "127.0.0.1"};
	struct pack_problems pr;
	struct pack p;
	struct library_result res;
	pack_problems_init(&pr, a);

	/* A dry run on an empty store: counts, and nothing written. */
	unit_pack(a, "1.0", "Designate a lead.", &p);
	int64_t audits = query_int(db, "SELECT count(*) FROM audit_log");
	CHECK(db,
	      library_import(db, a, key, &who, &p, LIBRARY_FROM_UPLOAD, LIBRARY_IF_DRYRUN, &pr,
	                     &res));
	assert_int_equal(res.added, 1);
	assert_int_equal(res.version_id, 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_versions"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_pages"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log"), audits);

	CHECK(db, library_import(db, a, key, &who, &p, LIBRARY_FROM_UPLOAD, 0, &pr, &res));
	int64_t v1 = res.version_id;
	assert_true(v1 > 0);

	/* Against the active version: one page changed, nothing written. */
	unit_pack(a, "1.1", "Designate a lead, and train every officer.", &p);
	CHECK(db,
	      library_import(db, a, key, &who, &p, LIBRARY_FROM_UPLOAD, LIBRARY_IF_DRYRUN, &pr,
	                     &res));
	assert_int_equal(res.added, 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_versions"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM library_revisions"), 1);

	/* The pages behind the counts. */
	struct library_diff d;
	CHECK(db, library_pack_diff(db, a, &p, 10, &d));
	assert_int_equal(d.all_added + d.all_removed + d.all_edited, 0);
	struct pack other;
	unit_pack(a, "2.0", "Designate a lead.", &other);
	other.pages[0].slug = "next-steps"; /* first-steps gone, next-steps new */
	other.pages[0].title = "Next steps";
	CHECK(db, library_pack_diff(db, a, &other, 10, &d));
	assert_int_equal(d.all_added, 1);
	assert_string_equal(d.added[0].slug, "next-steps");
	assert_int_equal(d.all_removed, 1);
	assert_string_equal(d.removed[0].title, "First steps");
	assert_int_equal(d.all_edited, 0);
	CHECK(db, library_pack_diff(db, a, &other, 0, &d)); /* counted, none listed */
	assert_int_equal(d.all_added, 1);
	assert_int_equal(d.n_added, 0);
	CHECK(db, run(db, "UPDATE library_pages SET locally_edited = 1"));
	CHECK(db, library_pack_diff(db, a, &p, 10, &d));
	assert_int_equal(d.all_edited, 1);
	assert_string_equal(d.edited[0].slug, "first-steps");
	CHECK(db, library_pack_diff(db, a, &other, 10, &d));
	assert_int_equal(d.all_removed, 0); /* an edited page is never unpublished */
	CHECK(db, run(db, "UPDATE library_pages SET locally_edited = 0"));

	/* Clearing a review: none recorded yet. */
	assert_int_equal(library_review_clear(db, a, key, &who, v1), DB_DONE);
	assert_int_equal(library_review_clear(db, a, key, &who, 999999), DB_DONE);
	CHECK(db,
	      library_record_review(db, key, &who, v1, "Dana Ruiz", "Commander", "2026-03-14",
	                            (int64_t)time(NULL)));
	audits = query_int(db, "SELECT count(*) FROM audit_log");
	CHECK(db, library_review_clear(db, a, key, &who, v1));
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM library_versions WHERE reviewer IS "
	                           "NULL AND reviewer_role IS NULL AND reviewed_on IS NULL AND "
	                           "review_recorded_by IS NULL"),
	                 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log"), audits + 1);
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM audit_log WHERE action = "
	                           "'library.pack.review.clear' AND actor = "
	                           "'admin@site.example' AND target_type = "
	                           "'content_pack_version'"),
	                 1);
	assert_int_equal(library_review_clear(db, a, key, &who, v1), DB_DONE);
	char msg[256];
	int64_t bad = 0;
	assert_int_equal(audit_verify(db, key, &bad, msg, sizeof msg), 0);
	arena_destroy(a);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_dates),
	        cmocka_unit_test(test_zip_round_trip),
	        cmocka_unit_test(test_zip_limits),
	};
	const struct CMUnitTest store[] = {
	        T(test_uploads),
	        T(test_dry_run_and_review),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("library admin: dates and zip", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("library admin on SQLite", store, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("library admin on PostgreSQL", store,
		                                      group_pg, NULL);
	} else {
		printf("[  SKIPPED ] library admin on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. from scripts/pg-start)\n",
		       sizeof(store) / sizeof(store[0]));
	}
	return failed ? 1 : 0;
}
