/* features/library/edit_form.c — the edit form of a page, and the create
 * form of an organization's own page. One POST serves both buttons:
 * "Preview" re-renders the form with the page rendered below it and never
 * writes; "Save" checks the page with the pack's rules (edit_check.c for
 * the front matter; the pack's placeholder check, markdown_render and the
 * store's pages for the Markdown and its links), then stores a new revision
 * with its rendered HTML in one transaction with its audit record, and
 * redirects (303). A problem re-renders the form with the input kept and
 * every problem named (422); a save over someone else's newer revision is
 * refused once (409) with a link to the history. */
#include "features/library/edit.h"
#include "features/library/edit_internal.h"

#include "auth/policy.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/library/edit_check.h"
#include "features/library/frontmatter.h"
#include "features/library/library.h"
#include "features/library/markdown.h"
#include "features/library/pack.h"
#include "features/library/placeholders.h"
#include "features/library/store.h"
#include "render/page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLANK_SOURCE_ROWS 2 /* empty source rows offered for additions */
#define LINK_TARGETS_MAX 1000 /* other pages one page's links are checked against */

static const char *const visibilities[] = {"public", "members", "law_enforcement"};
static const char *const kinds[] = {"guide", "practice", "resource"};

/* What the form shows besides the page. */
struct edit_form {
	json_t *values; /* the fields as typed or stored */
	json_t *sources; /* [{index, number, title, publisher, url, checked, e_*}] */
	json_t *errors; /* field -> text */
	json_t *body_problems; /* [{line, text}] */
	json_t *preview; /* {title, summary, html, sources} or NULL */
	bool conflict;
};

static void form_free(struct edit_form *f)
{
	json_decref(f->values);
	json_decref(f->sources);
	json_decref(f->errors);
	json_decref(f->body_problems);
	json_decref(f->preview);
}

static json_t *options(const char *const *list, size_t n, const char *chosen,
                       const char *(*label)(struct req *, const char *), struct req *req)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a,
		                      json_pack("{s:s, s:s, s:b}", "value", list[i], "label",
		                                label(req, list[i]), "selected",
		                                chosen && strcmp(chosen, list[i]) == 0));
	return a;
}

/* The error summary's list: each field problem linking to its field, in
 * the form's order. */
static json_t *summary_list(const struct edit_form *f)
{
	static const char *const order[] = {"slug",       "kind",  "title",    "summary",
	                                    "visibility", "order", "reviewed", "sources"};
	json_t *list = json_array();
	for (size_t i = 0; list && i < sizeof order / sizeof order[0]; i++) {
		const char *t = json_string_value(json_object_get(f->errors, order[i]));
		if (t)
			json_array_append_new(list,
			                      json_pack("{s:s, s:s}", "href", order[i], "text", t));
	}
	size_t i;
	json_t *row;
	json_array_foreach(f->sources, i, row)
	{
		static const char *const parts[] = {"title", "publisher", "url", "checked"};
		for (size_t k = 0; k < 4; k++) {
			char key[16], href[48];
			snprintf(key, sizeof key, "e_%s", parts[k]);
			const char *t = json_string_value(json_object_get(row, key));
			if (!t)
				continue;
			snprintf(href, sizeof href, "source_%s_%lld", parts[k],
			         (long long)json_integer_value(json_object_get(row, "index")));
			json_array_append_new(list,
			                      json_pack("{s:s, s:s}", "href", href, "text", t));
		}
	}
	const char *t = json_string_value(json_object_get(f->errors, "body"));
	if (t)
		json_array_append_new(list, json_pack("{s:s, s:s}", "href", "body", "text", t));
	json_array_foreach(f->body_problems, i, row) json_array_append_new(
	        list,
	        json_pack("{s:s, s:O}", "href", "body", "text", json_object_get(row, "summary")));
	t = json_string_value(json_object_get(f->errors, "message"));
	if (t)
		json_array_append_new(list, json_pack("{s:s, s:s}", "href", "message", "text", t));
	return list;
}

