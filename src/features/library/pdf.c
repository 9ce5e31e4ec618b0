/* features/library/pdf.c — the print-ready guide; see pdf.h.
 *
 * One layout routine runs twice. The first pass has no cairo context: it
 * only measures, and records on which page (and where) each part, each h2
 * and the endnotes land. The second pass runs the same code with a PDF
 * surface and draws; the table of contents, which comes before the parts,
 * prints the numbers the first pass found. Both passes lay out the same
 * entries with a fixed-width number column, so the contents take the same
 * number of pages in both, and every later page lands where it did.
 *
 * Text is set with PangoLayouts made from one PangoContext of our own (72
 * dpi, so a pango point is a PDF point; metric hinting off, so the
 * measurements do not depend on the surface). Inline formatting is built
 * as a PangoAttrList beside the plain text: no untrusted byte is ever
 * parsed as markup, and the byte range of each link is known exactly, so
 * its clickable rectangles can be given to cairo line by line.
 *
 * Blocks are placed line by line, so a paragraph, a code block, a list
 * item or a table row can continue on the next page; two lines at least
 * stay together at each side of a break, and a heading never ends a page. */
#include "features/library/pdf.h"
#include "render/page.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pango/pangocairo.h>

#include "core/arena.h"
#include "core/buf.h"
#include "features/library/pack.h"

/* US Letter, in points. The text block is 6.25 in wide: about 75
 * characters of the body face a line, a comfortable measure for print. */
#define PAGE_W 612.0
#define PAGE_H 792.0
#define MARGIN_X 81.0
#define TEXT_W (PAGE_W - 2 * MARGIN_X)
#define TOP 78.0
#define BOTTOM (PAGE_H - 72.0)
#define HEADER_Y 46.0
#define FOOTER_Y (PAGE_H - 44.0)

#define SERIF "Charis SIL, DejaVu Serif, serif"
#define SANS "Lato, DejaVu Sans, sans-serif"
#define MONO "DejaVu Sans Mono, monospace"
#define BODY_SIZE 10.5
#define BODY_LEAD 1.45 /* line pitch, in multiples of the font's size */

#define COLOR_TEXT 0x1a1a1a
#define COLOR_MUTED 0x5f6368
#define COLOR_ACCENT 0x1f3a5f
#define COLOR_LINK 0x1f4e8c
#define COLOR_RULE 0xb8c0cc
#define COLOR_CODE_BG 0xf2f3f5
#define COLOR_HEAD_BG 0xe4eaf2
#define COLOR_DRAFT 0x8a4b00
#define COLOR_DRAFT_BG 0xfff3df

#define MAX_DEPTH 24 /* nested blocks laid out as such; deeper is flattened */
#define MAX_INDENT_DEPTH 6 /* nesting that still indents */
#define MAX_INLINE_DEPTH 64
#define MAX_TABLE_COLS 24
#define MAX_MEASURED_ROWS 200 /* rows that decide the column widths */
#define MAX_LABEL 2048 /* bytes of a title, label or date */
#define MAX_DISCLAIMER 8192
/* Pango's line breaking is quadratic in the length of a run without a
 * break opportunity (a 140 KB "word" takes seconds), and it gives up on a
 * layout of a few hundred kilobytes. So a run of MAX_RUN characters gets a
 * zero-width space (an invisible break opportunity), and the text of one
 * layout stops at MAX_TEXT bytes with an ellipsis: about 20 pages of one
 * paragraph, which no real guide has. */
#define MAX_RUN 160
#define MAX_TEXT (64 * 1024)
#define ZWSP "\xe2\x80\x8b"
#define LINK_RECTS 8 /* rectangles of one link on one page slice */
#define CREATOR "CSEC Toolkit"

#define PU(v) ((double)(v) / PANGO_SCALE)

enum toc_kind { TOC_PART, TOC_H2, TOC_NOTES };

struct toc_entry {
	enum toc_kind kind;
	const char *text;
	int part; /* index of the part (TOC_PART, TOC_H2) */
	int page;
	double y;
};

struct note {
	const char *url;
	const char *text;
};

struct span_link {
	int start, end; /* byte range in the layout's text */
	const char *uri; /* external, or NULL */
	int page; /* internal target when uri is NULL */
	double y;
};

/* The text of one paragraph (or heading, cell, entry) and its formatting. */
struct inl {
	struct ctx *c;
	GString *text;
	PangoAttrList *attrs;
	struct span_link *links;
	size_t n_links, cap_links;
	bool notes; /* number external links as endnotes */
	size_t run; /* characters since the last space */
	bool full; /* MAX_TEXT reached */
};

struct marker {
	const char *text;
	double size;
	double right; /* the marker's right edge */
};

struct bar {
	double x, y0;
};

struct part_doc {
	cmark_node *root;
	struct note *notes;
	size_t n_notes, cap_notes;
};

struct ctx {
	struct arena *a;
	const struct pdf_doc *doc;
	const struct pdf_labels *lb;
	PangoContext *pc;
	cairo_t *cr; /* NULL while measuring */
	cairo_surface_t *surface;
	int err;

	int page; /* physical page, from 1; 0 before the first */
	double y; /* where the next line goes */
	double pending; /* space owed before the next block */
	bool fresh; /* nothing placed on this page yet */
	double x, w; /* the current column */
	uint32_t color;
	const char *title; /* the guide's title, for the running header */
	const char *section; /* right side of the running header */
	bool no_header; /* this page opens a part */

	struct toc_entry *toc;
	size_t n_toc, toc_i; /* toc_i: the next entry the layout reaches */
	bool measured; /* toc[].page is known (second pass) */

	struct part_doc *parts;
	int part; /* the part being laid out, -1 outside */

	struct font_height {
		const char *family;
		int size, height, ascent, descent; /* pango units */
	} heights[24];
	size_t n_heights;

	struct marker markers[MAX_DEPTH];
	size_t n_markers;
	struct bar bars[MAX_DEPTH];
	size_t n_bars;
};

/* ---- small helpers ---------------------------------------------------- */

static void set_rgb(cairo_t *cr, uint32_t hex)
{
	cairo_set_source_rgb(cr, ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
	                     (hex & 0xff) / 255.0);
}

static PangoAttribute *color_attr(uint32_t hex)
{
	return pango_attr_foreground_new((guint16)(((hex >> 16) & 0xff) * 257),
	                                 (guint16)(((hex >> 8) & 0xff) * 257),
	                                 (guint16)((hex & 0xff) * 257));
}

static void oom(struct ctx *c)
{
	if (!c->err)
		c->err = -ENOMEM;
}

/* s as valid UTF-8 of at most max bytes, in the arena ("" for NULL). */
static const char *clean(struct ctx *c, const char *s, size_t max)
{
	if (!s)
		return "";
	size_t n = strnlen(s, max);
	gchar *v = g_utf8_make_valid(s, (gssize)n);
	for (char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' '; /* one line, no boxes of hex digits */
	char *r = arena_strdup(c->a, v);
	g_free(v);
	if (!r) {
		oom(c);
		return "";
	}
	return r;
}

/* A label with "{1}" replaced by value; NULL when the label is NULL. */
static const char *fill(struct ctx *c, const char *label, const char *value)
{
	if (!label)
		return NULL;
	label = clean(c, label, MAX_LABEL);
	const char *at = strstr(label, "{1}");
	if (!at)
		return label;
	char *r = arena_printf(c->a, "%.*s%s%s", (int)(at - label), label, value ? value : "",
	                       at + 3);
	if (!r)
		oom(c);
	return r ? r : "";
}

static PangoLayout *new_layout(struct ctx *c, const char *font, double size, double width)
{
	PangoLayout *l = pango_layout_new(c->pc);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0)
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	return l;
}

