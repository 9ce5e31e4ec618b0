/* tests/fuzz/fuzz_search.c — what a person types into the search box, and
 * what the stores hand back as a snippet (features/search/query.c): the
 * query parsed into words and written as an FTS5 expression and as
 * to_tsquery text; the same bytes read as a snippet (marks and stand-ins
 * included) and turned into HTML; and cleaned for showing back.
 *
 * Input: the bytes, whole (NUL included), as the query and as the snippet.
 *
 * Checks, written independently of query.c: every word is valid UTF-8 of
 * letters and digits only (no ASCII punctuation, space or control), within
 * the word and count limits; the FTS5 and tsquery texts hold, outside the
 * words, only the syntax this code writes (balanced quotes and
 * parentheses); the snippet's HTML is valid UTF-8 whose only tags are
 * <mark> and </mark>, alternating and closed, whose only ampersands start
 * the six entities, with no raw quote, apostrophe or backtick, and which,
 * with the tags dropped and the entities decoded, is exactly the plain text
 * given alongside; the cleaned query is valid UTF-8 without control
 * characters. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "features/search/search.h"

/* true for the ASCII bytes a word may hold. */
static bool ascii_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void check_words(const struct search_query *q)
{
	CHECK(q->n <= SEARCH_WORDS_MAX);
	CHECK(!q->only_common || q->n == 0);
	for (size_t i = 0; i < q->n; i++) {
		const char *w = q->words[i].text;
		size_t n = strlen(w);
		CHECK(n > 0 && n <= SEARCH_WORD_MAX);
		CHECK(fz_utf8_ok(w, n));
		for (size_t k = 0; k < n; k++)
			CHECK((unsigned char)w[k] >= 0x80 || ascii_word((unsigned char)w[k]));
	}
}

/* Outside "..." only " AND ", '*' and spaces; inside, word bytes and spaces. */
static void check_fts5(const char *s)
{
	bool in = false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			in = !in;
			continue;
		}
		if (in) {
			CHECK(c >= 0x80 || c == ' ' || ascii_word(c));
		} else if (c == 'A') {
			CHECK(strncmp(p, "AND ", 4) == 0 && p > s && p[-1] == ' ');
			p += 3;
		} else {
			CHECK(c == ' ' || c == '*');
		}
	}
	CHECK(!in);
}

/* Outside '...' only the operators this code writes; parentheses balance. */
static void check_tsquery(const char *s)
{
	bool in = false;
	int depth = 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\'') {
			in = !in;
			continue;
		}
		if (in) {
			CHECK(c >= 0x80 || c == '-' || ascii_word(c));
			if (c == '-')
				CHECK(p[-1] == '\'' && p[1] >= '0' && p[1] <= '9');
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')')
			CHECK(--depth >= 0);
		else
			CHECK(strchr(" &|<->:*", c) != NULL);
	}
	CHECK(!in && depth == 0);
}

/* The snippet's HTML against its plain text. */
static void check_snippet(const char *html, const char *plain)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'},   {"&gt;", '>'},
	            {"&quot;", '"'}, {"&#39;", '\''}, {"&#96;", '`'}};
	struct fz_str decoded = {0};
	bool open = false;
	CHECK(fz_utf8_ok(html, strlen(html)));
	CHECK(fz_utf8_ok(plain, strlen(plain)));
	for (const char *p = html; *p;) {
		if (*p == '<') {
			if (strncmp(p, "<mark>", 6) == 0) {
				CHECK(!open);
				open = true;
				p += 6;
			} else {
				CHECK(strncmp(p, "</mark>", 7) == 0);
				CHECK(open);
				open = false;
				p += 7;
			}
			continue;
		}
		CHECK(*p != '>' && *p != '"' && *p != '\'' && *p != '`');
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
		if (*p == '&') {
			size_t k;
			for (k = 0; k < sizeof ents / sizeof ents[0]; k++)
				if (strncmp(p, ents[k].ent, strlen(ents[k].ent)) == 0)
					break;
			CHECK(k < sizeof ents / sizeof ents[0]);
			fz_put(&decoded, &ents[k].c, 1);
			p += strlen(ents[k].ent);
			continue;
		}
		fz_put(&decoded, p, 1);
		p++;
	}
	CHECK(!open);
	CHECK(decoded.len == strlen(plain));
	CHECK(decoded.len == 0 || memcmp(decoded.p, plain, decoded.len) == 0);
	/* No mark or stand-in survives into the text. */
	CHECK(!strstr(plain, SEARCH_MARK_OPEN) && !strstr(plain, SEARCH_MARK_CLOSE));
	CHECK(!strstr(plain, SEARCH_STANDIN_LT) && !strstr(plain, SEARCH_STANDIN_GT) &&
	      !strstr(plain, SEARCH_STANDIN_AMP));
	fz_str_free(&decoded);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	struct arena *a = arena_create(0);
	CHECK(a);

	struct search_query q;
	CHECK(search_query_parse(a, (const char *)data, size, &q) == 0);
	check_words(&q);
	struct buf f, t;
	buf_init(&f, a, 8192);
	buf_init(&t, a, 8192);
	buf_puts(&f, "");
	buf_puts(&t, "");
	CHECK(search_query_fts5(&q, &f) == 0);
	CHECK(search_query_tsquery(&q, &t) == 0);
	check_fts5(buf_cstr(&f));
	check_tsquery(buf_cstr(&t));
	CHECK((q.n == 0) == (f.len == 0));

	const char *plain = NULL;
	const char *html = search_snippet_html(a, (const char *)data, size, &plain);
	CHECK(html && plain);
	check_snippet(html, plain);

	char *z = arena_strndup(a, (const char *)data, size); /* up to a NUL, as a form value */
	CHECK(z);
	const char *clean = search_clean_input(a, z);
	CHECK(clean && fz_utf8_ok(clean, strlen(clean)));
	for (const char *p = clean; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	arena_destroy(a);
	return 0;
}
