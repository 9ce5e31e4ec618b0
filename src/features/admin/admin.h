/* features/admin/admin.h — site admins: organizations, people, and the audit log viewer. */
#ifndef CSEC_FEATURES_ADMIN_H
#define CSEC_FEATURES_ADMIN_H

#include "http/http.h"

/* GET /admin: what there is to administer, with counts. */
int admin_index(struct req *req);

/* Organizations: the list (filter by status, search by name), the form to
 * add one, its page (settings read-only, members), and the status changes;
 * every change audited (site.org.create, .approve, .disable, .enable). */
int admin_orgs(struct req *req);
int admin_org_new(struct req *req);
int admin_org_create(struct req *req);
int admin_org(struct req *req);
int admin_org_approve(struct req *req);
int admin_org_disable(struct req *req); /* also ends the sessions working in it */
int admin_org_enable(struct req *req);

/* People: the list (search by name or email, filter by status, with their
 * memberships), and disabling (ends every session, revokes API tokens) or
 * re-enabling one; audited (site.user.disable, site.user.enable). */
int admin_users(struct req *req);
int admin_user_disable(struct req *req);
int admin_user_enable(struct req *req);

/* The audit log: the viewer (filters, newest first, paged by seq) and its
 * JSON-lines export (a slow route; audited as audit.export). */
int admin_audit(struct req *req);
int admin_audit_export(struct req *req);

#endif
