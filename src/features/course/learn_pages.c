/* features/course/learn_pages.c — the learner's pages (learn.h): the course
 * list, a course's overview and enrolment, and a lesson with its knowledge
 * checks and its "mark complete". A course the reader may not see answers
 * 404, exactly like one that does not exist. Every change (enrolment, a
 * lesson opened or completed, answers) runs in one write transaction with
 * its learning event (events.h) and, for enrolment, its audit record. */
#include "features/course/learn.h"

#include "auth/policy.h"
#include "core/arena.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/course/completion.h"
#include "features/course/events.h"
#include "features/course/learn_internal.h"
#include "features/course/media.h"
#include "features/library/library.h"
#include "features/library/placeholders.h"
#include "features/library/store.h"
#include "render/page.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- shared */

int learn_open(struct req *req, struct learn *x)
{
	memset(x, 0, sizeof *x);
	x->db = db_pool_get();
	if (!x->db)
		return -1;
	library_viewer_from(&req->who, &x->v);
	const char *slug = req_param(req, "course");
	if (!slug || !library_slug_valid(slug))
		return DB_DONE;
	return course_get(x->db, req->arena, x->v.user_id, x->v.org_id, slug, &x->c);
}

bool learn_may_learn(const struct req *req)
{
	return req->who.authenticated && !req->who.must_enrol &&
	        policy_allows("course.learn", &req->who);
}

const char *learn_hours(struct arena *a, int centihours)
{
	if (centihours % 100 == 0)
		return arena_printf(a, "%d", centihours / 100);
	if (centihours % 10 == 0)
		return arena_printf(a, "%d.%d", centihours / 100, (centihours % 100) / 10);
	return arena_printf(a, "%d.%02d", centihours / 100, centihours % 100);
}

json_t *learn_array(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text ? text : "[]", 0, &err);
	if (v && json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

/* The rendered Markdown with the reader's placeholders filled and wide
 * tables made scrollable. NULL on failure. */
const char *learn_fill(struct req *req, struct learn *x, const char *html)
{
	struct library_profile profile;
	if (library_profile(x->db, req->arena, &x->v, &profile) != DB_OK)
		return NULL;
	bool may_edit = x->v.user_id > 0 && policy_allows("org.settings.manage", &req->who);
	const char *out = placeholders_fill(req->arena, html, library_profile_lookup, &profile,
	                                    may_edit ? "/org/settings" : NULL);
	return out ? library_wrap_tables(req, out) : NULL;
}

/* The reader's organization's time zone ("UTC" when none is set). */
static const char *zone_of(struct req *req, struct learn *x)
{
	struct library_profile profile;
	if (x->v.org_id <= 0 || library_profile(x->db, req->arena, &x->v, &profile) != DB_OK ||
	    !profile.time_zone || !tz_valid(profile.time_zone))
		return "UTC";
	return profile.time_zone;
}

static const char *date_text(struct req *req, int64_t t, const char *zone)
{
	char buf[64];
	if (tz_format(t, zone, "d MMM yyyy", buf, sizeof buf) != 0)
		snprintf(buf, sizeof buf, "%lld", (long long)t);
	return arena_strdup(req->arena, buf);
}

int learn_event(struct db *db, struct req *req, const char *course, const char *verb,
                const char *type, const char *id, const char *name, const char *result, int64_t now)
{
	struct course_event ev = {
	        .user_id = req->who.user_id,
	        .org_id = req->who.org_id,
	        .course_slug = course,
	        .verb = verb,
	        .object_type = type,
	        .object_id = id,
	        .object_name = name,
	        .result_json = result,
	};
	return course_event_add(db, &ev, now);
}

/* How many lessons the reader completed (of the lessons listed). */
static size_t completed_count(const struct course_progress *p, size_t np,
                              const struct course_lesson_info *l, size_t nl)
{
	size_t k = 0;
	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < np; j++)
			if (p[j].completed_at && strcmp(p[j].lesson_slug, l[i].slug) == 0) {
				k++;
				break;
			}
	return k;
}

