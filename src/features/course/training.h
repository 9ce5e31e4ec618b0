/* features/course/training.h — the trainers' and leaders' views of the
 * course (issue 6 points 4 and 7; docs/training-views.md): the roster of
 * the active organization with each member's progress per course, the
 * overdue assignments, the completion rates, and assigning a course with
 * a due date. Everything is read and written for req->who.org_id only. */
#ifndef CSEC_FEATURES_COURSE_TRAINING_H
#define CSEC_FEATURES_COURSE_TRAINING_H

#include "http/http.h"

int course_training_page(struct req *req); /* GET /org/training */
int course_training_assign(struct req *req); /* POST /org/training/assign */
int course_training_cancel(struct req *req); /* POST .../assignments/{assignment}/cancel */

#endif
