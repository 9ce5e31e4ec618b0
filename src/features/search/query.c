/* features/search/query.c — what a person types into the search box, made
 * safe for the stores (see search.h): split into words in C, then written
 * out as FTS5 strings or tsquery lexemes that hold letters and digits only.
 * Also the snippet's conversion to HTML and the cleaning of the query shown
 * back on the page. Pure functions: no store, no request. */
#include "features/search/search.h"

#include "core/arena.h"
#include "core/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* Words the scanner keeps before dropping stop words and capping: bounds the
 * work on a long query of short words (SEARCH_Q_MAX bytes hold at most 128). */
#define RAW_WORDS_MAX 128

/* PostgreSQL's english stop list (share/tsearch_data/english.stop), sorted
 * for bsearch. */
static const char *const stopwords[] = {
        "a",      "about",  "above", "after", "again",   "against",   "all",        "am",
        "an",     "and",    "any",   "are",   "as",      "at",        "be",         "because",
        "been",   "before", "being", "below", "between", "both",      "but",        "by",
        "can",    "did",    "do",    "does",  "doing",   "don",       "down",       "during",
        "each",   "few",    "for",   "from",  "further", "had",       "has",        "have",
        "having", "he",     "her",   "here",  "hers",    "herself",   "him",        "himself",
        "his",    "how",    "i",     "if",    "in",      "into",      "is",         "it",
        "its",    "itself", "just",  "me",    "more",    "most",      "my",         "myself",
        "no",     "nor",    "not",   "now",   "of",      "off",       "on",         "once",
        "only",   "or",     "other", "our",   "ours",    "ourselves", "out",        "over",
        "own",    "s",      "same",  "she",   "should",  "so",        "some",       "such",
        "t",      "than",   "that",  "the",   "their",   "theirs",    "them",       "themselves",
        "then",   "there",  "these", "they",  "this",    "those",     "through",    "to",
        "too",    "under",  "until", "up",    "very",    "was",       "we",         "were",
        "what",   "when",   "where", "which", "while",   "who",       "whom",       "why",
        "will",   "with",   "you",   "your",  "yours",   "yourself",  "yourselves",
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool search_stopword(const char *w, size_t len)
{
	char lower[16];

	if (len == 0 || len >= sizeof lower)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c >= 0x80)
			return false;
		lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	lower[len] = '\0';
	return bsearch(lower, stopwords, sizeof stopwords / sizeof stopwords[0],
	               sizeof stopwords[0], cmp_word) != NULL;
}

/* Letters, digits and the combining marks that belong to them: what both
 * stores' tokenizers keep inside a word. */
static bool word_char(UChar32 c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	if (c >= 0xE000 && c <= 0xF8FF)
		return false; /* private use: the snippet marks live there */
	int8_t t = u_charType(c);
	return u_isalnum(c) || t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK;
}

static bool quote_char(UChar32 c)
{
	return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0x00AB || c == 0x00BB;
}

struct raw_word {
	const char *p;
	size_t len;
	unsigned phrase;
	bool stop;
};

/* true when every word of phrase ph (in raw[0..n)) is a stop word. */
static bool phrase_all_stop(const struct raw_word *raw, size_t n, unsigned ph)
{
	for (size_t i = 0; i < n; i++)
		if (raw[i].phrase == ph && !raw[i].stop)
			return false;
	return true;
}

int search_query_parse(struct arena *a, const char *q, size_t len, struct search_query *out)
{
	struct raw_word raw[RAW_WORDS_MAX];
	size_t nraw = 0, start = 0, wlen = 0;
	unsigned phrases = 0;
	bool in_quote = false, in_word = false;
	int32_t i = 0, n;

	memset(out, 0, sizeof *out);
	if (!q)
		return 0;
	if (len > SEARCH_Q_MAX)
		len = SEARCH_Q_MAX; /* a character cut here is invalid UTF-8: a separator */
	n = (int32_t)len;

	while (i <= n && nraw < RAW_WORDS_MAX) {
		int32_t at = i;
		UChar32 c = -1;
		if (i < n)
			U8_NEXT(q, i, n, c);
		else
			i++; /* one step past the end flushes the last word */
		if (c >= 0 && word_char(c)) {
			if (!in_word) {
				in_word = true;
				start = (size_t)at;
				wlen = 0;
			}
			/* A word longer than SEARCH_WORD_MAX keeps its first
			 * characters only. */
			if ((size_t)i - start <= SEARCH_WORD_MAX)
				wlen = (size_t)i - start;
			continue;
		}
		if (in_word) {
			raw[nraw].p = q + start;
			raw[nraw].len = wlen;
			raw[nraw].phrase = in_quote ? phrases : 0;
			raw[nraw].stop = search_stopword(q + start, wlen);
			nraw++;
			in_word = false;
		}
		if (c >= 0 && quote_char(c)) {
			in_quote = !in_quote;
			if (in_quote)
				phrases++;
		}
	}

	/* Keep: words on their own that are not stop words, and phrases that
	 * hold at least one word that is not (a phrase keeps its stop words:
	 * PostgreSQL counts their positions). A phrase of one word is a word. */
	unsigned renumber = 0, last_ph = 0;
	bool last_kept = false;
	for (size_t k = 0; k < nraw && out->n < SEARCH_WORDS_MAX; k++) {
		const struct raw_word *r = &raw[k];
		unsigned ph = 0;
		if (r->phrase) {
			size_t count = 0;
			for (size_t m = 0; m < nraw; m++)
				count += raw[m].phrase == r->phrase;
			if (phrase_all_stop(raw, nraw, r->phrase))
				continue;
			if (count > 1) {
				if (r->phrase != last_ph) {
					last_ph = r->phrase;
					renumber++;
				}
				ph = renumber;
			}
		} else if (r->stop) {
			continue;
		}
		char *w = arena_strndup(a, r->p, r->len);
		if (!w)
			return -ENOMEM;
		out->words[out->n].text = w;
		out->words[out->n].phrase = ph;
		out->n++;
		last_kept = k + 1 == nraw && r->phrase == 0;
	}
	out->only_common = nraw > 0 && out->n == 0;

	/* The last word typed matches as a prefix too (search as you type) when
	 * it stands on its own, was kept, and is long enough not to match half
	 * the dictionary. */
	if (last_kept) {
		const struct raw_word *last = &raw[nraw - 1];
		int32_t chars = 0, j = 0, wl = (int32_t)last->len;
		while (j < wl) {
			UChar32 c;
			U8_NEXT(last->p, j, wl, c);
			(void)c;
			chars++;
		}
		out->prefix = chars >= SEARCH_PREFIX_MIN;
	}
	return 0;
}

