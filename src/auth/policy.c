/* auth/policy.c — the policy table. Each row says who holds a permission.
 * The table only grows as capabilities arrive; nothing else in the tree
 * decides access. */
#include "auth/policy.h"

#include <string.h>

enum who { ANYONE, SIGNED_IN, SITE_ADMIN };

struct row {
	const char *permission;
	enum who who;
	const char *text;
};

static const struct row table[] = {
        {"public", ANYONE, "anyone, signed in or not"},
        {"signed_in", SIGNED_IN, "any signed-in person, for their own account"},
        {"diagnostics", ANYONE, "anyone, and only when the server runs with --diagnostics"},
};

static const struct row *find(const char *permission)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].permission, permission) == 0)
			return &table[i];
	return NULL;
}

bool policy_known(const char *permission)
{
	return permission && find(permission) != NULL;
}

bool policy_allows(const char *permission, const struct principal *who)
{
	const struct row *r = permission ? find(permission) : NULL;
	if (!r)
		return false;
	switch (r->who) {
	case ANYONE:
		return true;
	case SIGNED_IN:
		return who && who->authenticated;
	case SITE_ADMIN:
		return who && who->authenticated && who->site_admin;
	}
	return false;
}

const struct policy_row *policy_table(unsigned *count)
{
	static struct policy_row rows[sizeof table / sizeof table[0]];
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		rows[i].permission = table[i].permission;
		rows[i].who = table[i].text;
	}
	*count = sizeof table / sizeof table[0];
	return rows;
}
