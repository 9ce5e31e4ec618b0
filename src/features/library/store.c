/* features/library/store.c — content pack versions in the store (see
 * store.h): import, rollback, the list of versions and the review record.
 * Every change runs in one write transaction that also appends its audit
 * record, so a pack is in the store whole, with its record, or not at all.
 * Library writes queue behind one another (SQLite's BEGIN IMMEDIATE; on
 * PostgreSQL a transaction-scoped advisory lock), so two servers starting
 * at once import the starter pack once. */
#include "features/library/store.h"

#include "audit/audit.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "features/course/pack_course.h"
#include "features/library/markdown.h"
#include "features/library/pack.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "CSEC_LIB" in ASCII: the advisory lock of library writes on PostgreSQL
 * (the audit log and migrations take other keys). */
#define LOCK_KEY INT64_C(0x435345435f4c4942)
#define MAX_WAITING_IN_DETAIL 20 /* slugs named in an import's audit record */

static const char *const source_names[] = {
        [LIBRARY_FROM_STARTER] = "starter",
        [LIBRARY_FROM_CLI] = "cli",
        [LIBRARY_FROM_UPLOAD] = "upload",
};

/* ---------------------------------------------------------------- helpers */

/* Runs a statement to its end and finalizes it: DB_OK, or the error. */
static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

static int bind_text(struct db_stmt *st, int idx, const char *s)
{
	return db_bind_text(st, idx, s ? s : "", (size_t)-1);
}

/* Serializes library writes on PostgreSQL; SQLite's BEGIN IMMEDIATE
 * already did. Call right after db_begin_write. */
static int lock_library(struct db *db)
{
	static const char sql[] = "SELECT pg_advisory_xact_lock($1)";
	if (db_dialect(db) != DB_POSTGRES)
		return DB_OK;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_int64(st, 1, LOCK_KEY));
}

static int audit(struct db *db, const uint8_t key[32], const struct library_actor *who,
                 const char *action, int64_t version_id, json_t *detail)
{
	char target[24];
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(detail);
	if (!text)
		return DB_ENOMEM;
	snprintf(target, sizeof target, "%lld", (long long)version_id);
	struct audit_event e = {
	        .actor_user_id = who->user_id,
	        .actor = who->name && who->name[0] ? who->name : "system",
	        .org_id = who->org_id,
	        .action = action,
	        .target_type = "content_pack_version",
	        .target_id = target,
	        .outcome = "success",
	        .source = who->source,
	        .detail_json = text,
	};
	int rc = audit_append(db, key, &e);
	free(text);
	return rc;
}

int library_version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		bool da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
		if (da && db) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
			if (na != nb)
				return na < nb ? -1 : 1;
			int c = memcmp(a, b, na);
			if (c)
				return c < 0 ? -1 : 1;
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* ------------------------------------------------------------ one page */

/* A pack page made ready for the store: rendered, with its table of
 * contents, sources and content hash as text. */
struct prepared {
	const struct pack_page *pg;
	struct md_result md;
	const char *toc_json, *sources_json;
	char hash[2 * CRYPTO_SHA256_BYTES + 1];
	/* the page as the store has it, when it does */
	int64_t page_id, current_rev;
	bool locally_edited, published;
	const char *owner; /* its pack */
	const char *current_hash;
	int64_t rev; /* the revision this version holds */
};

static char *dump(struct arena *a, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(v);
	char *copy = s ? arena_strdup(a, s) : NULL;
	free(s);
	return copy;
}

