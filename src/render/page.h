/* render/page.h — turns a template and a handler's data into the response
 * body: adds what every page shows (the deployment's name and support
 * contact from the store, the page title, the current path, the version) and
 * owns the process-wide template set and message catalogue. */
#ifndef CSEC_RENDER_PAGE_H
#define CSEC_RENDER_PAGE_H

#include <jansson.h>
#include <stddef.h>

struct req;

/* Compiles the embedded templates and catalogue (or, with dev_dir, the ones
 * under dev_dir, reloaded at every render). 0, or -1 with a message in err. */
int page_init(const char *dev_dir, char *err, size_t errlen);
void page_shutdown(void);

/* Renders template tpl into req's response with the given status. title_key
 * names the page title in the catalogue; when it is NULL, data's string
 * "page_title" is the title (text from the store, such as a library page's
 * title). data (may be NULL) is stolen.
 * Returns 0 or a negative errno code. */
int page_render(struct req *req, int status, const char *tpl, const char *title_key, json_t *data);

/* Renders the plain-text mail template tpl ("mail/reset", from
 * web/templates/mail/reset.txt) with data (stolen) and the site object (the
 * deployment's name and support contact). The template's first line is the
 * subject, then one blank line, then the body. Mail is plain text, so its
 * templates print values with {{raw ...}}: HTML escaping would garble names
 * and links (mail_enqueue refuses a subject with a line break). Strings live
 * in a. 0, or a negative errno code (logged). */
#define MAIL_TEMPLATE_MAX (64u * 1024)
struct arena;
int page_render_mail(struct arena *a, const char *tpl, json_t *data, const char **subject,
                     const char **body);

/* A message from the catalogue; the key itself when it is missing (so a
 * missing message shows up in review instead of as a blank). */
const char *page_msg(const char *key);

#endif
