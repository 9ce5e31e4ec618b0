/* features/library/edit_pages.c — the editor's other pages: the index of
 * the pages in reach with their state, a page as readers see it (published
 * or not), its history, the difference between two revisions, roll back,
 * publish and unpublish, and the choice a waiting starter-pack update asks
 * for (keep mine, or take the update). Each change is one write
 * transaction holding the library's lock, the page read again under it,
 * and the audit record; then a 303 to the page that shows the result. */
#include "features/library/edit.h"
#include "features/library/edit_internal.h"
#include "features/library/library.h"

#include "auth/policy.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/library/placeholders.h"
#include "features/library/store.h"
#include "render/page.h"

#include <string.h>
#include <time.h>

/* ---------------------------------------------------- links from readers */

const char *libedit_page_href(struct req *req, struct db *db, int64_t page_id, const char **label)
{
	struct libedit_page pg;
	*label = NULL;
	if (policy_allows("content.edit", &req->who) &&
	    libedit_page_get(db, req->arena, 0, page_id, &pg) == DB_OK) {
		*label = page_msg("library.edit.link.page");
		return arena_printf(req->arena, "/library/edit/%lld", (long long)page_id);
	}
	if (policy_allows("content.org.write", &req->who) && req->who.org_id > 0 &&
	    libedit_page_get(db, req->arena, req->who.org_id, page_id, &pg) == DB_OK) {
		*label = page_msg("library.edit.link.page");
		return arena_printf(req->arena, "/org/pages/%lld", (long long)page_id);
	}
	return NULL;
}

const char *libedit_listing_href(const struct req *req, const char **label)
{
	*label = NULL;
	if (policy_allows("content.edit", &req->who)) {
		*label = page_msg("library.edit.link.shared");
		return "/library/edit";
	}
	if (policy_allows("content.org.write", &req->who)) {
		*label = page_msg("library.edit.link.org");
		return "/org/pages";
	}
	return NULL;
}

/* ------------------------------------------------------------------ index */

static int index_page(struct req *req, bool org)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_item *items = NULL;
	size_t n = 0;
	if (!db || libedit_pages(db, req->arena, s.org_id, &items, &n) != DB_OK)
		return -1;
	json_t *list = json_array();
	const char *zone = libedit_zone(req, db);
	size_t edited = 0, waiting = 0, unpublished = 0;
	for (size_t i = 0; list && i < n; i++) {
		const struct libedit_item *it = &items[i];
		const char *href = arena_printf(req->arena, "%s/%lld", s.base, (long long)it->id);
		bool wait = !org && it->update_waiting;
		edited += !org && it->locally_edited;
		waiting += wait;
		unpublished += !it->published;
		json_array_append_new(
		        list,
		        json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s?, s:s, s:s}", "title",
		                  it->title, "href", href, "kind",
		                  libedit_kind_label(req, it->kind), "visibility",
		                  libedit_visibility_label(req, it->visibility), "published",
		                  it->published, "locally_edited", !org && it->locally_edited,
		                  "update_waiting", wait, "update_href",
		                  wait ? arena_printf(req->arena, "%s/update", href) : NULL,
		                  "updated", libedit_time(req, zone, it->updated_at), "updated_iso",
		                  libedit_iso_time(req, it->updated_at)));
	}
	json_t *data = json_pack(
	        "{s:s, s:b, s:o, s:I, s:I, s:I, s:I, s:s?, s:s?}", "page_title",
	        page_msg(org ? "library.edit.org_index.heading" : "library.edit.index.heading"),
	        "org", org, "items", list, "count", (json_int_t)n, "edited", (json_int_t)edited,
	        "waiting", (json_int_t)waiting, "unpublished", (json_int_t)unpublished, "org_name",
	        org ? req->who.org_name : NULL, "notice", libedit_notice(req));
	if (!data)
		return -1;
	return page_render(req, 200, "library/edit_index", NULL, data);
}

int libedit_index(struct req *req)
{
	return index_page(req, false);
}

int libedit_org_index(struct req *req)
{
	return index_page(req, true);
}

/* ------------------------------------------------------------------- view */

