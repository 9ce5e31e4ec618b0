/* tests/unit/test_template.c — the template engine: every construct, the
 * escaping rules, URL filtering, messages, layouts, limits and every compile
 * error. Each test asserts the exact output or error text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "render/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *resolve_asset(void *ctx, const char *path)
{
	(void)ctx;
	if (strcmp(path, "web/static/app.css") == 0)
		return "/static/app.css?v=1&x=\"2\"";
	return NULL;
}

static const char catalogue[] = "# site messages\n"
                                "\n"
                                "site.name = CSEC Toolkit\n"
                                "greet = Hello, {1}! You have {2} new messages.\n"
                                "html = <b>bold</b> & \"quoted\"\n"
                                "odd = {1} and {3} and {x} and {\n"
                                "empty =\n";

static int setup(void **state)
{
	struct tpl_set *set = tpl_set_create();
	assert_non_null(set);
	char err[256];
	int rc = tpl_set_add_messages(set, catalogue, sizeof catalogue - 1, err, sizeof err);
	if (rc)
		fail_msg("messages: %s", err);
	tpl_set_asset_resolver(set, resolve_asset, NULL);
	*state = set;
	return 0;
}

static int teardown(void **state)
{
	tpl_set_destroy(*state);
	return 0;
}

static void add(struct tpl_set *set, const char *name, const char *src)
{
	char err[256];
	int rc = tpl_set_add(set, name, src, strlen(src), err, sizeof err);
	if (rc)
		fail_msg("adding %s: %d %s", name, rc, err);
}

static json_t *parse(const char *json)
{
	if (!json)
		return NULL;
	json_error_t je;
	json_t *d = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!d)
		fail_msg("bad test JSON: %s", je.text);
	return d;
}

/* Renders name with data; checks the return code, the output (on success)
 * or the error message (on failure). */
static void check_render(struct tpl_set *set, const char *name, const char *json, int want_rc,
                         const char *want)
{
	json_t *d = parse(json);
	struct buf b;
	buf_init(&b, NULL, 0);
	char err[256] = "unset";
	int rc = tpl_render_err(set, name, d, &b, err, sizeof err);
	if (rc != want_rc)
		fail_msg("render %s: rc %d, want %d (%s)", name, rc, want_rc, err);
	if (rc == 0) {
		assert_string_equal(err, "");
		assert_string_equal(buf_cstr(&b), want);
	} else {
		assert_string_equal(err, want);
	}
	/* The plain variant agrees. */
	buf_reset(&b);
	assert_int_equal(tpl_render(set, name, d, &b), want_rc);
	/* So does the prepared set (constant text folded in), to the byte. */
	assert_int_equal(tpl_set_prepare(set), 0);
	buf_reset(&b);
	snprintf(err, sizeof err, "unset");
	assert_int_equal(tpl_render_err(set, name, d, &b, err, sizeof err), want_rc);
	assert_string_equal(rc == 0 ? buf_cstr(&b) : err, want);
	buf_free(&b);
	json_decref(d);
}

static void expect(struct tpl_set *set, const char *src, const char *json, const char *want)
{
	add(set, "t", src);
	check_render(set, "t", json, 0, want);
}

static void expect_fail(struct tpl_set *set, const char *src, const char *json, int want_rc,
                        const char *want_err)
{
	add(set, "t", src);
	check_render(set, "t", json, want_rc, want_err);
}

static void expect_compile_error(struct tpl_set *set, const char *src, const char *want_err)
{
	char err[256] = "unset";
	int rc = tpl_set_add(set, "t", src, strlen(src), err, sizeof err);
	if (rc != -EINVAL)
		fail_msg("compiling %s: rc %d, want -EINVAL (%s)", src, rc, err);
	assert_string_equal(err, want_err);
}

/* ---- text and values ---- */

static void test_text_verbatim(void **state)
{
	expect(*state, "", NULL, "");
	expect(*state, "plain <b>html</b> & text\n", NULL, "plain <b>html</b> & text\n");
	expect(*state, "a { b } c }} d {x}", NULL, "a { b } c }} d {x}");
	expect(*state, "{", NULL, "{");
	expect(*state, "x{", NULL, "x{");
}

static void test_value_types(void **state)
{
	const char *data = "{\"s\":\"str\",\"i\":42,\"n\":-7,\"big\":9007199254740993,"
	                   "\"r\":3.5,\"e\":1e20,\"t\":true,\"f\":false,\"z\":null,"
	                   "\"o\":{\"a\":1},\"a\":[1,2]}";
	expect(*state,
	       "{{s}}|{{i}}|{{n}}|{{big}}|{{r}}|{{e}}|{{./t}}|{{f}}|{{z}}|{{o}}|{{a}}|{{nope}}",
	       data, "str|42|-7|9007199254740993|3.5|1e+20|true|false||||");
	expect(*state, "[{{  s  }}]", data, "[str]");
	expect(*state, "[{{\ns\n}}]", data, "[str]");
	expect(*state, "{{s}}", NULL, "");
	expect(*state, "{{.}}", "\"top\"", "top");
}

