/* features/course/pack_course_store.c — a pack version's courses in the
 * store (pack_course.h): written by library_import inside its transaction,
 * one set of rows per pack version (so a rollback is a change of the active
 * version), the media into course_media (source 'pack', shared by the
 * versions: the bytes are replaced only when they change); and read back
 * as files by library_export so that an export validates and imports
 * again. */
#include "features/course/pack_course.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "db/db.h"
#include "features/library/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int bind_text(struct db_stmt *st, int idx, const char *s)
{
	return s ? db_bind_text(st, idx, s, (size_t)-1) : db_bind_null(st, idx);
}

static int finish(struct db_stmt *st, int rc)
{
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static const char *col(struct arena *a, struct db_stmt *st, int i)
{
	size_t n;
	if (db_column_is_null(st, i))
		return NULL;
	const char *v = db_column_text(st, i, &n);
	return arena_strndup(a, v ? v : "", n);
}

/* ---------------------------------------------------------------- import */

/* A course slug is one course among the packs' active versions. */
static int check_owner(struct db *db, struct arena *a, const char *pack,
                       const struct pack_course *c, struct pack_problems *pr, bool *taken)
{
	static const char sql[] = "SELECT v.pack FROM courses c "
	                          "JOIN library_versions v ON v.id = c.version_id "
	                          "WHERE v.active = 1 AND c.slug = $1 AND v.pack <> $2";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, c->slug)) == DB_OK && (rc = bind_text(st, 2, pack)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		const char *owner = col(a, st, 0);
		*taken = true;
		rc = pack_problem(pr, c->path, 0,
		                  "the course slug \"%s\" belongs to the pack \"%s\"", c->slug,
		                  owner ? owner : "?") == 0
		        ? DB_OK
		        : DB_ENOMEM;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

static int insert_course(struct db *db, const struct pack_course *c, int64_t version, int64_t *id)
{
	static const char sql[] =
	        "INSERT INTO courses (version_id, slug, title, summary, audience, instructor, "
	        "credit_centihours, visibility, sort_order, test_questions, pass_mark, "
	        "max_attempts, wait_minutes, time_limit_minutes, grading, topics_json, "
	        "sources_json, path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
	        "$13, $14, $15, $16, $17, $18) RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, version)) == DB_OK &&
	    (rc = bind_text(st, 2, c->slug)) == DB_OK &&
	    (rc = bind_text(st, 3, c->title)) == DB_OK &&
	    (rc = bind_text(st, 4, c->summary)) == DB_OK &&
	    (rc = bind_text(st, 5, c->audience)) == DB_OK &&
	    (rc = bind_text(st, 6, c->instructor)) == DB_OK &&
	    (rc = db_bind_int64(st, 7, c->credit_centihours)) == DB_OK &&
	    (rc = bind_text(st, 8, c->visibility)) == DB_OK &&
	    (rc = db_bind_int64(st, 9, c->order)) == DB_OK &&
	    (rc = db_bind_int64(st, 10, c->test_questions)) == DB_OK &&
	    (rc = db_bind_int64(st, 11, c->pass_mark)) == DB_OK &&
	    (rc = db_bind_int64(st, 12, c->max_attempts)) == DB_OK &&
	    (rc = db_bind_int64(st, 13, c->wait_minutes)) == DB_OK &&
	    (rc = db_bind_int64(st, 14, c->time_limit_minutes)) == DB_OK &&
	    (rc = bind_text(st, 15, c->grading)) == DB_OK &&
	    (rc = bind_text(st, 16, c->topics_json)) == DB_OK &&
	    (rc = bind_text(st, 17, c->sources_json)) == DB_OK &&
	    (rc = bind_text(st, 18, c->path)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERR;
	}
	db_finalize(st);
	return rc;
}

static int insert_module(struct db *db, int64_t course, int pos, const struct course_module_def *m)
{
	static const char sql[] = "INSERT INTO course_modules (course_id, position, slug, title, "
	                          "summary, discussion_json) VALUES ($1, $2, $3, $4, $5, $6)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, pos)) == DB_OK &&
	    (rc = bind_text(st, 3, m->slug)) == DB_OK &&
	    (rc = bind_text(st, 4, m->title)) == DB_OK &&
	    (rc = bind_text(st, 5, m->summary)) == DB_OK)
		rc = bind_text(st, 6, m->discussion_json);
	return finish(st, rc);
}

