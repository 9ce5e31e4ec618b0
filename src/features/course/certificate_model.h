/* features/course/certificate_model.h — the course's records in the store
 * (issue 6, points 5 and 6): certificates (found by code, by learner and
 * course, searched by site admins, revoked), a learner's transcript (their
 * certificates and the courses under way) and an organization's transcript
 * (its members' certificates in a date range, a row at a time). Handlers
 * never write SQL; these functions are the only SQL of certificate*.c,
 * transcript*.c and verify*.c. Every call returns DB_OK or a negative DB_E*
 * code; strings live in the arena given. */
#ifndef CSEC_FEATURES_COURSE_CERTIFICATE_MODEL_H
#define CSEC_FEATURES_COURSE_CERTIFICATE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "features/course/certcode.h"

struct arena;
struct db;

#define CERT_MAX_REASON 1000 /* bytes of a revocation reason */
#define CERT_MAX_QUERY 200 /* bytes of a site admin's search */

/* One certificate, as printed (everything copied in when it was written)
 * plus what the records add: the zone of the learner's organization (for
 * dates; "UTC" when it has none), and the revocation. */
struct cert {
	int64_t id, user_id, org_id;
	const char *code, *course_slug, *learner_name, *course_title, *provider, *instructor;
	int64_t credit_centihours, completed_at;
	bool has_score;
	int64_t score;
	int64_t revoked_at; /* 0: valid */
	const char *revoke_reason; /* "" when valid */
	const char *revoked_by; /* the revoking admin's name, "" when valid */
	const char *zone;
	const char *org_name; /* "" when none */
	const char *email; /* the learner's, for the admin list */
};

/* The certificate with exactly this (normalized) code; *found false when
 * none. */
int cert_by_code(struct db *db, struct arena *a, const char *code, struct cert *out, bool *found);

/* The learner's certificate of course slug; *found false when none. */
int cert_by_user_course(struct db *db, struct arena *a, int64_t user_id, const char *slug,
                        struct cert *out, bool *found);

/* A certificate by id; *found false when none. */
int cert_by_id(struct db *db, struct arena *a, int64_t id, struct cert *out, bool *found);

/* Site admins' list: every certificate, newest first, or those whose code is
 * code (normalized; NULL: any) or whose learner's name or email matches like
 * (a db_like_pattern, lower-cased; NULL: any); code and like together match
 * either. limit rows from offset, and the total. */
int cert_search(struct db *db, struct arena *a, const char *code, const char *like, int64_t offset,
                int64_t limit, struct cert **out, size_t *n, int64_t *total);

/* Revokes a valid certificate. *changed false when it was already revoked
 * (nothing is written then). Call inside a write transaction. */
int cert_revoke(struct db *db, int64_t id, int64_t by, const char *reason, int64_t now,
                bool *changed);

/* The learner's certificates, newest first (revoked ones too). */
int cert_user_list(struct db *db, struct arena *a, int64_t user_id, struct cert **out, size_t *n);

/* A course the learner is enrolled in and has not completed. title: the
 * active pack's title of the course (the slug when no active pack has it);
 * done and required: required lessons completed and in the course. */
struct cert_progress {
	const char *course_slug, *title;
	int64_t enrolled_at, last_seen_at;
	int64_t done, required;
};
int cert_user_in_progress(struct db *db, struct arena *a, int64_t user_id,
                          struct cert_progress **out, size_t *n);

/* One row of an organization's transcript; the strings are valid only
 * during the callback. officer_id: the learner's profile field ("" when
 * unset). */
struct cert_org_row {
	const char *learner_name, *officer_id, *course_title, *provider, *instructor, *code;
	int64_t credit_centihours, completed_at;
};
/* Calls fn for each valid (not revoked) certificate written for org_id
 * whose completion time is in [from, to) (Unix seconds), oldest first,
 * stepping through the rows without holding them; fn returns 0 to go on or
 * non-zero to stop (its value is then returned). *count: rows passed. */
int cert_org_each(struct db *db, int64_t org_id, int64_t from, int64_t to,
                  int (*fn)(void *ctx, const struct cert_org_row *row), void *ctx, int64_t *count);

/* The organization's IANA zone ("UTC" when unknown) and name. */
int cert_org_zone(struct db *db, struct arena *a, int64_t org_id, const char **zone,
                  const char **name);

#endif
