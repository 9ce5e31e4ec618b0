/* features/site/handlers.c — see site.h. */
#include "features/site/site.h"

#include "core/arena.h"
#include "core/embed.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/assets.h"
#include "render/page.h"

#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *openapi_text; /* built once by site_init */
static size_t openapi_len;

int site_init(const struct http_config *cfg, char *err, size_t errlen)
{
	const struct embed_file *f = embed_find("web/api/openapi.json");
	json_error_t jerr;
	json_t *doc = f ? json_loadb((const char *)f->data, embed_len(f), 0, &jerr) : NULL;
	if (!doc) {
		snprintf(err, errlen, "web/api/openapi.json: %s", f ? jerr.text : "missing");
		return -1;
	}
	json_object_set_new(doc, "servers", json_pack("[{s:s}]", "url", cfg->public_url));
	openapi_text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!openapi_text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	openapi_len = strlen(openapi_text);
	return 0;
}

void site_shutdown(void)
{
	free(openapi_text);
	openapi_text = NULL;
}

int site_home(struct req *req)
{
	return page_render(req, 200, "home", "page.home.title", NULL);
}

int site_about(struct req *req)
{
	return page_render(req, 200, "about", "page.about.title", NULL);
}

int site_healthz(struct req *req)
{
	struct db *db = db_pool_get();
	bool ok = db && db_ping(db);
	req->resp.cache_control = "no-store";
	return http_json(req, ok ? 200 : 503,
	                 json_pack("{s:s, s:s}", "status", ok ? "ok" : "unavailable", "db",
	                           ok ? "ok" : "unavailable"));
}

int site_openapi(struct req *req)
{
	req->resp.status = 200;
	req->resp.content_type = "application/json";
	req->resp.cache_control = "no-cache";
	req->resp.fixed = (const unsigned char *)openapi_text;
	req->resp.fixed_len = openapi_len;
	return 0;
}

/* Does an If-None-Match list name etag? (RFC 9110 §13.1.2, strong compare) */
static bool etag_matches(const char *header, const char *etag)
{
	if (!header)
		return false;
	if (strcmp(header, "*") == 0)
		return true;
	size_t n = strlen(etag);
	for (const char *p = header; (p = strstr(p, etag)) != NULL; p += n)
		if ((p == header || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
	return false;
}

int site_static(struct req *req)
{
	bool fingerprinted;
	const struct asset *a = assets_find(req_param(req, "name"), &fingerprinted);
	if (!a)
		return http_error(req, 404, NULL);
	req->resp.cache_control =
	        fingerprinted ? "public, max-age=31536000, immutable" : "public, no-cache";
	http_add_header(req, "ETag", a->etag);
	if (etag_matches(req_header(req, "If-None-Match"), a->etag)) {
		req->resp.status = 304;
		return 0;
	}
	req->resp.status = 200;
	req->resp.content_type = a->type;
	req->resp.fixed = a->data;
	req->resp.fixed_len = a->len;
	return 0;
}

/* Echoes what the body parser produced: names, sizes, file names and types,
 * never the values themselves. Only routed with --diagnostics. */
int site_diag_form(struct req *req)
{
	json_t *fields = json_array();
	for (size_t i = 0; fields && i < req->body.count; i++) {
		const struct form_field *f = &req->body.fields[i];
		json_array_append_new(fields,
		                      json_pack("{s:s%, s:I, s:s?, s:s?}", "name", f->name,
		                                f->name_len, "size", (json_int_t)f->value_len,
		                                "filename", f->filename, "content_type",
		                                f->content_type));
	}
	return http_json(req, 200,
	                 json_pack("{s:o, s:I}", "fields", fields, "query",
	                           (json_int_t)req->query_form.count));
}

/* Takes ?ms=N milliseconds (at most 5000) on the worker pool, like a password
 * hash or a PDF would: lets tests and benchmarks show that slow work does
 * not stall cheap pages. Only routed with --diagnostics. */
int site_diag_slow(struct req *req)
{
	int64_t ms = 100;
	const char *q = req_query(req, "ms");
	if (q && str_to_i64(str_from(q), 0, 5000, &ms) != 0)
		return http_json_error(req, 422, "invalid", page_msg("error.diag.ms"));
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	return http_json(req, 200, json_pack("{s:I}", "slept_ms", (json_int_t)ms));
}