static void test_escape_text_and_attributes(void **state)
{
	const char *data = "{\"v\":\"<script>alert(\\\"x\\\")</script> & 'y' `z`\","
	                   "\"attr\":\"\\\" onmouseover=\\\"evil()\"}";
	expect(*state, "<p>{{v}}</p>", data,
	       "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; "
	       "&#96;z&#96;</p>");
	expect(*state, "<a title=\"{{attr}}\" data-x='{{attr}}'>", data,
	       "<a title=\"&quot; onmouseover=&quot;evil()\" data-x='&quot; "
	       "onmouseover=&quot;evil()'>");
	expect(*state, "{{v}}", "{\"v\":\"&amp;\"}", "&amp;amp;");
}

static void test_hostile_values_inert(void **state)
{
	/* Values are data, never template code. */
	const char *data = "{\"v\":\"{{raw x}}{{> t}}{{#if a}}\",\"x\":\"<i>\",\"a\":true}";
	expect(*state, "{{v}}", data, "{{raw x}}{{&gt; t}}{{#if a}}");
	expect(*state, "{{raw v}}", data, "{{raw x}}{{> t}}{{#if a}}");

	/* An embedded NUL becomes U+FFFD and does not cut the value short. */
	add(*state, "t", "[{{v}}]");
	json_t *d = parse("{\"v\":\"a\\u0000<b\"}");
	struct buf b;
	buf_init(&b, NULL, 0);
	assert_int_equal(tpl_render(*state, "t", d, &b), 0);
	static const char want[] = "[a\xef\xbf\xbd&lt;b]";
	assert_int_equal(b.len, sizeof want - 1);
	assert_memory_equal(b.data, want, sizeof want - 1);
	buf_free(&b);
	json_decref(d);
}

static void test_raw(void **state)
{
	const char *data = "{\"html\":\"<p class=\\\"x\\\">a &amp; b</p>\",\"n\":5,\"o\":{}}";
	expect(*state, "{{raw html}}|{{raw n}}|{{raw o}}|{{raw nope}}", data,
	       "<p class=\"x\">a &amp; b</p>|5||");
	expect(*state, "{{ raw  html }}", data, "<p class=\"x\">a &amp; b</p>");
}

static void test_paths(void **state)
{
	const char *data = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"items\":[\"x\",\"y\"],"
	                   "\"rows\":[{\"n\":\"r0\"},{\"n\":\"r1\"}],\"0\":\"zero\","
	                   "\"k-1\":\"dash\",\"k_2\":\"under\"}";
	expect(*state, "{{a.b.c}}|{{a.b}}|{{a.x.c}}|{{a.b.c.d}}", data, "deep|||");
	expect(*state, "{{items.1}}|{{items.2}}|{{rows.1.n}}|{{0}}", data, "y||r1|zero");
	expect(*state, "{{k-1}}|{{k_2}}", data, "dash|under");
	expect(*state, "{{@root.a.b.c}}|{{@root}}", data, "deep|");
	/* ./ looks in the current item only, and reaches keys named like
	 * keywords. */
	expect(*state, "{{./a.b.c}}|{{#each rows}}{{./n}}{{./items}}{{items.0}}{{/each}}", data,
	       "deep|r0xr1x");
	expect(*state, "{{./url}}{{./t}}{{#each xs}}{{./raw}}{{/each}}",
	       "{\"url\":\"U\",\"t\":\"T\",\"xs\":[{\"raw\":\"<R>\"}]}", "UT&lt;R&gt;");
	/* @-variables outside #each are empty and false. */
	expect(*state, "[{{@index}}{{@number}}{{@first}}{{@last}}]{{#if @first}}y{{else}}n{{/if}}",
	       data, "[]n");
}

/* ---- blocks ---- */

static void test_each(void **state)
{
	const char *data = "{\"xs\":[\"a\",\"<b>\",\"c\"],\"none\":[],\"obj\":{\"k\":1},"
	                   "\"one\":[1]}";
	expect(*state, "{{#each xs}}[{{@index}}/{{@number}}:{{.}} {{@first}} {{@last}}]{{/each}}",
	       data, "[0/1:a true false][1/2:&lt;b&gt; false false][2/3:c false true]");
	expect(*state, "{{#each xs}}{{.}}{{#unless @last}}, {{/unless}}{{/each}}", data,
	       "a, &lt;b&gt;, c");
	expect(*state, "{{#each one}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}}{{/each}}", data,
	       "FL");
	expect(*state, "{{#each none}}x{{else}}empty{{/each}}", data, "empty");
	expect(*state, "{{#each missing}}x{{else}}missing{{/each}}", data, "missing");
	expect(*state, "{{#each obj}}x{{else}}not an array{{/each}}", data, "not an array");
	expect(*state, "{{#each none}}x{{/each}}", data, "");
	expect(*state, "{{#each xs}}{{.}}{{else}}never{{/each}}", data, "a&lt;b&gt;c");
	expect(*state, "{{#each .}}{{.}};{{/each}}", "[1,2.5,\"s\",null,true]", "1;2.5;s;;true;");
}

