/* tests/fuzz/fuzz_template.c — render/template.c fed hostile values: a fixed
 * set of templates that together use every construct ({{path}}, {{raw}},
 * {{url}}, #if/#unless with == and !=, #each with @index/@number/@first/@last
 * and {{else}}, ./ and @root paths, scope fallback, partials, a layout with
 * {{yield}}, {{t}} with arguments, {{asset}}), rendered with data made from the
 * fuzz input: strings holding "{{", "<script>", quotes, NUL bytes, invalid
 * UTF-8, placeholders like "{1}".
 *
 * Input: one option byte, one length byte L, then W (L bytes) and V (the rest).
 *   bit 0 of the option byte: also parse V as JSON (jansson, NUL allowed) and
 *         render markup-free templates with it as the data.
 *
 * Checks: every fixed template's output equals what docs/templates.md says,
 * computed here with a reference escaper and URL check; in <p>{{v}}</p>
 * nothing between the tags is a '<'; values are never parsed as template code
 * ("{{x}}" and "{1}" in data come out as text); with JSON data, the output of
 * templates that do not use {{raw}} is always inert text (fz_is_escaped). */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "render/template.h"

#include <errno.h>
#include <jansson.h>

static const struct {
	const char *name, *src;
} templates[] = {
        {"p", "<p>{{v}}</p>"},
        {"attr", "<a title=\"{{v}}\" href=\"{{url v}}\">{{ w }}</a>"},
        {"url", "{{url v}}"},
        {"raw", "[{{raw v}}]"},
        {"cond",
         "{{#if v}}T{{else}}F{{/if}}{{#unless v}}U{{/unless}}"
         "{{#if v == \"a\\\"b\\\\c\"}}EQ{{/if}}{{#unless w != \"}}\"}}W{{/unless}}"},
        {"each",
         "{{#each list}}{{@index}}/{{@number}}:{{.}}{{#if @first}}F{{/if}}"
         "{{#if @last}}L{{/if}};{{else}}empty{{/each}}"},
        {"scope", "{{#each objs}}({{v}}|{{./v}}|{{@root.v}}|{{w}}|{{@root.objs.0.v}}){{/each}}"},
        {"msg", "{{t \"greet\" v w}}"},
        {"page",
         "{{! a comment first }}{{layout \"layouts/base\"}}<h1>{{w}}</h1>"
         "{{> partials/item}}{{yield}}"},
        {"layouts/base", "<main>{{yield}}</main><footer>{{asset \"app.css\"}}</footer>"},
        {"partials/item", "<i>{{v}}</i>{{!-- {{v}} in a comment --}}"},
        {"num", "{{n}}|{{r}}|{{yes}}|{{no}}|{{nil}}|{{obj}}|{{list}}|{{missing}}"},
        /* Markup-free, for JSON data: every output byte came through escaping. */
        {"g1", "{{a}}{{b.c}}{{items.0}}{{items.1.name}}{{@root.x}}{{.}}{{url a}}{{url b.c}}"},
        {"g2",
         "{{#each items}}{{.}}{{name}}{{@index}}{{#if @last}}L{{/if}}"
         "{{#each ./items}}{{.}}{{a}}{{url href}}{{/each}}{{else}}{{a}}{{/each}}"},
        {"g3",
         "{{#if a == \"x\"}}{{b}}{{else}}{{t \"m\" a b.c items.0}}{{/if}}"
         "{{#unless b}}{{t \"m\"}}{{/unless}}{{#each @root.items}}{{> partials/g}}{{/each}}"},
        {"partials/g", "{{name}}{{url href}}{{#if @first}}F{{/if}}{{@number}}"},
};

static const char catalogue[] = "# fuzz messages\n"
                                "greet = A&B <{1}> {2} {3} {x} {1}\n"
                                "m = {1}-{2}-{3}\n";

static const char *asset_url(void *ctx, const char *path)
{
	(void)ctx;
	return strcmp(path, "app.css") == 0 ? "/static/app.3f2a.css" : NULL;
}

static struct tpl_set *set; /* built once, read-only afterwards */

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[256];
	set = tpl_set_create();
	CHECK(set != NULL);
	for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
		int rc = tpl_set_add(set, templates[i].name, templates[i].src,
		                     strlen(templates[i].src), err, sizeof err);
		if (rc)
			fprintf(stderr, "%s\n", err);
		CHECK(rc == 0);
	}
	CHECK(tpl_set_add_messages(set, catalogue, sizeof catalogue - 1, err, sizeof err) == 0);
	tpl_set_asset_resolver(set, asset_url, NULL);
	/* Prepared, as the portal's sets are: the folded text must render the
	 * same bytes the reference computes. */
	CHECK(tpl_set_prepare(set) == 0);
	return 0;
}

