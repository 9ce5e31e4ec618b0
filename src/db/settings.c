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
	/* One statement, so one read transaction per page rather than two. */
	static const char sql[] = "SELECT key, value FROM site_settings "
	                          "WHERE key IN ('deployment.name', 'support.contact')";
	struct db_stmt *st;
	*name = *support = NULL;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		size_t klen, vlen;
		const char *k = db_column_text(st, 0, &klen);
		const char *v = db_column_text(st, 1, &vlen);
		const char **slot = strcmp(k, "deployment.name") == 0 ? name : support;
		*slot = arena_strndup(a, v, vlen);
		if (!*slot) {
			rc = DB_ENOMEM;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
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
