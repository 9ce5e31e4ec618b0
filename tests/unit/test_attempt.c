/* tests/unit/test_attempt.c — the course's final test
 * (features/course/attempt.h): the rules as pure functions (may an attempt
 * start; the unbiased draw; which submissions are tampered with; scoring
 * and the pass mark), then the model on SQLite, always, and on PostgreSQL
 * when CSEC_TEST_PG_URL names a server, with content rows inserted
 * directly: the rules of the active pack version only, attempts that only
 * their learner finds, a submission recorded once, and attempts out of
 * time closed as failed with a learning event. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/course/attempt.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_helpers.h"

#define NOW 1700000000

static const struct attempt_rules RULES = {
        .course_id = 1,
        .slug = "officers",
        .title = "Course",
        .questions = 4,
        .pass_mark = 75,
        .max_attempts = 3,
        .wait_minutes = 10,
        .time_limit_minutes = 30,
        .grading = "highest",
        .pool = 6,
};

static struct attempt_row submitted(int number, int64_t at, int score, bool passed)
{
	return (struct attempt_row){.id = 100 + number,
	                            .number = number,
	                            .started_at = at - 600,
	                            .deadline_at = at - 600 + 1800,
	                            .submitted_at = at,
	                            .score = score,
	                            .passed = passed,
	                            .pass_mark = 75};
}

/* ------------------------------------------------------------------ rules */

static void test_state(void **state)
{
	(void)state;
	struct attempt_state s;
	struct attempt_row rows[3];

	/* No attempt yet: open, or refused when not enrolled. */
	attempt_state_compute(&RULES, NULL, 0, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_OPEN);
	assert_int_equal(s.used, 0);
	assert_int_equal(s.left, 3);
	assert_int_equal(s.best, -1);
	attempt_state_compute(&RULES, NULL, 0, false, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_NOT_ENROLLED);

	/* One under way (inside its time, or inside the grace). */
	rows[0] = (struct attempt_row){.id = 7,
	                               .number = 1,
	                               .started_at = NOW - 60,
	                               .deadline_at = NOW + 1740,
	                               .score = -1,
	                               .passed = -1};
	attempt_state_compute(&RULES, rows, 1, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_UNDER_WAY);
	assert_int_equal(s.open_id, 7);
	assert_int_equal(s.left, 2);
	rows[0].deadline_at = NOW - ATTEMPT_GRACE_SECONDS;
	attempt_state_compute(&RULES, rows, 1, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_UNDER_WAY);

	/* Out of time and grace: ended, failed with 0, and the wait runs
	 * from its deadline. */
	rows[0].deadline_at = NOW - ATTEMPT_GRACE_SECONDS - 1;
	assert_true(attempt_ended(&rows[0], NOW));
	attempt_state_compute(&RULES, rows, 1, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_WAITING);
	assert_int_equal(s.best, 0);
	assert_int_equal(s.open_id, 0);
	assert_int_equal(s.next_at, rows[0].deadline_at + 600);

	/* A failed attempt: the wait, then open again. */
	rows[0] = submitted(1, NOW - 60, 50, false);
	attempt_state_compute(&RULES, rows, 1, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_WAITING);
	assert_int_equal(s.next_at, NOW - 60 + 600);
	attempt_state_compute(&RULES, rows, 1, true, NOW + 540, &s);
	assert_int_equal(s.block, ATTEMPT_OPEN);
	assert_int_equal(s.left, 2);
	struct attempt_rules nowait = RULES;
	nowait.wait_minutes = 0;
	attempt_state_compute(&nowait, rows, 1, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_OPEN);

	/* Every attempt used; the best of them counts. */
	rows[1] = submitted(2, NOW - 5000, 70, false);
	rows[2] = submitted(3, NOW - 4000, 25, false);
	attempt_state_compute(&nowait, rows, 3, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_LIMIT);
	assert_int_equal(s.left, 0);
	assert_int_equal(s.best, 70);
	assert_false(s.passed);

	/* Passed: nothing more to take, the best is the highest. */
	rows[1] = submitted(2, NOW - 5000, 90, true);
	attempt_state_compute(&nowait, rows, 3, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_PASSED);
	assert_true(s.passed);
	assert_int_equal(s.best, 90);
	assert_int_equal(s.left, 0);

	/* A pool smaller than a draw: no attempt can start. */
	struct attempt_rules small = RULES;
	small.pool = 3;
	attempt_state_compute(&small, NULL, 0, true, NOW, &s);
	assert_int_equal(s.block, ATTEMPT_NO_POOL);
}

