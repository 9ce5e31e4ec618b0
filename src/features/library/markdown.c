/* features/library/markdown.c — Markdown to HTML (markdown.h). cmark-gfm
 * parses (tables, autolinks, strikethrough; invalid UTF-8 and NUL bytes
 * replaced), and the HTML is written here from the syntax tree rather than
 * by cmark's renderer, so that every byte of text from the page goes
 * through one escaper, only the tags below are ever written, heading ids
 * and the table of contents come out of the same walk, and table cells
 * never get an align attribute. Raw HTML, level-1 headings, aligned tables
 * and link addresses outside http(s)/mailto/tel/site paths are problems;
 * what is refused is dropped (its text kept where it has any).
 *
 * Tags written: p h2-h6 ul ol li blockquote pre code em strong del a img
 * table thead tbody tr th td hr br. Attributes: id (headings), start (ol),
 * href (a), src and alt (img). */
#include "features/library/markdown.h"

#include "core/arena.h"
#include "core/buf.h"
#include "features/library/pack.h"
#include "render/template.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* The HTML of a page at most this size (escaping can multiply text by six,
 * tags add more). */
#define HTML_MAX (8u * PACK_MAX_FILE_BYTES)
#define ID_MAX 64

/* Ids the page around the Markdown uses (layout and library pages): a
 * heading never takes them. */
static const char *const reserved_ids[] = {"main", "top", "toc", "content", "sources", "title"};

struct rctx {
	struct arena *a;
	const char *file;
	int first_line;
	struct pack_problems *pr;
	struct buf html, text;
	struct md_heading *toc;
	size_t n_toc, cap_toc;
	struct md_link *links;
	size_t n_links, cap_links;
	const char **ids;
	size_t n_ids, cap_ids;
	int line; /* the current source line, for nodes cmark gives none */
	int html_line; /* the last line raw HTML was reported on */
	bool tbody_open; /* in the current table */
	int err;
};

static void problem(struct rctx *r, int line, const char *msg)
{
	if (r->pr &&
	    pack_problem(r->pr, r->file, r->first_line + (line > 0 ? line : 1) - 1, "%s", msg) != 0)
		r->err = -ENOMEM;
}

/* Grows an array of elem-sized items held in the arena. */
static void *grow(struct rctx *r, void *items, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = arena_calloc(r->a, ncap, elem);
	if (!p) {
		r->err = -ENOMEM;
		return NULL;
	}
	if (n)
		memcpy(p, items, n * elem);
	*cap = ncap;
	return p;
}

/* Escapes text for element content and quoted attribute values. In
 * attributes braces are escaped too, so a placeholder ({{name}}) is only
 * ever filled in text, never inside an address or an id. */
static void esc(struct buf *b, const char *s, size_t n, bool attr)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '`':
			rep = "&#96;";
			break;
		case '\0':
			rep = "\xef\xbf\xbd";
			break;
		case '{':
			rep = attr ? "&#123;" : NULL;
			break;
		case '}':
			rep = attr ? "&#125;" : NULL;
			break;
		default:
			rep = NULL;
		}
		if (!rep)
			continue;
		buf_append(b, s + from, i - from);
		buf_puts(b, rep);
		from = i + 1;
	}
	buf_append(b, s + from, n - from);
}

static void esc_str(struct buf *b, const char *s, bool attr)
{
	if (s)
		esc(b, s, strlen(s), attr);
}

/* A node's literal text; "" when it has none. */
static const char *lit(cmark_node *n)
{
	const char *s = cmark_node_get_literal(n);
	return s ? s : "";
}

/* The text of a node's inline children (for heading ids and image alt). */
static void inline_text(cmark_node *n, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(n);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		cmark_node_type t = cmark_node_get_type(c);
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
			buf_puts(out, lit(c));
		else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			buf_putc(out, ' ');
	}
	cmark_iter_free(it);
}

static bool id_used(const struct rctx *r, const char *id)
{
	for (size_t i = 0; i < sizeof reserved_ids / sizeof reserved_ids[0]; i++)
		if (strcmp(id, reserved_ids[i]) == 0)
			return true;
	for (size_t i = 0; i < r->n_ids; i++)
		if (strcmp(id, r->ids[i]) == 0)
			return true;
	return false;
}

/* A heading's anchor: its text lower-cased, letters and digits (any
 * script) kept, every other run of characters one hyphen, at most ID_MAX
 * bytes; "section" when nothing is left; -2, -3 … when taken. */
