/* db/settings.h — site settings (DESIGN.md §3): the deployment's name, its
 * support contact, and later the SMTP and LRS connections. A key-value table
 * written by migrations and by the site admin. */
#ifndef CSEC_DB_SETTINGS_H
#define CSEC_DB_SETTINGS_H

#include <stdbool.h>

#include "db/db.h"

struct arena;

/* The settings every page shows: the deployment's name and its support
 * contact (NULL when unset). loaded: already read during this request. */
struct site_values {
	bool loaded;
	const char *name, *support;
};

/* The same two values as two columns, for a statement that reads something
 * else anyway (the session lookup), so that a signed-in page reads the store
 * once rather than twice. */
#define SITE_VALUES_COLUMNS                                                                        \
	"(SELECT value FROM site_settings WHERE key = 'deployment.name'), "                        \
	"(SELECT value FROM site_settings WHERE key = 'support.contact')"

/* Reads setting key into arena memory. Returns 0 with *out set, or with
 * *out NULL when the key is absent; a negative DB code on failure. */
int db_setting_get(struct db *db, struct arena *a, const char *key, const char **out);

/* Reads the settings every page shows (deployment.name, support.contact)
 * with one statement. Absent keys leave their pointer NULL. */
int db_settings_for_pages(struct db *db, struct arena *a, const char **name, const char **support);

/* Inserts or replaces a setting. 0 or a negative DB code. */
int db_setting_set(struct db *db, const char *key, const char *value);

#endif
