/* tests/unit/test_edit_check.c — the editor's form checked with the pack's
 * rules (features/library/edit_check.c): a good form and the page it makes
 * (trimmed, folded, CR LF made LF), each field's problems with their
 * catalogue keys, source rows (blank ones dropped, each field named by its
 * row), the flags (new page, organization page, message), and agreement
 * with frontmatter_parse, the validator's own reader, at the limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "features/library/edit_check.h"
#include "features/library/frontmatter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena *A;

static int setup(void **state)
{
	(void)state;
	A = arena_create(0);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_destroy(A);
	return 0;
}

static struct libedit_source_in good_source = {"A source", "A publisher", "https://example.org/a",
                                               "2026-11-28"};

static struct libedit_input good(void)
{
	return (struct libedit_input){
	        .title = "  A title ",
	        .summary = "One line\r\nand another.",
	        .visibility = "members",
	        .order = " 12 ",
	        .reviewed = "2024-02-29",
	        .message = "Changed it",
	        .slug = "a-page",
	        .kind = "practice",
	        .body = "## Part\r\n\r\nText.\r\n",
	        .body_len = 18,
	        .sources = &good_source,
	        .n_sources = 1,
	};
}

static struct libedit_checked check(const struct libedit_input *in, unsigned flags)
{
	struct libedit_checked c;
	assert_int_equal(libedit_check(A, in, flags, &c), 0);
	return c;
}

static void test_good_form(void **state)
{
	(void)state;
	struct libedit_input in = good();
	struct libedit_checked c = check(&in, LIBEDIT_CHECK_NEW | LIBEDIT_CHECK_MESSAGE);
	assert_int_equal(c.n, 0);
	assert_string_equal(c.page.title, "A title");
	assert_string_equal(c.page.summary, "One line and another.");
	assert_int_equal(c.page.visibility, VIS_MEMBERS);
	assert_int_equal(c.page.order, 12);
	assert_string_equal(c.page.reviewed, "2024-02-29");
	assert_string_equal(c.page.slug, "a-page");
	assert_int_equal(c.page.kind, PAGE_PRACTICE);
	assert_string_equal(c.page.markdown, "## Part\n\nText.\n");
	assert_int_equal(c.page.markdown_len, 15);
	assert_int_equal(c.page.body_line, 1);
	assert_int_equal(c.page.n_sources, 1);
	assert_string_equal(c.page.sources[0].url, "https://example.org/a");
	assert_string_equal(c.message, "Changed it");
}

static void test_text_fields(void **state)
{
	(void)state;
	struct libedit_input in = good();
	in.title = " \t ";
	struct libedit_checked c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "title"), "library.edit.error.title.empty");
	assert_null(c.page.title);
	in.title = "a\tb";
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "title"), "library.edit.error.title.control");
	/* 200 characters of two bytes each are fine; 201 are not. */
	char long_title[2 * 201 + 1];
	for (int i = 0; i < 201; i++)
		memcpy(long_title + 2 * i, "\xc3\xa9", 2);
	long_title[2 * 200] = '\0';
	in.title = long_title;
	c = check(&in, 0);
	assert_null(libedit_problem(&c, "title"));
	long_title[2 * 200] = '\xc3';
	long_title[2 * 200 + 1] = '\xa9';
	long_title[2 * 201] = '\0';
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "title"), "library.edit.error.title.too_long");
	in = good();
	in.title = "Call {{agency.name}}";
	in.summary = "At {{agency.hotline}}";
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "title"), "library.edit.error.title.placeholder");
	assert_string_equal(libedit_problem(&c, "summary"),
	                    "library.edit.error.summary.placeholder");
	in = good();
	char summary[402];
	memset(summary, 's', 401);
	summary[401] = '\0';
	in.summary = summary;
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "summary"), "library.edit.error.summary.too_long");
}

