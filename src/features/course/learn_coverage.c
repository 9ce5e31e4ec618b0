/* features/course/learn_coverage.c — topic coverage (issue 6 point 9):
 * /courses/{course}/coverage shows each of the course's topics with the
 * lessons that cover it, a topic no lesson covers flagged in plain words;
 * GET /api/v1/courses lists the courses the caller may see and
 * GET /api/v1/courses/{course}/coverage gives the same table as JSON. */
#include "features/course/learn.h"

#include "core/arena.h"
#include "db/db.h"
#include "features/course/learn_internal.h"
#include "render/page.h"

#include <jansson.h>
#include <string.h>

/* [{"id", "title", "lessons": [{"slug", "title", "href"}], "missing"}] */
static json_t *coverage(struct req *req, struct learn *x, bool with_href)
{
	struct course_lesson_info *ls;
	size_t nl;
	if (course_lessons(x->db, req->arena, x->c.id, &ls, &nl) != DB_OK)
		return NULL;
	json_t *topics = learn_array(x->c.topics_json), *out = json_array();
	json_t **lesson_topics = arena_calloc(req->arena, nl + 1, sizeof *lesson_topics);
	if (!lesson_topics || !out) {
		json_decref(topics);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < nl; i++)
		lesson_topics[i] = learn_array(ls[i].topics_json);
	size_t k;
	json_t *t;
	json_array_foreach(topics, k, t)
	{
		json_int_t id = json_integer_value(json_object_get(t, "id"));
		json_t *lessons = json_array();
		for (size_t i = 0; i < nl; i++) {
			size_t j;
			json_t *v;
			bool covers = false;
			json_array_foreach(lesson_topics[i], j, v)
			{
				covers = covers || json_integer_value(v) == id;
			}
			if (!covers)
				continue;
			json_t *l =
			        json_pack("{s:s, s:s}", "slug", ls[i].slug, "title", ls[i].title);
			if (with_href)
				json_object_set_new(l, "href",
				                    json_string(arena_printf(
				                            req->arena, "/courses/%s/lessons/%s",
				                            x->c.slug, ls[i].slug)));
			json_array_append_new(lessons, l);
		}
		json_t *row = json_pack("{s:I, s:s?, s:o}", "id", id, "title",
		                        json_string_value(json_object_get(t, "title")), "lessons",
		                        lessons);
		if (with_href && json_array_size(lessons) == 0)
			json_object_set_new(row, "missing", json_true());
		json_array_append_new(out, row);
	}
	for (size_t i = 0; i < nl; i++)
		json_decref(lesson_topics[i]);
	json_decref(topics);
	return out;
}

int course_coverage_page(struct req *req)
{
	struct learn x;
	int rc = learn_open(req, &x);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	json_t *topics = coverage(req, &x, true);
	if (!topics)
		return -1;
	size_t missing = 0, i;
	json_t *t;
	json_array_foreach(topics, i, t)
	{
		missing += json_is_true(json_object_get(t, "missing"));
	}
	json_t *data = json_pack("{s:s, s:s, s:s, s:o, s:I, s:I}", "page_title", x.c.title,
	                         "course_title", x.c.title, "course_href",
	                         arena_printf(req->arena, "/courses/%s", x.c.slug), "topics",
	                         topics, "missing", (json_int_t)missing, "count",
	                         (json_int_t)json_array_size(topics));
	return data ? page_render(req, 200, "course/core/coverage", NULL, data) : -1;
}

int course_api_list(struct req *req)
{
	struct learn x;
	int rc = learn_open(req, &x);
	if (rc < 0)
		return -1;
	struct course_info *cs;
	size_t n;
	if (course_list(x.db, req->arena, x.v.user_id, x.v.org_id, &cs, &n) != DB_OK)
		return -1;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(
		        list, json_pack("{s:s, s:s}", "slug", cs[i].slug, "title", cs[i].title));
	return http_json(req, 200, json_pack("{s:o}", "courses", list));
}

int course_api_coverage(struct req *req)
{
	struct learn x;
	int rc = learn_open(req, &x);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK)
		return -1;
	json_t *topics = coverage(req, &x, false);
	if (!topics)
		return -1;
	return http_json(req, 200, json_pack("{s:s, s:o}", "course", x.c.slug, "topics", topics));
}