static int prepare(struct arena *a, const struct pack_page *pg, struct pack_problems *pr,
                   struct prepared *out)
{
	memset(out, 0, sizeof *out);
	out->pg = pg;
	int rc = markdown_render(a, pg->markdown, pg->markdown_len, pg->path, pg->body_line, pr,
	                         &out->md);
	if (rc < 0)
		return DB_ENOMEM;
	json_t *toc = json_array();
	for (size_t i = 0; toc && i < out->md.n_toc; i++)
		json_array_append_new(toc,
		                      json_pack("{s:i, s:s, s:s}", "level", out->md.toc[i].level,
		                                "id", out->md.toc[i].id, "text",
		                                out->md.toc[i].text));
	json_t *sources = json_array();
	for (size_t i = 0; sources && i < pg->n_sources; i++) {
		const struct pack_source *s = &pg->sources[i];
		json_array_append_new(
		        sources,
		        json_pack("{s:s, s:s, s:s, s:s}", "title", s->title ? s->title : "",
		                  "publisher", s->publisher ? s->publisher : "", "url",
		                  s->url ? s->url : "", "checked", s->checked ? s->checked : ""));
	}
	out->toc_json = dump(a, toc);
	out->sources_json = dump(a, sources);
	/* Everything a pack file says about the page, in a fixed order. */
	json_t *all = json_pack(
	        "[s, s, i, s, s, s, s, s%]", page_kind_name(pg->kind),
	        page_visibility_name(pg->visibility), pg->order, pg->title ? pg->title : "",
	        pg->summary ? pg->summary : "", pg->reviewed ? pg->reviewed : "",
	        out->sources_json ? out->sources_json : "", pg->markdown, pg->markdown_len);
	char *text = all ? json_dumps(all, JSON_COMPACT) : NULL;
	json_decref(all);
	if (!out->toc_json || !out->sources_json || !text) {
		free(text);
		return DB_ENOMEM;
	}
	uint8_t h[CRYPTO_SHA256_BYTES];
	crypto_sha256(h, text, strlen(text));
	free(text);
	crypto_hex(out->hash, h, sizeof h);
	return DB_OK;
}

int library_render(struct arena *a, const struct pack_page *pg, struct pack_problems *pr,
                   struct library_rendered *out)
{
	struct prepared p;
	int rc = prepare(a, pg, pr, &p);
	if (rc != DB_OK)
		return rc;
	*out = (struct library_rendered){p.md.html,      p.md.text,  p.toc_json,
	                                 p.sources_json, p.md.words, ""};
	memcpy(out->hash, p.hash, sizeof out->hash);
	return DB_OK;
}

int library_lock(struct db *db)
{
	return lock_library(db);
}

/* The store's page with that slug among the packs' pages, if any. */
static int find_page(struct db *db, struct arena *a, struct prepared *p)
{
	static const char sql[] =
	        "SELECT p.id, p.pack, p.locally_edited, p.published, p.current_revision_id, "
	        "COALESCE(r.content_hash, '') FROM library_pages p "
	        "LEFT JOIN library_revisions r ON r.id = p.current_revision_id "
	        "WHERE p.org_id IS NULL AND p.slug = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_text(st, 1, p->pg->slug);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		p->page_id = db_column_int64(st, 0);
		p->owner = col(a, st, 1);
		p->locally_edited = db_column_int64(st, 2) != 0;
		p->published = db_column_int64(st, 3) != 0;
		p->current_rev = db_column_int64(st, 4);
		p->current_hash = col(a, st, 5);
		rc = p->owner && p->current_hash ? DB_OK : DB_ENOMEM;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

static int insert_page(struct db *db, const char *pack, struct prepared *p, int64_t version,
                       int64_t now)
{
	static const char sql[] =
	        "INSERT INTO library_pages (pack, slug, kind, visibility, sort_order, title, "
	        "summary, published, pack_version_id, created_at, updated_at) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9) RETURNING id";
	const struct pack_page *pg = p->pg;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, pack)) == DB_OK && (rc = bind_text(st, 2, pg->slug)) == DB_OK &&
	    (rc = bind_text(st, 3, page_kind_name(pg->kind))) == DB_OK &&
	    (rc = bind_text(st, 4, page_visibility_name(pg->visibility))) == DB_OK &&
	    (rc = db_bind_int64(st, 5, pg->order)) == DB_OK &&
	    (rc = bind_text(st, 6, pg->title)) == DB_OK &&
	    (rc = bind_text(st, 7, pg->summary)) == DB_OK &&
	    (rc = db_bind_int64(st, 8, version)) == DB_OK &&
	    (rc = db_bind_int64(st, 9, now)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		p->page_id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	db_finalize(st);
	return rc;
}

