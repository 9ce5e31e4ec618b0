/* features/course/media_model.c — see media_model.h. */
#include "features/course/media_model.h"

#include "core/arena.h"
#include "db/db.h"

#include <stdint.h>
#include <string.h>

/* Bytes read from the store per query when a large part is sent. */
#define SLICE (4u * 1024 * 1024)

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

int media_course_visible(struct db *db, const char *course_slug, int64_t user_id, int64_t org_id)
{
	static const char sql[] =
	        "SELECT 1 FROM courses c JOIN library_versions v ON v.id = c.version_id "
	        "AND v.active = 1 WHERE c.slug = $3 AND (c.visibility = 'public' "
	        "OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.site_admin = 1 "
	        "AND u.status = 'active') "
	        "OR EXISTS (SELECT 1 FROM memberships m JOIN organizations o ON o.id = m.org_id "
	        "JOIN users u ON u.id = m.user_id "
	        "WHERE m.user_id = $1 AND m.org_id = $2 AND m.status = 'active' "
	        "AND o.status = 'active' AND u.status = 'active' AND (c.visibility = 'members' "
	        "OR (c.visibility = 'law_enforcement' AND o.kind = 'law_enforcement')))) "
	        "LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id > 0 ? user_id : 0)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id > 0 && org_id > 0 ? org_id : 0)) == DB_OK &&
	    (rc = db_bind_text(st, 3, course_slug, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc;
}

int media_file_get(struct db *db, struct arena *a, const char *course_slug, const char *name,
                   struct media_file *out)
{
	static const char sql[] = "SELECT id, content_type, size, sha256, source FROM course_media "
	                          "WHERE course_slug = $1 AND name = $2 "
	                          "ORDER BY CASE source WHEN 'upload' THEN 0 ELSE 1 END LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, course_slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->content_type = col(a, st, 1);
		int64_t size = db_column_int64(st, 2);
		out->size = size > 0 ? (uint64_t)size : 0;
		out->sha256 = col(a, st, 3);
		out->source = col(a, st, 4);
		rc = out->content_type && out->sha256 && out->source ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int media_file_read(struct db *db, int64_t id, uint64_t offset, uint64_t len, unsigned char *out)
{
	/* SQLite reads the slice alone with its incremental BLOB I/O (a
	 * substr() there would load the whole value first). PostgreSQL's
	 * substring() on a bytea stored uncompressed (0014) reads only the
	 * TOAST chunks of the slice; it counts from 1. */
	if (db_dialect(db) == DB_SQLITE)
		return len > SIZE_MAX
		        ? DB_EINVAL
		        : db_blob_read(db, "course_media", "bytes", id, offset, out, (size_t)len);
	static const char sql[] = "SELECT substring(bytes FROM $2 FOR $3) FROM course_media "
	                          "WHERE id = $1";
	uint64_t done = 0;
	while (done < len) {
		uint64_t want = len - done > SLICE ? SLICE : len - done;
		struct db_stmt *st;
		int rc = db_prepare(db, sql, &st);
		if (rc != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
		    (rc = db_bind_int64(st, 2, (int64_t)(offset + done + 1))) == DB_OK &&
		    (rc = db_bind_int64(st, 3, (int64_t)want)) == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW) {
			size_t n;
			const void *p = db_column_blob(st, 0, &n);
			if (n != want) {
				rc = DB_DONE; /* changed under us: the caller answers 404 */
			} else {
				memcpy(out + done, p, n);
				rc = DB_OK;
			}
		}
		db_finalize(st);
		if (rc != DB_OK)
			return rc;
		done += want;
	}
	return DB_OK;
}

int media_list(struct db *db, struct arena *a, const char *course_slug, struct media_row **out,
               size_t *n)
{
	static const char sql[] =
	        "SELECT m.id, m.course_slug, m.name, m.source, m.content_type, m.size, "
	        "COALESCE(u.email, ''), m.created_at FROM course_media m "
	        "LEFT JOIN users u ON u.id = m.uploaded_by "
	        "WHERE ($1 = '' OR m.course_slug = $1) "
	        "ORDER BY m.course_slug, m.name, m.source DESC LIMIT 1000";
	_Static_assert(MEDIA_LIST_MAX == 1000, "the LIMIT above");
	*n = 0;
	*out = NULL;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	size_t cap = 32;
	struct media_row *list = arena_calloc(a, cap, sizeof *list);
	rc = list ? db_bind_text(st, 1, course_slug ? course_slug : "", (size_t)-1) : DB_ENOMEM;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			struct media_row *bigger = arena_calloc(a, 2 * cap, sizeof *bigger);
			if (!bigger) {
				rc = DB_ENOMEM;
				break;
			}
			memcpy(bigger, list, cap * sizeof *list);
			list = bigger;
			cap *= 2;
		}
		struct media_row *r = &list[(*n)++];
		r->id = db_column_int64(st, 0);
		r->course_slug = col(a, st, 1);
		r->name = col(a, st, 2);
		r->source = col(a, st, 3);
		r->content_type = col(a, st, 4);
		int64_t size = db_column_int64(st, 5);
		r->size = size > 0 ? (uint64_t)size : 0;
		r->uploaded_by = col(a, st, 6);
		r->created_at = db_column_int64(st, 7);
		rc = r->course_slug && r->name && r->source && r->content_type && r->uploaded_by
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	*out = list;
	return rc == DB_DONE ? DB_OK : rc;
}

int media_courses(struct db *db, struct arena *a, struct media_course **out, size_t *n)
{
	static const char sql[] = "SELECT c.slug, MIN(c.title) FROM courses c "
	                          "JOIN library_versions v ON v.id = c.version_id AND v.active = 1 "
	                          "GROUP BY c.slug ORDER BY c.slug LIMIT 500";
	*n = 0;
	*out = NULL;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	struct media_course *list = arena_calloc(a, 500, sizeof *list);
	rc = list ? DB_OK : DB_ENOMEM;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct media_course *c = &list[(*n)++];
		c->slug = col(a, st, 0);
		c->title = col(a, st, 1);
		rc = c->slug && c->title ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	*out = list;
	return rc == DB_DONE ? DB_OK : rc;
}

int media_upload_put(struct db *db, const char *course_slug, const char *name,
                     const char *content_type, const unsigned char *p, size_t n, const char *sha256,
                     int64_t user_id, int64_t now, int64_t *id, int *replaced)
{
	static const char del[] = "DELETE FROM course_media WHERE course_slug = $1 AND name = $2 "
	                          "AND source = 'upload' RETURNING id";
	static const char ins[] =
	        "INSERT INTO course_media (course_slug, name, source, content_type, size, sha256, "
	        "bytes, uploaded_by, created_at) VALUES ($1, $2, 'upload', $3, $4, $5, $6, $7, $8) "
	        "RETURNING id";
	struct db_stmt *st;
	*replaced = 0;
	int rc = db_prepare(db, del, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, course_slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) == DB_OK)
		while ((rc = db_step(st)) == DB_ROW)
			*replaced = 1;
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	if ((rc = db_prepare(db, ins, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, course_slug, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 3, content_type, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, (int64_t)n)) == DB_OK &&
	    (rc = db_bind_text(st, 5, sha256, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_blob(st, 6, p, n)) == DB_OK &&
	    (rc = db_bind_int64(st, 7, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 8, now)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int media_upload_delete(struct db *db, struct arena *a, int64_t id, const char **course_slug,
                        const char **name)
{
	static const char sql[] = "DELETE FROM course_media WHERE id = $1 AND source = 'upload' "
	                          "RETURNING course_slug, name";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*course_slug = col(a, st, 0);
		*name = col(a, st, 1);
		rc = *course_slug && *name ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}
