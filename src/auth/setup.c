/* auth/setup.c — see setup.h. */
#include "auth/setup.h"

#include "auth/session.h"
#include "core/crypto.h"
#include "db/db.h"

#include <string.h>

int setup_token_create(struct db *db, int64_t now, char *token)
{
	static const char sql[] =
	        "INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)";
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_new(token);
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, now + SETUP_TTL)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Runs sql with the token's hash and now; DB_OK when it yields a row. */
static int token_query(struct db *db, const char *sql, const char *token, int64_t now)
{
	if (!token || strlen(token) != SETUP_TOKEN_LEN)
		return DB_DONE;
	char hash[65];
	session_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, now)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc;
}

int setup_token_check(struct db *db, const char *token, int64_t now)
{
	static const char sql[] = "SELECT 1 FROM setup_tokens WHERE token_hash = $1 "
	                          "AND used_at IS NULL AND expires_at > $2";
	return token_query(db, sql, token, now);
}

int setup_token_use(struct db *db, const char *token, int64_t now)
{
	static const char sql[] = "UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 "
	                          "AND used_at IS NULL AND expires_at > $2 RETURNING 1";
	return token_query(db, sql, token, now);
}
