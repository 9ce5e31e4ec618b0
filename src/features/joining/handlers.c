/* features/joining/handlers.c — asking to join an organization by email
 * domain (identity issue point 4, DESIGN.md §2; docs/joining.md).
 *
 * /join creates a 'pending' account and mails a confirmation link, but only
 * for an address whose domain an active organization lists. When the
 * address has an account already, the answer is exactly the same and that
 * address gets a different mail instead, so the form tells no one which
 * addresses have accounts (the password is hashed on both paths, so the
 * timing does not tell either). /verify-email/{token} shows a button (mail
 * scanners follow links: GET changes nothing); its POST confirms the
 * address and asks each organization that lists the domain — a membership
 * at once where that organization auto-approves that exact domain, else a
 * request that waits for an org admin. */
#include "features/joining/joining.h"
#include "features/joining/internal.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/joining.h"
#include "auth/mailtoken.h"
#include "auth/password.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "jobs/mail.h"
#include "render/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PASSWORD_BYTES 1024
/* Mails the join form may send to one address a minute (the reminder to
 * an existing account): with the per-client limit, this keeps the form from
 * being used to flood someone's mailbox. */
#define JOIN_MAILS_PER_MINUTE 2

int joining_audit(struct db *db, const struct req *req, int64_t actor_id, const char *actor,
                  int64_t org_id, const char *action, const char *target_type, int64_t target_id,
                  const char *outcome, const char *detail)
{
	const struct principal *w = &req->who;
	char target[24];
	snprintf(target, sizeof target, "%lld", (long long)target_id);
	struct audit_event e = {
	        .actor_user_id = actor ? actor_id : (w->authenticated ? w->user_id : 0),
	        .actor = actor ? actor : (w->authenticated ? w->email : "anonymous"),
	        .org_id = org_id,
	        .action = action,
	        .target_type = target_type,
	        .target_id = target_id ? target : NULL,
	        .outcome = outcome,
	        .source = req->client,
	        .detail_json = detail,
	};
	return audit_append(db, accounts_audit_key(), &e);
}

int joining_mail(struct req *req, struct db *db, const char *to, const char *tpl, json_t *data,
                 int64_t now)
{
	const char *subject, *body;
	if (page_render_mail(req->arena, tpl, data, &subject, &body) != 0)
		return DB_ERR;
	int rc = mail_enqueue(db, to, subject, body, now, NULL);
	if (rc != 0)
		log_msg(LOG_ERROR, "queueing mail %s: %s", tpl, mail_strerror(rc));
	return rc;
}

/* A JSON object for an audit record's detail, as text in the arena (NULL
 * when out of memory; the record is then written without it). obj is
 * stolen. */
static const char *detail_text(struct req *req, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	const char *out = s ? arena_strdup(req->arena, s) : NULL;
	free(s);
	return out;
}

/* ------------------------------------------------------------------ /join */

static int render_join(struct req *req, int status, json_t *values, json_t *errors)
{
	json_t *data = json_pack("{s:o, s:o, s:b, s:b}", "values", values, "errors", errors,
	                         "has_errors", json_object_size(errors) > 0, "needs_csrf", 1);
	return page_render(req, status, "joining/join", "page.join.title", data);
}

int joining_join_form(struct req *req)
{
	if (req->who.authenticated)
		return http_redirect(req, 303, "/account");
	json_t *values = json_object(), *errors = json_object();
	if (!values || !errors) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	return render_join(req, 200, values, errors);
}

