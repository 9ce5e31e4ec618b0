/* features/course/xapi_admin.h — the site admin's page for xAPI delivery
 * (docs/xapi.md): the Learning Record Store's endpoint, user name and
 * write-only password (site settings lrs.*), the queue's state, a button to
 * send what waits now, and the export of every statement as JSON. The
 * sending itself is jobs/xapi.c's. */
#ifndef CSEC_FEATURES_COURSE_XAPI_ADMIN_H
#define CSEC_FEATURES_COURSE_XAPI_ADMIN_H

#include "http/http.h"

int xapi_admin_page(struct req *req); /* GET /admin/xapi */
int xapi_admin_save(struct req *req); /* POST /admin/xapi: the LRS settings (audited) */
int xapi_admin_send(struct req *req); /* POST /admin/xapi/send: queue everything now */
int xapi_admin_export(struct req *req); /* GET /admin/xapi/statements.json (audited) */

#endif
