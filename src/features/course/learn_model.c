/* features/course/learn_model.c — the SQL of the learner's pages (learn.h):
 * course content read from the active pack version with visibility decided
 * in the same statement, and the learner's own records. */
#include "features/course/learn.h"

#include "core/arena.h"
#include "db/db.h"

#include <string.h>

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	if (db_column_is_null(st, i))
		return NULL;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v ? v : "", n);
}

static const char *col_s(struct arena *a, struct db_stmt *st, int i)
{
	const char *s = col(a, st, i);
	return s ? s : arena_strdup(a, "");
}

static int bind_text(struct db_stmt *st, int idx, const char *s)
{
	return s ? db_bind_text(st, idx, s, (size_t)-1) : db_bind_null(st, idx);
}

static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Room for one more row in a growable array in the arena (at most max
 * rows): false when full or out of memory (*items unchanged). */
static bool grow(struct arena *a, void *items, size_t n, size_t *cap, size_t size, size_t max)
{
	void **p = items;
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > max)
		ncap = max;
	if (n >= ncap)
		return false;
	void *bigger = arena_calloc(a, ncap, size);
	if (!bigger)
		return false;
	if (n)
		memcpy(bigger, *p, n * size);
	*p = bigger;
	*cap = ncap;
	return true;
}

/* ---------------------------------------------------------------- courses */

#define COURSE_COLS                                                                                \
	"c.id, c.slug, c.title, c.summary, c.audience, c.instructor, c.visibility, "               \
	"c.credit_centihours, c.test_questions, c.pass_mark, c.max_attempts, c.wait_minutes, "     \
	"c.time_limit_minutes, c.topics_json, c.sort_order"

static void course_row(struct arena *a, struct db_stmt *st, struct course_info *c)
{
	c->id = db_column_int64(st, 0);
	c->slug = col_s(a, st, 1);
	c->title = col_s(a, st, 2);
	c->summary = col_s(a, st, 3);
	c->audience = col_s(a, st, 4);
	c->instructor = col_s(a, st, 5);
	c->visibility = col_s(a, st, 6);
	c->credit_centihours = (int)db_column_int64(st, 7);
	c->test_questions = (int)db_column_int64(st, 8);
	c->pass_mark = (int)db_column_int64(st, 9);
	c->max_attempts = (int)db_column_int64(st, 10);
	c->wait_minutes = (int)db_column_int64(st, 11);
	c->time_limit_minutes = (int)db_column_int64(st, 12);
	c->topics_json = col_s(a, st, 13);
	c->order = (int)db_column_int64(st, 14);
}

static bool course_ok(const struct course_info *c)
{
	return c->slug && c->title && c->summary && c->audience && c->instructor && c->visibility &&
	        c->topics_json;
}

int course_list(struct db *db, struct arena *a, int64_t user_id, int64_t org_id,
                struct course_info **out, size_t *n)
{
	static const char sql[] = "SELECT " COURSE_COLS " FROM courses c "
	                          "JOIN library_versions v ON v.id = c.version_id AND v.active = 1 "
	                          "WHERE " COURSE_VISIBLE " ORDER BY c.sort_order, c.title, c.slug";
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!grow(a, out, *n, &cap, sizeof **out, COURSE_MAX_LIST)) {
			rc = *n >= COURSE_MAX_LIST ? DB_DONE : DB_ENOMEM;
			break;
		}
		course_row(a, st, &(*out)[*n]);
		rc = course_ok(&(*out)[(*n)++]) ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int course_get(struct db *db, struct arena *a, int64_t user_id, int64_t org_id, const char *slug,
               struct course_info *out)
{
	static const char sql[] = "SELECT " COURSE_COLS " FROM courses c "
	                          "JOIN library_versions v ON v.id = c.version_id AND v.active = 1 "
	                          "WHERE c.slug = $3 AND " COURSE_VISIBLE " ORDER BY c.id LIMIT 1";
	struct db_stmt *st;
	memset(out, 0, sizeof *out);
	if (!slug)
		return DB_DONE;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK)
		rc = bind_text(st, 3, slug);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		course_row(a, st, out);
		rc = course_ok(out) ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int course_modules(struct db *db, struct arena *a, int64_t course_id,
                   struct course_module_info **out, size_t *n)
{
	static const char sql[] =
	        "SELECT slug, title, summary, discussion_json FROM course_modules "
	        "WHERE course_id = $1 ORDER BY position";
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!grow(a, out, *n, &cap, sizeof **out, 1000)) {
			rc = DB_ENOMEM;
			break;
		}
		struct course_module_info *m = &(*out)[(*n)++];
		m->slug = col_s(a, st, 0);
		m->title = col_s(a, st, 1);
		m->summary = col_s(a, st, 2);
		m->discussion_json = col_s(a, st, 3);
		rc = m->slug && m->title && m->summary && m->discussion_json ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