static int insert_revision(struct db *db, struct prepared *p, int64_t version, int64_t now)
{
	static const char sql[] =
	        "INSERT INTO library_revisions (page_id, pack_version_id, created_at, kind, "
	        "visibility, sort_order, title, summary, reviewed, sources_json, markdown, html, "
	        "toc_json, plain_text, words, content_hash) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
	        "RETURNING id";
	const struct pack_page *pg = p->pg;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, p->page_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, version)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK &&
	    (rc = bind_text(st, 4, page_kind_name(pg->kind))) == DB_OK &&
	    (rc = bind_text(st, 5, page_visibility_name(pg->visibility))) == DB_OK &&
	    (rc = db_bind_int64(st, 6, pg->order)) == DB_OK &&
	    (rc = bind_text(st, 7, pg->title)) == DB_OK &&
	    (rc = bind_text(st, 8, pg->summary)) == DB_OK &&
	    (rc = bind_text(st, 9, pg->reviewed)) == DB_OK &&
	    (rc = bind_text(st, 10, p->sources_json)) == DB_OK &&
	    (rc = db_bind_text(st, 11, pg->markdown, pg->markdown_len)) == DB_OK &&
	    (rc = bind_text(st, 12, p->md.html)) == DB_OK &&
	    (rc = bind_text(st, 13, p->toc_json)) == DB_OK &&
	    (rc = bind_text(st, 14, p->md.text)) == DB_OK &&
	    (rc = db_bind_int64(st, 15, (int64_t)p->md.words)) == DB_OK &&
	    (rc = bind_text(st, 16, p->hash)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		p->rev = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	db_finalize(st);
	return rc;
}

/* Makes rev the page's current revision, published, with the listing's
 * copies of its kind, visibility, order, title and summary. */
static int set_current(struct db *db, int64_t page, int64_t rev, int64_t now)
{
	static const char sql[] =
	        "UPDATE library_pages SET current_revision_id = r.id, pending_revision_id = NULL, "
	        "kind = r.kind, visibility = r.visibility, sort_order = r.sort_order, "
	        "title = r.title, summary = r.summary, published = 1, "
	        "pack_version_id = COALESCE(r.pack_version_id, library_pages.pack_version_id), "
	        "updated_at = $3 FROM library_revisions r WHERE library_pages.id = $1 AND r.id = "
	        "$2 "
	        "AND r.page_id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page)) == DB_OK && (rc = db_bind_int64(st, 2, rev)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	return finish(st, rc);
}

/* Records rev as the update waiting for a locally edited page (0: none). */
static int set_pending(struct db *db, int64_t page, int64_t rev, int64_t now)
{
	static const char sql[] = "UPDATE library_pages SET pending_revision_id = $2, "
	                          "updated_at = $3 WHERE id = $1";
	static const char sql_none[] = "UPDATE library_pages SET pending_revision_id = NULL, "
	                               "updated_at = $2 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, rev ? sql : sql_none, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page)) == DB_OK && rev)
		rc = db_bind_int64(st, 2, rev);
	if (rc == DB_OK)
		rc = db_bind_int64(st, rev ? 3 : 2, now);
	return finish(st, rc);
}

static int publish(struct db *db, int64_t page, int64_t now)
{
	static const char sql[] = "UPDATE library_pages SET published = 1, updated_at = $2 "
	                          "WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, page)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	return finish(st, rc);
}

static int add_to_version(struct db *db, int64_t version, int64_t page, int64_t rev,
                          const char *path)
{
	static const char sql[] = "INSERT INTO library_version_pages (version_id, page_id, "
	                          "revision_id, path) VALUES ($1, $2, $3, $4)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, version)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, page)) == DB_OK && (rc = db_bind_int64(st, 3, rev)) == DB_OK)
		rc = bind_text(st, 4, path);
	return finish(st, rc);
}

