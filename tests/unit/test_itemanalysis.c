/* tests/unit/test_itemanalysis.c — the statistics of the final test's item
 * analysis (features/course/itemanalysis.h) against values worked out by
 * hand: difficulty (the share right), discrimination (the point-biserial
 * correlation, r = (M1 - M0) / s * sqrt(p q) with s the population standard
 * deviation of the totals, M1 and M0 the mean totals of those who got the
 * item right and wrong), and the flags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "features/course/itemanalysis.h"

#define EPS 1e-4

static void test_point_biserial(void **state)
{
	(void)state;
	struct item_stats s;
	/* p = 0.6; M1 = 80, M0 = 50; s = sqrt(1480 / 5) = 17.2047;
	 * r = 30 / 17.2047 * sqrt(0.24) = 0.8542. */
	const double c1[] = {1, 1, 0, 0, 1}, t1[] = {90, 80, 40, 60, 70};
	item_stats_compute(c1, t1, 5, &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.right, 3);
	assert_float_equal(s.difficulty, 0.6, EPS);
	assert_true(s.has_discrimination);
	assert_float_equal(s.discrimination, 0.8542, EPS);
	assert_false(s.too_easy || s.too_hard || s.low_discrimination || s.negative);

	/* Negative: those who got it right scored lower. p = 0.5, M1 = 35,
	 * M0 = 85, s = sqrt(650) = 25.4951: r = -50 / 25.4951 * 0.5 = -0.9806. */
	const double c2[] = {0, 0, 1, 1}, t2[] = {90, 80, 40, 30};
	item_stats_compute(c2, t2, 4, &s);
	assert_float_equal(s.discrimination, -0.9806, EPS);
	assert_true(s.negative);
	assert_true(s.low_discrimination);

	/* Too hard: p = 0.25; r = 15 / sqrt(0.75 * 500) = 0.7746. */
	const double c3[] = {0, 0, 0, 1}, t3[] = {10, 20, 30, 40};
	item_stats_compute(c3, t3, 4, &s);
	assert_float_equal(s.difficulty, 0.25, EPS);
	assert_true(s.too_hard);
	assert_false(s.too_easy);
	assert_float_equal(s.discrimination, 0.7746, EPS);
	assert_false(s.low_discrimination);

	/* No relation at all: r = 0, which discriminates poorly (not negative). */
	const double c4[] = {1, 0, 1, 0}, t4[] = {40, 60, 60, 40};
	item_stats_compute(c4, t4, 4, &s);
	assert_true(s.has_discrimination);
	assert_float_equal(s.discrimination, 0.0, EPS);
	assert_true(s.low_discrimination);
	assert_false(s.negative);
}

static void test_edges(void **state)
{
	(void)state;
	struct item_stats s;
	/* Everyone right: too easy (1.0 > 0.9), nothing to correlate. */
	const double c1[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	const double t1[] = {100, 90, 80, 70, 60, 95, 85, 75, 65, 55};
	item_stats_compute(c1, t1, 10, &s);
	assert_float_equal(s.difficulty, 1.0, EPS);
	assert_true(s.too_easy);
	assert_false(s.has_discrimination);
	assert_false(s.low_discrimination);

	/* 9 of 10 is 0.9: not above 0.9, so not flagged. */
	const double c2[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
	item_stats_compute(c2, t1, 10, &s);
	assert_float_equal(s.difficulty, 0.9, EPS);
	assert_false(s.too_easy);
	assert_true(s.has_discrimination);

	/* Every attempt with the same score: no discrimination. */
	const double c3[] = {1, 0, 1}, t3[] = {50, 50, 50};
	item_stats_compute(c3, t3, 3, &s);
	assert_false(s.has_discrimination);

	/* One answer, and none. */
	const double c4[] = {0}, t4[] = {20};
	item_stats_compute(c4, t4, 1, &s);
	assert_int_equal(s.n, 1);
	assert_true(s.too_hard);
	assert_false(s.has_discrimination);
	item_stats_compute(NULL, NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_false(s.too_hard || s.too_easy || s.has_discrimination);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_point_biserial),
	        cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests_name("itemanalysis", tests, NULL, NULL);
}
