/* features/library/pack.c — a content pack checked as a whole
 * (docs/content-packs.md): pack.json (jansson), every page's front matter
 * (frontmatter.c) and Markdown (markdown.c), then what only the whole pack
 * can tell: duplicate slugs, a page in the wrong folder for its kind, links
 * to pages or anchors that do not exist, unknown placeholders. The readers
 * that gather a pack's files are in packfiles.c. */
#include "features/library/pack.h"

#include "core/arena.h"
#include "core/str.h"
#include "features/course/pack_course.h"
#include "features/library/frontmatter.h"
#include "features/library/markdown.h"
#include "features/library/placeholders.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ names */

static const char *const kind_names[] = {"guide", "practice", "resource"};
static const char *const vis_names[] = {"public", "members", "law_enforcement", "org"};

const char *page_kind_name(enum page_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

int page_kind_parse(const char *s, enum page_kind *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum page_kind)i;
			return 0;
		}
	return -1;
}

const char *page_visibility_name(enum page_visibility v)
{
	return (unsigned)v < 4 ? vis_names[v] : "?";
}

int page_visibility_parse(const char *s, enum page_visibility *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, vis_names[i]) == 0) {
			*out = (enum page_visibility)i;
			return 0;
		}
	return -1;
}

/* ------------------------------------------------------------ problems */

void pack_problems_init(struct pack_problems *pr, struct arena *a)
{
	*pr = (struct pack_problems){.arena = a};
}

int pack_problem(struct pack_problems *pr, const char *file, int line, const char *fmt, ...)
{
	if (pr->n == pr->cap) {
		size_t cap = pr->cap ? pr->cap * 2 : 16;
		struct pack_problem *items = arena_calloc(pr->arena, cap, sizeof *items);
		if (!items)
			return -ENOMEM;
		if (pr->n)
			memcpy(items, pr->items, pr->n * sizeof *items);
		pr->items = items;
		pr->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(pr->arena, fmt, ap);
	va_end(ap);
	const char *f = arena_strdup(pr->arena, file ? file : "");
	if (!msg || !f)
		return -ENOMEM;
	pr->items[pr->n++] = (struct pack_problem){f, line, msg};
	return 0;
}

/* ------------------------------------------------------------ pack.json */

/* The line of the first "key": in a JSON text (jansson keeps no positions
 * for members); 1 when not found. */
static int key_line(const char *text, size_t len, const char *key)
{
	size_t kl = strlen(key);
	int line = 1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
			continue;
		}
		if (text[i] != '"' || len - i < kl + 2 || memcmp(text + i + 1, key, kl) != 0 ||
		    text[i + 1 + kl] != '"')
			continue;
		size_t j = i + kl + 2;
		while (j < len &&
		       (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n'))
			j++;
		if (j < len && text[j] == ':')
			return line;
	}
	return 1;
}

static bool version_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '-' || c == '+'))
			return false;
	}
	return true;
}

/* A BCP 47 tag as packs use it: "en", "es", "en-US". */
static bool language_valid(const char *s)
{
	size_t i = 0;
	while (s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	while (s[i] == '-') {
		size_t j = ++i;
		while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		       (s[i] >= '0' && s[i] <= '9'))
			i++;
		if (i - j < 1 || i - j > 8)
			return false;
	}
	return s[i] == '\0';
}

enum meta_check { M_ID, M_VERSION, M_TEXT, M_LANGUAGE, M_DATE, M_STATUS };

static const struct {
	const char *name;
	size_t off;
	enum meta_check check;
	size_t max; /* characters, for M_TEXT */
} meta_fields[] = {
        {"id", offsetof(struct pack_meta, id), M_ID, PACK_SLUG_MAX},
        {"version", offsetof(struct pack_meta, version), M_VERSION, 64},
        {"title", offsetof(struct pack_meta, title), M_TEXT, PACK_TITLE_MAX},
        {"language", offsetof(struct pack_meta, language), M_LANGUAGE, 35},
        {"license", offsetof(struct pack_meta, license), M_TEXT, 200},
        {"as_of", offsetof(struct pack_meta, as_of), M_DATE, 10},
        {"review_status", offsetof(struct pack_meta, review_status), M_STATUS, 16},
        {"disclaimer", offsetof(struct pack_meta, disclaimer), M_TEXT, 2000},
};
#define N_META (sizeof meta_fields / sizeof meta_fields[0])

static void free_json(void *p)
{
	json_decref(p);
}

