/* tests/unit/test_library_store.c — the knowledge base's store
 * (features/library/store.h): import (new, unchanged, changed, removed,
 * edited locally, a slug of another pack, a problem found while rendering,
 * LIBRARY_IF_NEWER), rollback, export read back by pack_load, the list of
 * versions and the review record, each with its audit record; and reading:
 * which viewer sees which page, in listings and one at a time, and the
 * profile behind the placeholders. The pure parts run once; the rest on
 * SQLite, always, and on PostgreSQL when CSEC_TEST_PG_URL names a server
 * (each test in a fresh schema). Packs are made in memory and loaded with
 * the real pack_load. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/accounts.h"
#include "auth/principal.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/library/pack.h"
#include "features/library/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_helpers.h"

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const struct library_actor CLI = {.name = "cli", .source = "cli"};

/* ------------------------------------------------------------------ pure */

static void test_version_cmp(void **state)
{
	(void)state;
	assert_true(library_version_cmp("2026.11.28", "2026.2.1") > 0);
	assert_true(library_version_cmp("2026.2.1", "2026.11.28") < 0);
	assert_int_equal(library_version_cmp("1.0.0", "1.0.0"), 0);
	assert_int_equal(library_version_cmp("1.01", "1.1"), 0);
	assert_true(library_version_cmp("1.0.10", "1.0.9") > 0);
	assert_true(library_version_cmp("1.0", "1.0.1") < 0);
	assert_true(library_version_cmp("1.0-rc1", "1.0-rc2") < 0);
	assert_true(library_version_cmp("10", "9") > 0);
	assert_true(library_version_cmp("b", "a") > 0);
	assert_int_equal(library_version_cmp("", ""), 0);
	assert_true(library_version_cmp("99999999999999999999999", "9") > 0);
}

