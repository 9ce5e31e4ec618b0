/* features/library/library.h — the knowledge base's reading pages and API
 * (/guide, /practices, /resources, /api/v1/library/pages), and the starter
 * pack's import at start-up. Who may see a page is decided by the store
 * (store.h), in SQL; these routes are public and show each reader what
 * the store lets them see. */
#ifndef CSEC_FEATURES_LIBRARY_H
#define CSEC_FEATURES_LIBRARY_H

#include <stdint.h>

#include "http/http.h"

struct db;

/* /guide, /practices, /resources: the pages of that kind the reader may
 * see, in order, with their summaries. */
int library_guide_index(struct req *req);
int library_practices_index(struct req *req);
int library_resources_index(struct req *req);

/* /guide/{slug}, /practices/{slug}, /resources/{slug}: one page, with its
 * placeholders filled from the reader's organization (404 when the reader
 * may not see it, exactly as when it does not exist). */
int library_guide_page(struct req *req);
int library_practices_page(struct req *req);
int library_resources_page(struct req *req);

/* /guide.pdf: the guide pages the reader may see as a print-ready booklet,
 * with the reader's organization on the cover (guidepdf.c). */
int library_guide_pdf(struct req *req);

/* html (a page's rendered Markdown) with each table inside a box that
 * scrolls sideways on a narrow screen, reachable by keyboard and named for
 * screen readers; the editor's view and preview use it too. NULL on no
 * memory. */
const char *library_wrap_tables(struct req *req, const char *html);

/* GET /api/v1/library/pages?kind=, GET /api/v1/library/pages/{slug} */
int library_api_pages(struct req *req);
int library_api_page(struct req *req);

/* At start-up: imports the starter pack built into the binary when the
 * store holds no pack, or only older versions of it, and logs one line
 * saying so. Problems in the embedded pack are logged and the server
 * starts anyway. key signs the audit record. */
void library_starter(struct db *db, const uint8_t key[32]);

#endif
