/* features/api/tokens.c — the page /account/tokens: a person's personal
 * access tokens (name, access, dates, state), a form to make one, and a
 * button to revoke each. A new token is shown once, on the answer to the
 * form, with a warning to copy it now; only its hash is kept. Making and
 * revoking are audited (token.create, token.revoke) in the transaction
 * that does them; refusals (a site admin, too many tokens) are audited as
 * denied. */
#include "features/api/api.h"

#include "auth/accounts.h"
#include "auth/tokens.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/api/model.h"
#include "render/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "4 Mar 2025 14:52 CST" in zone, in the request arena ("" on failure). */
static const char *when(struct req *req, const char *zone, int64_t t)
{
	char text[96];
	if (tz_format(t, zone, "d MMM yyyy HH:mm zzz", text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(req->arena, text);
	return s ? s : "";
}

static const char *scope_label(struct req *req, const char *scope)
{
	const char *key = arena_printf(req->arena, "api.scope.%s", scope);
	return key ? page_msg(key) : "";
}

static const char *status_label(struct req *req, const char *status)
{
	const char *key = arena_printf(req->arena, "api.tokens.status.%s", status);
	return key ? page_msg(key) : "";
}

/* Adds the texts a row shows to each token of the list. */
static void describe(struct req *req, const char *zone, json_t *tokens)
{
	size_t i;
	json_t *t;
	json_array_foreach(tokens, i, t)
	{
		const char *scope = json_string_value(json_object_get(t, "scope"));
		const char *status = json_string_value(json_object_get(t, "status"));
		json_t *used = json_object_get(t, "last_used_at");
		json_object_set_new(t, "scope_label", json_string(scope_label(req, scope)));
		json_object_set_new(t, "status_label", json_string(status_label(req, status)));
		json_object_set_new(t, "active", json_boolean(strcmp(status, "active") == 0));
		json_object_set_new(
		        t, "created_on",
		        json_string(when(req, zone,
		                         json_integer_value(json_object_get(t, "created_at")))));
		json_object_set_new(
		        t, "expires_on",
		        json_string(when(req, zone,
		                         json_integer_value(json_object_get(t, "expires_at")))));
		json_object_set_new(t, "last_used_on",
		                    json_string(json_is_integer(used)
		                                        ? when(req, zone, json_integer_value(used))
		                                        : page_msg("api.tokens.never")));
	}
}

/* The page. values, errors and created (may be NULL) are stolen; refused
 * names a refusal to show above the form. */
static int render(struct req *req, int status, json_t *values, json_t *errors, const char *refused,
                  json_t *created)
{
	struct db *db = db_pool_get();
	const char *zone = "UTC";
	json_t *tokens = NULL;
	int64_t now = (int64_t)time(NULL);
	if (!db || !values || !errors ||
	    accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK ||
	    apitoken_list(db, req->who.user_id, now, &tokens) != DB_OK) {
		json_decref(values);
		json_decref(errors);
		json_decref(created);
		return -1;
	}
	describe(req, zone, tokens);
	size_t count = json_array_size(tokens);
	bool has_errors = json_object_size(errors) > 0;
	json_t *data =
	        json_pack("{s:o, s:b, s:o, s:o, s:b, s:s?, s:o?, s:b, s:i, s:i}", "tokens", tokens,
	                  "has_tokens", count > 0, "values", values, "errors", errors, "has_errors",
	                  has_errors, "refused", refused ? page_msg(refused) : NULL, "created",
	                  created, "site_admin", req->who.site_admin, "max_days", APITOKEN_MAX_DAYS,
	                  "default_days", APITOKEN_DEFAULT_DAYS);
	return page_render(req, status, "api/tokens", "page.api.tokens.title", data);
}

static json_t *fresh_values(void)
{
	return json_pack("{s:s, s:s, s:s}", "name", "", "scope", "read", "days", "90");
}

int api_tokens_page(struct req *req)
{
	return render(req, 200, fresh_values(), json_object(), NULL, NULL);
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

/* A compact JSON text of o (stolen) in the request arena, for audit
 * details; NULL when o is NULL or memory runs out. */
static const char *json_text(struct req *req, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	const char *out = s ? arena_strdup(req->arena, s) : NULL;
	free(s);
	return out;
}

static const char *refusal_reason(enum apitoken_refusal why)
{
	switch (why) {
	case APITOKEN_SITE_ADMIN:
		return "site_admin";
	case APITOKEN_NEEDS_MFA:
		return "mfa_required";
	case APITOKEN_TOO_MANY:
		return "too_many";
	case APITOKEN_NO_USER:
	case APITOKEN_INACTIVE:
	case APITOKEN_ALLOWED:
		break;
	}
	return "inactive";
}

int api_tokens_create(struct req *req)
{
	const char *name = req_form(req, "name"), *scope = req_form(req, "scope");
	const char *days_text = req_form(req, "days");
	int64_t days = 0, id = 0, now = (int64_t)time(NULL);
	json_t *values = json_pack("{s:s, s:s, s:s}", "name", name ? name : "", "scope",
	                           scope ? scope : "", "days", days_text ? days_text : "");
	json_t *errors = json_object();
	if (!values || !errors) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	field_error(errors, "name", apitoken_check_name(name));
	field_error(errors, "scope", apitoken_check_scope(scope));
	field_error(errors, "days", apitoken_check_days(days_text, &days));
	if (json_object_size(errors) > 0)
		return render(req, 422, values, errors, NULL, NULL);

	struct str trimmed = str_trim(str_from(name));
	const char *clean = arena_strndup(req->arena, trimmed.p, trimmed.len);
	struct db *db = db_pool_get();
	if (!clean || !db) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	char token[APITOKEN_LEN + 1];
	enum apitoken_refusal why = APITOKEN_ALLOWED;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = apitoken_create(db, req->who.user_id, clean, scope, days, now, token, &id,
		                     &why);
	const char *target = arena_printf(req->arena, "%lld", (long long)id);
	if (rc == DB_DONE) {
		const char *detail = json_text(
		        req, json_pack("{s:s, s:s}", "reason", refusal_reason(why), "via", "page"));
		rc = accounts_audit(db, req, "token.create", "user", req->who.email, "denied",
		                    detail);
		if (rc == DB_OK)
			rc = db_commit(db);
		if (rc != DB_OK) {
			db_rollback(db);
			json_decref(values);
			json_decref(errors);
			return -1;
		}
		return render(req, why == APITOKEN_TOO_MANY ? 422 : 403, values, errors,
		              apitoken_refusal_key(why), NULL);
	}
	if (rc == DB_OK) {
		const char *detail = json_text(
		        req,
		        json_pack("{s:s, s:s, s:I, s:s}", "name", clean, "scope", scope,
		                  "expires_at", (json_int_t)(now + days * 86400), "via", "page"));
		rc = target && detail ? accounts_audit(db, req, "token.create", "api_token", target,
		                                       "success", detail)
		                      : DB_ENOMEM;
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		crypto_wipe(token, sizeof token);
		json_decref(values);
		json_decref(errors);
		log_msg(LOG_ERROR, "creating an API token failed: %s", db_errmsg(db));
		return -1;
	}
	const char *zone = "UTC";
	if (accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK)
		zone = "UTC";
	json_t *created =
	        json_pack("{s:s, s:s, s:s, s:s}", "token", token, "name", clean, "scope_label",
	                  scope_label(req, scope), "expires", when(req, zone, now + days * 86400));
	crypto_wipe(token, sizeof token);
	json_decref(values);
	json_decref(errors);
	if (!created)
		return -1;
	return render(req, 200, fresh_values(), json_object(), NULL, created);
}

int api_tokens_revoke(struct req *req)
{
	int64_t id = 0, now = (int64_t)time(NULL);
	const char *param = req_param(req, "apitoken"), *name = NULL;
	if (!param || str_to_i64(str_from(param), 1, INT64_MAX, &id) != 0)
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = apitoken_revoke(db, req->arena, req->who.user_id, id, now, &name);
	if (rc == DB_DONE) {
		/* Another person's token answers like one that does not exist. */
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK) {
		const char *detail = json_text(req, json_pack("{s:s}", "name", name));
		const char *target = arena_printf(req->arena, "%lld", (long long)id);
		rc = detail && target ? accounts_audit(db, req, "token.revoke", "api_token", target,
		                                       "success", detail)
		                      : DB_ENOMEM;
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "revoking an API token failed: %s", db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/account/tokens");
}