static void test_slug_valid(void **state)
{
	(void)state;
	assert_true(library_slug_valid("definitions-and-law"));
	assert_true(library_slug_valid("a1"));
	assert_false(library_slug_valid(""));
	assert_false(library_slug_valid(NULL));
	assert_false(library_slug_valid("Caps"));
	assert_false(library_slug_valid("a_b"));
	assert_false(library_slug_valid("a/b"));
	assert_false(library_slug_valid("a%2e"));
	char s[PACK_SLUG_MAX + 2];
	memset(s, 'a', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	assert_false(library_slug_valid(s));
	s[PACK_SLUG_MAX] = '\0';
	assert_true(library_slug_valid(s));
}

static void test_viewer_from(void **state)
{
	(void)state;
	struct library_viewer v;
	struct principal who = {.authenticated = true, .user_id = 7, .org_id = 3};
	library_viewer_from(&who, &v);
	assert_int_equal(v.user_id, 7);
	assert_int_equal(v.org_id, 3);
	who.must_enrol = true; /* two-step sign-in still owed: anonymous */
	library_viewer_from(&who, &v);
	assert_int_equal(v.user_id, 0);
	assert_int_equal(v.org_id, 0);
	struct principal anon = {0};
	library_viewer_from(&anon, &v);
	assert_int_equal(v.user_id, 0);
	library_viewer_from(NULL, &v);
	assert_int_equal(v.org_id, 0);
}

static void test_profile_lookup(void **state)
{
	(void)state;
	struct library_profile p = {.name = "Metro PD",
	                            .hotline = "555-0100",
	                            .law_summary = "Summary",
	                            .deployment_name = "Portal"};
	assert_string_equal(library_profile_lookup(&p, "agency.name"), "Metro PD");
	assert_string_equal(library_profile_lookup(&p, "agency.hotline"), "555-0100");
	assert_string_equal(library_profile_lookup(&p, "state.law_summary"), "Summary");
	assert_string_equal(library_profile_lookup(&p, "deployment.name"), "Portal");
	assert_null(library_profile_lookup(&p, "agency.state"));
	assert_null(library_profile_lookup(&p, "partners.prosecutor"));
	assert_null(library_profile_lookup(&p, "agency"));
	assert_null(library_profile_lookup(NULL, "agency.name"));
}

/* ----------------------------------------------------------- the packs */

struct page_spec {
	const char *dir, *slug, *kind, *visibility, *title, *body;
	int order;
};

/* A pack held in memory, loaded with pack_load; fails the test on any
 * problem. */
static struct pack load(struct arena *a, const char *id, const char *version,
                        const struct page_spec *pages, size_t n)
{
	struct pack_file *files = arena_calloc(a, n + 1, sizeof *files);
	assert_non_null(files);
	const char *json = arena_printf(
	        a,
	        "{\"id\": \"%s\", \"version\": \"%s\", \"title\": \"Pack %s\", \"language\": "
	        "\"en\", \"license\": \"CC BY 4.0\", \"as_of\": \"2026-11-28\", "
	        "\"review_status\": \"draft\", \"disclaimer\": \"Not legal advice.\"}",
	        id, version, id);
	files[0] = (struct pack_file){"pack.json", json, strlen(json)};
	for (size_t i = 0; i < n; i++) {
		const struct page_spec *s = &pages[i];
		const char *text = arena_printf(
		        a,
		        "---\ntitle: \"%s\"\nslug: %s\nkind: %s\norder: %d\nvisibility: %s\n"
		        "summary: \"Summary of %s\"\nsources:\n  - title: \"T\"\n    publisher: "
		        "\"P\"\n    url: \"https://p.example/\"\n    checked: 2026-11-28\n"
		        "reviewed: 2026-11-28\n---\n\n%s\n",
		        s->title, s->slug, s->kind, s->order, s->visibility, s->slug, s->body);
		files[i + 1] = (struct pack_file){arena_printf(a, "%s/%s.md", s->dir, s->slug),
		                                  text, strlen(text)};
	}
	struct pack p;
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	assert_int_equal(pack_load(a, files, n + 1, &p, &pr), 0);
	for (size_t i = 0; i < pr.n; i++)
		print_message("%s:%d: %s\n", pr.items[i].file, pr.items[i].line,
		              pr.items[i].message);
	assert_int_equal(pr.n, 0);
	return p;
}

static const struct page_spec base[] = {
        {"guide", "g-public", "guide", "public", "Public part", "## One\n\nPublic text.", 10},
        {"guide", "g-members", "guide", "members", "Members part", "Members text.", 20},
        {"practices", "p-le", "practice", "law_enforcement", "LE notes", "LE text.", 10},
        {"resources", "r-public", "resource", "public", "A hotline", "Call {{agency.hotline}}.",
         10},
};
#define NBASE (sizeof base / sizeof base[0])

struct world {
	struct db *db;
	struct arena *a;
	int64_t le_a, le_b, cw; /* two law-enforcement agencies, a child welfare office */
	int64_t officer_a, officer_b, partner, admin, outsider;
};

static int64_t user(struct db *db, const char *email, bool site_admin)
{
	int64_t id = 0;
	CHECK(db, accounts_user_create(db, email, email, "x", site_admin, &id));
	return id;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	w->db = fixture_open(true);
	w->a = arena_create(64u << 20);
	CHECK(w->db,
	      accounts_org_create(w->db, "metro-pd", "Metro PD", "law_enforcement", "IL",
	                          &w->le_a));
	CHECK(w->db,
	      accounts_org_create(w->db, "harbor-so", "Harbor SO", "law_enforcement", "WA",
	                          &w->le_b));
	CHECK(w->db,
	      accounts_org_create(w->db, "county-cw", "County CW", "child_welfare", "IL", &w->cw));
	w->officer_a = user(w->db, "officer@a.example", false);
	w->officer_b = user(w->db, "officer@b.example", false);
	w->partner = user(w->db, "partner@cw.example", false);
	w->admin = user(w->db, "admin@site.example", true);
	w->outsider = user(w->db, "nobody@x.example", false);
	CHECK(w->db, accounts_membership_add(w->db, w->officer_a, w->le_a, "officer"));
	CHECK(w->db, accounts_membership_add(w->db, w->officer_b, w->le_b, "officer"));
	CHECK(w->db, accounts_membership_add(w->db, w->partner, w->cw, "partner"));
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

static int64_t count(struct db *db, const char *sql)
{
	return query_int(db, sql);
}

static int import(struct world *w, const struct pack *p, unsigned flags, struct library_result *r)
{
	struct pack_problems pr;
	pack_problems_init(&pr, w->a);
	return library_import(w->db, w->a, KEY, &CLI, p, LIBRARY_FROM_CLI, flags, &pr, r);
}

/* The HTML of slug as the viewer sees it, or NULL when not found. */
static const char *html_of(struct world *w, int64_t user_id, int64_t org_id, const char *slug)
{
	struct library_viewer v = {user_id, org_id};
	struct library_page pg;
	int rc = library_page_get(w->db, w->a, &v, NULL, slug, &pg);
	if (rc == DB_DONE)
		return NULL;
	CHECK(w->db, rc);
	return pg.html;
}

/* -------------------------------------------------------------- import */

static void test_import_versions(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct pack v1 = load(w->a, "t", "1.0", base, NBASE);
	CHECK(w->db, import(w, &v1, 0, &r));
	assert_int_equal(r.added, 4);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_pages"), 4);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_revisions"), 4);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_version_pages"), 4);
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM audit_log WHERE action = "
	                       "'library.pack.import' AND actor = 'cli'"),
	                 1);
	int64_t first = r.version_id;

	/* The same pack again: a new version, no new revision. */
	CHECK(w->db, import(w, &v1, 0, &r));
	assert_int_equal(r.unchanged, 4);
	assert_int_equal(r.added + r.updated + r.waiting + r.unpublished, 0);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_revisions"), 4);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_versions WHERE active = 1"), 1);

	/* Version 2: one page changed, one gone. */
	struct page_spec two[NBASE - 1];
	memcpy(two, base, sizeof two);
	two[0].body = "## One\n\nVersion two.";
	struct pack v2 = load(w->a, "t", "2.0", two, NBASE - 1);
	CHECK(w->db, import(w, &v2, 0, &r));
	assert_int_equal(r.updated, 1);
	assert_int_equal(r.unchanged, 2);
	assert_int_equal(r.unpublished, 1);
	assert_non_null(strstr(html_of(w, 0, 0, "g-public"), "Version two."));
	assert_null(html_of(w, 0, 0, "r-public"));
	assert_null(html_of(w, w->admin, 0, "r-public")); /* unpublished: for everyone */

	/* Rollback to the first version: the text and the page come back. */
	CHECK(w->db, library_rollback(w->db, w->a, KEY, &CLI, first, &r));
	assert_int_equal(r.updated, 2);
	assert_int_equal(r.unchanged, 2);
	assert_string_equal(r.version, "1.0");
	assert_non_null(strstr(html_of(w, 0, 0, "g-public"), "Public text."));
	assert_non_null(html_of(w, 0, 0, "r-public"));
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM audit_log WHERE action = "
	                       "'library.pack.rollback'"),
	                 1);
	assert_int_equal(library_rollback(w->db, w->a, KEY, &CLI, 999999, &r), DB_DONE);

	struct library_version *vs;
	size_t n;
	CHECK(w->db, library_versions(w->db, w->a, &vs, &n));
	assert_int_equal(n, 3);
	assert_string_equal(vs[0].version, "2.0"); /* newest first */
	assert_false(vs[0].active);
	assert_int_equal(vs[0].pages, 3);
	assert_true(vs[2].active);
	assert_string_equal(vs[2].source, "cli");
	assert_string_equal(vs[2].imported_by, "");
	assert_string_equal(vs[2].reviewed_on, "");
}