static const struct course_progress *progress_of(const struct course_progress *p, size_t np,
                                                 const char *lesson)
{
	for (size_t j = 0; j < np; j++)
		if (strcmp(p[j].lesson_slug, lesson) == 0)
			return &p[j];
	return NULL;
}

/* ---------------------------------------------------------------- /courses */

int course_index(struct req *req)
{
	struct learn x;
	int rc = learn_open(req, &x);
	if (rc < 0)
		return -1;
	struct course_info *cs = NULL;
	size_t n = 0;
	if (course_list(x.db, req->arena, x.v.user_id, x.v.org_id, &cs, &n) != DB_OK)
		return -1;
	const char *zone = zone_of(req, &x);
	int64_t now = (int64_t)time(NULL);
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		const struct course_info *c = &cs[i];
		json_t *item =
		        json_pack("{s:s, s:s, s:s, s:s}", "title", c->title, "summary", c->summary,
		                  "href", arena_printf(req->arena, "/courses/%s", c->slug), "hours",
		                  learn_hours(req->arena, c->credit_centihours));
		struct course_enrolment e;
		rc = course_enrolment_get(x.db, req->arena, x.v.user_id, c->slug, &e);
		if (rc == DB_OK) {
			struct course_lesson_info *ls;
			struct course_progress *ps;
			size_t nl, np;
			if (course_lessons(x.db, req->arena, c->id, &ls, &nl) != DB_OK ||
			    course_progress_list(x.db, req->arena, x.v.user_id, c->slug, &ps,
			                         &np) != DB_OK)
				return -1;
			if (e.completed_at)
				json_object_set_new(item, "completed", json_true());
			else
				json_object_set_new(
				        item, "progress",
				        json_pack("{s:I, s:I}", "done",
				                  (json_int_t)completed_count(ps, np, ls, nl),
				                  "total", (json_int_t)nl));
		} else if (rc != DB_DONE) {
			return -1;
		}
		int64_t due = 0;
		if (course_assignment_due(x.db, x.v.user_id, x.v.org_id, c->slug, &due) != DB_OK)
			return -1;
		if (due) {
			json_object_set_new(item, "due", json_string(date_text(req, due, zone)));
			if (due < now && !(rc == DB_OK && e.completed_at))
				json_object_set_new(item, "overdue", json_true());
		}
		json_array_append_new(list, item);
	}
	json_t *data = json_pack("{s:o, s:b}", "courses", list, "signed_in", x.v.user_id > 0);
	return data ? page_render(req, 200, "course/core/index", "course.core.index.title", data)
	            : -1;
}

/* ---------------------------------------------------------- the overview */

