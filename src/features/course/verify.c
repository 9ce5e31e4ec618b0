/* features/course/verify.c — /verify/{code}, the public page a certificate's
 * QR code opens (issue 6, point 5). Anyone may ask; the answer says only
 * what a certificate already shows to whoever holds it: for a valid one the
 * learner's name, the course and the completion date (200,
 * data-verify="valid"); for a revoked one the revocation date, never the
 * reason (410, data-verify="revoked"); for any other code, well formed or
 * not, that no certificate has it (404, data-verify="unknown"). Codes are
 * accepted in any case, with or without dashes. Lookups are counted per
 * client address like the other public lookups (auth/session.h
 * rate_limit_hit), so the page cannot be used to walk the code space. */
#include "features/course/certificate.h"
#include "features/course/certificate_internal.h"

#include "auth/session.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/course/certificate_model.h"
#include "render/page.h"

#include <stdio.h>
#include <time.h>

/* Lookups per client address and minute: far more than a person checking
 * certificates by hand, far too few to guess codes (12 random letters and digits). */
#define VERIFY_PER_MINUTE 60

int verify_page(struct req *req)
{
	struct db *db = db_pool_get();
	if (!db)
		return -1;
	char key[80];
	bool allowed = false;
	snprintf(key, sizeof key, "verify:%s", req->client);
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = rate_limit_hit(db, key, (int64_t)time(NULL), VERIFY_PER_MINUTE, &allowed);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		log_msg(LOG_ERROR, "verify: rate limit: %s", db_errmsg(db));
		db_rollback(db);
		return -1;
	}
	if (!allowed) {
		http_add_header(req, "Retry-After", "60");
		return http_error(req, 429, "course.records.verify.limited");
	}

	char code[CERT_CODE_LEN + 1];
	struct cert c;
	bool found = false;
	if (cert_code_normalize(req_param(req, "code"), code) &&
	    cert_by_code(db, req->arena, code, &c, &found) != DB_OK)
		return -1;
	json_t *data;
	int status;
	if (!found) {
		status = 404;
		data = json_pack("{s:s, s:s?}", "state", "unknown", "code", code[0] ? code : NULL);
	} else if (c.revoked_at) {
		status = 410;
		data = json_pack("{s:s, s:s, s:s}", "state", "revoked", "code", c.code,
		                 "revoked_on",
		                 cert_date(req->arena, c.revoked_at, c.zone, CERT_DATE_LONG));
	} else {
		status = 200;
		data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "state", "valid", "code", c.code,
		                 "name", c.learner_name, "course", c.course_title, "date",
		                 cert_date(req->arena, c.completed_at, c.zone, CERT_DATE_LONG));
	}
	if (!data)
		return -1;
	/* A verification answer can change (a revocation): never cached. */
	req->resp.cache_control = "no-store";
	return page_render(req, status, "course/records/verify", "page.course.records.verify.title",
	                   data);
}