static void test_local_edit_kept(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct pack v1 = load(w->a, "t", "1.0", base, NBASE);
	CHECK(w->db, import(w, &v1, 0, &r));
	runf(w->db, "UPDATE library_pages SET locally_edited = 1 WHERE slug = 'g-public'");
	struct page_spec two[NBASE];
	memcpy(two, base, sizeof two);
	two[0].body = "## One\n\nNewer text.";
	two[1].body = "Members text, newer.";
	struct pack v2 = load(w->a, "t", "2.0", two, NBASE);
	CHECK(w->db, import(w, &v2, 0, &r));
	assert_int_equal(r.waiting, 1);
	assert_int_equal(r.updated, 1);
	assert_non_null(strstr(html_of(w, 0, 0, "g-public"), "Public text."));
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM library_pages p JOIN "
	                       "library_revisions r ON r.id = p.pending_revision_id "
	                       "WHERE p.slug = 'g-public' AND r.markdown LIKE '%Newer%'"),
	                 1);
	/* A version without the page does not unpublish it either. */
	struct pack v3 = load(w->a, "t", "3.0", base + 1, NBASE - 1);
	CHECK(w->db, import(w, &v3, 0, &r));
	assert_int_equal(r.unpublished, 0);
	assert_non_null(html_of(w, 0, 0, "g-public"));
	/* Rolling back leaves it too; the version's text waits. */
	int64_t v1_id = count(w->db, "SELECT min(id) FROM library_versions");
	CHECK(w->db, library_rollback(w->db, w->a, KEY, &CLI, v1_id, &r));
	assert_non_null(strstr(html_of(w, 0, 0, "g-public"), "Public text."));
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM library_pages WHERE slug = 'g-public' "
	                       "AND pending_revision_id IS NULL"),
	                 1); /* the same text as now: nothing waits */
}

