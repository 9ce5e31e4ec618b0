/* core/arena.c — see arena.h. Blocks are chained; a request typically fits in
 * its first block, so the common case is one malloc and one free. */
#include "core/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16u
#define BLOCK_MIN 8192u

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct block *head;
	struct cleanup *cleanups;
	size_t total, max;
};

struct arena *arena_create(size_t max_bytes)
{
	struct arena *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->max = max_bytes;
	return a;
}

void arena_destroy(struct arena *a)
{
	if (!a)
		return;
	/* Cleanups live in the arena's own blocks, so run them before freeing. */
	for (struct cleanup *c = a->cleanups; c; c = c->next)
		c->fn(c->p);
	struct block *b = a->head;
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

void arena_raise_cap(struct arena *a, size_t max_bytes)
{
	if (a && a->max && max_bytes > a->max)
		a->max = max_bytes;
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
	if (need < n)
		return NULL;
	if (a->max && (need > a->max || a->total > a->max - need))
		return NULL;
	struct block *b = a->head;
	if (!b || b->size - b->used < need) {
		size_t size = need > BLOCK_MIN ? need : BLOCK_MIN;
		if (b && b->size * 2 > size && b->size * 2 <= 1u << 20)
			size = b->size * 2; /* grow geometrically, within reason */
		if (size > SIZE_MAX - sizeof *b)
			return NULL;
		struct block *nb = malloc(sizeof *nb + size);
		if (!nb)
			return NULL;
		nb->size = size;
		nb->used = 0;
		/* A big one-off allocation goes behind the current block so that the
		 * current block's free space stays usable. */
		if (b && need > BLOCK_MIN && b->size - b->used >= BLOCK_MIN / 4) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

int arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct cleanup *c = arena_alloc(a, sizeof *c);
	if (!c) {
		fn(p);
		return -ENOMEM;
	}
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}
