/* features/api/api.h — personal access tokens and the JSON API under /api/v1/. */
#ifndef CSEC_FEATURES_API_H
#define CSEC_FEATURES_API_H

#include "http/http.h"

#endif
