/* features/search/search.h — full-text search over the knowledge base's
 * pages (docs/search.md): the index (SQLite FTS5 or PostgreSQL tsvector,
 * migration 0009_search), the query language people type (plain words and
 * "quoted phrases", nothing else), ranked and visibility-filtered results
 * with highlighted snippets, and the handlers of /search and
 * /api/v1/search.
 *
 * Whatever a person types is split into words here, in C, and only those
 * words (letters and digits) reach the store, quoted: no operator, column
 * filter, prefix star or parenthesis of theirs is ever read as syntax by
 * FTS5's MATCH or PostgreSQL's to_tsquery. */
#ifndef CSEC_FEATURES_SEARCH_H
#define CSEC_FEATURES_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct arena;
struct buf;
struct db;
struct principal;

/* Limits on what a query may ask for. Input past SEARCH_Q_MAX bytes is
 * ignored (cut at a character boundary); words past SEARCH_WORDS_MAX too. */
#define SEARCH_Q_MAX 256
#define SEARCH_WORDS_MAX 12
#define SEARCH_WORD_MAX 64 /* bytes of one word; longer ones are cut */
#define SEARCH_PREFIX_MIN 3 /* characters the last word needs to match as a prefix */
#define SEARCH_LIMIT_DEFAULT 20
#define SEARCH_LIMIT_MAX 50
#define SEARCH_OFFSET_MAX 1000

/* ---- the query (pure; query.c) ------------------------------------------ */

struct search_word {
	const char *text; /* letters and digits only, NUL-terminated */
	unsigned phrase; /* 0: a word on its own; n > 0: the n-th quoted phrase */
};

struct search_query {
	struct search_word words[SEARCH_WORDS_MAX];
	size_t n;
	bool prefix; /* the last word (on its own) also matches as a prefix */
	bool only_common; /* words were typed, but all of them are stop words */
};

/* Splits q (len bytes, any bytes at all) into words: runs of Unicode
 * letters, digits and combining marks; anything else separates them. A
 * double quote opens or closes a phrase (an unmatched one runs to the
 * end). Common English words on their own ("the", "not": PostgreSQL's
 * english stop list) are dropped, as PostgreSQL would drop them, so both
 * stores answer alike. Invalid UTF-8 separates words too. Strings live in
 * a. 0, or -ENOMEM. */
int search_query_parse(struct arena *a, const char *q, size_t len, struct search_query *out);

/* The FTS5 MATCH expression for q: every word an FTS5 string in double
 * quotes, a phrase one string, joined with AND, the last word with * when
 * q->prefix. "" when q has no word. 0, or the buffer's error. */
int search_query_fts5(const struct search_query *q, struct buf *out);

/* The to_tsquery('english', ...) text for q: every word a quoted lexeme,
 * phrases joined with <->, all with &, the last with :* when q->prefix;
 * a number also as itself with a minus (PostgreSQL's parser reads the
 * "-800" of "1-800" as a signed integer).
 * 0, or the buffer's error. */
int search_query_tsquery(const struct search_query *q, struct buf *out);

/* true for a word of PostgreSQL's english stop list (ASCII, any case). */
bool search_stopword(const char *w, size_t len);

/* The marks the stores put around matched words in a snippet, and the
 * stand-ins for <, > and & in the text PostgreSQL's ts_headline reads (its
 * parser would take "<script>" for a tag and drop it): private-use
 * characters U+E000 to U+E004, which the index drops from a page's text, so
 * they can only come from the store's snippet functions. */
#define SEARCH_MARK_OPEN "\xee\x80\x80" /* U+E000 */
#define SEARCH_MARK_CLOSE "\xee\x80\x81" /* U+E001 */
#define SEARCH_STANDIN_LT "\xee\x80\x82" /* U+E002 */
#define SEARCH_STANDIN_GT "\xee\x80\x83" /* U+E003 */
#define SEARCH_STANDIN_AMP "\xee\x80\x84" /* U+E004 */

/* The snippet as HTML: the stand-ins turned back into <, > and &, the text
 * HTML-escaped, then each mark turned into <mark> or </mark> (balanced: a stray close is dropped,
 * an open one closed at the end); control characters and invalid UTF-8 become spaces and U+FFFD.
 * With plain != NULL, also the text without marks (valid UTF-8). NULL on no memory. */
const char *search_snippet_html(struct arena *a, const char *s, size_t len, const char **plain);

/* Copies q for showing it back: at most SEARCH_Q_MAX bytes, cut at a
 * character boundary, invalid UTF-8 as U+FFFD, control characters as
 * spaces, without spaces at either end. NULL on no memory. */
const char *search_clean_input(struct arena *a, const char *q);

/* ---- the index and the search (model.c) --------------------------------- */

/* Brings page page_id's entry in the index up to date with the page as it
 * is now: its current revision's title, summary and plain text when it is
 * published, no entry when it is not (or does not exist). Call it, inside
 * the write transaction, whenever a page's current revision, published
 * state, kind, visibility or organization changes (import, save, rollback,
 * publish, unpublish). DB_OK or an error. */
int search_reindex(struct db *db, int64_t page_id);

/* Rebuilds the whole index (every page), inside the caller's write
 * transaction. DB_OK or an error. */
int search_reindex_all(struct db *db);

enum search_kind { SEARCH_ALL, SEARCH_GUIDE, SEARCH_PRACTICE, SEARCH_RESOURCE };

/* "", "guide", "practice", "resource" <-> the enum; parse: 0 or -1. */
const char *search_kind_name(enum search_kind k);
int search_kind_parse(const char *s, enum search_kind *out);

struct search_hit {
	int64_t page_id;
	const char *slug, *kind, *title, *summary;
	const char *snippet_html; /* escaped text with <mark> around matches */
	const char *snippet; /* the same, plain text */
	double rank; /* higher is better; only comparable within one answer */
};

struct search_results {
	struct search_hit *hits;
	size_t n;
	int64_t total; /* matches the viewer may see, over all pages */
};

/* Searches the pages who may see (public ones for an anonymous visitor;
 * members' pages for a member of an active organization; law-enforcement
 * pages for a member of an active law-enforcement organization; an
 * organization's own pages for its members; everything for a site admin),
 * best first, at most limit from offset (both already within the limits
 * above). Strings live in a. DB_OK or an error. */
int search_run(struct db *db, struct arena *a, const struct principal *who,
               const struct search_query *q, enum search_kind kind, int limit, int offset,
               struct search_results *out);

/* ---- handlers (handlers.c) ---------------------------------------------- */

int search_page(struct req *req);
int search_api(struct req *req);

#endif
