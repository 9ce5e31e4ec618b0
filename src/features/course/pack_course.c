/* features/course/pack_course.c — reading and checking the courses of a
 * content pack (pack_course.h, docs/course-format.md). JSON files are read
 * with jansson: a syntax error is reported at jansson's line; a rule broken
 * is reported at line 0 with the JSON path of the value in the message
 * ("modules[1].lessons[0].topics: ..."), since jansson keeps no positions.
 * Lessons are Markdown pages with front matter (frontmatter_parse_lesson),
 * rendered with the library's renderer and held to the guide's rules; the
 * Markdown fields of scenarios are rendered the same way. */
#include "features/course/pack_course.h"

#include "core/arena.h"
#include "core/str.h"
#include "features/library/frontmatter.h"
#include "features/library/markdown.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_ONE_LINE_MAX 400
#define TEXT_MD_MAX (64 * 1024)

/* ------------------------------------------------------------ file names */

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 200 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool ends_with(const char *s, size_t n, const char *ext)
{
	size_t e = strlen(ext);
	return n > e && memcmp(s + n - e, ext, e) == 0;
}

static const char *const media_exts[] = {".mp4", ".webm", ".vtt", ".txt"};
static const char *const media_types[] = {"video/mp4", "video/webm", "text/vtt; charset=utf-8",
                                          "text/plain; charset=utf-8"};

static int media_ext(const char *s, size_t n)
{
	for (int i = 0; i < 4; i++)
		if (ends_with(s, n, media_exts[i]))
			return i;
	return -1;
}

int course_pack_path(const char *path, bool *media)
{
	*media = false;
	if (strncmp(path, "course/", 7) != 0)
		return 0;
	const char *slug = path + 7, *slash = strchr(slug, '/');
	if (!slash)
		return 0; /* a file beside the courses */
	const char *rest = slash + 1;
	bool slug_ok = frontmatter_slug_valid(slug, (size_t)(slash - slug));
	if (strcmp(rest, "course.json") == 0)
		return slug_ok ? 1 : -1;
	static const char *const subs[] = {"lessons/", "checks/", "questions/", "scenarios/",
	                                   "media/"};
	for (int i = 0; i < 5; i++) {
		size_t sl = strlen(subs[i]);
		if (strncmp(rest, subs[i], sl) != 0)
			continue;
		const char *name = rest + sl;
		size_t n = strlen(name);
		if (!slug_ok || strchr(name, '/') || !name_ok(name, n))
			return -1;
		if (i == 0)
			return ends_with(name, n, ".md") ? 1 : -1;
		if (i < 4)
			return ends_with(name, n, ".json") ? 1 : -1;
		*media = true;
		return media_ext(name, n) >= 0 ? 1 : -1;
	}
	return 0;
}

/* ------------------------------------------------------------ context */

struct cx {
	struct arena *a;
	struct pack_problems *pr;
	const struct pack *p;
	const char *file;
	int err;
	bool unsure; /* some file could not be read: links to it are not reported */
	bool scenario_failed; /* a scenario file has problems: its slug may be unknown */
	const char *const *course_slugs;
	size_t n_course_slugs;
	struct pack_course *c; /* the course being read */
};

__attribute__((format(printf, 4, 5))) static void problem(struct cx *x, const char *path, int line,
                                                          const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(x->a, fmt, ap);
	va_end(ap);
	if (!msg ||
	    pack_problem(x->pr, x->file, line, "%s%s%s", path && path[0] ? path : "",
	                 path && path[0] ? ": " : "", msg) != 0)
		x->err = -ENOMEM;
}

static const char *jp(struct cx *x, const char *base, const char *key)
{
	const char *s = base[0] ? arena_printf(x->a, "%s.%s", base, key) : arena_strdup(x->a, key);
	if (!s) {
		x->err = -ENOMEM;
		return "";
	}
	return s;
}

static const char *ji(struct cx *x, const char *base, size_t i)
{
	const char *s = arena_printf(x->a, "%s[%zu]", base, i);
	if (!s) {
		x->err = -ENOMEM;
		return "";
	}
	return s;
}

static const char *dump(struct cx *x, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	json_decref(v);
	const char *copy = s ? arena_strdup(x->a, s) : NULL;
	free(s);
	if (!copy)
		x->err = -ENOMEM;
	return copy ? copy : "[]";
}

static void free_json(void *p)
{
	json_decref(p);
}

/* The file as a JSON object, or NULL after reporting why. */
static json_t *load_json(struct cx *x, const struct pack_file *f)
{
	json_error_t jerr;
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		problem(x, "", jerr.line > 0 ? jerr.line : 1, "not valid JSON: %s", jerr.text);
		return NULL;
	}
	if (arena_defer(x->a, free_json, root) != 0) {
		json_decref(root);
		x->err = -ENOMEM;
		return NULL;
	}
	if (!json_is_object(root)) {
		problem(x, "", 1, "the file must hold one JSON object");
		return NULL;
	}
	return root;
}

/* Unknown members of obj are reported; allowed is NULL-terminated. */
static void known_keys(struct cx *x, json_t *obj, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (allowed[i])
			continue;
		char list[400] = "";
		size_t len = 0;
		for (size_t k = 0; allowed[k] && len < sizeof list - 40; k++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
			                        k ? ", " : "", allowed[k]);
		problem(x, path, 0, "unknown field \"%.60s\" (the fields are %s)", key, list);
	}
}

/* A string member: text of at most max characters, on one line unless
 * multiline. NULL when absent (reported when required) or invalid
 * (reported). */
static const char *text(struct cx *x, json_t *obj, const char *path, const char *key, size_t max,
                        bool required, bool multiline)
{
	json_t *v = json_object_get(obj, key);
	const char *at = jp(x, path, key);
	if (!v) {
		if (required)
			problem(x, path, 0, "missing field \"%s\"", key);
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = s ? json_string_length(v) : 0;
	if (!s) {
		problem(x, at, 0, "must be a string");
		return NULL;
	}
	bool ok = n > 0 && strlen(s) == n;
	for (size_t k = 0; ok && k < n; k++)
		ok = ((unsigned char)s[k] >= 0x20 && s[k] != 0x7f) ||
		        (multiline && (s[k] == '\n' || s[k] == '\t' || s[k] == '\r'));
	if (!ok) {
		problem(x, at, 0, "%s",
		        n == 0 ? "must not be empty"
		                : multiline
		                ? "must be text without control characters"
		                : "must be text on one line, without control characters");
		return NULL;
	}
	if (frontmatter_chars(s, n) > max) {
		problem(x, at, 0, "is over %zu characters", max);
		return NULL;
	}
	return s;
}

/* A slug member (lower-case letters, digits and inner hyphens). */
static const char *slug(struct cx *x, json_t *obj, const char *path, const char *key, bool required)
{
	const char *s = text(x, obj, path, key, PACK_SLUG_MAX, required, false);
	if (s && !frontmatter_slug_valid(s, strlen(s))) {
		problem(x, jp(x, path, key), 0,
		        "\"%s\" must be lower-case letters, digits and inner hyphens", s);
		return NULL;
	}
	return s;
}

/* A whole number member in [min, max]; false when absent or invalid (both
 * reported, absence only when required). */
static bool integer(struct cx *x, json_t *obj, const char *path, const char *key, int min, int max,
                    bool required, int *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			problem(x, path, 0, "missing field \"%s\"", key);
		return false;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		problem(x, jp(x, path, key), 0, "must be a whole number from %d to %d", min, max);
		return false;
	}
	*out = (int)json_integer_value(v);
	return true;
}

