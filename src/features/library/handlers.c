/* features/library/handlers.c — the reading pages of the knowledge base
 * (/guide, /practices, /resources and a page of each) and their JSON twins
 * under /api/v1/library/. Each asks the store for what the reader may see
 * (store.h decides, in SQL) and shows it: a page's cached HTML with its
 * placeholders filled from the reader's organization, the draft banner and
 * disclaimer of its pack, its table of contents, sources and last-reviewed
 * date. A page the reader may not see answers 404, exactly like one that
 * does not exist. */
#include "features/library/library.h"

#include "auth/policy.h"
#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/library/edit.h"
#include "features/library/placeholders.h"
#include "features/library/store.h"
#include "render/page.h"
#include "render/template.h"

#include <string.h>

/* One section of the library: the kind of page it lists and where. */
struct section {
	const char *kind; /* as the store names it */
	const char *path; /* "/guide" */
	const char *key; /* catalogue keys library.<key>.* */
};

static const struct section sections[] = {
        {"guide", "/guide", "guide"},
        {"practice", "/practices", "practices"},
        {"resource", "/resources", "resources"},
};

static const struct section *section_of(const char *kind)
{
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (strcmp(sections[i].kind, kind) == 0)
			return &sections[i];
	return NULL;
}

static const char *msg(struct req *req, const struct section *s, const char *what)
{
	return page_msg(arena_printf(req->arena, "library.%s.%s", s->key, what));
}

/* The catalogue's name for a tier a reader may need to know about (members
 * only, law enforcement only, this organization only); NULL for public. */
static const char *tier_label(const char *visibility, bool own)
{
	if (own)
		return page_msg("library.tier.org");
	if (strcmp(visibility, "members") == 0)
		return page_msg("library.tier.members");
	if (strcmp(visibility, "law_enforcement") == 0)
		return page_msg("library.tier.law_enforcement");
	if (strcmp(visibility, "org") == 0)
		return page_msg("library.tier.org");
	return NULL;
}

/* The window title of a page: its title, cut at a word when it is longer
 * than TITLE_MAX as escaped HTML (the layout adds " — " and the
 * deployment's name; browsers and search results cut long titles anyway,
 * and html-validate wants the whole title within 70 characters). */
#define TITLE_MAX 52

static const char *short_title(struct req *req, const char *title)
{
	size_t width = 0, space = 0;
	for (size_t i = 0; title[i]; i++) {
		if (((unsigned char)title[i] & 0xc0) == 0x80)
			continue; /* a UTF-8 continuation byte */
		width += strchr("&<>\"'`", title[i]) ? 5 : 1; /* as escaped */
		if (width > TITLE_MAX)
			return arena_printf(req->arena, "%.*s…", (int)(space ? space : i), title);
		if (title[i] == ' ')
			space = i;
	}
	return title;
}

/* ---------------------------------------------------------------- listings */

static int index_page(struct req *req, const struct section *s)
{
	struct db *db = db_pool_get();
	struct library_viewer v;
	struct library_item *items = NULL;
	size_t n = 0;
	library_viewer_from(&req->who, &v);
	if (!db || library_list(db, req->arena, &v, s->kind, &items, &n) != DB_OK)
		return -1;
	json_t *list = json_array();
	bool draft = false;
	for (size_t i = 0; list && i < n; i++) {
		draft |= items[i].draft;
		json_array_append_new(
		        list,
		        json_pack("{s:s, s:s, s:s, s:s?}", "title", items[i].title, "summary",
		                  items[i].summary, "href",
		                  arena_printf(req->arena, "%s/%s", s->path, items[i].slug), "tier",
		                  tier_label(items[i].visibility, items[i].own)));
	}
	const char *edit_label, *edit_href = libedit_listing_href(req, &edit_label);
	json_t *data =
	        json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:s?, s:s?}", "heading",
	                  msg(req, s, "heading"), "intro", msg(req, s, "intro"), "page_title",
	                  msg(req, s, "heading"), "items", list, "draft", draft, "signed_in",
	                  v.user_id > 0, "pdf", strcmp(s->kind, "guide") == 0 && n > 0, "edit_href",
	                  edit_href, "edit_label", edit_label);
	if (!data)
		return -1;
	return page_render(req, 200, "library/index", NULL, data);
}

int library_guide_index(struct req *req)
{
	return index_page(req, &sections[0]);
}

int library_practices_index(struct req *req)
{
	return index_page(req, &sections[1]);
}

int library_resources_index(struct req *req)
{
	return index_page(req, &sections[2]);
}

/* ------------------------------------------------------------------ a page */

/* The page's HTML with the placeholders of the reader's organization
 * filled; the prompt to set a missing field links to the settings only for
 * those who may change them. NULL on failure. */
static const char *filled(struct req *req, struct db *db, const struct library_viewer *v,
                          const char *html)
{
	struct library_profile profile;
	if (library_profile(db, req->arena, v, &profile) != DB_OK)
		return NULL;
	bool may_edit = v->user_id > 0 && policy_allows("org.settings.manage", &req->who);
	return placeholders_fill(req->arena, html, library_profile_lookup, &profile,
	                         may_edit ? "/org/settings" : NULL);
}

