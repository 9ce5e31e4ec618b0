/* features/library/read.c — reading the knowledge base (store.h): listings,
 * one page, and the agency profile that fills the placeholders. Who may see
 * what is decided here, in SQL, by one condition that every query shares
 * (VISIBLE), from the reader's user id and active organization alone:
 *
 *   - a pack's public page: anyone;
 *   - a pack's members page: an active member of an active organization;
 *   - a pack's law_enforcement page: the same, when that organization is of
 *     kind law_enforcement;
 *   - an organization's own page (whatever its visibility says): the active
 *     members of that organization;
 *   - everything published: an active site admin.
 *
 * The reader's membership and site-admin flag are read from the store in
 * the same statement, so nothing a caller passes is taken on trust. A page
 * the reader may not see is not found, exactly like one that does not
 * exist. */
#include "features/library/store.h"

#include "auth/principal.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/settings.h"
#include "features/library/pack.h"

#include <stddef.h>
#include <string.h>

/* The condition itself is LIBRARY_VISIBLE (store.h), shared with search. */
#define VISIBLE LIBRARY_VISIBLE

/* 1 when the page comes from a pack whose active version is a draft that
 * no one has reviewed yet. */
#define DRAFT "CASE WHEN v.review_status = 'draft' AND v.reviewed_on IS NULL THEN 1 ELSE 0 END"

void library_viewer_from(const struct principal *who, struct library_viewer *out)
{
	out->user_id = 0;
	out->org_id = 0;
	if (!who || !who->authenticated || who->must_enrol)
		return;
	out->user_id = who->user_id;
	out->org_id = who->org_id;
}

bool library_slug_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > PACK_SLUG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

static int bind_viewer(struct db_stmt *st, const struct library_viewer *v)
{
	int rc = db_bind_int64(st, 1, v->user_id > 0 ? v->user_id : 0);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, v->user_id > 0 && v->org_id > 0 ? v->org_id : 0);
	return rc;
}

int library_list(struct db *db, struct arena *a, const struct library_viewer *v, const char *kind,
                 struct library_item **out, size_t *n)
{
	static const char sql[] =
	        "SELECT p.id, p.slug, p.kind, p.title, p.summary, p.visibility, p.sort_order, "
	        "CASE WHEN p.org_id = $2 THEN 1 ELSE 0 END, " DRAFT " "
	        "FROM library_pages p LEFT JOIN library_versions v ON v.pack = p.pack "
	        "AND v.active = 1 WHERE ($3 = '' OR p.kind = $3) AND " VISIBLE " "
	        "ORDER BY CASE p.kind WHEN 'guide' THEN 0 WHEN 'practice' THEN 1 ELSE 2 END, "
	        "p.sort_order, p.title, p.id LIMIT 2000";
	_Static_assert(LIBRARY_MAX_LIST == 2000, "the LIMIT above");
	size_t cap = 64;
	struct library_item *list = arena_calloc(a, cap, sizeof *list);
	struct db_stmt *st;
	*n = 0;
	*out = list;
	if (!list)
		return DB_ENOMEM;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_viewer(st, v);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, kind ? kind : "", (size_t)-1);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			struct library_item *bigger = arena_calloc(a, 2 * cap, sizeof *bigger);
			if (!bigger) {
				rc = DB_ENOMEM;
				break;
			}
			memcpy(bigger, list, cap * sizeof *list);
			list = bigger;
			cap *= 2;
		}
		struct library_item *it = &list[(*n)++];
		it->id = db_column_int64(st, 0);
		it->slug = col(a, st, 1);
		it->kind = col(a, st, 2);
		it->title = col(a, st, 3);
		it->summary = col(a, st, 4);
		it->visibility = col(a, st, 5);
		it->order = (int)db_column_int64(st, 6);
		it->own = db_column_int64(st, 7) != 0;
		it->draft = db_column_int64(st, 8) != 0;
		rc = it->slug && it->kind && it->title && it->summary && it->visibility ? DB_OK
		                                                                        : DB_ENOMEM;
	}
	db_finalize(st);
	*out = list;
	return rc == DB_DONE ? DB_OK : rc;
}

