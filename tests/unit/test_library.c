/* tests/unit/test_library.c — the content-pack code of features/library:
 * front matter (every rule and its line), Markdown rendering (hostile
 * input, anchors, table of contents, table alignment, word count, link
 * lines), placeholders_fill (escaping, prompt against neutral marker),
 * reading packs from a directory and from a .zip built here with libzip
 * (a '..' entry, an absolute path, a symbolic link, an oversized entry, a
 * size that lies), and pack_load's whole-pack checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "core/arena.h"
#include "features/library/frontmatter.h"
#include "features/library/markdown.h"
#include "features/library/pack.h"
#include "features/library/placeholders.h"
#include "render/page.h"

static int setup(void **state)
{
	struct arena *a = arena_create(0);
	if (!a)
		return -1;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_destroy(*state);
	return 0;
}

/* "file:line: message" of every problem, one a line. */
static const char *problems_text(struct arena *a, const struct pack_problems *pr)
{
	char *s = arena_strdup(a, "");
	for (size_t i = 0; i < pr->n; i++)
		s = arena_printf(a, "%s%s:%d: %s\n", s, pr->items[i].file, pr->items[i].line,
		                 pr->items[i].message);
	return s;
}

/* Asserts that some problem is on line with message containing part. */
static void has_problem(struct arena *a, const struct pack_problems *pr, int line, const char *part)
{
	for (size_t i = 0; i < pr->n; i++)
		if (pr->items[i].line == line && strstr(pr->items[i].message, part))
			return;
	fail_msg("no problem on line %d with \"%s\"; got:\n%s", line, part, problems_text(a, pr));
}

/* ------------------------------------------------------------ front matter */

#define HEAD                                                                                       \
	"---\n"                                                                                    \
	"title: \"Definitions: federal law\"\n"                                                    \
	"slug: definitions-and-law\n"                                                              \
	"kind: guide\n"                                                                            \
	"order: 10\n"                                                                              \
	"visibility: law_enforcement\n"                                                            \
	"summary: >\n"                                                                             \
	"  Two plain\n"                                                                            \
	"  lines.\n"                                                                               \
	"sources:\n"                                                                               \
	"  - title: \"Defining Human Trafficking\"\n"                                              \
	"    publisher: OJJDP\n"                                                                   \
	"    url: \"https://ojjdp.ojp.gov/programs/human-trafficking-resources\"\n"                \
	"    checked: 2026-11-28\n"                                                                \
	"  - title: Second\n"                                                                      \
	"    publisher: BJA\n"                                                                     \
	"    url: http://bja.ojp.gov/\n"                                                           \
	"    checked: \"2024-02-29\"\n"                                                            \
	"reviewed: 2026-11-28\n"

static int parse(struct arena *a, const char *text, struct pack_page *pg,
                 struct frontmatter_lines *ln, struct pack_problems *pr)
{
	pack_problems_init(pr, a);
	return frontmatter_parse(a, "guide/x.md", text, strlen(text), pg, ln, pr);
}

static void frontmatter_valid_page(void **state)
{
	struct arena *a = *state;
	struct pack_page pg;
	struct frontmatter_lines ln;
	struct pack_problems pr;
	assert_int_equal(parse(a, HEAD "---\n\nBody *here*.\n", &pg, &ln, &pr), 0);
	assert_string_equal(problems_text(a, &pr), "");
	assert_string_equal(pg.title, "Definitions: federal law");
	assert_string_equal(pg.slug, "definitions-and-law");
	assert_int_equal(pg.kind, PAGE_GUIDE);
	assert_int_equal(pg.order, 10);
	assert_int_equal(pg.visibility, VIS_LAW_ENFORCEMENT);
	assert_string_equal(pg.summary, "Two plain lines.");
	assert_string_equal(pg.reviewed, "2026-11-28");
	assert_int_equal(pg.n_sources, 2);
	assert_string_equal(pg.sources[0].publisher, "OJJDP");
	assert_string_equal(pg.sources[1].url, "http://bja.ojp.gov/");
	assert_string_equal(pg.sources[1].checked, "2024-02-29");
	assert_string_equal(pg.markdown, "\nBody *here*.\n");
	assert_int_equal(pg.body_line, 21);
	assert_int_equal(ln.title, 2);
	assert_int_equal(ln.slug, 3);
	assert_int_equal(ln.sources, 10);
	assert_int_equal(ln.reviewed, 19);

	/* CRLF line endings and a byte-order mark are fine too. */
	char crlf[2048] = "\xef\xbb\xbf";
	size_t n = 3;
	for (const char *p = HEAD "---\nBody\n"; *p; p++) {
		if (*p == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *p;
	}
	crlf[n] = '\0';
	assert_int_equal(parse(a, crlf, &pg, &ln, &pr), 0);
	assert_string_equal(problems_text(a, &pr), "");
	assert_string_equal(pg.summary, "Two plain lines.");
	assert_string_equal(pg.markdown, "Body\r\n");
	assert_int_equal(pg.body_line, 21);
}

static void frontmatter_block_problems(void **state)
{
	struct arena *a = *state;
	struct pack_page pg;
	struct pack_problems pr;
	parse(a, "# No front matter\n", &pg, NULL, &pr);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 1, "has no front matter");
	assert_string_equal(pg.markdown, "# No front matter\n");
	assert_int_equal(pg.body_line, 1);

	parse(a, "---\ntitle: x\n", &pg, NULL, &pr);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 1, "not closed");

	parse(a, "", &pg, NULL, &pr);
	has_problem(a, &pr, 1, "has no front matter");

	/* An empty block: every field is missing, at line 1. */
	parse(a, "---\n---\n", &pg, NULL, &pr);
	assert_int_equal(pr.n, 8);
	has_problem(a, &pr, 1, "missing field \"title\"");
	has_problem(a, &pr, 1, "missing field \"reviewed\"");

	parse(a, "---\n- a\n- b\n---\n", &pg, NULL, &pr);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 2, "must be fields");

	parse(a, "---\ntitle: \"open\nslug: x\n---\n", &pg, NULL, &pr);
	assert_int_equal(pr.n, 1);
	assert_non_null(strstr(pr.items[0].message, "malformed YAML"));

	parse(a, "---\ntitle: &t x\nslug: *t\n---\n", &pg, NULL, &pr);
	has_problem(a, &pr, 3, "aliases");

	parse(a, "---\ntitle: x\n...\n--- \nbody\n", &pg, NULL, &pr);
	assert_true(pr.n >= 1);

	parse(a, "---\ntitle: [[[[[[[[[x]]]]]]]]]\n---\n", &pg, NULL, &pr);
	has_problem(a, &pr, 2, "nested too deeply");

	/* Bounded: a block over 64 KiB is refused before libyaml sees it. */
	size_t big = FRONTMATTER_MAX_BYTES + 100;
	char *s = arena_alloc(a, big + 16);
	memcpy(s, "---\n", 4);
	for (size_t i = 4; i < big; i += 8)
		memcpy(s + i, "# pad..\n", 8);
	memcpy(s + big, "---\n", 5);
	parse(a, s, &pg, NULL, &pr);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 1, "over 64 KiB");

	/* Many events: a long flow list. */
	struct buf_like {
		char *p;
		size_t n;
	} b = {arena_alloc(a, 3 * FRONTMATTER_MAX_EVENTS + 64), 0};
	b.n += (size_t)snprintf(b.p, 64, "---\ntitle: [");
	for (int i = 0; i < FRONTMATTER_MAX_EVENTS; i++) {
		memcpy(b.p + b.n, "1,", 2);
		b.n += 2;
	}
	memcpy(b.p + b.n, "1]\n---\n", 8);
	parse(a, b.p, &pg, NULL, &pr);
	has_problem(a, &pr, 2, "too complex");
}

