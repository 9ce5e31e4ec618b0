/* features/course/training_model.c — see training_model.h. */
#include "features/course/training_model.h"

#include "core/arena.h"
#include "db/db.h"

#include <string.h>

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

int training_courses(struct db *db, struct arena *a, int64_t org_id, struct training_course **out,
                     size_t *n)
{
	static const char sql[] =
	        "SELECT c.id, c.slug, c.title, (SELECT COUNT(*) FROM course_lessons l "
	        "WHERE l.course_id = c.id AND l.required = 1) "
	        "FROM courses c JOIN library_versions v ON v.id = c.version_id AND v.active = 1 "
	        "JOIN organizations o ON o.id = $1 "
	        "WHERE c.visibility IN ('public', 'members') OR (c.visibility = 'law_enforcement' "
	        "AND o.kind = 'law_enforcement') ORDER BY c.sort_order, c.title, c.slug LIMIT 200";
	_Static_assert(TRAINING_MAX_COURSES == 200, "the LIMIT above");
	*n = 0;
	*out = arena_calloc(a, TRAINING_MAX_COURSES, sizeof **out);
	if (!*out)
		return DB_ENOMEM;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct training_course *c = &(*out)[(*n)++];
		c->id = db_column_int64(st, 0);
		c->slug = col(a, st, 1);
		c->title = col(a, st, 2);
		c->required = db_column_int64(st, 3);
		rc = c->slug && c->title ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int training_members(struct db *db, struct arena *a, int64_t org_id, struct training_member **out,
                     size_t *n)
{
	static const char sql[] =
	        "SELECT u.id, u.name, u.email, m.role FROM memberships m "
	        "JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.status = 'active' "
	        "AND u.status = 'active' ORDER BY lower(u.name), u.id LIMIT 1000";
	_Static_assert(TRAINING_MAX_MEMBERS == 1000, "the LIMIT above");
	*n = 0;
	*out = arena_calloc(a, TRAINING_MAX_MEMBERS, sizeof **out);
	if (!*out)
		return DB_ENOMEM;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct training_member *m = &(*out)[(*n)++];
		m->user_id = db_column_int64(st, 0);
		m->name = col(a, st, 1);
		m->email = col(a, st, 2);
		m->role = col(a, st, 3);
		rc = m->name && m->email && m->role ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int training_roster(struct db *db, struct arena *a, int64_t org_id, const struct training_course *c,
                    const char *q, struct training_row **out, size_t *n)
{
	/* Progress counts where the learner enrolled through this
	 * organization (course_enrolments.org_id): what they did as a member
	 * of another one is that one's to see. */
	static const char sql[] =
	        "SELECT u.id, u.name, u.email, e.id, e.enrolled_at, e.completed_at, "
	        "(SELECT COUNT(*) FROM course_progress p JOIN course_lessons l "
	        "ON l.course_id = $3 AND l.slug = p.lesson_slug AND l.required = 1 "
	        "WHERE e.id IS NOT NULL AND p.user_id = u.id AND p.course_slug = $2 "
	        "AND p.completed_at IS NOT NULL), "
	        "(SELECT MAX(t.score) FROM course_attempts t WHERE e.id IS NOT NULL "
	        "AND t.user_id = u.id AND t.course_slug = $2 AND t.submitted_at IS NOT NULL), "
	        "s.id, s.due_at "
	        "FROM memberships m JOIN users u ON u.id = m.user_id "
	        "LEFT JOIN course_enrolments e ON e.user_id = u.id AND e.course_slug = $2 "
	        "AND e.org_id = $1 "
	        "LEFT JOIN course_assignments s ON s.org_id = $1 AND s.user_id = u.id "
	        "AND s.course_slug = $2 AND s.cancelled_at IS NULL "
	        "WHERE m.org_id = $1 AND m.status = 'active' AND u.status = 'active' "
	        "AND ($4 = '' OR lower(u.name) LIKE $4 ESCAPE '\\' "
	        "OR lower(u.email) LIKE $4 ESCAPE '\\') "
	        "ORDER BY lower(u.name), u.id LIMIT 1000";
	*n = 0;
	*out = arena_calloc(a, TRAINING_MAX_MEMBERS, sizeof **out);
	if (!*out)
		return DB_ENOMEM;
	char pattern[2 * 100 + 3] = "";
	if (q && q[0] && db_like_pattern(q, true, true, pattern, sizeof pattern) != 0)
		return DB_EINVAL;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, c->slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, c->id)) == DB_OK)
		rc = db_bind_text(st, 4, pattern, (size_t)-1);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct training_row *r = &(*out)[(*n)++];
		r->user_id = db_column_int64(st, 0);
		r->name = col(a, st, 1);
		r->email = col(a, st, 2);
		r->enrolled = !db_column_is_null(st, 3);
		r->enrolled_at = db_column_int64(st, 4);
		r->completed_at = db_column_int64(st, 5);
		r->lessons_done = db_column_int64(st, 6);
		r->best_score = db_column_is_null(st, 7) ? -1 : db_column_int64(st, 7);
		r->assignment_id = db_column_int64(st, 8);
		r->due_at = db_column_int64(st, 9);
		rc = r->name && r->email ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int training_assign(struct db *db, int64_t org_id, int64_t user_id, const char *course_slug,
                    int64_t due_at, int64_t by, int64_t now, int64_t *id)
{
	static const char upd[] =
	        "UPDATE course_assignments SET due_at = $4, assigned_by = $5, assigned_at = $6, "
	        "cancelled_at = NULL WHERE org_id = $1 AND user_id = $2 AND course_slug = $3 "
	        "RETURNING id";
	static const char ins[] = "INSERT INTO course_assignments (org_id, user_id, course_slug, "
	                          "due_at, assigned_by, "
	                          "assigned_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
	const char *const sqls[2] = {upd, ins};
	*id = 0;
	for (int i = 0; i < 2 && *id == 0; i++) {
		struct db_stmt *st;
		int rc = db_prepare(db, sqls[i], &st);
		if (rc != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
		    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
		    (rc = db_bind_text(st, 3, course_slug, (size_t)-1)) == DB_OK &&
		    (rc = db_bind_int64(st, 4, due_at)) == DB_OK &&
		    (rc = db_bind_int64(st, 5, by)) == DB_OK &&
		    (rc = db_bind_int64(st, 6, now)) == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW)
			*id = db_column_int64(st, 0);
		db_finalize(st);
		if (rc != DB_ROW && rc != DB_DONE)
			return rc;
	}
	return *id ? DB_OK : DB_ERR;
}

int training_cancel(struct db *db, struct arena *a, int64_t org_id, int64_t id, int64_t now,
                    int64_t *user_id, const char **course_slug)
{
	static const char sql[] =
	        "UPDATE course_assignments SET cancelled_at = $3 WHERE id = $1 AND org_id = $2 "
	        "AND cancelled_at IS NULL RETURNING user_id, course_slug";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*user_id = db_column_int64(st, 0);
		*course_slug = col(a, st, 1);
		rc = *course_slug ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}
