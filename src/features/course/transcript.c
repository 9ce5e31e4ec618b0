/* features/course/transcript.c — transcripts (issue 6, point 6).
 *
 * A learner's own (course.learn): the page lists their certificates (with
 * links to each certificate's PDF and verification page; revoked ones
 * marked) and the courses under way with their progress; the PDF and the
 * CSV hold the valid certificates (and the PDF the courses under way too).
 *
 * An organization's (course.reports: leaders and trainers of the active
 * organization, which is the only one ever read): one row per valid
 * certificate written for the organization (certificates.org_id: the
 * organization the learner was in when they enrolled), with the
 * completion date in a range of days in the organization's zone. The page
 * previews the first rows; the CSV holds all of them, built from the
 * store's cursor a row at a time into one buffer with a hard cap (the
 * response API sends a finished body, so the CSV is in memory once, never
 * as rows as well). Every download is audited (course.transcript.exported,
 * with the scope, the format, the range and the row count). */
#include "features/course/certificate.h"
#include "features/course/certificate_internal.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/course/certificate_model.h"
#include "features/course/certificate_pdf.h"
#include "features/course/transcript_csv.h"
#include "render/page.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The largest CSV made in one response: some 150 bytes a row, so well over
 * half a million rows; past it the person is asked for a shorter range. */
#define CSV_MAX_BYTES (96u * 1024 * 1024)
#define ORG_PREVIEW_ROWS 50
#define DAY_MAX 10 /* "YYYY-MM-DD" */

static const char *const csv_org_keys[] = {
        "course.records.csv.name",     "course.records.csv.officer_id", "course.records.csv.course",
        "course.records.csv.provider", "course.records.csv.instructor", "course.records.csv.date",
        "course.records.csv.hours",    "course.records.csv.code",
};
#define CSV_ORG_COLS (sizeof csv_org_keys / sizeof csv_org_keys[0])

/* The learner's CSV: the same columns but the name and ID (the file is
 * theirs and says whose it is in its name). */
static const char *const csv_own_keys[] = {
        "course.records.csv.course", "course.records.csv.provider", "course.records.csv.instructor",
        "course.records.csv.date",   "course.records.csv.hours",    "course.records.csv.code",
};
#define CSV_OWN_COLS (sizeof csv_own_keys / sizeof csv_own_keys[0])

static void header_row(struct buf *b, const char *const *keys, size_t n)
{
	const char *cells[CSV_ORG_COLS];
	for (size_t i = 0; i < n && i < CSV_ORG_COLS; i++)
		cells[i] = page_msg(keys[i]);
	csv_record(b, cells, n);
}

/* Answers with a CSV made in a malloc'd buffer: the buffer is handed to the
 * response and freed with the request. */
static int send_csv(struct req *req, struct buf *out, const char *filename)
{
	if (out->data && arena_defer(req->arena, free, out->data) != 0) {
		buf_free(out);
		return -1;
	}
	const char *disposition = arena_printf(req->arena, "attachment; filename=\"%s\"", filename);
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	req->resp.status = 200;
	req->resp.content_type = "text/csv; charset=utf-8";
	req->resp.fixed = out->data ? (const unsigned char *)out->data : (const unsigned char *)"";
	req->resp.fixed_len = out->len;
	return 0;
}

static const char *today_stamp(struct req *req, const char *zone)
{
	return cert_date(req->arena, (int64_t)time(NULL), zone, "yyyyMMdd");
}

/* ------------------------------------------------------------ the learner */

struct own {
	struct cert *certs;
	size_t n_certs;
	struct cert_progress *progress;
	size_t n_progress;
	const char *zone; /* the active organization's, for dates shown now */
};

static int load_own(struct req *req, struct db *db, struct own *o)
{
	const char *name;
	if (cert_user_list(db, req->arena, req->who.user_id, &o->certs, &o->n_certs) != DB_OK ||
	    cert_user_in_progress(db, req->arena, req->who.user_id, &o->progress, &o->n_progress) !=
	            DB_OK ||
	    cert_org_zone(db, req->arena, req->who.org_id, &o->zone, &name) != DB_OK)
		return -1;
	return 0;
}

