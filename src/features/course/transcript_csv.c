/* features/course/transcript_csv.c — see transcript_csv.h. */
#include "features/course/transcript_csv.h"

#include "core/buf.h"
#include "core/tz.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int csv_field(struct buf *b, const char *s, int first)
{
	if (!first)
		buf_putc(b, ',');
	if (!s)
		s = "";
	bool guard = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	        s[0] == '\r';
	bool quote = guard || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_putc(b, '"');
	if (guard)
		buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		const char *q = quote ? strchr(p, '"') : NULL;
		size_t n = q ? (size_t)(q - p) : strlen(p);
		buf_append(b, p, n);
		if (!q)
			break;
		buf_append(b, "\"\"", 2);
		p = q;
	}
	if (quote)
		buf_putc(b, '"');
	return b->err;
}

int csv_record(struct buf *b, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_field(b, fields[i], i == 0);
	buf_append(b, "\r\n", 2);
	return b->err;
}

void transcript_hours(char *out, size_t outlen, int64_t centihours)
{
	if (centihours < 0)
		centihours = 0;
	snprintf(out, outlen, "%lld.%02lld", (long long)(centihours / 100),
	         (long long)(centihours % 100));
}

/* The zone's offset from UTC at t, in seconds ("Z" pattern: "-0500"). */
static int offset_at(int64_t t, const char *zone, int64_t *off)
{
	char z[16];
	if (tz_format(t, zone, "Z", z, sizeof z) != 0 || strlen(z) != 5 ||
	    (z[0] != '+' && z[0] != '-'))
		return -1;
	for (int i = 1; i < 5; i++)
		if (z[i] < '0' || z[i] > '9')
			return -1;
	int64_t h = (z[1] - '0') * 10 + (z[2] - '0'), m = (z[3] - '0') * 10 + (z[4] - '0');
	*off = (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return 0;
}

int transcript_day_start(const char *day, const char *zone, int64_t *t)
{
	if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
			return -1;
	int y = (day[0] - '0') * 1000 + (day[1] - '0') * 100 + (day[2] - '0') * 10 + (day[3] - '0');
	int mo = (day[5] - '0') * 10 + (day[6] - '0'), d = (day[8] - '0') * 10 + (day[9] - '0');
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
	int64_t utc = (int64_t)timegm(&tm), off1, off2;
	/* Local midnight is utc - offset; the offset at that instant can differ
	 * from the one at utc (a change of daylight saving between them), so
	 * ask again there. */
	if (offset_at(utc, zone, &off1) != 0 || offset_at(utc - off1, zone, &off2) != 0)
		return -1;
	*t = utc - off2;
	return 0;
}

int transcript_day_of(int64_t t, const char *zone, char out[11], int64_t *start, int64_t *end)
{
	char next[16];
	if (tz_format(t, zone, "yyyy-MM-dd", out, 11) != 0 ||
	    transcript_day_start(out, zone, start) != 0)
		return -1;
	/* Noon of the day plus a day is within the next day whatever the
	 * daylight-saving change (days are 23 to 25 hours long). */
	if (tz_format(*start + 36 * 3600, zone, "yyyy-MM-dd", next, sizeof next) != 0 ||
	    transcript_day_start(next, zone, end) != 0 || *end <= t)
		return -1;
	return 0;
}
