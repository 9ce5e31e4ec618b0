/* features/search/model.c — the search's SQL (search.h): one query per
 * dialect for a page of results, one for their count, and the index's
 * upkeep. The index (migration 0009_search) holds only text; who may see a
 * page is decided by joining library_pages and applying LIBRARY_VISIBLE,
 * the condition the listings and reading pages use, in the same statement:
 * a title or snippet of a page the viewer may not see never leaves the
 * store.
 *
 * SQLite: FTS5 MATCH with the expression search_query_fts5 wrote, ranked by
 * the table's rank (bm25, title 10 : body 1, configured by the migration),
 * which FTS5 sorts itself, so snippet() runs only for the rows returned.
 * PostgreSQL: tsvector @@ to_tsquery('english', the text
 * search_query_tsquery wrote), ranked by ts_rank_cd (title weight A, body
 * D), and ts_headline only for the page of results (an outer query). */
#include "features/search/search.h"

#include "auth/principal.h"
#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "features/library/store.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"", "guide", "practice", "resource"};

const char *search_kind_name(enum search_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "";
}

int search_kind_parse(const char *s, enum search_kind *out)
{
	for (size_t i = 0; s && i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum search_kind)i;
			return 0;
		}
	return -1;
}

/* ---- the index's upkeep ------------------------------------------------- */

/* The index's text for a page: the body without the private-use
 * characters of the snippets' marks and stand-ins (search.h). */
#define SQLITE_BODY                                                                                \
	"replace(replace(replace(replace(replace(r.summary || char(10) || char(10) || "            \
	"r.plain_text, char(57344), ''), char(57345), ''), char(57346), ''), char(57347), ''), "   \
	"char(57348), '')"
#define PG_DOC                                                                                     \
	"setweight(to_tsvector('english', t.title), 'A') || "                                      \
	"setweight(to_tsvector('english', t.body), 'D')"
#define PG_TEXT                                                                                    \
	"SELECT p.id, r.title, translate(r.summary || E'\\n\\n' || r.plain_text, chr(57344) || "   \
	"chr(57345) || chr(57346) || chr(57347) || chr(57348), '') AS body "                       \
	"FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id "           \
	"WHERE p.published = 1"

static int exec1(struct db *db, const char *sql, int64_t page_id, bool bind)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if (bind)
		rc = db_bind_int64(st, 1, page_id);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_OK;
}

int search_reindex(struct db *db, int64_t page_id)
{
	static const char del_sqlite[] = "DELETE FROM library_search WHERE rowid = $1";
	static const char ins_sqlite[] =
	        "INSERT INTO library_search (rowid, title, body) SELECT p.id, r.title, " SQLITE_BODY
	        " FROM library_pages p JOIN library_revisions r "
	        "ON r.id = p.current_revision_id WHERE p.published = 1 AND p.id = $1";
	static const char del_pg[] = "DELETE FROM library_search WHERE page_id = $1";
	static const char ins_pg[] =
	        "INSERT INTO library_search (page_id, title, body, doc) "
	        "SELECT t.id, t.title, t.body, " PG_DOC " FROM (" PG_TEXT " AND p.id = $1) t";
	bool lite = db_dialect(db) == DB_SQLITE;
	int rc = exec1(db, lite ? del_sqlite : del_pg, page_id, true);
	if (rc == DB_OK)
		rc = exec1(db, lite ? ins_sqlite : ins_pg, page_id, true);
	return rc;
}

int search_reindex_all(struct db *db)
{
	static const char del_sqlite[] = "DELETE FROM library_search";
	static const char ins_sqlite[] =
	        "INSERT INTO library_search (rowid, title, body) SELECT p.id, r.title, " SQLITE_BODY
	        " FROM library_pages p JOIN library_revisions r "
	        "ON r.id = p.current_revision_id WHERE p.published = 1";
	static const char del_pg[] = "DELETE FROM library_search";
	static const char ins_pg[] =
	        "INSERT INTO library_search (page_id, title, body, doc) "
	        "SELECT t.id, t.title, t.body, " PG_DOC " FROM (" PG_TEXT ") t";
	bool lite = db_dialect(db) == DB_SQLITE;
	int rc = exec1(db, lite ? del_sqlite : del_pg, 0, false);
	if (rc == DB_OK)
		rc = exec1(db, lite ? ins_sqlite : ins_pg, 0, false);
	return rc;
}

/* ---- searching ----------------------------------------------------------- */

/* $1 user, $2 organization (LIBRARY_VISIBLE), $3 the query, $4 the kind or
 * '', $5 limit, $6 offset. Columns: id, slug, kind, title, summary,
 * snippet, rank (higher is better); PostgreSQL's also the total, which its
 * ranking counts anyway (count(*) OVER ()); SQLite's window would make it
 * compute every match's snippet, so it counts with a second statement. */
static const char page_sqlite[] =
        "SELECT p.id, p.slug, p.kind, p.title, p.summary, "
        "snippet(library_search, 1, char(57344), char(57345), '…', 24), -library_search.rank "
        "FROM library_search JOIN library_pages p ON p.id = library_search.rowid "
        "WHERE library_search MATCH $3 AND ($4 = '' OR p.kind = $4) AND " LIBRARY_VISIBLE " "
        "ORDER BY library_search.rank LIMIT $5 OFFSET $6";

