/* app/routes.c — every URL the portal answers, with the permission each needs
 * and whether it changes state (then the Origin and CSRF checks apply).
 * A route cannot exist without a permission: router_check refuses it at
 * start-up, and the policy table denies any name it does not know. */
#include "app/routes.h"

#include "auth/policy.h"
#include "features/accounts/accounts.h"
#include "features/admin/admin.h"
#include "features/api/api.h"
#include "features/joining/joining.h"
#include "features/members/members.h"
#include "features/profile/profile.h"
#include "features/site/site.h"

#include <stdio.h>
#include <string.h>

static const struct route routes[] = {
        {.method = "GET",
         .pattern = "/",
         .handler = site_home,
         .permission = "public",
         .summary = "Home page"},
        {.method = "GET",
         .pattern = "/about",
         .handler = site_about,
         .permission = "public",
         .summary = "About this portal"},
        {.method = "GET",
         .pattern = "/healthz",
         .handler = site_healthz,
         .permission = "public",
         .summary = "Health check (JSON)"},
        {.method = "GET",
         .pattern = "/api/v1/openapi.json",
         .handler = site_openapi,
         .permission = "public",
         .summary = "OpenAPI 3.1 description of the API"},
        {.method = "GET",
         .pattern = "/static/{name}",
         .handler = site_static,
         .permission = "public",
         .summary = "Embedded static files"},
        {.method = "GET",
         .pattern = "/login",
         .handler = accounts_login_form,
         .permission = "public",
         .summary = "Sign-in form"},
        {.method = "POST",
         .pattern = "/login",
         .handler = accounts_login_submit,
         .permission = "public",
         .csrf = true,
         .slow = true,
         .summary = "Sign in (rate limit, lockout, argon2id on the worker pool)"},
        {.method = "GET",
         .pattern = "/login/code",
         .handler = accounts_login_code_form,
         .permission = "public",
         .summary = "Sign-in, second step: the code from the authenticator app"},
        {.method = "POST",
         .pattern = "/login/code",
         .handler = accounts_login_code_submit,
         .permission = "public",
         .csrf = true,
         .summary = "Sign-in, second step (counts toward the lockout)"},
        {.method = "POST",
         .pattern = "/account/org",
         .handler = accounts_switch_org,
         .permission = "signed_in",
         .csrf = true,
         .summary = "Switch the active organization (checked and audited)"},
        {.method = "GET",
         .pattern = "/account/mfa",
         .handler = accounts_mfa_page,
         .permission = "signed_in",
         .mfa_exempt = true,
         .summary = "Set up or turn off two-step sign-in"},
        {.method = "POST",
         .pattern = "/account/mfa",
         .handler = accounts_mfa_confirm,
         .permission = "signed_in",
         .csrf = true,
         .mfa_exempt = true,
         .summary = "Confirm two-step sign-in with a first code"},
        {.method = "POST",
         .pattern = "/account/mfa/disable",
         .handler = accounts_mfa_disable,
         .permission = "signed_in",
         .csrf = true,
         .slow = true,
         .summary = "Turn off two-step sign-in (needs the password)"},
        {.method = "POST",
         .pattern = "/logout",
         .handler = accounts_logout,
         .permission = "signed_in",
         .csrf = true,
         .mfa_exempt = true,
         .summary = "Sign out"},
        {.method = "GET",
         .pattern = "/account",
         .handler = accounts_account,
         .permission = "signed_in",
         .summary = "The signed-in person's account"},
        {.method = "GET",
         .pattern = "/setup/{token}",
         .handler = accounts_setup_form,
         .permission = "public",
         .secret_path = true,
         .summary = "First run: the one-time setup page"},
        {.method = "POST",
         .pattern = "/setup/{token}",
         .handler = accounts_setup_submit,
         .permission = "public",
         .csrf = true,
         .slow = true,
         .secret_path = true,
         .summary = "First run: create the first site admin and organization"},
        /* ------------------------------------------------------------------
         * profile: the signed-in person's profile, password and sessions; forgotten passwords
         * (features/profile)
         * ------------------------------------------------------------------ */
        /* ------------------------------------------------------------------
         * members: org admins: members, invitations, organization settings (features/members)
         * ------------------------------------------------------------------ */
        /* ------------------------------------------------------------------
         * joining: registration, email verification, requests to join (features/joining)
         * ------------------------------------------------------------------ */
        /* ------------------------------------------------------------------
         * admin: site admins: organizations, people, the audit log (features/admin)
         * ------------------------------------------------------------------ */
        {.method = "GET",
         .pattern = "/admin",
         .handler = admin_index,
         .permission = "site.orgs.manage",
         .summary = "Site administration: organizations, people, the audit log, with counts"},
        {.method = "GET",
         .pattern = "/admin/orgs",
         .handler = admin_orgs,
         .permission = "site.orgs.manage",
         .summary = "Every organization (filter by status, search by name)"},
        {.method = "POST",
         .pattern = "/admin/orgs",
         .handler = admin_org_create,
         .permission = "site.orgs.manage",
         .csrf = true,
         .summary = "Add an organization (audited: site.org.create)"},
        {.method = "GET",
         .pattern = "/admin/orgs/new",
         .handler = admin_org_new,
         .permission = "site.orgs.manage",
         .summary = "The form to add an organization"},
        {.method = "GET",
         .pattern = "/admin/orgs/{org}",
         .handler = admin_org,
         .permission = "site.orgs.manage",
         .summary = "One organization: its settings and members"},
        {.method = "POST",
         .pattern = "/admin/orgs/{org}/approve",
         .handler = admin_org_approve,
         .permission = "site.orgs.manage",
         .csrf = true,
         .summary = "Approve a pending organization (audited: site.org.approve)"},
        {.method = "POST",
         .pattern = "/admin/orgs/{org}/disable",
         .handler = admin_org_disable,
         .permission = "site.orgs.manage",
         .csrf = true,
         .summary = "Disable an organization and end the sessions working in it (audited)"},
        {.method = "POST",
         .pattern = "/admin/orgs/{org}/enable",
         .handler = admin_org_enable,
         .permission = "site.orgs.manage",
         .csrf = true,
         .summary = "Re-enable a disabled organization (audited: site.org.enable)"},
        {.method = "GET",
         .pattern = "/admin/users",
         .handler = admin_users,
         .permission = "site.users.manage",
         .summary = "Every person (search by name or email, filter by status)"},
        {.method = "POST",
         .pattern = "/admin/users/{user}/disable",
         .handler = admin_user_disable,
         .permission = "site.users.manage",
         .csrf = true,
         .summary = "Disable a person: ends their sessions, revokes their API tokens (audited)"},
        {.method = "POST",
         .pattern = "/admin/users/{user}/enable",
         .handler = admin_user_enable,
         .permission = "site.users.manage",
         .csrf = true,
         .summary = "Re-enable a disabled person (audited: site.user.enable)"},
        {.method = "GET",
         .pattern = "/admin/audit",
         .handler = admin_audit,
         .permission = "audit.read",
         .summary = "The audit log, newest first (filters, 50 a page)"},
        {.method = "GET",
         .pattern = "/admin/audit.jsonl",
         .handler = admin_audit_export,
         .permission = "audit.read",
         .slow = true,
         .summary = "Export of the audit log as JSON lines (same filters; audited)"},
        /* ------------------------------------------------------------------
         * api: API tokens and the JSON API (features/api)
         * ------------------------------------------------------------------ */
        /* ------------------------------------------------------------------
         * Test-only routes: keep them last, they are cut off without
         * --diagnostics.
         * ------------------------------------------------------------------ */
        {.method = "POST",
         .pattern = "/_diag/form",
         .handler = site_diag_form,
         .permission = "diagnostics",
         .summary = "Echo of the parsed form (only with --diagnostics)"},
        {.method = "GET",
         .pattern = "/_diag/slow",
         .handler = site_diag_slow,
         .permission = "diagnostics",
         .slow = true,
         .summary = "Slow work on the worker pool (only with --diagnostics)"},
};

#define ALL (sizeof routes / sizeof routes[0])

void app_routes(bool diagnostics, struct dispatch_table *out)
{
	size_t n = ALL;
	/* The test-only routes are the tail of the table that needs "diagnostics". */
	while (!diagnostics && n > 0 && strcmp(routes[n - 1].permission, "diagnostics") == 0)
		n--;
	out->routes = routes;
	out->count = n;
}

int app_routes_check(const struct dispatch_table *t, char *err, size_t errlen)
{
	if (router_check(t->routes, t->count, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < t->count; i++)
		if (!policy_known(t->routes[i].permission)) {
			snprintf(err, errlen, "route %s %s names an unknown permission \"%s\"",
			         t->routes[i].method, t->routes[i].pattern,
			         t->routes[i].permission);
			return -1;
		}
	return 0;
}
