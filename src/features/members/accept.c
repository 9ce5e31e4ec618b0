/* features/members/accept.c — the link of an invitation, /invite/{token}
 * (public; the path holds the secret). It shows the organization and the
 * role, then, depending on who opens it:
 *   - a person the invitation made (account status 'invited', or 'pending'
 *     from an unfinished registration): a form for their name and a
 *     password; accepting activates the account with a verified email (the
 *     link proved the address), adds the membership and signs them in;
 *   - the existing account it names, signed in: an Accept button that adds
 *     the membership and moves the session (a new token) to that
 *     organization;
 *   - that account, not signed in: "sign in as EMAIL", then open the link
 *     again;
 *   - someone else, signed in: a refusal (403).
 * A link that is used, revoked or expired answers 410; an unknown one 404.
 * Accepting spends the invitation in the same transaction as everything
 * else, so two tries at once cannot both win. */
#include "features/members/members.h"
#include "features/members/internal.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/invitations.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "render/page.h"

#include <string.h>
#include <time.h>

#define MAX_PASSWORD_BYTES 1024

enum accept_state {
	ACCEPT_NEW, /* an invited account: choose a name and a password */
	ACCEPT_CONFIRM, /* the account is signed in: one button */
	ACCEPT_SIGNIN, /* the account exists, nobody is signed in */
	ACCEPT_OTHER, /* someone else is signed in */
};

static const char *const state_names[] = {
        [ACCEPT_NEW] = "new",
        [ACCEPT_CONFIRM] = "confirm",
        [ACCEPT_SIGNIN] = "signin",
        [ACCEPT_OTHER] = "other",
};

struct opened {
	struct invitation inv;
	struct account_user user;
	enum accept_state state;
};

/* Finds the invitation and decides what the page offers. Returns 0 when
 * the page goes on with o filled, 1 when the answer is made (404, 410), or
 * -1 on a store failure. */
static int open_link(struct req *req, struct db *db, int64_t now, struct opened *o)
{
	int rc = invitations_find(db, req->arena, req_param(req, "token"), now, &o->inv);
	if (rc == DB_DONE)
		return http_error(req, 404, "members.accept.unknown") == 0 ? 1 : -1;
	if (rc != DB_OK)
		return -1;
	static const char *const gone[] = {
	        [INVITATION_ACCEPTED] = "members.accept.used",
	        [INVITATION_REVOKED] = "members.accept.revoked",
	        [INVITATION_EXPIRED] = "members.accept.expired",
	};
	if (o->inv.state != INVITATION_PENDING)
		return http_error(req, 410, gone[o->inv.state]) == 0 ? 1 : -1;
	rc = accounts_user_by_email(db, req->arena, o->inv.email, &o->user);
	if (rc == DB_DONE)
		return http_error(req, 410, "members.accept.revoked") == 0 ? 1 : -1;
	if (rc != DB_OK)
		return -1;
	const char *status = o->user.status;
	if (req->who.authenticated)
		o->state = req->who.user_id == o->user.id ? ACCEPT_CONFIRM : ACCEPT_OTHER;
	else if (strcmp(status, "invited") == 0 || strcmp(status, "pending") == 0)
		o->state = ACCEPT_NEW;
	else if (strcmp(status, "active") == 0)
		o->state = ACCEPT_SIGNIN;
	else
		return http_error(req, 410, "members.accept.account_disabled") == 0 ? 1 : -1;
	return 0;
}

static int render(struct req *req, int status, const struct opened *o, json_t *values,
                  json_t *errors)
{
	json_t *data = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:o, s:o, s:b, s:b}", "state",
	        state_names[o->state], "org", o->inv.org_name, "org_kind",
	        page_msg(arena_printf(req->arena, "org.kind.%s", o->inv.org_kind)), "role",
	        members_role_label(req->arena, o->inv.role), "email", o->inv.email, "expires",
	        members_time(req->arena, o->inv.expires_at, o->inv.org_zone), "signed_in_as",
	        req->who.authenticated ? req->who.email : NULL, "action", req->path, "values",
	        values ? values : json_object(), "errors", errors ? errors : json_object(),
	        "has_errors", errors && json_object_size(errors) > 0, "needs_csrf", 1);
	if (!data)
		return -1;
	/* Signing in brings the person back to this link (login's "next"). */
	json_object_set_new(data, "signin",
	                    json_string(arena_printf(req->arena, "/login?next=%s", req->path)));
	return page_render(req, status, "members/accept", "page.members.accept.title", data);
}