static int insert_lesson(struct db *db, int64_t course, const struct course_lesson_def *l)
{
	static const char sql[] =
	        "INSERT INTO course_lessons (course_id, position, module_slug, slug, title, "
	        "summary, minutes, required, topics_json, scenario_slug, video_name, "
	        "captions_name, transcript_name, reviewed, sources_json, markdown, html, "
	        "toc_json, path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
	        "$14, $15, $16, $17, $18, $19)";
	const struct pack_page *pg = l->page;
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, l->position)) == DB_OK &&
	    (rc = bind_text(st, 3, l->module_slug)) == DB_OK &&
	    (rc = bind_text(st, 4, l->slug)) == DB_OK &&
	    (rc = bind_text(st, 5, pg->title)) == DB_OK &&
	    (rc = bind_text(st, 6, pg->summary ? pg->summary : "")) == DB_OK &&
	    (rc = db_bind_int64(st, 7, l->minutes)) == DB_OK &&
	    (rc = db_bind_int64(st, 8, l->required)) == DB_OK &&
	    (rc = bind_text(st, 9, l->topics_json)) == DB_OK &&
	    (rc = bind_text(st, 10, l->scenario)) == DB_OK &&
	    (rc = bind_text(st, 11, l->video)) == DB_OK &&
	    (rc = bind_text(st, 12, l->captions)) == DB_OK &&
	    (rc = bind_text(st, 13, l->transcript)) == DB_OK &&
	    (rc = bind_text(st, 14, pg->reviewed ? pg->reviewed : "")) == DB_OK &&
	    (rc = bind_text(st, 15, l->sources_json)) == DB_OK &&
	    (rc = db_bind_text(st, 16, pg->markdown, pg->markdown_len)) == DB_OK &&
	    (rc = bind_text(st, 17, l->html)) == DB_OK &&
	    (rc = bind_text(st, 18, l->toc_json)) == DB_OK)
		rc = bind_text(st, 19, pg->path);
	return finish(st, rc);
}

static int insert_question(struct db *db, int64_t course, const struct course_question_def *q)
{
	static const char sql[] =
	        "INSERT INTO course_questions (course_id, qid, purpose, lesson_slug, position, "
	        "qtype, topic, prompt, choices_json, explanation, path) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course)) == DB_OK &&
	    (rc = bind_text(st, 2, q->id)) == DB_OK &&
	    (rc = bind_text(st, 3, q->check ? "check" : "test")) == DB_OK &&
	    (rc = bind_text(st, 4, q->lesson)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, q->position)) == DB_OK &&
	    (rc = bind_text(st, 6, q->type)) == DB_OK &&
	    (rc = q->topic > 0 ? db_bind_int64(st, 7, q->topic) : db_bind_null(st, 7)) == DB_OK &&
	    (rc = bind_text(st, 8, q->prompt)) == DB_OK &&
	    (rc = bind_text(st, 9, q->choices_json)) == DB_OK &&
	    (rc = bind_text(st, 10, q->explanation)) == DB_OK)
		rc = bind_text(st, 11, q->path);
	return finish(st, rc);
}

static int insert_qfile(struct db *db, int64_t course, const struct course_qfile_def *f)
{
	static const char sql[] = "INSERT INTO course_question_files (course_id, path, "
	                          "lesson_slug, sources_json) VALUES ($1, $2, $3, $4)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course)) == DB_OK &&
	    (rc = bind_text(st, 2, f->path)) == DB_OK &&
	    (rc = bind_text(st, 3, f->lesson)) == DB_OK)
		rc = bind_text(st, 4, f->sources_json);
	return finish(st, rc);
}

