/* features/course/pack_course.h — the courses of a content pack
 * (docs/course-format.md): course/SLUG/course.json, its lessons (Markdown
 * with front matter, kind: lesson), knowledge checks, the final test's
 * question pool, branching scenarios and media, read and checked as a whole
 * by pack_load (features/library/pack.h), which reports every problem
 * through the same struct pack_problems; then written into the store with
 * the rest of a pack version (library_import) and read back as files
 * (library_export). Everything lives in the caller's arena. */
#ifndef CSEC_FEATURES_COURSE_PACK_COURSE_H
#define CSEC_FEATURES_COURSE_PACK_COURSE_H

#include "features/library/pack.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define COURSE_MEDIA_MAX_BYTES (64 * 1024 * 1024) /* one media file */
#define COURSE_MEDIA_MAX_TOTAL (512 * 1024 * 1024) /* all media of a pack */
#define COURSE_MAX_ITEMS 500 /* modules, lessons, questions, steps, ... of one list */

struct course_module_def {
	const char *slug, *title, *summary;
	const char *discussion_json; /* ["prompt", ...] */
};

struct course_lesson_def {
	const char *module_slug, *slug;
	int position; /* across the course, from 0 */
	int minutes;
	bool required;
	const char *topics_json; /* [1, 3] */
	const char *scenario; /* NULL: none */
	const char *video, *captions, *transcript; /* "media/x.mp4" or NULL */
	/* from the lesson's file, once found and read */
	const struct pack_page *page;
	const char *html, *toc_json, *sources_json;
};

struct course_question_def {
	const char *id, *type, *prompt, *explanation;
	const char *lesson; /* NULL: none */
	bool check; /* a knowledge check (checks/) or in the final test's pool */
	int topic; /* 0: none */
	int position; /* in its file */
	const char *choices_json; /* [{"id", "text", "correct", "why"}] */
	const char *path;
};

/* One checks/ or questions/ file: what is not per question. */
struct course_qfile_def {
	const char *path;
	const char *lesson; /* checks/ files: the lesson; NULL under questions/ */
	const char *sources_json;
};

struct course_scenario_def {
	const char *slug, *title, *summary, *topics_json, *sources_json, *path;
	const char *body_json; /* the steps, every Markdown field rendered to HTML */
	const char *source_json; /* the file's text, for export */
};

struct course_media_def {
	const char *name; /* "media/intro.mp4" */
	const char *content_type;
	const char *data;
	size_t len;
};

struct pack_course {
	const char *slug, *title, *summary, *audience, *instructor, *visibility;
	const char *path; /* "course/SLUG/course.json" */
	int credit_centihours, order;
	int test_questions, pass_mark, max_attempts, wait_minutes, time_limit_minutes;
	const char *grading;
	const char *topics_json, *sources_json;
	struct course_module_def *modules;
	size_t n_modules;
	struct course_lesson_def *lessons; /* in course order */
	size_t n_lessons;
	struct course_question_def *questions;
	size_t n_questions;
	struct course_qfile_def *qfiles;
	size_t n_qfiles;
	struct course_scenario_def *scenarios;
	size_t n_scenarios;
	struct course_media_def *media;
	size_t n_media;
};

/* 1 when path (inside a pack) is a course file the readers take
 * (course/SLUG/course.json, lessons/NAME.md, checks|questions|scenarios/
 * NAME.json, media/NAME.mp4|webm|vtt|txt); 0 when it is not under course/ or is
 * something passed over; -1 when it is under one of those folders but its
 * name is not allowed. *media is set for a media file (its own size
 * limit). */
int course_pack_path(const char *path, bool *media);

/* Reads and checks every course of the pack's files (pack_load calls it
 * last, once p->pages is set, for the links). Problems go to pr; the courses
 * go to p->courses. Returns 0, or -ENOMEM. */
int course_pack_load(struct arena *a, const struct pack_file *files, size_t n, struct pack *p,
                     struct pack_problems *pr);

/* Writes the courses of p as rows of pack version version_id (inside the
 * import's write transaction), and its media into course_media (source
 * 'pack'). A course slug another pack's active version holds is a problem
 * (pr, then LIBRARY_EINVALID). DB_OK or the store's error. */
int course_pack_import(struct db *db, struct arena *a, const struct pack *p, int64_t version_id,
                       int64_t now, struct pack_problems *pr);

/* Appends the course/ files of version_id to files[*n] (at most max in
 * all): course.json, lessons, checks, questions, scenarios and media, so the
 * export validates and imports again. DB_OK or the store's error. */
int course_pack_export(struct db *db, struct arena *a, int64_t version_id, struct pack_file *files,
                       size_t *n, size_t max);

#endif