static int status_for(enum accept_state s)
{
	return s == ACCEPT_OTHER ? 403 : 200;
}

int members_accept_form(struct req *req)
{
	struct opened o;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = open_link(req, db, (int64_t)time(NULL), &o);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	json_t *values = json_pack("{s:s}", "name", o.user.name);
	return render(req, status_for(o.state), &o, values, NULL);
}

/* The audit record of an acceptance: the person who accepted is the actor,
 * in the organization they joined. */
static int audit_accept(struct db *db, struct req *req, const struct opened *o, bool new_account)
{
	const char *target = arena_printf(req->arena, "%lld", (long long)o->inv.id);
	const char *detail =
	        members_detail(req->arena,
	                       json_pack("{s:s, s:I, s:b}", "role", o->inv.role, "user",
	                                 (json_int_t)o->user.id, "new_account", new_account));
	if (!target || !detail)
		return DB_ENOMEM;
	struct audit_event e = {
	        .actor_user_id = o->user.id,
	        .actor = o->user.email,
	        .org_id = o->inv.org_id,
	        .action = "org.invite.accept",
	        .target_type = "invitation",
	        .target_id = target,
	        .outcome = "success",
	        .source = req->client,
	        .detail_json = detail,
	};
	return audit_append(db, accounts_audit_key(), &e);
}

/* Spends the invitation, adds the membership and opens a session in the
 * organization; for a new account, activates it first (hash: its new
 * password). Commits, or rolls back and answers 410 when the invitation
 * was spent meanwhile. */
static int accept(struct req *req, struct db *db, struct opened *o, const char *name,
                  const char *hash, int64_t now)
{
	struct invitation spent;
	char token[SESSION_TOKEN_LEN + 1];
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = invitations_accept(db, req->arena, req_param(req, "token"), now, &spent);
	if (rc == DB_OK && hash)
		rc = invitations_user_activate(db, o->user.id, name, hash);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 410, "members.accept.used");
	}
	if (rc == DB_OK)
		rc = invitations_membership_add(db, o->user.id, o->inv.org_id, o->inv.role);
	/* A new token for the new privileges; the old session (if any) ends. */
	if (rc == DB_OK && req->who.authenticated)
		rc = session_delete(db, req->who.token_hash);
	if (rc == DB_OK)
		rc = session_create(db, o->user.id, o->inv.org_id, req->client,
		                    req_header(req, "User-Agent"), now, token);
	if (rc == DB_OK)
		rc = audit_accept(db, req, o, hash != NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		crypto_wipe(token, sizeof token);
		log_msg(LOG_ERROR, "accepting an invitation: %s", db_errmsg(db));
		return -1;
	}
	rc = accounts_session_cookie(req, token);
	crypto_wipe(token, sizeof token);
	if (rc != 0)
		return -1;
	return http_redirect(req, 303, "/account");
}

int members_accept_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL);
	struct opened o;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = open_link(req, db, now, &o);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (o.state == ACCEPT_CONFIRM)
		return accept(req, db, &o, NULL, NULL, now);
	if (o.state != ACCEPT_NEW)
		return render(req, o.state == ACCEPT_OTHER ? 403 : 401, &o,
		              json_pack("{s:s}", "name", ""), NULL);

	const char *raw_name = req_form(req, "name"), *pw = req_form(req, "password");
	size_t pwlen = pw ? strlen(pw) : 0;
	json_t *values = json_pack("{s:s}", "name", raw_name ? raw_name : "");
	json_t *errors = json_object();
	if (!values || !errors) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	members_field_error(errors, "name", accounts_check_name(raw_name));
	members_field_error(errors, "password",
	                    pwlen > MAX_PASSWORD_BYTES ? "password.too_long"
	                                               : password_policy_key(password_check_policy(
	                                                         pw ? pw : "", pwlen)));
	if (json_object_size(errors) > 0)
		return render(req, 422, &o, values, errors);
	json_decref(values);
	json_decref(errors);

	struct str name = str_trim(str_from(raw_name));
	const char *trimmed = arena_strndup(req->arena, name.p, name.len);
	char hash[PASSWORD_HASH_BYTES];
	if (!trimmed || password_hash(pw, pwlen, hash) != 0)
		return -1;
	rc = accept(req, db, &o, trimmed, hash, now);
	crypto_wipe(hash, sizeof hash);
	return rc;
}