/* A one-style layout of plain text. weight: PANGO_WEIGHT_*. */
static PangoLayout *text_layout(struct ctx *c, const char *font, double size, double width,
                                PangoWeight weight, const char *text)
{
	PangoLayout *l = new_layout(c, font, size, width);
	if (weight != PANGO_WEIGHT_NORMAL) {
		PangoAttrList *al = pango_attr_list_new();
		pango_attr_list_insert(al, pango_attr_weight_new(weight));
		pango_layout_set_attributes(l, al);
		pango_attr_list_unref(al);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

/* Small capitals' poor cousin for labels: upper case, letter-spaced. */
static void caps(PangoLayout *l, double spacing)
{
	PangoAttrList *al = pango_layout_get_attributes(l);
	al = al ? pango_attr_list_copy(al) : pango_attr_list_new();
	pango_attr_list_insert(al, pango_attr_letter_spacing_new((int)(spacing * PANGO_SCALE)));
	pango_attr_list_insert(al, pango_attr_text_transform_new(PANGO_TEXT_TRANSFORM_UPPERCASE));
	pango_layout_set_attributes(l, al);
	pango_attr_list_unref(al);
}

/* Sets the distance between baselines to lead times the size of l's font.
 * Pango's spacing factor multiplies the font's own line height, which
 * varies a lot between faces (Charis SIL's is 1.7 em, Lato's 1.1 em), so
 * the factor is worked out from the font's metrics, remembered per face
 * and size. */
static void leading(struct ctx *c, PangoLayout *l, double lead)
{
	const PangoFontDescription *fd = pango_layout_get_font_description(l);
	if (!fd)
		return;
	const char *family = pango_font_description_get_family(fd);
	int size = pango_font_description_get_size(fd);
	struct font_height fh = {0};
	for (size_t i = 0; i < c->n_heights && !fh.family; i++)
		if (c->heights[i].size == size && strcmp(c->heights[i].family, family) == 0)
			fh = c->heights[i];
	if (!fh.family) {
		PangoFontMetrics *m = pango_context_get_metrics(c->pc, fd, NULL);
		fh = (struct font_height){
		        arena_strdup(c->a, family), size, pango_font_metrics_get_height(m),
		        pango_font_metrics_get_ascent(m), pango_font_metrics_get_descent(m)};
		pango_font_metrics_unref(m);
		if (!fh.family || fh.height <= 0 || fh.ascent + fh.descent <= 0)
			return;
		if (c->n_heights < sizeof c->heights / sizeof *c->heights)
			c->heights[c->n_heights++] = fh;
	}
	pango_layout_set_line_spacing(l, (float)(lead * size / fh.height));
	/* Pango spaces the baselines but leaves the first line its natural
	 * height; lines_of gives every line the same box around its baseline,
	 * split like the font's ascent and descent. */
	int pitch = (int)(lead * size);
	int above = (int)((double)pitch * fh.ascent / (fh.ascent + fh.descent));
	g_object_set_data(G_OBJECT(l), "csec-above", GINT_TO_POINTER(above));
	g_object_set_data(G_OBJECT(l), "csec-below", GINT_TO_POINTER(pitch - above));
}

static double layout_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return PU(h);
}

static double layout_width(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return PU(w);
}

/* Draws a whole layout with its top-left corner at (x, y). */
static void draw_at(struct ctx *c, PangoLayout *l, double x, double y, uint32_t color)
{
	if (!c->cr)
		return;
	set_rgb(c->cr, color);
	cairo_move_to(c->cr, x, y);
	pango_cairo_show_layout(c->cr, l);
}

static void hline(struct ctx *c, double x0, double x1, double y, double width, uint32_t color)
{
	if (!c->cr)
		return;
	set_rgb(c->cr, color);
	cairo_set_line_width(c->cr, width);
	cairo_move_to(c->cr, x0, y);
	cairo_line_to(c->cr, x1, y);
	cairo_stroke(c->cr);
}

static void fill_rect(struct ctx *c, double x, double y, double w, double h, uint32_t color)
{
	if (!c->cr)
		return;
	set_rgb(c->cr, color);
	cairo_rectangle(c->cr, x, y, w, h);
	cairo_fill(c->cr);
}

/* A cairo attribute string value: single-quoted, with ' and \ escaped;
 * anything outside printable ASCII is percent-encoded, so a hostile URL can
 * neither break the attribute syntax nor smuggle control characters. */
static const char *quote_uri(struct ctx *c, const char *uri)
{
	struct buf b;
	buf_init(&b, c->a, 8192);
	buf_putc(&b, '\'');
	for (const unsigned char *p = (const unsigned char *)uri; *p; p++) {
		if (*p == '\'' || *p == '\\') {
			buf_putc(&b, '\\');
			buf_putc(&b, (char)*p);
		} else if (*p <= 0x20 || *p >= 0x7f) {
			buf_printf(&b, "%%%02X", *p);
		} else {
			buf_putc(&b, (char)*p);
		}
	}
	buf_putc(&b, '\'');
	return b.err ? NULL : buf_cstr(&b);
}

/* ---- pages ------------------------------------------------------------ */

/* The rule beside a block quote, from where it started on this page down
 * to the cursor. */
static void draw_bar(struct ctx *c, const struct bar *b)
{
	if (!c->cr || c->y <= b->y0 + 1)
		return;
	set_rgb(c->cr, COLOR_RULE);
	cairo_set_line_width(c->cr, 2);
	cairo_move_to(c->cr, b->x, b->y0);
	cairo_line_to(c->cr, b->x, c->y);
	cairo_stroke(c->cr);
}

static void close_bars(struct ctx *c)
{
	for (size_t i = 0; i < c->n_bars; i++)
		draw_bar(c, &c->bars[i]);
}

static void chrome(struct ctx *c)
{
	if (!c->cr || c->page <= 1)
		return;
	char num[16];
	snprintf(num, sizeof num, "%d", c->page);
	PangoLayout *l = text_layout(c, SANS, 9, -1, PANGO_WEIGHT_NORMAL, num);
	draw_at(c, l, (PAGE_W - layout_width(l)) / 2, FOOTER_Y, COLOR_MUTED);
	g_object_unref(l);
	if (c->no_header)
		return;
	double half = TEXT_W / 2 - 12;
	l = text_layout(c, SANS, 8, half, PANGO_WEIGHT_NORMAL, c->title);
	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	draw_at(c, l, MARGIN_X, HEADER_Y, COLOR_MUTED);
	double h = layout_height(l);
	g_object_unref(l);
	if (c->section && *c->section) {
		l = text_layout(c, SANS, 8, half, PANGO_WEIGHT_NORMAL, c->section);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
		draw_at(c, l, PAGE_W - MARGIN_X - half, HEADER_Y, COLOR_MUTED);
		g_object_unref(l);
	}
	hline(c, MARGIN_X, PAGE_W - MARGIN_X, HEADER_Y + h + 4, 0.4, COLOR_RULE);
}

static void new_page(struct ctx *c)
{
	if (c->err)
		return;
	close_bars(c);
	if (c->page >= PDF_MAX_PAGES) {
		c->err = -E2BIG;
		return;
	}
	if (c->cr && c->page > 0)
		cairo_show_page(c->cr);
	c->page++;
	c->y = TOP;
	c->pending = 0;
	c->fresh = true;
	for (size_t i = 0; i < c->n_bars; i++)
		c->bars[i].y0 = TOP;
	chrome(c);
	c->no_header = false;
}

static void vspace(struct ctx *c, double s)
{
	if (s > c->pending)
		c->pending = s;
}

/* Applies the space owed, unless at the top of a page. */
static void take_space(struct ctx *c)
{
	if (!c->fresh)
		c->y += c->pending;
	c->pending = 0;
}

/* ---- links and placing lines ----------------------------------------- */

struct line_info {
	PangoLayoutLine *line;
	int y0, y1, base, x;
};

/* The lines of l with their positions (pango units). g_free the result. */
static struct line_info *lines_of(PangoLayout *l, int *n)
{
	int count = pango_layout_get_line_count(l);
	struct line_info *v = g_new0(struct line_info, count > 0 ? count : 1);
	int above = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(l), "csec-above"));
	int below = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(l), "csec-below"));
	PangoLayoutIter *it = pango_layout_get_iter(l);
	int i = 0;
	do {
		if (i >= count)
			break;
		PangoRectangle logical;
		v[i].line = pango_layout_iter_get_line_readonly(it);
		pango_layout_iter_get_line_yrange(it, &v[i].y0, &v[i].y1);
		v[i].base = pango_layout_iter_get_baseline(it);
		pango_layout_iter_get_line_extents(it, NULL, &logical);
		v[i].x = logical.x;
		if (above > 0) {
			v[i].y0 = v[i].base - above;
			v[i].y1 = v[i].base + below;
		}
		i++;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	*n = i;
	return v;
}

/* Link areas for lines [from, to) drawn with the layout's origin at
 * (ox, oy): one tag per link, with a rectangle per line it touches. */
static void link_tags(struct ctx *c, PangoLayout *l, const struct inl *in,
                      const struct line_info *li, int from, int to, double ox, double oy)
{
	if (!c->cr || !in || !in->n_links)
		return;
	const char *text = pango_layout_get_text(l);
	for (size_t k = 0; k < in->n_links; k++) {
		const struct span_link *s = &in->links[k];
		if (!s->uri && s->page <= 0)
			continue;
		struct buf b;
		buf_init(&b, c->a, 4096);
		int rects = 0;
		for (int i = from; i < to && rects < LINK_RECTS; i++) {
			int ls = li[i].line->start_index, le = ls + li[i].line->length;
			int a = s->start > ls ? s->start : ls, e = s->end < le ? s->end : le;
			if (a >= e)
				continue;
			int x0, x1;
			const char *last = g_utf8_find_prev_char(text, text + e);
			pango_layout_line_index_to_x(li[i].line, a, FALSE, &x0);
			pango_layout_line_index_to_x(li[i].line, last ? (int)(last - text) : a,
			                             TRUE, &x1);
			if (x1 < x0) {
				int t = x0;
				x0 = x1;
				x1 = t;
			}
			buf_printf(&b, "%s%.2f %.2f %.2f %.2f", rects ? " " : "rect=[",
			           ox + PU(li[i].x + x0), oy + PU(li[i].y0), PU(x1 - x0),
			           PU(li[i].y1 - li[i].y0));
			rects++;
		}
		if (!rects)
			continue;
		buf_puts(&b, "] ");
		if (s->uri) {
			const char *q = quote_uri(c, s->uri);
			if (!q)
				continue;
			buf_printf(&b, "uri=%s", q);
		} else {
			buf_printf(&b, "page=%d pos=[%.2f %.2f]", s->page, MARGIN_X, s->y);
		}
		if (b.err)
			continue;
		cairo_tag_begin(c->cr, CAIRO_TAG_LINK, buf_cstr(&b));
		cairo_tag_end(c->cr, CAIRO_TAG_LINK);
	}
}

