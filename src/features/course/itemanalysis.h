/* features/course/itemanalysis.h — the item analysis of a course's final
 * test (issue 6 point 7; docs/course-test.md): for each question, how many
 * answered it, its difficulty (the share who got it right) and its
 * discrimination (the point-biserial correlation between getting it right
 * and the score of the attempt), with flags for questions that need an
 * author's look. Only submitted attempts with answers count, and only
 * those of learners enrolled through the reader's active organization. */
#ifndef CSEC_FEATURES_COURSE_ITEMANALYSIS_H
#define CSEC_FEATURES_COURSE_ITEMANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

/* The thresholds of the flags. */
#define ITEM_TOO_EASY 0.9 /* difficulty above: almost everyone gets it right */
#define ITEM_TOO_HARD 0.3 /* difficulty below: most get it wrong */
#define ITEM_LOW_DISCRIMINATION                                                                    \
	0.2 /* discrimination below: it does not tell                                              \
	     * strong learners from weak ones */

struct item_stats {
	size_t n; /* answers */
	size_t right;
	double difficulty; /* right / n; 0 when n is 0 */
	bool has_discrimination; /* false when n < 2 or either variable is constant */
	double discrimination; /* point-biserial r, -1..1 */
	bool too_easy, too_hard, low_discrimination, negative;
};

/* The statistics of one question from n pairs: correct[i] 0 or 1 and
 * total[i] the score of the attempt the answer belongs to. Uses GSL's
 * gsl_stats_correlation (Pearson's r, which for a 0/1 variable is the
 * point-biserial correlation). */
void item_stats_compute(const double *correct, const double *total, size_t n,
                        struct item_stats *out);

/* GET /org/training/items?course=SLUG (course.reports). */
int course_item_analysis(struct req *req);

#endif
