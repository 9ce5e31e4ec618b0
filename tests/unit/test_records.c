/* tests/unit/test_records.c — the course's records (features/course):
 * the CSV writer (RFC 4180 quoting and the formula-injection guard), the
 * certificate codes as typed, days in a time zone (daylight saving
 * included), and the certificate and transcript PDFs read back with the
 * real poppler tools and the QR code decoded with zbarimg, as a person and
 * a phone would. Samples are kept in build/records/ for people to look at.
 * Hostile values (very long, invalid UTF-8, control characters) must give a
 * valid PDF. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/buf.h"
#include "features/course/certificate_model.h"
#include "features/course/certificate_pdf.h"
#include "features/course/transcript_csv.h"

#define OUT_DIR "build/records"

static const char *field(const char *s)
{
	static char out[256];
	struct buf b;
	buf_init(&b, NULL, sizeof out - 1);
	assert_int_equal(csv_field(&b, s, 1), 0);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void csv_quotes_and_guards(void **state)
{
	(void)state;
	assert_string_equal(field("plain"), "plain");
	assert_string_equal(field(""), "");
	assert_string_equal(field(NULL), "");
	assert_string_equal(field("a,b"), "\"a,b\"");
	assert_string_equal(field("say \"hi\""), "\"say \"\"hi\"\"\"");
	assert_string_equal(field("\"\""), "\"\"\"\"\"\"");
	assert_string_equal(field("two\nlines"), "\"two\nlines\"");
	assert_string_equal(field("cr\rhere"), "\"cr\rhere\"");
	assert_string_equal(field("=1+2"), "\"'=1+2\"");
	assert_string_equal(field("+1"), "\"'+1\"");
	assert_string_equal(field("-1"), "\"'-1\"");
	assert_string_equal(field("@SUM(A1)"), "\"'@SUM(A1)\"");
	assert_string_equal(field("\tx"), "\"'\tx\"");
	assert_string_equal(field("\rx"), "\"'\rx\"");
	assert_string_equal(field("=HYPERLINK(\"u\",\"x\")"),
	                    "\"'=HYPERLINK(\"\"u\"\",\"\"x\"\")\"");
	assert_string_equal(field("a-b = c"), "a-b = c"); /* only the first character counts */
	assert_string_equal(field("Zoë Ñandú"), "Zoë Ñandú");

	struct buf b;
	buf_init(&b, NULL, 1024);
	const char *row[] = {"a", NULL, "c,d"};
	assert_int_equal(csv_record(&b, row, 3), 0);
	assert_string_equal(buf_cstr(&b), "a,,\"c,d\"\r\n");
	buf_free(&b);

	/* The cap is reported, never silently passed. */
	buf_init(&b, NULL, 8);
	const char *big[] = {"0123456789"};
	assert_int_equal(csv_record(&b, big, 1), -E2BIG);
	buf_free(&b);
}

static void codes_as_typed(void **state)
{
	(void)state;
	char out[CERT_CODE_LEN + 1];
	assert_true(cert_code_normalize("abcd-efgh-jk23", out));
	assert_string_equal(out, "ABCD-EFGH-JK23");
	assert_true(cert_code_normalize("ABCDEFGHJK23", out));
	assert_string_equal(out, "ABCD-EFGH-JK23");
	assert_true(cert_code_normalize(" ab cd-efghjk 23 ", out));
	assert_string_equal(out, "ABCD-EFGH-JK23");
	/* Crockford: I and L are 1, O is 0. */
	assert_true(cert_code_normalize("oIl0-abcd-efgh", out));
	assert_string_equal(out, "0110-ABCD-EFGH");
	assert_false(cert_code_normalize("ABCD-EFGH-JK2", out));
	assert_false(cert_code_normalize("ABCD-EFGH-JK234", out));
	assert_false(cert_code_normalize("ABCD_EFGH_JK23", out));
	assert_false(cert_code_normalize("ÀBCD-EFGH-JK23", out));
	assert_false(cert_code_normalize("", out));
	assert_false(cert_code_normalize(NULL, out));
	assert_string_equal(out, "");
}