static int insert_scenario(struct db *db, int64_t course, const struct course_scenario_def *s)
{
	static const char sql[] =
	        "INSERT INTO course_scenarios (course_id, slug, title, summary, topics_json, "
	        "body_json, source_json, sources_json, path) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, course)) == DB_OK &&
	    (rc = bind_text(st, 2, s->slug)) == DB_OK &&
	    (rc = bind_text(st, 3, s->title)) == DB_OK &&
	    (rc = bind_text(st, 4, s->summary)) == DB_OK &&
	    (rc = bind_text(st, 5, s->topics_json)) == DB_OK &&
	    (rc = bind_text(st, 6, s->body_json)) == DB_OK &&
	    (rc = bind_text(st, 7, s->source_json)) == DB_OK &&
	    (rc = bind_text(st, 8, s->sources_json)) == DB_OK)
		rc = bind_text(st, 9, s->path);
	return finish(st, rc);
}

/* The pack's copy of a media file: written, or replaced when its bytes
 * changed. */
static int upsert_media(struct db *db, const char *course, const struct course_media_def *m,
                        int64_t now)
{
	static const char sql[] =
	        "INSERT INTO course_media (course_slug, name, source, content_type, size, sha256, "
	        "bytes, created_at) VALUES ($1, $2, 'pack', $3, $4, $5, $6, $7) "
	        "ON CONFLICT (course_slug, name, source) DO UPDATE SET "
	        "content_type = excluded.content_type, size = excluded.size, "
	        "sha256 = excluded.sha256, bytes = excluded.bytes, created_at = "
	        "excluded.created_at "
	        "WHERE course_media.sha256 <> excluded.sha256";
	uint8_t h[CRYPTO_SHA256_BYTES];
	char hex[2 * CRYPTO_SHA256_BYTES + 1];
	crypto_sha256(h, m->data, m->len);
	crypto_hex(hex, h, sizeof h);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, course)) == DB_OK && (rc = bind_text(st, 2, m->name)) == DB_OK &&
	    (rc = bind_text(st, 3, m->content_type)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, (int64_t)m->len)) == DB_OK &&
	    (rc = bind_text(st, 5, hex)) == DB_OK &&
	    (rc = db_bind_blob(st, 6, m->data, m->len)) == DB_OK)
		rc = db_bind_int64(st, 7, now);
	return finish(st, rc);
}

int course_pack_import(struct db *db, struct arena *a, const struct pack *p, int64_t version_id,
                       int64_t now, struct pack_problems *pr)
{
	int rc = DB_OK;
	bool taken = false;
	for (size_t i = 0; rc == DB_OK && i < p->n_courses; i++)
		rc = check_owner(db, a, p->meta.id, &p->courses[i], pr, &taken);
	if (rc == DB_OK && taken)
		return LIBRARY_EINVALID;
	for (size_t i = 0; rc == DB_OK && i < p->n_courses; i++) {
		const struct pack_course *c = &p->courses[i];
		int64_t id = 0;
		rc = insert_course(db, c, version_id, &id);
		for (size_t k = 0; rc == DB_OK && k < c->n_modules; k++)
			rc = insert_module(db, id, (int)k, &c->modules[k]);
		for (size_t k = 0; rc == DB_OK && k < c->n_lessons; k++)
			rc = insert_lesson(db, id, &c->lessons[k]);
		for (size_t k = 0; rc == DB_OK && k < c->n_qfiles; k++)
			rc = insert_qfile(db, id, &c->qfiles[k]);
		for (size_t k = 0; rc == DB_OK && k < c->n_questions; k++)
			rc = insert_question(db, id, &c->questions[k]);
		for (size_t k = 0; rc == DB_OK && k < c->n_scenarios; k++)
			rc = insert_scenario(db, id, &c->scenarios[k]);
		for (size_t k = 0; rc == DB_OK && k < c->n_media; k++)
			rc = upsert_media(db, c->slug, &c->media[k], now);
	}
	return rc;
}

/* ---------------------------------------------------------------- export */

