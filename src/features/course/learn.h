/* features/course/learn.h — the learner's side of the course engine
 * (issue 6, docs/course.md): the course list, a course's overview, lessons
 * with knowledge checks, scenarios, enrolment and progress; the model
 * (learn_model.c, the only file here that writes SQL) and the handlers
 * (learn_pages.c, learn_scenario.c, learn_coverage.c).
 *
 * Every read of course content takes the rows of the ACTIVE version of the
 * pack that holds the course, and whether the reader may see the course is
 * decided in SQL in the same statement (COURSE_VISIBLE). Records (enrolment,
 * progress, answers, scenario runs) are keyed by the course's and lessons'
 * slugs and always filtered by the reader's own user id. Model functions
 * return DB_OK, DB_DONE when what was asked for does not exist or may not be
 * seen (never told apart), or a negative DB code; strings live in the
 * caller's arena. */
#ifndef CSEC_FEATURES_COURSE_LEARN_H
#define CSEC_FEATURES_COURSE_LEARN_H

#include "http/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

#define COURSE_MAX_LIST 200

/* Who may see a course, as SQL: $1 the reader's user id (0: anonymous), $2
 * their active organization (0: none), c the courses row. public: anyone;
 * members: an active member of an active organization; law_enforcement: an
 * active member of an active organization of kind law_enforcement; site
 * admins see every course. */
#define COURSE_VISIBLE                                                                             \
	"(c.visibility = 'public' "                                                                \
	"OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.site_admin = 1 "                   \
	"AND u.status = 'active') "                                                                \
	"OR EXISTS (SELECT 1 FROM memberships m JOIN organizations o ON o.id = m.org_id "          \
	"WHERE m.user_id = $1 AND m.org_id = $2 AND m.status = 'active' AND o.status = 'active' "  \
	"AND (c.visibility = 'members' OR (c.visibility = 'law_enforcement' "                      \
	"AND o.kind = 'law_enforcement'))))"

struct course_info {
	int64_t id; /* the courses row of the active version */
	const char *slug, *title, *summary, *audience, *instructor, *visibility;
	int credit_centihours;
	int test_questions, pass_mark, max_attempts, wait_minutes, time_limit_minutes;
	const char *topics_json;
	int order;
};

struct course_module_info {
	const char *slug, *title, *summary, *discussion_json;
};

struct course_lesson_info {
	int position;
	const char *module_slug, *slug, *title, *summary;
	int minutes;
	bool required;
	const char *topics_json, *scenario_slug, *video_name, *captions_name, *transcript_name;
	const char *reviewed, *sources_json;
	const char *html, *toc_json; /* only from course_lesson_get */
};

struct course_question_info {
	const char *qid, *qtype, *prompt, *choices_json, *explanation;
};

struct course_scenario_info {
	const char *slug, *title, *summary, *topics_json, *body_json;
};

/* The courses the reader may see, by order then title. */
int course_list(struct db *db, struct arena *a, int64_t user_id, int64_t org_id,
                struct course_info **out, size_t *n);
/* One course the reader may see (DB_DONE otherwise). */
int course_get(struct db *db, struct arena *a, int64_t user_id, int64_t org_id, const char *slug,
               struct course_info *out);

int course_modules(struct db *db, struct arena *a, int64_t course_id,
                   struct course_module_info **out, size_t *n);
/* The lessons in course order, without their HTML. */
int course_lessons(struct db *db, struct arena *a, int64_t course_id,
                   struct course_lesson_info **out, size_t *n);
/* One lesson with its HTML and contents. */
int course_lesson_get(struct db *db, struct arena *a, int64_t course_id, const char *slug,
                      struct course_lesson_info *out);
/* A lesson's knowledge checks, in file order (choices_json with the right
 * answers: never sent before the learner has answered). */
int course_checks(struct db *db, struct arena *a, int64_t course_id, const char *lesson,
                  struct course_question_info **out, size_t *n);
