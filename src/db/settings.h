/* db/settings.h — site settings (DESIGN.md §3): the deployment's name, its
 * support contact, and later the SMTP and LRS connections. A key-value table
 * written by migrations and by the site admin. */
#ifndef CSEC_DB_SETTINGS_H
#define CSEC_DB_SETTINGS_H

#include "db/db.h"

struct arena;

/* Reads setting key into arena memory. Returns 0 with *out set, or with
 * *out NULL when the key is absent; a negative DB code on failure. */
int db_setting_get(struct db *db, struct arena *a, const char *key, const char **out);

/* Reads the settings every page shows (deployment.name, support.contact)
 * with one statement. Absent keys leave their pointer NULL. */
int db_settings_for_pages(struct db *db, struct arena *a, const char **name, const char **support);

/* Inserts or replaces a setting. 0 or a negative DB code. */
int db_setting_set(struct db *db, const char *key, const char *value);

#endif
