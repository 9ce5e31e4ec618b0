/* features/joining/requests.c — the org admin's requests to join
 * (/org/requests): the pending requests of the session's active
 * organization, approved with a role or declined. The organization is
 * always req->who.org_id, never one from the request, so a request id of
 * another organization answers 404 exactly like one that does not exist; a
 * request decided already answers 409 and changes nothing. Each decision is
 * audited and mailed to the person in the transaction that makes it. */
#include "features/joining/joining.h"
#include "features/joining/internal.h"

#include "auth/accounts.h"
#include "auth/joining.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "jobs/mail.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const roles[] = {"org_admin", "leader",  "trainer", "editor",
                                    "officer",   "partner", "analyst"};

/* The page, with error_key (a catalogue key) named at the top when set. */
static int render(struct req *req, int status, const char *error_key)
{
	int64_t org = req->who.org_id;
	const char *name, *kind, *zone;
	json_t *list = NULL;
	struct db *db = db_pool_get();
	if (!db || joining_org_info(db, req->arena, org, &name, &kind, &zone) != DB_OK ||
	    joining_requests_pending(db, org, &list) != DB_OK)
		return -1;
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r)
	{
		char when[64];
		int64_t t = (int64_t)json_integer_value(json_object_get(r, "created_at"));
		if (tz_format(t, zone, "d MMM yyyy HH:mm zzz", when, sizeof when) != 0)
			when[0] = '\0';
		json_object_set_new(r, "when", json_string(when));
	}
	const char *def = joining_default_role(kind);
	json_t *choices = json_array();
	for (size_t k = 0; choices && k < sizeof roles / sizeof roles[0]; k++)
		json_array_append_new(
		        choices,
		        json_pack("{s:s, s:s, s:b}", "value", roles[k], "label",
		                  page_msg(arena_printf(req->arena, "role.%s", roles[k])),
		                  "selected", strcmp(roles[k], def) == 0));
	const char *done = req_query(req, "done");
	if (done && strcmp(done, "approved") != 0 && strcmp(done, "declined") != 0)
		done = NULL;
	json_t *data =
	        json_pack("{s:s, s:o, s:o, s:s?, s:s?}", "org", name, "requests", list, "roles",
	                  choices, "done", done, "error", error_key ? page_msg(error_key) : NULL);
	return page_render(req, status, "joining/requests", "page.join_requests.title", data);
}

int joining_requests_page(struct req *req)
{
	return render(req, 200, NULL);
}

/* Approves (role != NULL) or declines the request in the URL. */
static int decide(struct req *req, const char *role)
{
	int64_t org = req->who.org_id, id = 0, now = (int64_t)time(NULL);
	const char *p = req_param(req, "request");
	if (!p || str_to_i64(str_from(p), 1, INT64_MAX, &id) != 0)
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	struct joining_request r;
	const char *org_name, *kind, *zone;
	int rc = joining_request_get(db, req->arena, org, id, &r);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc == DB_OK)
		rc = joining_org_info(db, req->arena, org, &org_name, &kind, &zone);
	if (rc != DB_OK)
		return -1;
	if (strcmp(r.status, "pending") != 0)
		return http_error(req, 409, "join.request.decided");
	if (role && accounts_check_role(role))
		return render(req, 422, "join.request.role_invalid");

	const char *status = role ? "approved" : "declined";
	bool member = false;
	if ((rc = db_begin_write(db)) != DB_OK)
		return -1;
	/* Decided in the statement itself: of two decisions at once, the
	 * second finds nothing pending. */
	rc = joining_request_decide(db, org, id, status, req->who.user_id, now);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 409, "join.request.decided");
	}
	if (rc == DB_OK && role) {
		/* Invited meanwhile: the membership they have stays as it is. */
		rc = joining_is_member(db, r.user_id, org);
		member = rc == DB_OK;
		if (rc == DB_DONE)
			rc = accounts_membership_add(db, r.user_id, org, role);
	}
	if (rc == DB_OK) {
		char detail[128];
		if (role)
			snprintf(detail, sizeof detail, "{\"user\":%lld,\"role\":\"%s\"%s}",
			         (long long)r.user_id, role,
			         member ? ",\"already_member\":true" : "");
		else
			snprintf(detail, sizeof detail, "{\"user\":%lld}", (long long)r.user_id);
		rc = joining_audit(db, req, 0, NULL, org, role ? "join.approve" : "join.decline",
		                   "join_request", id, "success", detail);
	}
	if (rc == DB_OK) {
		const char *login = arena_printf(req->arena, "%s/login", req->cfg->public_url);
		const char *role_name = role && !member
		        ? page_msg(arena_printf(req->arena, "role.%s", role))
		        : NULL;
		rc = joining_mail(req, db, r.email, "mail/join_decided",
		                  json_pack("{s:b, s:s, s:s, s:s?, s:s}", "approved", role != NULL,
		                            "org", org_name, "name", r.name, "role", role_name,
		                            "login", login ? login : ""),
		                  now);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "deciding a request to join failed (%d): %s", rc, db_errmsg(db));
		return -1;
	}
	mail_kick();
	return http_redirect(req, 303,
	                     role ? "/org/requests?done=approved" : "/org/requests?done=declined");
}

int joining_request_approve(struct req *req)
{
	const char *role = req_form(req, "role");
	return decide(req, role ? role : "");
}

int joining_request_decline(struct req *req)
{
	return decide(req, NULL);
}
