/* features/course/media.h — the course's video, captions and transcripts
 * (issue 6 point 1; docs/course-video.md): served from course_media with
 * byte ranges to whoever may see the course, uploaded and deleted by site
 * admins, and the data the lesson page's player partial
 * (web/templates/course/video/player.html) needs. */
#ifndef CSEC_FEATURES_COURSE_MEDIA_H
#define CSEC_FEATURES_COURSE_MEDIA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct arena;
struct db;

#define COURSE_MEDIA_MAX (64u * 1024 * 1024) /* bytes of one file, as in a pack */
#define COURSE_MEDIA_UPLOAD_BODY (COURSE_MEDIA_MAX + 64u * 1024)
#define COURSE_MEDIA_NAME_MAX 100 /* bytes of the part after "media/" */
#define COURSE_TRANSCRIPT_INLINE_MAX (256u * 1024) /* transcript shown in the page */

/* GET (and HEAD) /courses/{course}/media/{name}. */
int course_media_serve(struct req *req);

/* Site admins: GET /admin/course-media, POST /admin/course-media (upload),
 * POST /admin/course-media/{media}/delete. */
int course_media_admin(struct req *req);
int course_media_upload(struct req *req);
int course_media_delete(struct req *req);

/* The player partial's data for a lesson of course_slug whose video,
 * captions and transcript are the course_media names video_name,
 * captions_name and transcript_name ("media/intro.mp4"; captions and
 * transcript may be NULL): {src, type, captions, transcript_href,
 * transcript (its text when it is at most COURSE_TRANSCRIPT_INLINE_MAX
 * bytes of UTF-8), title}. NULL when video_name is NULL, the video is not
 * in the store, or out of memory. The caller has already decided that the
 * reader may see the course. */
json_t *course_video_json(struct db *db, struct arena *a, const char *course_slug,
                          const char *video_name, const char *captions_name,
                          const char *transcript_name, const char *title);

/* ---- pure helpers (tests/unit/test_course_media.c) ---- */

enum media_range {
	MEDIA_RANGE_NONE, /* no Range header, or one to ignore (bad syntax, other unit) */
	MEDIA_RANGE_ONE, /* one satisfiable range: *first..*last (inclusive) */
	MEDIA_RANGE_MULTI, /* several ranges: answered with the whole body */
	MEDIA_RANGE_UNSATISFIABLE, /* 416 */
};

/* Parses a Range header value against a body of size bytes (RFC 9110
 * §14.1.2: "bytes=a-b", "bytes=a-", "bytes=-n"). */
enum media_range media_range_parse(const char *header, uint64_t size, uint64_t *first,
                                   uint64_t *last);

/* The media file name part ("intro.mp4"): 1..COURSE_MEDIA_NAME_MAX of
 * a-z 0-9 . _ -, starting with a letter or digit, with an extension. */
bool media_name_valid(const char *name);

/* The type of an upload, from its content, agreeing with the name's
 * extension (.mp4 ftyp box, .webm EBML header, .vtt "WEBVTT" in UTF-8, .txt
 * UTF-8 text): the Content-Type to store, or NULL when they disagree. */
const char *media_type_check(const char *name, const unsigned char *p, size_t n);

/* true when the If-None-Match or If-Range value names etag (a quoted
 * strong validator; "*" matches for If-None-Match). */
bool media_etag_match(const char *header, const char *etag, bool star_ok);

#endif
