/* features/accounts/setup.c — the first-run page behind the one-time setup
 * URL: creates the first site admin and the first organization (with the
 * admin as its org_admin), then signs the admin in. Each problem in the form
 * is named next to its field and the input is kept (the password is not). */
#include "features/accounts/accounts.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/password.h"
#include "auth/setup.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <string.h>
#include <time.h>

extern uint8_t accounts_key[CRYPTO_KEY_BYTES];

#define MAX_PASSWORD_BYTES 1024

static int render(struct req *req, int status, json_t *values, json_t *errors)
{
	json_t *kinds = json_array();
	static const char *const k[] = {"law_enforcement",  "prosecutor", "child_welfare",
	                                "victim_services",  "school",     "juvenile_justice",
	                                "probation_parole", "health",     "community",
	                                "federal",          "coordinator"};
	const char *chosen = json_string_value(json_object_get(values, "org_kind"));
	for (size_t i = 0; kinds && i < sizeof k / sizeof k[0]; i++)
		json_array_append_new(
		        kinds,
		        json_pack("{s:s, s:s, s:b}", "value", k[i], "label",
		                  page_msg(arena_printf(req->arena, "org.kind.%s", k[i])),
		                  "selected", chosen && strcmp(chosen, k[i]) == 0));
	json_t *data = json_pack("{s:o, s:o, s:o, s:s, s:b, s:b}", "values", values, "errors",
	                         errors, "kinds", kinds, "action", req->path, "has_errors",
	                         json_object_size(errors) > 0, "needs_csrf", 1);
	return page_render(req, status, "setup", "page.setup.title", data);
}

/* The setup URL is valid only while no site admin exists. */
static bool usable(struct req *req, struct db *db, int64_t now)
{
	bool exists = true;
	if (accounts_site_admin_exists(db, &exists) != DB_OK || exists)
		return false;
	return setup_token_check(db, req_param(req, "token"), now) == DB_OK;
}

int accounts_setup_form(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!usable(req, db, (int64_t)time(NULL)))
		return http_error(req, 410, "setup.gone");
	return render(req, 200, json_object(), json_object());
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

int accounts_setup_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	if (!usable(req, db, now))
		return http_error(req, 410, "setup.gone");

	const char *name = req_form(req, "name"), *raw_email = req_form(req, "email");
	const char *pw = req_form(req, "password"), *org = req_form(req, "org_name");
	const char *kind = req_form(req, "org_kind"), *state = req_form(req, "org_state");
	char email[256], slug[65];
	json_t *values = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name ? name : "", "email",
	                           raw_email ? raw_email : "", "org_name", org ? org : "",
	                           "org_kind", kind ? kind : "", "org_state", state ? state : "");
	json_t *errors = json_object();
	if (!values || !errors)
		return -1;
	size_t pwlen = pw ? strlen(pw) : 0;
	field_error(errors, "name", accounts_check_name(name));
	field_error(errors, "email", accounts_check_email(raw_email, email, sizeof email));
	field_error(errors, "password",
	            pwlen > MAX_PASSWORD_BYTES
	                    ? "password.too_long"
	                    : password_policy_key(password_check_policy(pw ? pw : "", pwlen)));
	field_error(errors, "org_name", accounts_check_name(org));
	field_error(errors, "org_kind", accounts_check_org_kind(kind));
	field_error(errors, "org_state", accounts_check_state(state));
	if (org) {
		accounts_slugify(org, slug, sizeof slug);
		if (!json_object_get(errors, "org_name"))
			field_error(errors, "org_name",
			            accounts_check_slug(slug) ? "setup.org_name.letters" : NULL);
	}
	if (json_object_size(errors) > 0)
		return render(req, 422, values, errors);

	char hash[PASSWORD_HASH_BYTES];
	if (password_hash(pw, pwlen, hash) != 0)
		return -1;
	int64_t user_id = 0, org_id = 0;
	char token[SESSION_TOKEN_LEN + 1];
	int rc = db_begin_write(db);
	bool exists = true;
	if (rc == DB_OK)
		rc = accounts_site_admin_exists(db, &exists);
	if (rc == DB_OK && !exists)
		rc = setup_token_use(db, req_param(req, "token"), now);
	else if (rc == DB_OK)
		rc = DB_DONE;
	if (rc == DB_DONE) {
		db_rollback(db);
		json_decref(values);
		json_decref(errors);
		return http_error(req, 410, "setup.gone");
	}
	if (rc == DB_OK)
		rc = accounts_user_create(db, email, name, hash, true, &user_id);
	if (rc == DB_OK)
		rc = accounts_org_create(db, slug, org, kind, state, &org_id);
	if (rc == DB_OK)
		rc = accounts_membership_add(db, user_id, org_id, "org_admin");
	if (rc == DB_OK)
		rc = session_create(db, user_id, org_id, req->client, req_header(req, "User-Agent"),
		                    now, token);
	if (rc == DB_OK) {
		struct audit_event e = {.actor_user_id = user_id,
		                        .actor = email,
		                        .org_id = org_id,
		                        .action = "setup.complete",
		                        .target_type = "user",
		                        .target_id = email,
		                        .outcome = "success",
		                        .source = req->client};
		rc = audit_append(db, accounts_key, &e);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	crypto_wipe(hash, sizeof hash);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "first-run setup failed: %s", db_errmsg(db));
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	json_decref(values);
	json_decref(errors);
	const char *cookie = arena_printf(
	        req->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax", SESSION_COOKIE, token);
	crypto_wipe(token, sizeof token);
	if (!cookie || http_add_header(req, "Set-Cookie", cookie) != 0)
		return -1;
	return http_redirect(req, 303, "/account");
}
