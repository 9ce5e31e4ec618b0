/* features/joining/joining.h — asking to join an organization: registration, email verification,
 * requests to join and their approval. */
#ifndef CSEC_FEATURES_JOINING_H
#define CSEC_FEATURES_JOINING_H

#include "http/http.h"

#endif
