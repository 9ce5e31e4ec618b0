/* features/admin/orgs.c — organizations, for site admins: the list (filter
 * by status, search by name), adding one, its page (its settings read-only
 * and its members), and approving, disabling and re-enabling it. Each
 * change is made and audited in one write transaction; disabling also ends
 * every session working in the organization, so its members lose their
 * access at once rather than at their next sign-in. */
#include "features/admin/admin.h"

#include "auth/accounts.h"
#include "auth/admin.h"
#include "auth/orgs.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/admin/internal.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const org_statuses[] = {"active", "pending", "disabled"};
static const char *const kinds[] = {
        "law_enforcement", "prosecutor",       "child_welfare",    "victim_services",
        "school",          "juvenile_justice", "probation_parole", "health",
        "community",       "federal",          "coordinator",
};

static void release_json(void *p)
{
	json_decref(p);
}

/* Options for a <select>: [{value, label, selected}] with labels from
 * "prefix.value". */
static json_t *options(struct req *req, const char *prefix, const char *const *values, size_t n,
                       const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list,
		                      json_pack("{s:s, s:s, s:b}", "value", values[i], "label",
		                                admin_label(req, prefix, values[i]), "selected",
		                                chosen && strcmp(chosen, values[i]) == 0));
	return list;
}

static bool is_status(const char *s)
{
	for (size_t i = 0; i < sizeof org_statuses / sizeof org_statuses[0]; i++)
		if (strcmp(s, org_statuses[i]) == 0)
			return true;
	return false;
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

/* ------------------------------------------------------------ the list */

int admin_orgs(struct req *req)
{
	const char *q = admin_query_text(req, "q", ADMIN_SEARCH_MAX);
	const char *status = admin_query_text(req, "status", 16);
	int64_t page = admin_query_page(req);
	json_t *errors = json_object();
	if (!errors)
		return -1;
	if (!q)
		field_error(errors, "q", "admin.search.invalid");
	if (!status || (status[0] && !is_status(status)))
		field_error(errors, "status", "admin.orgs.status.invalid");
	if (!page)
		field_error(errors, "page", "admin.page.invalid");
	const char *raw_q = req_query(req, "q"), *raw_status = req_query(req, "status");
	json_t *data = json_pack("{s:{s:s, s:s}, s:o, s:b, s:o}", "values", "q", raw_q ? raw_q : "",
	                         "status", raw_status ? raw_status : "", "errors", errors,
	                         "has_errors", json_object_size(errors) > 0, "statuses",
	                         options(req, "admin.org.status", org_statuses, 3, raw_status));
	if (!data)
		return -1;
	if (json_object_size(errors) > 0)
		return page_render(req, 422, "admin/orgs", "page.admin.orgs.title", data);

	struct db *db = db_pool_get();
	json_t *orgs = NULL;
	bool more = false;
	if (!db || admin_orgs_list(db, status, q, page, &orgs, &more) != DB_OK) {
		json_decref(data);
		return -1;
	}
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o)
	{
		json_object_set_new(
		        o, "kind_label",
		        json_string(admin_label(req, "org.kind",
		                                json_string_value(json_object_get(o, "kind")))));
		json_object_set_new(
		        o, "status_label",
		        json_string(admin_label(req, "admin.org.status",
		                                json_string_value(json_object_get(o, "status")))));
	}
	json_object_set_new(data, "orgs", orgs);
	json_object_set_new(data, "filtered", json_boolean(q[0] || status[0]));
	struct buf link;
	if (more || page > 1) {
		buf_init(&link, req->arena, 4096);
		admin_qs_add(&link, "q", q);
		admin_qs_add(&link, "status", status);
		const char *base = buf_cstr(&link);
		const char *sep = base[0] ? "&" : "?";
		if (more)
			json_object_set_new(
			        data, "next_href",
			        json_string(arena_printf(req->arena, "/admin/orgs%s%spage=%lld",
			                                 base, sep, (long long)page + 1)));
		if (page > 1)
			json_object_set_new(
			        data, "prev_href",
			        json_string(arena_printf(req->arena, "/admin/orgs%s%spage=%lld",
			                                 base, sep, (long long)page - 1)));
	}
	json_object_set_new(data, "page", json_integer(page));
	return page_render(req, 200, "admin/orgs", "page.admin.orgs.title", data);
}

/* ------------------------------------------------------------ adding one */

/* Offered in the time zone field's list; any other IANA zone may be typed. */
static const char *const common_zones[] = {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Boise",
        "America/Detroit",
        "America/Indiana/Indianapolis",
        "America/Kentucky/Louisville",
        "America/Adak",
        "America/Puerto_Rico",
        "America/St_Thomas",
        "Pacific/Guam",
        "Pacific/Pago_Pago",
        "Pacific/Saipan",
        "UTC",
};
#define DEFAULT_ZONE "America/New_York" /* the column's default, as the command line leaves it */

