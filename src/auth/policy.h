/* auth/policy.h — the one place where permissions are decided. Every route
 * names a permission; a permission that is not in the table is denied. */
#ifndef CSEC_AUTH_POLICY_H
#define CSEC_AUTH_POLICY_H

#include <stdbool.h>

#include "auth/principal.h"

/* true when the permission names a row of the policy table. */
bool policy_known(const char *permission);

/* true when who may use permission. Unknown permissions are denied. */
bool policy_allows(const char *permission, const struct principal *who);

/* Walks the table, for `csec routes --json` and documentation. */
struct policy_row {
	const char *permission;
	const char *who; /* human-readable: "anyone" */
};
const struct policy_row *policy_table(unsigned *count);

#endif
