/* features/course/transcript_csv.h — CSV for the transcripts (RFC 4180:
 * fields separated by commas, records by CRLF, a field quoted when it holds
 * a comma, a quote, CR or LF, quotes doubled inside), UTF-8 as stored, and
 * safe to open in a spreadsheet: a field that starts with = + - @, a tab or
 * a CR is prefixed with ' so no formula runs (OWASP's CSV injection
 * advice). Pure functions over a struct buf (its cap bounds the output). */
#ifndef CSEC_FEATURES_COURSE_TRANSCRIPT_CSV_H
#define CSEC_FEATURES_COURSE_TRANSCRIPT_CSV_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* Appends one field (s may be NULL: empty), preceded by a comma unless
 * first. 0, or the buffer's error (-ENOMEM, -E2BIG). */
int csv_field(struct buf *b, const char *s, int first);

/* Appends a record of n fields and its CRLF. 0 or the buffer's error. */
int csv_record(struct buf *b, const char *const *fields, size_t n);

/* "4.25" for 425 (out: at least 24 bytes). */
void transcript_hours(char *out, size_t outlen, int64_t centihours);

/* Parses "YYYY-MM-DD" (a real calendar day, years 1970-9999) into the
 * Unix time of its midnight in zone (an IANA name; the day's first instant,
 * daylight saving included). 0 with *t, or -1. */
int transcript_day_start(const char *day, const char *zone, int64_t *t);

/* The day of t in zone: its date ("YYYY-MM-DD", out: 11 bytes) and the
 * Unix times where it starts and where the next day starts, so a caller
 * formatting many times in order formats once a day, not once a time (ICU
 * formatting is the slow part of a long transcript). 0, or -1. */
int transcript_day_of(int64_t t, const char *zone, char out[11], int64_t *start, int64_t *end);

#endif
