/* features/members/members.h — org admins: members, invitations (sending and accepting),
 * organization settings. Every org admin page acts on the session's active organization
 * (req->who.org_id), never on one named by the request. */
#ifndef CSEC_FEATURES_MEMBERS_H
#define CSEC_FEATURES_MEMBERS_H

#include "http/http.h"

/* /org/members: the list (search, pages), pending invitations, the invite form. */
int members_index(struct req *req);
/* POST /org/members/invite: invite by email as a role (queues the mail). */
int members_invite(struct req *req);
/* POST /org/invitations/{invitation}/revoke */
int members_invitation_revoke(struct req *req);
/* POST /org/members/{user}/role, /disable, /enable */
int members_role(struct req *req);
int members_disable(struct req *req);
int members_enable(struct req *req);
/* /invite/{token} (public): shows the invitation; POST accepts it (a slow route: a new
 * account's password is hashed). */
int members_accept_form(struct req *req);
int members_accept_submit(struct req *req);
/* /org/settings: the organization's settings and email domains. */
int members_settings_form(struct req *req);
int members_settings_submit(struct req *req);

#endif
