/* features/joining/internal.h — what the joining handlers share: one audit
 * record for an organization, and one mail queued in the open transaction. */
#ifndef CSEC_FEATURES_JOINING_INTERNAL_H
#define CSEC_FEATURES_JOINING_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

struct db;
struct req;

/* Appends an audit record of this request about organization org_id (0:
 * none) inside the open write transaction. The actor is actor_id / actor
 * when actor is not NULL (the person a mail link proved), else the
 * signed-in person, else "anonymous". detail is a small JSON object or
 * NULL. 0 or a DB code. */
int joining_audit(struct db *db, const struct req *req, int64_t actor_id, const char *actor,
                  int64_t org_id, const char *action, const char *target_type, int64_t target_id,
                  const char *outcome, const char *detail);

/* Renders web/templates/TPL.txt with data (stolen) and queues it to `to`
 * inside the open write transaction (mail_kick after the commit). 0, or a
 * negative DB or MAIL code. */
int joining_mail(struct req *req, struct db *db, const char *to, const char *tpl, json_t *data,
                 int64_t now);

#endif