/* An array member of min to max entries; NULL when absent (reported when
 * required) or invalid. */
static json_t *array(struct cx *x, json_t *obj, const char *path, const char *key, size_t min,
                     size_t max, bool required)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			problem(x, path, 0, "missing field \"%s\"", key);
		return NULL;
	}
	if (!json_is_array(v)) {
		problem(x, jp(x, path, key), 0, "must be a list ([...])");
		return NULL;
	}
	if (json_array_size(v) < min || json_array_size(v) > max) {
		problem(x, jp(x, path, key), 0, "must list %zu to %zu entries (it lists %zu)", min,
		        max, json_array_size(v));
		return NULL;
	}
	return v;
}

static json_t *object_at(struct cx *x, json_t *arr, size_t i, const char *path)
{
	json_t *v = json_array_get(arr, i);
	if (!json_is_object(v)) {
		problem(x, path, 0, "must be an object ({...})");
		return NULL;
	}
	return v;
}

/* "sources": [{"title", "publisher", "url", "checked"}], as JSON text
 * ("[]" when absent). */
static const char *sources(struct cx *x, json_t *obj, const char *path)
{
	static const char *const keys[] = {"title", "publisher", "url", "checked", NULL};
	json_t *arr = array(x, obj, path, "sources", 0, 100, false);
	json_t *out = json_array();
	const char *at = jp(x, path, "sources");
	for (size_t i = 0; arr && out && i < json_array_size(arr); i++) {
		const char *sp = ji(x, at, i);
		json_t *s = object_at(x, arr, i, sp);
		if (!s)
			continue;
		known_keys(x, s, sp, keys);
		const char *t = text(x, s, sp, "title", FRONTMATTER_SOURCE_TEXT_MAX, true, false);
		const char *pub =
		        text(x, s, sp, "publisher", FRONTMATTER_SOURCE_TEXT_MAX, true, false);
		const char *url = text(x, s, sp, "url", FRONTMATTER_URL_MAX, true, false);
		const char *ch = text(x, s, sp, "checked", 10, true, false);
		if (url && !frontmatter_url_valid(url, strlen(url))) {
			problem(x, jp(x, sp, "url"), 0, "must be an http:// or https:// address");
			url = NULL;
		}
		if (ch && !frontmatter_date_valid(ch, strlen(ch))) {
			problem(x, jp(x, sp, "checked"), 0,
			        "must be a real date written YYYY-MM-DD, not \"%s\"", ch);
			ch = NULL;
		}
		if (t && pub && url && ch)
			json_array_append_new(out,
			                      json_pack("{s:s, s:s, s:s, s:s}", "title", t,
			                                "publisher", pub, "url", url, "checked",
			                                ch));
	}
	return dump(x, out);
}

/* A list of prompts (strings), as JSON text. */
static const char *prompts(struct cx *x, json_t *obj, const char *path, const char *key, size_t min,
                           bool required)
{
	json_t *arr = array(x, obj, path, key, min, 50, required);
	json_t *out = json_array();
	const char *at = jp(x, path, key);
	for (size_t i = 0; arr && out && i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		size_t n = s ? strlen(s) : 0;
		bool ok = s && n > 0 && n == json_string_length(json_array_get(arr, i));
		for (size_t k = 0; ok && k < n; k++)
			ok = (unsigned char)s[k] >= 0x20 && s[k] != 0x7f;
		if (!ok || frontmatter_chars(s, n) > 1000)
			problem(x, ji(x, at, i), 0,
			        "must be a prompt: text on one line of at most 1000 characters");
		else
			json_array_append_new(out, json_string(s));
	}
	return dump(x, out);
}

/* ------------------------------------------------------------ topics */

static bool topic_known(const struct cx *x, json_int_t id)
{
	json_error_t e;
	json_t *t = json_loads(x->c->topics_json, 0, &e);
	bool found = false;
	size_t i;
	json_t *v;
	json_array_foreach(t, i, v)
	{
		if (json_integer_value(json_object_get(v, "id")) == id)
			found = true;
	}
	json_decref(t);
	return found;
}

/* A list of the course's topic ids, as JSON text. */
static const char *topic_list(struct cx *x, json_t *obj, const char *path, size_t min,
                              bool required)
{
	json_t *arr = array(x, obj, path, "topics", min, 100, required);
	json_t *out = json_array();
	const char *at = jp(x, path, "topics");
	for (size_t i = 0; arr && out && i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_integer(v)) {
			problem(x, ji(x, at, i), 0, "must be a topic id (a whole number)");
			continue;
		}
		json_int_t id = json_integer_value(v);
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup = dup || json_integer_value(json_array_get(arr, k)) == id;
		if (dup)
			problem(x, at, 0, "topic %lld is listed twice", (long long)id);
		else if (!topic_known(x, id))
			problem(x, at, 0, "topic %lld is not one of the course's topics",
			        (long long)id);
		else
			json_array_append_new(out, json_integer(id));
	}
	return dump(x, out);
}

/* ------------------------------------------------------------ Markdown */

static struct course_lesson_def *find_lesson(const struct pack_course *c, const char *s, size_t n)
{
	for (size_t i = 0; i < c->n_lessons; i++)
		if (strlen(c->lessons[i].slug) == n && memcmp(c->lessons[i].slug, s, n) == 0)
			return &c->lessons[i];
	return NULL;
}

/* The links of a rendered text: pages of the pack (/guide/, /practices/,
 * /resources/), the course's lessons (/courses/SLUG/lessons/LESSON) and the
 * text's own anchors. where: NULL for a lesson (problems at the link's
 * line), else the JSON path (line 0). */
