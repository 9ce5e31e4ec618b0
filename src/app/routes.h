/* app/routes.h — the one route table of the portal. */
#ifndef CSEC_APP_ROUTES_H
#define CSEC_APP_ROUTES_H

#include <stdbool.h>

#include "http/dispatch.h"

/* The routes this server answers; with diagnostics, also the test-only ones.
 * The table is static and lives for the whole process. */
void app_routes(bool diagnostics, struct dispatch_table *out);

#endif
