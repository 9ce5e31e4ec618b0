/* features/course/certcode.h — the certificate code (issue 6 point 5), in one
 * place: 12 random Crockford base-32 characters written XXXX-XXXX-XXXX,
 * made when a course completes (completion.c) and read back as a person
 * types it on /verify/CODE or in the site admin's search. */
#ifndef CSEC_FEATURES_COURSE_CERTCODE_H
#define CSEC_FEATURES_COURSE_CERTCODE_H

#include <stdbool.h>

#define CERT_CODE_LEN 14 /* "XXXX-XXXX-XXXX" */

/* A new random code (out holds CERT_CODE_LEN + 1 bytes). */
void cert_code_new(char out[CERT_CODE_LEN + 1]);

/* Normalizes a code as typed: any case, with or without dashes or spaces,
 * into "XXXX-XXXX-XXXX", I and L read as 1 and O as 0 (Crockford's
 * decoding). false when what is left is not 12 letters and digits. */
bool cert_code_normalize(const char *in, char out[CERT_CODE_LEN + 1]);

#endif
