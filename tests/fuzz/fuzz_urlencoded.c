/* tests/fuzz/fuzz_urlencoded.c — http/form.c's application/x-www-form-urlencoded
 * parser (request bodies and query strings).
 *
 * Input: one option byte, then the body.
 *   bits 0-1  limit profile (fz_form_limits)
 *   bits 2-7  arena cap for the out-of-memory pass: 256 * (1 + value) bytes
 *
 * Checks: the body parsed whole, byte by byte and in chunks derived from the
 * input gives identical results (and form_parse_urlencoded the same again);
 * every field keeps form.h's promises; and the result agrees with a
 * straightforward reference decoder written here: the parser accepts exactly
 * the bodies that are well-encoded, valid UTF-8 without NUL and within the
 * limits, and then returns the same fields. */
#include "form_check.h"

struct ref_field {
	char *name, *value;
	size_t name_len, value_len;
};

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) ('+' is a space, %XX a byte) into a malloc'd string.
 * false on a bad escape. */
static bool ref_decode(const uint8_t *s, size_t n, char **out, size_t *outlen)
{
	char *d = malloc(n + 1);
	CHECK(d != NULL);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			d[k++] = ' ';
		} else if (s[i] == '%') {
			if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
				free(d);
				return false;
			}
			d[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			d[k++] = (char)s[i];
		}
	}
	d[k] = '\0';
	*out = d;
	*outlen = k;
	return true;
}

/* The reference parse: pairs split on '&', empty pairs skipped, the name
 * ending at the first '='. Returns the number of fields (in *fields, which
 * the caller frees with ref_free), or -1 for a bad escape. */
static long ref_parse(const uint8_t *s, size_t n, struct ref_field **fields)
{
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += s[i] == '&';
	struct ref_field *f = calloc(cap, sizeof *f);
	CHECK(f != NULL);
	long count = 0;
	size_t start = 0;
	while (start <= n) {
		const uint8_t *amp = memchr(s + start, '&', n - start);
		size_t end = amp ? (size_t)(amp - s) : n;
		if (end > start) {
			const uint8_t *eq = memchr(s + start, '=', end - start);
			size_t nend = eq ? (size_t)(eq - s) : end;
			size_t vstart = eq ? nend + 1 : end;
			struct ref_field *x = &f[count];
			if (!ref_decode(s + start, nend - start, &x->name, &x->name_len)) {
				*fields = f;
				return -1 - count;
			}
			if (!ref_decode(s + vstart, end - vstart, &x->value, &x->value_len)) {
				free(x->name);
				*fields = f;
				return -1 - count;
			}
			count++;
		}
		start = end + 1;
	}
	*fields = f;
	return count;
}

static void ref_free(struct ref_field *f, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(f[i].name);
		free(f[i].value);
	}
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint8_t opt = fz_byte(&in);
	struct form_limits lim;
	fz_form_limits(opt, &lim);
	size_t arena_cap = 256u * (1u + (opt >> 2));
	uint32_t seed = fz_seed(data, size, 1);

	struct fz_form_run ref;
	fz_form_all_ways(&ref, FORM_URLENCODED, NULL, &lim, in.p, in.len, seed, arena_cap);

	/* The one-call API used for query strings agrees with the parser. */
	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	struct fz_form_run whole = {.a = a};
	whole.rc = form_parse_urlencoded(a, (const char *)in.p, in.len, &lim, &whole.f);
	fz_form_same(&ref, &whole);
	arena_destroy(a);

	/* Against the reference decoder. */
	struct ref_field *rf;
	long n = ref_parse(in.p, in.len, &rf);
	size_t nfields = n < 0 ? (size_t)(-1 - n) : (size_t)n;
	bool acceptable = n >= 0 && in.len <= lim.max_body && (size_t)n <= lim.max_fields;
	for (size_t i = 0; acceptable && i < nfields; i++)
		acceptable = rf[i].name_len <= lim.max_name_bytes &&
		        rf[i].value_len <= lim.max_field_bytes &&
		        fz_text_ok(rf[i].name, rf[i].name_len) &&
		        fz_text_ok(rf[i].value, rf[i].value_len);
	if (acceptable) {
		CHECK(ref.rc == 0);
		CHECK(ref.f.count == nfields);
		for (size_t i = 0; i < nfields; i++) {
			const struct form_field *x = &ref.f.fields[i];
			CHECK(x->name_len == rf[i].name_len &&
			      memcmp(x->name, rf[i].name, x->name_len) == 0);
			CHECK(x->value_len == rf[i].value_len &&
			      memcmp(x->value, rf[i].value, x->value_len) == 0);
		}
	} else {
		CHECK(ref.rc != 0);
		if (n < 0 && in.len <= lim.max_body)
			CHECK(ref.rc == FORM_EENCODING || ref.rc == FORM_ETOOMANY ||
			      ref.rc == FORM_EFIELD || ref.rc == FORM_EUTF8);
	}
	ref_free(rf, nfields);
	fz_form_run_free(&ref);
	return 0;
}