/* HEAD with one line replaced (line numbers stay the same). */
static const char *head_with(struct arena *a, const char *old, const char *new_)
{
	const char *h = HEAD "---\nbody\n";
	const char *at = strstr(h, old);
	assert_non_null(at);
	return arena_printf(a, "%.*s%s%s", (int)(at - h), h, new_, at + strlen(old));
}

static void frontmatter_field_problems(void **state)
{
	struct arena *a = *state;
	struct pack_page pg;
	struct frontmatter_lines ln;
	struct pack_problems pr;
	static const struct {
		const char *old, *new_;
		int line;
		const char *part;
	} cases[] = {
	        {"order: 10\n", "order: 10\nauthor: me\n", 6, "unknown field \"author\""},
	        {"order: 10\n", "order: 10\ntitle: again\n", 6, "\"title\" is given twice"},
	        {"order: 10\n", "order: \"10\"\n", 5, "order must be a whole number"},
	        {"order: 10\n", "order: 1.5\n", 5, "order must be a whole number"},
	        {"order: 10\n", "order: 99999999999\n", 5, "order must be a whole number"},
	        {"slug: definitions-and-law\n", "slug: Definitions\n", 3, "lower-case"},
	        {"slug: definitions-and-law\n", "slug: -lead\n", 3, "lower-case"},
	        {"slug: definitions-and-law\n",
	         "slug: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 3,
	         "at most 64"},
	        {"kind: guide\n", "kind: article\n", 4, "kind must be guide, practice or resource"},
	        {"kind: guide\n", "kind: [guide]\n", 4, "kind must be text, not a list"},
	        {"visibility: law_enforcement\n", "visibility: secret\n", 6, "visibility must be"},
	        {"title: \"Definitions: federal law\"\n", "title: {a: b}\n", 2,
	         "title must be text, not a set of fields"},
	        {"title: \"Definitions: federal law\"\n", "title: \"\"\n", 2, "title is empty"},
	        {"title: \"Definitions: federal law\"\n", "title:\n", 2, "title is empty"},
	        {"title: \"Definitions: federal law\"\n", "title: \"a\\tb\"\n", 2,
	         "control character"},
	        {"reviewed: 2026-11-28\n", "reviewed: 2026-02-29\n", 19, "real date"},
	        {"reviewed: 2026-11-28\n", "reviewed: 2026-1-28\n", 19, "real date"},
	        {"reviewed: 2026-11-28\n", "reviewed: 28/11/2026\n", 19, "real date"},
	        {"    checked: 2026-11-28\n", "    checked: 2026-13-01\n", 14,
	         "source 1: checked must be a real date"},
	        {"    url: http://bja.ojp.gov/\n", "    url: ftp://bja.ojp.gov/\n", 17,
	         "source 2: url must be a full http:// or https:// address"},
	        {"    url: http://bja.ojp.gov/\n", "    url: \"javascript:alert(1)\"\n", 17,
	         "source 2: url must be"},
	        {"    url: http://bja.ojp.gov/\n", "    url: \"https://user@host/\"\n", 17,
	         "source 2: url must be"},
	        {"    url: http://bja.ojp.gov/\n", "    uri: http://bja.ojp.gov/\n", 17,
	         "source 2: unknown field \"uri\""},
	        {"    url: http://bja.ojp.gov/\n", "    title: again\n", 17,
	         "source 2: \"title\" is given twice"},
	        {"    publisher: OJJDP\n", "    publisher:\n", 12, "source 1: publisher is empty"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *text = head_with(a, cases[i].old, cases[i].new_);
		assert_int_equal(parse(a, text, &pg, &ln, &pr), 0);
		has_problem(a, &pr, cases[i].line, cases[i].part);
	}

	/* A source without url: named at the source's line. */
	parse(a, head_with(a, "    url: http://bja.ojp.gov/\n", ""), &pg, &ln, &pr);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 15, "source 2 has no \"url\"");
	assert_int_equal(ln.sources, 0);
	assert_null(pg.sources);

	parse(a,
	      head_with(a,
	                "  - title: Second\n    publisher: BJA\n    url: http://bja.ojp.gov/\n"
	                "    checked: \"2024-02-29\"\n",
	                "  - Second\n"),
	      &pg, &ln, &pr);
	has_problem(a, &pr, 15, "source 2 must be a set of fields");

	/* sources: empty list, null, a string. */
	const char *src =
	        "sources:\n  - title: \"Defining Human Trafficking\"\n    publisher: OJJDP\n"
	        "    url: \"https://ojjdp.ojp.gov/programs/human-trafficking-resources\"\n"
	        "    checked: 2026-11-28\n  - title: Second\n    publisher: BJA\n"
	        "    url: http://bja.ojp.gov/\n    checked: \"2024-02-29\"\n";
	parse(a, head_with(a, src, "sources: []\n"), &pg, &ln, &pr);
	has_problem(a, &pr, 10, "sources is empty");
	parse(a, head_with(a, src, "sources:\n"), &pg, &ln, &pr);
	has_problem(a, &pr, 10, "sources is empty");
	parse(a, head_with(a, src, "sources: OJJDP\n"), &pg, &ln, &pr);
	has_problem(a, &pr, 10, "sources must be a list");

	/* Over-long title and summary are counted in characters. */
	char title[PACK_TITLE_MAX * 2 + 64];
	size_t n = (size_t)snprintf(title, sizeof title, "title: \"");
	for (int i = 0; i < PACK_TITLE_MAX; i++) {
		memcpy(title + n, "\xc3\xa9", 2); /* é: 200 characters, 400 bytes */
		n += 2;
	}
	snprintf(title + n, sizeof title - n, "\"\n");
	parse(a, head_with(a, "title: \"Definitions: federal law\"\n", title), &pg, &ln, &pr);
	assert_string_equal(problems_text(a, &pr), "");
	assert_int_equal(frontmatter_chars(pg.title, strlen(pg.title)), PACK_TITLE_MAX);
	memmove(title + 9, title + 8, n - 8 + 3);
	title[8] = 'x';
	parse(a, head_with(a, "title: \"Definitions: federal law\"\n", title), &pg, &ln, &pr);
	has_problem(a, &pr, 2, "title is 201 characters long; at most 200");

	char summary[PACK_SUMMARY_MAX + 64];
	n = (size_t)snprintf(summary, sizeof summary, "summary: ");
	memset(summary + n, 'w', PACK_SUMMARY_MAX + 1);
	snprintf(summary + n + PACK_SUMMARY_MAX + 1, 2, "\n");
	parse(a, head_with(a, "summary: >\n  Two plain\n  lines.\n", summary), &pg, &ln, &pr);
	has_problem(a, &pr, 7, "summary is 401 characters long; at most 400");
}

