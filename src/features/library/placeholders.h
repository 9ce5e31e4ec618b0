/* features/library/placeholders.h — the fixed registry of placeholders a
 * page may hold (DESIGN.md §7): agency.name, agency.state,
 * agency.jurisdiction, agency.hotline, agency.time_zone, state.law_summary,
 * deployment.name and partners.<type> for each organization kind. They
 * stay in the cached HTML as {{name}} and are filled when a page is
 * shown. */
#ifndef CSEC_FEATURES_LIBRARY_PLACEHOLDERS_H
#define CSEC_FEATURES_LIBRARY_PLACEHOLDERS_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

bool placeholder_known(const char *name, size_t len);

/* Returns the value for name, or NULL when it is not set. */
typedef const char *(*placeholder_lookup)(void *ctx, const char *name);

/* Copies html with every {{name}} replaced: a set value HTML-escaped; an
 * unset one by a marked prompt (<span class="placeholder-unset">…</span>
 * naming the field, with a link to edit_url when it is not NULL, i.e. when
 * the viewer may edit the profile), or by a neutral "(not set)" marker for
 * everyone else. Unknown names are left as they are. NULL on no memory. */
char *placeholders_fill(struct arena *a, const char *html, placeholder_lookup lookup, void *ctx,
                        const char *edit_url);

/* The same for Markdown (the guide PDF lays out Markdown, not HTML): a set
 * value becomes text with its punctuation escaped, so it can open no link,
 * emphasis, heading or paragraph; an unset one the neutral "(… : not set)"
 * message. NULL on no memory. */
char *placeholders_fill_markdown(struct arena *a, const char *md, placeholder_lookup lookup,
                                 void *ctx);

#endif
