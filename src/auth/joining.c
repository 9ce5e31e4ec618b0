/* auth/joining.c — see joining.h. */
#include "auth/joining.h"

#include "auth/accounts.h"
#include "auth/mailtoken.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"

#include <jansson.h>

#include <string.h>

/* Steps a statement that returns no rows (or whose rows do not matter) and
 * releases it: DB_OK or the error. */
static int finish(struct db_stmt *st, int rc)
{
	if (rc == DB_OK) {
		do
			rc = db_step(st);
		while (rc == DB_ROW);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Steps a statement whose first row's first column is an id: DB_OK with
 * *id, DB_DONE without a row. */
static int one_id(struct db_stmt *st, int rc, int64_t *id)
{
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		if (id)
			*id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

/* A text column copied into the arena ("" for NULL); NULL when out of
 * memory. */
static const char *col_text(struct db_stmt *st, int col, struct arena *a)
{
	size_t n;
	const char *v = db_column_text(st, col, &n);
	return arena_strndup(a, v ? v : "", v ? n : 0);
}

const char *joining_domain(const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;
	return at && at[1] ? at + 1 : NULL;
}

const char *joining_default_role(const char *org_kind)
{
	return org_kind && strcmp(org_kind, "law_enforcement") == 0 ? "officer" : "partner";
}

int joining_domain_listed(struct db *db, const char *domain)
{
	static const char sql[] = "SELECT 1 FROM org_domains d JOIN organizations o "
	                          "ON o.id = d.org_id WHERE d.domain = $1 AND o.status = 'active' "
	                          "LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return one_id(st, db_bind_text(st, 1, domain ? domain : "", (size_t)-1), NULL);
}

int joining_orgs_for_domain(struct db *db, struct arena *a, const char *domain,
                            struct joining_org **orgs, size_t *n)
{
	static const char sql[] = "SELECT o.id, o.name, o.kind, d.auto_approve FROM org_domains d "
	                          "JOIN organizations o ON o.id = d.org_id "
	                          "WHERE d.domain = $1 AND o.status = 'active' "
	                          "ORDER BY o.name, o.id LIMIT 32";
	_Static_assert(JOINING_MAX_ORGS == 32, "the LIMIT above");
	struct joining_org *list = arena_calloc(a, JOINING_MAX_ORGS, sizeof *list);
	struct db_stmt *st;
	*n = 0;
	if (!list)
		return DB_ENOMEM;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(st, 1, domain ? domain : "", (size_t)-1);
	while (rc == DB_OK && *n < JOINING_MAX_ORGS && (rc = db_step(st)) == DB_ROW) {
		struct joining_org *o = &list[*n];
		o->id = db_column_int64(st, 0);
		o->name = col_text(st, 1, a);
		o->kind = col_text(st, 2, a);
		o->auto_approve = db_column_int64(st, 3) != 0;
		rc = o->name && o->kind ? DB_OK : DB_ENOMEM;
		if (rc == DB_OK)
			(*n)++;
	}
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_OK)
		return rc;
	*orgs = list;
	return DB_OK;
}

int joining_user_create(struct db *db, const char *email, const char *name,
                        const char *password_hash, int64_t *id)
{
	static const char sql[] = "INSERT INTO users (email, name, password_hash, status, "
	                          "site_admin, email_verified) "
	                          "VALUES ($1, $2, $3, 'pending', 0, 0) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, email, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 3, password_hash, (size_t)-1);
	rc = one_id(st, rc, id);
	return rc == DB_DONE ? DB_ERR : rc;
}

int joining_user_get(struct db *db, struct arena *a, int64_t id, struct account_user *out)
{
	static const char sql[] = "SELECT id, email, name, status, site_admin FROM users "
	                          "WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof *out);
		out->id = db_column_int64(st, 0);
		out->email = col_text(st, 1, a);
		out->name = col_text(st, 2, a);
		out->status = col_text(st, 3, a);
		out->password_hash = NULL;
		out->site_admin = db_column_int64(st, 4) != 0;
		rc = out->email && out->name && out->status ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int joining_user_verify(struct db *db, int64_t user_id)
{
	static const char sql[] = "UPDATE users SET email_verified = 1, status = CASE "
	                          "WHEN status = 'pending' THEN 'active' ELSE status END "
	                          "WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_int64(st, 1, user_id));
}

int joining_token_state(struct db *db, const char *token, int64_t now,
                        enum joining_token_state *state)
{
	static const char sql[] = "SELECT used_at, expires_at FROM email_tokens "
	                          "WHERE token_hash = $1 AND purpose = 'verify'";
	*state = JOINING_TOKEN_UNKNOWN;
	if (!crypto_token_well_formed(token, MAILTOKEN_LEN))
		return DB_OK;
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(st, 1, hash, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		bool spent = !db_column_is_null(st, 0) || db_column_int64(st, 1) <= now;
		*state = spent ? JOINING_TOKEN_SPENT : JOINING_TOKEN_LIVE;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int joining_is_member(struct db *db, int64_t user_id, int64_t org_id)
{
	static const char sql[] = "SELECT 1 FROM memberships WHERE user_id = $1 AND org_id = $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, org_id);
	return one_id(st, rc, NULL);
}

int joining_request_pending(struct db *db, int64_t user_id, int64_t org_id, int64_t *id)
{
	static const char sql[] = "SELECT id FROM join_requests WHERE user_id = $1 AND "
	                          "org_id = $2 AND status = 'pending' ORDER BY id LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, org_id);
	return one_id(st, rc, id);
}

int joining_request_create(struct db *db, int64_t user_id, int64_t org_id, int64_t now, int64_t *id)
{
	static const char sql[] = "INSERT INTO join_requests (user_id, org_id, status, "
	                          "created_at) VALUES ($1, $2, 'pending', $3) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	rc = one_id(st, rc, id);
	return rc == DB_DONE ? DB_ERR : rc;
}

int joining_request_get(struct db *db, struct arena *a, int64_t org_id, int64_t id,
                        struct joining_request *out)
{
	static const char sql[] = "SELECT r.id, r.user_id, r.org_id, r.created_at, r.status, "
	                          "u.name, u.email FROM join_requests r "
	                          "JOIN users u ON u.id = r.user_id "
	                          "WHERE r.id = $1 AND r.org_id = $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK)
		rc = db_bind_int64(st, 2, org_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->user_id = db_column_int64(st, 1);
		out->org_id = db_column_int64(st, 2);
		out->created_at = db_column_int64(st, 3);
		out->status = col_text(st, 4, a);
		out->name = col_text(st, 5, a);
		out->email = col_text(st, 6, a);
		rc = out->status && out->name && out->email ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int joining_request_decide(struct db *db, int64_t org_id, int64_t id, const char *status,
                           int64_t decided_by, int64_t now)
{
	/* The status test in the statement itself: of two decisions at once,
	 * only the first finds the request pending. */
	static const char sql[] = "UPDATE join_requests SET status = $3, decided_by = $4, "
	                          "decided_at = $5 WHERE id = $1 AND org_id = $2 "
	                          "AND status = 'pending' RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 3, status, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, decided_by)) == DB_OK)
		rc = db_bind_int64(st, 5, now);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		rc = DB_OK;
		while (db_step(st) == DB_ROW) /* run the statement to its end */
			;
	}
	db_finalize(st);
	return rc;
}

int joining_requests_pending(struct db *db, int64_t org_id, json_t **out)
{
	/* Bounded: an organization with more waiting than this has a backlog to
	 * work through, oldest first, and sees the rest as it decides. */
	static const char sql[] = "SELECT r.id, u.name, u.email, r.created_at "
	                          "FROM join_requests r JOIN users u ON u.id = r.user_id "
	                          "WHERE r.org_id = $1 AND r.status = 'pending' "
	                          "ORDER BY r.created_at, r.id LIMIT 200";
	struct db_stmt *st;
	json_t *list = json_array();
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	rc = db_bind_int64(st, 1, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t nn, ne;
		const char *name = db_column_text(st, 1, &nn);
		const char *email = db_column_text(st, 2, &ne);
		rc = json_array_append_new(list,
		                           json_pack("{s:I, s:s%, s:s%, s:I}", "id",
		                                     (json_int_t)db_column_int64(st, 0), "name",
		                                     name, nn, "email", email, ne, "created_at",
		                                     (json_int_t)db_column_int64(st, 3))) == 0
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int joining_requests_of_user(struct db *db, int64_t user_id, json_t **out)
{
	static const char sql[] = "SELECT r.id, o.name, r.created_at FROM join_requests r "
	                          "JOIN organizations o ON o.id = r.org_id "
	                          "WHERE r.user_id = $1 AND r.status = 'pending' "
	                          "AND o.status = 'active' ORDER BY o.name, o.id LIMIT 32";
	struct db_stmt *st;
	json_t *list = json_array();
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	rc = db_bind_int64(st, 1, user_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *org = db_column_text(st, 1, &n);
		rc = json_array_append_new(list,
		                           json_pack("{s:I, s:s%, s:I}", "id",
		                                     (json_int_t)db_column_int64(st, 0), "org", org,
		                                     n, "created_at",
		                                     (json_int_t)db_column_int64(st, 2))) == 0
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int joining_org_admins(struct db *db, int64_t org_id, json_t **out)
{
	static const char sql[] =
	        "SELECT u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id "
	        "WHERE m.org_id = $1 AND m.role = 'org_admin' AND m.status = 'active' "
	        "AND u.status = 'active' ORDER BY u.id LIMIT $2";
	struct db_stmt *st;
	json_t *list = json_array();
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK)
		rc = db_bind_int64(st, 2, JOINING_MAX_NOTIFY);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t nn, ne;
		const char *name = db_column_text(st, 0, &nn);
		const char *email = db_column_text(st, 1, &ne);
		rc = json_array_append_new(
		             list,
		             json_pack("{s:s%, s:s%}", "name", name, nn, "email", email, ne)) == 0
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int joining_org_info(struct db *db, struct arena *a, int64_t org_id, const char **name,
                     const char **kind, const char **zone)
{
	static const char sql[] = "SELECT name, kind, time_zone FROM organizations WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, org_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*name = col_text(st, 0, a);
		*kind = col_text(st, 1, a);
		*zone = col_text(st, 2, a);
		rc = *name && *kind && *zone ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}
