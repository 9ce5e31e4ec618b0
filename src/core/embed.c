/* core/embed.c — lookup in the generated table (see scripts/embed). A linear
 * scan: the table holds a few dozen entries and lookups happen at start-up
 * or through caches built from it. */
#include "core/embed.h"

#include <string.h>

const struct embed_file *embed_find(const char *name)
{
	for (unsigned long i = 0; i < embed_count; i++)
		if (strcmp(embed_files[i].name, name) == 0)
			return &embed_files[i];
	return NULL;
}
