/* auth/admin.c — see admin.h. */
#include "auth/admin.h"

#include "core/arena.h"
#include "db/db.h"

#include <string.h>

/* The text of column i (and its length), "" for NULL. */
static const char *text(struct db_stmt *st, int i, size_t *n)
{
	return db_column_text(st, i, n);
}

/* Appends a new object to list; DB_ENOMEM when either fails. */
static int append(json_t *list, json_t *item)
{
	return item && json_array_append_new(list, item) == 0 ? DB_OK : DB_ENOMEM;
}

/* Runs st (bound, rc so far) to its end, counting the rows it returns. */
static int count_rows(struct db_stmt *st, int rc, int64_t *n)
{
	int64_t rows = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		rows++;
		rc = DB_OK;
	}
	db_finalize(st);
	if (n)
		*n = rows;
	return rc == DB_DONE ? DB_OK : rc;
}

/* ------------------------------------------------------------ counts */

/* {status: count} for every status in names, from a "status, count" query. */
static int status_counts(struct db *db, const char *sql, const char *const *names, size_t k,
                         json_t **out)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < k; i++)
		if (json_object_set_new(o, names[i], json_integer(0)) != 0) {
			json_decref(o);
			o = NULL;
		}
	if (!o)
		return DB_ENOMEM;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK) {
		json_decref(o);
		return rc;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *s = text(st, 0, &n);
		char name[32];
		if (n >= sizeof name)
			continue; /* the schema's CHECK allows no such status */
		memcpy(name, s, n);
		name[n] = '\0';
		if (json_object_set_new(o, name, json_integer(db_column_int64(st, 1))) != 0) {
			rc = DB_ENOMEM;
			break;
		}
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return DB_OK;
}

int admin_counts(struct db *db, json_t **out)
{
	static const char orgs_sql[] = "SELECT status, count(*) FROM organizations GROUP BY status";
	static const char users_sql[] = "SELECT status, count(*) FROM users GROUP BY status";
	static const char *const org_status[] = {"active", "pending", "disabled"};
	static const char *const user_status[] = {"invited", "pending", "active", "locked",
	                                          "disabled"};
	json_t *orgs = NULL, *users = NULL;
	int rc = status_counts(db, orgs_sql, org_status, 3, &orgs);
	if (rc == DB_OK)
		rc = status_counts(db, users_sql, user_status, 5, &users);
	if (rc != DB_OK) {
		json_decref(orgs);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "organizations", orgs, "people", users);
	return *out ? DB_OK : DB_ENOMEM;
}

/* ------------------------------------------------------------ organizations */