static void test_import_refusals(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct pack v1 = load(w->a, "t", "1.0", base, NBASE);
	CHECK(w->db, import(w, &v1, 0, &r));
	int64_t audits = count(w->db, "SELECT count(*) FROM audit_log");

	/* Another pack may not take a slug: refused whole, nothing written. */
	static const struct page_spec other[] = {
	        {"guide", "o-new", "guide", "public", "New", "New.", 1},
	        {"guide", "g-public", "guide", "public", "Taken", "Taken.", 2},
	};
	struct pack o = load(w->a, "other", "1", other, 2);
	struct pack_problems pr;
	pack_problems_init(&pr, w->a);
	assert_int_equal(library_import(w->db, w->a, KEY, &CLI, &o, LIBRARY_FROM_CLI, 0, &pr, &r),
	                 LIBRARY_EINVALID);
	assert_int_equal(pr.n, 1);
	assert_non_null(strstr(pr.items[0].message, "\"t\""));
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_pages WHERE slug = 'o-new'"),
	                 0);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_versions"), 1);
	assert_int_equal(count(w->db, "SELECT count(*) FROM audit_log"), audits);

	/* A page the renderer refuses (raw HTML, put in after loading). */
	struct pack bad = load(w->a, "t", "2.0", base, NBASE);
	bad.pages[1].markdown = "<script>alert(1)</script>\n";
	bad.pages[1].markdown_len = strlen(bad.pages[1].markdown);
	pack_problems_init(&pr, w->a);
	assert_int_equal(library_import(w->db, w->a, KEY, &CLI, &bad, LIBRARY_FROM_CLI, 0, &pr, &r),
	                 LIBRARY_EINVALID);
	assert_true(pr.n > 0);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_versions"), 1);

	/* A failure half-way (the store refuses the second page's revision):
	 * the first page's new revision goes too. */
	struct page_spec two[NBASE];
	memcpy(two, base, sizeof two);
	two[0].body = "Changed one.";
	two[1].title = "Refused title";
	struct pack v2 = load(w->a, "t", "2.0", two, NBASE);
	if (db_dialect(w->db) == DB_SQLITE) {
		runf(w->db,
		     "CREATE TRIGGER refuse BEFORE INSERT ON library_revisions WHEN "
		     "NEW.title = 'Refused title' BEGIN SELECT RAISE(ABORT, 'no'); END");
	} else {
		CHECK(w->db,
		      db_exec_script(w->db,
		                     "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF "
		                     "NEW.title = 'Refused title' THEN RAISE EXCEPTION 'no'; "
		                     "END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
		                     "CREATE TRIGGER refuse BEFORE INSERT ON "
		                     "library_revisions FOR EACH ROW EXECUTE FUNCTION "
		                     "refuse()"));
	}
	assert_true(import(w, &v2, 0, &r) < 0);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_revisions"), 4);
	assert_int_equal(count(w->db, "SELECT count(*) FROM library_versions"), 1);
	assert_int_equal(count(w->db, "SELECT count(*) FROM audit_log"), audits);
	assert_non_null(strstr(html_of(w, 0, 0, "g-public"), "Public text."));
}

