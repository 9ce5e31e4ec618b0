/* features/library/edit_model.c — the editor's SQL (edit_model.h), on the
 * tables of migration 0008_library. Revision numbers are each revision's
 * place among its page's revisions by id (ROW_NUMBER, in both dialects), so
 * they never change once given. Every query that starts from a page id
 * the request named also checks the scope: shared pages (org_id IS NULL)
 * or the one organization's own. */
#include "features/library/edit_model.h"

#include "core/arena.h"
#include "db/db.h"

#include <string.h>

/* Runs a statement to its end and finalizes it: DB_OK, or the error. */
static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *col(struct arena *a, struct db_stmt *st, int i, size_t *len)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	if (len)
		*len = n;
	return arena_strndup(a, v ? v : "", v ? n : 0);
}

static int bind_text(struct db_stmt *st, int idx, const char *s)
{
	return db_bind_text(st, idx, s ? s : "", (size_t)-1);
}

/* Reads a revision's content from columns first .. first + 10: kind,
 * visibility, title, summary, reviewed, sort_order, sources_json, markdown,
 * html, toc_json, content_hash. */
static int content_cols(struct arena *a, struct db_stmt *st, int first, struct libedit_content *c)
{
	c->kind = col(a, st, first, NULL);
	c->visibility = col(a, st, first + 1, NULL);
	c->title = col(a, st, first + 2, NULL);
	c->summary = col(a, st, first + 3, NULL);
	c->reviewed = col(a, st, first + 4, NULL);
	c->order = (int)db_column_int64(st, first + 5);
	c->sources_json = col(a, st, first + 6, NULL);
	c->markdown = col(a, st, first + 7, &c->markdown_len);
	c->html = col(a, st, first + 8, NULL);
	c->toc_json = col(a, st, first + 9, NULL);
	c->content_hash = col(a, st, first + 10, NULL);
	return c->kind && c->visibility && c->title && c->summary && c->reviewed &&
	                c->sources_json && c->markdown && c->html && c->toc_json && c->content_hash
	        ? DB_OK
	        : DB_ENOMEM;
}

#define CONTENT_COLS                                                                               \
	"r.kind, r.visibility, r.title, r.summary, r.reviewed, r.sort_order, r.sources_json, "     \
	"r.markdown, r.html, r.toc_json, r.content_hash"

#define PAGE_SELECT                                                                                \
	"SELECT p.id, COALESCE(p.org_id, 0), COALESCE(p.pack, ''), p.slug, p.kind, p.published, "  \
	"p.locally_edited, COALESCE(p.current_revision_id, 0), "                                   \
	"COALESCE(p.pending_revision_id, 0), p.updated_at, "                                       \
	"(SELECT count(*) FROM library_revisions c WHERE c.page_id = p.id AND c.id <= r.id), "     \
	"" CONTENT_COLS " FROM library_pages p JOIN library_revisions r "                          \
	"ON r.id = p.current_revision_id WHERE p.id = $1 "

