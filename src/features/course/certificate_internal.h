/* features/course/certificate_internal.h — what the records' handlers
 * (certificate.c, verify.c, transcript.c) share: dates in a zone, a course
 * slug from the path, and the audit record of an export. */
#ifndef CSEC_FEATURES_COURSE_CERTIFICATE_INTERNAL_H
#define CSEC_FEATURES_COURSE_CERTIFICATE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

struct arena;
struct db;

/* Date patterns (ICU): on certificates and the verify page, in lists, in
 * CSV. */
#define CERT_DATE_LONG "d MMMM yyyy"
#define CERT_DATE_SHORT "d MMM yyyy"
#define CERT_DATE_ISO "yyyy-MM-dd"

/* t in zone with pattern, in arena memory ("" when it fails). */
const char *cert_date(struct arena *a, int64_t t, const char *zone, const char *pattern);

/* true for a course slug as the pack format allows it (lower-case letters,
 * digits and '-', at most 64 bytes). */
bool cert_slug_ok(const char *s);

/* Audits a download in a write transaction of its own
 * (course.transcript.exported, or action), with detail (stolen). 0 or -1
 * (logged). */
int cert_audit_export(struct db *db, struct req *req, const char *action, json_t *detail);

#endif