/* Renders the form (f's parts are stolen). pg is NULL when creating. */
static int render(struct req *req, int status, const struct libedit_scope *s,
                  const struct libedit_page *pg, struct edit_form *f)
{
	bool creating = pg == NULL;
	const char *vis = json_string_value(json_object_get(f->values, "visibility"));
	const char *kind = json_string_value(json_object_get(f->values, "kind"));
	const char *notice = status == 200 ? libedit_notice(req) : NULL;
	json_t *problems = summary_list(f);
	const char *title = creating
	        ? page_msg("library.edit.new.heading")
	        : libedit_msg(req, "library.edit.form.heading", pg->cur.title, NULL);
	json_t *data = json_pack(
	        "{s:s, s:o?, s:b, s:b, s:s, s:s, s:o, s:o, s:o, s:o, s:o?, s:o, s:b, s:b, s:o, "
	        "s:o, s:s?, s:i, s:s}",
	        "page_title", title, "doc", creating ? NULL : libedit_doc(req, s, pg), "creating",
	        creating, "org", s->org, "action",
	        creating ? arena_printf(req->arena, "%s/new", s->base)
	                 : arena_printf(req->arena, "%s/%lld", s->base, (long long)pg->id),
	        "index_href", s->base, "values", f->values, "sources", f->sources, "errors",
	        f->errors, "body_problems", f->body_problems, "preview", f->preview, "problems",
	        problems, "has_errors", json_array_size(problems) > 0, "conflict", f->conflict,
	        "visibilities", options(visibilities, 3, vis, libedit_visibility_label, req),
	        "kinds", options(kinds, 3, kind, libedit_kind_label, req), "notice", notice,
	        "message_max", LIBEDIT_MESSAGE_MAX, "here", "edit");
	f->values = f->sources = f->errors = f->body_problems = f->preview = NULL;
	if (!data)
		return -1;
	return page_render(req, status, "library/edit", NULL, data);
}

/* One source row for the form. */
static json_t *source_row(size_t i, const char *title, const char *publisher, const char *url,
                          const char *checked)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "index", (json_int_t)i, "number",
	                 (json_int_t)(i + 1), "title", title ? title : "", "publisher",
	                 publisher ? publisher : "", "url", url ? url : "", "checked",
	                 checked ? checked : "");
}

static bool blank(const char *s)
{
	return str_trim(str_from(s ? s : "")).len == 0;
}

/* Adds empty rows after the last filled one, so at least BLANK_SOURCE_ROWS
 * are offered (never past LIBEDIT_MAX_SOURCE_ROWS). */
static void blank_rows(json_t *rows)
{
	size_t n = json_array_size(rows), trailing = 0;
	while (trailing < n) {
		json_t *r = json_array_get(rows, n - 1 - trailing);
		static const char *const parts[] = {"title", "publisher", "url", "checked"};
		bool empty = true;
		for (size_t k = 0; k < 4; k++)
			empty = empty && blank(json_string_value(json_object_get(r, parts[k])));
		if (!empty)
			break;
		trailing++;
	}
	for (size_t i = n; trailing < BLANK_SOURCE_ROWS && i < LIBEDIT_MAX_SOURCE_ROWS;
	     i++, trailing++)
		json_array_append_new(rows, source_row(i, "", "", "", ""));
}

