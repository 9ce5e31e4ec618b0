/* audit/query.c — see query.h. */
#include "audit/query.h"

#include "core/buf.h"
#include "core/str.h"
#include "db/db.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The seq bound when no page is asked for: the whole log is below it, and
 * "seq < $1" stays an index range (an OR would make SQLite scan). */
#define NO_BOUND INT64_MAX
#define EXPORT_BATCH 1000 /* records per query while exporting */

static const char query_sql[] =
        "SELECT a.seq, a.at, a.actor_user_id, a.actor, a.org_id, o.name, a.action, "
        "a.target_type, a.target_id, a.outcome, a.source, a.detail, a.prev_hash, a.hash "
        "FROM audit_log a LEFT JOIN organizations o ON o.id = a.org_id "
        "WHERE a.seq < $1 "
        "AND (CAST($2 AS TEXT) = '' OR a.actor = $2) "
        "AND (CAST($3 AS TEXT) = '' OR a.actor LIKE $3 ESCAPE '\\') "
        "AND (CAST($4 AS BIGINT) = 0 OR a.org_id = $4) "
        "AND (CAST($5 AS TEXT) = '' OR a.action LIKE $5 ESCAPE '\\') "
        "AND (CAST($6 AS TEXT) = '' OR a.outcome = $6) "
        "AND (CAST($7 AS TEXT) = '' OR a.at >= $7) "
        "AND (CAST($8 AS TEXT) = '' OR a.at < $8) "
        "ORDER BY a.seq DESC LIMIT $9";

/* ------------------------------------------------------------ dates */

/* After Howard Hinnant's days_from_civil (public domain): exact for every
 * proleptic Gregorian date, no tables, no time zone. */
int64_t audit_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400); /* [0, 399] */
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
	return era * 146097 + (int64_t)doe - 719468;
}

void audit_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097); /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153; /* [0, 11] */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD", a real date from 1970 to 9999, into days since the epoch. */
static bool parse_date(struct str s, int64_t *days)
{
	if (s.len != 10 || s.p[4] != '-' || s.p[7] != '-')
		return false;
	unsigned v[3] = {0, 0, 0};
	static const size_t start[] = {0, 5, 8}, len[] = {4, 2, 2};
	for (size_t i = 0; i < 3; i++)
		for (size_t j = start[i]; j < start[i] + len[i]; j++) {
			if (s.p[j] < '0' || s.p[j] > '9')
				return false;
			v[i] = v[i] * 10 + (unsigned)(s.p[j] - '0');
		}
	if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > days_in_month(v[0], v[1]))
		return false;
	*days = audit_days_from_civil(v[0], v[1], v[2]);
	return true;
}

/* The start of a day as a bound on audit_log.at; "" past year 9999, where
 * four-digit years would no longer sort as text. */
static void day_start(int64_t days, char out[25])
{
	int64_t y;
	unsigned m, d;
	audit_civil_from_days(days, &y, &m, &d);
	char text[64];
	int n = snprintf(text, sizeof text, "%04lld-%02u-%02uT00:00:00.000Z", (long long)y, m, d);
	if (y > 9999 || n != 24)
		n = 0;
	memcpy(out, text, (size_t)n);
	out[n] = '\0';
}

/* ------------------------------------------------------------ filters */

static bool has_control(struct str s)
{
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return true;
	return false;
}

/* The trimmed value; *too_long when it is past the input limit. */
static struct str field(const char *v, bool *too_long)
{
	struct str s = str_from(v ? v : "");
	*too_long = s.len > AUDIT_FILTER_MAX_INPUT;
	return str_trim(s);
}

static const char *parse_actor(const char *v, struct audit_filter *f)
{
	bool too_long;
	struct str s = field(v, &too_long);
	if (too_long)
		return "admin.audit.actor.invalid";
	if (s.len > 0 && s.p[s.len - 1] == '*') {
		s.len--;
		if (s.len == 0)
			return "admin.audit.actor.star";
		f->actor_prefix = true;
	}
	if (s.len > AUDIT_MAX_ACTOR || has_control(s) || !str_utf8_valid(s.p, s.len))
		return "admin.audit.actor.invalid";
	for (size_t i = 0; i < s.len; i++)
		f->actor[i] = s.p[i] >= 'A' && s.p[i] <= 'Z' ? (char)(s.p[i] - 'A' + 'a') : s.p[i];
	f->actor[s.len] = '\0';
	return NULL;
}

