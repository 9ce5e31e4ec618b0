/* tests/unit/test_edit_diff.c — the editor's line diff (features/library/
 * edit_diff.c): identical texts, pure additions and removals, a change in
 * the middle, line numbers on both sides, CRLF and a missing final newline,
 * the minimal result of the LCS, the approximate fallback past the cell
 * cap, the line cap, and the context rows with their gaps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "features/library/edit_diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena *A;

static int setup(void **state)
{
	(void)state;
	A = arena_create(0);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_destroy(A);
	return 0;
}

/* The diff as one line per entry: " text", "-text", "+text" with the two
 * line numbers, e.g. "=1,1 a" "-2,0 b" "+0,2 c". */
static const char *show(const struct edit_diff *d)
{
	static char out[8192];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < d->n && n < sizeof out - 64; i++) {
		const struct edit_diff_line *l = &d->lines[i];
		char op = l->op == EDIT_DIFF_SAME ? '=' : l->op == EDIT_DIFF_DEL ? '-' : '+';
		n += (size_t)snprintf(out + n, sizeof out - n, "%c%d,%d %.*s|", op, l->old_no,
		                      l->new_no, (int)l->len, l->text);
	}
	return out;
}

static void diff(const char *a, const char *b, struct edit_diff *d)
{
	assert_int_equal(edit_diff_lines(A, a, strlen(a), b, strlen(b), d), 0);
}

static void test_identical(void **state)
{
	(void)state;
	struct edit_diff d;
	diff("a\nb\nc\n", "a\nb\nc\n", &d);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.added, 0);
	assert_int_equal(d.removed, 0);
	assert_false(d.approximate);
	assert_string_equal(show(&d), "=1,1 a|=2,2 b|=3,3 c|");
	struct edit_diff_row *rows;
	size_t n;
	assert_int_equal(edit_diff_rows(A, &d, 3, &rows, &n), 0);
	assert_int_equal(n, 0);
}

static void test_empty_sides(void **state)
{
	(void)state;
	struct edit_diff d;
	diff("", "", &d);
	assert_int_equal(d.n, 0);
	diff("", "x\ny", &d);
	assert_string_equal(show(&d), "+0,1 x|+0,2 y|");
	assert_int_equal(d.added, 2);
	diff("x\ny\n", "", &d);
	assert_string_equal(show(&d), "-1,0 x|-2,0 y|");
	assert_int_equal(d.removed, 2);
	assert_int_equal(edit_diff_lines(A, NULL, 0, NULL, 0, &d), 0);
	assert_int_equal(d.n, 0);
}

static void test_change_in_middle(void **state)
{
	(void)state;
	struct edit_diff d;
	diff("a\nb\nc\nd\n", "a\nB\nc\nd\n", &d);
	assert_string_equal(show(&d), "=1,1 a|-2,0 b|+0,2 B|=3,3 c|=4,4 d|");
	assert_int_equal(d.added, 1);
	assert_int_equal(d.removed, 1);
}

static void test_insert_and_delete_shift_numbers(void **state)
{
	(void)state;
	struct edit_diff d;
	diff("a\nb\nc\n", "a\nnew\nb\nc\n", &d);
	assert_string_equal(show(&d), "=1,1 a|+0,2 new|=2,3 b|=3,4 c|");
	diff("a\nb\nc\n", "a\nc\n", &d);
	assert_string_equal(show(&d), "=1,1 a|-2,0 b|=3,2 c|");
}

static void test_lcs_is_minimal(void **state)
{
	(void)state;
	struct edit_diff d;
	/* Neither head nor tail match: the LCS keeps x, y, z. */
	diff("1\nx\ny\nz\n2\n", "3\nx\n4\ny\nz\n5\n", &d);
	assert_int_equal(d.removed, 2);
	assert_int_equal(d.added, 3);
	assert_false(d.approximate);
	assert_string_equal(show(&d), "-1,0 1|+0,1 3|=2,2 x|+0,3 4|=3,4 y|=4,5 z|-5,0 2|+0,6 5|");
}

