/* auth/orgs.c — see orgs.h. */
#include "auth/orgs.h"

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"

#include <ctype.h>
#include <string.h>

/* ------------------------------------------------------------ validation */

const char *orgs_check_domain(const char *in, char *out, size_t outlen)
{
	struct str s = str_trim(str_from(in ? in : ""));
	if (s.len == 0)
		return "members.domain.missing";
	if (s.len > ORGS_MAX_DOMAIN || s.len >= outlen)
		return "members.domain.invalid";
	if (memchr(s.p, '@', s.len))
		return "members.domain.at";
	size_t label = 0, labels = 1;
	for (size_t i = 0; i < s.len; i++) {
		char c = (char)tolower((unsigned char)s.p[i]);
		out[i] = c;
		if (c == '.') {
			/* An empty label, or one ending in a hyphen. */
			if (label == 0 || out[i - 1] == '-')
				return "members.domain.invalid";
			label = 0;
			labels++;
			continue;
		}
		bool ok =
		        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && label > 0);
		if (!ok || ++label > 63)
			return "members.domain.invalid";
	}
	out[s.len] = '\0';
	if (label == 0 || out[s.len - 1] == '-' || labels < 2)
		return "members.domain.invalid";
	return NULL;
}

const char *orgs_check_ori(const char *in, char *out, size_t outlen)
{
	struct str s = str_trim(str_from(in ? in : ""));
	if (outlen <= ORGS_ORI_LEN)
		return "members.ori.invalid";
	out[0] = '\0';
	if (s.len == 0)
		return NULL;
	if (s.len != ORGS_ORI_LEN)
		return "members.ori.invalid";
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c >= 0x80 || !isalnum(c))
			return "members.ori.invalid";
		out[i] = (char)toupper(c);
	}
	out[s.len] = '\0';
	return NULL;
}

const char *orgs_check_jurisdiction(const char *in)
{
	size_t n = in ? strlen(in) : 0;
	if (n > ORGS_MAX_JURISDICTION || (n && !str_utf8_valid(in, n)))
		return "members.jurisdiction.invalid";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] < ' ' || in[i] == 0x7f)
			return "members.jurisdiction.invalid";
	return NULL;
}

/* A text field of at most max bytes of UTF-8 without control characters
 * (LF and CR allowed when lines). */
static bool text_ok(const char *in, size_t max, bool lines)
{
	size_t n = in ? strlen(in) : 0;
	if (n > max || (n && !str_utf8_valid(in, n)))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if ((c < ' ' || c == 0x7f) && !(lines && (c == '\n' || c == '\r')))
			return false;
	}
	return true;
}

const char *orgs_check_display_name(const char *in)
{
	return text_ok(in, ORGS_MAX_DISPLAY_NAME, false) ? NULL
	                                                 : "library.profile.display_name.invalid";
}

const char *orgs_check_hotline(const char *in)
{
	return text_ok(in, ORGS_MAX_HOTLINE, false) ? NULL : "library.profile.hotline.invalid";
}

const char *orgs_check_law_summary(const char *in)
{
	return text_ok(in, ORGS_MAX_LAW_SUMMARY, true) ? NULL
	                                               : "library.profile.law_summary.invalid";
}

bool orgs_like_pattern(const char *q, char *out, size_t outlen)
{
	struct str s = str_trim(str_from(q ? q : ""));
	if (outlen)
		out[0] = '\0';
	if (s.len == 0 || s.len > ORGS_MAX_QUERY || outlen < 2 * s.len + 3)
		return false;
	char q0[ORGS_MAX_QUERY + 1];
	memcpy(q0, s.p, s.len);
	q0[s.len] = '\0';
	return db_like_pattern(q0, true, true, out, outlen) == 0;
}

/* ---------------------------------------------------------------- helpers */

/* Runs a statement to its end and finalizes it: DB_OK, or the error. */
static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Like finish, for an UPDATE ... RETURNING: DB_OK when it changed a row,
 * DB_DONE when none. */