/* Draws lines [from, to) of l so that line `from` starts at y. */
static void draw_lines(struct ctx *c, PangoLayout *l, const struct line_info *li, int from, int to,
                       double x, double y, const struct inl *in)
{
	if (from >= to)
		return;
	size_t n_markers = c->n_markers;
	c->n_markers = 0; /* list markers go with the first line drawn */
	if (!c->cr)
		return;
	double oy = y - PU(li[from].y0);
	if (n_markers) {
		for (size_t m = 0; m < n_markers; m++) {
			PangoLayout *ml = text_layout(c, SERIF, c->markers[m].size, -1,
			                              PANGO_WEIGHT_NORMAL, c->markers[m].text);
			int base = pango_layout_get_baseline(ml);
			set_rgb(c->cr, COLOR_ACCENT);
			cairo_move_to(c->cr, c->markers[m].right - layout_width(ml),
			              oy + PU(li[from].base - base));
			pango_cairo_show_layout(c->cr, ml);
			g_object_unref(ml);
		}
	}
	set_rgb(c->cr, c->color);
	for (int i = from; i < to; i++) {
		cairo_move_to(c->cr, x + PU(li[i].x), oy + PU(li[i].base));
		pango_cairo_show_layout_line(c->cr, li[i].line);
	}
	link_tags(c, l, in, li, from, to, x, oy);
}

struct place_opts {
	int keep; /* lines kept together at each side of a break */
	bool whole; /* never split (short blocks: headings, entries) */
	uint32_t bg; /* fill behind the text (0: none) */
	double pad; /* padding inside the fill */
};

/* Places layout l at the cursor in the current column, breaking pages
 * between lines as needed; advances the cursor. */
static void place(struct ctx *c, PangoLayout *l, double x, const struct inl *in,
                  const struct place_opts *o)
{
	if (c->err)
		return;
	take_space(c);
	int n;
	struct line_info *li = lines_of(l, &n);
	double pad = o ? o->pad : 0;
	int keep = o ? o->keep : 1;
	if (n > 0 && o && o->whole)
		keep = n;
	int i = 0;
	while (i < n && !c->err) {
		double avail = BOTTOM - c->y - 2 * pad;
		int k = 0;
		while (i + k < n && PU(li[i + k].y1 - li[i].y0) <= avail)
			k++;
		if (k < n - i) {
			int rest = n - i - k;
			int want = keep < n - i ? keep : n - i;
			if (rest < keep && k - (keep - rest) >= keep)
				k -= keep - rest; /* leave no lonely line on the next page */
			if (k < want && !c->fresh) {
				new_page(c);
				continue;
			}
			if (k == 0)
				k = 1; /* taller than a page: place it anyway */
		}
		double h = PU(li[i + k - 1].y1 - li[i].y0);
		if (o && o->bg)
			fill_rect(c, c->x, c->y, c->w, h + 2 * pad, o->bg);
		draw_lines(c, l, li, i, i + k, x, c->y + pad, in);
		c->y += h + 2 * pad;
		c->fresh = false;
		i += k;
		if (i < n)
			new_page(c);
	}
	g_free(li);
}

/* ---- inline text ------------------------------------------------------ */

static void inl_init(struct inl *in, struct ctx *c, bool notes)
{
	memset(in, 0, sizeof *in);
	in->c = c;
	in->text = g_string_new(NULL);
	in->attrs = pango_attr_list_new();
	in->notes = notes;
}

static void inl_free(struct inl *in)
{
	g_string_free(in->text, TRUE);
	pango_attr_list_unref(in->attrs);
}

/* Appends n bytes of UTF-8 to t, with a break opportunity in every run
 * of MAX_RUN characters without one; *run carries the run across calls.
 * Stops (and returns false) at MAX_TEXT bytes, ending with an ellipsis. */
static bool append_text(GString *t, const char *s, size_t n, size_t *run)
{
	const char *end = s + n;
	while (s < end) {
		const char *next = s + g_utf8_skip[(guchar)*s];
		if (next > end)
			next = end;
		if (t->len + (size_t)(next - s) + 3 > MAX_TEXT) {
			g_string_append(t, "\xe2\x80\xa6");
			return false;
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			/* Control characters would print as boxes of hex digits. */
			if (*s == '\n' || *s == '\t')
				g_string_append_c(t, *s == '\t' ? ' ' : '\n');
			*run = 0;
			s = next;
			continue;
		}
		if (*s == ' ') {
			*run = 0;
		} else if (++*run >= MAX_RUN) {
			g_string_append(t, ZWSP);
			*run = 0;
		}
		g_string_append_len(t, s, next - s);
		s = next;
	}
	return true;
}

static void inl_put(struct inl *in, const char *s)
{
	if (!in->full && s)
		in->full = !append_text(in->text, s, strlen(s), &in->run);
}

static void inl_attr(struct inl *in, PangoAttribute *at, size_t start, size_t end)
{
	at->start_index = (guint)start;
	at->end_index = (guint)end;
	pango_attr_list_insert(in->attrs, at);
}

static void inl_add_link(struct inl *in, size_t start, size_t end, const char *uri, int page,
                         double y)
{
	if (in->n_links == in->cap_links) {
		size_t cap = in->cap_links ? in->cap_links * 2 : 8;
		struct span_link *v = arena_calloc(in->c->a, cap, sizeof *v);
		if (!v) {
			oom(in->c);
			return;
		}
		if (in->n_links)
			memcpy(v, in->links, in->n_links * sizeof *v);
		in->links = v;
		in->cap_links = cap;
	}
	in->links[in->n_links++] = (struct span_link){(int)start, (int)end, uri, page, y};
}

static bool has_scheme(const char *url, const char *scheme)
{
	return g_ascii_strncasecmp(url, scheme, strlen(scheme)) == 0;
}

/* The part whose slug a link names ("slug", "/guide/slug", "guide/slug",
 * "../guide/slug", with an optional "#anchor"), or -1. */
static int part_of_link(struct ctx *c, const char *url)
{
	static const char *const prefixes[] = {"../guide/", "/guide/", "guide/", "./", ""};
	for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
		size_t pl = strlen(prefixes[p]);
		if (strncmp(url, prefixes[p], pl) != 0)
			continue;
		const char *s = url + pl;
		size_t sl = strcspn(s, "#?");
		for (size_t i = 0; i < c->doc->n_parts; i++) {
			const char *slug = c->doc->parts[i].slug;
			if (slug && *slug && strlen(slug) == sl && strncmp(s, slug, sl) == 0)
				return (int)i;
		}
	}
	return -1;
}

/* A link's target: an external URI (http, https, mailto, tel, or a path
 * made absolute with the base URL), an internal part, or nothing. */
static const char *resolve_link(struct ctx *c, const char *url, int *part)
{
	*part = -1;
	if (!url || !*url)
		return NULL;
	if (has_scheme(url, "http://") || has_scheme(url, "https://") ||
	    has_scheme(url, "mailto:") || has_scheme(url, "tel:"))
		return url;
	int p = part_of_link(c, url);
	if (p >= 0) {
		*part = p;
		return NULL;
	}
	const char *base = c->doc->base_url;
	if (url[0] == '/' && url[1] != '/' && base && *base) {
		size_t bl = strlen(base);
		while (bl && base[bl - 1] == '/')
			bl--;
		char *r = arena_printf(c->a, "%.*s%s", (int)bl, base, url);
		if (!r)
			oom(c);
		return r;
	}
	return NULL;
}

/* The endnote number of url in the current part (numbered from 1). */
static int note_number(struct ctx *c, const char *url, const char *text)
{
	if (c->part < 0)
		return 0;
	struct part_doc *pd = &c->parts[c->part];
	for (size_t i = 0; i < pd->n_notes; i++)
		if (strcmp(pd->notes[i].url, url) == 0)
			return (int)i + 1;
	if (pd->n_notes == pd->cap_notes) {
		size_t cap = pd->cap_notes ? pd->cap_notes * 2 : 16;
		struct note *v = arena_calloc(c->a, cap, sizeof *v);
		if (!v) {
			oom(c);
			return 0;
		}
		if (pd->n_notes)
			memcpy(v, pd->notes, pd->n_notes * sizeof *v);
		pd->notes = v;
		pd->cap_notes = cap;
	}
	const char *u = arena_strdup(c->a, url), *t = arena_strdup(c->a, text);
	if (!u || !t) {
		oom(c);
		return 0;
	}
	pd->notes[pd->n_notes++] = (struct note){u, t};
	return (int)pd->n_notes;
}