int course_scenarios(struct db *db, struct arena *a, int64_t course_id,
                     struct course_scenario_info **out, size_t *n);
int course_scenario_get(struct db *db, struct arena *a, int64_t course_id, const char *slug,
                        struct course_scenario_info *out);

/* ------------------------------------------------------------- records */

struct course_enrolment {
	int64_t id, org_id, enrolled_at, completed_at; /* completed_at 0: not yet */
	const char *last_lesson_slug; /* NULL: none */
	int64_t last_seen_at; /* when a lesson of it was last opened; 0: never */
};

/* The reader's enrolment in course (DB_DONE: not enrolled). */
int course_enrolment_get(struct db *db, struct arena *a, int64_t user_id, const char *course,
                         struct course_enrolment *out);
/* Enrols (inside the caller's write transaction); *created false when the
 * person was enrolled already. */
int course_enrol(struct db *db, int64_t user_id, int64_t org_id, const char *course, int64_t now,
                 bool *created);

struct course_progress {
	const char *lesson_slug;
	int64_t started_at, completed_at; /* 0: not completed */
};

/* The reader's progress rows in course. */
int course_progress_list(struct db *db, struct arena *a, int64_t user_id, const char *course,
                         struct course_progress **out, size_t *n);
/* A lesson opened: its started_at (first time only) and the enrolment's
 * last_lesson_slug and last_seen_at. */
int course_lesson_opened(struct db *db, int64_t user_id, const char *course, const char *lesson,
                         int64_t now);
/* A lesson completed (first time only: *first). */
int course_lesson_completed(struct db *db, int64_t user_id, const char *course, const char *lesson,
                            const char *resume, int64_t now, bool *first);
int course_check_answer_add(struct db *db, int64_t user_id, const char *course, const char *qid,
                            const char *choices_json, bool correct, int64_t now);

/* An assignment of course to the reader in their organization (due_at 0:
 * none). */
int course_assignment_due(struct db *db, int64_t user_id, int64_t org_id, const char *course,
                          int64_t *due_at);

struct course_run {
	int64_t id, started_at, finished_at; /* finished_at 0: under way */
	const char *scenario_slug, *current_step, *path_json;
};

int course_run_start(struct db *db, int64_t user_id, const char *course, const char *scenario,
                     const char *step, int64_t now, int64_t *id);
/* The reader's own run (DB_DONE for another person's or an unknown id). */
int course_run_get(struct db *db, struct arena *a, int64_t user_id, const char *course,
                   const char *scenario, int64_t id, struct course_run *out);
/* Moves an unfinished run from step (as read) on; DB_DONE when it moved
 * since (nothing changed). */
int course_run_advance(struct db *db, int64_t id, int64_t user_id, const char *from_step,
                       const char *to_step, const char *path_json, bool finished, int64_t now);

/* ------------------------------------------------------------ handlers */

int course_index(struct req *req); /* GET /courses */
int course_overview(struct req *req); /* GET /courses/{course} */
int course_enrol_submit(struct req *req); /* POST /courses/{course}/enrol */
int course_lesson_page(struct req *req); /* GET /courses/{course}/lessons/{lesson} */
int course_lesson_check(struct req *req); /* POST .../lessons/{lesson}/check */
int course_lesson_complete(struct req *req); /* POST .../lessons/{lesson}/complete */
int course_scenario_page(struct req *req); /* GET /courses/{course}/scenarios/{scenario} */
int course_scenario_start(struct req *req); /* POST .../scenarios/{scenario}/start */
int course_run_page(struct req *req); /* GET .../scenarios/{scenario}/runs/{run} */
int course_run_choose(struct req *req); /* POST .../scenarios/{scenario}/runs/{run} */
int course_coverage_page(struct req *req); /* GET /courses/{course}/coverage */
int course_api_list(struct req *req); /* GET /api/v1/courses */
int course_api_coverage(struct req *req); /* GET /api/v1/courses/{course}/coverage */

#endif