static int render_new(struct req *req, int status, json_t *values, json_t *errors)
{
	const char *kind = json_string_value(json_object_get(values, "kind"));
	json_t *zones = json_array();
	for (size_t i = 0; zones && i < sizeof common_zones / sizeof common_zones[0]; i++)
		json_array_append_new(zones, json_string(common_zones[i]));
	json_t *data =
	        json_pack("{s:o, s:o, s:b, s:o, s:o}", "values", values, "errors", errors,
	                  "has_errors", json_object_size(errors) > 0, "kinds",
	                  options(req, "org.kind", kinds, sizeof kinds / sizeof kinds[0], kind),
	                  "zones", zones);
	return page_render(req, status, "admin/org_new", "page.admin.org_new.title", data);
}

int admin_org_new(struct req *req)
{
	return render_new(req, 200, json_pack("{s:s}", "time_zone", DEFAULT_ZONE), json_object());
}

/* A form value without the blanks around it, in the request's arena ("" when
 * absent; NULL when out of memory). */
static const char *trimmed(struct req *req, const char *v)
{
	struct str t = str_trim(str_from(v ? v : ""));
	return arena_strndup(req->arena, t.p, t.len);
}

int admin_org_create(struct req *req)
{
	const char *name = req_form(req, "name"), *kind = req_form(req, "kind");
	const char *state = req_form(req, "state"), *slug_in = req_form(req, "slug");
	const char *jur_in = req_form(req, "jurisdiction"), *zone_in = req_form(req, "time_zone");
	const char *ori_in = req_form(req, "ori");
	json_t *values =
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name ? name : "", "kind",
	                  kind ? kind : "", "state", state ? state : "", "slug",
	                  slug_in ? slug_in : "", "jurisdiction", jur_in ? jur_in : "", "time_zone",
	                  zone_in ? zone_in : "", "ori", ori_in ? ori_in : "");
	json_t *errors = json_object();
	/* The values as they will be stored: without the blanks around them. */
	const char *clean = trimmed(req, name), *jur = trimmed(req, jur_in);
	const char *zone = trimmed(req, zone_in);
	if (!values || !errors || !clean || !jur || !zone) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	/* A state in lower case is still a postal code. */
	char st[8] = "";
	struct str s = str_trim(str_from(state ? state : ""));
	if (s.len < sizeof st) {
		for (size_t i = 0; i < s.len; i++)
			st[i] = s.p[i] >= 'a' && s.p[i] <= 'z' ? (char)(s.p[i] - 'a' + 'A')
			                                       : s.p[i];
		st[s.len] = '\0';
	}
	char slug[65] = "";
	struct str g = str_trim(str_from(slug_in ? slug_in : ""));
	field_error(errors, "name", accounts_check_name(name));
	field_error(errors, "kind", accounts_check_org_kind(kind));
	field_error(errors, "state",
	            s.len >= sizeof st ? "org.state.invalid" : accounts_check_state(st));
	field_error(errors, "jurisdiction", orgs_check_jurisdiction(jur));
	if (!zone[0])
		zone = DEFAULT_ZONE;
	if (strlen(zone) > TZ_MAX_NAME || !tz_valid(zone))
		field_error(errors, "time_zone", "members.tz.invalid");
	/* DESIGN.md §2: the ORI is a law-enforcement agency's. */
	char ori[ORGS_ORI_LEN + 1] = "";
	if (kind && strcmp(kind, "law_enforcement") == 0)
		field_error(errors, "ori", orgs_check_ori(ori_in, ori, sizeof ori));
	else if (str_trim(str_from(ori_in ? ori_in : "")).len > 0)
		field_error(errors, "ori", "admin.org.ori.not_law_enforcement");
	if (g.len > 0) {
		if (g.len < sizeof slug) {
			memcpy(slug, g.p, g.len);
			slug[g.len] = '\0';
		}
		field_error(errors, "slug",
		            g.len >= sizeof slug ? "org.slug.invalid" : accounts_check_slug(slug));
	} else if (!json_object_get(errors, "name")) {
		accounts_slugify(clean, slug, sizeof slug);
		field_error(errors, "slug",
		            accounts_check_slug(slug) ? "admin.org.slug.needed" : NULL);
	}
	if (json_object_size(errors) > 0)
		return render_new(req, 422, values, errors);

	struct db *db = db_pool_get();
	if (!db || db_begin_write(db) != DB_OK) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	int64_t id = 0;
	int rc = accounts_org_by_slug(db, slug, &id);
	if (rc == DB_DONE)
		rc = accounts_org_create(db, slug, clean, kind, st, &id);
	else if (rc == DB_OK)
		rc = DB_ECONSTRAINT;
	if (rc == DB_ECONSTRAINT) {
		/* Taken (found, or added by someone else meanwhile): say so next
		 * to the field, and change nothing. */
		db_rollback(db);
		field_error(errors, "slug", "admin.org.slug.taken");
		return render_new(req, 422, values, errors);
	}
	if (rc == DB_OK)
		rc = admin_org_set_place(db, id, jur, zone, ori);
	if (rc == DB_OK) {
		json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
		                      "name", clean, "kind", kind, "state", st, "jurisdiction", jur,
		                      "time_zone", zone, "ori", ori);
		char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(d);
		rc = detail ? admin_record(db, req, id, "site.org.create", "organization", slug,
		                           "success", detail)
		            : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	json_decref(values);
	json_decref(errors);
	if (rc != DB_OK)
		return admin_fail(db, "adding an organization");
	return http_redirect(req, 303, arena_printf(req->arena, "/admin/orgs/%lld", (long long)id));
}