static json_t *parse_array(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text ? text : "[]", 0, &err);
	if (v && json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

static int view(struct req *req, bool org)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct library_viewer v;
	struct library_profile profile;
	if (!db)
		return -1;
	int rc = libedit_load(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	library_viewer_from(&req->who, &v);
	if (rc != DB_OK || library_profile(db, req->arena, &v, &profile) != DB_OK)
		return -1;
	const char *html = placeholders_fill(
	        req->arena, pg.cur.html, library_profile_lookup, &profile,
	        policy_allows("org.settings.manage", &req->who) ? "/org/settings" : NULL);
	if (html)
		html = library_wrap_tables(req, html);
	if (!html)
		return -1;
	json_t *data = json_pack("{s:s, s:o, s:s, s:s, s:o, s:o, s:s, s:s?, s:s}", "page_title",
	                         pg.cur.title, "doc", libedit_doc(req, &s, &pg), "html", html,
	                         "summary", pg.cur.summary, "toc", parse_array(pg.cur.toc_json),
	                         "sources", parse_array(pg.cur.sources_json), "reviewed",
	                         pg.cur.reviewed, "notice", libedit_notice(req), "here", "view");
	if (!data)
		return -1;
	return page_render(req, 200, "library/edit_view", NULL, data);
}

int libedit_view(struct req *req)
{
	return view(req, false);
}

int libedit_org_view(struct req *req)
{
	return view(req, true);
}

/* ---------------------------------------------------------------- history */

/* Who made a revision, as the history says it. */
static const char *made_by(struct req *req, const struct libedit_revision *r)
{
	if (r->author[0])
		return r->author;
	if (r->pack_version[0])
		return libedit_msg(req, "library.edit.history.by_pack", r->pack_version, NULL);
	return page_msg("library.edit.history.by_unknown");
}

static int history(struct req *req, bool org)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct libedit_revision *revs = NULL;
	size_t n = 0;
	int total = 0;
	if (!db)
		return -1;
	int rc = libedit_load(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK || libedit_revisions(db, req->arena, pg.id, &revs, &n, &total) != DB_OK)
		return -1;
	const char *base = arena_printf(req->arena, "%s/%lld", s.base, (long long)pg.id);
	json_t *list = json_array(), *from = json_array(), *to = json_array();
	const char *zone = libedit_zone(req, db);
	int cur = pg.current_number;
	for (size_t i = 0; list && from && to && i < n; i++) {
		const struct libedit_revision *r = &revs[i];
		bool current = r->id == pg.current_rev, pending = !org && r->id == pg.pending_rev;
		json_array_append_new(
		        list,
		        json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:b, s:s?}", "number", r->number,
		                  "time", libedit_time(req, zone, r->created_at), "iso",
		                  libedit_iso_time(req, r->created_at), "author", made_by(req, r),
		                  "message", r->message, "current", current, "pending", pending,
		                  "diff_href",
		                  r->number > 1 ? arena_printf(req->arena, "%s/diff?from=%d&to=%d",
		                                               base, r->number - 1, r->number)
		                                : NULL));
		const char *label =
		        libedit_msg(req, "library.edit.history.option",
		                    arena_printf(req->arena, "%d", r->number), r->message);
		json_array_append_new(from,
		                      json_pack("{s:i, s:s, s:b}", "value", r->number, "label",
		                                label, "selected", r->number == cur - 1));
		json_array_append_new(to,
		                      json_pack("{s:i, s:s, s:b}", "value", r->number, "label",
		                                label, "selected", r->number == cur));
	}
	json_t *data = json_pack(
	        "{s:s, s:o, s:o, s:i, s:I, s:b, s:o, s:o, s:s, s:s, s:s?, s:s}", "page_title",
	        libedit_msg(req, "library.edit.history.heading", pg.cur.title, NULL), "doc",
	        libedit_doc(req, &s, &pg), "revisions", list, "total", total, "shown",
	        (json_int_t)n, "more", (size_t)total > n, "from", from, "to", to, "diff_action",
	        arena_printf(req->arena, "%s/diff", base), "rollback_action",
	        arena_printf(req->arena, "%s/rollback", base), "notice", libedit_notice(req),
	        "here", "history");
	if (!data)
		return -1;
	return page_render(req, 200, "library/edit_history", NULL, data);
}

int libedit_history(struct req *req)
{
	return history(req, false);
}

int libedit_org_history(struct req *req)
{
	return history(req, true);
}

/* ------------------------------------------------------------------- diff */

/* A revision as the diff page names it. */
static json_t *revision_json(struct req *req, const char *zone, const struct libedit_revision *r)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:s}", "number", r->number, "time",
	                 libedit_time(req, zone, r->created_at), "iso",
	                 libedit_iso_time(req, r->created_at), "author", made_by(req, r), "message",
	                 r->message);
}

/* The diff of two revisions of pg as template data (doc text, the pack
 * file's shape); NULL on failure. */
static json_t *compare(struct req *req, const struct libedit_page *pg,
                       const struct libedit_revision *a, const struct libedit_revision *b)
{
	size_t la, lb;
	const char *ta = libedit_doc_text(req, pg->slug, &a->c, &la);
	const char *tb = libedit_doc_text(req, pg->slug, &b->c, &lb);
	return ta && tb ? libedit_diff_json(req, ta, la, tb, lb) : NULL;
}

