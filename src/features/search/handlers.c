/* features/search/handlers.c — GET /search (the page: a search form, the
 * results with their kind, title, highlighted snippet and count, a kind
 * filter and pages of results) and GET /api/v1/search (the same as JSON,
 * with limit and offset). Both are public: the store shows each viewer
 * only what they may see (model.c).
 *
 * Whatever q holds, the answer is a page of results, "no results", or the
 * empty form: never an error page. Bad kind, page, limit or offset values
 * are named back (422), with the form still there. */
#include "features/search/search.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "render/page.h"

#include <string.h>

#define PAGE_SIZE SEARCH_LIMIT_DEFAULT
#define PAGE_MAX (SEARCH_OFFSET_MAX / PAGE_SIZE + 1)

/* Where a page of kind lives on the site. */
static const char *section_path(const char *kind)
{
	if (strcmp(kind, "guide") == 0)
		return "/guide";
	if (strcmp(kind, "practice") == 0)
		return "/practices";
	return "/resources";
}

/* Appends "name=value" to a query string, percent-encoded. */
static void qs_add(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	buf_putc(b, strchr(buf_cstr(b), '?') ? '&' : '?');
	buf_puts(b, name);
	buf_putc(b, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_putc(b, (char)*p);
		} else if (*p == ' ') {
			buf_putc(b, '+');
		} else {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, esc, 3);
		}
	}
}

/* /search?q=...&kind=...&page=N, or NULL on no memory. */
static const char *page_href(struct req *req, const char *q, const char *kind, int64_t page)
{
	struct buf b;
	buf_init(&b, req->arena, 4 * SEARCH_Q_MAX + 64);
	buf_puts(&b, "/search");
	qs_add(&b, "q", q);
	if (kind[0])
		qs_add(&b, "kind", kind);
	if (page > 1)
		buf_printf(&b, "&page=%lld", (long long)page);
	return b.err ? NULL : buf_cstr(&b);
}

/* A whole number in [min, max] from the query string, def when absent or
 * empty; false when present and not such a number. */
static bool query_int(struct req *req, const char *name, int64_t min, int64_t max, int64_t def,
                      int64_t *out)
{
	const char *v = req_query(req, name);
	*out = def;
	if (!v || !v[0])
		return true;
	return str_to_i64(str_trim(str_from(v)), min, max, out) == 0;
}

/* Runs the search; DB_OK or an error (logged). */
static int run(struct req *req, const char *q, enum search_kind kind, int limit, int offset,
               struct search_query *sq, struct search_results *res)
{
	memset(res, 0, sizeof *res);
	if (search_query_parse(req->arena, q, strlen(q), sq) != 0)
		return DB_ENOMEM;
	if (sq->n == 0)
		return DB_OK;
	struct db *db = db_pool_get();
	if (!db)
		return DB_ERR;
	int rc = search_run(db, req->arena, &req->who, sq, kind, limit, offset, res);
	if (rc != DB_OK)
		log_msg(LOG_ERROR, "search failed (%d): %s", rc, db_errmsg(db));
	return rc;
}

static json_t *kind_options(const char *chosen)
{
	static const char *const keys[] = {"search.kind.all", "search.kind.guide",
	                                   "search.kind.practice", "search.kind.resource"};
	json_t *list = json_array();
	for (int k = SEARCH_ALL; list && k <= SEARCH_RESOURCE; k++) {
		const char *v = search_kind_name((enum search_kind)k);
		json_array_append_new(list,
		                      json_pack("{s:s, s:s, s:b}", "value", v, "label",
		                                page_msg(keys[k]), "selected",
		                                strcmp(v, chosen) == 0));
	}
	return list;
}

static const char *kind_label(const char *kind)
{
	if (strcmp(kind, "guide") == 0)
		return page_msg("search.kind.guide.one");
	if (strcmp(kind, "practice") == 0)
		return page_msg("search.kind.practice.one");
	return page_msg("search.kind.resource.one");
}

