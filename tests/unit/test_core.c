/* tests/unit/test_core.c — arena, buf, str, net and the request log's
 * batched writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
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

/* ---- the request log's writer ---- */

#define LOG_THREADS 4
#define LOG_LINES 3000

static void *log_lines(void *arg)
{
	int t = (int)(intptr_t)arg;
	char id[17], path[1100];
	for (int i = 0; i < LOG_LINES; i++) {
		snprintf(id, sizeof id, "%08x%08x", (unsigned)t, (unsigned)i);
		/* Paths of many lengths, some near the cap, so batches split
		 * anywhere a line may end; every seventh of control characters,
		 * which the line escapes to six bytes each: lines longer than
		 * PIPE_BUF, written whole. */
		int len = 1 + (i * 37 + t * 11) % 1000;
		memset(path, i % 7 ? 'p' : '\x01', (size_t)len);
		path[0] = '/';
		path[len] = '\0';
		struct log_request r = {.request_id = id,
		                        .method = "GET",
		                        .path = path,
		                        .status = 200,
		                        .duration_us = i,
		                        .client = "127.0.0.1"};
		log_request(&r);
	}
	return NULL;
}

/* Lines from several threads through the writer: every line arrives once,
 * whole, and all of them before log_writer_stop returns. */
static void log_writer_keeps_every_line_whole(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(f), STDERR_FILENO), STDERR_FILENO);
	assert_int_equal(log_writer_start(), 0);
	assert_int_equal(log_writer_start(), -1); /* one writer at a time */
	pthread_t th[LOG_THREADS];
	for (int t = 0; t < LOG_THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, log_lines, (void *)(intptr_t)t), 0);
	for (int t = 0; t < LOG_THREADS; t++)
		pthread_join(th[t], NULL);
	log_writer_stop();
	log_writer_stop(); /* a second stop is a no-op */
	/* Without the writer a line is written at once. */
	struct log_request after = {
	        .request_id = "ffffffffffffffff", .method = "GET", .path = "/after", .status = 200};
	log_request(&after);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);

	static bool seen[LOG_THREADS][LOG_LINES];
	memset(seen, 0, sizeof seen);
	rewind(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int count = 0;
	bool last_after = false;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)n, 0, &je);
		if (!o)
			fail_msg("line %d is not one JSON object: %.80s", count + 1, line);
		const char *id = json_string_value(json_object_get(o, "request_id"));
		assert_non_null(id);
		unsigned t, i;
		last_after = strcmp(id, "ffffffffffffffff") == 0;
		if (!last_after) {
			assert_int_equal(sscanf(id, "%8x%8x", &t, &i), 2);
			assert_true(t < LOG_THREADS && i < LOG_LINES);
			assert_false(seen[t][i]);
			seen[t][i] = true;
			assert_int_equal(json_integer_value(json_object_get(o, "duration_us")), i);
			assert_int_equal(strlen(json_string_value(json_object_get(o, "path"))),
			                 1 + (i * 37 + t * 11) % 1000);
		}
		json_decref(o);
		count++;
	}
	free(line);
	fclose(f);
	assert_int_equal(count, LOG_THREADS * LOG_LINES + 1);
	assert_true(last_after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(arena_allocates_aligned_and_frees_all),
	        cmocka_unit_test(arena_respects_cap_and_overflow),
	        cmocka_unit_test(buf_grows_and_stops_at_max),
	        cmocka_unit_test(str_helpers),
	        cmocka_unit_test(net_cidrs),
	        cmocka_unit_test(log_writer_keeps_every_line_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
