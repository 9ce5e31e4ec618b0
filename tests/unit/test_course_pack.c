/* tests/unit/test_course_pack.c — the course reader of a content pack
 * (features/course/pack_course.c) rule by rule on packs built in memory:
 * which paths are course files, a valid course and what it loads, then one
 * broken rule at a time with the problem it must report (JSON path and
 * message); and the certificate code (completion.c) and the credit hours
 * text (learn_pages.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "features/course/certcode.h"
#include "features/course/completion.h"
#include "features/course/learn_internal.h"
#include "features/course/pack_course.h"
#include "features/library/pack.h"

static int setup(void **state)
{
	struct arena *a = arena_create(0);
	if (!a)
		return -1;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_destroy(*state);
	return 0;
}

static const char PACK_JSON[] =
        "{\"id\": \"t\", \"version\": \"1\", \"title\": \"T\", \"language\": \"en\", "
        "\"license\": \"CC BY 4.0\", \"as_of\": \"2026-11-28\", \"review_status\": \"draft\", "
        "\"disclaimer\": \"Tests.\"}";

static const char COURSE_JSON[] =
        "{\"slug\": \"c\", \"title\": \"Course\", \"summary\": \"S.\", \"audience\": \"A.\", "
        "\"credit_hours\": 1.25, \"instructor\": \"Board\", \"visibility\": \"members\", "
        "\"final_test\": {\"questions\": 2, \"pass_mark\": 80, \"max_attempts\": 3, "
        "\"wait_minutes\": 0, \"time_limit_minutes\": 30},"
        "\"topics\": [{\"id\": 1, \"title\": \"One\"}, {\"id\": 2, \"title\": \"Two\"}],"
        "\"modules\": [{\"slug\": \"m\", \"title\": \"M\", \"discussion\": [\"Why?\"], "
        "\"lessons\": [{\"slug\": \"l1\", \"topics\": [1], \"minutes\": 5, \"scenario\": \"s\"},"
        "{\"slug\": \"l2\", \"topics\": [2], \"minutes\": 5, \"required\": false}]}]}";

#define LESSON(slug)                                                                               \
	"---\ntitle: \"Lesson " slug "\"\nslug: " slug "\nkind: lesson\norder: 1\n"                \
	"summary: \"S.\"\nsources:\n  - title: \"T\"\n    publisher: \"P\"\n"                      \
	"    url: \"https://example.org/x\"\n    checked: 2026-11-28\nreviewed: 2026-11-28\n"      \
	"---\n\nText of " slug ".\n\n## A part\n\nMore.\n"

static const char POOL[] =
        "{\"questions\": ["
        "{\"id\": \"p1\", \"type\": \"single\", \"prompt\": \"P1?\", \"explanation\": \"E.\", "
        "\"choices\": [{\"id\": \"a\", \"text\": \"A\", \"correct\": true, \"why\": \"W.\"}, "
        "{\"id\": \"b\", \"text\": \"B\", \"correct\": false, \"why\": \"W.\"}]},"
        "{\"id\": \"p2\", \"type\": \"true_false\", \"topic\": 2, \"prompt\": \"P2?\", "
        "\"explanation\": \"E.\", \"choices\": [{\"id\": \"true\", \"text\": \"True\", "
        "\"correct\": false, \"why\": \"W.\"}, {\"id\": \"false\", \"text\": \"False\", "
        "\"correct\": true, \"why\": \"W.\"}]}]}";

static const char SCENARIO[] =
        "{\"slug\": \"s\", \"title\": \"S\", \"summary\": \"S.\", \"start\": \"a\", "
        "\"debrief\": \"D.\", \"steps\": ["
        "{\"id\": \"a\", \"situation\": \"A.\", \"choices\": [{\"id\": \"x\", \"text\": \"X\", "
        "\"next\": \"b\", \"feedback\": \"F.\"}, {\"id\": \"y\", \"text\": \"Y\", \"next\": \"c\", "
        "\"feedback\": \"F.\"}]},"
        "{\"id\": \"b\", \"situation\": \"B.\", \"end\": true, \"outcome\": \"O.\"},"
        "{\"id\": \"c\", \"situation\": \"C.\", \"end\": true, \"outcome\": \"O.\"}]}";

/* A pack of the files above, with the text of one path replaced by what
 * (NULL: left out). Loads it; returns the problems as "file:line: msg\n". */