static void test_nested_scopes(void **state)
{
	const char *data = "{\"title\":\"T\",\"name\":\"root\",\"groups\":["
	                   "{\"name\":\"g1\",\"items\":[{\"name\":\"i1\"},{\"v\":\"no name\"}]},"
	                   "{\"items\":[{\"name\":\"i3\"}]}]}";
	/* name: innermost item first, then the enclosing group, then the root. */
	expect(*state,
	       "{{#each groups}}<{{name}}:{{#each items}}({{name}} in {{title}} "
	       "#{{@index}}){{/each}}>{{/each}}",
	       data, "<g1:(i1 in T #0)(g1 in T #1)><root:(i3 in T #0)>");
	/* @index is the innermost loop's; @root reaches the top. */
	expect(*state,
	       "{{#each groups}}{{#each items}}{{@index}}{{@root.name}}{{/each}}|{{@index}}"
	       "{{/each}}",
	       data, "0root1root|00root|1");
	/* A path whose first segment is found does not fall back further. */
	expect(*state, "{{#each groups}}[{{items.0.v}}]{{/each}}",
	       "{\"groups\":[{\"items\":[{}]}],"
	       "\"items\":[{\"v\":\"outer\"}]}",
	       "[]");
	/* Items that are not objects are skipped by plain lookups. */
	expect(*state, "{{#each xs}}{{name}}={{.}} {{/each}}", "{\"name\":\"n\",\"xs\":[1,\"s\"]}",
	       "n=1 n=s ");
	/* Arrays of arrays: numeric segments and nested dots. */
	expect(*state, "{{#each m}}{{#each .}}{{.}}{{/each}};{{0}}|{{/each}}",
	       "{\"m\":[[1,2],[3]]}", "12;1|3;3|");
}

static void test_if_unless_truthiness(void **state)
{
	static const char *const falsy[] = {"false", "null", "0", "0.0", "\"\"", "[]", "{}"};
	static const char *const truthy[] = {"true",  "1",     "-1",  "0.5",
	                                     "\"0\"", "\" \"", "[0]", "{\"a\":null}"};
	char json[64];
	for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++) {
		snprintf(json, sizeof json, "{\"v\":%s}", falsy[i]);
		expect(*state, "{{#if v}}yes{{else}}no{{/if}}|{{#unless v}}U{{/unless}}", json,
		       "no|U");
	}
	for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
		snprintf(json, sizeof json, "{\"v\":%s}", truthy[i]);
		expect(*state, "{{#if v}}yes{{else}}no{{/if}}|{{#unless v}}U{{/unless}}", json,
		       "yes|");
	}
	expect(*state, "{{#if missing}}yes{{/if}}", "{}", "");
	expect(*state, "{{#unless v}}a{{else}}b{{/unless}}", "{\"v\":1}", "b");
	expect(*state, "{{#if a}}{{#if b}}ab{{else}}a{{/if}}{{else}}none{{/if}}",
	       "{\"a\":1,\"b\":0}", "a");
}

static void test_if_compare(void **state)
{
	const char *data = "{\"nav\":[{\"id\":\"home\",\"href\":\"/\",\"label\":\"Home\"},"
	                   "{\"id\":\"guide\",\"href\":\"/guide\",\"label\":\"Guide\"}]}";
	expect(*state,
	       "{{#each nav}}<a href=\"{{url href}}\"{{#if id == \"home\"}} "
	       "aria-current=\"page\"{{/if}}>{{label}}</a>{{/each}}",
	       data, "<a href=\"/\" aria-current=\"page\">Home</a><a href=\"/guide\">Guide</a>");
	expect(*state, "{{#if s != \"a\"}}ne{{else}}eq{{/if}}", "{\"s\":\"a\"}", "eq");
	expect(*state, "{{#if s != \"a\"}}ne{{else}}eq{{/if}}", "{\"s\":\"b\"}", "ne");
	expect(*state, "{{#if s==\"a\"}}eq{{/if}}", "{\"s\":\"a\"}", "eq");
	expect(*state, "{{#if s == \"A\"}}eq{{else}}case matters{{/if}}", "{\"s\":\"a\"}",
	       "case matters");
	/* Numbers and booleans compare by their printed text. */
	expect(*state, "{{#if n == \"3\"}}three{{/if}}{{#if b == \"true\"}}T{{/if}}",
	       "{\"n\":3,\"b\":true}", "threeT");
	expect(*state, "{{#if missing == \"\"}}empty{{/if}}", "{}", "empty");
	expect(*state, "{{#if q == \"say \\\"hi\\\" \\\\ }}\"}}match{{/if}}",
	       "{\"q\":\"say \\\"hi\\\" \\\\ }}\"}", "match");
	expect(*state, "{{#each xs}}{{#if @index == \"1\"}}second{{/if}}{{/each}}",
	       "{\"xs\":[0,0,0]}", "second");
	expect(*state, "{{#unless s == \"a\"}}not a{{/unless}}", "{\"s\":\"b\"}", "not a");
	/* A NUL inside a value does not make it equal to a shorter literal. */
	expect(*state, "{{#if s == \"a\"}}eq{{else}}ne{{/if}}", "{\"s\":\"a\\u0000b\"}", "ne");
}

/* ---- partials and layouts ---- */

