/* app/routes.h — the one route table of the portal. */
#ifndef CSEC_APP_ROUTES_H
#define CSEC_APP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "http/dispatch.h"

/* The routes this server answers; with diagnostics, also the test-only ones.
 * The table is static and lives for the whole process. */
void app_routes(bool diagnostics, struct dispatch_table *out);

/* Checks a table before serving it: well formed (router_check) and every
 * permission known to the policy table. 0, or -1 with a message in err. */
int app_routes_check(const struct dispatch_table *t, char *err, size_t errlen);

#endif