static const char *load(struct arena *a, const char *path, const char *what, struct pack *p)
{
	struct pack_file files[] = {
	        {"pack.json", PACK_JSON, 0},
	        {"course/c/course.json", COURSE_JSON, 0},
	        {"course/c/lessons/10-l1.md", LESSON("l1"), 0},
	        {"course/c/lessons/20-l2.md", LESSON("l2"), 0},
	        {"course/c/questions/pool.json", POOL, 0},
	        {"course/c/scenarios/s.json", SCENARIO, 0},
	        {"course/c/media/v.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n", 0},
	};
	size_t n = 0;
	struct pack_file out[8];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (path && strcmp(files[i].path, path) == 0) {
			if (!what)
				continue;
			files[i].data = what;
		}
		files[i].len = strlen(files[i].data);
		out[n++] = files[i];
	}
	if (path && what && n == sizeof files / sizeof files[0]) {
		bool found = false;
		for (size_t i = 0; i < n; i++)
			found = found || strcmp(out[i].path, path) == 0;
		if (!found)
			out[n++] = (struct pack_file){path, what, strlen(what)};
	}
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	assert_int_equal(pack_load(a, out, n, p, &pr), 0);
	char *s = arena_strdup(a, "");
	for (size_t i = 0; i < pr.n; i++)
		s = arena_printf(a, "%s%s:%d: %s\n", s, pr.items[i].file, pr.items[i].line,
		                 pr.items[i].message);
	return s;
}

/* course.json with from replaced by to. */
static const char *course_with(struct arena *a, const char *from, const char *to)
{
	const char *at = strstr(COURSE_JSON, from);
	assert_non_null(at);
	return arena_printf(a, "%.*s%s%s", (int)(at - COURSE_JSON), COURSE_JSON, to,
	                    at + strlen(from));
}

static void expect(struct arena *a, const char *path, const char *what, const char *problem)
{
	struct pack p;
	const char *got = load(a, path, what, &p);
	assert_non_null(got);
	assert_non_null(problem);
	if (!strstr(got, problem))
		fail_msg("expected \"%s\"; got:\n%s", problem ? problem : "", got ? got : "");
}

static void course_paths(void **state)
{
	(void)state;
	bool media;
	assert_int_equal(course_pack_path("course/c/course.json", &media), 1);
	assert_int_equal(course_pack_path("course/c/lessons/10-x.md", &media), 1);
	assert_false(media);
	assert_int_equal(course_pack_path("course/c/media/intro.mp4", &media), 1);
	assert_true(media);
	assert_int_equal(course_pack_path("course/c/media/intro.avi", &media), -1);
	assert_int_equal(course_pack_path("course/c/lessons/x.txt", &media), -1);
	assert_int_equal(course_pack_path("course/c/lessons/a/b.md", &media), -1);
	assert_int_equal(course_pack_path("course/C/course.json", &media), -1);
	assert_int_equal(course_pack_path("course/c/checks/.hidden.json", &media), -1);
	assert_int_equal(course_pack_path("course/README.md", &media), 0);
	assert_int_equal(course_pack_path("course/c/notes.md", &media), 0);
	assert_int_equal(course_pack_path("guide/x.md", &media), 0);
}

static void valid_course(void **state)
{
	struct arena *a = *state;
	struct pack p;
	assert_string_equal(load(a, NULL, NULL, &p), "");
	assert_int_equal(p.n_courses, 1);
	const struct pack_course *c = &p.courses[0];
	assert_string_equal(c->slug, "c");
	assert_int_equal(c->credit_centihours, 125);
	assert_int_equal(c->n_lessons, 2);
	assert_true(c->lessons[0].required);
	assert_false(c->lessons[1].required);
	assert_string_equal(c->lessons[0].topics_json, "[1]");
	assert_non_null(strstr(c->lessons[0].html, "<h2 id=\"a-part\">"));
	assert_int_equal(c->n_questions, 2);
	assert_int_equal(c->n_scenarios, 1);
	assert_non_null(strstr(c->scenarios[0].body_json, "\"situation\":\"<p>A.</p>\\n\""));
	assert_int_equal(c->n_media, 1);
	assert_string_equal(c->media[0].name, "media/v.vtt");
}

