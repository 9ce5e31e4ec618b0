/* tests/fuzz/fuzz_course.c — a content pack's course (features/course/
 * pack_course.c, jansson underneath) through pack_load, on arbitrary bytes as
 * one of its files while the others stay valid.
 *
 * Input: one byte choosing the file (course.json, the scenario, a checks
 * file, the pool, a lesson), then that file's bytes, whole.
 *
 * Checks: the load never fails but for memory; every problem names one of
 * the pack's files and a line inside it (0 for the whole file); a clean load
 * has the one course with every lesson rendered, question ids unique in the
 * course, and each scenario's body valid JSON whose every "next" names a
 * step. */
#include "fuzz.h"

#include "core/arena.h"
#include "features/course/pack_course.h"
#include "features/library/pack.h"

#include <errno.h>
#include <jansson.h>

const char *page_msg(const char *key);
const char *page_msg(const char *key)
{
	return key;
}

static const char PACK_JSON[] =
        "{\"id\": \"t\", \"version\": \"1\", \"title\": \"T\", \"language\": \"en\", "
        "\"license\": \"CC BY 4.0\", \"as_of\": \"2026-11-28\", \"review_status\": \"draft\", "
        "\"disclaimer\": \"Tests.\"}";

static const char COURSE_JSON[] =
        "{\"slug\": \"c\", \"title\": \"Course\", \"summary\": \"S.\", \"audience\": \"A.\", "
        "\"credit_hours\": 1.25, \"instructor\": \"Board\", \"visibility\": \"members\", "
        "\"final_test\": {\"questions\": 1, \"pass_mark\": 80, \"max_attempts\": 3, "
        "\"time_limit_minutes\": 30}, \"topics\": [{\"id\": 1, \"title\": \"One\"}], "
        "\"modules\": [{\"slug\": \"m\", \"title\": \"M\", \"discussion\": [\"Why?\"], "
        "\"lessons\": [{\"slug\": \"l1\", \"topics\": [1], \"minutes\": 5, \"scenario\": "
        "\"s\"}]}]}";

static const char LESSON[] =
        "---\ntitle: \"Lesson\"\nslug: l1\nkind: lesson\norder: 1\nsummary: \"S.\"\nsources:\n"
        "  - title: \"T\"\n    publisher: \"P\"\n    url: \"https://example.org/x\"\n"
        "    checked: 2026-11-28\nreviewed: 2026-11-28\n---\n\nText.\n";

static const char POOL[] =
        "{\"questions\": [{\"id\": \"p1\", \"type\": \"single\", \"prompt\": \"P1?\", "
        "\"explanation\": \"E.\", \"choices\": [{\"id\": \"a\", \"text\": \"A\", \"correct\": "
        "true, \"why\": \"W.\"}, {\"id\": \"b\", \"text\": \"B\", \"correct\": false, \"why\": "
        "\"W.\"}]}]}";

static const char CHECKS[] = "{\"lesson\": \"l1\", \"questions\": [{\"id\": \"k1\", \"type\": "
                             "\"true_false\", \"prompt\": \"Q\", \"explanation\": \"E\", "
                             "\"choices\": [{\"id\": \"true\", \"text\": \"T\", \"correct\": "
                             "true, \"why\": \"W\"}, {\"id\": \"false\", \"text\": \"F\", "
                             "\"correct\": false, \"why\": \"W\"}]}]}";

static const char SCENARIO[] =
        "{\"slug\": \"s\", \"title\": \"S\", \"summary\": \"S.\", \"start\": \"a\", "
        "\"debrief\": \"D.\", \"steps\": [{\"id\": \"a\", \"situation\": \"A.\", \"choices\": "
        "[{\"id\": \"x\", \"text\": \"X\", \"next\": \"b\", \"feedback\": \"F.\"}, {\"id\": "
        "\"y\", \"text\": \"Y\", \"next\": \"b\", \"feedback\": \"F.\"}]}, {\"id\": \"b\", "
        "\"situation\": \"B.\", \"end\": true, \"outcome\": \"O.\"}]}";

static int lines_of(const char *s, size_t n)
{
	int l = 1;
	for (size_t i = 0; i < n; i++)
		l += s[i] == '\n';
	return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 64 * 1024)
		return 0;
	struct pack_file files[] = {
	        {"pack.json", PACK_JSON, sizeof PACK_JSON - 1},
	        {"course/c/course.json", COURSE_JSON, sizeof COURSE_JSON - 1},
	        {"course/c/scenarios/s.json", SCENARIO, sizeof SCENARIO - 1},
	        {"course/c/checks/l1.json", CHECKS, sizeof CHECKS - 1},
	        {"course/c/questions/pool.json", POOL, sizeof POOL - 1},
	        {"course/c/lessons/l1.md", LESSON, sizeof LESSON - 1},
	};
	size_t which = 1 + data[0] % 5;
	char *text = malloc(size);
	CHECK(text);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	files[which].data = text;
	files[which].len = size - 1;

	struct arena *a = arena_create(0);
	CHECK(a);
	struct pack_problems pr;
	struct pack p;
	pack_problems_init(&pr, a);
	int rc = pack_load(a, files, sizeof files / sizeof files[0], &p, &pr);
	CHECK(rc == 0 || rc == -ENOMEM);
	for (size_t i = 0; rc == 0 && i < pr.n; i++) {
		size_t f = 0;
		while (f < 6 && strcmp(pr.items[i].file, files[f].path) != 0)
			f++;
		CHECK(f < 6);
		CHECK(pr.items[i].line >= 0);
		CHECK(pr.items[i].line <= lines_of(files[f].data, files[f].len));
		CHECK(pr.items[i].message && pr.items[i].message[0]);
	}
	if (rc == 0 && pr.n == 0) {
		CHECK(p.n_courses == 1);
		const struct pack_course *c = &p.courses[0];
		CHECK(c->n_lessons >= 1);
		for (size_t i = 0; i < c->n_lessons; i++)
			CHECK(c->lessons[i].html && c->lessons[i].page);
		for (size_t i = 0; i < c->n_questions; i++)
			for (size_t k = i + 1; k < c->n_questions; k++)
				CHECK(strcmp(c->questions[i].id, c->questions[k].id) != 0);
		for (size_t i = 0; i < c->n_scenarios; i++) {
			json_error_t e;
			json_t *body = json_loads(c->scenarios[i].body_json, 0, &e);
			CHECK(body);
			json_t *steps = json_object_get(body, "steps"), *st, *ch;
			size_t k, j;
			json_array_foreach(steps, k, st)
			{
				json_array_foreach(json_object_get(st, "choices"), j, ch)
				{
					const char *next =
					        json_string_value(json_object_get(ch, "next"));
					bool found = false;
					size_t m;
					json_t *o;
					json_array_foreach(steps, m, o)
					{
						found = found ||
						        (next &&
						         strcmp(json_string_value(
						                        json_object_get(o, "id")),
						                next) == 0);
					}
					CHECK(found);
				}
			}
			json_decref(body);
		}
	}
	arena_destroy(a);
	free(text);
	return 0;
}
