/* features/api/model.c — see model.h. */
#include "features/api/model.h"

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"
#include "db/settings.h"

#include <string.h>

const char *api_check_officer_id(const char *officer_id)
{
	size_t n = officer_id ? strlen(officer_id) : 0, chars = 0;
	if (n > 4 * API_OFFICER_ID_MAX || !str_utf8_valid(officer_id ? officer_id : "", n))
		return "api.me.officer_id.invalid";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)officer_id[i];
		if (c < ' ' || c == 0x7f)
			return "api.me.officer_id.invalid";
		if ((c & 0xC0) != 0x80)
			chars++;
	}
	return chars > API_OFFICER_ID_MAX ? "api.me.officer_id.invalid" : NULL;
}

int api_user_profile(struct db *db, struct arena *a, int64_t user_id, const char **name,
                     const char **officer_id)
{
	static const char sql[] = "SELECT name, officer_id FROM users WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n, o;
		const char *nv = db_column_text(st, 0, &n);
		const char *ov = db_column_text(st, 1, &o);
		*name = arena_strndup(a, nv, n);
		*officer_id = arena_strndup(a, ov, o);
		rc = *name && *officer_id ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int api_user_update(struct db *db, int64_t user_id, const char *name, const char *officer_id)
{
	static const char sql[] =
	        "UPDATE users SET name = COALESCE($2, name), "
	        "officer_id = COALESCE($3, officer_id) WHERE id = $1 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = name ? db_bind_text(st, 2, name, (size_t)-1) : db_bind_null(st, 2)) == DB_OK &&
	    (rc = officer_id ? db_bind_text(st, 3, officer_id, (size_t)-1) : db_bind_null(st, 3)) ==
	            DB_OK)
		rc = db_step(st);
	int found = rc == DB_ROW;
	while (rc == DB_ROW)
		rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	return found ? DB_OK : DB_DONE;
}

int api_zone(struct db *db, struct arena *a, int64_t org_id, const char **zone)
{
	static const char sql[] = "SELECT time_zone FROM organizations WHERE id = $1";
	struct db_stmt *st;
	int rc = DB_DONE;
	*zone = NULL;
	if (org_id > 0) {
		if ((rc = db_prepare(db, sql, &st)) != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW) {
			size_t n;
			const char *z = db_column_text(st, 0, &n);
			*zone = arena_strndup(a, z, n);
			rc = *zone ? DB_OK : DB_ENOMEM;
		}
		db_finalize(st);
	}
	if (rc == DB_DONE)
		rc = db_setting_get(db, a, "deployment.time_zone", zone);
	if (rc == DB_OK && (!*zone || !(*zone)[0]))
		*zone = "UTC";
	return rc;
}
