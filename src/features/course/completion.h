/* features/course/completion.h — completing a course (issue 6 point 4):
 * when every required lesson of the course's active version is complete and
 * a passed final-test attempt exists, the enrolment is completed and the
 * certificate row written, with everything printed on it copied in. Called
 * inside the write transaction of the action that may finish the course (a
 * lesson marked complete, a final test passed). */
#ifndef CSEC_FEATURES_COURSE_COMPLETION_H
#define CSEC_FEATURES_COURSE_COMPLETION_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct req;

/* Completes user_id's enrolment in course_slug when it is done: sets
 * course_enrolments.completed_at = now, inserts the certificates row (a new
 * random code, certcode.h; learner name, course title, provider = the deployment's name
 * from the site settings, instructor, credit, completed_at, the best
 * submitted score), adds the learning event "completed" and the audit record
 * "course.completed" (req supplies the actor and address). Call it inside
 * the caller's write transaction; the caller commits or rolls back.
 * Idempotent: an enrolment already completed, or not yet done, is left as it
 * is. Returns 1 when it completed the course now, 0 when there was nothing to
 * do (not enrolled, not done, already completed), or a negative DB code. */
int course_complete_if_done(struct db *db, const struct req *req, int64_t user_id,
                            const char *course_slug, int64_t now);

#endif
