/* core/embed.h — files built into the binary (web/ templates, static
 * assets, message catalogue, migrations), found by their path in the source
 * tree, e.g. "web/static/app.css". Each file is followed by a NUL byte. */
#ifndef CSEC_CORE_EMBED_H
#define CSEC_CORE_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name;
	const unsigned char *data;
	const unsigned char *end; /* one past the last byte */
};

extern const struct embed_file embed_files[];
extern const unsigned long embed_count;

/* The file with that exact path, or NULL. */
const struct embed_file *embed_find(const char *name);

static inline size_t embed_len(const struct embed_file *f)
{
	return (size_t)(f->end - f->data);
}

#endif