#define LESSON_COLS                                                                                \
	"position, module_slug, slug, title, summary, minutes, required, topics_json, "            \
	"scenario_slug, video_name, captions_name, transcript_name, reviewed, sources_json"

static bool lesson_row(struct arena *a, struct db_stmt *st, struct course_lesson_info *l)
{
	l->position = (int)db_column_int64(st, 0);
	l->module_slug = col_s(a, st, 1);
	l->slug = col_s(a, st, 2);
	l->title = col_s(a, st, 3);
	l->summary = col_s(a, st, 4);
	l->minutes = (int)db_column_int64(st, 5);
	l->required = db_column_int64(st, 6) != 0;
	l->topics_json = col_s(a, st, 7);
	l->scenario_slug = col(a, st, 8);
	l->video_name = col(a, st, 9);
	l->captions_name = col(a, st, 10);
	l->transcript_name = col(a, st, 11);
	l->reviewed = col_s(a, st, 12);
	l->sources_json = col_s(a, st, 13);
	return l->module_slug && l->slug && l->title && l->summary && l->topics_json &&
	        l->reviewed && l->sources_json;
}

int course_lessons(struct db *db, struct arena *a, int64_t course_id,
                   struct course_lesson_info **out, size_t *n)
{
	static const char sql[] = "SELECT " LESSON_COLS " FROM course_lessons "
	                          "WHERE course_id = $1 ORDER BY position";
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!grow(a, out, *n, &cap, sizeof **out, 1000)) {
			rc = DB_ENOMEM;
			break;
		}
		rc = lesson_row(a, st, &(*out)[(*n)++]) ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int course_lesson_get(struct db *db, struct arena *a, int64_t course_id, const char *slug,
                      struct course_lesson_info *out)
{
	static const char sql[] = "SELECT " LESSON_COLS ", html, toc_json FROM course_lessons "
	                          "WHERE course_id = $1 AND slug = $2";
	struct db_stmt *st;
	memset(out, 0, sizeof *out);
	if (!slug)
		return DB_DONE;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course_id)) == DB_OK)
		rc = bind_text(st, 2, slug);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		bool ok = lesson_row(a, st, out);
		out->html = col_s(a, st, 14);
		out->toc_json = col_s(a, st, 15);
		rc = ok && out->html && out->toc_json ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int course_checks(struct db *db, struct arena *a, int64_t course_id, const char *lesson,
                  struct course_question_info **out, size_t *n)
{
	static const char sql[] =
	        "SELECT qid, qtype, prompt, choices_json, explanation "
	        "FROM course_questions WHERE course_id = $1 AND purpose = 'check' "
	        "AND lesson_slug = $2 ORDER BY position, qid";
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course_id)) == DB_OK)
		rc = bind_text(st, 2, lesson);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!grow(a, out, *n, &cap, sizeof **out, 500)) {
			rc = DB_ENOMEM;
			break;
		}
		struct course_question_info *q = &(*out)[(*n)++];
		q->qid = col_s(a, st, 0);
		q->qtype = col_s(a, st, 1);
		q->prompt = col_s(a, st, 2);
		q->choices_json = col_s(a, st, 3);
		q->explanation = col_s(a, st, 4);
		rc = q->qid && q->qtype && q->prompt && q->choices_json && q->explanation
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static bool scenario_row(struct arena *a, struct db_stmt *st, struct course_scenario_info *s)
{
	s->slug = col_s(a, st, 0);
	s->title = col_s(a, st, 1);
	s->summary = col_s(a, st, 2);
	s->topics_json = col_s(a, st, 3);
	s->body_json = col_s(a, st, 4);
	return s->slug && s->title && s->summary && s->topics_json && s->body_json;
}