static void course_json_rules(void **state)
{
	struct arena *a = *state;
	const char *F = "course/c/course.json";
	expect(a, F, "{", "course/c/course.json:1: not valid JSON");
	expect(a, F, course_with(a, "1.25", "0.1"), "credit_hours: must be a number of hours");
	expect(a, F, course_with(a, "1.25", "2.125"), "credit_hours: must be a number of hours");
	expect(a, F, course_with(a, "\"members\"", "\"org\""),
	       "visibility: must be public, members or law_enforcement");
	expect(a, F, course_with(a, "\"slug\": \"c\"", "\"slug\": \"d\""),
	       "slug: \"d\" must be the course's folder name, \"c\"");
	expect(a, F, course_with(a, "\"topics\": [1]", "\"topics\": [3]"),
	       "modules[0].lessons[0].topics: topic 3 is not one of the course's topics");
	expect(a, F, course_with(a, "\"topics\": [1]", "\"topics\": [1, 1]"),
	       "modules[0].lessons[0].topics: topic 1 is listed twice");
	expect(a, F, course_with(a, "\"discussion\": [\"Why?\"]", "\"discussion\": []"),
	       "modules[0].discussion: must list 1 to 50 entries");
	expect(a, F, course_with(a, "\"pass_mark\": 80", "\"pass_mark\": 0"),
	       "final_test.pass_mark: must be a whole number from 1 to 100");
	expect(a, F, course_with(a, "\"questions\": 2", "\"questions\": 3"),
	       "final_test.questions: the final test draws 3 questions but the pool");
	expect(a, F, course_with(a, "\"slug\": \"l2\"", "\"slug\": \"l1\""),
	       "modules[0].lessons[1].slug: lesson \"l1\" is listed twice");
	expect(a, F, course_with(a, "\"scenario\": \"s\"", "\"scenario\": \"t\""),
	       "modules[0].lessons[0].scenario: no scenario of this course has the slug \"t\"");
	expect(a, F,
	       course_with(a, "\"minutes\": 5, \"required\"",
	                   "\"minutes\": 5, \"video\": {\"file\": \"media/v.mp4\", \"captions\": "
	                   "\"media/v.vtt\", \"transcript\": \"media/v.txt\"}, \"required\""),
	       "modules[0].lessons[1].video.file: there is no file course/c/media/v.mp4");
	expect(a, F, course_with(a, "\"audience\": \"A.\", ", ""), "missing field \"audience\"");
}

static void lesson_rules(void **state)
{
	struct arena *a = *state;
	expect(a, "course/c/lessons/20-l2.md", NULL,
	       "modules[0].lessons[1]: lesson \"l2\" has no file in course/c/lessons/");
	expect(a, "course/c/lessons/30-l3.md", LESSON("l3"),
	       "course/c/lessons/30-l3.md:3: lesson \"l3\" is not listed");
	expect(a, "course/c/lessons/20-l2.md", LESSON("l1"),
	       "course/c/lessons/20-l2.md:3: slug \"l1\" is already used by "
	       "course/c/lessons/10-l1.md");
	expect(a, "course/c/lessons/20-l2.md",
	       "---\ntitle: \"L\"\nslug: l2\nkind: guide\norder: 1\nsummary: \"S.\"\nsources:\n"
	       "  - title: \"T\"\n    publisher: \"P\"\n    url: \"https://example.org/x\"\n"
	       "    checked: 2026-11-28\nreviewed: 2026-11-28\n---\nText.\n",
	       ":4: kind must be \"lesson\"");
	expect(a, "course/c/lessons/20-l2.md",
	       LESSON("l2") "\n[Gone](/courses/c/lessons/l9) and [page](/guide/nothing).\n",
	       "link to /courses/c/lessons/l9: the course has no lesson \"l9\"");
	expect(a, "course/c/lessons/20-l2.md", LESSON("l2") "\n<b>x</b> {{agency.nope}}\n",
	       "unknown placeholder {{agency.nope}}");
	expect(a, "guide/10-x.md",
	       "---\ntitle: \"G\"\nslug: g\nkind: lesson\norder: 1\nvisibility: public\n"
	       "summary: \"S.\"\nsources:\n  - title: \"T\"\n    publisher: \"P\"\n"
	       "    url: \"https://example.org/x\"\n    checked: 2026-11-28\n"
	       "reviewed: 2026-11-28\n---\nText.\n",
	       "guide/10-x.md:4: kind \"lesson\" is only for a course's lessons");
}

