/* features/api/model.h — what the API's handlers need from the store
 * beyond auth/tokens.h: the signed-in person's own record (name, officer
 * ID) and the time zone to show times in. Handlers never write SQL. */
#ifndef CSEC_FEATURES_API_MODEL_H
#define CSEC_FEATURES_API_MODEL_H

#include <stdint.h>

struct arena;
struct db;

/* The person's name and officer ID ("" when none), in arena a. DB_DONE
 * when there is no such person. */
int api_user_profile(struct db *db, struct arena *a, int64_t user_id, const char **name,
                     const char **officer_id);

#endif
