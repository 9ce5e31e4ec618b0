/* http/router.c — see router.h. A linear scan over the table: the table holds
 * tens of routes, each comparison stops at the first differing segment, and
 * this keeps the order of the table the order of precedence. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Compares one pattern with a path, segment by segment. */
static bool match_path(const char *pat, const char *path, struct router_match *m)
{
	m->nparams = 0;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pend = strchr(pat, '/');
		const char *send = strchr(path, '/');
		size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
		size_t slen = send ? (size_t)(send - path) : strlen(path);
		if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			if (slen == 0 || m->nparams >= HTTP_MAX_PARAMS)
				return false;
			m->param_name[m->nparams] = pat + 1;
			m->param_name_len[m->nparams] = plen - 2;
			m->param_start[m->nparams] = path;
			m->param_len[m->nparams] = slen;
			m->nparams++;
		} else if (plen != slen || memcmp(pat, path, plen) != 0) {
			return false;
		}
		pat += plen;
		path += slen;
	}
	return *pat == '\0' && *path == '\0';
}

static bool method_fits(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return true;
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

/* Adds a method to the Allow list unless it is there already. */
static void allow_add(char *allow, size_t cap, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += n)
		if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return;
	size_t len = strlen(allow);
	snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", method);
}

enum router_result router_match(const struct route *routes, size_t n, const char *method,
                                const char *path, struct router_match *m)
{
	bool path_seen = false;
	m->route = NULL;
	m->allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct router_match tmp;
		if (!match_path(routes[i].pattern, path, &tmp))
			continue;
		if (method_fits(routes[i].method, method)) {
			char allow[sizeof m->allow];
			memcpy(allow, m->allow, sizeof allow);
			*m = tmp;
			memcpy(m->allow, allow, sizeof allow);
			m->route = &routes[i];
			return ROUTER_FOUND;
		}
		path_seen = true;
		allow_add(m->allow, sizeof m->allow, routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0)
			allow_add(m->allow, sizeof m->allow, "HEAD");
	}
	return path_seen ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}

static bool pattern_ok(const char *p)
{
	unsigned params = 0;
	for (const char *s = p; *s; s++)
		params += *s == '{';
	if (p[0] != '/' || params > HTTP_MAX_PARAMS) /* more could never match */
		return false;
	for (const char *s = p; *s; s++) {
		if (*s == '{') {
			const char *close = strchr(s, '}');
			if (!close || close == s + 1 || s[-1] != '/' ||
			    (close[1] && close[1] != '/'))
				return false;
			s = close;
		} else if (*s == '}' || *s == '?' || *s == '#' || *s == '%') {
			return false;
		} else if (*s == '/' && s[1] == '/') {
			return false;
		}
	}
	return true;
}

int router_check(const struct route *routes, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &routes[i];
		if (!r->method || !r->pattern || !r->handler || !r->permission ||
		    !pattern_ok(r->pattern)) {
			snprintf(err, errlen, "route %zu (%s %s) is incomplete or malformed", i,
			         r->method ? r->method : "?", r->pattern ? r->pattern : "?");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(routes[j].method, r->method) == 0 &&
			    strcmp(routes[j].pattern, r->pattern) == 0) {
				snprintf(err, errlen, "route %s %s is declared twice", r->method,
				         r->pattern);
				return -1;
			}
	}
	return 0;
}