static void test_partials(void **state)
{
	add(*state, "partials/item", "<li>{{name}}#{{@number}} of {{title}}</li>");
	expect(*state, "<ul>{{#each items}}{{> partials/item}}{{/each}}</ul>",
	       "{\"title\":\"L\",\"items\":[{\"name\":\"a\"},{\"name\":\"<b>\"}]}",
	       "<ul><li>a#1 of L</li><li>&lt;b&gt;#2 of L</li></ul>");
	expect(*state, "[{{> \"partials/item\"}}]", "{\"name\":\"n\"}", "[<li>n# of </li>]");
	/* Partials added after the template that uses them are found. */
	add(*state, "t", "a{{>later}}c");
	add(*state, "later", "b");
	check_render(*state, "t", NULL, 0, "abc");
	expect_fail(*state, "x\n{{> nope}}", NULL, -ENOENT, "t:2: unknown partial 'nope'");
}

static void test_partial_depth(void **state)
{
	add(*state, "self", "x{{> self}}");
	check_render(*state, "self", NULL, -ELOOP, "self:1: partials nested deeper than 32");

	/* top includes p1, p1 includes p2, ...: 32 nested partials render,
	 * a 33rd is one too many. */
	char name[16], src[64], want[64] = "T";
	for (int i = 1; i <= 31; i++) {
		snprintf(name, sizeof name, "p%d", i);
		snprintf(src, sizeof src, "%d{{> p%d}}", i % 10, i + 1);
		add(*state, name, src);
		want[i] = (char)('0' + i % 10);
	}
	memcpy(want + 32, "2", 2);
	add(*state, "top", "T{{> p1}}");
	add(*state, "p32", "2");
	add(*state, "p33", "3");
	check_render(*state, "top", NULL, 0, want);
	add(*state, "p32", "2{{> p33}}");
	check_render(*state, "top", NULL, -ELOOP, "p32:1: partials nested deeper than 32");
}

static void test_render_depth(void **state)
{
	/* 60 nested blocks around a self-include: the total nesting limit of
	 * 256 is reached long before the partial limit of 32. */
	char src[60 * 16 + 32];
	size_t n = 0;
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(src + n, sizeof src - n, "{{#if a}}");
	n += (size_t)snprintf(src + n, sizeof src - n, "{{> d}}");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(src + n, sizeof src - n, "{{/if}}");
	add(*state, "d", src);
	check_render(*state, "d", "{\"a\":1}", -ELOOP,
	             "d:1: blocks and partials nested deeper than 256");
	check_render(*state, "d", "{\"a\":0}", 0, "");
}

static void test_layout(void **state)
{
	add(*state, "layouts/base",
	    "<title>{{title}}</title>\n<main>{{yield}}</main>{{> partials/foot}}");
	add(*state, "partials/foot", "<footer>{{t \"site.name\"}}</footer>");
	expect(*state, "{{layout \"layouts/base\"}}<p>{{body}}</p>",
	       "{\"title\":\"Home & away\",\"body\":\"<hi>\"}",
	       "<title>Home &amp; away</title>\n<main><p>&lt;hi&gt;</p></main>"
	       "<footer>CSEC Toolkit</footer>");
	/* Comments and text may come before the layout; the text is body. */
	expect(*state, "{{! page }}\n{{layout \"layouts/base\"}}x", "{\"title\":\"t\"}",
	       "<title>t</title>\n<main>\nx</main><footer>CSEC Toolkit</footer>");
	/* The body sees the root scope even when {{yield}} sits in an #each. */
	add(*state, "layouts/loop", "{{#each xs}}[{{yield}}]{{/each}}");
	expect(*state, "{{layout \"layouts/loop\"}}{{.}}{{@index}}", "{\"xs\":[1,2]}", "[][]");
	/* {{yield}} outside a layout renders nothing; a body's own yield too. */
	expect(*state, "a{{yield}}b", NULL, "ab");
	expect(*state, "{{layout \"layouts/base\"}}({{yield}})", "{\"title\":\"t\"}",
	       "<title>t</title>\n<main>()</main><footer>CSEC Toolkit</footer>");
	/* The body's partial budget is its own. */
	add(*state, "rec", "{{#if more}}{{> rec}}{{/if}}");
	expect_fail(*state, "{{layout \"layouts/base\"}}{{> rec}}", "{\"more\":1}", -ELOOP,
	            "rec:1: partials nested deeper than 32");
	expect_fail(*state, "{{layout \"layouts/none\"}}x", NULL, -ENOENT,
	            "t:1: unknown layout 'layouts/none'");
	add(*state, "layouts/nested", "{{layout \"layouts/base\"}}{{yield}}");
	expect_fail(*state, "\n{{layout \"layouts/nested\"}}x", NULL, -EINVAL,
	            "layouts/nested:1: a layout may not declare a layout");
	/* Included as a partial, a template's layout is not applied. */
	add(*state, "page", "{{layout \"layouts/base\"}}P");
	expect(*state, "[{{> page}}]", NULL, "[P]");
}

/* ---- messages ---- */