static void days_in_a_zone(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(transcript_day_start("2026-01-15", "UTC", &t), 0);
	assert_int_equal(t, 1768435200);
	/* Chicago: CST (-6) in winter, CDT (-5) in summer. */
	assert_int_equal(transcript_day_start("2026-01-15", "America/Chicago", &t), 0);
	assert_int_equal(t, 1768435200 + 6 * 3600);
	assert_int_equal(transcript_day_start("2026-07-01", "America/Chicago", &t), 0);
	assert_int_equal(t, 1782864000 + 5 * 3600);
	/* The day daylight saving starts (8 March 2026, 02:00 local): midnight
	 * is still CST. */
	assert_int_equal(transcript_day_start("2026-03-08", "America/Chicago", &t), 0);
	assert_int_equal(t, 1772928000 + 6 * 3600);
	/* East of UTC. */
	assert_int_equal(transcript_day_start("2026-01-15", "Asia/Kolkata", &t), 0);
	assert_int_equal(t, 1768435200 - 5 * 3600 - 30 * 60);
	assert_int_equal(transcript_day_start("2024-02-29", "UTC", &t), 0);
	const char *bad[] = {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "26-01-01",
	                     "2026/01/01", "1969-12-31", "2026-01-32", "",         "2026-01-01x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(transcript_day_start(bad[i], "UTC", &t), -1);
	assert_int_equal(transcript_day_start(NULL, "UTC", &t), -1);

	/* A day and its bounds; the day daylight saving starts is 23 hours. */
	char day[11];
	int64_t start, end;
	assert_int_equal(
	        transcript_day_of(1772928000 + 12 * 3600, "America/Chicago", day, &start, &end), 0);
	assert_string_equal(day, "2026-03-08");
	assert_int_equal(start, 1772928000 + 6 * 3600);
	assert_int_equal(end - start, 23 * 3600);
	assert_int_equal(transcript_day_of(start - 1, "America/Chicago", day, &start, &end), 0);
	assert_string_equal(day, "2026-03-07");
	assert_int_equal(end - start, 24 * 3600);

	char h[24];
	transcript_hours(h, sizeof h, 425);
	assert_string_equal(h, "4.25");
	transcript_hours(h, sizeof h, 400);
	assert_string_equal(h, "4.00");
	transcript_hours(h, sizeof h, 5);
	assert_string_equal(h, "0.05");
}

static const struct certpdf_labels labels = {
        .heading = "Certificate of completion",
        .certifies = "This certifies that",
        .completed = "has successfully completed the online course",
        .instructor = "Instructor or authority: {1}",
        .date = "Completed {1}",
        .hours = "{1} credit hours",
        .code = "Verification code {1}",
        .verify = "Anyone can check this certificate at {1} (or scan the QR code).",
        .provided_by = "{1}",
};

/* Runs a shell command and returns its standard output (static memory). */
static const char *shell(const char *cmd)
{
	static char out[16384];
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	pclose(p);
	return out;
}

/* The page count pdfinfo printed. */
static int pages_of(const char *info)
{
	const char *p = strstr(info, "Pages:");
	if (!p)
		fail_msg("pdfinfo: %s", info);
	return (int)strtol(p + 6, NULL, 10);
}

static void write_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	fclose(f);
}

static void certificate_reads_back(void **state)
{
	(void)state;
	mkdir("build", 0755);
	mkdir(OUT_DIR, 0755);
	struct arena *a = arena_create(0);
	const struct certpdf_cert c = {
	        .learner_name = "Officer María-José Okonkwo-Lindqvist",
	        .course_title = "Recognizing and responding to child sex trafficking",
	        .provider = "State CSEC Training Portal",
	        .instructor = "State POST Academy",
	        .date = "28 February 2026",
	        .hours = "4.25",
	        .code = "ABCD-EFGH-JK23",
	        .verify_url = "https://portal.example.org/verify/ABCD-EFGH-JK23",
	};
	char *bytes;
	size_t len;
	assert_int_equal(certpdf_certificate(a, &c, &labels, &bytes, &len), 0);
	write_file(OUT_DIR "/sample-certificate.pdf", bytes, len);
	const char *info = shell("pdfinfo " OUT_DIR "/sample-certificate.pdf 2>&1");
	assert_int_equal(pages_of(info), 1);
	assert_non_null(strstr(info, "792 x 612 pts"));
	assert_non_null(strstr(info, "Certificate of completion: Recognizing"));
	const char *text =
	        shell("pdftotext " OUT_DIR "/sample-certificate.pdf - | tr -s ' \\n' ' '");
	const char *want[] = {"Officer María-José Okonkwo-Lindqvist",
	                      "State CSEC Training Portal",
	                      "Recognizing and responding to child sex trafficking",
	                      "Instructor or authority: State POST Academy",
	                      "Completed 28 February 2026",
	                      "4.25 credit hours",
	                      "Verification code ABCD-EFGH-JK23",
	                      "https://portal.example.org/verify/ABCD-EFGH-JK23"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(text, want[i]))
			fail_msg("the certificate lacks \"%s\": %s", want[i], text);
	/* The QR code, as a phone would read it from the printed page. */
	shell("pdftoppm -r 150 -png -singlefile " OUT_DIR "/sample-certificate.pdf " OUT_DIR
	      "/sample-certificate");
	const char *qr =
	        shell("zbarimg --quiet --raw " OUT_DIR "/sample-certificate.png 2>/dev/null");
	assert_string_equal(qr, "https://portal.example.org/verify/ABCD-EFGH-JK23\n");
	arena_destroy(a);
}