static int diff(struct req *req, bool org)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct libedit_revision a, b;
	if (!db)
		return -1;
	int rc = libedit_load(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	/* Without numbers: the current revision against the one before. */
	int64_t from = pg.current_number > 1 ? pg.current_number - 1 : 1, to = pg.current_number;
	const char *qf = req_query(req, "from"), *qt = req_query(req, "to");
	if ((qf && !libedit_parse_id(qf, &from)) || (qt && !libedit_parse_id(qt, &to)) ||
	    from > INT32_MAX || to > INT32_MAX)
		return http_error(req, 404, NULL);
	rc = libedit_revision_get(db, req->arena, pg.id, (int)from, &a);
	if (rc == DB_OK)
		rc = libedit_revision_get(db, req->arena, pg.id, (int)to, &b);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	json_t *d = compare(req, &pg, &a, &b);
	if (!d)
		return -1;
	const char *zone = libedit_zone(req, db);
	json_t *data =
	        json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:s}", "page_title",
	                  libedit_msg(req, "library.edit.diff.heading", pg.cur.title, NULL), "doc",
	                  libedit_doc(req, &s, &pg), "from", revision_json(req, zone, &a), "to",
	                  revision_json(req, zone, &b), "diff", d, "diff_caption",
	                  libedit_msg(req, "library.edit.diff.caption",
	                              arena_printf(req->arena, "%d", a.number),
	                              arena_printf(req->arena, "%d", b.number)),
	                  "here", "diff");
	if (!data)
		return -1;
	return page_render(req, 200, "library/edit_diff", NULL, data);
}

int libedit_diff(struct req *req)
{
	return diff(req, false);
}

int libedit_org_diff(struct req *req)
{
	return diff(req, true);
}

/* ---------------------------------------------------------------- changes */

/* Reads the page again inside the open transaction (its state may have
 * changed since the request began). DB_DONE: gone from the scope. */
static int reload(struct req *req, struct db *db, const struct libedit_scope *s,
                  struct libedit_page *pg)
{
	int rc = libedit_begin(db);
	if (rc == DB_OK)
		rc = libedit_load(req, db, s, pg);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

/* Commits, or rolls back and logs. */
static int commit(struct db *db, int rc, const char *what)
{
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "%s a library page: %s", what, db_errmsg(db));
	}
	return rc;
}

static int redirect(struct req *req, const struct libedit_scope *s, int64_t id, const char *tail)
{
	return http_redirect(req, 303,
	                     arena_printf(req->arena, "%s/%lld%s", s->base, (long long)id, tail));
}

static int rollback(struct req *req, bool org)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct libedit_revision r;
	int64_t number;
	if (!db)
		return -1;
	int rc = reload(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	rc = libedit_parse_id(req_form(req, "revision"), &number) && number <= INT32_MAX
	        ? libedit_revision_get(db, req->arena, pg.id, (int)number, &r)
	        : DB_DONE;
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK && r.id == pg.current_rev) {
		db_rollback(db); /* it is the page already: nothing to do */
		return redirect(req, &s, pg.id, "/history");
	}
	const char *num = arena_printf(req->arena, "%d", r.number);
	const char *message = libedit_msg(req, "library.edit.rollback.message", num, NULL);
	int64_t rev;
	if (rc == DB_OK)
		rc = libedit_copy(db, pg.id, r.id, req->who.user_id, message, (int64_t)time(NULL),
		                  !org, false, &rev);
	if (rc == DB_OK)
		rc = libedit_audit(db, req, "library.page.rollback", pg.id,
		                   json_pack("{s:s, s:s, s:i, s:i}", "scope",
		                             org ? "org" : "shared", "slug", pg.slug, "to_revision",
		                             r.number, "revision", pg.current_number + 1));
	if (commit(db, rc, "rolling back") != DB_OK)
		return -1;
	return redirect(req, &s, pg.id, "/history?done=rolledback");
}

int libedit_rollback(struct req *req)
{
	return rollback(req, false);
}

int libedit_org_rollback(struct req *req)
{
	return rollback(req, true);
}

static int set_published(struct req *req, bool org, bool published)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	if (!db)
		return -1;
	int rc = reload(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	const char *done = published ? "?done=published" : "?done=unpublished";
	if (pg.published == published) {
		db_rollback(db); /* already so */
		return redirect(req, &s, pg.id, done);
	}
	/* On a shared page this is a local decision a newer pack keeps. */
	rc = libedit_set_published(db, pg.id, published, !org, (int64_t)time(NULL));
	if (rc == DB_OK)
		rc = libedit_audit(db, req,
		                   published ? "library.page.publish" : "library.page.unpublish",
		                   pg.id,
		                   json_pack("{s:s, s:s, s:i}", "scope", org ? "org" : "shared",
		                             "slug", pg.slug, "revision", pg.current_number));
	if (commit(db, rc, published ? "publishing" : "unpublishing") != DB_OK)
		return -1;
	return redirect(req, &s, pg.id, done);
}

