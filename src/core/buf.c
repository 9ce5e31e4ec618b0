/* core/buf.c — see buf.h. */
#include "core/buf.h"

#include "core/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, struct arena *arena, size_t max)
{
	memset(b, 0, sizeof *b);
	b->arena = arena;
	b->max = max ? max : SIZE_MAX - 1;
}

static int grow(struct buf *b, size_t need)
{
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p;
	if (b->arena) {
		p = arena_alloc(b->arena, cap);
		if (p && b->len)
			memcpy(p, b->data, b->len + 1);
	} else {
		p = realloc(b->data, cap);
	}
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->err)
		return b->err;
	if (n > b->max - b->len)
		return b->err = -E2BIG;
	int rc = grow(b, b->len + n + 1);
	if (rc)
		return b->err = rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	if (b->err)
		return b->err;
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	int rc = 0;
	if (n < 0)
		rc = b->err = -EINVAL;
	else if ((size_t)n > b->max - b->len)
		rc = b->err = -E2BIG;
	else if ((rc = grow(b, b->len + (size_t)n + 1)) != 0)
		b->err = rc;
	else {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		b->len += (size_t)n;
	}
	va_end(ap);
	return rc;
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	if (!b->arena)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
