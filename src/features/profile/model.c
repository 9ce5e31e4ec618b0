/* features/profile/model.c — see model.h. */
#include "features/profile/model.h"

#include "auth/session.h"
#include "core/arena.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"

#include <string.h>

/* Browsers name others in their User-Agent ("Chrome/... Safari/..."), so the
 * more specific tokens come first. */
void profile_describe_agent(const char *ua, const char **browser, const char **os)
{
	static const struct {
		const char *token, *name;
	} browsers[] =
	        {
	                {"Edg/", "Edge"},
	                {"Edge/", "Edge"},
	                {"EdgiOS/", "Edge"},
	                {"EdgA/", "Edge"},
	                {"OPR/", "Opera"},
	                {"Opera", "Opera"},
	                {"SamsungBrowser/", "Samsung Internet"},
	                {"Firefox/", "Firefox"},
	                {"FxiOS/", "Firefox"},
	                {"Chromium/", "Chromium"},
	                {"CriOS/", "Chrome"},
	                {"Chrome/", "Chrome"},
	                {"Safari/", "Safari"},
	                {"curl/", "curl"},
	        },
	  systems[] = {
	          {"Windows", "Windows"}, {"iPhone", "iOS"},      {"iPad", "iPadOS"},
	          {"iPod", "iOS"},        {"Android", "Android"}, {"CrOS", "ChromeOS"},
	          {"Mac OS X", "macOS"},  {"Macintosh", "macOS"}, {"Linux", "Linux"},
	  };
	*browser = *os = NULL;
	if (!ua)
		return;
	for (size_t i = 0; !*browser && i < sizeof browsers / sizeof browsers[0]; i++)
		if (strstr(ua, browsers[i].token))
			*browser = browsers[i].name;
	for (size_t i = 0; !*os && i < sizeof systems / sizeof systems[0]; i++)
		if (strstr(ua, systems[i].token))
			*os = systems[i].name;
}

static const char *dup_col(struct arena *a, struct db_stmt *st, int col)
{
	size_t n;
	const char *v = db_column_text(st, col, &n);
	return arena_strndup(a, v ? v : "", v ? n : 0);
}

/* Runs a statement that changes rows to its end. */
static int finish(struct db_stmt *st, int rc)
{
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

int profile_user_get(struct db *db, struct arena *a, int64_t id, struct profile_user *out)
{
	static const char sql[] = "SELECT id, email, name, officer_id, password_hash, status "
	                          "FROM users WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->email = dup_col(a, st, 1);
		out->name = dup_col(a, st, 2);
		out->officer_id = dup_col(a, st, 3);
		out->password_hash = dup_col(a, st, 4);
		out->status = dup_col(a, st, 5);
		rc = out->email && out->name && out->officer_id && out->password_hash && out->status
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int profile_password_set(struct db *db, int64_t id, const char *password_hash)
{
	static const char sql[] = "UPDATE users SET password_hash = $2 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK)
		rc = db_bind_text(st, 2, password_hash, (size_t)-1);
	return finish(st, rc);
}

int profile_sessions(struct db *db, struct arena *a, int64_t user_id, int64_t now,
                     const struct auth_limits *l, struct profile_session *out, size_t *n)
{
	/* Live as session_load sees it: seen within the idle timeout, started
	 * within the absolute lifetime. */
	static const char sql[] =
	        "SELECT id, created_at, last_seen_at, client, user_agent FROM sessions "
	        "WHERE user_id = $1 AND last_seen_at >= $2 AND created_at >= $3 "
	        "ORDER BY last_seen_at DESC, id DESC LIMIT $4";
	struct db_stmt *st;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, now - l->idle_seconds)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now - l->lifetime_seconds)) == DB_OK)
		rc = db_bind_int64(st, 4, PROFILE_SESSIONS_MAX);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct profile_session *s = &out[*n];
		if (*n >= PROFILE_SESSIONS_MAX) {
			rc = DB_DONE;
			break;
		}
		s->id = db_column_int64(st, 0);
		s->created_at = db_column_int64(st, 1);
		s->last_seen_at = db_column_int64(st, 2);
		s->client = dup_col(a, st, 3);
		s->user_agent = dup_col(a, st, 4);
		rc = s->client && s->user_agent ? DB_OK : DB_ENOMEM;
		if (rc == DB_OK)
			(*n)++;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Runs a DELETE ... RETURNING id to its end and counts the rows. */
static int count_deleted(struct db_stmt *st, int rc, int *count)
{
	*count = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		(*count)++;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int profile_session_end(struct db *db, int64_t user_id, int64_t session_id)
{
	static const char sql[] =
	        "DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING id";
	struct db_stmt *st;
	int ended = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, session_id)) == DB_OK)
		rc = db_bind_int64(st, 2, user_id);
	rc = count_deleted(st, rc, &ended);
	return rc == DB_OK && ended == 0 ? DB_DONE : rc;
}

int profile_sessions_end_others(struct db *db, int64_t user_id, int64_t keep_id, int *ended)
{
	static const char sql[] =
	        "DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, keep_id);
	return count_deleted(st, rc, ended);
}

int profile_reset_mails_since(struct db *db, int64_t user_id, int64_t since, int *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM email_tokens WHERE user_id = $1 AND "
	                          "purpose = 'reset' AND created_at >= $2";
	struct db_stmt *st;
	*count = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, since);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		int64_t c = db_column_int64(st, 0);
		*count = c > 1000 ? 1000 : (int)c;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}
