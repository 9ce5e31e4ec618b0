/* features/library/edit_diff.c — the line diff of edit_diff.h. Lines are
 * hashed once (FNV-1a) so that comparing two is cheap; the common head and
 * tail are matched first, which is all most edits need; what remains is
 * compared with the classic LCS table, in 16-bit cells (the cap on cells
 * keeps the shorter side under 2,000 lines, so a length always fits). */
#include "features/library/edit_diff.h"

#include "core/arena.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;
	uint64_t hash;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* Splits text into lines (arena array in *out). -E2BIG past the limit. */
static int split(struct arena *a, const char *text, size_t len, struct line **out, size_t *n)
{
	size_t count = 0;
	for (size_t i = 0; i < len; i++)
		count += text[i] == '\n';
	if (len > 0 && text[len - 1] != '\n')
		count++;
	*n = 0;
	*out = NULL;
	if (count > EDIT_DIFF_MAX_LINES)
		return -E2BIG;
	if (count == 0)
		return 0;
	struct line *l = arena_calloc(a, count, sizeof *l);
	if (!l)
		return -ENOMEM;
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= len && k < count; i++) {
		if (i < len && text[i] != '\n')
			continue;
		size_t end = i;
		if (end > start && text[end - 1] == '\r')
			end--;
		l[k].p = text + start;
		l[k].len = end - start;
		l[k].hash = fnv1a(l[k].p, l[k].len);
		k++;
		start = i + 1;
	}
	*out = l;
	*n = k;
	return 0;
}

static bool same(const struct line *x, const struct line *y)
{
	return x->hash == y->hash && x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

static void emit(struct edit_diff *d, enum edit_diff_op op, const struct line *l, int old_no,
                 int new_no)
{
	d->lines[d->n++] = (struct edit_diff_line){op, old_no, new_no, l->p, l->len};
	if (op == EDIT_DIFF_ADD)
		d->added++;
	else if (op == EDIT_DIFF_DEL)
		d->removed++;
}

int edit_diff_lines(struct arena *a, const char *old, size_t old_len, const char *new,
                    size_t new_len, struct edit_diff *out)
{
	memset(out, 0, sizeof *out);
	struct line *x, *y;
	size_t n, m;
	int rc = split(a, old ? old : "", old ? old_len : 0, &x, &n);
	if (rc == 0)
		rc = split(a, new ? new : "", new ? new_len : 0, &y, &m);
	if (rc)
		return rc;
	out->lines = arena_calloc(a, n + m + 1, sizeof *out->lines);
	if (!out->lines)
		return -ENOMEM;

	size_t head = 0, tail = 0;
	while (head < n && head < m && same(&x[head], &y[head]))
		head++;
	while (tail < n - head && tail < m - head && same(&x[n - 1 - tail], &y[m - 1 - tail]))
		tail++;
	for (size_t i = 0; i < head; i++)
		emit(out, EDIT_DIFF_SAME, &x[i], (int)i + 1, (int)i + 1);

	const struct line *p = x + head, *q = y + head;
	size_t na = n - head - tail, nb = m - head - tail;
	size_t cells = (na + 1) * (nb + 1); /* at most about 1e10: no overflow */
	uint16_t *t = NULL;
	if (na > 0 && nb > 0 && cells <= EDIT_DIFF_MAX_CELLS) {
		t = arena_alloc(a, cells * sizeof *t);
		if (!t)
			return -ENOMEM;
	} else if (na > 0 && nb > 0) {
		out->approximate = true;
	}
	if (t) {
		/* t[i][j]: the LCS length of p[i..] and q[j..]. */
		size_t w = nb + 1;
		for (size_t j = 0; j <= nb; j++)
			t[na * w + j] = 0;
		for (size_t i = na; i-- > 0;) {
			t[i * w + nb] = 0;
			for (size_t j = nb; j-- > 0;) {
				uint16_t down = t[(i + 1) * w + j], right = t[i * w + j + 1];
				t[i * w + j] = same(&p[i], &q[j])
				        ? (uint16_t)(t[(i + 1) * w + j + 1] + 1)
				        : (down >= right ? down : right);
			}
		}
		size_t i = 0, j = 0;
		while (i < na || j < nb) {
			int on = (int)(head + i) + 1, nn = (int)(head + j) + 1;
			if (i < na && j < nb && same(&p[i], &q[j])) {
				emit(out, EDIT_DIFF_SAME, &p[i], on, nn);
				i++;
				j++;
			} else if (j == nb || (i < na && t[(i + 1) * w + j] >= t[i * w + j + 1])) {
				emit(out, EDIT_DIFF_DEL, &p[i++], on, 0);
			} else {
				emit(out, EDIT_DIFF_ADD, &q[j++], 0, nn);
			}
		}
	} else {
		for (size_t i = 0; i < na; i++)
			emit(out, EDIT_DIFF_DEL, &p[i], (int)(head + i) + 1, 0);
		for (size_t j = 0; j < nb; j++)
			emit(out, EDIT_DIFF_ADD, &q[j], 0, (int)(head + j) + 1);
	}
	for (size_t k = 0; k < tail; k++)
		emit(out, EDIT_DIFF_SAME, &x[n - tail + k], (int)(n - tail + k) + 1,
		     (int)(m - tail + k) + 1);
	return 0;
}

int edit_diff_rows(struct arena *a, const struct edit_diff *d, size_t context,
                   struct edit_diff_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (d->added == 0 && d->removed == 0)
		return 0;
	/* keep[k]: line k is a change or within context of one. */
	bool *keep = arena_calloc(a, d->n ? d->n : 1, sizeof *keep);
	struct edit_diff_row *r = arena_calloc(a, d->n + 1, sizeof *r);
	if (!keep || !r)
		return -ENOMEM;
	size_t last = SIZE_MAX; /* the last change seen, going forward */
	for (size_t k = 0; k < d->n; k++) {
		if (d->lines[k].op != EDIT_DIFF_SAME)
			last = k;
		keep[k] = last != SIZE_MAX && k - last <= context;
	}
	last = SIZE_MAX; /* the next change, going backward */
	for (size_t k = d->n; k-- > 0;) {
		if (d->lines[k].op != EDIT_DIFF_SAME)
			last = k;
		keep[k] = keep[k] || (last != SIZE_MAX && last - k <= context);
	}
	size_t out = 0, skipped = 0;
	for (size_t k = 0; k < d->n; k++) {
		if (!keep[k]) {
			skipped++;
			continue;
		}
		if (skipped)
			r[out++] = (struct edit_diff_row){NULL, skipped};
		skipped = 0;
		r[out++] = (struct edit_diff_row){&d->lines[k], 0};
	}
	if (skipped)
		r[out++] = (struct edit_diff_row){NULL, skipped};
	*rows = r;
	*n = out;
	return 0;
}
