/* features/library/guidepdf.c — /guide.pdf: the leaders' guide as a
 * print-ready booklet (pdf.h). It holds exactly the guide pages the reader
 * may see on /guide (the store decides, in SQL), with the placeholders
 * filled from the reader's organization, whose name goes on the cover. An
 * anonymous reader gets the public guide. Laying out the booklet takes a
 * second or so, so the route runs on the slow-work pool. */
#include "features/library/library.h"

#include "core/arena.h"
#include "db/db.h"
#include "db/pool.h"
#include "features/library/pack.h"
#include "features/library/pdf.h"
#include "features/library/placeholders.h"
#include "features/library/store.h"
#include "render/page.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

/* A source's field, or "" (the store wrote every field; an edited page may
 * lack one). */
static const char *field(struct arena *a, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return arena_strdup(a, v ? v : "");
}

/* The sources a revision keeps as JSON ([{title, publisher, url, checked}]). */
static int sources_of(struct arena *a, const char *text, const struct pack_source **out, size_t *n)
{
	json_error_t err;
	json_t *list = json_loads(text, 0, &err);
	*out = NULL;
	*n = 0;
	if (!json_is_array(list)) {
		json_decref(list);
		return 0; /* nothing to list, not a reason to refuse the booklet */
	}
	size_t count = json_array_size(list);
	struct pack_source *s = count ? arena_calloc(a, count, sizeof *s) : NULL;
	int rc = count && !s ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		json_t *o = json_array_get(list, i);
		s[i] = (struct pack_source){.title = field(a, o, "title"),
		                            .publisher = field(a, o, "publisher"),
		                            .url = field(a, o, "url"),
		                            .checked = field(a, o, "checked")};
		if (!s[i].title || !s[i].publisher || !s[i].url || !s[i].checked)
			rc = -1;
	}
	json_decref(list);
	*out = s;
	*n = rc == 0 ? count : 0;
	return rc;
}

int library_guide_pdf(struct req *req)
{
	struct db *db = db_pool_get();
	struct library_viewer v;
	struct library_guide guide;
	struct library_profile profile;
	library_viewer_from(&req->who, &v);
	if (!db || library_guide_parts(db, req->arena, &v, &guide) != DB_OK ||
	    library_profile(db, req->arena, &v, &profile) != DB_OK)
		return -1;
	if (guide.n == 0)
		return http_error(req, 404, NULL);

	struct pdf_part *parts = arena_calloc(req->arena, guide.n, sizeof *parts);
	if (!parts)
		return -1;
	for (size_t i = 0; i < guide.n; i++) {
		const struct library_guide_part *g = &guide.parts[i];
		parts[i].title = g->title;
		parts[i].slug = g->slug;
		parts[i].markdown = placeholders_fill_markdown(req->arena, g->markdown,
		                                               library_profile_lookup, &profile);
		if (!parts[i].markdown ||
		    sources_of(req->arena, g->sources_json, &parts[i].sources,
		               &parts[i].n_sources) != 0)
			return -1;
	}
	struct pdf_labels labels;
	pdf_labels_from_catalogue(&labels);
	const char *provider = profile.deployment_name && profile.deployment_name[0]
	        ? profile.deployment_name
	        : page_msg("site.default_name");
	const struct pdf_doc doc = {
	        .title = page_msg("library.guide.heading"),
	        .subtitle = v.user_id > 0 && profile.name && profile.name[0] ? profile.name : NULL,
	        .provider = provider,
	        .as_of = guide.as_of && guide.as_of[0] ? guide.as_of : NULL,
	        .draft = guide.draft,
	        .disclaimer = guide.disclaimer && guide.disclaimer[0] ? guide.disclaimer : NULL,
	        .base_url = req->cfg->public_url,
	        .labels = &labels,
	        .parts = parts,
	        .n_parts = guide.n,
	};
	char *bytes;
	size_t len;
	int rc = pdf_guide(req->arena, &doc, &bytes, &len);
	if (rc == -E2BIG)
		return http_error(req, 413, "library.pdf.too_big");
	if (rc != 0)
		return -1;
	if (http_add_header(req, "Content-Disposition", "inline; filename=\"leaders-guide.pdf\"") !=
	    0)
		return -1;
	return http_text(req, 200, "application/pdf", bytes, len);
}
