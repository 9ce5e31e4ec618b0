/* features/api/api.h — personal access tokens and the JSON API under /api/v1/.
 * The account page /account/tokens lists, creates and revokes a person's
 * tokens (auth/tokens.h holds the rules); /api/v1/me reads and changes the
 * person's own record, with a token (Authorization: Bearer) or the session
 * cookie. docs/api.md describes both for operators and users. */
#ifndef CSEC_FEATURES_API_H
#define CSEC_FEATURES_API_H

#include "http/http.h"

int api_tokens_page(struct req *req); /* GET /account/tokens */
int api_tokens_create(struct req *req); /* POST /account/tokens: the new token, shown once */
int api_tokens_revoke(struct req *req); /* POST /account/tokens/{apitoken}/revoke */

int api_me(struct req *req); /* GET /api/v1/me */
int api_me_update(struct req *req); /* PATCH or POST /api/v1/me (JSON body) */

#endif
