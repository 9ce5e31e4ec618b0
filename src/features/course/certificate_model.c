/* features/course/certificate_model.c — see certificate_model.h. */
#include "features/course/certificate_model.h"

#include "core/arena.h"
#include "db/db.h"

#include <string.h>

/* The columns read_cert expects, and the joins that give them. */
#define CERT_SELECT                                                                                \
	"SELECT c.id, c.code, c.user_id, c.org_id, c.course_slug, c.learner_name, "                \
	"c.course_title, c.provider, c.instructor, c.credit_centihours, c.completed_at, "          \
	"c.score, c.revoked_at, c.revoke_reason, coalesce(r.name, ''), "                           \
	"coalesce(o.time_zone, 'UTC'), coalesce(o.name, ''), coalesce(u.email, '') "               \
	"FROM certificates c LEFT JOIN organizations o ON o.id = c.org_id "                        \
	"LEFT JOIN users r ON r.id = c.revoked_by LEFT JOIN users u ON u.id = c.user_id "

static const char *text(struct arena *a, struct db_stmt *st, int col)
{
	size_t len;
	const char *s = db_column_text(st, col, &len);
	return arena_strndup(a, s ? s : "", s ? len : 0);
}

static int read_cert(struct arena *a, struct db_stmt *st, struct cert *c)
{
	*c = (struct cert){
	        .id = db_column_int64(st, 0),
	        .code = text(a, st, 1),
	        .user_id = db_column_int64(st, 2),
	        .org_id = db_column_int64(st, 3),
	        .course_slug = text(a, st, 4),
	        .learner_name = text(a, st, 5),
	        .course_title = text(a, st, 6),
	        .provider = text(a, st, 7),
	        .instructor = text(a, st, 8),
	        .credit_centihours = db_column_int64(st, 9),
	        .completed_at = db_column_int64(st, 10),
	        .has_score = !db_column_is_null(st, 11),
	        .score = db_column_int64(st, 11),
	        .revoked_at = db_column_is_null(st, 12) ? 0 : db_column_int64(st, 12),
	        .revoke_reason = text(a, st, 13),
	        .revoked_by = text(a, st, 14),
	        .zone = text(a, st, 15),
	        .org_name = text(a, st, 16),
	        .email = text(a, st, 17),
	};
	if (!c->code || !c->course_slug || !c->learner_name || !c->course_title || !c->provider ||
	    !c->instructor || !c->revoke_reason || !c->revoked_by || !c->zone || !c->org_name ||
	    !c->email)
		return DB_ENOMEM;
	/* A revoked certificate always has a time; an odd row with a reason
	 * but no time reads as valid, as the verify page would show it. */
	return DB_OK;
}

