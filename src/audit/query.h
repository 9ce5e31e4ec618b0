/* audit/query.h — reading the audit log for people (the site admin's viewer
 * and its JSON-lines export): the filters a viewer accepts, checked and
 * bounded before any query, and a newest-first walk that hands each record
 * to a callback, so a caller never needs the whole log in memory. Paging is
 * by seq (keyset): a page is the records below a given seq.
 *
 * Filters (every one optional, all must hold):
 *   actor    the actor as recorded (an email, "system", "cli", "anonymous"),
 *            exact, or a prefix when typed with a trailing '*'
 *   org      an organization id
 *   action   a prefix of the dotted action name ("auth." or "auth.signin")
 *   outcome  success, failure or denied
 *   from, to calendar dates (YYYY-MM-DD) taken in UTC: from 00:00:00 on
 *            `from` up to the end of the day `to`
 *   before   only records with a smaller seq (the next, older page) */
#ifndef CSEC_AUDIT_QUERY_H
#define CSEC_AUDIT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

struct db;

/* Records on one page of the viewer, and the most one export may hold. */
#define AUDIT_QUERY_PAGE 50
#define AUDIT_EXPORT_MAX_RECORDS 100000
/* What any one filter value may be, in bytes, before it is even looked at. */
#define AUDIT_FILTER_MAX_INPUT 400

struct audit_filter {
	char actor[AUDIT_MAX_ACTOR + 1]; /* lower case, without the '*'; "" = any */
	bool actor_prefix;
	int64_t org_id; /* 0 = any */
	char action[AUDIT_MAX_ACTION + 1]; /* a prefix; "" = any */
	char outcome[8]; /* "" = any */
	char from[11], to[11]; /* the dates as given (YYYY-MM-DD); "" = open */
	char from_at[25]; /* from, as a bound on audit_log.at (inclusive) */
	char to_at[25]; /* the day after to, as a bound on audit_log.at (exclusive) */
	int64_t before; /* seq; 0 = from the newest record */
};

/* What a person typed (NULL = absent), and what is wrong with it: a
 * message-catalogue key per field, NULL when that field is fine. */
struct audit_filter_input {
	const char *actor, *org, *action, *outcome, *from, *to, *before;
};
struct audit_filter_errors {
	const char *actor, *org, *action, *outcome, *from, *to, *before;
};

/* Checks and normalizes in into f (fully written either way). Returns the
 * number of fields with a problem (0: f is usable), each named in err. The
 * org id is checked for form only; whether it exists is the caller's
 * question. Pure: touches no store. */
int audit_filter_parse(const struct audit_filter_input *in, struct audit_filter *f,
                       struct audit_filter_errors *err);

/* One record as read. Strings are valid only during the callback; absent
 * optional fields are NULL. */
struct audit_row {
	int64_t seq;
	const char *at; /* YYYY-MM-DDTHH:MM:SS.mmmZ, UTC */
	int64_t actor_user_id; /* 0 = none */
	const char *actor;
	int64_t org_id; /* 0 = none */
	const char *org_name; /* NULL when none, or the organization is gone */
	const char *action, *target_type, *target_id, *outcome, *source;
	const char *detail; /* JSON object text, as hashed */
	const char *prev_hash, *hash;
};

/* Returns non-zero to stop the walk (audit_query then returns that value). */
typedef int (*audit_row_fn)(void *ctx, const struct audit_row *r);

/* Calls fn for each record matching f, newest first (seq descending),
 * starting below f->before, at most limit records (1 .. 1000). Returns 0,
 * fn's non-zero answer, or a negative DB code.
 *
 * Cost: the walk follows seq downward and tests each record against the
 * filters, stopping after limit matches; a filter that matches few records
 * reads more of the log to fill a page. That is the price of one query text
 * for every combination of filters (the statement cache needs literals);
 * PostgreSQL folds the unused conditions away, since statements are
 * planned with their values. */
int audit_query(struct db *db, const struct audit_filter *f, int limit, audit_row_fn fn, void *ctx);

/* What audit_export_jsonl wrote. */
struct audit_export_result {
	int64_t records; /* lines written */
	bool truncated; /* more records matched than fit */
	int64_t next_before; /* when truncated: `before` for the rest (the last seq written) */
};

/* Writes the records matching f as JSON lines into out, newest first (a
 * thousand at a time through audit_query, so only the output grows), at
 * most max_records of them and never past out's own cap (out->max): a line
 * that would not fit ends the export there, whole lines only. Each line is
 * one object: seq, time, actor, actor_user_id, org, org_name, action,
 * target_type, target_id, outcome, source, detail (the JSON object), prev_hash,
 * hash. Returns 0, or a negative DB code (or -ENOMEM); out then holds what
 * was written so far, for the caller to discard. */
struct buf;
int audit_export_jsonl(struct db *db, const struct audit_filter *f, int64_t max_records,
                       struct buf *out, struct audit_export_result *res);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back; for the
 * date filters and their tests. */
int64_t audit_days_from_civil(int64_t y, unsigned m, unsigned d);
void audit_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