/* The form filled from the page's current revision. */
static int form_from_page(struct req *req, const struct libedit_page *pg, struct edit_form *f)
{
	const struct libedit_content *c = &pg->cur;
	memset(f, 0, sizeof *f);
	f->values = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s%, s:s, s:I}", "title", c->title,
	                      "summary", c->summary, "visibility", c->visibility, "order",
	                      arena_printf(req->arena, "%d", c->order), "reviewed", c->reviewed,
	                      "body", c->markdown, c->markdown_len, "message", "", "base",
	                      (json_int_t)pg->current_rev);
	f->sources = json_array();
	f->errors = json_object();
	f->body_problems = json_array();
	json_error_t err;
	json_t *src = json_loads(c->sources_json, 0, &err);
	size_t i;
	json_t *s;
	json_array_foreach(src, i, s)
	{
		if (i >= LIBEDIT_MAX_SOURCE_ROWS)
			break;
		json_array_append_new(f->sources,
		                      source_row(i, json_string_value(json_object_get(s, "title")),
		                                 json_string_value(json_object_get(s, "publisher")),
		                                 json_string_value(json_object_get(s, "url")),
		                                 json_string_value(json_object_get(s, "checked"))));
	}
	json_decref(src);
	blank_rows(f->sources);
	return f->values && f->sources && f->errors && f->body_problems ? 0 : -1;
}

static const char *field(struct req *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}

/* The source rows as typed: source_(title|publisher|url|checked)_N, N from
 * 0. *beyond is set when a row past LIBEDIT_MAX_SOURCE_ROWS holds text. */
static struct libedit_source_in *typed_sources(struct req *req, size_t *n, bool *beyond)
{
	size_t rows = 0;
	*beyond = false;
	for (size_t i = 0; i < req->body.count; i++) {
		const struct form_field *fld = &req->body.fields[i];
		if (strncmp(fld->name, "source_", 7) != 0)
			continue;
		const char *us = strrchr(fld->name, '_');
		int64_t idx;
		if (!us || str_to_i64(str_from(us + 1), 0, 1000000, &idx) != 0)
			continue;
		if (idx >= LIBEDIT_MAX_SOURCE_ROWS)
			*beyond = *beyond || !blank(fld->value);
		else if ((size_t)idx + 1 > rows)
			rows = (size_t)idx + 1;
	}
	struct libedit_source_in *in = arena_calloc(req->arena, rows ? rows : 1, sizeof *in);
	for (size_t i = 0; in && i < rows; i++) {
		char name[40];
		snprintf(name, sizeof name, "source_title_%zu", i);
		in[i].title = field(req, name);
		snprintf(name, sizeof name, "source_publisher_%zu", i);
		in[i].publisher = field(req, name);
		snprintf(name, sizeof name, "source_url_%zu", i);
		in[i].url = field(req, name);
		snprintf(name, sizeof name, "source_checked_%zu", i);
		in[i].checked = field(req, name);
	}
	*n = rows;
	return in;
}

/* ------------------------------------------------------------ the Markdown */

struct linkcheck {
	struct req *req;
	struct db *db;
	int64_t org_id;
	const char *self_kind, *self_slug, *self_html;
	struct {
		const char *kind, *slug, *html; /* html NULL: no such page */
	} seen[LINK_TARGETS_MAX];
	size_t n;
};

static bool has_anchor(const char *html, const char *anchor, size_t len)
{
	if (!html || len == 0)
		return true;
	for (const char *p = strstr(html, "id=\""); p; p = strstr(p + 4, "id=\""))
		if (strncmp(p + 4, anchor, len) == 0 && p[4 + len] == '"')
			return true;
	return false;
}

/* The target page's HTML ("" for a page whose anchors cannot be told), or
 * NULL when there is no page with that kind and slug; -1 on failure. */
static int target(struct linkcheck *lc, const char *kind, const char *slug, const char **html)
{
	if (lc->self_slug && strcmp(kind, lc->self_kind) == 0 && strcmp(slug, lc->self_slug) == 0) {
		*html = lc->self_html;
		return 0;
	}
	for (size_t i = 0; i < lc->n; i++)
		if (strcmp(lc->seen[i].kind, kind) == 0 && strcmp(lc->seen[i].slug, slug) == 0) {
			*html = lc->seen[i].html;
			return 0;
		}
	if (lc->n == LINK_TARGETS_MAX)
		return 1; /* too many: said once by the caller */
	int rc = libedit_link_target(lc->db, lc->req->arena, lc->org_id, kind, slug, html);
	if (rc == DB_DONE)
		*html = NULL;
	else if (rc != DB_OK)
		return -1;
	lc->seen[lc->n].kind = kind;
	lc->seen[lc->n].slug = slug;
	lc->seen[lc->n++].html = *html;
	return 0;
}

