/* features/course/certificate.c — a learner's certificate as a PDF, and the
 * site admins' certificates: the list (search by code, name or email), one
 * certificate with the revocation form, and the revocation itself (a
 * reason is required; audited course.certificate.revoked with the reason in
 * the detail; the public page then answers 410). Plus the helpers the
 * records' handlers share (certificate_internal.h). */
#include "features/course/certificate.h"
#include "features/course/certificate_internal.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "features/course/certificate_model.h"
#include "features/course/certificate_pdf.h"
#include "features/course/transcript_csv.h"
#include "render/page.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADMIN_PAGE_SIZE 50
#define ADMIN_MAX_PAGE 100000

/* ------------------------------------------------------------ shared */

const char *cert_date(struct arena *a, int64_t t, const char *zone, const char *pattern)
{
	char text[96];
	if (tz_format(t, zone && zone[0] ? zone : "UTC", pattern, text, sizeof text) != 0)
		return "";
	const char *s = arena_strdup(a, text);
	return s ? s : "";
}

bool cert_slug_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int cert_audit_export(struct db *db, struct req *req, const char *action, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(detail);
	if (!text)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, action, "user",
		                    arena_printf(req->arena, "%lld", (long long)req->who.user_id),
		                    "success", text);
	if (rc == DB_OK)
		rc = db_commit(db);
	free(text);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "course records: auditing %s: %s", action, db_errmsg(db));
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ the PDF */

/* The page a learner sees for a revoked certificate of theirs (410). */
static int render_revoked(struct req *req, const struct cert *c)
{
	json_t *data = json_pack("{s:s, s:s}", "course", c->course_title, "revoked_on",
	                         cert_date(req->arena, c->revoked_at, c->zone, CERT_DATE_LONG));
	return data ? page_render(req, 410, "course/records/revoked",
	                          "page.course.records.revoked.title", data)
	            : -1;
}

int certificate_pdf(struct req *req)
{
	const char *slug = req_param(req, "course");
	struct db *db = db_pool_get();
	struct cert c;
	bool found = false;
	if (!db)
		return -1;
	if (!cert_slug_ok(slug))
		return http_error(req, 404, NULL);
	if (cert_by_user_course(db, req->arena, req->who.user_id, slug, &c, &found) != DB_OK)
		return -1;
	if (!found)
		return http_error(req, 404, NULL);
	if (c.revoked_at)
		return render_revoked(req, &c);

	char hours[24];
	transcript_hours(hours, sizeof hours, c.credit_centihours);
	const struct certpdf_cert pc = {
	        .learner_name = c.learner_name,
	        .course_title = c.course_title,
	        .provider = c.provider,
	        .instructor = c.instructor,
	        .date = cert_date(req->arena, c.completed_at, c.zone, CERT_DATE_LONG),
	        .hours = hours,
	        .code = c.code,
	        .verify_url =
	                arena_printf(req->arena, "%s/verify/%s", req->cfg->public_url, c.code),
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
	char *bytes;
	size_t len;
	int rc = pc.verify_url ? certpdf_certificate(req->arena, &pc, &lb, &bytes, &len) : -ENOMEM;
	if (rc != 0) {
		log_msg(LOG_ERROR, "course records: certificate %s: error %d", c.code, rc);
		return http_error(req, 500, "course.records.pdf.failed");
	}
	const char *disposition =
	        arena_printf(req->arena, "attachment; filename=\"certificate-%s.pdf\"", c.code);
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	return http_text(req, 200, "application/pdf", bytes, len);
}

/* ------------------------------------------------------------ site admins */

/* A certificate as the admin pages show it. */
static json_t *cert_json(struct req *req, const struct cert *c)
{
	char hours[24];
	transcript_hours(hours, sizeof hours, c->credit_centihours);
	const char *revoked =
	        c->revoked_at ? cert_date(req->arena, c->revoked_at, c->zone, CERT_DATE_SHORT) : "";
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, "
	                 "s:s, s:o?, s:s}",
	                 "id", (json_int_t)c->id, "code", c->code, "learner", c->learner_name,
	                 "email", c->email, "org", c->org_name, "course", c->course_title,
	                 "provider", c->provider, "instructor", c->instructor, "date",
	                 cert_date(req->arena, c->completed_at, c->zone, CERT_DATE_SHORT), "hours",
	                 hours, "revoked", c->revoked_at != 0, "revoked_on", revoked, "reason",
	                 c->revoke_reason, "revoked_by", c->revoked_by, "href",
	                 arena_printf(req->arena, "/admin/certificates/%lld", (long long)c->id),
	                 "score", c->has_score ? json_integer(c->score) : NULL, "verify_href",
	                 arena_printf(req->arena, "/verify/%s", c->code));
}

