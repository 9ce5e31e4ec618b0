/* features/members/settings.c — the active organization's settings, for its
 * org admins: name, county or jurisdiction, state, IANA time zone, the NCIC
 * ORI (law enforcement only), whether every member must use two-step
 * sign-in, the agency profile that fills the knowledge base's placeholders
 * (display name, local hotlines, a summary of the state's law), and the
 * email domains whose people may ask to join, each with
 * its own explicit auto-approval (DESIGN.md §2: never by default, never for
 * a domain not named exactly). The kind of organization is the site
 * admin's to set, not shown as editable here. A save is audited
 * (org.settings) with what changed. */
#include "features/members/members.h"
#include "features/members/internal.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/orgs.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/accounts/accounts.h"
#include "render/page.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define BLANK_ROWS 3 /* empty domain rows offered for additions */

/* Offered in the time zone field's list; any other IANA zone may be typed. */
static const char *const common_zones[] = {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Boise",
        "America/Detroit",
        "America/Indiana/Indianapolis",
        "America/Kentucky/Louisville",
        "America/Adak",
        "America/Puerto_Rico",
        "America/St_Thomas",
        "Pacific/Guam",
        "Pacific/Pago_Pago",
        "Pacific/Saipan",
        "UTC",
};

static bool is_law_enforcement(const struct org_settings *org)
{
	return strcmp(org->kind, "law_enforcement") == 0;
}

/* Renders the form: values (stolen) hold the fields, rows (stolen) the
 * domain rows [{index, number, domain, auto, error}], errors (stolen) the
 * problems by field. */
static int render(struct req *req, int status, const struct org_settings *org, json_t *values,
                  json_t *rows, json_t *errors)
{
	json_t *zones = json_array();
	for (size_t i = 0; zones && i < sizeof common_zones / sizeof common_zones[0]; i++)
		json_array_append_new(zones, json_string(common_zones[i]));
	const char *done = req_query(req, "done");
	json_t *data = json_pack(
	        "{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:b, s:b, s:I, s:b}", "org", org->name, "kind",
	        page_msg(arena_printf(req->arena, "org.kind.%s", org->kind)), "law_enforcement",
	        is_law_enforcement(org), "values", values, "domains", rows, "errors", errors,
	        "zones", zones, "has_errors", json_object_size(errors) > 0, "saved",
	        status == 200 && done && strcmp(done, "saved") == 0, "max_domains",
	        (json_int_t)ORGS_MAX_DOMAINS, "needs_csrf", 1);
	if (!data)
		return -1;
	return page_render(req, status, "members/settings", "page.members.settings.title", data);
}

static json_t *row(size_t i, const char *domain, bool auto_approve, const char *error)
{
	return json_pack("{s:I, s:I, s:s, s:b, s:s?}", "index", (json_int_t)i, "number",
	                 (json_int_t)(i + 1), "domain", domain, "auto", auto_approve, "error",
	                 error);
}

int members_settings_form(struct req *req)
{
	struct db *db = db_pool_get();
	struct org_settings org;
	struct org_domain *domains = NULL;
	size_t n = 0;
	if (!db || orgs_get(db, req->arena, req->who.org_id, &org) != DB_OK ||
	    orgs_domains(db, req->arena, req->who.org_id, &domains, &n) != DB_OK)
		return -1;
	json_t *values = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "name",
	                           org.name, "jurisdiction", org.jurisdiction, "state", org.state,
	                           "time_zone", org.time_zone, "ori", org.ori, "mfa_required",
	                           org.mfa_required, "display_name", org.display_name, "hotline",
	                           org.hotline, "law_summary", org.law_summary);
	json_t *rows = json_array();
	size_t total = n + BLANK_ROWS < ORGS_MAX_DOMAINS ? n + BLANK_ROWS : ORGS_MAX_DOMAINS;
	for (size_t i = 0; rows && i < total; i++)
		json_array_append_new(
		        rows,
		        i < n ? row(i, domains[i].domain, domains[i].auto_approve, NULL)
		              : row(i, "", false, NULL));
	if (!values || !rows) {
		json_decref(values);
		json_decref(rows);
		return -1;
	}
	return render(req, 200, &org, values, rows, json_object());
}

/* One field's change into changed ({"field": {"from", "to"}}). */
static void note_change(json_t *changed, const char *field, const char *from, const char *to)
{
	if (strcmp(from, to) != 0)
		json_object_set_new(changed, field,
		                    json_pack("{s:s, s:s}", "from", from, "to", to));
}

/* The audit detail: each changed field with its old and new value, and the
 * domains added, removed and switched. When that would not fit an audit
 * record, only the names of what changed. NULL when nothing changed. */
