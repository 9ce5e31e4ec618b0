/* auth/invitations.c — see invitations.h. */
#include "auth/invitations.h"

#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"

#include <string.h>

/* Runs a statement to its end and finalizes it: DB_OK, or the error. */
static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

int invitations_create(struct db *db, int64_t org_id, const char *email, const char *role,
                       int64_t invited_by, int64_t now, char *token, int64_t *id)
{
	static const char sql[] =
	        "INSERT INTO invitations (token_hash, org_id, email, role, invited_by, "
	        "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_new(token);
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 3, email, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 4, role, (size_t)-1)) == DB_OK &&
	    (rc = invited_by ? db_bind_int64(st, 5, invited_by) : db_bind_null(st, 5)) == DB_OK &&
	    (rc = db_bind_int64(st, 6, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 7, now + INVITATION_SECONDS)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	return finish(st, rc);
}

int invitations_revoke_email(struct db *db, int64_t org_id, const char *email, int64_t now,
                             int64_t *revoked)
{
	static const char sql[] =
	        "UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND email = $2 AND "
	        "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 RETURNING id";
	struct db_stmt *st;
	int64_t count = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, email, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		count++;
		rc = DB_OK;
	}
	db_finalize(st);
	if (revoked)
		*revoked = count;
	return rc == DB_DONE ? DB_OK : rc;
}

int invitations_revoke(struct db *db, struct arena *a, int64_t org_id, int64_t id, int64_t now,
                       const char **email)
{
	static const char sql[] =
	        "UPDATE invitations SET revoked_at = $3 WHERE id = $2 AND org_id = $1 AND "
	        "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 RETURNING email";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, id)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		const char *e = col(a, st, 0);
		if (email)
			*email = e;
		rc = e ? DB_OK : DB_ENOMEM;
		return finish(st, rc);
	}
	db_finalize(st);
	return rc;
}

/* The columns of an invitation with its organization, as read_invitation
 * reads them. */
#define INVITATION_COLUMNS                                                                         \
	"i.id, i.org_id, o.name, o.kind, o.time_zone, i.email, i.role, i.expires_at, "             \
	"CASE WHEN i.accepted_at IS NULL THEN 0 ELSE 1 END, "                                      \
	"CASE WHEN i.revoked_at IS NULL AND o.status = 'active' THEN 0 ELSE 1 END "

static int read_invitation(struct arena *a, struct db_stmt *st, int64_t now, struct invitation *out)
{
	out->id = db_column_int64(st, 0);
	out->org_id = db_column_int64(st, 1);
	out->org_name = col(a, st, 2);
	out->org_kind = col(a, st, 3);
	out->org_zone = col(a, st, 4);
	out->email = col(a, st, 5);
	out->role = col(a, st, 6);
	out->expires_at = db_column_int64(st, 7);
	if (db_column_int64(st, 8))
		out->state = INVITATION_ACCEPTED;
	else if (db_column_int64(st, 9))
		out->state = INVITATION_REVOKED;
	else if (out->expires_at <= now)
		out->state = INVITATION_EXPIRED;
	else
		out->state = INVITATION_PENDING;
	return out->org_name && out->org_kind && out->org_zone && out->email && out->role
	        ? DB_OK
	        : DB_ENOMEM;
}

int invitations_find(struct db *db, struct arena *a, const char *token, int64_t now,
                     struct invitation *out)
{
	static const char sql[] = "SELECT " INVITATION_COLUMNS
	                          "FROM invitations i JOIN organizations o ON o.id = i.org_id "
	                          "WHERE i.token_hash = $1";
	if (!crypto_token_well_formed(token, INVITATION_TOKEN_LEN))
		return DB_DONE;
	char hash[65];
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(st, 1, hash, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		rc = read_invitation(a, st, now, out);
	db_finalize(st);
	return rc;
}

int invitations_accept(struct db *db, struct arena *a, const char *token, int64_t now,
                       struct invitation *inv)
{
	static const char sql[] =
	        "UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND "
	        "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 AND org_id IN "
	        "(SELECT id FROM organizations WHERE status = 'active') RETURNING id";
	if (!crypto_token_well_formed(token, INVITATION_TOKEN_LEN))
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
	if ((rc = finish(st, DB_OK)) != DB_OK)
		return rc;
	return invitations_find(db, a, token, now, inv);
}

int invitations_pending(struct db *db, struct arena *a, int64_t org_id, const char *like,
                        int64_t now, struct invitation **out, size_t *n)
{
	static const char sql[] =
	        "SELECT " INVITATION_COLUMNS
	        "FROM invitations i JOIN organizations o ON o.id = i.org_id "
	        "WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL "
	        "AND i.expires_at > $2 AND ($3 = '' OR lower(i.email) LIKE $3 ESCAPE '\\') "
	        "ORDER BY i.created_at DESC, i.id DESC LIMIT $4";
	struct invitation *list = arena_calloc(a, INVITATIONS_LISTED, sizeof *list);
	struct db_stmt *st;
	*n = 0;
	if (!list)
		return DB_ENOMEM;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, now)) == DB_OK &&
	    (rc = db_bind_text(st, 3, like ? like : "", (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 4, INVITATIONS_LISTED);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = *n < INVITATIONS_LISTED ? read_invitation(a, st, now, &list[(*n)++]) : DB_OK;
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	*out = list;
	return DB_OK;
}

int invitations_user_create(struct db *db, const char *email, const char *name, int64_t *id)
{
	static const char sql[] = "INSERT INTO users (email, name, password_hash, status, "
	                          "site_admin, email_verified) "
	                          "VALUES ($1, $2, '', 'invited', 0, 0) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, email, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, name ? name : "", (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	return finish(st, rc);
}

int invitations_user_activate(struct db *db, int64_t user_id, const char *name,
                              const char *password_hash)
{
	static const char sql[] =
	        "UPDATE users SET name = $2, password_hash = $3, status = 'active', "
	        "email_verified = 1 WHERE id = $1 AND status IN ('invited', 'pending') "
	        "RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 3, password_hash, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(st);
		return rc;
	}
	return finish(st, DB_OK);
}

int invitations_membership_add(struct db *db, int64_t user_id, int64_t org_id, const char *role)
{
	static const char sql[] = "INSERT INTO memberships (user_id, org_id, role) "
	                          "VALUES ($1, $2, $3) ON CONFLICT (user_id, org_id) DO NOTHING";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK)
		rc = db_bind_text(st, 3, role, (size_t)-1);
	return finish(st, rc);
}
