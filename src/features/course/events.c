/* features/course/events.c — learning events (see events.h). */
#include "features/course/events.h"

#include "core/crypto.h"
#include "db/db.h"

#include <stdio.h>

void course_uuid(char out[37])
{
	uint8_t b[16];
	crypto_random(b, sizeof b);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

int course_event_add(struct db *db, const struct course_event *ev, int64_t now)
{
	static const char sql[] =
	        "INSERT INTO learning_events (statement_id, created_at, user_id, org_id, "
	        "course_slug, verb, object_type, object_id, object_name, result_json, status, "
	        "next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $2)";
	char uuid[37];
	struct db_stmt *st;
	int rc;

	course_uuid(uuid);
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, uuid, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, ev->user_id)) == DB_OK &&
	    (rc = ev->org_id > 0 ? db_bind_int64(st, 4, ev->org_id) : db_bind_null(st, 4)) ==
	            DB_OK &&
	    (rc = db_bind_text(st, 5, ev->course_slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 6, ev->verb, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 7, ev->object_type, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 8, ev->object_id, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 9, ev->object_name ? ev->object_name : "", (size_t)-1)) ==
	            DB_OK &&
	    (rc = ev->result_json ? db_bind_text(st, 10, ev->result_json, (size_t)-1)
	                          : db_bind_null(st, 10)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc == DB_ROW ? DB_OK : rc;
}
