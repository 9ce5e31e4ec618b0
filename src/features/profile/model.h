/* features/profile/model.h — what the profile pages read and write in the
 * store (handlers never write SQL): the person's own user row, their live
 * sessions, the time zone of their active organization, and the reset mails
 * they were sent lately. Also the checks and descriptions that need no
 * store: the POST/officer ID rule and a short name for a User-Agent.
 *
 * Model functions return DB_OK (0), DB_DONE when a lookup finds nothing (or
 * a change touches no row), or another negative DB code of db/db.h. Strings
 * they return live in the arena they are given. */
#ifndef CSEC_FEATURES_PROFILE_MODEL_H
#define CSEC_FEATURES_PROFILE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct auth_limits;
struct db;

#define PROFILE_SESSIONS_MAX 100 /* sessions one page lists, most recent first */
#define PROFILE_RESET_MAILS 3 /* reset mails one person may be sent ... */
#define PROFILE_RESET_WINDOW (15 * 60) /* ... in this many seconds */

struct profile_user {
	int64_t id;
	const char *email;
	const char *name;
	const char *officer_id; /* "" when none was given */
	const char *password_hash;
	const char *status; /* invited, pending, active, locked, disabled */
};

struct profile_session {
	int64_t id;
	int64_t created_at, last_seen_at; /* Unix seconds */
	const char *client; /* the address it was started from */
	const char *user_agent; /* as session_clean_user_agent kept it */
};

/* A short description of a User-Agent for the sessions page: the browser's
 * and the operating system's product names ("Firefox", "Windows"), each
 * NULL when not recognized. Product names are not translated, so they are
 * static strings here; the sentence around them is in the catalogue. */
void profile_describe_agent(const char *ua, const char **browser, const char **os);

/* The user row of id, whatever its status. */
int profile_user_get(struct db *db, struct arena *a, int64_t id, struct profile_user *out);

/* Stores a new argon2id hash as the user's password. */
int profile_password_set(struct db *db, int64_t id, const char *password_hash);

/* The user's live sessions (idle and absolute limits of l at now), most
 * recently seen first, at most PROFILE_SESSIONS_MAX: fills out (an array of
 * that many) and *n. */
int profile_sessions(struct db *db, struct arena *a, int64_t user_id, int64_t now,
                     const struct auth_limits *l, struct profile_session *out, size_t *n);

/* Ends session_id when it belongs to user_id: DB_OK, or DB_DONE when the
 * user has no such session (someone else's id looks like a missing one). */
int profile_session_end(struct db *db, int64_t user_id, int64_t session_id);

/* Ends every session of user_id but keep_id; *ended counts them. */
int profile_sessions_end_others(struct db *db, int64_t user_id, int64_t keep_id, int *ended);

/* How many reset links were made for user_id since the time since. */
int profile_reset_mails_since(struct db *db, int64_t user_id, int64_t since, int *count);

#endif