static const char *heading_id(struct rctx *r, const char *text)
{
	char id[ID_MAX + 16];
	size_t n = 0;
	bool dash = false;
	int32_t i = 0, len = (int32_t)strnlen(text, 4096);
	while (i < len) {
		UChar32 c;
		U8_NEXT(text, i, len, c);
		if (c >= 0 && u_isalnum(c)) {
			c = u_tolower(c);
			char tmp[4];
			int32_t k = 0;
			UBool bad = 0;
			U8_APPEND(tmp, k, 4, c, bad);
			if (bad)
				continue;
			if (dash && n > 0 && n + 1 < ID_MAX)
				id[n++] = '-';
			dash = false;
			if (n + (size_t)k > ID_MAX)
				break;
			memcpy(id + n, tmp, (size_t)k);
			n += (size_t)k;
		} else {
			dash = true;
		}
	}
	if (n == 0) {
		memcpy(id, "section", 7);
		n = 7;
	}
	id[n] = '\0';
	char *out = arena_strdup(r->a, id);
	for (int k = 2; out && id_used(r, out); k++)
		out = arena_printf(r->a, "%s-%d", id, k);
	const char **ids = grow(r, r->ids, r->n_ids, &r->cap_ids, sizeof *ids);
	if (!out || !ids) {
		r->err = -ENOMEM;
		return "section";
	}
	r->ids = ids;
	r->ids[r->n_ids++] = out;
	return out;
}

static void add_link(struct rctx *r, const char *url, int line)
{
	struct md_link *l = grow(r, r->links, r->n_links, &r->cap_links, sizeof *l);
	const char *u = arena_strdup(r->a, url ? url : "");
	if (!l || !u) {
		r->err = -ENOMEM;
		return;
	}
	r->links = l;
	r->links[r->n_links++] = (struct md_link){u, r->first_line + line - 1};
}

static bool url_ok(const char *url)
{
	return url && url[0] && tpl_url_is_safe(url, strlen(url));
}

static void bad_url(struct rctx *r, const char *url, int line)
{
	char msg[200];
	snprintf(msg, sizeof msg,
	         "link address \"%.60s\" is not allowed: use https://…, http://…, mailto:, "
	         "tel:, /guide/SLUG, /practices/SLUG, /resources/SLUG or #anchor",
	         url ? url : "");
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	problem(r, line, msg);
}

static const char *ext_type(cmark_node *n)
{
	cmark_node_type t = cmark_node_get_type(n);
	if (t == CMARK_NODE_DOCUMENT ||
	    (t >= CMARK_NODE_BLOCK_QUOTE && t <= CMARK_NODE_FOOTNOTE_DEFINITION) ||
	    (t >= CMARK_NODE_TEXT && t <= CMARK_NODE_FOOTNOTE_REFERENCE))
		return NULL;
	return cmark_node_get_type_string(n);
}

static bool in_tight_list(cmark_node *para)
{
	cmark_node *item = cmark_node_parent(para);
	cmark_node *list = item ? cmark_node_parent(item) : NULL;
	return item && list && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
	        cmark_node_get_list_tight(list);
}

static void heading(struct rctx *r, cmark_node *n, bool enter, int line)
{
	int level = cmark_node_get_heading_level(n);
	if (level < 2)
		level = 2;
	if (!enter) {
		buf_printf(&r->html, "</h%d>\n", level);
		buf_putc(&r->text, '\n');
		return;
	}
	if (cmark_node_get_heading_level(n) == 1)
		problem(r, line,
		        "a level-1 heading (# or ===) is not allowed: the title is the page's "
		        "only h1; use ## for sections");
	struct buf t;
	buf_init(&t, r->a, 4096);
	inline_text(n, &t);
	const char *id = heading_id(r, buf_cstr(&t));
	buf_printf(&r->html, "<h%d id=\"", level);
	esc_str(&r->html, id, true);
	buf_puts(&r->html, "\">");
	if (level <= 3) {
		struct md_heading *h = grow(r, r->toc, r->n_toc, &r->cap_toc, sizeof *h);
		const char *text = arena_strdup(r->a, buf_cstr(&t));
		if (!h || !text) {
			r->err = -ENOMEM;
			return;
		}
		r->toc = h;
		r->toc[r->n_toc++] = (struct md_heading){level, id, text};
	}
}