static void test_t(void **state)
{
	expect(*state, "{{t \"site.name\"}}", NULL, "CSEC Toolkit");
	expect(*state, "{{t \"html\"}}", NULL, "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;");
	expect(*state, "{{t \"greet\" user.name count}}",
	       "{\"user\":{\"name\":\"<Ann>\"},\"count\":3}",
	       "Hello, &lt;Ann&gt;! You have 3 new messages.");
	/* Without arguments placeholders stay; extra placeholders stay. */
	expect(*state, "{{t \"greet\"}}", NULL, "Hello, {1}! You have {2} new messages.");
	expect(*state, "{{t \"odd\" a b}}", "{\"a\":\"A\",\"b\":\"B\"}", "A and {3} and {x} and {");
	/* An argument's value is not scanned for placeholders. */
	expect(*state, "{{t \"greet\" a b}}", "{\"a\":\"{2}\",\"b\":\"x\"}",
	       "Hello, {2}! You have x new messages.");
	expect(*state, "[{{t \"empty\"}}]", NULL, "[]");
	expect(*state, "{{#each xs}}{{t \"greet\" . @number}}\n{{/each}}", "{\"xs\":[\"a\",\"b\"]}",
	       "Hello, a! You have 1 new messages.\nHello, b! You have 2 new messages.\n");
	expect_fail(*state, "\n\n{{t \"no.such\"}}", NULL, -ENOENT,
	            "t:3: unknown message 'no.such'");
}

static void test_messages_lookup(void **state)
{
	assert_string_equal(tpl_message(*state, "site.name"), "CSEC Toolkit");
	assert_string_equal(tpl_message(*state, "html"), "<b>bold</b> & \"quoted\"");
	assert_string_equal(tpl_message(*state, "empty"), "");
	assert_null(tpl_message(*state, "missing"));
	assert_null(tpl_message(*state, "site"));
}

static void test_messages_parse(void **state)
{
	struct tpl_set *set = *state;
	char err[128];
	static const char good[] = "\xef\xbb\xbf# comment\r\n"
	                           "  \t\r\n"
	                           "  a.b-c_1   =   spaced text  \r\n"
	                           "utf8 = caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80\n"
	                           "eq = a = b\n"
	                           "nocr=x";
	assert_int_equal(tpl_set_add_messages(set, good, sizeof good - 1, err, sizeof err), 0);
	assert_string_equal(tpl_message(set, "a.b-c_1"), "spaced text");
	assert_string_equal(tpl_message(set, "utf8"), "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80");
	assert_string_equal(tpl_message(set, "eq"), "a = b");
	assert_string_equal(tpl_message(set, "nocr"), "x");

	static const struct {
		const char *src;
		const char *err;
	} bad[] = {
	        {"k1 = a\n# c\nk1 = b\n", "3: duplicate key"},
	        {"site.name = again\n", "1: duplicate key"},
	        {"ok1 = a\nBad = b\n", "2: invalid key (want [a-z0-9_.-]+)"},
	        {"ok2 = a\nk!ey = b\n", "2: invalid key (want [a-z0-9_.-]+)"},
	        {"ok3 = a\n= b\n", "2: invalid key (want [a-z0-9_.-]+)"},
	        {"ok4 = a\n\njust text\n", "3: expected 'key = text'"},
	        {"ok5 = a\nkey text = b\n", "2: expected 'key = text'"},
	        {"ok6 = a\nk = caf\xe9\n", "2: invalid UTF-8 or NUL byte"},
	        {"ok7 = a\nk = \xed\xa0\x80\n", "2: invalid UTF-8 or NUL byte"},
	        {"ok8 = a\nk = \xc0\xaf\n", "2: invalid UTF-8 or NUL byte"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		int rc = tpl_set_add_messages(set, bad[i].src, strlen(bad[i].src), err, sizeof err);
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err, bad[i].err);
	}
	/* A failed load adds nothing, so the good keys before the error can
	 * be loaded again afterwards. */
	for (int i = 1; i <= 8; i++) {
		char key[16];
		snprintf(key, sizeof key, "ok%d", i);
		assert_null(tpl_message(set, key));
	}
	assert_null(tpl_message(set, "k1"));
	assert_int_equal(tpl_set_add_messages(set, "k1 = a\n", 7, err, sizeof err), 0);
	assert_string_equal(tpl_message(set, "k1"), "a");

	static const char nul[] = "k2 = a\0b\n";
	assert_int_equal(tpl_set_add_messages(set, nul, sizeof nul - 1, err, sizeof err), -EINVAL);
	assert_string_equal(err, "1: invalid UTF-8 or NUL byte");
	assert_int_equal(tpl_set_add_messages(set, "", 0, err, sizeof err), 0);
}

/* ---- URLs and assets ---- */

