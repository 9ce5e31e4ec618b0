/* features/course/completion.c — course_complete_if_done (completion.h). */
#include "features/course/completion.h"

#include "features/course/certcode.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/settings.h"
#include "features/accounts/accounts.h"
#include "features/course/events.h"
#include "http/http.h"
#include "render/page.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the certificate needs, read in the caller's transaction. */
struct facts {
	bool enrolled, completed;
	int64_t org_id;
	const char *title, *instructor, *learner;
	int64_t credit;
	int64_t missing; /* required lessons not completed */
	bool passed;
	int64_t best; /* best submitted score, -1 when none */
};

static int read_facts(struct db *db, struct arena *a, int64_t user_id, const char *course,
                      struct facts *f)
{
	static const char sql[] =
	        "SELECT COALESCE(e.org_id, 0), CASE WHEN e.completed_at IS NULL THEN 0 ELSE 1 END, "
	        "c.title, c.instructor, c.credit_centihours, u.name, "
	        "(SELECT count(*) FROM course_lessons l WHERE l.course_id = c.id AND l.required = "
	        "1 "
	        "AND NOT EXISTS (SELECT 1 FROM course_progress p WHERE p.user_id = e.user_id AND "
	        "p.course_slug = e.course_slug AND p.lesson_slug = l.slug AND p.completed_at IS "
	        "NOT "
	        "NULL)), "
	        "(SELECT count(*) FROM course_attempts t WHERE t.user_id = e.user_id AND "
	        "t.course_slug = e.course_slug AND t.passed = 1), "
	        "(SELECT COALESCE(max(t.score), -1) FROM course_attempts t WHERE t.user_id = "
	        "e.user_id AND t.course_slug = e.course_slug AND t.submitted_at IS NOT NULL) "
	        "FROM course_enrolments e JOIN users u ON u.id = e.user_id "
	        "JOIN courses c ON c.slug = e.course_slug "
	        "JOIN library_versions v ON v.id = c.version_id AND v.active = 1 "
	        "WHERE e.user_id = $1 AND e.course_slug = $2 ORDER BY c.id LIMIT 1";
	struct db_stmt *st;
	memset(f, 0, sizeof *f);
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_text(st, 2, course, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n;
		const char *s;
		f->enrolled = true;
		f->org_id = db_column_int64(st, 0);
		f->completed = db_column_int64(st, 1) != 0;
		s = db_column_text(st, 2, &n);
		f->title = arena_strndup(a, s ? s : "", n);
		s = db_column_text(st, 3, &n);
		f->instructor = arena_strndup(a, s ? s : "", n);
		f->credit = db_column_int64(st, 4);
		s = db_column_text(st, 5, &n);
		f->learner = arena_strndup(a, s ? s : "", n);
		f->missing = db_column_int64(st, 6);
		f->passed = db_column_int64(st, 7) > 0;
		f->best = db_column_int64(st, 8);
		rc = f->title && f->instructor && f->learner ? DB_OK : DB_ENOMEM;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

static int write_certificate(struct db *db, int64_t user_id, const char *course,
                             const struct facts *f, const char *provider, const char *code,
                             int64_t now, bool *written)
{
	static const char cert[] =
	        "INSERT INTO certificates (code, user_id, org_id, course_slug, learner_name, "
	        "course_title, provider, instructor, credit_centihours, completed_at, score) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
	        "ON CONFLICT (user_id, course_slug) DO NOTHING RETURNING id";
	static const char done[] = "UPDATE course_enrolments SET completed_at = $3 WHERE "
	                           "user_id = $1 AND course_slug = $2 AND completed_at IS NULL";
	struct db_stmt *st;
	*written = false;
	int rc = db_prepare(db, cert, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, code, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = f->org_id > 0 ? db_bind_int64(st, 3, f->org_id) : db_bind_null(st, 3)) == DB_OK &&
	    (rc = db_bind_text(st, 4, course, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 5, f->learner, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 6, f->title, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 7, provider, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 8, f->instructor, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 9, f->credit)) == DB_OK &&
	    (rc = db_bind_int64(st, 10, now)) == DB_OK)
		rc = f->best >= 0 ? db_bind_int64(st, 11, f->best) : db_bind_null(st, 11);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		*written = true;
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	rc = db_prepare(db, done, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, course, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_ERR;
}

int course_complete_if_done(struct db *db, const struct req *req, int64_t user_id,
                            const char *course_slug, int64_t now)
{
	struct arena *a = req->arena;
	struct facts f;
	int rc = read_facts(db, a, user_id, course_slug, &f);
	if (rc != DB_OK)
		return rc;
	if (!f.enrolled || f.completed || f.missing > 0 || !f.passed)
		return 0;
	const char *provider = NULL;
	rc = db_setting_get(db, a, "deployment.name", &provider);
	if (rc < 0)
		return rc;
	if (!provider || !provider[0])
		provider = page_msg("site.default_name");
	char code[CERT_CODE_LEN + 1];
	cert_code_new(code);
	bool written = false;
	rc = write_certificate(db, user_id, course_slug, &f, provider ? provider : "", code, now,
	                       &written);
	if (rc != DB_OK)
		return rc;
	char *result = NULL;
	json_t *r = f.best >= 0 ? json_pack("{s:b, s:b, s:{s:f}}", "completion", 1, "success", 1,
	                                    "score", "scaled", (double)f.best / 100.0)
	                        : json_pack("{s:b, s:b}", "completion", 1, "success", 1);
	result = r ? json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(r);
	struct course_event ev = {
	        .user_id = user_id,
	        .org_id = f.org_id,
	        .course_slug = course_slug,
	        .verb = "completed",
	        .object_type = "course",
	        .object_id = course_slug,
	        .object_name = f.title,
	        .result_json = result,
	};
	rc = result ? course_event_add(db, &ev, now) : DB_ENOMEM;
	free(result);
	if (rc != DB_OK)
		return rc;
	json_t *d = json_pack("{s:s, s:s?}", "course", course_slug, "certificate",
	                      written ? code : NULL);
	char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(d);
	char target[24];
	snprintf(target, sizeof target, "%lld", (long long)user_id);
	rc = detail ? accounts_audit(db, req, "course.completed", "user", target, "success", detail)
	            : DB_ENOMEM;
	free(detail);
	return rc == DB_OK ? 1 : rc;
}