static void check_links(struct cx *x, const struct md_result *md, const char *where)
{
	static const char *const prefix[] = {"/guide/", "/practices/", "/resources/"};
	for (size_t i = 0; i < md->n_links; i++) {
		const char *url = md->links[i].url;
		int line = where ? 0 : md->links[i].line;
		const char *at = where ? where : "";
		if (strstr(url, "{{")) {
			problem(x, at, line, "a placeholder cannot be used inside a link address");
			continue;
		}
		if (url[0] == '#') {
			char *needle = arena_printf(x->a, "id=\"%s\"", url + 1);
			if (url[1] && needle && !strstr(md->html, needle))
				problem(x, at, line,
				        "link to %s: this text has no heading with that anchor",
				        url);
			continue;
		}
		int k = 0;
		while (k < 3 && strncmp(url, prefix[k], strlen(prefix[k])) != 0)
			k++;
		if (k < 3) {
			const char *s = url + strlen(prefix[k]);
			size_t sl = strcspn(s, "#?");
			if (sl == 0 || x->unsure)
				continue;
			char *want = arena_strndup(x->a, s, sl);
			const struct pack_page *pg = want ? pack_find(x->p, want) : NULL;
			if (!pg)
				problem(x, at, line,
				        "link to %s: no page of the pack has the slug \"%.*s\"",
				        url, (int)(sl > 80 ? 80 : sl), s);
			else if ((int)pg->kind != k)
				problem(x, at, line,
				        "link to %s: that page is a %s, so its address is %s%s",
				        url, page_kind_name(pg->kind), prefix[pg->kind], pg->slug);
			continue;
		}
		if (strncmp(url, "/courses/", 9) != 0)
			continue;
		const char *cs = url + 9;
		size_t cl = strcspn(cs, "/#?");
		bool known = false;
		for (size_t c = 0; c < x->n_course_slugs; c++)
			known = known ||
			        (strlen(x->course_slugs[c]) == cl &&
			         memcmp(x->course_slugs[c], cs, cl) == 0);
		if (!known) {
			if (cl)
				problem(x, at, line, "link to %s: the pack has no course \"%.*s\"",
				        url, (int)(cl > 80 ? 80 : cl), cs);
			continue;
		}
		if (strlen(x->c->slug) != cl || memcmp(x->c->slug, cs, cl) != 0 ||
		    strncmp(cs + cl, "/lessons/", 9) != 0)
			continue;
		const char *ls = cs + cl + 9;
		size_t ll = strcspn(ls, "/#?");
		if (!find_lesson(x->c, ls, ll))
			problem(x, at, line, "link to %s: the course has no lesson \"%.*s\"", url,
			        (int)(ll > 80 ? 80 : ll), ls);
	}
}

/* A Markdown field of a JSON file, rendered to HTML with the guide's
 * rules; problems re-reported at line 0 under the field's path. NULL when
 * absent or refused. */
static const char *markdown_field(struct cx *x, json_t *obj, const char *path, const char *key,
                                  bool required)
{
	const char *s = text(x, obj, path, key, TEXT_MD_MAX, required, true);
	if (!s)
		return NULL;
	const char *at = jp(x, path, key);
	struct pack_problems tmp;
	pack_problems_init(&tmp, x->a);
	struct pack_page pg = {
	        .path = x->file, .markdown = s, .markdown_len = strlen(s), .body_line = 1};
	struct md_result md;
	if (pack_check_placeholders(&pg, &tmp) != 0 ||
	    markdown_render(x->a, s, strlen(s), x->file, 1, &tmp, &md) == -ENOMEM) {
		x->err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < tmp.n; i++)
		problem(x, at, 0, "%s", tmp.items[i].message);
	check_links(x, &md, at);
	return tmp.n ? NULL : md.html;
}

/* ------------------------------------------------------------ course.json */

static const char *const course_keys[] = {
        "slug",  "title",      "summary", "audience", "credit_hours", "instructor", "visibility",
        "order", "final_test", "topics",  "modules",  "sources",      NULL};

static void load_final_test(struct cx *x, json_t *root, struct pack_course *c)
{
	static const char *const keys[] = {
	        "questions", "pass_mark", "max_attempts", "wait_minutes", "time_limit_minutes",
	        "grading",   NULL};
	json_t *ft = json_object_get(root, "final_test");
	if (!ft) {
		problem(x, "", 0, "missing field \"final_test\"");
		return;
	}
	if (!json_is_object(ft)) {
		problem(x, "final_test", 0, "must be an object ({...})");
		return;
	}
	known_keys(x, ft, "final_test", keys);
	integer(x, ft, "final_test", "questions", 1, COURSE_MAX_ITEMS, true, &c->test_questions);
	integer(x, ft, "final_test", "pass_mark", 1, 100, true, &c->pass_mark);
	integer(x, ft, "final_test", "max_attempts", 1, 10, true, &c->max_attempts);
	c->wait_minutes = 0;
	integer(x, ft, "final_test", "wait_minutes", 0, 525600, false, &c->wait_minutes);
	integer(x, ft, "final_test", "time_limit_minutes", 1, 1440, true, &c->time_limit_minutes);
	c->grading = "highest";
	const char *g = text(x, ft, "final_test", "grading", 16, false, false);
	if (g && strcmp(g, "highest") != 0)
		problem(x, "final_test.grading", 0, "must be \"highest\"");
}

static void load_topics(struct cx *x, json_t *root, struct pack_course *c)
{
	static const char *const keys[] = {"id", "title", NULL};
	json_t *arr = array(x, root, "", "topics", 1, 100, true);
	json_t *out = json_array();
	for (size_t i = 0; arr && out && i < json_array_size(arr); i++) {
		const char *tp = ji(x, "topics", i);
		json_t *t = object_at(x, arr, i, tp);
		if (!t)
			continue;
		known_keys(x, t, tp, keys);
		int id = 0;
		bool ok = integer(x, t, tp, "id", 1, 1000, true, &id);
		const char *title = text(x, t, tp, "title", PACK_TITLE_MAX, true, false);
		for (size_t k = 0; ok && k < json_array_size(out); k++)
			if (json_integer_value(json_object_get(json_array_get(out, k), "id")) ==
			    id) {
				problem(x, tp, 0, "topic id %d is used twice", id);
				ok = false;
			}
		if (ok && title)
			json_array_append_new(out,
			                      json_pack("{s:i, s:s}", "id", id, "title", title));
	}
	c->topics_json = dump(x, out);
}

static void load_video(struct cx *x, json_t *l, const char *lp, struct course_lesson_def *d)
{
	static const char *const keys[] = {"file", "captions", "transcript", NULL};
	json_t *v = json_object_get(l, "video");
	if (!v)
		return;
	const char *vp = jp(x, lp, "video");
	if (!json_is_object(v)) {
		problem(x, vp, 0, "must be an object ({\"file\", \"captions\", \"transcript\"})");
		return;
	}
	known_keys(x, v, vp, keys);
	static const char *const fields[] = {"file", "captions", "transcript"};
	const char *vals[3];
	for (int i = 0; i < 3; i++) {
		vals[i] = text(x, v, vp, fields[i], 200, true, false);
		if (!vals[i])
			continue;
		size_t n = strlen(vals[i]);
		int ext = strncmp(vals[i], "media/", 6) == 0 ? media_ext(vals[i], n) : -1;
		bool ok = ext >= 0 && name_ok(vals[i] + 6, n - 6) &&
		        (i == 0           ? ext <= 1
		                 : i == 1 ? ext == 2
		                          : ext == 3);
		if (!ok) {
			problem(x, jp(x, vp, fields[i]), 0, "%s",
			        i == 0 ? "must name a video file in media/ (.mp4 or .webm)"
			                : i == 1
			                ? "must name a WebVTT captions file in media/ (.vtt)"
			                : "must name a transcript file in media/ (.txt)");
			vals[i] = NULL;
		}
	}
	d->video = vals[0];
	d->captions = vals[1];
	d->transcript = vals[2];
}

