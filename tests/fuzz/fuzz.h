/* tests/fuzz/fuzz.h — helpers shared by the libFuzzer targets: a reader that
 * carves parameters out of the fuzz input, a deterministic chunk-size source,
 * and independent reference implementations (UTF-8 check, HTML escaping) to
 * check the code under test against, rather than against itself.
 *
 * Everything here is static and header-only: each target is one program built
 * from its own .c file and the sources it tests (see mk/fuzz.mk). */
#ifndef CSEC_FUZZ_H
#define CSEC_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A failed check: print what broke and abort, which libFuzzer reports as a
 * crash and saves the input. Used instead of assert() so that it also works
 * with -DNDEBUG. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* ---- carving the input ---- */

struct fz_in {
	const uint8_t *p;
	size_t len;
};

/* The next byte, or 0 when the input is used up. */
static inline uint8_t fz_byte(struct fz_in *in)
{
	if (!in->len)
		return 0;
	uint8_t b = in->p[0];
	in->p++;
	in->len--;
	return b;
}

/* The bytes up to the first `sep` (not included; the separator is consumed),
 * or everything that is left when there is none. */
static inline struct fz_in fz_until(struct fz_in *in, uint8_t sep)
{
	const uint8_t *q = in->len ? memchr(in->p, sep, in->len) : NULL;
	size_t n = q ? (size_t)(q - in->p) : in->len;
	struct fz_in out = {in->p, n};
	in->p += n;
	in->len -= n;
	if (q) {
		in->p++;
		in->len--;
	}
	return out;
}

/* ---- chunking ---- */

/* xorshift32: chunk sizes that are a pure function of the input. */
static inline uint32_t fz_rng(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* A seed taken from the input bytes themselves (FNV-1a). */
static inline uint32_t fz_seed(const uint8_t *p, size_t n, uint32_t salt)
{
	uint32_t h = 2166136261u ^ salt;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* ---- reference implementations ---- */

/* Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF), written independently of core/str.c's. NUL bytes are allowed
 * here; callers check them separately. */
static inline bool fz_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t need;
		unsigned lo = 0x80, hi = 0xbf; /* range of the second byte */
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= need; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
		i += need + 1;
	}
	return true;
}

/* Text for a field name or value: valid UTF-8 without NUL. */
static inline bool fz_text_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && fz_utf8_ok(s, n);
}

/* A growable malloc'd byte string for expected outputs. */
struct fz_str {
	char *p;
	size_t len, cap;
};

static inline void fz_put(struct fz_str *s, const void *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 64;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *np = realloc(s->p, cap);
		CHECK(np != NULL);
		s->p = np;
		s->cap = cap;
	}
	if (n)
		memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static inline void fz_puts(struct fz_str *s, const char *z)
{
	fz_put(s, z, strlen(z));
}

static inline void fz_str_free(struct fz_str *s)
{
	free(s->p);
	memset(s, 0, sizeof *s);
}

/* What docs/templates.md promises escaping does: & < > " ' ` become entities
 * and NUL becomes U+FFFD; every other byte is copied. */
static inline void fz_escape(struct fz_str *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			fz_puts(out, "&amp;");
			break;
		case '<':
			fz_puts(out, "&lt;");
			break;
		case '>':
			fz_puts(out, "&gt;");
			break;
		case '"':
			fz_puts(out, "&quot;");
			break;
		case '\'':
			fz_puts(out, "&#39;");
			break;
		case '`':
			fz_puts(out, "&#96;");
			break;
		case '\0':
			fz_puts(out, "\xef\xbf\xbd");
			break;
		default:
			fz_put(out, &s[i], 1);
		}
	}
}

/* true when every '&' in s starts one of the entities escaping produces and
 * none of the characters escaping removes is present: text that is inert in
 * HTML element content and in quoted attribute values. */
static inline bool fz_is_escaped(const char *s, size_t n)
{
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;"};
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '`' || c == '\0')
			return false;
		if (c != '&')
			continue;
		bool ok = false;
		for (size_t k = 0; k < sizeof ents / sizeof ents[0] && !ok; k++) {
			size_t l = strlen(ents[k]);
			ok = n - i >= l && memcmp(s + i, ents[k], l) == 0;
		}
		if (!ok)
			return false;
	}
	return true;
}

#endif