static void frontmatter_checks(void **state)
{
	(void)state;
	assert_true(frontmatter_date_valid("2024-02-29", 10));
	assert_false(frontmatter_date_valid("2023-02-29", 10));
	assert_true(frontmatter_date_valid("2000-02-29", 10));
	assert_false(frontmatter_date_valid("1900-02-29", 10));
	assert_false(frontmatter_date_valid("2026-04-31", 10));
	assert_true(frontmatter_date_valid("2026-12-31", 10));
	assert_false(frontmatter_date_valid("2026-00-10", 10));
	assert_false(frontmatter_date_valid("2026-01-00", 10));
	assert_false(frontmatter_date_valid("2026-1-010", 10));
	assert_false(frontmatter_date_valid("2026-01-01", 9));
	assert_true(frontmatter_slug_valid("a", 1));
	assert_true(frontmatter_slug_valid("first-steps-2", 13));
	assert_false(frontmatter_slug_valid("first_steps", 11));
	assert_false(frontmatter_slug_valid("first-", 6));
	assert_false(frontmatter_slug_valid("", 0));
	assert_true(frontmatter_url_valid("https://a.example", 17));
	assert_true(frontmatter_url_valid("HTTPS://a.example/x?y#z", 23));
	assert_false(frontmatter_url_valid("https://", 8));
	assert_false(frontmatter_url_valid("https:///x", 10));
	assert_false(frontmatter_url_valid("https://a b", 11));
	assert_false(frontmatter_url_valid("mailto:a@b", 10));
	assert_false(frontmatter_url_valid("//a.example", 11));
	enum page_kind k;
	enum page_visibility v;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(page_kind_parse(page_kind_name((enum page_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(
		        page_visibility_parse(page_visibility_name((enum page_visibility)i), &v),
		        0);
		assert_int_equal(v, i);
	}
	assert_int_equal(page_kind_parse("guides", &k), -1);
	assert_int_equal(page_visibility_parse("Public", &v), -1);
}

/* ------------------------------------------------------------ markdown */

static struct md_result render(struct arena *a, const char *md, struct pack_problems *pr)
{
	struct md_result r;
	pack_problems_init(pr, a);
	assert_int_equal(markdown_render(a, md, strlen(md), "guide/x.md", 1, pr, &r), 0);
	return r;
}

/* Every tag in html is one the renderer may write, with only its
 * attributes, each value quoted and free of '<' — so nothing in it came
 * from the input as markup. */
static void assert_only_our_markup(const char *html)
{
	static const char *const tags[] = {
	        "p",     "h2",   "h3", "h4",     "h5",  "h6", "ul",         "ol",    "li",
	        "pre",   "code", "em", "strong", "del", "a",  "img",        "table", "thead",
	        "tbody", "tr",   "th", "td",     "hr",  "br", "blockquote", "span"};
	static const char *const attrs[] = {"id", "start", "href", "src", "alt", "class"};
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		const char *q = p + 1 + (p[1] == '/');
		size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789");
		bool ok = false;
		for (size_t i = 0; i < sizeof tags / sizeof tags[0] && !ok; i++)
			ok = strlen(tags[i]) == n && memcmp(q, tags[i], n) == 0;
		if (!ok)
			fail_msg("unexpected tag at: %.40s", p);
		q += n;
		while (*q == ' ') {
			q++;
			size_t an = strspn(q, "abcdefghijklmnopqrstuvwxyz");
			bool aok = false;
			for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] && !aok; i++)
				aok = strlen(attrs[i]) == an && memcmp(q, attrs[i], an) == 0;
			if (!aok || q[an] != '=' || q[an + 1] != '"')
				fail_msg("unexpected attribute at: %.40s", q);
			const char *end = strchr(q + an + 2, '"');
			assert_non_null(end);
			for (const char *c = q + an + 2; c < end; c++)
				assert_true(*c != '<' && *c != '>');
			if (an == 4 || an == 3) { /* href, src */
				assert_true(strncasecmp(q + an + 2, "javascript:", 11) != 0);
				assert_true(strncasecmp(q + an + 2, "data:", 5) != 0);
			}
			q = end + 1;
		}
		if (*q != '>')
			fail_msg("tag not closed at: %.40s", p);
	}
}

