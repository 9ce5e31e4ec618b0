/* features/profile/internal.h — what the profile handlers share: naming a
 * form field's problem, the new-password rules of a change and of a reset,
 * and time text for the person. Not for other features. */
#ifndef CSEC_FEATURES_PROFILE_INTERNAL_H
#define CSEC_FEATURES_PROFILE_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

struct req;

#define PROFILE_PASSWORD_BYTES 1024 /* longer input is refused before any hashing */

/* Sets errors[field] to the message of key, unless key is NULL or the field
 * already has a problem (the first one found is the one named). */
void profile_field_error(json_t *errors, const char *field, const char *key);

/* Checks a new password and its confirmation as the setup page does
 * (password_check_policy: length in code points, the common-password list),
 * naming problems under "new_password" and "confirm_password". */
void profile_check_new_password(json_t *errors, const char *pw, const char *confirm);

/* t in zone with the ICU pattern, in the request arena; "" when it cannot. */
const char *profile_time_text(struct req *req, int64_t t, const char *zone, const char *pattern);

#endif
