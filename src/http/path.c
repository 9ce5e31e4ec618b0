/* http/path.c — see path.h. */
#include "http/path.h"

#include "core/arena.h"
#include "core/str.h"

#include <stdbool.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool dot_segment(const char *seg, size_t len)
{
	return (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.');
}

int path_decode(struct arena *a, const char *raw, size_t len, const char **out)
{
	if (len == 0 || raw[0] != '/')
		return PATH_EFORM;
	char *d = arena_alloc(a, len + 1);
	if (!d)
		return PATH_ENOMEM;
	size_t n = 0, seg = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '%') {
			int hi = i + 2 < len ? hexval(raw[i + 1]) : -1;
			int lo = i + 2 < len ? hexval(raw[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return PATH_EENCODING;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			if (c == '/')
				return PATH_ESLASH;
		} else if (c == '/') {
			if (dot_segment(d + seg, n - seg))
				return PATH_ETRAVERSAL;
			d[n++] = '/';
			seg = n;
			continue;
		}
		if (c == '\\')
			return PATH_ETRAVERSAL;
		if (c < 0x20 || c == 0x7f)
			return PATH_EBYTES;
		d[n++] = (char)c;
	}
	if (dot_segment(d + seg, n - seg))
		return PATH_ETRAVERSAL;
	d[n] = '\0';
	if (!str_utf8_valid(d, n))
		return PATH_EBYTES;
	*out = d;
	return PATH_OK;
}

const char *path_error_key(int err)
{
	switch (err) {
	case PATH_EENCODING:
		return "error.path.encoding";
	case PATH_ETRAVERSAL:
		return "error.path.traversal";
	case PATH_ESLASH:
		return "error.path.slash";
	case PATH_EBYTES:
		return "error.path.bytes";
	default:
		return "error.path.form";
	}
}