int search_query_fts5(const struct search_query *q, struct buf *out)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct search_word *w = &q->words[i];
		bool opens = !w->phrase || i == 0 || q->words[i - 1].phrase != w->phrase;
		bool closes = !w->phrase || i + 1 == q->n || q->words[i + 1].phrase != w->phrase;
		if (opens) {
			if (i > 0)
				buf_puts(out, " AND ");
			buf_putc(out, '"');
		} else {
			buf_putc(out, ' ');
		}
		buf_puts(out, w->text); /* letters and digits: nothing to escape */
		if (closes) {
			buf_putc(out, '"');
			if (q->prefix && i + 1 == q->n)
				buf_putc(out, '*');
		}
	}
	return out->err;
}

static bool all_digits(const char *w)
{
	for (; *w; w++)
		if (*w < '0' || *w > '9')
			return false;
	return true;
}

int search_query_tsquery(const struct search_query *q, struct buf *out)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct search_word *w = &q->words[i];
		bool opens = !w->phrase || i == 0 || q->words[i - 1].phrase != w->phrase;
		bool closes = !w->phrase || i + 1 == q->n || q->words[i + 1].phrase != w->phrase;
		const char *star = q->prefix && i + 1 == q->n ? ":*" : "";
		if (opens) {
			if (i > 0)
				buf_puts(out, " & ");
			if (w->phrase)
				buf_putc(out, '(');
		} else {
			buf_puts(out, " <-> ");
		}
		/* PostgreSQL's parser reads "1-800-843" as 1, -800, -843 (signed
		 * integers): a number matches with or without the minus. */
		if (all_digits(w->text))
			buf_printf(out, "('%s'%s | '-%s'%s)", w->text, star, w->text, star);
		else
			buf_printf(out, "'%s'%s", w->text, star);
		if (closes && w->phrase)
			buf_putc(out, ')');
	}
	return out->err;
}

/* Appends code point c as UTF-8. */
static void put_cp(struct buf *b, UChar32 c)
{
	char tmp[4];
	int32_t k = 0;
	UBool err = false;
	U8_APPEND(tmp, k, 4, c, err);
	if (!err)
		buf_append(b, tmp, (size_t)k);
}

const char *search_snippet_html(struct arena *a, const char *s, size_t len, const char **plain)
{
	struct buf html, text;
	bool open = false;
	int32_t i = 0, n = len > INT32_MAX / 2 ? INT32_MAX / 2 : (int32_t)len;

	buf_init(&html, a, 6 * (size_t)n + 64); /* "&quot;" for a quote */
	buf_init(&text, a, 3 * (size_t)n + 64); /* U+FFFD for a bad byte */
	buf_puts(&html, "");
	buf_puts(&text, "");
	while (i < n) {
		UChar32 c;
		U8_NEXT(s, i, n, c);
		if (c < 0)
			c = 0xFFFD;
		else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
			c = ' ';
		if (c == 0xE002)
			c = '<';
		else if (c == 0xE003)
			c = '>';
		else if (c == 0xE004)
			c = '&';
		if (c == 0xE000) {
			if (!open)
				buf_puts(&html, "<mark>");
			open = true;
			continue;
		}
		if (c == 0xE001) {
			if (open)
				buf_puts(&html, "</mark>");
			open = false;
			continue;
		}
		switch (c) {
		case '&':
			buf_puts(&html, "&amp;");
			break;
		case '<':
			buf_puts(&html, "&lt;");
			break;
		case '>':
			buf_puts(&html, "&gt;");
			break;
		case '"':
			buf_puts(&html, "&quot;");
			break;
		case '\'':
			buf_puts(&html, "&#39;");
			break;
		case '`':
			buf_puts(&html, "&#96;");
			break;
		default:
			put_cp(&html, c);
		}
		put_cp(&text, c);
	}
	if (open)
		buf_puts(&html, "</mark>");
	if (html.err || text.err)
		return NULL;
	if (plain)
		*plain = buf_cstr(&text);
	return buf_cstr(&html);
}

const char *search_clean_input(struct arena *a, const char *q)
{
	struct buf b;
	size_t full = q ? strlen(q) : 0, len = full > SEARCH_Q_MAX ? SEARCH_Q_MAX : full;
	int32_t i = 0, n = (int32_t)len;

	buf_init(&b, a, 3 * len + 1);
	buf_puts(&b, "");
	while (i < n) {
		UChar32 c;
		U8_NEXT(q, i, n, c);
		if (c < 0 && i >= n && len < full)
			break; /* a character the limit cut in two */
		if (c < 0)
			c = 0xFFFD;
		else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
			c = ' ';
		if (c == ' ' && b.len == 0)
			continue; /* leading spaces */
		put_cp(&b, c);
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0'; /* trailing ones */
	return b.err ? NULL : buf_cstr(&b);
}
