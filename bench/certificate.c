/* bench/certificate.c — the time to make a certificate PDF (issue 6, point
 * 14), for `make bench`: csec's own certpdf_certificate (cairo, pango, the
 * QR code) laid out COUNT times (default 20) with the labels from the
 * message catalogue. Prints the median in milliseconds and the size, and the
 * median of a learner's transcript PDF of 20 courses made the same way, for
 * scale. bench/run also times the HTTP request against /healthz. */
#include "core/arena.h"
#include "core/str.h"
#include "features/course/certificate_pdf.h"
#include "render/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_COUNT 200
#define ROWS 20

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int64_t count = 20;
	char err[256];
	if (argc > 1 && str_to_i64(str_from(argv[1]), 1, MAX_COUNT, &count) != 0) {
		fprintf(stderr, "usage: certificate [COUNT 1..%d]\n", MAX_COUNT);
		return 2;
	}
	if (page_init(NULL, err, sizeof err) != 0) {
		fprintf(stderr, "certificate: %s\n", err);
		return 1;
	}
	const struct certpdf_cert c = {
	        .learner_name = "Officer María-José Okonkwo-Lindqvist",
	        .course_title = "Recognizing and responding to child sex trafficking",
	        .provider = page_msg("site.default_name"),
	        .instructor = "State POST Academy",
	        .date = "28 February 2026",
	        .hours = "4.25",
	        .code = "ABCD-EFGH-JK23",
	        .verify_url = "https://portal.example.org/verify/ABCD-EFGH-JK23",
	};
	const struct certpdf_labels lb = {
	        .heading = page_msg("course.records.pdf.heading"),
	        .certifies = page_msg("course.records.pdf.certifies"),
	        .completed = page_msg("course.records.pdf.completed"),
	        .instructor = page_msg("course.records.pdf.instructor"),
	        .date = page_msg("course.records.pdf.date"),
	        .hours = page_msg("course.records.pdf.hours"),
	        .code = page_msg("course.records.pdf.code"),
	        .verify = page_msg("course.records.pdf.verify"),
	        .provided_by = page_msg("course.records.pdf.provided_by"),
	};
	struct certpdf_row rows[ROWS];
	for (int i = 0; i < ROWS; i++)
		rows[i] = (struct certpdf_row){.course = c.course_title,
		                               .provider = c.instructor,
		                               .date = c.date,
		                               .hours = c.hours,
		                               .code = c.code};
	const struct certpdf_transcript t = {
	        .title = page_msg("course.records.transcript.pdf.title"),
	        .learner = c.learner_name,
	        .completed_heading = page_msg("course.records.transcript.completed"),
	        .progress_heading = page_msg("course.records.transcript.progress"),
	        .none = page_msg("course.records.transcript.pdf.none"),
	        .col_course = page_msg("course.records.transcript.col.course"),
	        .col_date = page_msg("course.records.transcript.col.date"),
	        .col_hours = page_msg("course.records.transcript.col.hours"),
	        .col_code = page_msg("course.records.transcript.col.code"),
	        .page = page_msg("course.records.transcript.pdf.page"),
	        .done = rows,
	        .n_done = ROWS,
	};
	double cert_ms[MAX_COUNT], tr_ms[MAX_COUNT];
	size_t len = 0, tr_len = 0;
	for (int k = 0; k < count; k++) {
		struct arena *run = arena_create(0);
		char *bytes;
		double t0 = now_ms();
		if (!run || certpdf_certificate(run, &c, &lb, &bytes, &len) != 0) {
			fprintf(stderr, "certificate: certpdf_certificate failed\n");
			return 1;
		}
		cert_ms[k] = now_ms() - t0;
		t0 = now_ms();
		if (certpdf_transcript(run, &t, &bytes, &tr_len) != 0) {
			fprintf(stderr, "certificate: certpdf_transcript failed\n");
			return 1;
		}
		tr_ms[k] = now_ms() - t0;
		arena_destroy(run);
	}
	/* "ms bytes transcript_ms transcript_bytes" on one line, for bench/run. */
	printf("%.1f %zu %.1f %zu\n", median(cert_ms, (int)count), len, median(tr_ms, (int)count),
	       tr_len);
	page_shutdown();
	return 0;
}
