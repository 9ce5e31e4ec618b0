/* features/admin/common.c — see internal.h. */
#include "features/admin/internal.h"

#include "audit/audit.h"
#include "auth/admin.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "features/accounts/accounts.h"
#include "render/page.h"

#include <string.h>

int64_t admin_path_id(const struct req *req, const char *name)
{
	const char *v = req_param(req, name);
	int64_t id = 0;
	if (!v || str_to_i64(str_from(v), 1, INT64_MAX, &id) != 0)
		return 0;
	return id;
}

const char *admin_query_text(struct req *req, const char *name, size_t max)
{
	const char *v = req_query(req, name);
	if (!v)
		return "";
	struct str s = str_from(v);
	if (s.len > max * 2)
		return NULL; /* far too long: not worth trimming */
	s = str_trim(s);
	if (s.len > max)
		return NULL;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return NULL;
	return arena_strndup(req->arena, s.p, s.len);
}

int64_t admin_query_page(const struct req *req)
{
	const char *v = req_query(req, "page");
	int64_t page = 1;
	if (v && v[0] && str_to_i64(str_from(v), 1, ADMIN_LIST_MAX_PAGE, &page) != 0)
		return 0;
	return page;
}

void admin_qs_add(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!value || !value[0])
		return;
	buf_putc(b, strchr(buf_cstr(b), '?') ? '&' : '?');
	buf_puts(b, name);
	buf_putc(b, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_putc(b, (char)*p);
		} else if (*p == ' ') {
			buf_putc(b, '+');
		} else {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, esc, 3);
		}
	}
}

const char *admin_label(struct req *req, const char *prefix, const char *value)
{
	const char *key = arena_printf(req->arena, "%s.%s", prefix, value ? value : "");
	return key ? page_msg(key) : "";
}

int admin_record(struct db *db, const struct req *req, int64_t org_id, const char *action,
                 const char *target_type, const char *target_id, const char *outcome,
                 const char *detail_json)
{
	const struct principal *w = &req->who;
	struct audit_event e = {
	        .actor_user_id = w->user_id,
	        .actor = w->email,
	        .org_id = org_id ? org_id : w->org_id,
	        .action = action,
	        .target_type = target_type,
	        .target_id = target_id,
	        .outcome = outcome,
	        .source = req->client,
	        .detail_json = detail_json,
	};
	return audit_append(db, accounts_audit_key(), &e);
}

int admin_fail(struct db *db, const char *what)
{
	log_msg(LOG_ERROR, "admin: %s: %s", what, db_errmsg(db));
	db_rollback(db);
	return -1;
}