int course_overview(struct req *req)
{
	struct learn x;
	int rc = learn_open(req, &x);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	struct course_module_info *ms;
	struct course_lesson_info *ls;
	struct course_scenario_info *ss;
	struct course_progress *ps = NULL;
	size_t nm, nl, ns, np = 0;
	struct course_enrolment e;
	if (course_modules(x.db, req->arena, x.c.id, &ms, &nm) != DB_OK ||
	    course_lessons(x.db, req->arena, x.c.id, &ls, &nl) != DB_OK ||
	    course_scenarios(x.db, req->arena, x.c.id, &ss, &ns) != DB_OK)
		return -1;
	rc = course_enrolment_get(x.db, req->arena, x.v.user_id, x.c.slug, &e);
	if (rc != DB_OK && rc != DB_DONE)
		return -1;
	bool enrolled = rc == DB_OK;
	if (enrolled &&
	    course_progress_list(x.db, req->arena, x.v.user_id, x.c.slug, &ps, &np) != DB_OK)
		return -1;
	json_t *modules = json_array();
	for (size_t m = 0; modules && m < nm; m++) {
		json_t *lessons = json_array();
		int minutes = 0;
		for (size_t i = 0; i < nl; i++) {
			if (strcmp(ls[i].module_slug, ms[m].slug) != 0)
				continue;
			const struct course_progress *p = progress_of(ps, np, ls[i].slug);
			minutes += ls[i].minutes;
			json_array_append_new(
			        lessons,
			        json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:b}", "title",
			                  ls[i].title, "summary", ls[i].summary, "href",
			                  arena_printf(req->arena, "/courses/%s/lessons/%s",
			                               x.c.slug, ls[i].slug),
			                  "minutes", ls[i].minutes, "required", ls[i].required,
			                  "done", p && p->completed_at, "started",
			                  p && !p->completed_at));
		}
		json_array_append_new(
		        modules,
		        json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:s}", "title", ms[m].title,
		                  "summary", ms[m].summary, "id",
		                  arena_printf(req->arena, "module-%s", ms[m].slug), "lessons",
		                  lessons, "discussion", learn_array(ms[m].discussion_json),
		                  "minutes", minutes, "discussion_id",
		                  arena_printf(req->arena, "discussion-%s", ms[m].slug)));
	}
	json_t *scenarios = json_array();
	for (size_t i = 0; scenarios && i < ns; i++)
		json_array_append_new(scenarios,
		                      json_pack("{s:s, s:s, s:s}", "title", ss[i].title, "summary",
		                                ss[i].summary, "href",
		                                arena_printf(req->arena, "/courses/%s/scenarios/%s",
		                                             x.c.slug, ss[i].slug)));
	const char *resume = NULL;
	if (enrolled && nl > 0) {
		const char *to = e.last_lesson_slug ? e.last_lesson_slug : ls[0].slug;
		resume = arena_printf(req->arena, "/courses/%s/lessons/%s", x.c.slug, to);
	}
	json_t *data = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:b, s:s?, s:I, "
	        "s:I, s:s, s:s, s:s, s:i, s:i}",
	        "page_title", x.c.title, "title", x.c.title, "summary", x.c.summary, "audience",
	        x.c.audience, "instructor", x.c.instructor, "hours",
	        learn_hours(req->arena, x.c.credit_centihours), "slug", x.c.slug, "modules",
	        modules, "scenarios", scenarios, "enrolled", enrolled, "completed",
	        enrolled && e.completed_at, "may_learn", learn_may_learn(req), "signed_in",
	        x.v.user_id > 0, "resume", resume, "done",
	        (json_int_t)completed_count(ps, np, ls, nl), "total", (json_int_t)nl,
	        "enrol_action", arena_printf(req->arena, "/courses/%s/enrol", x.c.slug),
	        "test_href", arena_printf(req->arena, "/courses/%s/test", x.c.slug),
	        "coverage_href", arena_printf(req->arena, "/courses/%s/coverage", x.c.slug),
	        "test_questions", x.c.test_questions, "pass_mark", x.c.pass_mark);
	return data ? page_render(req, 200, "course/core/overview", NULL, data) : -1;
}