static const char page_pg[] =
        "SELECT h.id, h.slug, h.kind, h.title, h.summary, "
        "ts_headline('english', translate(s.body, '<>&', chr(57346) || chr(57347) || chr(57348)), "
        "to_tsquery('english', $3), "
        "'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || "
        "', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"'), h.rank, "
        "h.total FROM (SELECT p.id, p.slug, p.kind, p.title, p.summary, "
        "ts_rank_cd(s.doc, q.q, 1) AS rank, count(*) OVER () AS total "
        "FROM library_search s JOIN library_pages p ON p.id = s.page_id, "
        "to_tsquery('english', $3) AS q (q) "
        "WHERE s.doc @@ q.q AND ($4 = '' OR p.kind = $4) AND " LIBRARY_VISIBLE " "
        "ORDER BY rank DESC, p.id LIMIT $5 OFFSET $6) h "
        "JOIN library_search s ON s.page_id = h.id ORDER BY h.rank DESC, h.id";

static const char count_sqlite[] = "SELECT count(*) FROM library_search JOIN library_pages p "
                                   "ON p.id = library_search.rowid WHERE library_search MATCH $3 "
                                   "AND ($4 = '' OR p.kind = $4) AND " LIBRARY_VISIBLE;

static const char count_pg[] = "SELECT count(*) FROM library_search s JOIN library_pages p "
                               "ON p.id = s.page_id WHERE s.doc @@ to_tsquery('english', $3) "
                               "AND ($4 = '' OR p.kind = $4) AND " LIBRARY_VISIBLE;

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v ? v : "", v ? n : 0);
}

static int bind_common(struct db_stmt *st, const struct library_viewer *v, const char *match,
                       const char *kind)
{
	int rc = db_bind_int64(st, 1, v->user_id > 0 ? v->user_id : 0);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, v->user_id > 0 && v->org_id > 0 ? v->org_id : 0);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, match, (size_t)-1);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, kind, (size_t)-1);
	return rc;
}

static int count_hits(struct db *db, const struct library_viewer *v, const char *match,
                      const char *kind, int64_t *total)
{
	struct db_stmt *st;
	int rc = db_prepare(db, db_dialect(db) == DB_SQLITE ? count_sqlite : count_pg, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_common(st, v, match, kind);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*total = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	db_finalize(st);
	return rc;
}

int search_run(struct db *db, struct arena *a, const struct principal *who,
               const struct search_query *q, enum search_kind kind, int limit, int offset,
               struct search_results *out)
{
	struct library_viewer v;
	struct buf match;
	struct db_stmt *st;
	bool lite = db_dialect(db) == DB_SQLITE;
	const char *k = search_kind_name(kind);
	int rc;

	memset(out, 0, sizeof *out);
	if (q->n == 0)
		return DB_OK;
	if (limit < 1 || limit > SEARCH_LIMIT_MAX || offset < 0 || offset > SEARCH_OFFSET_MAX)
		return DB_EINVAL;
	library_viewer_from(who, &v);
	buf_init(&match, a, 4096);
	rc = lite ? search_query_fts5(q, &match) : search_query_tsquery(q, &match);
	if (rc != 0)
		return DB_ENOMEM;
	out->hits = arena_calloc(a, (size_t)limit, sizeof *out->hits);
	if (!out->hits)
		return DB_ENOMEM;

	rc = db_prepare(db, lite ? page_sqlite : page_pg, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_common(st, &v, buf_cstr(&match), k);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 5, limit);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 6, offset);
	int64_t total = -1;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct search_hit *h = &out->hits[out->n];
		size_t slen;
		const char *snip;
		if (out->n == (size_t)limit) {
			rc = DB_ERR; /* the LIMIT above: never */
			break;
		}
		h->page_id = db_column_int64(st, 0);
		h->slug = col(a, st, 1);
		h->kind = col(a, st, 2);
		h->title = col(a, st, 3);
		h->summary = col(a, st, 4);
		snip = db_column_text(st, 5, &slen);
		h->snippet_html =
		        search_snippet_html(a, snip ? snip : "", snip ? slen : 0, &h->snippet);
		const char *r = db_column_text(st, 6, &slen);
		h->rank = r ? strtod(r, NULL) : 0;
		if (!lite)
			total = db_column_int64(st, 7);
		rc = h->slug && h->kind && h->title && h->summary && h->snippet_html ? DB_OK
		                                                                     : DB_ENOMEM;
		out->n++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	/* A short page tells the total without counting (unless it is empty
	 * because the offset went past the end), and so does PostgreSQL's. */
	if (out->n < (size_t)limit && (out->n > 0 || offset == 0)) {
		out->total = offset + (int64_t)out->n;
		return DB_OK;
	}
	if (total >= 0) {
		out->total = total;
		return DB_OK;
	}
	return count_hits(db, &v, buf_cstr(&match), k, &out->total);
}
