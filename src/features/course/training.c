/* features/course/training.c — the trainers' and leaders' page of the
 * course (issue 6 points 4 and 7; docs/training-views.md): GET
 * /org/training shows the active organization's completion rates per
 * course, its overdue assignments first, then each course's roster
 * (enrolled, required lessons done, best test score, completed, due date);
 * POST /org/training/assign assigns a course to members with a due date
 * (the end of that day in the organization's time zone), POST
 * .../cancel cancels one. Audited: course.assigned,
 * course.assignment.cancelled. The organization is always the session's
 * active one: another organization's members and assignments are 404. */
#include "features/course/training.h"
#include "features/course/training_model.h"

#include "auth/accounts.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "jobs/mail.h"
#include "render/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUERY_MAX 100 /* characters of a search */
#define ASSIGN_MAX 200 /* members in one assignment */

struct ctx {
	struct req *req;
	struct db *db;
	const char *zone;
	int64_t now;
	struct training_course *courses;
	size_t ncourses;
};

static const char *day(struct arena *a, const char *zone, int64_t t)
{
	char text[64];
	if (t <= 0 || tz_format(t, zone, "d MMM yyyy", text, sizeof text) != 0)
		return NULL;
	return arena_strdup(a, text);
}

static const char *percent(struct arena *a, int64_t num, int64_t den)
{
	if (den <= 0)
		return page_msg("training.none");
	return arena_printf(a, "%lld%%", (long long)((num * 100 + den / 2) / den));
}

static int load(struct ctx *c, struct req *req)
{
	c->req = req;
	c->db = db_pool_get();
	c->now = (int64_t)time(NULL);
	c->zone = "UTC";
	if (!c->db)
		return -1;
	if (accounts_org_zone(c->db, req->arena, req->who.org_id, &c->zone) != DB_OK || !c->zone)
		c->zone = "UTC";
	int rc = training_courses(c->db, req->arena, req->who.org_id, &c->courses, &c->ncourses);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "training: courses: %s", db_errmsg(c->db));
		return -1;
	}
	return 0;
}

static const struct training_course *find_course(const struct ctx *c, const char *slug)
{
	for (size_t i = 0; slug && i < c->ncourses; i++)
		if (strcmp(c->courses[i].slug, slug) == 0)
			return &c->courses[i];
	return NULL;
}

/* The assignment form's values: course, users (ids chosen), due. */
struct assign_input {
	const char *course, *due;
	int64_t users[ASSIGN_MAX];
	size_t nusers;
};

static bool chosen(const struct assign_input *in, int64_t id)
{
	for (size_t i = 0; in && i < in->nusers; i++)
		if (in->users[i] == id)
			return true;
	return false;
}

/* Renders the page: status 200, or 422 with errors ({field: message}) and
 * the assignment form's input kept. */