static void test_draw(void **state)
{
	(void)state;
	size_t out[10], counts[5][5] = {{0}};

	assert_int_equal(attempt_draw(3, 4, out), -1);
	assert_int_equal(attempt_draw(ATTEMPT_MAX_POOL + 1, 1, out), -1);
	for (int i = 0; i < 1000; i++)
		assert_true(attempt_random_below(3) < 3);
	assert_int_equal(attempt_random_below(1), 0);

	/* Distinct indices in range, every time. */
	for (int round = 0; round < 200; round++) {
		assert_int_equal(attempt_draw(10, 10, out), 0);
		bool seen[10] = {false};
		for (size_t i = 0; i < 10; i++) {
			assert_true(out[i] < 10);
			assert_false(seen[out[i]]);
			seen[out[i]] = true;
		}
	}
	/* Every index at every position about equally often: 10,000 draws
	 * of 5 from 5 put each index at each position 2,000 times on
	 * average; the bounds are more than 8 standard deviations (40) away,
	 * so a fair draw never fails them and a biased one (a modulo, an
	 * off-by-one in the shuffle) does. */
	for (int round = 0; round < 10000; round++) {
		assert_int_equal(attempt_draw(5, 5, out), 0);
		for (size_t p = 0; p < 5; p++)
			counts[p][out[p]]++;
	}
	for (size_t p = 0; p < 5; p++)
		for (size_t i = 0; i < 5; i++) {
			assert_true(counts[p][i] > 1650);
			assert_true(counts[p][i] < 2350);
		}
}

/* A form of n fields name=value. */
static struct form form_of(struct form_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fields[i].name_len = strlen(fields[i].name);
		fields[i].value_len = strlen(fields[i].value);
	}
	return (struct form){.fields = fields, .count = n};
}

