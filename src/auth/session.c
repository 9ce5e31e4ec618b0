/* auth/session.c — see session.h. */
#include "auth/session.h"

#include "auth/session_cache.h"
#include "auth/totp.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"

#include <string.h>

void auth_limits_default(struct auth_limits *l)
{
	l->idle_seconds = 30 * 60;
	l->lifetime_seconds = 12 * 60 * 60;
	l->lockout_seconds = 10 * 60;
	l->lockout_failures = 5;
	l->signin_per_minute = 20;
	l->token_failures_per_minute = 20;
}

void session_token_hash(const char *token, char out[65])
{
	crypto_token_hash(token, out);
}

/* The length of the UTF-8 character at p (at most len bytes) when it is
 * well-formed: no overlong form, no surrogate, nothing past U+10FFFF; 0 when
 * it is not. *cp receives the code point. */
static size_t utf8_char(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 2;
		min = 0x80;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		min = 0x800;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t session_clean_user_agent(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen == 0)
		return 0;
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t len = strlen((const char *)p); /* a header: the server bounds it */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_char(p + i, len - i, &cp);
		if (n == 0) { /* a stray byte: dropped, the rest is kept */
			i++;
			continue;
		}
		bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
		if (!control) {
			if (o + n > outlen - 1)
				break; /* never half a character */
			memcpy(out + o, p + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return o;
}

/* Runs a prepared statement to completion and finalizes it. */
static int finish(struct db_stmt *st, int rc)
{
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

int session_create(struct db *db, int64_t user_id, int64_t org_id, const char *client,
                   const char *user_agent, int64_t now, char *token)
{
	static const char sql[] =
	        "INSERT INTO sessions (token_hash, user_id, active_org_id, created_at, "
	        "last_seen_at, expires_at, client, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, "
	        "$7)";
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_new(token);
	crypto_token_hash(token, hash);
	char ua[SESSION_UA_MAX + 1];
	size_t n = session_clean_user_agent(user_agent, ua, sizeof ua);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = org_id ? db_bind_int64(st, 3, org_id) : db_bind_null(st, 3)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, now + 12 * 60 * 60)) == DB_OK &&
	    (rc = db_bind_text(st, 6, client ? client : "", (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 7, ua, n);
	return finish(st, rc);
}

int session_delete(struct db *db, const char *token_hash)
{
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_text(st, 1, token_hash, (size_t)-1));
}

int session_delete_user(struct db *db, int64_t user_id)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_int64(st, 1, user_id));
}

int session_delete_user_org(struct db *db, int64_t user_id, int64_t org_id)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = $1 AND active_org_id = $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, org_id);
	return finish(st, rc);
}

static int touch(struct db *db, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	return finish(st, rc);
}

static const char *dup_col(struct arena *a, struct db_stmt *st, int col)
{
	size_t n;
	const char *v = db_column_text(st, col, &n);
	return arena_strndup(a, v, n);
}

static const char *dup_nullable(struct arena *a, struct db_stmt *st, int col, bool *failed)
{
	if (db_column_is_null(st, col))
		return NULL;
	const char *v = dup_col(a, st, col);
	*failed |= v == NULL;
	return v;
}

/* Runs sql with $1 bound to text and steps to its first row: DB_ROW with
 * *out to read and finalize, or DB_DONE or an error with nothing left open. */