int joining_join_sent(struct req *req)
{
	return page_render(req, 200, "joining/sent", "page.join_sent.title", NULL);
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

/* The link a mail carries for a fresh "verify" token of user (made in the
 * open transaction). NULL on failure, with *rc set. */
static const char *verify_link(struct req *req, struct db *db, int64_t user_id, int64_t now,
                               int *rc)
{
	char token[MAILTOKEN_LEN + 1];
	*rc = mailtoken_create(db, "verify", user_id, now, MAILTOKEN_VERIFY_SECONDS, token);
	if (*rc != DB_OK)
		return NULL;
	const char *link =
	        arena_printf(req->arena, "%s/verify-email/%s", req->cfg->public_url, token);
	crypto_wipe(token, sizeof token);
	if (!link)
		*rc = DB_ENOMEM;
	return link;
}

/* The write half of /join, in one transaction: a new pending account and
 * its confirmation mail, or, for an address that has an account, the
 * reminder mail (a fresh link when that account never confirmed its
 * address). Either way audited. 0, or a negative code (rolled back). */
static int register_or_remind(struct req *req, struct db *db, const char *email, const char *name,
                              const char *hash, int64_t now)
{
	struct account_user u = {0};
	int64_t id = 0;
	const char *link = NULL;
	json_t *d;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = accounts_user_by_email(db, req->arena, email, &u);
	if (rc == DB_DONE) {
		rc = joining_user_create(db, email, name, hash, &id);
		if (rc == DB_ECONSTRAINT) {
			/* Someone registered the same address a moment ago: the
			 * same answer, and their mail is on its way. */
			db_rollback(db);
			return 0;
		}
		if (rc == DB_OK)
			link = verify_link(req, db, id, now, &rc);
		if (rc == DB_OK)
			rc = joining_mail(req, db, email, "mail/verify",
			                  json_pack("{s:s}", "link", link), now);
		d = json_pack("{s:s}", "domain", joining_domain(email));
		if (rc == DB_OK)
			rc = joining_audit(db, req, 0, NULL, 0, "join.register", "user", id,
			                   "success", detail_text(req, d));
		else
			json_decref(d);
	} else if (rc == DB_OK) {
		bool mail = false;
		char key[300];
		snprintf(key, sizeof key, "join-mail:%s", email);
		rc = rate_limit_hit(db, key, now, JOIN_MAILS_PER_MINUTE, &mail);
		if (rc == DB_OK && mail && strcmp(u.status, "pending") == 0)
			link = verify_link(req, db, u.id, now, &rc);
		const char *login = arena_printf(req->arena, "%s/login", req->cfg->public_url);
		if (rc == DB_OK && mail)
			rc = joining_mail(req, db, email, "mail/join_exists",
			                  json_pack("{s:s, s:s?, s:s}", "name", u.name, "link",
			                            link, "login", login ? login : ""),
			                  now);
		d = json_pack("{s:s, s:b}", "reason", "account_exists", "mailed", mail);
		if (rc == DB_OK)
			rc = joining_audit(db, req, 0, NULL, 0, "join.register", "user", u.id,
			                   "denied", detail_text(req, d));
		else
			json_decref(d);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "a request to join failed (%d): %s", rc, db_errmsg(db));
		return -1;
	}
	return 0;
}

int joining_join_submit(struct req *req)
{
	if (req->who.authenticated)
		return http_redirect(req, 303, "/account");
	int64_t now = (int64_t)time(NULL);
	const char *name = req_form(req, "name"), *raw_email = req_form(req, "email");
	const char *pw = req_form(req, "password");
	size_t pwlen = pw ? strlen(pw) : 0;
	char email[256];
	struct db *db = db_pool_get();
	json_t *values = json_pack("{s:s, s:s}", "name", name ? name : "", "email",
	                           raw_email ? raw_email : "");
	json_t *errors = json_object();
	if (!db || !values || !errors) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}

	/* Validation first: it is cheap and writes nothing. */
	field_error(errors, "name", accounts_check_name(name));
	const char *bad = accounts_check_email(raw_email, email, sizeof email);
	/* The mail must be deliverable, or the person could never confirm. */
	if (!bad && !mail_address_valid(email))
		bad = "account.email.invalid";
	field_error(errors, "email", bad);
	field_error(errors, "password",
	            pwlen > MAX_PASSWORD_BYTES
	                    ? "password.too_long"
	                    : password_policy_key(password_check_policy(pw ? pw : "", pwlen)));
	if (!bad) {
		int rc = joining_domain_listed(db, joining_domain(email));
		if (rc == DB_DONE) {
			field_error(errors, "email", "join.domain.field");
			json_object_set_new(errors, "domain", json_true());
		} else if (rc != DB_OK) {
			json_decref(values);
			json_decref(errors);
			return -1;
		}
	}
	if (json_object_size(errors) > 0)
		return render_join(req, 422, values, errors);
	json_decref(values);
	json_decref(errors);

	/* The per-address limit comes before the costly part (a hash, a mail). */
	char key[80];
	bool allowed = false;
	snprintf(key, sizeof key, "join:%s", req->client);
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = rate_limit_hit(db, key, now, accounts_auth_limits()->signin_per_minute,
		                    &allowed);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return -1;
	}
	if (!allowed) {
		http_add_header(req, "Retry-After", "60");
		return http_error(req, 429, "join.rate_limited");
	}

	/* Hashed on both paths, so the time taken tells nothing either. */
	char hash[PASSWORD_HASH_BYTES];
	if (password_hash(pw, pwlen, hash) != 0)
		return -1;
	struct str n = str_trim(str_from(name));
	const char *trimmed = arena_strndup(req->arena, n.p, n.len);
	rc = trimmed ? register_or_remind(req, db, email, trimmed, hash, now) : -1;
	crypto_wipe(hash, sizeof hash);
	if (rc != 0)
		return -1;
	mail_kick();
	return http_redirect(req, 303, "/join/sent");
}

/* ------------------------------------------------------------------ /verify-email/{token} */

/* The error page for a token that cannot be used: 404 when it was never
 * issued (or is malformed), 410 when it was used or has expired. */
static int token_refused(struct req *req, struct db *db, const char *token, int64_t now)
{
	enum joining_token_state state;
	if (joining_token_state(db, token, now, &state) != DB_OK)
		return -1;
	if (state == JOINING_TOKEN_SPENT)
		return http_error(req, 410, "join.verify.gone");
	return http_error(req, 404, "join.verify.unknown");
}

