/* tests/unit/test_form.c — the body and query parser (http/form.c). Every
 * input goes through parse_all(), which feeds it in one piece, byte by byte
 * and in pseudo-random chunks, and checks that all of them agree exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/form.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string literal as pointer and length (it may hold NUL bytes). */
#define S(lit) (lit), (sizeof(lit) - 1)

static struct arena *A; /* the current test's arena */

static int setup(void **state)
{
	(void)state;
	A = arena_create(0);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_destroy(A);
	A = NULL;
	return 0;
}

/* ---- helpers ---- */

static uint32_t rng_next(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

enum split { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM };

static bool same_opt(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void assert_forms_equal(const struct form *x, const struct form *y)
{
	assert_int_equal(x->count, y->count);
	for (size_t i = 0; i < x->count; i++) {
		const struct form_field *a = &x->fields[i], *b = &y->fields[i];
		assert_int_equal(a->name_len, b->name_len);
		assert_memory_equal(a->name, b->name, a->name_len);
		assert_int_equal(a->value_len, b->value_len);
		if (a->value_len)
			assert_memory_equal(a->value, b->value, a->value_len);
		assert_true(same_opt(a->filename, b->filename));
		assert_true(same_opt(a->content_type, b->content_type));
	}
}

/* Feeds body cut one way; checks the sticky-error contract along the way. */
static int feed_split(struct arena *a, enum form_kind kind, const char *boundary,
                      const struct form_limits *l, const char *body, size_t len, enum split how,
                      uint32_t seed, struct form *out)
{
	struct form_parser *p = form_parser_create(a, kind, boundary, l);
	assert_non_null(p);
	int first = 0;
	size_t i = 0;
	do {
		size_t n = len - i;
		if (how == SPLIT_BYTES && n)
			n = 1;
		else if (how == SPLIT_RANDOM && n) {
			uint32_t r = rng_next(&seed);
			size_t want = (r & 0x100) ? 1 + r % 7 : 1 + r % 97;
			n = want < n ? want : n;
		}
		int rc = form_parser_feed(p, body + i, n);
		if (first)
			assert_int_equal(rc, first);
		else
			first = rc;
		i += n;
	} while (i < len);
	int rc = form_parser_finish(p, out);
	if (first)
		assert_int_equal(rc, first);
	if (rc) {
		assert_null(out->fields);
		assert_int_equal(out->count, 0);
	}
	/* finish is repeatable; feeding after it is refused. */
	struct form again;
	assert_int_equal(form_parser_finish(p, &again), rc);
	if (!rc)
		assert_forms_equal(out, &again);
	assert_int_equal(form_parser_feed(p, "x", 1), rc ? rc : FORM_ETOOBIG);
	return rc;
}

/* Parses body whole (result in *out, memory in A), then byte by byte and in
 * random chunks (and, for urlencoded, with form_parse_urlencoded), and checks
 * that every way gives the same code and the same fields. */
static int parse_all(enum form_kind kind, const char *boundary, const struct form_limits *l,
                     const char *body, size_t len, struct form *out)
{
	int rc = feed_split(A, kind, boundary, l, body, len, SPLIT_WHOLE, 0, out);
	struct arena *t = arena_create(0);
	assert_non_null(t);
	struct form o;
	assert_int_equal(feed_split(t, kind, boundary, l, body, len, SPLIT_BYTES, 0, &o), rc);
	assert_forms_equal(out, &o);
	for (uint32_t seed = 1; seed <= 12; seed++) {
		assert_int_equal(feed_split(t, kind, boundary, l, body, len, SPLIT_RANDOM,
		                            seed * 2654435761u, &o),
		                 rc);
		assert_forms_equal(out, &o);
	}
	if (kind == FORM_URLENCODED) {
		assert_int_equal(form_parse_urlencoded(t, body, len, l, &o), rc);
		assert_forms_equal(out, &o);
	}
	arena_destroy(t);
	return rc;
}

static int url(const char *s, size_t len, const struct form_limits *l, struct form *out)
{
	return parse_all(FORM_URLENCODED, NULL, l, s, len, out);
}

static int mp(const char *s, size_t len, const struct form_limits *l, struct form *out)
{
	return parse_all(FORM_MULTIPART, "XyZ", l, s, len, out);
}

static void check_field(const struct form *f, size_t i, const char *name, const char *value,
                        size_t vlen)
{
	assert_true(i < f->count);
	const struct form_field *x = &f->fields[i];
	assert_int_equal(x->name_len, strlen(name));
	assert_string_equal(x->name, name);
	assert_int_equal(x->value_len, vlen);
	assert_memory_equal(x->value, value, vlen);
	assert_int_equal(x->value[vlen], '\0');
}

#define FIELD(f, i, name, lit) check_field((f), (i), (name), (lit), sizeof(lit) - 1)

/* Expects exactly one field, named name with value lit. */
#define URL_ONE(input, name, lit)                                                                  \
	do {                                                                                       \
		struct form f_;                                                                    \
		assert_int_equal(url(S(input), NULL, &f_), 0);                                     \
		assert_int_equal(f_.count, 1);                                                     \
		FIELD(&f_, 0, name, lit);                                                          \
	} while (0)

#define URL_ERR(input, err)                                                                        \
	do {                                                                                       \
		struct form f_;                                                                    \
		assert_int_equal(url(S(input), NULL, &f_), err);                                   \
	} while (0)

#define MP_ERR(input, err)                                                                         \
	do {                                                                                       \
		struct form f_;                                                                    \
		assert_int_equal(mp(S(input), NULL, &f_), err);                                    \
	} while (0)

#define CD(name) "Content-Disposition: form-data; name=\"" name "\"\r\n"
#define CDF(name, file)                                                                            \
	"Content-Disposition: form-data; name=\"" name "\"; filename=\"" file "\"\r\n"
#define PART(hdrs, body) "--XyZ\r\n" hdrs "\r\n" body "\r\n"
#define CLOSE "--XyZ--\r\n"

/* ---- errors and limits API ---- */

static void test_strerror_status(void **state)
{
	(void)state;
	assert_string_equal(form_strerror(FORM_OK), "Success.");
	assert_string_equal(form_strerror(FORM_ETOOBIG),
	                    "The request body is larger than allowed.");
	assert_string_equal(form_strerror(FORM_EMULTIPART),
	                    "The multipart form body is malformed.");
	assert_string_equal(form_strerror(42), "Unknown form error.");
	for (int e = FORM_ENOMEM; e <= FORM_OK; e++)
		assert_non_null(form_strerror(e));
	assert_int_equal(form_error_status(FORM_OK), 200);
	assert_int_equal(form_error_status(FORM_ETOOBIG), 413);
	assert_int_equal(form_error_status(FORM_ETOOMANY), 413);
	assert_int_equal(form_error_status(FORM_EFIELD), 413);
	assert_int_equal(form_error_status(FORM_EENCODING), 400);
	assert_int_equal(form_error_status(FORM_EUTF8), 400);
	assert_int_equal(form_error_status(FORM_EMULTIPART), 400);
	assert_int_equal(form_error_status(FORM_ENOMEM), 500);
	assert_int_equal(form_error_status(-99), 500);
}

static void test_limits_default(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	assert_int_equal(l.max_body, 1024 * 1024);
	assert_int_equal(l.max_fields, 1000);
	assert_int_equal(l.max_field_bytes, 64 * 1024);
	assert_int_equal(l.max_name_bytes, 256);
}

/* ---- urlencoded ---- */

static void test_url_basic(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(url(S("a=1&bb=hello&c=x%20y"), NULL, &f), 0);
	assert_int_equal(f.count, 3);
	FIELD(&f, 0, "a", "1");
	FIELD(&f, 1, "bb", "hello");
	FIELD(&f, 2, "c", "x y");
	for (size_t i = 0; i < f.count; i++) {
		assert_null(f.fields[i].filename);
		assert_null(f.fields[i].content_type);
	}
	assert_int_equal(url(S(""), NULL, &f), 0);
	assert_int_equal(f.count, 0);
}

static void test_url_plus_and_percent(void **state)
{
	(void)state;
	URL_ONE("q=a+b++c", "q", "a b  c");
	URL_ONE("q=%2B+%2b", "q", "+ +");
	URL_ONE("x=%4a%4A%c3%A9%C3%a9", "x", "JJ\xc3\xa9\xc3\xa9");
	URL_ONE("%61%62=%3D", "ab", "=");
	URL_ONE("a+b=1", "a b", "1");
	URL_ONE("k=%26%3D%25", "k", "&=%");
	URL_ONE("k=%F0%9F%98%80", "k", "\xf0\x9f\x98\x80"); /* U+1F600, 4 bytes */
	URL_ONE("k=%EF%BF%BF", "k", "\xef\xbf\xbf");
}

static void test_url_bad_percent(void **state)
{
	(void)state;
	URL_ERR("a=%", FORM_EENCODING);
	URL_ERR("a=%4", FORM_EENCODING);
	URL_ERR("a=%4g", FORM_EENCODING);
	URL_ERR("a=%g4", FORM_EENCODING);
	URL_ERR("a=%%41", FORM_EENCODING);
	URL_ERR("a=%4&b=1", FORM_EENCODING);
	URL_ERR("a=% 41", FORM_EENCODING);
	URL_ERR("%=1", FORM_EENCODING);
	URL_ERR("%", FORM_EENCODING);
	URL_ERR("a=1&b=%x", FORM_EENCODING);
	/* The first error in the stream wins, whatever comes after it. */
	URL_ERR("a=%zz&b=%C0%AF", FORM_EENCODING);
	URL_ERR("a=%C0%AF&b=%zz", FORM_EUTF8);
}

static void test_url_nul(void **state)
{
	(void)state;
	URL_ERR("a=%00", FORM_EUTF8);
	URL_ERR("a=x%00y", FORM_EUTF8);
	URL_ERR("a%00=1", FORM_EUTF8);
	URL_ERR("a=x\0y", FORM_EUTF8); /* a raw NUL too */
}

static void test_url_bad_utf8(void **state)
{
	(void)state;
	URL_ERR("a=%C0%AF", FORM_EUTF8); /* overlong '/' */
	URL_ERR("a=%E0%80%AF", FORM_EUTF8); /* overlong, 3 bytes */
	URL_ERR("a=%80", FORM_EUTF8); /* lone continuation */
	URL_ERR("a=x%BFy", FORM_EUTF8); /* lone continuation inside */
	URL_ERR("a=%ED%A0%80", FORM_EUTF8); /* surrogate U+D800 */
	URL_ERR("a=%ED%BF%BF", FORM_EUTF8); /* surrogate U+DFFF */
	URL_ERR("a=%F4%90%80%80", FORM_EUTF8); /* past U+10FFFF */
	URL_ERR("a=%E2%82", FORM_EUTF8); /* truncated */
	URL_ERR("a=%FF", FORM_EUTF8);
	URL_ERR("%C3=1", FORM_EUTF8); /* in a name */
	URL_ERR("a=\xc3(", FORM_EUTF8); /* raw bytes, not encoded */
	URL_ONE("a=\xc3\xa9", "a", "\xc3\xa9"); /* raw valid UTF-8 is fine */
	URL_ERR("a=1&b=%C0%AF", FORM_EUTF8);
}

static void test_url_empty_pairs(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(url(S("a=1&&b=2&"), NULL, &f), 0);
	assert_int_equal(f.count, 2);
	FIELD(&f, 0, "a", "1");
	FIELD(&f, 1, "b", "2");
	assert_int_equal(url(S("&&&"), NULL, &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(url(S("&a&"), NULL, &f), 0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "a", "");
}

static void test_url_no_equals(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(url(S("flag&x=1&y"), NULL, &f), 0);
	assert_int_equal(f.count, 3);
	FIELD(&f, 0, "flag", "");
	FIELD(&f, 1, "x", "1");
	FIELD(&f, 2, "y", "");
	URL_ONE("a=", "a", "");
	URL_ONE("=v", "", "v"); /* an empty name is still a field */
	URL_ONE("=", "", "");
	URL_ONE("a==b=", "a", "=b="); /* only the first '=' splits */
}

static void test_url_semicolon(void **state)
{
	(void)state;
	URL_ONE("a=1;b=2", "a", "1;b=2");
}

static void test_url_name_limit(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_name_bytes = 3;
	struct form f;
	assert_int_equal(url(S("abc=1"), &l, &f), 0);
	FIELD(&f, 0, "abc", "1");
	assert_int_equal(url(S("abcd=1"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("abcd"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("%61%62%63=1"), &l, &f), 0); /* decoded bytes count */
	assert_int_equal(url(S("%61%62%63%64=1"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("\xc3\xa9\xc3\xa9=1"), &l, &f), FORM_EFIELD);
	/* A long value is not a long name. */
	assert_int_equal(url(S("abc=123456"), &l, &f), 0);
	l.max_name_bytes = 0;
	assert_int_equal(url(S("=1"), &l, &f), 0);
	assert_int_equal(url(S("a=1"), &l, &f), FORM_EFIELD);
}

static void test_url_value_limit(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_field_bytes = 4;
	struct form f;
	assert_int_equal(url(S("a=1234&b=5678"), &l, &f), 0);
	assert_int_equal(f.count, 2);
	assert_int_equal(url(S("a=12345"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("a=1234&b=56789"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("a=%41%41%41%41"), &l, &f), 0);
	assert_int_equal(url(S("a=%41%41%41%41%41"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("a=++++"), &l, &f), 0);
	assert_int_equal(url(S("a=+++++"), &l, &f), FORM_EFIELD);
	assert_int_equal(url(S("a====="), &l, &f), 0); /* value "====" */
	assert_int_equal(url(S("a======"), &l, &f), FORM_EFIELD);
	l.max_field_bytes = 0;
	assert_int_equal(url(S("a=&b"), &l, &f), 0);
	assert_int_equal(url(S("a=x"), &l, &f), FORM_EFIELD);
}

static void test_url_field_count(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_fields = 2;
	struct form f;
	assert_int_equal(url(S("a&b"), &l, &f), 0);
	assert_int_equal(f.count, 2);
	assert_int_equal(url(S("a&b&"), &l, &f), 0);
	assert_int_equal(url(S("a&b&&&"), &l, &f), 0);
	assert_int_equal(url(S("a&b&c"), &l, &f), FORM_ETOOMANY);
	assert_int_equal(url(S("a&b&="), &l, &f), FORM_ETOOMANY);
	l.max_fields = 0;
	assert_int_equal(url(S(""), &l, &f), 0);
	assert_int_equal(url(S("&"), &l, &f), 0);
	assert_int_equal(url(S("a"), &l, &f), FORM_ETOOMANY);
}

static void test_url_default_field_count(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%sf%d=%d", i ? "&" : "", i, i);
	assert_int_equal(b.err, 0);
	struct form f;
	assert_int_equal(url(b.data, b.len, NULL, &f), 0);
	assert_int_equal(f.count, 1000);
	FIELD(&f, 999, "f999", "999");
	buf_puts(&b, "&x");
	assert_int_equal(url(b.data, b.len, NULL, &f), FORM_ETOOMANY);
	buf_free(&b);
}

static void test_url_body_limit(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_body = 5;
	struct form f;
	assert_int_equal(url(S("a=123"), &l, &f), 0);
	FIELD(&f, 0, "a", "123");
	assert_int_equal(url(S("a=1234"), &l, &f), FORM_ETOOBIG);
	assert_int_equal(url(S("a=1&&&&"), &l, &f), FORM_ETOOBIG); /* skipped bytes count */
	/* An error inside the allowed bytes is reported, not ETOOBIG. */
	assert_int_equal(url(S("%zz=123456"), &l, &f), FORM_EENCODING);
	/* The error is found once max_body is passed, not at the end. */
	assert_int_equal(url(S("a=12%"), &l, &f), FORM_EENCODING);
	assert_int_equal(url(S("a=12%4"), &l, &f), FORM_ETOOBIG);
	l.max_body = 0;
	assert_int_equal(url(S(""), &l, &f), 0);
	assert_int_equal(url(S("a"), &l, &f), FORM_ETOOBIG);
}

static void test_url_sticky(void **state)
{
	(void)state;
	struct form_parser *p = form_parser_create(A, FORM_URLENCODED, NULL, NULL);
	assert_non_null(p);
	assert_int_equal(form_parser_feed(p, S("a=1&b=%")), 0);
	assert_int_equal(form_parser_feed(p, S("4")), 0);
	assert_int_equal(form_parser_feed(p, S("x&c=3")), FORM_EENCODING);
	assert_int_equal(form_parser_feed(p, S("d=4")), FORM_EENCODING);
	assert_int_equal(form_parser_feed(p, NULL, 0), FORM_EENCODING);
	struct form f = {(struct form_field *)1, 7};
	assert_int_equal(form_parser_finish(p, &f), FORM_EENCODING);
	assert_null(f.fields);
	assert_int_equal(f.count, 0);
}

static void test_url_split_escape(void **state)
{
	(void)state;
	struct form_parser *p = form_parser_create(A, FORM_URLENCODED, NULL, NULL);
	assert_non_null(p);
	assert_int_equal(form_parser_feed(p, S("na%")), 0);
	assert_int_equal(form_parser_feed(p, S("6")), 0);
	assert_int_equal(form_parser_feed(p, S("De=%C")), 0);
	assert_int_equal(form_parser_feed(p, NULL, 0), 0);
	assert_int_equal(form_parser_feed(p, S("3%")), 0);
	assert_int_equal(form_parser_feed(p, S("a9+")), 0);
	struct form f;
	assert_int_equal(form_parser_finish(p, &f), 0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "name", "\xc3\xa9 ");
}

static void test_url_query_string(void **state)
{
	(void)state;
	struct form f;
	const char *q = "page=2&sort=name+asc&q=caf%C3%A9";
	assert_int_equal(form_parse_urlencoded(A, q, strlen(q), NULL, &f), 0);
	assert_int_equal(f.count, 3);
	FIELD(&f, 2, "q", "caf\xc3\xa9");
	assert_int_equal(form_parse_urlencoded(A, "", 0, NULL, &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(form_parse_urlencoded(A, NULL, 0, NULL, &f), 0);
	assert_int_equal(f.count, 0);
	struct form_limits l;
	form_limits_default(&l);
	l.max_body = 3;
	assert_int_equal(form_parse_urlencoded(A, q, strlen(q), &l, &f), FORM_ETOOBIG);
	assert_null(f.fields);
}

/* ---- multipart: boundary extraction ---- */

static void check_boundary(const char *ct, int want, const char *expect)
{
	const char *b = "untouched";
	assert_int_equal(form_multipart_boundary(A, ct, &b), want);
	if (want == 0)
		assert_string_equal(b, expect);
	else
		assert_string_equal(b, "untouched");
}

static void test_boundary_extract(void **state)
{
	(void)state;
	check_boundary("multipart/form-data; boundary=abc", 0, "abc");
	check_boundary("multipart/form-data;boundary=abc", 0, "abc");
	check_boundary("Multipart/Form-Data; BOUNDARY=abc", 0, "abc");
	check_boundary("multipart/form-data; bOuNdArY=----WebKitFormBoundary7MA4YWxkTrZu0gW", 0,
	               "----WebKitFormBoundary7MA4YWxkTrZu0gW");
	check_boundary("  multipart/form-data ; charset=utf-8; boundary=x-y ", 0, "x-y");
	check_boundary("multipart/form-data; boundary=\"a b:c\"", 0, "a b:c");
	check_boundary("multipart/form-data; boundary=\"a\\b\"", 0, "ab");
	check_boundary("multipart/form-data; boundary=\"()+_,-./:=?'\"", 0, "()+_,-./:=?'");
	check_boundary("multipart/form-data; boundary=abc;", 0, "abc");
	check_boundary("multipart/form-data; boundary=\"x\"; foo=\"semi;colon\"", 0, "x");
	/* 70 characters is the most, 1 the least. */
	check_boundary("multipart/form-data; boundary="
	               "1234567890123456789012345678901234567890123456789012345678901234567890",
	               0, "1234567890123456789012345678901234567890123456789012345678901234567890");
	check_boundary("multipart/form-data; boundary="
	               "12345678901234567890123456789012345678901234567890123456789012345678901",
	               FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=z", 0, "z");
	check_boundary("multipart/form-data; boundary=", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"\"", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"ab \"", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=ab@c", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"ab\\\"c\"", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"abc", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"a\tb\"", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"a\x01z\"", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=\"\xc3\xa9\"", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; boundary=a; boundary=b", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; charset=utf-8", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data boundary=abc", FORM_EMULTIPART, NULL);
	check_boundary("multipart/form-data; =abc", FORM_EMULTIPART, NULL);
	check_boundary("multipart/mixed; boundary=abc", FORM_EMULTIPART, NULL);
	check_boundary("text/plain; boundary=abc", FORM_EMULTIPART, NULL);
	check_boundary("application/x-www-form-urlencoded", FORM_EMULTIPART, NULL);
	check_boundary("", FORM_EMULTIPART, NULL);
	check_boundary(NULL, FORM_EMULTIPART, NULL);
}

/* ---- multipart: bodies ---- */

static void test_mp_simple(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(mp(S(PART(CD("a"), "hello") CLOSE), NULL, &f), 0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "a", "hello");
	assert_null(f.fields[0].filename);
	assert_null(f.fields[0].content_type);
}

static void test_mp_two_parts(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(
	        mp(S(PART(CD("first"), "caf\xc3\xa9") PART(CD("second"), "") CLOSE), NULL, &f), 0);
	assert_int_equal(f.count, 2);
	FIELD(&f, 0, "first", "caf\xc3\xa9");
	FIELD(&f, 1, "second", "");
	/* Multi-line text keeps its CRLFs. */
	assert_int_equal(mp(S(PART(CD("t"), "line 1\r\nline 2\r\n") CLOSE), NULL, &f), 0);
	FIELD(&f, 0, "t", "line 1\r\nline 2\r\n");
}

static void test_mp_file_binary(void **state)
{
	(void)state;
	/* Content with NUL, 0xff, CR/LF and lookalikes of the delimiter. */
#define BIN                                                                                        \
	"\x00\xff\r\n\r\n--XyY\r-\r\n--Xy\r\n--XyA\r\n-\r\n--\r\n--xyz--XyZ\r\r\n\r\n--"           \
	"X\rZ\r"
	struct form f;
	assert_int_equal(
	        mp(S("--XyZ\r\n" CDF("up", "a.bin") "Content-Type: application/octet-stream\r\n"
	                                            "\r\n" BIN "\r\n--XyZ--"),
	           NULL, &f),
	        0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "up", BIN);
	assert_string_equal(f.fields[0].filename, "a.bin");
	assert_string_equal(f.fields[0].content_type, "application/octet-stream");
#undef BIN
	/* A non-file part may not hold such bytes. */
	MP_ERR(PART(CD("t"), "a\xffz") CLOSE, FORM_EUTF8);
	MP_ERR(PART(CD("t"), "a\0z") CLOSE, FORM_EUTF8);
	MP_ERR(PART(CD("t"), "\xed\xa0\x80") CLOSE, FORM_EUTF8);
}

static void test_mp_split_boundary(void **state)
{
	(void)state;
	struct form_parser *p = form_parser_create(A, FORM_MULTIPART, "XyZ", NULL);
	assert_non_null(p);
	assert_int_equal(form_parser_feed(p, S("--Xy")), 0);
	assert_int_equal(form_parser_feed(p, S("Z\r")), 0);
	assert_int_equal(form_parser_feed(p, S("\n" CD("a") "\r")), 0);
	assert_int_equal(form_parser_feed(p, S("\nab\r\n--X")), 0);
	assert_int_equal(form_parser_feed(p, S("yQ\r")), 0); /* not a delimiter after all */
	assert_int_equal(form_parser_feed(p, S("\n-")), 0);
	assert_int_equal(form_parser_feed(p, S("-XyZ")), 0);
	assert_int_equal(form_parser_feed(p, S("-")), 0);
	assert_int_equal(form_parser_feed(p, S("-")), 0);
	struct form f;
	assert_int_equal(form_parser_finish(p, &f), 0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "a", "ab\r\n--XyQ");
}

static void test_mp_self_overlapping_boundary(void **state)
{
	(void)state;
	/* Boundary "--": the delimiter "\r\n----" overlaps itself. */
	const char body[] = "----\r\n" CD("a") "\r\n"
	                                       "\r\n---\r\n--\r\n-----\r\n---x\r\n----\r\n" CD(
	                                               "b") "\r\n"
	                                                    "\r\r\n\r\n---\r\n------\r\n";
	struct form f;
	assert_int_equal(
	        parse_all(FORM_MULTIPART, "--", NULL, body, sizeof body - 1, &f),
	        FORM_EMULTIPART); /* "\r\n-----" is the boundary followed by '-' then 'r' */
	const char ok[] = "----\r\n" CD("a") "\r\n"
	                                     "\r\n---\r\n--\r\n---x\r\n----\r\n" CD(
	                                             "b") "\r\n"
	                                                  "\r\r\n\r\n---\r\n------\r\n";
	assert_int_equal(parse_all(FORM_MULTIPART, "--", NULL, ok, sizeof ok - 1, &f), 0);
	assert_int_equal(f.count, 2);
	FIELD(&f, 0, "a", "\r\n---\r\n--\r\n---x");
	FIELD(&f, 1, "b", "\r\r\n\r\n---");
}

static void test_mp_quoted_boundary(void **state)
{
	(void)state;
	const char *b;
	assert_int_equal(
	        form_multipart_boundary(A, "multipart/form-data; boundary=\"b o=u:n?d\"", &b), 0);
	const char body[] = "--b o=u:n?d\r\n" CD("k") "\r\nv\r\n--b o=u:n?d--";
	struct form f;
	assert_int_equal(parse_all(FORM_MULTIPART, b, NULL, body, sizeof body - 1, &f), 0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "k", "v");
}

static void test_mp_truncated(void **state)
{
	(void)state;
	MP_ERR(PART(CD("a"), "hello"), FORM_EMULTIPART); /* no close delimiter */
	MP_ERR("--XyZ\r\n" CD("a") "\r\nhello", FORM_EMULTIPART);
	MP_ERR("--XyZ\r\n" CD("a") "\r\nhello\r\n--XyZ", FORM_EMULTIPART);
	MP_ERR("--XyZ\r\n" CD("a") "\r\nhello\r\n--XyZ-", FORM_EMULTIPART);
	MP_ERR("--XyZ\r\n" CD("a"), FORM_EMULTIPART);
	MP_ERR("--XyZ\r\nContent-Disp", FORM_EMULTIPART);
	MP_ERR("--XyZ\r", FORM_EMULTIPART);
	MP_ERR("--XyZ", FORM_EMULTIPART);
	MP_ERR("no delimiter at all", FORM_EMULTIPART);
	MP_ERR("-", FORM_EMULTIPART); /* a 1-byte body */
	MP_ERR("", FORM_EMULTIPART); /* an empty body */
}

static void test_mp_missing_name(void **state)
{
	(void)state;
	MP_ERR(PART("Content-Disposition: form-data\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-data; filename=\"f\"\r\n", "x") CLOSE,
	       FORM_EMULTIPART);
	MP_ERR(PART("Content-Type: text/plain\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("", "x") CLOSE, FORM_EMULTIPART); /* no headers */
	MP_ERR(PART("Content-Disposition: attachment; name=\"a\"\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-datax; name=\"a\"\r\n", "x") CLOSE, FORM_EMULTIPART);
	/* The second part lacks the name: the whole body fails. */
	MP_ERR(PART(CD("a"), "1") PART("Content-Disposition: form-data\r\n", "2") CLOSE,
	       FORM_EMULTIPART);
}

static void test_mp_bad_headers(void **state)
{
	(void)state;
	MP_ERR(PART("Content-Disposition form-data; name=\"a\"\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition : form-data; name=\"a\"\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(": form-data\r\n" CD("a"), "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") " folded: line\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") "X-A: b\0c\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") "X-A: b\rc\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-data; name=\"a\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n", "x") CLOSE,
	       FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-data; name=\"a\"; filename=\"x\"; "
	            "filename=\"y\"\r\n",
	            "x") CLOSE,
	       FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-data; name=a b\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART("Content-Disposition: form-data; name\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") CD("b"), "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") "Content-Type: a\r\nContent-Type: b\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") "Content-Type:\r\n", "x") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a") "Content-Type: text/\xc3\xa9\r\n", "x") CLOSE, FORM_EMULTIPART);
	/* Bare LF line endings are refused everywhere. */
	MP_ERR("--XyZ\n" CD("a") "\r\nx\r\n" CLOSE, FORM_EMULTIPART);
	MP_ERR("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\n\r\nx\r\n" CLOSE,
	       FORM_EMULTIPART);
	MP_ERR("--XyZ\r\n" CD("a") "\nx\r\n" CLOSE, FORM_EMULTIPART);
	/* The boundary inside content, not followed by CRLF, "--" or padding. */
	MP_ERR(PART(CD("a"), "x\r\n--XyZz") CLOSE, FORM_EMULTIPART);
	MP_ERR(PART(CD("a"), "x") "--XyZ-x", FORM_EMULTIPART);
}

static void test_mp_header_forms(void **state)
{
	(void)state;
	struct form f;
	/* Case-insensitive names, unquoted values, escapes, other headers. */
	assert_int_equal(
	        mp(S("--XyZ\r\n"
	             "content-DISPOSITION:FORM-DATA ;  NAME=plain ; "
	             "Filename=\"q%22uo\\te.txt\"\r\n"
	             "X-Other: whatever\r\n"
	             "content-type:  text/plain; charset=utf-8  \r\n"
	             "\r\n"
	             "v\r\n"
	             "--XyZ\r\n"
	             "Content-Disposition: form-data; name=\"a%22b\"; filename*=UTF-8''x\r\n"
	             "\r\n"
	             "w\r\n"
	             "--XyZ\r\n"
	             "Content-Disposition: form-data; name=\"\xc3\xa9t\xc3\xa9\"\r\n"
	             "\r\n"
	             "\r\n" CLOSE),
	           NULL, &f),
	        0);
	assert_int_equal(f.count, 3);
	FIELD(&f, 0, "plain", "v");
	/* Browsers write '"' as %22 and leave '\' alone (WHATWG HTML). */
	assert_string_equal(f.fields[0].filename, "te.txt"); /* q%22uo\te.txt, after the '\' */
	assert_string_equal(f.fields[0].content_type, "text/plain; charset=utf-8");
	FIELD(&f, 1, "a%22b", "w");
	assert_null(f.fields[1].filename); /* filename* is ignored */
	FIELD(&f, 2, "\xc3\xa9t\xc3\xa9", "");
	/* Transport padding after a delimiter. */
	assert_int_equal(
	        mp(S("--XyZ \t \r\n" CD("a") "\r\n1\r\n--XyZ\t\r\n" CD("b") "\r\n2\r\n" CLOSE),
	           NULL, &f),
	        0);
	assert_int_equal(f.count, 2);
	FIELD(&f, 1, "b", "2");
	MP_ERR(PART("Content-Disposition: form-data; name=\"\xc3\"\r\n", "x") CLOSE, FORM_EUTF8);
}

static void test_mp_preamble_epilogue(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(
	        mp(S("This is a preamble.\r\n--XyY is not here--XyZ\r\n\r\n--XyZ\r\n" CD(
	                   "a") "\r\n1\r\n--XyZ--\r\nepilogue\r\n--XyZ\r\nbroken \x00\xff\r\n"),
	           NULL, &f),
	        0);
	assert_int_equal(f.count, 1);
	FIELD(&f, 0, "a", "1");
	/* The delimiter needs CRLF before it, even at the start: here the
	 * first one is the close delimiter, so all before it is preamble. */
	assert_int_equal(mp(S("x--XyZ\r\n" CD("a") "\r\n1\r\n" CLOSE), NULL, &f), 0);
	assert_int_equal(f.count, 0);
	MP_ERR("x--XyZ\r\n" CD("a") "\r\n1", FORM_EMULTIPART);
	/* No parts at all, only the close delimiter. */
	assert_int_equal(mp(S("--XyZ--"), NULL, &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(mp(S("pre\r\n--XyZ--\r\n"), NULL, &f), 0);
	assert_int_equal(f.count, 0);
}

static void test_mp_filename(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(
	        mp(S(PART(CDF("f1", "C:\\Users\\me\\photo.jpg"),
	                  "1") PART(CDF("f2", "../../etc/passwd"), "2") PART(CDF("f3", "dir/"), "3")
	                     PART(CDF("f4", ".."), "4") PART(CDF("f5", ""),
	                                                     "") PART(CDF("f6", "a\\b"), "6")
	                             PART(CDF("f7", "x/y\\r\xc3\xa9sum\xc3\xa9.pdf"), "7") CLOSE),
	           NULL, &f),
	        0);
	assert_int_equal(f.count, 7);
	assert_string_equal(f.fields[0].filename, "photo.jpg");
	assert_string_equal(f.fields[1].filename, "passwd");
	assert_string_equal(f.fields[2].filename, "");
	assert_string_equal(f.fields[3].filename, "");
	assert_string_equal(f.fields[4].filename, "");
	FIELD(&f, 4, "f5", "");
	assert_string_equal(f.fields[5].filename, "b"); /* "a\b": a path, like "C:\x" */
	assert_string_equal(f.fields[6].filename, "r\xc3\xa9sum\xc3\xa9.pdf");
	MP_ERR(PART(CDF("f", "bad\xff.txt"), "x") CLOSE, FORM_EUTF8);
	MP_ERR(PART(CDF("f", "\xc0\xaf"), "x") CLOSE, FORM_EUTF8);
}

static void test_mp_value_limit(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_field_bytes = 5;
	struct form f;
	assert_int_equal(
	        mp(S(PART(CD("a"), "12345") PART(CDF("b", "f"), "\r\n\r\n\r") CLOSE), &l, &f), 0);
	FIELD(&f, 0, "a", "12345");
	FIELD(&f, 1, "b", "\r\n\r\n\r");
	assert_int_equal(mp(S(PART(CD("a"), "123456") CLOSE), &l, &f), FORM_EFIELD);
	assert_int_equal(mp(S(PART(CDF("b", "f"), "\r\n\r\n\r\n") CLOSE), &l, &f), FORM_EFIELD);
	/* Near-matches count once they turn out to be content. */
	assert_int_equal(mp(S(PART(CD("a"), "\r\n--Xy") CLOSE), &l, &f), FORM_EFIELD);
	assert_int_equal(mp(S(PART(CD("a"), "\r\n--X") CLOSE), &l, &f), 0);
}

static void test_mp_name_limit(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_name_bytes = 4;
	struct form f;
	assert_int_equal(mp(S(PART(CD("abcd"), "x") CLOSE), &l, &f), 0);
	assert_int_equal(mp(S(PART(CD("abcde"), "x") CLOSE), &l, &f), FORM_EFIELD);
	assert_int_equal(mp(S(PART(CD("a\\cd"), "x") CLOSE), &l, &f), 0); /* '\' is one byte */
}

static void test_mp_field_count(void **state)
{
	(void)state;
	struct form_limits l;
	form_limits_default(&l);
	l.max_fields = 2;
	struct form f;
	assert_int_equal(mp(S(PART(CD("a"), "1") PART(CD("b"), "2") CLOSE), &l, &f), 0);
	assert_int_equal(f.count, 2);
	assert_int_equal(
	        mp(S(PART(CD("a"), "1") PART(CD("b"), "2") PART(CD("c"), "3") CLOSE), &l, &f),
	        FORM_ETOOMANY);
	l.max_fields = 0;
	assert_int_equal(mp(S(CLOSE), &l, &f), 0);
	assert_int_equal(mp(S(PART(CD("a"), "1") CLOSE), &l, &f), FORM_ETOOMANY);
}

static void test_mp_body_limit(void **state)
{
	(void)state;
	const char body[] = PART(CD("a"), "1") CLOSE "epilogue";
	struct form_limits l;
	form_limits_default(&l);
	struct form f;
	l.max_body = sizeof body - 1;
	assert_int_equal(mp(S(body), &l, &f), 0);
	l.max_body = sizeof body - 2; /* the epilogue counts too */
	assert_int_equal(mp(S(body), &l, &f), FORM_ETOOBIG);
	l.max_body = 10;
	assert_int_equal(mp(S(body), &l, &f), FORM_ETOOBIG);
	/* A malformation within the allowed bytes is reported first. */
	assert_int_equal(mp(S("--XyZ\n" CD("a") "\r\n1\r\n" CLOSE), &l, &f), FORM_EMULTIPART);
}

static void test_mp_header_limits(void **state)
{
	(void)state;
	struct buf b;
	struct form f;
	/* 16 header lines are fine, 17 are not. */
	for (int lines = 16; lines <= 17; lines++) {
		buf_init(&b, NULL, 0);
		buf_puts(&b, "--XyZ\r\n" CD("a"));
		for (int i = 1; i < lines; i++)
			buf_printf(&b, "X-H%d: v\r\n", i);
		buf_puts(&b, "\r\nv\r\n" CLOSE);
		assert_int_equal(mp(b.data, b.len, NULL, &f), lines == 16 ? 0 : FORM_EMULTIPART);
		buf_free(&b);
	}
	/* The header block (CRLFs included) may be 8192 bytes, not 8193. */
	const size_t cd_len = sizeof(CD("a")) - 1;
	for (size_t total = 8192; total <= 8193; total++) {
		size_t pad = total - cd_len - 2 - strlen("X-Pad: ") - 2;
		buf_init(&b, NULL, 0);
		buf_puts(&b, "--XyZ\r\n" CD("a") "X-Pad: ");
		for (size_t i = 0; i < pad; i++)
			buf_putc(&b, 'p');
		buf_puts(&b, "\r\n\r\nv\r\n" CLOSE);
		assert_int_equal(b.err, 0);
		assert_int_equal(mp(b.data, b.len, NULL, &f), total == 8192 ? 0 : FORM_EMULTIPART);
		buf_free(&b);
	}
}

static void test_mp_bad_boundary_parser(void **state)
{
	(void)state;
	const char *bad[] = {
	        NULL, "", "a@b",
	        "12345678901234567890123456789012345678901234567890123456789012345678901",
	        "trailing "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct form_parser *p = form_parser_create(A, FORM_MULTIPART, bad[i], NULL);
		assert_non_null(p);
		assert_int_equal(form_parser_feed(p, S("--a\r\n")), FORM_EMULTIPART);
		struct form f;
		assert_int_equal(form_parser_finish(p, &f), FORM_EMULTIPART);
	}
	/* A NULL parser (failed create) answers FORM_ENOMEM. */
	struct form f;
	assert_int_equal(form_parser_feed(NULL, S("x")), FORM_ENOMEM);
	assert_int_equal(form_parser_finish(NULL, &f), FORM_ENOMEM);
}

/* Hostile input: content full of delimiter near-matches must stay linear. */
static void test_mp_near_match_flood(void **state)
{
	(void)state;
	char bnd[71];
	memset(bnd, 'a', 70);
	bnd[70] = '\0';
	struct form_limits l;
	form_limits_default(&l);
	l.max_body = 2 << 20;
	l.max_field_bytes = 2 << 20;
	struct buf b;
	buf_init(&b, NULL, 0);
	buf_printf(&b, "--%s\r\n" CDF("f", "x"), bnd);
	buf_puts(&b, "\r\n");
	size_t start = b.len;
	while (b.len - start < (1u << 20)) {
		buf_puts(&b, "\r\n--");
		buf_append(&b, bnd, 69); /* one short */
	}
	size_t content = b.len - start;
	buf_printf(&b, "\r\n--%s--", bnd);
	assert_int_equal(b.err, 0);
	struct form f;
	assert_int_equal(parse_all(FORM_MULTIPART, bnd, &l, b.data, b.len, &f), 0);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.fields[0].value_len, content);
	assert_memory_equal(f.fields[0].value, b.data + start, content);
	buf_free(&b);
}

/* Every allocation fails in turn: the parser reports FORM_ENOMEM (or create
 * returns NULL), never crashes, and succeeds once there is room. */
static void torture(enum form_kind kind, const char *body, size_t len, size_t want_count)
{
	for (size_t cap = 16;; cap += 16) {
		struct arena *a = arena_create(cap);
		assert_non_null(a);
		struct form_parser *p = form_parser_create(a, kind, "XyZ", NULL);
		int rc = form_parser_feed(p, body, len);
		struct form f;
		int rc2 = form_parser_finish(p, &f);
		if (rc) {
			assert_int_equal(rc, FORM_ENOMEM);
			assert_int_equal(rc2, FORM_ENOMEM);
		}
		arena_destroy(a);
		if (!rc2) {
			assert_int_equal(f.count, want_count);
			break;
		}
		assert_int_equal(rc2, FORM_ENOMEM);
		assert_true(cap < 1 << 20);
	}
}

static void test_oom(void **state)
{
	(void)state;
	torture(FORM_URLENCODED, S("a=1&bb=22&ccc=%33%33%33&dddd"), 4);
	torture(FORM_MULTIPART,
	        S(PART(CD("a"), "1") PART(CDF("b", "x.txt") "Content-Type: text/plain\r\n", "2")
	                  CLOSE),
	        2);
	const char *b;
	struct arena *a = arena_create(16);
	assert_int_equal(form_multipart_boundary(
	                         a, "multipart/form-data; boundary=0123456789abcdefghij", &b),
	                 FORM_ENOMEM);
	arena_destroy(a);
}

/* Random edits of valid bodies, each fed every way: results must agree. */
static void test_split_consistency(void **state)
{
	(void)state;
	static const char seed_mp[] =
	        PART(CD("a"), "hello") PART(CDF("f", "x/y.bin"), "\r\n--XyQ\0") CLOSE;
	static const char seed_url[] = "a=1&b=%41%c3%a9+x&&c&=d";
	static const char alphabet[] = "\r\n-XyZ\"=;%&+a\\\xff\xc3\xa9:";
	uint32_t rng = 12345;
	struct form_limits l;
	form_limits_default(&l);
	l.max_field_bytes = 12;
	l.max_fields = 3;
	l.max_name_bytes = 4;
	for (int iter = 0; iter < 1500; iter++) {
		bool is_mp = iter & 1;
		const char *src = is_mp ? seed_mp : seed_url;
		size_t n = is_mp ? sizeof seed_mp - 1 : sizeof seed_url - 1;
		char body[256];
		memcpy(body, src, n);
		int edits = 1 + (int)(rng_next(&rng) % 4);
		for (int e = 0; e < edits; e++) {
			uint32_t r = rng_next(&rng);
			size_t pos = n ? r % n : 0;
			char c = alphabet[(r >> 8) % (sizeof alphabet - 1)];
			switch ((r >> 16) % 3) {
			case 0: /* replace */
				if (n)
					body[pos] = c;
				break;
			case 1: /* insert */
				if (n < sizeof body) {
					memmove(body + pos + 1, body + pos, n - pos);
					body[pos] = c;
					n++;
				}
				break;
			default: /* delete */
				if (n) {
					memmove(body + pos, body + pos + 1, n - pos - 1);
					n--;
				}
				break;
			}
		}
		struct form f;
		int rc = parse_all(is_mp ? FORM_MULTIPART : FORM_URLENCODED, "XyZ",
		                   (iter & 2) ? &l : NULL, body, n, &f);
		assert_true(rc <= 0 && rc >= FORM_EMULTIPART);
	}
}

/* ---- form_get ---- */

static void test_form_get(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(url(S("a=1&b=2&a=3&=e&ab=4"), NULL, &f), 0);
	const struct form_field *x = form_get(&f, "a");
	assert_non_null(x);
	assert_string_equal(x->value, "1");
	x = form_get(&f, "ab");
	assert_non_null(x);
	assert_string_equal(x->value, "4");
	x = form_get(&f, "");
	assert_non_null(x);
	assert_string_equal(x->value, "e");
	assert_null(form_get(&f, "c"));
	assert_null(form_get(&f, "A"));
	assert_null(form_get(&f, NULL));
	assert_null(form_get(NULL, "a"));
	struct form empty = {NULL, 0};
	assert_null(form_get(&empty, "a"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_strerror_status),
	        T(test_limits_default),
	        T(test_url_basic),
	        T(test_url_plus_and_percent),
	        T(test_url_bad_percent),
	        T(test_url_nul),
	        T(test_url_bad_utf8),
	        T(test_url_empty_pairs),
	        T(test_url_no_equals),
	        T(test_url_semicolon),
	        T(test_url_name_limit),
	        T(test_url_value_limit),
	        T(test_url_field_count),
	        T(test_url_default_field_count),
	        T(test_url_body_limit),
	        T(test_url_sticky),
	        T(test_url_split_escape),
	        T(test_url_query_string),
	        T(test_boundary_extract),
	        T(test_mp_simple),
	        T(test_mp_two_parts),
	        T(test_mp_file_binary),
	        T(test_mp_split_boundary),
	        T(test_mp_self_overlapping_boundary),
	        T(test_mp_quoted_boundary),
	        T(test_mp_truncated),
	        T(test_mp_missing_name),
	        T(test_mp_bad_headers),
	        T(test_mp_header_forms),
	        T(test_mp_preamble_epilogue),
	        T(test_mp_filename),
	        T(test_mp_value_limit),
	        T(test_mp_name_limit),
	        T(test_mp_field_count),
	        T(test_mp_body_limit),
	        T(test_mp_header_limits),
	        T(test_mp_bad_boundary_parser),
	        T(test_mp_near_match_flood),
	        T(test_oom),
	        T(test_split_consistency),
	        T(test_form_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