static void question_rules(void **state)
{
	struct arena *a = *state;
	const char *Q = "course/c/questions/pool.json";
	expect(a, Q, "{\"lesson\": \"l1\", \"questions\": []}",
	       "lesson: a file under questions/ names no lesson");
	const char *single_two = strstr(POOL, "\"correct\": false");
	assert_non_null(single_two);
	expect(a, Q,
	       arena_printf(a, "%.*s\"correct\": true%s", (int)(single_two - POOL), POOL,
	                    single_two + strlen("\"correct\": false")),
	       "questions[0].choices: a single-choice question has exactly one right choice (it "
	       "has 2)");
	expect(a, "course/c/checks/l1.json",
	       "{\"lesson\": \"l1\", \"questions\": [{\"id\": \"p1\", \"type\": \"multiple\", "
	       "\"prompt\": \"Q\", \"explanation\": \"E\", \"choices\": [{\"id\": \"a\", \"text\": "
	       "\"A\", \"correct\": true, \"why\": \"W\"}, {\"id\": \"a\", \"text\": \"B\", "
	       "\"correct\": false, \"why\": \"W\"}]}]}",
	       "questions[0].choices[1].id: choice id \"a\" is used twice");
	expect(a, "course/c/checks/l1.json",
	       "{\"lesson\": \"l1\", \"questions\": [{\"id\": \"p1\", \"type\": \"single\", "
	       "\"prompt\": \"Q\", \"explanation\": \"E\", \"choices\": [{\"id\": \"a\", \"text\": "
	       "\"A\", \"correct\": true, \"why\": \"W\"}, {\"id\": \"b\", \"text\": \"B\", "
	       "\"correct\": false, \"why\": \"W\"}]}]}",
	       "questions[0].id: question id \"p1\" is already used in");
	expect(a, "course/c/checks/l1.json", "{\"lesson\": \"zz\", \"questions\": []}",
	       "lesson: \"zz\" is not a lesson of this course");
	expect(a, "course/c/checks/l1.json",
	       "{\"lesson\": \"l1\", \"questions\": [{\"id\": \"k1\", \"type\": \"maybe\", "
	       "\"prompt\": \"Q\", \"explanation\": \"E\", \"choices\": [{\"id\": \"a\", \"text\": "
	       "\"A\", \"correct\": true, \"why\": \"W\"}, {\"id\": \"b\", \"text\": \"B\", "
	       "\"correct\": false}]}]}",
	       "questions[0].type: must be single, multiple or true_false");
}

static void scenario_rules(void **state)
{
	struct arena *a = *state;
	const char *S = "course/c/scenarios/s.json";
	const char *at = strstr(SCENARIO, "\"next\": \"b\"");
	assert_non_null(at);
	expect(a, S,
	       arena_printf(a, "%.*s\"next\": \"a\"%s", (int)(at - SCENARIO), SCENARIO,
	                    at + strlen("\"next\": \"b\"")),
	       "the choice \"x\" of step \"a\" leads back to step \"a\": a scenario has no cycles");
	expect(a, S,
	       arena_printf(a, "%.*s\"next\": \"q\"%s", (int)(at - SCENARIO), SCENARIO,
	                    at + strlen("\"next\": \"b\"")),
	       "steps[0].choices[0].next: no step has the id \"q\"");
	const char *st = strstr(SCENARIO, "\"start\": \"a\"");
	expect(a, S,
	       arena_printf(a, "%.*s\"start\": \"b\"%s", (int)(st - SCENARIO), SCENARIO,
	                    st + strlen("\"start\": \"a\"")),
	       "steps[0]: step \"a\" cannot be reached from the start \"b\"");
	expect(a, S,
	       arena_printf(a, "%.*s\"debrief\": \"# H1\"%s",
	                    (int)(strstr(SCENARIO, "\"debrief\"") - SCENARIO), SCENARIO,
	                    strstr(SCENARIO, "\"debrief\": \"D.\"") + 15),
	       "debrief: a level-1 heading");
}

static void media_rules(void **state)
{
	struct arena *a = *state;
	expect(a, "course/c/media/v.vtt", "00:00.000 --> 00:01.000\nHi\n",
	       "course/c/media/v.vtt:1: a WebVTT file starts with the line \"WEBVTT\"");
	expect(a, "course/c/media/t.txt", "\xff\xfe",
	       "course/c/media/t.txt:0: the file is not UTF-8 text");
}

static void certificate_code(void **state)
{
	(void)state;
	char a[CERT_CODE_LEN + 1], b[CERT_CODE_LEN + 1];
	cert_code_new(a);
	cert_code_new(b);
	assert_int_equal(strlen(a), 14);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 14; i++) {
		if (i == 4 || i == 9) {
			assert_int_equal(a[i], '-');
			continue;
		}
		assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", a[i]));
	}
}

static void hours_text(void **state)
{
	struct arena *a = *state;
	assert_string_equal(learn_hours(a, 150), "1.5");
	assert_string_equal(learn_hours(a, 425), "4.25");
	assert_string_equal(learn_hours(a, 400), "4");
	assert_string_equal(learn_hours(a, 25), "0.25");
	assert_string_equal(learn_hours(a, 105), "1.05");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(course_paths), T(valid_course),     T(course_json_rules),
	        T(lesson_rules), T(question_rules),   T(scenario_rules),
	        T(media_rules),  T(certificate_code), T(hours_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
