/* features/members/actions.c — what an org admin does to the active
 * organization's people: invite by email (a new account with status
 * 'invited' when nobody has the address; the mail queued in the same
 * transaction), revoke a pending invitation, change a member's role,
 * disable and re-enable a membership. Each change is checked, made and
 * audited in one write transaction; the organization's row lock comes
 * first, so concurrent changes to its members run one after the other.
 *
 * A role change or a disabled membership is a privilege change: the
 * person's sessions in this organization end at once (DESIGN.md §6), and
 * they sign in again with a new token. The organization always keeps one
 * active org admin: the last one cannot demote or disable themselves. */
#include "features/members/members.h"
#include "features/members/internal.h"

#include "auth/accounts.h"
#include "auth/invitations.h"
#include "auth/orgs.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "jobs/mail.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ invite */

/* The invitation being made: the checked input and what the transaction
 * found or made. */
struct invite {
	const char *email; /* checked, lower-case */
	const char *name; /* trimmed; may be "" */
	const char *role;
	int64_t invitation_id;
	int64_t replaced;
	bool new_account;
	const char *refusal; /* a catalogue key: the email cannot be invited */
};

/* The mail with the link; queued inside the transaction. */
static int queue_mail(struct req *req, struct db *db, const struct invite *in,
                      const struct org_settings *org, const char *token, int64_t now)
{
	const char *link = arena_printf(req->arena, "%s/invite/%s", req->cfg->public_url, token);
	const char *subject = NULL, *body = NULL;
	if (!link)
		return DB_ENOMEM;
	json_t *data =
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "org", org->name, "role",
	                  members_role_label(req->arena, in->role), "inviter", req->who.name,
	                  "name", in->name, "link", link, "expires",
	                  members_time(req->arena, now + INVITATION_SECONDS, org->time_zone));
	if (!data || page_render_mail(req->arena, "mail/invite", data, &subject, &body) != 0)
		return DB_ERR;
	/* Long names (200 bytes each are allowed) could pass the subject's
	 * limit: cut it at a character boundary, with an ellipsis. */
	size_t n = strlen(subject);
	if (n > MAIL_MAX_SUBJECT) {
		n = MAIL_MAX_SUBJECT - 3;
		while (n > 0 && ((unsigned char)subject[n] & 0xC0) == 0x80)
			n--;
		subject = arena_printf(req->arena, "%.*s\xE2\x80\xA6", (int)n, subject);
		if (!subject)
			return DB_ENOMEM;
	}
	int rc = mail_enqueue(db, in->email, subject, body, now, NULL);
	if (rc == 0)
		return DB_OK;
	log_msg(LOG_ERROR, "queuing an invitation: %s", mail_strerror(rc));
	/* A DB_E* code goes up as it is (DB_ERETRY stays retryable); a
	 * MAIL_E* one is a hard failure. */
	return rc >= DB_EINVAL ? rc : DB_ERR;
}

/* One attempt at the invitation's transaction. DB_OK (committed), DB_DONE
 * with in->refusal set (rolled back), or a negative DB code (rolled
 * back). */