int joining_verify_form(struct req *req)
{
	int64_t now = (int64_t)time(NULL), user_id = 0;
	const char *token = req_param(req, "token");
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int rc = mailtoken_peek(db, "verify", token, now, &user_id);
	if (rc == DB_DONE)
		return token_refused(req, db, token, now);
	struct account_user u;
	if (rc == DB_OK)
		rc = joining_user_get(db, req->arena, user_id, &u);
	if (rc == DB_DONE)
		return http_error(req, 404, "join.verify.unknown");
	if (rc != DB_OK)
		return -1;
	json_t *data = json_pack("{s:s, s:s, s:b}", "email", u.email, "action", req->path,
	                         "needs_csrf", 1);
	return page_render(req, 200, "joining/verify", "page.join_verify.title", data);
}

/* Asks one organization on the person's behalf, in the open transaction:
 * nothing when they are a member already; a membership when the
 * organization auto-approves the domain (appended to approved); else a
 * pending request, unless one is waiting already (appended to waiting). */
static int ask_org(struct req *req, struct db *db, const struct account_user *u,
                   const struct joining_org *o, const char *domain, int64_t now, json_t *approved,
                   json_t *waiting)
{
	int64_t id = 0;
	int rc = joining_is_member(db, u->id, o->id);
	if (rc != DB_DONE)
		return rc; /* DB_OK: a member already, nothing to ask */
	rc = joining_request_pending(db, u->id, o->id, &id);
	if (rc == DB_OK)
		return json_array_append_new(waiting, json_pack("{s:s}", "name", o->name)) == 0
		        ? DB_OK
		        : DB_ENOMEM;
	if (rc != DB_DONE)
		return rc;
	if (o->auto_approve) {
		const char *role = joining_default_role(o->kind);
		rc = accounts_membership_add(db, u->id, o->id, role);
		if (rc == DB_OK)
			rc = joining_audit(db, req, u->id, u->email, o->id, "join.auto_approve",
			                   "user", u->id, "success",
			                   detail_text(req,
			                               json_pack("{s:s, s:s}", "domain", domain,
			                                         "role", role)));
		if (rc == DB_OK)
			rc = json_array_append_new(
			             approved,
			             json_pack("{s:s, s:s}", "name", o->name, "role",
			                       page_msg(arena_printf(req->arena, "role.%s",
			                                             role)))) == 0
			        ? DB_OK
			        : DB_ENOMEM;
		return rc;
	}
	rc = joining_request_create(db, u->id, o->id, now, &id);
	if (rc == DB_OK)
		rc = joining_audit(db, req, u->id, u->email, o->id, "join.request", "join_request",
		                   id, "success",
		                   detail_text(req,
		                               json_pack("{s:I, s:s}", "user", (json_int_t)u->id,
		                                         "domain", domain)));
	if (rc == DB_OK)
		rc = json_array_append_new(waiting, json_pack("{s:s}", "name", o->name)) == 0
		        ? DB_OK
		        : DB_ENOMEM;
	return rc;
}

int joining_verify_submit(struct req *req)
{
	int64_t now = (int64_t)time(NULL), user_id = 0;
	const char *token = req_param(req, "token");
	struct db *db = db_pool_get();
	json_t *approved = json_array(), *waiting = json_array();
	if (!db || !approved || !waiting) {
		json_decref(approved);
		json_decref(waiting);
		return -1;
	}
	struct account_user u = {0};
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = mailtoken_take(db, "verify", token, now, &user_id);
	if (rc == DB_OK)
		rc = joining_user_get(db, req->arena, user_id, &u);
	if (rc == DB_DONE) {
		db_rollback(db);
		json_decref(approved);
		json_decref(waiting);
		return token_refused(req, db, token, now);
	}
	/* Only a pending (now active) or active account asks to join: a
	 * disabled one has its address confirmed and nothing more. */
	bool asks = rc == DB_OK &&
	        (strcmp(u.status, "pending") == 0 || strcmp(u.status, "active") == 0);
	if (rc == DB_OK)
		rc = joining_user_verify(db, u.id);
	if (rc == DB_OK)
		rc = joining_audit(db, req, u.id, u.email, 0, "join.verify", "user", u.id,
		                   "success", NULL);
	const char *domain = joining_domain(u.email);
	struct joining_org *orgs = NULL;
	size_t norgs = 0;
	if (rc == DB_OK && asks && domain)
		rc = joining_orgs_for_domain(db, req->arena, domain, &orgs, &norgs);
	for (size_t i = 0; rc == DB_OK && i < norgs; i++)
		rc = ask_org(req, db, &u, &orgs[i], domain, now, approved, waiting);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "confirming an email address failed (%d): %s", rc,
		        db_errmsg(db));
		json_decref(approved);
		json_decref(waiting);
		return -1;
	}
	json_t *data = json_pack("{s:o, s:o}", "approved", approved, "waiting", waiting);
	return page_render(req, 200, "joining/verified", "page.join_verified.title", data);
}