/* The links of the rendered page, checked as the pack checks them, against
 * the store: pages of this site (/guide/SLUG, /practices/SLUG,
 * /resources/SLUG, with or without #anchor) must exist — a shared page may
 * link to shared pages only, an organization's page to those and its
 * organization's own — and anchors must name a heading. Problems go to pr
 * as catalogue texts. 0, or -1 on failure. */
static int check_links(struct linkcheck *lc, const struct md_result *md, struct pack_problems *pr)
{
	static const struct {
		const char *prefix, *kind;
	} sections[] = {
	        {"/guide/", "guide"}, {"/practices/", "practice"}, {"/resources/", "resource"}};
	struct req *req = lc->req;
	bool said_too_many = false;
	for (size_t i = 0; i < md->n_links; i++) {
		const char *url = md->links[i].url;
		int line = md->links[i].line;
		const char *text = NULL;
		if (strstr(url, "{{")) {
			text = libedit_msg(req, "library.edit.error.link.placeholder", url, NULL);
		} else if (url[0] == '#') {
			if (!has_anchor(lc->self_html, url + 1, strlen(url + 1)))
				text = libedit_msg(req, "library.edit.error.link.anchor", url,
				                   NULL);
		} else {
			size_t k = 0;
			while (k < 3 &&
			       strncmp(url, sections[k].prefix, strlen(sections[k].prefix)))
				k++;
			if (k == 3)
				continue;
			const char *slug = url + strlen(sections[k].prefix);
			size_t sl = strcspn(slug, "#?");
			if (sl == 0)
				continue; /* the listing itself */
			const char *html = NULL;
			int rc = 0;
			char *s = arena_strndup(req->arena, slug, sl);
			if (!s)
				return -1;
			if (frontmatter_slug_valid(s, sl))
				rc = target(lc, sections[k].kind, s, &html);
			if (rc < 0)
				return -1;
			if (rc > 0) {
				if (!said_too_many)
					text = page_msg("library.edit.error.link.too_many");
				said_too_many = true;
			} else if (!html) {
				text = libedit_msg(req, "library.edit.error.link.missing", url,
				                   NULL);
			} else if (slug[sl] == '#' &&
			           !has_anchor(html, slug + sl + 1, strlen(slug + sl + 1))) {
				text = libedit_msg(req, "library.edit.error.link.anchor", url,
				                   NULL);
			}
		}
		if (text && pack_problem(pr, "", line, "%s", text) != 0)
			return -1;
	}
	return 0;
}

static int by_line(const void *x, const void *y)
{
	const struct pack_problem *a = x, *b = y;
	return (a->line > b->line) - (a->line < b->line);
}

/* Checks and renders the Markdown of page: placeholders, markdown_render
 * (its problems are the validator's own words), links. Problems go to
 * f->body_problems ([{line, text, summary}], by line) or f->errors.body;
 * *md holds the rendering when *rendered. 0, or -1 on failure. */