static void test_choices_and_numbers(void **state)
{
	(void)state;
	struct libedit_input in = good();
	in.visibility = "org";
	struct libedit_checked c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "visibility"),
	                    "library.edit.error.visibility.invalid");
	c = check(&in, LIBEDIT_CHECK_ORG);
	assert_null(libedit_problem(&c, "visibility"));
	assert_int_equal(c.page.visibility, VIS_ORG);
	in.visibility = "everyone";
	c = check(&in, LIBEDIT_CHECK_ORG); /* an organization's page ignores it */
	assert_int_equal(c.n, 0);
	const char *bad_orders[] = {"", "1.5", "x", "1000001", "-1000001", "0x10"};
	for (size_t i = 0; i < sizeof bad_orders / sizeof *bad_orders; i++) {
		in = good();
		in.order = bad_orders[i];
		c = check(&in, 0);
		assert_string_equal(libedit_problem(&c, "order"),
		                    "library.edit.error.order.invalid");
	}
	in = good();
	in.order = "-1000000";
	assert_int_equal(check(&in, 0).page.order, -1000000);
	in.reviewed = "2023-02-29";
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "reviewed"), "library.edit.error.reviewed.invalid");
	in.reviewed = "";
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "reviewed"), "library.edit.error.reviewed.empty");
}

static void test_sources(void **state)
{
	(void)state;
	struct libedit_source_in rows[3] = {
	        {"", " ", "", ""},
	        {"Title", "", "javascript:alert(1)", "2026-13-01"},
	        {"Title", "Publisher", "https://example.org/x", "2026-11-28"},
	};
	struct libedit_input in = good();
	in.sources = rows;
	in.n_sources = 3;
	struct libedit_checked c = check(&in, 0);
	assert_null(libedit_problem(&c, "source_title_0"));
	assert_null(libedit_problem(&c, "source_title_1"));
	assert_string_equal(libedit_problem(&c, "source_publisher_1"),
	                    "library.edit.error.source_publisher.empty");
	assert_string_equal(libedit_problem(&c, "source_url_1"),
	                    "library.edit.error.source_url.invalid");
	assert_string_equal(libedit_problem(&c, "source_checked_1"),
	                    "library.edit.error.source_checked.invalid");
	assert_null(libedit_problem(&c, "source_url_2"));
	assert_null(c.page.sources);
	/* Only blank rows: no source. */
	in.n_sources = 1;
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "sources"), "library.edit.error.sources.none");
	/* Blank rows are dropped from a good list. */
	rows[1] = rows[2];
	in.n_sources = 3;
	c = check(&in, 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.page.n_sources, 2);
	/* More than the pack allows. */
	struct libedit_source_in many[FRONTMATTER_MAX_SOURCES + 1];
	for (size_t i = 0; i < FRONTMATTER_MAX_SOURCES + 1; i++)
		many[i] = good_source;
	in.sources = many;
	in.n_sources = FRONTMATTER_MAX_SOURCES + 1;
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "sources"), "library.edit.error.sources.too_many");
	in.n_sources = FRONTMATTER_MAX_SOURCES;
	assert_int_equal(check(&in, 0).n, 0);
}

