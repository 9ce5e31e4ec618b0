/* features/api/model.c — see model.h. */
#include "features/api/model.h"

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"
#include "db/settings.h"

#include <string.h>

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
