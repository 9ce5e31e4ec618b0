/* features/course/certificate.h — the course's records (issue 6, points 5
 * and 6): a learner's certificate as PDF, the public verification page, the
 * site admins' list and revocation of certificates, and the transcripts (a
 * learner's own as a page, PDF and CSV; an organization's as a page and a
 * CSV for the POST board). The certificates themselves are written by the
 * course's completion (course_complete_if_done). */
#ifndef CSEC_FEATURES_COURSE_CERTIFICATE_H
#define CSEC_FEATURES_COURSE_CERTIFICATE_H

#include "http/http.h"

/* GET /courses/{course}/certificate.pdf — the signed-in learner's own
 * certificate of that course (404 for anyone else's, 410 when revoked); a
 * slow route (cairo and pango). */
int certificate_pdf(struct req *req);

/* GET /verify/{code} — public: 200 valid (name, course, date only), 404
 * unknown, 410 revoked (with the date, never the reason); rate-limited per
 * client address. */
int verify_page(struct req *req);

/* Site admins: GET /admin/certificates (?q= code, name or email; ?page=),
 * GET /admin/certificates/{certificate} (one, with the revocation form),
 * POST /admin/certificates/{certificate}/revoke (reason required; audited
 * course.certificate.revoked). */
int certificate_admin_list(struct req *req);
int certificate_admin_show(struct req *req);
int certificate_admin_revoke(struct req *req);

/* The learner's own transcript: GET /account/transcript (page),
 * /account/transcript.pdf (slow route) and /account/transcript.csv; the
 * downloads are audited (course.transcript.exported). */
int transcript_page(struct req *req);
int transcript_pdf(struct req *req);
int transcript_csv(struct req *req);

/* The active organization's transcript for leaders and trainers:
 * GET /org/transcript (?from=&to=, a preview) and /org/transcript.csv
 * (?from=YYYY-MM-DD&to=YYYY-MM-DD, inclusive days in the organization's
 * zone; audited). */
int transcript_org_page(struct req *req);
int transcript_org_csv(struct req *req);

#endif
