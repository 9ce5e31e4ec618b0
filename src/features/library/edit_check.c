/* features/library/edit_check.c — the editor's form against the pack rules
 * (edit_check.h). Each text field is read the way frontmatter.c reads a
 * YAML value: trimmed of spaces and line ends, never empty, no control
 * characters (line breaks become spaces where the pack folds them), at most
 * the same number of characters; dates, addresses and slugs go through
 * frontmatter.c's own checks, so the editor and `csec content validate`
 * cannot disagree. */
#include "features/library/edit_check.h"

#include "core/arena.h"
#include "core/str.h"
#include "features/library/frontmatter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct ctx {
	struct arena *a;
	struct libedit_checked *out;
	size_t cap;
	int err;
};

static void problem(struct ctx *c, const char *field, const char *key)
{
	if (c->err || libedit_problem(c->out, field))
		return; /* the first problem of a field is the one shown */
	if (c->out->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct libedit_problem *p = arena_calloc(c->a, cap, sizeof *p);
		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		if (c->out->n)
			memcpy(p, c->out->problems, c->out->n * sizeof *p);
		c->out->problems = p;
		c->cap = cap;
	}
	const char *f = arena_strdup(c->a, field);
	if (!f) {
		c->err = -ENOMEM;
		return;
	}
	c->out->problems[c->out->n++] = (struct libedit_problem){f, key};
}

const char *libedit_problem(const struct libedit_checked *c, const char *field)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->problems[i].field, field) == 0)
			return c->problems[i].key;
	return NULL;
}

static bool space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* A text value as frontmatter.c's text_value takes it. what names the
 * field's messages: library.edit.error.WHAT.empty, .control, .too_long.
 * NULL after recording the problem. */
