/* features/course/media.c — serving the course's media (issue 6 point 1;
 * docs/course-video.md): GET and HEAD /courses/{course}/media/{name} with
 * byte ranges (RFC 9110 §14), an ETag (the file's SHA-256), If-None-Match
 * and If-Range; the parsing helpers; and the player partial's data. A
 * course the reader may not see answers 404, exactly like one that does
 * not exist. */
#include "features/course/media.h"
#include "features/course/media_model.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- helpers */

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Reads decimal digits into *v; false on none or overflow past 2^62. */
static bool digits(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	uint64_t n = 0;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p)) {
		if (n > (UINT64_C(1) << 62) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p++ - '0');
	}
	*v = n;
	*pp = p;
	return true;
}

enum media_range media_range_parse(const char *header, uint64_t size, uint64_t *first,
                                   uint64_t *last)
{
	if (!header)
		return MEDIA_RANGE_NONE;
	const char *p = skip_ows(header);
	if (strncasecmp(p, "bytes", 5) != 0)
		return MEDIA_RANGE_NONE; /* another unit: ignored */
	p = skip_ows(p + 5);
	if (*p != '=')
		return MEDIA_RANGE_NONE;
	p = skip_ows(p + 1);
	/* One range-spec; a comma after it makes the request a multi-range
	 * one, answered with the whole body (checked for syntax first). */
	uint64_t a = 0, b = 0;
	bool has_a = digits(&p, &a), has_b = false;
	if (*p != '-')
		return MEDIA_RANGE_NONE;
	p++;
	has_b = digits(&p, &b);
	if (!has_a && !has_b)
		return MEDIA_RANGE_NONE;
	if (has_a && has_b && b < a)
		return MEDIA_RANGE_NONE; /* invalid: ignored (RFC 9110 §14.1.1) */
	p = skip_ows(p);
	if (*p == ',')
		return MEDIA_RANGE_MULTI;
	if (*p != '\0')
		return MEDIA_RANGE_NONE;
	if (!has_a) { /* suffix: the last b bytes */
		if (b == 0 || size == 0)
			return MEDIA_RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return MEDIA_RANGE_ONE;
	}
	if (a >= size)
		return MEDIA_RANGE_UNSATISFIABLE;
	*first = a;
	*last = has_b && b < size ? b : size - 1;
	return MEDIA_RANGE_ONE;
}

bool media_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > COURSE_MEDIA_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	const char *dot = strrchr(name, '.');
	return dot && dot[1] != '\0' && strstr(name, "..") == NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *media_type_check(const char *name, const unsigned char *p, size_t n)
{
	if (!name || !p || n == 0)
		return NULL;
	if (ends_with(name, ".mp4"))
		return n >= 12 && memcmp(p + 4, "ftyp", 4) == 0 ? "video/mp4" : NULL;
	if (ends_with(name, ".webm"))
		return n >= 4 && memcmp(p, "\x1a\x45\xdf\xa3", 4) == 0 ? "video/webm" : NULL;
	bool vtt = ends_with(name, ".vtt"), txt = ends_with(name, ".txt");
	if (!vtt && !txt)
		return NULL;
	if (!str_utf8_valid((const char *)p, n) || memchr(p, 0, n) != NULL)
		return NULL;
	if (txt)
		return "text/plain; charset=utf-8";
	size_t bom = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (n - bom < 6 || memcmp(p + bom, "WEBVTT", 6) != 0)
		return NULL;
	if (n - bom > 6 && p[bom + 6] != ' ' && p[bom + 6] != '\t' && p[bom + 6] != '\n' &&
	    p[bom + 6] != '\r')
		return NULL;
	return "text/vtt; charset=utf-8";
}