static const char *progress_text(struct req *req, const struct cert_progress *p)
{
	if (p->required > 0 && p->done >= p->required)
		return page_msg("course.records.transcript.progress.test");
	const char *tpl = page_msg("course.records.transcript.progress.value");
	struct buf b;
	buf_init(&b, req->arena, 512);
	for (const char *s = tpl; *s; s++) {
		if (s[0] == '{' && (s[1] == '1' || s[1] == '2') && s[2] == '}') {
			buf_printf(&b, "%lld", (long long)(s[1] == '1' ? p->done : p->required));
			s += 2;
		} else {
			buf_putc(&b, *s);
		}
	}
	return b.err ? "" : buf_cstr(&b);
}

int transcript_page(struct req *req)
{
	struct db *db = db_pool_get();
	struct own o;
	if (!db || load_own(req, db, &o) != 0)
		return -1;
	json_t *done = json_array(), *progress = json_array();
	int64_t total = 0;
	for (size_t i = 0; done && i < o.n_certs; i++) {
		const struct cert *c = &o.certs[i];
		char hours[24];
		transcript_hours(hours, sizeof hours, c->credit_centihours);
		if (!c->revoked_at)
			total += c->credit_centihours;
		json_array_append_new(
		        done,
		        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "course",
		                  c->course_title, "provider", c->provider, "date",
		                  cert_date(req->arena, c->completed_at, c->zone, CERT_DATE_SHORT),
		                  "hours", hours, "code", c->code, "revoked", c->revoked_at != 0,
		                  "revoked_on",
		                  c->revoked_at ? cert_date(req->arena, c->revoked_at, c->zone,
		                                            CERT_DATE_SHORT)
		                                : "",
		                  "pdf_href",
		                  arena_printf(req->arena, "/courses/%s/certificate.pdf",
		                               c->course_slug),
		                  "verify_href", arena_printf(req->arena, "/verify/%s", c->code)));
	}
	for (size_t i = 0; progress && i < o.n_progress; i++) {
		const struct cert_progress *p = &o.progress[i];
		json_array_append_new(
		        progress,
		        json_pack("{s:s, s:s, s:s, s:s}", "course", p->title, "href",
		                  arena_printf(req->arena, "/courses/%s", p->course_slug),
		                  "enrolled",
		                  cert_date(req->arena, p->enrolled_at, o.zone, CERT_DATE_SHORT),
		                  "progress", progress_text(req, p)));
	}
	char total_text[24];
	transcript_hours(total_text, sizeof total_text, total);
	json_t *data = json_pack("{s:o, s:o, s:s}", "completed", done, "in_progress", progress,
	                         "total_hours", total_text);
	return data ? page_render(req, 200, "course/records/transcript",
	                          "page.course.records.transcript.title", data)
	            : -1;
}

int transcript_csv(struct req *req)
{
	struct db *db = db_pool_get();
	struct own o;
	if (!db || load_own(req, db, &o) != 0)
		return -1;
	struct buf out;
	buf_init(&out, NULL, CSV_MAX_BYTES);
	header_row(&out, csv_own_keys, CSV_OWN_COLS);
	size_t rows = 0;
	for (size_t i = 0; i < o.n_certs; i++) {
		const struct cert *c = &o.certs[i];
		if (c->revoked_at)
			continue;
		char hours[24];
		transcript_hours(hours, sizeof hours, c->credit_centihours);
		const char *cells[] = {
		        c->course_title,
		        c->provider,
		        c->instructor,
		        cert_date(req->arena, c->completed_at, c->zone, CERT_DATE_ISO),
		        hours,
		        c->code};
		csv_record(&out, cells, CSV_OWN_COLS);
		rows++;
	}
	if (out.err) {
		buf_free(&out);
		return -1;
	}
	json_t *d = json_pack("{s:s, s:s, s:I}", "scope", "own", "format", "csv", "rows",
	                      (json_int_t)rows);
	if (cert_audit_export(db, req, "course.transcript.exported", d) != 0) {
		buf_free(&out);
		return -1;
	}
	const char *name = arena_printf(req->arena, "transcript-%s.csv", today_stamp(req, o.zone));
	if (!name) {
		buf_free(&out);
		return -1;
	}
	return send_csv(req, &out, name);
}