static void load_modules(struct cx *x, json_t *root, struct pack_course *c)
{
	static const char *const mkeys[] = {"slug",       "title",   "summary",
	                                    "discussion", "lessons", NULL};
	static const char *const lkeys[] = {"slug",     "topics", "minutes", "required",
	                                    "scenario", "video",  NULL};
	json_t *arr = array(x, root, "", "modules", 1, 100, true);
	size_t nl = 0;
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		json_t *ls = json_object_get(json_array_get(arr, i), "lessons");
		nl += json_is_array(ls) ? json_array_size(ls) : 0;
	}
	if (nl > COURSE_MAX_ITEMS) {
		problem(x, "modules", 0, "the course lists %zu lessons; at most %d are allowed", nl,
		        COURSE_MAX_ITEMS);
		return;
	}
	c->modules = arena_calloc(x->a, arr ? json_array_size(arr) + 1 : 1, sizeof *c->modules);
	c->lessons = arena_calloc(x->a, nl + 1, sizeof *c->lessons);
	if (!c->modules || !c->lessons) {
		x->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		const char *mp = ji(x, "modules", i);
		json_t *m = object_at(x, arr, i, mp);
		if (!m)
			continue;
		known_keys(x, m, mp, mkeys);
		struct course_module_def *md = &c->modules[c->n_modules];
		md->slug = slug(x, m, mp, "slug", true);
		md->title = text(x, m, mp, "title", PACK_TITLE_MAX, true, false);
		md->summary = text(x, m, mp, "summary", PACK_SUMMARY_MAX, false, false);
		if (!md->summary)
			md->summary = "";
		md->discussion_json = prompts(x, m, mp, "discussion", 1, true);
		for (size_t k = 0; md->slug && k < c->n_modules; k++)
			if (c->modules[k].slug && strcmp(c->modules[k].slug, md->slug) == 0) {
				problem(x, jp(x, mp, "slug"), 0, "module \"%s\" is listed twice",
				        md->slug);
				md->slug = NULL;
			}
		json_t *lessons = array(x, m, mp, "lessons", 1, COURSE_MAX_ITEMS, true);
		for (size_t j = 0; lessons && j < json_array_size(lessons); j++) {
			const char *lp = ji(x, jp(x, mp, "lessons"), j);
			json_t *l = object_at(x, lessons, j, lp);
			if (!l)
				continue;
			known_keys(x, l, lp, lkeys);
			struct course_lesson_def d = {.module_slug = md->slug, .required = true};
			d.slug = slug(x, l, lp, "slug", true);
			d.topics_json = topic_list(x, l, lp, 1, true);
			integer(x, l, lp, "minutes", 1, 600, true, &d.minutes);
			json_t *req = json_object_get(l, "required");
			if (req && !json_is_boolean(req))
				problem(x, jp(x, lp, "required"), 0, "must be true or false");
			else if (req)
				d.required = json_is_true(req);
			d.scenario = slug(x, l, lp, "scenario", false);
			load_video(x, l, lp, &d);
			if (d.slug && find_lesson(c, d.slug, strlen(d.slug))) {
				problem(x, jp(x, lp, "slug"), 0, "lesson \"%s\" is listed twice",
				        d.slug);
				continue;
			}
			if (!d.slug || !md->slug)
				continue;
			d.position = (int)c->n_lessons;
			c->lessons[c->n_lessons++] = d;
		}
		if (md->slug && md->title)
			c->n_modules++;
	}
}

/* credit_hours: a number with at most two decimals, 0.25 to 40. */
static void load_credit(struct cx *x, json_t *root, struct pack_course *c)
{
	json_t *v = json_object_get(root, "credit_hours");
	if (!v) {
		problem(x, "", 0, "missing field \"credit_hours\"");
		return;
	}
	double h = json_number_value(v);
	double cents = h * 100.0;
	if (!json_is_number(v) || h < 0.25 || h > 40.0 || fabs(cents - round(cents)) > 1e-6) {
		problem(x, "credit_hours", 0,
		        "must be a number of hours from 0.25 to 40 with at most two decimals");
		return;
	}
	c->credit_centihours = (int)lround(cents);
}

static void load_course_json(struct cx *x, const struct pack_file *f, const char *folder,
                             struct pack_course *c)
{
	json_t *root = load_json(x, f);
	if (!root)
		return;
	known_keys(x, root, "", course_keys);
	c->slug = slug(x, root, "", "slug", true);
	if (c->slug && strcmp(c->slug, folder) != 0) {
		problem(x, "slug", 0, "\"%s\" must be the course's folder name, \"%s\"", c->slug,
		        folder);
	}
	c->slug = folder;
	c->title = text(x, root, "", "title", PACK_TITLE_MAX, true, false);
	c->summary = text(x, root, "", "summary", PACK_SUMMARY_MAX, true, false);
	c->audience = text(x, root, "", "audience", 1000, true, false);
	c->instructor = text(x, root, "", "instructor", PACK_TITLE_MAX, true, false);
	const char *v = text(x, root, "", "visibility", 32, true, false);
	if (v && strcmp(v, "public") != 0 && strcmp(v, "members") != 0 &&
	    strcmp(v, "law_enforcement") != 0) {
		problem(x, "visibility", 0,
		        "must be public, members or law_enforcement, not \"%s\"", v);
		v = NULL;
	}
	c->visibility = v;
	integer(x, root, "", "order", -1000000, 1000000, false, &c->order);
	load_credit(x, root, c);
	load_final_test(x, root, c);
	load_topics(x, root, c);
	load_modules(x, root, c);
	c->sources_json = sources(x, root, "");
	for (const char *s = c->title; s && *s; s++)
		if (s[0] == '{' && s[1] == '{') {
			problem(x, "title", 0, "placeholders are not filled in the title");
			break;
		}
}

/* ------------------------------------------------------------ lessons */

struct lesson_file {
	struct pack_page page;
	struct frontmatter_lines lines;
	const char *path;
};

static void load_lesson(struct cx *x, const struct pack_file *f, struct lesson_file *out)
{
	memset(out, 0, sizeof *out);
	out->path = f->path;
	if (frontmatter_parse_lesson(x->a, f->path, f->data, f->len, &out->page, &out->lines,
	                             x->pr) != 0) {
		x->err = -ENOMEM;
		return;
	}
	if (out->lines.title && strstr(out->page.title, "{{"))
		problem(x, "", out->lines.title,
		        "placeholders are not filled in the title; use them in the lesson's text");
	if (out->lines.summary && strstr(out->page.summary, "{{"))
		problem(x, "", out->lines.summary,
		        "placeholders are not filled in the summary; use them in the lesson's "
		        "text");
	if (pack_check_placeholders(&out->page, x->pr) != 0)
		x->err = -ENOMEM;
}