static int load_meta(struct arena *a, const struct pack_file *f, struct pack_meta *meta,
                     struct pack_problems *pr)
{
	const char *F = f->path;
	json_error_t jerr;
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return pack_problem(pr, F, jerr.line > 0 ? jerr.line : 1,
		                    "pack.json is not valid JSON: %s", jerr.text);
	if (arena_defer(a, free_json, root) != 0)
		return -ENOMEM;
	if (!json_is_object(root))
		return pack_problem(pr, F, 1, "pack.json must hold one JSON object of fields");
	int rc = 0;
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		size_t i = 0;
		while (i < N_META && strcmp(key, meta_fields[i].name) != 0)
			i++;
		if (i == N_META) {
			rc |= pack_problem(pr, F, key_line(f->data, f->len, key),
			                   "unknown field \"%s\" in pack.json (the fields are id, "
			                   "version, title, language, license, as_of, "
			                   "review_status, disclaimer)",
			                   key);
			continue;
		}
		int line = key_line(f->data, f->len, key);
		const char *s = json_string_value(v);
		size_t n = s ? json_string_length(v) : 0;
		if (!s) {
			rc |= pack_problem(pr, F, line, "%s must be a string", key);
			continue;
		}
		bool ok = n > 0 && strlen(s) == n;
		const char *want = "must not be empty";
		switch (meta_fields[i].check) {
		case M_ID:
			ok = ok && frontmatter_slug_valid(s, n);
			want = "must be lower-case letters, digits and inner hyphens";
			break;
		case M_VERSION:
			ok = ok && version_valid(s);
			want = "must be 1 to 64 letters, digits, dots, hyphens or plus signs";
			break;
		case M_LANGUAGE:
			ok = ok && language_valid(s);
			want = "must be a language tag such as \"en\" or \"es\"";
			break;
		case M_DATE:
			ok = ok && frontmatter_date_valid(s, n);
			want = "must be a real date written YYYY-MM-DD";
			break;
		case M_STATUS:
			ok = ok && (strcmp(s, "draft") == 0 || strcmp(s, "reviewed") == 0);
			want = "must be \"draft\" or \"reviewed\"";
			break;
		case M_TEXT:
			for (size_t k = 0; ok && k < n; k++)
				ok = (unsigned char)s[k] >= 0x20 && s[k] != 0x7f;
			if (ok && frontmatter_chars(s, n) > meta_fields[i].max) {
				rc |= pack_problem(pr, F, line, "%s is over %zu characters", key,
				                   meta_fields[i].max);
				continue;
			}
			want = "must be text on one line, without control characters";
			break;
		}
		if (!ok) {
			rc |= pack_problem(pr, F, line, "%s %s", key, want);
			continue;
		}
		*(const char **)((char *)meta + meta_fields[i].off) = s;
	}
	for (size_t i = 0; i < N_META; i++)
		if (!json_object_get(root, meta_fields[i].name))
			rc |= pack_problem(pr, F, 1, "pack.json has no \"%s\"",
			                   meta_fields[i].name);
	return rc ? -ENOMEM : 0;
}

/* ------------------------------------------------------------ pages */

/* The kind a page's folder says: "guide/x.md" → PAGE_GUIDE. -1 for any
 * other path. */
static int folder_kind(const char *path)
{
	static const char *const folders[] = {"guide/", "practices/", "resources/"};
	for (int i = 0; i < 3; i++)
		if (strncmp(path, folders[i], strlen(folders[i])) == 0)
			return i;
	return -1;
}

static const char *const path_prefix[] = {"/guide/", "/practices/", "/resources/"};

struct loaded {
	struct pack_page page;
	struct frontmatter_lines lines;
	struct md_result md;
	bool rendered;
};

static int by_slug(const void *x, const void *y)
{
	const struct loaded *a = *(struct loaded *const *)x, *b = *(struct loaded *const *)y;
	int c = strcmp(a->page.slug, b->page.slug);
	return c ? c : strcmp(a->page.path, b->page.path);
}

static int by_place(const void *x, const void *y)
{
	const struct pack_page *a = x, *b = y;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return strcmp(a->slug, b->slug);
}

/* {{name}} in the Markdown: every name must be in the registry. */
static int check_placeholders(const struct loaded *l, struct pack_problems *pr)
{
	const char *md = l->page.markdown, *end = md + l->page.markdown_len;
	int line = l->page.body_line;
	for (const char *p = md; p < end; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (p[0] != '{' || p + 1 >= end || p[1] != '{')
			continue;
		const char *q = p + 2;
		while (q + 1 < end && *q != '\n' && !(q[0] == '}' && q[1] == '}'))
			q++;
		if (q + 1 >= end || *q == '\n')
			continue; /* no closing braces on the line: plain text */
		size_t n = (size_t)(q - (p + 2));
		if (!placeholder_known(p + 2, n)) {
			struct str t = str_trim((struct str){p + 2, n});
			int rc;
			if (n > 80)
				rc = pack_problem(pr, l->page.path, line,
				                  "unknown placeholder (over 80 characters)");
			else if (placeholder_known(t.p, t.len))
				rc = pack_problem(pr, l->page.path, line,
				                  "placeholder {{%.*s}} has spaces: write {{%.*s}}",
				                  (int)n, p + 2, (int)t.len, t.p);
			else
				rc = pack_problem(pr, l->page.path, line,
				                  "unknown placeholder {{%.*s}}", (int)n, p + 2);
			if (rc)
				return rc;
		}
		p = q + 1;
	}
	return 0;
}

