/* features/library/admin_model.c — see admin_model.h: the waiting upload
 * of /admin/content, clearing a recorded review, and the .zip writer of
 * the pack's download. */
#include "features/library/admin_model.h"

#include "audit/audit.h"
#include "core/arena.h"
#include "db/db.h"
#include "features/library/pack.h"
#include "features/library/store.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* Runs a statement without results to its end and finalizes it. */
static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

/* ------------------------------------------------------------- uploads */

int library_upload_put(struct db *db, int64_t session_id, int64_t user_id, const char *name,
                       const char *sha256, const void *data, size_t len, int64_t now)
{
	static const char expired_sql[] = "DELETE FROM library_uploads WHERE created_at < $1";
	static const char mine_sql[] = "DELETE FROM library_uploads WHERE session_id = $1";
	static const char insert_sql[] =
	        "INSERT INTO library_uploads (session_id, user_id, created_at, file_name, sha256, "
	        "bytes) VALUES ($1, $2, $3, $4, $5, $6)";
	if (len > LIBRARY_UPLOAD_MAX || session_id <= 0 || user_id <= 0)
		return DB_EINVAL;
	struct db_stmt *st;
	int rc = db_begin_write(db);
	if (rc == DB_OK && (rc = db_prepare(db, expired_sql, &st)) == DB_OK)
		rc = finish(st, db_bind_int64(st, 1, now - LIBRARY_UPLOAD_TTL));
	if (rc == DB_OK && (rc = db_prepare(db, mine_sql, &st)) == DB_OK)
		rc = finish(st, db_bind_int64(st, 1, session_id));
	if (rc == DB_OK && (rc = db_prepare(db, insert_sql, &st)) == DB_OK) {
		if ((rc = db_bind_int64(st, 1, session_id)) == DB_OK &&
		    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
		    (rc = db_bind_int64(st, 3, now)) == DB_OK &&
		    (rc = db_bind_text(st, 4, name, strnlen(name, LIBRARY_UPLOAD_NAME_MAX))) ==
		            DB_OK &&
		    (rc = db_bind_text(st, 5, sha256, (size_t)-1)) == DB_OK)
			rc = db_bind_blob(st, 6, data, len);
		rc = finish(st, rc);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

int library_upload_take(struct db *db, struct arena *a, int64_t session_id, const char *sha256,
                        int64_t now, struct library_upload *out)
{
	static const char sql[] = "DELETE FROM library_uploads WHERE session_id = $1 AND "
	                          "sha256 = $2 AND created_at >= $3 "
	                          "RETURNING created_at, file_name, sha256, bytes";
	memset(out, 0, sizeof *out);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, session_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, sha256, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now - LIBRARY_UPLOAD_TTL)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n = 0;
		const void *p = db_column_blob(st, 3, &n);
		out->created_at = db_column_int64(st, 0);
		out->name = col(a, st, 1);
		out->sha256 = col(a, st, 2);
		void *copy = n <= LIBRARY_UPLOAD_MAX ? arena_alloc(a, n ? n : 1) : NULL;
		if (copy && n)
			memcpy(copy, p, n);
		out->data = copy;
		out->len = n;
		rc = out->name && out->sha256 && copy ? DB_OK : DB_ENOMEM;
		/* The statement runs to its end, so the delete is done. */
		if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
			rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int library_upload_delete(struct db *db, int64_t session_id)
{
	static const char sql[] = "DELETE FROM library_uploads WHERE session_id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_int64(st, 1, session_id));
}

/* -------------------------------------------------------------- review */

int library_review_clear(struct db *db, struct arena *a, const uint8_t key[32],
                         const struct library_actor *who, int64_t version_id)
{
	static const char read_sql[] =
	        "SELECT pack, version, reviewer, reviewer_role, reviewed_on FROM library_versions "
	        "WHERE id = $1 AND reviewed_on IS NOT NULL";
	static const char clear_sql[] =
	        "UPDATE library_versions SET reviewer = NULL, reviewer_role = NULL, "
	        "reviewed_on = NULL, review_recorded_by = NULL, review_recorded_at = NULL "
	        "WHERE id = $1";
	const char *v[5] = {0};
	struct db_stmt *st;
	int rc = db_begin_write(db);
	if (rc == DB_OK && (rc = db_prepare(db, read_sql, &st)) == DB_OK) {
		rc = db_bind_int64(st, 1, version_id);
		if (rc == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW) {
			rc = DB_OK;
			for (int i = 0; i < 5; i++)
				if (!(v[i] = col(a, st, i)))
					rc = DB_ENOMEM;
		}
		db_finalize(st);
	}
	if (rc == DB_OK && (rc = db_prepare(db, clear_sql, &st)) == DB_OK)
		rc = finish(st, db_bind_int64(st, 1, version_id));
	char *detail = NULL;
	if (rc == DB_OK) {
		/* What was cleared, so the log keeps the review the page no
		 * longer shows. */
		json_t *d =
		        json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "pack", v[0], "version", v[1],
		                  "cleared", "reviewer", v[2], "role", v[3], "date", v[4]);
		detail = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(d);
		rc = detail ? DB_OK : DB_ENOMEM;
	}
	if (rc == DB_OK) {
		char target[24];
		snprintf(target, sizeof target, "%lld", (long long)version_id);
		struct audit_event e = {
		        .actor_user_id = who->user_id,
		        .actor = who->name && who->name[0] ? who->name : "system",
		        .org_id = who->org_id,
		        .action = "library.pack.review.clear",
		        .target_type = "content_pack_version",
		        .target_id = target,
		        .outcome = "success",
		        .source = who->source,
		        .detail_json = detail,
		};
		rc = audit_append(db, key, &e);
	}
	free(detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

/* ---------------------------------------------------------------- diff */

static int add_ref(struct arena *a, struct library_page_ref **list, size_t *n, size_t *all,
                   size_t max, const char *slug, const char *title)
{
	(*all)++;
	if (*n >= max)
		return DB_OK;
	if (!*list && !(*list = arena_calloc(a, max, sizeof **list)))
		return DB_ENOMEM;
	(*list)[(*n)++] = (struct library_page_ref){slug, title};
	return DB_OK;
}

int library_pack_diff(struct db *db, struct arena *a, const struct pack *p, size_t max,
                      struct library_diff *out)
{
	static const char sql[] = "SELECT slug, title, COALESCE(pack, ''), published, "
	                          "locally_edited FROM library_pages WHERE org_id IS NULL "
	                          "ORDER BY slug";
	memset(out, 0, sizeof *out);
	bool *seen = arena_calloc(a, p->n_pages ? p->n_pages : 1, sizeof *seen);
	if (!seen)
		return DB_ENOMEM;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *slug = db_column_text(st, 0, &n);
		const struct pack_page *pg = pack_find(p, slug);
		const char *pack = db_column_text(st, 2, &n);
		bool mine = strcmp(pack, p->meta.id) == 0;
		bool published = db_column_int64(st, 3) != 0, edited = db_column_int64(st, 4) != 0;
		rc = DB_OK;
		if (pg)
			seen[pg - p->pages] = true;
		if (!mine || (pg && !edited) || (!pg && (edited || !published)))
			continue;
		const char *s = col(a, st, 0), *t = col(a, st, 1);
		if (!s || !t)
			rc = DB_ENOMEM;
		else if (pg)
			rc = add_ref(a, &out->edited, &out->n_edited, &out->all_edited, max, s, t);
		else
			rc = add_ref(a, &out->removed, &out->n_removed, &out->all_removed, max, s,
			             t);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	rc = DB_OK;
	for (size_t i = 0; rc == DB_OK && i < p->n_pages; i++)
		if (!seen[i])
			rc = add_ref(a, &out->added, &out->n_added, &out->all_added, max,
			             p->pages[i].slug, p->pages[i].title);
	return rc;
}

/* ----------------------------------------------------------------- zip */

int library_zip_write(struct arena *a, const struct pack_file *files, size_t n, size_t max,
                      const void **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	zip_error_fini(&ze);
	if (!z) {
		if (src)
			zip_source_free(src);
		return -ENOMEM;
	}
	/* Read the archive back from src once zip_close has written it. */
	zip_source_keep(src);
	int rc = 0;
	size_t total = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* The uncompressed total bounds the work; the archive is never
		 * bigger than its contents by more than its headers. */
		total += files[i].len;
		if (total > max) {
			rc = -E2BIG;
			break;
		}
		zip_source_t *fs = zip_source_buffer(z, files[i].data, files[i].len, 0);
		zip_int64_t idx = fs ? zip_file_add(z, files[i].path, fs, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			if (fs)
				zip_source_free(fs);
			rc = zip_error_code_zip(zip_get_error(z)) == ZIP_ER_MEMORY ? -ENOMEM
			                                                           : -EINVAL;
		}
	}
	if (rc != 0) {
		zip_discard(z);
		zip_source_free(src);
		return rc;
	}
	if (zip_close(z) != 0) {
		rc = zip_error_code_zip(zip_get_error(z)) == ZIP_ER_MEMORY ? -ENOMEM : -EINVAL;
		zip_discard(z);
		zip_source_free(src);
		return rc;
	}
	zip_stat_t zs;
	zip_stat_init(&zs);
	if (zip_source_is_deleted(src)) {
		/* No files: libzip writes no archive at all. An empty zip is the
		 * end-of-central-directory record alone. */
		static const unsigned char empty[22] = {0x50, 0x4b, 0x05, 0x06};
		zip_source_free(src);
		*out = empty;
		*len = sizeof empty;
		return 0;
	}
	if (zip_source_stat(src, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) || zs.size > max ||
	    zip_source_open(src) != 0) {
		zip_source_free(src);
		return zs.valid & ZIP_STAT_SIZE && zs.size > max ? -E2BIG : -ENOMEM;
	}
	char *data = arena_alloc(a, (size_t)zs.size ? (size_t)zs.size : 1);
	zip_int64_t got = data ? zip_source_read(src, data, zs.size) : -1;
	zip_source_close(src);
	zip_source_free(src);
	if (got < 0 || (zip_uint64_t)got != zs.size)
		return -ENOMEM;
	*out = data;
	*len = (size_t)zs.size;
	return 0;
}

/* ---------------------------------------------------------------- dates */

bool library_date_valid(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}
