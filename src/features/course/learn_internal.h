/* features/course/learn_internal.h — what the learner's handlers
 * (learn_pages.c, learn_scenario.c, learn_coverage.c) share. */
#ifndef CSEC_FEATURES_COURSE_LEARN_INTERNAL_H
#define CSEC_FEATURES_COURSE_LEARN_INTERNAL_H

#include "features/course/learn.h"
#include "features/library/store.h"

#include <jansson.h>

/* A request's course: the store, who reads, and the course of the route's
 * {course} as the reader may see it. */
struct learn {
	struct db *db;
	struct library_viewer v;
	struct course_info c;
};

/* Fills x for the route's {course}: DB_OK, DB_DONE (no such course, or
 * not one the reader may see: answer 404), or a negative DB code. */
int learn_open(struct req *req, struct learn *x);
/* true when the reader may enrol and learn (course.learn). */
bool learn_may_learn(const struct req *req);
/* 150 → "1.5", 425 → "4.25", 400 → "4". */
const char *learn_hours(struct arena *a, int centihours);
/* A JSON array from text (an empty one when it is not an array). */
json_t *learn_array(const char *text);
/* Rendered Markdown with the reader's placeholders filled. NULL on failure. */
const char *learn_fill(struct req *req, struct learn *x, const char *html);
/* A learning event of the signed-in reader in their active organization,
 * inside the caller's write transaction. */
int learn_event(struct db *db, struct req *req, const char *course, const char *verb,
                const char *type, const char *id, const char *name, const char *result,
                int64_t now);

#endif
