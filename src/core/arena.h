/* core/arena.h — a bump allocator that owns everything one request (or one
 * command) allocates; freed in one go by arena_destroy. Cleanups registered
 * with arena_defer run at destroy, newest first, so foreign objects (jansson
 * values, prepared statements) can share the arena's lifetime. */
#ifndef CSEC_CORE_ARENA_H
#define CSEC_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Creates an arena that refuses to grow past max_bytes in total (0 = no cap).
 * Returns NULL when out of memory. */
struct arena *arena_create(size_t max_bytes);

/* Runs the deferred cleanups, then frees every block. NULL is a no-op. */
void arena_destroy(struct arena *a);

/* n bytes aligned for any type, uninitialised. NULL when out of memory or
 * when the arena's cap would be passed. n == 0 returns a valid pointer. */
void *arena_alloc(struct arena *a, size_t n);

/* count*size zeroed bytes; NULL on multiplication overflow as well. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copies n bytes and adds a NUL. NULL on failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

/* printf into arena memory; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Registers fn(p) to run at arena_destroy. Returns 0, or -ENOMEM (in which
 * case fn(p) has already been called, so the caller never leaks). */
int arena_defer(struct arena *a, void (*fn)(void *), void *p);

/* Raises the cap to max_bytes (never lowers it; 0 = no cap stays no cap):
 * for a request whose route accepts a larger body than the default. */
void arena_raise_cap(struct arena *a, size_t max_bytes);

/* Bytes handed out so far (for limits and tests). */
size_t arena_used(const struct arena *a);

#endif
