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

char *placeholders_fill(struct arena *a, const char *html, placeholder_lookup lookup, void *ctx,
                        const char *edit_url)
{
	struct buf out;
	buf_init(&out, a, FILL_MAX);
	const char *p = html;
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
		if (v && v[0])
			value(&out, v);
		else
			unset(&out, known, edit_url);
		p = name + n + 2;
	}
	if (out.err)
		return NULL;
	return out.data ? out.data : arena_strdup(a, "");
}
