/* features/library/export.c — library_export (store.h): the active version
 * of a pack as files again, pack.json and one Markdown file per page with
 * its front matter. The front matter is emitted with libyaml's emitter (not
 * pasted together), strings double-quoted, so that any title or summary —
 * colons, quotes, "yes", a leading "#" — reads back as the same string and
 * the export validates and imports again. */
#include "features/library/store.h"

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "features/course/pack_course.h"
#include "features/library/pack.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define LOCK_KEY INT64_C(0x435345435f4c4942) /* as in store.c */

/* libyaml's output callback: 1 on success, 0 on failure. */
static int to_buf(void *data, unsigned char *bytes, size_t size)
{
	return buf_append(data, bytes, size) == 0;
}

/* One scalar: strings double-quoted, numbers, dates and names plain. */
static bool scalar(yaml_emitter_t *e, const char *s, bool quoted)
{
	yaml_event_t ev;
	return yaml_scalar_event_initialize(
	               &ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s, (int)strlen(s), 1, 1,
	               quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE) &&
	        yaml_emitter_emit(e, &ev);
}

static bool pair(yaml_emitter_t *e, const char *k, const char *v, bool quoted)
{
	return scalar(e, k, false) && scalar(e, v ? v : "", quoted);
}

static bool mapping(yaml_emitter_t *e, bool start)
{
	yaml_event_t ev;
	if (start)
		return yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		                                           YAML_BLOCK_MAPPING_STYLE) &&
		        yaml_emitter_emit(e, &ev);
	return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
}

/* A page of the export, as the store has it now. */
struct page_out {
	const char *path, *slug, *kind, *visibility, *title, *summary, *reviewed;
	const char *sources_json, *markdown;
	size_t markdown_len;
	int64_t order;
};

/* The front matter's YAML (without the "---" lines) into out. */
static int front_matter(const struct page_out *p, struct buf *out)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	json_error_t jerr;
	json_t *sources = json_loads(p->sources_json, 0, &jerr);
	char order[24];
	snprintf(order, sizeof order, "%lld", (long long)p->order);
	if (!sources || !yaml_emitter_initialize(&e)) {
		json_decref(sources);
		return -1;
	}
	yaml_emitter_set_output(&e, to_buf, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1); /* no folding: one line per field */
	bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	        yaml_emitter_emit(&e, &ev) &&
	        yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	        yaml_emitter_emit(&e, &ev) && mapping(&e, true) &&
	        pair(&e, "title", p->title, true) && pair(&e, "slug", p->slug, false) &&
	        pair(&e, "kind", p->kind, false) && pair(&e, "order", order, false) &&
	        pair(&e, "visibility", p->visibility, false) &&
	        pair(&e, "summary", p->summary, true) && scalar(&e, "sources", false) &&
	        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	                                             YAML_BLOCK_SEQUENCE_STYLE) &&
	        yaml_emitter_emit(&e, &ev);
	size_t i;
	json_t *s;
	json_array_foreach(sources, i, s)
	{
		if (!ok)
			break;
		ok = mapping(&e, true) &&
		        pair(&e, "title", json_string_value(json_object_get(s, "title")), true) &&
		        pair(&e, "publisher", json_string_value(json_object_get(s, "publisher")),
		             true) &&
		        pair(&e, "url", json_string_value(json_object_get(s, "url")), true) &&
		        pair(&e, "checked", json_string_value(json_object_get(s, "checked")),
		             false) &&
		        mapping(&e, false);
	}
	ok = ok && yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
	        pair(&e, "reviewed", p->reviewed, false) && mapping(&e, false) &&
	        yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
	        yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
	        yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
	json_decref(sources);
	return ok && out->err == 0 ? 0 : -1;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v, n);
}

/* The active version of pack (NULL: the only active one) and its
 * pack.json as text. */
static int version_json(struct db *db, struct arena *a, const char *pack, int64_t *id,
                        const char **json_text, const char **pack_id)
{
	static const char one_sql[] =
	        "SELECT id, pack, version, title, language, license, as_of, review_status, "
	        "disclaimer FROM library_versions WHERE active = 1 AND pack = $1";
	static const char any_sql[] =
	        "SELECT id, pack, version, title, language, license, as_of, review_status, "
	        "disclaimer FROM library_versions WHERE active = 1 ORDER BY id LIMIT 2";
	struct db_stmt *st;
	int rc = db_prepare(db, pack ? one_sql : any_sql, &st);
	if (rc != DB_OK)
		return rc;
	if (pack)
		rc = db_bind_text(st, 1, pack, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		*pack_id = col(a, st, 1);
		json_t *j =
		        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", col(a, st, 1),
		                  "version", col(a, st, 2), "title", col(a, st, 3), "language",
		                  col(a, st, 4), "license", col(a, st, 5), "as_of", col(a, st, 6),
		                  "review_status", col(a, st, 7), "disclaimer", col(a, st, 8));
		char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		json_decref(j);
		*json_text = s ? arena_printf(a, "%s\n", s) : NULL;
		free(s);
		rc = *json_text && *pack_id ? DB_OK : DB_ENOMEM;
		/* Without a pack named, a second active pack makes the choice
		 * ambiguous. */
		if (rc == DB_OK && !pack && db_step(st) == DB_ROW)
			rc = DB_EINVAL;
	}
	db_finalize(st);
	return rc;
}

