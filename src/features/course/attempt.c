/* features/course/attempt.c — the final test's pages (issue 6 points 3 and
 * 12; docs/course-test.md):
 *   GET  /courses/{course}/test            the rules, the learner's attempts, Start
 *   POST /courses/{course}/test/start      draws a new attempt
 *   GET  /courses/{course}/test/{attempt}  the questions, or the results
 *   POST /courses/{course}/test/{attempt}  the answers, scored here
 * The questions go to the browser with their ids and texts only: which
 * choices are right, the feedback and the explanation are read from the
 * store after submission and never before. A submission that a browser
 * using the page could not send (an answer to a question not drawn, a
 * choice the question lacks, two choices on a one-choice question) is
 * refused and changes nothing; so is a second one (409). One that arrives
 * after the deadline and its grace closes the attempt as failed with score
 * 0 and records none of its answers. */
#include "features/course/attempt.h"
#include "features/course/completion.h"
#include "features/course/events.h"

#include "auth/accounts.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "render/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLUG_MAX 64

static const char *text_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* What every page of the test reads first. */
struct ctx {
	struct db *db;
	const char *slug;
	struct attempt_rules rules;
	bool enrolled;
	int64_t enrol_org;
	struct attempt_row *rows;
	size_t n;
	struct attempt_state state;
	const char *zone;
	int64_t now;
};