static int to_buf(void *data, unsigned char *bytes, size_t size)
{
	return buf_append(data, bytes, size) == 0;
}

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

/* A lesson's front matter (as export.c writes a page's, without
 * visibility: a lesson's is its course's). */
static int lesson_front_matter(const char *title, const char *slug, int order, const char *summary,
                               const char *sources_json, const char *reviewed, struct buf *out)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	json_error_t jerr;
	json_t *sources = json_loads(sources_json, 0, &jerr);
	char ord[24];
	snprintf(ord, sizeof ord, "%d", order);
	if (!sources || !yaml_emitter_initialize(&e)) {
		json_decref(sources);
		return -1;
	}
	yaml_emitter_set_output(&e, to_buf, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	        yaml_emitter_emit(&e, &ev) &&
	        yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	        yaml_emitter_emit(&e, &ev) && mapping(&e, true) && pair(&e, "title", title, true) &&
	        pair(&e, "slug", slug, false) && pair(&e, "kind", "lesson", false) &&
	        pair(&e, "order", ord, false) && pair(&e, "summary", summary, true) &&
	        scalar(&e, "sources", false) &&
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
	        pair(&e, "reviewed", reviewed, false) && mapping(&e, false) &&
	        yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
	        yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
	        yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
	json_decref(sources);
	return ok && out->err == 0 ? 0 : -1;
}

static json_t *parse(const char *s)
{
	json_error_t e;
	return s ? json_loads(s, JSON_DECODE_ANY, &e) : NULL;
}

struct out {
	struct arena *a;
	struct pack_file *files;
	size_t *n, max;
};

static int add_file(struct out *o, const char *path, const char *data, size_t len)
{
	if (!path || !data)
		return DB_ENOMEM;
	if (*o->n >= o->max)
		return DB_EINVAL;
	o->files[(*o->n)++] = (struct pack_file){path, data, len};
	return DB_OK;
}

static int add_json(struct out *o, const char *path, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
	            : NULL;
	json_decref(v);
	const char *text = s ? arena_printf(o->a, "%s\n", s) : NULL;
	free(s);
	return add_file(o, arena_strdup(o->a, path), text, text ? strlen(text) : 0);
}

