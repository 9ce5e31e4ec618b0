/* auth/session_cache.h — the principals of recently seen sessions, kept in
 * memory per thread, so that a signed-in request need not rebuild its
 * principal (person, active organization and role, the MFA rule) from five
 * tables every time. It is a cache in front of the store, never instead of
 * it: every request still reads its session row, and a kept principal is
 * used only while that row's id, active organization and auth_stamp are
 * the ones it was built with. The store changes auth_stamp, in the same
 * transaction, whenever anything the principal is made of changes
 * (migration 0016_session_stamp), so a role change, a disabled person or
 * organization, or MFA set up or removed takes effect on the next request,
 * whichever thread or node serves it. */
#ifndef CSEC_AUTH_SESSION_CACHE_H
#define CSEC_AUTH_SESSION_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/principal.h"

struct arena;

/* What identifies the state a principal was built from: the session row's
 * id, its active organization (0 when none) and its auth_stamp. */
struct session_state {
	int64_t session_id;
	int64_t active_org_id;
	int64_t stamp;
};

/* Whether this thread keeps a principal for the session whose token hash
 * (hex SHA-256) is hash. */
bool session_cache_has(const char *hash);

/* When this thread keeps a principal for hash built from exactly state:
 * fills who (strings copied into a) and returns true. Otherwise forgets
 * what it kept for hash and returns false (also when a is out of memory). */
bool session_cache_get(const char *hash, const struct session_state *state, struct arena *a,
                       struct principal *who);

/* Keeps who, built by a full lookup from state, for hash; replaces whatever
 * the slot held. A principal with a string too long to keep is not kept. */
void session_cache_put(const char *hash, const struct session_state *state,
                       const struct principal *who);

/* Forgets what this thread keeps for hash. */
void session_cache_forget(const char *hash);

#endif