static bool valid_slug(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > SLUG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Reads the course's rules, the learner's enrolment and attempts. 0, 404
 * (no such course in the active pack version), or -1. */
static int load(struct req *req, struct ctx *c)
{
	memset(c, 0, sizeof *c);
	c->now = (int64_t)time(NULL);
	c->slug = req_param(req, "course");
	if (!valid_slug(c->slug))
		return 404;
	if (!(c->db = db_pool_get()))
		return -1;
	int rc = attempt_rules_get(c->db, req->arena, c->slug, req->who.org_id, &c->rules);
	if (rc == DB_DONE)
		return 404;
	if (rc == DB_OK)
		rc = attempt_enrolment(c->db, req->who.user_id, c->slug, &c->enrol_org);
	c->enrolled = rc == DB_OK;
	if (rc == DB_OK || rc == DB_DONE)
		rc = attempt_history(c->db, req->arena, req->who.user_id, c->slug, &c->rows, &c->n);
	if (rc == DB_OK || rc == DB_DONE)
		rc = accounts_org_zone(c->db, req->arena, req->who.org_id, &c->zone);
	if (rc != DB_OK && rc != DB_DONE) {
		log_msg(LOG_ERROR, "reading the final test of %s: %s", c->slug, db_errmsg(c->db));
		return -1;
	}
	attempt_state_compute(&c->rules, c->rows, c->n, c->enrolled, c->now, &c->state);
	return 0;
}

static const char *when(struct req *req, const struct ctx *c, int64_t t)
{
	char out[80];
	if (tz_format(t, c->zone, "d MMM yyyy HH:mm zzz", out, sizeof out) != 0)
		out[0] = '\0';
	return arena_strdup(req->arena, out);
}

static const char *const block_names[] = {
        [ATTEMPT_OPEN] = "open",       [ATTEMPT_NOT_ENROLLED] = "not_enrolled",
        [ATTEMPT_PASSED] = "passed",   [ATTEMPT_UNDER_WAY] = "under_way",
        [ATTEMPT_LIMIT] = "limit",     [ATTEMPT_WAITING] = "waiting",
        [ATTEMPT_NO_POOL] = "no_pool",
};

/* ------------------------------------------------------------- overview */

static int render_overview(struct req *req, struct ctx *c, int status, bool refused)
{
	const struct attempt_rules *r = &c->rules;
	const struct attempt_state *s = &c->state;
	json_t *list = json_array();
	for (size_t i = 0; list && i < c->n; i++) {
		const struct attempt_row *a = &c->rows[i];
		bool ended = attempt_ended(a, c->now);
		const char *st = !ended                      ? "open"
		        : a->submitted_at == 0 || a->expired ? "expired"
		        : a->passed == 1                     ? "passed"
		                                             : "failed";
		json_array_append_new(list,
		                      json_pack("{s:i, s:s, s:s, s:o, s:s}", "number", a->number,
		                                "started", when(req, c, a->started_at), "status",
		                                st, "score",
		                                ended ? json_integer(a->submitted_at ? a->score : 0)
		                                      : json_null(),
		                                "href",
		                                arena_printf(req->arena, "/courses/%s/test/%lld",
		                                             c->slug, (long long)a->id)));
	}
	json_t *data = json_pack(
	        "{s:{s:s, s:s}, s:{s:i, s:i, s:i, s:i, s:i}, s:i, s:i, s:o, s:b, s:o, s:s, s:b, "
	        "s:b, s:b, s:s?}",
	        "course", "slug", c->slug, "title", r->title, "rules", "questions", r->questions,
	        "pass_mark", r->pass_mark, "max_attempts", r->max_attempts, "wait_minutes",
	        r->wait_minutes, "time_limit_minutes", r->time_limit_minutes, "used", s->used,
	        "left", s->left, "best", s->best >= 0 ? json_integer(s->best) : json_null(),
	        "passed", s->passed, "attempts", list ? list : json_array(), "block",
	        block_names[s->block], "can_start", s->block == ATTEMPT_OPEN, "refused", refused,
	        "needs_csrf", 1, "next_at", s->next_at ? when(req, c, s->next_at) : NULL);
	if (data)
		json_object_set_new(data, "next_number", json_integer(s->used + 1));
	if (data && s->open_id)
		json_object_set_new(data, "open_href",
		                    json_string(arena_printf(req->arena, "/courses/%s/test/%lld",
		                                             c->slug, (long long)s->open_id)));
	return page_render(req, status, "course/test/index", "page.course_test.title", data);
}

int course_test_overview(struct req *req)
{
	struct ctx c;
	int rc = load(req, &c);
	if (rc == 404)
		return http_error(req, 404, NULL);
	if (rc != 0)
		return -1;
	return render_overview(req, &c, 200, false);
}

/* ---------------------------------------------------------------- start */

/* A compact JSON text in the arena from obj (stolen); NULL when out of
 * memory. */
static const char *json_text(struct req *req, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	const char *out = s ? arena_strdup(req->arena, s) : NULL;
	free(s);
	return out;
}

/* Draws the questions and writes attempt number c->n + 1, in the open
 * write transaction. */
static int create_attempt(struct req *req, struct ctx *c, int64_t *id)
{
	struct attempt_item *pool;
	size_t npool, pick[ATTEMPT_MAX_QUESTIONS];
	size_t k = (size_t)c->rules.questions;
	int closed;
	int rc = attempt_close_expired(c->db, req->who.user_id, c->enrol_org, c->slug, c->now,
	                               &closed);
	if (rc == DB_OK)
		rc = attempt_pool(c->db, req->arena, c->rules.course_id, &pool, &npool);
	if (rc != DB_OK && rc != DB_DONE)
		return rc;
	if (k > ATTEMPT_MAX_QUESTIONS || attempt_draw(npool, k, pick) != 0)
		return DB_EINVAL;
	int64_t deadline = c->now + (int64_t)c->rules.time_limit_minutes * 60;
	rc = attempt_create(c->db, req->who.user_id, c->slug, (int)c->n + 1, c->now, deadline,
	                    c->rules.pass_mark, id);
	for (size_t i = 0; rc == DB_OK && i < k; i++) {
		struct attempt_item it = pool[pick[i]];
		it.position = (int)i + 1;
		rc = attempt_item_add(c->db, *id, &it);
	}
	struct course_event ev = {.user_id = req->who.user_id,
	                          .org_id = c->enrol_org,
	                          .course_slug = c->slug,
	                          .verb = "launched",
	                          .object_type = "test",
	                          .object_id = c->slug,
	                          .object_name = c->rules.title};
	if (rc == DB_OK)
		rc = course_event_add(c->db, &ev, c->now);
	if (rc == DB_OK) {
		char target[24];
		snprintf(target, sizeof target, "%lld", (long long)*id);
		rc = accounts_audit(
		        c->db, req, "course.test.started", "course_attempt", target, "success",
		        json_text(req,
		                  json_pack("{s:s, s:i, s:i}", "course", c->slug, "number",
		                            (int)c->n + 1, "questions", (int)k)));
	}
	return rc;
}

int course_test_start(struct req *req)
{
	struct ctx c;
	int64_t id = 0;
	int rc = load(req, &c);
	if (rc == 404)
		return http_error(req, 404, NULL);
	if (rc != 0)
		return -1;
	if ((rc = db_begin_write(c.db)) != DB_OK)
		return -1;
	/* Decided again inside the write lock: of two starts at once, the
	 * second sees the first's attempt. */
	rc = attempt_history(c.db, req->arena, req->who.user_id, c.slug, &c.rows, &c.n);
	if (rc != DB_OK && rc != DB_DONE) {
		db_rollback(c.db);
		return -1;
	}
	attempt_state_compute(&c.rules, c.rows, c.n, c.enrolled, c.now, &c.state);
	if (c.state.block != ATTEMPT_OPEN) {
		db_rollback(c.db);
		return render_overview(req, &c,
		                       c.state.block == ATTEMPT_NOT_ENROLLED      ? 403
		                               : c.state.block == ATTEMPT_NO_POOL ? 503
		                                                                  : 409,
		                       true);
	}
	rc = create_attempt(req, &c, &id);
	if (rc == DB_OK)
		rc = db_commit(c.db);
	if (rc != DB_OK) {
		db_rollback(c.db);
		if (rc == DB_ECONSTRAINT || rc == DB_ERETRY)
			return http_error(req, 409, NULL);
		log_msg(LOG_ERROR, "starting a final test of %s (%d): %s", c.slug, rc,
		        db_errmsg(c.db));
		return -1;
	}
	return http_redirect(
	        req, 303, arena_printf(req->arena, "/courses/%s/test/%lld", c.slug, (long long)id));
}

/* ------------------------------------------------------------- attempts */

/* The attempt in the URL, the learner's own at this course. 0, 404 or -1. */
static int load_attempt(struct req *req, struct ctx *c, struct attempt_row *a,
                        struct attempt_item **items, size_t *n)
{
	int64_t id;
	int rc = load(req, c);
	if (rc != 0)
		return rc;
	const char *p = req_param(req, "attempt");
	if (!p || str_to_i64(str_from(p), 1, INT64_MAX, &id) != 0)
		return 404;
	rc = attempt_get(c->db, req->who.user_id, c->slug, id, a);
	if (rc == DB_DONE)
		return 404;
	if (rc == DB_OK)
		rc = attempt_items(c->db, req->arena, a->id, items, n);
	return rc == DB_OK || rc == DB_DONE ? 0 : -1;
}

/* The question form: each question's id, prompt and the choices' ids and
 * texts, and nothing else of what the store holds. */
static int render_form(struct req *req, struct ctx *c, const struct attempt_row *a,
                       const struct attempt_item *items, size_t n)
{
	json_t *qs = json_array();
	for (size_t i = 0; qs && i < n; i++) {
		json_t *src = json_loads(items[i].choices_json, 0, NULL), *choices = json_array();
		size_t k;
		json_t *ch;
		json_array_foreach(src, k, ch)
		{
			json_array_append_new(choices,
			                      json_pack("{s:s, s:s, s:i}", "id", text_of(ch, "id"),
			                                "text", text_of(ch, "text"), "n",
			                                (int)k + 1));
		}
		json_decref(src);
		json_array_append_new(
		        qs,
		        json_pack("{s:i, s:s, s:s, s:b, s:o}", "number", items[i].position, "qid",
		                  items[i].qid, "prompt", items[i].prompt, "multiple",
		                  strcmp(items[i].qtype, "multiple") == 0, "choices", choices));
	}
	int64_t left = a->deadline_at - c->now;
	json_t *data = json_pack(
	        "{s:{s:s, s:s}, s:i, s:i, s:s, s:i, s:o, s:s, s:b}", "course", "slug", c->slug,
	        "title", c->rules.title, "number", a->number, "total", (int)n, "deadline",
	        when(req, c, a->deadline_at), "minutes_left",
	        left > 0 ? (int)((left + 59) / 60) : 0, "questions", qs ? qs : json_array(),
	        "action",
	        arena_printf(req->arena, "/courses/%s/test/%lld", c->slug, (long long)a->id),
	        "needs_csrf", 1);
	return page_render(req, 200, "course/test/attempt", "page.course_test_attempt.title", data);
}

/* The results: each question with the learner's answer, right or wrong,
 * every choice's feedback and the explanation. */
static int render_results(struct req *req, struct ctx *c, const struct attempt_row *a,
                          const struct attempt_item *items, size_t n)
{
	json_t *qs = json_array();
	int right = 0;
	for (size_t i = 0; qs && i < n; i++) {
		json_t *src = json_loads(items[i].choices_json, 0, NULL);
		json_t *chosen =
		        items[i].answer_json ? json_loads(items[i].answer_json, 0, NULL) : NULL;
		json_t *choices = json_array();
		size_t k, m;
		json_t *ch, *v;
		json_array_foreach(src, k, ch)
		{
			const char *id = text_of(ch, "id");
			bool picked = false;
			json_array_foreach(chosen, m, v)
			{
				if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
					picked = true;
			}
			json_array_append_new(
			        choices,
			        json_pack("{s:s, s:s, s:b, s:b}", "text", text_of(ch, "text"),
			                  "why", text_of(ch, "why"), "chosen", picked, "right",
			                  json_is_true(json_object_get(ch, "correct"))));
		}
		bool ok = items[i].correct == 1;
		right += ok;
		json_array_append_new(qs,
		                      json_pack("{s:i, s:s, s:b, s:b, s:o, s:s}", "number",
		                                items[i].position, "prompt", items[i].prompt, "ok",
		                                ok, "answered", json_array_size(chosen) > 0,
		                                "choices", choices, "explanation",
		                                items[i].explanation));
		json_decref(src);
		json_decref(chosen);
	}
	bool expired = a->submitted_at == 0 || a->expired;
	int score = a->submitted_at ? a->score : 0;
	json_t *data =
	        json_pack("{s:{s:s, s:s}, s:i, s:i, s:i, s:i, s:b, s:b, s:i, s:o, s:s, s:o}",
	                  "course", "slug", c->slug, "title", c->rules.title, "number", a->number,
	                  "score", score, "right", right, "total", (int)n, "passed", a->passed == 1,
	                  "expired", expired, "pass_mark", a->pass_mark, "best",
	                  c->state.best >= 0 ? json_integer(c->state.best) : json_null(), "ended",
	                  when(req, c, a->submitted_at ? a->submitted_at : a->deadline_at),
	                  "questions", qs ? qs : json_array());
	return page_render(req, 200, "course/test/results", "page.course_test_results.title", data);
}

int course_test_attempt(struct req *req)
{
	struct ctx c;
	struct attempt_row a;
	struct attempt_item *items = NULL;
	size_t n = 0;
	int rc = load_attempt(req, &c, &a, &items, &n);
	if (rc == 404)
		return http_error(req, 404, NULL);
	if (rc != 0)
		return -1;
	if (attempt_ended(&a, c.now))
		return render_results(req, &c, &a, items, n);
	return render_form(req, &c, &a, items, n);
}

/* ------------------------------------------------------------- submit */

/* The ids chosen as a JSON array text, and as an xAPI "response" (ids
 * joined by "[,]"), in the arena. */
static const char *answer_text(struct req *req, const struct attempt_question *q, bool xapi)
{
	if (xapi) {
		size_t len = 1, at = 0;
		for (size_t i = 0; i < q->nchosen; i++)
			len += strlen(q->chosen[i]) + 3;
		char *s = arena_alloc(req->arena, len);
		if (!s)
			return NULL;
		for (size_t i = 0; i < q->nchosen; i++) {
			size_t n = strlen(q->chosen[i]);
			if (i) {
				memcpy(s + at, "[,]", 3);
				at += 3;
			}
			memcpy(s + at, q->chosen[i], n);
			at += n;
		}
		s[at] = '\0';
		return s;
	}
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < q->nchosen; i++)
		json_array_append_new(arr, json_string(q->chosen[i]));
	return json_text(req, arr);
}

