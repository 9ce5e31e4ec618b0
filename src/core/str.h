/* core/str.h — pointer + length strings for parsing, and small helpers that
 * never read past len. A struct str does not own its bytes. */
#ifndef CSEC_CORE_STR_H
#define CSEC_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str {
	const char *p;
	size_t len;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})

struct str str_from(const char *cstr);
bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *b);
bool str_ieq_cstr(struct str a, const char *b); /* ASCII case-insensitive */
bool str_has_prefix(struct str s, const char *prefix);
struct str str_trim(struct str s); /* strips ASCII spaces and tabs */

/* Parses a whole decimal number in [min, max]; 0 or -EINVAL. No sign for
 * unsigned use: pass min >= 0. Leading/trailing junk is an error. */
int str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out);

/* true when s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool str_utf8_valid(const char *s, size_t len);

#endif
