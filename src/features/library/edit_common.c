/* features/library/edit_common.c — helpers the editor's pages share
 * (edit_internal.h): scope, loading a page, its summary for templates,
 * labels, times, messages, the audit record, and the page's text and diff
 * as the history and the waiting update show them. */
#include "features/library/edit_internal.h"

#include "audit/audit.h"
#include "auth/orgs.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "features/accounts/accounts.h"
#include "features/library/edit_diff.h"
#include "features/library/pack.h"
#include "features/library/store.h"
#include "render/page.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CONTEXT 3 /* unchanged lines shown around each change */

void libedit_scope_of(const struct req *req, bool org, struct libedit_scope *s)
{
	s->org = org;
	s->org_id = org ? req->who.org_id : 0;
	s->base = org ? "/org/pages" : "/library/edit";
}

const char *libedit_notice(struct req *req)
{
	static const char *const known[] = {"saved",      "created", "published", "unpublished",
	                                    "rolledback", "taken",   "dismissed"};
	const char *done = req_query(req, "done");
	for (size_t i = 0; done && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(done, known[i]) == 0)
			return page_msg(arena_printf(req->arena, "library.edit.done.%s", done));
	return NULL;
}

bool libedit_parse_id(const char *s, int64_t *out)
{
	return s && str_to_i64(str_from(s), 1, INT64_MAX, out) == 0;
}

int libedit_load(struct req *req, struct db *db, const struct libedit_scope *s,
                 struct libedit_page *pg)
{
	int64_t id;
	if (!libedit_parse_id(req_param(req, "page"), &id) || (s->org && s->org_id <= 0))
		return DB_DONE;
	return libedit_page_get(db, req->arena, s->org_id, id, pg);
}

const char *libedit_reader_href(struct req *req, const char *kind, const char *slug)
{
	const char *section = strcmp(kind, "guide") == 0 ? "guide"
	        : strcmp(kind, "practice") == 0          ? "practices"
	                                                 : "resources";
	return arena_printf(req->arena, "/%s/%s", section, slug);
}

const char *libedit_kind_label(struct req *req, const char *kind)
{
	return page_msg(arena_printf(req->arena, "library.edit.kind.%s", kind));
}

const char *libedit_visibility_label(struct req *req, const char *vis)
{
	return page_msg(arena_printf(req->arena, "library.edit.visibility.%s", vis));
}

json_t *libedit_doc(struct req *req, const struct libedit_scope *s, const struct libedit_page *pg)
{
	const char *href = arena_printf(req->arena, "%s/%lld", s->base, (long long)pg->id);
	if (!href)
		return NULL;
	bool waiting = !s->org && pg->pending_rev > 0;
	return json_pack(
	        "{s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:i, s:s, s:s, s:s, s:s, s:s, s:s, "
	        "s:s?, s:s?}",
	        "id", (json_int_t)pg->id, "title", pg->cur.title, "slug", pg->slug, "kind",
	        libedit_kind_label(req, pg->kind), "visibility",
	        libedit_visibility_label(req, pg->cur.visibility), "published", pg->published,
	        "locally_edited", !s->org && pg->locally_edited, "update_waiting", waiting, "org",
	        s->org, "revision", pg->current_number, "edit_href", href, "view_href",
	        arena_printf(req->arena, "%s/view", href), "history_href",
	        arena_printf(req->arena, "%s/history", href), "publish_action",
	        arena_printf(req->arena, "%s/publish", href), "unpublish_action",
	        arena_printf(req->arena, "%s/unpublish", href), "index_href", s->base,
	        "update_href", waiting ? arena_printf(req->arena, "%s/update", href) : NULL,
	        "reader_href", pg->published ? libedit_reader_href(req, pg->kind, pg->slug) : NULL);
}

const char *libedit_zone(struct req *req, struct db *db)
{
	struct org_settings org;
	if (req->who.org_id > 0 && orgs_get(db, req->arena, req->who.org_id, &org) == DB_OK &&
	    org.time_zone && org.time_zone[0])
		return org.time_zone;
	return "UTC";
}

