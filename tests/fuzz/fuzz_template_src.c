/* tests/fuzz/fuzz_template_src.c — render/template.c compiling template source
 * and message catalogues it has never seen. Templates are trusted (they ship
 * in the binary), but a mistake in one must give a clean compile error, never
 * a crash, and a compiled template must render without one.
 *
 * Input: one option byte, then the source.
 *   bit 0  load the source as a message catalogue too
 *   bits 1-7  output cap for the truncated render: 1 + 2 * value bytes
 *
 * The source is added as template "zq" to a set that also holds a layout,
 * partials, messages and an asset resolver, so every construct can resolve.
 * Checks: tpl_set_add returns 0 or -EINVAL with "zq:LINE: message" (LINE
 * within the source); a failed add leaves the set as it was; a compiled
 * template renders with one of the documented results, twice the same way,
 * and a render cut short by the output cap leaves a prefix of the full
 * output; data strings full of markup come out escaped unless the template
 * asks for {{raw}}.
 *
 * The template may include itself ({{> zq}}): the first render error ends the
 * whole render, so unbounded recursion fails fast with -ELOOP. The fixed
 * partials do not recurse and every array in the data has one element, so
 * nested #each blocks do not multiply the work.
 */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "render/template.h"

#include <errno.h>
#include <jansson.h>

/* Data strings carry a NUL byte: template text cannot hold one (a compile
 * error), escaping turns it into U+FFFD and {{url}} refuses it, so a NUL in
 * the output can only come from {{raw}}. */
#define HOSTILE "<script>\0\"'`&{{name}}</script>"

static json_t *hostile(const char *prefix)
{
	char s[128];
	size_t n = strlen(prefix);
	CHECK(n + sizeof HOSTILE <= sizeof s);
	memcpy(s, prefix, n);
	memcpy(s + n, HOSTILE, sizeof HOSTILE - 1);
	return json_stringn_nocheck(s, n + sizeof HOSTILE - 1);
}

static const struct {
	const char *name, *src;
} fixed[] = {
        {"layouts/base", "<main>{{yield}}</main>{{t \"site.name\"}}"},
        {"partials/a", "[{{name}}|{{url href}}|{{#each items}}{{.}}{{/each}}]"},
        {"partials/b", "({{> partials/a}}{{@index}})"},
        {"bad-layout", "{{layout \"layouts/base\"}}x"},
};

static const char catalogue[] = "site.name = CSEC <Toolkit>\n"
                                "greet = Hello, {1}! {2} {9}\n"
                                "base.key = base\n";

static const char *asset_url(void *ctx, const char *path)
{
	(void)ctx;
	return strcmp(path, "app.css") == 0 ? "/static/app.1.css" : NULL;
}

/* Every kind of value, objects and one-element arrays (so nested #each
 * stays linear), with hostile strings throughout. */
static json_t *make_data(void)
{
	json_t *d = json_pack("{s:o, s:s, s:o, s:i, s:f, s:b, s:b, s:n, s:s,"
	                      " s:[{s:o, s:[o], s:o}], s:{s:o, s:{s:o}}, s:[o]}",
	                      "name", hostile(""), "href", "javascript:alert(1)", "safe",
	                      hostile("/ok?a=1&b="), "n", 0, "r", 2.5, "t", 1, "f", 0, "z", "s", "",
	                      "items", "name", hostile("item"), "items", hostile("inner"), "href",
	                      hostile("https://x/"), "o", "p", hostile("p"), "q", "r", hostile("r"),
	                      "a", hostile("a"));
	return d;
}

static bool contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static int render(struct tpl_set *set, json_t *data, size_t cap, struct arena *a, struct buf *out)
{
	buf_init(out, a, cap);
	char err[256];
	int rc = tpl_render_err(set, "zq", data, out, err, sizeof err);
	CHECK(rc == 0 || rc == -ENOENT || rc == -ELOOP || rc == -EINVAL || rc == -E2BIG);
	if (rc) {
		CHECK(err[0] != '\0' && strchr(err, ':') != NULL);
	} else {
		CHECK(err[0] == '\0');
	}
	return rc;
}

static void catalogue_mode(const uint8_t *src, size_t len)
{
	struct tpl_set *set = tpl_set_create();
	CHECK(set != NULL);
	char err[128];
	CHECK(tpl_set_add_messages(set, "base.key = base\n", 16, err, sizeof err) == 0);
	int rc = tpl_set_add_messages(set, (const char *)src, len, err, sizeof err);
	CHECK(rc == 0 || rc == -EINVAL);
	if (rc) {
		/* "LINE: message" */
		CHECK(err[0] >= '0' && err[0] <= '9' && strstr(err, ": ") != NULL);
		CHECK(strcmp(tpl_message(set, "base.key"), "base") == 0);
	}
	tpl_set_destroy(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint8_t opt = fz_byte(&in);
	const char *src = (const char *)in.p;
	if (opt & 1)
		catalogue_mode(in.p, in.len);

	struct tpl_set *set = tpl_set_create();
	CHECK(set != NULL);
	char err[256];
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		CHECK(tpl_set_add(set, fixed[i].name, fixed[i].src, strlen(fixed[i].src), err,
		                  sizeof err) == 0);
	CHECK(tpl_set_add_messages(set, catalogue, sizeof catalogue - 1, err, sizeof err) == 0);
	tpl_set_asset_resolver(set, asset_url, NULL);

	/* A first version of zq, which a failed add must leave in place. */
	CHECK(tpl_set_add(set, "zq", "old", 3, err, sizeof err) == 0);
	int rc = tpl_set_add(set, "zq", src, in.len, err, sizeof err);
	CHECK(rc == 0 || rc == -EINVAL);
	if (rc) {
		unsigned lines = 1;
		for (size_t i = 0; i < in.len; i++)
			lines += src[i] == '\n';
		unsigned line = 0;
		char rest[3] = "";
		CHECK(sscanf(err, "zq:%u%2c", &line, rest) == 2);
		CHECK(line >= 1 && line <= lines && rest[0] == ':' && rest[1] == ' ');
		CHECK(tpl_exists(set, "zq"));
		struct arena *a = arena_create(0);
		CHECK(a != NULL);
		struct buf out;
		buf_init(&out, a, 0);
		CHECK(tpl_render(set, "zq", NULL, &out) == 0 && strcmp(buf_cstr(&out), "old") == 0);
		arena_destroy(a);
	} else {
		json_t *d = make_data();
		CHECK(d != NULL);
		struct arena *a = arena_create(0);
		CHECK(a != NULL);
		struct buf full, again, cut;
		int rc1 = render(set, d, 1u << 20, a, &full);
		int rc2 = render(set, d, 1u << 20, a, &again);
		CHECK(rc1 == rc2 && full.len == again.len &&
		      memcmp(buf_cstr(&full), buf_cstr(&again), full.len) == 0);
		size_t cap = 1 + 2u * (opt >> 1);
		int rc3 = render(set, d, cap, a, &cut);
		CHECK(cut.len <= full.len && memcmp(buf_cstr(&cut), buf_cstr(&full), cut.len) == 0);
		if (rc1 == 0)
			CHECK(full.len > cap ? rc3 == -E2BIG : rc3 == 0);
		/* Data bytes only pass unescaped through {{raw}}. */
		if (memchr(buf_cstr(&full), '\0', full.len))
			CHECK(contains(src, in.len, "raw"));
		arena_destroy(a);
		json_decref(d);
	}
	tpl_set_destroy(set);
	return 0;
}
