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

int tz_day_end(const char *zone, int year, int month, int day, int64_t *out)
{
	UChar id[TZ_MAX_NAME + 1];
	if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31)
		return -1;
	if (!tz_valid(zone))
		zone = "UTC";
	if (!to_uchars(zone, id, TZ_MAX_NAME + 1))
		return -1;
	UErrorCode err = U_ZERO_ERROR;
	UCalendar *c = ucal_open(id, -1, "en_US", UCAL_GREGORIAN, &err);
	if (U_FAILURE(err))
		return -1;
	ucal_setAttribute(c, UCAL_LENIENT, 0); /* 31 February is refused, not rolled */
	ucal_clear(c);
	ucal_setDateTime(c, year, month - 1, day, 0, 0, 0, &err);
	UDate start = ucal_getMillis(c, &err);
	/* The next day's midnight (a day of 23 or 25 hours keeps its length). */
	if (U_SUCCESS(err))
		ucal_add(c, UCAL_DATE, 1, &err);
	UDate next = ucal_getMillis(c, &err);
	ucal_close(c);
	if (U_FAILURE(err) || next <= start)
		return -1;
	*out = (int64_t)(next / 1000.0) - 1;
	return 0;
}
