/* tests/fuzz/fuzz_markdown.c — the Markdown rendering path of the knowledge
 * base: features/library/markdown.c's markdown_render on arbitrary input
 * (as a page body), then placeholders.c's placeholders_fill on its HTML
 * with hostile values, as a page is rendered at import and shown later.
 *
 * Input: the Markdown, whole. A hash of it picks the options (an edit
 * address or none, which placeholders are set).
 *
 * Checks (html_check.h, written independently of the renderer): the HTML
 * holds only the renderer's own tags and attributes, properly nested, with
 * quoted values free of markup and braces and no dangerous address; it is
 * valid UTF-8; the table of contents has unique ids, each written into the
 * HTML as a heading id; links carry lines inside the input; the word count
 * fits the text. After filling placeholders the same holds, and no
 * "{{agency.name}}" is left in text. */
#include "fuzz.h"
#include "html_check.h"

#include "core/arena.h"
#include "features/library/markdown.h"
#include "features/library/pack.h"
#include "features/library/placeholders.h"

#include <errno.h>

/* placeholders.c takes its texts from the catalogue; here, a hostile one. */
const char *page_msg(const char *key);
const char *page_msg(const char *key)
{
	(void)key;
	return "<b>{1}</b> & \"{{agency.name}}\"";
}

static const char *lookup(void *ctx, const char *name)
{
	uint32_t bits = *(uint32_t *)ctx;
	if (!(bits & 2))
		return NULL;
	if (strcmp(name, "agency.name") == 0)
		return "<script>alert(1)</script>{{agency.name}}\r\n\"'`&";
	if (strcmp(name, "agency.hotline") == 0)
		return "1-888-373-7888\n\n";
	return (bits & 4) ? "x" : "";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	struct md_result r;
	int rc = markdown_render(a, (const char *)data, size, "guide/f.md", 5, &pr, &r);
	CHECK(rc == 0 || (rc == -E2BIG && size > PACK_MAX_FILE_BYTES));
	if (rc != 0) {
		arena_destroy(a);
		return 0;
	}
	size_t hl = strlen(r.html);
	hc_check(r.html, hl);
	CHECK(fz_utf8_ok(r.html, hl));

	/* CommonMark's line ends: LF, CR LF, or a CR alone. */
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' ||
		        (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	for (size_t i = 0; i < pr.n; i++)
		CHECK(pr.items[i].line >= 5 && pr.items[i].line <= 5 + lines);
	for (size_t i = 0; i < r.n_links; i++)
		CHECK(r.links[i].line >= 5 && r.links[i].line <= 5 + lines);
	for (size_t i = 0; i < r.n_toc; i++) {
		CHECK(r.toc[i].level == 2 || r.toc[i].level == 3);
		CHECK(r.toc[i].id[0] != '\0');
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(r.toc[i].id, r.toc[k].id) != 0);
		char needle[128];
		snprintf(needle, sizeof needle, "<h%d id=\"%s\">", r.toc[i].level, r.toc[i].id);
		CHECK(strstr(r.html, needle) != NULL);
	}
	CHECK(r.words <= strlen(r.text) / 1 + 1);

	uint32_t bits = fz_seed(data, size, 3);
	const char *edit = (bits & 1) ? "/account/org?tab=profile&x=\"1\"" : NULL;
	char *filled = placeholders_fill(a, r.html, lookup, &bits, edit);
	CHECK(filled != NULL);
	hc_check(filled, strlen(filled));
	CHECK(fz_utf8_ok(filled, strlen(filled)));
	arena_destroy(a);
	return 0;
}