int library_page_get(struct db *db, struct arena *a, const struct library_viewer *v,
                     const char *kind, const char *slug, struct library_page *out)
{
	static const char sql[] =
	        "SELECT p.id, p.slug, p.kind, p.title, p.summary, p.visibility, r.html, "
	        "r.toc_json, r.sources_json, r.reviewed, CASE WHEN p.org_id = $2 THEN 1 ELSE 0 "
	        "END, " DRAFT ", COALESCE(v.disclaimer, ''), p.updated_at "
	        "FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id "
	        "LEFT JOIN library_versions v ON v.pack = p.pack AND v.active = 1 "
	        "WHERE p.slug = $3 AND ($4 = '' OR p.kind = $4) AND " VISIBLE " "
	        "ORDER BY CASE WHEN p.org_id = $2 THEN 0 WHEN p.org_id IS NULL THEN 1 ELSE 2 END, "
	        "p.id LIMIT 1";
	if (!library_slug_valid(slug))
		return DB_DONE;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_viewer(st, v);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, slug, (size_t)-1);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, kind ? kind : "", (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->slug = col(a, st, 1);
		out->kind = col(a, st, 2);
		out->title = col(a, st, 3);
		out->summary = col(a, st, 4);
		out->visibility = col(a, st, 5);
		out->html = col(a, st, 6);
		out->toc_json = col(a, st, 7);
		out->sources_json = col(a, st, 8);
		out->reviewed = col(a, st, 9);
		out->own = db_column_int64(st, 10) != 0;
		out->draft = db_column_int64(st, 11) != 0;
		out->disclaimer = col(a, st, 12);
		out->updated_at = db_column_int64(st, 13);
		rc = out->slug && out->kind && out->title && out->summary && out->visibility &&
		                out->html && out->toc_json && out->sources_json && out->reviewed &&
		                out->disclaimer
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

/* "" reads as unset. */
static const char *set_or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

int library_profile(struct db *db, struct arena *a, const struct library_viewer *v,
                    struct library_profile *out)
{
	static const char sql[] =
	        "SELECT o.name, o.display_name, o.state, o.jurisdiction, o.hotline, o.time_zone, "
	        "o.law_summary FROM organizations o JOIN memberships m ON m.org_id = o.id "
	        "WHERE o.id = $2 AND m.user_id = $1 AND m.status = 'active' "
	        "AND o.status = 'active'";
	memset(out, 0, sizeof *out);
	const char *name = NULL;
	int rc = db_setting_get(db, a, "deployment.name", &name);
	if (rc < 0)
		return rc;
	out->deployment_name = set_or_null(name);
	if (v->user_id <= 0 || v->org_id <= 0)
		return DB_OK;
	struct db_stmt *st;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_viewer(st, v);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		const char *org = col(a, st, 0), *display = col(a, st, 1);
		out->name = set_or_null(display) ? display : set_or_null(org);
		out->state = set_or_null(col(a, st, 2));
		out->jurisdiction = set_or_null(col(a, st, 3));
		out->hotline = set_or_null(col(a, st, 4));
		out->time_zone = set_or_null(col(a, st, 5));
		out->law_summary = set_or_null(col(a, st, 6));
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK; /* not a member there (any more): nothing to fill */
	}
	db_finalize(st);
	return rc;
}

const char *library_profile_lookup(void *ctx, const char *name)
{
	const struct library_profile *p = ctx;
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
	        {"agency.name", offsetof(struct library_profile, name)},
	        {"agency.state", offsetof(struct library_profile, state)},
	        {"agency.jurisdiction", offsetof(struct library_profile, jurisdiction)},
	        {"agency.hotline", offsetof(struct library_profile, hotline)},
	        {"agency.time_zone", offsetof(struct library_profile, time_zone)},
	        {"state.law_summary", offsetof(struct library_profile, law_summary)},
	        {"deployment.name", offsetof(struct library_profile, deployment_name)},
	};
	if (!p || !name)
		return NULL;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i].name, name) == 0)
			return *(const char *const *)(const void *)((const char *)p +
			                                            fields[i].off);
	return NULL; /* partners.*: the partner directory does not exist yet */
}

int library_guide_parts(struct db *db, struct arena *a, const struct library_viewer *v,
                        struct library_guide *out)
{
	static const char sql[] =
	        "SELECT p.slug, p.title, r.markdown, r.sources_json, " DRAFT ", "
	        "COALESCE(v.disclaimer, ''), COALESCE(v.as_of, '') "
	        "FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id "
	        "LEFT JOIN library_versions v ON v.pack = p.pack AND v.active = 1 "
	        "WHERE p.kind = 'guide' AND " VISIBLE " "
	        "ORDER BY CASE WHEN p.org_id IS NULL THEN 0 ELSE 1 END, p.sort_order, p.title, "
	        "p.id "
	        "LIMIT 200";
	_Static_assert(LIBRARY_MAX_GUIDE_PARTS == 200, "the LIMIT above");
	memset(out, 0, sizeof *out);
	out->parts = arena_calloc(a, LIBRARY_MAX_GUIDE_PARTS, sizeof *out->parts);
	if (!out->parts)
		return DB_ENOMEM;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = bind_viewer(st, v);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct library_guide_part *p = &out->parts[out->n++];
		p->slug = col(a, st, 0);
		p->title = col(a, st, 1);
		p->markdown = col(a, st, 2);
		p->sources_json = col(a, st, 3);
		out->draft |= db_column_int64(st, 4) != 0;
		/* The pack's words; an organization's own pages have none. */
		const char *disclaimer = col(a, st, 5), *as_of = col(a, st, 6);
		if (!p->slug || !p->title || !p->markdown || !p->sources_json || !disclaimer ||
		    !as_of) {
			rc = DB_ENOMEM;
			break;
		}
		if (!out->disclaimer || !out->disclaimer[0])
			out->disclaimer = disclaimer;
		if (!out->as_of || !out->as_of[0])
			out->as_of = as_of;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}
