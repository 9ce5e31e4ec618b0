/* features/library/placeholders.c — the placeholder registry and the fill
 * step run when a page is shown (placeholders.h). The cached HTML holds
 * {{name}} only in text (markdown.c escapes braces inside attributes), so
 * a replacement never lands inside a tag. Prompts and markers are texts
 * of the message catalogue (web/messages/en/library.txt). */
#include "features/library/placeholders.h"

#include "core/arena.h"
#include "core/buf.h"
#include "render/page.h"
#include "render/template.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* DESIGN.md §7; partners.<kind> for each organization kind of §2 but
 * law_enforcement and coordinator. Add a name here and a label
 * (library.placeholder.field.NAME) in the catalogue together. */
static const char *const registry[] = {
        "agency.name",
        "agency.state",
        "agency.jurisdiction",
        "agency.hotline",
        "agency.time_zone",
        "state.law_summary",
        "deployment.name",
        "partners.prosecutor",
        "partners.child_welfare",
        "partners.victim_services",
        "partners.school",
        "partners.juvenile_justice",
        "partners.probation_parole",
        "partners.health",
        "partners.community",
        "partners.federal",
};
#define N_REGISTRY (sizeof registry / sizeof registry[0])
#define NAME_MAX_LEN 32
#define FILL_MAX (16u * 1024 * 1024)

static const char *registry_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_REGISTRY; i++)
		if (strlen(registry[i]) == len && memcmp(registry[i], name, len) == 0)
			return registry[i];
	return NULL;
}

bool placeholder_known(const char *name, size_t len)
{
	return registry_find(name, len) != NULL;
}

/* A catalogue message with {1} replaced by arg, both escaped. */
static void message(struct buf *out, const char *key, const char *arg)
{
	const char *m = page_msg(key);
	const char *at = strstr(m, "{1}");
	if (!at) {
		tpl_escape_html(out, m, strlen(m));
		return;
	}
	tpl_escape_html(out, m, (size_t)(at - m));
	tpl_escape_html(out, arg, strlen(arg));
	tpl_escape_html(out, at + 3, strlen(at + 3));
}

/* A set value: escaped, each line break a <br>. */
static void value(struct buf *out, const char *v)
{
	for (;;) {
		size_t n = strcspn(v, "\n");
		size_t keep = n > 0 && v[n - 1] == '\r' ? n - 1 : n;
		tpl_escape_html(out, v, keep);
		if (!v[n])
			break;
		buf_puts(out, "<br>\n");
		v += n + 1;
	}
}

static void unset(struct buf *out, const char *name, const char *edit_url)
{
	char key[64];
	snprintf(key, sizeof key, "library.placeholder.field.%s", name);
	const char *label = page_msg(key);
	if (edit_url && tpl_url_is_safe(edit_url, strlen(edit_url))) {
		buf_puts(out, "<span class=\"placeholder-unset\"><a href=\"");
		tpl_escape_html(out, edit_url, strlen(edit_url));
		buf_puts(out, "\">");
		message(out, "library.placeholder.prompt", label);
		buf_puts(out, "</a></span>");
	} else {
		buf_puts(out, "<span class=\"placeholder-missing\">");
		message(out, "library.placeholder.not_set", label);
		buf_puts(out, "</span>");
	}
}

/* Markdown that reads as the text t, however it is punctuated: every ASCII
 * punctuation character backslash-escaped (CommonMark), a run of line
 * breaks one hard break, so that no value can open a link, a heading or
 * a new paragraph. */
static void markdown_text(struct buf *out, const char *t)
{
	bool broke = false;
	for (; *t; t++) {
		unsigned char c = (unsigned char)*t;
		if (c == '\r' || c == '\n') {
			if (!broke)
				buf_puts(out, "\\\n");
			broke = true;
			continue;
		}
		broke = false;
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c < 0x80 && ispunct(c))
			buf_append(out, "\\", 1);
		buf_append(out, t, 1);
	}
}

/* The not-set message for name, as plain text. */
static void unset_text(struct buf *out, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "library.placeholder.field.%s", name);
	const char *label = page_msg(key);
	const char *m = page_msg("library.placeholder.not_set");
	const char *at = strstr(m, "{1}");
	if (!at) {
		markdown_text(out, m);
		return;
	}
	struct buf plain;
	buf_init(&plain, out->arena, 4096);
	buf_append(&plain, m, (size_t)(at - m));
	buf_puts(&plain, label);
	buf_puts(&plain, at + 3);
	if (!plain.err && plain.data)
		markdown_text(out, plain.data);
}

/* The scan both fillers share: HTML (escaped values, prompts as markup) or
 * Markdown (values and the not-set message as escaped text). */
static char *fill(struct arena *a, const char *text, placeholder_lookup lookup, void *ctx,
                  const char *edit_url, bool markdown)
{
	struct buf out;
	buf_init(&out, a, FILL_MAX);
	const char *p = text;
	for (;;) {
		const char *open = strstr(p, "{{");
		if (!open) {
			buf_puts(&out, p);
			break;
		}
		buf_append(&out, p, (size_t)(open - p));
		const char *name = open + 2;
		size_t n = 0;
		while (n <= NAME_MAX_LEN && name[n] && name[n] != '}')
			n++;
		const char *known =
		        name[n] == '}' && name[n + 1] == '}' ? registry_find(name, n) : NULL;
		if (!known) {
			buf_append(&out, open, 1); /* the second brace may open one */
			p = open + 1;
			continue;
		}
		const char *v = lookup ? lookup(ctx, known) : NULL;
		if (markdown && v && v[0])
			markdown_text(&out, v);
		else if (markdown)
			unset_text(&out, known);
		else if (v && v[0])
			value(&out, v);
		else
			unset(&out, known, edit_url);
		p = name + n + 2;
	}
	if (out.err)
		return NULL;
	return out.data ? out.data : arena_strdup(a, "");
}

char *placeholders_fill(struct arena *a, const char *html, placeholder_lookup lookup, void *ctx,
                        const char *edit_url)
{
	return fill(a, html, lookup, ctx, edit_url, false);
}

char *placeholders_fill_markdown(struct arena *a, const char *md, placeholder_lookup lookup,
                                 void *ctx)
{
	return fill(a, md, lookup, ctx, NULL, true);
}
