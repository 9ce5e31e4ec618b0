/* features/admin/auditlog.c — the audit log for site admins: the viewer
 * (filters, newest first, 50 records a page, paged by seq) and its export
 * as JSON lines. Every filter value is bounded and checked first
 * (audit/query.h); a bad one re-renders the page naming the problem (422).
 *
 * The export holds at most AUDIT_EXPORT_MAX_RECORDS records; when it is
 * cut short, the X-Csec-Export-Next-Before header says where the next
 * export continues (?before=SEQ). On the worker pool (a slow route) the
 * matching records are counted and the export is audited (audit.export,
 * with the filters and the count: DESIGN.md §6) in a transaction of its
 * own; then the file is streamed (http_stream), EXPORT_BATCH records made
 * into lines at a time as the client reads, so its memory is one batch
 * whatever the size of the log or of the export. */
#include "features/admin/admin.h"

#include "audit/query.h"
#include "auth/admin.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/admin/internal.h"
#include "render/page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_BATCH 200 /* records read and made into lines at a time */
#define EXPORT_BATCH_BYTES (1u << 20) /* the most one batch of lines may take */
#define EXPORT_TALLY_BATCH 1000 /* records counted per query */
#define ORG_CHOICES 1000 /* organizations offered in the filter's select */

static void read_input(struct req *req, struct audit_filter_input *in)
{
	in->actor = req_query(req, "actor");
	in->org = req_query(req, "org");
	in->action = req_query(req, "action");
	in->outcome = req_query(req, "outcome");
	in->from = req_query(req, "from");
	in->to = req_query(req, "to");
	in->before = req_query(req, "before");
}

static void field_error(json_t *errors, const char *field, const char *key)
{
	if (key && !json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(page_msg(key)));
}

/* Checks the filters; errors gets one message per bad field. The org must
 * also exist. Returns the number of problems, or -1 on a store failure. */
static int check_filters(struct req *req, struct db *db, struct audit_filter *f, json_t *errors)
{
	struct audit_filter_input in;
	struct audit_filter_errors e;
	read_input(req, &in);
	audit_filter_parse(&in, f, &e);
	field_error(errors, "actor", e.actor);
	field_error(errors, "org", e.org);
	field_error(errors, "action", e.action);
	field_error(errors, "outcome", e.outcome);
	field_error(errors, "from", e.from);
	field_error(errors, "to", e.to);
	field_error(errors, "before", e.before);
	if (f->org_id) {
		json_t *org = NULL;
		int rc = admin_org_get(db, f->org_id, &org);
		json_decref(org);
		if (rc == DB_DONE)
			field_error(errors, "org", "admin.audit.org.unknown");
		else if (rc != DB_OK)
			return -1;
	}
	return (int)json_object_size(errors);
}

/* The filters as a query string ("?actor=...&org=3"), without `before`. */
static const char *filter_query(struct req *req, const struct audit_filter *f)
{
	struct buf b;
	char org[24] = "";
	buf_init(&b, req->arena, 4096);
	if (f->actor[0])
		admin_qs_add(&b, "actor",
		             f->actor_prefix ? arena_printf(req->arena, "%s*", f->actor)
		                             : f->actor);
	if (f->org_id)
		snprintf(org, sizeof org, "%lld", (long long)f->org_id);
	admin_qs_add(&b, "org", org);
	admin_qs_add(&b, "action", f->action);
	admin_qs_add(&b, "outcome", f->outcome);
	admin_qs_add(&b, "from", f->from);
	admin_qs_add(&b, "to", f->to);
	return b.err ? NULL : arena_strdup(req->arena, buf_cstr(&b));
}

/* ------------------------------------------------------------ the viewer */

struct view {
	struct req *req;
	json_t *rows;
	int n;
	int64_t last_seq;
	bool more;
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int view_row(void *p, const struct audit_row *r)
{
	struct view *v = p;
	if (v->n == AUDIT_QUERY_PAGE) {
		v->more = true;
		return 1;
	}
	/* "2025-03-01T10:00:00.123Z" shows as "2025-03-01 10:00:00" under a
	 * heading that says UTC. */
	char when[20] = "";
	size_t n = strlen(r->at);
	if (n >= 19) {
		memcpy(when, r->at, 19);
		when[10] = ' ';
	}
	const char *org = r->org_name ? r->org_name
	        : r->org_id           ? arena_printf(v->req->arena, "#%lld", (long long)r->org_id)
	                              : "";
	json_t *row =
	        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
	                  (json_int_t)r->seq, "at", r->at, "when", when, "actor",
	                  or_empty(r->actor), "org", org ? org : "", "action", or_empty(r->action),
	                  "target_type", or_empty(r->target_type), "target_id",
	                  or_empty(r->target_id), "outcome", or_empty(r->outcome), "outcome_label",
	                  admin_label(v->req, "admin.audit.outcome", r->outcome), "source",
	                  or_empty(r->source), "detail", or_empty(r->detail));
	if (!row || json_array_append_new(v->rows, row) != 0)
		return -ENOMEM;
	v->n++;
	v->last_seq = r->seq;
	return 0;
}