static void markdown_hostile_input(void **state)
{
	struct arena *a = *state;
	struct pack_problems pr;
	const char *md =
	        "<script>alert(1)</script>\n\n"
	        "Text <img src=x onerror=alert(1)> and <a href=\"x\" onclick=\"y\">z</a>.\n\n"
	        "[js](javascript:alert(1)) [JS](JAVASCRIPT:alert(2)) "
	        "[vb](vbscript:msgbox) [data](data:text/html;base64,PHNjcmlwdD4=)\n"
	        "<javascript:alert(3)> [enc](jav&#x61;script:alert(4))\n\n"
	        "![x\" onerror=\"alert(5)](https://img.example/a.png)\n"
	        "![bad](javascript:alert(6))\n\n"
	        "[q](https://a.example/\"onmouseover=\"alert(7)) "
	        "[p](https://a.example/{{agency.name}})\n\n"
	        "&lt;script&gt;alert(8)&lt;/script&gt; &#60;b&#62; &amp;\n\n"
	        "    <pre>code</pre>\n\n"
	        "`<i>code</i>` and {{agency.name}}\n\n"
	        "<!-- comment --> <?php echo 1; ?> <![CDATA[x]]>\n";
	struct md_result r = render(a, md, &pr);
	assert_only_our_markup(r.html);
	assert_null(strstr(r.html, "<script"));
	assert_null(strstr(r.html, "onerror=\""));
	assert_null(strstr(r.html, "onerror=alert"));
	assert_null(strstr(r.html, "onclick="));
	assert_null(strstr(r.html, "onmouseover=\""));
	assert_null(strstr(r.html, "<!--"));
	assert_null(strcasestr(r.html, "href=\"javascript"));
	assert_null(strcasestr(r.html, "href=\"vbscript"));
	assert_null(strcasestr(r.html, "href=\"data"));
	/* Entities decode to text, which is escaped again. */
	assert_non_null(strstr(r.html, "&lt;script&gt;alert(8)&lt;/script&gt; &lt;b&gt; &amp;"));
	assert_non_null(strstr(r.html, "<pre><code>&lt;pre&gt;code&lt;/pre&gt;\n</code></pre>"));
	assert_non_null(strstr(r.html, "<code>&lt;i&gt;code&lt;/i&gt;</code>"));
	/* The alt text's quotes are escaped; the image itself is allowed. */
	assert_non_null(strstr(r.html,
	                       "<img src=\"https://img.example/a.png\" alt=\"x&quot; "
	                       "onerror=&quot;alert(5)\">"));
	/* A refused image keeps its alt text; a refused link its text. */
	assert_non_null(strstr(r.html, "bad"));
	assert_non_null(strstr(r.html, "js JS vb data"));
	/* Quotes in an address are escaped; braces too, so a placeholder is
	 * never filled inside an attribute — but in text it stays. */
	assert_non_null(
	        strstr(r.html, "href=\"https://a.example/%22onmouseover=%22alert(7)\"") ||
	        strstr(r.html, "href=\"https://a.example/&quot;onmouseover=&quot;alert(7)\""));
	assert_non_null(
	        strstr(r.html, "href=\"https://a.example/&#123;&#123;agency.name&#125;&#125;\""));
	assert_non_null(strstr(r.html, "and {{agency.name}}</p>"));
	/* Every refusal is a problem on its line. */
	has_problem(a, &pr, 1, "raw HTML is not allowed");
	has_problem(a, &pr, 3, "raw HTML is not allowed");
	has_problem(a, &pr, 5, "link address \"javascript:alert(1)\" is not allowed");
	has_problem(a, &pr, 5, "link address \"JAVASCRIPT:alert(2)\" is not allowed");
	has_problem(a, &pr, 5, "link address \"vbscript:msgbox\"");
	has_problem(a, &pr, 5, "link address \"data:text/html");
	has_problem(a, &pr, 6, "link address \"javascript:alert(3)\"");
	has_problem(a, &pr, 6, "link address \"javascript:alert(4)\"");
	has_problem(a, &pr, 9, "link address \"javascript:alert(6)\"");
	has_problem(a, &pr, 19, "raw HTML is not allowed");
	/* NUL bytes and invalid UTF-8 come out as U+FFFD. */
	static const char bad[] = "a\0b \xff\xfe c\n";
	struct md_result r2;
	pack_problems_init(&pr, a);
	assert_int_equal(markdown_render(a, bad, sizeof bad - 1, "f", 1, &pr, &r2), 0);
	assert_string_equal(r2.html,
	                    "<p>a\xef\xbf\xbd"
	                    "b \xef\xbf\xbd\xef\xbf\xbd c</p>\n");
}