static const char *parse_id(const char *v, int64_t *out, const char *bad)
{
	bool too_long;
	struct str s = field(v, &too_long);
	if (too_long)
		return bad;
	if (s.len == 0)
		return NULL;
	return str_to_i64(s, 1, INT64_MAX, out) == 0 ? NULL : bad;
}

static const char *parse_action(const char *v, struct audit_filter *f)
{
	bool too_long;
	struct str s = field(v, &too_long);
	if (too_long)
		return "admin.audit.action.invalid";
	if (s.len > 0 && s.p[s.len - 1] == '*')
		s.len--; /* "auth.*" says what a prefix means anyway */
	if (s.len > AUDIT_MAX_ACTION)
		return "admin.audit.action.invalid";
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return "admin.audit.action.invalid";
		f->action[i] = c;
	}
	f->action[s.len] = '\0';
	return NULL;
}

static const char *parse_outcome(const char *v, struct audit_filter *f)
{
	static const char *const outcomes[] = {"success", "failure", "denied"};
	bool too_long;
	struct str s = field(v, &too_long);
	if (too_long)
		return "admin.audit.outcome.invalid";
	if (s.len == 0)
		return NULL;
	for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (str_eq_cstr(s, outcomes[i])) {
			snprintf(f->outcome, sizeof f->outcome, "%s", outcomes[i]);
			return NULL;
		}
	return "admin.audit.outcome.invalid";
}

/* A date field: *days set and the text kept when given and valid. */
static const char *parse_day(const char *v, char text[11], int64_t *days, bool *given)
{
	bool too_long;
	struct str s = field(v, &too_long);
	*given = false;
	if (too_long)
		return "admin.audit.date.invalid";
	if (s.len == 0)
		return NULL;
	if (!parse_date(s, days))
		return "admin.audit.date.invalid";
	memcpy(text, s.p, 10);
	text[10] = '\0';
	*given = true;
	return NULL;
}

int audit_filter_parse(const struct audit_filter_input *in, struct audit_filter *f,
                       struct audit_filter_errors *err)
{
	memset(f, 0, sizeof *f);
	memset(err, 0, sizeof *err);
	int64_t from = 0, to = 0;
	bool has_from, has_to;
	err->actor = parse_actor(in->actor, f);
	err->org = parse_id(in->org, &f->org_id, "admin.audit.org.invalid");
	err->action = parse_action(in->action, f);
	err->outcome = parse_outcome(in->outcome, f);
	err->from = parse_day(in->from, f->from, &from, &has_from);
	err->to = parse_day(in->to, f->to, &to, &has_to);
	err->before = parse_id(in->before, &f->before, "admin.audit.before.invalid");
	if (has_from && has_to && from > to)
		err->to = "admin.audit.date.order";
	if (has_from && !err->from)
		day_start(from, f->from_at);
	if (has_to && !err->to)
		day_start(to + 1, f->to_at);
	/* A field in error filters nothing: the caller shows the problem. */
	if (err->actor)
		f->actor[0] = '\0', f->actor_prefix = false;
	if (err->org)
		f->org_id = 0;
	if (err->action)
		f->action[0] = '\0';
	if (err->outcome)
		f->outcome[0] = '\0';
	if (err->from)
		f->from[0] = f->from_at[0] = '\0';
	if (err->to)
		f->to[0] = f->to_at[0] = '\0';
	if (err->before)
		f->before = 0;
	const char *const all[] = {err->actor, err->org, err->action, err->outcome,
	                           err->from,  err->to,  err->before};
	int n = 0;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		n += all[i] != NULL;
	return n;
}

/* ------------------------------------------------------------ the walk */

static const char *col(struct db_stmt *st, int i)
{
	size_t n;
	return db_column_is_null(st, i) ? NULL : db_column_text(st, i, &n);
}