/* Each table of the rendered page inside a box that scrolls sideways when
 * the table is wider than the screen, and that the keyboard can reach
 * (tabindex) and a screen reader names. The renderer writes "<table>" and
 * "</table>" only for tables: text "<" is always escaped. NULL on no
 * memory. */
const char *library_wrap_tables(struct req *req, const char *html)
{
	static const char open[] = "<table>", close[] = "</table>";
	if (!strstr(html, open))
		return html;
	struct buf out;
	buf_init(&out, req->arena, strlen(html) * 2 + 4096);
	/* Landmarks need names of their own: "Table 1 …", "Table 2 …". */
	const char *label = page_msg("library.table"), *at = strstr(label, "{1}");
	int number = 0;
	for (const char *p = html;;) {
		const char *o = strstr(p, open), *c = o ? strstr(o, close) : NULL;
		if (!o || !c) {
			buf_puts(&out, p);
			break;
		}
		buf_append(&out, p, (size_t)(o - p));
		buf_puts(&out,
		         "<section class=\"table-scroll\" tabindex=\"0\" "
		         "aria-label=\"");
		if (at) {
			tpl_escape_html(&out, label, (size_t)(at - label));
			buf_printf(&out, "%d", ++number);
			tpl_escape_html(&out, at + 3, strlen(at + 3));
		} else {
			tpl_escape_html(&out, label, strlen(label));
		}
		buf_puts(&out, "\">");
		buf_append(&out, o, (size_t)(c - o) + sizeof close - 1);
		buf_puts(&out, "</section>");
		p = c + sizeof close - 1;
	}
	return out.err ? NULL : buf_cstr(&out);
}

static json_t *parse_array(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text ? text : "[]", 0, &err);
	if (v && json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

static int show_page(struct req *req, const struct section *s)
{
	struct db *db = db_pool_get();
	struct library_viewer v;
	struct library_page pg;
	library_viewer_from(&req->who, &v);
	if (!db)
		return -1;
	int rc = library_page_get(db, req->arena, &v, s->kind, req_param(req, "slug"), &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	const char *html = filled(req, db, &v, pg.html);
	if (html)
		html = library_wrap_tables(req, html);
	if (!html)
		return -1;
	const char *edit_label, *edit_href = libedit_page_href(req, db, pg.id, &edit_label);
	json_t *data =
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:o, s:s, s:s?, s:s?, "
	                  "s:s?}",
	                  "page_title", short_title(req, pg.title), "title", pg.title, "summary",
	                  pg.summary, "html", html, "section_href", s->path, "section_label",
	                  msg(req, s, "back"), "draft", pg.draft, "disclaimer", pg.disclaimer,
	                  "toc", parse_array(pg.toc_json), "sources", parse_array(pg.sources_json),
	                  "reviewed", pg.reviewed, "tier", tier_label(pg.visibility, pg.own),
	                  "edit_href", edit_href, "edit_label", edit_label);
	if (!data)
		return -1;
	return page_render(req, 200, "library/page", NULL, data);
}

int library_guide_page(struct req *req)
{
	return show_page(req, &sections[0]);
}

int library_practices_page(struct req *req)
{
	return show_page(req, &sections[1]);
}

int library_resources_page(struct req *req)
{
	return show_page(req, &sections[2]);
}

/* --------------------------------------------------------------------- API */

int library_api_pages(struct req *req)
{
	const char *kind = req_query(req, "kind");
	if (kind && !kind[0])
		kind = NULL;
	if (kind && !section_of(kind))
		return http_json_error(req, 422, "invalid", page_msg("library.api.kind.invalid"));
	struct db *db = db_pool_get();
	struct library_viewer v;
	struct library_item *items = NULL;
	size_t n = 0;
	library_viewer_from(&req->who, &v);
	if (!db || library_list(db, req->arena, &v, kind, &items, &n) != DB_OK)
		return -1;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		const struct section *s = section_of(items[i].kind);
		json_array_append_new(list,
		                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b}", "slug",
		                                items[i].slug, "kind", items[i].kind, "title",
		                                items[i].title, "summary", items[i].summary,
		                                "visibility",
		                                items[i].own ? "org" : items[i].visibility, "order",
		                                items[i].order, "url",
		                                arena_printf(req->arena, "%s/%s", s ? s->path : "",
		                                             items[i].slug),
		                                "draft", items[i].draft));
	}
	return http_json(req, 200, json_pack("{s:o}", "pages", list));
}

int library_api_page(struct req *req)
{
	struct db *db = db_pool_get();
	struct library_viewer v;
	struct library_page pg;
	library_viewer_from(&req->who, &v);
	if (!db)
		return -1;
	int rc = library_page_get(db, req->arena, &v, NULL, req_param(req, "slug"), &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	const char *html = filled(req, db, &v, pg.html);
	const struct section *s = section_of(pg.kind);
	if (!html)
		return -1;
	return http_json(req, 200,
	                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:b, s:s}",
	                           "slug", pg.slug, "kind", pg.kind, "title", pg.title, "summary",
	                           pg.summary, "visibility", pg.own ? "org" : pg.visibility, "url",
	                           arena_printf(req->arena, "%s/%s", s ? s->path : "", pg.slug),
	                           "html", html, "toc", parse_array(pg.toc_json), "sources",
	                           parse_array(pg.sources_json), "reviewed", pg.reviewed, "draft",
	                           pg.draft, "disclaimer", pg.disclaimer));
}
