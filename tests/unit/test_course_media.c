/* tests/unit/test_course_media.c — the pure parts of the course's media
 * (features/course/media.c): Range headers, file names, types checked by
 * content, entity-tag lists; and core/tz's end of a local day, which due
 * dates use (features/course/training.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/tz.h"
#include "features/course/media.h"

static void ranges(void **state)
{
	(void)state;
	uint64_t a = 99, b = 99;
	assert_int_equal(media_range_parse(NULL, 100, &a, &b), MEDIA_RANGE_NONE);
	assert_int_equal(media_range_parse("bytes=0-9", 100, &a, &b), MEDIA_RANGE_ONE);
	assert_true(a == 0 && b == 9);
	assert_int_equal(media_range_parse("bytes=90-", 100, &a, &b), MEDIA_RANGE_ONE);
	assert_true(a == 90 && b == 99);
	assert_int_equal(media_range_parse("bytes=-10", 100, &a, &b), MEDIA_RANGE_ONE);
	assert_true(a == 90 && b == 99);
	assert_int_equal(media_range_parse("bytes=-1000", 100, &a, &b), MEDIA_RANGE_ONE);
	assert_true(a == 0 && b == 99);
	assert_int_equal(media_range_parse("bytes=50-1000", 100, &a, &b), MEDIA_RANGE_ONE);
	assert_true(a == 50 && b == 99);
	assert_int_equal(media_range_parse(" Bytes = 1-1 ", 100, &a, &b), MEDIA_RANGE_ONE);
	assert_true(a == 1 && b == 1);
	assert_int_equal(media_range_parse("bytes=100-", 100, &a, &b), MEDIA_RANGE_UNSATISFIABLE);
	assert_int_equal(media_range_parse("bytes=-0", 100, &a, &b), MEDIA_RANGE_UNSATISFIABLE);
	assert_int_equal(media_range_parse("bytes=0-", 0, &a, &b), MEDIA_RANGE_UNSATISFIABLE);
	assert_int_equal(media_range_parse("bytes=0-1,5-6", 100, &a, &b), MEDIA_RANGE_MULTI);
	const char *ignored[] = {
	        "bytes=9-0", "items=0-1",  "bytes=",    "bytes=-",
	        "bytes=a-b", "bytes=1-2x", "bytes 0-1", "bytes=99999999999999999999-",
	        "bytes=--1"};
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		assert_int_equal(media_range_parse(ignored[i], 100, &a, &b), MEDIA_RANGE_NONE);
}

static void names(void **state)
{
	(void)state;
	assert_true(media_name_valid("intro.mp4"));
	assert_true(media_name_valid("part-2_final.en.vtt"));
	const char *bad[] = {"",       ".hidden", "noext",   "Intro.mp4", "a/b.mp4",
	                     "a..mp4", "a.",      "a b.mp4", "-x.mp4",    "x.mp4\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(media_name_valid(bad[i]));
	char long_name[COURSE_MEDIA_NAME_MAX + 2];
	memset(long_name, 'a', sizeof long_name);
	memcpy(long_name + COURSE_MEDIA_NAME_MAX - 4, ".mp4", 5);
	assert_true(media_name_valid(long_name));
	memset(long_name, 'a', sizeof long_name);
	memcpy(long_name + COURSE_MEDIA_NAME_MAX - 3, ".mp4", 5);
	assert_false(media_name_valid(long_name));
}

static void types(void **state)
{
	(void)state;
	const unsigned char mp4[] = "\0\0\0\x20"
	                            "ftypisom\0\0\2\0";
	const unsigned char webm[] = "\x1a\x45\xdf\xa3\x9f\x42\x86\x81";
	const unsigned char vtt[] = "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n";
	const unsigned char vtt_bom[] = "\xef\xbb\xbfWEBVTT - title\n";
	const unsigned char txt[] = "Transcript: caf\xc3\xa9\n";
	assert_string_equal(media_type_check("media/a.mp4", mp4, sizeof mp4 - 1), "video/mp4");
	assert_string_equal(media_type_check("media/a.webm", webm, sizeof webm - 1), "video/webm");
	assert_string_equal(media_type_check("media/a.vtt", vtt, sizeof vtt - 1),
	                    "text/vtt; charset=utf-8");
	assert_string_equal(media_type_check("media/a.vtt", vtt_bom, sizeof vtt_bom - 1),
	                    "text/vtt; charset=utf-8");
	assert_string_equal(media_type_check("media/a.vtt", (const unsigned char *)"WEBVTT", 6),
	                    "text/vtt; charset=utf-8");
	assert_string_equal(media_type_check("media/a.txt", txt, sizeof txt - 1),
	                    "text/plain; charset=utf-8");
	/* the extension and the content must agree */
	assert_null(media_type_check("media/a.webm", mp4, sizeof mp4 - 1));
	assert_null(media_type_check("media/a.mp4", webm, sizeof webm - 1));
	assert_null(media_type_check("media/a.mp4", vtt, sizeof vtt - 1));
	assert_null(media_type_check("media/a.vtt", txt, sizeof txt - 1));
	assert_null(media_type_check("media/a.vtt", (const unsigned char *)"WEBVTTX\n", 8));
	assert_null(media_type_check("media/a.txt", (const unsigned char *)"a\0b", 3));
	assert_null(media_type_check("media/a.txt", (const unsigned char *)"\xff\xfe", 2));
	assert_null(media_type_check("media/a.html", txt, sizeof txt - 1));
	assert_null(media_type_check("media/a.mp4", mp4, 8));
	assert_null(media_type_check("media/a.mp4", mp4, 0));
}