static void test_check_answers(void **state)
{
	(void)state;
	json_t *single =
	        json_loads("[{\"id\":\"a\",\"text\":\"A\",\"correct\":true,\"why\":\"w\"},"
	                   "{\"id\":\"b\",\"text\":\"B\",\"correct\":false,\"why\":\"w\"}]",
	                   0, NULL);
	json_t *multi = json_loads("[{\"id\":\"a\",\"text\":\"A\",\"correct\":true,\"why\":\"w\"},"
	                           "{\"id\":\"b\",\"text\":\"B\",\"correct\":false,\"why\":\"w\"},"
	                           "{\"id\":\"c\",\"text\":\"C\",\"correct\":true,\"why\":\"w\"}]",
	                           0, NULL);
	json_t *tf =
	        json_loads("[{\"id\":\"true\",\"text\":\"True\",\"correct\":false,\"why\":\"w\"},"
	                   "{\"id\":\"false\",\"text\":\"False\",\"correct\":true,\"why\":\"w\"}]",
	                   0, NULL);
	assert_non_null(single);
	assert_non_null(multi);
	assert_non_null(tf);
	struct attempt_question q[3] = {
	        {.qid = "q-1", .qtype = "single", .choices = single},
	        {.qid = "q-2", .qtype = "multiple", .choices = multi},
	        {.qid = "q-3", .qtype = "true_false", .choices = tf},
	};
	const char *bad;

	/* A good submission: other fields are not answers. */
	struct form_field ok[] = {{.name = "_csrf", .value = "x"},
	                          {.name = "answer.q-1", .value = "a"},
	                          {.name = "answer.q-2[]", .value = "c"},
	                          {.name = "answer.q-2[]", .value = "a"},
	                          {.name = "answer.q-3", .value = "true"}};
	struct form f = form_of(ok, 5);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_ANSWERS_OK);
	assert_null(bad);
	assert_true(attempt_item_correct(&q[0]));
	assert_true(attempt_item_correct(&q[1])); /* a and c: all, and nothing else */
	assert_false(attempt_item_correct(&q[2]));

	/* Multiple choice: a right one missing, or a wrong one too. */
	struct form_field part[] = {{.name = "answer.q-2", .value = "a"}};
	f = form_of(part, 1);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_ANSWERS_OK);
	assert_false(attempt_item_correct(&q[1]));
	assert_false(attempt_item_correct(&q[0])); /* unanswered: wrong */
	struct form_field extra[] = {{.name = "answer.q-2", .value = "a"},
	                             {.name = "answer.q-2", .value = "b"},
	                             {.name = "answer.q-2", .value = "c"}};
	f = form_of(extra, 3);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_ANSWERS_OK);
	assert_false(attempt_item_correct(&q[1]));

	/* Tampering. */
	struct form_field not_drawn[] = {{.name = "answer.q-1", .value = "a"},
	                                 {.name = "answer.q-9", .value = "a"}};
	f = form_of(not_drawn, 2);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_NOT_DRAWN);
	assert_string_equal(bad, "q-9");
	struct form_field no_choice[] = {{.name = "answer.q-1", .value = "z"}};
	f = form_of(no_choice, 1);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_NO_SUCH_CHOICE);
	struct form_field two[] = {{.name = "answer.q-1", .value = "a"},
	                           {.name = "answer.q-1", .value = "b"}};
	f = form_of(two, 2);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_SECOND_CHOICE);
	struct form_field two_tf[] = {{.name = "answer.q-3", .value = "true"},
	                              {.name = "answer.q-3", .value = "false"}};
	f = form_of(two_tf, 2);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_SECOND_CHOICE);
	struct form_field twice[] = {{.name = "answer.q-2", .value = "a"},
	                             {.name = "answer.q-2", .value = "a"}};
	f = form_of(twice, 2);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_SECOND_CHOICE);
	struct form_field brackets[] = {{.name = "answer.q-1[]", .value = "a"},
	                                {.name = "answer.q-1", .value = "b"}};
	f = form_of(brackets, 2);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_SECOND_CHOICE);
	struct form_field prefix_only[] = {{.name = "answer.q-", .value = "a"},
	                                   {.name = "answer.q-1x", .value = "a"}};
	f = form_of(prefix_only, 2);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_NOT_DRAWN);
	struct form_field empty_qid[] = {{.name = "answer.", .value = "a"}};
	f = form_of(empty_qid, 1);
	assert_int_equal(attempt_check_answers(&f, q, 3, &bad), ATTEMPT_NOT_DRAWN);

	json_decref(single);
	json_decref(multi);
	json_decref(tf);
}

static void test_score(void **state)
{
	(void)state;
	assert_int_equal(attempt_score(16, 20), 80);
	assert_int_equal(attempt_score(2, 3), 66);
	assert_int_equal(attempt_score(3, 3), 100);
	assert_int_equal(attempt_score(0, 0), 0);
	assert_true(attempt_passes(16, 20, 80));
	assert_false(attempt_passes(15, 20, 80));
	assert_true(attempt_passes(2, 3, 66));
	assert_false(attempt_passes(2, 3, 67)); /* 66.67% < 67% */
	assert_false(attempt_passes(0, 0, 1));
	assert_true(attempt_passes(1, 1, 100));
}

/* ------------------------------------------------------------------ model */

