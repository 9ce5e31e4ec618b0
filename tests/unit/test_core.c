/* tests/unit/test_core.c — arena, buf, str and net. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/net.h"
#include "core/str.h"

static int cleanup_calls;
static void count_cleanup(void *p)
{
	(void)p;
	cleanup_calls++;
}

static void arena_allocates_aligned_and_frees_all(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	assert_non_null(a);
	for (int i = 0; i < 1000; i++) {
		void *p = arena_alloc(a, (size_t)i % 37 + 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	void *big = arena_alloc(a, 100000);
	assert_non_null(big);
	memset(big, 1, 100000);
	cleanup_calls = 0;
	assert_int_equal(arena_defer(a, count_cleanup, NULL), 0);
	assert_int_equal(arena_defer(a, count_cleanup, NULL), 0);
	arena_destroy(a);
	assert_int_equal(cleanup_calls, 2);
}

static void arena_respects_cap_and_overflow(void **state)
{
	(void)state;
	struct arena *a = arena_create(1024);
	assert_non_null(arena_alloc(a, 512));
	assert_null(arena_alloc(a, 1024));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 4));
	assert_null(arena_alloc(a, SIZE_MAX));
	char *s = arena_printf(a, "%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	assert_string_equal(arena_strndup(a, "hello", 3), "hel");
	arena_destroy(a);
}

static void buf_grows_and_stops_at_max(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 10);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(buf_cstr(&b), "hello12345");
	assert_int_equal(buf_putc(&b, '!'), -E2BIG);
	assert_string_equal(buf_cstr(&b), "hello12345");
	assert_int_equal(b.err, -E2BIG);
	assert_int_equal(buf_puts(&b, ""), -E2BIG); /* sticky */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "ok"), 0);
	buf_free(&b);

	struct arena *a = arena_create(0);
	buf_init(&b, a, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[26], 'a');
	arena_destroy(a);
}

static void str_helpers(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(str_to_i64(STR_LIT("123"), 0, 1000, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(str_to_i64(STR_LIT("-5"), -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(str_to_i64(STR_LIT("1001"), 0, 1000, &v), -EINVAL);
	assert_int_equal(str_to_i64(STR_LIT("12a"), 0, 1000, &v), -EINVAL);
	assert_int_equal(str_to_i64(STR_LIT(""), 0, 1000, &v), -EINVAL);
	assert_int_equal(str_to_i64(STR_LIT("99999999999999999999"), 0, INT64_MAX, &v), -EINVAL);
	assert_true(str_ieq_cstr(STR_LIT("Content-Type"), "content-type"));
	struct str t = str_trim(STR_LIT("  a b \t"));
	assert_true(str_eq_cstr(t, "a b"));
	assert_true(str_utf8_valid("caf\xc3\xa9", 5));
	assert_false(str_utf8_valid("\xc0\xaf", 2)); /* overlong */
	assert_false(str_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(str_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(str_utf8_valid("\xe2\x82", 2)); /* truncated */
	assert_false(str_utf8_valid("\x80", 1));
	assert_true(str_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void net_cidrs(void **state)
{
	(void)state;
	struct net_cidr c[4];
	char err[128];
	assert_int_equal(net_cidrs_parse("127.0.0.1/32, 10.0.0.0/8,::1", c, 4, err, sizeof err), 3);
	struct net_addr a;
	assert_int_equal(net_addr_parse("10.20.30.40", 11, &a), 0);
	assert_true(net_in_cidrs(&a, c, 3));
	assert_int_equal(net_addr_parse("11.0.0.1", 8, &a), 0);
	assert_false(net_in_cidrs(&a, c, 3));
	assert_int_equal(net_addr_parse("::ffff:127.0.0.1", 16, &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_true(net_in_cidrs(&a, c, 3));
	assert_true(net_is_loopback(&a));
	assert_int_equal(net_addr_parse("[::1]", 5, &a), 0);
	assert_true(net_is_loopback(&a));
	assert_int_equal(net_cidrs_parse("10.0.0.0/33", c, 4, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "10.0.0.0/33"));
	assert_int_equal(net_cidrs_parse("banana", c, 4, err, sizeof err), -EINVAL);
	assert_int_equal(net_cidrs_parse("", c, 4, err, sizeof err), 0);
	char out[46];
	assert_int_equal(net_addr_parse("192.0.2.1", 9, &a), 0);
	net_addr_format(&a, out);
	assert_string_equal(out, "192.0.2.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(arena_allocates_aligned_and_frees_all),
	        cmocka_unit_test(arena_respects_cap_and_overflow),
	        cmocka_unit_test(buf_grows_and_stops_at_max),
	        cmocka_unit_test(str_helpers),
	        cmocka_unit_test(net_cidrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