static void render_lesson(struct cx *x, struct lesson_file *lf, struct course_lesson_def *d)
{
	struct md_result md;
	size_t before = x->pr->n;
	int rc = markdown_render(x->a, lf->page.markdown, lf->page.markdown_len, lf->path,
	                         lf->page.body_line, x->pr, &md);
	if (rc == -ENOMEM) {
		x->err = rc;
		return;
	}
	if (rc != 0)
		return;
	check_links(x, &md, NULL);
	if (x->pr->n > before)
		return;
	json_t *toc = json_array();
	for (size_t i = 0; toc && i < md.n_toc; i++)
		json_array_append_new(toc,
		                      json_pack("{s:i, s:s, s:s}", "level", md.toc[i].level, "id",
		                                md.toc[i].id, "text", md.toc[i].text));
	json_t *src = json_array();
	for (size_t i = 0; src && i < lf->page.n_sources; i++) {
		const struct pack_source *s = &lf->page.sources[i];
		json_array_append_new(src,
		                      json_pack("{s:s, s:s, s:s, s:s}", "title", s->title,
		                                "publisher", s->publisher, "url", s->url, "checked",
		                                s->checked));
	}
	d->page = &lf->page;
	d->html = md.html;
	d->toc_json = dump(x, toc);
	d->sources_json = dump(x, src);
}

/* ------------------------------------------------------------ questions */

static bool slug_known_lesson(const struct pack_course *c, const char *s)
{
	return s && find_lesson(c, s, strlen(s)) != NULL;
}

/* One question of a checks/ or questions/ file, appended to c when valid. */
static void load_question(struct cx *x, json_t *q, const char *qp, bool check, const char *lesson,
                          int position)
{
	static const char *const keys_check[] = {"id",      "type",        "topic", "prompt",
	                                         "choices", "explanation", NULL};
	static const char *const keys_pool[] = {"id",      "type",        "topic",  "prompt",
	                                        "choices", "explanation", "lesson", NULL};
	static const char *const ckeys[] = {"id", "text", "correct", "why", NULL};
	struct pack_course *c = x->c;
	known_keys(x, q, qp, check ? keys_check : keys_pool);
	struct course_question_def d = {
	        .check = check, .lesson = lesson, .position = position, .path = x->file};
	d.id = text(x, q, qp, "id", PACK_SLUG_MAX, true, false);
	if (d.id && !frontmatter_slug_valid(d.id, strlen(d.id))) {
		problem(x, jp(x, qp, "id"), 0,
		        "\"%s\" must be lower-case letters, digits and inner hyphens", d.id);
		d.id = NULL;
	}
	for (size_t k = 0; d.id && k < c->n_questions; k++)
		if (strcmp(c->questions[k].id, d.id) == 0) {
			problem(x, jp(x, qp, "id"), 0, "question id \"%s\" is already used in %s",
			        d.id, c->questions[k].path);
			d.id = NULL;
		}
	d.type = text(x, q, qp, "type", 16, true, false);
	if (d.type && strcmp(d.type, "single") != 0 && strcmp(d.type, "multiple") != 0 &&
	    strcmp(d.type, "true_false") != 0) {
		problem(x, jp(x, qp, "type"), 0,
		        "must be single, multiple or true_false, not \"%s\"", d.type);
		d.type = NULL;
	}
	if (json_object_get(q, "topic") && integer(x, q, qp, "topic", 1, 1000, false, &d.topic) &&
	    !topic_known(x, d.topic)) {
		problem(x, jp(x, qp, "topic"), 0, "topic %d is not one of the course's topics",
		        d.topic);
		d.topic = -1;
	}
	if (!check) {
		d.lesson = slug(x, q, qp, "lesson", false);
		if (d.lesson && !slug_known_lesson(c, d.lesson)) {
			problem(x, jp(x, qp, "lesson"), 0, "\"%s\" is not a lesson of this course",
			        d.lesson);
			d.lesson = NULL;
		}
	}
	d.prompt = text(x, q, qp, "prompt", 2000, true, false);
	d.explanation = text(x, q, qp, "explanation", 2000, true, false);
	json_t *choices = array(x, q, qp, "choices", 2, 6, true);
	json_t *out = json_array();
	const char *cp0 = jp(x, qp, "choices");
	int right = 0;
	bool ok = choices != NULL;
	for (size_t i = 0; choices && i < json_array_size(choices); i++) {
		const char *cp = ji(x, cp0, i);
		json_t *ch = object_at(x, choices, i, cp);
		if (!ch) {
			ok = false;
			continue;
		}
		known_keys(x, ch, cp, ckeys);
		const char *id = text(x, ch, cp, "id", 32, true, false);
		if (id && !frontmatter_slug_valid(id, strlen(id))) {
			problem(x, jp(x, cp, "id"), 0,
			        "\"%s\" must be lower-case letters, digits and inner hyphens", id);
			id = NULL;
		}
		for (size_t k = 0; id && k < json_array_size(out); k++)
			if (strcmp(json_string_value(json_object_get(json_array_get(out, k), "id")),
			           id) == 0) {
				problem(x, jp(x, cp, "id"), 0, "choice id \"%s\" is used twice",
				        id);
				id = NULL;
			}
		const char *t = text(x, ch, cp, "text", 1000, true, false);
		const char *why = text(x, ch, cp, "why", 2000, true, false);
		json_t *corr = json_object_get(ch, "correct");
		if (!corr)
			problem(x, cp, 0, "missing field \"correct\"");
		else if (!json_is_boolean(corr))
			problem(x, jp(x, cp, "correct"), 0, "must be true or false");
		if (!id || !t || !why || !json_is_boolean(corr)) {
			ok = false;
			continue;
		}
		right += json_is_true(corr);
		json_array_append_new(out,
		                      json_pack("{s:s, s:s, s:b, s:s}", "id", id, "text", t,
		                                "correct", json_is_true(corr), "why", why));
	}
	if (ok && d.type) {
		if (strcmp(d.type, "single") == 0 && right != 1) {
			problem(x, cp0, 0,
			        "a single-choice question has exactly one right choice (it has %d)",
			        right);
			ok = false;
		} else if (strcmp(d.type, "multiple") == 0 && right < 1) {
			problem(x, cp0, 0,
			        "a multiple-choice question has at least one right choice");
			ok = false;
		} else if (strcmp(d.type, "true_false") == 0) {
			const char *a0 =
			        json_string_value(json_object_get(json_array_get(out, 0), "id"));
			const char *a1 =
			        json_string_value(json_object_get(json_array_get(out, 1), "id"));
			bool ids = json_array_size(out) == 2 && a0 && a1 &&
			        ((strcmp(a0, "true") == 0 && strcmp(a1, "false") == 0) ||
			         (strcmp(a0, "false") == 0 && strcmp(a1, "true") == 0));
			if (!ids || right != 1) {
				problem(x, cp0, 0,
				        "a true/false question has two choices with ids \"true\" "
				        "and "
				        "\"false\", one of them right");
				ok = false;
			}
		}
	}
	d.choices_json = dump(x, out);
	if (!ok || !d.id || !d.type || !d.prompt || !d.explanation || d.topic < 0)
		return;
	c->questions[c->n_questions++] = d;
}