static void markdown_anchors_and_toc(void **state)
{
	struct arena *a = *state;
	struct pack_problems pr;
	const char *md = "## Scope\n\ntext\n\n## Scope\n\n### Scope\n\n#### Deeper detail\n\n"
	                 "## What is CSEC? (and why) — *now*\n\n## Introducción\n\n## ???\n\n"
	                 "## Sources\n\n## Main\n\nSetext two\n----------\n\n"
	                 "## {{agency.name}} & `partners`\n";
	struct md_result r = render(a, md, &pr);
	assert_string_equal(problems_text(a, &pr), "");
	static const struct {
		int level;
		const char *id, *text;
	} want[] = {
	        {2, "scope", "Scope"},
	        {2, "scope-2", "Scope"},
	        {3, "scope-3", "Scope"},
	        {2, "what-is-csec-and-why-now", "What is CSEC? (and why) — now"},
	        {2, "introducción", "Introducción"},
	        {2, "section", "???"},
	        {2, "sources-2", "Sources"},
	        {2, "main-2", "Main"},
	        {2, "setext-two", "Setext two"},
	        {2, "agency-name-partners", "{{agency.name}} & partners"},
	};
	assert_int_equal(r.n_toc, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < r.n_toc; i++) {
		assert_int_equal(r.toc[i].level, want[i].level);
		assert_string_equal(r.toc[i].id, want[i].id);
		assert_string_equal(r.toc[i].text, want[i].text);
	}
	assert_non_null(strstr(r.html, "<h2 id=\"scope\">Scope</h2>\n"));
	assert_non_null(strstr(r.html, "<h3 id=\"scope-3\">Scope</h3>\n"));
	assert_non_null(strstr(r.html, "<h4 id=\"deeper-detail\">Deeper detail</h4>\n"));
	assert_non_null(strstr(r.html,
	                       "<h2 id=\"what-is-csec-and-why-now\">What is CSEC? (and "
	                       "why) — <em>now</em></h2>"));
	assert_non_null(strstr(r.html,
	                       "<h2 id=\"agency-name-partners\">{{agency.name}} &amp; "
	                       "<code>partners</code></h2>"));

	/* An h1 is a problem, and is written as an h2. */
	r = render(a, "intro\n\n# Heading\n\nTitle too\n=========\n", &pr);
	assert_int_equal(pr.n, 2);
	has_problem(a, &pr, 3, "level-1 heading");
	has_problem(a, &pr, 5, "level-1 heading");
	assert_null(strstr(r.html, "<h1"));
	assert_non_null(strstr(r.html, "<h2 id=\"heading\">Heading</h2>"));
	assert_non_null(strstr(r.html, "<h2 id=\"title-too\">Title too</h2>"));
	assert_int_equal(r.n_toc, 2);
}

static void markdown_tables_lists_words(void **state)
{
	struct arena *a = *state;
	struct pack_problems pr;
	const char *md = "| Who | What |\n|:--|--:|\n| Patrol | *Signs* |\n| Chief | ~~old~~ |\n";
	struct md_result r = render(a, md, &pr);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 2, "may not set an alignment");
	assert_null(strstr(r.html, "align"));
	assert_null(strstr(r.html, "style"));
	assert_string_equal(r.html,
	                    "<table>\n<thead>\n<tr>\n<th>Who</th>\n<th>What</th>\n</tr>\n"
	                    "</thead>\n<tbody>\n<tr>\n<td>Patrol</td>\n<td><em>Signs</em>"
	                    "</td>\n</tr>\n<tr>\n<td>Chief</td>\n<td><del>old</del></td>\n"
	                    "</tr>\n</tbody>\n</table>\n");
	r = render(a, "| a |\n|---|\n", &pr);
	assert_int_equal(pr.n, 0);
	assert_string_equal(r.html,
	                    "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n"
	                    "</table>\n");

	r = render(a, "- one\n- two\n\n---\n\n3. three\n\n   more\n4. four\n\nhard  \nbreak\n",
	           &pr);
	assert_string_equal(r.html,
	                    "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<hr>\n"
	                    "<ol start=\"3\">\n<li><p>three</p>\n<p>more</p>\n</li>\n"
	                    "<li><p>four</p>\n</li>\n</ol>\n<p>hard<br>\nbreak</p>\n");

	r = render(a,
	           "One two,  three.\n\n## Four\n\n- five six\n\n`seven` ~~eight~~ "
	           "[nine](https://x.example) ![ten](/a.png)\n",
	           &pr);
	assert_int_equal(r.words, 10);
	assert_non_null(strstr(r.text, "One two,  three."));
	assert_non_null(strstr(r.text, "nine"));

	r = render(a, "", &pr);
	assert_string_equal(r.html, "");
	assert_int_equal(r.words, 0);
}

static void markdown_links_and_limits(void **state)
{
	struct arena *a = *state;
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	const char *md = "First line\nsee [a](/guide/a) and\nhttps://auto.example/x here\n\n"
	                 "| [t](/resources/t) |\n|---|\n\n> quote\n> [q](#q)\n\n"
	                 "![img](/static/x.png)\n[rel](other.md)\n";
	struct md_result r;
	assert_int_equal(markdown_render(a, md, strlen(md), "guide/x.md", 20, &pr, &r), 0);
	static const struct {
		const char *url;
		int line;
	} want[] = {{"/guide/a", 21}, {"https://auto.example/x", 22}, {"/resources/t", 24},
	            {"#q", 28},       {"/static/x.png", 30},          {"other.md", 31}};
	assert_int_equal(r.n_links, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < r.n_links; i++) {
		assert_string_equal(r.links[i].url, want[i].url);
		assert_int_equal(r.links[i].line, want[i].line);
	}
	/* A relative address is refused, at its file line. */
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 31, "link address \"other.md\" is not allowed");

	/* Over the size limit: refused whole. */
	size_t big = PACK_MAX_FILE_BYTES + 1;
	char *s = arena_alloc(a, big);
	memset(s, 'a', big);
	pack_problems_init(&pr, a);
	assert_int_equal(markdown_render(a, s, big, "guide/big.md", 7, &pr, &r), -E2BIG);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 7, "over 256 KiB");
	assert_string_equal(r.html, "");
	/* Without a problem list it still works. */
	assert_int_equal(markdown_render(a, "# x", 3, NULL, 1, NULL, &r), 0);
	assert_string_equal(r.html, "<h2 id=\"x\">x</h2>\n");

	/* Deep nesting is no trouble (cmark and this walk are iterative). */
	size_t deep = 50000;
	char *d = arena_alloc(a, deep * 2 + 2);
	for (size_t i = 0; i < deep; i++) {
		d[2 * i] = '>';
		d[2 * i + 1] = ' ';
	}
	memcpy(d + deep * 2, "x", 2);
	pack_problems_init(&pr, a);
	assert_int_equal(markdown_render(a, d, strlen(d), "f", 1, &pr, &r), 0);
	assert_only_our_markup(r.html);
}