/* The internal target of part p: where its title landed (second pass). */
static void part_target(struct ctx *c, int p, int *page, double *y)
{
	*page = 0;
	*y = 0;
	if (!c->measured)
		return;
	for (size_t i = 0; i < c->n_toc; i++)
		if (c->toc[i].kind == TOC_PART && c->toc[i].part == p) {
			*page = c->toc[i].page;
			*y = c->toc[i].y;
			return;
		}
}

static void end_link(struct inl *in, cmark_node *node, size_t start)
{
	struct ctx *c = in->c;
	size_t end = in->text->len;
	int part;
	const char *uri = resolve_link(c, cmark_node_get_url(node), &part);
	if (end == start || (!uri && part < 0))
		return;
	inl_attr(in, color_attr(COLOR_LINK), start, end);
	if (part >= 0) {
		int page;
		double y;
		part_target(c, part, &page, &y);
		inl_add_link(in, start, end, NULL, page, y);
		return;
	}
	inl_add_link(in, start, end, uri, 0, 0);
	if (!in->notes)
		return;
	/* The address is printed in the endnotes, unless the text already is
	 * the address (an autolink). */
	const char *text = in->text->str + start;
	size_t tl = end - start;
	if ((strlen(uri) == tl && strncmp(uri, text, tl) == 0) ||
	    (has_scheme(uri, "mailto:") && strlen(uri) == tl + 7 &&
	     strncmp(uri + 7, text, tl) == 0))
		return;
	char *label = g_strndup(text, tl);
	int num = note_number(c, uri, label);
	g_free(label);
	if (num <= 0)
		return;
	char mark[16];
	snprintf(mark, sizeof mark, "%d", num);
	size_t ms = in->text->len;
	g_string_append(in->text, mark);
	inl_attr(in, pango_attr_rise_new(4 * PANGO_SCALE), ms, in->text->len);
	inl_attr(in, pango_attr_scale_new(0.66), ms, in->text->len);
	inl_attr(in, color_attr(COLOR_LINK), ms, in->text->len);
}

static bool is_ext(cmark_node *n, const char *name)
{
	const char *t = cmark_node_get_type_string(n);
	return t && strcmp(t, name) == 0;
}

/* Appends the inline content of block node `node`. Iterative (cmark_iter),
 * so hostile nesting cannot exhaust the stack; formatting deeper than
 * MAX_INLINE_DEPTH is dropped, the text kept. */
static void inl_node(struct inl *in, cmark_node *node)
{
	size_t starts[MAX_INLINE_DEPTH];
	int depth = 0;
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (n == node)
			continue;
		cmark_node_type t = cmark_node_get_type(n);
		switch (t) {
		case CMARK_NODE_TEXT:
			inl_put(in, cmark_node_get_literal(n));
			continue;
		case CMARK_NODE_CODE: {
			size_t s = in->text->len;
			inl_put(in, cmark_node_get_literal(n));
			inl_attr(in, pango_attr_family_new(MONO), s, in->text->len);
			inl_attr(in, pango_attr_scale_new(0.86), s, in->text->len);
			continue;
		}
		case CMARK_NODE_SOFTBREAK:
			inl_put(in, " ");
			continue;
		case CMARK_NODE_LINEBREAK:
			inl_put(in, "\xe2\x80\xa8"); /* LINE SEPARATOR */
			in->run = 0;
			continue;
		case CMARK_NODE_HTML_INLINE:
			continue; /* raw HTML never reaches the page */
		default:
			break;
		}
		if (ev == CMARK_EVENT_ENTER) {
			if (depth < MAX_INLINE_DEPTH)
				starts[depth] = in->text->len;
			depth++;
			continue;
		}
		depth--;
		if (depth < 0 || depth >= MAX_INLINE_DEPTH)
			continue;
		size_t s = starts[depth], e = in->text->len;
		if (t == CMARK_NODE_EMPH || t == CMARK_NODE_IMAGE)
			inl_attr(in, pango_attr_style_new(PANGO_STYLE_ITALIC), s, e);
		else if (t == CMARK_NODE_STRONG)
			inl_attr(in, pango_attr_weight_new(PANGO_WEIGHT_BOLD), s, e);
		else if (t == CMARK_NODE_LINK)
			end_link(in, n, s);
		else if (is_ext(n, "strikethrough"))
			inl_attr(in, pango_attr_strikethrough_new(TRUE), s, e);
	}
	cmark_iter_free(it);
}

/* The plain text of a node's inlines (for the contents and the outline). */
static const char *plain_text(struct ctx *c, cmark_node *node)
{
	GString *s = g_string_new(NULL);
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_CODE_BLOCK) {
			const char *lit = cmark_node_get_literal(n);
			g_string_append(s, lit ? lit : "");
		} else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK ||
		           (t == CMARK_NODE_PARAGRAPH && s->len)) {
			g_string_append_c(s, ' ');
		}
	}
	cmark_iter_free(it);
	char *r = arena_strdup(c->a, s->str);
	g_string_free(s, TRUE);
	if (!r)
		oom(c);
	return r ? r : "";
}

/* A layout of in's text and formatting; it keeps its own references. */
static PangoLayout *inl_layout(struct ctx *c, struct inl *in, const char *font, double size,
                               double width)
{
	PangoLayout *l = new_layout(c, font, size, width);
	pango_layout_set_text(l, in->text->str, (int)in->text->len);
	pango_layout_set_attributes(l, in->attrs);
	return l;
}

/* ---- blocks ----------------------------------------------------------- */

static void blocks(struct ctx *c, cmark_node *parent, int depth, bool tight);

static void text_block(struct ctx *c, struct inl *in, double after)
{
	PangoLayout *l = inl_layout(c, in, SERIF, BODY_SIZE, c->w);
	leading(c, l, BODY_LEAD);
	place(c, l, c->x, in, &(struct place_opts){.keep = 2});
	g_object_unref(l);
	vspace(c, after);
}

static void paragraph(struct ctx *c, cmark_node *n, bool tight)
{
	struct inl in;
	inl_init(&in, c, true);
	inl_node(&in, n);
	if (in.text->len || c->n_markers)
		text_block(c, &in, tight ? 2.5 : 7.5);
	inl_free(&in);
}

/* Records where a contents entry landed (first pass), in layout order. */
static void toc_mark(struct ctx *c, enum toc_kind kind, double y)
{
	if (c->toc_i >= c->n_toc || c->toc[c->toc_i].kind != kind) {
		if (!c->err)
			c->err = -EIO; /* the collected entries and the layout disagree */
		return;
	}
	struct toc_entry *e = &c->toc[c->toc_i++];
	if (!c->measured) {
		e->page = c->page;
		e->y = y;
	} else if (e->page != c->page) {
		if (!c->err)
			c->err = -EIO; /* the drawing pass went astray: the contents would lie */
	}
}

static void heading(struct ctx *c, cmark_node *n, int depth)
{
	int level = cmark_node_get_heading_level(n);
	bool in_toc = depth == 0 && level <= 2;
	if (level < 2)
		level = 2;
	double size = level == 2 ? 14.5 : level == 3 ? 11.5 : 10.5;
	double before = level == 2 ? 20 : level == 3 ? 14 : 11;
	struct inl in;
	inl_init(&in, c, true);
	inl_node(&in, n);
	pango_attr_list_insert_before(in.attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD));
	PangoLayout *l = inl_layout(c, &in, SANS, size, c->w);
	leading(c, l, 1.2);
	/* Keep with the next block: the heading and two lines of text must fit. */
	vspace(c, before);
	double need = (c->fresh ? 0 : c->pending) + layout_height(l) + 2 * BODY_SIZE * 1.6 + 8;
	if (c->y + need > BOTTOM && !c->fresh)
		new_page(c);
	take_space(c);
	if (in_toc)
		toc_mark(c, TOC_H2, c->y);
	uint32_t saved = c->color;
	c->color = level == 2 ? COLOR_ACCENT : COLOR_TEXT;
	place(c, l, c->x, &in, &(struct place_opts){.whole = true});
	c->color = saved;
	g_object_unref(l);
	inl_free(&in);
	vspace(c, level == 2 ? 6 : 4);
}

static void code_block(struct ctx *c, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);
	size_t len = lit ? strlen(lit) : 0;
	while (len && (lit[len - 1] == '\n' || lit[len - 1] == '\r'))
		len--;
	double pad = 6;
	PangoLayout *l = new_layout(c, MONO, 8.5, c->w - 2 * pad);
	GString *t = g_string_new(NULL);
	size_t run = 0;
	append_text(t, lit ? lit : "", len, &run);
	pango_layout_set_text(l, t->str, (int)t->len);
	g_string_free(t, TRUE);
	leading(c, l, 1.35);
	vspace(c, 6);
	place(c, l, c->x + pad, NULL,
	      &(struct place_opts){.keep = 2, .bg = COLOR_CODE_BG, .pad = pad});
	g_object_unref(l);
	vspace(c, 9);
}