static int invite_txn(struct req *req, struct db *db, struct invite *in, int64_t now)
{
	int64_t org_id = req->who.org_id, user_id = 0;
	struct org_settings org;
	struct account_user user;
	struct org_member member;
	char token[INVITATION_TOKEN_LEN + 1] = "";
	in->invitation_id = in->replaced = 0;
	in->new_account = false;
	in->refusal = NULL;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = orgs_lock(db, org_id);
	if (rc == DB_OK)
		rc = orgs_get(db, req->arena, org_id, &org);
	if (rc == DB_OK)
		rc = accounts_user_by_email(db, req->arena, in->email, &user);
	if (rc == DB_OK) {
		user_id = user.id;
		if (strcmp(user.status, "disabled") == 0 || strcmp(user.status, "locked") == 0) {
			in->refusal = "members.invite.account_disabled";
			rc = DB_DONE;
		} else {
			rc = orgs_member_get(db, req->arena, org_id, user.id, &member);
			if (rc == DB_OK) {
				in->refusal = strcmp(member.status, "active") == 0
				        ? "members.invite.already"
				        : "members.invite.already_disabled";
				rc = DB_DONE;
			} else if (rc == DB_DONE) {
				rc = DB_OK;
			}
		}
	} else if (rc == DB_DONE) {
		in->new_account = true;
		rc = invitations_user_create(db, in->email, in->name, &user_id);
	}
	if (rc == DB_OK)
		rc = invitations_revoke_email(db, org_id, in->email, now, &in->replaced);
	if (rc == DB_OK)
		rc = invitations_create(db, org_id, in->email, in->role, req->who.user_id, now,
		                        token, &in->invitation_id);
	if (rc == DB_OK)
		rc = queue_mail(req, db, in, &org, token, now);
	crypto_wipe(token, sizeof token);
	if (rc == DB_OK) {
		const char *id = arena_printf(req->arena, "%lld", (long long)in->invitation_id);
		const char *detail = members_detail(
		        req->arena,
		        json_pack("{s:s, s:s, s:I, s:I, s:b}", "email", in->email, "role", in->role,
		                  "user", (json_int_t)user_id, "replaced", (json_int_t)in->replaced,
		                  "new_account", in->new_account));
		rc = id && detail
		        ? accounts_audit(db, req, "org.invite", "invitation", id, "success", detail)
		        : DB_ENOMEM;
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

int members_invite(struct req *req)
{
	int64_t now = (int64_t)time(NULL);
	const char *raw_email = req_form(req, "email"), *raw_name = req_form(req, "name");
	const char *role = req_form(req, "role");
	char email[256];
	json_t *values = json_pack("{s:s, s:s, s:s}", "email", raw_email ? raw_email : "", "name",
	                           raw_name ? raw_name : "", "role", role ? role : "");
	json_t *errors = json_object();
	struct db *db = db_pool_get();
	if (!values || !errors || !db) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	const char *bad = accounts_check_email(raw_email, email, sizeof email);
	if (!bad && !mail_address_valid(email))
		bad = "account.email.invalid";
	members_field_error(errors, "email", bad);
	struct str name = str_trim(str_from(raw_name ? raw_name : ""));
	if (name.len)
		members_field_error(errors, "name", accounts_check_name(raw_name));
	members_field_error(errors, "role", accounts_check_role(role));
	if (json_object_size(errors) > 0)
		return members_render_index(req, 422, values, errors, NULL);

	struct invite in = {
	        .email = email,
	        .name = arena_strndup(req->arena, name.p, name.len),
	        .role = role,
	};
	if (!in.name) {
		json_decref(values);
		json_decref(errors);
		return -1;
	}
	/* Two admins of different organizations inviting the same new address
	 * at once: the loser's account insert fails its unique check, and the
	 * second attempt finds the account. */
	int rc = invite_txn(req, db, &in, now);
	if (rc == DB_ECONSTRAINT || rc == DB_ERETRY)
		rc = invite_txn(req, db, &in, now);
	if (rc == DB_DONE && in.refusal) {
		members_field_error(errors, "email", in.refusal);
		return members_render_index(req, 422, values, errors, NULL);
	}
	json_decref(values);
	json_decref(errors);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "inviting a member: %s", db_errmsg(db));
		return -1;
	}
	mail_kick();
	return http_redirect(req, 303, "/org/members?done=invited");
}

int members_invitation_revoke(struct req *req)
{
	int64_t id, now = (int64_t)time(NULL);
	if (!members_parse_id(req_param(req, "invitation"), &id))
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	const char *email = NULL;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = invitations_revoke(db, req->arena, req->who.org_id, id, now, &email);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK) {
		const char *target = arena_printf(req->arena, "%lld", (long long)id);
		const char *detail = members_detail(req->arena, json_pack("{s:s}", "email", email));
		rc = target && detail ? accounts_audit(db, req, "org.invite.revoke", "invitation",
		                                       target, "success", detail)
		                      : DB_ENOMEM;
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "revoking an invitation: %s", db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/org/members?done=revoked");
}

/* ---------------------------------------------------------------- members */

enum change { CHANGE_ROLE, CHANGE_DISABLE, CHANGE_ENABLE };