int pack_check_placeholders(const struct pack_page *page, struct pack_problems *pr)
{
	struct loaded l = {.page = *page};
	return check_placeholders(&l, pr);
}

static const struct loaded *find_loaded(struct loaded **by, size_t n, const char *slug, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = by[mid]->page.slug;
		int c = strncmp(s, slug, len);
		if (c == 0 && s[len] != '\0')
			c = 1;
		if (c == 0)
			return by[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* true when the rendered page has a heading with that anchor. Ids are only
 * written by the renderer (quotes in text are escaped), so a search for
 * id="ANCHOR" is exact. */
static bool has_anchor(struct arena *a, const struct loaded *l, const char *anchor, size_t len)
{
	if (!l->rendered || !l->md.html)
		return true; /* the page's own problems are reported already */
	char *needle = arena_printf(a, "id=\"%.*s\"", (int)len, anchor);
	return !needle || strstr(l->md.html, needle) != NULL;
}

/* unsure: some page of the pack could not be read or has no valid slug, so
 * a link to a slug not found may well be to that page (whose own problem is
 * reported): not reported again. */
/* " (did you mean #x?)" when the anchor written GitHub's way (a hyphen for
 * each space or punctuation mark, so "law--policy") is one of the page's
 * anchors once its runs of hyphens are one; else "". */
static const char *suggest(struct arena *a, const struct loaded *l, const char *anchor)
{
	size_t n = strlen(anchor);
	char *s = arena_alloc(a, n + 1);
	size_t k = 0;
	if (!s || n > 128)
		return "";
	for (size_t i = 0; i < n; i++)
		if (anchor[i] != '-' || (k > 0 && s[k - 1] != '-'))
			s[k++] = anchor[i];
	while (k > 0 && s[k - 1] == '-')
		k--;
	s[k] = '\0';
	if (k == 0 || strcmp(s, anchor) == 0 || !l->rendered || !has_anchor(a, l, s, k))
		return "";
	const char *out = arena_printf(a, " (did you mean #%s?)", s);
	return out ? out : "";
}

static int check_links(struct arena *a, const struct loaded *l, struct loaded **by, size_t n,
                       bool unsure, struct pack_problems *pr)
{
	const char *F = l->page.path;
	for (size_t i = 0; i < l->md.n_links; i++) {
		const char *url = l->md.links[i].url;
		int line = l->md.links[i].line;
		int rc = 0;
		if (strstr(url, "{{")) {
			rc = pack_problem(pr, F, line,
			                  "a placeholder cannot be used inside a link address");
		} else if (url[0] == '#') {
			if (url[1] && !has_anchor(a, l, url + 1, strlen(url + 1)))
				rc = pack_problem(pr, F, line,
				                  "link to %s: this page has no heading with that "
				                  "anchor%s",
				                  url, suggest(a, l, url + 1));
		} else {
			int k = 0;
			while (k < 3 && strncmp(url, path_prefix[k], strlen(path_prefix[k])) != 0)
				k++;
			if (k == 3)
				continue;
			const char *slug = url + strlen(path_prefix[k]);
			size_t sl = strcspn(slug, "#?");
			if (sl == 0 && slug[0] != '#')
				continue; /* the listing itself */
			const struct loaded *t = frontmatter_slug_valid(slug, sl)
			        ? find_loaded(by, n, slug, sl)
			        : NULL;
			if (!t && unsure) {
				continue;
			} else if (!t) {
				rc = pack_problem(
				        pr, F, line,
				        "link to %s: no page of the pack has the slug \"%.*s\"",
				        url, (int)(sl > 80 ? 80 : sl), slug);
			} else if (t->lines.kind && (int)t->page.kind != k &&
			           (int)t->page.kind == folder_kind(t->page.path)) {
				rc = pack_problem(
				        pr, F, line,
				        "link to %s: that page is a %s, so its address is "
				        "%s%s",
				        url, page_kind_name(t->page.kind),
				        path_prefix[t->page.kind], t->page.slug);
			} else if (slug[sl] == '#' && slug[sl + 1] &&
			           !has_anchor(a, t, slug + sl + 1, strlen(slug + sl + 1))) {
				rc = pack_problem(
				        pr, F, line,
				        "link to %s: that page has no heading with that anchor%s",
				        url, suggest(a, t, slug + sl + 1));
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}

int pack_load(struct arena *a, const struct pack_file *files, size_t n, struct pack *out,
              struct pack_problems *pr)
{
	memset(out, 0, sizeof *out);
	struct loaded *pages = arena_calloc(a, n ? n : 1, sizeof *pages);
	struct loaded **by = arena_calloc(a, n ? n : 1, sizeof *by);
	if (!pages || !by)
		return -ENOMEM;
	bool have_meta = false, unsure = false;
	size_t np = 0, nslug = 0;
	int rc = 0;
	/* A page file the reader already refused (too big, a link) is missing. */
	for (size_t i = 0; i < pr->n && !unsure; i++)
		unsure = folder_kind(pr->items[i].file) >= 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct pack_file *f = &files[i];
		int k = folder_kind(f->path);
		if (strcmp(f->path, "pack.json") != 0 && k < 0)
			continue;
		if (f->len > PACK_MAX_FILE_BYTES) {
			unsure = true;
			rc = pack_problem(pr, f->path, 0,
			                  "the file is %zu bytes; the limit is %d KiB", f->len,
			                  PACK_MAX_FILE_BYTES / 1024);
			continue;
		}
		if (!str_utf8_valid(f->data, f->len) || memchr(f->data, '\0', f->len)) {
			unsure = true;
			rc = pack_problem(pr, f->path, 0, "the file is not UTF-8 text");
			continue;
		}
		int cr = frontmatter_bare_cr(f->data, f->len);
		if (cr) {
			unsure = true;
			rc = pack_problem(pr, f->path, cr, "%s", FRONTMATTER_BARE_CR);
			continue;
		}
		if (k < 0) {
			have_meta = true;
			rc = load_meta(a, f, &out->meta, pr);
			continue;
		}
		struct loaded *l = &pages[np++];
		rc = frontmatter_parse(a, f->path, f->data, f->len, &l->page, &l->lines, pr);
		if (rc)
			break;
		if (l->lines.kind && (int)l->page.kind != k)
			rc = pack_problem(
			        pr, f->path, l->lines.kind,
			        "kind is \"%s\" but the page is in %.*s: move it to %s or "
			        "change its kind to \"%s\"",
			        page_kind_name(l->page.kind),
			        (int)(strchr(f->path, '/') - f->path + 1), f->path,
			        path_prefix[l->page.kind] + 1, kind_names[k]);
		if (!rc && l->lines.title && strstr(l->page.title, "{{"))
			rc = pack_problem(
			        pr, f->path, l->lines.title,
			        "placeholders are not filled in the title; use them in the "
			        "page's text");
		if (!rc && l->lines.summary && strstr(l->page.summary, "{{"))
			rc = pack_problem(
			        pr, f->path, l->lines.summary,
			        "placeholders are not filled in the summary; use them in the "
			        "page's text");
		if (!rc)
			rc = check_placeholders(l, pr);
		if (!rc) {
			int mr = markdown_render(a, l->page.markdown, l->page.markdown_len, f->path,
			                         l->page.body_line, pr, &l->md);
			if (mr == -ENOMEM)
				rc = mr;
			l->rendered = mr == 0;
		}
		if (l->lines.slug)
			by[nslug++] = l;
		else
			unsure = true;
	}
	if (rc)
		return rc;
	if (!have_meta)
		rc = pack_problem(pr, "pack.json", 0, "the pack has no pack.json");

	/* Duplicate slugs: sorted by slug then path, every later one is named. */
	qsort(by, nslug, sizeof *by, by_slug);
	for (size_t i = 1; i < nslug && !rc; i++)
		if (strcmp(by[i]->page.slug, by[i - 1]->page.slug) == 0)
			rc = pack_problem(pr, by[i]->page.path, by[i]->lines.slug,
			                  "slug \"%s\" is already used by %s", by[i]->page.slug,
			                  by[i - 1]->page.path);
	for (size_t i = 0; i < np && !rc; i++)
		if (pages[i].rendered)
			rc = check_links(a, &pages[i], by, nslug, unsure, pr);
	if (rc)
		return rc;

	/* The pack's pages: those with a valid slug and kind. */
	out->pages = arena_calloc(a, nslug ? nslug : 1, sizeof *out->pages);
	if (!out->pages)
		return -ENOMEM;
	for (size_t i = 0; i < np; i++)
		if (pages[i].lines.slug && pages[i].lines.kind)
			out->pages[out->n_pages++] = pages[i].page;
	qsort(out->pages, out->n_pages, sizeof *out->pages, by_place);
	/* The courses last: their lessons link to the pages. */
	return course_pack_load(a, files, n, out, pr);
}

const struct pack_page *pack_find(const struct pack *p, const char *slug)
{
	for (size_t i = 0; i < p->n_pages; i++)
		if (p->pages[i].slug && strcmp(p->pages[i].slug, slug) == 0)
			return &p->pages[i];
	return NULL;
}
