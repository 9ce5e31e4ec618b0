/* features/admin/auditlog.c — the audit log for site admins: the viewer
 * (filters, newest first, 50 records a page, paged by seq) and its export
 * as JSON lines. Every filter value is bounded and checked first
 * (audit/query.h); a bad one re-renders the page naming the problem (422).
 *
 * The export (audit_export_jsonl) is built a batch of records at a time
 * into one buffer with a hard cap (AUDIT_EXPORT_MAX_RECORDS records or
 * EXPORT_MAX_BYTES, whichever comes first), so its memory is bounded
 * whatever the log's size; when it is cut short, the
 * X-Csec-Export-Next-Before header says where the next export continues
 * (?before=SEQ). It runs on the worker pool (a slow route), and is itself
 * audited (audit.export, with the filters), in a transaction of its own
 * once the file is ready: DESIGN.md §6. */
#include "features/admin/admin.h"

#include "audit/query.h"
#include "auth/admin.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/admin/internal.h"
#include "render/page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_MAX_BYTES (64u << 20)
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
	struct buf out;
	struct audit_export_result x;
	buf_init(&out, NULL, EXPORT_MAX_BYTES);
	int rc = audit_export_jsonl(db, &f, AUDIT_EXPORT_MAX_RECORDS, &out, &x);
	char *detail = rc < 0 ? NULL : export_detail(&f, &x);
	if (!detail) {
		buf_free(&out);
		return -1;
	}
	rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = admin_record(db, req, 0, "audit.export", NULL, NULL, "success", detail);
	free(detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		buf_free(&out);
		return admin_fail(db, "recording an export of the audit log");
	}

	/* The body outlives the handler: it is freed with the request. */
	if (out.data && arena_defer(req->arena, free, out.data) != 0)
		return -1;
	char stamp[24];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	const char *disposition =
	        arena_printf(req->arena, "attachment; filename=\"csec-audit-%s.jsonl\"", stamp);
	if (!disposition || http_add_header(req, "Content-Disposition", disposition) != 0)
		return -1;
	if (x.truncated) {
		const char *next = arena_printf(req->arena, "%lld", (long long)x.next_before);
		if (!next || http_add_header(req, "X-Csec-Export-Next-Before", next) != 0)
			return -1;
	}
	req->resp.status = 200;
	req->resp.content_type = "application/x-ndjson";
	req->resp.fixed = out.data ? (const unsigned char *)out.data : (const unsigned char *)"";
	req->resp.fixed_len = out.len;
	return 0;
}
