/* features/course/attempt.h — the course's final test (issue 6 points 3 and
 * 12; docs/course-test.md): its rules as a learner sees them, attempts drawn
 * at random from the course's pool, answers scored on the server, and the
 * results. Three layers:
 *   - rules (attempt_rules.c): pure functions — may an attempt start, the
 *     random draw, the checking and scoring of a submission;
 *   - model (attempt_model.c): the SQL on courses, course_questions,
 *     course_enrolments, course_attempts and course_attempt_items;
 *   - handlers (attempt.c): the pages under /courses/{course}/test.
 * The learner is always the signed-in person: an attempt id of anyone else,
 * or of another course, answers 404 like one that does not exist. */
#ifndef CSEC_FEATURES_COURSE_ATTEMPT_H
#define CSEC_FEATURES_COURSE_ATTEMPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct arena;
struct db;

/* Seconds after the deadline a submission is still taken (the time a page
 * takes to arrive, docs/course-format.md). */
#define ATTEMPT_GRACE_SECONDS 60
/* At most this many questions in one attempt and in one pool (the import
 * keeps packs well inside it; the bound keeps every loop here small). */
#define ATTEMPT_MAX_QUESTIONS 200
#define ATTEMPT_MAX_POOL 2000
/* At most this many choices in one question (the format allows 6). */
#define ATTEMPT_MAX_CHOICES 6

/* ------------------------------------------------------------------ rules */

/* The final test of a course of the active pack version. */
struct attempt_rules {
	int64_t course_id;
	const char *slug;
	const char *title;
	int questions; /* drawn per attempt */
	int pass_mark; /* percent */
	int max_attempts;
	int wait_minutes; /* after a failed attempt */
	int time_limit_minutes;
	const char *grading; /* "highest" */
	int pool; /* test questions in the pool */
};

/* One attempt as stored. submitted_at 0: not submitted; score and passed
 * -1 until then. */
struct attempt_row {
	int64_t id;
	int number;
	int64_t started_at;
	int64_t deadline_at;
	int64_t submitted_at;
	int score;
	int passed;
	int pass_mark;
	bool expired; /* closed for lack of time: submitted, no answer recorded */
};

/* Why a new attempt may not start now. */
enum attempt_block {
	ATTEMPT_OPEN = 0, /* it may */
	ATTEMPT_NOT_ENROLLED,
	ATTEMPT_PASSED, /* passed already: nothing to gain */
	ATTEMPT_UNDER_WAY, /* one is open (open_id) */
	ATTEMPT_LIMIT, /* every attempt used */
	ATTEMPT_WAITING, /* the wait after a failed attempt (until next_at) */
	ATTEMPT_NO_POOL, /* the pool holds fewer questions than an attempt draws */
};

/* What the history says now. An attempt neither submitted nor still open
 * (its deadline and the grace are past) counts as ended, failed, score 0,
 * at its deadline: it is closed that way at the next write
 * (attempt_close_expired). */
struct attempt_state {
	int used; /* attempts started */
	int left; /* attempts that may still start (0 once passed) */
	int best; /* the highest score of an ended attempt; -1: none */
	bool passed;
	int64_t open_id; /* the attempt under way, 0: none */
	int64_t next_at; /* ATTEMPT_WAITING: when the next may start */
	enum attempt_block block;
};

/* true when row has ended at now (submitted, or out of time and grace). */
bool attempt_ended(const struct attempt_row *row, int64_t now);

void attempt_state_compute(const struct attempt_rules *r, const struct attempt_row *rows, size_t n,
                           bool enrolled, int64_t now, struct attempt_state *out);

/* A number in [0, n) from crypto_random, every value equally likely
 * (rejection sampling: no modulo bias). n >= 1. */
uint32_t attempt_random_below(uint32_t n);

/* Draws k of the indices 0..n-1 at random, in random order (the first k
 * steps of a Fisher-Yates shuffle), into out. 0, or -1 when k > n or n is
 * past ATTEMPT_MAX_POOL. */
int attempt_draw(size_t n, size_t k, size_t *out);

/* A question of an attempt as the checker sees it. */
struct attempt_question {
	const char *qid;
	const char *qtype; /* single, multiple, true_false */
	json_t *choices; /* [{"id", "text", "correct", "why"}] (borrowed) */
	/* filled by attempt_check_answers: */
	const char *chosen[ATTEMPT_MAX_CHOICES];
	size_t nchosen;
};

/* Why a submission is refused (tampering: a browser using the page never
 * sends any of these). */
