/* features/course/itemanalysis_stats.c — the statistics of one test
 * question (see itemanalysis.h), with GSL. A pure function: the unit tests
 * (tests/unit/test_itemanalysis.c) check it against values computed by
 * hand. */
#include "features/course/itemanalysis.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

/* true when every x[i] is the same (a variance of zero: no correlation). */
static bool constant(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return false;
	return true;
}

void item_stats_compute(const double *correct, const double *total, size_t n,
                        struct item_stats *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	for (size_t i = 0; i < n; i++)
		out->right += correct[i] > 0.5;
	if (n == 0)
		return;
	out->difficulty = (double)out->right / (double)n;
	out->too_easy = out->difficulty > ITEM_TOO_EASY;
	out->too_hard = out->difficulty < ITEM_TOO_HARD;
	if (n >= 2 && !constant(correct, n) && !constant(total, n)) {
		double r = gsl_stats_correlation(correct, 1, total, 1, n);
		if (isfinite(r)) {
			/* Rounding leaves about 1e-17 where the exact value is 0:
			 * not a negative correlation. */
			if (fabs(r) < 1e-9)
				r = 0;
			out->has_discrimination = true;
			out->discrimination = r < -1 ? -1 : r > 1 ? 1 : r;
			out->negative = out->discrimination < 0;
			out->low_discrimination = out->discrimination < ITEM_LOW_DISCRIMINATION;
		}
	}
}
