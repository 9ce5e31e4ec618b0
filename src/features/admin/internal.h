/* features/admin/internal.h — what the site admin's handlers share: path
 * ids, bounded query values, query strings for links, labels from the
 * catalogue, and the audit record of an administrative action. */
#ifndef CSEC_FEATURES_ADMIN_INTERNAL_H
#define CSEC_FEATURES_ADMIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/http.h"

struct db;

/* The id in path parameter name ({org}, {user}); 0 when it is not a
 * positive decimal number (the caller answers 404, as for an unknown id). */
int64_t admin_path_id(const struct req *req, const char *name);

/* A query value, trimmed: "" when absent; NULL when longer than max bytes
 * or holding control characters (the caller answers 422). */
const char *admin_query_text(struct req *req, const char *name, size_t max);

/* The page number in ?page= (1 when absent); 0 when it is not a number
 * from 1 to ADMIN_LIST_MAX_PAGE. */
int64_t admin_query_page(const struct req *req);

/* Appends "?name=value" (or "&name=value" after the first) to b, the
 * value form-urlencoded; an empty value is left out. */
void admin_qs_add(struct buf *b, const char *name, const char *value);

/* The catalogue's text for "prefix.value" ("org.kind" + "school"). */
const char *admin_label(struct req *req, const char *prefix, const char *value);

/* One audit record for this request (actor: the signed-in site admin, the
 * client address) inside the open write transaction, with org_id as its
 * organization: the one acted on, so the viewer's organization filter finds
 * what was done to it (0: the admin's active organization). */
int admin_record(struct db *db, const struct req *req, int64_t org_id, const char *action,
                 const char *target_type, const char *target_id, const char *outcome,
                 const char *detail_json);

/* Rolls back after a failure inside a write transaction and logs it once;
 * returns -1 for the handler to answer 500. */
int admin_fail(struct db *db, const char *what);

#endif
