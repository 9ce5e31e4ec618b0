/* features/members/list.c — the members page of the active organization: its
 * members (search by name or email, a page at a time), its pending
 * invitations with their expiry, and the invitation form; plus the helpers
 * the feature's other files share (internal.h). */
#include "features/members/members.h"
#include "features/members/internal.h"

#include "auth/accounts.h"
#include "auth/invitations.h"
#include "auth/orgs.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const roles[] = {"org_admin", "leader",  "trainer", "editor",
                                    "officer",   "partner", "analyst"};

const char *members_role_label(struct arena *a, const char *role)
{
	const char *key = arena_printf(a, "role.%s", role ? role : "");
	return key ? page_msg(key) : "";
}

json_t *members_role_options(struct arena *a, const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < sizeof roles / sizeof roles[0]; i++)
		if (json_array_append_new(list,
		                          json_pack("{s:s, s:s, s:b}", "value", roles[i], "label",
		                                    members_role_label(a, roles[i]), "selected",
		                                    chosen && strcmp(chosen, roles[i]) == 0)) !=
		    0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

void members_field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

const char *members_time(struct arena *a, int64_t t, const char *zone)
{
	char text[96];
	if (tz_format(t, zone, "d MMM yyyy HH:mm zzz", text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(a, text);
	return s ? s : "";
}

const char *members_detail(struct arena *a, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	if (!text)
		return NULL;
	const char *copy = arena_strdup(a, text);
	free(text);
	return copy;
}

bool members_parse_id(const char *s, int64_t *id)
{
	return s && str_to_i64(str_from(s), 1, INT64_MAX, id) == 0;
}

int members_signed_out(struct req *req)
{
	http_add_header(req, "Set-Cookie",
	                SESSION_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
	return http_redirect(req, 303, "/login");
}

/* Percent-encodes s for a query string (arena memory; NULL when out of
 * memory). */
static const char *query_escape(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc(a, 3 * n + 1), *p = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

static const char *page_href(struct arena *a, const char *q, int64_t page)
{
	if (q && q[0]) {
		const char *e = query_escape(a, q);
		return e ? arena_printf(a, "/org/members?q=%s&page=%lld", e, (long long)page)
		         : NULL;
	}
	return arena_printf(a, "/org/members?page=%lld", (long long)page);
}

/* The confirmation a redirect after a successful action asks for with
 * ?done=...; only these words are recognised. */
static const char *done_message(const char *done)
{
	static const char *const known[] = {"invited", "revoked", "role", "disabled", "enabled"};
	static const char *const keys[] = {"members.done.invited", "members.done.revoked",
	                                   "members.done.role", "members.done.disabled",
	                                   "members.done.enabled"};
	for (size_t i = 0; done && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(done, known[i]) == 0)
			return page_msg(keys[i]);
	return NULL;
}

static json_t *member_json(struct req *req, const struct org_member *m)
{
	const char *shown = m->name[0] ? m->name : m->email;
	bool active = strcmp(m->status, "active") == 0;
	json_t *o =
	        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o?}", "id",
	                  (json_int_t)m->user_id, "name", shown, "email", m->email, "role", m->role,
	                  "role_label", members_role_label(req->arena, m->role), "status_label",
	                  page_msg(active ? "members.status.active" : "members.status.disabled"),
	                  "active", active, "self", m->user_id == req->who.user_id,
	                  "account_disabled", strcmp(m->user_status, "active") != 0, "roles",
	                  members_role_options(req->arena, m->role));
	return o;
}

int members_render_index(struct req *req, int status, json_t *invite_values, json_t *invite_errors,
                         const char *error_key)
{
	int64_t now = (int64_t)time(NULL), org_id = req->who.org_id, pageno = 1;
	struct db *db = db_pool_get();
	/* Both are this function's from here on (stolen). */
	json_t *values = invite_values ? invite_values : json_object();
	json_t *errors = invite_errors ? invite_errors : json_object();
	json_t *data = NULL;
	if (!db || !values || !errors)
		goto fail;

	struct org_settings org;
	if (orgs_get(db, req->arena, org_id, &org) != DB_OK)
		goto fail;

	const char *q = req_query(req, "q");
	const char *p = req_query(req, "page");
	if (p && str_to_i64(str_from(p), 1, 1000000, &pageno) != 0)
		pageno = 1;
	char like[ORGS_LIKE_MAX];
	bool filtered = orgs_like_pattern(q, like, sizeof like);
	const char *search_error = NULL;
	if (!filtered && q && strlen(q) > ORGS_MAX_QUERY) {
		search_error = page_msg("members.search.too_long");
		if (status == 200)
			status = 422;
	}

	struct org_member *members = NULL;
	size_t n = 0;
	int64_t total = 0;
	if (!search_error &&
	    orgs_members(db, req->arena, org_id, filtered ? like : NULL,
	                 (pageno - 1) * MEMBERS_PAGE_SIZE, MEMBERS_PAGE_SIZE, &members, &n,
	                 &total) != DB_OK)
		goto fail;
	int64_t pages = (total + MEMBERS_PAGE_SIZE - 1) / MEMBERS_PAGE_SIZE;
	if (pages > 0 && pageno > pages && !search_error) {
		/* Past the end (the list shrank): show the last page. */
		pageno = pages;
		if (orgs_members(db, req->arena, org_id, filtered ? like : NULL,
		                 (pageno - 1) * MEMBERS_PAGE_SIZE, MEMBERS_PAGE_SIZE, &members, &n,
		                 &total) != DB_OK)
			goto fail;
	}

	struct invitation *invs = NULL;
	size_t ninv = 0;
	if (!search_error &&
	    invitations_pending(db, req->arena, org_id, filtered ? like : NULL, now, &invs,
	                        &ninv) != DB_OK)
		goto fail;

	json_t *list = json_array(), *pending = json_array();
	data = json_pack("{s:s, s:s, s:s?, s:o, s:o, s:I, s:b, s:s?, s:s?}", "org", org.name, "q",
	                 q ? q : "", "search_error", search_error, "members", list, "invitations",
	                 pending, "total", (json_int_t)total, "filtered", filtered, "error",
	                 error_key ? page_msg(error_key) : NULL, "done",
	                 status == 200 ? done_message(req_query(req, "done")) : NULL);
	if (!data)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(list, member_json(req, &members[i])) != 0)
			goto fail;
	for (size_t i = 0; i < ninv; i++)
		if (json_array_append_new(
		            pending,
		            json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)invs[i].id, "email",
		                      invs[i].email, "role_label",
		                      members_role_label(req->arena, invs[i].role), "expires",
		                      members_time(req->arena, invs[i].expires_at,
		                                   org.time_zone))) != 0)
			goto fail;
	if (pages > 1) {
		json_t *paging = json_pack(
		        "{s:I, s:I, s:I, s:I, s:s?, s:s?}", "page", (json_int_t)pageno, "pages",
		        (json_int_t)pages, "first",
		        (json_int_t)((pageno - 1) * MEMBERS_PAGE_SIZE + 1), "last",
		        (json_int_t)((pageno - 1) * MEMBERS_PAGE_SIZE + (int64_t)n), "prev",
		        pageno > 1 ? page_href(req->arena, q, pageno - 1) : NULL, "next",
		        pageno < pages ? page_href(req->arena, q, pageno + 1) : NULL);
		if (!paging || json_object_set_new(data, "paging", paging) != 0)
			goto fail;
	}
	const char *chosen = json_string_value(json_object_get(values, "role"));
	json_t *invite =
	        json_pack("{s:o, s:o, s:o, s:b}", "values", values, "errors", errors, "roles",
	                  members_role_options(req->arena, chosen ? chosen : "officer"),
	                  "has_errors", json_object_size(errors) > 0);
	values = errors = NULL; /* stolen by invite */
	if (!invite || json_object_set_new(data, "invite", invite) != 0)
		goto fail;
	json_object_set_new(
	        data, "has_errors",
	        json_boolean(error_key || json_object_size(json_object_get(invite, "errors")) > 0));
	return page_render(req, status, "members/index", "page.members.title", data);
fail:
	json_decref(data);
	json_decref(values);
	json_decref(errors);
	return -1;
}

int members_index(struct req *req)
{
	return members_render_index(req, 200, NULL, NULL, NULL);
}