int libedit_page_get(struct db *db, struct arena *a, int64_t org_id, int64_t page_id,
                     struct libedit_page *out)
{
	static const char shared_sql[] = PAGE_SELECT "AND p.org_id IS NULL";
	static const char org_sql[] = PAGE_SELECT "AND p.org_id = $2";
	memset(out, 0, sizeof *out);
	if (page_id <= 0 || org_id < 0)
		return DB_DONE;
	struct db_stmt *st;
	int rc = db_prepare(db, org_id ? org_sql : shared_sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, page_id);
	if (rc == DB_OK && org_id)
		rc = db_bind_int64(st, 2, org_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->org_id = db_column_int64(st, 1);
		out->pack = col(a, st, 2, NULL);
		out->slug = col(a, st, 3, NULL);
		out->kind = col(a, st, 4, NULL);
		out->published = db_column_int64(st, 5) != 0;
		out->locally_edited = db_column_int64(st, 6) != 0;
		out->current_rev = db_column_int64(st, 7);
		out->pending_rev = db_column_int64(st, 8);
		out->updated_at = db_column_int64(st, 9);
		out->current_number = (int)db_column_int64(st, 10);
		rc = content_cols(a, st, 11, &out->cur);
		if (rc == DB_OK && (!out->pack || !out->slug || !out->kind))
			rc = DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

#define LIST_SELECT                                                                                \
	"SELECT p.id, p.slug, p.kind, p.title, p.visibility, COALESCE(p.pack, ''), p.published, "  \
	"p.locally_edited, CASE WHEN p.pending_revision_id IS NULL THEN 0 ELSE 1 END, "            \
	"p.updated_at FROM library_pages p "
#define LIST_ORDER                                                                                 \
	" ORDER BY CASE p.kind WHEN 'guide' THEN 0 WHEN 'practice' THEN 1 ELSE 2 END, "            \
	"p.sort_order, p.title, p.id LIMIT 2000"

int libedit_pages(struct db *db, struct arena *a, int64_t org_id, struct libedit_item **out,
                  size_t *n)
{
	static const char shared_sql[] = LIST_SELECT "WHERE p.org_id IS NULL" LIST_ORDER;
	static const char org_sql[] = LIST_SELECT "WHERE p.org_id = $1" LIST_ORDER;
	_Static_assert(LIBEDIT_MAX_PAGES == 2000, "the LIMIT above");
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	struct db_stmt *st;
	int rc = db_prepare(db, org_id ? org_sql : shared_sql, &st);
	if (rc != DB_OK)
		return rc;
	if (org_id)
		rc = db_bind_int64(st, 1, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct libedit_item *bigger = arena_calloc(a, ncap, sizeof *bigger);
			if (!bigger) {
				rc = DB_ENOMEM;
				break;
			}
			if (*n)
				memcpy(bigger, *out, *n * sizeof *bigger);
			*out = bigger;
			cap = ncap;
		}
		struct libedit_item *it = &(*out)[(*n)++];
		it->id = db_column_int64(st, 0);
		it->slug = col(a, st, 1, NULL);
		it->kind = col(a, st, 2, NULL);
		it->title = col(a, st, 3, NULL);
		it->visibility = col(a, st, 4, NULL);
		it->pack = col(a, st, 5, NULL);
		it->published = db_column_int64(st, 6) != 0;
		it->locally_edited = db_column_int64(st, 7) != 0;
		it->update_waiting = db_column_int64(st, 8) != 0;
		it->updated_at = db_column_int64(st, 9);
		rc = it->slug && it->kind && it->title && it->visibility && it->pack ? DB_OK
		                                                                     : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

#define REV_FROM                                                                                   \
	"FROM (SELECT r.*, ROW_NUMBER() OVER (ORDER BY r.id) AS n FROM library_revisions r "       \
	"WHERE r.page_id = $1) r LEFT JOIN users u ON u.id = r.author_id "                         \
	"LEFT JOIN library_versions v ON v.id = r.pack_version_id "
#define REV_COLS "r.id, r.n, r.created_at, COALESCE(u.name, ''), COALESCE(v.version, ''), r.message"

static int revision_cols(struct arena *a, struct db_stmt *st, struct libedit_revision *r)
{
	r->id = db_column_int64(st, 0);
	r->number = (int)db_column_int64(st, 1);
	r->created_at = db_column_int64(st, 2);
	r->author = col(a, st, 3, NULL);
	r->pack_version = col(a, st, 4, NULL);
	r->message = col(a, st, 5, NULL);
	return r->author && r->pack_version && r->message ? DB_OK : DB_ENOMEM;
}

int libedit_revisions(struct db *db, struct arena *a, int64_t page_id,
                      struct libedit_revision **out, size_t *n, int *total)
{
	static const char sql[] = "SELECT " REV_COLS " " REV_FROM "ORDER BY r.id DESC LIMIT 500";
	static const char count_sql[] = "SELECT count(*) FROM library_revisions WHERE page_id = $1";
	_Static_assert(LIBEDIT_MAX_REVISIONS == 500, "the LIMIT above");
	*out = NULL;
	*n = 0;
	*total = 0;
	struct db_stmt *st;
	int rc = db_prepare(db, count_sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, page_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*total = (int)db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_ERR;
	size_t want = *total < LIBEDIT_MAX_REVISIONS ? (size_t)*total : LIBEDIT_MAX_REVISIONS;
	*out = arena_calloc(a, want ? want : 1, sizeof **out);
	if (!*out)
		return DB_ENOMEM;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, page_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW && *n < want)
		rc = revision_cols(a, st, &(*out)[(*n)++]);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

static int revision_one(struct db *db, struct arena *a, const char *sql, int64_t page_id,
                        int64_t key, struct libedit_revision *out)
{
	memset(out, 0, sizeof *out);
	if (page_id <= 0 || key <= 0)
		return DB_DONE;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, key)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		rc = revision_cols(a, st, out);
		if (rc == DB_OK)
			rc = content_cols(a, st, 6, &out->c);
	}
	db_finalize(st);
	return rc;
}

int libedit_revision_get(struct db *db, struct arena *a, int64_t page_id, int number,
                         struct libedit_revision *out)
{
	static const char sql[] =
	        "SELECT " REV_COLS ", " CONTENT_COLS " " REV_FROM "WHERE r.n = $2";
	return revision_one(db, a, sql, page_id, number, out);
}

int libedit_revision_by_id(struct db *db, struct arena *a, int64_t page_id, int64_t rev_id,
                           struct libedit_revision *out)
{
	static const char sql[] =
	        "SELECT " REV_COLS ", " CONTENT_COLS " " REV_FROM "WHERE r.id = $2";
	return revision_one(db, a, sql, page_id, rev_id, out);
}

/* Makes rev the page's current revision, with the listing's copies. */
static int set_current(struct db *db, int64_t page_id, int64_t rev, bool locally_edited,
                       int64_t now)
{
	static const char sql[] =
	        "UPDATE library_pages SET current_revision_id = r.id, kind = r.kind, "
	        "visibility = r.visibility, sort_order = r.sort_order, title = r.title, "
	        "summary = r.summary, locally_edited = $3, updated_at = $4 "
	        "FROM library_revisions r WHERE library_pages.id = $1 AND r.id = $2 "
	        "AND r.page_id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, rev)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, locally_edited ? 1 : 0)) == DB_OK)
		rc = db_bind_int64(st, 4, now);
	return finish(st, rc);
}

/* Runs an INSERT ... RETURNING id. */
static int returning_id(struct db_stmt *st, int rc, int64_t *id)
{
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_DONE; /* nothing inserted: the source row is not there */
	}
	db_finalize(st);
	return rc;
}

int libedit_save(struct db *db, int64_t page_id, const struct libedit_new *r, bool locally_edited,
                 int64_t *rev_id)
{
	static const char sql[] =
	        "INSERT INTO library_revisions (page_id, author_id, message, created_at, kind, "
	        "visibility, sort_order, title, summary, reviewed, sources_json, markdown, html, "
	        "toc_json, plain_text, words, content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	        "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id";
	const struct libedit_content *c = &r->c;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, r->author_id)) == DB_OK &&
	    (rc = bind_text(st, 3, r->message)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, r->now)) == DB_OK &&
	    (rc = bind_text(st, 5, c->kind)) == DB_OK &&
	    (rc = bind_text(st, 6, c->visibility)) == DB_OK &&
	    (rc = db_bind_int64(st, 7, c->order)) == DB_OK &&
	    (rc = bind_text(st, 8, c->title)) == DB_OK &&
	    (rc = bind_text(st, 9, c->summary)) == DB_OK &&
	    (rc = bind_text(st, 10, c->reviewed)) == DB_OK &&
	    (rc = bind_text(st, 11, c->sources_json)) == DB_OK &&
	    (rc = db_bind_text(st, 12, c->markdown ? c->markdown : "", c->markdown_len)) == DB_OK &&
	    (rc = bind_text(st, 13, c->html)) == DB_OK &&
	    (rc = bind_text(st, 14, c->toc_json)) == DB_OK &&
	    (rc = bind_text(st, 15, r->plain_text)) == DB_OK &&
	    (rc = db_bind_int64(st, 16, r->words)) == DB_OK)
		rc = bind_text(st, 17, c->content_hash);
	rc = returning_id(st, rc, rev_id);
	if (rc == DB_DONE)
		rc = DB_ERR;
	if (rc == DB_OK)
		rc = set_current(db, page_id, *rev_id, locally_edited, r->now);
	return rc;
}