int libedit_publish(struct req *req)
{
	return set_published(req, false, true);
}

int libedit_unpublish(struct req *req)
{
	return set_published(req, false, false);
}

int libedit_org_publish(struct req *req)
{
	return set_published(req, true, true);
}

int libedit_org_unpublish(struct req *req)
{
	return set_published(req, true, false);
}

/* ------------------------------------------------------ the waiting update */

int libedit_update(struct req *req)
{
	struct libedit_scope s;
	libedit_scope_of(req, false, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct libedit_revision cur, upd;
	if (!db)
		return -1;
	int rc = libedit_load(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	json_t *update = NULL, *d = NULL;
	const char *zone = libedit_zone(req, db);
	if (pg.pending_rev > 0) {
		rc = libedit_revision_by_id(db, req->arena, pg.id, pg.current_rev, &cur);
		if (rc == DB_OK)
			rc = libedit_revision_by_id(db, req->arena, pg.id, pg.pending_rev, &upd);
		if (rc != DB_OK)
			return -1;
		d = compare(req, &pg, &cur, &upd);
		update =
		        json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)upd.id, "version",
		                  upd.pack_version, "time", libedit_time(req, zone, upd.created_at),
		                  "iso", libedit_iso_time(req, upd.created_at));
		if (!update || !d) {
			json_decref(update);
			json_decref(d);
			return -1;
		}
	}
	const char *base = arena_printf(req->arena, "%s/%lld", s.base, (long long)pg.id);
	json_t *data =
	        json_pack("{s:s, s:o, s:o?, s:o?, s:s, s:s, s:s, s:s}", "page_title",
	                  libedit_msg(req, "library.edit.update.heading", pg.cur.title, NULL),
	                  "doc", libedit_doc(req, &s, &pg), "update", update, "diff", d,
	                  "diff_caption", page_msg("library.edit.update.caption"), "take_action",
	                  arena_printf(req->arena, "%s/update/take", base), "dismiss_action",
	                  arena_printf(req->arena, "%s/update/dismiss", base), "here", "update");
	if (!data)
		return -1;
	return page_render(req, 200, "library/edit_update", NULL, data);
}

/* Takes (copies into a new revision) or dismisses the waiting update the
 * form named: a different or no update waiting now sends the editor back
 * to see it. */
static int update_choice(struct req *req, bool take)
{
	struct libedit_scope s;
	libedit_scope_of(req, false, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct libedit_revision upd;
	int64_t shown = 0;
	if (!db)
		return -1;
	int rc = reload(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	if (pg.pending_rev == 0 || !libedit_parse_id(req_form(req, "update"), &shown) ||
	    shown != pg.pending_rev) {
		db_rollback(db);
		return redirect(req, &s, pg.id, "/update");
	}
	int64_t now = (int64_t)time(NULL), rev;
	rc = libedit_revision_by_id(db, req->arena, pg.id, pg.pending_rev, &upd);
	if (rc == DB_OK && take)
		/* The page follows the pack again: its next versions apply. */
		rc = libedit_copy(db, pg.id, pg.pending_rev, req->who.user_id,
		                  libedit_msg(req, "library.edit.update.taken.message",
		                              upd.pack_version, NULL),
		                  now, false, true, &rev);
	else if (rc == DB_OK)
		rc = libedit_dismiss_update(db, pg.id, now);
	if (rc == DB_OK)
		rc = libedit_audit(
		        db, req, take ? "library.page.update.take" : "library.page.update.dismiss",
		        pg.id,
		        take ? json_pack("{s:s, s:s, s:s, s:i}", "scope", "shared", "slug", pg.slug,
		                         "version", upd.pack_version, "revision",
		                         pg.current_number + 1)
		             : json_pack("{s:s, s:s, s:s}", "scope", "shared", "slug", pg.slug,
		                         "version", upd.pack_version));
	if (commit(db, rc, take ? "taking an update of" : "dismissing an update of") != DB_OK)
		return -1;
	return redirect(req, &s, pg.id, take ? "?done=taken" : "?done=dismissed");
}

int libedit_update_take(struct req *req)
{
	return update_choice(req, true);
}

int libedit_update_dismiss(struct req *req)
{
	return update_choice(req, false);
}