static void thematic_break(struct ctx *c)
{
	vspace(c, 10);
	take_space(c);
	if (c->y + 12 > BOTTOM) {
		new_page(c);
		return;
	}
	double mid = c->x + c->w / 2;
	hline(c, mid - 36, mid + 36, c->y + 4, 0.6, COLOR_RULE);
	c->y += 8;
	c->fresh = false;
	vspace(c, 10);
}

static void push_marker(struct ctx *c, const char *text, double size, double right)
{
	if (text && c->n_markers < MAX_DEPTH)
		c->markers[c->n_markers++] = (struct marker){text, size, right};
}

static void list(struct ctx *c, cmark_node *n, int depth)
{
	static const char *const bullets[] = {"\xe2\x80\xa2", "\xe2\x80\x93", "\xe2\x97\xa6"};
	bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	bool tight = cmark_node_get_list_tight(n);
	int num = cmark_node_get_list_start(n);
	const char *delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ")" : ".";
	double indent = ordered ? 22 : 16;
	if (depth >= MAX_INDENT_DEPTH || c->w - indent < 144)
		indent = 0;
	vspace(c, tight ? 4 : 6);
	for (cmark_node *item = cmark_node_first_child(n); item && !c->err;
	     item = cmark_node_next(item)) {
		const char *mark = ordered ? arena_printf(c->a, "%d%s", num++, delim)
		                           : bullets[(size_t)depth % 3];
		if (!mark) {
			oom(c);
			return;
		}
		double x = c->x, w = c->w;
		c->x += indent;
		c->w -= indent;
		if (indent > 0) /* deeper, there is no room left for it */
			push_marker(c, mark, BODY_SIZE, c->x - 5);
		blocks(c, item, depth + 1, tight);
		if (c->n_markers) { /* an empty item: its marker alone */
			struct inl in;
			inl_init(&in, c, false);
			text_block(c, &in, tight ? 2.5 : 7.5);
			inl_free(&in);
			c->n_markers = 0;
		}
		c->x = x;
		c->w = w;
	}
	vspace(c, tight ? 6 : 7.5);
}

static void block_quote(struct ctx *c, cmark_node *n, int depth)
{
	vspace(c, 6);
	take_space(c);
	double inset = c->w > 180 ? 16 : 0;
	double x = c->x, w = c->w;
	uint32_t color = c->color;
	bool pushed = c->n_bars < MAX_DEPTH;
	if (pushed)
		c->bars[c->n_bars++] = (struct bar){c->x + 3, c->y};
	c->x += inset;
	c->w -= inset;
	c->color = 0x3c4043;
	blocks(c, n, depth + 1, false);
	c->pending = 0;
	if (pushed)
		draw_bar(c, &c->bars[--c->n_bars]);
	c->x = x;
	c->w = w;
	c->color = color;
	vspace(c, 8);
}

/* ---- tables ----------------------------------------------------------- */

struct cell {
	PangoLayout *l;
	struct inl in;
	struct line_info *li;
	int n, next; /* lines, and the first not yet drawn */
};

#define CELL_PAD_X 5.0
#define CELL_PAD_Y 3.5
#define CELL_SIZE 9.0

static int row_cells(cmark_node *row, cmark_node **cells, int max)
{
	int n = 0;
	for (cmark_node *cell = cmark_node_first_child(row); cell && n < max;
	     cell = cmark_node_next(cell))
		cells[n++] = cell;
	return n;
}

static void make_cells(struct ctx *c, cmark_node *row, int cols, const double *widths, bool header,
                       struct cell *cells)
{
	cmark_node *nodes[MAX_TABLE_COLS];
	int n = row_cells(row, nodes, cols);
	for (int i = 0; i < cols; i++) {
		struct cell *ce = &cells[i];
		inl_init(&ce->in, c, true);
		if (i < n)
			inl_node(&ce->in, nodes[i]);
		if (header)
			inl_attr(&ce->in, pango_attr_weight_new(PANGO_WEIGHT_BOLD), 0,
			         ce->in.text->len);
		ce->l = inl_layout(c, &ce->in, SANS, CELL_SIZE, widths[i] - 2 * CELL_PAD_X);
		leading(c, ce->l, 1.3);
		ce->li = lines_of(ce->l, &ce->n);
		ce->next = 0;
	}
}

static void free_cells(struct cell *cells, int cols)
{
	for (int i = 0; i < cols; i++) {
		g_free(cells[i].li);
		g_object_unref(cells[i].l);
		inl_free(&cells[i].in);
	}
}

static double cells_height(const struct cell *cells, int cols)
{
	double h = 0;
	for (int i = 0; i < cols; i++) {
		const struct cell *ce = &cells[i];
		if (ce->next < ce->n) {
			double ch = PU(ce->li[ce->n - 1].y1 - ce->li[ce->next].y0);
			if (ch > h)
				h = ch;
		}
	}
	return h + 2 * CELL_PAD_Y;
}

/* Draws what fits of a row in height avail (all of it when it fits). */
static void row_slice(struct ctx *c, struct cell *cells, int cols, const double *widths,
                      bool header, double avail)
{
	double h = 0;
	int take[MAX_TABLE_COLS];
	for (int i = 0; i < cols; i++) {
		struct cell *ce = &cells[i];
		int k = 0;
		while (ce->next + k < ce->n &&
		       PU(ce->li[ce->next + k].y1 - ce->li[ce->next].y0) + 2 * CELL_PAD_Y <= avail)
			k++;
		if (k == 0 && ce->next < ce->n && c->fresh)
			k = 1;
		take[i] = k;
		if (k) {
			double ch = PU(ce->li[ce->next + k - 1].y1 - ce->li[ce->next].y0);
			if (ch > h)
				h = ch;
		}
	}
	h += 2 * CELL_PAD_Y;
	double x = c->x;
	if (header)
		fill_rect(c, c->x, c->y, c->w, h, COLOR_HEAD_BG);
	uint32_t saved = c->color;
	c->color = COLOR_TEXT;
	for (int i = 0; i < cols; i++) {
		struct cell *ce = &cells[i];
		draw_lines(c, ce->l, ce->li, ce->next, ce->next + take[i], x + CELL_PAD_X,
		           c->y + CELL_PAD_Y, &ce->in);
		ce->next += take[i];
		if (c->cr) {
			set_rgb(c->cr, 0x9aa3ae);
			cairo_set_line_width(c->cr, 0.5);
			cairo_rectangle(c->cr, x, c->y, widths[i], h);
			cairo_stroke(c->cr);
		}
		x += widths[i];
	}
	c->color = saved;
	c->y += h;
	c->fresh = false;
}

static void column_widths(struct ctx *c, cmark_node *table, int cols, double *w)
{
	double nat[MAX_TABLE_COLS] = {0}, min[MAX_TABLE_COLS] = {0};
	int rows = 0;
	for (cmark_node *row = cmark_node_first_child(table); row && rows < MAX_MEASURED_ROWS;
	     row = cmark_node_next(row), rows++) {
		cmark_node *nodes[MAX_TABLE_COLS];
		int n = row_cells(row, nodes, cols);
		for (int i = 0; i < n; i++) {
			struct inl in;
			inl_init(&in, c, false);
			inl_node(&in, nodes[i]);
			if (cmark_gfm_extensions_get_table_row_is_header(row))
				inl_attr(&in, pango_attr_weight_new(PANGO_WEIGHT_BOLD), 0,
				         in.text->len);
			PangoLayout *l = inl_layout(c, &in, SANS, CELL_SIZE, -1);
			double nw = layout_width(l) + 2 * CELL_PAD_X + 1;
			pango_layout_set_wrap(l, PANGO_WRAP_WORD);
			pango_layout_set_width(l, 1);
			double mw = layout_width(l) + 2 * CELL_PAD_X + 1;
			g_object_unref(l);
			inl_free(&in);
			if (nw > nat[i])
				nat[i] = nw;
			if (mw > min[i])
				min[i] = mw;
		}
	}
	/* Columns narrower than their fair share get their natural width;
	 * the rest share what is left in proportion to their natural width,
	 * but never below their longest word while that fits. Then the table
	 * is stretched to the full measure. */
	double total = c->w, left = total;
	bool set[MAX_TABLE_COLS] = {false};
	int open = cols;
	for (int i = 0; i < cols; i++) {
		if (min[i] > total / 2)
			min[i] = total / 2; /* a long word may wrap inside itself */
		if (nat[i] < min[i])
			nat[i] = min[i];
		if (nat[i] < 24)
			nat[i] = 24;
	}
	for (bool changed = true; changed && open;) {
		changed = false;
		for (int i = 0; i < cols; i++)
			if (!set[i] && nat[i] <= left / open) {
				w[i] = nat[i];
				left -= nat[i];
				set[i] = true;
				open--;
				changed = true;
			}
	}
	if (open) {
		double snat = 0, smin = 0;
		for (int i = 0; i < cols; i++)
			if (!set[i]) {
				snat += nat[i];
				smin += min[i];
			}
		for (int i = 0; i < cols; i++)
			if (!set[i])
				w[i] = smin < left ? min[i] +
				                (nat[i] - min[i]) * (left - smin) /
				                        (snat - smin > 0 ? snat - smin : 1)
				                   : left * min[i] / (smin > 0 ? smin : 1);
	}
	double sum = 0;
	for (int i = 0; i < cols; i++)
		sum += w[i];
	for (int i = 0; i < cols; i++)
		w[i] = sum > 0 ? w[i] * total / sum : total / cols;
}