int transcript_pdf(struct req *req)
{
	struct db *db = db_pool_get();
	struct own o;
	if (!db || load_own(req, db, &o) != 0)
		return -1;
	struct certpdf_row *done = arena_calloc(req->arena, o.n_certs + 1, sizeof *done);
	struct certpdf_row *progress = arena_calloc(req->arena, o.n_progress + 1, sizeof *progress);
	if (!done || !progress)
		return -1;
	size_t nd = 0;
	int64_t total = 0;
	for (size_t i = 0; i < o.n_certs; i++) {
		const struct cert *c = &o.certs[i];
		if (c->revoked_at)
			continue;
		char *hours = arena_alloc(req->arena, 24);
		if (!hours)
			return -1;
		transcript_hours(hours, 24, c->credit_centihours);
		total += c->credit_centihours;
		done[nd++] = (struct certpdf_row){
		        .course = c->course_title,
		        .provider = c->instructor[0] ? arena_printf(req->arena, "%s \xc2\xb7 %s",
		                                                    c->provider, c->instructor)
		                                     : c->provider,
		        .date = cert_date(req->arena, c->completed_at, c->zone, CERT_DATE_SHORT),
		        .hours = hours,
		        .code = c->code,
		};
	}
	for (size_t i = 0; i < o.n_progress; i++)
		progress[i] = (struct certpdf_row){.course = o.progress[i].title,
		                                   .status = progress_text(req, &o.progress[i])};
	char total_hours[24];
	transcript_hours(total_hours, sizeof total_hours, total);
	const char *site = req->site.name && req->site.name[0] ? req->site.name
	                                                       : page_msg("site.default_name");
	const struct certpdf_transcript t = {
	        .title = page_msg("course.records.transcript.pdf.title"),
	        .learner = req->who.name ? req->who.name : "",
	        .subtitle = page_msg("course.records.transcript.pdf.subtitle"),
	        .completed_heading = page_msg("course.records.transcript.completed"),
	        .progress_heading = page_msg("course.records.transcript.progress"),
	        .none = page_msg("course.records.transcript.pdf.none"),
	        .col_course = page_msg("course.records.transcript.col.course"),
	        .col_date = page_msg("course.records.transcript.col.date"),
	        .col_hours = page_msg("course.records.transcript.col.hours"),
	        .col_code = page_msg("course.records.transcript.col.code"),
	        .total = nd ? page_msg("course.records.transcript.total") : NULL,
	        .page = page_msg("course.records.transcript.pdf.page"),
	        .done = done,
	        .n_done = nd,
	        .progress = progress,
	        .n_progress = o.n_progress,
	};
	/* The labels with their values: {1} the site, {2} today, {3} the public
	 * URL in the subtitle; {1} the hours in the total. */
	struct certpdf_transcript filled = t;
	const char *today = cert_date(req->arena, (int64_t)time(NULL), o.zone, CERT_DATE_LONG);
	filled.subtitle = NULL;
	{
		struct buf b;
		buf_init(&b, req->arena, 8192);
		for (const char *s = t.subtitle ? t.subtitle : ""; *s; s++) {
			if (s[0] == '{' && s[1] >= '1' && s[1] <= '3' && s[2] == '}') {
				buf_puts(&b,
				         s[1] == '1'           ? site
				                 : s[1] == '2' ? today
				                               : req->cfg->public_url);
				s += 2;
			} else {
				buf_putc(&b, *s);
			}
		}
		filled.subtitle = b.err ? NULL : buf_cstr(&b);
	}
	if (t.total) {
		struct buf b;
		buf_init(&b, req->arena, 512);
		for (const char *s = t.total; *s; s++) {
			if (s[0] == '{' && s[1] == '1' && s[2] == '}') {
				buf_puts(&b, total_hours);
				s += 2;
			} else {
				buf_putc(&b, *s);
			}
		}
		filled.total = b.err ? NULL : buf_cstr(&b);
	}
	char *bytes;
	size_t len;
	int rc = certpdf_transcript(req->arena, &filled, &bytes, &len);
	if (rc != 0) {
		log_msg(LOG_ERROR, "course records: transcript PDF: error %d", rc);
		return http_error(req, rc == -E2BIG ? 413 : 500, "course.records.pdf.failed");
	}
	json_t *d = json_pack("{s:s, s:s, s:I}", "scope", "own", "format", "pdf", "rows",
	                      (json_int_t)nd);
	if (cert_audit_export(db, req, "course.transcript.exported", d) != 0)
		return -1;
	const char *disposition = arena_printf(
	        req->arena, "attachment; filename=\"transcript-%s.pdf\"", today_stamp(req, o.zone));
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	return http_text(req, 200, "application/pdf", bytes, len);
}