const char *libedit_time(struct req *req, const char *zone, int64_t t)
{
	char text[96];
	if (tz_format(t, zone, "d MMM yyyy HH:mm zzz", text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(req->arena, text);
	return s ? s : "";
}

const char *libedit_iso_time(struct req *req, int64_t t)
{
	char text[32];
	if (tz_format(t, "UTC", "yyyy-MM-dd'T'HH:mm:ss'Z'", text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(req->arena, text);
	return s ? s : "";
}

/* Appends m with {1} and {2} replaced. */
const char *libedit_msg(struct req *req, const char *key, const char *a1, const char *a2)
{
	const char *m = page_msg(key);
	struct buf b;
	buf_init(&b, req->arena, 64 * 1024);
	for (const char *p = m; *p; p++) {
		if (p[0] == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}') {
			const char *arg = p[1] == '1' ? a1 : a2;
			buf_puts(&b, arg ? arg : "");
			p += 2;
		} else {
			buf_putc(&b, *p);
		}
	}
	const char *s = buf_cstr(&b);
	return s ? s : "";
}

int libedit_begin(struct db *db)
{
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = library_lock(db);
	return rc;
}

int libedit_audit(struct db *db, const struct req *req, const char *action, int64_t page_id,
                  json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(detail);
	if (!text)
		return DB_ENOMEM;
	const char *copy = strlen(text) < AUDIT_MAX_DETAIL ? arena_strdup(req->arena, text) : "{}";
	free(text);
	const char *target = arena_printf(req->arena, "%lld", (long long)page_id);
	if (!copy || !target)
		return DB_ENOMEM;
	return accounts_audit(db, req, action, "library_page", target, "success", copy);
}

/* One "name: value" line of the front matter shown in a diff. */
static void field(struct buf *b, const char *indent, const char *name, const char *value)
{
	buf_printf(b, "%s%s: %s\n", indent, name, value ? value : "");
}

const char *libedit_doc_text(struct req *req, const char *slug, const struct libedit_content *c,
                             size_t *len)
{
	struct buf b;
	buf_init(&b, req->arena, 2 * PACK_MAX_FILE_BYTES);
	buf_puts(&b, "---\n");
	field(&b, "", "title", c->title);
	field(&b, "", "slug", slug);
	field(&b, "", "kind", c->kind);
	buf_printf(&b, "order: %d\n", c->order);
	field(&b, "", "visibility", c->visibility);
	field(&b, "", "summary", c->summary);
	buf_puts(&b, "sources:\n");
	json_error_t err;
	json_t *src = json_loads(c->sources_json ? c->sources_json : "[]", 0, &err);
	size_t i;
	json_t *s;
	json_array_foreach(src, i, s)
	{
		field(&b, "  - ", "title", json_string_value(json_object_get(s, "title")));
		field(&b, "    ", "publisher", json_string_value(json_object_get(s, "publisher")));
		field(&b, "    ", "url", json_string_value(json_object_get(s, "url")));
		field(&b, "    ", "checked", json_string_value(json_object_get(s, "checked")));
	}
	json_decref(src);
	field(&b, "", "reviewed", c->reviewed);
	buf_puts(&b, "---\n");
	buf_append(&b, c->markdown ? c->markdown : "", c->markdown ? c->markdown_len : 0);
	if (b.err)
		return NULL;
	*len = b.len;
	return buf_cstr(&b);
}

json_t *libedit_diff_json(struct req *req, const char *old, size_t old_len, const char *new,
                          size_t new_len)
{
	struct edit_diff d;
	struct edit_diff_row *rows;
	size_t n;
	if (edit_diff_lines(req->arena, old, old_len, new, new_len, &d) != 0 ||
	    edit_diff_rows(req->arena, &d, DIFF_CONTEXT, &rows, &n) != 0)
		return NULL;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		const struct edit_diff_line *l = rows[i].line;
		json_t *row;
		if (!l) {
			row = json_pack("{s:b, s:I}", "gap", 1, "skipped",
			                (json_int_t)rows[i].skipped);
		} else {
			const char *text = arena_strndup(req->arena, l->text, l->len);
			row = json_pack("{s:b, s:b, s:b, s:i, s:i, s:s}", "gap", 0, "added",
			                l->op == EDIT_DIFF_ADD, "removed", l->op == EDIT_DIFF_DEL,
			                "old_no", l->old_no, "new_no", l->new_no, "text",
			                text ? text : "");
		}
		if (!row || json_array_append_new(list, row) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return json_pack("{s:o, s:I, s:I, s:b, s:b}", "rows", list, "added", (json_int_t)d.added,
	                 "removed", (json_int_t)d.removed, "same", d.added + d.removed == 0,
	                 "approximate", d.approximate);
}
