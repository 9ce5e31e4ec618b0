/* tests/unit/test_routes.c — the portal's one route table: well formed, and
 * every route names a permission the policy table knows (default deny would
 * otherwise make it unreachable, or a missing permission would slip by). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app/routes.h"
#include "auth/policy.h"

static void every_route_names_a_known_permission(void **state)
{
	(void)state;
	struct dispatch_table t;
	app_routes(true, &t);
	assert_true(t.count > 0);
	for (size_t i = 0; i < t.count; i++) {
		const struct route *r = &t.routes[i];
		if (!policy_known(r->permission))
			fail_msg("%s %s names permission \"%s\", which the policy table does not "
			         "know",
			         r->method, r->pattern, r->permission ? r->permission : "(none)");
	}
	char err[200];
	assert_int_equal(app_routes_check(&t, err, sizeof err), 0);
}

static int handler(struct req *req)
{
	(void)req;
	return 0;
}

static void the_check_refuses_an_unknown_permission(void **state)
{
	(void)state;
	static const struct route bad[] = {
	        {.method = "GET", .pattern = "/x", .handler = handler, .permission = "nobody"}};
	struct dispatch_table t = {bad, 1};
	char err[200];
	assert_int_equal(app_routes_check(&t, err, sizeof err), -1);
	assert_non_null(strstr(err, "nobody"));
}

static void diagnostics_routes_are_off_by_default(void **state)
{
	(void)state;
	struct dispatch_table on, off;
	app_routes(true, &on);
	app_routes(false, &off);
	assert_true(off.count < on.count);
	for (size_t i = 0; i < off.count; i++)
		assert_true(strncmp(off.routes[i].pattern, "/_diag", 6) != 0);
}

static void no_anonymous_write_but_sign_in(void **state)
{
	(void)state;
	/* A state-changing route open to anyone must be one we meant: the two
	 * sign-in steps, the first-run setup page, the forgotten-password request
	 * and reset link, an invitation's link, asking to join and confirming
	 * the address (and the test-only echo). Keeps default deny honest. */
	static const char *const meant[] = {
	        "/login",
	        "/login/code",
	        "/setup/{token}",
	        "/password/forgot",
	        "/password/reset/{token}",
	        "/invite/{token}",
	        "/join",
	        "/verify-email/{token}",
	};
	struct dispatch_table t;
	app_routes(false, &t);
	for (size_t i = 0; i < t.count; i++) {
		const struct route *r = &t.routes[i];
		if (strcmp(r->method, "GET") == 0 || strcmp(r->permission, "public") != 0)
			continue;
		bool ok = false;
		for (size_t k = 0; k < sizeof meant / sizeof meant[0]; k++)
			ok = ok || strcmp(r->pattern, meant[k]) == 0;
		if (!ok)
			fail_msg("%s %s is open to anyone", r->method, r->pattern);
		assert_true(r->csrf);
	}
}

/* A path that carries a secret from a mail or a terminal ({token}) is never
 * logged: such routes must say so. */
static void secret_tokens_in_paths_are_never_logged(void **state)
{
	(void)state;
	struct dispatch_table t;
	app_routes(true, &t);
	for (size_t i = 0; i < t.count; i++)
		if (strstr(t.routes[i].pattern, "{token}") && !t.routes[i].secret_path)
			fail_msg("%s %s holds a token but is not secret_path", t.routes[i].method,
			         t.routes[i].pattern);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(every_route_names_a_known_permission),
	        cmocka_unit_test(secret_tokens_in_paths_are_never_logged),
	        cmocka_unit_test(the_check_refuses_an_unknown_permission),
	        cmocka_unit_test(diagnostics_routes_are_off_by_default),
	        cmocka_unit_test(no_anonymous_write_but_sign_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