static int first_row(struct db *db, const char *sql, const char *text, struct db_stmt **out)
{
	int rc = db_prepare(db, sql, out);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(*out, 1, text, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(*out);
	if (rc != DB_ROW)
		db_finalize(*out);
	return rc;
}

/* The short read of a request whose principal this thread keeps: the
 * session row alone (and the settings every page shows). Fills state and
 * the two times; DB_ROW, DB_DONE when the session is gone, or an error. */
static int read_session_row(struct db *db, struct arena *a, const char *hash,
                            struct session_state *state, int64_t *created, int64_t *seen,
                            struct site_values *site)
{
	static const char sql[] =
	        "SELECT s.id, s.created_at, s.last_seen_at, s.active_org_id, "
	        "s.auth_stamp, " SITE_VALUES_COLUMNS " FROM sessions s WHERE s.token_hash = $1";
	struct db_stmt *st;
	int rc = first_row(db, sql, hash, &st);
	if (rc != DB_ROW)
		return rc;
	state->session_id = db_column_int64(st, 0);
	*created = db_column_int64(st, 1);
	*seen = db_column_int64(st, 2);
	state->active_org_id = db_column_is_null(st, 3) ? 0 : db_column_int64(st, 3);
	state->stamp = db_column_int64(st, 4);
	if (site) {
		bool failed = false;
		site->name = dup_nullable(a, st, 5, &failed);
		site->support = dup_nullable(a, st, 6, &failed);
		site->loaded = !failed;
	}
	db_finalize(st);
	return DB_ROW;
}

static bool outlived(const struct auth_limits *l, int64_t now, int64_t created, int64_t seen)
{
	return now - seen > l->idle_seconds || now - created > l->lifetime_seconds;
}

/* last_seen moves the idle deadline; writing it once a minute is enough. */
static int seen_now(struct db *db, int64_t id, int64_t now, int64_t seen)
{
	return now - seen >= 60 ? touch(db, id, now) : DB_OK;
}

int session_load(struct db *db, struct arena *a, const char *token, int64_t now,
                 const struct auth_limits *l, struct principal *who, struct site_values *site)
{
	static const char sql[] =
	        "SELECT s.id, s.created_at, s.last_seen_at, u.id, u.email, u.name, u.site_admin, "
	        "u.status, s.active_org_id, o.name, m.role, "
	        "CASE WHEN " MFA_REQUIRED_SQL("u") " AND NOT " MFA_ENABLED_SQL(
	                "u") " THEN 1 ELSE 0 END, " SITE_VALUES_COLUMNS ", s.auth_stamp "
	                     "FROM sessions s JOIN users u ON u.id = s.user_id "
	                     "LEFT JOIN organizations o ON o.id = s.active_org_id AND o.status = "
	                     "'active' "
	                     "LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = o.id "
	                     "AND m.status = 'active' "
	                     "WHERE s.token_hash = $1";
	if (strlen(token) != SESSION_TOKEN_LEN)
		return DB_DONE;
	char hash[65];
	session_token_hash(token, hash);
	struct session_state state = {0};
	int64_t created = 0, seen = 0;
	int rc;

	/* A principal this thread keeps: the session row says whether it is
	 * still the one the full lookup below would build. */
	if (session_cache_has(hash)) {
		rc = read_session_row(db, a, hash, &state, &created, &seen, site);
		if (rc != DB_ROW) {
			session_cache_forget(hash);
			return rc;
		}
		if (outlived(l, now, created, seen)) {
			session_cache_forget(hash);
			session_delete(db, hash);
			return DB_DONE;
		}
		if (session_cache_get(hash, &state, a, who))
			return seen_now(db, state.session_id, now, seen);
	}

	struct db_stmt *st;
	if ((rc = first_row(db, sql, hash, &st)) != DB_ROW)
		return rc;
	state.session_id = db_column_int64(st, 0);
	created = db_column_int64(st, 1);
	seen = db_column_int64(st, 2);
	state.active_org_id = db_column_is_null(st, 8) ? 0 : db_column_int64(st, 8);
	state.stamp = db_column_int64(st, 14);
	size_t n;
	const char *status = db_column_text(st, 7, &n);
	bool expired = outlived(l, now, created, seen) || strcmp(status, "active") != 0;
	if (!expired) {
		memset(who, 0, sizeof *who);
		who->authenticated = true;
		who->session_id = state.session_id;
		who->user_id = db_column_int64(st, 3);
		who->email = dup_col(a, st, 4);
		who->name = dup_col(a, st, 5);
		who->site_admin = db_column_int64(st, 6) != 0;
		if (!db_column_is_null(st, 10)) {
			who->org_id = db_column_int64(st, 8);
			who->org_name = dup_col(a, st, 9);
			who->role = dup_col(a, st, 10);
		}
		who->must_enrol = db_column_int64(st, 11) != 0;
		memcpy(who->token_hash, hash, sizeof who->token_hash);
		if (site) {
			bool failed = false;
			site->name = dup_nullable(a, st, 12, &failed);
			site->support = dup_nullable(a, st, 13, &failed);
			site->loaded = !failed;
		}
	}
	db_finalize(st);
	if (expired) {
		session_cache_forget(hash);
		session_delete(db, hash);
		return DB_DONE;
	}
	if (!who->email || !who->name || (who->org_id && (!who->org_name || !who->role)))
		return DB_ENOMEM;
	session_cache_put(hash, &state, who);
	return seen_now(db, state.session_id, now, seen);
}

int signin_locked_until(struct db *db, const char *email, int64_t now, int64_t *until)
{
	static const char sql[] = "SELECT locked_until FROM signin_failures WHERE email = $1";
	struct db_stmt *st;
	*until = 0;
	int rc = first_row(db, sql, email, &st);
	if (rc == DB_ROW) {
		int64_t t = db_column_int64(st, 0);
		*until = t > now ? t : 0;
		db_finalize(st);
	}
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int signin_failed(struct db *db, const char *email, int64_t now, const struct auth_limits *l,
                  int64_t *until)
{
	/* A lock that has run out starts the count again. */
	static const char sql[] =
	        "INSERT INTO signin_failures (email, failures, locked_until) VALUES ($1, 1, 0) "
	        "ON CONFLICT (email) DO UPDATE SET failures = CASE WHEN "
	        "signin_failures.locked_until > 0 AND signin_failures.locked_until <= $2 THEN 1 "
	        "ELSE signin_failures.failures + 1 END, locked_until = CASE WHEN "
	        "signin_failures.locked_until > 0 AND signin_failures.locked_until <= $2 THEN 0 "
	        "ELSE signin_failures.locked_until END RETURNING failures";
	static const char lock_sql[] =
	        "UPDATE signin_failures SET locked_until = $2 WHERE email = $1";
	struct db_stmt *st;
	*until = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, email, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	if (rc == DB_OK)
		rc = db_step(st);
	int64_t failures = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_ERR : rc;
	if (failures < l->lockout_failures)
		return DB_OK;
	*until = now + l->lockout_seconds;
	rc = db_prepare(db, lock_sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, email, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, *until);
	return finish(st, rc);
}

int signin_succeeded(struct db *db, const char *email)
{
	static const char sql[] = "DELETE FROM signin_failures WHERE email = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_text(st, 1, email, (size_t)-1));
}

int rate_limit_hit(struct db *db, const char *key, int64_t now, int limit, bool *allowed)
{
	static const char sql[] =
	        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) "
	        "ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1 "
	        "RETURNING count";
	static const char prune[] = "DELETE FROM rate_limits WHERE window_start < $1";
	int64_t window = now - now % 60;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, key, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, window);
	if (rc == DB_OK)
		rc = db_step(st);
	int64_t count = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_ERR : rc;
	*allowed = count <= limit;
	/* Old windows are worthless; dropping them here keeps the table small. */
	if (count == 1) {
		rc = db_prepare(db, prune, &st);
		if (rc != DB_OK)
			return rc;
		return finish(st, db_bind_int64(st, 1, window - 60));
	}
	return DB_OK;
}

int rate_limit_count(struct db *db, const char *key, int64_t now, int64_t *count)
{
	static const char sql[] =
	        "SELECT count FROM rate_limits WHERE key = $1 AND window_start = $2";
	struct db_stmt *st;
	*count = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, key, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, now - now % 60);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		*count = db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}