static void test_if_newer(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct pack v2 = load(w->a, "starter", "2026.2.1", base, NBASE);
	bool yes = false;
	CHECK(w->db, library_wanted(w->db, "starter", "2026.2.1", &yes));
	assert_true(yes); /* an empty store takes anything */
	struct pack_problems pr;
	pack_problems_init(&pr, w->a);
	CHECK(w->db,
	      library_import(w->db, w->a, KEY, &CLI, &v2, LIBRARY_FROM_STARTER, LIBRARY_IF_NEWER,
	                     &pr, &r));
	assert_int_equal(r.added, 4);
	assert_int_equal(import(w, &v2, LIBRARY_IF_NEWER, &r), DB_DONE); /* the same */
	struct pack old = load(w->a, "starter", "2025.12.31", base, NBASE);
	assert_int_equal(import(w, &old, LIBRARY_IF_NEWER, &r), DB_DONE); /* older */
	struct pack newer = load(w->a, "starter", "2026.11.28", base, NBASE);
	CHECK(w->db, import(w, &newer, LIBRARY_IF_NEWER, &r));
	assert_int_equal(r.unchanged, 4);
	/* Another pack's presence: the store has a pack, so a new starter id
	 * is not imported on its own. */
	struct pack stranger = load(w->a, "someone-else", "9", base, 0);
	assert_int_equal(import(w, &stranger, LIBRARY_IF_NEWER, &r), DB_DONE);
	CHECK(w->db, library_wanted(w->db, "starter", "2026.11.28", &yes));
	assert_false(yes);
	CHECK(w->db, library_wanted(w->db, "starter", "2027.1.1", &yes));
	assert_true(yes);
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM library_versions WHERE source = "
	                       "'starter'"),
	                 1);
}

static void test_export_round_trip(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct page_spec tricky[NBASE];
	memcpy(tricky, base, sizeof tricky);
	tricky[0].title = "Colons: \\\"quotes\\\", # and yes";
	struct pack v1 = load(w->a, "t", "1.0", tricky, NBASE);
	CHECK(w->db, import(w, &v1, 0, &r));
	struct pack_file *files;
	size_t n;
	CHECK(w->db, library_export(w->db, w->a, KEY, &CLI, NULL, &files, &n));
	assert_int_equal(n, NBASE + 1);
	assert_string_equal(files[0].path, "pack.json");
	struct pack back;
	struct pack_problems pr;
	pack_problems_init(&pr, w->a);
	assert_int_equal(pack_load(w->a, files, n, &back, &pr), 0);
	for (size_t i = 0; i < pr.n; i++)
		print_message("%s:%d: %s\n", pr.items[i].file, pr.items[i].line,
		              pr.items[i].message);
	assert_int_equal(pr.n, 0);
	const struct pack_page *g = pack_find(&back, "g-public");
	assert_non_null(g);
	assert_string_equal(g->title, "Colons: \"quotes\", # and yes");
	/* Imported again: every page reads back the same. */
	CHECK(w->db, import(w, &back, 0, &r));
	assert_int_equal(r.unchanged, NBASE);
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM audit_log WHERE action = "
	                       "'library.pack.export'"),
	                 1);
	/* Two active packs: the caller must name one. */
	static const struct page_spec one[] = {{"guide", "x-one", "guide", "public", "X", "X.", 1}};
	struct pack other = load(w->a, "other", "1", one, 1);
	CHECK(w->db, import(w, &other, 0, &r));
	assert_int_equal(library_export(w->db, w->a, KEY, &CLI, NULL, &files, &n), DB_EINVAL);
	CHECK(w->db, library_export(w->db, w->a, KEY, &CLI, "other", &files, &n));
	assert_int_equal(n, 2);
	assert_int_equal(library_export(w->db, w->a, KEY, &CLI, "none", &files, &n), DB_DONE);
}

