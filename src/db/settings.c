/* db/settings.c — see settings.h. */
#include "db/settings.h"

#include "core/arena.h"

#include <string.h>
#include <time.h>

int db_setting_get(struct db *db, struct arena *a, const char *key, const char **out)
{
	static const char sql[] = "SELECT value FROM site_settings WHERE key = $1";
	struct db_stmt *st;
	*out = NULL;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(st, 1, key, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t len;
		const char *v = db_column_text(st, 0, &len);
		*out = arena_strndup(a, v, len);
		rc = *out ? DB_OK : DB_ENOMEM;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int db_settings_for_pages(struct db *db, struct arena *a, const char **name, const char **support)
{
	/* One statement, so one read transaction per page rather than two. Two
	 * scalar subqueries, each a primary-key lookup: "key IN (...)" would
	 * make SQLite build a temporary index of the list on every run. */
	static const char sql[] = "SELECT " SITE_VALUES_COLUMNS;
	struct db_stmt *st;
	*name = *support = NULL;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		rc = DB_OK;
		const char **slots[] = {name, support};
		for (int col = 0; col < 2 && rc == DB_OK; col++) {
			if (db_column_is_null(st, col))
				continue;
			size_t len;
			const char *v = db_column_text(st, col, &len);
			*slots[col] = arena_strndup(a, v, len);
			if (!*slots[col])
				rc = DB_ENOMEM;
		}
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int db_setting_set(struct db *db, const char *key, const char *value)
{
	static const char sql[] =
	        "INSERT INTO site_settings (key, value, updated_at) VALUES ($1, $2, $3) "
	        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
	        "updated_at = excluded.updated_at";
	struct db_stmt *st;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, key, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, value, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 3, now, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}