/* ------------------------------------------------------------ the organization */

struct range {
	const char *from, *to; /* as typed, "" when absent */
	int64_t start, end; /* [start, end) in Unix seconds */
};

/* Reads ?from= and ?to= as days in zone; sets errors[field] for each bad
 * one. true when both are good. */
static bool read_range(struct req *req, const char *zone, struct range *r, json_t *errors)
{
	const char *f = req_query(req, "from"), *t = req_query(req, "to");
	struct str fs = str_trim(str_from(f ? f : "")), ts = str_trim(str_from(t ? t : ""));
	r->from = arena_strndup(req->arena, fs.p, fs.len > 64 ? 64 : fs.len);
	r->to = arena_strndup(req->arena, ts.p, ts.len > 64 ? 64 : ts.len);
	r->start = 0;
	r->end = INT64_MAX;
	if (!r->from || !r->to)
		return false;
	const char *bad = page_msg("course.records.org.date.invalid");
	if (r->from[0] &&
	    (fs.len != DAY_MAX || transcript_day_start(r->from, zone, &r->start) != 0))
		json_object_set_new(errors, "from", json_string(bad));
	if (r->to[0]) {
		/* The range ends where the day after the last day starts. */
		int64_t last, from;
		char day[DAY_MAX + 1];
		if (ts.len != DAY_MAX || transcript_day_start(r->to, zone, &last) != 0 ||
		    transcript_day_of(last, zone, day, &from, &r->end) != 0)
			json_object_set_new(errors, "to", json_string(bad));
	}
	if (json_object_size(errors) == 0 && r->start >= r->end)
		json_object_set_new(errors, "to",
		                    json_string(page_msg("course.records.org.range.invalid")));
	return json_object_size(errors) == 0;
}

struct preview {
	struct req *req;
	const char *zone;
	json_t *rows;
	int64_t total;
};

static int preview_row(void *ctx, const struct cert_org_row *r)
{
	struct preview *p = ctx;
	if (p->total++ >= ORG_PREVIEW_ROWS)
		return 0;
	char hours[24];
	transcript_hours(hours, sizeof hours, r->credit_centihours);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", r->learner_name,
	                      "officer_id", r->officer_id, "course", r->course_title, "date",
	                      cert_date(p->req->arena, r->completed_at, p->zone, CERT_DATE_ISO),
	                      "hours", hours, "code", r->code);
	return json_array_append_new(p->rows, o) == 0 ? 0 : DB_ENOMEM;
}

static int render_org(struct req *req, int status, const char *zone, const struct range *r,
                      json_t *errors, json_t *rows, int64_t total)
{
	struct buf qs;
	buf_init(&qs, req->arena, 256);
	buf_printf(&qs, "/org/transcript.csv");
	if (r->from[0] && !json_object_get(errors, "from"))
		buf_printf(&qs, "?from=%s", r->from);
	if (r->to[0] && !json_object_get(errors, "to"))
		buf_printf(&qs, "%sto=%s", qs.len > 19 ? "&" : "?", r->to);
	json_t *data =
	        json_pack("{s:{s:s, s:s}, s:o, s:b, s:o, s:I, s:b, s:s, s:s?, s:I}", "values",
	                  "from", r->from, "to", r->to, "errors", errors, "has_errors",
	                  json_object_size(errors) > 0, "rows", rows, "total", (json_int_t)total,
	                  "more", total > ORG_PREVIEW_ROWS, "zone", zone, "csv_href",
	                  qs.err ? NULL : buf_cstr(&qs), "preview", (json_int_t)ORG_PREVIEW_ROWS);
	return data ? page_render(req, status, "course/records/org_transcript",
	                          "page.course.records.org.title", data)
	            : -1;
}