int library_export(struct db *db, struct arena *a, const uint8_t key[32],
                   const struct library_actor *who, const char *pack, struct pack_file **files,
                   size_t *n)
{
	static const char lock_sql[] = "SELECT pg_advisory_xact_lock($1)";
	static const char pages_sql[] =
	        "SELECT vp.path, p.slug, r.kind, r.visibility, r.sort_order, r.title, r.summary, "
	        "r.reviewed, r.sources_json, r.markdown FROM library_version_pages vp "
	        "JOIN library_pages p ON p.id = vp.page_id "
	        "JOIN library_revisions r ON r.id = p.current_revision_id "
	        "WHERE vp.version_id = $1 AND p.published = 1 ORDER BY vp.path";
	int64_t version = 0;
	const char *json_text = NULL, *pack_id = NULL;
	struct pack_file *list = arena_calloc(a, PACK_MAX_FILES, sizeof *list);
	size_t count = 0;
	*files = NULL;
	*n = 0;
	if (!list)
		return DB_ENOMEM;
	struct db_stmt *st;
	/* A write transaction, for the audit record, and so the version and
	 * its pages are read as of one moment. */
	int rc = db_begin_write(db);
	if (rc == DB_OK && db_dialect(db) == DB_POSTGRES &&
	    (rc = db_prepare(db, lock_sql, &st)) == DB_OK) {
		rc = db_bind_int64(st, 1, LOCK_KEY);
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
			rc = DB_OK;
		db_finalize(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	if (rc == DB_OK)
		rc = version_json(db, a, pack, &version, &json_text, &pack_id);
	if (rc == DB_OK) {
		list[count++] = (struct pack_file){"pack.json", json_text, strlen(json_text)};
		rc = db_prepare(db, pages_sql, &st);
	}
	if (rc == DB_OK) {
		rc = db_bind_int64(st, 1, version);
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			if (count == PACK_MAX_FILES) {
				rc = DB_EINVAL;
				break;
			}
			struct page_out p = {
			        .path = col(a, st, 0),
			        .slug = col(a, st, 1),
			        .kind = col(a, st, 2),
			        .visibility = col(a, st, 3),
			        .order = db_column_int64(st, 4),
			        .title = col(a, st, 5),
			        .summary = col(a, st, 6),
			        .reviewed = col(a, st, 7),
			        .sources_json = col(a, st, 8),
			};
			p.markdown = db_column_text(st, 9, &p.markdown_len);
			struct buf out;
			buf_init(&out, a, PACK_MAX_FILE_BYTES + 64 * 1024);
			buf_puts(&out, "---\n");
			if (!p.path || !p.slug || !p.kind || !p.visibility || !p.title ||
			    !p.summary || !p.reviewed || !p.sources_json ||
			    front_matter(&p, &out) != 0) {
				rc = DB_ENOMEM;
				break;
			}
			buf_puts(&out, "---\n");
			buf_append(&out, p.markdown, p.markdown_len);
			if (out.err) {
				rc = DB_ENOMEM;
				break;
			}
			list[count++] = (struct pack_file){p.path, out.data, out.len};
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	if (rc == DB_OK)
		rc = course_pack_export(db, a, version, list, &count, PACK_MAX_FILES);
	if (rc == DB_OK) {
		char target[24], *detail;
		snprintf(target, sizeof target, "%lld", (long long)version);
		json_t *d = json_pack("{s:s, s:I}", "pack", pack_id, "files", (json_int_t)count);
		detail = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(d);
		struct audit_event e = {
		        .actor_user_id = who->user_id,
		        .actor = who->name && who->name[0] ? who->name : "system",
		        .org_id = who->org_id,
		        .action = "library.pack.export",
		        .target_type = "content_pack_version",
		        .target_id = target,
		        .outcome = "success",
		        .source = who->source,
		        .detail_json = detail,
		};
		rc = detail ? audit_append(db, key, &e) : DB_ENOMEM;
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return rc;
	}
	*files = list;
	*n = count;
	return DB_OK;
}