static void test_review(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct pack v1 = load(w->a, "t", "1.0", base, NBASE);
	CHECK(w->db, import(w, &v1, 0, &r));
	struct library_viewer anon = {0, 0};
	struct library_item *items;
	size_t n;
	CHECK(w->db, library_list(w->db, w->a, &anon, NULL, &items, &n));
	assert_true(n > 0 && items[0].draft);
	assert_int_equal(
	        library_record_review(w->db, KEY, &CLI, r.version_id, "", "Role", "2026-12-01", 1),
	        DB_EINVAL);
	assert_int_equal(library_record_review(w->db, KEY, &CLI, r.version_id, "Dr. A", "Role",
	                                       "2026-13-01", 1),
	                 DB_EINVAL);
	assert_int_equal(
	        library_record_review(w->db, KEY, &CLI, 99999, "Dr. A", "Role", "2026-12-01", 1),
	        DB_DONE);
	CHECK(w->db,
	      library_record_review(w->db, KEY, &CLI, r.version_id, "Dr. A",
	                            "Child-welfare attorney", "2026-12-01", 1));
	CHECK(w->db, library_list(w->db, w->a, &anon, NULL, &items, &n));
	assert_false(items[0].draft);
	struct library_page pg;
	CHECK(w->db, library_page_get(w->db, w->a, &anon, "guide", "g-public", &pg));
	assert_false(pg.draft);
	assert_string_equal(pg.disclaimer, "Not legal advice.");
	assert_int_equal(count(w->db,
	                       "SELECT count(*) FROM audit_log WHERE action = "
	                       "'library.pack.review'"),
	                 1);
}

/* ------------------------------------------------------------- reading */

/* Adds organization org's own page. */
static void org_page(struct world *w, int64_t org, const char *slug, const char *text)
{
	runf(w->db,
	     "INSERT INTO library_pages (org_id, slug, kind, visibility, title, summary, "
	     "created_at, updated_at) VALUES (%lld, '%s', 'guide', 'org', '%s', '', 1, 1)",
	     (long long)org, slug, text);
	runf(w->db,
	     "INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, "
	     "markdown, html, content_hash) SELECT id, 1, 'guide', 'org', '%s', '', '<p>%s</p>', "
	     "'' FROM library_pages WHERE org_id = %lld AND slug = '%s'",
	     text, text, (long long)org, slug);
	runf(w->db,
	     "UPDATE library_pages SET current_revision_id = (SELECT max(r.id) FROM "
	     "library_revisions r WHERE r.page_id = library_pages.id) WHERE org_id = %lld AND "
	     "slug = '%s'",
	     (long long)org, slug);
}

/* The slugs the viewer's listing holds, space-separated, in order. */
static const char *listing(struct world *w, int64_t user_id, int64_t org_id, const char *kind)
{
	struct library_viewer v = {user_id, org_id};
	struct library_item *items;
	size_t n;
	CHECK(w->db, library_list(w->db, w->a, &v, kind, &items, &n));
	const char *s = "";
	for (size_t i = 0; i < n; i++)
		s = arena_printf(w->a, "%s%s%s", s, i ? " " : "", items[i].slug);
	return s;
}

