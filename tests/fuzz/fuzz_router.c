/* tests/fuzz/fuzz_router.c — the path a request names, from the raw bytes on
 * the wire to the route that answers: http/path.c's path_decode, then
 * http/router.c's router_match against a fixed table shaped like the portal's
 * (literal routes, {param} segments, one path under several methods, GET
 * answering HEAD).
 *
 * Input: one byte choosing the method, then the raw request path.
 *
 * Checks: path_decode agrees with a reference decoder written here (accepts
 * exactly the paths whose percent-decoding is well-formed, has no encoded '/',
 * no '.'/'..' segment, no backslash, no control byte, and is valid UTF-8, and
 * then gives the same string); router_match agrees with a reference
 * matcher (the first route whose pattern and method fit wins; the parameters
 * are the path's segments at the {name} places; a path that only other
 * methods serve gives ROUTER_BAD_METHOD with those methods in Allow). The raw
 * bytes also go to router_match undecoded, which must not crash. */
#include "fuzz.h"

#include "core/arena.h"
#include "http/path.h"
#include "http/router.h"

static int handler(struct req *req)
{
	(void)req;
	return 0;
}

#define R(m, p)                                                                                    \
	{                                                                                          \
		.method = (m), .pattern = (p), .handler = handler, .permission = "public"          \
	}

static const struct route routes[] = {
        R("GET", "/"),
        R("GET", "/about"),
        R("GET", "/healthz"),
        R("GET", "/api/v1/openapi.json"),
        R("GET", "/static/{name}"),
        R("GET", "/guide/{slug}"),
        R("GET", "/guide/{slug}/print"),
        R("GET", "/courses"),
        R("POST", "/courses"),
        R("GET", "/courses/{id}"),
        R("PUT", "/courses/{id}"),
        R("DELETE", "/courses/{id}"),
        R("GET", "/courses/new"), /* shadowed by /courses/{id}: first match wins */
        R("GET", "/courses/{id}/lessons/{n}"),
        R("POST", "/courses/{id}/lessons/{n}/answers"),
        R("GET", "/orgs/{org}/members/{user}/roles/{role}/grants/{grant}/notes/{note}/x/{x}"),
        R("POST", "/api/v1/users/{id}"),
        R("PATCH", "/api/v1/users/{id}"),
        R("DELETE", "/api/v1/users/{id}"),
        R("OPTIONS", "/api/v1/users/{id}"),
        R("POST", "/login"),
        R("POST", "/_diag/form"),
        R("GET", "/{page}"),
};
#define NROUTES (sizeof routes / sizeof routes[0])

static const char *const methods[] = {"GET",   "HEAD",    "POST", "PUT",   "DELETE",
                                      "PATCH", "OPTIONS", "get",  "TRACE", ""};

/* ---- reference path decoding ---- */

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded path in a malloc'd string, or NULL when path_decode must
 * refuse it. */
static char *ref_decode(const uint8_t *raw, size_t len)
{
	if (len == 0 || raw[0] != '/')
		return NULL;
	char *d = malloc(len + 1);
	CHECK(d != NULL);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = raw[i];
		if (c == '%') {
			if (len - i < 3 || hexval(raw[i + 1]) < 0 || hexval(raw[i + 2]) < 0)
				goto refuse;
			c = (uint8_t)(hexval(raw[i + 1]) * 16 + hexval(raw[i + 2]));
			i += 2;
			if (c == '/')
				goto refuse; /* an encoded slash */
		}
		if (c == '\\' || c < 0x20 || c == 0x7f)
			goto refuse;
		d[n++] = (char)c;
	}
	d[n] = '\0';
	if (!fz_utf8_ok(d, n))
		goto refuse;
	/* No "." or ".." segment, wherever it came from (%2e counts). */
	for (size_t s = 0; s <= n;) {
		const char *e = memchr(d + s, '/', n - s);
		size_t end = e ? (size_t)(e - d) : n;
		size_t l = end - s;
		if ((l == 1 && d[s] == '.') || (l == 2 && d[s] == '.' && d[s + 1] == '.'))
			goto refuse;
		s = end + 1;
	}
	return d;
