/* features/library/starter.c — library_starter (library.h): the starter
 * pack built into the binary goes into the store on first start, and again
 * when a newer binary carries a newer version of it (DESIGN.md §7), never
 * over a page edited locally (store.h). */
#include "features/library/library.h"

#include "core/arena.h"
#include "core/embed.h"
#include "core/log.h"
#include "db/db.h"
#include "features/library/pack.h"
#include "features/library/store.h"

#include <jansson.h>

#define ARENA_CAP (512u << 20) /* the pack's files, their rendering, their rows */
#define PROBLEMS_LOGGED 20
#define TRIES 3 /* DB_ERETRY: another server imported at the same moment */

/* Whether the store wants the embedded pack, from its pack.json alone, so
 * that a start with nothing to import does not load and render the whole
 * pack. true when in doubt: the import checks again, in its transaction. */
static bool wanted(struct db *db)
{
	const struct embed_file *f = embed_find("content/pack.json");
	json_error_t err;
	json_t *meta = f ? json_loadb((const char *)f->data, embed_len(f), 0, &err) : NULL;
	const char *id = json_string_value(json_object_get(meta, "id"));
	const char *version = json_string_value(json_object_get(meta, "version"));
	bool yes = true;
	if (id && version && library_wanted(db, id, version, &yes) != DB_OK)
		yes = true;
	json_decref(meta);
	return yes;
}

void library_starter(struct db *db, const uint8_t key[32])
{
	struct arena *a = NULL;
	struct pack_file *files = NULL;
	struct pack_problems pr;
	struct pack p;
	size_t n = 0;
	if (!wanted(db))
		return;
	a = arena_create(ARENA_CAP);
	if (!a) {
		log_msg(LOG_ERROR, "starter pack: out of memory");
		return;
	}
	pack_problems_init(&pr, a);
	if (pack_files_embedded(a, &files, &n) != 0 || pack_load(a, files, n, &p, &pr) != 0) {
		log_msg(LOG_ERROR, "starter pack: cannot read the pack built into the binary");
		goto out;
	}
	struct library_actor system = {.name = "system", .source = "system"};
	struct library_result r;
	int rc = LIBRARY_EINVALID;
	for (int i = 0; pr.n == 0 && i < TRIES; i++) {
		rc = library_import(db, a, key, &system, &p, LIBRARY_FROM_STARTER, LIBRARY_IF_NEWER,
		                    &pr, &r);
		if (rc != DB_ERETRY)
			break;
	}
	if (pr.n > 0) {
		for (size_t i = 0; i < pr.n && i < PROBLEMS_LOGGED; i++)
			log_msg(LOG_ERROR, "starter pack: %s:%d: %s", pr.items[i].file,
			        pr.items[i].line, pr.items[i].message); /* line 0: the whole file */
		log_msg(LOG_ERROR,
		        "starter pack %s %s has %zu problem(s) and was not imported; the portal "
		        "starts with the pages the store already has",
		        p.meta.id ? p.meta.id : "?", p.meta.version ? p.meta.version : "?", pr.n);
	} else if (rc == DB_OK) {
		log_msg(LOG_INFO,
		        "imported the starter pack %s %s (version id %lld): %zu added, %zu "
		        "updated, %zu unchanged, %zu waiting (edited locally), %zu unpublished",
		        r.pack, r.version, (long long)r.version_id, r.added, r.updated, r.unchanged,
		        r.waiting, r.unpublished);
	} else if (rc != DB_DONE) {
		log_msg(LOG_ERROR, "starter pack: the import failed: %s", db_errmsg(db));
	}
out:
	arena_destroy(a);
}