static const char *const tamper_keys[] = {
        [ATTEMPT_ANSWERS_OK] = NULL,
        [ATTEMPT_NOT_DRAWN] = "course_test.refused.not_drawn",
        [ATTEMPT_NO_SUCH_CHOICE] = "course_test.refused.no_such_choice",
        [ATTEMPT_SECOND_CHOICE] = "course_test.refused.second_choice",
};

/* The page of a refused submission: the reason (a catalogue key) and the
 * way back to the attempt (or to its results once it has ended). */
static int refused(struct req *req, const struct ctx *c, const struct attempt_row *a, int status,
                   const char *key, bool ended)
{
	json_t *data = json_pack(
	        "{s:i, s:s, s:s, s:b}", "status", status, "message", page_msg(key), "back",
	        arena_printf(req->arena, "/courses/%s/test/%lld", c->slug, (long long)a->id),
	        "submitted", ended);
	return page_render(req, status, "course/test/refused", "page.course_test_refused.title",
	                   data);
}

/* Closes the attempt that ran out of time as failed, score 0, with none of
 * the answers that came too late; audited. */
static int refuse_late(struct req *req, struct ctx *c, const struct attempt_row *a)
{
	int closed = 0;
	char target[24];
	snprintf(target, sizeof target, "%lld", (long long)a->id);
	int rc = db_begin_write(c->db);
	if (rc == DB_OK)
		rc = attempt_close_expired(c->db, req->who.user_id, c->enrol_org, c->slug, c->now,
		                           &closed);
	if (rc == DB_OK)
		rc = accounts_audit(c->db, req, "course.test.submitted", "course_attempt", target,
		                    "denied",
		                    json_text(req,
		                              json_pack("{s:s, s:i, s:s}", "course", c->slug,
		                                        "number", a->number, "reason", "late")));
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK) {
		db_rollback(c->db);
		return -1;
	}
	return refused(req, c, a, 409, "course_test.refused.late", true);
}

