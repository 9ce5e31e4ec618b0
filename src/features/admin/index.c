/* features/admin/index.c — GET /admin: the site admin's starting page, with
 * the counts that say what needs attention (pending organizations first). */
#include "features/admin/admin.h"

#include "auth/admin.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

int admin_index(struct req *req)
{
	struct db *db = db_pool_get();
	json_t *counts = NULL;
	if (!db || admin_counts(db, &counts) != DB_OK)
		return -1;
	return page_render(req, 200, "admin/index", "page.admin.title",
	                   json_pack("{s:o}", "counts", counts));
}