static void test_visibility(void **state)
{
	struct world *w = *state;
	struct library_result r;
	struct pack v1 = load(w->a, "t", "1.0", base, NBASE);
	CHECK(w->db, import(w, &v1, 0, &r));
	org_page(w, w->le_a, "protocol", "A protocol");
	org_page(w, w->le_b, "protocol", "B protocol");
	org_page(w, w->le_b, "r-public", "B shadows the pack");

	assert_string_equal(listing(w, 0, 0, NULL), "g-public r-public");
	assert_string_equal(listing(w, w->partner, w->cw, NULL), "g-public g-members r-public");
	/* Organizations' own pages (order 0 here) come first in their kind. */
	assert_string_equal(listing(w, w->officer_a, w->le_a, NULL),
	                    "protocol g-public g-members p-le r-public");
	assert_string_equal(listing(w, w->officer_b, w->le_b, "guide"),
	                    "protocol r-public g-public g-members");
	assert_string_equal(listing(w, w->officer_a, w->le_a, "practice"), "p-le");
	/* A site admin sees everything, every organization's pages too. */
	assert_string_equal(listing(w, w->admin, 0, "guide"),
	                    "protocol protocol r-public g-public g-members");
	/* What a caller claims is checked against the store: an organization
	 * one is not a member of, a user who is nobody's member. */
	assert_string_equal(listing(w, w->partner, w->le_a, NULL), "g-public r-public");
	assert_string_equal(listing(w, w->outsider, w->le_a, NULL), "g-public r-public");
	assert_string_equal(listing(w, 0, w->le_a, NULL), "g-public r-public");

	/* One page at a time: the same rules; one's own page first. */
	assert_null(html_of(w, 0, 0, "g-members"));
	assert_null(html_of(w, 0, 0, "p-le"));
	assert_null(html_of(w, w->partner, w->cw, "p-le"));
	assert_non_null(html_of(w, w->partner, w->cw, "g-members"));
	assert_non_null(html_of(w, w->officer_b, w->le_b, "p-le"));
	assert_string_equal(html_of(w, w->officer_a, w->le_a, "protocol"), "<p>A protocol</p>");
	assert_string_equal(html_of(w, w->officer_b, w->le_b, "protocol"), "<p>B protocol</p>");
	assert_null(html_of(w, w->partner, w->cw, "protocol"));
	assert_string_equal(html_of(w, w->officer_b, w->le_b, "r-public"),
	                    "<p>B shadows the pack</p>");
	assert_null(strstr(html_of(w, w->officer_a, w->le_a, "r-public"), "shadows"));
	struct library_viewer va = {w->officer_a, w->le_a};
	struct library_page pg;
	assert_int_equal(library_page_get(w->db, w->a, &va, "practice", "g-public", &pg), DB_DONE);
	assert_int_equal(library_page_get(w->db, w->a, &va, "guide", "../etc", &pg), DB_DONE);
	CHECK(w->db, library_page_get(w->db, w->a, &va, "guide", "protocol", &pg));
	assert_true(pg.own);
	assert_string_equal(pg.disclaimer, "");
	assert_false(pg.draft);

	/* A disabled membership, a disabled organization, a disabled person. */
	runf(w->db, "UPDATE memberships SET status = 'disabled' WHERE user_id = %lld",
	     (long long)w->officer_a);
	assert_null(html_of(w, w->officer_a, w->le_a, "p-le"));
	assert_null(html_of(w, w->officer_a, w->le_a, "protocol"));
	runf(w->db, "UPDATE organizations SET status = 'disabled' WHERE id = %lld",
	     (long long)w->le_b);
	assert_null(html_of(w, w->officer_b, w->le_b, "g-members"));
	runf(w->db, "UPDATE users SET status = 'disabled' WHERE id = %lld", (long long)w->admin);
	assert_null(html_of(w, w->admin, 0, "g-members"));
}

static void test_profile(void **state)
{
	struct world *w = *state;
	struct library_profile p;
	struct library_viewer anon = {0, 0}, a = {w->officer_a, w->le_a},
	                      wrong = {w->partner, w->le_a};
	CHECK(w->db, library_profile(w->db, w->a, &anon, &p));
	assert_null(p.name);
	assert_string_equal(p.deployment_name, "CSEC Toolkit");
	CHECK(w->db, library_profile(w->db, w->a, &a, &p));
	assert_string_equal(p.name, "Metro PD"); /* no display name: the organization's */
	assert_string_equal(p.state, "IL");
	assert_null(p.hotline);
	assert_null(p.jurisdiction);
	assert_string_equal(p.time_zone, "America/New_York");
	runf(w->db,
	     "UPDATE organizations SET display_name = 'Metro Police', hotline = '555-0100', "
	     "law_summary = 'Line one' WHERE id = %lld",
	     (long long)w->le_a);
	CHECK(w->db, library_profile(w->db, w->a, &a, &p));
	assert_string_equal(p.name, "Metro Police");
	assert_string_equal(p.hotline, "555-0100");
	assert_string_equal(p.law_summary, "Line one");
	CHECK(w->db, library_profile(w->db, w->a, &wrong, &p)); /* not a member there */
	assert_null(p.name);
	assert_null(p.hotline);
}

/* ------------------------------------------------------------- fixtures */

static int group_sqlite(void **state)
{
	(void)state;
	return fixture_group_sqlite("library_store");
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
	        cmocka_unit_test(test_version_cmp),
	        cmocka_unit_test(test_slug_valid),
	        cmocka_unit_test(test_viewer_from),
	        cmocka_unit_test(test_profile_lookup),
	};
	const struct CMUnitTest common[] = {
	        T(test_import_versions), T(test_local_edit_kept),   T(test_import_refusals),
	        T(test_if_newer),        T(test_export_round_trip), T(test_review),
	        T(test_visibility),      T(test_profile),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("library store", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("library store on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("library store on PostgreSQL", common,
		                                      group_pg, NULL);
	} else {
		printf("[  SKIPPED ] library store on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
