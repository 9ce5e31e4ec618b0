/* tests/unit/test_search.c — the search query language (words, phrases,
 * stop words, prefix, limits) and what it becomes for FTS5 and tsquery,
 * the snippet's HTML, and the cleaning of the query shown back; then, on
 * SQLite and on PostgreSQL (CSEC_TEST_PG_URL), the index kept current by
 * the triggers, search_reindex and search_reindex_all, visibility decided
 * in the search's SQL, and the title's weight in the ranking. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "auth/principal.h"
#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/search/search.h"

#include "store_helpers.h"

struct both {
	const char *fts5, *tsq;
	size_t n;
	bool prefix, only_common;
};

static struct both parse(struct arena *a, const char *q)
{
	struct search_query sq;
	struct buf f, t;
	struct both r;

	assert_int_equal(search_query_parse(a, q, strlen(q), &sq), 0);
	buf_init(&f, a, 4096);
	buf_init(&t, a, 4096);
	buf_puts(&f, "");
	buf_puts(&t, "");
	assert_int_equal(search_query_fts5(&sq, &f), 0);
	assert_int_equal(search_query_tsquery(&sq, &t), 0);
	r.fts5 = buf_cstr(&f);
	r.tsq = buf_cstr(&t);
	r.n = sq.n;
	r.prefix = sq.prefix;
	r.only_common = sq.only_common;
	return r;
}

static void words_and_prefix(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	struct both r = parse(a, "safe harbor");
	assert_string_equal(r.fts5, "\"safe\" AND \"harbor\"*");
	assert_string_equal(r.tsq, "'safe' & 'harbor':*");

	/* The last word is a prefix only when long enough. */
	r = parse(a, "task fo");
	assert_string_equal(r.fts5, "\"task\" AND \"fo\"");
	assert_string_equal(r.tsq, "'task' & 'fo'");

	/* Stop words go, as PostgreSQL's english configuration drops them. */
	r = parse(a, "What is the CyberTipline");
	assert_string_equal(r.fts5, "\"CyberTipline\"*");
	assert_string_equal(r.tsq, "'CyberTipline':*");

	/* A stop word typed last: no prefix on the word before it. */
	r = parse(a, "harbor the");
	assert_string_equal(r.fts5, "\"harbor\"");

	r = parse(a, "the and of");
	assert_int_equal(r.n, 0);
	assert_true(r.only_common);
	assert_string_equal(r.fts5, "");

	r = parse(a, "");
	assert_int_equal(r.n, 0);
	assert_false(r.only_common);
	r = parse(a, "   \t ");
	assert_int_equal(r.n, 0);
	assert_false(r.only_common);
	arena_destroy(a);
}

static void phrases(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	struct both r = parse(a, "\"no wrong door\" Minnesota");
	assert_string_equal(r.fts5, "\"no wrong door\" AND \"Minnesota\"*");
	assert_string_equal(r.tsq, "('no' <-> 'wrong' <-> 'door') & 'Minnesota':*");

	/* An unmatched quote runs to the end; a phrase is never a prefix. */
	r = parse(a, "task \"force model");
	assert_string_equal(r.fts5, "\"task\" AND \"force model\"");
	assert_string_equal(r.tsq, "'task' & ('force' <-> 'model')");
	assert_false(r.prefix);

	/* A phrase of one word is a word; of stop words only, nothing. */
	r = parse(a, "\"harbor\" \"the of\"");
	assert_string_equal(r.fts5, "\"harbor\"");
	assert_string_equal(r.tsq, "'harbor'");

	/* Numbers: PostgreSQL reads the -800 of 1-800 as a signed integer. */
	r = parse(a, "1-800-RUNAWAY");
	assert_string_equal(r.fts5, "\"1\" AND \"800\" AND \"RUNAWAY\"*");
	assert_string_equal(r.tsq, "('1' | '-1') & ('800' | '-800') & 'RUNAWAY':*");
	r = parse(a, "\"843 5678\" 911");
	assert_string_equal(r.tsq,
	                    "(('843' | '-843') <-> ('5678' | '-5678')) & ('911':* | '-911':*)");

	/* Typographic quotes work too. */
	r = parse(a,
	          "\xe2\x80\x9c"
	          "first responder\xe2\x80\x9d");
	assert_string_equal(r.fts5, "\"first responder\"");
	arena_destroy(a);
}