/* ------------------------------------------------------------ placeholders */

static const char *lookup(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "agency.name") == 0)
		return "Metro <PD> & \"Co\"";
	if (strcmp(name, "agency.hotline") == 0)
		return "555-0100 (days)\r\n555-0199 (nights)";
	if (strcmp(name, "agency.state") == 0)
		return ""; /* empty is unset */
	return NULL;
}

static void placeholders_registry_and_fill(void **state)
{
	struct arena *a = *state;
	assert_true(placeholder_known("agency.name", 11));
	assert_true(placeholder_known("partners.probation_parole", 25));
	assert_true(placeholder_known("deployment.name", 15));
	assert_false(placeholder_known("partners.law_enforcement", 24));
	assert_false(placeholder_known("partners.coordinator", 20));
	assert_false(placeholder_known("agency.name ", 12));
	assert_false(placeholder_known("agency", 6));

	const char *html = "<p>{{agency.name}} calls {{agency.hotline}} in {{agency.state}}; "
	                   "{{unknown.x}} {{{agency.name}}} {{agency.name}</p>";
	char *out = placeholders_fill(a, html, lookup, NULL, "/account/org?x=1&y=2");
	assert_non_null(out);
	assert_string_equal(
	        out,
	        "<p>Metro &lt;PD&gt; &amp; &quot;Co&quot; calls 555-0100 (days)<br>\n"
	        "555-0199 (nights) in <span class=\"placeholder-unset\"><a "
	        "href=\"/account/org?x=1&amp;y=2\">[state: not set yet — add it in "
	        "your organization’s profile]</a></span>; {{unknown.x}} {Metro &lt;PD&gt; "
	        "&amp; &quot;Co&quot;} {{agency.name}</p>");

	out = placeholders_fill(a, "{{partners.school}}|{{state.law_summary}}", lookup, NULL, NULL);
	assert_string_equal(out,
	                    "<span class=\"placeholder-missing\">(school district: not "
	                    "set)</span>|<span class=\"placeholder-missing\">(summary of state "
	                    "law: not set)</span>");
	/* An edit address that is not safe is never written: neutral marker. */
	out = placeholders_fill(a, "{{agency.jurisdiction}}", NULL, NULL, "javascript:alert(1)");
	assert_string_equal(out,
	                    "<span class=\"placeholder-missing\">(jurisdiction: not set)</span>");
	out = placeholders_fill(a, "", lookup, NULL, NULL);
	assert_string_equal(out, "");
	out = placeholders_fill(a, "no braces { } {{ }}", lookup, NULL, NULL);
	assert_string_equal(out, "no braces { } {{ }}");

	/* What the renderer makes of a page fills cleanly. */
	struct pack_problems pr;
	struct md_result r =
	        render(a, "## For {{agency.name}}\n\n[{{agency.name}}](/guide/x)\n", &pr);
	out = placeholders_fill(a, r.html, lookup, NULL, "/account/org");
	assert_string_equal(out,
	                    "<h2 id=\"for-agency-name\">For Metro &lt;PD&gt; &amp; "
	                    "&quot;Co&quot;</h2>\n<p><a href=\"/guide/x\">Metro &lt;PD&gt; "
	                    "&amp; &quot;Co&quot;</a></p>\n");
	assert_only_our_markup(out);
}

/* ------------------------------------------------------------ zip and dir */

struct entry {
	const char *name;
	const char *data;
	size_t len;
	bool symlink;
};