static void load_qfile(struct cx *x, const struct pack_file *f, bool check)
{
	static const char *const keys_check[] = {"lesson", "questions", "sources", NULL};
	static const char *const keys_pool[] = {"questions", "sources", NULL};
	struct pack_course *c = x->c;
	json_t *root = load_json(x, f);
	if (!root)
		return;
	known_keys(x, root, "", check ? keys_check : keys_pool);
	if (!check && json_object_get(root, "lesson"))
		problem(x, "lesson", 0,
		        "a file under questions/ names no lesson (each question may name the "
		        "lesson it tests)");
	const char *lesson = NULL;
	if (check) {
		lesson = slug(x, root, "", "lesson", true);
		if (lesson && !slug_known_lesson(c, lesson)) {
			problem(x, "lesson", 0, "\"%s\" is not a lesson of this course", lesson);
			lesson = NULL;
		}
		for (size_t k = 0; lesson && k < c->n_qfiles; k++)
			if (c->qfiles[k].lesson && strcmp(c->qfiles[k].lesson, lesson) == 0) {
				problem(x, "lesson", 0,
				        "the checks of lesson \"%s\" are in %s already", lesson,
				        c->qfiles[k].path);
				lesson = NULL;
			}
	}
	const char *src = sources(x, root, "");
	json_t *qs = array(x, root, "", "questions", 1, COURSE_MAX_ITEMS, true);
	if (!qs || (check && !lesson))
		return;
	if (c->n_questions + json_array_size(qs) > 4 * COURSE_MAX_ITEMS) {
		problem(x, "questions", 0, "the course holds over %d questions",
		        4 * COURSE_MAX_ITEMS);
		return;
	}
	c->qfiles[c->n_qfiles++] = (struct course_qfile_def){f->path, lesson, src};
	for (size_t i = 0; i < json_array_size(qs); i++) {
		const char *qp = ji(x, "questions", i);
		json_t *q = object_at(x, qs, i, qp);
		if (q)
			load_question(x, q, qp, check, lesson, (int)i);
	}
}

/* ------------------------------------------------------------ scenarios */

struct step {
	const char *id;
	json_t *obj;
	int state; /* 0 unseen, 1 on the path, 2 done */
	bool reached;
};