static const char *settings_detail(struct req *req, const struct org_settings *old,
                                   const struct org_settings *new, const struct org_domain *od,
                                   size_t on, const struct org_domain *nd, size_t nn)
{
	json_t *changed = json_object();
	note_change(changed, "name", old->name, new->name);
	note_change(changed, "jurisdiction", old->jurisdiction, new->jurisdiction);
	note_change(changed, "state", old->state, new->state);
	note_change(changed, "time_zone", old->time_zone, new->time_zone);
	note_change(changed, "ori", old->ori, new->ori);
	if (old->mfa_required != new->mfa_required)
		json_object_set_new(changed, "mfa_required",
		                    json_pack("{s:b, s:b}", "from", old->mfa_required, "to",
		                              new->mfa_required));
	note_change(changed, "display_name", old->display_name, new->display_name);
	note_change(changed, "hotline", old->hotline, new->hotline);
	/* The summary may be long: its lengths, not its text. */
	if (strcmp(old->law_summary, new->law_summary) != 0)
		json_object_set_new(changed, "law_summary",
		                    json_pack("{s:I, s:I}", "from_length",
		                              (json_int_t)strlen(old->law_summary), "to_length",
		                              (json_int_t)strlen(new->law_summary)));
	json_t *added = json_array(), *removed = json_array(), *on_list = json_array(),
	       *off_list = json_array();
	for (size_t i = 0; i < nn; i++) {
		size_t j = 0;
		while (j < on && strcmp(od[j].domain, nd[i].domain) != 0)
			j++;
		if (j == on)
			json_array_append_new(added,
			                      json_pack("{s:s, s:b}", "domain", nd[i].domain,
			                                "auto_approve", nd[i].auto_approve));
		else if (od[j].auto_approve != nd[i].auto_approve)
			json_array_append_new(nd[i].auto_approve ? on_list : off_list,
			                      json_string(nd[i].domain));
	}
	for (size_t j = 0; j < on; j++) {
		size_t i = 0;
		while (i < nn && strcmp(od[j].domain, nd[i].domain) != 0)
			i++;
		if (i == nn)
			json_array_append_new(removed, json_string(od[j].domain));
	}
	json_t *domains = json_object();
	if (json_array_size(added))
		json_object_set(domains, "added", added);
	if (json_array_size(removed))
		json_object_set(domains, "removed", removed);
	if (json_array_size(on_list))
		json_object_set(domains, "auto_approve_on", on_list);
	if (json_array_size(off_list))
		json_object_set(domains, "auto_approve_off", off_list);
	json_decref(added);
	json_decref(removed);
	json_decref(on_list);
	json_decref(off_list);
	if (json_object_size(domains))
		json_object_set(changed, "domains", domains);
	json_decref(domains);
	if (json_object_size(changed) == 0) {
		json_decref(changed);
		return NULL;
	}
	json_t *names = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(changed, key, v) json_array_append_new(names, json_string(key));
	const char *full = members_detail(req->arena, json_pack("{s:o}", "changed", changed));
	if (full && strlen(full) < AUDIT_MAX_DETAIL) {
		json_decref(names);
		return full;
	}
	return members_detail(req->arena, json_pack("{s:o}", "changed", names));
}

/* The law summary as typed, without the spaces and blank lines around it
 * and with the browser's CR LF line ends made LF (arena memory). */
static const char *law_text(struct req *req, const char *in)
{
	size_t n = in ? strlen(in) : 0, j = 0;
	char *out = arena_alloc(req->arena, n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(in[i] == '\r' && in[i + 1] == '\n'))
			out[j++] = in[i];
	while (j > 0 && strchr(" \t\r\n", out[j - 1]))
		j--;
	out[j] = '\0';
	size_t k = strspn(out, " \t\r\n");
	return out + k;
}