refuse:
	free(d);
	return NULL;
}

/* ---- reference matching ---- */

struct ref_match {
	unsigned n;
	const char *start[16];
	size_t len[16];
};

/* Pattern and path split on '/' must have the same segments, a {name}
 * matching any non-empty segment. */
static bool ref_match(const char *pat, const char *path, struct ref_match *m)
{
	m->n = 0;
	if (pat[0] != '/' || path[0] != '/')
		return false;
	pat++;
	path++;
	for (;;) {
		size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");
		if (pl >= 2 && pat[0] == '{' && pat[pl - 1] == '}') {
			if (sl == 0)
				return false;
			CHECK(m->n < 16);
			m->start[m->n] = path;
			m->len[m->n] = sl;
			m->n++;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return false;
		}
		pat += pl;
		path += sl;
		if (!*pat || !*path)
			return !*pat && !*path;
		pat++;
		path++;
	}
}

static bool method_fits(const char *route, const char *method)
{
	return strcmp(route, method) == 0 || (!strcmp(method, "HEAD") && !strcmp(route, "GET"));
}

static bool in_allow(const char *allow, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += n)
		if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void check_match(const char *method, const char *path)
{
	struct router_match m;
	memset(&m, 0xa5, sizeof m); /* router_match must set what it reports */
	enum router_result r = router_match(routes, NROUTES, method, path, &m);
	CHECK(memchr(m.allow, '\0', sizeof m.allow) != NULL);

	bool path_seen = false;
	for (size_t i = 0; i < NROUTES; i++) {
		struct ref_match rm;
		if (!ref_match(routes[i].pattern, path, &rm))
			continue;
		if (rm.n > HTTP_MAX_PARAMS)
			continue; /* the router cannot hold them; no such route in use */
		if (!method_fits(routes[i].method, method)) {
			path_seen = true;
			continue;
		}
		CHECK(r == ROUTER_FOUND);
		CHECK(m.route == &routes[i]);
		CHECK(m.nparams == rm.n);
		for (unsigned k = 0; k < rm.n; k++) {
			CHECK(m.param_start[k] == rm.start[k] && m.param_len[k] == rm.len[k]);
			CHECK(m.param_name_len[k] >= 1 && m.param_name[k][-1] == '{' &&
			      m.param_name[k][m.param_name_len[k]] == '}');
		}
		return;
	}
	CHECK(m.route == NULL);
	if (!path_seen) {
		CHECK(r == ROUTER_NOT_FOUND);
		return;
	}
	CHECK(r == ROUTER_BAD_METHOD);
	CHECK(m.allow[0] != '\0');
	/* Every method that serves this path is offered (and HEAD with GET). */
	for (size_t i = 0; i < NROUTES; i++) {
		struct ref_match rm;
		if (!ref_match(routes[i].pattern, path, &rm))
			continue;
		CHECK(in_allow(m.allow, routes[i].method));
		if (!strcmp(routes[i].method, "GET"))
			CHECK(in_allow(m.allow, "HEAD"));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool checked;
	if (!checked) {
		char err[200];
		CHECK(router_check(routes, NROUTES, err, sizeof err) == 0);
		checked = true;
	}
	struct fz_in in = {data, size};
	const char *method = methods[fz_byte(&in) % (sizeof methods / sizeof methods[0])];

	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	const char *out = NULL;
	int rc = path_decode(a, (const char *)in.p, in.len, &out);
	char *want = ref_decode(in.p, in.len);
	if (want) {
		CHECK(rc == PATH_OK);
		CHECK(strcmp(out, want) == 0);
		check_match(method, out);
	} else {
		CHECK(rc < 0 && rc >= PATH_ENOMEM && rc != PATH_ENOMEM);
		CHECK(path_error_key(rc) != NULL);
	}
	free(want);

	/* Undecoded bytes (up to a NUL) straight into the router. */
	char *raw = malloc(in.len + 1);
	CHECK(raw != NULL);
	memcpy(raw, in.p, in.len);
	raw[in.len] = '\0';
	if (raw[0] == '/')
		check_match(method, raw);
	free(raw);
	arena_destroy(a);
	return 0;
}