static void test_url(void **state)
{
	static const struct {
		const char *json; /* the JSON value of u */
		const char *want;
	} cases[] = {
	        {"\"/\"", "/"},
	        {"\"/guide?a=1&b=2\"", "/guide?a=1&amp;b=2"},
	        {"\"#top\"", "#top"},
	        {"\"?page=2\"", "?page=2"},
	        {"\"https://example.org/x\"", "https://example.org/x"},
	        {"\"HTTP://example.org\"", "HTTP://example.org"},
	        {"\"http://example.org/\\\"onclick=x\"", "http://example.org/&quot;onclick=x"},
	        {"\"mailto:help@example.org\"", "mailto:help@example.org"},
	        {"\"TEL:+1-555-0100\"", "TEL:+1-555-0100"},
	        {"\"javascript:alert(1)\"", "#"},
	        {"\"JaVaScRiPt:alert(1)\"", "#"},
	        {"\" javascript:alert(1)\"", "#"},
	        {"\"java\\tscript:alert(1)\"", "#"},
	        {"\"//evil.example\"", "#"},
	        {"\"/\\\\evil.example\"", "#"},
	        {"\"/\\t/evil.example\"", "#"},
	        {"\"/ok\\n\"", "#"},
	        {"\"/a\\u0000b\"", "#"},
	        {"\"data:text/html,<script>x</script>\"", "#"},
	        {"\"vbscript:x\"", "#"},
	        {"\"ftp://example.org\"", "#"},
	        {"\"relative/path\"", "#"},
	        {"\"https\"", "#"},
	        {"\"\"", "#"},
	        {"5", "#"},
	        {"null", "#"},
	        {"[\"/x\"]", "#"},
	};
	char json[128];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(json, sizeof json, "{\"u\":%s}", cases[i].json);
		expect(*state, "{{url u}}", json, cases[i].want);
	}
	expect(*state, "<a href=\"{{url missing}}\">", "{}", "<a href=\"#\">");
	expect(*state, "{{#each us}}{{url .}} {{/each}}", "{\"us\":[\"/a\",\"javascript:b\"]}",
	       "/a # ");
	assert_true(tpl_url_is_safe("/x", 2));
	assert_false(tpl_url_is_safe("//x", 3));
	assert_false(tpl_url_is_safe(NULL, 0));
}

static void test_asset(void **state)
{
	expect(*state, "<link href=\"{{asset \"web/static/app.css\"}}\">", NULL,
	       "<link href=\"/static/app.css?v=1&amp;x=&quot;2&quot;\">");
	expect_fail(*state, "{{asset \"web/static/none.css\"}}", NULL, -ENOENT,
	            "t:1: unknown asset 'web/static/none.css'");
	tpl_set_asset_resolver(*state, NULL, NULL);
	expect_fail(*state, "{{asset \"web/static/app.css\"}}", NULL, -ENOENT,
	            "t:1: unknown asset 'web/static/app.css'");
}

/* ---- comments ---- */

static void test_comments(void **state)
{
	expect(*state, "a{{! a comment }}b", NULL, "ab");
	expect(*state, "a{{!}}b{{!-- --}}c", NULL, "abc");
	expect(*state, "a{{!\n multi\n line\n}}b", NULL, "ab");
	expect(*state, "a{{!-- has }} and {{x}} inside --}}b", NULL, "ab");
	expect(*state, "{{! {{name}} }}", "{\"name\":\"n\"}", " }}");
	/* Lines inside comments still count. */
	expect_compile_error(*state, "{{!--\n\n--}}\n{{/if}}",
	                     "t:4: {{/if}} without an open block");
	expect_compile_error(*state, "x\n{{!-- never closed }}", "t:2: unclosed comment");
	expect_compile_error(*state, "{{! never closed", "t:1: unclosed comment");
}

/* ---- compile errors ---- */

