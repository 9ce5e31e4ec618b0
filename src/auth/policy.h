/* auth/policy.h — the one place where permissions are decided (DESIGN.md
 * §2). Every route names a permission; a permission that is not in the table
 * is denied. Org-scoped permissions hold only in the session's active
 * organization: handlers take the organization from the principal, never
 * from the request. */
#ifndef CSEC_AUTH_POLICY_H
#define CSEC_AUTH_POLICY_H

#include <stdbool.h>

#include "auth/principal.h"

/* The roles a membership may carry (DESIGN.md §2), as bit positions. */
enum policy_role {
	POLICY_ROLE_ORG_ADMIN,
	POLICY_ROLE_LEADER,
	POLICY_ROLE_TRAINER,
	POLICY_ROLE_EDITOR,
	POLICY_ROLE_OFFICER,
	POLICY_ROLE_PARTNER,
	POLICY_ROLE_ANALYST,
	POLICY_ROLES
};

/* Where a permission reaches: nothing in particular, the person's own
 * records, their active organization's, or every organization's. */
enum policy_scope { POLICY_SCOPE_NONE, POLICY_SCOPE_OWN, POLICY_SCOPE_ORG, POLICY_SCOPE_ALL };

/* "org_admin" -> POLICY_ROLE_ORG_ADMIN; -1 for anything else. */
int policy_role(const char *name);
/* The reverse; NULL when out of range. */
const char *policy_role_name(int role);

/* true when the permission names a row of the policy table. */
bool policy_known(const char *permission);

/* true when who may use permission. Unknown permissions are denied. */
bool policy_allows(const char *permission, const struct principal *who);

/* A row of the table, for `csec routes --json`, tests and documentation. */
struct policy_row {
	const char *permission;
	const char *who; /* human-readable: "anyone, signed in or not" */
	bool anyone, signed_in, site_admin;
	unsigned roles; /* bits of enum policy_role holding it in their active org */
	const char *scope; /* "none", "own", "org", "all" */
};
bool policy_describe(const char *permission, struct policy_row *out);
const struct policy_row *policy_table(unsigned *count);

#endif