/* A .zip in memory (malloc'd) holding the entries. */
static void *make_zip(const struct entry *e, size_t n, size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	zip_source_keep(src);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(z, e[i].data, e[i].len, 0);
		assert_non_null(s);
		zip_int64_t idx = zip_file_add(z, e[i].name, s, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		if (e[i].symlink)
			assert_int_equal(zip_file_set_external_attributes(z, (zip_uint64_t)idx, 0,
			                                                  ZIP_OPSYS_UNIX,
			                                                  (S_IFLNK | 0777u) << 16),
			                 0);
	}
	assert_int_equal(zip_close(z), 0);
	zip_stat_t st;
	assert_int_equal(zip_source_stat(src, &st), 0);
	assert_int_equal(zip_source_open(src), 0);
	void *buf = malloc(st.size);
	assert_non_null(buf);
	assert_int_equal(zip_source_read(src, buf, st.size), (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = st.size;
	return buf;
}

static const char pack_json[] = "{\"id\": \"z\", \"version\": \"1\", \"title\": \"Z\", "
                                "\"language\": \"en\", \"license\": \"CC BY 4.0\", "
                                "\"as_of\": \"2026-11-28\", \"review_status\": \"reviewed\", "
                                "\"disclaimer\": \"Not legal advice.\"}";

#define PAGE(slug, kind, order, body)                                                              \
	"---\ntitle: " slug "\nslug: " slug "\nkind: " kind "\norder: " order                      \
	"\nvisibility: public\nsummary: S\nsources:\n  - title: T\n    publisher: P\n"             \
	"    url: https://p.example/\n    checked: 2026-11-28\nreviewed: 2026-11-28\n---\n" body

static const char page_b[] = PAGE("b-page", "guide", "20", "## Part\n\nSee [a](/guide/a-page).\n");
static const char page_a[] = PAGE("a-page", "guide", "10", "Go to [b](/guide/b-page#part).\n");
static const char page_r[] = PAGE("r-page", "resource", "1", "Text.\n");

static void zip_reading(void **state)
{
	struct arena *a = *state;
	struct pack_problems pr;
	struct pack_file *files;
	size_t n, len;
	const struct entry good[] = {
	        {"mypack/", "", 0, false},
	        {"mypack/pack.json", pack_json, sizeof pack_json - 1, false},
	        {"mypack/guide/20-b.md", page_b, sizeof page_b - 1, false},
	        {"mypack/guide/10-a.md", page_a, sizeof page_a - 1, false},
	        {"mypack/resources/r.md", page_r, sizeof page_r - 1, false},
	        {"mypack/SOURCES.md", "x", 1, false},
	        {"mypack/course/c.md", "x", 1, false},
	};
	void *zip = make_zip(good, sizeof good / sizeof good[0], &len);
	pack_problems_init(&pr, a);
	assert_int_equal(pack_files_from_zip(a, zip, len, &files, &n, &pr), 0);
	free(zip);
	assert_string_equal(problems_text(a, &pr), "");
	assert_int_equal(n, 4);
	assert_string_equal(files[0].path, "pack.json");
	assert_string_equal(files[1].path, "guide/20-b.md");
	assert_int_equal(files[1].len, sizeof page_b - 1);
	assert_memory_equal(files[1].data, page_b, sizeof page_b - 1);

	struct pack p;
	assert_int_equal(pack_load(a, files, n, &p, &pr), 0);
	assert_string_equal(problems_text(a, &pr), "");
	assert_string_equal(p.meta.review_status, "reviewed");
	assert_int_equal(p.n_pages, 3);
	assert_string_equal(p.pages[0].slug, "a-page"); /* guide, order 10 */
	assert_string_equal(p.pages[1].slug, "b-page");
	assert_string_equal(p.pages[2].slug, "r-page");
	assert_ptr_equal(pack_find(&p, "b-page"), &p.pages[1]);
	assert_null(pack_find(&p, "nope"));

	/* Two top folders: nothing is stripped, so no pack file is found. */
	const struct entry two[] = {
	        {"a/pack.json", pack_json, sizeof pack_json - 1, false},
	        {"b/guide/x.md", page_a, sizeof page_a - 1, false},
	};
	zip = make_zip(two, 2, &len);
	pack_problems_init(&pr, a);
	assert_int_equal(pack_files_from_zip(a, zip, len, &files, &n, &pr), 0);
	free(zip);
	assert_int_equal(n, 0);

	/* Paths that leave the pack, a link, an oversized entry, a bad name. */
	size_t big = PACK_MAX_FILE_BYTES + 1;
	char *bigdata = arena_alloc(a, big);
	memset(bigdata, 'x', big);
	const struct entry bad[] = {
	        {"pack.json", pack_json, sizeof pack_json - 1, false},
	        {"guide/../../evil.md", "x", 1, false},
	        {"../evil.md", "x", 1, false},
	        {"/etc/evil.md", "x", 1, false},
	        {"guide\\evil.md", "x", 1, false},
	        {"C:/evil.md", "x", 1, false},
	        {"guide/./x.md", "x", 1, false},
	        {"guide/link.md", "/etc/passwd", 11, true},
	        {"guide/big.md", bigdata, big, false},
	        {"guide/bad name.md", "x", 1, false},
	        {"guide/sub/x.md", "x", 1, false},
	        {"guide/ok.md", page_r, sizeof page_r - 1, false},
	};
	zip = make_zip(bad, sizeof bad / sizeof bad[0], &len);
	pack_problems_init(&pr, a);
	assert_int_equal(pack_files_from_zip(a, zip, len, &files, &n, &pr), 0);
	free(zip);
	assert_string_equal(problems_text(a, &pr),
	                    "guide/../../evil.md:0: the archive path is absolute or leaves the "
	                    "pack; refused\n"
	                    "../evil.md:0: the archive path is absolute or leaves the pack; "
	                    "refused\n"
	                    "/etc/evil.md:0: the archive path is absolute or leaves the pack; "
	                    "refused\n"
	                    "guide\\evil.md:0: the archive path is absolute or leaves the pack; "
	                    "refused\n"
	                    "C:/evil.md:0: the archive path is absolute or leaves the pack; "
	                    "refused\n"
	                    "guide/./x.md:0: the archive path is absolute or leaves the pack; "
	                    "refused\n"
	                    "guide/link.md:0: is a symbolic link; links are refused\n"
	                    "guide/big.md:0: the file is 262145 bytes; the limit is 256 KiB\n"
	                    "guide/bad name.md:0: file name not allowed: use letters, digits, "
	                    "'.', '-' and '_', ending in .md\n"
	                    "guide/sub/x.md:0: folders inside guide/, practices/ and resources/ "
	                    "are not read: put the page directly in its folder\n");
	assert_int_equal(n, 2);
	assert_string_equal(files[1].path, "guide/ok.md");

	/* Not a zip at all. */
	pack_problems_init(&pr, a);
	assert_int_equal(pack_files_from_zip(a, "PK\3\4 not really", 16, &files, &n, &pr), -EINVAL);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 0, "not a readable .zip archive");
}

/* An entry whose declared size is smaller than its data: the reader must
 * notice rather than trust the header. */
static void zip_size_that_lies(void **state)
{
	struct arena *a = *state;
	static const char text[] = "twenty bytes of text";
	const struct entry e[] = {{"guide/x.md", text, 20, false}};
	size_t len;
	unsigned char *zip = make_zip(e, 1, &len);
	/* Patch the uncompressed size in the local header (offset 22) and the
	 * central directory entry (offset 24) to 5. */
	int patched = 0;
	for (size_t i = 0; i + 46 <= len; i++) {
		if (memcmp(zip + i, "PK\3\4", 4) == 0) {
			memcpy(zip + i + 22, "\5\0\0\0", 4);
			patched++;
		} else if (memcmp(zip + i, "PK\1\2", 4) == 0) {
			memcpy(zip + i + 24, "\5\0\0\0", 4);
			patched++;
		}
	}
	assert_int_equal(patched, 2);
	struct pack_problems pr;
	struct pack_file *files;
	size_t n;
	pack_problems_init(&pr, a);
	int rc = pack_files_from_zip(a, zip, len, &files, &n, &pr);
	free(zip);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 0);
	assert_int_equal(pr.n, 1);
	assert_string_equal(pr.items[0].file, "guide/x.md");
}

