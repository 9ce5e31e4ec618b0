/* http/dispatch.c — see dispatch.h. The order of checks is the order of
 * cost: the target (size, encoding), the route, the declared body size, the
 * body as it streams in, then access (policy, Origin) and only then the
 * handler. A request refused at any step reaches no handler and no store. */
#include "http/dispatch.h"

#include "auth/policy.h"
#include "core/arena.h"
#include "core/log.h"
#include "http/path.h"
#include "render/page.h"

#include <string.h>
#include <strings.h>

static const char *const known_methods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                            "PATCH", "DELETE", "OPTIONS"};

static bool method_known(const char *m)
{
	for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
		if (strcmp(m, known_methods[i]) == 0)
			return true;
	return false;
}

static bool has_body_method(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
	        strcmp(m, "DELETE") == 0;
}

/* The media type of Content-Type, lower-cased, without parameters. */
static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);
	if (!ct || strncasecmp(ct, type, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* The catalogue key that explains a body parser error. */
static const char *body_error_key(int form_error)
{
	switch (form_error) {
	case FORM_EUTF8:
		return "error.body.utf8";
	case FORM_EENCODING:
		return "error.body.encoding";
	case FORM_ETOOBIG:
	case FORM_ETOOMANY:
	case FORM_EFIELD:
		return "error.body.too_large";
	case FORM_ENOMEM:
		return NULL;
	default:
		return "error.body.malformed";
	}
}

static void refuse(struct req *req, int status, const char *key)
{
	http_error(req, status, key);
}

void dispatch_begin(struct req *req, const struct dispatch_table *t, int64_t content_length)
{
	const struct http_config *cfg = req->cfg;
	size_t target_len = strlen(req->raw_path) + (req->query[0] ? strlen(req->query) + 1 : 0);
	buf_init(&req->resp.body, req->arena, 0);
	buf_init(&req->raw_body, req->arena, cfg->limits.max_body);

	if (target_len > cfg->max_url)
		return refuse(req, 414, NULL);
	if (!method_known(req->method))
		return refuse(req, 501, NULL);
	int rc = path_decode(req->arena, req->raw_path, strlen(req->raw_path), &req->path);
	if (rc != PATH_OK)
		return refuse(req, rc == PATH_ENOMEM ? 500 : 400, path_error_key(rc));
	if (req->query[0]) {
		rc = form_parse_urlencoded(req->arena, req->query, strlen(req->query), &cfg->limits,
		                           &req->query_form);
		if (rc != FORM_OK)
			return refuse(req, form_error_status(rc), "error.query.invalid");
	}

	struct router_match m;
	switch (router_match(t->routes, t->count, req->method, req->path, &m)) {
	case ROUTER_NOT_FOUND:
		return refuse(req, 404, NULL);
	case ROUTER_BAD_METHOD:
		http_add_header(req, "Allow", arena_strdup(req->arena, m.allow));
		return refuse(req, 405, NULL);
	case ROUTER_FOUND:
		break;
	}
	req->route = m.route;
	for (unsigned i = 0; i < m.nparams; i++) {
		req->param_names[i] =
		        arena_strndup(req->arena, m.param_name[i], m.param_name_len[i]);
		const char *v;
		/* route parameters come from the decoded path, already validated */
		v = arena_strndup(req->arena, m.param_start[i], m.param_len[i]);
		req->param_values[i] = v;
		if (!req->param_names[i] || !v)
			return refuse(req, 500, NULL);
	}
	req->nparams = m.nparams;

	if (!has_body_method(req->method))
		return;
	struct form_limits limits = cfg->limits;
	if (m.route->max_body)
		limits.max_body = m.route->max_body;
	if (m.route->max_field)
		limits.max_field_bytes = m.route->max_field;
	req->raw_body.max = limits.max_body;
	/* A route that takes a body larger than the default (an upload) gets
	 * an arena to hold it: a growing buffer leaves its smaller copies
	 * behind, so twice the body, and room for the rest of the request. */
	if (limits.max_body > cfg->limits.max_body ||
	    limits.max_field_bytes > cfg->limits.max_field_bytes) {
		/* Default deny before the bytes: a route that takes a large body
		 * (an upload) reads it only for someone the policy lets in, so an
		 * anonymous client cannot make the server hold megabytes. */
		if (cfg->authenticate) {
			if (cfg->authenticate(req) != 0)
				return refuse(req, 500, NULL);
			req->authenticated_early = true;
			if (req->resp.status)
				return; /* the hook answered itself (a bad API token) */
		}
		if (!policy_allows(m.route->permission, &req->who)) {
			req->body_status = req->who.authenticated ? 403 : 401;
			return;
		}
		arena_raise_cap(req->arena, 2 * limits.max_body + (8u << 20));
	}
	if (content_length > 0 && (uint64_t)content_length > limits.max_body) {
		/* Refused now; the server decides whether to read and discard the
		 * body first so that the client sees the answer (http/server.c). */
		req->body_status = 413;
		req->body_msg = "error.body.too_large";
		return;
	}
	const char *ct = req_header(req, "Content-Type");
	if (content_length == 0 && !ct)
		return;
	if (media_is(ct, "application/x-www-form-urlencoded")) {
		req->parser = form_parser_create(req->arena, FORM_URLENCODED, NULL, &limits);
	} else if (media_is(ct, "multipart/form-data")) {
		const char *boundary;
		if (form_multipart_boundary(req->arena, ct, &boundary) != FORM_OK)
			return refuse(req, 400, "error.body.boundary");
		req->parser = form_parser_create(req->arena, FORM_MULTIPART, boundary, &limits);
	} else if (media_is(ct, "application/json") && req_is_api(req)) {
		return; /* kept raw in req->raw_body for the API handler */
	} else {
		return refuse(req, 415, NULL);
	}
	if (!req->parser)
		return refuse(req, 500, NULL);
}

void dispatch_body(struct req *req, const char *data, size_t len)
{
	if (req->resp.status || req->body_status)
		return;
	if (req->parser) {
		int rc = form_parser_feed(req->parser, data, len);
		if (rc != FORM_OK) {
			req->body_status = form_error_status(rc);
			req->body_msg = body_error_key(rc);
		}
	} else if (buf_append(&req->raw_body, data, len) != 0) {
		req->body_status = 413;
		req->body_msg = "error.body.too_large";
	}
}

/* The Origin check of DESIGN.md §6 for state-changing requests: the request
 * must come from a page of this deployment's public URL. */
static bool origin_ok(const struct req *req)
{
	const char *want = req->cfg->public_origin;
	const char *origin = req_header(req, "Origin");
	if (origin)
		return strcmp(origin, want) == 0;
	const char *referer = req_header(req, "Referer");
	size_t n = strlen(want);
	return referer && strncmp(referer, want, n) == 0 && referer[n] == '/';
}

void dispatch_end(struct req *req)
{
	if (req->resp.status)
		return;
	if (req->body_status)
		return refuse(req, req->body_status, req->body_msg);
	if (req->parser) {
		int rc = form_parser_finish(req->parser, &req->body);
		if (rc != FORM_OK)
			return refuse(req, form_error_status(rc), body_error_key(rc));
	}
	const struct route *r = req->route;
	if (req->cfg->authenticate && !req->authenticated_early && req->cfg->authenticate(req) != 0)
		return refuse(req, 500, NULL);
	if (req->resp.status)
		return; /* the hook answered itself: a bad API token (401) */
	if (!policy_allows(r->permission, &req->who)) {
		/* Not signed in: say so (401) rather than "forbidden"; whether a
		 * sign-in would be enough is not for an anonymous visitor to learn.
		 * The API also says how to sign in (RFC 6750). */
		if (!req->who.authenticated && policy_known(r->permission)) {
			if (strncmp(req->path, "/api/v1/", 8) == 0)
				http_add_header(req, "WWW-Authenticate", "Bearer");
			return refuse(req, 401, NULL);
		}
		return refuse(req, 403, NULL);
	}
	/* DESIGN.md §6: a person whose role requires MFA and who has not set it
	 * up reaches nothing that needs a sign-in but the enrolment page. */
	if (req->who.must_enrol && !r->mfa_exempt && strcmp(r->permission, "public") != 0) {
		if (req_is_api(req))
			return refuse(req, 403, "mfa.required");
		http_redirect(req, 303, "/account/mfa");
		return;
	}
	/* A personal access token of scope "read" only reads. */
	bool reads = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	if (req->who.via_token && !req->who.token_write && !reads)
		return refuse(req, 403, "api.token.read_only");
	/* Every state-changing request must come from this deployment's pages;
	 * routes marked csrf also need the form's token. A request that carries
	 * a personal access token needs neither: a browser never adds that
	 * header by itself, so another site cannot forge such a request (and
	 * the token is accepted only under /api/v1/). */
	if (!req->who.via_token) {
		if (has_body_method(req->method) && !origin_ok(req))
			return refuse(req, 403, "error.csrf.origin");
		if (r->csrf && req->cfg->csrf_valid && !req->cfg->csrf_valid(req))
			return refuse(req, 403, "error.csrf.token");
	}
	int rc = r->handler(req);
	if (rc != 0 || req->resp.status == 0) {
		log_msg(LOG_ERROR, "handler for %s %s failed (%d)", r->method, r->pattern, rc);
		http_stream_drop(req);
		req->resp.nheaders = 0;
		refuse(req, 500, NULL);
	}
}

void dispatch_headers(const struct req *req, void (*add)(void *, const char *, const char *),
                      void *ctx)
{
	const struct resp *r = &req->resp;
	/* No inline script or style anywhere: pages load both from files. */
	add(ctx, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	    "media-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; "
	    "base-uri 'none'; "
	    "frame-ancestors 'none'");
	add(ctx, "X-Content-Type-Options", "nosniff");
	add(ctx, "X-Frame-Options", "DENY");
	add(ctx, "Referrer-Policy", "same-origin");
	add(ctx, "Cross-Origin-Opener-Policy", "same-origin");
	add(ctx, "Cross-Origin-Resource-Policy", "same-origin");
	add(ctx, "Permissions-Policy",
	    "camera=(), microphone=(), geolocation=(), interest-cohort=()");
	if (req->cfg->public_https)
		add(ctx, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
	add(ctx, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
	if (r->content_type)
		add(ctx, "Content-Type", r->content_type);
	for (unsigned i = 0; i < r->nheaders; i++)
		add(ctx, r->headers[i].name, r->headers[i].value);
}
