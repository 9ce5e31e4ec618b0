/* auth/tokens.c — see tokens.h. */
#include "auth/tokens.h"

#include "auth/totp.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/str.h"
#include "db/db.h"

#include <jansson.h>
#include <string.h>

#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const char *apitoken_check_name(const char *name)
{
	size_t n = name ? strlen(name) : 0, chars = 0;
	if (str_trim(str_from(name ? name : "")).len == 0)
		return "api.token.name.missing";
	/* Four bytes per character at most: cap before walking the text. */
	if (n > 4 * APITOKEN_NAME_MAX || !str_utf8_valid(name, n))
		return "api.token.name.invalid";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < ' ' || c == 0x7f)
			return "api.token.name.invalid";
		if ((c & 0xC0) != 0x80)
			chars++;
	}
	return chars > APITOKEN_NAME_MAX ? "api.token.name.invalid" : NULL;
}

const char *apitoken_check_scope(const char *scope)
{
	if (scope && (strcmp(scope, "read") == 0 || strcmp(scope, "write") == 0))
		return NULL;
	return "api.token.scope.invalid";
}

const char *apitoken_check_days(const char *text, int64_t *days)
{
	if (!text || !text[0]) {
		*days = APITOKEN_DEFAULT_DAYS;
		return NULL;
	}
	if (str_to_i64(str_trim(str_from(text)), 1, APITOKEN_MAX_DAYS, days) != 0)
		return "api.token.days.invalid";
	return NULL;
}

const char *apitoken_refusal_key(enum apitoken_refusal why)
{
	switch (why) {
	case APITOKEN_ALLOWED:
		return NULL;
	case APITOKEN_NO_USER:
		return "api.token.refused.no_user";
	case APITOKEN_INACTIVE:
		return "api.token.refused.inactive";
	case APITOKEN_SITE_ADMIN:
		return "api.token.refused.site_admin";
	case APITOKEN_NEEDS_MFA:
		return "api.token.refused.mfa";
	case APITOKEN_TOO_MANY:
		return "api.token.refused.too_many";
	}
	return "api.token.refused.inactive";
}

bool apitoken_well_formed(const char *token)
{
	if (!token || strnlen(token, APITOKEN_LEN + 1) != APITOKEN_LEN ||
	    strncmp(token, APITOKEN_PREFIX, APITOKEN_PREFIX_LEN) != 0)
		return false;
	return strspn(token + APITOKEN_PREFIX_LEN, B64URL) == APITOKEN_LEN - APITOKEN_PREFIX_LEN;
}

/* Runs a prepared statement to its end and finalizes it. */
static int finish(struct db_stmt *st, int rc)
{
	if (rc == DB_OK)
		while ((rc = db_step(st)) == DB_ROW)
			;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Whether user_id may have one more token now (the rules of tokens.h). */
static int eligible(struct db *db, int64_t user_id, int64_t now, enum apitoken_refusal *why)
{
	static const char user_sql[] = "SELECT status, site_admin FROM users WHERE id = $1";
	static const char live_sql[] = "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND "
	                               "revoked_at IS NULL AND expires_at > $2";
	struct db_stmt *st;
	*why = APITOKEN_ALLOWED;
	int rc = db_prepare(db, user_sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_DONE)
		*why = APITOKEN_NO_USER;
	else if (rc == DB_ROW && db_column_int64(st, 1) != 0)
		*why = APITOKEN_SITE_ADMIN;
	else if (rc == DB_ROW && strcmp(db_column_text(st, 0, NULL), "active") != 0)
		*why = APITOKEN_INACTIVE;
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	if (*why != APITOKEN_ALLOWED)
		return DB_OK;

	/* DESIGN.md §6: someone who must use MFA and has not set it up can reach
	 * nothing but the enrolment page, so no token either. */
	bool required = false, enabled = false;
	rc = mfa_required(db, user_id, &required);
	if (rc == DB_OK && required)
		rc = totp_enabled(db, user_id, &enabled);
	if (rc != DB_OK)
		return rc;
	if (required && !enabled) {
		*why = APITOKEN_NEEDS_MFA;
		return DB_OK;
	}

	if ((rc = db_prepare(db, live_sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, now)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW && db_column_int64(st, 0) >= APITOKEN_MAX_LIVE)
		*why = APITOKEN_TOO_MANY;
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc == DB_DONE ? DB_ERR : rc;
}

int apitoken_create(struct db *db, int64_t user_id, const char *name, const char *scope,
                    int64_t days, int64_t now, char *token, int64_t *id, enum apitoken_refusal *why)
{
	static const char sql[] =
	        "INSERT INTO api_tokens (token_hash, user_id, name, scope, created_at, "
	        "expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
	token[0] = '\0';
	if (apitoken_check_name(name) || apitoken_check_scope(scope) || days < 1 ||
	    days > APITOKEN_MAX_DAYS)
		return DB_EINVAL;
	int rc = eligible(db, user_id, now, why);
	if (rc != DB_OK)
		return rc;
	if (*why != APITOKEN_ALLOWED)
		return DB_DONE;

	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	memcpy(token, APITOKEN_PREFIX, APITOKEN_PREFIX_LEN);
	crypto_token_new(token + APITOKEN_PREFIX_LEN);
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		goto out_wipe;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 3, name, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 4, scope, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 6, now + days * 24 * 60 * 60)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = finish(st, DB_OK);
	} else {
		db_finalize(st);
		if (rc == DB_DONE)
			rc = DB_ERR;
	}
out_wipe:
	if (rc != DB_OK)
		crypto_wipe(token, APITOKEN_LEN + 1);
	return rc;
}