static int changed_one(struct db_stmt *st, int rc)
{
	bool any = false;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		any = true;
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	return any ? DB_OK : DB_DONE;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

/* -------------------------------------------------------------- settings */

int orgs_lock(struct db *db, int64_t id)
{
	static const char sql[] = "UPDATE organizations SET status = status WHERE id = $1 "
	                          "RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return changed_one(st, db_bind_int64(st, 1, id));
}

int orgs_get(struct db *db, struct arena *a, int64_t id, struct org_settings *out)
{
	static const char sql[] =
	        "SELECT id, name, kind, state, jurisdiction, time_zone, ori, mfa_required, "
	        "display_name, hotline, law_summary FROM organizations WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->name = col(a, st, 1);
		out->kind = col(a, st, 2);
		out->state = col(a, st, 3);
		out->jurisdiction = col(a, st, 4);
		out->time_zone = col(a, st, 5);
		out->ori = col(a, st, 6);
		out->mfa_required = db_column_int64(st, 7) != 0;
		out->display_name = col(a, st, 8);
		out->hotline = col(a, st, 9);
		out->law_summary = col(a, st, 10);
		rc = out->name && out->kind && out->state && out->jurisdiction && out->time_zone &&
		                out->ori && out->display_name && out->hotline && out->law_summary
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int orgs_update(struct db *db, const struct org_settings *s)
{
	static const char sql[] =
	        "UPDATE organizations SET name = $2, state = $3, jurisdiction = $4, "
	        "time_zone = $5, ori = $6, mfa_required = $7, display_name = $8, hotline = $9, "
	        "law_summary = $10 WHERE id = $1 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, s->id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, s->name, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 3, s->state, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 4, s->jurisdiction, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 5, s->time_zone, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 6, s->ori, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 7, s->mfa_required ? 1 : 0)) == DB_OK &&
	    (rc = db_bind_text(st, 8, s->display_name ? s->display_name : "", (size_t)-1)) ==
	            DB_OK &&
	    (rc = db_bind_text(st, 9, s->hotline ? s->hotline : "", (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 10, s->law_summary ? s->law_summary : "", (size_t)-1);
	return changed_one(st, rc);
}

int orgs_domains(struct db *db, struct arena *a, int64_t org_id, struct org_domain **out, size_t *n)
{
	static const char sql[] = "SELECT domain, auto_approve FROM org_domains "
	                          "WHERE org_id = $1 ORDER BY domain";
	/* The limit bounds memory even if the store holds more than the form
	 * allows (rows written by hand). */
	struct org_domain *list = arena_calloc(a, ORGS_MAX_DOMAINS, sizeof *list);
	struct db_stmt *st;
	*n = 0;
	if (!list)
		return DB_ENOMEM;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		rc = DB_OK;
		if (*n == ORGS_MAX_DOMAINS)
			continue;
		list[*n].domain = col(a, st, 0);
		list[*n].auto_approve = db_column_int64(st, 1) != 0;
		if (!list[(*n)++].domain)
			rc = DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	*out = list;
	return DB_OK;
}

int orgs_domains_replace(struct db *db, int64_t org_id, const struct org_domain *d, size_t n)
{
	static const char del[] = "DELETE FROM org_domains WHERE org_id = $1";
	static const char ins[] =
	        "INSERT INTO org_domains (org_id, domain, auto_approve) VALUES ($1, $2, $3)";
	struct db_stmt *st;
	int rc = db_prepare(db, del, &st);
	if (rc != DB_OK)
		return rc;
	rc = finish(st, db_bind_int64(st, 1, org_id));
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		if ((rc = db_prepare(db, ins, &st)) != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
		    (rc = db_bind_text(st, 2, d[i].domain, (size_t)-1)) == DB_OK)
			rc = db_bind_int64(st, 3, d[i].auto_approve ? 1 : 0);
		rc = finish(st, rc);
	}
	return rc;
}

/* --------------------------------------------------------------- members */

static int read_member(struct arena *a, struct db_stmt *st, struct org_member *m)
{
	m->user_id = db_column_int64(st, 0);
	m->name = col(a, st, 1);
	m->email = col(a, st, 2);
	m->role = col(a, st, 3);
	m->status = col(a, st, 4);
	m->user_status = col(a, st, 5);
	return m->name && m->email && m->role && m->status && m->user_status ? DB_OK : DB_ENOMEM;
}

int orgs_members(struct db *db, struct arena *a, int64_t org_id, const char *like, int64_t offset,
                 int64_t limit, struct org_member **out, size_t *n, int64_t *total)
{
	/* lower() on both sides makes the search case-insensitive on both
	 * stores (PostgreSQL's LIKE is case-sensitive); the pattern comes from
	 * orgs_like_pattern, with its wildcards escaped. */
	static const char count_sql[] =
	        "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id "
	        "WHERE m.org_id = $1 AND ($2 = '' OR lower(u.name) LIKE $2 ESCAPE '\\' "
	        "OR lower(u.email) LIKE $2 ESCAPE '\\')";
	static const char sql[] =
	        "SELECT u.id, u.name, u.email, m.role, m.status, u.status "
	        "FROM memberships m JOIN users u ON u.id = m.user_id "
	        "WHERE m.org_id = $1 AND ($2 = '' OR lower(u.name) LIKE $2 ESCAPE '\\' "
	        "OR lower(u.email) LIKE $2 ESCAPE '\\') "
	        "ORDER BY lower(u.name), u.email, u.id LIMIT $3 OFFSET $4";
	const char *pattern = like ? like : "";
	struct db_stmt *st;
	*n = 0;
	*total = 0;
	if (limit <= 0 || limit > 1000 || offset < 0)
		return DB_EINVAL;
	struct org_member *list = arena_calloc(a, (size_t)limit, sizeof *list);
	if (!list)
		return DB_ENOMEM;
	int rc = db_prepare(db, count_sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, pattern, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		*total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_ERR : rc;

	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, pattern, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, limit)) == DB_OK)
		rc = db_bind_int64(st, 4, offset);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = (int64_t)*n < limit ? read_member(a, st, &list[(*n)++]) : DB_OK;
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	*out = list;
	return DB_OK;
}

int orgs_member_get(struct db *db, struct arena *a, int64_t org_id, int64_t user_id,
                    struct org_member *out)
{
	static const char sql[] = "SELECT u.id, u.name, u.email, m.role, m.status, u.status "
	                          "FROM memberships m JOIN users u ON u.id = m.user_id "
	                          "WHERE m.org_id = $1 AND m.user_id = $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK)
		rc = db_bind_int64(st, 2, user_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		rc = read_member(a, st, out);
	db_finalize(st);
	return rc;
}

int orgs_member_set_role(struct db *db, int64_t org_id, int64_t user_id, const char *role)
{
	static const char sql[] = "UPDATE memberships SET role = $3 WHERE org_id = $1 AND "
	                          "user_id = $2 RETURNING user_id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK)
		rc = db_bind_text(st, 3, role, (size_t)-1);
	return changed_one(st, rc);
}

int orgs_member_set_status(struct db *db, int64_t org_id, int64_t user_id, const char *status)
{
	static const char sql[] = "UPDATE memberships SET status = $3 WHERE org_id = $1 AND "
	                          "user_id = $2 RETURNING user_id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK)
		rc = db_bind_text(st, 3, status, (size_t)-1);
	return changed_one(st, rc);
}

int orgs_active_admins(struct db *db, int64_t org_id, int64_t *count)
{
	static const char sql[] =
	        "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id "
	        "WHERE m.org_id = $1 AND m.role = 'org_admin' AND m.status = 'active' "
	        "AND u.status = 'active'";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, org_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*count = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_ERR : rc;
}