int members_settings_submit(struct req *req)
{
	int64_t org_id = req->who.org_id;
	struct db *db = db_pool_get();
	struct org_settings old, new;
	struct org_domain *old_domains = NULL;
	size_t old_n = 0;
	if (!db || orgs_get(db, req->arena, org_id, &old) != DB_OK ||
	    orgs_domains(db, req->arena, org_id, &old_domains, &old_n) != DB_OK)
		return -1;

	const char *name = req_form(req, "name"), *jur = req_form(req, "jurisdiction");
	const char *state = req_form(req, "state"), *zone = req_form(req, "time_zone");
	const char *ori = req_form(req, "ori"), *mfa = req_form(req, "mfa_required");
	const char *display = req_form(req, "display_name"), *hotline = req_form(req, "hotline");
	const char *law = req_form(req, "law_summary");
	json_t *values =
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "name", name ? name : "",
	                  "jurisdiction", jur ? jur : "", "state", state ? state : "", "time_zone",
	                  zone ? zone : "", "ori", ori ? ori : "", "mfa_required",
	                  mfa && strcmp(mfa, "1") == 0, "display_name", display ? display : "",
	                  "hotline", hotline ? hotline : "", "law_summary", law ? law : "");
	json_t *errors = json_object(), *rows = json_array();
	if (!values || !errors || !rows) {
		json_decref(values);
		json_decref(errors);
		json_decref(rows);
		return -1;
	}

	new = old;
	struct str t = str_trim(str_from(name ? name : ""));
	members_field_error(errors, "name", accounts_check_name(name));
	new.name = arena_strndup(req->arena, t.p, t.len);
	t = str_trim(str_from(jur ? jur : ""));
	new.jurisdiction = arena_strndup(req->arena, t.p, t.len);
	if (new.jurisdiction)
		members_field_error(errors, "jurisdiction",
		                    orgs_check_jurisdiction(new.jurisdiction));
	t = str_trim(str_from(state ? state : ""));
	char st[3] = "";
	if (t.len == 2) {
		st[0] = (char)toupper((unsigned char)t.p[0]);
		st[1] = (char)toupper((unsigned char)t.p[1]);
		st[2] = '\0';
	}
	members_field_error(errors, "state",
	                    t.len == 0           ? NULL
	                            : t.len == 2 ? accounts_check_state(st)
	                                         : "org.state.invalid");
	new.state = st;
	t = str_trim(str_from(zone ? zone : ""));
	new.time_zone = arena_strndup(req->arena, t.p, t.len);
	if (new.time_zone && (t.len == 0 || t.len > TZ_MAX_NAME || !tz_valid(new.time_zone)))
		members_field_error(errors, "time_zone", "members.tz.invalid");
	char ori_out[ORGS_ORI_LEN + 1] = "";
	if (is_law_enforcement(&old)) {
		members_field_error(errors, "ori", orgs_check_ori(ori, ori_out, sizeof ori_out));
		new.ori = ori_out;
	}
	new.mfa_required = mfa &&strcmp(mfa, "1") == 0;
	t = str_trim(str_from(display ? display : ""));
	new.display_name = arena_strndup(req->arena, t.p, t.len);
	if (new.display_name)
		members_field_error(errors, "display_name",
		                    orgs_check_display_name(new.display_name));
	t = str_trim(str_from(hotline ? hotline : ""));
	new.hotline = arena_strndup(req->arena, t.p, t.len);
	if (new.hotline)
		members_field_error(errors, "hotline", orgs_check_hotline(new.hotline));
	new.law_summary = law_text(req, law);
	if (new.law_summary)
		members_field_error(errors, "law_summary", orgs_check_law_summary(new.law_summary));
	if (!new.name || !new.jurisdiction || !new.time_zone || !new.display_name || !new.hotline ||
	    !new.law_summary)
		goto fail;

	/* Domain rows domain_0, auto_0, ... as the form numbers them. */
	struct org_domain *domains = arena_calloc(req->arena, ORGS_MAX_DOMAINS, sizeof *domains);
	size_t n = 0, rows_seen = 0;
	bool too_many = false;
	if (!domains)
		goto fail;
	for (size_t f = 0; f < req->body.count; f++) {
		const struct form_field *fld = &req->body.fields[f];
		int64_t idx;
		if (strncmp(fld->name, "domain_", 7) != 0 ||
		    str_to_i64(str_from(fld->name + 7), 0, 9999, &idx) != 0)
			continue;
		if (idx >= ORGS_MAX_DOMAINS)
			too_many |= str_trim(str_from(fld->value)).len > 0;
		else if ((size_t)idx + 1 > rows_seen)
			rows_seen = (size_t)idx + 1;
	}
	for (size_t i = 0; i < rows_seen; i++) {
		char dname[32], aname[32], out[ORGS_MAX_DOMAIN + 1];
		snprintf(dname, sizeof dname, "domain_%zu", i);
		snprintf(aname, sizeof aname, "auto_%zu", i);
		const char *d = req_form(req, dname), *a = req_form(req, aname);
		bool on = a && strcmp(a, "1") == 0;
		const char *err = NULL;
		if (d && str_trim(str_from(d)).len > 0) {
			err = orgs_check_domain(d, out, sizeof out);
			for (size_t j = 0; !err && j < n; j++)
				if (strcmp(domains[j].domain, out) == 0)
					err = "members.domain.duplicate";
			if (!err) {
				domains[n].domain = arena_strdup(req->arena, out);
				domains[n++].auto_approve = on;
				if (!domains[n - 1].domain)
					goto fail;
			} else {
				members_field_error(errors, dname, err);
			}
		}
		if (json_array_append_new(rows,
		                          row(i, d ? d : "", on, err ? page_msg(err) : NULL)) != 0)
			goto fail;
	}
	if (too_many)
		members_field_error(errors, "domains", "members.domains.too_many");
	if (json_object_size(errors) > 0)
		return render(req, 422, &old, values, rows, errors);

	const char *detail = settings_detail(req, &old, &new, old_domains, old_n, domains, n);
	if (!detail) /* nothing changed */
		goto saved;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = orgs_lock(db, org_id);
	if (rc == DB_OK)
		rc = orgs_update(db, &new);
	if (rc == DB_OK)
		rc = orgs_domains_replace(db, org_id, domains, n);
	if (rc == DB_OK)
		rc = accounts_audit(db, req, "org.settings", "organization",
		                    arena_printf(req->arena, "%lld", (long long)org_id), "success",
		                    detail);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		log_msg(LOG_ERROR, "saving an organization's settings: %s", db_errmsg(db));
		goto fail;
	}
saved:
	json_decref(values);
	json_decref(errors);
	json_decref(rows);
	return http_redirect(req, 303, "/org/settings?done=saved");
fail:
	json_decref(values);
	json_decref(errors);
	json_decref(rows);
	return -1;
}
