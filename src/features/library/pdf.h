/* features/library/pdf.h — the print-ready guide ("hard copy", DESIGN.md §1,
 * issue 5 point 11): a US Letter booklet made with cairo's PDF surface and
 * pango. A cover, a table of contents whose page numbers are right (the
 * document is laid out twice: once to learn where everything lands, once to
 * draw), each part on a new page, the Markdown of each part (cmark-gfm with
 * tables, autolinks and strikethrough; raw HTML ignored) set as printed
 * text, running headers, page numbers, a PDF outline, clickable links, and
 * the sources of every part and the addresses of its links as endnotes.
 * Fonts come from Debian packages through fontconfig (Charis SIL for the
 * text, Lato for headings, DejaVu Sans Mono for code); the PDF embeds the
 * subsets it uses.
 *
 * Everything the reader sees comes from the caller: the Markdown (with its
 * placeholders already filled), the titles, and the labels (from the
 * message catalogue, web/messages/en/pdf.txt). The text is untrusted: it
 * is never parsed as Pango markup, every size is capped, and a document
 * that would pass the page or byte cap is refused rather than truncated. */
#ifndef CSEC_FEATURES_LIBRARY_PDF_H
#define CSEC_FEATURES_LIBRARY_PDF_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct pack_source;

#define PDF_MAX_PAGES 500
#define PDF_MAX_BYTES (64u * 1024 * 1024)
#define PDF_MAX_PARTS 200
#define PDF_MAX_PART_BYTES (1024u * 1024) /* Markdown of one part */
#define PDF_MAX_SOURCES 500 /* per part */

/* The words the booklet prints around the content, from the message
 * catalogue. "{1}" in a label is replaced by the value it introduces
 * ("Part {1}" → "Part 2"); a NULL label prints nothing. */
struct pdf_labels {
	const char *contents; /* "Contents" */
	const char *part; /* "Part {1}" */
	const char *prepared_for; /* "Prepared for {1}" (the agency's name) */
	const char *provided_by; /* "Provided by {1}" (the deployment's name) */
	const char *as_of; /* "Current as of {1}" */
	const char *draft; /* "Draft — not yet reviewed by a subject-matter expert" */
	const char *notes; /* "Notes and sources" (the endnotes' title) */
	const char *links; /* "Links in the text" */
	const char *sources; /* "Sources" */
	const char *checked; /* "checked {1}" (a source's checked date) */
};

/* The labels from the message catalogue (web/messages/en/pdf.txt). */
void pdf_labels_from_catalogue(struct pdf_labels *out);

struct pdf_part {
	const char *title;
	const char *slug; /* may be NULL; links to it in other parts jump to it */
	const char *markdown; /* NUL-terminated; placeholders already filled */
	const struct pack_source *sources;
	size_t n_sources;
};

struct pdf_doc {
	const char *title;
	const char *subtitle; /* the agency's name, or NULL */
	const char *provider; /* the deployment's name, or NULL */
	const char *as_of; /* e.g. "2025-01-15", or NULL */
	bool draft;
	const char *disclaimer; /* or NULL */
	const char *base_url; /* makes "/practices/x" absolute; may be NULL */
	const struct pdf_labels *labels;
	const struct pdf_part *parts;
	size_t n_parts;
};

/* Lays out and writes the guide. On success *bytes (in a's memory) holds
 * the PDF and *len its size, and the result is 0. Errors: -EINVAL (a
 * missing title or labels, too many parts), -E2BIG (a part over
 * PDF_MAX_PART_BYTES, or a document over PDF_MAX_PAGES pages or
 * PDF_MAX_BYTES bytes), -ENOMEM, -EIO (cairo failed). Safe to call from
 * several threads at once (each call has its own font map). */
int pdf_guide(struct arena *a, const struct pdf_doc *doc, char **bytes, size_t *len);

#endif
