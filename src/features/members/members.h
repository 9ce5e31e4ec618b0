/* features/members/members.h — org admins: members, invitations (sending and accepting),
 * organization settings. */
#ifndef CSEC_FEATURES_MEMBERS_H
#define CSEC_FEATURES_MEMBERS_H

#include "http/http.h"

#endif
