/* features/course/attempt_rules.c — the final test's rules as pure
 * functions (see attempt.h): whether an attempt may start, the random draw
 * and the checking and scoring of a submission. No store, no clock: the
 * callers pass the time, so the unit tests (tests/unit/test_attempt.c) can
 * walk every case. */
#include "features/course/attempt.h"

#include "core/crypto.h"

#include <string.h>

bool attempt_ended(const struct attempt_row *row, int64_t now)
{
	return row->submitted_at > 0 || now > row->deadline_at + ATTEMPT_GRACE_SECONDS;
}

void attempt_state_compute(const struct attempt_rules *r, const struct attempt_row *rows, size_t n,
                           bool enrolled, int64_t now, struct attempt_state *out)
{
	const struct attempt_row *last = NULL; /* the latest ended attempt */
	memset(out, 0, sizeof *out);
	out->best = -1;
	out->used = (int)n;
	for (size_t i = 0; i < n; i++) {
		const struct attempt_row *a = &rows[i];
		if (!attempt_ended(a, now)) {
			out->open_id = a->id;
			continue;
		}
		int score = a->submitted_at > 0 ? a->score : 0;
		if (score > out->best)
			out->best = score;
		if (a->submitted_at > 0 && a->passed == 1)
			out->passed = true;
		if (!last || a->number > last->number)
			last = a;
	}
	out->left = out->passed ? 0 : r->max_attempts > out->used ? r->max_attempts - out->used : 0;
	if (!enrolled)
		out->block = ATTEMPT_NOT_ENROLLED;
	else if (out->passed)
		out->block = ATTEMPT_PASSED;
	else if (out->open_id)
		out->block = ATTEMPT_UNDER_WAY;
	else if (out->left == 0)
		out->block = ATTEMPT_LIMIT;
	else if (last && r->wait_minutes > 0) {
		int64_t ended = last->submitted_at > 0 ? last->submitted_at : last->deadline_at;
		int64_t at = ended + (int64_t)r->wait_minutes * 60;
		if (now < at) {
			out->block = ATTEMPT_WAITING;
			out->next_at = at;
		}
	}
	if (out->block == ATTEMPT_OPEN && (r->pool < r->questions || r->questions < 1))
		out->block = ATTEMPT_NO_POOL;
}

uint32_t attempt_random_below(uint32_t n)
{
	/* Values at or above the largest multiple of n are redrawn, so every
	 * remainder has exactly the same number of sources. */
	uint32_t limit = UINT32_MAX - UINT32_MAX % n, v;
	do
		crypto_random(&v, sizeof v);
	while (v >= limit);
	return v % n;
}

int attempt_draw(size_t n, size_t k, size_t *out)
{
	size_t idx[ATTEMPT_MAX_POOL];
	if (k > n || n > ATTEMPT_MAX_POOL)
		return -1;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t i = 0; i < k; i++) {
		size_t j = i + attempt_random_below((uint32_t)(n - i));
		size_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
		out[i] = idx[i];
	}
	return 0;
}

/* The choice of q called id, or NULL. */
static json_t *choice_of(const struct attempt_question *q, const char *id)
{
	size_t i;
	json_t *c;
	json_array_foreach(q->choices, i, c)
	{
		const char *cid = json_string_value(json_object_get(c, "id"));
		if (cid && strcmp(cid, id) == 0)
			return c;
	}
	return NULL;
}

enum attempt_tamper attempt_check_answers(const struct form *f, struct attempt_question *q,
                                          size_t nq, const char **bad_qid)
{
	static const char prefix[] = "answer.";
	*bad_qid = NULL;
	for (size_t i = 0; i < nq; i++)
		q[i].nchosen = 0;
	for (size_t i = 0; i < f->count; i++) {
		const struct form_field *fl = &f->fields[i];
		if (strncmp(fl->name, prefix, sizeof prefix - 1) != 0)
			continue;
		/* "answer.QID[]" is the same field: the page names its
		 * checkboxes so, the way forms name a list. */
		const char *qid = fl->name + sizeof prefix - 1;
		size_t len = strlen(qid);
		if (len >= 2 && strcmp(qid + len - 2, "[]") == 0)
			len -= 2;
		struct attempt_question *it = NULL;
		for (size_t k = 0; k < nq && !it; k++)
			if (strlen(q[k].qid) == len && strncmp(q[k].qid, qid, len) == 0)
				it = &q[k];
		*bad_qid = qid;
		if (!it)
			return ATTEMPT_NOT_DRAWN;
		if (!choice_of(it, fl->value))
			return ATTEMPT_NO_SUCH_CHOICE;
		for (size_t k = 0; k < it->nchosen; k++)
			if (strcmp(it->chosen[k], fl->value) == 0)
				return ATTEMPT_SECOND_CHOICE;
		if ((strcmp(it->qtype, "multiple") != 0 && it->nchosen > 0) ||
		    it->nchosen >= ATTEMPT_MAX_CHOICES)
			return ATTEMPT_SECOND_CHOICE;
		it->chosen[it->nchosen++] = fl->value;
	}
	*bad_qid = NULL;
	return ATTEMPT_ANSWERS_OK;
}

bool attempt_item_correct(const struct attempt_question *q)
{
	size_t right = 0, i;
	json_t *c;
	if (q->nchosen == 0)
		return false;
	json_array_foreach(q->choices, i, c)
	{
		if (!json_is_true(json_object_get(c, "correct")))
			continue;
		right++;
		const char *id = json_string_value(json_object_get(c, "id"));
		bool chosen = false;
		for (size_t k = 0; id && k < q->nchosen && !chosen; k++)
			chosen = strcmp(q->chosen[k], id) == 0;
		if (!chosen)
			return false;
	}
	/* Every right choice was chosen; the ids are distinct, so the same
	 * count means nothing else was. */
	return right == q->nchosen;
}

int attempt_score(int right, int total)
{
	if (total <= 0 || right < 0)
		return 0;
	return (int)((int64_t)right * 100 / total);
}

bool attempt_passes(int right, int total, int pass_mark)
{
	return total > 0 && right >= 0 && (int64_t)right * 100 >= (int64_t)pass_mark * total;
}
