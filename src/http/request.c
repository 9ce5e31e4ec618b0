/* http/request.c — readers of struct req. Headers arrive as a small array
 * (tens of entries), so lookups are linear. Cookies are parsed on first use
 * with our own code (RFC 6265 "name=value; name=value"). */
#include "http/http.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>
#include <strings.h>

const char *req_header(const struct req *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

/* Splits the Cookie header. Invalid pieces are skipped rather than failing the
 * request: a browser may hold cookies of other applications on this host. */
static void parse_cookies(struct req *req)
{
	req->cookies_parsed = true;
	const char *h = req_header(req, "Cookie");
	if (!h)
		return;
	size_t cap = 32, n = 0;
	struct form_field *f = arena_calloc(req->arena, cap, sizeof *f);
	if (!f)
		return;
	const char *p = h;
	while (*p && n < cap) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && eq > p) {
			struct str name = str_trim((struct str){p, (size_t)(eq - p)});
			struct str val = str_trim((struct str){eq + 1, len - (size_t)(eq - p) - 1});
			if (val.len >= 2 && val.p[0] == '"' && val.p[val.len - 1] == '"') {
				val.p++;
				val.len -= 2;
			}
			f[n].name = arena_strndup(req->arena, name.p, name.len);
			f[n].name_len = name.len;
			f[n].value = arena_strndup(req->arena, val.p, val.len);
			f[n].value_len = val.len;
			if (f[n].name && f[n].value)
				n++;
		}
		p += len;
	}
	req->cookies.fields = f;
	req->cookies.count = n;
}

const char *req_cookie(struct req *req, const char *name)
{
	if (!req->cookies_parsed)
		parse_cookies(req);
	const struct form_field *f = form_get(&req->cookies, name);
	return f ? f->value : NULL;
}

const char *req_param(const struct req *req, const char *name)
{
	for (unsigned i = 0; i < req->nparams; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

const char *req_query(const struct req *req, const char *name)
{
	const struct form_field *f = form_get(&req->query_form, name);
	return f ? f->value : NULL;
}

const char *req_form(const struct req *req, const char *name)
{
	const struct form_field *f = form_get(&req->body, name);
	return f ? f->value : NULL;
}

bool req_is_api(const struct req *req)
{
	const char *p = req->path ? req->path : req->raw_path;
	return p && (strncmp(p, "/api/", 5) == 0 || strcmp(p, "/api") == 0);
}
