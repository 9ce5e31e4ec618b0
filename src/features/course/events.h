/* features/course/events.h — the learning events of the course engine
 * (issue 6 point 8): one row in learning_events per launched, experienced,
 * answered, passed, failed or completed, written inside the transaction of
 * the action that caused it, with its xAPI statement id (a UUID) fixed
 * there. The xAPI worker (src/jobs/xapi.c) turns each row into a statement
 * and sends it; nothing else reads or writes this table. */
#ifndef CSEC_FEATURES_COURSE_EVENTS_H
#define CSEC_FEATURES_COURSE_EVENTS_H

#include <stdint.h>

struct db;

struct course_event {
	int64_t user_id;
	int64_t org_id; /* 0: none */
	const char *course_slug;
	const char *verb; /* launched experienced answered passed failed completed */
	const char *object_type; /* course lesson question scenario test */
	const char *object_id; /* the slug, or the question id */
	const char *object_name; /* the title shown to learners; may be NULL */
	const char *result_json; /* an xAPI "result" object, or NULL */
};

/* A random (version 4) UUID in its 36-character text form. */
void course_uuid(char out[37]);

/* Records ev at time now, inside the caller's write transaction. Returns
 * DB_OK or the store's error (the caller rolls back). */
int course_event_add(struct db *db, const struct course_event *ev, int64_t now);

#endif
