/* tests/fuzz/fuzz_multipart.c — http/form.c's multipart/form-data parser and
 * form_multipart_boundary.
 *
 * Input: one option byte, then the rest in one of two modes.
 *   bits 0-1  limit profile (fz_form_limits)
 *   bits 2-5  arena cap for the out-of-memory pass: 256 * (1 + value) bytes
 *   bit 6     0: raw mode, 1: round-trip mode
 *
 * Raw mode: the rest is a Content-Type header value up to the first '\n',
 * then the body ("multipart/form-data; boundary=B" when there is no '\n').
 * The boundary extracted must obey RFC 2046; the body is parsed whole, byte by
 * byte and in chunks derived from the input, with identical results, and every
 * field keeps form.h's promises.
 *
 * Round-trip mode: the rest describes parts, separated by 0x1e; a part is
 * NAME 0x1f VALUE [0x1f FILENAME]. They are encoded as a browser would, with
 * a boundary that appears in no value, and parsed back: the parser must return
 * exactly those fields when they are within the limits and valid text, and an
 * error otherwise. */
#include "form_check.h"

/* RFC 2046 bchars. */
static bool bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	        (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

static void check_boundary(const char *b)
{
	size_t n = strlen(b);
	CHECK(n >= 1 && n <= 70 && b[n - 1] != ' ');
	for (size_t i = 0; i < n; i++)
		CHECK(bchar(b[i]));
}

static void raw_mode(const struct form_limits *lim, size_t arena_cap, uint32_t seed,
                     struct fz_in in)
{
	struct fz_in body = in;
	char *ctype;
	if (memchr(in.p, '\n', in.len)) {
		struct fz_in ct = fz_until(&body, '\n');
		ctype = malloc(ct.len + 1);
		CHECK(ctype != NULL);
		memcpy(ctype, ct.p, ct.len);
		ctype[ct.len] = '\0'; /* a NUL inside simply ends the header early */
	} else {
		ctype = strdup("multipart/form-data; boundary=B");
		CHECK(ctype != NULL);
	}

	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	const char *boundary = NULL;
	int rc = form_multipart_boundary(a, ctype, &boundary);
	CHECK(rc == 0 || rc == FORM_EMULTIPART);
	if (rc == 0)
		check_boundary(boundary);
	else
		CHECK(boundary == NULL);

	struct fz_form_run ref;
	fz_form_all_ways(&ref, FORM_MULTIPART, boundary, lim, body.p, body.len, seed, arena_cap);
	if (!boundary)
		CHECK(ref.rc == FORM_EMULTIPART);
	fz_form_run_free(&ref);
	arena_destroy(a);
	free(ctype);
}

struct part {
	struct fz_str name, value, filename; /* filename.p NULL: not a file */
	bool file;
};

/* Names and filenames go inside a quoted string that the parser does not
 * unescape (browsers percent-encode '"', CR and LF), so those and the other
 * control characters are replaced here, before the expectation is made. */
static void put_quoted_safe(struct fz_str *s, struct fz_in t)
{
	for (size_t i = 0; i < t.len; i++) {
		char c = (char)t.p[i];
		if (c == '"' || ((unsigned char)c < 0x20 && c != '\t') || c == 0x7f)
			c = '_';
		fz_put(s, &c, 1);
	}
	if (!s->p)
		fz_put(s, "", 0);
}

static bool contains(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static void round_trip(const struct form_limits *lim, size_t arena_cap, uint32_t seed,
                       struct fz_in in)
{
	size_t cap = 1;
	for (size_t i = 0; i < in.len; i++)
		cap += in.p[i] == 0x1e;
	struct part *parts = calloc(cap, sizeof *parts);
	CHECK(parts != NULL);
	size_t np = 0;
	while (in.len || np == 0) {
		struct fz_in rec = fz_until(&in, 0x1e);
		struct part *pt = &parts[np++];
		put_quoted_safe(&pt->name, fz_until(&rec, 0x1f));
		struct fz_in v = fz_until(&rec, 0x1f);
		fz_put(&pt->value, v.p, v.len);
		if (rec.p > v.p + v.len) { /* there was a second 0x1f */
			pt->file = true;
			put_quoted_safe(&pt->filename, rec);
		}
		if (!in.len)
			break;
	}

	/* A boundary that no value contains (the delimiter cannot straddle a
	 * value's end: bchars hold no CR or LF). */
	char boundary[40], delim[48];
	for (unsigned k = 0;; k++) {
		snprintf(boundary, sizeof boundary, "----fz%08x%u", (unsigned)seed, k);
		snprintf(delim, sizeof delim, "\r\n--%s", boundary);
		bool clash = false;
		for (size_t i = 0; i < np && !clash; i++)
			clash = contains(parts[i].value.p, parts[i].value.len, delim,
			                 strlen(delim));
		if (!clash)
			break;
	}

	struct fz_str body = {0};
	fz_put(&body, "", 0);
	for (size_t i = 0; i < np; i++) {
		fz_puts(&body, "--");
		fz_puts(&body, boundary);
		fz_puts(&body, "\r\nContent-Disposition: form-data; name=\"");
		fz_put(&body, parts[i].name.p, parts[i].name.len);
		fz_puts(&body, "\"");
		if (parts[i].file) {
			fz_puts(&body, "; filename=\"");
			fz_put(&body, parts[i].filename.p, parts[i].filename.len);
			fz_puts(&body, "\"\r\nContent-Type: application/octet-stream");
		}
		fz_puts(&body, "\r\n\r\n");
		fz_put(&body, parts[i].value.p, parts[i].value.len);
		fz_puts(&body, "\r\n");
	}
	fz_puts(&body, "--");
	fz_puts(&body, boundary);
	fz_puts(&body, "--\r\n");

	char ctype[80];
	snprintf(ctype, sizeof ctype, "Multipart/Form-Data ; Boundary=\"%s\"", boundary);
	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	const char *b = NULL;
	CHECK(form_multipart_boundary(a, ctype, &b) == 0 && strcmp(b, boundary) == 0);

	struct fz_form_run ref;
	fz_form_all_ways(&ref, FORM_MULTIPART, b, lim, (const uint8_t *)body.p, body.len, seed,
	                 arena_cap);

	bool ok = body.len <= lim->max_body && np <= lim->max_fields;
	for (size_t i = 0; ok && i < np; i++) {
		const struct part *pt = &parts[i];
		/* A part's header block, CRLFs and the blank line included, is at
		 * most 8 KiB. */
		size_t hdr =
		        strlen("Content-Disposition: form-data; name=\"\"\r\n\r\n") + pt->name.len;
		if (pt->file)
			hdr += strlen("; filename=\"\"\r\nContent-Type: application/octet-stream") +
			        pt->filename.len;
		ok = hdr <= 8192 && pt->name.len <= lim->max_name_bytes &&
		        pt->value.len <= lim->max_field_bytes &&
		        fz_text_ok(pt->name.p, pt->name.len) &&
		        (pt->file ? fz_text_ok(pt->filename.p, pt->filename.len)
		                  : fz_text_ok(pt->value.p, pt->value.len));
	}
	if (ok) {
		CHECK(ref.rc == 0 && ref.f.count == np);
		for (size_t i = 0; i < np; i++) {
			const struct part *pt = &parts[i];
			const struct form_field *x = &ref.f.fields[i];
			CHECK(x->name_len == pt->name.len &&
			      memcmp(x->name, pt->name.p, x->name_len) == 0);
			CHECK(x->value_len == pt->value.len &&
			      memcmp(x->value, pt->value.p, x->value_len) == 0);
			if (!pt->file) {
				CHECK(x->filename == NULL && x->content_type == NULL);
				continue;
			}
			/* The last path component; "." and ".." name no file. */
			const char *base = pt->filename.p;
			for (const char *c = pt->filename.p; *c; c++)
				if (*c == '/' || *c == '\\')
					base = c + 1;
			if (!strcmp(base, ".") || !strcmp(base, ".."))
				base = "";
			CHECK(x->filename && strcmp(x->filename, base) == 0);
			CHECK(x->content_type &&
			      strcmp(x->content_type, "application/octet-stream") == 0);
		}
	} else {
		CHECK(ref.rc != 0);
	}

	fz_form_run_free(&ref);
	arena_destroy(a);
	fz_str_free(&body);
	for (size_t i = 0; i < np; i++) {
		fz_str_free(&parts[i].name);
		fz_str_free(&parts[i].value);
		fz_str_free(&parts[i].filename);
	}
	free(parts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint8_t opt = fz_byte(&in);
	struct form_limits lim;
	fz_form_limits(opt, &lim);
	size_t arena_cap = 256u * (1u + ((opt >> 2) & 15));
	uint32_t seed = fz_seed(data, size, 2);
	if (opt & 0x40)
		round_trip(&lim, arena_cap, seed, in);
	else
		raw_mode(&lim, arena_cap, seed, in);
	return 0;
}