static json_t *time_or_null(struct db_stmt *st, int col)
{
	return db_column_is_null(st, col) ? json_null()
	                                  : json_integer((json_int_t)db_column_int64(st, col));
}

int apitoken_list(struct db *db, int64_t user_id, int64_t now, json_t **out)
{
	static const char sql[] =
	        "SELECT id, name, scope, created_at, expires_at, last_used_at, revoked_at "
	        "FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
	struct db_stmt *st;
	json_t *list = json_array();
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, APITOKEN_LIST_MAX);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n, s;
		const char *name = db_column_text(st, 1, &n);
		const char *scope = db_column_text(st, 2, &s);
		int64_t expires = db_column_int64(st, 4);
		const char *status = !db_column_is_null(st, 6) ? "revoked"
		        : expires <= now                       ? "expired"
		                                               : "active";
		json_t *row = json_pack("{s:I, s:s%, s:s%, s:I, s:I, s:o, s:o, s:s}", "id",
		                        (json_int_t)db_column_int64(st, 0), "name", name, n,
		                        "scope", scope, s, "created_at",
		                        (json_int_t)db_column_int64(st, 3), "expires_at",
		                        (json_int_t)expires, "last_used_at", time_or_null(st, 5),
		                        "revoked_at", time_or_null(st, 6), "status", status);
		rc = json_array_append_new(list, row) == 0 ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int apitoken_revoke(struct db *db, struct arena *a, int64_t user_id, int64_t id, int64_t now,
                    const char **name)
{
	/* One statement decides ownership and revokes; a second revocation keeps
	 * the first time. */
	static const char sql[] = "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) "
	                          "WHERE id = $1 AND user_id = $2 RETURNING name";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK)
		rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(st);
		return rc;
	}
	size_t n;
	const char *v = db_column_text(st, 0, &n);
	*name = arena_strndup(a, v, n);
	rc = finish(st, DB_OK);
	return rc == DB_OK && !*name ? DB_ENOMEM : rc;
}

int apitoken_revoke_user(struct db *db, int64_t user_id, int64_t now, int *count)
{
	static const char sql[] = "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND "
	                          "revoked_at IS NULL RETURNING id";
	struct db_stmt *st;
	int n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		n++;
		rc = DB_OK;
	}
	db_finalize(st);
	if (count)
		*count = n;
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *dup_col(struct arena *a, struct db_stmt *st, int col)
{
	size_t n;
	const char *v = db_column_text(st, col, &n);
	return arena_strndup(a, v, n);
}

/* The person's first active membership (by organization name, as a new
 * session picks it) into who; none leaves who's organization empty. */
static int first_org(struct db *db, struct arena *a, struct principal *who)
{
	static const char sql[] = "SELECT o.id, o.name, m.role FROM memberships m "
	                          "JOIN organizations o ON o.id = m.org_id "
	                          "WHERE m.user_id = $1 AND o.status = 'active' "
	                          "AND m.status = 'active' ORDER BY o.name, o.id LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, who->user_id)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		who->org_id = db_column_int64(st, 0);
		who->org_name = dup_col(a, st, 1);
		who->role = dup_col(a, st, 2);
		rc = who->org_name && who->role ? DB_OK : DB_ENOMEM;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

static int touch(struct db *db, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	return finish(st, rc);
}

int apitoken_authenticate(struct db *db, struct arena *a, const char *token, int64_t now,
                          struct principal *who)
{
	/* A site admin never holds a token; one who became site admin after the
	 * token was made loses it here. */
	static const char sql[] =
	        "SELECT t.id, t.scope, t.last_used_at, u.id, u.email, u.name "
	        "FROM api_tokens t JOIN users u ON u.id = t.user_id "
	        "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 "
	        "AND u.status = 'active' AND u.site_admin = 0";
	if (!apitoken_well_formed(token))
		return DB_DONE;
	char hash[65];
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(st);
		return rc;
	}
	struct principal p = {
	        .authenticated = true,
	        .via_token = true,
	        .session_id = 0,
	        .user_id = db_column_int64(st, 3),
	        .email = dup_col(a, st, 4),
	        .name = dup_col(a, st, 5),
	};
	int64_t id = db_column_int64(st, 0);
	p.token_write = strcmp(db_column_text(st, 1, NULL), "write") == 0;
	bool stale =
	        db_column_is_null(st, 2) || now - db_column_int64(st, 2) >= APITOKEN_TOUCH_SECONDS;
	db_finalize(st);
	if (!p.email || !p.name)
		return DB_ENOMEM;
	if ((rc = first_org(db, a, &p)) != DB_OK)
		return rc;
	/* last_used_at is for the person's list; once a minute is precise enough
	 * and keeps a busy client from writing on every request. */
	if (stale && (rc = touch(db, id, now)) != DB_OK)
		return rc;
	*who = p;
	return DB_OK;
}

int apitoken_refusal_reason(struct db *db, const char *token, int64_t now, const char **reason,
                            int64_t *id)
{
	static const char sql[] = "SELECT t.id, t.revoked_at, t.expires_at, u.status, u.site_admin "
	                          "FROM api_tokens t JOIN users u ON u.id = t.user_id "
	                          "WHERE t.token_hash = $1";
	*id = 0;
	*reason = "malformed";
	if (!apitoken_well_formed(token))
		return DB_OK;
	char hash[65];
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	*reason = "unknown";
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		if (!db_column_is_null(st, 1))
			*reason = "revoked";
		else if (db_column_int64(st, 2) <= now)
			*reason = "expired";
		else
			*reason = "inactive";
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}
