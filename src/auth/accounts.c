/* auth/accounts.c — see accounts.h. */
#include "auth/accounts.h"

#include "core/arena.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/settings.h"

#include <jansson.h>

#include <ctype.h>
#include <string.h>

#define MAX_EMAIL 254
#define MAX_NAME 200

static const char *const org_kinds[] = {
        "law_enforcement", "prosecutor",       "child_welfare",    "victim_services",
        "school",          "juvenile_justice", "probation_parole", "health",
        "community",       "federal",          "coordinator",
};

static const char *const roles[] = {"org_admin", "leader",  "trainer", "editor",
                                    "officer",   "partner", "analyst"};

static bool in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

const char *accounts_check_email(const char *in, char *out, size_t outlen)
{
	struct str s = str_trim(str_from(in ? in : ""));
	if (s.len == 0)
		return "account.email.missing";
	if (s.len > MAX_EMAIL || s.len >= outlen)
		return "account.email.invalid";
	const char *at = memchr(s.p, '@', s.len);
	size_t local = at ? (size_t)(at - s.p) : 0;
	if (!at || local == 0 || local == s.len - 1 || memchr(at + 1, '@', s.len - local - 1) ||
	    !memchr(at + 1, '.', s.len - local - 1))
		return "account.email.invalid";
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',')
			return "account.email.invalid";
		out[i] = (char)tolower(c);
	}
	out[s.len] = '\0';
	if (!str_utf8_valid(out, s.len))
		return "account.email.invalid";
	return NULL;
}

const char *accounts_check_name(const char *name)
{
	struct str s = str_trim(str_from(name ? name : ""));
	if (s.len == 0)
		return "account.name.missing";
	if (s.len > MAX_NAME || !str_utf8_valid(s.p, s.len))
		return "account.name.invalid";
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < ' ' || s.p[i] == 0x7f)
			return "account.name.invalid";
	return NULL;
}

const char *accounts_check_slug(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n < 2 || n > 64 || slug[0] == '-' || slug[n - 1] == '-')
		return "org.slug.invalid";
	for (size_t i = 0; i < n; i++)
		if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') ||
		      slug[i] == '-'))
			return "org.slug.invalid";
	return NULL;
}

const char *accounts_check_org_kind(const char *kind)
{
	return in_list(kind, org_kinds, sizeof org_kinds / sizeof org_kinds[0])
	        ? NULL
	        : "org.kind.invalid";
}

const char *accounts_check_role(const char *role)
{
	return in_list(role, roles, sizeof roles / sizeof roles[0]) ? NULL : "account.role.invalid";
}

const char *accounts_check_state(const char *state)
{
	if (!state || !state[0])
		return NULL;
	if (strlen(state) != 2 || !isupper((unsigned char)state[0]) ||
	    !isupper((unsigned char)state[1]))
		return "org.state.invalid";
	return NULL;
}

void accounts_slugify(const char *name, char *out, size_t outlen)
{
	size_t n = 0;
	bool dash = false;
	for (const char *p = name; *p && n + 1 < outlen && n < 64; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) && c < 0x80) {
			if (dash && n > 0)
				out[n++] = '-';
			dash = false;
			if (n + 1 < outlen)
				out[n++] = (char)tolower(c);
		} else {
			dash = true;
		}
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