int libedit_copy(struct db *db, int64_t page_id, int64_t from_rev, int64_t author_id,
                 const char *message, int64_t now, bool locally_edited, bool clear_pending,
                 int64_t *rev_id)
{
	static const char sql[] =
	        "INSERT INTO library_revisions (page_id, author_id, message, created_at, kind, "
	        "visibility, sort_order, title, summary, reviewed, sources_json, markdown, html, "
	        "toc_json, plain_text, words, content_hash) SELECT page_id, $3, $4, $5, kind, "
	        "visibility, sort_order, title, summary, reviewed, sources_json, markdown, html, "
	        "toc_json, plain_text, words, content_hash FROM library_revisions "
	        "WHERE id = $2 AND page_id = $1 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, from_rev)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, author_id)) == DB_OK &&
	    (rc = bind_text(st, 4, message)) == DB_OK)
		rc = db_bind_int64(st, 5, now);
	rc = returning_id(st, rc, rev_id);
	if (rc == DB_OK)
		rc = set_current(db, page_id, *rev_id, locally_edited, now);
	if (rc == DB_OK && clear_pending)
		rc = libedit_dismiss_update(db, page_id, now);
	return rc;
}

int libedit_set_published(struct db *db, int64_t page_id, bool published, bool locally_edited,
                          int64_t now)
{
	static const char sql[] = "UPDATE library_pages SET published = $2, locally_edited = $3, "
	                          "updated_at = $4 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, published ? 1 : 0)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, locally_edited ? 1 : 0)) == DB_OK)
		rc = db_bind_int64(st, 4, now);
	rc = finish(st, rc);
	return rc;
}