int admin_orgs_list(struct db *db, const char *status, const char *search, int64_t page,
                    json_t **out, bool *more)
{
	static const char sql[] =
	        "SELECT o.id, o.slug, o.name, o.kind, o.state, o.status, "
	        "(SELECT count(*) FROM memberships m WHERE m.org_id = o.id "
	        "AND m.status = 'active') "
	        "FROM organizations o "
	        "WHERE (CAST($1 AS TEXT) = '' OR o.status = $1) "
	        "AND (CAST($2 AS TEXT) = '' OR lower(o.name) LIKE $2 ESCAPE '\\') "
	        "ORDER BY lower(o.name), o.id LIMIT $3 OFFSET $4";
	char like[2 * ADMIN_SEARCH_MAX + 8] = "";
	if (search && search[0])
		db_like_pattern(search, true, true, like, sizeof like);
	if (page < 1 || page > ADMIN_LIST_MAX_PAGE)
		return DB_EINVAL;
	json_t *list = json_array();
	struct db_stmt *st;
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	if ((rc = db_bind_text(st, 1, status ? status : "", (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, like, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, ADMIN_LIST_PAGE + 1)) == DB_OK)
		rc = db_bind_int64(st, 4, (page - 1) * ADMIN_LIST_PAGE);
	size_t rows = 0;
	*more = false;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (++rows > ADMIN_LIST_PAGE) {
			*more = true;
			rc = DB_OK;
			continue;
		}
		size_t ns, nn, nk, nst, nss;
		const char *slug = text(st, 1, &ns), *name = text(st, 2, &nn);
		const char *kind = text(st, 3, &nk), *state = text(st, 4, &nst);
		const char *stat = text(st, 5, &nss);
		rc = append(list,
		            json_pack("{s:I, s:s%, s:s%, s:s%, s:s%, s:s%, s:I}", "id",
		                      (json_int_t)db_column_int64(st, 0), "slug", slug, ns, "name",
		                      name, nn, "kind", kind, nk, "state", state, nst, "status",
		                      stat, nss, "members", (json_int_t)db_column_int64(st, 6)));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int admin_orgs_names(struct db *db, int64_t max, json_t **out)
{
	static const char sql[] =
	        "SELECT id, name FROM organizations ORDER BY lower(name), id LIMIT $1";
	json_t *list = json_array();
	struct db_stmt *st;
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	rc = db_bind_int64(st, 1, max);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *name = text(st, 1, &n);
		rc = append(list,
		            json_pack("{s:I, s:s%}", "id", (json_int_t)db_column_int64(st, 0),
		                      "name", name, n));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

static int org_domains(struct db *db, int64_t id, json_t **out)
{
	static const char sql[] = "SELECT domain, auto_approve FROM org_domains WHERE org_id = $1 "
	                          "ORDER BY domain";
	json_t *list = json_array();
	struct db_stmt *st;
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	rc = db_bind_int64(st, 1, id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *domain = text(st, 0, &n);
		rc = append(list,
		            json_pack("{s:s%, s:b}", "domain", domain, n, "auto_approve",
		                      db_column_int64(st, 1) != 0));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int admin_org_get(struct db *db, int64_t id, json_t **out)
{
	static const char sql[] =
	        "SELECT slug, name, kind, state, jurisdiction, time_zone, ori, mfa_required, "
	        "status, created_at FROM organizations WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	json_t *org = NULL;
	if (rc == DB_ROW) {
		size_t n[10];
		const char *v[10];
		for (int i = 0; i < 10; i++)
			v[i] = text(st, i, &n[i]);
		org = json_pack("{s:I, s:s%, s:s%, s:s%, s:s%, s:s%, s:s%, s:s%, s:b, s:s%, s:s%}",
		                "id", (json_int_t)id, "slug", v[0], n[0], "name", v[1], n[1],
		                "kind", v[2], n[2], "state", v[3], n[3], "jurisdiction", v[4], n[4],
		                "time_zone", v[5], n[5], "ori", v[6], n[6], "mfa_required",
		                db_column_int64(st, 7) != 0, "status", v[8], n[8], "created_at",
		                v[9], n[9]);
		rc = org ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return rc;
	json_t *domains = NULL;
	rc = org_domains(db, id, &domains);
	if (rc == DB_OK && json_object_set_new(org, "domains", domains) != 0)
		rc = DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(org);
		return rc;
	}
	*out = org;
	return DB_OK;
}

int admin_org_members(struct db *db, int64_t org_id, json_t **out)
{
	static const char sql[] = "SELECT u.id, u.name, u.email, m.role, m.status, u.status "
	                          "FROM memberships m JOIN users u ON u.id = m.user_id "
	                          "WHERE m.org_id = $1 ORDER BY lower(u.name), u.id";
	json_t *list = json_array();
	struct db_stmt *st;
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	rc = db_bind_int64(st, 1, org_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n[6];
		const char *v[6];
		for (int i = 1; i < 6; i++)
			v[i] = text(st, i, &n[i]);
		rc = append(list,
		            json_pack("{s:I, s:s%, s:s%, s:s%, s:s%, s:s%}", "id",
		                      (json_int_t)db_column_int64(st, 0), "name", v[1], n[1],
		                      "email", v[2], n[2], "role", v[3], n[3], "status", v[4], n[4],
		                      "user_status", v[5], n[5]));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int admin_org_set_place(struct db *db, int64_t id, const char *jurisdiction, const char *time_zone,
                        const char *ori)
{
	static const char sql[] = "UPDATE organizations SET jurisdiction = $2, time_zone = $3, "
	                          "ori = $4 WHERE id = $1 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	int64_t n = 0;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, jurisdiction, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 3, time_zone, (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 4, ori, (size_t)-1);
	rc = count_rows(st, rc, &n);
	return rc == DB_OK && n == 0 ? DB_DONE : rc;
}

int admin_org_set_status(struct db *db, int64_t id, const char *from, const char *to)
{
	static const char sql[] =
	        "UPDATE organizations SET status = $2 WHERE id = $1 AND status <> $2 "
	        "AND (CAST($3 AS TEXT) = '' OR status = $3) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	int64_t n = 0;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, to, (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 3, from ? from : "", (size_t)-1);
	rc = count_rows(st, rc, &n);
	return rc == DB_OK && n == 0 ? DB_DONE : rc;
}

int admin_sessions_end_org(struct db *db, int64_t org_id, int64_t *ended)
{
	static const char sql[] = "DELETE FROM sessions WHERE active_org_id = $1 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return count_rows(st, db_bind_int64(st, 1, org_id), ended);
}

/* ------------------------------------------------------------ people */

int admin_users_list(struct db *db, const char *status, const char *search, int64_t page,
                     json_t **out, bool *more)
{
	/* The page of people first (one more than a page, to know whether
	 * another follows), then their memberships beside them. */
	static const char sql[] =
	        "SELECT u.id, u.name, u.email, u.status, u.site_admin, o.id, o.name, m.role, "
	        "m.status, o.status FROM "
	        "(SELECT id, name, email, status, site_admin FROM users "
	        "WHERE (CAST($1 AS TEXT) = '' OR status = $1) "
	        "AND (CAST($2 AS TEXT) = '' OR lower(name) LIKE $2 ESCAPE '\\' "
	        "OR email LIKE $2 ESCAPE '\\') "
	        "ORDER BY lower(name), id LIMIT $3 OFFSET $4) u "
	        "LEFT JOIN memberships m ON m.user_id = u.id "
	        "LEFT JOIN organizations o ON o.id = m.org_id "
	        "ORDER BY lower(u.name), u.id, lower(o.name), o.id";
	char like[2 * ADMIN_SEARCH_MAX + 8] = "";
	if (search && search[0])
		db_like_pattern(search, true, true, like, sizeof like);
	if (page < 1 || page > ADMIN_LIST_MAX_PAGE)
		return DB_EINVAL;
	json_t *list = json_array();
	struct db_stmt *st;
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	if ((rc = db_bind_text(st, 1, status ? status : "", (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, like, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, ADMIN_LIST_PAGE + 1)) == DB_OK)
		rc = db_bind_int64(st, 4, (page - 1) * ADMIN_LIST_PAGE);
	json_t *person = NULL; /* the last one appended, borrowed */
	int64_t last_id = 0;
	*more = false;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		int64_t id = db_column_int64(st, 0);
		if (id != last_id) {
			if (json_array_size(list) == ADMIN_LIST_PAGE) {
				*more = true;
				rc = DB_OK;
				continue;
			}
			size_t n[5];
			const char *v[5];
			for (int i = 1; i < 4; i++)
				v[i] = text(st, i, &n[i]);
			person = json_pack("{s:I, s:s%, s:s%, s:s%, s:b, s:[]}", "id",
			                   (json_int_t)id, "name", v[1], n[1], "email", v[2], n[2],
			                   "status", v[3], n[3], "site_admin",
			                   db_column_int64(st, 4) != 0, "memberships");
			rc = append(list, person);
			last_id = id;
			if (rc != DB_OK || db_column_is_null(st, 5))
				continue;
		}
		size_t n[10];
		const char *v[10];
		for (int i = 6; i < 10; i++)
			v[i] = text(st, i, &n[i]);
		rc = append(json_object_get(person, "memberships"),
		            json_pack("{s:I, s:s%, s:s%, s:s%, s:s%}", "org_id",
		                      (json_int_t)db_column_int64(st, 5), "org", v[6], n[6], "role",
		                      v[7], n[7], "status", v[8], n[8], "org_status", v[9], n[9]));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int admin_user_get(struct db *db, struct arena *a, int64_t id, struct admin_user *out)
{
	static const char sql[] = "SELECT email, name, status, site_admin FROM users WHERE id = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n;
		const char *v;
		out->id = id;
		v = text(st, 0, &n);
		out->email = arena_strndup(a, v, n);
		v = text(st, 1, &n);
		out->name = arena_strndup(a, v, n);
		v = text(st, 2, &n);
		out->status = arena_strndup(a, v, n);
		out->site_admin = db_column_int64(st, 3) != 0;
		rc = out->email && out->name && out->status ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int admin_user_set_status(struct db *db, int64_t id, const char *from, const char *to)
{
	static const char sql[] = "UPDATE users SET status = $2 WHERE id = $1 AND status <> $2 "
	                          "AND (CAST($3 AS TEXT) = '' OR status = $3) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	int64_t n = 0;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, to, (size_t)-1)) == DB_OK)
		rc = db_bind_text(st, 3, from ? from : "", (size_t)-1);
	rc = count_rows(st, rc, &n);
	return rc == DB_OK && n == 0 ? DB_DONE : rc;
}