/* The modules with their lessons, and each lesson's file. */
static int export_lessons(struct db *db, struct out *o, int64_t course, json_t *modules)
{
	static const char msql[] =
	        "SELECT slug, title, summary, discussion_json FROM course_modules "
	        "WHERE course_id = $1 ORDER BY position";
	static const char lsql[] =
	        "SELECT module_slug, slug, title, summary, minutes, required, topics_json, "
	        "scenario_slug, video_name, captions_name, transcript_name, reviewed, "
	        "sources_json, markdown, path, position FROM course_lessons WHERE course_id = $1 "
	        "ORDER BY position";
	struct arena *a = o->a;
	struct db_stmt *st;
	int rc = db_prepare(db, msql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_t *m =
		        json_pack("{s:s?, s:s?}", "slug", col(a, st, 0), "title", col(a, st, 1));
		const char *summary = col(a, st, 2);
		if (summary && summary[0])
			json_object_set_new(m, "summary", json_string(summary));
		json_object_set_new(m, "discussion", parse(col(a, st, 3)));
		json_object_set_new(m, "lessons", json_array());
		rc = json_array_append_new(modules, m) == 0 ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	rc = db_prepare(db, lsql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *module = col(a, st, 0), *slug = col(a, st, 1);
		json_t *l = json_pack("{s:s?, s:o, s:I, s:b}", "slug", slug, "topics",
		                      parse(col(a, st, 6)), "minutes",
		                      (json_int_t)db_column_int64(st, 4), "required",
		                      db_column_int64(st, 5) != 0);
		const char *scenario = col(a, st, 7), *video = col(a, st, 8);
		if (scenario)
			json_object_set_new(l, "scenario", json_string(scenario));
		if (video)
			json_object_set_new(l, "video",
			                    json_pack("{s:s, s:s?, s:s?}", "file", video,
			                              "captions", col(a, st, 9), "transcript",
			                              col(a, st, 10)));
		size_t i;
		json_t *m;
		json_array_foreach(modules, i, m)
		{
			if (module &&
			    strcmp(json_string_value(json_object_get(m, "slug")), module) == 0) {
				json_array_append(json_object_get(m, "lessons"), l);
				break;
			}
		}
		json_decref(l);
		struct buf b;
		buf_init(&b, a, PACK_MAX_FILE_BYTES + 64 * 1024);
		buf_puts(&b, "---\n");
		size_t mdlen;
		const char *md = db_column_text(st, 13, &mdlen);
		if (lesson_front_matter(col(a, st, 2), slug,
		                        10 * (int)(db_column_int64(st, 15) + 1), col(a, st, 3),
		                        col(a, st, 12), col(a, st, 11), &b) != 0) {
			rc = DB_ENOMEM;
			break;
		}
		buf_puts(&b, "---\n");
		buf_append(&b, md, mdlen);
		rc = b.err ? DB_ENOMEM : add_file(o, col(a, st, 14), b.data, b.len);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* checks/ and questions/ files, from their rows. */
static int export_questions(struct db *db, struct out *o, int64_t course)
{
	static const char fsql[] = "SELECT path, lesson_slug, sources_json FROM "
	                           "course_question_files WHERE course_id = $1 ORDER BY path";
	static const char qsql[] =
	        "SELECT qid, qtype, topic, prompt, choices_json, explanation, lesson_slug, purpose "
	        "FROM course_questions WHERE course_id = $1 AND path = $2 ORDER BY position";
	struct arena *a = o->a;
	struct db_stmt *st, *qs;
	int rc = db_prepare(db, fsql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *path = col(a, st, 0), *lesson = col(a, st, 1);
		json_t *file = json_object();
		if (lesson)
			json_object_set_new(file, "lesson", json_string(lesson));
		json_t *list = json_array();
		json_object_set_new(file, "questions", list);
		rc = db_prepare(db, qsql, &qs);
		if (rc == DB_OK && (rc = db_bind_int64(qs, 1, course)) == DB_OK)
			rc = bind_text(qs, 2, path);
		while (rc == DB_OK && (rc = db_step(qs)) == DB_ROW) {
			json_t *q = json_pack("{s:s?, s:s?}", "id", col(a, qs, 0), "type",
			                      col(a, qs, 1));
			if (!db_column_is_null(qs, 2))
				json_object_set_new(q, "topic",
				                    json_integer(db_column_int64(qs, 2)));
			json_object_set_new(q, "prompt", json_string(col(a, qs, 3)));
			json_object_set_new(q, "choices", parse(col(a, qs, 4)));
			json_object_set_new(q, "explanation", json_string(col(a, qs, 5)));
			const char *ql = col(a, qs, 6), *purpose = col(a, qs, 7);
			if (ql && purpose && strcmp(purpose, "test") == 0)
				json_object_set_new(q, "lesson", json_string(ql));
			json_array_append_new(list, q);
			rc = DB_OK;
		}
		db_finalize(qs);
		if (rc != DB_DONE) {
			json_decref(file);
			break;
		}
		json_t *src = parse(col(a, st, 2));
		if (json_array_size(src))
			json_object_set_new(file, "sources", src);
		else
			json_decref(src);
		rc = add_json(o, path, file);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int export_scenarios(struct db *db, struct out *o, int64_t course)
{
	static const char sql[] = "SELECT path, source_json FROM course_scenarios "
	                          "WHERE course_id = $1 ORDER BY path";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, course);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *text = col(o->a, st, 1);
		rc = add_file(o, col(o->a, st, 0), text, text ? strlen(text) : 0);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* The pack's media the lessons name (an upload does not go into a pack). */
static int export_media(struct db *db, struct out *o, int64_t course, const char *slug)
{
	static const char sql[] =
	        "SELECT m.name, m.bytes FROM course_media m WHERE m.course_slug = $1 "
	        "AND m.source = 'pack' AND m.name IN (SELECT video_name FROM course_lessons WHERE "
	        "course_id = $2 UNION SELECT captions_name FROM course_lessons WHERE course_id = "
	        "$2 "
	        "UNION SELECT transcript_name FROM course_lessons WHERE course_id = $2) "
	        "ORDER BY m.name";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = bind_text(st, 1, slug)) == DB_OK)
		rc = db_bind_int64(st, 2, course);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t len;
		const void *b = db_column_blob(st, 1, &len);
		char *copy = arena_alloc(o->a, len + 1);
		if (!copy) {
			rc = DB_ENOMEM;
			break;
		}
		if (len)
			memcpy(copy, b, len);
		copy[len] = '\0';
		const char *name = col(o->a, st, 0);
		rc = add_file(o, name ? arena_printf(o->a, "course/%s/%s", slug, name) : NULL, copy,
		              len);
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int course_pack_export(struct db *db, struct arena *a, int64_t version_id, struct pack_file *files,
                       size_t *n, size_t max)
{
	static const char sql[] =
	        "SELECT id, slug, title, summary, audience, credit_centihours, instructor, "
	        "visibility, sort_order, test_questions, pass_mark, max_attempts, wait_minutes, "
	        "time_limit_minutes, grading, topics_json, sources_json, path FROM courses "
	        "WHERE version_id = $1 ORDER BY slug";
	struct out o = {a, files, n, max};
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	/* Read whole first: the statement stays open while others run. */
	struct row {
		int64_t id;
		const char *slug, *path;
		json_t *json;
	} *rows = arena_calloc(a, 64, sizeof *rows);
	size_t nr = 0;
	rc = rows ? db_bind_int64(st, 1, version_id) : DB_ENOMEM;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW && nr < 64) {
		int64_t cents = db_column_int64(st, 5);
		json_t *credit = cents % 100 == 0 ? json_integer(cents / 100)
		                                  : json_real((double)cents / 100.0);
		json_t *c =
		        json_pack("{s:s?, s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:I, s:{s:I, s:I, "
		                  "s:I, s:I, s:I, "
		                  "s:s?}, s:o, s:[]}",
		                  "slug", col(a, st, 1), "title", col(a, st, 2), "summary",
		                  col(a, st, 3), "audience", col(a, st, 4), "credit_hours", credit,
		                  "instructor", col(a, st, 6), "visibility", col(a, st, 7), "order",
		                  (json_int_t)db_column_int64(st, 8), "final_test", "questions",
		                  (json_int_t)db_column_int64(st, 9), "pass_mark",
		                  (json_int_t)db_column_int64(st, 10), "max_attempts",
		                  (json_int_t)db_column_int64(st, 11), "wait_minutes",
		                  (json_int_t)db_column_int64(st, 12), "time_limit_minutes",
		                  (json_int_t)db_column_int64(st, 13), "grading", col(a, st, 14),
		                  "topics", parse(col(a, st, 15)), "modules");
		json_t *src = parse(col(a, st, 16));
		if (json_array_size(src))
			json_object_set_new(c, "sources", src);
		else
			json_decref(src);
		rows[nr++] = (struct row){db_column_int64(st, 0), col(a, st, 1), col(a, st, 17), c};
		rc = c ? DB_OK : DB_ENOMEM;
	}
	db_finalize(st);
	if (rc == DB_DONE || rc == DB_ROW)
		rc = DB_OK;
	for (size_t i = 0; i < nr; i++) {
		if (rc == DB_OK)
			rc = export_lessons(db, &o, rows[i].id,
			                    json_object_get(rows[i].json, "modules"));
		if (rc == DB_OK)
			rc = export_questions(db, &o, rows[i].id);
		if (rc == DB_OK)
			rc = export_scenarios(db, &o, rows[i].id);
		if (rc == DB_OK)
			rc = export_media(db, &o, rows[i].id, rows[i].slug);
		if (rc == DB_OK) {
			rc = add_json(&o, rows[i].path, rows[i].json);
			rows[i].json = NULL;
		}
		json_decref(rows[i].json);
	}
	return rc;
}