enum attempt_tamper {
	ATTEMPT_ANSWERS_OK = 0,
	ATTEMPT_NOT_DRAWN, /* an answer to a question not in this attempt */
	ATTEMPT_NO_SUCH_CHOICE, /* a choice id the question does not have */
	ATTEMPT_SECOND_CHOICE, /* two choices on a one-choice question, or one twice */
};

/* Reads the submission's fields "answer.QID" (or "answer.QID[]") = choice id into q[].chosen
 * (other fields are not answers and are ignored). The first problem found
 * stops the reading; *bad_qid then names the question (field text, may be
 * NULL). */
enum attempt_tamper attempt_check_answers(const struct form *f, struct attempt_question *q,
                                          size_t nq, const char **bad_qid);

/* true when exactly the right choices and nothing else were chosen (an
 * unanswered question is wrong). */
bool attempt_item_correct(const struct attempt_question *q);

/* The score in percent, rounded down, and whether it passes: right/total
 * at least pass_mark percent, compared exactly (right * 100 >= pass_mark *
 * total). total 0 scores 0 and fails. */
int attempt_score(int right, int total);
bool attempt_passes(int right, int total, int pass_mark);

/* ------------------------------------------------------------------ model */

/* A question of the pool or of an attempt, with its copies. */
struct attempt_item {
	int position;
	const char *qid;
	const char *qtype;
	const char *prompt;
	const char *choices_json;
	const char *explanation;
	const char *answer_json; /* NULL: not answered (not submitted) */
	int correct; /* -1: not scored */
};

/* The final test's rules of the course slug in the active pack version, if
 * the organization org_id may see it (a law_enforcement course: only an
 * organization of that kind). DB_OK, DB_DONE (no such course, or not for
 * this organization), or an error. Strings in a. */
int attempt_rules_get(struct db *db, struct arena *a, const char *slug, int64_t org_id,
                      struct attempt_rules *out);
/* The learner's enrolment: DB_OK with *org_id (0: none), DB_DONE when not
 * enrolled, or an error. */
int attempt_enrolment(struct db *db, int64_t user_id, const char *slug, int64_t *org_id);
/* The learner's attempts at the course, by number (rows in a). */
int attempt_history(struct db *db, struct arena *a, int64_t user_id, const char *slug,
                    struct attempt_row **rows, size_t *n);
/* The course's test questions (purpose 'test'), in pool order. */
int attempt_pool(struct db *db, struct arena *a, int64_t course_id, struct attempt_item **items,
                 size_t *n);
/* Creates attempt number `number` and returns its id; DB_ECONSTRAINT when
 * that number exists (two starts at once). */
int attempt_create(struct db *db, int64_t user_id, const char *slug, int number, int64_t now,
                   int64_t deadline, int pass_mark, int64_t *id);
int attempt_item_add(struct db *db, int64_t attempt_id, const struct attempt_item *it);
/* The learner's attempt id at the course: DB_OK, DB_DONE (none such:
 * another person's, another course's, or no attempt), or an error. */
int attempt_get(struct db *db, int64_t user_id, const char *slug, int64_t id,
                struct attempt_row *out);
int attempt_items(struct db *db, struct arena *a, int64_t attempt_id, struct attempt_item **items,
                  size_t *n);
/* Marks the attempt submitted (only if it was not): DB_OK, or DB_DONE when
 * it was submitted already (a second submission, or two at once). */
int attempt_finish(struct db *db, int64_t attempt_id, int64_t at, int score, bool passed);
int attempt_item_answer(struct db *db, int64_t attempt_id, int position, const char *answer_json,
                        bool correct);

/* Inside the caller's write transaction: closes every attempt of the
 * learner at the course that is out of time and grace as failed with score
 * 0 at its deadline (no answer recorded), with a "failed" learning event
 * each. *closed counts them. */
int attempt_close_expired(struct db *db, int64_t user_id, int64_t org_id, const char *slug,
                          int64_t now, int *closed);

/* --------------------------------------------------------------- handlers */

/* GET /courses/{course}/test: the rules, the past attempts, Start. */
int course_test_overview(struct req *req);
/* POST /courses/{course}/test/start */
int course_test_start(struct req *req);
/* GET /courses/{course}/test/{attempt}: the questions (no answers), or the
 * results once submitted. */
int course_test_attempt(struct req *req);
/* POST /courses/{course}/test/{attempt}: the answers, scored. */
int course_test_submit(struct req *req);

#endif
