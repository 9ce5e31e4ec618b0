/* features/joining/joining.h — asking to join an organization: registration, email verification,
 * requests to join and their approval (docs/joining.md). The model is auth/joining.h. */
#ifndef CSEC_FEATURES_JOINING_H
#define CSEC_FEATURES_JOINING_H

#include "http/http.h"

/* /join: the form, its submission (a slow route: it hashes the password)
 * and the "check your email" page it redirects to. */
int joining_join_form(struct req *req);
int joining_join_submit(struct req *req);
int joining_join_sent(struct req *req);

/* /verify-email/{token}: a confirm button (GET changes nothing), then the POST
 * that verifies the email and asks each organization that lists its domain. */
int joining_verify_form(struct req *req);
int joining_verify_submit(struct req *req);

/* /org/requests: the org admin's pending requests of the session's active
 * organization, and the decisions on them. */
int joining_requests_page(struct req *req);
int joining_request_approve(struct req *req);
int joining_request_decline(struct req *req);

#endif