int course_enrol_submit(struct req *req)
{
	struct learn x;
	int rc = learn_open(req, &x);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	int64_t now = (int64_t)time(NULL);
	bool created = false;
	rc = db_begin_write(x.db);
	if (rc == DB_OK)
		rc = course_enrol(x.db, req->who.user_id, req->who.org_id, x.c.slug, now, &created);
	if (rc == DB_OK && created)
		rc = learn_event(x.db, req, x.c.slug, "launched", "course", x.c.slug, x.c.title,
		                 NULL, now);
	if (rc == DB_OK && created) {
		json_t *d = json_pack("{s:s}", "course", x.c.slug);
		char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
		json_decref(d);
		rc = detail ? accounts_audit(x.db, req, "course.enrol", "course", x.c.slug,
		                             "success", detail)
		            : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(x.db);
	if (rc != DB_OK) {
		db_rollback(x.db);
		return -1;
	}
	return http_redirect(req, 303, arena_printf(req->arena, "/courses/%s", x.c.slug));
}

/* ---------------------------------------------------------------- a lesson */

/* What the learner sent for one question: the choice ids (at most 6). */
struct answer {
	const char *ids[6];
	size_t n;
};

/* The lesson page. answers: NULL (no answers yet), or one per check with
 * feedback; error: a catalogue key shown in the error summary (422). */
static int render_lesson(struct req *req, struct learn *x, const struct course_lesson_info *l,
                         const struct course_lesson_info *ls, size_t nl,
                         const struct course_question_info *qs, size_t nq,
                         const struct answer *answers, const char *error, int status, bool done)
{
	const char *html = learn_fill(req, x, l->html);
	if (!html)
		return -1;
	json_t *checks = json_array();
	for (size_t i = 0; checks && i < nq; i++) {
		json_t *choices = learn_array(qs[i].choices_json);
		json_t *out = json_array();
		bool answered = answers && answers[i].n > 0, right = true;
		size_t k;
		json_t *ch;
		json_array_foreach(choices, k, ch)
		{
			const char *id = json_string_value(json_object_get(ch, "id"));
			bool correct = json_is_true(json_object_get(ch, "correct")), chosen = false;
			for (size_t j = 0; answered && j < answers[i].n; j++)
				chosen = chosen || strcmp(answers[i].ids[j], id) == 0;
			if (answered && chosen != correct)
				right = false;
			json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "id", id, "text",
			                      json_string_value(json_object_get(ch, "text")),
			                      "input_id",
			                      arena_printf(req->arena, "q-%s-%s", qs[i].qid, id),
			                      "checked", chosen);
			/* The feedback only after an answer, and only for what was
			 * chosen: the right answers never go out before. */
			if (answered && chosen) {
				json_object_set_new(o, "why",
				                    json_incref(json_object_get(ch, "why")));
				json_object_set_new(o, "right", json_boolean(correct));
			}
			json_array_append_new(out, o);
		}
		json_decref(choices);
		/* Checkboxes share a name written with "[]", as forms do for a list
		 * of values; read_answers takes both forms. */
		bool multiple = strcmp(qs[i].qtype, "multiple") == 0;
		json_t *q = json_pack(
		        "{s:s, s:s, s:s, s:o, s:b, s:s}", "qid", qs[i].qid, "prompt", qs[i].prompt,
		        "name", arena_printf(req->arena, multiple ? "q-%s[]" : "q-%s", qs[i].qid),
		        "choices", out, "multiple", multiple, "legend_id",
		        arena_printf(req->arena, "q-%s-legend", qs[i].qid));
		if (answered && !error) {
			json_object_set_new(q, "answered", json_true());
			json_object_set_new(q, "right", json_boolean(right));
			json_object_set_new(q, "explanation", json_string(qs[i].explanation));
		}
		json_array_append_new(checks, q);
	}
	const struct course_lesson_info *prev = NULL, *next = NULL;
	for (size_t i = 0; i < nl; i++)
		if (strcmp(ls[i].slug, l->slug) == 0) {
			prev = i > 0 ? &ls[i - 1] : NULL;
			next = i + 1 < nl ? &ls[i + 1] : NULL;
		}
	const char *base = arena_printf(req->arena, "/courses/%s", x->c.slug);
	json_t *data = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:b, s:b, "
	        "s:s?, s:i, s:b}",
	        "page_title", l->title, "title", l->title, "summary", l->summary, "html", html,
	        "course_title", x->c.title, "toc", learn_array(l->toc_json), "sources",
	        learn_array(l->sources_json), "reviewed", l->reviewed, "course_href", base,
	        "check_action", arena_printf(req->arena, "%s/lessons/%s/check", base, l->slug),
	        "checks", checks, "complete_action",
	        arena_printf(req->arena, "%s/lessons/%s/complete", base, l->slug), "slug", l->slug,
	        "done", done, "required", l->required, "video_name", l->video_name, "minutes",
	        l->minutes, "answered", answers != NULL && !error);
	if (!data)
		return -1;
	if (prev)
		json_object_set_new(
		        data, "prev",
		        json_pack("{s:s, s:s}", "title", prev->title, "href",
		                  arena_printf(req->arena, "%s/lessons/%s", base, prev->slug)));
	if (next)
		json_object_set_new(
		        data, "next",
		        json_pack("{s:s, s:s}", "title", next->title, "href",
		                  arena_printf(req->arena, "%s/lessons/%s", base, next->slug)));
	if (l->scenario_slug) {
		struct course_scenario_info s;
		if (course_scenario_get(x->db, req->arena, x->c.id, l->scenario_slug, &s) == DB_OK)
			json_object_set_new(data, "scenario",
			                    json_pack("{s:s, s:s, s:s}", "title", s.title,
			                              "summary", s.summary, "href",
			                              arena_printf(req->arena, "%s/scenarios/%s",
			                                           base, s.slug)));
	}
	/* course: video — the player partial's data (features/course/media.h) */
	json_t *video = course_video_json(x->db, req->arena, x->c.slug, l->video_name,
	                                  l->captions_name, l->transcript_name, NULL);
	if (video)
		json_object_set_new(data, "video", video);
	if (error)
		json_object_set_new(data, "error", json_string(page_msg(error)));
	return page_render(req, status, "course/core/lesson", NULL, data);
}