int audit_query(struct db *db, const struct audit_filter *f, int limit, audit_row_fn fn, void *ctx)
{
	char actor_like[2 * AUDIT_MAX_ACTOR + 4] = "", action_like[2 * AUDIT_MAX_ACTION + 4] = "";
	if (limit < 1 || limit > 1000)
		return DB_EINVAL;
	if (f->actor[0] && f->actor_prefix)
		db_like_pattern(f->actor, false, false, actor_like, sizeof actor_like);
	if (f->action[0])
		db_like_pattern(f->action, false, false, action_like, sizeof action_like);
	struct db_stmt *st;
	int rc = db_prepare(db, query_sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, f->before > 0 ? f->before : NO_BOUND)) == DB_OK &&
	    (rc = db_bind_text(st, 2, f->actor_prefix ? "" : f->actor, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 3, actor_like, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, f->org_id)) == DB_OK &&
	    (rc = db_bind_text(st, 5, action_like, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 6, f->outcome, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 7, f->from_at, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 8, f->to_at, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 9, limit);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		struct audit_row r = {
		        .seq = db_column_int64(st, 0),
		        .at = col(st, 1),
		        .actor_user_id = db_column_int64(st, 2),
		        .actor = col(st, 3),
		        .org_id = db_column_int64(st, 4),
		        .org_name = col(st, 5),
		        .action = col(st, 6),
		        .target_type = col(st, 7),
		        .target_id = col(st, 8),
		        .outcome = col(st, 9),
		        .source = col(st, 10),
		        .detail = col(st, 11),
		        .prev_hash = col(st, 12),
		        .hash = col(st, 13),
		};
		int stop = fn(ctx, &r);
		if (stop) {
			db_finalize(st);
			return stop;
		}
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* ------------------------------------------------------------ the export */

struct export_state {
	struct buf *out;
	int64_t max, count, last_seq;
	int rows; /* records seen by the current query */
	bool truncated;
};

static json_t *id_or_null(int64_t id)
{
	return id > 0 ? json_integer(id) : json_null();
}

static int export_row(void *p, const struct audit_row *r)
{
	struct export_state *x = p;
	x->rows++;
	if (x->count == x->max) {
		x->truncated = true;
		return 1;
	}
	/* The detail as the JSON object it is; as text if it ever was not. */
	json_t *detail = r->detail ? json_loads(r->detail, 0, NULL) : json_null();
	if (!detail)
		detail = json_string(r->detail);
	json_t *o = json_pack(
	        "{s:I, s:s, s:s?, s:o, s:o, s:s?, s:s, s:s?, s:s?, s:s, s:s?, "
	        "s:o, s:s, s:s}",
	        "seq", (json_int_t)r->seq, "time", r->at, "actor", r->actor, "actor_user_id",
	        id_or_null(r->actor_user_id), "org", id_or_null(r->org_id), "org_name", r->org_name,
	        "action", r->action, "target_type", r->target_type, "target_id", r->target_id,
	        "outcome", r->outcome, "source", r->source, "detail", detail ? detail : json_null(),
	        "prev_hash", r->prev_hash, "hash", r->hash);
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!line)
		return -ENOMEM;
	size_t n = strlen(line);
	if (n + 1 > x->out->max - x->out->len) {
		free(line);
		x->truncated = true;
		return 1;
	}
	buf_append(x->out, line, n);
	buf_putc(x->out, '\n');
	free(line);
	if (x->out->err)
		return -ENOMEM;
	x->count++;
	x->last_seq = r->seq;
	return 0;
}

int audit_export_jsonl(struct db *db, const struct audit_filter *f, int64_t max_records,
                       struct buf *out, struct audit_export_result *res)
{
	struct audit_filter page = *f; /* its `before` moves down batch by batch */
	struct export_state x = {.out = out, .max = max_records < 0 ? 0 : max_records};
	int rc = 0;
	for (;;) {
		/* One record more than is left, to know whether the export is cut short. */
		int64_t left = x.max - x.count;
		int want = left + 1 < EXPORT_BATCH ? (int)left + 1 : EXPORT_BATCH;
		x.rows = 0;
		rc = audit_query(db, &page, want, export_row, &x);
		if (rc < 0 || x.truncated || x.rows < want)
			break;
		page.before = x.last_seq; /* the next, older batch */
	}
	res->records = x.count;
	res->truncated = x.truncated;
	res->next_before = x.truncated ? x.last_seq : 0;
	return rc < 0 ? rc : 0;
}