bool media_etag_match(const char *header, const char *etag, bool star_ok)
{
	if (!header || !etag)
		return false;
	const char *p = skip_ows(header);
	if (star_ok && strcmp(p, "*") == 0)
		return true;
	size_t n = strlen(etag);
	/* A list of entity tags; a weak one (W/"...") never matches here:
	 * byte ranges need the strong comparison, and so does this server's
	 * If-None-Match (its tags are all strong). */
	while (*p) {
		p = skip_ows(p);
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && memcmp(p, etag, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

/* ------------------------------------------------------------------ serve */

static void free_body(void *p)
{
	free(p);
}

/* A body of len bytes that outlives the handler: freed with the request's
 * arena, after sending. HEAD gets zeroed memory that is never touched (a
 * large calloc is mapped lazily), so its Content-Length is right without
 * reading the store. */
static unsigned char *body_alloc(struct req *req, size_t len, bool zero)
{
	unsigned char *p = zero ? calloc(1, len ? len : 1) : malloc(len ? len : 1);
	if (!p || arena_defer(req->arena, free_body, p) != 0)
		return NULL; /* arena_defer freed p on failure */
	return p;
}

static bool is_head(const struct req *req)
{
	return strcmp(req->method, "HEAD") == 0;
}

int course_media_serve(struct req *req)
{
	const char *course = req_param(req, "course"), *file = req_param(req, "name");
	if (!course || !file || !media_name_valid(file) || strlen(course) > 64)
		return http_error(req, 404, NULL);
	for (const char *c = course; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return http_error(req, 404, NULL);
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	bool anon = !req->who.authenticated || req->who.must_enrol;
	int rc = media_course_visible(db, course, anon ? 0 : req->who.user_id,
	                              anon ? 0 : req->who.org_id);
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	struct media_file f;
	const char *name = rc == DB_OK ? arena_printf(req->arena, "media/%s", file) : NULL;
	if (rc == DB_OK)
		rc = name ? media_file_get(db, req->arena, course, name, &f) : DB_ENOMEM;
	if (rc == DB_DONE)
		return http_error(req, 404, NULL);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "course media: %s", db_errmsg(db));
		return -1;
	}
	const char *etag = arena_printf(req->arena, "\"%s\"", f.sha256);
	if (!etag)
		return -1;
	/* Members' media must not sit in shared caches; the browser keeps it
	 * and asks again with the ETag. */
	req->resp.cache_control = "private, no-cache";
	http_add_header(req, "Accept-Ranges", "bytes");
	http_add_header(req, "ETag", etag);
	if (media_etag_match(req_header(req, "If-None-Match"), etag, true)) {
		req->resp.status = 304;
		return 0;
	}
	const char *type = ends_with(name, ".vtt") ? "text/vtt; charset=utf-8" : f.content_type;

	uint64_t first = 0, last = f.size ? f.size - 1 : 0;
	enum media_range r = media_range_parse(req_header(req, "Range"), f.size, &first, &last);
	/* If-Range: the range only while the file is still the one the client
	 * had (a date, or another tag, gets the whole new file). */
	const char *if_range = req_header(req, "If-Range");
	if (r != MEDIA_RANGE_NONE && if_range && !media_etag_match(if_range, etag, false))
		r = MEDIA_RANGE_NONE;
	if (r == MEDIA_RANGE_UNSATISFIABLE) {
		const char *cr =
		        arena_printf(req->arena, "bytes */%llu", (unsigned long long)f.size);
		if (!cr)
			return -1;
		http_add_header(req, "Content-Range", cr);
		return http_error(req, 416, NULL);
	}
	int status = 200;
	if (r == MEDIA_RANGE_ONE) {
		const char *cr =
		        arena_printf(req->arena, "bytes %llu-%llu/%llu", (unsigned long long)first,
		                     (unsigned long long)last, (unsigned long long)f.size);
		if (!cr)
			return -1;
		http_add_header(req, "Content-Range", cr);
		status = 206;
	} else {
		/* no Range, one to ignore, or several: the whole body */
		first = 0;
		last = f.size ? f.size - 1 : 0;
	}
	size_t len = f.size ? (size_t)(last - first + 1) : 0;
	unsigned char *body = body_alloc(req, len, is_head(req));
	if (!body)
		return -ENOMEM;
	if (!is_head(req) && len > 0) {
		rc = media_file_read(db, f.id, first, len, body);
		if (rc == DB_DONE)
			return http_error(req, 404, NULL);
		if (rc != DB_OK) {
			log_msg(LOG_ERROR, "course media: reading: %s", db_errmsg(db));
			return -1;
		}
	}
	req->resp.status = status;
	req->resp.content_type = type;
	req->resp.fixed = body;
	req->resp.fixed_len = len;
	return 0;
}

/* ------------------------------------------------------------ player data */

json_t *course_video_json(struct db *db, struct arena *a, const char *course_slug,
                          const char *video_name, const char *captions_name,
                          const char *transcript_name, const char *title)
{
	struct media_file v, c, t;
	if (captions_name && !captions_name[0])
		captions_name = NULL;
	if (transcript_name && !transcript_name[0])
		transcript_name = NULL;
	if (!db || !course_slug || !video_name || !video_name[0] ||
	    media_file_get(db, a, course_slug, video_name, &v) != DB_OK)
		return NULL;
	json_t *o = json_pack("{s:s?, s:s, s:s?}", "src",
	                      arena_printf(a, "/courses/%s/%s", course_slug, video_name), "type",
	                      v.content_type, "title", title);
	if (!o)
		return NULL;
	if (captions_name && media_file_get(db, a, course_slug, captions_name, &c) == DB_OK)
		json_object_set_new(
		        o, "captions",
		        json_string(arena_printf(a, "/courses/%s/%s", course_slug, captions_name)));
	if (transcript_name && media_file_get(db, a, course_slug, transcript_name, &t) == DB_OK) {
		json_object_set_new(o, "transcript_href",
		                    json_string(arena_printf(a, "/courses/%s/%s", course_slug,
		                                             transcript_name)));
		unsigned char *text = t.size <= COURSE_TRANSCRIPT_INLINE_MAX
		        ? arena_alloc(a, (size_t)t.size + 1)
		        : NULL;
		if (text && media_file_read(db, t.id, 0, t.size, text) == DB_OK &&
		    str_utf8_valid((const char *)text, (size_t)t.size)) {
			text[t.size] = '\0';
			json_object_set_new(o, "transcript",
			                    json_stringn((const char *)text, (size_t)t.size));
		}
	}
	return o;
}