static void table(struct ctx *c, cmark_node *t)
{
	int cols = cmark_gfm_extensions_get_table_columns(t);
	if (cols <= 0)
		return;
	if (cols > MAX_TABLE_COLS)
		cols = MAX_TABLE_COLS;
	double widths[MAX_TABLE_COLS];
	column_widths(c, t, cols, widths);
	cmark_node *head = cmark_node_first_child(t);
	bool has_head = head && cmark_gfm_extensions_get_table_row_is_header(head);
	struct cell cells[MAX_TABLE_COLS], hcells[MAX_TABLE_COLS];
	vspace(c, 8);
	take_space(c);
	bool first = true;
	for (cmark_node *row = head; row && !c->err; row = cmark_node_next(row)) {
		bool is_head = has_head && row == head;
		make_cells(c, row, cols, widths, is_head, cells);
		double h = cells_height(cells, cols);
		/* The header row stays with the first body row. */
		double need = h;
		if (is_head && cmark_node_next(row))
			need += CELL_SIZE * 3;
		if (c->y + need > BOTTOM && !c->fresh && (first || h <= BOTTOM - TOP - 40)) {
			new_page(c);
			if (!is_head && has_head && !c->err) {
				make_cells(c, head, cols, widths, true, hcells);
				row_slice(c, hcells, cols, widths, true, BOTTOM - c->y);
				free_cells(hcells, cols);
			}
		}
		first = false;
		while (!c->err) {
			row_slice(c, cells, cols, widths, is_head, BOTTOM - c->y);
			bool done = true;
			for (int i = 0; i < cols; i++)
				if (cells[i].next < cells[i].n)
					done = false;
			if (done)
				break;
			new_page(c);
		}
		free_cells(cells, cols);
	}
	vspace(c, 10);
}

/* A subtree too deep to lay out as blocks: its text as one paragraph. */
static void flattened(struct ctx *c, cmark_node *n)
{
	struct inl in;
	inl_init(&in, c, false);
	const char *t = plain_text(c, n);
	inl_put(&in, t);
	if (in.text->len)
		text_block(c, &in, 6);
	inl_free(&in);
}

static void block(struct ctx *c, cmark_node *n, int depth, bool tight)
{
	if (c->err)
		return;
	if (depth > MAX_DEPTH) {
		flattened(c, n);
		return;
	}
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH:
		paragraph(c, n, tight);
		return;
	case CMARK_NODE_HEADING:
		heading(c, n, depth);
		return;
	case CMARK_NODE_LIST:
		list(c, n, depth);
		return;
	case CMARK_NODE_BLOCK_QUOTE:
		block_quote(c, n, depth);
		return;
	case CMARK_NODE_CODE_BLOCK:
		code_block(c, n);
		return;
	case CMARK_NODE_THEMATIC_BREAK:
		thematic_break(c);
		return;
	case CMARK_NODE_HTML_BLOCK:
		return; /* raw HTML never reaches the page */
	default:
		break;
	}
	if (is_ext(n, "table"))
		table(c, n);
	else
		blocks(c, n, depth + 1, tight);
}

static void blocks(struct ctx *c, cmark_node *parent, int depth, bool tight)
{
	for (cmark_node *n = cmark_node_first_child(parent); n && !c->err; n = cmark_node_next(n))
		block(c, n, depth, tight);
}

/* ---- the booklet's own pages ----------------------------------------- */

/* A big title at the top of a new page (a part, the contents, the notes). */
static void opening(struct ctx *c, const char *label, const char *title, int kind)
{
	c->section = title;
	c->no_header = true;
	new_page(c);
	c->y = TOP + 40;
	double y0 = c->y;
	if (label && *label) {
		PangoLayout *l = text_layout(c, SANS, 10, TEXT_W, PANGO_WEIGHT_BOLD, label);
		caps(l, 1.5);
		draw_at(c, l, MARGIN_X, c->y, COLOR_ACCENT);
		c->y += layout_height(l) + 6;
		g_object_unref(l);
	}
	if (kind >= 0)
		toc_mark(c, (enum toc_kind)kind, y0);
	PangoLayout *l = text_layout(c, SANS, 24, TEXT_W, PANGO_WEIGHT_BOLD, title);
	leading(c, l, 1.15);
	draw_at(c, l, MARGIN_X, c->y, COLOR_TEXT);
	c->y += layout_height(l) + 10;
	g_object_unref(l);
	if (c->cr) {
		set_rgb(c->cr, COLOR_ACCENT);
		cairo_rectangle(c->cr, MARGIN_X, c->y, 54, 3);
		cairo_fill(c->cr);
	}
	c->y += 30;
	c->fresh = false;
}

static void cover(struct ctx *c)
{
	const struct pdf_doc *d = c->doc;
	new_page(c);
	PangoLayout *title = text_layout(c, SANS, 30, TEXT_W, PANGO_WEIGHT_BOLD, c->title);
	leading(c, title, 1.12);
	double th = layout_height(title);
	double band = th + 190 > 330 ? th + 190 : 330;
	if (band > PAGE_H / 2)
		band = PAGE_H / 2;
	fill_rect(c, 0, 0, PAGE_W, band, COLOR_ACCENT);
	const char *provider = d->provider && *d->provider
	        ? fill(c, c->lb->provided_by, clean(c, d->provider, MAX_LABEL))
	        : NULL;
	if (provider && *provider) {
		PangoLayout *l = text_layout(c, SANS, 9.5, TEXT_W, PANGO_WEIGHT_BOLD, provider);
		caps(l, 1.2);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		draw_at(c, l, MARGIN_X, 64, 0xc9d6e8);
		g_object_unref(l);
	}
	double ty = band - 48 - th;
	if (ty < 100)
		ty = 100;
	draw_at(c, title, MARGIN_X, ty, 0xffffff);
	g_object_unref(title);
	if (c->cr) {
		set_rgb(c->cr, 0xf2b632);
		cairo_rectangle(c->cr, MARGIN_X, band - 30, 54, 3);
		cairo_fill(c->cr);
	}

	c->y = band + 40;
	c->fresh = false;
	if (d->subtitle && *d->subtitle) {
		const char *s = fill(c, c->lb->prepared_for, clean(c, d->subtitle, MAX_LABEL));
		if (s && *s) {
			PangoLayout *l = text_layout(c, SANS, 16, TEXT_W, PANGO_WEIGHT_NORMAL, s);
			place(c, l, MARGIN_X, NULL, &(struct place_opts){.whole = true});
			g_object_unref(l);
			c->y += 8;
		}
	}
	if (d->as_of && *d->as_of) {
		const char *s = fill(c, c->lb->as_of, clean(c, d->as_of, MAX_LABEL));
		if (s && *s) {
			PangoLayout *l = text_layout(c, SANS, 10.5, TEXT_W, PANGO_WEIGHT_NORMAL, s);
			uint32_t saved = c->color;
			c->color = COLOR_MUTED;
			place(c, l, MARGIN_X, NULL, &(struct place_opts){.whole = true});
			c->color = saved;
			g_object_unref(l);
		}
	}
	if (d->draft && c->lb->draft) {
		const char *s = clean(c, c->lb->draft, MAX_LABEL);
		c->y += 22;
		PangoLayout *l = text_layout(c, SANS, 10.5, TEXT_W - 28, PANGO_WEIGHT_BOLD, s);
		double h = layout_height(l) + 16;
		fill_rect(c, MARGIN_X, c->y, TEXT_W, h, COLOR_DRAFT_BG);
		fill_rect(c, MARGIN_X, c->y, 4, h, COLOR_DRAFT);
		draw_at(c, l, MARGIN_X + 16, c->y + 8, COLOR_DRAFT);
		c->y += h;
		g_object_unref(l);
	}
	if (d->disclaimer && *d->disclaimer) {
		const char *s = clean(c, d->disclaimer, MAX_DISCLAIMER);
		PangoLayout *l = text_layout(c, SERIF, 8.5, TEXT_W, PANGO_WEIGHT_NORMAL, s);
		leading(c, l, 1.45);
		double h = layout_height(l);
		double y = BOTTOM - h;
		if (y > c->y + 24) {
			hline(c, MARGIN_X, MARGIN_X + 54, y - 12, 0.6, COLOR_RULE);
			c->y = y;
		} else {
			c->y += 24;
		}
		uint32_t saved = c->color;
		c->color = COLOR_MUTED;
		place(c, l, MARGIN_X, NULL, &(struct place_opts){.keep = 2});
		c->color = saved;
		g_object_unref(l);
	}
}

