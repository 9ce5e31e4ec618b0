/* features/course/learn_scenario.c — branching scenarios (learn.h): the
 * introduction with its Start button, then one run: each step's situation
 * and choices, the chosen choice's feedback and the next step, and at an
 * ending its outcome, the debrief and the discussion prompts. A run is the
 * learner's own: another person's run id answers 404 like an unknown one;
 * a choice the current step does not offer answers 422 and changes nothing.
 * The path (each step and choice) is recorded in path_json. */
#include "features/course/learn.h"

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"
#include "features/course/learn_internal.h"
#include "features/library/store.h"
#include "render/page.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The step with that id in a scenario's body, or NULL. */
static json_t *step_of(json_t *body, const char *id)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(body, "steps"), i, s)
	{
		const char *sid = json_string_value(json_object_get(s, "id"));
		if (id && sid && strcmp(sid, id) == 0)
			return s;
	}
	return NULL;
}

static json_t *choice_of(json_t *step, const char *id)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(step, "choices"), i, c)
	{
		const char *cid = json_string_value(json_object_get(c, "id"));
		if (id && cid && strcmp(cid, id) == 0)
			return c;
	}
	return NULL;
}

static void free_json(void *p)
{
	json_decref(p);
}

/* The course, the learner's enrolment and the scenario of the route. 0, or
 * -1 with the response sent (*sent: 404, or 303 to the overview). */
static int open_scenario(struct req *req, struct learn *x, struct course_scenario_info *s,
                         json_t **body, int *sent)
{
	int rc = learn_open(req, x);
	if (rc == DB_OK) {
		const char *slug = req_param(req, "scenario");
		rc = slug && library_slug_valid(slug)
		        ? course_scenario_get(x->db, req->arena, x->c.id, slug, s)
		        : DB_DONE;
	}
	if (rc == DB_DONE) {
		*sent = http_error(req, 404, NULL);
		return -1;
	}
	struct course_enrolment e;
	if (rc == DB_OK) {
		rc = course_enrolment_get(x->db, req->arena, req->who.user_id, x->c.slug, &e);
		if (rc == DB_DONE) {
			*sent = http_redirect(req, 303,
			                      arena_printf(req->arena, "/courses/%s", x->c.slug));
			return -1;
		}
	}
	json_error_t jerr;
	*body = rc == DB_OK ? json_loads(s->body_json, 0, &jerr) : NULL;
	if (!*body || arena_defer(req->arena, free_json, *body) != 0) {
		json_decref(*body);
		*sent = -1;
		return -1;
	}
	return 0;
}

int course_scenario_page(struct req *req)
{
	struct learn x;
	struct course_scenario_info s;
	json_t *body;
	int sent;
	if (open_scenario(req, &x, &s, &body, &sent) != 0)
		return sent;
	const char *base = arena_printf(req->arena, "/courses/%s", x.c.slug);
	json_t *data = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "page_title", s.title, "title", s.title,
	        "summary", s.summary, "course_title", x.c.title, "course_href", base,
	        "start_action", arena_printf(req->arena, "%s/scenarios/%s/start", base, s.slug),
	        "steps", (json_int_t)json_array_size(json_object_get(body, "steps")));
	return data ? page_render(req, 200, "course/core/scenario", NULL, data) : -1;
}

int course_scenario_start(struct req *req)
{
	struct learn x;
	struct course_scenario_info s;
	json_t *body;
	int sent;
	if (open_scenario(req, &x, &s, &body, &sent) != 0)
		return sent;
	const char *start = json_string_value(json_object_get(body, "start"));
	int64_t now = (int64_t)time(NULL), id = 0;
	int rc = start ? db_begin_write(x.db) : DB_ERR;
	if (rc == DB_OK)
		rc = course_run_start(x.db, req->who.user_id, x.c.slug, s.slug, start, now, &id);
	if (rc == DB_OK)
		rc = db_commit(x.db);
	if (rc != DB_OK) {
		db_rollback(x.db);
		return -1;
	}
	return http_redirect(req, 303,
	                     arena_printf(req->arena, "/courses/%s/scenarios/%s/runs/%lld",
	                                  x.c.slug, s.slug, (long long)id));
}

