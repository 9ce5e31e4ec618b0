/* auth/joining.h — the store's side of asking to join an organization by
 * email domain (identity issue point 4, DESIGN.md §2; migration 0007:
 * org_domains, join_requests, and users with status 'pending' until their
 * email is verified). A domain listed by an organization only lets a person
 * ask: the request waits for an org admin, unless that organization set
 * auto_approve for that exact domain. Every query on requests that an org
 * admin makes takes the organization as a parameter (the session's active
 * one), so an id of another organization reads as "not found".
 *
 * Model functions return DB_OK, DB_DONE when a lookup finds nothing, or a
 * negative DB_E* code (db/db.h). Strings live in the arena given. */
#ifndef CSEC_AUTH_JOINING_H
#define CSEC_AUTH_JOINING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct json_t;

#define JOINING_MAX_ORGS 32 /* organizations one domain may open at once */
#define JOINING_MAX_NOTIFY 50 /* org admins told of one new request */

/* An organization that lists a domain. */
struct joining_org {
	int64_t id;
	const char *name;
	const char *kind;
	bool auto_approve; /* for that exact domain */
};

/* A request to join, as an org admin decides it. */
struct joining_request {
	int64_t id;
	int64_t user_id;
	int64_t org_id;
	int64_t created_at;
	const char *status; /* pending, approved, declined */
	const char *name; /* the person's */
	const char *email;
};

/* The domain of an address ("ann@Metro.example" -> "Metro.example"): the
 * part after the last '@', or NULL when there is none or it is empty. */
const char *joining_domain(const char *email);

/* The role a request is approved with unless the org admin picks another:
 * "officer" in a law_enforcement organization, "partner" in any other. */
const char *joining_default_role(const char *org_kind);

/* DB_OK when at least one active organization lists domain, DB_DONE when
 * none does. */
int joining_domain_listed(struct db *db, const char *domain);

/* The active organizations that list domain (at most JOINING_MAX_ORGS, by
 * name), in an arena array; *n may be 0. */
int joining_orgs_for_domain(struct db *db, struct arena *a, const char *domain,
                            struct joining_org **orgs, size_t *n);

/* Creates a person who asked to join: status 'pending', email not yet
 * verified. DB_ECONSTRAINT when the email has an account already. */
int joining_user_create(struct db *db, const char *email, const char *name,
                        const char *password_hash, int64_t *id);

/* The person with id (any status): email, name and status in out (the
 * password hash is not read). DB_DONE when there is none. */
struct account_user;
int joining_user_get(struct db *db, struct arena *a, int64_t id, struct account_user *out);

/* Marks the person's email verified and, when they were 'pending', makes
 * them 'active' (a disabled or locked account stays so). */
int joining_user_verify(struct db *db, int64_t user_id);

/* What a "verify" mail token is, without using it. */
enum joining_token_state {
	JOINING_TOKEN_UNKNOWN, /* malformed, or never issued for "verify" */
	JOINING_TOKEN_LIVE,
	JOINING_TOKEN_SPENT, /* used already, or expired */
};
int joining_token_state(struct db *db, const char *token, int64_t now,
                        enum joining_token_state *state);

/* DB_OK when the person has a membership (in any state) in org. */
int joining_is_member(struct db *db, int64_t user_id, int64_t org_id);

/* DB_OK with *id when the person has a pending request to join org. */
int joining_request_pending(struct db *db, int64_t user_id, int64_t org_id, int64_t *id);

/* Creates a pending request; *id is the new request's. */
int joining_request_create(struct db *db, int64_t user_id, int64_t org_id, int64_t now,
                           int64_t *id);

/* The request id of organization org_id (DB_DONE when it does not exist or
 * belongs to another organization). */
int joining_request_get(struct db *db, struct arena *a, int64_t org_id, int64_t id,
                        struct joining_request *out);

/* Decides a pending request of org_id: status "approved" or "declined", by
 * the org admin decided_by. DB_DONE when it is not (or no longer) pending:
 * of two decisions at once, exactly one wins. */
int joining_request_decide(struct db *db, int64_t org_id, int64_t id, const char *status,
                           int64_t decided_by, int64_t now);

/* The pending requests of org_id, oldest first: a JSON array of
 * {"id", "name", "email", "created_at"} (a new reference in *out). */
int joining_requests_pending(struct db *db, int64_t org_id, struct json_t **out);

/* The person's pending requests in active organizations, by organization
 * name: a JSON array of {"id", "org", "created_at"} (a new reference). */
int joining_requests_of_user(struct db *db, int64_t user_id, struct json_t **out);

/* Who is told of a new request to join org_id: its org admins whose
 * membership and account are both active (at most JOINING_MAX_NOTIFY, by
 * id), as a JSON array of {"name", "email"} (a new reference in *out). */
int joining_org_admins(struct db *db, int64_t org_id, struct json_t **out);

/* The organization's name, kind and time zone. DB_DONE when it does not
 * exist. */
int joining_org_info(struct db *db, struct arena *a, int64_t org_id, const char **name,
                     const char **kind, const char **zone);

#endif