/* One line of the contents: the text, dot leaders, the page number; the
 * whole entry is a link to where it points. */
static void toc_line(struct ctx *c, const struct toc_entry *e, const char *label)
{
	bool top = e->kind != TOC_H2;
	double indent = e->kind == TOC_H2 ? 58 : 0;
	double numw = 36;
	double gutter = 58; /* the "Part N" column */
	double x = MARGIN_X + (top ? gutter : indent);
	double width = TEXT_W - (x - MARGIN_X) - numw - 12;
	PangoLayout *l = text_layout(c, top ? SANS : SERIF, top ? 11 : 10, width,
	                             top ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL, e->text);
	leading(c, l, 1.3);
	vspace(c, top ? 11 : 2.5);
	take_space(c);
	if (c->y + layout_height(l) + (top ? 40 : 0) > BOTTOM && !c->fresh)
		new_page(c);
	double y = c->y;
	if (label && *label) {
		PangoLayout *ll = text_layout(c, SANS, 9, gutter - 6, PANGO_WEIGHT_NORMAL, label);
		int base = pango_layout_get_baseline(ll), b0 = pango_layout_get_baseline(l);
		draw_at(c, ll, MARGIN_X, y + PU(b0 - base), COLOR_ACCENT);
		g_object_unref(ll);
	}
	uint32_t saved = c->color;
	c->color = top ? COLOR_TEXT : 0x2b2b2b;
	place(c, l, x, NULL, &(struct place_opts){.whole = true});
	c->color = saved;
	if (c->cr) {
		int n;
		struct line_info *li = lines_of(l, &n);
		if (n > 0) {
			const struct line_info *last = &li[n - 1];
			double base = y + PU(last->base - li[0].y0);
			PangoRectangle lr;
			pango_layout_line_get_extents(last->line, NULL, &lr);
			double end = x + PU(last->x) + PU(lr.width);
			char num[16];
			snprintf(num, sizeof num, "%d", c->measured ? e->page : 0);
			PangoLayout *nl =
			        text_layout(c, SANS, top ? 11 : 10, -1,
			                    top ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL, num);
			double nw = layout_width(nl);
			double nx = PAGE_W - MARGIN_X - nw;
			int nb = pango_layout_get_baseline(nl);
			draw_at(c, nl, nx, base - PU(nb), top ? COLOR_TEXT : 0x2b2b2b);
			g_object_unref(nl);
			/* Leaders on a fixed grid, so the dots of all lines align. */
			set_rgb(c->cr, COLOR_MUTED);
			cairo_new_path(c->cr);
			for (double dx = MARGIN_X + 6 * (double)(int)((end + 8 - MARGIN_X) / 6 + 1);
			     dx < nx - 6; dx += 6) {
				cairo_arc(c->cr, dx, base - 0.6, 0.55, 0, 2 * G_PI);
				cairo_fill(c->cr);
			}
			if (c->measured && e->page > 0) {
				char attrs[128];
				snprintf(attrs, sizeof attrs,
				         "rect=[%.2f %.2f %.2f %.2f] page=%d pos=[%.2f %.2f]",
				         MARGIN_X, y, TEXT_W, c->y - y, e->page, MARGIN_X, e->y);
				cairo_tag_begin(c->cr, CAIRO_TAG_LINK, attrs);
				cairo_tag_end(c->cr, CAIRO_TAG_LINK);
			}
		}
		g_free(li);
	}
	g_object_unref(l);
}

static void contents(struct ctx *c)
{
	const char *title = clean(c, c->lb->contents, MAX_LABEL);
	opening(c, NULL, title, -1); /* the contents are not an entry */
	c->y -= 12;
	for (size_t i = 0; i < c->n_toc && !c->err; i++) {
		const struct toc_entry *e = &c->toc[i];
		const char *label = NULL;
		if (e->kind == TOC_PART) {
			char n[16];
			snprintf(n, sizeof n, "%d", e->part + 1);
			label = fill(c, c->lb->part, n);
		}
		toc_line(c, e, label);
	}
}

static void part(struct ctx *c, size_t i)
{
	char n[16];
	snprintf(n, sizeof n, "%d", (int)i + 1);
	c->part = (int)i;
	c->x = MARGIN_X;
	c->w = TEXT_W;
	const char *title = clean(c, c->doc->parts[i].title, MAX_LABEL);
	opening(c, fill(c, c->lb->part, n), title, TOC_PART);
	blocks(c, c->parts[i].root, 0, false);
	c->n_markers = 0;
	c->part = -1;
}

/* A small heading inside the endnotes. */
static void note_heading(struct ctx *c, const char *text, double size, double before)
{
	PangoLayout *l = text_layout(c, SANS, size, TEXT_W, PANGO_WEIGHT_BOLD, text);
	vspace(c, before);
	double need = (c->fresh ? 0 : c->pending) + layout_height(l) + 3 * 13;
	if (c->y + need > BOTTOM && !c->fresh)
		new_page(c);
	uint32_t saved = c->color;
	c->color = size > 11 ? COLOR_ACCENT : COLOR_TEXT;
	place(c, l, MARGIN_X, NULL, &(struct place_opts){.whole = true});
	c->color = saved;
	g_object_unref(l);
	vspace(c, 4);
}

/* A numbered endnote: "n." in the gutter, then the entry's text. */
static void note_entry(struct ctx *c, int num, struct inl *in)
{
	char mark[16];
	snprintf(mark, sizeof mark, "%d.", num);
	double indent = 24;
	PangoLayout *l = inl_layout(c, in, SERIF, 9.5, TEXT_W - indent);
	leading(c, l, 1.4);
	vspace(c, 3);
	push_marker(c, arena_strdup(c->a, mark), 9.5, MARGIN_X + indent - 6);
	place(c, l, MARGIN_X + indent, in, &(struct place_opts){.keep = 2});
	c->n_markers = 0;
	g_object_unref(l);
}

static void inl_append(struct inl *in, const char *s, PangoAttribute *style)
{
	size_t start = in->text->len;
	inl_put(in, s);
	if (style)
		inl_attr(in, style, start, in->text->len);
}

static void inl_url(struct inl *in, const char *url)
{
	size_t start = in->text->len;
	inl_put(in, url);
	inl_attr(in, color_attr(COLOR_LINK), start, in->text->len);
	inl_add_link(in, start, in->text->len, url, 0, 0);
}

static void notes(struct ctx *c)
{
	const char *title = clean(c, c->lb->notes, MAX_LABEL);
	c->x = MARGIN_X;
	c->w = TEXT_W;
	opening(c, NULL, title, TOC_NOTES);
	c->y -= 12;
	for (size_t p = 0; p < c->doc->n_parts && !c->err; p++) {
		const struct pdf_part *pp = &c->doc->parts[p];
		const struct part_doc *pd = &c->parts[p];
		size_t ns = !pp->sources                  ? 0
		        : pp->n_sources < PDF_MAX_SOURCES ? pp->n_sources
		                                          : PDF_MAX_SOURCES;
		if (!pd->n_notes && !ns)
			continue;
		char n[16];
		snprintf(n, sizeof n, "%d", (int)p + 1);
		const char *label = fill(c, c->lb->part, n);
		const char *head = arena_printf(c->a, "%s%s%s", label ? label : "",
		                                label && *label ? " \xc2\xb7 " : "",
		                                clean(c, pp->title, MAX_LABEL));
		if (!head) {
			oom(c);
			return;
		}
		note_heading(c, head, 12.5, 16);
		if (pd->n_notes && c->lb->links) {
			note_heading(c, clean(c, c->lb->links, MAX_LABEL), 9.5, 4);
			for (size_t i = 0; i < pd->n_notes && !c->err; i++) {
				struct inl in;
				inl_init(&in, c, false);
				inl_append(&in, clean(c, pd->notes[i].text, 400), NULL);
				inl_append(&in, ": ", NULL);
				inl_url(&in, pd->notes[i].url);
				note_entry(c, (int)i + 1, &in);
				inl_free(&in);
			}
		}
		if (ns && c->lb->sources) {
			note_heading(c, clean(c, c->lb->sources, MAX_LABEL), 9.5, 8);
			for (size_t i = 0; i < ns && !c->err; i++) {
				const struct pack_source *s = &pp->sources[i];
				struct inl in;
				inl_init(&in, c, false);
				inl_append(&in, clean(c, s->title, MAX_LABEL),
				           pango_attr_style_new(PANGO_STYLE_ITALIC));
				inl_append(&in, ". ", NULL);
				if (s->publisher && *s->publisher) {
					inl_append(&in, clean(c, s->publisher, MAX_LABEL), NULL);
					inl_append(&in, ". ", NULL);
				}
				if (s->url && *s->url) {
					const char *u = clean(c, s->url, 4096);
					int part;
					if (resolve_link(c, u, &part) == u)
						inl_url(&in, u);
					else
						inl_append(&in, u, NULL);
					inl_append(&in, ". ", NULL);
				}
				if (s->checked && *s->checked && c->lb->checked) {
					inl_append(
					        &in,
					        fill(c, c->lb->checked,
					             clean(c, s->checked, MAX_LABEL)),
					        pango_attr_foreground_new(0x5f5f, 0x6363, 0x6868));
					inl_append(&in, ".", NULL);
				}
				note_entry(c, (int)i + 1, &in);
				inl_free(&in);
			}
		}
	}
}