/* Appends "name=value" (form-urlencoded) to a query string being built. */
static void qs_add(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!value || !value[0])
		return;
	buf_putc(b, b->len ? '&' : '?');
	buf_puts(b, name);
	buf_putc(b, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			buf_putc(b, (char)*p);
		} else if (*p == ' ') {
			buf_putc(b, '+');
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

static const char *list_href(struct req *req, const char *q, int64_t page)
{
	struct buf b;
	buf_init(&b, req->arena, 1024);
	qs_add(&b, "q", q);
	if (page > 1) {
		char n[24];
		snprintf(n, sizeof n, "%lld", (long long)page);
		qs_add(&b, "page", n);
	}
	return b.err ? NULL : arena_printf(req->arena, "/admin/certificates%s", buf_cstr(&b));
}

/* A search text: trimmed, at most CERT_MAX_QUERY bytes of UTF-8 without
 * control characters; NULL when it is not. */
static const char *query_text(struct req *req, const char *raw)
{
	struct str s = str_trim(str_from(raw ? raw : ""));
	if (s.len > CERT_MAX_QUERY || !str_utf8_valid(s.p, s.len))
		return NULL;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return NULL;
	return arena_strndup(req->arena, s.p, s.len);
}

int certificate_admin_list(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *errors = json_object(), *list = json_array();
	json_t *data = NULL;
	int status = 200;
	if (!db || !errors || !list)
		goto fail;
	const char *raw = req_query(req, "q");
	const char *q = query_text(req, raw);
	int64_t page = 1;
	const char *p = req_query(req, "page");
	if (!q)
		json_object_set_new(errors, "q",
		                    json_string(page_msg("course.records.admin.q.invalid")));
	if (p && str_to_i64(str_from(p), 1, ADMIN_MAX_PAGE, &page) != 0)
		json_object_set_new(errors, "page",
		                    json_string(page_msg("course.records.admin.page.invalid")));
	int64_t total = 0;
	bool next = false;
	if (json_object_size(errors) == 0) {
		char code[CERT_CODE_LEN + 1], like[2 * CERT_MAX_QUERY + 3];
		bool by_code = cert_code_normalize(q, code);
		bool by_name = q[0] && db_like_pattern(q, true, true, like, sizeof like) == 0;
		struct cert *certs;
		size_t n;
		if (cert_search(db, req->arena, by_code ? code : NULL, by_name ? like : NULL,
		                (page - 1) * ADMIN_PAGE_SIZE, ADMIN_PAGE_SIZE, &certs, &n,
		                &total) != DB_OK)
			goto fail;
		for (size_t i = 0; i < n; i++)
			if (json_array_append_new(list, cert_json(req, &certs[i])) != 0)
				goto fail;
		next = page * ADMIN_PAGE_SIZE < total;
	} else {
		status = 422;
	}
	data = json_pack("{s:{s:s}, s:o, s:o, s:b, s:b, s:I, s:s?, s:s?}", "values", "q",
	                 raw ? raw : "", "errors", errors, "certificates", list, "has_errors",
	                 status != 200, "filtered", q && q[0], "total", (json_int_t)total,
	                 "prev_href", page > 1 && q ? list_href(req, q, page - 1) : NULL,
	                 "next_href", next ? list_href(req, q, page + 1) : NULL);
	errors = list = NULL;
	if (!data)
		return -1;
	return page_render(req, status, "course/records/admin_list",
	                   "page.course.records.admin.title", data);
fail:
	json_decref(errors);
	json_decref(list);
	return -1;
}

/* The certificate of the path's {certificate}; *c unset and false when the
 * id is malformed or unknown. */
static int path_cert(struct req *req, struct db *db, struct cert *c, bool *found)
{
	int64_t id;
	*found = false;
	const char *s = req_param(req, "certificate");
	if (!s || str_to_i64(str_from(s), 1, INT64_MAX, &id) != 0)
		return DB_OK;
	return cert_by_id(db, req->arena, id, c, found);
}

static int render_show(struct req *req, int status, const struct cert *c, const char *reason,
                       const char *error_key)
{
	json_t *errors = json_object();
	if (errors && error_key)
		json_object_set_new(errors, "reason", json_string(page_msg(error_key)));
	const char *done = req_query(req, "done");
	json_t *data = json_pack(
	        "{s:o, s:{s:s}, s:o, s:b, s:s?, s:s}", "certificate", cert_json(req, c), "values",
	        "reason", reason ? reason : "", "errors", errors, "has_errors", error_key != NULL,
	        "done",
	        done && strcmp(done, "revoked") == 0 && c->revoked_at
	                ? page_msg("course.records.admin.done.revoked")
	                : NULL,
	        "action",
	        arena_printf(req->arena, "/admin/certificates/%lld/revoke", (long long)c->id));
	return data ? page_render(req, status, "course/records/admin_show",
	                          "page.course.records.admin_show.title", data)
	            : -1;
}

int certificate_admin_show(struct req *req)
{
	struct db *db = db_pool_get();
	struct cert c;
	bool found;
	if (!db || path_cert(req, db, &c, &found) != DB_OK)
		return -1;
	if (!found)
		return http_error(req, 404, NULL);
	return render_show(req, 200, &c, NULL, NULL);
}

/* The reason as given: trimmed; the catalogue key of its problem, or NULL. */
static const char *check_reason(const char *raw, struct str *out)
{
	*out = str_trim(str_from(raw ? raw : ""));
	if (out->len == 0)
		return "course.records.admin.revoke.missing";
	if (out->len > CERT_MAX_REASON || !str_utf8_valid(out->p, out->len))
		return "course.records.admin.revoke.invalid";
	for (size_t i = 0; i < out->len; i++) {
		unsigned char ch = (unsigned char)out->p[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7f)
			return "course.records.admin.revoke.invalid";
	}
	return NULL;
}

int certificate_admin_revoke(struct req *req)
{
	struct db *db = db_pool_get();
	struct cert c;
	bool found;
	if (!db || path_cert(req, db, &c, &found) != DB_OK)
		return -1;
	if (!found)
		return http_error(req, 404, NULL);
	const char *raw = req_form(req, "reason");
	struct str r;
	const char *bad = check_reason(raw, &r);
	if (bad)
		return render_show(req, 422, &c, raw, bad);
	if (c.revoked_at)
		return render_show(req, 409, &c, raw, "course.records.admin.revoke.already");
	const char *reason = arena_strndup(req->arena, r.p, r.len);
	json_t *d = json_pack("{s:s, s:s, s:I, s:s}", "code", c.code, "course", c.course_slug,
	                      "user", (json_int_t)c.user_id, "reason", reason ? reason : "");
	char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(d);
	if (!reason || !detail) {
		free(detail);
		return -1;
	}
	bool changed = false;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = cert_revoke(db, c.id, req->who.user_id, reason, (int64_t)time(NULL), &changed);
	if (rc == DB_OK && changed)
		rc = accounts_audit(db, req, "course.certificate.revoked", "certificate",
		                    arena_printf(req->arena, "%lld", (long long)c.id), "success",
		                    detail);
	if (rc == DB_OK)
		rc = changed ? db_commit(db) : db_rollback(db);
	free(detail);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "course records: revoking %s: %s", c.code, db_errmsg(db));
		db_rollback(db);
		return -1;
	}
	if (!changed) /* revoked by someone else meanwhile */
		return render_show(req, 409, &c, raw, "course.records.admin.revoke.already");
	const char *to =
	        arena_printf(req->arena, "/admin/certificates/%lld?done=revoked", (long long)c.id);
	return to ? http_redirect(req, 303, to) : -1;
}