static void test_body_message_and_new_page(void **state)
{
	(void)state;
	struct libedit_input in = good();
	char *big = malloc(PACK_MAX_FILE_BYTES + 1);
	assert_non_null(big);
	memset(big, 'x', PACK_MAX_FILE_BYTES + 1);
	in.body = big;
	in.body_len = PACK_MAX_FILE_BYTES + 1;
	struct libedit_checked c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "body"), "library.edit.error.body.too_big");
	assert_null(c.page.markdown);
	in.body_len = PACK_MAX_FILE_BYTES;
	c = check(&in, 0);
	assert_null(libedit_problem(&c, "body"));
	free(big);

	in = good();
	in.body = "a\rb\r\n";
	in.body_len = 5;
	c = check(&in, 0);
	assert_string_equal(libedit_problem(&c, "body"), "library.edit.error.body.bare_cr");
	in.body = "a\r\nb\r\n";
	in.body_len = 6;
	assert_string_equal(check(&in, 0).page.markdown, "a\nb\n");

	in = good();
	in.message = "";
	assert_int_equal(check(&in, 0).n, 0); /* a preview needs none */
	c = check(&in, LIBEDIT_CHECK_MESSAGE);
	assert_string_equal(libedit_problem(&c, "message"), "library.edit.error.message.empty");
	char msg[LIBEDIT_MESSAGE_MAX + 2];
	memset(msg, 'm', sizeof msg - 1);
	msg[sizeof msg - 1] = '\0';
	in.message = msg;
	c = check(&in, LIBEDIT_CHECK_MESSAGE);
	assert_string_equal(libedit_problem(&c, "message"), "library.edit.error.message.too_long");

	const char *bad_slugs[] = {"Upper", "-lead", "trail-", "a b", "a_b", ""};
	for (size_t i = 0; i < sizeof bad_slugs / sizeof *bad_slugs; i++) {
		in = good();
		in.slug = bad_slugs[i];
		c = check(&in, LIBEDIT_CHECK_NEW);
		assert_non_null(libedit_problem(&c, "slug"));
	}
	in = good();
	in.kind = "chapter";
	c = check(&in, LIBEDIT_CHECK_NEW);
	assert_string_equal(libedit_problem(&c, "kind"), "library.edit.error.kind.invalid");
	c = check(&in, 0); /* an existing page keeps its kind and slug */
	assert_int_equal(c.n, 0);
}

/* The validator's reader of the same values agrees (accepts exactly what
 * the form accepts) for a field at and past its limits. */
static bool validator_accepts(const char *title, const char *url, const char *date)
{
	char *doc = arena_printf(A,
	                         "---\ntitle: \"%s\"\nslug: a\nkind: guide\norder: 1\n"
	                         "visibility: public\nsummary: s\nsources:\n  - title: t\n"
	                         "    publisher: p\n    url: \"%s\"\n    checked: %s\n"
	                         "reviewed: 2026-01-01\n---\nbody\n",
	                         title, url, date);
	struct pack_problems pr;
	struct pack_page pg;
	pack_problems_init(&pr, A);
	assert_int_equal(frontmatter_parse(A, "x.md", doc, strlen(doc), &pg, NULL, &pr), 0);
	return pr.n == 0;
}

static bool form_accepts(const char *title, const char *url, const char *date)
{
	struct libedit_source_in s = {"t", "p", url, date};
	struct libedit_input in = good();
	in.title = title;
	in.sources = &s;
	struct libedit_checked c = check(&in, 0);
	return c.n == 0;
}

static void test_agrees_with_the_validator(void **state)
{
	(void)state;
	char t200[201], t201[202];
	memset(t200, 'a', 200);
	t200[200] = '\0';
	memset(t201, 'a', 201);
	t201[201] = '\0';
	const struct {
		const char *title, *url, *date;
	} cases[] = {
	        {t200, "https://example.org", "2026-11-28"},
	        {t201, "https://example.org", "2026-11-28"},
	        {"t", "http://example.org/a?b#c", "2000-02-29"},
	        {"t", "ftp://example.org", "2026-11-28"},
	        {"t", "https://user@example.org", "2026-11-28"},
	        {"t", "https://", "2026-11-28"},
	        {"t", "https://example.org", "1899-12-31"},
	        {"t", "https://example.org", "2026-04-31"},
	        {"t", "https://example.org", "26-11-28"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_int_equal(form_accepts(cases[i].title, cases[i].url, cases[i].date),
		                 validator_accepts(cases[i].title, cases[i].url, cases[i].date));
	assert_true(form_accepts(t200, "https://example.org", "2026-11-28"));
	assert_false(form_accepts(t201, "https://example.org", "2026-11-28"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_good_form, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_text_fields, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_choices_and_numbers, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_body_message_and_new_page, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_agrees_with_the_validator, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
