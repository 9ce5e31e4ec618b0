/* auth/mailtoken.c — see mailtoken.h. */
#include "auth/mailtoken.h"

#include "core/crypto.h"
#include "db/db.h"

#include <string.h>

int mailtoken_create(struct db *db, const char *purpose, int64_t user_id, int64_t now, int64_t ttl,
                     char *token)
{
	static const char sql[] = "INSERT INTO email_tokens (token_hash, purpose, user_id, "
	                          "created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_new(token);
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, purpose, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, now + ttl)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int mailtoken_peek(struct db *db, const char *purpose, const char *token, int64_t now,
                   int64_t *user_id)
{
	static const char sql[] = "SELECT user_id FROM email_tokens WHERE token_hash = $1 AND "
	                          "purpose = $2 AND used_at IS NULL AND expires_at > $3";
	if (!crypto_token_well_formed(token, MAILTOKEN_LEN))
		return DB_DONE;
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, purpose, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*user_id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int mailtoken_take(struct db *db, const char *purpose, const char *token, int64_t now,
                   int64_t *user_id)
{
	/* One statement decides and spends, so two uses at once cannot both win. */
	static const char sql[] = "UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND "
	                          "purpose = $2 AND used_at IS NULL AND expires_at > $3 "
	                          "RETURNING user_id";
	if (!crypto_token_well_formed(token, MAILTOKEN_LEN))
		return DB_DONE;
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, purpose, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*user_id = db_column_int64(st, 0);
		rc = DB_OK;
		while (db_step(st) == DB_ROW) /* run the statement to its end */
			;
	}
	db_finalize(st);
	return rc;
}

int mailtoken_revoke_user(struct db *db, const char *purpose, int64_t user_id, int64_t now)
{
	static const char sql[] = "UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND "
	                          "purpose = $2 AND used_at IS NULL";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, purpose, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}