static json_t *outcome_options(struct req *req, const char *chosen)
{
	static const char *const outcomes[] = {"success", "failure", "denied"};
	json_t *list = json_array();
	for (size_t i = 0; list && i < 3; i++)
		json_array_append_new(
		        list,
		        json_pack("{s:s, s:s, s:b}", "value", outcomes[i], "label",
		                  admin_label(req, "admin.audit.outcome", outcomes[i]), "selected",
		                  chosen && strcmp(chosen, outcomes[i]) == 0));
	return list;
}

/* n with its thousands grouped ("100,000"), as English writes numbers. */
static void grouped(int64_t n, char out[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? 0 : n));
	size_t o = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* The filter form's data: the values as typed, the select's options. */
static json_t *form_data(struct req *req, struct db *db, json_t *errors)
{
	struct audit_filter_input in;
	read_input(req, &in);
	json_t *orgs = NULL;
	char max[32];
	grouped(AUDIT_EXPORT_MAX_RECORDS, max);
	if (admin_orgs_names(db, ORG_CHOICES, &orgs) != DB_OK) {
		json_decref(errors);
		return NULL;
	}
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o)
	{
		char id[24];
		snprintf(id, sizeof id, "%lld",
		         (long long)json_integer_value(json_object_get(o, "id")));
		json_object_set_new(o, "selected", json_boolean(in.org && strcmp(in.org, id) == 0));
	}
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:b, s:o, s:o, s:s}", "values",
	                 "actor", or_empty(in.actor), "org", or_empty(in.org), "action",
	                 or_empty(in.action), "outcome", or_empty(in.outcome), "from",
	                 or_empty(in.from), "to", or_empty(in.to), "errors", errors, "has_errors",
	                 json_object_size(errors) > 0, "orgs", orgs, "outcomes",
	                 outcome_options(req, in.outcome), "export_max", max);
}

int admin_audit(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *errors = json_object();
	struct audit_filter f;
	if (!db || !errors) {
		json_decref(errors);
		return -1;
	}
	int bad = check_filters(req, db, &f, errors);
	if (bad < 0) {
		json_decref(errors);
		return -1;
	}
	json_t *data = form_data(req, db, errors);
	if (!data)
		return -1;
	if (bad > 0)
		return page_render(req, 422, "admin/audit", "page.admin.audit.title", data);

	struct view v = {.req = req, .rows = json_array()};
	int rc = v.rows ? audit_query(db, &f, AUDIT_QUERY_PAGE + 1, view_row, &v) : DB_ENOMEM;
	if (rc < 0) {
		json_decref(v.rows);
		json_decref(data);
		return -1;
	}
	const char *qs = filter_query(req, &f);
	if (!qs) {
		json_decref(v.rows);
		json_decref(data);
		return -1;
	}
	json_object_set_new(data, "records", v.rows);
	json_object_set_new(data, "filtered", json_boolean(qs[0] != '\0'));
	json_object_set_new(data, "export_href",
	                    json_string(arena_printf(req->arena, "/admin/audit.jsonl%s", qs)));
	if (v.more)
		json_object_set_new(
		        data, "older_href",
		        json_string(arena_printf(req->arena, "/admin/audit%s%sbefore=%lld", qs,
		                                 qs[0] ? "&" : "?", (long long)v.last_seq)));
	if (f.before)
		json_object_set_new(data, "newest_href",
		                    json_string(arena_printf(req->arena, "/admin/audit%s", qs)));
	return page_render(req, 200, "admin/audit", "page.admin.audit.title", data);
}

/* ------------------------------------------------------------ the export */

/* The filters, the count and whether the export was cut short, for the
 * audit.export record. */
static char *export_detail(const struct audit_filter *f, const struct audit_export_result *x)
{
	json_t *filters = json_object();
	if (f->actor[0])
		json_object_set_new(filters, "actor", json_string(f->actor));
	if (f->actor[0] && f->actor_prefix)
		json_object_set_new(filters, "actor_prefix", json_true());
	if (f->org_id)
		json_object_set_new(filters, "org", json_integer(f->org_id));
	if (f->action[0])
		json_object_set_new(filters, "action", json_string(f->action));
	if (f->outcome[0])
		json_object_set_new(filters, "outcome", json_string(f->outcome));
	if (f->from[0])
		json_object_set_new(filters, "from", json_string(f->from));
	if (f->to[0])
		json_object_set_new(filters, "to", json_string(f->to));
	if (f->before)
		json_object_set_new(filters, "before", json_integer(f->before));
	json_t *d = json_pack("{s:o, s:I, s:b}", "filters", filters, "records",
	                      (json_int_t)x->records, "truncated", x->truncated);
	char *s = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(d);
	return s;
}

