/* auth/admin.h — the store's side of the site admin's pages: counts,
 * organizations and people across every organization, their status, and
 * what disabling one ends (sessions, API tokens). One function per
 * operation; handlers never write SQL. Lists come back as jansson arrays
 * (new references) ready for a template.
 *
 * Return codes, as in accounts.h: DB_OK, DB_DONE when the row asked for
 * does not exist (or, for a status change, is not in the state it must
 * leave), or another negative DB code. */
#ifndef CSEC_AUTH_ADMIN_H
#define CSEC_AUTH_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db;

/* Rows on one page of the organizations and people lists. */
#define ADMIN_LIST_PAGE 50
/* The highest page number a list accepts (bounds the OFFSET). */
#define ADMIN_LIST_MAX_PAGE 10000
/* The longest search text, in bytes. */
#define ADMIN_SEARCH_MAX 200

/* {"organizations": {"active": n, "pending": n, "disabled": n},
 *  "people": {"invited": n, "pending": n, "active": n, "locked": n, "disabled": n}}
 * with every status present (0 when none). */
int admin_counts(struct db *db, json_t **out);

/* A page (1-based) of organizations by name: [{id, slug, name, kind, state,
 * status, members}] where members counts active memberships. status ""
 * means any; search "" means all, else a case-insensitive part of the name.
 * *more says whether another page follows. */
int admin_orgs_list(struct db *db, const char *status, const char *search, int64_t page,
                    json_t **out, bool *more);

/* Every organization's id and name, by name (the audit viewer's select),
 * at most max of them. */
int admin_orgs_names(struct db *db, int64_t max, json_t **out);

/* One organization: {id, slug, name, kind, state, jurisdiction, time_zone,
 * ori, mfa_required, status, created_at, domains: [{domain, auto_approve}]}. */
int admin_org_get(struct db *db, int64_t id, json_t **out);

/* Its members by name: [{id, name, email, role, status, user_status}],
 * status being the membership's. */
int admin_org_members(struct db *db, int64_t org_id, json_t **out);

/* Sets the county or jurisdiction, the IANA time zone and the NCIC ORI of
 * organization id (all checked by the caller; "" where not set). Used
 * right after accounts_org_create, in the same transaction. DB_DONE when
 * there is no such organization. */
int admin_org_set_place(struct db *db, int64_t id, const char *jurisdiction, const char *time_zone,
                        const char *ori);

/* Moves organization id from status `from` to status `to` ("active",
 * "pending", "disabled"); from NULL means from any status but `to`.
 * DB_DONE when there is no such organization in such a status. */
int admin_org_set_status(struct db *db, int64_t id, const char *from, const char *to);

/* Ends every session whose active organization is org_id; *ended (may be
 * NULL) counts them. */
int admin_sessions_end_org(struct db *db, int64_t org_id, int64_t *ended);

/* A page of people by name, each with their memberships: [{id, name,
 * email, status, site_admin, memberships: [{org_id, org, role, status,
 * org_status}]}]. search "" means all, else a case-insensitive part of the
 * name or the email; status "" means any. */
int admin_users_list(struct db *db, const char *status, const char *search, int64_t page,
                     json_t **out, bool *more);

struct admin_user {
	int64_t id;
	const char *email, *name, *status; /* in the arena */
	bool site_admin;
};
/* Person id, whatever their status. */
int admin_user_get(struct db *db, struct arena *a, int64_t id, struct admin_user *out);

/* Moves person id from status `from` (NULL: any status but `to`) to `to`.
 * DB_DONE when there is no such person in such a status. */
int admin_user_set_status(struct db *db, int64_t id, const char *from, const char *to);

#endif