/* ---- the document ----------------------------------------------------- */

static void lay_out(struct ctx *c)
{
	c->page = 0;
	c->toc_i = 0;
	c->part = -1;
	c->color = COLOR_TEXT;
	c->x = MARGIN_X;
	c->w = TEXT_W;
	c->n_markers = c->n_bars = 0;
	for (size_t i = 0; i < c->doc->n_parts; i++)
		c->parts[i].n_notes = 0;
	c->section = NULL;
	cover(c);
	contents(c);
	for (size_t i = 0; i < c->doc->n_parts && !c->err; i++)
		part(c, i);
	notes(c);
	if (!c->err && c->toc_i != c->n_toc)
		c->err = -EIO;
	if (c->cr && !c->err)
		cairo_show_page(c->cr);
}

/* Collects the contents: each part, its top-level h2 headings (an h1
 * counts as an h2), then the endnotes. */
static int collect_toc(struct ctx *c)
{
	size_t n = 1;
	for (size_t i = 0; i < c->doc->n_parts; i++) {
		n++;
		for (cmark_node *h = cmark_node_first_child(c->parts[i].root); h;
		     h = cmark_node_next(h))
			if (cmark_node_get_type(h) == CMARK_NODE_HEADING &&
			    cmark_node_get_heading_level(h) <= 2)
				n++;
	}
	c->toc = arena_calloc(c->a, n, sizeof *c->toc);
	if (!c->toc)
		return -ENOMEM;
	for (size_t i = 0; i < c->doc->n_parts; i++) {
		c->toc[c->n_toc++] = (struct toc_entry){
		        TOC_PART, clean(c, c->doc->parts[i].title, MAX_LABEL), (int)i, 0, 0};
		for (cmark_node *h = cmark_node_first_child(c->parts[i].root); h;
		     h = cmark_node_next(h))
			if (cmark_node_get_type(h) == CMARK_NODE_HEADING &&
			    cmark_node_get_heading_level(h) <= 2)
				c->toc[c->n_toc++] = (struct toc_entry){
				        TOC_H2, clean(c, plain_text(c, h), MAX_LABEL), (int)i, 0,
				        0};
	}
	c->toc[c->n_toc++] =
	        (struct toc_entry){TOC_NOTES, clean(c, c->lb->notes, MAX_LABEL), -1, 0, 0};
	return c->err;
}

/* The outline (bookmarks): the contents, each part with its h2 headings,
 * the endnotes. */
static void outline(struct ctx *c)
{
	char attrs[96];
	snprintf(attrs, sizeof attrs, "page=2 pos=[%.2f %.2f]", MARGIN_X, TOP);
	cairo_pdf_surface_add_outline(c->surface, CAIRO_PDF_OUTLINE_ROOT,
	                              clean(c, c->lb->contents, MAX_LABEL), attrs, 0);
	int parent = CAIRO_PDF_OUTLINE_ROOT;
	for (size_t i = 0; i < c->n_toc; i++) {
		const struct toc_entry *e = &c->toc[i];
		snprintf(attrs, sizeof attrs, "page=%d pos=[%.2f %.2f]", e->page, MARGIN_X, e->y);
		int id = cairo_pdf_surface_add_outline(
		        c->surface, e->kind == TOC_H2 ? parent : CAIRO_PDF_OUTLINE_ROOT, e->text,
		        attrs, 0);
		if (e->kind == TOC_PART)
			parent = id;
	}
}

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	struct buf *b = closure;
	return buf_append(b, data, length) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static cmark_node *parse(const char *md, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, register_extensions);
	cmark_parser *p = cmark_parser_new(CMARK_OPT_VALIDATE_UTF8);
	if (!p)
		return NULL;
	static const char *const exts[] = {"table", "autolink", "strikethrough"};
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, md, len);
	cmark_node *root = cmark_parser_finish(p);
	cmark_parser_free(p);
	return root;
}

int pdf_guide(struct arena *a, const struct pdf_doc *doc, char **bytes, size_t *len)
{
	*bytes = NULL;
	*len = 0;
	if (!doc || !doc->title || !doc->labels || doc->n_parts > PDF_MAX_PARTS ||
	    (doc->n_parts && !doc->parts))
		return -EINVAL;
	for (size_t i = 0; i < doc->n_parts; i++) {
		const char *md = doc->parts[i].markdown;
		if (md && strnlen(md, PDF_MAX_PART_BYTES + 1) > PDF_MAX_PART_BYTES)
			return -E2BIG;
	}
	struct ctx c = {.a = a, .doc = doc, .lb = doc->labels, .part = -1};
	struct buf out;
	buf_init(&out, NULL, PDF_MAX_BYTES);
	PangoFontMap *fm = NULL;
	cairo_font_options_t *fo = NULL;
	int rc = -ENOMEM;

	c.parts = arena_calloc(a, doc->n_parts ? doc->n_parts : 1, sizeof *c.parts);
	if (!c.parts)
		goto out;
	for (size_t i = 0; i < doc->n_parts; i++) {
		const char *md = doc->parts[i].markdown ? doc->parts[i].markdown : "";
		c.parts[i].root = parse(md, strlen(md));
		if (!c.parts[i].root)
			goto out;
	}
	c.title = clean(&c, doc->title, MAX_LABEL);
	rc = collect_toc(&c);
	if (rc)
		goto out;

	rc = -ENOMEM;
	fm = pango_cairo_font_map_new();
	if (!fm)
		goto out;
	c.pc = pango_font_map_create_context(fm);
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(c.pc, fo);
	pango_cairo_context_set_resolution(c.pc, 72);
	pango_context_set_round_glyph_positions(c.pc, FALSE);

	/* First pass: measure. */
	lay_out(&c);
	if (c.err) {
		rc = c.err;
		goto out;
	}
	int pages = c.page;

	/* Second pass: draw, with the contents' page numbers now known. */
	c.measured = true;
	c.surface = cairo_pdf_surface_create_for_stream(write_out, &out, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(c.surface, CAIRO_PDF_METADATA_TITLE, c.title);
	cairo_pdf_surface_set_metadata(c.surface, CAIRO_PDF_METADATA_CREATOR, CREATOR);
	if (doc->provider && *doc->provider)
		cairo_pdf_surface_set_metadata(c.surface, CAIRO_PDF_METADATA_AUTHOR,
		                               clean(&c, doc->provider, MAX_LABEL));
	if (doc->subtitle && *doc->subtitle)
		cairo_pdf_surface_set_metadata(c.surface, CAIRO_PDF_METADATA_SUBJECT,
		                               clean(&c, doc->subtitle, MAX_LABEL));
	c.cr = cairo_create(c.surface);
	lay_out(&c);
	if (!c.err && c.page != pages)
		c.err = -EIO; /* the two passes must agree */
	if (!c.err)
		outline(&c);
	cairo_status_t st = cairo_status(c.cr);
	cairo_destroy(c.cr);
	cairo_surface_finish(c.surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(c.surface);
	cairo_surface_destroy(c.surface);
	if (c.err) {
		rc = c.err;
		goto out;
	}
	if (out.err == -E2BIG) {
		rc = -E2BIG;
		goto out;
	}
	if (st != CAIRO_STATUS_SUCCESS || out.err) {
		rc = out.err == -ENOMEM ? -ENOMEM : -EIO;
		goto out;
	}
	*bytes = arena_alloc(a, out.len ? out.len : 1);
	if (!*bytes) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(*bytes, out.data, out.len);
	*len = out.len;
	rc = 0;
out:
	if (fo)
		cairo_font_options_destroy(fo);
	if (c.pc)
		g_object_unref(c.pc);
	if (fm)
		g_object_unref(fm);
	for (size_t i = 0; c.parts && i < doc->n_parts; i++)
		if (c.parts[i].root)
			cmark_node_free(c.parts[i].root);
	buf_free(&out);
	return rc;
}

void pdf_labels_from_catalogue(struct pdf_labels *out)
{
	*out = (struct pdf_labels){
	        .contents = page_msg("pdf.contents"),
	        .part = page_msg("pdf.part"),
	        .prepared_for = page_msg("pdf.prepared_for"),
	        .provided_by = page_msg("pdf.provided_by"),
	        .as_of = page_msg("pdf.as_of"),
	        .draft = page_msg("pdf.draft"),
	        .notes = page_msg("pdf.notes"),
	        .links = page_msg("pdf.links"),
	        .sources = page_msg("pdf.sources"),
	        .checked = page_msg("pdf.checked"),
	};
}
