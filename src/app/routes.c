/* app/routes.c — every URL the portal answers, with the permission each needs
 * and whether it changes state (then the Origin and CSRF checks apply).
 * A route cannot exist without a permission: router_check refuses it at
 * start-up, and the policy table denies any name it does not know. */
#include "app/routes.h"

#include "features/site/site.h"

static const struct route routes[] = {
        {"GET", "/", site_home, "public", false, 0, "Home page"},
        {"GET", "/about", site_about, "public", false, 0, "About this portal"},
        {"GET", "/healthz", site_healthz, "public", false, 0, "Health check (JSON)"},
        {"GET", "/api/v1/openapi.json", site_openapi, "public", false, 0,
         "OpenAPI 3.1 description of the API"},
        {"GET", "/static/{name}", site_static, "public", false, 0, "Embedded static files"},
        /* Test-only routes: keep them last, they are cut off without --diagnostics. */
        {"POST", "/_diag/form", site_diag_form, "diagnostics", true, 0,
         "Echo of the parsed form (only with --diagnostics)"},
};

#define ALL (sizeof routes / sizeof routes[0])
#define DIAGNOSTIC_ROUTES 1

void app_routes(bool diagnostics, struct dispatch_table *out)
{
	out->routes = routes;
	out->count = diagnostics ? ALL : ALL - DIAGNOSTIC_ROUTES;
}