static void test_compile_errors(void **state)
{
	static const struct {
		const char *src;
		const char *err;
	} cases[] = {
	        {"{{}}", "t:1: empty tag"},
	        {"a\n {{  \n }}", "t:2: empty tag"},
	        {"{{foo bar}}", "t:1: unknown tag 'foo bar'"},
	        {"{{a..b}}", "t:1: invalid path 'a..b'"},
	        {"{{.a}}", "t:1: invalid path '.a'"},
	        {"{{a.}}", "t:1: invalid path 'a.'"},
	        {"{{<b>}}", "t:1: invalid path '<b>'"},
	        {"{{{x}}}", "t:1: invalid path '{x'"},
	        {"{{@indexx}}", "t:1: invalid path '@indexx'"},
	        {"{{@root.}}", "t:1: invalid path '@root.'"},
	        {"{{@root..a}}", "t:1: invalid path '@root..a'"},
	        {"{{./}}", "t:1: invalid path './'"},
	        {"{{./@root}}", "t:1: invalid path './@root'"},
	        {"{{./a/b}}", "t:1: invalid path './a/b'"},
	        {"{{t}}", "t:1: t needs a quoted message key"},
	        {"{{\"str\"}}", "t:1: unknown tag '\"str\"'"},
	        {"{{a == \"b\"}}", "t:1: unknown tag 'a == \"b\"'"},
	        {"{{#with x}}{{/with}}", "t:1: unknown block '#with'"},
	        {"{{#if.x}}", "t:1: unknown tag '#if.x'"},
	        {"{{#}}", "t:1: '#' needs a block name"},
	        {"{{#if}}{{/if}}", "t:1: #if needs a path"},
	        {"{{#each}}{{/each}}", "t:1: #each needs a path"},
	        {"{{#if a b}}{{/if}}", "t:1: unexpected text in #if"},
	        {"{{#if a == b}}{{/if}}", "t:1: == needs a quoted string"},
	        {"{{#if a != }}{{/if}}", "t:1: != needs a quoted string"},
	        {"{{#if a = \"b\"}}{{/if}}", "t:1: unexpected text in #if"},
	        {"{{#each a == \"b\"}}{{/each}}", "t:1: unexpected text in #each"},
	        {"{{#if a == \"b}}", "t:1: unclosed tag"},
	        {"a\n{{#if x}}\nb", "t:2: unclosed {{#if}}"},
	        {"{{#each x}}\n{{#unless y}}\n{{/unless}}", "t:1: unclosed {{#each}}"},
	        {"{{#if x}}\n{{/each}}", "t:2: {{/each}} does not match {{#if}} on line 1"},
	        {"{{#each x}}{{#if y}}{{/each}}{{/if}}",
	         "t:1: {{/each}} does not match {{#if}} on line 1"},
	        {"{{/if}}", "t:1: {{/if}} without an open block"},
	        {"{{#if x}}{{/if y}}", "t:1: unexpected text in {{/if}}"},
	        {"{{/}}", "t:1: '/' needs a block name"},
	        {"x\n\n{{else}}", "t:3: {{else}} outside a block"},
	        {"{{#if x}}{{/if}}{{else}}", "t:1: {{else}} outside a block"},
	        {"{{#if x}}\n{{else}}\n{{else}}{{/if}}",
	         "t:3: second {{else}} in {{#if}} on line 1"},
	        {"{{#if x}}{{else y}}{{/if}}", "t:1: unexpected text after else"},
	        {"a\n{{b", "t:2: unclosed tag"},
	        {"{{b}", "t:1: unclosed tag"},
	        {"{{x}}{{layout \"l\"}}", "t:1: {{layout}} must be the first tag"},
	        {"{{layout \"l\"}}{{layout \"m\"}}", "t:1: {{layout}} must be the first tag"},
	        {"{{layout l}}", "t:1: layout needs a quoted string"},
	        {"{{layout \"l\" x}}", "t:1: unexpected text after layout"},
	        {"{{layout \"bad name\"}}", "t:1: invalid layout name 'bad name'"},
	        {"{{raw}}", "t:1: raw needs a path"},
	        {"{{raw a b}}", "t:1: unexpected text after raw"},
	        {"{{url}}", "t:1: url needs a path"},
	        {"{{url a b}}", "t:1: unexpected text after url"},
	        {"{{url \"/x\"}}", "t:1: url needs a path"},
	        {"{{asset}}", "t:1: asset needs a quoted string"},
	        {"{{asset x}}", "t:1: asset needs a quoted string"},
	        {"{{t}}", "t:1: t needs a quoted message key"},
	        {"{{t key}}", "t:1: t needs a quoted message key"},
	        {"{{t \"Bad Key\"}}", "t:1: invalid message key 'Bad Key'"},
	        {"{{t \"k\" \"lit\"}}", "t:1: t arguments must be paths"},
	        {"{{t \"k\" a..b}}", "t:1: invalid path 'a..b'"},
	        {"{{t \"k\" a b c d e f g h i j}}", "t:1: t takes at most 9 arguments"},
	        {"{{yield x}}", "t:1: unexpected text after yield"},
	        {"{{>}}", "t:1: {{>}} needs a partial name"},
	        {"{{> a b}}", "t:1: unexpected text after partial name"},
	        {"{{> a<b}}", "t:1: invalid partial name 'a<b'"},
	        {"{{> \"a b\"}}", "t:1: invalid partial name 'a b'"},
	        {"line1\nline2\n{{#if a}}\n\n  {{#each b}}{{/if}}",
	         "t:5: {{/if}} does not match {{#each}} on line 5"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_compile_error(*state, cases[i].src, cases[i].err);
}

static void test_compile_limits(void **state)
{
	struct tpl_set *set = *state;
	char err[128];

	/* TPL_MAX_NESTING nested blocks compile; one more does not. */
	size_t cap = 70 * 24;
	char *src = malloc(cap);
	assert_non_null(src);
	for (int depth = TPL_MAX_NESTING; depth <= TPL_MAX_NESTING + 1; depth++) {
		size_t n = 0;
		for (int i = 0; i < depth; i++)
			n += (size_t)snprintf(src + n, cap - n, "{{#if a}}");
		n += (size_t)snprintf(src + n, cap - n, "x");
		for (int i = 0; i < depth; i++)
			n += (size_t)snprintf(src + n, cap - n, "{{/if}}");
		int rc = tpl_set_add(set, "deep", src, n, err, sizeof err);
		if (depth == TPL_MAX_NESTING) {
			assert_int_equal(rc, 0);
			check_render(set, "deep", "{\"a\":1}", 0, "x");
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_string_equal(err, "deep:1: blocks nested deeper than 64");
		}
	}
	free(src);

	/* Size: exactly the limit is fine, one byte more is not. */
	char *big = malloc(TPL_MAX_SIZE + 1);
	assert_non_null(big);
	memset(big, 'a', TPL_MAX_SIZE + 1);
	assert_int_equal(tpl_set_add(set, "big", big, TPL_MAX_SIZE, err, sizeof err), 0);
	assert_int_equal(tpl_set_add(set, "big2", big, TPL_MAX_SIZE + 1, err, sizeof err), -E2BIG);
	assert_string_equal(err, "big2:0: template larger than 1048576 bytes");
	assert_false(tpl_exists(set, "big2"));
	free(big);

	/* NUL bytes are not template text. */
	static const char nul[] = "a\nb\0c";
	assert_int_equal(tpl_set_add(set, "nul", nul, sizeof nul - 1, err, sizeof err), -EINVAL);
	assert_string_equal(err, "nul:2: NUL byte in template");

	/* Names. */
	assert_int_equal(tpl_set_add(set, "bad name", "x", 1, err, sizeof err), -EINVAL);
	assert_string_equal(err, "bad name:0: invalid template name");
	assert_int_equal(tpl_set_add(set, "", "x", 1, err, sizeof err), -EINVAL);
	assert_int_equal(tpl_set_add(set, NULL, "x", 1, NULL, 0), -EINVAL);

	/* A short error buffer is truncated and still terminated. */
	char tiny[8];
	assert_int_equal(tpl_set_add(set, "t", "{{}}", 4, tiny, sizeof tiny), -EINVAL);
	assert_string_equal(tiny, "t:1: em");
}

/* ---- the set ---- */

static void test_set_add_replace_exists(void **state)
{
	struct tpl_set *set = *state;
	assert_false(tpl_exists(set, "home"));
	add(set, "home", "one");
	assert_true(tpl_exists(set, "home"));
	check_render(set, "home", NULL, 0, "one");
	add(set, "home", "two {{x}}");
	check_render(set, "home", "{\"x\":2}", 0, "two 2");

	/* A failed re-add leaves the old template in place. */
	char err[64];
	assert_int_equal(tpl_set_add(set, "home", "{{#if", 5, err, sizeof err), -EINVAL);
	check_render(set, "home", "{\"x\":3}", 0, "two 3");

	/* Many templates (the map grows). */
	char name[16];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "n%d", i);
		add(set, name, name);
	}
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "n%d", i);
		check_render(set, name, NULL, 0, name);
	}
	check_render(set, "nope", NULL, -ENOENT, "nope:0: unknown template");
	assert_false(tpl_exists(set, "nope"));
	assert_false(tpl_exists(set, NULL));
}

