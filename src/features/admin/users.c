/* features/admin/users.c — people, for site admins: the list (search by
 * name or email, filter by status, each with their memberships), and
 * disabling or re-enabling a person. Disabling (DESIGN.md §6) sets the
 * status, ends every session of theirs at once and revokes their API
 * tokens, all in the transaction that records it; nobody can disable
 * themselves, so a deployment never loses its last working site admin
 * that way. */
#include "features/admin/admin.h"

#include "auth/admin.h"
#include "auth/tokens.h"
#include "auth/session.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/admin/internal.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const user_statuses[] = {"active", "invited", "pending", "locked", "disabled"};
#define NSTATUSES (sizeof user_statuses / sizeof user_statuses[0])

static bool is_status(const char *s)
{
	for (size_t i = 0; i < NSTATUSES; i++)
		if (strcmp(s, user_statuses[i]) == 0)
			return true;
	return false;
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

static json_t *status_options(struct req *req, const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < NSTATUSES; i++)
		json_array_append_new(
		        list,
		        json_pack("{s:s, s:s, s:b}", "value", user_statuses[i], "label",
		                  admin_label(req, "admin.user.status", user_statuses[i]),
		                  "selected", chosen && strcmp(chosen, user_statuses[i]) == 0));
	return list;
}

/* Labels for a person of the list, and the forms their row offers. */
static void decorate(struct req *req, json_t *u)
{
	int64_t id = (int64_t)json_integer_value(json_object_get(u, "id"));
	const char *status = json_string_value(json_object_get(u, "status"));
	json_object_set_new(u, "status_label",
	                    json_string(admin_label(req, "admin.user.status", status)));
	json_object_set_new(u, "self", json_boolean(id == req->who.user_id));
	json_object_set_new(u, "disabled", json_boolean(strcmp(status, "disabled") == 0));
	json_object_set_new(
	        u, "disable_action",
	        json_string(arena_printf(req->arena, "/admin/users/%lld/disable", (long long)id)));
	json_object_set_new(
	        u, "enable_action",
	        json_string(arena_printf(req->arena, "/admin/users/%lld/enable", (long long)id)));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(u, "memberships"), i, m)
	{
		json_object_set_new(
		        m, "role_label",
		        json_string(admin_label(req, "role",
		                                json_string_value(json_object_get(m, "role")))));
		json_object_set_new(
		        m, "inactive",
		        json_boolean(strcmp(json_string_value(json_object_get(m, "status")),
		                            "active") != 0 ||
		                     strcmp(json_string_value(json_object_get(m, "org_status")),
		                            "active") != 0));
	}
}

int admin_users(struct req *req)
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
		field_error(errors, "status", "admin.users.status.invalid");
	if (!page)
		field_error(errors, "page", "admin.page.invalid");
	const char *raw_q = req_query(req, "q"), *raw_status = req_query(req, "status");
	json_t *data = json_pack("{s:{s:s, s:s}, s:o, s:b, s:o}", "values", "q", raw_q ? raw_q : "",
	                         "status", raw_status ? raw_status : "", "errors", errors,
	                         "has_errors", json_object_size(errors) > 0, "statuses",
	                         status_options(req, raw_status));
	if (!data)
		return -1;
	if (json_object_size(errors) > 0)
		return page_render(req, 422, "admin/users", "page.admin.users.title", data);

	struct db *db = db_pool_get();
	json_t *users = NULL;
	bool more = false;
	if (!db || admin_users_list(db, status, q, page, &users, &more) != DB_OK) {
		json_decref(data);
		return -1;
	}
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u)
	{
		decorate(req, u);
	}
	json_object_set_new(data, "users", users);
	json_object_set_new(data, "filtered", json_boolean(q[0] || status[0]));
	if (more || page > 1) {
		struct buf link;
		buf_init(&link, req->arena, 4096);
		admin_qs_add(&link, "q", q);
		admin_qs_add(&link, "status", status);
		const char *base = buf_cstr(&link), *sep = base[0] ? "&" : "?";
		if (more)
			json_object_set_new(
			        data, "next_href",
			        json_string(arena_printf(req->arena, "/admin/users%s%spage=%lld",
			                                 base, sep, (long long)page + 1)));
		if (page > 1)
			json_object_set_new(
			        data, "prev_href",
			        json_string(arena_printf(req->arena, "/admin/users%s%spage=%lld",
			                                 base, sep, (long long)page - 1)));
	}
	return page_render(req, 200, "admin/users", "page.admin.users.title", data);
}

/* Where to go after a change: the list, searched for the person changed. */
static int back_to(struct req *req, const char *email)
{
	struct buf b;
	buf_init(&b, req->arena, 2048);
	buf_puts(&b, "/admin/users");
	admin_qs_add(&b, "q", email);
	if (b.err)
		return -1;
	return http_redirect(req, 303, buf_cstr(&b));
}

/* Records detail (a JSON object, or NULL) as action on person u. */
static int record(struct db *db, const struct req *req, const char *action,
                  const struct admin_user *u, const char *outcome, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(detail);
	if (!text)
		return DB_ENOMEM;
	int rc = admin_record(db, req, 0, action, "user", u->email, outcome, text);
	free(text);
	return rc;
}

int admin_user_disable(struct req *req)
{
	int64_t id = admin_path_id(req, "user"), now = (int64_t)time(NULL);
	int revoked = 0;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!id)
		return http_error(req, 404, NULL);
	if (db_begin_write(db) != DB_OK)
		return -1;
	struct admin_user u;
	int rc = admin_user_get(db, req->arena, id, &u);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK && id == req->who.user_id) {
		/* Refused, and the attempt is on record. */
		rc = record(db, req, "site.user.disable", &u, "denied",
		            json_pack("{s:I, s:s}", "id", (json_int_t)id, "reason", "self"));
		if (rc == DB_OK)
			rc = db_commit(db);
		if (rc != DB_OK)
			return admin_fail(db, "recording a refused disable");
		return http_error(req, 403, "admin.user.self");
	}
	if (rc == DB_OK)
		rc = admin_user_set_status(db, id, NULL, "disabled");
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 409, "admin.user.disabled_already");
	}
	if (rc == DB_OK)
		rc = session_delete_user(db, id);
	if (rc == DB_OK)
		rc = apitoken_revoke_user(db, id, now, &revoked);
	if (rc == DB_OK)
		rc = record(db, req, "site.user.disable", &u, "success",
		            json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "from", u.status,
		                      "tokens_revoked", (json_int_t)revoked));
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		return admin_fail(db, "disabling a person");
	return back_to(req, u.email);
}

int admin_user_enable(struct req *req)
{
	int64_t id = admin_path_id(req, "user");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!id)
		return http_error(req, 404, NULL);
	if (db_begin_write(db) != DB_OK)
		return -1;
	struct admin_user u;
	int rc = admin_user_get(db, req->arena, id, &u);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK)
		rc = admin_user_set_status(db, id, "disabled", "active");
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 409, "admin.user.not_disabled");
	}
	if (rc == DB_OK)
		rc = record(db, req, "site.user.enable", &u, "success",
		            json_pack("{s:I}", "id", (json_int_t)id));
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		return admin_fail(db, "re-enabling a person");
	return back_to(req, u.email);
}