static int render_run(struct req *req, struct learn *x, const struct course_scenario_info *s,
                      json_t *body, const struct course_run *run, const char *error, int status)
{
	json_t *step = step_of(body, run->current_step);
	if (!step)
		return -1;
	json_error_t jerr;
	json_t *path = json_loads(run->path_json, 0, &jerr);
	json_t *taken = json_array();
	size_t i;
	json_t *p;
	const char *feedback = NULL, *chose = NULL;
	json_array_foreach(path, i, p)
	{
		json_t *st = step_of(body, json_string_value(json_object_get(p, "step")));
		json_t *ch = choice_of(st, json_string_value(json_object_get(p, "choice")));
		if (!ch)
			continue;
		chose = json_string_value(json_object_get(ch, "text"));
		feedback = json_string_value(json_object_get(ch, "feedback"));
		json_array_append_new(taken, json_pack("{s:s?}", "text", chose));
	}
	const char *base = arena_printf(req->arena, "/courses/%s", x->c.slug);
	bool end = json_is_true(json_object_get(step, "end"));
	const char *situation =
	        learn_fill(req, x, json_string_value(json_object_get(step, "situation")));
	const char *fb = feedback ? learn_fill(req, x, feedback) : NULL;
	json_t *choices = json_array();
	json_array_foreach(json_object_get(step, "choices"), i, p)
	{
		const char *id = json_string_value(json_object_get(p, "id"));
		json_array_append_new(choices,
		                      json_pack("{s:s?, s:s?, s:s}", "id", id, "text",
		                                json_string_value(json_object_get(p, "text")),
		                                "input_id",
		                                arena_printf(req->arena, "choice-%s", id)));
	}
	json_t *data = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:b, s:s, s:s, s:i}",
	        "page_title", s->title, "title", s->title, "course_title", x->c.title,
	        "course_href", base, "situation", situation, "feedback", fb, "chose", chose,
	        "taken", taken, "choices", choices, "end", end, "action",
	        arena_printf(req->arena, "%s/scenarios/%s/runs/%lld", base, s->slug,
	                     (long long)run->id),
	        "scenario_href", arena_printf(req->arena, "%s/scenarios/%s", base, s->slug),
	        "step_number", (int)json_array_size(path) + 1);
	json_decref(path);
	if (!data || !situation)
		return -1;
	if (end) {
		const char *outcome = json_string_value(json_object_get(step, "outcome"));
		const char *debrief = json_string_value(json_object_get(body, "debrief"));
		json_object_set_new(data, "outcome",
		                    json_string(outcome ? learn_fill(req, x, outcome) : ""));
		json_object_set_new(data, "debrief",
		                    json_string(debrief ? learn_fill(req, x, debrief) : ""));
		json_object_set_new(data, "discussion",
		                    json_incref(json_object_get(body, "discussion")));
	}
	if (error)
		json_object_set_new(data, "error", json_string(page_msg(error)));
	return page_render(req, status, "course/core/run", NULL, data);
}

/* The run of the route, the reader's own (404 otherwise). */
static int open_run(struct req *req, struct learn *x, const struct course_scenario_info *s,
                    struct course_run *run)
{
	int64_t id = 0;
	const char *p = req_param(req, "run");
	if (!p || str_to_i64(str_from(p), 1, INT64_MAX, &id) != 0)
		return DB_DONE;
	return course_run_get(x->db, req->arena, req->who.user_id, x->c.slug, s->slug, id, run);
}

int course_run_page(struct req *req)
{
	struct learn x;
	struct course_scenario_info s;
	struct course_run run;
	json_t *body;
	int sent;
	if (open_scenario(req, &x, &s, &body, &sent) != 0)
		return sent;
	int rc = open_run(req, &x, &s, &run);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	return render_run(req, &x, &s, body, &run, NULL, 200);
}

int course_run_choose(struct req *req)
{
	struct learn x;
	struct course_scenario_info s;
	struct course_run run;
	json_t *body;
	int sent;
	if (open_scenario(req, &x, &s, &body, &sent) != 0)
		return sent;
	int rc = open_run(req, &x, &s, &run);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	json_t *step = step_of(body, run.current_step);
	const char *cid = req_form(req, "choice");
	json_t *choice = run.finished_at ? NULL : choice_of(step, cid);
	if (!choice)
		return render_run(req, &x, &s, body, &run,
		                  run.finished_at ? "course.core.run.error.finished"
		                                  : "course.core.run.error.choice",
		                  422);
	const char *next = json_string_value(json_object_get(choice, "next"));
	json_t *to = step_of(body, next);
	if (!to)
		return -1;
	bool finished = json_is_true(json_object_get(to, "end"));
	json_error_t jerr;
	json_t *path = json_loads(run.path_json, 0, &jerr);
	if (!json_is_array(path)) {
		json_decref(path);
		path = json_array();
	}
	json_array_append_new(path,
	                      json_pack("{s:s, s:s}", "step", run.current_step, "choice", cid));
	char *pj = json_dumps(path, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int64_t now = (int64_t)time(NULL);
	rc = pj ? db_begin_write(x.db) : DB_ENOMEM;
	if (rc == DB_OK)
		rc = course_run_advance(x.db, run.id, req->who.user_id, run.current_step, next, pj,
		                        finished, now);
	if (rc == DB_OK && finished) {
		json_t *r = json_pack("{s:b, s:s}", "completion", 1, "response", pj);
		char *result = r ? json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(r);
		rc = result ? learn_event(x.db, req, x.c.slug, "experienced", "scenario", s.slug,
		                          s.title, result, now)
		            : DB_ENOMEM;
		free(result);
	}
	json_decref(path);
	free(pj);
	if (rc == DB_OK)
		rc = db_commit(x.db);
	if (rc != DB_OK && rc != DB_DONE) {
		db_rollback(x.db);
		return -1;
	}
	if (rc == DB_DONE)
		db_rollback(x.db); /* moved on meanwhile (another tab): show where it is */
	return http_redirect(req, 303,
	                     arena_printf(req->arena, "/courses/%s/scenarios/%s/runs/%lld",
	                                  x.c.slug, s.slug, (long long)run.id));
}
