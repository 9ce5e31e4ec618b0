/* tests/unit/test_search.c — the search query language (words, phrases,
 * stop words, prefix, limits) and what it becomes for FTS5 and tsquery,
 * the snippet's HTML, and the cleaning of the query shown back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "features/search/search.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(words_and_prefix),
	        cmocka_unit_test(phrases),
	        cmocka_unit_test(hostile_input_is_only_words),
	        cmocka_unit_test(limits),
	        cmocka_unit_test(stop_list),
	        cmocka_unit_test(snippet_escapes_then_marks),
	        cmocka_unit_test(clean_input),
	        cmocka_unit_test(kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