static int setup(void **state)
{
	*state = fixture_open(true);
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

static int group_sqlite(void **state)
{
	(void)state;
	return fixture_group_sqlite("attempt");
}

static int group_sqlite_done(void **state)
{
	(void)state;
	return fixture_group_sqlite_done();
}

static int group_pg(void **state)
{
	(void)state;
	F.pg = true;
	return 0;
}

/* Two pack versions (the second active), the course "officers" in each
 * (the active one with 5 test questions and a knowledge check), two
 * learners (ids 1 and 2), the first enrolled. */
static void world(struct db *db)
{
	static const char choices[] =
	        "[{\"id\":\"a\",\"text\":\"A\",\"correct\":true,\"why\":\"y\"},"
	        "{\"id\":\"b\",\"text\":\"B\",\"correct\":false,\"why\":\"n\"}]";
	for (int v = 1; v <= 2; v++)
		runf(db,
		     "INSERT INTO library_versions (pack, version, title, language, license, "
		     "as_of, "
		     "review_status, disclaimer, source, imported_at, active) VALUES ('p', '%d', "
		     "'t', "
		     "'en', 'l', '2026', 'draft', 'd', 'cli', 1, %d)",
		     v, v == 2);
	for (int v = 1; v <= 2; v++)
		runf(db,
		     "INSERT INTO courses (version_id, slug, title, instructor, credit_centihours, "
		     "visibility, test_questions, pass_mark, max_attempts, wait_minutes, "
		     "time_limit_minutes, path) VALUES (%d, 'officers', 'Course v%d', 'I', 100, "
		     "'members', %d, 80, 3, 0, 30, 'course/officers/course.json')",
		     v, v, v == 2 ? 3 : 9);
	int64_t course = query_int(db, "SELECT id FROM courses WHERE version_id = 2");
	for (int i = 1; i <= 6; i++)
		runf(db,
		     "INSERT INTO course_questions (course_id, qid, purpose, lesson_slug, "
		     "position, "
		     "qtype, prompt, choices_json, explanation, path) VALUES (%lld, 'q-%d', '%s', "
		     "%s, %d, 'single', 'Prompt %d', '%s', 'Because %d', 'questions/x.json')",
		     (long long)course, i, i == 6 ? "check" : "test", i == 6 ? "'l'" : "NULL", i, i,
		     choices, i);
	runf(db,
	     "INSERT INTO users (email, name) VALUES ('one@a.example', 'One'), "
	     "('two@a.example', 'Two')");
	runf(db,
	     "INSERT INTO organizations (slug, name, kind) VALUES ('a', 'A', 'law_enforcement')");
	runf(db,
	     "INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at) "
	     "VALUES (1, 1, 'officers', 1)");
}

static void test_model(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(1 << 20);
	struct attempt_rules r;
	struct attempt_item *items;
	struct attempt_row *rows, row;
	size_t n;
	int64_t org = -1, id = 0, id2 = 0;

	world(db);
	assert_int_equal(attempt_rules_get(db, a, "nope", 1, &r), DB_DONE);
	CHECK(db, attempt_rules_get(db, a, "officers", 1, &r));
	assert_string_equal(r.title, "Course v2"); /* the active version's */
	assert_int_equal(r.questions, 3);
	assert_int_equal(r.pool, 5); /* the knowledge check is not in it */
	assert_int_equal(r.pass_mark, 80);

	/* A law-enforcement course: for law-enforcement organizations only. */
	runf(db, "UPDATE courses SET visibility = 'law_enforcement'");
	CHECK(db, attempt_rules_get(db, a, "officers", 1, &r));
	assert_int_equal(attempt_rules_get(db, a, "officers", 2, &r), DB_DONE);
	assert_int_equal(attempt_rules_get(db, a, "officers", 0, &r), DB_DONE);
	runf(db, "UPDATE courses SET visibility = 'members'");
	CHECK(db, attempt_rules_get(db, a, "officers", 2, &r));

	CHECK(db, attempt_enrolment(db, 1, "officers", &org));
	assert_int_equal(org, 1);
	assert_int_equal(attempt_enrolment(db, 2, "officers", &org), DB_DONE);

	CHECK(db, attempt_pool(db, a, r.course_id, &items, &n));
	assert_int_equal(n, 5);
	assert_string_equal(items[0].qid, "q-1");
	assert_string_equal(items[4].explanation, "Because 5");

	/* An attempt and its items; the number is unique per learner. */
	CHECK(db, attempt_create(db, 1, "officers", 1, NOW, NOW + 1800, 80, &id));
	assert_int_equal(attempt_create(db, 1, "officers", 1, NOW, NOW + 1800, 80, &id2),
	                 DB_ECONSTRAINT);
	for (int i = 0; i < 3; i++) {
		struct attempt_item it = items[4 - i];
		it.position = i + 1;
		CHECK(db, attempt_item_add(db, id, &it));
	}
	CHECK(db, attempt_items(db, a, id, &items, &n));
	assert_int_equal(n, 3);
	assert_string_equal(items[0].qid, "q-5");
	assert_string_equal(items[0].qtype, "single");
	assert_null(items[0].answer_json);
	assert_int_equal(items[0].correct, -1);

	/* Only its learner, at its course, finds it. */
	CHECK(db, attempt_get(db, 1, "officers", id, &row));
	assert_int_equal(row.number, 1);
	assert_int_equal(row.submitted_at, 0);
	assert_int_equal(row.score, -1);
	assert_int_equal(attempt_get(db, 2, "officers", id, &row), DB_DONE);
	assert_int_equal(attempt_get(db, 1, "other", id, &row), DB_DONE);
	assert_int_equal(attempt_get(db, 1, "officers", id + 1000, &row), DB_DONE);

	/* Submitted once; the second finds it submitted. */
	CHECK(db, attempt_item_answer(db, id, 1, "[\"a\"]", true));
	CHECK(db, attempt_finish(db, id, NOW + 100, 33, false));
	assert_int_equal(attempt_finish(db, id, NOW + 200, 100, true), DB_DONE);
	CHECK(db, attempt_get(db, 1, "officers", id, &row));
	assert_int_equal(row.submitted_at, NOW + 100);
	assert_int_equal(row.score, 33);
	assert_int_equal(row.passed, 0);
	assert_false(row.expired);
	CHECK(db, attempt_items(db, a, id, &items, &n));
	assert_string_equal(items[0].answer_json, "[\"a\"]");
	assert_int_equal(items[0].correct, 1);

	/* A second attempt runs out of time: closed as failed, 0, at its
	 * deadline, with one "failed" event; not before the grace is over. */
	CHECK(db, attempt_create(db, 1, "officers", 2, NOW + 1000, NOW + 2800, 80, &id2));
	int closed = -1;
	CHECK(db,
	      attempt_close_expired(db, 1, 1, "officers", NOW + 2800 + ATTEMPT_GRACE_SECONDS,
	                            &closed));
	assert_int_equal(closed, 0);
	CHECK(db,
	      attempt_close_expired(db, 1, 1, "officers", NOW + 2800 + ATTEMPT_GRACE_SECONDS + 1,
	                            &closed));
	assert_int_equal(closed, 1);
	CHECK(db, attempt_history(db, a, 1, "officers", &rows, &n));
	assert_int_equal(n, 2);
	assert_int_equal(rows[1].submitted_at, NOW + 2800);
	assert_int_equal(rows[1].score, 0);
	assert_int_equal(rows[1].passed, 0);
	assert_true(rows[1].expired);
	assert_false(rows[0].expired);
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM learning_events WHERE verb = 'failed' "
	                           "AND object_type = 'test' AND object_id = 'officers' "
	                           "AND user_id = 1 AND org_id = 1"),
	                 1);
	CHECK(db, attempt_history(db, a, 2, "officers", &rows, &n));
	assert_int_equal(n, 0);
	arena_destroy(a);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
	        cmocka_unit_test(test_state),
	        cmocka_unit_test(test_draw),
	        cmocka_unit_test(test_check_answers),
	        cmocka_unit_test(test_score),
	};
	const struct CMUnitTest common[] = {
	        T(test_model),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return 1;
	}
	failed += cmocka_run_group_tests_name("attempt", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("attempt on SQLite", common, group_sqlite,
	                                      group_sqlite_done);
	if (pg && *pg) {
		snprintf(F.base, sizeof(F.base), "%s", pg);
		failed += cmocka_run_group_tests_name("attempt on PostgreSQL", common, group_pg,
		                                      NULL);
	} else {
		printf("[  SKIPPED ] attempt on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. from scripts/pg-start)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