static void hostile_values_give_valid_pdfs(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	char longname[5000];
	memset(longname, 'W', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	const struct certpdf_cert c = {
	        .learner_name = longname,
	        .course_title = "bad \xff\xfe utf8 \x01\x02 <b>markup</b> & {1} %s %n",
	        .provider = "",
	        .instructor = "",
	        .date = "\x7f",
	        .hours = "0.25",
	        .code = "ABCD-EFGH-JK23",
	        .verify_url = "https://portal.example.org/verify/ABCD-EFGH-JK23",
	};
	char *bytes;
	size_t len;
	assert_int_equal(certpdf_certificate(a, &c, &labels, &bytes, &len), 0);
	write_file(OUT_DIR "/hostile-certificate.pdf", bytes, len);
	const char *info = shell("pdfinfo " OUT_DIR "/hostile-certificate.pdf 2>&1");
	assert_int_equal(pages_of(info), 1);
	const char *text =
	        shell("pdftotext " OUT_DIR "/hostile-certificate.pdf - | tr -s ' \\n' ' '");
	assert_non_null(strstr(text, "<b>markup</b>")); /* as text, not markup */

	/* Missing values and an address too long for a QR code are refused. */
	struct certpdf_cert bad = c;
	bad.code = NULL;
	assert_int_equal(certpdf_certificate(a, &bad, &labels, &bytes, &len), -EINVAL);
	char url[CERTPDF_MAX_URL + 2];
	memset(url, 'u', sizeof url - 1);
	url[sizeof url - 1] = 0;
	bad = c;
	bad.verify_url = url;
	assert_int_equal(certpdf_certificate(a, &bad, &labels, &bytes, &len), -EINVAL);
	arena_destroy(a);
}

static void transcript_pages(void **state)
{
	(void)state;
	struct arena *a = arena_create(0);
	enum { N = 60 };
	struct certpdf_row rows[N];
	for (int i = 0; i < N; i++) {
		rows[i] = (struct certpdf_row){
		        .course = arena_printf(a,
		                               "Course number %d on a long title that wraps onto "
		                               "a second line of the column",
		                               i + 1),
		        .provider = "State CSEC Training Portal · State POST Academy",
		        .date = "2 Dec 2026",
		        .hours = "4.25",
		        .code = arena_printf(a, "CODE-%04d-ABCD", i),
		};
	}
	struct certpdf_row progress[] = {{.course = "A course under way",
	                                  .status = "2 of 9 "
	                                            "required "
	                                            "lessons done"}};
	const struct certpdf_transcript t = {
	        .title = "Training transcript",
	        .learner = "Officer Ann Lee",
	        .subtitle = "Provided by the portal. Printed 2 December 2026.",
	        .completed_heading = "Courses completed",
	        .progress_heading = "Courses in progress",
	        .none = "None.",
	        .col_course = "Course",
	        .col_date = "Completed",
	        .col_hours = "Credit hours",
	        .col_code = "Certificate code",
	        .total = "Total: 255.00 credit hours",
	        .page = "Page {1} of {2}",
	        .done = rows,
	        .n_done = N,
	        .progress = progress,
	        .n_progress = 1,
	};
	char *bytes;
	size_t len;
	assert_int_equal(certpdf_transcript(a, &t, &bytes, &len), 0);
	write_file(OUT_DIR "/sample-transcript.pdf", bytes, len);
	const char *info = shell("pdfinfo " OUT_DIR "/sample-transcript.pdf 2>&1");
	int pages = 0;
	const char *p = strstr(info, "Pages:");
	assert_non_null(p);
	pages = (int)strtol(p + 6, NULL, 10);
	assert_true(pages >= 3);
	const char *text =
	        shell("pdftotext " OUT_DIR "/sample-transcript.pdf - | tr -s ' \\n' ' '");
	char last[64];
	snprintf(last, sizeof last, "Page %d of %d", pages, pages);
	assert_non_null(strstr(text, "Page 1 of"));
	assert_non_null(strstr(text, last));
	assert_non_null(strstr(text, "Total: 255.00 credit hours"));
	assert_non_null(strstr(text, "A course under way"));

	struct certpdf_transcript empty = t;
	empty.n_done = 0;
	empty.n_progress = 0;
	empty.total = NULL;
	assert_int_equal(certpdf_transcript(a, &empty, &bytes, &len), 0);
	struct certpdf_transcript huge = t;
	huge.n_done = CERTPDF_MAX_ROWS + 1;
	assert_int_equal(certpdf_transcript(a, &huge, &bytes, &len), -E2BIG);
	arena_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(csv_quotes_and_guards),
	        cmocka_unit_test(codes_as_typed),
	        cmocka_unit_test(days_in_a_zone),
	        cmocka_unit_test(certificate_reads_back),
	        cmocka_unit_test(hostile_values_give_valid_pdfs),
	        cmocka_unit_test(transcript_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