int transcript_org_page(struct req *req)
{
	struct db *db = db_pool_get();
	const char *zone, *org_name;
	json_t *errors = json_object(), *rows = json_array();
	struct range r;
	if (!db || !errors || !rows ||
	    cert_org_zone(db, req->arena, req->who.org_id, &zone, &org_name) != DB_OK) {
		json_decref(errors);
		json_decref(rows);
		return -1;
	}
	if (!read_range(req, zone, &r, errors)) {
		if (!r.from || !r.to) {
			json_decref(errors);
			json_decref(rows);
			return -1;
		}
		return render_org(req, 422, zone, &r, errors, rows, 0);
	}
	struct preview p = {.req = req, .zone = zone, .rows = rows};
	int64_t count;
	if (cert_org_each(db, req->who.org_id, r.start, r.end, preview_row, &p, &count) != DB_OK) {
		json_decref(errors);
		json_decref(rows);
		return -1;
	}
	return render_org(req, 200, zone, &r, errors, rows, p.total);
}

struct csv_ctx {
	struct buf *out;
	const char *zone;
	/* The day of the last row: rows come oldest first, so most rows
	 * fall in the day before them. */
	char day[DAY_MAX + 1];
	int64_t day_start, day_end;
};

static int csv_row(void *ctx, const struct cert_org_row *r)
{
	struct csv_ctx *c = ctx;
	char hours[24];
	transcript_hours(hours, sizeof hours, r->credit_centihours);
	if ((r->completed_at < c->day_start || r->completed_at >= c->day_end) &&
	    transcript_day_of(r->completed_at, c->zone, c->day, &c->day_start, &c->day_end) != 0) {
		c->day[0] = '\0';
		c->day_start = c->day_end = 0;
	}
	const char *cells[] = {r->learner_name, r->officer_id, r->course_title, r->provider,
	                       r->instructor,   c->day,        hours,           r->code};
	return csv_record(c->out, cells, CSV_ORG_COLS) == 0 ? 0 : -E2BIG;
}

int transcript_org_csv(struct req *req)
{
	struct db *db = db_pool_get();
	const char *zone, *org_name;
	json_t *errors = json_object();
	struct range r;
	if (!db || !errors ||
	    cert_org_zone(db, req->arena, req->who.org_id, &zone, &org_name) != DB_OK) {
		json_decref(errors);
		return -1;
	}
	if (!read_range(req, zone, &r, errors)) {
		if (!r.from || !r.to) {
			json_decref(errors);
			return -1;
		}
		return render_org(req, 422, zone, &r, errors, json_array(), 0);
	}
	json_decref(errors);

	struct buf out;
	buf_init(&out, NULL, CSV_MAX_BYTES);
	header_row(&out, csv_org_keys, CSV_ORG_COLS);
	struct csv_ctx c = {.out = &out, .zone = zone};
	int64_t rows = 0;
	int rc = out.err ? -E2BIG
	                 : cert_org_each(db, req->who.org_id, r.start, r.end, csv_row, &c, &rows);
	if (rc != DB_OK) {
		bool big = out.err == -E2BIG;
		buf_free(&out);
		if (big)
			return http_error(req, 413, "course.records.csv.too_big");
		log_msg(LOG_ERROR, "course records: organization transcript: %s", db_errmsg(db));
		return -1;
	}
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:I}", "scope", "org", "format", "csv", "from",
	                      r.from, "to", r.to, "rows", (json_int_t)rows);
	if (cert_audit_export(db, req, "course.transcript.exported", d) != 0) {
		buf_free(&out);
		return -1;
	}
	const char *name = arena_printf(req->arena, "transcript-org-%lld-%s.csv",
	                                (long long)req->who.org_id, today_stamp(req, zone));
	if (!name) {
		buf_free(&out);
		return -1;
	}
	return send_csv(req, &out, name);
}