static void zip_too_many_entries(void **state)
{
	struct arena *a = *state;
	size_t count = 2 * PACK_MAX_FILES + 1;
	struct entry *e = calloc(count, sizeof *e);
	assert_non_null(e);
	for (size_t i = 0; i < count; i++)
		e[i] = (struct entry){arena_printf(a, "x/%zu.txt", i), "", 0, false};
	size_t len;
	void *zip = make_zip(e, count, &len);
	free(e);
	struct pack_problems pr;
	struct pack_file *files;
	size_t n;
	pack_problems_init(&pr, a);
	assert_int_equal(pack_files_from_zip(a, zip, len, &files, &n, &pr), -E2BIG);
	free(zip);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 0, "4001 entries; at most 4000");
}

static void dir_and_pack_checks(void **state)
{
	struct arena *a = *state;
	struct pack_problems pr;
	struct pack_file *files;
	size_t n;
	pack_problems_init(&pr, a);
	assert_int_equal(pack_files_from_dir(a, "tests/fixtures/packs/good", &files, &n, &pr), 0);
	assert_string_equal(problems_text(a, &pr), "");
	assert_int_equal(n, 4); /* SOURCES.md is not a pack file */
	struct pack p;
	assert_int_equal(pack_load(a, files, n, &p, &pr), 0);
	assert_string_equal(problems_text(a, &pr), "");
	assert_int_equal(p.n_pages, 3);
	assert_int_equal(p.pages[0].kind, PAGE_GUIDE);
	assert_int_equal(p.pages[1].kind, PAGE_PRACTICE);
	assert_int_equal(p.pages[2].kind, PAGE_RESOURCE);
	assert_int_equal(p.pages[1].n_sources, 2);

	assert_int_equal(pack_files_from_dir(a, "tests/fixtures/packs/nope", &files, &n, &pr),
	                 -ENOENT);

	/* No pack.json; a page in the wrong folder; invalid JSON. */
	const struct pack_file only[] = {{"guide/r.md", page_r, sizeof page_r - 1}};
	pack_problems_init(&pr, a);
	assert_int_equal(pack_load(a, only, 1, &p, &pr), 0);
	assert_string_equal(problems_text(a, &pr),
	                    "guide/r.md:4: kind is \"resource\" but the page is in guide/: move it "
	                    "to resources/ or change its kind to \"guide\"\n"
	                    "pack.json:0: the pack has no pack.json\n");
	const struct pack_file broken[] = {{"pack.json", "{\n\"id\": \"x\",\n}", 14}};
	pack_problems_init(&pr, a);
	assert_int_equal(pack_load(a, broken, 1, &p, &pr), 0);
	assert_int_equal(pr.n, 1);
	has_problem(a, &pr, 3, "pack.json is not valid JSON");
	const struct pack_file dup[] = {{"pack.json", "{\"id\": \"x\", \"id\": \"y\"}", 22}};
	pack_problems_init(&pr, a);
	pack_load(a, dup, 1, &p, &pr);
	has_problem(a, &pr, 1, "pack.json is not valid JSON: duplicate object key");
	static const char in_title[] = PAGE("t-page", "guide", "1", "x\n");
	const char *at = strstr(in_title, "title: t-page");
	char *t =
	        arena_printf(a, "%.*stitle: \"{{x}}\"%s", (int)(at - in_title), in_title, at + 13);
	const struct pack_file titled[] = {{"guide/t.md", t, strlen(t)}};
	pack_problems_init(&pr, a);
	pack_load(a, titled, 1, &p, &pr);
	has_problem(a, &pr, 2, "placeholders are not filled in the title");
	const struct pack_file cr[] = {{"guide/r.md", "---\ntitle: x\r---\n", 17}};
	pack_problems_init(&pr, a);
	pack_load(a, cr, 1, &p, &pr);
	has_problem(a, &pr, 2, "carriage return without a line feed");
	const struct pack_file bin[] = {{"guide/r.md", "\xff\xfe", 2}};
	pack_problems_init(&pr, a);
	pack_load(a, bin, 1, &p, &pr);
	has_problem(a, &pr, 0, "not UTF-8 text");

	/* The embedded starter pack reads (its pages come from other
	 * branches; here it must at least hold pack.json). */
	assert_int_equal(pack_files_embedded(a, &files, &n), 0);
	bool meta = false;
	for (size_t i = 0; i < n; i++)
		meta = meta || strcmp(files[i].path, "pack.json") == 0;
	assert_true(meta);
}

int main(void)
{
	char err[256];
	if (page_init(NULL, err, sizeof err) != 0) {
		fprintf(stderr, "page_init: %s\n", err);
		return 1;
	}
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(frontmatter_valid_page),
	        T(frontmatter_block_problems),
	        T(frontmatter_field_problems),
	        T(frontmatter_checks),
	        T(markdown_hostile_input),
	        T(markdown_anchors_and_toc),
	        T(markdown_tables_lists_words),
	        T(markdown_links_and_limits),
	        T(placeholders_registry_and_fill),
	        T(zip_reading),
	        T(zip_size_that_lies),
	        T(zip_too_many_entries),
	        T(dir_and_pack_checks),
	};
	int failed = cmocka_run_group_tests_name("library", tests, NULL, NULL);
	page_shutdown();
	return failed;
}
