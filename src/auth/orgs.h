/* auth/orgs.h — one organization as its org admins see it: its settings, the
 * email domains whose people may ask to join (migration 0007, org_domains),
 * and its members (memberships with one role and a status each). One model
 * function per operation; every function that touches a member takes the
 * organization's id and filters by it, so an id of another organization's
 * member finds nothing (DB_DONE), exactly like an id that does not exist.
 *
 * Also the validation of what an org admin types into these (pure
 * functions, unit-tested): domains, NCIC ORIs, jurisdictions, and the LIKE
 * pattern of the member search. */
#ifndef CSEC_AUTH_ORGS_H
#define CSEC_AUTH_ORGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

#define ORGS_MAX_DOMAINS 20 /* email domains per organization */
#define ORGS_MAX_DOMAIN 253 /* bytes in a domain name (RFC 1035) */
#define ORGS_MAX_JURISDICTION 200 /* bytes */
#define ORGS_ORI_LEN 9 /* an NCIC Originating Agency Identifier */
#define ORGS_MAX_QUERY 100 /* bytes of a member search */
#define ORGS_LIKE_MAX (2 * ORGS_MAX_QUERY + 3) /* the pattern, with its NUL */
#define ORGS_MAX_DISPLAY_NAME 200 /* bytes of the agency profile's fields */
#define ORGS_MAX_HOTLINE 200
#define ORGS_MAX_LAW_SUMMARY 4000

/* An organization's settings. Strings are the store's (arena memory) or the
 * caller's when updating. */
struct org_settings {
	int64_t id;
	const char *name;
	const char *kind;
	const char *state; /* "" or two upper-case letters */
	const char *jurisdiction; /* county or jurisdiction; may be "" */
	const char *time_zone; /* an IANA zone */
	const char *ori; /* "" or ORGS_ORI_LEN letters and digits (law enforcement only) */
	bool mfa_required;
	/* The agency profile that fills the knowledge base's placeholders
	 * (migration 0008): may be "". */
	const char *display_name; /* agency.name; the name when "" */
	const char *hotline; /* agency.hotline */
	const char *law_summary; /* state.law_summary, lines allowed */
};

struct org_domain {
	const char *domain; /* lower-case, without "@" */
	bool auto_approve;
};

/* A member as the members page lists one. */
struct org_member {
	int64_t user_id;
	const char *name;
	const char *email;
	const char *role;
	const char *status; /* the membership's: "active" or "disabled" */
	const char *user_status; /* the account's: invited, pending, active, locked, disabled */
};

/* Validation. Each returns NULL when the value is acceptable, else the
 * message-catalogue key that explains the problem. */

/* A domain such as "metro.example.gov": trimmed and lower-cased into out
 * (at least ORGS_MAX_DOMAIN + 1 bytes); dot-separated labels of 1 to 63
 * letters, digits and hyphens (not first or last in a label), at least two
 * labels, at most ORGS_MAX_DOMAIN bytes, no "@". */
const char *orgs_check_domain(const char *in, char *out, size_t outlen);
/* An NCIC ORI: empty, or exactly ORGS_ORI_LEN ASCII letters and digits,
 * upper-cased into out (at least ORGS_ORI_LEN + 1 bytes). */
const char *orgs_check_ori(const char *in, char *out, size_t outlen);
/* A county or jurisdiction: may be empty; at most ORGS_MAX_JURISDICTION
 * bytes of UTF-8 without control characters. */
const char *orgs_check_jurisdiction(const char *in);

/* The agency profile's fields: may be empty; at most their ORGS_MAX_*
 * bytes of UTF-8 without control characters (the law summary may hold line
 * breaks: LF, or CR LF as browsers send them). */
const char *orgs_check_display_name(const char *in);
const char *orgs_check_hotline(const char *in);
const char *orgs_check_law_summary(const char *in);

/* Builds the LIKE pattern of a member search from q: trimmed, ASCII
 * lower-cased, '%', '_' and '\' escaped with '\', wrapped in '%'. out holds
 * at least ORGS_LIKE_MAX bytes. Returns false (out = "") when q is empty
 * after trimming or longer than ORGS_MAX_QUERY bytes, so the caller lists
 * everyone or refuses. */
bool orgs_like_pattern(const char *q, char *out, size_t outlen);

/* Model functions: DB_OK, DB_DONE when a lookup finds nothing, or a
 * negative DB code. */

/* Takes the organization's row lock for the rest of the write transaction
 * (on PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers), so
 * two changes to its members or settings at once run one after the other
 * and each sees the other's result: two admins cannot both demote
 * themselves past the last one. DB_DONE when there is no such org. */
int orgs_lock(struct db *db, int64_t id);
/* The settings of organization id (strings in a). */
int orgs_get(struct db *db, struct arena *a, int64_t id, struct org_settings *out);
/* Writes name, state, jurisdiction, time_zone, ori, mfa_required and the
 * agency profile of s->id (its kind never changes here). */
int orgs_update(struct db *db, const struct org_settings *s);
/* The organization's domains, by name: *out (arena memory) and *n. */
int orgs_domains(struct db *db, struct arena *a, int64_t org_id, struct org_domain **out,
                 size_t *n);
/* Replaces the organization's domains with d[0..n-1] (call inside a write
 * transaction). */
int orgs_domains_replace(struct db *db, int64_t org_id, const struct org_domain *d, size_t n);

/* Members of org_id whose name or email matches the LIKE pattern like (NULL
 * or "": everyone), by name then email, limit rows from offset; *total is
 * the number of matches. Fills *out (arena memory) and *n. */
int orgs_members(struct db *db, struct arena *a, int64_t org_id, const char *like, int64_t offset,
                 int64_t limit, struct org_member **out, size_t *n, int64_t *total);
/* One member of org_id; DB_DONE when user_id has no membership there. */
int orgs_member_get(struct db *db, struct arena *a, int64_t org_id, int64_t user_id,
                    struct org_member *out);
/* Sets the member's role, or the membership's status ("active",
 * "disabled"). DB_DONE when there is no such membership. */
int orgs_member_set_role(struct db *db, int64_t org_id, int64_t user_id, const char *role);
int orgs_member_set_status(struct db *db, int64_t org_id, int64_t user_id, const char *status);
/* The number of active org_admins of org_id whose account is active too:
 * the people who can still administer it. */
int orgs_active_admins(struct db *db, int64_t org_id, int64_t *count);

#endif
