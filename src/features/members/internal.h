/* features/members/internal.h — what the members feature's files share: the
 * role choices, field errors, times in the organization's zone, and the
 * members page (rendered by its GET and re-rendered by the forms on it). */
#ifndef CSEC_FEATURES_MEMBERS_INTERNAL_H
#define CSEC_FEATURES_MEMBERS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

struct arena;
struct db;

#define MEMBERS_PAGE_SIZE 50

/* The display name of a role ("Organization administrator"), from the
 * catalogue (arena memory). */
const char *members_role_label(struct arena *a, const char *role);
/* The roles as select options [{value, label, selected}], chosen selected;
 * a new reference, NULL when out of memory. */
json_t *members_role_options(struct arena *a, const char *chosen);
/* Sets errors[field] to the catalogue text of key, unless key is NULL or
 * the field already has a problem (the first one found is the one shown). */
void members_field_error(json_t *errors, const char *field, const char *key);
/* t in zone as "2 Dec 2026 14:52 CST" (arena memory; "" when it fails). */
const char *members_time(struct arena *a, int64_t t, const char *zone);
/* An audit detail from obj (stolen): compact JSON text in arena memory,
 * NULL when out of memory. */
const char *members_detail(struct arena *a, json_t *obj);
/* Parses a path id ({user}, {invitation}): true with *id for a positive
 * decimal number. */
bool members_parse_id(const char *s, int64_t *id);

/* Ends the request after the signed-in person changed their own membership
 * in the active organization (their session there has just ended): clears
 * the cookie and sends them to sign in again. */
int members_signed_out(struct req *req);

/* Renders the members page of the active organization with the given
 * status. invite_values and invite_errors (stolen, may be NULL) refill the
 * invitation form; error_key (may be NULL) names a problem shown at the top
 * (such as the last-admin refusal). */
int members_render_index(struct req *req, int status, json_t *invite_values, json_t *invite_errors,
                         const char *error_key);

#endif
