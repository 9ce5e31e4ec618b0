/* features/library/pack.h — a content pack in memory (DESIGN.md §7,
 * docs/content-packs.md): pack.json and the Markdown pages of guide/,
 * practices/ and resources/ with their YAML front matter, read from a
 * directory, from the files built into the binary or from a .zip, and
 * checked with the rules `csec content validate` prints. Everything is
 * allocated in the caller's arena. */
#ifndef CSEC_FEATURES_LIBRARY_PACK_H
#define CSEC_FEATURES_LIBRARY_PACK_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum page_kind { PAGE_GUIDE, PAGE_PRACTICE, PAGE_RESOURCE };
enum page_visibility { VIS_PUBLIC, VIS_MEMBERS, VIS_LAW_ENFORCEMENT, VIS_ORG };

/* "guide", "practice", "resource" / "public", "members", "law_enforcement",
 * "org". The parsers return 0, or -1 for an unknown name. */
const char *page_kind_name(enum page_kind k);
int page_kind_parse(const char *s, enum page_kind *out);
const char *page_visibility_name(enum page_visibility v);
int page_visibility_parse(const char *s, enum page_visibility *out);

/* Limits (DESIGN.md §6, §7). */
#define PACK_MAX_FILES 2000
#define PACK_MAX_FILE_BYTES (256 * 1024) /* one Markdown or JSON file */
#define PACK_MAX_TOTAL_BYTES (32 * 1024 * 1024)
#define PACK_SLUG_MAX 64
#define PACK_TITLE_MAX 200
#define PACK_SUMMARY_MAX 400

struct pack_source {
	const char *title, *publisher, *url, *checked; /* checked: YYYY-MM-DD */
};

struct pack_page {
	const char *path; /* inside the pack, e.g. "guide/10-definitions.md" */
	const char *title, *slug, *summary;
	const char *reviewed; /* YYYY-MM-DD */
	enum page_kind kind;
	enum page_visibility visibility;
	int order;
	const struct pack_source *sources;
	size_t n_sources;
	const char *markdown; /* the body after the front matter, NUL-terminated */
	size_t markdown_len;
	int body_line; /* the file's line number of the body's first line */
};

struct pack_meta {
	const char *id, *version, *title, *language, *license, *as_of;
	const char *review_status; /* "draft" or "reviewed" */
	const char *disclaimer;
};

struct pack_course; /* features/course/pack_course.h */

struct pack {
	struct pack_meta meta;
	struct pack_page *pages; /* sorted by kind, then order, then slug */
	size_t n_pages;
	struct pack_course *courses; /* course/SLUG/, by slug */
	size_t n_courses;
};

/* One problem: "file:line: message" when printed (line 0: the whole file). */
struct pack_problem {
	const char *file;
	int line;
	const char *message;
};

struct pack_problems {
	struct arena *arena;
	struct pack_problem *items;
	size_t n, cap;
};

void pack_problems_init(struct pack_problems *pr, struct arena *a);
/* Records a problem (printf-style message). Returns -ENOMEM on failure. */
int pack_problem(struct pack_problems *pr, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* One file of a pack: its path inside the pack and its bytes. */
struct pack_file {
	const char *path;
	const char *data;
	size_t len;
};

/* The files of a pack from a directory, from the binary (the starter pack,
 * embedded under "content/"), or from a .zip held in memory (libzip, with
 * the limits above and no path that leaves the pack). Problems reading
 * (too big, too many, bad names) go to pr. Return 0, or a negative errno
 * when nothing could be read at all. */
int pack_files_from_dir(struct arena *a, const char *dir, struct pack_file **files, size_t *n,
                        struct pack_problems *pr);
int pack_files_embedded(struct arena *a, struct pack_file **files, size_t *n);
int pack_files_from_zip(struct arena *a, const void *zip, size_t len, struct pack_file **files,
                        size_t *n, struct pack_problems *pr);

/* Parses pack.json and every page's front matter, then checks the whole
 * pack (duplicate slugs, links to pages that do not exist, unknown
 * placeholders, Markdown the renderer refuses). Every problem goes to pr;
 * the pack is usable only when pr->n == 0 afterwards. Returns 0, or
 * -ENOMEM. */
int pack_load(struct arena *a, const struct pack_file *files, size_t n, struct pack *out,
              struct pack_problems *pr);

/* The placeholder check pack_load makes of each page, for one page alone
 * (the browser editor): every {{name}} in page->markdown must be in the
 * registry. Problems go to pr under page->path, counted from
 * page->body_line. Returns 0, or -ENOMEM. */
int pack_check_placeholders(const struct pack_page *page, struct pack_problems *pr);

/* The page with that slug, or NULL. */
const struct pack_page *pack_find(const struct pack *p, const char *slug);

#endif