/* The course (visible), the learner's enrolment, the lesson and the list. 0
 * when all is there; else the response was sent (404, or 303 to the
 * overview for a learner not enrolled) and *sent is the handler's return. */
static int open_lesson(struct req *req, struct learn *x, struct course_lesson_info *l,
                       struct course_lesson_info **ls, size_t *nl, struct course_enrolment *e,
                       int *sent)
{
	int rc = learn_open(req, x);
	if (rc == DB_OK) {
		const char *slug = req_param(req, "lesson");
		rc = slug && library_slug_valid(slug)
		        ? course_lesson_get(x->db, req->arena, x->c.id, slug, l)
		        : DB_DONE;
	}
	if (rc == DB_DONE) {
		*sent = http_error(req, 404, NULL);
		return -1;
	}
	if (rc == DB_OK)
		rc = course_lessons(x->db, req->arena, x->c.id, ls, nl);
	if (rc == DB_OK) {
		rc = course_enrolment_get(x->db, req->arena, req->who.user_id, x->c.slug, e);
		if (rc == DB_DONE) {
			*sent = http_redirect(req, 303,
			                      arena_printf(req->arena, "/courses/%s", x->c.slug));
			return -1;
		}
	}
	if (rc != DB_OK) {
		*sent = -1;
		return -1;
	}
	return 0;
}

/* The learner's progress row of lesson, or NULL (none yet, or a store
 * error: the caller then records the opening, which is always safe). */
static const struct course_progress *lesson_progress(struct req *req, struct learn *x,
                                                     const char *lesson)
{
	struct course_progress *ps;
	size_t np;
	if (course_progress_list(x->db, req->arena, req->who.user_id, x->c.slug, &ps, &np) != DB_OK)
		return NULL;
	return progress_of(ps, np, lesson);
}

/* How often reopening the same lesson refreshes last_seen_at (seconds). */
#define LESSON_SEEN_EVERY 60

static bool lesson_done(struct req *req, struct learn *x, const char *lesson)
{
	const struct course_progress *p = lesson_progress(req, x, lesson);
	return p && p->completed_at;
}

