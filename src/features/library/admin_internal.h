/* features/library/admin_internal.h — what the handlers of the site admin's
 * content page (admin.c, admin_upload.c) share. */
#ifndef CSEC_FEATURES_LIBRARY_ADMIN_INTERNAL_H
#define CSEC_FEATURES_LIBRARY_ADMIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct arena;
struct db;
struct library_actor;
struct library_version;
struct pack_problems;

/* The memory one upload, import or download may use, in an arena of its own
 * (freed with the request): the request's arena (64 MiB) is far below what
 * a pack needs once unpacked, checked and rendered, about twelve times its
 * size (measured: 134 MiB for 10.9 MiB of Markdown). This cap lets a pack
 * of about 20 MiB through; a bigger one is refused with a message that
 * names `csec content import`, which has no such cap. */
#define LIBRARY_ADMIN_WORK_MAX (256u * 1024 * 1024)

/* A fresh work arena, destroyed with the request; NULL when out of memory. */
struct arena *library_admin_work_arena(struct req *req);

/* The signed-in site admin as the store's audit records name them. */
void library_admin_actor(const struct req *req, struct library_actor *out);

/* "4 Mar 2025 14:52 CST" in zone ("" on failure), in the request arena. */
const char *library_admin_when(struct req *req, const char *zone, int64_t t);

/* The time zone of the admin's active organization (UTC without one). */
const char *library_admin_zone(struct req *req, struct db *db);

/* The catalogue's text for "content_admin.source.starter" and the like. */
const char *library_admin_label(struct req *req, const char *prefix, const char *value);

/* A version from library_versions as the pages show it (a JSON object). */
json_t *library_admin_version_json(struct req *req, const char *zone,
                                   const struct library_version *v);

/* The problems as the list the page shows: ["file:line: message", ...]
 * (at most LIBRARY_ADMIN_MAX_PROBLEMS; *more gets how many were left out). */
#define LIBRARY_ADMIN_MAX_PROBLEMS 200
json_t *library_admin_problems(const struct pack_problems *pr, size_t *more);

/* The id in form field name (a positive decimal number), or 0. */
int64_t library_admin_form_id(const struct req *req, const char *name);

#endif