static int step_index(const struct step *s, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++)
		if (s[i].id && strcmp(s[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Depth-first from step i: marks what is reached and reports the first
 * step found on a cycle (bounded: at most COURSE_MAX_ITEMS steps, each
 * visited once). */
static void walk(struct cx *x, struct step *s, size_t n, int i, bool *cycle)
{
	s[i].state = 1;
	s[i].reached = true;
	json_t *choices = json_object_get(s[i].obj, "choices");
	for (size_t k = 0; k < json_array_size(choices); k++) {
		int j = step_index(
		        s, n,
		        json_string_value(json_object_get(json_array_get(choices, k), "next")));
		if (j < 0)
			continue;
		if (s[j].state == 1 && !*cycle) {
			*cycle = true;
			problem(x, "steps", 0,
			        "the choice \"%s\" of step \"%s\" leads back to step \"%s\": a "
			        "scenario has no cycles",
			        json_string_value(
			                json_object_get(json_array_get(choices, k), "id")),
			        s[i].id, s[j].id);
		} else if (s[j].state == 0) {
			walk(x, s, n, j, cycle);
		}
	}
	s[i].state = 2;
}

static void load_scenario(struct cx *x, const struct pack_file *f)
{
	static const char *const keys[] = {"slug",  "title",   "summary",    "topics",  "start",
	                                   "steps", "debrief", "discussion", "sources", NULL};
	static const char *const skeys[] = {"id", "situation", "choices", "end", "outcome", NULL};
	static const char *const ckeys[] = {"id", "text", "next", "feedback", NULL};
	struct pack_course *c = x->c;
	json_t *root = load_json(x, f);
	if (!root) {
		x->scenario_failed = true;
		return;
	}
	known_keys(x, root, "", keys);
	struct course_scenario_def d = {.path = f->path};
	d.slug = slug(x, root, "", "slug", true);
	for (size_t k = 0; d.slug && k < c->n_scenarios; k++)
		if (strcmp(c->scenarios[k].slug, d.slug) == 0) {
			problem(x, "slug", 0, "scenario \"%s\" is already in %s", d.slug,
			        c->scenarios[k].path);
			d.slug = NULL;
		}
	d.title = text(x, root, "", "title", PACK_TITLE_MAX, true, false);
	d.summary = text(x, root, "", "summary", PACK_SUMMARY_MAX, true, false);
	d.topics_json = json_object_get(root, "topics") ? topic_list(x, root, "", 0, false) : "[]";
	d.sources_json = sources(x, root, "");
	const char *start = slug(x, root, "", "start", true);
	const char *debrief = markdown_field(x, root, "", "debrief", true);
	const char *discussion = prompts(x, root, "", "discussion", 0, false);
	json_t *steps = array(x, root, "", "steps", 2, COURSE_MAX_ITEMS, true);
	size_t before = x->pr->n;
	size_t ns = steps ? json_array_size(steps) : 0;
	struct step *s = arena_calloc(x->a, ns + 1, sizeof *s);
	json_t *out = json_array();
	if (!s || !out) {
		json_decref(out);
		x->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < ns; i++) {
		const char *sp = ji(x, "steps", i);
		json_t *st = object_at(x, steps, i, sp);
		if (!st)
			continue;
		known_keys(x, st, sp, skeys);
		s[i].obj = st;
		s[i].id = slug(x, st, sp, "id", true);
		if (s[i].id && step_index(s, i, s[i].id) >= 0) {
			problem(x, jp(x, sp, "id"), 0, "step \"%s\" is defined twice", s[i].id);
			s[i].id = NULL;
		}
		const char *situation = markdown_field(x, st, sp, "situation", true);
		json_t *end = json_object_get(st, "end");
		if (end && !json_is_boolean(end))
			problem(x, jp(x, sp, "end"), 0, "must be true or false");
		json_t *o = json_pack("{s:s?, s:s?, s:b}", "id", s[i].id, "situation", situation,
		                      "end", json_is_true(end));
		if (json_is_true(end)) {
			if (json_object_get(st, "choices"))
				problem(x, sp, 0, "an ending (\"end\": true) has no choices");
			json_object_set_new(
			        o, "outcome",
			        json_string(markdown_field(x, st, sp, "outcome", true)));
			json_array_append_new(out, o);
			continue;
		}
		if (json_object_get(st, "outcome"))
			problem(x, sp, 0, "only an ending (\"end\": true) has an outcome");
		json_t *choices = array(x, st, sp, "choices", 2, 5, true);
		json_t *cs = json_array();
		for (size_t k = 0; choices && k < json_array_size(choices); k++) {
			const char *cp = ji(x, jp(x, sp, "choices"), k);
			json_t *ch = object_at(x, choices, k, cp);
			if (!ch)
				continue;
			known_keys(x, ch, cp, ckeys);
			const char *id = slug(x, ch, cp, "id", true);
			for (size_t m = 0; id && m < json_array_size(cs); m++) {
				/* an earlier choice without a valid id has none here */
				const char *other = json_string_value(
				        json_object_get(json_array_get(cs, m), "id"));
				if (other && strcmp(other, id) == 0) {
					problem(x, jp(x, cp, "id"), 0,
					        "choice id \"%s\" is used twice", id);
					id = NULL;
				}
			}
			const char *t = text(x, ch, cp, "text", 1000, true, false);
			const char *next = slug(x, ch, cp, "next", true);
			const char *fb = markdown_field(x, ch, cp, "feedback", true);
			json_array_append_new(cs,
			                      json_pack("{s:s?, s:s?, s:s?, s:s?}", "id", id,
			                                "text", t, "next", next, "feedback", fb));
		}
		json_object_set_new(o, "choices", cs);
		json_array_append_new(out, o);
	}
	/* The graph: every next names a step, all reached from start, no
	 * cycle. Only once every step is well formed. */
	if (ns) {
		for (size_t i = 0; i < ns; i++) {
			json_t *choices = json_object_get(s[i].obj, "choices");
			for (size_t k = 0; k < json_array_size(choices); k++) {
				const char *next = json_string_value(
				        json_object_get(json_array_get(choices, k), "next"));
				if (next && step_index(s, ns, next) < 0)
					problem(x,
					        jp(x, ji(x, jp(x, ji(x, "steps", i), "choices"), k),
					           "next"),
					        0, "no step has the id \"%s\"", next);
			}
		}
		int st0 = step_index(s, ns, start);
		if (start && st0 < 0)
			problem(x, "start", 0, "no step has the id \"%s\"", start);
		if (x->pr->n == before && st0 >= 0) {
			bool cycle = false;
			walk(x, s, ns, st0, &cycle);
			for (size_t i = 0; i < ns; i++)
				if (!s[i].reached)
					problem(x, ji(x, "steps", i), 0,
					        "step \"%s\" cannot be reached from the start "
					        "\"%s\"",
					        s[i].id, start);
		}
	}
	json_t *body =
	        json_pack("{s:s?, s:o, s:s?}", "start", start, "steps", out, "debrief", debrief);
	json_error_t e;
	json_object_set_new(body, "discussion", json_loads(discussion, 0, &e));
	d.body_json = dump(x, body);
	d.source_json = arena_strndup(x->a, f->data, f->len);
	if (x->pr->n != before || !d.slug || !d.title || !d.summary || !start || !debrief) {
		x->scenario_failed = true;
		return;
	}
	c->scenarios[c->n_scenarios++] = d;
}

/* ------------------------------------------------------------ one course */

/* The checks a pack file gets before it is parsed (pack.c makes the same
 * of pages): size, UTF-8 text, no bare CR. false after reporting. */
static bool text_file_ok(struct cx *x, const struct pack_file *f)
{
	if (f->len > PACK_MAX_FILE_BYTES) {
		problem(x, "", 0, "the file is %zu bytes; the limit is %d KiB", f->len,
		        PACK_MAX_FILE_BYTES / 1024);
		return false;
	}
	if (!str_utf8_valid(f->data, f->len) || memchr(f->data, '\0', f->len)) {
		problem(x, "", 0, "the file is not UTF-8 text");
		return false;
	}
	int cr = frontmatter_bare_cr(f->data, f->len);
	if (cr) {
		problem(x, "", cr, "%s", FRONTMATTER_BARE_CR);
		return false;
	}
	return true;
}

static const char *sub_of(const char *path, const char *folder)
{
	/* path is course/SLUG/SUB/NAME; returns SUB/NAME when SUB matches */
	const char *rest = strchr(path + 7, '/');
	if (!rest)
		return NULL;
	rest++;
	size_t n = strlen(folder);
	return strncmp(rest, folder, n) == 0 && rest[n] == '/' ? rest : NULL;
}

static bool in_course(const char *path, const char *slug)
{
	size_t n = strlen(slug);
	return strncmp(path, "course/", 7) == 0 && strncmp(path + 7, slug, n) == 0 &&
	        path[7 + n] == '/';
}

static const struct course_media_def *find_media(const struct pack_course *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_media; i++)
		if (strcmp(c->media[i].name, name) == 0)
			return &c->media[i];
	return NULL;
}

static void load_course(struct cx *x, const struct pack_file *files, size_t n, const char *cs,
                        struct pack_course *c)
{
	memset(c, 0, sizeof *c);
	x->c = c;
	c->slug = cs;
	size_t nfiles = 0;
	const struct pack_file *cj = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!in_course(files[i].path, cs))
			continue;
		nfiles++;
		if (strcmp(files[i].path + 7 + strlen(cs), "/course.json") == 0)
			cj = &files[i];
	}
	c->path = arena_printf(x->a, "course/%s/course.json", cs);
	c->questions = arena_calloc(x->a, 4 * COURSE_MAX_ITEMS + 1, sizeof *c->questions);
	c->qfiles = arena_calloc(x->a, nfiles + 1, sizeof *c->qfiles);
	c->scenarios = arena_calloc(x->a, nfiles + 1, sizeof *c->scenarios);
	c->media = arena_calloc(x->a, nfiles + 1, sizeof *c->media);
	struct lesson_file *lf = arena_calloc(x->a, nfiles + 1, sizeof *lf);
	if (!c->path || !c->questions || !c->qfiles || !c->scenarios || !c->media || !lf) {
		x->err = -ENOMEM;
		return;
	}
	x->file = c->path;
	if (!cj) {
		problem(x, "", 0, "the course folder course/%s/ has no course.json", cs);
		return;
	}
	size_t before = x->pr->n;
	if (text_file_ok(x, cj))
		load_course_json(x, cj, cs, c);
	if (x->err || x->pr->n != before || !c->lessons)
		return; /* nothing else can be checked against it */

	/* Media first: lessons name them. */
	for (size_t i = 0; i < n; i++) {
		const char *rest = sub_of(files[i].path, "media");
		if (!in_course(files[i].path, cs) || !rest)
			continue;
		x->file = files[i].path;
		int ext = media_ext(rest, strlen(rest));
		const struct pack_file *f = &files[i];
		/* Listed even when refused, so lessons naming it get no second
		 * problem (the pack is refused anyway). */
		c->media[c->n_media++] =
		        (struct course_media_def){rest, media_types[ext], f->data, f->len};
		if (f->len > COURSE_MEDIA_MAX_BYTES) {
			problem(x, "", 0, "the file is %zu bytes; the limit is %d MiB", f->len,
			        COURSE_MEDIA_MAX_BYTES / (1024 * 1024));
			continue;
		}
		if (ext >= 2 && !str_utf8_valid(f->data, f->len)) {
			problem(x, "", 0, "the file is not UTF-8 text");
			continue;
		}
		if (ext == 2) {
			const char *d = f->data;
			size_t len = f->len;
			if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) {
				d += 3;
				len -= 3;
			}
			if (len < 6 || memcmp(d, "WEBVTT", 6) != 0 ||
			    (len > 6 && d[6] != '\n' && d[6] != '\r' && d[6] != ' ' &&
			     d[6] != '\t')) {
				problem(x, "", 1, "a WebVTT file starts with the line \"WEBVTT\"");
				continue;
			}
		}
	}

	/* Lessons. */
	size_t nlf = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in_course(files[i].path, cs) || !sub_of(files[i].path, "lessons"))
			continue;
		x->file = files[i].path;
		if (!text_file_ok(x, &files[i])) {
			x->unsure = true;
			continue;
		}
		struct lesson_file *l = &lf[nlf++];
		load_lesson(x, &files[i], l);
		if (x->err)
			return;
		if (!l->lines.slug) {
			x->unsure = true;
			continue;
		}
		for (size_t k = 0; k + 1 < nlf; k++)
			if (lf[k].lines.slug && strcmp(lf[k].page.slug, l->page.slug) == 0) {
				problem(x, "", l->lines.slug, "slug \"%s\" is already used by %s",
				        l->page.slug, lf[k].path);
				l->lines.slug = 0;
			}
		if (!l->lines.slug)
			continue;
		struct course_lesson_def *d = find_lesson(c, l->page.slug, strlen(l->page.slug));
		if (!d) {
			problem(x, "", l->lines.slug,
			        "lesson \"%s\" is not listed in the modules of "
			        "course/%s/course.json",
			        l->page.slug, cs);
			continue;
		}
		d->page = &l->page; /* found, even when it has problems */
		if (l->lines.title)
			render_lesson(x, l, d);
	}
	x->file = c->path;
	for (size_t m = 0, li = 0; m < c->n_modules; m++) {
		for (size_t j = 0;
		     li < c->n_lessons && c->lessons[li].module_slug == c->modules[m].slug;
		     j++, li++) {
			struct course_lesson_def *d = &c->lessons[li];
			if (!d->page && !x->unsure)
				problem(x, arena_printf(x->a, "modules[%zu].lessons[%zu]", m, j), 0,
				        "lesson \"%s\" has no file in course/%s/lessons/", d->slug,
				        cs);
		}
	}
	for (size_t m = 0, li = 0; m < c->n_modules; m++)
		for (size_t j = 0;
		     li < c->n_lessons && c->lessons[li].module_slug == c->modules[m].slug;
		     j++, li++) {
			static const char *const names[] = {"file", "captions", "transcript"};
			struct course_lesson_def *d = &c->lessons[li];
			const char *what[3] = {d->video, d->captions, d->transcript};
			for (int k = 0; k < 3; k++)
				if (what[k] && !find_media(c, what[k]))
					problem(x,
					        arena_printf(x->a,
					                     "modules[%zu].lessons[%zu].video.%s",
					                     m, j, names[k]),
					        0, "there is no file course/%s/%s", cs, what[k]);
		}

	/* Checks, then the pool, then the scenarios. */
	static const char *const folders[] = {"checks", "questions", "scenarios"};
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < n; i++) {
			if (!in_course(files[i].path, cs) || !sub_of(files[i].path, folders[k]))
				continue;
			x->file = files[i].path;
			if (!text_file_ok(x, &files[i])) {
				x->scenario_failed = x->scenario_failed || k == 2;
				continue;
			}
			if (k < 2)
				load_qfile(x, &files[i], k == 0);
			else
				load_scenario(x, &files[i]);
			if (x->err)
				return;
		}
	x->file = c->path;
	size_t pool = 0;
	for (size_t i = 0; i < c->n_questions; i++)
		pool += !c->questions[i].check;
	if (c->test_questions > 0 && pool < (size_t)c->test_questions)
		problem(x, "final_test.questions", 0,
		        "the final test draws %d questions but the pool (questions/*.json) holds "
		        "%zu",
		        c->test_questions, pool);
	for (size_t m = 0, li = 0; m < c->n_modules; m++)
		for (size_t j = 0;
		     li < c->n_lessons && c->lessons[li].module_slug == c->modules[m].slug;
		     j++, li++) {
			const char *sc = c->lessons[li].scenario;
			bool found = false;
			for (size_t k = 0; sc && k < c->n_scenarios; k++)
				found = found || strcmp(c->scenarios[k].slug, sc) == 0;
			if (sc && !found && !x->scenario_failed)
				problem(x,
				        arena_printf(x->a, "modules[%zu].lessons[%zu].scenario", m,
				                     j),
				        0, "no scenario of this course has the slug \"%s\"", sc);
		}
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int course_pack_load(struct arena *a, const struct pack_file *files, size_t n, struct pack *p,
                     struct pack_problems *pr)
{
	p->courses = NULL;
	p->n_courses = 0;
	const char **slugs = arena_calloc(a, n + 1, sizeof *slugs);
	if (!slugs)
		return -ENOMEM;
	size_t ns = 0;
	for (size_t i = 0; i < n; i++) {
		bool media;
		if (course_pack_path(files[i].path, &media) != 1)
			continue;
		const char *s = files[i].path + 7;
		char *slug = arena_strndup(a, s, strcspn(s, "/"));
		if (!slug)
			return -ENOMEM;
		bool seen = false;
		for (size_t k = 0; k < ns && !seen; k++)
			seen = strcmp(slugs[k], slug) == 0;
		if (!seen)
			slugs[ns++] = slug;
	}
	if (ns == 0)
		return 0;
	qsort(slugs, ns, sizeof *slugs, by_str);
	p->courses = arena_calloc(a, ns, sizeof *p->courses);
	if (!p->courses)
		return -ENOMEM;
	struct cx x = {.a = a, .pr = pr, .p = p, .course_slugs = slugs, .n_course_slugs = ns};
	/* A file the reader refused (too big, a link) may be a lesson a link
	 * points at. */
	for (size_t i = 0; i < pr->n && !x.unsure; i++)
		x.unsure = strncmp(pr->items[i].file, "course/", 7) == 0 ||
		        strncmp(pr->items[i].file, "guide/", 6) == 0 ||
		        strncmp(pr->items[i].file, "practices/", 10) == 0 ||
		        strncmp(pr->items[i].file, "resources/", 10) == 0;
	for (size_t i = 0; i < ns && !x.err; i++) {
		size_t before = pr->n;
		bool unsure = x.unsure;
		x.scenario_failed = false;
		load_course(&x, files, n, slugs[i], &p->courses[p->n_courses]);
		x.unsure = unsure;
		if (pr->n == before)
			p->n_courses++;
	}
	return x.err;
}