/* docs/templates.md's {{url}} rule, written out again. */
static bool ref_url_safe(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	if (s[0] == '/')
		return n == 1 || (s[1] != '/' && s[1] != '\\');
	if (s[0] == '#' || s[0] == '?')
		return true;
	static const char *const schemes[] = {"http:", "https:", "mailto:", "tel:"};
	for (size_t k = 0; k < 4; k++) {
		size_t l = strlen(schemes[k]);
		bool ok = n >= l;
		for (size_t i = 0; ok && i < l; i++) {
			char c = s[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			ok = c == schemes[k][i];
		}
		if (ok)
			return true;
	}
	return false;
}

static void ref_url(struct fz_str *o, const char *s, size_t n)
{
	if (ref_url_safe(s, n))
		fz_escape(o, s, n);
	else
		fz_puts(o, "#");
}

/* Renders name with data into a fresh arena buffer and compares it with
 * want. */
static void expect(const char *name, json_t *data, const struct fz_str *want)
{
	struct arena *a = arena_create(0);
	CHECK(a != NULL);
	struct buf out;
	buf_init(&out, a, 1u << 22);
	char err[256];
	int rc = tpl_render_err(set, name, data, &out, err, sizeof err);
	if (rc)
		fprintf(stderr, "render %s: %d %s\n", name, rc, err);
	CHECK(rc == 0);
	if (out.len != want->len || memcmp(buf_cstr(&out), want->p, want->len) != 0) {
		fprintf(stderr, "template %s\n got: %.*s\nwant: %.*s\n", name, (int)out.len,
		        buf_cstr(&out), (int)want->len, want->p);
		CHECK(!"output differs");
	}
	arena_destroy(a);
}

struct piece {
	const char *p;
	size_t n;
};

static void fixed_templates(struct fz_in w, struct fz_in v)
{
	const char *vs = (const char *)v.p, *ws = (const char *)w.p;
	/* v split on ',' (none when v is empty), for the lists; at most
	 * MAX_PIECES, the last one holding the rest, since "scope" prints v and
	 * w once per piece. */
	enum { MAX_PIECES = 16 };
	size_t np = 0;
	struct piece pc[MAX_PIECES];
	for (size_t s = 0; v.len && s <= v.len;) {
		const char *c = np + 1 < MAX_PIECES ? memchr(vs + s, ',', v.len - s) : NULL;
		size_t e = c ? (size_t)(c - vs) : v.len;
		pc[np++] = (struct piece){vs + s, e - s};
		s = e + 1;
	}

	uint32_t h = fz_seed(w.p, w.len, 7);
	json_int_t n = (json_int_t)(int64_t)((uint64_t)h << 32 | fz_seed(v.p, v.len, 8));
	double r = (double)(int32_t)h / 8.0;

	json_t *data = json_object(), *list = json_array(), *objs = json_array();
	CHECK(data && list && objs);
	for (size_t i = 0; i < np; i++) {
		json_array_append_new(list, json_stringn_nocheck(pc[i].p, pc[i].n));
		json_t *o = json_object();
		json_object_set_new(o, "v", json_stringn_nocheck(pc[i].p, pc[i].n));
		json_array_append_new(objs, o);
	}
	json_object_set_new(data, "v", json_stringn_nocheck(vs, v.len));
	json_object_set_new(data, "w", json_stringn_nocheck(ws, w.len));
	json_object_set_new(data, "list", list);
	json_object_set_new(data, "objs", objs);
	json_object_set_new(data, "n", json_integer(n));
	json_object_set_new(data, "r", json_real(r));
	json_object_set_new(data, "yes", json_true());
	json_object_set_new(data, "no", json_false());
	json_object_set_new(data, "nil", json_null());
	json_object_set_new(data, "obj", json_pack("{s:s}", "k", "<b>"));
	CHECK(json_object_size(data) == 10);

	struct fz_str want = {0};
#define RESET() (want.len = 0, fz_put(&want, "", 0))

	/* <p>{{v}}</p>: exactly the escaped value, and no '<' from the data. */
	RESET();
	fz_puts(&want, "<p>");
	fz_escape(&want, vs, v.len);
	fz_puts(&want, "</p>");
	CHECK(memchr(want.p + 3, '<', want.len - 7) == NULL);
	CHECK(fz_is_escaped(want.p + 3, want.len - 7));
	expect("p", data, &want);

	RESET();
	fz_puts(&want, "<a title=\"");
	fz_escape(&want, vs, v.len);
	fz_puts(&want, "\" href=\"");
	ref_url(&want, vs, v.len);
	fz_puts(&want, "\">");
	fz_escape(&want, ws, w.len);
	fz_puts(&want, "</a>");
	expect("attr", data, &want);

	RESET();
	ref_url(&want, vs, v.len);
	expect("url", data, &want);
	CHECK(tpl_url_is_safe(vs, v.len) == ref_url_safe(vs, v.len));

	RESET();
	fz_puts(&want, "[");
	fz_put(&want, vs, v.len);
	fz_puts(&want, "]");
	expect("raw", data, &want);

	RESET();
	fz_puts(&want, v.len ? "T" : "F");
	if (!v.len)
		fz_puts(&want, "U");
	if (v.len == 5 && memcmp(vs, "a\"b\\c", 5) == 0)
		fz_puts(&want, "EQ");
	if (w.len == 2 && memcmp(ws, "}}", 2) == 0)
		fz_puts(&want, "W");
	expect("cond", data, &want);

	RESET();
	char tmp[64];
	for (size_t i = 0; i < np; i++) {
		snprintf(tmp, sizeof tmp, "%zu/%zu:", i, i + 1);
		fz_puts(&want, tmp);
		fz_escape(&want, pc[i].p, pc[i].n);
		if (i == 0)
			fz_puts(&want, "F");
		if (i + 1 == np)
			fz_puts(&want, "L");
		fz_puts(&want, ";");
	}
	if (!np)
		fz_puts(&want, "empty");
	expect("each", data, &want);

	RESET();
	for (size_t i = 0; i < np; i++) {
		fz_puts(&want, "(");
		fz_escape(&want, pc[i].p, pc[i].n);
		fz_puts(&want, "|");
		fz_escape(&want, pc[i].p, pc[i].n);
		fz_puts(&want, "|");
		fz_escape(&want, vs, v.len);
		fz_puts(&want, "|");
		fz_escape(&want, ws, w.len);
		fz_puts(&want, "|");
		fz_escape(&want, pc[0].p, pc[0].n);
		fz_puts(&want, ")");
	}
	expect("scope", data, &want);

	/* Arguments are escaped and never scanned for placeholders. */
	RESET();
	fz_puts(&want, "A&amp;B &lt;");
	fz_escape(&want, vs, v.len);
	fz_puts(&want, "&gt; ");
	fz_escape(&want, ws, w.len);
	fz_puts(&want, " {3} {x} ");
	fz_escape(&want, vs, v.len);
	expect("msg", data, &want);

	RESET();
	fz_puts(&want, "<main><h1>");
	fz_escape(&want, ws, w.len);
	fz_puts(&want, "</h1><i>");
	fz_escape(&want, vs, v.len);
	fz_puts(&want, "</i></main><footer>/static/app.3f2a.css</footer>");
	expect("page", data, &want);

	RESET();
	snprintf(tmp, sizeof tmp, "%lld|%g|true|false||||", (long long)n, r);
	fz_puts(&want, tmp);
	expect("num", data, &want);

	/* The escaper on its own, on the raw bytes. */
	struct buf out;
	buf_init(&out, NULL, 0);
	CHECK(tpl_escape_html(&out, vs, v.len) == 0);
	RESET();
	fz_escape(&want, vs, v.len);
	CHECK(out.len == want.len && memcmp(buf_cstr(&out), want.p, want.len) == 0);
	buf_free(&out);

	fz_str_free(&want);
	json_decref(data);
}

/* Markup-free templates with arbitrary JSON as the data: whatever its shape,
 * the output is inert text. */
static void json_templates(struct fz_in v)
{
	json_error_t jerr;
	json_t *data =
	        json_loadb((const char *)v.p, v.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!data)
		return;
	static const char *const names[] = {"g1", "g2", "g3"};
	for (size_t i = 0; i < 3; i++) {
		struct arena *a = arena_create(0);
		CHECK(a != NULL);
		struct buf out;
		buf_init(&out, a, 64u << 10); /* bounds #each inside #each */
		int rc = tpl_render(set, names[i], data, &out);
		CHECK(rc == 0 || rc == -E2BIG);
		CHECK(fz_is_escaped(buf_cstr(&out), out.len));
		arena_destroy(a);
	}
	json_decref(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint8_t opt = fz_byte(&in);
	size_t wl = fz_byte(&in);
	if (wl > in.len)
		wl = in.len;
	struct fz_in w = {in.p, wl};
	struct fz_in v = {in.p + wl, in.len - wl};
	fixed_templates(w, v);
	if (opt & 1)
		json_templates(v);
	return 0;
}
