/* tests/fuzz/fuzz_frontmatter.c — a pack page's front matter
 * (features/library/frontmatter.c, libyaml underneath) and then the whole
 * page through pack_load (placeholders scan, Markdown, link checks), on
 * arbitrary bytes as the page file.
 *
 * Input: the page file, whole.
 *
 * Checks: the parse never fails but for memory; every problem names the
 * file and a line inside the input (0 or 1 for the whole file); a field
 * marked valid holds what the rules say, checked again here with reference
 * code (slug characters, a real date, http(s) addresses, lengths in
 * characters); a clean parse has every field; the body is the input's tail
 * and starts at the stated line; pack_load agrees on the page. */
#include "fuzz.h"

#include "core/arena.h"
#include "features/library/frontmatter.h"
#include "features/library/pack.h"

#include <errno.h>

const char *page_msg(const char *key);
const char *page_msg(const char *key)
{
	return key;
}

static bool ref_slug(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static bool ref_date(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
	    s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)
		days[1] = 29;
	return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1];
}

static size_t ref_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool ref_text(const char *s, size_t max)
{
	if (!s[0] || s[0] == ' ' || ref_chars(s) > max || !fz_utf8_ok(s, strlen(s)))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool ref_url(const char *s)
{
	size_t skip = strncasecmp(s, "https://", 8) == 0 ? 8
	        : strncasecmp(s, "http://", 7) == 0      ? 7
	                                                 : 0;
	if (!skip || !s[skip] || s[skip] == '/' || s[skip] == '?' || s[skip] == '#')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == '"' || *p == '<' || *p == '>')
			return false;
	return true;
}

static const char pack_json[] =
        "{\"id\": \"f\", \"version\": \"1\", \"title\": \"F\", \"language\": \"en\", "
        "\"license\": \"x\", \"as_of\": \"2026-11-28\", \"review_status\": \"draft\", "
        "\"disclaimer\": \"x\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	struct pack_page pg;
	struct frontmatter_lines ln;
	const char *in = (const char *)data;
	CHECK(frontmatter_parse(a, "guide/f.md", in, size, &pg, &ln, &pr) == 0);

	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (size_t i = 0; i < pr.n; i++) {
		CHECK(strcmp(pr.items[i].file, "guide/f.md") == 0);
		CHECK(pr.items[i].line >= 1 && pr.items[i].line <= lines + 1);
		CHECK(pr.items[i].message[0] != '\0');
	}
	CHECK(pg.markdown != NULL && pg.markdown_len <= size);
	CHECK(pg.markdown_len == 0 ||
	      memcmp(pg.markdown, in + size - pg.markdown_len, pg.markdown_len) == 0);
	int before = 1;
	for (size_t i = 0; i < size - pg.markdown_len; i++)
		before += data[i] == '\n';
	CHECK(pg.body_line == before);

	if (ln.title)
		CHECK(ref_text(pg.title, PACK_TITLE_MAX));
	if (ln.summary)
		CHECK(ref_text(pg.summary, PACK_SUMMARY_MAX));
	if (ln.slug)
		CHECK(ref_slug(pg.slug));
	if (ln.reviewed)
		CHECK(ref_date(pg.reviewed));
	if (ln.kind)
		CHECK(pg.kind == PAGE_GUIDE || pg.kind == PAGE_PRACTICE ||
		      pg.kind == PAGE_RESOURCE);
	if (ln.visibility)
		CHECK((unsigned)pg.visibility <= VIS_ORG);
	if (ln.order)
		CHECK(pg.order >= -1000000 && pg.order <= 1000000);
	if (ln.sources) {
		CHECK(pg.n_sources >= 1 && pg.n_sources <= FRONTMATTER_MAX_SOURCES);
		for (size_t i = 0; i < pg.n_sources; i++) {
			CHECK(ref_text(pg.sources[i].title, FRONTMATTER_SOURCE_TEXT_MAX));
			CHECK(ref_text(pg.sources[i].publisher, FRONTMATTER_SOURCE_TEXT_MAX));
			CHECK(ref_url(pg.sources[i].url));
			CHECK(ref_date(pg.sources[i].checked));
		}
	} else {
		CHECK(pg.sources == NULL && pg.n_sources == 0);
	}
	if (pr.n == 0)
		CHECK(ln.title && ln.slug && ln.kind && ln.order && ln.visibility && ln.summary &&
		      ln.sources && ln.reviewed);

	/* The whole pack path on the same page. */
	const struct pack_file files[] = {{"pack.json", pack_json, sizeof pack_json - 1},
	                                  {"guide/f.md", in, size}};
	struct pack_problems pr2;
	pack_problems_init(&pr2, a);
	struct pack p;
	CHECK(pack_load(a, files, 2, &p, &pr2) == 0);
	CHECK(pr2.n >= pr.n || !fz_utf8_ok(in, size) || memchr(in, 0, size));
	if (pr2.n == 0) {
		CHECK(p.n_pages == 1 && pg.kind == PAGE_GUIDE);
		CHECK(pack_find(&p, pg.slug) == &p.pages[0]);
	}
	arena_destroy(a);
	return 0;
}