/* The write half of a submission, in one transaction. DB_DONE: submitted
 * already. */
static int record(struct req *req, struct ctx *c, const struct attempt_row *a,
                  const struct attempt_item *items, const struct attempt_question *q, size_t n,
                  const bool *ok, int score, bool passed)
{
	int rc = db_begin_write(c->db);
	if (rc == DB_OK)
		rc = attempt_finish(c->db, a->id, c->now, score, passed);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		const char *answer = answer_text(req, &q[i], false);
		const char *response = answer_text(req, &q[i], true);
		if (!answer || !response) {
			rc = DB_ENOMEM;
			break;
		}
		rc = attempt_item_answer(c->db, a->id, items[i].position, answer, ok[i]);
		const char *result = json_text(
		        req, json_pack("{s:b, s:s}", "success", ok[i], "response", response));
		struct course_event ev = {.user_id = req->who.user_id,
		                          .org_id = c->enrol_org,
		                          .course_slug = c->slug,
		                          .verb = "answered",
		                          .object_type = "question",
		                          .object_id = items[i].qid,
		                          .object_name = items[i].prompt,
		                          .result_json = result};
		if (rc == DB_OK)
			rc = result ? course_event_add(c->db, &ev, c->now) : DB_ENOMEM;
	}
	char scaled[8];
	if (score >= 100)
		snprintf(scaled, sizeof scaled, "1");
	else
		snprintf(scaled, sizeof scaled, "0.%02d", score < 0 ? 0 : score);
	const char *result =
	        arena_printf(req->arena,
	                     "{\"score\":{\"scaled\":%s,\"raw\":%d,\"min\":0,\"max\":100},"
	                     "\"success\":%s,\"completion\":true}",
	                     scaled, score, passed ? "true" : "false");
	struct course_event ev = {.user_id = req->who.user_id,
	                          .org_id = c->enrol_org,
	                          .course_slug = c->slug,
	                          .verb = passed ? "passed" : "failed",
	                          .object_type = "test",
	                          .object_id = c->slug,
	                          .object_name = c->rules.title,
	                          .result_json = result};
	if (rc == DB_OK)
		rc = result ? course_event_add(c->db, &ev, c->now) : DB_ENOMEM;
	/* A pass may finish the course (every required lesson done too): the
	 * enrolment completes and the certificate is written in this same
	 * transaction. */
	if (rc == DB_OK && passed) {
		int done = course_complete_if_done(c->db, req, req->who.user_id, c->slug, c->now);
		rc = done < 0 ? done : DB_OK;
	}
	if (rc == DB_OK) {
		char target[24];
		snprintf(target, sizeof target, "%lld", (long long)a->id);
		rc = accounts_audit(
		        c->db, req, "course.test.submitted", "course_attempt", target, "success",
		        json_text(req,
		                  json_pack("{s:s, s:i, s:i, s:b}", "course", c->slug, "number",
		                            a->number, "score", score, "passed", passed)));
	}
	if (rc == DB_OK)
		rc = db_commit(c->db);
	if (rc != DB_OK)
		db_rollback(c->db);
	return rc;
}

