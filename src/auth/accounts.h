/* auth/accounts.h — the store's organizations, users and memberships: one
 * model function per operation (handlers and commands never write SQL), and
 * the validation of what people type into them. */
#ifndef CSEC_AUTH_ACCOUNTS_H
#define CSEC_AUTH_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

struct account_user {
	int64_t id;
	const char *email;
	const char *name;
	const char *password_hash;
	const char *status; /* invited, pending, active, locked, disabled */
	bool site_admin;
};

/* Validation. Each returns NULL when the value is acceptable, else the
 * message-catalogue key that explains the problem. Email is lower-cased and
 * trimmed into out (at least 255 bytes). */
const char *accounts_check_email(const char *in, char *out, size_t outlen);
const char *accounts_check_name(const char *name);
const char *accounts_check_slug(const char *slug);
const char *accounts_check_org_kind(const char *kind);
const char *accounts_check_role(const char *role);
const char *accounts_check_state(const char *state);
/* A POST/officer ID as typed: optional (empty is fine); otherwise at most
 * ACCOUNTS_OFFICER_ID_MAX characters of ASCII letters, digits, spaces,
 * hyphens, periods and slashes, with a letter or digit in it. Spaces and
 * tabs around it are trimmed into out (at least ACCOUNTS_OFFICER_ID_MAX + 1
 * bytes). NULL when acceptable, else the catalogue key of the problem. */
#define ACCOUNTS_OFFICER_ID_MAX 32
const char *accounts_check_officer_id(const char *in, char *out, size_t outlen);

/* A slug from an organization's name: "Metro PD" -> "metro-pd". out holds
 * at least 65 bytes; empty when nothing usable remains. */
void accounts_slugify(const char *name, char *out, size_t outlen);

/* Model functions: 0 (DB_OK), DB_DONE when a lookup finds nothing,
 * DB_ECONSTRAINT on a duplicate, or another negative DB code. */
int accounts_org_create(struct db *db, const char *slug, const char *name, const char *kind,
                        const char *state, int64_t *id);
int accounts_org_by_slug(struct db *db, const char *slug, int64_t *id);
int accounts_user_create(struct db *db, const char *email, const char *name,
                         const char *password_hash, bool site_admin, int64_t *id);
int accounts_user_by_email(struct db *db, struct arena *a, const char *email,
                           struct account_user *out);
/* The email of user id (arena memory); DB_DONE when there is none. */
int accounts_user_email(struct db *db, struct arena *a, int64_t id, const char **email);
int accounts_membership_add(struct db *db, int64_t user_id, int64_t org_id, const char *role);
/* The user's first membership (by organization name), for a new session's
 * active organization. DB_DONE when the user belongs to none. */
int accounts_first_membership(struct db *db, int64_t user_id, int64_t *org_id);
/* The user's memberships in active organizations, by name: a JSON array of
 * {"id", "name", "role"} (a new reference), or NULL on failure. */
struct json_t;
int accounts_memberships(struct db *db, int64_t user_id, struct json_t **out);
/* DB_OK when user is a member of the active organization org_id, DB_DONE
 * when not. */
int accounts_is_member(struct db *db, int64_t user_id, int64_t org_id);
/* The time zone to show times in to whoever signs in as email, chosen
 * without looking at accounts (so it reveals none): the zone of the
 * organization that lists the email's domain (the oldest, if several),
 * else the site setting deployment.time_zone, else "UTC". In arena a. */
int accounts_zone_for_email(struct db *db, struct arena *a, const char *email, const char **zone);
/* Changes a person's name and POST/officer ID (NULL keeps one as it is;
 * both already checked). DB_DONE when there is no such person. */
int accounts_user_update(struct db *db, int64_t id, const char *name, const char *officer_id);
/* The time zone to show an organization's times in: its own when it is a
 * known zone, else the site setting deployment.time_zone, else "UTC" (also
 * for org_id 0). In arena a. */
int accounts_org_zone(struct db *db, struct arena *a, int64_t org_id, const char **zone);
/* true when at least one site admin exists (first-run detection). */
int accounts_site_admin_exists(struct db *db, bool *exists);

#endif