static int check_body(struct req *req, struct db *db, const struct libedit_scope *s,
                      const struct pack_page *page, struct edit_form *f, struct md_result *md,
                      bool *rendered)
{
	struct pack_problems pr;
	pack_problems_init(&pr, req->arena);
	*rendered = false;
	if (pack_check_placeholders(page, &pr) != 0)
		return -1;
	int rc = markdown_render(req->arena, page->markdown, page->markdown_len, "", 1, &pr, md);
	if (rc == -E2BIG) {
		json_object_set_new(f->errors, "body",
		                    json_string(page_msg("library.edit.error.body.too_big")));
	} else if (rc != 0) {
		return -1;
	} else {
		*rendered = true;
		struct linkcheck *lc = arena_calloc(req->arena, 1, sizeof *lc);
		if (!lc)
			return -1;
		*lc = (struct linkcheck){.req = req,
		                         .db = db,
		                         .org_id = s->org_id,
		                         .self_kind = page_kind_name(page->kind),
		                         .self_slug = page->slug,
		                         .self_html = md->html};
		if (check_links(lc, md, &pr) != 0)
			return -1;
	}
	if (pr.n > 1)
		qsort(pr.items, pr.n, sizeof *pr.items, by_line);
	for (size_t i = 0; i < pr.n; i++) {
		char num[16];
		snprintf(num, sizeof num, "%d", pr.items[i].line);
		json_array_append_new(f->body_problems,
		                      json_pack("{s:i, s:s, s:s}", "line", pr.items[i].line, "text",
		                                pr.items[i].message, "summary",
		                                libedit_msg(req, "library.edit.error.body.line",
		                                            num, pr.items[i].message)));
	}
	return 0;
}

/* The preview: the page as readers will see it, its placeholders filled
 * from the editor's organization. NULL on failure. */
static json_t *preview(struct req *req, struct db *db, const struct pack_page *page,
                       const struct md_result *md)
{
	struct library_viewer v;
	struct library_profile profile;
	library_viewer_from(&req->who, &v);
	if (library_profile(db, req->arena, &v, &profile) != DB_OK)
		return NULL;
	const char *html = placeholders_fill(
	        req->arena, md->html, library_profile_lookup, &profile,
	        policy_allows("org.settings.manage", &req->who) ? "/org/settings" : NULL);
	json_t *sources = json_array();
	for (size_t i = 0; sources && i < page->n_sources; i++)
		json_array_append_new(
		        sources,
		        json_pack("{s:s, s:s, s:s, s:s}", "title", page->sources[i].title,
		                  "publisher", page->sources[i].publisher, "url",
		                  page->sources[i].url, "checked", page->sources[i].checked));
	if (html)
		html = library_wrap_tables(req, html);
	if (!html) {
		json_decref(sources);
		return NULL;
	}
	return json_pack("{s:s?, s:s?, s:s, s:o, s:s?}", "title", page->title, "summary",
	                 page->summary, "html", html, "sources", sources, "reviewed",
	                 page->reviewed);
}

/* ------------------------------------------------------------ the handlers */

static int form_page(struct req *req, bool org)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	struct edit_form f = {0};
	if (!db)
		return -1;
	int rc = libedit_load(req, db, &s, &pg);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK || form_from_page(req, &pg, &f) != 0) {
		form_free(&f);
		return -1;
	}
	return render(req, 200, &s, &pg, &f);
}

static int new_page(struct req *req)
{
	struct libedit_scope s;
	libedit_scope_of(req, true, &s);
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	struct edit_form f = {
	        .values = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "slug", "",
	                            "kind", "guide", "title", "", "summary", "", "order", "0",
	                            "reviewed", today, "body", "", "message", "", "base", ""),
	        .sources = json_array(),
	        .errors = json_object(),
	        .body_problems = json_array(),
	};
	blank_rows(f.sources);
	if (!f.values || !f.sources || !f.errors || !f.body_problems) {
		form_free(&f);
		return -1;
	}
	return render(req, 200, &s, NULL, &f);
}

/* Sets errors[field] to the text of key unless it has one already. */
static void field_error(json_t *errors, const char *field_name, const char *key)
{
	if (!json_object_get(errors, field_name))
		json_object_set_new(errors, field_name, json_string(page_msg(key)));
}

