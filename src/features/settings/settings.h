/* features/settings/settings.h — the site settings page (DESIGN.md §3): the
 * deployment's name and support contact, the time zone used where no
 * organization's applies, and the SMTP connection for outgoing mail. */
#ifndef CSEC_FEATURES_SETTINGS_H
#define CSEC_FEATURES_SETTINGS_H

#include "http/http.h"

int settings_page(struct req *req);
int settings_save(struct req *req);
int settings_test_mail(struct req *req); /* queues a message to the admin */

#endif