/* Nothing typed ever reaches the stores as syntax: only letters and digits
 * inside quotes, and the operators this code writes. */
static void hostile_input_is_only_words(void **state)
{
	(void)state;
	static const char *const inputs[] = {
	        "a OR b",
	        "NEAR(a b, 2)",
	        "title:safe",
	        "-harbor",
	        "safe*",
	        "(safe) AND (harbor)",
	        "\"\"\"",
	        "'; DROP TABLE pages; --",
	        "a\\b",
	        "x & y | !z <-> w:*",
	        "{col1 col2}: a",
	        "^safe + harbor",
	        "\x01\x02\x7f",
	        "\xff\xfe invalid \xc3",
	        "\xf0\x9f\x98\x80 emoji \xf0\x9f\x91\xae\xe2\x80\x8d\xe2\x99\x80\xef\xb8\x8f",
	        "\xee\x80\x80mark\xee\x80\x81",
	};
	struct arena *a = arena_create(0);
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		struct both r = parse(a, inputs[i]);
		for (const char *p = r.fts5; *p; p++)
			assert_true(strchr("\" *", *p) || (*p >= 'a' && *p <= 'z') ||
			            (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			            (unsigned char)*p >= 0x80);
		for (const char *p = r.tsq; *p; p++)
			assert_true(strchr("'&|<->():* ", *p) || (*p >= 'a' && *p <= 'z') ||
			            (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			            (unsigned char)*p >= 0x80);
	}
	/* "a" and "or" are stop words: they go like any other. */
	struct both r = parse(a, "a OR b");
	assert_string_equal(r.fts5, "\"b\"");
	r = parse(a, "safe OR harbor NOT police AND");
	assert_string_equal(r.fts5, "\"safe\" AND \"harbor\" AND \"police\"");
	r = parse(a, "NEAR(a b, 2)");
	assert_string_equal(r.fts5, "\"NEAR\" AND \"b\" AND \"2\"");
	r = parse(a, "title:safe");
	assert_string_equal(r.fts5, "\"title\" AND \"safe\"*");
	r = parse(a, "\xf0\x9f\x98\x80 emoji");
	assert_string_equal(r.fts5, "\"emoji\"*");
	r = parse(a, "\xee\x80\x80mark\xee\x80\x81");
	assert_string_equal(r.fts5, "\"mark\"*");
	r = parse(a, "caf\xc3\xa9 na\xc3\xafve");
	assert_string_equal(r.fts5, "\"caf\xc3\xa9\" AND \"na\xc3\xafve\"*");
	arena_destroy(a);
}

static void limits(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	char q[4096];

	/* Many words: SEARCH_WORDS_MAX of them. */
	for (int i = 0; i < 40; i++)
		memcpy(q + 5 * i, "word ", 5);
	q[200] = '\0';
	struct both r = parse(a, q);
	assert_int_equal(r.n, SEARCH_WORDS_MAX);

	/* A long word is cut at SEARCH_WORD_MAX bytes, on a character. */
	memset(q, 0, sizeof q);
	for (int i = 0; i < 100; i++)
		memcpy(q + 2 * i, "\xc3\xa9", 2);
	struct search_query sq;
	assert_int_equal(search_query_parse(a, q, strlen(q), &sq), 0);
	assert_int_equal(sq.n, 1);
	assert_int_equal(strlen(sq.words[0].text), SEARCH_WORD_MAX);

	/* Input past SEARCH_Q_MAX is not read. */
	memset(q, 'x', sizeof q - 1);
	q[sizeof q - 1] = '\0';
	q[SEARCH_Q_MAX + 10] = ' ';
	q[SEARCH_Q_MAX + 11] = 'y';
	assert_int_equal(search_query_parse(a, q, strlen(q), &sq), 0);
	assert_int_equal(sq.n, 1);
	arena_destroy(a);
}

static void stop_list(void **state)
{
	(void)state;
	assert_true(search_stopword("the", 3));
	assert_true(search_stopword("THE", 3));
	assert_true(search_stopword("yourselves", 10));
	assert_true(search_stopword("a", 1));
	assert_false(search_stopword("harbor", 6));
	assert_false(search_stopword("", 0));
	assert_false(search_stopword("th", 2));
}

static void snippet_escapes_then_marks(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	const char *plain = NULL;
	const char *in = "<script>alert('x')</script> & " SEARCH_MARK_OPEN
	                 "harbor" SEARCH_MARK_CLOSE " \"law\"";
	const char *h = search_snippet_html(a, in, strlen(in), &plain);
	assert_string_equal(h,
	                    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	                    "<mark>harbor</mark> &quot;law&quot;");
	assert_string_equal(plain, "<script>alert('x')</script> & harbor \"law\"");

	/* The stand-ins PostgreSQL's text carries for <, > and & are escaped
	 * like the characters themselves. */
	in = SEARCH_STANDIN_LT "b" SEARCH_STANDIN_GT " " SEARCH_STANDIN_AMP " x";
	h = search_snippet_html(a, in, strlen(in), &plain);
	assert_string_equal(h, "&lt;b&gt; &amp; x");
	assert_string_equal(plain, "<b> & x");

	/* What grows most: a quote (6 bytes) and a bad byte (3, as U+FFFD),
	 * found by fuzz_search (tests/fuzz/crashes/search). */
	char many[401];
	memset(many, '"', 200);
	memset(many + 200, 0xd5, 200);
	many[400] = '\0';
	h = search_snippet_html(a, many, 400, &plain);
	assert_non_null(h);
	assert_int_equal(strlen(h), 200 * 6 + 200 * 3);
	assert_int_equal(strlen(plain), 200 + 200 * 3);

	/* Unbalanced marks stay balanced; control bytes and bad UTF-8 are
	 * replaced. */
	in = SEARCH_MARK_CLOSE "a" SEARCH_MARK_OPEN SEARCH_MARK_OPEN "b\x01\xff";
	h = search_snippet_html(a, in, strlen(in), NULL);
	assert_string_equal(h, "a<mark>b \xef\xbf\xbd</mark>");
	arena_destroy(a);
}

static void clean_input(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	assert_string_equal(search_clean_input(a, "a\x01<b>\xff"), "a <b>\xef\xbf\xbd");
	assert_string_equal(search_clean_input(a, " \t safe  harbor \n"), "safe  harbor");
	assert_string_equal(search_clean_input(a, " \x01 "), "");
	char q[600];
	memset(q, 'x', sizeof q);
	q[SEARCH_Q_MAX - 1] = '\xc3';
	q[SEARCH_Q_MAX] = '\xa9';
	q[sizeof q - 1] = '\0';
	const char *c = search_clean_input(a, q);
	assert_int_equal(strlen(c), SEARCH_Q_MAX - 1);
	arena_destroy(a);
}

static void kinds(void **state)
{
	(void)state;
	enum search_kind k;
	assert_int_equal(search_kind_parse("", &k), 0);
	assert_int_equal(k, SEARCH_ALL);
	assert_int_equal(search_kind_parse("practice", &k), 0);
	assert_int_equal(k, SEARCH_PRACTICE);
	assert_int_equal(search_kind_parse("Practice", &k), -1);
	assert_int_equal(search_kind_parse("org", &k), -1);
	assert_string_equal(search_kind_name(SEARCH_RESOURCE), "resource");
}

/* ---- on a store ------------------------------------------------------- */

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
	return fixture_group_sqlite("search");
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

/* A pack's page (org 0) or an organization's, published, with one revision
 * holding body; its id. */
static int64_t add_page(struct db *db, const char *slug, const char *kind, const char *vis,
                        int64_t org, const char *title, const char *body)
{
	if (org)
		runf(db,
		     "INSERT INTO library_pages (org_id, slug, kind, visibility, title, published, "
		     "created_at, updated_at) VALUES (%lld, '%s', '%s', '%s', '%s', 1, 1, 1)",
		     (long long)org, slug, kind, vis, title);
	else
		runf(db,
		     "INSERT INTO library_pages (pack, slug, kind, visibility, title, published, "
		     "created_at, updated_at) VALUES ('t', '%s', '%s', '%s', '%s', 1, 1, 1)",
		     slug, kind, vis, title);
	int64_t id = query_int(db, "SELECT MAX(id) FROM library_pages");
	runf(db,
	     "INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, "
	     "summary, "
	     "markdown, html, plain_text, content_hash) VALUES (%lld, 1, '%s', '%s', '%s', '', "
	     "'x', 'x', '%s', 'h')",
	     (long long)id, kind, vis, title, body);
	runf(db,
	     "UPDATE library_pages SET current_revision_id = (SELECT MAX(id) FROM "
	     "library_revisions) WHERE id = %lld",
	     (long long)id);
	return id;
}

static int64_t indexed(struct db *db)
{
	return query_int(db, "SELECT count(*) FROM library_search");
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The slugs found for q by who, comma-separated: best first, or sorted by
 * name when sorted. */
static const char *found_as(struct db *db, struct arena *a, const struct principal *who,
                            const char *q, enum search_kind kind, bool sorted)
{
	struct search_query sq;
	struct search_results res;
	struct buf b;
	assert_int_equal(search_query_parse(a, q, strlen(q), &sq), 0);
	CHECK(db, search_run(db, a, who, &sq, kind, SEARCH_LIMIT_MAX, 0, &res));
	const char *names[SEARCH_LIMIT_MAX];
	for (size_t i = 0; i < res.n; i++)
		names[i] = res.hits[i].slug;
	if (sorted)
		qsort(names, res.n, sizeof names[0], by_name);
	buf_init(&b, a, 4096);
	buf_puts(&b, "");
	for (size_t i = 0; i < res.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", names[i]);
	assert_int_equal(res.total, (int64_t)res.n);
	return buf_cstr(&b);
}

static const char *found(struct db *db, struct arena *a, const struct principal *who, const char *q,
                         enum search_kind kind)
{
	return found_as(db, a, who, q, kind, false);
}

/* Who sees what: the slugs sorted by name. */
static const char *sees(struct db *db, struct arena *a, const struct principal *who)
{
	return found_as(db, a, who, "beacon", SEARCH_ALL, true);
}

static const struct principal anonymous = {0};

static void index_follows_pages(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	int64_t id = add_page(db, "harbor", "guide", "public", 0, "Safe harbor", "Words here.");
	add_page(db, "other", "resource", "public", 0, "Other", "Nothing about it.");
	assert_int_equal(indexed(db), 2);
	assert_string_equal(found(db, a, &anonymous, "harbor", SEARCH_ALL), "harbor");

	runf(db, "UPDATE library_pages SET published = 0 WHERE id = %lld", (long long)id);
	assert_int_equal(indexed(db), 1);
	assert_string_equal(found(db, a, &anonymous, "harbor", SEARCH_ALL), "");
	runf(db, "UPDATE library_pages SET published = 1 WHERE id = %lld", (long long)id);
	assert_string_equal(found(db, a, &anonymous, "harbor", SEARCH_ALL), "harbor");

	/* A new current revision replaces the text. */
	runf(db,
	     "INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, "
	     "summary, "
	     "markdown, html, plain_text, content_hash) VALUES (%lld, 2, 'guide', 'public', "
	     "'Renamed', '', 'x', 'x', 'Lighthouse keepers.', 'h2')",
	     (long long)id);
	runf(db,
	     "UPDATE library_pages SET current_revision_id = (SELECT MAX(id) FROM "
	     "library_revisions) WHERE id = %lld",
	     (long long)id);
	assert_string_equal(found(db, a, &anonymous, "harbor", SEARCH_ALL), "");
	assert_string_equal(found(db, a, &anonymous, "lighthouse", SEARCH_ALL), "harbor");
	assert_string_equal(found(db, a, &anonymous, "lighthouse", SEARCH_RESOURCE), "");

	/* A page deleted leaves the index too. */
	runf(db, "UPDATE library_pages SET current_revision_id = NULL WHERE id = %lld",
	     (long long)id);
	runf(db, "DELETE FROM library_revisions WHERE page_id = %lld", (long long)id);
	runf(db, "DELETE FROM library_pages WHERE id = %lld", (long long)id);
	assert_int_equal(indexed(db), 1);
	arena_destroy(a);
}

static void reindex_repairs(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	int64_t id = add_page(db, "harbor", "guide", "public", 0, "Safe harbor", "Words.");
	add_page(db, "other", "resource", "public", 0, "Other", "Harbor pilots.");
	CHECK(db, run(db, BY(db, "DELETE FROM library_search", "DELETE FROM library_search")));
	assert_string_equal(found(db, a, &anonymous, "harbor", SEARCH_ALL), "");
	CHECK(db, search_reindex(db, id));
	assert_string_equal(found(db, a, &anonymous, "harbor", SEARCH_ALL), "harbor");
	CHECK(db, search_reindex(db, id)); /* twice: still one entry */
	assert_int_equal(indexed(db), 1);
	CHECK(db, search_reindex_all(db));
	assert_int_equal(indexed(db), 2);
	/* An unpublished page has no entry after a reindex. */
	runf(db, "UPDATE library_pages SET published = 0 WHERE id = %lld", (long long)id);
	CHECK(db, search_reindex_all(db));
	assert_int_equal(indexed(db), 1);
	CHECK(db, search_reindex(db, 999999));
	arena_destroy(a);
}

static void visibility_in_sql(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	runf(db,
	     "INSERT INTO organizations (slug, name, kind) VALUES ('pd', 'PD', "
	     "'law_enforcement'), ('cw', 'CW', 'child_welfare'), ('pd2', 'PD2', "
	     "'law_enforcement')");
	int64_t pd = query_int(db, "SELECT id FROM organizations WHERE slug = 'pd'");
	int64_t cw = query_int(db, "SELECT id FROM organizations WHERE slug = 'cw'");
	int64_t pd2 = query_int(db, "SELECT id FROM organizations WHERE slug = 'pd2'");
	runf(db,
	     "INSERT INTO users (email, name) VALUES ('o@pd', 'O'), ('p@cw', 'P'), "
	     "('o@pd2', 'O2'), ('admin@site', 'A')");
	runf(db, "UPDATE users SET site_admin = 1 WHERE email = 'admin@site'");
	int64_t o = query_int(db, "SELECT id FROM users WHERE email = 'o@pd'");
	int64_t p = query_int(db, "SELECT id FROM users WHERE email = 'p@cw'");
	int64_t o2 = query_int(db, "SELECT id FROM users WHERE email = 'o@pd2'");
	int64_t ad = query_int(db, "SELECT id FROM users WHERE email = 'admin@site'");
	runf(db,
	     "INSERT INTO memberships (user_id, org_id, role) VALUES (%lld, %lld, 'officer'), "
	     "(%lld, %lld, 'partner'), (%lld, %lld, 'officer')",
	     (long long)o, (long long)pd, (long long)p, (long long)cw, (long long)o2,
	     (long long)pd2);
	add_page(db, "pub", "guide", "public", 0, "Public", "beacon public");
	add_page(db, "mem", "guide", "members", 0, "Members", "beacon members");
	add_page(db, "le", "guide", "law_enforcement", 0, "LE", "beacon enforcement");
	add_page(db, "own", "guide", "org", pd, "Own", "beacon own");

	struct principal officer = {.authenticated = true, .user_id = o, .org_id = pd};
	struct principal partner = {.authenticated = true, .user_id = p, .org_id = cw};
	struct principal officer2 = {.authenticated = true, .user_id = o2, .org_id = pd2};
	struct principal admin = {.authenticated = true, .user_id = ad, .site_admin = true};
	/* Claims the store does not back: a membership that does not exist. */
	struct principal liar = {.authenticated = true, .user_id = p, .org_id = pd};
	struct principal enrolling = officer;
	enrolling.must_enrol = true;

	assert_string_equal(sees(db, a, &anonymous), "pub");
	assert_string_equal(sees(db, a, &partner), "mem,pub");
	assert_string_equal(sees(db, a, &liar), "pub");
	assert_string_equal(sees(db, a, &enrolling), "pub");
	assert_string_equal(sees(db, a, &officer2), "le,mem,pub");
	assert_string_equal(sees(db, a, &officer), "le,mem,own,pub");
	assert_string_equal(sees(db, a, &admin), "le,mem,own,pub");
	/* A disabled membership or organization counts for nothing. */
	runf(db, "UPDATE memberships SET status = 'disabled' WHERE user_id = %lld", (long long)o);
	assert_string_equal(sees(db, a, &officer), "pub");
	runf(db, "UPDATE organizations SET status = 'disabled' WHERE id = %lld", (long long)pd2);
	assert_string_equal(sees(db, a, &officer2), "pub");
	arena_destroy(a);
}

static void title_outranks_body(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	add_page(db, "body", "guide", "public", 0, "Other things",
	         "A page about other things that mentions the lighthouse once.");
	add_page(db, "title", "guide", "public", 0, "The lighthouse",
	         "A page about other things, at length, with many words.");
	assert_string_equal(found(db, a, &anonymous, "lighthouse", SEARCH_ALL), "title,body");

	struct search_query sq;
	struct search_results res;
	assert_int_equal(search_query_parse(a, "mentions lighthouse", 19, &sq), 0);
	CHECK(db, search_run(db, a, &anonymous, &sq, SEARCH_ALL, 5, 0, &res));
	assert_int_equal(res.n, 1);
	assert_non_null(strstr(res.hits[0].snippet_html, "<mark>lighthouse</mark>"));
	assert_non_null(strstr(res.hits[0].snippet_html, "<mark>mentions</mark>"));
	/* Limits are the caller's to check; the model refuses what is past them. */
	assert_int_equal(search_run(db, a, &anonymous, &sq, SEARCH_ALL, 0, 0, &res), DB_EINVAL);
	assert_int_equal(
	        search_run(db, a, &anonymous, &sq, SEARCH_ALL, 5, SEARCH_OFFSET_MAX + 1, &res),
	        DB_EINVAL);
	arena_destroy(a);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(words_and_prefix),
	        cmocka_unit_test(phrases),
	        cmocka_unit_test(hostile_input_is_only_words),
	        cmocka_unit_test(limits),
	        cmocka_unit_test(stop_list),
	        cmocka_unit_test(snippet_escapes_then_marks),
	        cmocka_unit_test(clean_input),
	        cmocka_unit_test(kinds),
	};
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest common[] = {
	        T(index_follows_pages),
	        T(reindex_repairs),
	        T(visibility_in_sql),
	        T(title_outranks_body),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = cmocka_run_group_tests_name("search", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("search on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed +=
		        cmocka_run_group_tests_name("search on PostgreSQL", common, group_pg, NULL);
	} else {
		printf("[  SKIPPED ] search on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. through scripts/with-pg)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