int course_scenarios(struct db *db, struct arena *a, int64_t course_id,
                     struct course_scenario_info **out, size_t *n)
{
	static const char sql[] = "SELECT slug, title, summary, topics_json, '' FROM "
	                          "course_scenarios WHERE course_id = $1 ORDER BY title, slug";
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!grow(a, out, *n, &cap, sizeof **out, 500)) {
			rc = DB_ENOMEM;
			break;
		}
		rc = scenario_row(a, st, &(*out)[(*n)++]) ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int course_scenario_get(struct db *db, struct arena *a, int64_t course_id, const char *slug,
                        struct course_scenario_info *out)
{
	static const char sql[] = "SELECT slug, title, summary, topics_json, body_json FROM "
	                          "course_scenarios WHERE course_id = $1 AND slug = $2";
	struct db_stmt *st;
	memset(out, 0, sizeof *out);
	if (!slug)
		return DB_DONE;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course_id)) == DB_OK)
		rc = bind_text(st, 2, slug);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		rc = scenario_row(a, st, out) ? DB_OK : DB_ENOMEM;
	db_finalize(st);
	return rc;
}

/* ---------------------------------------------------------------- records */

int course_enrolment_get(struct db *db, struct arena *a, int64_t user_id, const char *course,
                         struct course_enrolment *out)
{
	static const char sql[] =
	        "SELECT id, COALESCE(org_id, 0), enrolled_at, COALESCE(completed_at, 0), "
	        "last_lesson_slug, COALESCE(last_seen_at, 0) FROM course_enrolments "
	        "WHERE user_id = $1 AND course_slug = $2";
	struct db_stmt *st;
	memset(out, 0, sizeof *out);
	if (user_id <= 0)
		return DB_DONE;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = bind_text(st, 2, course);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->org_id = db_column_int64(st, 1);
		out->enrolled_at = db_column_int64(st, 2);
		out->completed_at = db_column_int64(st, 3);
		out->last_lesson_slug = col(a, st, 4);
		out->last_seen_at = db_column_int64(st, 5);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int course_enrol(struct db *db, int64_t user_id, int64_t org_id, const char *course, int64_t now,
                 bool *created)
{
	static const char sql[] =
	        "INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at, "
	        "last_seen_at) VALUES ($1, $2, $3, $4, $4) "
	        "ON CONFLICT (user_id, course_slug) DO NOTHING RETURNING id";
	struct db_stmt *st;
	*created = false;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = org_id > 0 ? db_bind_int64(st, 2, org_id) : db_bind_null(st, 2)) == DB_OK &&
	    (rc = bind_text(st, 3, course)) == DB_OK)
		rc = db_bind_int64(st, 4, now);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*created = true;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int course_progress_list(struct db *db, struct arena *a, int64_t user_id, const char *course,
                         struct course_progress **out, size_t *n)
{
	static const char sql[] = "SELECT lesson_slug, started_at, COALESCE(completed_at, 0) "
	                          "FROM course_progress WHERE user_id = $1 AND course_slug = $2";
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (user_id <= 0)
		return DB_OK;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = bind_text(st, 2, course);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!grow(a, out, *n, &cap, sizeof **out, 5000)) {
			rc = DB_ENOMEM;
			break;
		}
		struct course_progress *p = &(*out)[(*n)++];
		p->lesson_slug = col_s(a, st, 0);
		p->started_at = db_column_int64(st, 1);
		p->completed_at = db_column_int64(st, 2);
		rc = p->lesson_slug ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int course_lesson_opened(struct db *db, int64_t user_id, const char *course, const char *lesson,
                         int64_t now)
{
	static const char start[] =
	        "INSERT INTO course_progress (user_id, course_slug, lesson_slug, started_at) "
	        "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, course_slug, lesson_slug) DO "
	        "NOTHING";
	static const char seen[] = "UPDATE course_enrolments SET last_lesson_slug = $3, "
	                           "last_seen_at = $4 WHERE user_id = $1 AND course_slug = $2";
	struct db_stmt *st;
	int rc = DB_OK;
	for (int i = 0; i < 2 && rc == DB_OK; i++) {
		rc = db_prepare(db, i == 0 ? start : seen, &st);
		if (rc != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
		    (rc = bind_text(st, 2, course)) == DB_OK &&
		    (rc = bind_text(st, 3, lesson)) == DB_OK)
			rc = db_bind_int64(st, 4, now);
		rc = finish(st, rc);
	}
	return rc;
}