static int render(struct ctx *c, int status, json_t *errors, const struct assign_input *in)
{
	struct req *req = c->req;
	struct arena *a = req->arena;
	const char *filter = req_query(req, "course"), *q = req_query(req, "q");
	q = q ? q : "";
	json_t *search_error = NULL;
	if (strlen(q) > QUERY_MAX || !str_utf8_valid(q, strlen(q))) {
		search_error = json_string(page_msg("training.search.too_long"));
		q = "";
		if (status == 200)
			status = 422;
	}
	const struct training_course *only = filter && filter[0] ? find_course(c, filter) : NULL;

	json_t *rates = json_array(), *overdue = json_array(), *sections = json_array();
	json_t *filter_opts = json_array(), *assign_opts = json_array(), *members = json_array();
	if (!rates || !overdue || !sections || !filter_opts || !assign_opts || !members)
		goto oom;
	/* The overdue assignments of every course, oldest due date first. */
	struct over {
		int64_t due;
		json_t *item;
	} *overs = NULL;
	size_t nover = 0, cap = 0;

	for (size_t i = 0; i < c->ncourses; i++) {
		const struct training_course *co = &c->courses[i];
		json_array_append_new(filter_opts,
		                      json_pack("{s:s, s:s, s:b}", "value", co->slug, "label",
		                                co->title, "selected", only == co));
		json_array_append_new(
		        assign_opts,
		        json_pack("{s:s, s:s, s:b}", "value", co->slug, "label", co->title,
		                  "selected",
		                  in && in->course && strcmp(in->course, co->slug) == 0));
		struct training_row *rows;
		size_t n;
		/* Rates count every member; the search narrows the roster only. */
		int rc = training_roster(c->db, a, req->who.org_id, co, "", &rows, &n);
		if (rc != DB_OK) {
			log_msg(LOG_ERROR, "training: roster: %s", db_errmsg(c->db));
			json_decref(errors);
			free(overs);
			goto fail;
		}
		int64_t enrolled = 0, completed = 0, assigned = 0, assigned_done = 0, late = 0;
		for (size_t k = 0; k < n; k++) {
			const struct training_row *r = &rows[k];
			bool done = r->completed_at > 0;
			enrolled += r->enrolled;
			completed += done;
			if (r->assignment_id) {
				assigned++;
				assigned_done += done;
				if (!done && r->due_at < c->now) {
					late++;
					if (nover == cap) {
						size_t ncap = cap ? 2 * cap : 16;
						struct over *bigger =
						        realloc(overs, ncap * sizeof *bigger);
						if (!bigger) {
							free(overs);
							json_decref(errors);
							goto oom;
						}
						overs = bigger;
						cap = ncap;
					}
					overs[nover].due = r->due_at;
					overs[nover++].item = json_pack(
					        "{s:s, s:s, s:s, s:s?, s:I}", "name", r->name,
					        "email", r->email, "course", co->title, "due",
					        day(a, c->zone, r->due_at), "days",
					        (json_int_t)((c->now - r->due_at) / 86400 + 1));
				}
			}
		}
		json_array_append_new(
		        rates,
		        json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?}", "slug",
		                  co->slug, "title", co->title, "enrolled", (json_int_t)enrolled,
		                  "completed", (json_int_t)completed, "assigned",
		                  (json_int_t)assigned, "assigned_completed",
		                  (json_int_t)assigned_done, "overdue", (json_int_t)late,
		                  "rate_enrolled", percent(a, completed, enrolled), "rate_assigned",
		                  percent(a, assigned_done, assigned)));
		if (only && only != co)
			continue;
		if (q[0] &&
		    (rc = training_roster(c->db, a, req->who.org_id, co, q, &rows, &n)) != DB_OK) {
			log_msg(LOG_ERROR, "training: roster: %s", db_errmsg(c->db));
			json_decref(errors);
			free(overs);
			goto fail;
		}
		json_t *list = json_array();
		for (size_t k = 0; list && k < n; k++) {
			const struct training_row *r = &rows[k];
			bool done = r->completed_at > 0;
			json_array_append_new(
			        list,
			        json_pack(
			                "{s:s, s:s, s:b, s:s, s:s?, s:s?, s:s?, s:b, s:s?, s:I}",
			                "name", r->name, "email", r->email, "enrolled", r->enrolled,
			                "lessons",
			                arena_printf(a, "%lld / %lld", (long long)r->lessons_done,
			                             (long long)co->required),
			                "score",
			                r->best_score >= 0 ? arena_printf(a, "%lld%%",
			                                                  (long long)r->best_score)
			                                   : NULL,
			                "completed", done ? day(a, c->zone, r->completed_at) : NULL,
			                "due", r->assignment_id ? day(a, c->zone, r->due_at) : NULL,
			                "overdue", r->assignment_id && !done && r->due_at < c->now,
			                "cancel_action",
			                r->assignment_id
			                        ? arena_printf(
			                                  a,
			                                  "/org/training/assignments/%lld/cancel",
			                                  (long long)r->assignment_id)
			                        : NULL,
			                "id", (json_int_t)r->user_id));
		}
		json_array_append_new(
		        sections,
		        json_pack("{s:s, s:s, s:I, s:o, s:I}", "slug", co->slug, "title", co->title,
		                  "required", (json_int_t)co->required, "rows",
		                  list ? list : json_array(), "count", (json_int_t)n));
	}
	/* oldest due date first (a small list: insertion sort) */
	for (size_t i = 1; i < nover; i++)
		for (size_t k = i; k > 0 && overs[k - 1].due > overs[k].due; k--) {
			struct over t = overs[k];
			overs[k] = overs[k - 1];
			overs[k - 1] = t;
		}
	for (size_t i = 0; i < nover; i++)
		json_array_append_new(overdue, overs[i].item);
	free(overs);

	struct training_member *ms;
	size_t nm;
	bool can_assign = policy_allows("course.assign", &req->who);
	if (can_assign) {
		if (training_members(c->db, a, req->who.org_id, &ms, &nm) != DB_OK) {
			log_msg(LOG_ERROR, "training: members: %s", db_errmsg(c->db));
			json_decref(errors);
			goto fail;
		}
		for (size_t i = 0; i < nm; i++)
			json_array_append_new(members,
			                      json_pack("{s:I, s:s, s:s, s:b}", "id",
			                                (json_int_t)ms[i].user_id, "name",
			                                ms[i].name, "email", ms[i].email, "checked",
			                                chosen(in, ms[i].user_id)));
	}
	char today[16] = "";
	tz_format(c->now, c->zone, "yyyy-MM-dd", today, sizeof today);
	const char *done = req_query(req, "done");
	const char *done_key = done && strcmp(done, "assigned") == 0 ? "training.done.assigned"
	        : done && strcmp(done, "cancelled") == 0             ? "training.done.cancelled"
	                                                             : NULL;
	json_t *data = json_pack(
	        "{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:s, s:s, s:s, s:b, s:o?, s:s?, "
	        "s:b, s:s}",
	        "rates", rates, "overdue", overdue, "sections", sections, "filter_courses",
	        filter_opts, "assign_courses", assign_opts, "members", members, "can_assign",
	        can_assign, "has_errors", errors != NULL, "errors", errors ? errors : json_object(),
	        "due", in && in->due ? in->due : "", "today", today, "q", q, "filtered",
	        only != NULL || q[0], "search_error", search_error, "done",
	        done_key ? page_msg(done_key) : NULL, "has_courses", c->ncourses > 0, "zone",
	        c->zone);
	return data ? page_render(req, status, "course/training/index", "page.training.title", data)
	            : -1;
