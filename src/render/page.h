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
 * names the page title in the catalogue. data (may be NULL) is stolen.
 * Returns 0 or a negative errno code. */
int page_render(struct req *req, int status, const char *tpl, const char *title_key, json_t *data);

/* A message from the catalogue; the key itself when it is missing (so a
 * missing message shows up in review instead of as a blank). */
const char *page_msg(const char *key);

#endif
