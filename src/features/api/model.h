/* features/api/model.h — what the API's handlers need from the store
 * beyond auth/tokens.h: the signed-in person's own record (name, officer
 * ID) and the time zone to show times in. Handlers never write SQL. */
#ifndef CSEC_FEATURES_API_MODEL_H
#define CSEC_FEATURES_API_MODEL_H

#include <stdint.h>

struct arena;
struct db;

#define API_OFFICER_ID_MAX 40 /* characters */

/* NULL when officer_id is acceptable (empty clears it), else the catalogue
 * key that explains the problem: at most API_OFFICER_ID_MAX characters of
 * UTF-8 text without control characters. */
const char *api_check_officer_id(const char *officer_id);

/* The person's name and officer ID ("" when none), in arena a. DB_DONE
 * when there is no such person. */
int api_user_profile(struct db *db, struct arena *a, int64_t user_id, const char **name,
                     const char **officer_id);

/* Changes the person's name and/or officer ID (NULL: leave it). Call inside
 * a write transaction. DB_DONE when there is no such person. */
int api_user_update(struct db *db, int64_t user_id, const char *name, const char *officer_id);

/* The time zone of organization org_id (0: none), else the site setting
 * deployment.time_zone, else "UTC"; in arena a. */
int api_zone(struct db *db, struct arena *a, int64_t org_id, const char **zone);

#endif
