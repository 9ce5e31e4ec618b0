/* features/course/training_model.h — the SQL of the trainers' and leaders'
 * views (docs/training-views.md): the courses an organization's members
 * may take, each active member's progress in one of them, and
 * assignments written and cancelled. Every query filters by the
 * organization passed in (the session's active one). DB_OK, DB_DONE when
 * nothing matches (another organization's ids included), or a negative DB
 * code; strings in the caller's arena. */
#ifndef CSEC_FEATURES_COURSE_TRAINING_MODEL_H
#define CSEC_FEATURES_COURSE_TRAINING_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

#define TRAINING_MAX_COURSES 200
#define TRAINING_MAX_MEMBERS 1000 /* roster rows per course */

struct training_course {
	int64_t id; /* courses.id of the active version */
	const char *slug, *title;
	int64_t required; /* required lessons */
};

/* The courses of the packs' active versions open to org_id's members
 * (public, members, and law_enforcement for a law-enforcement org). */
int training_courses(struct db *db, struct arena *a, int64_t org_id, struct training_course **out,
                     size_t *n);

struct training_member {
	int64_t user_id;
	const char *name, *email, *role;
};

/* The active members of org_id, by name. */
int training_members(struct db *db, struct arena *a, int64_t org_id, struct training_member **out,
                     size_t *n);

struct training_row {
	int64_t user_id;
	const char *name, *email;
	bool enrolled;
	int64_t enrolled_at, completed_at; /* 0: not */
	int64_t lessons_done; /* required lessons completed */
	int64_t best_score; /* -1: no submitted attempt */
	int64_t assignment_id, due_at; /* 0: not assigned */
};

/* Each active member of org_id (whose name or email holds q, lower-cased;
 * "" for all) with their progress in course c, by name. */
int training_roster(struct db *db, struct arena *a, int64_t org_id, const struct training_course *c,
                    const char *q, struct training_row **out, size_t *n);

/* Inside the caller's write transaction: assigns course_slug to user_id
 * in org_id, due at due_at (a cancelled or earlier assignment is
 * replaced); *id is the assignment's. */
int training_assign(struct db *db, int64_t org_id, int64_t user_id, const char *course_slug,
                    int64_t due_at, int64_t by, int64_t now, int64_t *id);

/* Inside the caller's write transaction: cancels assignment id of org_id
 * (DB_DONE when it is not one of org_id's live assignments). */
int training_cancel(struct db *db, struct arena *a, int64_t org_id, int64_t id, int64_t now,
                    int64_t *user_id, const char **course_slug);

#endif
