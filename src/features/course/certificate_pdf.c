/* features/course/certificate_pdf.c — the certificate and the transcript as
 * PDF; see certificate_pdf.h.
 *
 * Both documents are set with PangoLayouts made from one PangoContext of
 * their own (72 dpi, so a pango point is a PDF point; metric hinting off,
 * so what a layout measures does not depend on the surface). The
 * transcript is laid out twice, like the guide: a first pass without a
 * cairo context only measures and counts the pages, so that every page's
 * footer can say "Page N of M"; the second draws. */
#include "features/course/certificate_pdf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "core/arena.h"
#include "core/buf.h"

#define SERIF "Charis SIL, DejaVu Serif, serif"
#define SANS "Lato, DejaVu Sans, sans-serif"
#define CREATOR "CSEC Toolkit"

#define COLOR_TEXT 0x1a1a1a
#define COLOR_MUTED 0x5f6368
#define COLOR_ACCENT 0x1f3a5f
#define COLOR_RULE 0xb8c0cc

/* The certificate: US Letter, landscape. */
#define CERT_W 792.0
#define CERT_H 612.0
#define CERT_TEXT_W 600.0
#define QR_SIZE 96.0 /* points, the modules only (the page is the quiet zone) */

/* The transcript: US Letter, portrait. */
#define TR_W 612.0
#define TR_H 792.0
#define TR_MARGIN 54.0
#define TR_TOP 60.0
#define TR_BOTTOM (TR_H - 66.0)
#define TR_FOOTER_Y (TR_H - 44.0)
#define TR_COL_DATE 92.0
#define TR_COL_HOURS 52.0
#define TR_COL_CODE 112.0
#define TR_GAP 10.0

struct doc {
	struct arena *a;
	PangoFontMap *fm;
	PangoContext *pc;
	cairo_font_options_t *fo;
	cairo_surface_t *surface;
	cairo_t *cr; /* NULL while measuring */
	int err;
	/* the transcript's pagination */
	int page, pages;
	double y;
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	struct buf *b = closure;
	return buf_append(b, data, length) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void set_color(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
	                     (rgb & 0xff) / 255.0);
}

/* s as printable text: valid UTF-8 (bad bytes replaced), control characters
 * as spaces, at most max bytes (cut at a character boundary, with an
 * ellipsis). Arena memory; "" for NULL; NULL when out of memory. */
static const char *clean(struct doc *d, const char *s, size_t max)
{
	if (!s)
		return "";
	size_t n = strnlen(s, max + 8);
	gchar *v = g_utf8_make_valid(s, (gssize)n);
	if (!v)
		return NULL;
	for (gchar *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	size_t len = strlen(v);
	bool cut = len > max;
	if (cut) {
		const gchar *end = g_utf8_find_prev_char(v, v + max);
		len = end ? (size_t)(end - v) : 0;
	}
	char *out = arena_alloc(d->a, len + 4);
	if (out) {
		memcpy(out, v, len);
		if (cut)
			memcpy(out + len, "\xe2\x80\xa6", 3), len += 3;
		out[len] = '\0';
	}
	g_free(v);
	return out;
}

/* label with "{1}" (and "{2}") replaced by v1 (v2); arena memory. */
static const char *fill(struct doc *d, const char *label, const char *v1, const char *v2)
{
	struct buf b;
	buf_init(&b, d->a, 4 * CERTPDF_MAX_TEXT + CERTPDF_MAX_URL);
	for (const char *p = label ? label : ""; *p; p++) {
		if (p[0] == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}') {
			buf_puts(&b, p[1] == '1' ? (v1 ? v1 : "") : (v2 ? v2 : ""));
			p += 2;
		} else {
			buf_putc(&b, *p);
		}
	}
	if (b.err)
		return NULL;
	return arena_strdup(d->a, buf_cstr(&b));
}

