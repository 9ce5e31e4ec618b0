/* auth/policy.c — the policy table (DESIGN.md §2). Each row says who holds a
 * permission: anyone, any signed-in person (for their own records), the
 * holders of some roles in the session's active organization (for that
 * organization only), or site admins (across organizations). The table only
 * grows as capabilities arrive; nothing else in the tree decides access, and
 * a permission that is not here is denied. */
#include "auth/policy.h"

#include <string.h>

/* ORG_ROLES_OR_SITE_ADMIN: the roles in their active organization, and
 * site admins whatever their memberships. */
enum who { ANYONE, SIGNED_IN, ORG_ROLES, SITE_ADMIN, ORG_ROLES_OR_SITE_ADMIN };

#define R(x) (1u << POLICY_ROLE_##x)

struct row {
	const char *permission;
	enum who who;
	unsigned roles; /* ORG_ROLES: a bit per role of enum policy_role */
	enum policy_scope scope;
	const char *text;
};

static const struct row table[] = {
        {"public", ANYONE, 0, POLICY_SCOPE_NONE, "anyone, signed in or not"},
        {"signed_in", SIGNED_IN, 0, POLICY_SCOPE_OWN,
         "any signed-in person, for their own account"},
        {"org.members.manage", ORG_ROLES, R(ORG_ADMIN), POLICY_SCOPE_ORG,
         "org admins: the members of their active organization, invitations and requests "
         "to join"},
        {"org.settings.manage", ORG_ROLES, R(ORG_ADMIN), POLICY_SCOPE_ORG,
         "org admins: their active organization's settings"},
        {"site.orgs.manage", SITE_ADMIN, 0, POLICY_SCOPE_ALL,
         "site admins: every organization (create, approve, disable)"},
        {"site.users.manage", SITE_ADMIN, 0, POLICY_SCOPE_ALL,
         "site admins: every person (disable, re-enable)"},
        {"site.settings.manage", SITE_ADMIN, 0, POLICY_SCOPE_ALL,
         "site admins: the site settings (name, support contact, mail)"},
        {"audit.read", SITE_ADMIN, 0, POLICY_SCOPE_ALL,
         "site admins: the audit log, and its export"},
        {"content.edit", ORG_ROLES_OR_SITE_ADMIN, R(EDITOR), POLICY_SCOPE_ALL,
         "editors and site admins: the shared pages of the content pack (edit, history, roll "
         "back, publish)"},
        {"content.org.write", ORG_ROLES, R(ORG_ADMIN) | R(LEADER), POLICY_SCOPE_ORG,
         "org admins and leaders: their active organization's own private pages"},
        {"content.manage", SITE_ADMIN, 0, POLICY_SCOPE_ALL,
         "site admins: content packs (upload, versions, roll back, record a review)"},
        {"course.learn", ORG_ROLES,
         R(ORG_ADMIN) | R(LEADER) | R(TRAINER) | R(EDITOR) | R(OFFICER) | R(PARTNER) | R(ANALYST),
         POLICY_SCOPE_OWN,
         "any member of an active organization: enrol in the courses open to them, learn, and "
         "their own certificates and transcript"},
        {"course.assign", ORG_ROLES, R(LEADER) | R(TRAINER), POLICY_SCOPE_ORG,
         "leaders and trainers: assign courses, with a due date, to members of their active "
         "organization"},
        {"course.reports", ORG_ROLES, R(LEADER) | R(TRAINER), POLICY_SCOPE_ORG,
         "leaders and trainers: their active organization's roster, overdue assignments, "
         "completion rates, item analysis and transcript for the POST board"},
        {"course.manage", SITE_ADMIN, 0, POLICY_SCOPE_ALL,
         "site admins: course videos, certificate revocation, the learning record store and "
         "the export of xAPI statements"},
        {"diagnostics", ANYONE, 0, POLICY_SCOPE_NONE,
         "anyone, and only when the server runs with --diagnostics"},
};

#define ROWS (sizeof table / sizeof table[0])

static const char *const role_names[POLICY_ROLES] = {
        [POLICY_ROLE_ORG_ADMIN] = "org_admin", [POLICY_ROLE_LEADER] = "leader",
        [POLICY_ROLE_TRAINER] = "trainer",     [POLICY_ROLE_EDITOR] = "editor",
        [POLICY_ROLE_OFFICER] = "officer",     [POLICY_ROLE_PARTNER] = "partner",
        [POLICY_ROLE_ANALYST] = "analyst",
};

static const char *const scope_names[] = {
        [POLICY_SCOPE_NONE] = "none",
        [POLICY_SCOPE_OWN] = "own",
        [POLICY_SCOPE_ORG] = "org",
        [POLICY_SCOPE_ALL] = "all",
};

static const struct row *find(const char *permission)
{
	for (size_t i = 0; i < ROWS; i++)
		if (strcmp(table[i].permission, permission) == 0)
			return &table[i];
	return NULL;
}

int policy_role(const char *name)
{
	for (int i = 0; name && i < POLICY_ROLES; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

const char *policy_role_name(int role)
{
	return role >= 0 && role < POLICY_ROLES ? role_names[role] : NULL;
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
	case ORG_ROLES: {
		if (!who || !who->authenticated || who->org_id <= 0)
			return false;
		int role = policy_role(who->role);
		return role >= 0 && (r->roles & (1u << role)) != 0;
	}
	case SITE_ADMIN:
		return who && who->authenticated && who->site_admin;
	case ORG_ROLES_OR_SITE_ADMIN:
		if (who && who->authenticated && who->site_admin)
			return true;
		if (!who || !who->authenticated || who->org_id <= 0)
			return false;
		int role = policy_role(who->role);
		return role >= 0 && (r->roles & (1u << role)) != 0;
	}
	return false;
}

bool policy_describe(const char *permission, struct policy_row *out)
{
	const struct row *r = permission ? find(permission) : NULL;
	if (!r)
		return false;
	*out = (struct policy_row){
	        .permission = r->permission,
	        .who = r->text,
	        .anyone = r->who == ANYONE,
	        .signed_in = r->who == SIGNED_IN,
	        .site_admin = r->who == SITE_ADMIN || r->who == ORG_ROLES_OR_SITE_ADMIN,
	        .roles = r->who == ORG_ROLES || r->who == ORG_ROLES_OR_SITE_ADMIN ? r->roles : 0,
	        .scope = scope_names[r->scope],
	};
	return true;
}

const struct policy_row *policy_table(unsigned *count)
{
	static struct policy_row rows[ROWS];
	for (size_t i = 0; i < ROWS; i++)
		policy_describe(table[i].permission, &rows[i]);
	*count = ROWS;
	return rows;
}