static int submit(struct req *req, bool org, bool creating)
{
	struct libedit_scope s;
	libedit_scope_of(req, org, &s);
	struct db *db = db_pool_get();
	struct libedit_page pg;
	if (!db)
		return -1;
	if (!creating) {
		int rc = libedit_load(req, db, &s, &pg);
		if (rc == DB_DONE)
			return http_error(req, 404, NULL);
		if (rc != DB_OK)
			return -1;
	}
	const char *action = req_form(req, "action");
	bool save = action && strcmp(action, "save") == 0; /* anything else previews */

	size_t nrows = 0;
	bool beyond = false;
	struct libedit_source_in *rows = typed_sources(req, &nrows, &beyond);
	const struct form_field *body = form_get(&req->body, "body");
	struct libedit_input in = {
	        .title = field(req, "title"),
	        .summary = field(req, "summary"),
	        .visibility = field(req, "visibility"),
	        .order = field(req, "order"),
	        .reviewed = field(req, "reviewed"),
	        .message = field(req, "message"),
	        .slug = field(req, "slug"),
	        .kind = field(req, "kind"),
	        .body = body ? body->value : "",
	        .body_len = body ? body->value_len : 0,
	        .sources = rows,
	        .n_sources = nrows,
	};
	struct libedit_checked chk;
	unsigned flags = (org ? LIBEDIT_CHECK_ORG : 0) | (creating ? LIBEDIT_CHECK_NEW : 0) |
	        (save ? LIBEDIT_CHECK_MESSAGE : 0);
	if (!rows || libedit_check(req->arena, &in, flags, &chk) != 0)
		return -1;
	if (!creating) {
		chk.page.slug = pg.slug;
		if (page_kind_parse(pg.kind, &chk.page.kind) != 0)
			return -1;
	}

	struct edit_form f = {
	        .values = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s%, s:s, s:s, s:s}", "title",
	                            in.title, "summary", in.summary, "visibility", in.visibility,
	                            "order", in.order, "reviewed", in.reviewed, "slug", in.slug,
	                            "body", in.body, in.body_len, "message", in.message, "kind",
	                            in.kind, "base", field(req, "base")),
	        .sources = json_array(),
	        .errors = json_object(),
	        .body_problems = json_array(),
	};
	if (!f.values || !f.sources || !f.errors || !f.body_problems)
		goto fail;
	for (size_t i = 0; i < chk.n; i++)
		if (strncmp(chk.problems[i].field, "source_", 7) != 0)
			field_error(f.errors, chk.problems[i].field, chk.problems[i].key);
	if (beyond)
		field_error(f.errors, "sources", "library.edit.error.sources.too_many");
	for (size_t i = 0; i < nrows; i++) {
		json_t *row = source_row(i, rows[i].title, rows[i].publisher, rows[i].url,
		                         rows[i].checked);
		static const char *const parts[] = {"title", "publisher", "url", "checked"};
		for (size_t k = 0; row && k < 4; k++) {
			char name[48], key[16];
			snprintf(name, sizeof name, "source_%s_%zu", parts[k], i);
			snprintf(key, sizeof key, "e_%s", parts[k]);
			const char *p = libedit_problem(&chk, name);
			if (p)
				json_object_set_new(row, key, json_string(page_msg(p)));
		}
		json_array_append_new(f.sources, row);
	}
	blank_rows(f.sources);

	bool taken = false;
	if (creating && chk.page.slug &&
	    (libedit_slug_taken(db, s.org_id, chk.page.slug, &taken) != DB_OK))
		goto fail;
	if (taken)
		field_error(f.errors, "slug", "library.edit.error.slug.taken");

	struct md_result md;
	bool rendered = false;
	if (chk.page.markdown && check_body(req, db, &s, &chk.page, &f, &md, &rendered) != 0)
		goto fail;
	bool problems =
	        chk.n > 0 || json_object_size(f.errors) > 0 || json_array_size(f.body_problems) > 0;

	if (!save) {
		if (rendered && !(f.preview = preview(req, db, &chk.page, &md)))
			goto fail;
		return render(req, 200, &s, creating ? NULL : &pg, &f);
	}
	if (problems)
		return render(req, 422, &s, creating ? NULL : &pg, &f);

	/* Save: render as an import renders, then write. */
	struct library_rendered lr;
	if (library_render(req->arena, &chk.page, NULL, &lr) != DB_OK)
		goto fail;
	int64_t now = (int64_t)time(NULL), page_id = creating ? 0 : pg.id, rev = 0, base = 0;
	const char *kind = page_kind_name(chk.page.kind);
	struct libedit_new nr = {
	        .author_id = req->who.user_id,
	        .message = chk.message,
	        .now = now,
	        .c = {.kind = kind,
	              .visibility = page_visibility_name(chk.page.visibility),
	              .title = chk.page.title,
	              .summary = chk.page.summary,
	              .reviewed = chk.page.reviewed,
	              .order = chk.page.order,
	              .sources_json = lr.sources_json,
	              .markdown = chk.page.markdown,
	              .markdown_len = chk.page.markdown_len,
	              .html = lr.html,
	              .toc_json = lr.toc_json,
	              .content_hash = lr.hash},
	        .plain_text = lr.text,
	        .words = (int64_t)lr.words,
	};
	int number = 1;
	int rc = libedit_begin(db);
	if (rc == DB_OK && creating) {
		rc = libedit_slug_taken(db, s.org_id, chk.page.slug, &taken);
		if (rc == DB_OK && taken) {
			db_rollback(db);
			field_error(f.errors, "slug", "library.edit.error.slug.taken");
			return render(req, 422, &s, NULL, &f);
		}
		if (rc == DB_OK)
			rc = libedit_create(db, s.org_id, chk.page.slug, kind, chk.page.title, now,
			                    &page_id);
	} else if (rc == DB_OK) {
		/* Read again under the lock: someone may have saved meanwhile. */
		struct libedit_page now_pg;
		rc = libedit_page_get(db, req->arena, s.org_id, pg.id, &now_pg);
		if (rc == DB_DONE) {
			db_rollback(db);
			form_free(&f);
			return http_error(req, 404, NULL);
		}
		if (rc == DB_OK &&
		    (!libedit_parse_id(field(req, "base"), &base) || base != now_pg.current_rev)) {
			db_rollback(db);
			/* Saving again replaces their revision, knowingly. */
			json_object_set_new(
			        f.values, "base",
			        json_string(arena_printf(req->arena, "%lld",
			                                 (long long)now_pg.current_rev)));
			f.conflict = true;
			return render(req, 409, &s, &now_pg, &f);
		}
		number = now_pg.current_number + 1;
	}
	if (rc == DB_OK)
		rc = libedit_save(db, page_id, &nr, !org, &rev);
	if (rc == DB_OK && creating)
		number = 1;
	if (rc == DB_OK)
		rc = libedit_audit(db, req, creating ? "library.page.create" : "library.page.save",
		                   page_id,
		                   json_pack("{s:s, s:s, s:s, s:i, s:s}", "scope",
		                             org ? "org" : "shared", "slug", chk.page.slug, "kind",
		                             kind, "revision", number, "message", chk.message));
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "saving a library page: %s", db_errmsg(db));
		goto fail;
	}
	form_free(&f);
	return http_redirect(req, 303,
	                     arena_printf(req->arena, "%s/%lld?done=%s", s.base, (long long)page_id,
	                                  creating ? "created" : "saved"));
fail:
	form_free(&f);
	return -1;
}

int libedit_form(struct req *req)
{
	return form_page(req, false);
}

int libedit_submit(struct req *req)
{
	return submit(req, false, false);
}

int libedit_org_form(struct req *req)
{
	return form_page(req, true);
}

int libedit_org_submit(struct req *req)
{
	return submit(req, true, false);
}

int libedit_org_new_form(struct req *req)
{
	return new_page(req);
}

int libedit_org_new_submit(struct req *req)
{
	return submit(req, true, true);
}