static PangoLayout *layout(struct doc *d, const char *text, const char *font, double size,
                           bool bold, bool italic, double width, PangoAlignment align,
                           int max_lines)
{
	PangoLayout *l = pango_layout_new(d->pc);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	if (italic)
		pango_font_description_set_style(fd, PANGO_STYLE_ITALIC);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	if (max_lines > 0) {
		pango_layout_set_height(l, -max_lines);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	}
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

static double height_of(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Sets text at (x, y) when drawing; returns its height either way. */
static double put(struct doc *d, const char *text, const char *font, double size, bool bold,
                  bool italic, unsigned color, double x, double y, double width,
                  PangoAlignment align, int max_lines)
{
	PangoLayout *l = layout(d, text, font, size, bold, italic, width, align, max_lines);
	double h = height_of(l);
	if (d->cr) {
		set_color(d->cr, color);
		cairo_move_to(d->cr, x, y);
		pango_cairo_show_layout(d->cr, l);
	}
	g_object_unref(l);
	return h;
}

static int doc_open(struct doc *d, struct arena *a)
{
	*d = (struct doc){.a = a};
	d->fm = pango_cairo_font_map_new();
	if (!d->fm)
		return -ENOMEM;
	d->pc = pango_font_map_create_context(d->fm);
	d->fo = cairo_font_options_create();
	if (!d->pc || !d->fo)
		return -ENOMEM;
	cairo_font_options_set_hint_metrics(d->fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(d->fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(d->pc, d->fo);
	pango_cairo_context_set_resolution(d->pc, 72);
	pango_context_set_round_glyph_positions(d->pc, FALSE);
	return 0;
}

static void doc_close(struct doc *d)
{
	if (d->cr)
		cairo_destroy(d->cr);
	if (d->surface)
		cairo_surface_destroy(d->surface);
	if (d->fo)
		cairo_font_options_destroy(d->fo);
	if (d->pc)
		g_object_unref(d->pc);
	if (d->fm)
		g_object_unref(d->fm);
}

static int surface_open(struct doc *d, struct buf *out, double w, double h, const char *title,
                        const char *author)
{
	d->surface = cairo_pdf_surface_create_for_stream(write_out, out, w, h);
	if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS)
		return -EIO;
	cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, CREATOR);
	if (author && *author)
		cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_AUTHOR, author);
	d->cr = cairo_create(d->surface);
	return cairo_status(d->cr) == CAIRO_STATUS_SUCCESS ? 0 : -EIO;
}

/* Finishes the surface and copies the PDF into the arena. */
static int surface_finish(struct doc *d, struct buf *out, char **bytes, size_t *len)
{
	cairo_status_t st = cairo_status(d->cr);
	cairo_destroy(d->cr);
	d->cr = NULL;
	cairo_surface_finish(d->surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(d->surface);
	cairo_surface_destroy(d->surface);
	d->surface = NULL;
	if (out->err == -E2BIG)
		return -E2BIG;
	if (st != CAIRO_STATUS_SUCCESS || out->err)
		return out->err == -ENOMEM ? -ENOMEM : -EIO;
	*bytes = arena_alloc(d->a, out->len ? out->len : 1);
	if (!*bytes)
		return -ENOMEM;
	memcpy(*bytes, out->data, out->len);
	*len = out->len;
	return 0;
}

/* ------------------------------------------------------------ the QR code */

/* Draws the QR code of url with its top-left corner at (x, y), size points
 * wide: one rectangle per horizontal run of dark modules, filled at once. */
static int draw_qr(cairo_t *cr, const char *url, double x, double y, double size)
{
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	int w = qr->width;
	double m = size / w;
	for (int r = 0; r < w; r++) {
		int c = 0;
		while (c < w) {
			if (!(qr->data[r * w + c] & 1)) {
				c++;
				continue;
			}
			int start = c;
			while (c < w && (qr->data[r * w + c] & 1))
				c++;
			/* A hair taller than a module, so that no seam shows
			 * between rows when a viewer antialiases. */
			cairo_rectangle(cr, x + start * m, y + r * m, (c - start) * m, m + 0.05);
		}
	}
	QRcode_free(qr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_fill(cr);
	return 0;
}

/* ------------------------------------------------------------ certificate */

struct cert_body {
	const char *by, *heading, *certifies, *name, *completed, *title, *instructor, *date_hours;
};

/* Sets the certificate's body from y0 down (only measures without a cairo
 * context); returns its height. */
static double cert_body(struct doc *d, const struct cert_body *b, double y0)
{
	const double x = (CERT_W - CERT_TEXT_W) / 2;
	double y = y0;
	y += put(d, b->by, SANS, 13, true, false, COLOR_ACCENT, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 2);
	y += 14;
	y += put(d, b->heading, SERIF, 32, true, false, COLOR_TEXT, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 1);
	y += 16;
	y += put(d, b->certifies, SERIF, 14, false, true, COLOR_MUTED, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 1);
	y += 6;
	y += put(d, b->name, SERIF, 28, true, false, COLOR_TEXT, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 2);
	y += 8;
	y += put(d, b->completed, SERIF, 14, false, true, COLOR_MUTED, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 1);
	y += 6;
	y += put(d, b->title, SANS, 19, true, false, COLOR_ACCENT, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 2);
	y += 14;
	if (b->instructor[0])
		y += put(d, b->instructor, SERIF, 12, false, false, COLOR_TEXT, x, y, CERT_TEXT_W,
		         PANGO_ALIGN_CENTER, 2) +
		        8;
	y += put(d, b->date_hours, SERIF, 13, false, false, COLOR_TEXT, x, y, CERT_TEXT_W,
	         PANGO_ALIGN_CENTER, 1);
	return y - y0;
}

int certpdf_certificate(struct arena *a, const struct certpdf_cert *c,
                        const struct certpdf_labels *lb, char **bytes, size_t *len)
{
	*bytes = NULL;
	*len = 0;
	if (!c || !lb || !c->learner_name || !c->course_title || !c->code || !c->verify_url ||
	    !c->date || !c->hours || !lb->heading ||
	    strnlen(c->verify_url, CERTPDF_MAX_URL + 1) > CERTPDF_MAX_URL)
		return -EINVAL;
	struct doc d;
	struct buf out;
	buf_init(&out, NULL, CERTPDF_MAX_BYTES);
	int rc = doc_open(&d, a);
	if (rc)
		goto out;
	rc = -ENOMEM;
	const char *name = clean(&d, c->learner_name, CERTPDF_MAX_TEXT);
	const char *title = clean(&d, c->course_title, CERTPDF_MAX_TEXT);
	const char *provider = clean(&d, c->provider, CERTPDF_MAX_TEXT);
	const char *instructor = clean(&d, c->instructor, CERTPDF_MAX_TEXT);
	const char *date = clean(&d, c->date, 100);
	const char *hours = clean(&d, c->hours, 20);
	const char *code = clean(&d, c->code, 40);
	const char *url = clean(&d, c->verify_url, CERTPDF_MAX_URL);
	if (!name || !title || !provider || !instructor || !date || !hours || !code || !url)
		goto out;
	const char *heading = clean(&d, lb->heading, CERTPDF_MAX_TEXT);
	const char *by = provider[0] ? fill(&d, lb->provided_by, provider, NULL) : "";
	const char *instr_line = instructor[0] ? fill(&d, lb->instructor, instructor, NULL) : "";
	const char *when = fill(&d, lb->date, date, NULL);
	const char *credit = fill(&d, lb->hours, hours, NULL);
	const char *code_line = fill(&d, lb->code, code, NULL);
	const char *verify_line = fill(&d, lb->verify, url, NULL);
	const char *meta_title = arena_printf(a, "%s: %s", heading ? heading : "", title);
	if (!heading || !by || !instr_line || !when || !credit || !code_line || !verify_line ||
	    !meta_title)
		goto out;
	const char *date_hours = arena_printf(a, "%s  \xc2\xb7  %s", when, credit);
	if (!date_hours)
		goto out;

	if ((rc = surface_open(&d, &out, CERT_W, CERT_H, meta_title, provider)) != 0)
		goto out;
	cairo_t *cr = d.cr;
	/* The frame: a heavy rule and a hairline inside it. */
	set_color(cr, COLOR_ACCENT);
	cairo_set_line_width(cr, 3);
	cairo_rectangle(cr, 24, 24, CERT_W - 48, CERT_H - 48);
	cairo_stroke(cr);
	set_color(cr, COLOR_RULE);
	cairo_set_line_width(cr, 0.75);
	cairo_rectangle(cr, 32, 32, CERT_W - 64, CERT_H - 64);
	cairo_stroke(cr);

	/* The body, centred in the space above the verification block:
	 * measured first (no cairo context), then drawn. */
	const double qx = CERT_W - 56 - QR_SIZE, qy = CERT_H - 52 - QR_SIZE;
	const struct cert_body body = {by,    heading,    lb->certifies, name, lb->completed,
	                               title, instr_line, date_hours};
	d.cr = NULL;
	double h = cert_body(&d, &body, 0);
	d.cr = cr;
	double top = 52 + (qy - 16 - 52 - h) / 2;
	cert_body(&d, &body, top > 52 ? top : 52);

	/* The verification block: the code and the address at the bottom
	 * left, the QR code at the bottom right. */
	rc = draw_qr(cr, url, qx, qy, QR_SIZE);
	if (rc)
		goto out;
	const double bx = 60, bw = qx - bx - 24;
	set_color(cr, COLOR_RULE);
	cairo_set_line_width(cr, 0.5);
	cairo_move_to(cr, bx, qy + 4);
	cairo_line_to(cr, bx + bw, qy + 4);
	cairo_stroke(cr);
	double by_y = qy + 16;
	by_y += put(&d, code_line, SANS, 13, true, false, COLOR_TEXT, bx, by_y, bw,
	            PANGO_ALIGN_LEFT, 1) +
	        6;
	put(&d, verify_line, SANS, 10, false, false, COLOR_MUTED, bx, by_y, bw, PANGO_ALIGN_LEFT,
	    3);
	cairo_show_page(cr);
	rc = surface_finish(&d, &out, bytes, len);
out:
	doc_close(&d);
	buf_free(&out);
	return rc;
}

/* ------------------------------------------------------------ transcript */

static void tr_footer(struct doc *d, const struct certpdf_transcript *t)
{
	if (!d->cr)
		return;
	char n[16], m[16];
	snprintf(n, sizeof n, "%d", d->page);
	snprintf(m, sizeof m, "%d", d->pages);
	const char *s = fill(d, t->page, n, m);
	if (!s) {
		d->err = -ENOMEM;
		return;
	}
	put(d, s, SANS, 8.5, false, false, COLOR_MUTED, TR_MARGIN, TR_FOOTER_Y,
	    TR_W - 2 * TR_MARGIN, PANGO_ALIGN_CENTER, 1);
}

static void tr_new_page(struct doc *d, const struct certpdf_transcript *t)
{
	if (d->page > 0) {
		tr_footer(d, t);
		if (d->cr)
			cairo_show_page(d->cr);
	}
	d->page++;
	d->y = TR_TOP;
}

/* Starts a new page unless h more points fit on this one. */
static void tr_need(struct doc *d, const struct certpdf_transcript *t, double h)
{
	if (d->y + h > TR_BOTTOM)
		tr_new_page(d, t);
}

static double col_course_w(void)
{
	return TR_W - 2 * TR_MARGIN - TR_COL_DATE - TR_COL_HOURS - TR_COL_CODE - 3 * TR_GAP;
}

static void tr_rule(struct doc *d, double y, double width)
{
	if (!d->cr)
		return;
	set_color(d->cr, COLOR_RULE);
	cairo_set_line_width(d->cr, width);
	cairo_move_to(d->cr, TR_MARGIN, y);
	cairo_line_to(d->cr, TR_W - TR_MARGIN, y);
	cairo_stroke(d->cr);
}

/* One row of the completed table (head: the column titles, bold). */
static void tr_row(struct doc *d, const struct certpdf_transcript *t, const char *course,
                   const char *provider, const char *date, const char *hours, const char *code,
                   bool head)
{
	double cw = col_course_w();
	PangoLayout *l = layout(d, course, SERIF, 10, head, false, cw, PANGO_ALIGN_LEFT, 4);
	double h = height_of(l);
	PangoLayout *p = NULL;
	if (provider && provider[0]) {
		p = layout(d, provider, SERIF, 8.5, false, true, cw, PANGO_ALIGN_LEFT, 2);
		h += height_of(p);
	}
	/* The row is as tall as its tallest cell (measured, not drawn). */
	cairo_t *saved = d->cr;
	d->cr = NULL;
	double cells[] = {
	        put(d, date, SERIF, 10, head, false, COLOR_TEXT, 0, 0, TR_COL_DATE,
	            PANGO_ALIGN_LEFT, 2),
	        put(d, hours, SERIF, 10, head, false, COLOR_TEXT, 0, 0, TR_COL_HOURS,
	            PANGO_ALIGN_RIGHT, 2),
	        put(d, code, head ? SERIF : SANS, head ? 10 : 9.5, head, false, COLOR_TEXT, 0, 0,
	            TR_COL_CODE, PANGO_ALIGN_LEFT, 2),
	};
	d->cr = saved;
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
		if (cells[i] > h)
			h = cells[i];
	tr_need(d, t, h + 8);
	double x = TR_MARGIN, y = d->y + 4;
	if (d->cr) {
		set_color(d->cr, COLOR_TEXT);
		cairo_move_to(d->cr, x, y);
		pango_cairo_show_layout(d->cr, l);
		if (p) {
			set_color(d->cr, COLOR_MUTED);
			cairo_move_to(d->cr, x, y + height_of(l));
			pango_cairo_show_layout(d->cr, p);
		}
	}
	g_object_unref(l);
	if (p)
		g_object_unref(p);
	x += cw + TR_GAP;
	put(d, date, SERIF, 10, head, false, COLOR_TEXT, x, y, TR_COL_DATE, PANGO_ALIGN_LEFT, 2);
	x += TR_COL_DATE + TR_GAP;
	put(d, hours, SERIF, 10, head, false, COLOR_TEXT, x, y, TR_COL_HOURS, PANGO_ALIGN_RIGHT, 2);
	x += TR_COL_HOURS + TR_GAP;
	put(d, code, head ? SERIF : SANS, head ? 10 : 9.5, head, false, COLOR_TEXT, x, y,
	    TR_COL_CODE, PANGO_ALIGN_LEFT, 2);
	d->y += h + 8;
	tr_rule(d, d->y, head ? 0.75 : 0.35);
}

static void tr_lay_out(struct doc *d, const struct certpdf_transcript *t)
{
	const double w = TR_W - 2 * TR_MARGIN;
	d->page = 0;
	tr_new_page(d, t);
	d->y += put(d, t->title, SANS, 20, true, false, COLOR_ACCENT, TR_MARGIN, d->y, w,
	            PANGO_ALIGN_LEFT, 2) +
	        6;
	d->y += put(d, t->learner, SERIF, 12, false, false, COLOR_TEXT, TR_MARGIN, d->y, w,
	            PANGO_ALIGN_LEFT, 2) +
	        2;
	if (t->subtitle)
		d->y += put(d, t->subtitle, SERIF, 10, false, true, COLOR_MUTED, TR_MARGIN, d->y, w,
		            PANGO_ALIGN_LEFT, 3);
	d->y += 18;
	d->y += put(d, t->completed_heading, SANS, 13, true, false, COLOR_TEXT, TR_MARGIN, d->y, w,
	            PANGO_ALIGN_LEFT, 2) +
	        4;
	if (t->n_done == 0) {
		d->y += put(d, t->none, SERIF, 10, false, true, COLOR_MUTED, TR_MARGIN, d->y, w,
		            PANGO_ALIGN_LEFT, 2);
	} else {
		tr_row(d, t, t->col_course, NULL, t->col_date, t->col_hours, t->col_code, true);
		for (size_t i = 0; i < t->n_done && !d->err; i++) {
			const struct certpdf_row *r = &t->done[i];
			tr_row(d, t, r->course, r->provider, r->date, r->hours, r->code, false);
		}
		if (t->total) {
			d->y += 6;
			tr_need(d, t, 20);
			d->y += put(d, t->total, SERIF, 10.5, true, false, COLOR_TEXT, TR_MARGIN,
			            d->y, w, PANGO_ALIGN_RIGHT, 1);
		}
	}
	d->y += 22;
	tr_need(d, t, 40);
	d->y += put(d, t->progress_heading, SANS, 13, true, false, COLOR_TEXT, TR_MARGIN, d->y, w,
	            PANGO_ALIGN_LEFT, 2) +
	        4;
	if (t->n_progress == 0)
		d->y += put(d, t->none, SERIF, 10, false, true, COLOR_MUTED, TR_MARGIN, d->y, w,
		            PANGO_ALIGN_LEFT, 2);
	for (size_t i = 0; i < t->n_progress && !d->err; i++) {
		const struct certpdf_row *r = &t->progress[i];
		PangoLayout *l =
		        layout(d, r->course, SERIF, 10, false, false, w - 160, PANGO_ALIGN_LEFT, 3);
		double h = height_of(l);
		tr_need(d, t, h + 8);
		if (d->cr) {
			set_color(d->cr, COLOR_TEXT);
			cairo_move_to(d->cr, TR_MARGIN, d->y + 4);
			pango_cairo_show_layout(d->cr, l);
		}
		g_object_unref(l);
		put(d, r->status, SERIF, 10, false, false, COLOR_MUTED, TR_W - TR_MARGIN - 150,
		    d->y + 4, 150, PANGO_ALIGN_RIGHT, 2);
		d->y += h + 8;
		tr_rule(d, d->y, 0.35);
	}
	tr_footer(d, t);
	if (d->cr)
		cairo_show_page(d->cr);
}

/* A copy of the row with every value cleaned and capped. */
static int clean_rows(struct doc *d, const struct certpdf_row *in, size_t n,
                      struct certpdf_row **out)
{
	*out = n ? arena_calloc(d->a, n, sizeof **out) : NULL;
	if (n && !*out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct certpdf_row *r = &(*out)[i];
		r->course = clean(d, in[i].course, CERTPDF_MAX_TEXT);
		r->provider = clean(d, in[i].provider, CERTPDF_MAX_TEXT);
		r->date = clean(d, in[i].date, 100);
		r->hours = clean(d, in[i].hours, 20);
		r->code = clean(d, in[i].code, 40);
		r->status = clean(d, in[i].status, 200);
		if (!r->course || !r->provider || !r->date || !r->hours || !r->code || !r->status)
			return -ENOMEM;
	}
	return 0;
}

int certpdf_transcript(struct arena *a, const struct certpdf_transcript *in, char **bytes,
                       size_t *len)
{
	*bytes = NULL;
	*len = 0;
	if (!in || !in->title || !in->page || (in->n_done && !in->done) ||
	    (in->n_progress && !in->progress))
		return -EINVAL;
	if (in->n_done + in->n_progress > CERTPDF_MAX_ROWS)
		return -E2BIG;
	struct doc d;
	struct buf out;
	buf_init(&out, NULL, CERTPDF_MAX_BYTES);
	int rc = doc_open(&d, a);
	if (rc)
		goto out;
	struct certpdf_transcript t = *in;
	struct certpdf_row *done, *progress;
	rc = -ENOMEM;
	t.title = clean(&d, in->title, CERTPDF_MAX_TEXT);
	t.learner = clean(&d, in->learner, CERTPDF_MAX_TEXT);
	t.subtitle = in->subtitle ? clean(&d, in->subtitle, CERTPDF_MAX_TEXT) : NULL;
	if (!t.title || !t.learner || (in->subtitle && !t.subtitle) ||
	    clean_rows(&d, in->done, in->n_done, &done) != 0 ||
	    clean_rows(&d, in->progress, in->n_progress, &progress) != 0)
		goto out;
	t.done = done;
	t.progress = progress;

	tr_lay_out(&d, &t); /* measure: count the pages */
	if (d.err) {
		rc = d.err;
		goto out;
	}
	d.pages = d.page;
	if ((rc = surface_open(&d, &out, TR_W, TR_H, t.title, t.learner)) != 0)
		goto out;
	tr_lay_out(&d, &t);
	if (d.err) {
		rc = d.err;
		goto out;
	}
	rc = d.page == d.pages ? surface_finish(&d, &out, bytes, len) : -EIO;
out:
	doc_close(&d);
	buf_free(&out);
	return rc;
}