int course_lesson_page(struct req *req)
{
	struct learn x;
	struct course_lesson_info l, *ls;
	struct course_enrolment e;
	size_t nl;
	int sent;
	if (open_lesson(req, &x, &l, &ls, &nl, &e, &sent) != 0)
		return sent;
	/* Opening it is recorded first, so a browser closed now loses
	 * nothing — unless it already is: the lesson started, it is where the
	 * learner resumes, and seen within the last minute (like a session's
	 * last_seen, so reading a lesson again and again is not a write each
	 * time). */
	int64_t now = (int64_t)time(NULL);
	const struct course_progress *p = lesson_progress(req, &x, l.slug);
	bool recorded = p && e.last_lesson_slug && strcmp(e.last_lesson_slug, l.slug) == 0 &&
	        now - e.last_seen_at < LESSON_SEEN_EVERY;
	int rc = DB_OK;
	if (!recorded) {
		rc = db_begin_write(x.db);
		if (rc == DB_OK)
			rc = course_lesson_opened(x.db, req->who.user_id, x.c.slug, l.slug, now);
		if (rc == DB_OK)
			rc = db_commit(x.db);
		if (rc != DB_OK) {
			db_rollback(x.db);
			return -1;
		}
	}
	struct course_question_info *qs;
	size_t nq;
	if (course_checks(x.db, req->arena, x.c.id, l.slug, &qs, &nq) != DB_OK)
		return -1;
	return render_lesson(req, &x, &l, ls, nl, qs, nq, NULL, NULL, 200, p && p->completed_at);
}

/* "a[,]b": the xAPI form of a choice response. */
static const char *response_text(struct req *req, const struct answer *an)
{
	const char *s = "";
	for (size_t j = 0; j < an->n; j++)
		s = arena_printf(req->arena, "%s%s%s", s, j ? "[,]" : "", an->ids[j]);
	return s;
}

/* Reads the answers of the form (fields "q-QID" holding choice ids):
 * a question of another lesson, a choice not offered, two choices for a
 * single-answer question or no answer at all is an error key. */
static const char *read_answers(struct req *req, const struct course_question_info *qs, size_t nq,
                                struct answer *answers, json_t **choice_sets)
{
	size_t total = 0;
	for (size_t f = 0; f < req->body.count; f++) {
		const char *name = req->body.fields[f].name, *value = req->body.fields[f].value;
		if (strncmp(name, "q-", 2) != 0)
			continue;
		size_t len = strlen(name + 2);
		if (len >= 2 && strcmp(name + 2 + len - 2, "[]") == 0)
			len -= 2;
		size_t i = 0;
		while (i < nq &&
		       (strlen(qs[i].qid) != len || strncmp(qs[i].qid, name + 2, len) != 0))
			i++;
		if (i == nq)
			return "course.core.check.error.unknown";
		bool offered = false;
		size_t k;
		json_t *ch;
		json_array_foreach(choice_sets[i], k, ch)
		{
			offered = offered ||
			        strcmp(json_string_value(json_object_get(ch, "id")),
			               value ? value : "") == 0;
		}
		if (!offered)
			return "course.core.check.error.unknown";
		for (size_t j = 0; j < answers[i].n; j++)
			if (strcmp(answers[i].ids[j], value) == 0)
				return "course.core.check.error.unknown";
		if (answers[i].n >= 6 ||
		    (answers[i].n >= 1 && strcmp(qs[i].qtype, "multiple") != 0))
			return "course.core.check.error.unknown";
		answers[i].ids[answers[i].n++] = value;
		total++;
	}
	return total ? NULL : "course.core.check.error.none";
}