/* ------------------------------------------------------------ one organization */

int admin_org(struct req *req)
{
	int64_t id = admin_path_id(req, "org");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!id)
		return http_error(req, 404, NULL);
	json_t *org = NULL, *members = NULL;
	int rc = admin_org_get(db, id, &org);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	if (admin_org_members(db, id, &members) != DB_OK) {
		json_decref(org);
		return -1;
	}
	const char *status = json_string_value(json_object_get(org, "status"));
	json_object_set_new(
	        org, "kind_label",
	        json_string(admin_label(req, "org.kind",
	                                json_string_value(json_object_get(org, "kind")))));
	json_object_set_new(org, "status_label",
	                    json_string(admin_label(req, "admin.org.status", status)));
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m)
	{
		json_object_set_new(
		        m, "role_label",
		        json_string(admin_label(req, "role",
		                                json_string_value(json_object_get(m, "role")))));
		json_object_set_new(
		        m, "status_label",
		        json_string(admin_label(req, "admin.membership.status",
		                                json_string_value(json_object_get(m, "status")))));
		json_object_set_new(m, "user_status_label",
		                    json_string(admin_label(
		                            req, "admin.user.status",
		                            json_string_value(json_object_get(m, "user_status")))));
	}
	json_t *data =
	        json_pack("{s:o, s:o, s:b, s:b, s:b, s:s, s:s, s:s}", "org", org, "members",
	                  members, "can_approve", strcmp(status, "pending") == 0, "can_disable",
	                  strcmp(status, "disabled") != 0, "can_enable",
	                  strcmp(status, "disabled") == 0, "approve_action",
	                  arena_printf(req->arena, "/admin/orgs/%lld/approve", (long long)id),
	                  "disable_action",
	                  arena_printf(req->arena, "/admin/orgs/%lld/disable", (long long)id),
	                  "enable_action",
	                  arena_printf(req->arena, "/admin/orgs/%lld/enable", (long long)id));
	return page_render(req, 200, "admin/org", "page.admin.org.title", data);
}

/* Moves the organization in the path from `from` (NULL: any other status)
 * to `to`, audited as action; a status it cannot leave that way answers
 * 409 with conflict_key. Disabling ends the sessions working in it. */
static int change_status(struct req *req, const char *action, const char *from, const char *to,
                         const char *conflict_key)
{
	int64_t id = admin_path_id(req, "org"), now = (int64_t)time(NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!id)
		return http_error(req, 404, NULL);
	if (db_begin_write(db) != DB_OK)
		return -1;
	json_t *org = NULL;
	int rc = admin_org_get(db, id, &org);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc != DB_OK || arena_defer(req->arena, release_json, org) != 0)
		return admin_fail(db, "reading an organization");
	const char *slug = json_string_value(json_object_get(org, "slug"));
	const char *was = json_string_value(json_object_get(org, "status"));
	rc = admin_org_set_status(db, id, from, to);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 409, conflict_key);
	}
	bool disabling = strcmp(to, "disabled") == 0;
	bool own = disabling && req->who.org_id == id;
	int64_t ended = 0;
	char token[SESSION_TOKEN_LEN + 1] = "";
	if (rc == DB_OK && disabling)
		rc = admin_sessions_end_org(db, id, &ended);
	if (rc == DB_OK && own) {
		/* The admin's own session worked in it and has just ended: a new
		 * one (a new token, as at any change of privilege), in their next
		 * organization if they have one. */
		int64_t next = 0;
		rc = accounts_first_membership(db, req->who.user_id, &next);
		if (rc == DB_DONE)
			rc = DB_OK;
		if (rc == DB_OK)
			rc = session_create(db, req->who.user_id, next, req->client,
			                    req_header(req, "User-Agent"), now, token);
	}
	if (rc == DB_OK) {
		json_t *d =
		        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "from", was, "to", to);
		if (d && disabling)
			json_object_set_new(d, "sessions_ended", json_integer(ended));
		char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(d);
		rc = detail
		        ? admin_record(db, req, id, action, "organization", slug, "success", detail)
		        : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		crypto_wipe(token, sizeof token);
		return admin_fail(db, action);
	}
	if (own) {
		rc = accounts_session_cookie(req, token);
		crypto_wipe(token, sizeof token);
		if (rc != 0)
			return -1;
	}
	return http_redirect(req, 303, arena_printf(req->arena, "/admin/orgs/%lld", (long long)id));
}

int admin_org_approve(struct req *req)
{
	return change_status(req, "site.org.approve", "pending", "active", "admin.org.not_pending");
}

int admin_org_disable(struct req *req)
{
	return change_status(req, "site.org.disable", NULL, "disabled",
	                     "admin.org.disabled_already");
}

int admin_org_enable(struct req *req)
{
	return change_status(req, "site.org.enable", "disabled", "active",
	                     "admin.org.not_disabled");
}