int search_page(struct req *req)
{
	const char *raw_q = req_query(req, "q"), *raw_kind = req_query(req, "kind");
	const char *q = search_clean_input(req->arena, raw_q ? raw_q : "");
	enum search_kind kind = SEARCH_ALL;
	int64_t page = 1;
	json_t *errors = json_object();
	if (!q || !errors) {
		json_decref(errors);
		return -1;
	}
	if (search_kind_parse(raw_kind ? raw_kind : "", &kind) != 0)
		json_object_set_new(errors, "kind", json_string(page_msg("search.kind.invalid")));
	if (!query_int(req, "page", 1, PAGE_MAX, 1, &page))
		json_object_set_new(errors, "page", json_string(page_msg("search.page.invalid")));
	const char *k = search_kind_name(kind);
	bool bad = json_object_size(errors) > 0;

	struct search_query sq;
	struct search_results res;
	memset(&sq, 0, sizeof sq);
	memset(&res, 0, sizeof res);
	if (!bad &&
	    run(req, raw_q ? raw_q : "", kind, PAGE_SIZE, (int)((page - 1) * PAGE_SIZE), &sq,
	        &res) != DB_OK) {
		json_decref(errors);
		return -1;
	}

	json_t *hits = json_array();
	for (size_t i = 0; hits && i < res.n; i++) {
		const struct search_hit *h = &res.hits[i];
		json_array_append_new(
		        hits,
		        json_pack("{s:s, s:s, s:s, s:s}", "title", h->title, "kind_label",
		                  kind_label(h->kind), "href",
		                  arena_printf(req->arena, "%s/%s", section_path(h->kind), h->slug),
		                  "snippet_html", h->snippet_html));
	}
	bool searched = !bad && q[0] && sq.n > 0;
	int64_t from = res.n ? (page - 1) * PAGE_SIZE + 1 : 0;
	json_t *data = json_pack(
	        "{s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:b, s:o, s:I, s:I, s:I, s:b}", "q", q, "kind",
	        k, "kinds", kind_options(k), "errors", errors, "has_errors", bad, "searched",
	        searched, "only_common", !bad && sq.only_common, "typed", q[0] != '\0', "hits",
	        hits, "total", (json_int_t)res.total, "from", (json_int_t)from, "to",
	        (json_int_t)(from ? from + (int64_t)res.n - 1 : 0), "one", res.total == 1);
	if (!data)
		return -1;
	if (searched && page > 1)
		json_object_set_new(data, "prev_href", json_string(page_href(req, q, k, page - 1)));
	if (searched && page < PAGE_MAX && page * PAGE_SIZE < res.total)
		json_object_set_new(data, "next_href", json_string(page_href(req, q, k, page + 1)));
	return page_render(req, bad ? 422 : 200, "search/index", "page.search.title", data);
}

/* 422 naming the parameter. */
static int invalid(struct req *req, const char *field, const char *key)
{
	json_t *e = json_pack("{s:s, s:s, s:s}", "code", "invalid", "message", page_msg(key),
	                      "field", field);
	return http_json(req, 422, e ? json_pack("{s:o}", "error", e) : NULL);
}

int search_api(struct req *req)
{
	const char *raw_q = req_query(req, "q"), *raw_kind = req_query(req, "kind");
	enum search_kind kind = SEARCH_ALL;
	int64_t limit, offset;
	if (search_kind_parse(raw_kind ? raw_kind : "", &kind) != 0)
		return invalid(req, "kind", "search.kind.invalid");
	if (!query_int(req, "limit", 1, SEARCH_LIMIT_MAX, SEARCH_LIMIT_DEFAULT, &limit))
		return invalid(req, "limit", "search.limit.invalid");
	if (!query_int(req, "offset", 0, SEARCH_OFFSET_MAX, 0, &offset))
		return invalid(req, "offset", "search.offset.invalid");
	const char *q = search_clean_input(req->arena, raw_q ? raw_q : "");
	struct search_query sq;
	struct search_results res;
	if (!q || run(req, raw_q ? raw_q : "", kind, (int)limit, (int)offset, &sq, &res) != DB_OK)
		return -1;
	json_t *list = json_array();
	for (size_t i = 0; list && i < res.n; i++) {
		const struct search_hit *h = &res.hits[i];
		json_array_append_new(
		        list,
		        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f}", "slug", h->slug,
		                  "kind", h->kind, "title", h->title, "summary", h->summary, "url",
		                  arena_printf(req->arena, "%s/%s", section_path(h->kind), h->slug),
		                  "snippet", h->snippet, "snippet_html", h->snippet_html, "rank",
		                  h->rank));
	}
	return http_json(req, 200,
	                 json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:o}", "q", q, "kind",
	                           search_kind_name(kind), "total", (json_int_t)res.total, "limit",
	                           (json_int_t)limit, "offset", (json_int_t)offset,
	                           "only_common_words", sq.only_common, "results", list));
}
