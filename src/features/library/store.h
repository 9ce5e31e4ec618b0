/* features/library/store.h — the knowledge base in the store (migration
 * 0008_library, docs/library.md): content pack versions, pages and their
 * revisions; importing a pack, rolling back to an earlier version,
 * exporting the current one; and reading pages with visibility decided in
 * SQL, in every query, so no caller can forget it. Handlers and commands
 * never write SQL; they call these.
 *
 * Model functions return DB_OK, DB_DONE when what was asked for does not
 * exist (or may not be seen: the two are never told apart), LIBRARY_EINVALID
 * when a pack has problems (listed in the caller's pack_problems), or a
 * negative DB code. Strings live in the caller's arena. */
#ifndef CSEC_FEATURES_LIBRARY_STORE_H
#define CSEC_FEATURES_LIBRARY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct pack;
struct pack_page;
struct pack_file;
struct pack_problems;
struct principal;

#define LIBRARY_EINVALID (-32) /* the pack has problems; nothing was written */

#define LIBRARY_MAX_VERSIONS 500 /* rows library_versions lists */
#define LIBRARY_MAX_LIST 2000 /* pages one listing returns */

/* Where an import came from (library_versions.source). */
enum library_source { LIBRARY_FROM_STARTER, LIBRARY_FROM_CLI, LIBRARY_FROM_UPLOAD };

/* Who acts, for the audit record: a signed-in person (user_id, their email
 * as name, their active organization, their address as source), or the
 * shell ("cli") or the server itself ("system") with user_id 0. */
struct library_actor {
	int64_t user_id;
	const char *name;
	int64_t org_id;
	const char *source;
};

/* What an import or a rollback did to the pack's pages. */
struct library_result {
	int64_t version_id;
	const char *pack, *version;
	size_t added; /* new pages */
	size_t updated; /* pages whose text changed */
	size_t unchanged;
	size_t waiting; /* edited locally: the pack's text waits for an editor */
	size_t unpublished; /* pages of the pack that this version does not hold */
};

/* Import flags. */
#define LIBRARY_IF_NEWER                                                                           \
	1u /* only when the store has no pack at all, or only                                      \
	      older versions of this one (the starter pack                                         \
	      at start-up); otherwise DB_DONE, nothing written */
#define LIBRARY_IF_DRYRUN                                                                          \
	2u /* do everything, fill out and pr, then roll back:                                      \
	      nothing written, no audit record (the summary                                        \
	      /admin/content shows before an import) */

/* Imports p (loaded by pack_load with no problems) as a new version of its
 * pack, in one write transaction with its audit record
 * ("library.pack.import"): renders every page's Markdown (problems go to
 * pr: LIBRARY_EINVALID), then adds new pages, gives changed ones a new
 * revision, and unpublishes the pack's pages this version does not hold. A
 * page edited locally is never overwritten: the new text is kept as a
 * revision and recorded as waiting (pending_revision_id). A slug held by
 * another pack's page is a problem too. Any failure rolls everything back.
 * The previous version stays, inactive. */
int library_import(struct db *db, struct arena *a, const uint8_t key[32],
                   const struct library_actor *who, const struct pack *p, enum library_source from,
                   unsigned flags, struct pack_problems *pr, struct library_result *out);

/* Makes version_id its pack's active version again: the pack's pages
 * return to the revisions they had in it (locally edited pages keep theirs,
 * with that text waiting), pages it did not hold are unpublished. One
 * write transaction, audited ("library.pack.rollback"). DB_DONE when there
 * is no such version. */
int library_rollback(struct db *db, struct arena *a, const uint8_t key[32],
                     const struct library_actor *who, int64_t version_id,
                     struct library_result *out);

/* The files of the active version of pack (NULL: the one active pack; DB_DONE
 * when there is none, DB_EINVAL when several are active) as they are now,
 * local edits included: pack.json and each page's Markdown with its front
 * matter, emitted with libyaml so that it validates and imports again.
 * Audited ("library.pack.export") in the same transaction as the read. */
int library_export(struct db *db, struct arena *a, const uint8_t key[32],
                   const struct library_actor *who, const char *pack, struct pack_file **files,
                   size_t *n);

/* One imported version, as `csec content versions` lists them. */
struct library_version {
	int64_t id;
	const char *pack, *version, *title, *license, *as_of, *review_status, *disclaimer;
	const char *source; /* "starter", "cli", "upload" */
	int64_t imported_at;
	const char *imported_by; /* an email, or "" (the shell, the server) */
	bool active;
	int64_t pages;
	const char *reviewer, *reviewer_role, *reviewed_on; /* "" until a review is recorded */
};

/* Every version, newest first (at most LIBRARY_MAX_VERSIONS). */
int library_versions(struct db *db, struct arena *a, struct library_version **out, size_t *n);

/* Records a subject-matter expert's review of version_id (who, their role,
 * the date YYYY-MM-DD), which ends its draft banner. For site admins only:
 * the caller checks. Audited ("library.pack.review"). DB_DONE when there is
 * no such version, DB_EINVAL for an empty or oversized field or a bad date. */
int library_record_review(struct db *db, const uint8_t key[32], const struct library_actor *who,
                          int64_t version_id, const char *reviewer, const char *role,
                          const char *date, int64_t now);

/* LIBRARY_IF_NEWER's test, on its own: *yes when the store holds no pack
 * at all, or holds the pack only in versions older than version. */