static void etags(void **state)
{
	(void)state;
	const char *tag = "\"abc\"";
	assert_true(media_etag_match("\"abc\"", tag, false));
	assert_true(media_etag_match("\"x\", \"abc\"", tag, false));
	assert_true(media_etag_match(" \"abc\" ,\"y\"", tag, false));
	assert_true(media_etag_match("*", tag, true));
	assert_false(media_etag_match("*", tag, false));
	assert_false(media_etag_match("W/\"abc\"", tag, false));
	assert_false(media_etag_match("\"abcd\"", tag, false));
	assert_false(media_etag_match("Sat, 28 Nov 2026 00:00:00 GMT", tag, false));
	assert_false(media_etag_match(NULL, tag, true));
}

static void day_end(void **state)
{
	(void)state;
	int64_t t;
	/* 15 Jan 2099 in Chicago (CST, UTC-6) ends at 16 Jan 05:59:59 UTC */
	assert_int_equal(tz_day_end("America/Chicago", 2099, 1, 15, &t), 0);
	assert_true(t == INT64_C(4072226400) - 1);
	/* UTC, and an unknown zone read as UTC */
	assert_int_equal(tz_day_end("UTC", 1970, 1, 1, &t), 0);
	assert_true(t == 86399);
	assert_int_equal(tz_day_end("Nowhere/Else", 1970, 1, 1, &t), 0);
	assert_true(t == 86399);
	/* a 23-hour day: 8 Mar 2026 in New York starts at 05:00 UTC, ends at
	 * 9 Mar 03:59:59 UTC */
	assert_int_equal(tz_day_end("America/New_York", 2026, 3, 8, &t), 0);
	assert_true(t == INT64_C(1773028800) - 1);
	/* days that do not exist */
	assert_int_equal(tz_day_end("UTC", 2027, 2, 29, &t), -1);
	assert_int_equal(tz_day_end("UTC", 2027, 4, 31, &t), -1);
	assert_int_equal(tz_day_end("UTC", 2027, 13, 1, &t), -1);
	assert_int_equal(tz_day_end("UTC", 2028, 2, 29, &t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(ranges), cmocka_unit_test(names),   cmocka_unit_test(types),
	        cmocka_unit_test(etags),  cmocka_unit_test(day_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