/* Runs a statement whose only result is one id (INSERT ... RETURNING id). */
static int returning_id(struct db_stmt *st, int64_t *id)
{
	int rc = db_step(st);
	if (rc == DB_ROW) {
		if (id)
			*id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int accounts_org_create(struct db *db, const char *slug, const char *name, const char *kind,
                        const char *state, int64_t *id)
{
	static const char sql[] = "INSERT INTO organizations (slug, name, kind, state) "
	                          "VALUES ($1, $2, $3, $4) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, slug, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_text(st, 3, kind, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_text(st, 4, state ? state : "", (size_t)-1)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return returning_id(st, id);
}

/* Runs a lookup of one id by one text parameter. */
static int id_by_text(struct db *db, const char *sql, const char *value, int64_t *id)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(st, 1, value, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int accounts_org_by_slug(struct db *db, const char *slug, int64_t *id)
{
	static const char sql[] = "SELECT id FROM organizations WHERE slug = $1";
	return id_by_text(db, sql, slug, id);
}

int accounts_user_create(struct db *db, const char *email, const char *name,
                         const char *password_hash, bool site_admin, int64_t *id)
{
	/* Users made here are active with a verified email (DESIGN.md §4). */
	static const char sql[] = "INSERT INTO users (email, name, password_hash, status, "
	                          "site_admin, email_verified) "
	                          "VALUES ($1, $2, $3, 'active', $4, 1) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, email, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_text(st, 2, name, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_text(st, 3, password_hash, (size_t)-1)) != DB_OK ||
	    (rc = db_bind_int64(st, 4, site_admin ? 1 : 0)) != DB_OK) {
		db_finalize(st);
		return rc;
	}
	return returning_id(st, id);
}

int accounts_user_by_email(struct db *db, struct arena *a, const char *email,
                           struct account_user *out)
{
	static const char sql[] = "SELECT id, email, name, password_hash, status, site_admin "
	                          "FROM users WHERE email = $1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_text(st, 1, email, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n;
		const char *v;
		out->id = db_column_int64(st, 0);
		v = db_column_text(st, 1, &n);
		out->email = arena_strndup(a, v, n);
		v = db_column_text(st, 2, &n);
		out->name = arena_strndup(a, v, n);
		v = db_column_text(st, 3, &n);
		out->password_hash = arena_strndup(a, v, n);
		v = db_column_text(st, 4, &n);
		out->status = arena_strndup(a, v, n);
		out->site_admin = db_column_int64(st, 5) != 0;
		rc = out->email && out->name && out->password_hash && out->status ? DB_OK
		                                                                  : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int accounts_user_email(struct db *db, struct arena *a, int64_t id, const char **email)
{
	static const char sql[] = "SELECT email FROM users WHERE id = $1 AND status = 'active'";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n;
		const char *v = db_column_text(st, 0, &n);
		*email = arena_strndup(a, v, n);
		rc = *email ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	return rc;
}

int accounts_membership_add(struct db *db, int64_t user_id, int64_t org_id, const char *role)
{
	static const char sql[] =
	        "INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 3, role, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int accounts_first_membership(struct db *db, int64_t user_id, int64_t *org_id)
{
	static const char sql[] = "SELECT m.org_id FROM memberships m "
	                          "JOIN organizations o ON o.id = m.org_id "
	                          "WHERE m.user_id = $1 AND o.status = 'active' "
	                          "AND m.status = 'active' ORDER BY o.name, o.id LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, user_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*org_id = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int accounts_site_admin_exists(struct db *db, bool *exists)
{
	static const char sql[] = "SELECT 1 FROM users WHERE site_admin = 1 LIMIT 1";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	*exists = rc == DB_ROW;
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int accounts_memberships(struct db *db, int64_t user_id, json_t **out)
{
	static const char sql[] =
	        "SELECT o.id, o.name, m.role FROM memberships m "
	        "JOIN organizations o ON o.id = m.org_id "
	        "WHERE m.user_id = $1 AND o.status = 'active' AND m.status = 'active' "
	        "ORDER BY o.name, o.id";
	struct db_stmt *st;
	json_t *list = json_array();
	int rc = list ? db_prepare(db, sql, &st) : DB_ENOMEM;
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	rc = db_bind_int64(st, 1, user_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t n, r;
		const char *name = db_column_text(st, 1, &n);
		const char *role = db_column_text(st, 2, &r);
		rc = json_array_append_new(list,
		                           json_pack("{s:I, s:s%, s:s%}", "id",
		                                     (json_int_t)db_column_int64(st, 0), "name",
		                                     name, n, "role", role, r)) == 0
		        ? DB_OK
		        : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int accounts_is_member(struct db *db, int64_t user_id, int64_t org_id)
{
	static const char sql[] =
	        "SELECT 1 FROM memberships m JOIN organizations o ON o.id = m.org_id "
	        "WHERE m.user_id = $1 AND m.org_id = $2 AND o.status = 'active' "
	        "AND m.status = 'active'";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, org_id);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc;
}

int accounts_zone_for_email(struct db *db, struct arena *a, const char *email, const char **zone)
{
	static const char sql[] = "SELECT o.time_zone FROM org_domains d JOIN organizations o "
	                          "ON o.id = d.org_id WHERE d.domain = $1 ORDER BY o.id LIMIT 1";
	const char *at = email ? strrchr(email, '@') : NULL;
	*zone = NULL;
	struct db_stmt *st;
	int rc = DB_DONE;
	if (at && at[1]) {
		if ((rc = db_prepare(db, sql, &st)) != DB_OK)
			return rc;
		if ((rc = db_bind_text(st, 1, at + 1, (size_t)-1)) == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW) {
			size_t n;
			const char *z = db_column_text(st, 0, &n);
			*zone = arena_strndup(a, z, n);
			rc = *zone ? DB_OK : DB_ENOMEM;
		}
		db_finalize(st);
	}
	if (rc == DB_DONE)
		rc = db_setting_get(db, a, "deployment.time_zone", zone);
	if (rc == DB_OK && (!*zone || !(*zone)[0]))
		*zone = "UTC";
	return rc;
}

const char *accounts_check_officer_id(const char *in, char *out, size_t outlen)
{
	struct str s = str_trim(str_from(in ? in : ""));
	bool alnum = false;
	if (outlen == 0)
		return "officer_id.invalid";
	out[0] = '\0';
	if (s.len == 0)
		return NULL;
	if (s.len > ACCOUNTS_OFFICER_ID_MAX || s.len >= outlen)
		return "officer_id.too_long";
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		bool digit = c >= '0' && c <= '9';
		if (!letter && !digit && c != ' ' && c != '-' && c != '.' && c != '/')
			return "officer_id.invalid";
		alnum = alnum || letter || digit;
	}
	if (!alnum)
		return "officer_id.invalid";
	memcpy(out, s.p, s.len);
	out[s.len] = '\0';
	return NULL;
}

int accounts_user_update(struct db *db, int64_t id, const char *name, const char *officer_id)
{
	static const char sql[] =
	        "UPDATE users SET name = COALESCE($2, name), "
	        "officer_id = COALESCE($3, officer_id) WHERE id = $1 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = name ? db_bind_text(st, 2, name, (size_t)-1) : db_bind_null(st, 2)) == DB_OK &&
	    (rc = officer_id ? db_bind_text(st, 3, officer_id, (size_t)-1) : db_bind_null(st, 3)) ==
	            DB_OK)
		rc = db_step(st);
	int found = rc == DB_ROW;
	while (rc == DB_ROW)
		rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	return found ? DB_OK : DB_DONE;
}

int accounts_org_zone(struct db *db, struct arena *a, int64_t org_id, const char **zone)
{
	static const char sql[] = "SELECT time_zone FROM organizations WHERE id = $1";
	struct db_stmt *st;
	int rc = DB_DONE;
	*zone = NULL;
	if (org_id > 0) {
		if ((rc = db_prepare(db, sql, &st)) != DB_OK)
			return rc;
		if ((rc = db_bind_int64(st, 1, org_id)) == DB_OK)
			rc = db_step(st);
		if (rc == DB_ROW) {
			size_t n;
			const char *z = db_column_text(st, 0, &n);
			*zone = arena_strndup(a, z, n);
			rc = *zone ? DB_OK : DB_ENOMEM;
			if (*zone && !tz_valid(*zone))
				rc = DB_DONE; /* an unknown zone: the deployment's instead */
		}
		db_finalize(st);
	}
	if (rc == DB_DONE)
		rc = db_setting_get(db, a, "deployment.time_zone", zone);
	if (rc == DB_OK && (!*zone || !(*zone)[0]))
		*zone = "UTC";
	return rc;
}