int course_lesson_completed(struct db *db, int64_t user_id, const char *course, const char *lesson,
                            const char *resume, int64_t now, bool *first)
{
	static const char start[] =
	        "INSERT INTO course_progress (user_id, course_slug, lesson_slug, started_at) "
	        "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, course_slug, lesson_slug) DO "
	        "NOTHING";
	static const char done[] =
	        "UPDATE course_progress SET completed_at = $4 WHERE user_id = $1 AND "
	        "course_slug = $2 AND lesson_slug = $3 AND completed_at IS NULL RETURNING 1";
	static const char seen[] = "UPDATE course_enrolments SET last_lesson_slug = $3, "
	                           "last_seen_at = $4 WHERE user_id = $1 AND course_slug = $2";
	const char *sqls[3] = {start, done, seen};
	const char *third[3] = {lesson, lesson, resume};
	*first = false;
	int rc = DB_OK;
	for (int i = 0; i < 3 && rc == DB_OK; i++) {
		struct db_stmt *st;
		rc = db_prepare(db, sqls[i], &st);
		if (rc != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
		    (rc = bind_text(st, 2, course)) == DB_OK &&
		    (rc = bind_text(st, 3, third[i])) == DB_OK)
			rc = db_bind_int64(st, 4, now);
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			if (i == 1)
				*first = true;
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	return rc;
}

int course_check_answer_add(struct db *db, int64_t user_id, const char *course, const char *qid,
                            const char *choices_json, bool correct, int64_t now)
{
	static const char sql[] =
	        "INSERT INTO course_check_answers (user_id, course_slug, qid, "
	        "choices_json, correct, answered_at) VALUES ($1, $2, $3, $4, $5, $6)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = bind_text(st, 2, course)) == DB_OK && (rc = bind_text(st, 3, qid)) == DB_OK &&
	    (rc = bind_text(st, 4, choices_json)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, correct)) == DB_OK)
		rc = db_bind_int64(st, 6, now);
	return finish(st, rc);
}

int course_assignment_due(struct db *db, int64_t user_id, int64_t org_id, const char *course,
                          int64_t *due_at)
{
	static const char sql[] = "SELECT due_at FROM course_assignments WHERE user_id = $1 AND "
	                          "org_id = $2 AND course_slug = $3 AND cancelled_at IS NULL";
	struct db_stmt *st;
	*due_at = 0;
	if (user_id <= 0 || org_id <= 0)
		return DB_OK;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK)
		rc = bind_text(st, 3, course);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		*due_at = db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* ---------------------------------------------------------------- runs */

int course_run_start(struct db *db, int64_t user_id, const char *course, const char *scenario,
                     const char *step, int64_t now, int64_t *id)
{
	static const char sql[] = "INSERT INTO course_scenario_runs (user_id, course_slug, "
	                          "scenario_slug, started_at, current_step, path_json) "
	                          "VALUES ($1, $2, $3, $4, $5, '[]') RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = bind_text(st, 2, course)) == DB_OK &&
	    (rc = bind_text(st, 3, scenario)) == DB_OK && (rc = db_bind_int64(st, 4, now)) == DB_OK)
		rc = bind_text(st, 5, step);
	if (rc == DB_OK)
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

int course_run_get(struct db *db, struct arena *a, int64_t user_id, const char *course,
                   const char *scenario, int64_t id, struct course_run *out)
{
	static const char sql[] = "SELECT id, started_at, COALESCE(finished_at, 0), scenario_slug, "
	                          "current_step, path_json FROM course_scenario_runs WHERE id = $1 "
	                          "AND user_id = $2 AND course_slug = $3 AND scenario_slug = $4";
	struct db_stmt *st;
	memset(out, 0, sizeof *out);
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = bind_text(st, 3, course)) == DB_OK)
		rc = bind_text(st, 4, scenario);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->started_at = db_column_int64(st, 1);
		out->finished_at = db_column_int64(st, 2);
		out->scenario_slug = col_s(a, st, 3);
		out->current_step = col_s(a, st, 4);
		out->path_json = col_s(a, st, 5);
		rc = out->scenario_slug && out->current_step && out->path_json ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int course_run_advance(struct db *db, int64_t id, int64_t user_id, const char *from_step,
                       const char *to_step, const char *path_json, bool finished, int64_t now)
{
	static const char sql[] =
	        "UPDATE course_scenario_runs SET current_step = $4, path_json = $5, "
	        "finished_at = CAST($6 AS BIGINT) WHERE id = $1 AND "
	        "user_id = $2 AND current_step = $3 AND finished_at IS NULL RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = bind_text(st, 3, from_step)) == DB_OK &&
	    (rc = bind_text(st, 4, to_step)) == DB_OK &&
	    (rc = bind_text(st, 5, path_json)) == DB_OK)
		rc = finished ? db_bind_int64(st, 6, now) : db_bind_null(st, 6);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc;
}
