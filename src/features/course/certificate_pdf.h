/* features/course/certificate_pdf.h — the course's PDFs, made with cairo's
 * PDF surface and pango (issue 6, points 5 and 6): a certificate of
 * completion (one landscape US Letter page: the learner, the course, the
 * provider, the instructor or authority, the completion date, the credit
 * hours, the verification code and a QR code of the verification address,
 * drawn as cairo rectangles from libqrencode's modules) and a learner's
 * transcript (portrait pages: the courses completed and those under way).
 *
 * Everything printed comes from the caller: the values (from the store) and
 * the words around them (from the message catalogue). Text is set with
 * pango_layout_set_text, never parsed as markup; each value is capped in
 * length and must be UTF-8 (invalid bytes are replaced). Each call has its
 * own font map, so calls may run on several threads at once. Fonts: Charis
 * SIL (text) and Lato (headings) through fontconfig, as for the guide. */
#ifndef CSEC_FEATURES_COURSE_CERTIFICATE_PDF_H
#define CSEC_FEATURES_COURSE_CERTIFICATE_PDF_H

#include <stddef.h>
#include <stdint.h>

struct arena;

#define CERTPDF_MAX_TEXT 600 /* bytes of one value printed (longer is cut) */
#define CERTPDF_MAX_URL 1024 /* bytes of the verification address */
#define CERTPDF_MAX_ROWS 2000 /* rows of a transcript */
#define CERTPDF_MAX_BYTES (16u * 1024 * 1024)

/* The certificate's values, already formatted (the date in the learner's
 * organization's zone, the hours as "4.25"). */
struct certpdf_cert {
	const char *learner_name, *course_title, *provider, *instructor;
	const char *date, *hours, *code;
	const char *verify_url; /* "<public URL>/verify/CODE": the QR code and its text */
};

/* The words around them; "{1}" is replaced by the value where one goes. */
struct certpdf_labels {
	const char *heading; /* "Certificate of completion" */
	const char *certifies; /* "This certifies that" */
	const char *completed; /* "has completed the course" */
	const char *instructor; /* "Instructor or authority: {1}" */
	const char *date; /* "Completed {1}" */
	const char *hours; /* "{1} credit hours" */
	const char *code; /* "Verification code {1}" */
	const char *verify; /* "Check this certificate at {1}" */
	const char *provided_by; /* "Provided by {1}" */
};

/* Lays out and writes the certificate: 0 with *bytes (in a's memory) and
 * *len set; -EINVAL (a value or label missing, or the address too long for a
 * QR code), -ENOMEM, -EIO (cairo failed). */
int certpdf_certificate(struct arena *a, const struct certpdf_cert *c,
                        const struct certpdf_labels *lb, char **bytes, size_t *len);

/* A transcript row: a course completed (code set) or under way (code NULL,
 * status the progress as text). */
struct certpdf_row {
	const char *course, *provider, *date, *hours, *code, *status;
};

struct certpdf_transcript {
	const char *title; /* "Training transcript" */
	const char *learner; /* "Name: …" line, as printed */
	const char *subtitle; /* "Provided by …, printed 2 Dec 2026", or NULL */
	const char *completed_heading, *progress_heading;
	const char *none; /* shown under a heading with no rows */
	/* the column titles of the completed table */
	const char *col_course, *col_date, *col_hours, *col_code;
	const char *total; /* "Total: 8.25 credit hours", or NULL */
	const char *page; /* "Page {1} of {2}" */
	const struct certpdf_row *done;
	size_t n_done;
	const struct certpdf_row *progress;
	size_t n_progress;
};

/* Lays out and writes the transcript (as many pages as it needs): 0 with
 * *bytes and *len; -EINVAL, -E2BIG (over CERTPDF_MAX_ROWS rows or
 * CERTPDF_MAX_BYTES), -ENOMEM, -EIO. */
int certpdf_transcript(struct arena *a, const struct certpdf_transcript *t, char **bytes,
                       size_t *len);

#endif