int libedit_dismiss_update(struct db *db, int64_t page_id, int64_t now)
{
	static const char sql[] = "UPDATE library_pages SET pending_revision_id = NULL, "
	                          "updated_at = $2 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page_id)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	return finish(st, rc);
}

int libedit_create(struct db *db, int64_t org_id, const char *slug, const char *kind,
                   const char *title, int64_t now, int64_t *page_id)
{
	static const char sql[] =
	        "INSERT INTO library_pages (org_id, slug, kind, visibility, sort_order, title, "
	        "summary, published, created_at, updated_at) "
	        "VALUES ($1, $2, $3, 'org', 0, $4, '', 1, $5, $5) RETURNING id";
	if (org_id <= 0)
		return DB_EINVAL;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = bind_text(st, 2, slug)) == DB_OK && (rc = bind_text(st, 3, kind)) == DB_OK &&
	    (rc = bind_text(st, 4, title)) == DB_OK)
		rc = db_bind_int64(st, 5, now);
	rc = returning_id(st, rc, page_id);
	return rc == DB_DONE ? DB_ERR : rc;
}

int libedit_slug_taken(struct db *db, int64_t org_id, const char *slug, bool *taken)
{
	static const char sql[] = "SELECT 1 FROM library_pages WHERE org_id = $1 AND slug = $2";
	*taken = false;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK && (rc = bind_text(st, 2, slug)) == DB_OK)
		rc = db_step(st);
	*taken = rc == DB_ROW;
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

#define TARGET_SELECT                                                                              \
	"SELECT r.html FROM library_pages p JOIN library_revisions r "                             \
	"ON r.id = p.current_revision_id WHERE p.kind = $1 AND p.slug = $2 "

int libedit_link_target(struct db *db, struct arena *a, int64_t org_id, const char *kind,
                        const char *slug, const char **html)
{
	static const char shared_sql[] = TARGET_SELECT "AND p.org_id IS NULL";
	/* The organization's own page first, as its members read it. */
	static const char org_sql[] =
	        TARGET_SELECT "AND (p.org_id IS NULL OR p.org_id = $3) "
	                      "ORDER BY CASE WHEN p.org_id IS NULL THEN 1 ELSE 0 END LIMIT 1";
	*html = NULL;
	struct db_stmt *st;
	int rc = db_prepare(db, org_id ? org_sql : shared_sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, kind)) == DB_OK && (rc = bind_text(st, 2, slug)) == DB_OK &&
	    org_id)
		rc = db_bind_int64(st, 3, org_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*html = col(a, st, 0, NULL);
		rc = *html ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}