static void table(struct rctx *r, cmark_node *n, bool enter, int line)
{
	if (!enter) {
		if (r->tbody_open)
			buf_puts(&r->html, "</tbody>\n");
		buf_puts(&r->html, "</table>\n");
		r->tbody_open = false;
		return;
	}
	uint16_t cols = cmark_gfm_extensions_get_table_columns(n);
	const uint8_t *al = cmark_gfm_extensions_get_table_alignments(n);
	for (uint16_t i = 0; al && i < cols; i++) {
		if (al[i]) {
			problem(r, line + 1,
			        "table columns may not set an alignment (write the separator row "
			        "as |---|---|, without colons)");
			break;
		}
	}
	buf_puts(&r->html, "<table>\n");
	r->tbody_open = false;
}

/* One node, entering or leaving. Returns true when its children are to be
 * skipped (the node wrote all it needs). */
static bool node(struct rctx *r, cmark_node *n, bool enter)
{
	struct buf *h = &r->html;
	int line = cmark_node_get_start_line(n);
	if (line > 0 && enter)
		r->line = line;
	else
		line = r->line;
	const char *ext = ext_type(n);
	if (ext) {
		if (strcmp(ext, "table") == 0) {
			table(r, n, enter, line);
		} else if (strcmp(ext, "table_header") == 0) {
			buf_puts(h, enter ? "<thead>\n<tr>\n" : "</tr>\n</thead>\n");
		} else if (strcmp(ext, "table_row") == 0) {
			if (enter && !r->tbody_open) {
				buf_puts(h, "<tbody>\n");
				r->tbody_open = true;
			}
			buf_puts(h, enter ? "<tr>\n" : "</tr>\n");
		} else if (strcmp(ext, "table_cell") == 0) {
			cmark_node *row = cmark_node_parent(n);
			const char *rt = row ? cmark_node_get_type_string(row) : "";
			bool th = strcmp(rt, "table_header") == 0;
			buf_puts(h, enter ? (th ? "<th>" : "<td>") : (th ? "</th>\n" : "</td>\n"));
			if (!enter)
				buf_putc(&r->text, ' ');
		} else if (strcmp(ext, "strikethrough") == 0) {
			buf_puts(h, enter ? "<del>" : "</del>");
		}
		return false; /* anything else: no markup, children as text */
	}
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_BLOCK_QUOTE:
		buf_puts(h, enter ? "<blockquote>\n" : "</blockquote>\n");
		break;
	case CMARK_NODE_LIST: {
		bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
		int start = cmark_node_get_list_start(n);
		if (!enter)
			buf_puts(h, ordered ? "</ol>\n" : "</ul>\n");
		else if (ordered && start != 1)
			buf_printf(h, "<ol start=\"%d\">\n", start);
		else
			buf_puts(h, ordered ? "<ol>\n" : "<ul>\n");
		break;
	}
	case CMARK_NODE_ITEM:
		buf_puts(h, enter ? "<li>" : "</li>\n");
		if (!enter)
			buf_putc(&r->text, '\n');
		break;
	case CMARK_NODE_CODE_BLOCK:
		buf_puts(h, "<pre><code>");
		esc_str(h, lit(n), false);
		buf_puts(h, "</code></pre>\n");
		buf_puts(&r->text, lit(n));
		buf_putc(&r->text, '\n');
		break;
	case CMARK_NODE_HTML_BLOCK:
		problem(r, line,
		        "raw HTML is not allowed (it is dropped): write it in Markdown instead");
		break;
	case CMARK_NODE_HTML_INLINE:
		if (line != r->html_line)
			problem(r, line,
			        "raw HTML is not allowed (it is dropped): write it in Markdown "
			        "instead");
		r->html_line = line;
		break;
	case CMARK_NODE_PARAGRAPH:
		if (!in_tight_list(n))
			buf_puts(h, enter ? "<p>" : "</p>\n");
		if (!enter)
			buf_puts(&r->text, "\n");
		break;
	case CMARK_NODE_HEADING:
		heading(r, n, enter, line);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		buf_puts(h, "<hr>\n");
		break;
	case CMARK_NODE_TEXT:
		esc_str(h, lit(n), false);
		buf_puts(&r->text, lit(n));
		break;
	case CMARK_NODE_SOFTBREAK:
		r->line++;
		buf_putc(h, '\n');
		buf_putc(&r->text, ' ');
		break;
	case CMARK_NODE_LINEBREAK:
		r->line++;
		buf_puts(h, "<br>\n");
		buf_putc(&r->text, ' ');
		break;
	case CMARK_NODE_CODE:
		buf_puts(h, "<code>");
		esc_str(h, lit(n), false);
		buf_puts(h, "</code>");
		buf_puts(&r->text, lit(n));
		break;
	case CMARK_NODE_EMPH:
		buf_puts(h, enter ? "<em>" : "</em>");
		break;
	case CMARK_NODE_STRONG:
		buf_puts(h, enter ? "<strong>" : "</strong>");
		break;
	case CMARK_NODE_LINK: {
		const char *url = cmark_node_get_url(n);
		if (enter)
			add_link(r, url, line);
		if (!url_ok(url)) {
			if (enter)
				bad_url(r, url, line);
		} else if (enter) {
			buf_puts(h, "<a href=\"");
			esc_str(h, url, true);
			buf_puts(h, "\">");
		} else {
			buf_puts(h, "</a>");
		}
		break;
	}
	case CMARK_NODE_IMAGE: {
		if (!enter)
			break;
		const char *url = cmark_node_get_url(n);
		struct buf alt;
		buf_init(&alt, r->a, 4096);
		inline_text(n, &alt);
		add_link(r, url, line);
		if (url_ok(url)) {
			buf_puts(h, "<img src=\"");
			esc_str(h, url, true);
			buf_puts(h, "\" alt=\"");
			esc(h, alt.data ? alt.data : "", alt.len, true);
			buf_puts(h, "\">");
		} else {
			bad_url(r, url, line);
			esc(h, alt.data ? alt.data : "", alt.len, false);
		}
		buf_append(&r->text, alt.data ? alt.data : "", alt.len);
		return true;
	}
	default:
		break; /* document, footnotes (not enabled), custom nodes: no markup */
	}
	return false;
}

