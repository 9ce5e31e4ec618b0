/* features/course/media_model.h — the SQL of the course's media
 * (course_media, 0011): who may see a course, a file's facts and a slice
 * of its bytes, the admin's listing, and uploads kept and deleted. Every
 * function returns DB_OK, DB_DONE when nothing matches (or may not be
 * seen: the two are never told apart), or a negative DB code. Strings live
 * in the caller's arena. */
#ifndef CSEC_FEATURES_COURSE_MEDIA_MODEL_H
#define CSEC_FEATURES_COURSE_MEDIA_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

/* DB_OK when the course is in a pack's active version and the reader
 * (user_id, org_id: 0 for anonymous) may see it: public; members for an
 * active member of an active organization; law_enforcement when that
 * organization is law enforcement; anything for an active site admin. */
int media_course_visible(struct db *db, const char *course_slug, int64_t user_id, int64_t org_id);

struct media_file {
	int64_t id;
	const char *content_type, *sha256, *source;
	uint64_t size;
};

/* The file a course serves under name ("media/intro.mp4"): the upload if
 * there is one, else the pack's. */
int media_file_get(struct db *db, struct arena *a, const char *course_slug, const char *name,
                   struct media_file *out);

/* Copies bytes [offset, offset + len) of file id into out (len bytes,
 * read a slice at a time, never the whole blob for a part). */
int media_file_read(struct db *db, int64_t id, uint64_t offset, uint64_t len, unsigned char *out);

struct media_row {
	int64_t id;
	const char *course_slug, *name, *source, *content_type, *uploaded_by;
	uint64_t size;
	int64_t created_at;
};

#define MEDIA_LIST_MAX 1000

/* Every course_media row (course_slug "" for all), by course, name, source. */
int media_list(struct db *db, struct arena *a, const char *course_slug, struct media_row **out,
               size_t *n);

/* The slugs and titles of the courses in the packs' active versions. */
struct media_course {
	const char *slug, *title;
};
int media_courses(struct db *db, struct arena *a, struct media_course **out, size_t *n);

/* Inside the caller's write transaction: replaces the upload of name in
 * course_slug (if any) with these bytes; *replaced says whether one was. */
int media_upload_put(struct db *db, const char *course_slug, const char *name,
                     const char *content_type, const unsigned char *p, size_t n, const char *sha256,
                     int64_t user_id, int64_t now, int64_t *id, int *replaced);

/* Inside the caller's write transaction: deletes upload id (a pack's file
 * is never deleted here: DB_DONE), giving its course and name. */
int media_upload_delete(struct db *db, struct arena *a, int64_t id, const char **course_slug,
                        const char **name);

#endif
