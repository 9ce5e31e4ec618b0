/* features/library/edit_diff.h — a line diff of two texts (a page's
 * revisions), for the editor's history and for a waiting starter-pack
 * update: the longest common subsequence of lines after the common head
 * and tail are set aside, bounded in memory. When the part that differs is
 * too big to compare line by line, the result is still a correct diff (all
 * of the old part removed, all of the new added), marked approximate.
 * Everything lives in the caller's arena. */
#ifndef CSEC_FEATURES_LIBRARY_EDIT_DIFF_H
#define CSEC_FEATURES_LIBRARY_EDIT_DIFF_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* Lines each text may hold (past it: -E2BIG), and the largest table
 * (changed old lines x changed new lines) compared line by line: 4 million
 * cells of 2 bytes, 8 MiB of the request's arena. */
#define EDIT_DIFF_MAX_LINES 100000
#define EDIT_DIFF_MAX_CELLS 4000000u

enum edit_diff_op { EDIT_DIFF_SAME, EDIT_DIFF_DEL, EDIT_DIFF_ADD };

struct edit_diff_line {
	enum edit_diff_op op;
	int old_no; /* line number in the old text, from 1; 0 for an added line */
	int new_no; /* in the new text; 0 for a removed line */
	const char *text; /* the line without its end (no '\n', no trailing '\r') */
	size_t len;
};

struct edit_diff {
	struct edit_diff_line *lines; /* in reading order: removals before additions */
	size_t n;
	size_t added, removed;
	bool approximate; /* the changed part was too big to compare line by line */
};

/* Compares old and new (lengths in bytes; need not be NUL-terminated; a
 * final '\n' does not start another line). Returns 0, -ENOMEM, or -E2BIG
 * when a text has more than EDIT_DIFF_MAX_LINES lines. */
int edit_diff_lines(struct arena *a, const char *old, size_t old_len, const char *new,
                    size_t new_len, struct edit_diff *out);

/* For display: the changed lines with up to context unchanged lines around
 * each change; longer runs of unchanged lines become one gap row saying
 * how many lines it stands for. */
struct edit_diff_row {
	const struct edit_diff_line *line; /* NULL for a gap */
	size_t skipped; /* a gap: the unchanged lines it stands for */
};

/* Returns 0 or -ENOMEM; *rows is empty when the texts are the same. */
int edit_diff_rows(struct arena *a, const struct edit_diff *d, size_t context,
                   struct edit_diff_row **rows, size_t *n);

#endif
