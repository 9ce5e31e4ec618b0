/* tests/unit/test_router.c — route matching, the route table check, and
 * request path decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "http/path.h"
#include "http/router.h"

static int h(struct req *req)
{
	(void)req;
	return 0;
}

static const struct route table[] = {
        {.method = "GET", .pattern = "/", .handler = h, .permission = "public"},
        {.method = "GET", .pattern = "/guide/{slug}", .handler = h, .permission = "public"},
        {.method = "POST",
         .pattern = "/guide/{slug}",
         .handler = h,
         .permission = "public",
         .csrf = true},
        {.method = "GET",
         .pattern = "/orgs/{org}/members/{id}",
         .handler = h,
         .permission = "public"},
        {.method = "GET", .pattern = "/guide/new", .handler = h, .permission = "public"},
};
#define N (sizeof table / sizeof table[0])

static void matches_literals_and_params(void **state)
{
	(void)state;
	struct router_match m;
	assert_int_equal(router_match(table, N, "GET", "/", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[0]);
	assert_int_equal(router_match(table, N, "GET", "/guide/intro", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[1]);
	assert_int_equal(m.nparams, 1);
	assert_int_equal(m.param_len[0], 5);
	assert_memory_equal(m.param_start[0], "intro", 5);
	assert_memory_equal(m.param_name[0], "slug", 4);
	assert_int_equal(router_match(table, N, "GET", "/orgs/7/members/42", &m), ROUTER_FOUND);
	assert_int_equal(m.nparams, 2);
	assert_memory_equal(m.param_start[1], "42", 2);
	/* the first match wins: "new" is taken by {slug} */
	assert_int_equal(router_match(table, N, "GET", "/guide/new", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[1]);
	assert_int_equal(router_match(table, N, "HEAD", "/guide/x", &m), ROUTER_FOUND);
}

static void misses_and_methods(void **state)
{
	(void)state;
	struct router_match m;
	assert_int_equal(router_match(table, N, "GET", "/guide", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(table, N, "GET", "/guide/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(table, N, "GET", "/guide/a/b", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(table, N, "GET", "//", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(table, N, "GET", "/orgs//members/1", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(table, N, "DELETE", "/guide/x", &m), ROUTER_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD, POST");
	assert_int_equal(router_match(table, N, "POST", "/", &m), ROUTER_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD");
}

static void table_check(void **state)
{
	(void)state;
	char err[200];
	assert_int_equal(router_check(table, N, err, sizeof err), 0);
	static const struct route dup[] = {
	        {.method = "GET", .pattern = "/a", .handler = h, .permission = "public"},
	        {.method = "GET", .pattern = "/a", .handler = h, .permission = "public"},
	};
	assert_int_equal(router_check(dup, 2, err, sizeof err), -1);
	assert_non_null(strstr(err, "twice"));
	static const struct route noperm[] = {{.method = "GET", .pattern = "/a", .handler = h}};
	assert_int_equal(router_check(noperm, 1, err, sizeof err), -1);
	static const struct route bad[] = {
	        {.method = "GET", .pattern = "/a/{x", .handler = h, .permission = "public"}};
	assert_int_equal(router_check(bad, 1, err, sizeof err), -1);
	static const struct route nine[] = {{.method = "GET",
	                                     .pattern = "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}",
	                                     .handler = h,
	                                     .permission = "public"}};
	assert_int_equal(router_check(nine, 1, err, sizeof err), -1);
	static const struct route bad2[] = {
	        {.method = "GET", .pattern = "a", .handler = h, .permission = "public"}};
	assert_int_equal(router_check(bad2, 1, err, sizeof err), -1);
}

static void path_decoding(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	const char *out;
#define DEC(s) path_decode(a, s, strlen(s), &out)
	assert_int_equal(DEC("/guide/caf%C3%A9"), PATH_OK);
	assert_string_equal(out, "/guide/caf\xc3\xa9");
	assert_int_equal(DEC("/a%20b"), PATH_OK);
	assert_string_equal(out, "/a b");
	assert_int_equal(DEC("/"), PATH_OK);
	assert_int_equal(DEC("/a/../b"), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/a/.."), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/./a"), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/%2e%2e/x"), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/.%2E/x"), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/a..b/c...d"), PATH_OK);
	assert_int_equal(DEC("/a%2fb"), PATH_ESLASH);
	assert_int_equal(DEC("/a\\b"), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/a%5cb"), PATH_ETRAVERSAL);
	assert_int_equal(DEC("/a%00"), PATH_EBYTES);
	assert_int_equal(DEC("/a%0d%0a"), PATH_EBYTES);
	assert_int_equal(DEC("/%ff"), PATH_EBYTES);
	assert_int_equal(DEC("/%zz"), PATH_EENCODING);
	assert_int_equal(DEC("/%4"), PATH_EENCODING);
	assert_int_equal(DEC("/%"), PATH_EENCODING);
	assert_int_equal(DEC("guide"), PATH_EFORM);
	assert_int_equal(DEC("http://x/"), PATH_EFORM);
	assert_string_equal(path_error_key(PATH_ETRAVERSAL), "error.path.traversal");
#undef DEC
	arena_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(matches_literals_and_params),
	        cmocka_unit_test(misses_and_methods),
	        cmocka_unit_test(table_check),
	        cmocka_unit_test(path_decoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
