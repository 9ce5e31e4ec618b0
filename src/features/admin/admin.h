/* features/admin/admin.h — site admins: organizations, people, and the audit log viewer. */
#ifndef CSEC_FEATURES_ADMIN_H
#define CSEC_FEATURES_ADMIN_H

#include "http/http.h"

#endif