static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static size_t count_words(const char *s, size_t n)
{
	size_t w = 0;
	bool in = false;
	for (size_t i = 0; i < n; i++) {
		bool space = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
		if (!space && !in)
			w++;
		in = !space;
	}
	return w;
}

int markdown_render(struct arena *a, const char *md, size_t len, const char *file, int first_line,
                    struct pack_problems *pr, struct md_result *out)
{
	memset(out, 0, sizeof *out);
	out->html = out->text = "";
	struct rctx r = {.a = a, .file = file ? file : "", .first_line = first_line, .pr = pr};
	if (len > PACK_MAX_FILE_BYTES) {
		if (pr &&
		    pack_problem(pr, r.file, first_line, "the page is over %d KiB",
		                 PACK_MAX_FILE_BYTES / 1024) != 0)
			return -ENOMEM;
		return -E2BIG;
	}
	pthread_once(&ext_once, register_extensions);
	/* CMARK_OPT_DEFAULT is safe in this cmark-gfm (raw HTML and dangerous
	 * URLs dropped by its renderer); this renderer does not use cmark's HTML
	 * output at all, so that holds regardless. */
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (!p)
		return -ENOMEM;
	static const char *const exts[] = {"table", "autolink", "strikethrough"};
	for (size_t i = 0; i < 3; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
		if (!e || !cmark_parser_attach_syntax_extension(p, e)) {
			cmark_parser_free(p);
			return -ENOSYS;
		}
	}
	cmark_parser_feed(p, md, len);
	cmark_node *doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	if (!doc)
		return -ENOMEM;

	buf_init(&r.html, a, HTML_MAX);
	buf_init(&r.text, a, PACK_MAX_FILE_BYTES * 2);
	r.line = 1;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while (!r.err && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (node(&r, n, ev == CMARK_EVENT_ENTER) && ev == CMARK_EVENT_ENTER)
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	if (r.err)
		return r.err;
	if (r.html.err || r.text.err)
		return r.html.err == -E2BIG || r.text.err == -E2BIG ? -E2BIG : -ENOMEM;
	out->html = buf_cstr(&r.html);
	out->text = buf_cstr(&r.text);
	out->toc = r.toc;
	out->n_toc = r.n_toc;
	out->links = r.links;
	out->n_links = r.n_links;
	out->words = count_words(r.text.data ? r.text.data : "", r.text.len);
	return 0;
}
