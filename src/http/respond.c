/* http/respond.c — response writers for handlers, and the error answer that
 * fits each request (an HTML page for people, JSON under /api/). */
#include "http/http.h"

#include "core/arena.h"
#include "render/page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

const char *http_error_code(int status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthenticated";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 409:
		return "conflict";
	case 413:
		return "too_large";
	case 414:
		return "uri_too_long";
	case 415:
		return "unsupported_media_type";
	case 422:
		return "invalid";
	case 429:
		return "rate_limited";
	case 431:
		return "headers_too_large";
	case 501:
		return "not_implemented";
	case 503:
		return "unavailable";
	default:
		return status >= 500 ? "internal" : "error";
	}
}

int http_add_header(struct req *req, const char *name, const char *value)
{
	struct resp *r = &req->resp;
	if (r->nheaders >= HTTP_MAX_RESP_HEADERS)
		return -E2BIG;
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = value;
	r->nheaders++;
	return 0;
}

int http_text(struct req *req, int status, const char *content_type, const char *text, size_t len)
{
	req->resp.status = status;
	req->resp.content_type = content_type;
	buf_reset(&req->resp.body);
	return buf_append(&req->resp.body, text, len);
}

int http_stream(struct req *req, int status, const char *content_type, const struct http_stream *s)
{
	http_stream_drop(req);
	req->resp.status = status;
	req->resp.content_type = content_type;
	buf_reset(&req->resp.body);
	req->resp.stream = *s;
	return 0;
}

void http_stream_drop(struct req *req)
{
	struct http_stream *s = &req->resp.stream;
	if (s->read && s->done)
		s->done(s->ctx);
	memset(s, 0, sizeof *s);
}

int http_json(struct req *req, int status, json_t *body)
{
	if (!body)
		return -ENOMEM;
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (!s)
		return -ENOMEM;
	int rc = http_text(req, status, "application/json", s, strlen(s));
	free(s);
	return rc;
}

int http_json_error(struct req *req, int status, const char *code, const char *message)
{
	return http_json(req, status,
	                 json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
}

int http_redirect(struct req *req, int status, const char *location)
{
	req->resp.status = status;
	buf_reset(&req->resp.body);
	return http_add_header(req, "Location", location);
}

int http_error(struct req *req, int status, const char *msg_key)
{
	char key[48];
	if (!msg_key) {
		snprintf(key, sizeof key, "error.%d.message", status);
		msg_key = key;
	}
	const char *message = page_msg(msg_key);
	if (req_is_api(req))
		return http_json_error(req, status, http_error_code(status), message);
	char title_key[48];
	snprintf(title_key, sizeof title_key, "error.%d.title", status);
	const char *allow = NULL;
	for (unsigned i = 0; i < req->resp.nheaders; i++)
		if (strcmp(req->resp.headers[i].name, "Allow") == 0)
			allow = req->resp.headers[i].value;
	json_t *data = json_pack("{s:{s:i, s:s, s:s, s:s?}}", "error", "status", status, "title",
	                         page_msg(title_key), "message", message, "allow", allow);
	int rc = page_render(req, status, "error", title_key, data);
	if (rc != 0) {
		/* The template set failed us: answer in plain text rather than not at all. */
		char line[160];
		int n = snprintf(line, sizeof line, "%d %s\n", status, http_reason(status));
		rc = http_text(req, status, "text/plain; charset=utf-8", line, (size_t)n);
	}
	return rc;
}
