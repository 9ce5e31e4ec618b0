/* features/profile/sessions.c — the person's live sessions: when each
 * started and was last active (in the active organization's time zone),
 * from which address, in which browser, and which one is this; ending one
 * of them, or all but this one. Only the person's own sessions are ever
 * listed or ended: another person's session id answers 404, like an id
 * that does not exist. */
#include "features/profile/profile.h"

#include "auth/accounts.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/profile/internal.h"
#include "features/profile/model.h"
#include "render/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define TIME_PATTERN "d MMM yyyy HH:mm zzz"
#define AGENT_SHOWN 60 /* bytes of an unrecognized User-Agent shown as it is */

static json_t *session_json(struct req *req, const struct profile_session *s, const char *zone)
{
	const char *browser, *os;
	char agent[AGENT_SHOWN + 1];
	profile_describe_agent(s->user_agent, &browser, &os);
	session_clean_user_agent(s->user_agent, agent, sizeof agent);
	const char *end = arena_printf(req->arena, "/account/sessions/%lld/end", (long long)s->id);
	return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s, s:b, s:s}", "id", (json_int_t)s->id,
	                 "started", profile_time_text(req, s->created_at, zone, TIME_PATTERN),
	                 "seen", profile_time_text(req, s->last_seen_at, zone, TIME_PATTERN),
	                 "client", s->client, "browser", browser, "os", os, "agent", agent,
	                 "current", s->id == req->who.session_id, "end", end ? end : "#");
}

int profile_sessions_page(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	struct profile_session *list = arena_alloc(req->arena, PROFILE_SESSIONS_MAX * sizeof *list);
	size_t n = 0;
	const char *zone = "UTC";
	if (!list ||
	    profile_sessions(db, req->arena, req->who.user_id, (int64_t)time(NULL),
	                     accounts_auth_limits(), list, &n) != DB_OK ||
	    accounts_org_zone(db, req->arena, req->who.org_id, &zone) != DB_OK)
		return -1;
	json_t *items = json_array();
	bool others = false;
	for (size_t i = 0; items && i < n; i++) {
		others = others || list[i].id != req->who.session_id;
		if (json_array_append_new(items, session_json(req, &list[i], zone)) != 0) {
			json_decref(items);
			return -1;
		}
	}
	const char *done = req_query(req, "done");
	if (done && strcmp(done, "one") != 0 && strcmp(done, "others") != 0)
		done = NULL;
	json_t *data = json_pack("{s:o, s:b, s:s, s:s?, s:s}", "sessions", items, "others", others,
	                         "zone", zone, "done", done, "here", "sessions");
	return page_render(req, 200, "profile/sessions", "page.profile.sessions.title", data);
}

int profile_session_end_one(struct req *req)
{
	const char *v = req_param(req, "session");
	int64_t id = 0;
	if (!v || str_to_i64(str_from(v), 1, INT64_MAX, &id) != 0)
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	char target[24];
	snprintf(target, sizeof target, "%lld", (long long)id);
	bool current = id == req->who.session_id;
	int rc = db_begin_write(db);
	int ended = rc == DB_OK ? profile_session_end(db, req->who.user_id, id) : rc;
	if (ended == DB_OK || ended == DB_DONE)
		rc = accounts_audit(db, req, "auth.session.end", "session", target,
		                    ended == DB_OK ? "success" : "denied",
		                    ended == DB_OK ? (current ? "{\"current\":true}" : NULL)
		                                   : "{\"reason\":\"not_found\"}");
	else
		rc = ended;
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "ending a session failed: %s", db_errmsg(db));
		return -1;
	}
	if (ended == DB_DONE)
		return http_error(req, 404, NULL);
	if (current) { /* the person ended the session they are using: signed out */
		http_add_header(req, "Set-Cookie",
		                SESSION_COOKIE
		                "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
		return http_redirect(req, 303, "/login");
	}
	return http_redirect(req, 303, "/account/sessions?done=one");
}

int profile_sessions_end_others_submit(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int ended = 0;
	char detail[48];
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = profile_sessions_end_others(db, req->who.user_id, req->who.session_id, &ended);
	snprintf(detail, sizeof detail, "{\"ended\":%d}", ended);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "auth.session.end_others", "user", req->who.email,
		                    "success", detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "ending the other sessions failed: %s", db_errmsg(db));
		return -1;
	}
	return http_redirect(req, 303, "/account/sessions?done=others");
}
