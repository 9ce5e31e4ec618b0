/* features/course/itemanalysis.c — GET /org/training/items (see
 * itemanalysis.h): the item analysis of a course's final test for the
 * leaders and trainers of the session's active organization. The
 * organization is req->who.org_id, never one from the request: only the
 * attempts of learners enrolled through it count (course_enrolments.org_id),
 * so another organization's learners never appear, not even in a count. */
#include "features/course/itemanalysis.h"

#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers read at most (a bound on memory: two doubles each). */
#define MAX_ANSWERS 2000000
#define SLUG_MAX 64

/* The courses of the active pack version: [{slug, title, selected}]; *found
 * when slug (NULL: the first) is one of them, and *chosen is its slug. */
static int courses(struct db *db, struct arena *a, const char *slug, json_t *list,
                   const char **chosen)
{
	static const char sql[] =
	        "SELECT c.slug, c.title FROM courses c JOIN library_versions v "
	        "ON v.id = c.version_id AND v.active = 1 ORDER BY c.sort_order, c.slug LIMIT 200";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	*chosen = NULL;
	if (rc != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *s = db_column_text(st, 0, NULL), *t = db_column_text(st, 1, NULL);
		bool sel = !*chosen && (slug ? strcmp(s, slug) == 0 : true);
		if (sel && !(*chosen = arena_strdup(a, s))) {
			rc = DB_ENOMEM;
			break;
		}
		json_array_append_new(
		        list, json_pack("{s:s, s:s, s:b}", "slug", s, "title", t, "selected", sel));
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* One question's answers while they are read. */
struct acc {
	char *qid;
	char *prompt;
	double *correct, *total;
	size_t n, cap;
};

static void acc_free(struct acc *q)
{
	free(q->qid);
	free(q->prompt);
	free(q->correct);
	free(q->total);
	memset(q, 0, sizeof *q);
}

static int acc_push(struct acc *q, double correct, double total)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		double *c = realloc(q->correct, cap * sizeof *c);
		if (c)
			q->correct = c;
		double *t = c ? realloc(q->total, cap * sizeof *t) : NULL;
		if (!t)
			return -1;
		q->total = t;
		q->cap = cap;
	}
	q->correct[q->n] = correct;
	q->total[q->n] = total;
	q->n++;
	return 0;
}

static const char *fixed2(struct arena *a, double v)
{
	return arena_printf(a, "%.2f", v);
}

/* Adds q's row to rows (the statistics and their flags). */
static void emit(struct arena *a, json_t *rows, const struct acc *q, int *flagged)
{
	struct item_stats s;
	item_stats_compute(q->correct, q->total, q->n, &s);
	bool any = s.too_easy || s.too_hard || s.low_discrimination;
	*flagged += any;
	json_t *row = json_pack(
	        "{s:s, s:s, s:i, s:i, s:s, s:i, s:b, s:s, s:b, s:b, s:b, s:b, s:b}", "qid", q->qid,
	        "prompt", q->prompt ? q->prompt : "", "n", (int)s.n, "right", (int)s.right,
	        "difficulty", fixed2(a, s.difficulty), "percent", (int)(s.difficulty * 100 + 0.5),
	        "has_discrimination", s.has_discrimination, "discrimination",
	        s.has_discrimination ? fixed2(a, s.discrimination) : "", "too_easy", s.too_easy,
	        "too_hard", s.too_hard, "low_discrimination", s.low_discrimination && !s.negative,
	        "negative", s.negative, "flagged", any);
	if (row)
		json_array_append_new(rows, row);
}

/* Reads the answers of the organization's learners to slug's test and
 * appends one row per question to rows. *answers counts the answers,
 * *attempts the attempts. */
static int analyse(struct db *db, struct arena *a, int64_t org, const char *slug, json_t *rows,
                   int *answers, int *attempts, int *flagged)
{
	static const char sql[] =
	        "SELECT i.qid, i.prompt, i.correct, a.score, a.id FROM course_attempt_items i "
	        "JOIN course_attempts a ON a.id = i.attempt_id "
	        "JOIN course_enrolments e ON e.user_id = a.user_id "
	        "AND e.course_slug = a.course_slug "
	        "WHERE e.org_id = $1 AND a.course_slug = $2 AND a.submitted_at IS NOT NULL "
	        "AND i.answer_json IS NOT NULL AND i.correct IS NOT NULL "
	        "ORDER BY i.qid, a.id";
	static const char count_sql[] =
	        "SELECT count(*) FROM course_attempts a JOIN course_enrolments e "
	        "ON e.user_id = a.user_id AND e.course_slug = a.course_slug "
	        "WHERE e.org_id = $1 AND a.course_slug = $2 AND a.submitted_at IS NOT NULL "
	        "AND EXISTS (SELECT 1 FROM course_attempt_items i WHERE i.attempt_id = a.id "
	        "AND i.answer_json IS NOT NULL)";
	struct db_stmt *st;
	struct acc q = {0};
	int rc = db_prepare(db, sql, &st);
	*answers = *attempts = *flagged = 0;
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org)) == DB_OK &&
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) == DB_OK)
		while ((rc = db_step(st)) == DB_ROW) {
			const char *qid = db_column_text(st, 0, NULL);
			if (q.qid && strcmp(q.qid, qid) != 0) {
				emit(a, rows, &q, flagged);
				acc_free(&q);
			}
			if (!q.qid && !(q.qid = strdup(qid))) {
				rc = DB_ENOMEM;
				break;
			}
			/* The prompt as the latest attempt showed it. */
			free(q.prompt);
			q.prompt = strdup(db_column_text(st, 1, NULL));
			if (!q.prompt || ++*answers > MAX_ANSWERS ||
			    acc_push(&q, (double)db_column_int64(st, 2),
			             (double)db_column_int64(st, 3)) != 0) {
				rc = DB_ENOMEM;
				break;
			}
		}
	db_finalize(st);
	if (rc == DB_DONE && q.qid)
		emit(a, rows, &q, flagged);
	acc_free(&q);
	if (rc != DB_DONE)
		return rc;
	if ((rc = db_prepare(db, count_sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org)) == DB_OK &&
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*attempts = (int)db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int course_item_analysis(struct req *req)
{
	const char *slug = req_query(req, "course");
	if (slug && (!*slug || strlen(slug) > SLUG_MAX))
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	json_t *list = json_array(), *rows = json_array();
	const char *chosen = NULL;
	int answers = 0, attempts = 0, flagged = 0;
	int rc = list && rows ? courses(db, req->arena, slug, list, &chosen) : DB_ENOMEM;
	if (rc == DB_OK && slug && !chosen) {
		json_decref(list);
		json_decref(rows);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK && chosen)
		rc = analyse(db, req->arena, req->who.org_id, chosen, rows, &answers, &attempts,
		             &flagged);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "item analysis: %s", db_errmsg(db));
		json_decref(list);
		json_decref(rows);
		return -1;
	}
	const char *title = NULL;
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		if (json_is_true(json_object_get(c, "selected")))
			title = json_string_value(json_object_get(c, "title"));
	}
	json_t *data = json_pack("{s:s?, s:s?, s:s?, s:o, s:o, s:i, s:i, s:i, s:b}", "org",
	                         req->who.org_name, "course", chosen, "course_title", title,
	                         "courses", list, "items", rows, "answers", answers, "attempts",
	                         attempts, "flagged", flagged, "few", attempts < 30);
	return page_render(req, 200, "course/test/items", "page.course_items.title", data);
}