/* Unpublishes the pack's pages that version does not hold, except those
 * edited locally; counts them into *n. */
static int unpublish_others(struct db *db, const char *pack, int64_t version, int64_t now,
                            size_t *n)
{
	static const char sql[] =
	        "UPDATE library_pages SET published = 0, updated_at = $3 "
	        "WHERE org_id IS NULL AND pack = $1 AND published = 1 AND locally_edited = 0 "
	        "AND id NOT IN (SELECT page_id FROM library_version_pages WHERE version_id = $2) "
	        "RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, pack)) == DB_OK && (rc = db_bind_int64(st, 2, version)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		(*n)++;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Makes version the pack's one active version. */
static int activate(struct db *db, const char *pack, int64_t version)
{
	static const char off[] = "UPDATE library_versions SET active = 0 "
	                          "WHERE pack = $1 AND active = 1";
	static const char on[] = "UPDATE library_versions SET active = 1 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, off, &st);
	if (rc != DB_OK)
		return rc;
	rc = finish(st, bind_text(st, 1, pack));
	if (rc != DB_OK)
		return rc;
	rc = db_prepare(db, on, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_int64(st, 1, version));
}

/* ---------------------------------------------------------------- import */

int library_wanted(struct db *db, const char *pack, const char *version, bool *yes)
{
	static const char count_sql[] = "SELECT count(*) FROM library_versions";
	static const char versions_sql[] = "SELECT version FROM library_versions WHERE pack = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, count_sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	int64_t total = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERR;
	if (total == 0) {
		*yes = true;
		return DB_OK;
	}
	*yes = false;
	rc = db_prepare(db, versions_sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_text(st, 1, pack);
	bool any = false, newer = true;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *v = db_column_text(st, 0, &n);
		any = true;
		if (library_version_cmp(version, v) <= 0)
			newer = false;
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	*yes = any && newer;
	return DB_OK;
}

static int insert_version(struct db *db, const struct pack_meta *m, enum library_source from,
                          int64_t user_id, int64_t now, int64_t *id)
{
	static const char sql[] =
	        "INSERT INTO library_versions (pack, version, title, language, license, as_of, "
	        "review_status, disclaimer, source, imported_at, imported_by) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, m->id)) == DB_OK &&
	    (rc = bind_text(st, 2, m->version)) == DB_OK &&
	    (rc = bind_text(st, 3, m->title)) == DB_OK &&
	    (rc = bind_text(st, 4, m->language)) == DB_OK &&
	    (rc = bind_text(st, 5, m->license)) == DB_OK &&
	    (rc = bind_text(st, 6, m->as_of)) == DB_OK &&
	    (rc = bind_text(st, 7, m->review_status)) == DB_OK &&
	    (rc = bind_text(st, 8, m->disclaimer)) == DB_OK &&
	    (rc = bind_text(st, 9, source_names[from])) == DB_OK &&
	    (rc = db_bind_int64(st, 10, now)) == DB_OK)
		rc = user_id > 0 ? db_bind_int64(st, 11, user_id) : db_bind_null(st, 11);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	db_finalize(st);
	return rc;
}

/* Writes one page of the version being imported. */
static int import_page(struct db *db, const char *pack, struct prepared *p, int64_t version,
                       int64_t now, struct library_result *out, json_t *waiting)
{
	int rc;
	if (!p->page_id) {
		rc = insert_page(db, pack, p, version, now);
		if (rc == DB_OK)
			rc = insert_revision(db, p, version, now);
		if (rc == DB_OK)
			rc = set_current(db, p->page_id, p->rev, now);
		out->added++;
	} else if (strcmp(p->current_hash, p->hash) == 0) {
		/* The same text: this version holds the current revision. A page
		 * an editor unpublished (a local edit) stays unpublished. */
		p->rev = p->current_rev;
		rc = p->published || p->locally_edited ? DB_OK : publish(db, p->page_id, now);
		if (rc == DB_OK && p->locally_edited)
			rc = set_pending(db, p->page_id, 0, now);
		if (p->published || p->locally_edited)
			out->unchanged++;
		else
			out->updated++;
	} else if (p->locally_edited) {
		rc = insert_revision(db, p, version, now);
		if (rc == DB_OK)
			rc = set_pending(db, p->page_id, p->rev, now);
		out->waiting++;
		if (json_array_size(waiting) < MAX_WAITING_IN_DETAIL)
			json_array_append_new(waiting, json_string(p->pg->slug));
	} else {
		rc = insert_revision(db, p, version, now);
		if (rc == DB_OK)
			rc = set_current(db, p->page_id, p->rev, now);
		out->updated++;
	}
	if (rc == DB_OK)
		rc = add_to_version(db, version, p->page_id, p->rev, p->pg->path);
	return rc;
}

int library_import(struct db *db, struct arena *a, const uint8_t key[32],
                   const struct library_actor *who, const struct pack *p, enum library_source from,
                   unsigned flags, struct pack_problems *pr, struct library_result *out)
{
	const struct pack_meta *m = &p->meta;
	int64_t now = (int64_t)time(NULL);
	memset(out, 0, sizeof *out);
	out->pack = m->id;
	out->version = m->version;
	if (!m->id || !m->version || (unsigned)from > LIBRARY_FROM_UPLOAD)
		return DB_EINVAL;

	/* Render first: the Markdown's problems stop the import before the
	 * store is touched. */
	size_t problems = pr->n;
	struct prepared *pages = arena_calloc(a, p->n_pages ? p->n_pages : 1, sizeof *pages);
	if (!pages)
		return DB_ENOMEM;
	for (size_t i = 0; i < p->n_pages; i++)
		if (prepare(a, &p->pages[i], pr, &pages[i]) != DB_OK)
			return DB_ENOMEM;
	if (pr->n > problems)
		return LIBRARY_EINVALID;

	json_t *waiting = json_array();
	if (!waiting)
		return DB_ENOMEM;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = lock_library(db);
	if (rc == DB_OK && (flags & LIBRARY_IF_NEWER)) {
		bool yes = false;
		rc = library_wanted(db, m->id, m->version, &yes);
		if (rc == DB_OK && !yes) {
			db_rollback(db);
			json_decref(waiting);
			return DB_DONE;
		}
	}
	/* A slug is one page among all the packs' pages: another pack's page
	 * keeps it, and the import is refused as a whole. */
	for (size_t i = 0; rc == DB_OK && i < p->n_pages; i++) {
		rc = find_page(db, a, &pages[i]);
		if (rc == DB_OK && pages[i].page_id && strcmp(pages[i].owner, m->id) != 0 &&
		    pack_problem(pr, pages[i].pg->path, 0,
		                 "the slug \"%s\" belongs to a page of the pack \"%s\" already",
		                 pages[i].pg->slug, pages[i].owner) != 0)
			rc = DB_ENOMEM;
	}
	if (rc == DB_OK && pr->n > problems)
		rc = LIBRARY_EINVALID;
	if (rc == DB_OK)
		rc = insert_version(db, m, from, who->user_id, now, &out->version_id);
	if (rc == DB_OK)
		rc = activate(db, m->id, out->version_id);
	for (size_t i = 0; rc == DB_OK && i < p->n_pages; i++)
		rc = import_page(db, m->id, &pages[i], out->version_id, now, out, waiting);
	if (rc == DB_OK)
		rc = unpublish_others(db, m->id, out->version_id, now, &out->unpublished);
	/* The courses: rows of this version, in this transaction. */
	if (rc == DB_OK)
		rc = course_pack_import(db, a, p, out->version_id, now, pr);
	if (rc == DB_OK && (flags & LIBRARY_IF_DRYRUN)) {
		/* Done all but the audit record and the commit: undone. */
		db_rollback(db);
		json_decref(waiting);
		out->version_id = 0;
		return DB_OK;
	}
	if (rc == DB_OK) {
		json_t *detail = json_pack(
		        "{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "pack", m->id,
		        "version", m->version, "source", source_names[from], "pages",
		        (json_int_t)p->n_pages, "added", (json_int_t)out->added, "updated",
		        (json_int_t)out->updated, "unchanged", (json_int_t)out->unchanged,
		        "waiting", (json_int_t)out->waiting, "unpublished",
		        (json_int_t)out->unpublished, "waiting_slugs", waiting);
		waiting = NULL;
		rc = audit(db, key, who, "library.pack.import", out->version_id, detail);
	}
	json_decref(waiting);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		out->version_id = 0;
	}
	return rc;
}

