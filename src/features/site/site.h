/* features/site/site.h — the portal's own pages and endpoints: home, about,
 * health check, OpenAPI document, static files, and the diagnostics route
 * that black-box tests use to see what the body parser produced. */
#ifndef CSEC_FEATURES_SITE_H
#define CSEC_FEATURES_SITE_H

#include "http/http.h"

/* Prepares what the handlers cache (the OpenAPI document with this
 * deployment's public URL). 0, or -1 with a message in err. */
int site_init(const struct http_config *cfg, char *err, size_t errlen);
void site_shutdown(void);

int site_home(struct req *req);
int site_about(struct req *req);
int site_healthz(struct req *req);
int site_openapi(struct req *req);
int site_static(struct req *req);
int site_diag_form(struct req *req);
int site_diag_slow(struct req *req);

#endif