static void test_crlf_and_final_newline(void **state)
{
	(void)state;
	struct edit_diff d;
	diff("a\r\nb\r\n", "a\nb", &d);
	assert_int_equal(d.added + d.removed, 0);
	assert_int_equal(d.n, 2);
	diff("a\n\n", "a\n", &d); /* an empty last line is a line */
	assert_string_equal(show(&d), "=1,1 a|-2,0 |");
}

static void test_approximate_past_cap(void **state)
{
	(void)state;
	/* 2,100 distinct lines each side: 2101 x 2101 cells > the cap. */
	size_t lines = 2100;
	char *a = malloc(lines * 8 + 1), *b = malloc(lines * 8 + 1);
	assert_non_null(a);
	assert_non_null(b);
	size_t na = 0, nb = 0;
	for (size_t i = 0; i < lines; i++) {
		na += (size_t)snprintf(a + na, 8, "a%05zu\n", i);
		nb += (size_t)snprintf(b + nb, 8, "b%05zu\n", i);
	}
	struct edit_diff d;
	assert_int_equal(edit_diff_lines(A, a, na, b, nb, &d), 0);
	assert_true(d.approximate);
	assert_int_equal(d.removed, lines);
	assert_int_equal(d.added, lines);
	assert_int_equal(d.lines[0].op, EDIT_DIFF_DEL);
	assert_int_equal(d.lines[lines].op, EDIT_DIFF_ADD);
	assert_int_equal(d.lines[lines].new_no, 1);
	/* The same size with a common head and tail is exact: only the middle
	 * is compared. */
	memcpy(b, a, 7 * 1000);
	memcpy(b + 7 * 1100, a + 7 * 1100, 7 * 1000);
	assert_int_equal(edit_diff_lines(A, a, na, b, nb, &d), 0);
	assert_false(d.approximate);
	assert_int_equal(d.removed, 100);
	assert_int_equal(d.added, 100);
	free(a);
	free(b);
}

static void test_line_cap(void **state)
{
	(void)state;
	size_t n = EDIT_DIFF_MAX_LINES + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, '\n', n);
	struct edit_diff d;
	assert_int_equal(edit_diff_lines(A, big, n, "x", 1, &d), -E2BIG);
	assert_int_equal(edit_diff_lines(A, big, n - 1, "x", 1, &d), 0);
	free(big);
}

static void test_rows_context_and_gaps(void **state)
{
	(void)state;
	char a[1024], b[1024];
	size_t na = 0, nb = 0;
	for (int i = 1; i <= 20; i++) {
		na += (size_t)snprintf(a + na, sizeof a - na, "%d\n", i);
		if (i == 10)
			nb += (size_t)snprintf(b + nb, sizeof b - nb, "ten\n");
		else
			nb += (size_t)snprintf(b + nb, sizeof b - nb, "%d\n", i);
	}
	struct edit_diff d;
	assert_int_equal(edit_diff_lines(A, a, na, b, nb, &d), 0);
	assert_int_equal(d.removed, 1);
	assert_int_equal(d.added, 1);
	struct edit_diff_row *rows;
	size_t n;
	assert_int_equal(edit_diff_rows(A, &d, 2, &rows, &n), 0);
	/* gap(7) 8 9 -10 +ten 11 12 gap(8) */
	assert_int_equal(n, 8);
	assert_null(rows[0].line);
	assert_int_equal(rows[0].skipped, 7);
	assert_int_equal(rows[1].line->old_no, 8);
	assert_int_equal(rows[3].line->op, EDIT_DIFF_DEL);
	assert_int_equal(rows[4].line->op, EDIT_DIFF_ADD);
	assert_int_equal(rows[6].line->new_no, 12);
	assert_null(rows[7].line);
	assert_int_equal(rows[7].skipped, 8);
	/* Context as large as the text: every line, no gap. */
	assert_int_equal(edit_diff_rows(A, &d, 100, &rows, &n), 0);
	assert_int_equal(n, 21);
	for (size_t i = 0; i < n; i++)
		assert_non_null(rows[i].line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_identical, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_empty_sides, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_change_in_middle, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_insert_and_delete_shift_numbers, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_lcs_is_minimal, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_crlf_and_final_newline, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_approximate_past_cap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_line_cap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rows_context_and_gaps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