/* How many records an export holds, and where it is cut short, counted on
 * the worker before anything is sent (the header and the audit record
 * need them): the same walk as the export's, without making any line. */
struct tally {
	int64_t max, count, first_seq, last_seq;
	int rows; /* records seen by the current query */
	bool truncated;
};

static int tally_row(void *p, const struct audit_row *r)
{
	struct tally *t = p;
	t->rows++;
	if (t->count == t->max) {
		t->truncated = true;
		return 1;
	}
	if (t->count++ == 0)
		t->first_seq = r->seq;
	t->last_seq = r->seq;
	return 0;
}

static int tally_export(struct db *db, const struct audit_filter *f, struct tally *t)
{
	struct audit_filter page = *f;
	for (;;) {
		t->rows = 0;
		int rc = audit_query(db, &page, EXPORT_TALLY_BATCH, tally_row, t);
		if (rc < 0)
			return rc;
		if (t->truncated || t->rows < EXPORT_TALLY_BATCH)
			return 0;
		page.before = t->last_seq;
	}
}

/* The body, made a batch of lines at a time as the client takes it (on the
 * engine's thread, with that thread's store connection): exactly the
 * records counted, from the newest counted one down, so records added
 * meanwhile are not in it. Memory: one batch of lines, whatever the size
 * of the export. */
struct export_stream {
	struct audit_filter f; /* its `before` moves down batch by batch */
	int64_t left; /* records still to send */
	struct buf lines; /* the current batch (malloc'd, at most EXPORT_BATCH_BYTES) */
	size_t sent; /* bytes of it already sent */
};

static long export_read(void *ctx, char *out, size_t max)
{
	struct export_stream *x = ctx;
	if (x->sent == x->lines.len) {
		if (x->left == 0)
			return 0;
		struct db *db = db_pool_get();
		if (!db)
			return -EIO;
		struct audit_export_result r;
		buf_reset(&x->lines);
		x->sent = 0;
		int rc = audit_export_jsonl(
		        db, &x->f, x->left < EXPORT_BATCH ? x->left : EXPORT_BATCH, &x->lines, &r);
		if (rc < 0 || (r.records == 0 && r.truncated)) {
			log_msg(LOG_ERROR, "exporting the audit log: %s",
			        rc < 0 ? db_errmsg(db) : "a record does not fit a batch");
			return -EIO;
		}
		if (r.records == 0)
			return 0; /* fewer than counted: cannot happen in an append-only log */
		x->left = r.truncated ? x->left - r.records : 0;
		x->f.before = r.next_before;
	}
	size_t n = x->lines.len - x->sent;
	if (n > max)
		n = max;
	memcpy(out, x->lines.data + x->sent, n);
	x->sent += n;
	return (long)n;
}

static void export_done(void *ctx)
{
	struct export_stream *x = ctx;
	buf_free(&x->lines);
	free(x);
}

int admin_audit_export(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *errors = json_object();
	struct audit_filter f;
	if (!db || !errors) {
		json_decref(errors);
		return -1;
	}
	int bad = check_filters(req, db, &f, errors);
	if (bad < 0) {
		json_decref(errors);
		return -1;
	}
	if (bad > 0) {
		json_t *data = form_data(req, db, errors);
		return data ? page_render(req, 422, "admin/audit", "page.admin.audit.title", data)
		            : -1;
	}
	json_decref(errors);
	struct tally t = {.max = AUDIT_EXPORT_MAX_RECORDS};
	if (tally_export(db, &f, &t) < 0) {
		log_msg(LOG_ERROR, "counting an export of the audit log: %s", db_errmsg(db));
		return -1;
	}
	struct audit_export_result x = {
	        .records = t.count, .truncated = t.truncated, .next_before = t.last_seq};
	char *detail = export_detail(&f, &x);
	if (!detail)
		return -1;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = admin_record(db, req, 0, "audit.export", NULL, NULL, "success", detail);
	free(detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		return admin_fail(db, "recording an export of the audit log");

	char stamp[24];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	const char *disposition =
	        arena_printf(req->arena, "attachment; filename=\"csec-audit-%s.jsonl\"", stamp);
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	if (t.truncated) {
		const char *next = arena_printf(req->arena, "%lld", (long long)t.last_seq);
		if (!next || http_add_header(req, "X-Csec-Export-Next-Before", next) != 0)
			return -1;
	}
	if (t.count == 0)
		return http_text(req, 200, "application/x-ndjson", "", 0);
	struct export_stream *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->f = f;
	s->f.before = t.first_seq + 1;
	s->left = t.count;
	buf_init(&s->lines, NULL, EXPORT_BATCH_BYTES);
	struct http_stream body = {.read = export_read, .done = export_done, .ctx = s};
	return http_stream(req, 200, "application/x-ndjson", &body);
}
