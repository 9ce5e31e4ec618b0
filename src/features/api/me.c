/* features/api/me.c — /api/v1/me: the signed-in person's own record as JSON
 * (who they are, their active organization and role, their memberships,
 * and how the request was authenticated), and the change of their name and
 * officer ID from a JSON body. Either credential works: a personal access
 * token (a change needs scope "write") or the session cookie (a change then
 * needs the CSRF token, http/dispatch.c). Changes are audited as
 * profile.update. */
#include "features/api/api.h"

#include "auth/accounts.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/api/model.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The document GET answers (and a change answers with, as it is now). */
static int answer(struct req *req, struct db *db, int status)
{
	const struct principal *w = &req->who;
	const char *name = NULL, *officer_id = NULL;
	json_t *memberships = NULL;
	int rc = api_user_profile(db, req->arena, w->user_id, &name, &officer_id);
	if (rc == DB_OK)
		rc = accounts_memberships(db, w->user_id, &memberships);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "reading a person for /api/v1/me failed (%d)", rc);
		return -1;
	}
	json_t *org = w->org_id > 0
	        ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)w->org_id, "name",
	                    w->org_name ? w->org_name : "", "role", w->role ? w->role : "")
	        : json_null();
	json_t *credential = w->via_token ? json_pack("{s:s, s:s}", "type", "token", "scope",
	                                              w->token_write ? "write" : "read")
	                                  : json_pack("{s:s}", "type", "session");
	return http_json(req, status,
	                 json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id",
	                           (json_int_t)w->user_id, "name", name, "email", w->email,
	                           "officer_id", officer_id, "organization", org, "memberships",
	                           memberships, "credential", credential));
}

int api_me(struct req *req)
{
	struct db *db = db_pool_get();
	return db ? answer(req, db, 200) : -1;
}

/* 422 with the field that needs a change (NULL: the body as a whole). */
static int invalid(struct req *req, const char *field, const char *key)
{
	json_t *e = json_pack("{s:s, s:s}", "code", "invalid", "message", page_msg(key));
	if (e && field)
		json_object_set_new(e, "field", json_string(field));
	return http_json(req, 422, e ? json_pack("{s:o}", "error", e) : NULL);
}

static bool is_json(const char *content_type)
{
	static const char type[] = "application/json";
	size_t n = sizeof type - 1;
	return content_type && strncasecmp(content_type, type, n) == 0 &&
	        (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

int api_me_update(struct req *req)
{
	if (!is_json(req_header(req, "Content-Type")))
		return http_error(req, 415, "api.json.required");
	json_error_t jerr;
	json_t *body = req->raw_body.len
	        ? json_loadb(req->raw_body.data, req->raw_body.len, JSON_REJECT_DUPLICATES, &jerr)
	        : NULL;
	if (!json_is_object(body)) {
		json_decref(body);
		return http_json_error(req, 400, "bad_request", page_msg("api.json.invalid"));
	}
	/* Only these two fields may change; anything else is named back, so a
	 * typing mistake is not silently ignored. */
	const char *key, *name = NULL, *officer_id = NULL, *bad = NULL, *bad_key = NULL;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "name") == 0) {
			name = json_string_value(v);
			bad = !name                         ? "api.me.name.invalid"
			        : accounts_check_name(name) ? "api.me.name.invalid"
			                                    : NULL;
		} else if (strcmp(key, "officer_id") == 0) {
			officer_id = json_string_value(v);
			char checked[ACCOUNTS_OFFICER_ID_MAX + 1];
			bad = !officer_id ||
			                accounts_check_officer_id(officer_id, checked,
			                                          sizeof checked)
			        ? "api.me.officer_id.invalid"
			        : NULL;
		} else {
			bad = "api.me.field.unknown";
		}
		if (bad) {
			bad_key = arena_strdup(req->arena, key);
			break;
		}
	}
	if (!bad && !name && !officer_id)
		bad = "api.me.empty";
	/* Copies in the arena: the JSON document goes before the answer. */
	struct str n = str_trim(str_from(name ? name : ""));
	struct str o = str_trim(str_from(officer_id ? officer_id : ""));
	const char *clean_name = name ? arena_strndup(req->arena, n.p, n.len) : NULL;
	const char *clean_officer = officer_id ? arena_strndup(req->arena, o.p, o.len) : NULL;
	bool changes_name = name != NULL, changes_officer = officer_id != NULL;
	json_decref(body);
	if (bad)
		return invalid(req, bad_key, bad);
	if ((changes_name && !clean_name) || (changes_officer && !clean_officer))
		return -1;

	struct db *db = db_pool_get();
	if (!db)
		return -1;
	json_t *fields = json_array();
	if (changes_name)
		json_array_append_new(fields, json_string("name"));
	if (changes_officer)
		json_array_append_new(fields, json_string("officer_id"));
	json_t *what = json_pack("{s:o, s:s}", "fields", fields, "via",
	                         req->who.via_token ? "token" : "session");
	char *detail = what ? json_dumps(what, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(what);
	int rc = detail ? db_begin_write(db) : DB_ENOMEM;
	if (rc == DB_OK)
		rc = accounts_user_update(db, req->who.user_id, clean_name, clean_officer);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "profile.update", "user", req->who.email, "success",
		                    detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	free(detail);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "changing a person through /api/v1/me failed (%d)", rc);
		return -1;
	}
	return answer(req, db, 200);
}