static const char *text(struct ctx *c, const char *field, const char *what, const char *s,
                        size_t max, bool fold)
{
	struct str t = {s ? s : "", s ? strlen(s) : 0};
	while (t.len && space(t.p[0])) {
		t.p++;
		t.len--;
	}
	while (t.len && space(t.p[t.len - 1]))
		t.len--;
	if (t.len == 0) {
		problem(c, field, arena_printf(c->a, "library.edit.error.%s.empty", what));
		return NULL;
	}
	char *out = arena_alloc(c->a, t.len + 1);
	if (!out) {
		c->err = -ENOMEM;
		return NULL;
	}
	/* Folding turns a CR LF pair into one space, as YAML folds a line. */
	size_t n = 0;
	for (size_t i = 0; i < t.len; i++) {
		unsigned char ch = (unsigned char)t.p[i];
		if (fold && ch == '\r' && i + 1 < t.len && t.p[i + 1] == '\n')
			continue;
		if (fold && (ch == '\n' || ch == '\r' || ch == '\t')) {
			out[n++] = ' ';
		} else if (ch < 0x20 || ch == 0x7f) {
			problem(c, field,
			        arena_printf(c->a, "library.edit.error.%s.control", what));
			return NULL;
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
	if (frontmatter_chars(out, n) > max) {
		problem(c, field, arena_printf(c->a, "library.edit.error.%s.too_long", what));
		return NULL;
	}
	return out;
}

static const char *date(struct ctx *c, const char *field, const char *what, const char *s)
{
	const char *v = text(c, field, what, s, 10, false);
	if (v && !frontmatter_date_valid(v, strlen(v))) {
		problem(c, field, arena_printf(c->a, "library.edit.error.%s.invalid", what));
		return NULL;
	}
	return v;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!space(*s))
			return false;
	return true;
}

static void sources(struct ctx *c, const struct libedit_input *in, struct pack_page *pg)
{
	size_t filled = 0;
	for (size_t i = 0; i < in->n_sources; i++) {
		const struct libedit_source_in *r = &in->sources[i];
		filled += !(blank(r->title) && blank(r->publisher) && blank(r->url) &&
		            blank(r->checked));
	}
	if (filled == 0) {
		problem(c, "sources", "library.edit.error.sources.none");
		return;
	}
	if (filled > FRONTMATTER_MAX_SOURCES) {
		problem(c, "sources", "library.edit.error.sources.too_many");
		return;
	}
	struct pack_source *list = arena_calloc(c->a, filled, sizeof *list);
	if (!list) {
		c->err = -ENOMEM;
		return;
	}
	size_t n = 0;
	bool ok = true;
	for (size_t i = 0; i < in->n_sources && !c->err; i++) {
		const struct libedit_source_in *r = &in->sources[i];
		if (blank(r->title) && blank(r->publisher) && blank(r->url) && blank(r->checked))
			continue;
		char f[4][48];
		snprintf(f[0], sizeof f[0], "source_title_%zu", i);
		snprintf(f[1], sizeof f[1], "source_publisher_%zu", i);
		snprintf(f[2], sizeof f[2], "source_url_%zu", i);
		snprintf(f[3], sizeof f[3], "source_checked_%zu", i);
		struct pack_source s = {
		        text(c, f[0], "source_title", r->title, FRONTMATTER_SOURCE_TEXT_MAX, true),
		        text(c, f[1], "source_publisher", r->publisher, FRONTMATTER_SOURCE_TEXT_MAX,
		             true),
		        text(c, f[2], "source_url", r->url, FRONTMATTER_URL_MAX, false),
		        date(c, f[3], "source_checked", r->checked),
		};
		if (s.url && !frontmatter_url_valid(s.url, strlen(s.url))) {
			problem(c, f[2], "library.edit.error.source_url.invalid");
			s.url = NULL;
		}
		if (s.title && s.publisher && s.url && s.checked)
			list[n++] = s;
		else
			ok = false;
	}
	if (ok) {
		pg->sources = list;
		pg->n_sources = n;
	}
}

/* The Markdown with every CR LF (as browsers send a text box) made LF. */
static const char *body(struct ctx *c, const char *s, size_t len, size_t *out_len)
{
	char *out = arena_alloc(c->a, len + 1);
	if (!out) {
		c->err = -ENOMEM;
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\r' || i + 1 >= len || s[i + 1] != '\n')
			out[n++] = s[i];
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

int libedit_check(struct arena *a, const struct libedit_input *in, unsigned flags,
                  struct libedit_checked *out)
{
	memset(out, 0, sizeof *out);
	struct ctx c = {a, out, 0, 0};
	struct pack_page *pg = &out->page;
	pg->path = "";
	pg->body_line = 1;

	if (flags & LIBEDIT_CHECK_NEW) {
		const char *slug = text(&c, "slug", "slug", in->slug, PACK_SLUG_MAX, false);
		if (slug && !frontmatter_slug_valid(slug, strlen(slug)))
			problem(&c, "slug", "library.edit.error.slug.invalid");
		else
			pg->slug = slug;
		const char *kind = in->kind ? in->kind : "";
		if (page_kind_parse(kind, &pg->kind) != 0)
			problem(&c, "kind", "library.edit.error.kind.invalid");
	}
	pg->title = text(&c, "title", "title", in->title, PACK_TITLE_MAX, false);
	pg->summary = text(&c, "summary", "summary", in->summary, PACK_SUMMARY_MAX, true);
	/* Placeholders are filled in the text only (as the pack refuses them). */
	if (pg->title && strstr(pg->title, "{{")) {
		problem(&c, "title", "library.edit.error.title.placeholder");
		pg->title = NULL;
	}
	if (pg->summary && strstr(pg->summary, "{{")) {
		problem(&c, "summary", "library.edit.error.summary.placeholder");
		pg->summary = NULL;
	}

	if (flags & LIBEDIT_CHECK_ORG) {
		pg->visibility = VIS_ORG;
	} else if (page_visibility_parse(in->visibility ? in->visibility : "", &pg->visibility) !=
	                   0 ||
	           pg->visibility == VIS_ORG) {
		/* A shared page is for everyone, members or law enforcement; "org"
		 * belongs to an organization's own pages. */
		problem(&c, "visibility", "library.edit.error.visibility.invalid");
	}

	int64_t order = 0;
	if (str_to_i64(str_trim(str_from(in->order ? in->order : "")), -1000000, 1000000, &order) !=
	    0)
		problem(&c, "order", "library.edit.error.order.invalid");
	pg->order = (int)order;

	pg->reviewed = date(&c, "reviewed", "reviewed", in->reviewed);
	sources(&c, in, pg);

	if (in->body_len > PACK_MAX_FILE_BYTES) {
		problem(&c, "body", "library.edit.error.body.too_big");
	} else if (in->body && frontmatter_bare_cr(in->body, in->body_len)) {
		/* What browsers send is CR LF; a lone CR is refused, as in a pack. */
		problem(&c, "body", "library.edit.error.body.bare_cr");
	} else {
		pg->markdown = body(&c, in->body ? in->body : "", in->body ? in->body_len : 0,
		                    &pg->markdown_len);
	}

	if (flags & LIBEDIT_CHECK_MESSAGE)
		out->message =
		        text(&c, "message", "message", in->message, LIBEDIT_MESSAGE_MAX, false);
	return c.err;
}
