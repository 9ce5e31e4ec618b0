/* features/course/attempt_model.c — the final test's SQL (see attempt.h):
 * the rules from the active pack version's courses row, the pool from
 * course_questions, and the learner's course_attempts and
 * course_attempt_items. Every query on attempts names the learner, so an
 * id of someone else's never matches. */
#include "features/course/attempt.h"
#include "features/course/events.h"

#include "core/arena.h"
#include "db/db.h"

#include <string.h>

/* A text column copied into a (NULL when out of memory). */
static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t len;
	const char *s = db_column_text(st, i, &len);
	return arena_strndup(a, s ? s : "", s ? len : 0);
}

/* Ends a statement that returns no rows: DB_OK or the error. */
static int done(struct db_stmt *st, int rc)
{
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

int attempt_rules_get(struct db *db, struct arena *a, const char *slug, int64_t org_id,
                      struct attempt_rules *out)
{
	static const char sql[] =
	        "SELECT c.id, c.slug, c.title, c.test_questions, c.pass_mark, c.max_attempts, "
	        "c.wait_minutes, c.time_limit_minutes, c.grading, "
	        "(SELECT count(*) FROM course_questions q WHERE q.course_id = c.id "
	        "AND q.purpose = 'test') "
	        "FROM courses c JOIN library_versions v ON v.id = c.version_id AND v.active = 1 "
	        "WHERE c.slug = $1 AND (c.visibility <> 'law_enforcement' OR EXISTS (SELECT 1 "
	        "FROM organizations o WHERE o.id = $2 AND o.kind = 'law_enforcement')) "
	        "ORDER BY c.id DESC LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->course_id = db_column_int64(st, 0);
		out->slug = col(a, st, 1);
		out->title = col(a, st, 2);
		out->questions = (int)db_column_int64(st, 3);
		out->pass_mark = (int)db_column_int64(st, 4);
		out->max_attempts = (int)db_column_int64(st, 5);
		out->wait_minutes = (int)db_column_int64(st, 6);
		out->time_limit_minutes = (int)db_column_int64(st, 7);
		out->grading = col(a, st, 8);
		out->pool = (int)db_column_int64(st, 9);
		rc = out->slug && out->title && out->grading ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int attempt_enrolment(struct db *db, int64_t user_id, const char *slug, int64_t *org_id)
{
	static const char sql[] = "SELECT org_id FROM course_enrolments "
	                          "WHERE user_id = $1 AND course_slug = $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*org_id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

/* Whether an attempt has any answer recorded (0 for one closed for lack of
 * time). */
#define ANSWERED                                                                                   \
	"(SELECT count(*) FROM course_attempt_items i WHERE i.attempt_id = a.id "                  \
	"AND i.answer_json IS NOT NULL)"

/* Columns: id, number, started_at, deadline_at, submitted_at, score,
 * passed, pass_mark, ANSWERED. */
static void read_row(struct db_stmt *st, struct attempt_row *r)
{
	r->id = db_column_int64(st, 0);
	r->number = (int)db_column_int64(st, 1);
	r->started_at = db_column_int64(st, 2);
	r->deadline_at = db_column_int64(st, 3);
	r->submitted_at = db_column_is_null(st, 4) ? 0 : db_column_int64(st, 4);
	r->score = db_column_is_null(st, 5) ? -1 : (int)db_column_int64(st, 5);
	r->passed = db_column_is_null(st, 6) ? -1 : (int)db_column_int64(st, 6);
	r->pass_mark = (int)db_column_int64(st, 7);
	r->expired = r->submitted_at > 0 && db_column_int64(st, 8) == 0;
}

int attempt_history(struct db *db, struct arena *a, int64_t user_id, const char *slug,
                    struct attempt_row **rows, size_t *n)
{
	static const char sql[] =
	        "SELECT a.id, a.number, a.started_at, a.deadline_at, a.submitted_at, a.score, "
	        "a.passed, a.pass_mark, " ANSWERED " FROM course_attempts a "
	        "WHERE a.user_id = $1 AND a.course_slug = $2 ORDER BY a.number LIMIT 100";
	struct db_stmt *st;
	size_t cap = 0;
	*rows = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) == DB_OK)
		while ((rc = db_step(st)) == DB_ROW) {
			if (*n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct attempt_row *p = arena_alloc(a, ncap * sizeof *p);
				if (!p) {
					rc = DB_ENOMEM;
					break;
				}
				if (*n)
					memcpy(p, *rows, *n * sizeof *p);
				*rows = p;
				cap = ncap;
			}
			read_row(st, &(*rows)[(*n)++]);
		}
	return done(st, rc);
}

/* Reads items from st (columns: position, qid, qtype, prompt, choices_json,
 * explanation, answer_json, correct), at most max. */
static int read_items(struct db_stmt *st, struct arena *a, size_t max, struct attempt_item **items,
                      size_t *n)
{
	size_t cap = 0;
	int rc;
	*items = NULL;
	*n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n >= max)
			return DB_ERR;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct attempt_item *p = arena_alloc(a, ncap * sizeof *p);
			if (!p)
				return DB_ENOMEM;
			if (*n)
				memcpy(p, *items, *n * sizeof *p);
			*items = p;
			cap = ncap;
		}
		struct attempt_item *it = &(*items)[(*n)++];
		it->position = (int)db_column_int64(st, 0);
		it->qid = col(a, st, 1);
		it->qtype = col(a, st, 2);
		it->prompt = col(a, st, 3);
		it->choices_json = col(a, st, 4);
		it->explanation = col(a, st, 5);
		it->answer_json = db_column_is_null(st, 6) ? NULL : col(a, st, 6);
		it->correct = db_column_is_null(st, 7) ? -1 : (int)db_column_int64(st, 7);
		if (!it->qid || !it->qtype || !it->prompt || !it->choices_json || !it->explanation)
			return DB_ENOMEM;
	}
	return rc;
}