int course_lesson_check(struct req *req)
{
	struct learn x;
	struct course_lesson_info l, *ls;
	struct course_enrolment e;
	size_t nl;
	int sent;
	if (open_lesson(req, &x, &l, &ls, &nl, &e, &sent) != 0)
		return sent;
	struct course_question_info *qs;
	size_t nq;
	if (course_checks(x.db, req->arena, x.c.id, l.slug, &qs, &nq) != DB_OK)
		return -1;
	if (nq == 0)
		return http_error(req, 404, NULL);
	struct answer *answers = arena_calloc(req->arena, nq, sizeof *answers);
	json_t **sets = arena_calloc(req->arena, nq, sizeof *sets);
	if (!answers || !sets)
		return -1;
	for (size_t i = 0; i < nq; i++)
		sets[i] = learn_array(qs[i].choices_json);
	const char *error = read_answers(req, qs, nq, answers, sets);
	bool done = lesson_done(req, &x, l.slug);
	if (error) {
		for (size_t i = 0; i < nq; i++)
			json_decref(sets[i]);
		return render_lesson(req, &x, &l, ls, nl, qs, nq, answers, error, 422, done);
	}
	/* Scored here: right when exactly the right choices were chosen. */
	int64_t now = (int64_t)time(NULL);
	int rc = db_begin_write(x.db);
	for (size_t i = 0; rc == DB_OK && i < nq; i++) {
		if (!answers[i].n)
			continue;
		bool right = true;
		size_t k;
		json_t *ch;
		json_t *chosen = json_array();
		json_array_foreach(sets[i], k, ch)
		{
			const char *id = json_string_value(json_object_get(ch, "id"));
			bool picked = false;
			for (size_t j = 0; j < answers[i].n; j++)
				picked = picked || strcmp(answers[i].ids[j], id) == 0;
			if (picked)
				json_array_append_new(chosen, json_string(id));
			if (picked != json_is_true(json_object_get(ch, "correct")))
				right = false;
		}
		char *cj = json_dumps(chosen, JSON_COMPACT);
		json_decref(chosen);
		json_t *r = json_pack("{s:b, s:s}", "success", right, "response",
		                      response_text(req, &answers[i]));
		char *result = r ? json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(r);
		rc = cj && result ? course_check_answer_add(x.db, req->who.user_id, x.c.slug,
		                                            qs[i].qid, cj, right, now)
		                  : DB_ENOMEM;
		if (rc == DB_OK)
			rc = learn_event(x.db, req, x.c.slug, "answered", "question", qs[i].qid,
			                 qs[i].prompt, result, now);
		free(cj);
		free(result);
	}
	for (size_t i = 0; i < nq; i++)
		json_decref(sets[i]);
	if (rc == DB_OK)
		rc = db_commit(x.db);
	if (rc != DB_OK) {
		db_rollback(x.db);
		return -1;
	}
	return render_lesson(req, &x, &l, ls, nl, qs, nq, answers, NULL, 200, done);
}

int course_lesson_complete(struct req *req)
{
	struct learn x;
	struct course_lesson_info l, *ls;
	struct course_enrolment e;
	size_t nl;
	int sent;
	if (open_lesson(req, &x, &l, &ls, &nl, &e, &sent) != 0)
		return sent;
	const struct course_lesson_info *next = NULL;
	for (size_t i = 0; i + 1 < nl; i++)
		if (strcmp(ls[i].slug, l.slug) == 0)
			next = &ls[i + 1];
	int64_t now = (int64_t)time(NULL);
	bool first = false;
	int rc = db_begin_write(x.db);
	if (rc == DB_OK)
		rc = course_lesson_completed(x.db, req->who.user_id, x.c.slug, l.slug,
		                             next ? next->slug : l.slug, now, &first);
	if (rc == DB_OK && first)
		rc = learn_event(x.db, req, x.c.slug, "experienced", "lesson", l.slug, l.title,
		                 "{\"completion\":true}", now);
	if (rc == DB_OK) {
		int done = course_complete_if_done(x.db, req, req->who.user_id, x.c.slug, now);
		rc = done < 0 ? done : DB_OK;
	}
	if (rc == DB_OK)
		rc = db_commit(x.db);
	if (rc != DB_OK) {
		db_rollback(x.db);
		return -1;
	}
	const char *to = next
	        ? arena_printf(req->arena, "/courses/%s/lessons/%s", x.c.slug, next->slug)
	        : arena_printf(req->arena, "/courses/%s", x.c.slug);
	return http_redirect(req, 303, to);
}