oom:
fail:
	json_decref(rates);
	json_decref(overdue);
	json_decref(sections);
	json_decref(filter_opts);
	json_decref(assign_opts);
	json_decref(members);
	json_decref(search_error);
	return -1;
}

int course_training_page(struct req *req)
{
	struct ctx c;
	return load(&c, req) == 0 ? render(&c, 200, NULL, NULL) : -1;
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (!json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

/* "YYYY-MM-DD" → year, month, day. */
static bool parse_date(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int64_t v[3];
	if (str_to_i64((struct str){s, 4}, 0, 9999, &v[0]) != 0 ||
	    str_to_i64((struct str){s + 5, 2}, 0, 99, &v[1]) != 0 ||
	    str_to_i64((struct str){s + 8, 2}, 0, 99, &v[2]) != 0)
		return false;
	*y = (int)v[0];
	*m = (int)v[1];
	*d = (int)v[2];
	return true;
}

/* Queues the mail that tells a member about an assignment (inside the
 * write transaction). A mail that cannot be written is logged, never a
 * reason to refuse the assignment. */
static int assigned_mail(struct ctx *c, const struct training_member *m,
                         const struct training_course *co, const char *due_text)
{
	struct req *req = c->req;
	json_t *data = json_pack(
	        "{s:s, s:s, s:s, s:s?, s:s, s:s}", "name", m->name, "course", co->title, "org",
	        req->who.org_name ? req->who.org_name : "", "due", due_text ? due_text : "", "link",
	        arena_printf(req->arena, "%s/courses/%s", req->cfg->public_url, co->slug),
	        "assigner", req->who.name ? req->who.name : "");
	const char *subject, *body;
	if (!data ||
	    page_render_mail(req->arena, "course/training/assigned_mail", data, &subject, &body) !=
	            0)
		return DB_OK;
	int rc = mail_enqueue(c->db, m->email, subject, body, c->now, NULL);
	return rc < 0 ? rc : DB_OK; /* a MAIL_E* (bad address) only skips the mail */
}

int course_training_assign(struct req *req)
{
	struct ctx c;
	if (load(&c, req) != 0)
		return -1;
	struct assign_input in = {.course = req_form(req, "course"), .due = req_form(req, "due")};
	/* The chosen members: every field "user[]"; any that is not an active
	 * member of this organization is 404, like an id that does not exist. */
	struct training_member *ms;
	size_t nm;
	if (training_members(c.db, req->arena, req->who.org_id, &ms, &nm) != DB_OK) {
		log_msg(LOG_ERROR, "training: members: %s", db_errmsg(c.db));
		return -1;
	}
	const struct training_member *picked[ASSIGN_MAX];
	for (size_t i = 0; i < req->body.count; i++) {
		const struct form_field *f = &req->body.fields[i];
		if (strcmp(f->name, "user[]") != 0)
			continue;
		int64_t id;
		if (str_to_i64(str_from(f->value), 1, INT64_MAX, &id) != 0)
			return http_error(req, 404, NULL);
		const struct training_member *m = NULL;
		for (size_t k = 0; k < nm && !m; k++)
			if (ms[k].user_id == id)
				m = &ms[k];
		if (!m)
			return http_error(req, 404, NULL);
		if (chosen(&in, id))
			continue;
		if (in.nusers == ASSIGN_MAX)
			return http_error(req, 413, NULL);
		picked[in.nusers] = m;
		in.users[in.nusers++] = id;
	}
	json_t *errors = json_object();
	if (!errors)
		return -1;
	const struct training_course *co = find_course(&c, in.course);
	if (!co)
		field_error(errors, "course", "training.error.course");
	if (in.nusers == 0)
		field_error(errors, "members", "training.error.members");
	int y, mo, d;
	int64_t due_at = 0;
	if (!in.due || !in.due[0])
		field_error(errors, "due", "training.error.due.missing");
	else if (!parse_date(in.due, &y, &mo, &d) || tz_day_end(c.zone, y, mo, d, &due_at) != 0)
		field_error(errors, "due", "training.error.due.invalid");
	else if (due_at < c.now)
		field_error(errors, "due", "training.error.due.past");
	if (json_object_size(errors) > 0)
		return render(&c, 422, errors, &in);
	json_decref(errors);

	const char *due_text = day(req->arena, c.zone, due_at);
	int rc = db_begin_write(c.db);
	for (size_t i = 0; rc == DB_OK && i < in.nusers; i++) {
		int64_t id;
		rc = training_assign(c.db, req->who.org_id, in.users[i], co->slug, due_at,
		                     req->who.user_id, c.now, &id);
		if (rc != DB_OK)
			break;
		json_t *dj = json_pack("{s:s, s:s, s:I, s:I}", "course", co->slug, "due", in.due,
		                       "due_at", (json_int_t)due_at, "assignment", (json_int_t)id);
		char *detail = dj ? json_dumps(dj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(dj);
		const char *tid = arena_printf(req->arena, "%lld", (long long)in.users[i]);
		rc = detail && tid ? accounts_audit(c.db, req, "course.assigned", "user", tid,
		                                    "success", detail)
		                   : DB_ENOMEM;
		free(detail);
		if (rc == DB_OK)
			rc = assigned_mail(&c, picked[i], co, due_text);
	}
	if (rc == DB_OK)
		rc = db_commit(c.db);
	if (rc != DB_OK) {
		db_rollback(c.db);
		log_msg(LOG_ERROR, "training: assign: %s", db_errmsg(c.db));
		return -1;
	}
	mail_kick();
	const char *to =
	        arena_printf(req->arena, "/org/training?course=%s&done=assigned", co->slug);
	return to ? http_redirect(req, 303, to) : -1;
}

int course_training_cancel(struct req *req)
{
	int64_t id;
	const char *p = req_param(req, "assignment");
	if (!p || str_to_i64(str_from(p), 1, INT64_MAX, &id) != 0)
		return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	int64_t user_id = 0;
	const char *course = NULL;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = training_cancel(db, req->arena, req->who.org_id, id, (int64_t)time(NULL),
		                     &user_id, &course);
	if (rc == DB_DONE) {
		db_rollback(db);
		return http_error(req, 404, NULL);
	}
	if (rc == DB_OK) {
		json_t *dj = json_pack("{s:s, s:I}", "course", course, "user", (json_int_t)user_id);
		char *detail = dj ? json_dumps(dj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(dj);
		rc = detail ? accounts_audit(db, req, "course.assignment.cancelled",
		                             "course_assignment", p, "success", detail)
		            : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "training: cancel: %s", db_errmsg(db));
		return -1;
	}
	const char *to = arena_printf(req->arena, "/org/training?course=%s&done=cancelled", course);
	return to ? http_redirect(req, 303, to) : -1;
}