/* Steps a prepared statement for at most one certificate. */
static int one_cert(struct arena *a, struct db_stmt *st, struct cert *out, bool *found)
{
	*found = false;
	int rc = db_step(st);
	if (rc == DB_ROW) {
		rc = read_cert(a, st, out);
		*found = rc == DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int cert_by_code(struct db *db, struct arena *a, const char *code, struct cert *out, bool *found)
{
	static const char sql[] = CERT_SELECT "WHERE c.code = $1";
	struct db_stmt *st;
	*found = false;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, code, (size_t)-1)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return one_cert(a, st, out, found);
}

int cert_by_user_course(struct db *db, struct arena *a, int64_t user_id, const char *slug,
                        struct cert *out, bool *found)
{
	static const char sql[] = CERT_SELECT "WHERE c.user_id = $1 AND c.course_slug = $2";
	struct db_stmt *st;
	*found = false;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) != DB_OK ||
	    (rc = db_bind_text(st, 2, slug, (size_t)-1)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return one_cert(a, st, out, found);
}

int cert_by_id(struct db *db, struct arena *a, int64_t id, struct cert *out, bool *found)
{
	static const char sql[] = CERT_SELECT "WHERE c.id = $1";
	struct db_stmt *st;
	*found = false;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return one_cert(a, st, out, found);
}

/* Reads every row of st into a growing arena array. */
static int all_certs(struct arena *a, struct db_stmt *st, size_t cap, struct cert **out, size_t *n)
{
	struct cert *list = arena_calloc(a, cap ? cap : 1, sizeof *list);
	int rc = list ? DB_OK : DB_ENOMEM;
	size_t k = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (k == cap) {
			struct cert *bigger = arena_calloc(a, 2 * cap, sizeof *bigger);
			if (!bigger) {
				rc = DB_ENOMEM;
				break;
			}
			memcpy(bigger, list, k * sizeof *list);
			list = bigger;
			cap *= 2;
		}
		rc = read_cert(a, st, &list[k++]);
	}
	if (rc == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	*out = rc == DB_OK ? list : NULL;
	*n = rc == DB_OK ? k : 0;
	return rc;
}

int cert_search(struct db *db, struct arena *a, const char *code, const char *like, int64_t offset,
                int64_t limit, struct cert **out, size_t *n, int64_t *total)
{
	/* $1 the code ('' none), $2 the name/email pattern ('' none). */
#define CERT_MATCH                                                                                 \
	"(($1 = '' AND $2 = '') OR ($1 <> '' AND c.code = $1) OR "                                 \
	"($2 <> '' AND (lower(c.learner_name) LIKE $2 ESCAPE '\\' OR "                             \
	"lower(coalesce(u.email, '')) LIKE $2 ESCAPE '\\'))) "
	static const char count_sql[] = "SELECT count(*) FROM certificates c "
	                                "LEFT JOIN users u ON u.id = c.user_id WHERE " CERT_MATCH;
	static const char sql[] =
	        CERT_SELECT "WHERE " CERT_MATCH "ORDER BY c.completed_at DESC, c.id DESC "
	                    "LIMIT $3 OFFSET $4";
#undef CERT_MATCH
	struct db_stmt *st;
	*out = NULL;
	*n = 0;
	*total = 0;
	const char *c = code ? code : "", *l = like ? like : "";
	int rc = db_prepare(db, count_sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, c, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, l, (size_t)-1)) == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*total = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return rc < 0 ? rc : DB_ERR;
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, c, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_text(st, 2, l, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_int64(st, 3, limit)) != DB_OK ||
	    (rc = db_bind_int64(st, 4, offset)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return all_certs(a, st, limit > 0 && limit < 64 ? (size_t)limit : 64, out, n);
}

int cert_revoke(struct db *db, int64_t id, int64_t by, const char *reason, int64_t now,
                bool *changed)
{
	static const char sql[] =
	        "UPDATE certificates SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 "
	        "WHERE id = $1 AND revoked_at IS NULL RETURNING id";
	struct db_stmt *st;
	*changed = false;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK && (rc = db_bind_int64(st, 2, now)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, by)) == DB_OK &&
	    (rc = db_bind_text(st, 4, reason, (size_t)-1)) == DB_OK) {
		rc = db_step(st);
		*changed = rc == DB_ROW;
		if (rc == DB_ROW)
			rc = db_step(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int cert_user_list(struct db *db, struct arena *a, int64_t user_id, struct cert **out, size_t *n)
{
	static const char sql[] =
	        CERT_SELECT "WHERE c.user_id = $1 ORDER BY c.completed_at DESC, c.id DESC";
	struct db_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return all_certs(a, st, 8, out, n);
}

int cert_user_in_progress(struct db *db, struct arena *a, int64_t user_id,
                          struct cert_progress **out, size_t *n)
{
	/* The course as the active pack version holds it (the newest such row
	 * when several packs carry the slug); its required lessons, and how
	 * many of them the learner has completed. */
#define ACTIVE_COURSE                                                                              \
	"(SELECT c.id FROM courses c JOIN library_versions v ON v.id = c.version_id "              \
	"WHERE v.active = 1 AND c.slug = e.course_slug ORDER BY c.id DESC LIMIT 1)"
	static const char sql[] =
	        "SELECT e.course_slug, coalesce((SELECT c.title FROM courses c WHERE c.id "
	        "= " ACTIVE_COURSE "), e.course_slug), e.enrolled_at, coalesce(e.last_seen_at, 0), "
	        "(SELECT count(*) FROM course_progress p JOIN course_lessons l "
	        "ON l.slug = p.lesson_slug AND l.course_id = " ACTIVE_COURSE " AND l.required = 1 "
	        "WHERE p.user_id = e.user_id AND p.course_slug = e.course_slug "
	        "AND p.completed_at IS NOT NULL), "
	        "(SELECT count(*) FROM course_lessons l WHERE l.course_id = " ACTIVE_COURSE
	        " AND l.required = 1) "
	        "FROM course_enrolments e WHERE e.user_id = $1 AND e.completed_at IS NULL "
	        "ORDER BY e.enrolled_at DESC, e.id DESC LIMIT 200";
#undef ACTIVE_COURSE
	struct db_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	struct cert_progress *list = arena_calloc(a, 200, sizeof *list);
	size_t k = 0;
	rc = list ? DB_ROW : DB_ENOMEM;
	while (rc == DB_ROW && (rc = db_step(st)) == DB_ROW && k < 200) {
		struct cert_progress *p = &list[k++];
		p->course_slug = text(a, st, 0);
		p->title = text(a, st, 1);
		p->enrolled_at = db_column_int64(st, 2);
		p->last_seen_at = db_column_int64(st, 3);
		p->done = db_column_int64(st, 4);
		p->required = db_column_int64(st, 5);
		if (!p->course_slug || !p->title)
			rc = DB_ENOMEM;
	}
	if (rc == DB_ROW) /* LIMIT 200: a 201st row cannot come */
		rc = DB_DONE;
	if (rc == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	*out = rc == DB_OK ? list : NULL;
	*n = rc == DB_OK ? k : 0;
	return rc;
}

int cert_org_each(struct db *db, int64_t org_id, int64_t from, int64_t to,
                  int (*fn)(void *ctx, const struct cert_org_row *row), void *ctx, int64_t *count)
{
	static const char sql[] =
	        "SELECT c.learner_name, coalesce(u.officer_id, ''), c.course_title, c.provider, "
	        "c.instructor, c.code, c.credit_centihours, c.completed_at "
	        "FROM certificates c LEFT JOIN users u ON u.id = c.user_id "
	        "WHERE c.org_id = $1 AND c.revoked_at IS NULL AND c.completed_at >= $2 "
	        "AND c.completed_at < $3 ORDER BY c.completed_at, c.id";
	struct db_stmt *st;
	*count = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) != DB_OK ||
	    (rc = db_bind_int64(st, 2, from)) != DB_OK ||
	    (rc = db_bind_int64(st, 3, to)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		struct cert_org_row row = {
		        .learner_name = db_column_text(st, 0, NULL),
		        .officer_id = db_column_text(st, 1, NULL),
		        .course_title = db_column_text(st, 2, NULL),
		        .provider = db_column_text(st, 3, NULL),
		        .instructor = db_column_text(st, 4, NULL),
		        .code = db_column_text(st, 5, NULL),
		        .credit_centihours = db_column_int64(st, 6),
		        .completed_at = db_column_int64(st, 7),
		};
		int stop = fn(ctx, &row);
		if (stop) {
			db_finalize(st);
			return stop;
		}
		(*count)++;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int cert_org_zone(struct db *db, struct arena *a, int64_t org_id, const char **zone,
                  const char **name)
{
	static const char sql[] = "SELECT time_zone, name FROM organizations WHERE id = $1";
	struct db_stmt *st;
	*zone = "UTC";
	*name = "";
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*zone = text(a, st, 0);
		*name = text(a, st, 1);
		rc = *zone && *name ? DB_OK : DB_ENOMEM;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}
