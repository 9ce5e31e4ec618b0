/* tests/fuzz/html_check.h — what markdown.c promises about its HTML,
 * checked independently: only the tags and attributes it may write
 * (markdown.c's header comment, plus the placeholder span), every attribute
 * value double-quoted with no '<', '>' or '{' inside, no href/src with a
 * scheme other than http(s), mailto or tel, elements properly nested and
 * closed, and no '<' anywhere that does not start one of those tags. */
#ifndef CSEC_FUZZ_HTML_CHECK_H
#define CSEC_FUZZ_HTML_CHECK_H

#include "fuzz.h"

#include <strings.h>

static const char *const hc_tags[] = {"p",  "h2",  "h3",    "h4",         "h5",    "h6",     "ul",
                                      "ol", "li",  "pre",   "code",       "em",    "strong", "del",
                                      "a",  "img", "table", "thead",      "tbody", "tr",     "th",
                                      "td", "hr",  "br",    "blockquote", "span"};
static const char *const hc_void[] = {"img", "hr", "br"};
static const char *const hc_attrs[] = {"id", "start", "href", "src", "alt", "class"};

static inline bool hc_in(const char *const *set, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(set[i]) == len && memcmp(set[i], s, len) == 0)
			return true;
	return false;
}

static inline bool hc_url_ok(const char *s, size_t n)
{
	size_t colon = 0;
	while (colon < n && s[colon] != ':' && s[colon] != '/' && s[colon] != '?' &&
	       s[colon] != '#')
		colon++;
	if (colon == n || s[colon] != ':')
		return n > 0 && (s[0] == '/' || s[0] == '#' || s[0] == '?');
	static const char *const ok[] = {"http", "https", "mailto", "tel"};
	for (size_t i = 0; i < 4; i++)
		if (strlen(ok[i]) == colon && strncasecmp(s, ok[i], colon) == 0)
			return true;
	return false;
}

/* Aborts (CHECK) on any breach. */
static inline void hc_check(const char *html, size_t len)
{
	enum { MAXD = 65536 };
	static const char *stack[MAXD];
	static size_t slen[MAXD];
	size_t depth = 0;
	CHECK(memchr(html, '\0', len) == NULL);
	for (size_t i = 0; i < len; i++) {
		if (html[i] == '>')
			CHECK(!"a stray '>' (text must be escaped)");
		if (html[i] != '<')
			continue;
		size_t j = i + 1;
		bool closing = j < len && html[j] == '/';
		j += closing;
		size_t t = j;
		while (j < len &&
		       ((html[j] >= 'a' && html[j] <= 'z') || (html[j] >= '0' && html[j] <= '9')))
			j++;
		CHECK(hc_in(hc_tags, sizeof hc_tags / sizeof hc_tags[0], html + t, j - t));
		while (!closing && j < len && html[j] == ' ') {
			size_t an = ++j;
			while (j < len && html[j] >= 'a' && html[j] <= 'z')
				j++;
			CHECK(hc_in(hc_attrs, sizeof hc_attrs / sizeof hc_attrs[0], html + an,
			            j - an));
			CHECK(j + 1 < len && html[j] == '=' && html[j + 1] == '"');
			size_t vs = j + 2, ve = vs;
			while (ve < len && html[ve] != '"') {
				CHECK(html[ve] != '<' && html[ve] != '>' && html[ve] != '{' &&
				      html[ve] != '}');
				ve++;
			}
			CHECK(ve < len);
			if ((j - an == 4 && memcmp(html + an, "href", 4) == 0) ||
			    (j - an == 3 && memcmp(html + an, "src", 3) == 0))
				CHECK(hc_url_ok(html + vs, ve - vs));
			j = ve + 1;
		}
		CHECK(j < len && html[j] == '>');
		const char *name = html + t;
		size_t nl = (size_t)(closing ? j - t : 0);
		if (closing) {
			CHECK(depth > 0);
			depth--;
			CHECK(slen[depth] == nl && memcmp(stack[depth], name, nl) == 0);
		} else {
			size_t n = t;
			while (n < len && html[n] != ' ' && html[n] != '>')
				n++;
			if (!hc_in(hc_void, 3, name, n - t)) {
				CHECK(depth < MAXD);
				stack[depth] = name;
				slen[depth] = n - t;
				depth++;
			}
		}
		i = j;
	}
	CHECK(depth == 0);
}

#endif
