/* core/tz.c — see tz.h. A formatter is opened per call: they are cheap next
 * to the pages that show a time, and sharing one across threads would need a
 * lock. */
#include "core/tz.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>

#define MAX_PATTERN 64
#define MAX_RESULT 128

static bool to_uchars(const char *s, UChar *out, int32_t cap)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = 0;
	u_strFromUTF8(out, cap, &n, s, -1, &err);
	return U_SUCCESS(err) && n < cap;
}

bool tz_valid(const char *zone)
{
	UChar id[TZ_MAX_NAME + 1], canon[TZ_MAX_NAME + 1];
	if (!zone || !zone[0] || strlen(zone) > TZ_MAX_NAME ||
	    !to_uchars(zone, id, TZ_MAX_NAME + 1))
		return false;
	UErrorCode err = U_ZERO_ERROR;
	UBool system = 0;
	ucal_getCanonicalTimeZoneID(id, -1, canon, TZ_MAX_NAME + 1, &system, &err);
	return U_SUCCESS(err) && system;
}

int tz_format(int64_t t, const char *zone, const char *pattern, char *out, size_t outlen)
{
	UChar id[TZ_MAX_NAME + 1], pat[MAX_PATTERN], res[MAX_RESULT];
	if (!outlen)
		return -1;
	out[0] = '\0';
	if (!tz_valid(zone))
		zone = "UTC";
	if (!to_uchars(zone, id, TZ_MAX_NAME + 1) || !to_uchars(pattern, pat, MAX_PATTERN))
		return -1;
	UErrorCode err = U_ZERO_ERROR;
	UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, "en_US", id, -1, pat, -1, &err);
	if (U_FAILURE(err))
		return -1;
	int32_t n = udat_format(f, (UDate)t * 1000.0, res, MAX_RESULT, NULL, &err);
	udat_close(f);
	if (U_FAILURE(err) || n >= MAX_RESULT)
		return -1;
	int32_t written = 0;
	u_strToUTF8(out, (int32_t)outlen, &written, res, n, &err);
	if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING || (size_t)written >= outlen) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
