/* auth/invitations.h — an org admin's invitations by email (migration 0007,
 * invitations; identity issue point 4): a link valid INVITATION_SECONDS,
 * used once, that names an organization and a role. The token is 256
 * random bits in base64url and goes out only in the mail; the store keeps
 * its SHA-256. The person it names is a users row: a new one with status
 * 'invited' (no password) until they accept, or an existing account.
 *
 * One model function per operation. Functions an org admin reaches take the
 * organization's id and filter by it, so another organization's invitation
 * answers DB_DONE like one that does not exist. */
#ifndef CSEC_AUTH_INVITATIONS_H
#define CSEC_AUTH_INVITATIONS_H

#include "core/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

#define INVITATION_TOKEN_LEN CRYPTO_TOKEN_LEN /* base64url of 32 bytes, unpadded */
#define INVITATION_SECONDS (7 * 24 * 60 * 60)
#define INVITATIONS_LISTED 100 /* pending invitations the members page shows */

/* Where an invitation stands. */
enum invitation_state {
	INVITATION_PENDING,
	INVITATION_ACCEPTED,
	INVITATION_REVOKED,
	INVITATION_EXPIRED,
};

struct invitation {
	int64_t id;
	int64_t org_id;
	const char *org_name;
	const char *org_kind;
	const char *org_zone; /* the organization's IANA time zone */
	const char *email;
	const char *role;
	int64_t expires_at;
	enum invitation_state state;
};

/* Creates a pending invitation of org_id for email as role, good until
 * now + INVITATION_SECONDS, and writes its token to token
 * (INVITATION_TOKEN_LEN + 1 bytes) and its id to *id. Call inside the write
 * transaction that also queues the mail. DB_OK or a negative DB code. */
int invitations_create(struct db *db, int64_t org_id, const char *email, const char *role,
                       int64_t invited_by, int64_t now, char *token, int64_t *id);

/* Revokes every pending invitation of org_id for email (a new one replaces
 * them); *revoked (when not NULL) says how many. */
int invitations_revoke_email(struct db *db, int64_t org_id, const char *email, int64_t now,
                             int64_t *revoked);

/* Revokes invitation id of org_id when it is still pending (accepted,
 * revoked or expired ones stay as they are). DB_OK, or DB_DONE when org_id
 * has no such pending invitation; *email (arena memory, when not NULL)
 * names whom it invited. */
int invitations_revoke(struct db *db, struct arena *a, int64_t org_id, int64_t id, int64_t now,
                       const char **email);

/* Looks a token up without using it, whatever its state (strings in a):
 * DB_OK, or DB_DONE when it is malformed or unknown. An invitation whose
 * organization is not active counts as revoked. */
int invitations_find(struct db *db, struct arena *a, const char *token, int64_t now,
                     struct invitation *out);

/* Uses a pending invitation up, inside the caller's write transaction (one
 * statement decides and spends, so two uses at once cannot both win):
 * DB_OK with *inv filled as invitations_find does, or DB_DONE when the token
 * is unknown or the invitation not pending. */
int invitations_accept(struct db *db, struct arena *a, const char *token, int64_t now,
                       struct invitation *inv);

/* The pending invitations of org_id whose email matches the LIKE pattern
 * like (NULL or "": all; see orgs_like_pattern), newest first, at most
 * INVITATIONS_LISTED: *out (arena memory) and *n. */
int invitations_pending(struct db *db, struct arena *a, int64_t org_id, const char *like,
                        int64_t now, struct invitation **out, size_t *n);

/* The people invitations name. invitations_user_create adds an account with
 * status 'invited', no password and an unverified email (name may be "").
 * invitations_user_activate gives an invited (or 'pending') account its
 * name and password hash and makes it active with a verified email (the
 * link proved the address): DB_DONE when the account is in neither state. */
int invitations_user_create(struct db *db, const char *email, const char *name, int64_t *id);
int invitations_user_activate(struct db *db, int64_t user_id, const char *name,
                              const char *password_hash);

/* Adds user_id to org_id as role, unless a membership is already there
 * (then it is left as it is). */
int invitations_membership_add(struct db *db, int64_t user_id, int64_t org_id, const char *role);

#endif
