/* features/profile/profile.h — the signed-in person's profile, password, sessions, and the
 * forgotten-password links. */
#ifndef CSEC_FEATURES_PROFILE_H
#define CSEC_FEATURES_PROFILE_H

#include "http/http.h"

#endif
