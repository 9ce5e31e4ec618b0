/* core/buf.h — a growable byte buffer with a hard maximum size (after curl's
 * dynbuf). Memory comes from an arena when one is given, else from malloc
 * (then buf_free releases it). The content is always NUL-terminated, so
 * buf.data can be used as a C string when it holds no NUL bytes. */
#ifndef CSEC_CORE_BUF_H
#define CSEC_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct buf {
	char *data; /* NULL until the first append */
	size_t len; /* bytes held, not counting the trailing NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* len may never exceed this */
	struct arena *arena;
	int err; /* first error seen (sticky): 0, -ENOMEM or -E2BIG */
};

/* Prepares an empty buffer. arena may be NULL (malloc mode). */
void buf_init(struct buf *b, struct arena *arena, size_t max);

/* Each append returns 0, -ENOMEM, or -E2BIG when max would be passed; on
 * failure the buffer keeps its previous content and the error is also kept in
 * b->err, so a sequence of appends can be checked once at the end. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The content as a C string ("" when empty). */
const char *buf_cstr(const struct buf *b);

/* Empties the buffer but keeps its memory and its error state cleared. */
void buf_reset(struct buf *b);

/* Frees malloc-mode memory; a no-op for arena buffers. */
void buf_free(struct buf *b);

#endif