int library_wanted(struct db *db, const char *pack, const char *version, bool *yes);

/* "2026.11.28" against "2026.2.1": <0, 0, >0 — runs of digits compare as
 * numbers, everything else byte by byte. */
int library_version_cmp(const char *a, const char *b);

/* --------------------------------------------------------- for the editor
 * (features/library/edit*.c writes revisions of its own) */

/* Queues a write to the library's pages behind imports and rollbacks
 * (PostgreSQL: the same transaction-scoped advisory lock; SQLite's BEGIN
 * IMMEDIATE already did). Call right after db_begin_write. */
int library_lock(struct db *db);

/* A page's text made ready for a revision exactly as an import makes it:
 * its Markdown rendered (problems go to pr, when not NULL, under pg->path
 * from pg->body_line), its contents and sources as JSON, and the content
 * hash an import compares. Strings live in a. DB_OK or DB_ENOMEM. */
struct library_rendered {
	const char *html, *text, *toc_json, *sources_json;
	size_t words;
	char hash[65];
};
int library_render(struct arena *a, const struct pack_page *pg, struct pack_problems *pr,
                   struct library_rendered *out);

/* ----------------------------------------------------------------- reading */

/* Who is reading: a signed-in person and their active organization, or
 * nobody (user_id 0). The store itself checks, in SQL, that the person is
 * an active member of that organization and whether they are a site admin;
 * nothing here is taken on trust. */
struct library_viewer {
	int64_t user_id;
	int64_t org_id;
};

/* Who may see a page, as SQL (read.c's header says the rules): $1 the
 * reader's user id (0: anonymous), $2 their active organization (0: none),
 * p the library_pages row. Every query that returns pages or their text
 * (listings, a page, search) applies it in the same statement. */
#define LIBRARY_VISIBLE                                                                            \
	"p.published = 1 AND ((p.org_id IS NULL AND p.visibility = 'public') "                     \
	"OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.site_admin = 1 "                   \
	"AND u.status = 'active') "                                                                \
	"OR EXISTS (SELECT 1 FROM memberships m JOIN organizations o ON o.id = m.org_id "          \
	"WHERE m.user_id = $1 AND m.org_id = $2 AND m.status = 'active' AND o.status = 'active' "  \
	"AND ((p.org_id IS NULL AND (p.visibility = 'members' OR (p.visibility = "                 \
	"'law_enforcement' AND o.kind = 'law_enforcement'))) OR p.org_id = o.id)))"

/* The viewer for a request: anonymous for a person who has not finished
 * signing in (two-step enrolment still owed). */
void library_viewer_from(const struct principal *who, struct library_viewer *out);

/* A page as a listing shows it. */
struct library_item {
	int64_t id;
	const char *slug, *kind, *title, *summary, *visibility;
	int order;
	bool own; /* the viewer's organization's own page */
	bool draft; /* from a pack whose review is not recorded */
};

/* The pages of kind ("guide", "practice", "resource"; NULL: all) that the
 * viewer may see, by kind, order, then title (at most LIBRARY_MAX_LIST). */
int library_list(struct db *db, struct arena *a, const struct library_viewer *v, const char *kind,
                 struct library_item **out, size_t *n);

/* One page as the reading page shows it. */
struct library_page {
	int64_t id;
	const char *slug, *kind, *title, *summary, *visibility;
	const char *html; /* placeholders still in it */
	const char *toc_json, *sources_json, *reviewed;
	bool own;
	bool draft;
	const char *disclaimer; /* the pack's; "" for an organization's own page */
	int64_t updated_at;
};

/* The page slug of kind (NULL: any kind) that the viewer may see: the
 * viewer's organization's own page before a pack's. DB_DONE when there is
 * none or the viewer may not see it. */
int library_page_get(struct db *db, struct arena *a, const struct library_viewer *v,
                     const char *kind, const char *slug, struct library_page *out);

/* true when s has the shape of a slug: 1 to PACK_SLUG_MAX of a-z, 0-9, -. */
bool library_slug_valid(const char *s);

/* The guide as its PDF prints it (/guide.pdf): the guide pages the viewer
 * may see, the pack's first and then the organization's own, each with its
 * Markdown (placeholders still in it) and sources as JSON. disclaimer and
 * as_of are the pack's ("" when no pack page is visible); draft is set when
 * any part comes from an unreviewed draft. */
#define LIBRARY_MAX_GUIDE_PARTS 200

struct library_guide_part {
	const char *slug, *title, *markdown, *sources_json;
};

struct library_guide {
	struct library_guide_part *parts;
	size_t n;
	const char *disclaimer, *as_of;
	bool draft;
};

int library_guide_parts(struct db *db, struct arena *a, const struct library_viewer *v,
                        struct library_guide *out);

/* What fills the placeholders (placeholders.h) for the viewer's active
 * organization: NULL where unset. Anonymous viewers get deployment.name
 * only. */
struct library_profile {
	const char *name, *state, *jurisdiction, *hotline, *time_zone, *law_summary;
	const char *deployment_name;
};

int library_profile(struct db *db, struct arena *a, const struct library_viewer *v,
                    struct library_profile *out);

/* A placeholder_lookup over a struct library_profile (ctx). partners.* are
 * unset until the partner directory exists. */
const char *library_profile_lookup(void *ctx, const char *name);

#endif
