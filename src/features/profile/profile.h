/* features/profile/profile.h — the signed-in person's profile, password, sessions, and the
 * forgotten-password links. */
#ifndef CSEC_FEATURES_PROFILE_H
#define CSEC_FEATURES_PROFILE_H

#include "http/http.h"

/* /account/profile: name and POST/officer ID (the email is shown, not
 * changed). */
int profile_page(struct req *req);
int profile_update(struct req *req);

/* /account/password: change it with the current one (a slow route: it
 * hashes). Ends every other session and gives this one a new token. */
int profile_password_page(struct req *req);
int profile_password_change(struct req *req);

/* /account/sessions: the person's live sessions; end one, or all others. */
int profile_sessions_page(struct req *req);
int profile_session_end_one(struct req *req);
int profile_sessions_end_others_submit(struct req *req);

/* /password/forgot and /password/reset/{token}: a single-use link by mail
 * (30 minutes) to set a new password; /password/changed afterwards. */
int profile_forgot_page(struct req *req);
int profile_forgot_submit(struct req *req);
int profile_reset_page(struct req *req);
int profile_reset_submit(struct req *req); /* a slow route: it hashes */
int profile_reset_done(struct req *req);

#endif