/* -------------------------------------------------------------- rollback */

struct held {
	int64_t page, rev, current;
	bool locally_edited, published;
};

int library_rollback(struct db *db, struct arena *a, const uint8_t key[32],
                     const struct library_actor *who, int64_t version_id,
                     struct library_result *out)
{
	static const char version_sql[] = "SELECT pack, version FROM library_versions "
	                                  "WHERE id = $1";
	static const char held_sql[] =
	        "SELECT vp.page_id, vp.revision_id, COALESCE(p.current_revision_id, 0), "
	        "p.locally_edited, p.published FROM library_version_pages vp "
	        "JOIN library_pages p ON p.id = vp.page_id WHERE vp.version_id = $1 "
	        "ORDER BY vp.page_id";
	int64_t now = (int64_t)time(NULL);
	memset(out, 0, sizeof *out);
	out->version_id = version_id;
	struct db_stmt *st;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = lock_library(db);
	if (rc == DB_OK && (rc = db_prepare(db, version_sql, &st)) == DB_OK) {
		rc = db_bind_int64(st, 1, version_id);
		if (rc == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW) {
			out->pack = col(a, st, 0);
			out->version = col(a, st, 1);
			rc = out->pack && out->version ? DB_OK : DB_ENOMEM;
		}
		db_finalize(st);
	}
	/* The pages it held, read whole before any of them changes. */
	struct held *list = NULL;
	size_t n = 0, cap = 0;
	if (rc == DB_OK && (rc = db_prepare(db, held_sql, &st)) == DB_OK) {
		rc = db_bind_int64(st, 1, version_id);
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			rc = DB_OK;
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				struct held *bigger = arena_calloc(a, ncap, sizeof *bigger);
				if (!bigger || ncap > PACK_MAX_FILES * 2) {
					rc = DB_ENOMEM;
					break;
				}
				if (n)
					memcpy(bigger, list, n * sizeof *list);
				list = bigger;
				cap = ncap;
			}
			list[n++] = (struct held){
			        .page = db_column_int64(st, 0),
			        .rev = db_column_int64(st, 1),
			        .current = db_column_int64(st, 2),
			        .locally_edited = db_column_int64(st, 3) != 0,
			        .published = db_column_int64(st, 4) != 0,
			};
		}
		db_finalize(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	if (rc == DB_OK)
		rc = activate(db, out->pack, version_id);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		const struct held *h = &list[i];
		if (h->locally_edited) {
			rc = set_pending(db, h->page, h->current == h->rev ? 0 : h->rev, now);
			if (h->current == h->rev)
				out->unchanged++;
			else
				out->waiting++;
		} else if (h->current == h->rev && h->published) {
			out->unchanged++;
		} else {
			rc = set_current(db, h->page, h->rev, now);
			out->updated++;
		}
	}
	if (rc == DB_OK)
		rc = unpublish_others(db, out->pack, version_id, now, &out->unpublished);
	if (rc == DB_OK)
		rc = audit(db, key, who, "library.pack.rollback", version_id,
		           json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "pack", out->pack, "version",
		                     out->version, "updated", (json_int_t)out->updated, "unchanged",
		                     (json_int_t)out->unchanged, "waiting",
		                     (json_int_t)out->waiting, "unpublished",
		                     (json_int_t)out->unpublished));
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