int attempt_pool(struct db *db, struct arena *a, int64_t course_id, struct attempt_item **items,
                 size_t *n)
{
	static const char sql[] =
	        "SELECT position, qid, qtype, prompt, choices_json, explanation, NULL, NULL "
	        "FROM course_questions WHERE course_id = $1 AND purpose = 'test' "
	        "ORDER BY position, qid";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course_id)) == DB_OK)
		rc = read_items(st, a, ATTEMPT_MAX_POOL, items, n);
	return done(st, rc);
}

int attempt_create(struct db *db, int64_t user_id, const char *slug, int number, int64_t now,
                   int64_t deadline, int pass_mark, int64_t *id)
{
	static const char sql[] =
	        "INSERT INTO course_attempts (user_id, course_slug, number, started_at, "
	        "deadline_at, pass_mark) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, number)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, deadline)) == DB_OK &&
	    (rc = db_bind_int64(st, 6, pass_mark)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	db_finalize(st);
	return rc;
}

int attempt_item_add(struct db *db, int64_t attempt_id, const struct attempt_item *it)
{
	static const char sql[] =
	        "INSERT INTO course_attempt_items (attempt_id, position, qid, qtype, prompt, "
	        "choices_json, explanation) VALUES ($1, $2, $3, $4, $5, $6, $7)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, attempt_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, it->position)) == DB_OK &&
	    (rc = db_bind_text(st, 3, it->qid, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 4, it->qtype, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 5, it->prompt, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 6, it->choices_json, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 7, it->explanation, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	return done(st, rc);
}

int attempt_get(struct db *db, int64_t user_id, const char *slug, int64_t id,
                struct attempt_row *out)
{
	static const char sql[] =
	        "SELECT a.id, a.number, a.started_at, a.deadline_at, a.submitted_at, a.score, "
	        "a.passed, a.pass_mark, " ANSWERED " FROM course_attempts a "
	        "WHERE a.id = $1 AND a.user_id = $2 AND a.course_slug = $3";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 3, slug, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		read_row(st, out);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int attempt_items(struct db *db, struct arena *a, int64_t attempt_id, struct attempt_item **items,
                  size_t *n)
{
	static const char sql[] =
	        "SELECT position, qid, qtype, prompt, choices_json, explanation, answer_json, "
	        "correct FROM course_attempt_items WHERE attempt_id = $1 ORDER BY position";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, attempt_id)) == DB_OK)
		rc = read_items(st, a, ATTEMPT_MAX_QUESTIONS, items, n);
	return done(st, rc);
}

int attempt_finish(struct db *db, int64_t attempt_id, int64_t at, int score, bool passed)
{
	static const char sql[] =
	        "UPDATE course_attempts SET submitted_at = $2, score = $3, passed = $4 "
	        "WHERE id = $1 AND submitted_at IS NULL RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, attempt_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, at)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, score)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, passed ? 1 : 0)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		/* Step to the end so the statement is complete on both stores. */
		while ((rc = db_step(st)) == DB_ROW)
			;
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	db_finalize(st);
	return rc;
}

int attempt_item_answer(struct db *db, int64_t attempt_id, int position, const char *answer_json,
                        bool correct)
{
	static const char sql[] = "UPDATE course_attempt_items SET answer_json = $3, correct = $4 "
	                          "WHERE attempt_id = $1 AND position = $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, attempt_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, position)) == DB_OK &&
	    (rc = db_bind_text(st, 3, answer_json, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, correct ? 1 : 0)) == DB_OK)
		rc = db_step(st);
	return done(st, rc);
}

int attempt_close_expired(struct db *db, int64_t user_id, int64_t org_id, const char *slug,
                          int64_t now, int *closed)
{
	static const char sql[] =
	        "UPDATE course_attempts SET submitted_at = deadline_at, score = 0, "
	        "passed = 0 WHERE user_id = $1 AND course_slug = $2 "
	        "AND submitted_at IS NULL AND deadline_at < $3 RETURNING number";
	struct db_stmt *st;
	int n = 0;
	*closed = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now - ATTEMPT_GRACE_SECONDS)) == DB_OK)
		while ((rc = db_step(st)) == DB_ROW)
			n++;
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	/* Out of time: no answer counted, score 0, not completed. */
	struct course_event ev = {.user_id = user_id,
	                          .org_id = org_id,
	                          .course_slug = slug,
	                          .verb = "failed",
	                          .object_type = "test",
	                          .object_id = slug,
	                          .result_json = "{\"score\":{\"scaled\":0,\"raw\":0,\"min\":0,"
	                                         "\"max\":100},\"success\":false,"
	                                         "\"completion\":false}"};
	for (int i = 0; i < n; i++)
		if ((rc = course_event_add(db, &ev, now)) != DB_OK)
			return rc;
	*closed = n;
	return DB_OK;
}
