/* core/tz.h — IANA time zones (DESIGN.md §3: time is stored in UTC, and each
 * organization's zone is used for display, due dates and certificates).
 * ICU does the conversion, so daylight-saving rules come from its data and
 * nothing here touches the process-wide TZ variable. Thread-safe. */
#ifndef CSEC_CORE_TZ_H
#define CSEC_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZ_MAX_NAME 64 /* bytes in a zone name such as "America/Argentina/Buenos_Aires" */

/* true when zone is a known IANA zone name, e.g. "America/Chicago" (as
 * spelled; "UTC" and "Etc/UTC" count). */
bool tz_valid(const char *zone);

/* Formats the Unix time t in zone with an ICU date pattern ("HH:mm zzz" ->
 * "14:52 CST"; "yyyy-MM-dd HH:mm zzz"; "d MMMM yyyy") into out as UTF-8.
 * An unknown zone falls back to UTC. 0, or -1 when it does not fit or ICU
 * fails (out is then ""). */
int tz_format(int64_t t, const char *zone, const char *pattern, char *out, size_t outlen);

/* The last second of the day year-month-day in zone (23:59:59 local, the
 * instant before the next day's midnight), as Unix seconds: a due date
 * "on 30 Nov" in the organization's zone. An unknown zone is UTC. 0, or -1
 * for a date that does not exist (31 February) or an ICU failure. */
int tz_day_end(const char *zone, int year, int month, int day, int64_t *out);

#endif