/* -------------------------------------------------------------- versions */

int library_versions(struct db *db, struct arena *a, struct library_version **out, size_t *n)
{
	static const char sql[] =
	        "SELECT v.id, v.pack, v.version, v.title, v.license, v.as_of, v.review_status, "
	        "v.disclaimer, v.source, v.imported_at, COALESCE(u.email, ''), v.active, "
	        "(SELECT count(*) FROM library_version_pages vp WHERE vp.version_id = v.id), "
	        "COALESCE(v.reviewer, ''), COALESCE(v.reviewer_role, ''), "
	        "COALESCE(v.reviewed_on, '') "
	        "FROM library_versions v LEFT JOIN users u ON u.id = v.imported_by "
	        "ORDER BY v.id DESC LIMIT 500";
	_Static_assert(LIBRARY_MAX_VERSIONS == 500, "the LIMIT above");
	struct library_version *list = arena_calloc(a, LIBRARY_MAX_VERSIONS, sizeof *list);
	struct db_stmt *st = NULL;
	*n = 0;
	*out = list;
	if (!list)
		return DB_ENOMEM;
	int rc = db_prepare(db, sql, &st);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct library_version *v = &list[(*n)++];
		v->id = db_column_int64(st, 0);
		v->pack = col(a, st, 1);
		v->version = col(a, st, 2);
		v->title = col(a, st, 3);
		v->license = col(a, st, 4);
		v->as_of = col(a, st, 5);
		v->review_status = col(a, st, 6);
		v->disclaimer = col(a, st, 7);
		v->source = col(a, st, 8);
		v->imported_at = db_column_int64(st, 9);
		v->imported_by = col(a, st, 10);
		v->active = db_column_int64(st, 11) != 0;
		v->pages = db_column_int64(st, 12);
		v->reviewer = col(a, st, 13);
		v->reviewer_role = col(a, st, 14);
		v->reviewed_on = col(a, st, 15);
		rc = v->pack && v->version && v->title && v->license && v->as_of &&
		                v->review_status && v->disclaimer && v->source && v->imported_by &&
		                v->reviewer && v->reviewer_role && v->reviewed_on
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* ---------------------------------------------------------------- review */

static bool field_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static bool date_ok(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int mo = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

int library_record_review(struct db *db, const uint8_t key[32], const struct library_actor *who,
                          int64_t version_id, const char *reviewer, const char *role,
                          const char *date, int64_t now)
{
	static const char sql[] =
	        "UPDATE library_versions SET reviewer = $2, reviewer_role = $3, reviewed_on = $4, "
	        "review_recorded_by = $5, review_recorded_at = $6 WHERE id = $1 RETURNING pack";
	if (!field_ok(reviewer, 200) || !field_ok(role, 200) || !date_ok(date))
		return DB_EINVAL;
	struct db_stmt *st;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = lock_library(db);
	if (rc == DB_OK && (rc = db_prepare(db, sql, &st)) == DB_OK) {
		if ((rc = db_bind_int64(st, 1, version_id)) == DB_OK &&
		    (rc = bind_text(st, 2, reviewer)) == DB_OK &&
		    (rc = bind_text(st, 3, role)) == DB_OK &&
		    (rc = bind_text(st, 4, date)) == DB_OK &&
		    (rc = who->user_id > 0 ? db_bind_int64(st, 5, who->user_id)
		                           : db_bind_null(st, 5)) == DB_OK)
			rc = db_bind_int64(st, 6, now);
		bool any = false;
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			any = true;
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc == DB_DONE)
			rc = any ? DB_OK : DB_DONE;
	}
	if (rc == DB_OK)
		rc = audit(db, key, who, "library.pack.review", version_id,
		           json_pack("{s:s, s:s, s:s}", "reviewer", reviewer, "role", role, "date",
		                     date));
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}