static const char *const change_action[] = {
        [CHANGE_ROLE] = "org.member.role",
        [CHANGE_DISABLE] = "org.member.disable",
        [CHANGE_ENABLE] = "org.member.enable",
};
static const char *const change_done[] = {
        [CHANGE_ROLE] = "/org/members?done=role",
        [CHANGE_DISABLE] = "/org/members?done=disabled",
        [CHANGE_ENABLE] = "/org/members?done=enabled",
};

/* Role change, disable or enable of member {user} of the active
 * organization. */
static int change_member(struct req *req, enum change what)
{
	int64_t user_id, org_id = req->who.org_id, admins = 0;
	if (!members_parse_id(req_param(req, "user"), &user_id))
		return http_error(req, 404, NULL);
	const char *role = what == CHANGE_ROLE ? req_form(req, "role") : NULL;
	if (what == CHANGE_ROLE && accounts_check_role(role))
		/* The select only offers the roles; anything else changes nothing.
		 * The id is still checked first, so another org's id stays a 404. */
		role = NULL;
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	struct org_member m;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = orgs_lock(db, org_id);
	if (rc == DB_OK)
		rc = orgs_member_get(db, req->arena, org_id, user_id, &m);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc != DB_OK)
		goto fail;
	if (what == CHANGE_ROLE && !role) {
		db_rollback(db);
		return members_render_index(req, 422, NULL, NULL, "account.role.invalid");
	}
	const char *new_role = what == CHANGE_ROLE ? role : m.role;
	const char *new_status = what == CHANGE_DISABLE ? "disabled"
	        : what == CHANGE_ENABLE                 ? "active"
	                                                : m.status;
	if (strcmp(new_role, m.role) == 0 && strcmp(new_status, m.status) == 0) {
		db_rollback(db); /* nothing to change */
		return http_redirect(req, 303, change_done[what]);
	}
	/* Someone must stay able to administer the organization. */
	bool was_admin = strcmp(m.role, "org_admin") == 0 && strcmp(m.status, "active") == 0 &&
	        strcmp(m.user_status, "active") == 0;
	bool stays_admin = strcmp(new_role, "org_admin") == 0 && strcmp(new_status, "active") == 0;
	if (was_admin && !stays_admin) {
		if ((rc = orgs_active_admins(db, org_id, &admins)) != DB_OK)
			goto fail;
		if (admins <= 1) {
			db_rollback(db);
			return members_render_index(req, 422, NULL, NULL,
			                            what == CHANGE_ROLE
			                                    ? "members.last_admin.role"
			                                    : "members.last_admin.disable");
		}
	}
	if (what == CHANGE_ROLE)
		rc = orgs_member_set_role(db, org_id, user_id, new_role);
	else
		rc = orgs_member_set_status(db, org_id, user_id, new_status);
	/* A privilege change: the person's sessions in this organization end
	 * now (re-enabling grants what they had, at their next sign-in). */
	if (rc == DB_OK && what != CHANGE_ENABLE)
		rc = session_delete_user_org(db, user_id, org_id);
	if (rc == DB_OK) {
		json_t *d = what == CHANGE_ROLE
		        ? json_pack("{s:s, s:s, s:s}", "email", m.email, "from", m.role, "to",
		                    new_role)
		        : json_pack("{s:s, s:s}", "email", m.email, "role", m.role);
		const char *detail = members_detail(req->arena, d);
		const char *target = arena_printf(req->arena, "%lld", (long long)user_id);
		rc = detail && target ? accounts_audit(db, req, change_action[what], "user", target,
		                                       "success", detail)
		                      : DB_ENOMEM;
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		goto fail;
	if (user_id == req->who.user_id && what != CHANGE_ENABLE)
		return members_signed_out(req);
	return http_redirect(req, 303, change_done[what]);
fail:
	db_rollback(db);
	log_msg(LOG_ERROR, "changing a member: %s", db_errmsg(db));
	return -1;
}

int members_role(struct req *req)
{
	return change_member(req, CHANGE_ROLE);
}

int members_disable(struct req *req)
{
	return change_member(req, CHANGE_DISABLE);
}

int members_enable(struct req *req)
{
	return change_member(req, CHANGE_ENABLE);
}
