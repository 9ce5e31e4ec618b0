/* auth/principal.h — who is asking: filled from the session (or left
 * anonymous) before the policy decides. Strings live in the request arena. */
#ifndef CSEC_AUTH_PRINCIPAL_H
#define CSEC_AUTH_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

struct principal {
	bool authenticated;
	bool site_admin;
	int64_t user_id;
	const char *email;
	const char *name;
	int64_t org_id; /* the session's active organization, 0 when none */
	const char *org_name;
	const char *role; /* the role in the active organization, NULL when none */
	bool must_enrol; /* MFA is required and not set up: only enrolment is open */
	int64_t session_id; /* 0 when the request came with an API token */
	bool via_token; /* authenticated by "Authorization: Bearer" (only under /api/v1/) */
	bool token_write; /* that token may change things (scope "write") */
	char token_hash[65]; /* SHA-256 of the session token, hex: keys its CSRF token */
};

#endif