static void test_output_cap(void **state)
{
	add(*state, "t", "{{#each xs}}{{.}}{{/each}}");
	json_t *d = parse("{\"xs\":[\"0123456789\",\"0123456789\",\"<<<<\"]}");
	struct buf b;
	char err[128];

	buf_init(&b, NULL, 20);
	assert_int_equal(tpl_render_err(*state, "t", d, &b, err, sizeof err), -E2BIG);
	assert_string_equal(err, "t:1: output reached the buffer's cap");
	assert_int_equal(b.err, -E2BIG);
	assert_int_equal(b.len, 20);
	buf_free(&b);

	/* Escaping counts against the cap: "<<<<" needs 16 bytes. */
	buf_init(&b, NULL, 35);
	assert_int_equal(tpl_render(*state, "t", d, &b), -E2BIG);
	buf_free(&b);
	buf_init(&b, NULL, 36);
	assert_int_equal(tpl_render(*state, "t", d, &b), 0);
	assert_string_equal(buf_cstr(&b), "01234567890123456789&lt;&lt;&lt;&lt;");
	buf_free(&b);

	/* Output is appended after what the buffer already holds. */
	buf_init(&b, NULL, 0);
	buf_puts(&b, ">");
	assert_int_equal(tpl_render(*state, "t", d, &b), 0);
	assert_string_equal(buf_cstr(&b), ">01234567890123456789&lt;&lt;&lt;&lt;");
	buf_free(&b);
	json_decref(d);
}

static void test_escape_html_direct(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	assert_int_equal(tpl_escape_html(&b, "", 0), 0);
	assert_int_equal(tpl_escape_html(&b, "plain", 5), 0);
	assert_int_equal(tpl_escape_html(&b, "&<>\"'`", 6), 0);
	assert_int_equal(tpl_escape_html(&b, "x\0y", 3), 0);
	assert_string_equal(buf_cstr(&b), "plain&amp;&lt;&gt;&quot;&#39;&#96;x\xef\xbf\xbdy");
	buf_free(&b);

	buf_init(&b, NULL, 5);
	assert_int_equal(tpl_escape_html(&b, "ab<", 3), -E2BIG);
	assert_string_equal(buf_cstr(&b), "ab");
	buf_free(&b);
}

static void test_line_numbers_in_render_errors(void **state)
{
	add(*state, "partials/x", "ok\n\n{{> partials/missing}}");
	expect_fail(*state, "{{#each xs}}\n{{> partials/x}}\n{{/each}}", "{\"xs\":[1]}", -ENOENT,
	            "partials/x:3: unknown partial 'partials/missing'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_text_verbatim, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_value_types, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_escape_text_and_attributes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_hostile_values_inert, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_each, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nested_scopes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_if_unless_truthiness, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_if_compare, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_partials, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_partial_depth, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_render_depth, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_t, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_messages_lookup, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_messages_parse, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_url, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_asset, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_compile_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_compile_limits, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_set_add_replace_exists, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_output_cap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_escape_html_direct, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_line_numbers_in_render_errors, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