int course_test_submit(struct req *req)
{
	struct ctx c;
	struct attempt_row a;
	struct attempt_item *items = NULL;
	size_t n = 0;
	int rc = load_attempt(req, &c, &a, &items, &n);
	if (rc == 404)
		return http_error(req, 404, NULL);
	if (rc != 0)
		return -1;
	if (a.submitted_at > 0)
		return refused(req, &c, &a, 409, "course_test.refused.twice", true);
	if (attempt_ended(&a, c.now))
		return refuse_late(req, &c, &a);
	if (n == 0 || n > ATTEMPT_MAX_QUESTIONS)
		return -1;

	struct attempt_question *q = arena_calloc(req->arena, n, sizeof *q);
	bool *ok = arena_calloc(req->arena, n, sizeof *ok);
	json_t **parsed = arena_calloc(req->arena, n, sizeof *parsed);
	if (!q || !ok || !parsed)
		return -1;
	for (size_t i = 0; i < n; i++) {
		parsed[i] = json_loads(items[i].choices_json, 0, NULL);
		q[i] = (struct attempt_question){
		        .qid = items[i].qid, .qtype = items[i].qtype, .choices = parsed[i]};
	}
	const char *bad = NULL;
	enum attempt_tamper t = attempt_check_answers(&req->body, q, n, &bad);
	int right = 0;
	for (size_t i = 0; t == ATTEMPT_ANSWERS_OK && i < n; i++)
		right += (ok[i] = attempt_item_correct(&q[i]));
	int score = attempt_score(right, (int)n);
	bool passed = attempt_passes(right, (int)n, a.pass_mark);
	if (t == ATTEMPT_ANSWERS_OK)
		rc = record(req, &c, &a, items, q, n, ok, score, passed);
	for (size_t i = 0; i < n; i++)
		json_decref(parsed[i]);
	if (t != ATTEMPT_ANSWERS_OK) {
		log_msg(LOG_WARN, "final test %s attempt %lld: submission refused (%d)", c.slug,
		        (long long)a.id, (int)t);
		return refused(req, &c, &a, 422, tamper_keys[t], false);
	}
	if (rc == DB_DONE)
		return refused(req, &c, &a, 409, "course_test.refused.twice", true);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "recording a final test of %s (%d): %s", c.slug, rc,
		        db_errmsg(c.db));
		return -1;
	}
	return http_redirect(
	        req, 303,
	        arena_printf(req->arena, "/courses/%s/test/%lld", c.slug, (long long)a.id));
}
