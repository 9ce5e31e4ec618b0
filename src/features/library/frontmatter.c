/* features/library/frontmatter.c — a pack page's YAML front matter
 * (docs/content-packs.md). libyaml's event API feeds a small tree built in
 * the arena (bounded in events, depth and scalar size; aliases refused, so
 * no expansion attack), then each field is checked against a fixed table.
 * Every problem names the file and the line it is on. */
#include "features/library/frontmatter.h"

#include "core/arena.h"
#include "core/str.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

enum ytype { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ytype type;
	int line; /* in the file */
	const char *s;
	size_t len;
	bool plain; /* an unquoted scalar (YAML types it) */
	struct ynode *first, *last, *next;
	size_t n;
};

struct ctx {
	struct arena *a;
	const char *file;
	struct pack_problems *pr;
	int err; /* -ENOMEM once anything failed to allocate */
};

#define PROBLEM(c, line, ...)                                                                      \
	do {                                                                                       \
		if (pack_problem((c)->pr, (c)->file, (line), __VA_ARGS__) != 0)                    \
			(c)->err = -ENOMEM;                                                        \
	} while (0)

/* ------------------------------------------------------------ small checks */

bool frontmatter_slug_valid(const char *s, size_t len)
{
	if (len == 0 || len > PACK_SLUG_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && i > 0 && i + 1 < len))
			return false;
	}
	return true;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool frontmatter_date_valid(const char *s, size_t len)
{
	if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) ||
	    !digits(s + 8, 2))
		return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

bool frontmatter_url_valid(const char *s, size_t len)
{
	size_t skip;
	if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	if (len > FRONTMATTER_URL_MAX)
		return false;
	size_t host = 0;
	bool in_host = true;
	for (size_t i = skip; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
		    c == '`')
			return false;
		if (in_host && (c == '/' || c == '?' || c == '#')) {
			in_host = false;
		} else if (in_host) {
			bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
			        c == '[' || c == ']' || c >= 0x80;
			if (!ok)
				return false; /* no user@host */
			host++;
		}
	}
	return host > 0;
}

size_t frontmatter_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

int frontmatter_bare_cr(const char *data, size_t len)
{
	int line = 1;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n')
			line++;
		else if (data[i] == '\r' && (i + 1 == len || data[i + 1] != '\n'))
			return line;
	}
	return 0;
}

/* A copy of a value that is safe to quote in a message: at most 60
 * characters, control characters shown as '?'. */
static const char *shown(struct ctx *c, const char *s, size_t len)
{
	size_t cut = 0, chars = 0;
	while (cut < len && chars < 60) {
		cut++;
		while (cut < len && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut++;
		chars++;
	}
	char *out = arena_alloc(c->a, cut + 4);
	if (!out) {
		c->err = -ENOMEM;
		return "";
	}
	for (size_t i = 0; i < cut; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (cut < len) {
		memcpy(out + cut, "\xe2\x80\xa6", 3); /* … */
		cut += 3;
	}
	out[cut] = '\0';
	return out;
}

/* ------------------------------------------------------------ YAML to tree */

static struct ynode *node_new(struct ctx *c, enum ytype t, int line)
{
	struct ynode *n = arena_calloc(c->a, 1, sizeof *n);
	if (!n) {
		c->err = -ENOMEM;
		return NULL;
	}
	n->type = t;
	n->line = line;
	return n;
}

static void node_add(struct ynode *parent, struct ynode *child)
{
	if (parent->last)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
	parent->n++;
}

/* Builds the tree of the YAML text (first_line: its first line in the
 * file). NULL when the text is empty or a problem stopped the parse (it is
 * then recorded). */
static struct ynode *parse_yaml(struct ctx *c, const char *yaml, size_t len, int first_line,
                                bool *failed)
{
	yaml_parser_t p;
	*failed = false;
	if (!yaml_parser_initialize(&p)) {
		c->err = -ENOMEM;
		*failed = true;
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	struct ynode *stack[FRONTMATTER_MAX_DEPTH + 1];
	int depth = 0, docs = 0;
	size_t events = 0;
	struct ynode *root = NULL;
	bool done = false;
	while (!done && !*failed && !c->err) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR) {
				c->err = -ENOMEM;
			} else {
				int line = (int)p.problem_mark.line + first_line;
				if (p.context)
					PROBLEM(c, line, "malformed YAML: %s %s",
					        p.problem ? p.problem : "error", p.context);
				else
					PROBLEM(c, line, "malformed YAML: %s",
					        p.problem ? p.problem : "error");
			}
			*failed = true;
			break;
		}
		int line = (int)ev.start_mark.line + first_line;
		struct ynode *n = NULL;
		if (++events > FRONTMATTER_MAX_EVENTS) {
			PROBLEM(c, line, "the front matter is too complex (over %d YAML events)",
			        FRONTMATTER_MAX_EVENTS);
			*failed = true;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				PROBLEM(c, line,
				        "the front matter holds more than one YAML document");
				*failed = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			PROBLEM(c, line, "YAML aliases (*name) are not allowed in front matter");
			*failed = true;
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.length > FRONTMATTER_MAX_SCALAR) {
				PROBLEM(c, line, "a value is over %d bytes long",
				        FRONTMATTER_MAX_SCALAR);
				*failed = true;
				break;
			}
			n = node_new(c, Y_SCALAR, line);
			if (n) {
				n->s = arena_strndup(c->a, (const char *)ev.data.scalar.value,
				                     ev.data.scalar.length);
				n->len = ev.data.scalar.length;
				n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
				if (!n->s)
					c->err = -ENOMEM;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= FRONTMATTER_MAX_DEPTH) {
				PROBLEM(c, line, "the front matter is nested too deeply");
				*failed = true;
				break;
			}
			n = node_new(c, ev.type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ, line);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n) {
			if (depth > 0)
				node_add(stack[depth - 1], n);
			else if (!root)
				root = n;
			if (n->type != Y_SCALAR)
				stack[depth++] = n;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return *failed ? NULL : root;
}

/* ------------------------------------------------------------ fields */

static bool is_null(const struct ynode *n)
{
	return n->type == Y_SCALAR && n->plain &&
	        (n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
	         strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}

/* A text value: trimmed, not empty, no control characters (line breaks
 * become spaces when fold is set), at most max characters. NULL after
 * recording why. */
static const char *text_value(struct ctx *c, const struct ynode *n, const char *what, size_t max,
                              bool fold)
{
	if (n->type != Y_SCALAR) {
		PROBLEM(c, n->line, "%s must be text, not a %s", what,
		        n->type == Y_MAP ? "set of fields" : "list");
		return NULL;
	}
	struct str s = {n->s, n->len};
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\n' || s.p[0] == '\r')) {
		s.p++;
		s.len--;
	}
	while (s.len &&
	       (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\n' ||
	        s.p[s.len - 1] == '\r'))
		s.len--;
	if (is_null(n) || s.len == 0) {
		PROBLEM(c, n->line, "%s is empty", what);
		return NULL;
	}
	char *out = arena_strndup(c->a, s.p, s.len);
	if (!out) {
		c->err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)out[i];
		if (fold && (ch == '\n' || ch == '\r' || ch == '\t')) {
			out[i] = ' ';
		} else if (ch < 0x20 || ch == 0x7f) {
			PROBLEM(c, n->line, "%s contains a line break or control character", what);
			return NULL;
		}
	}
	size_t chars = frontmatter_chars(out, s.len);
	if (chars > max) {
		PROBLEM(c, n->line, "%s is %zu characters long; at most %zu are allowed", what,
		        chars, max);
		return NULL;
	}
	return out;
}

static const char *date_value(struct ctx *c, const struct ynode *n, const char *what)
{
	if (n->type == Y_SCALAR && !is_null(n) && !frontmatter_date_valid(n->s, n->len)) {
		PROBLEM(c, n->line, "%s must be a real date written YYYY-MM-DD, not \"%s\"", what,
		        shown(c, n->s, n->len));
		return NULL;
	}
	return text_value(c, n, what, 10, false);
}

static const char *url_value(struct ctx *c, const struct ynode *n, const char *what)
{
	const char *s = text_value(c, n, what, FRONTMATTER_URL_MAX, false);
	if (s && !frontmatter_url_valid(s, strlen(s))) {
		PROBLEM(c, n->line, "%s must be a full http:// or https:// address, not \"%s\"",
		        what, shown(c, s, strlen(s)));
		return NULL;
	}
	return s;
}

enum ftype { F_TITLE, F_SLUG, F_KIND, F_ORDER, F_VISIBILITY, F_SUMMARY, F_SOURCES, F_REVIEWED };

static const struct {
	const char *name;
	enum ftype type;
	size_t line_off; /* in struct frontmatter_lines */
} fields[] = {
        {"title", F_TITLE, offsetof(struct frontmatter_lines, title)},
        {"slug", F_SLUG, offsetof(struct frontmatter_lines, slug)},
        {"kind", F_KIND, offsetof(struct frontmatter_lines, kind)},
        {"order", F_ORDER, offsetof(struct frontmatter_lines, order)},
        {"visibility", F_VISIBILITY, offsetof(struct frontmatter_lines, visibility)},
        {"summary", F_SUMMARY, offsetof(struct frontmatter_lines, summary)},
        {"sources", F_SOURCES, offsetof(struct frontmatter_lines, sources)},
        {"reviewed", F_REVIEWED, offsetof(struct frontmatter_lines, reviewed)},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const char *const source_fields[] = {"title", "publisher", "url", "checked"};

/* One entry of sources; false after recording why. */
static bool source_value(struct ctx *c, const struct ynode *n, size_t idx, struct pack_source *out)
{
	if (n->type != Y_MAP) {
		PROBLEM(c, n->line,
		        "source %zu must be a set of fields: title, publisher, url and checked",
		        idx);
		return false;
	}
	const char *vals[4] = {NULL, NULL, NULL, NULL};
	bool seen[4] = {false, false, false, false}, ok = true;
	for (const struct ynode *k = n->first; k && k->next; k = k->next->next) {
		const struct ynode *v = k->next;
		size_t f = 4;
		for (size_t i = 0; k->type == Y_SCALAR && i < 4; i++)
			if (strcmp(k->s, source_fields[i]) == 0)
				f = i;
		if (f == 4) {
			PROBLEM(c, k->line,
			        "source %zu: unknown field \"%s\" (a source has title, "
			        "publisher, url and checked)",
			        idx, k->type == Y_SCALAR ? shown(c, k->s, k->len) : "?");
			ok = false;
			continue;
		}
		if (seen[f]) {
			PROBLEM(c, k->line, "source %zu: \"%s\" is given twice", idx,
			        source_fields[f]);
			ok = false;
			continue;
		}
		seen[f] = true;
		char what[64];
		snprintf(what, sizeof what, "source %zu: %s", idx, source_fields[f]);
		if (f == 2)
			vals[f] = url_value(c, v, what);
		else if (f == 3)
			vals[f] = date_value(c, v, what);
		else
			vals[f] = text_value(c, v, what, FRONTMATTER_SOURCE_TEXT_MAX, true);
		ok = ok && vals[f];
	}
	for (size_t i = 0; i < 4; i++) {
		if (!seen[i]) {
			PROBLEM(c, n->line, "source %zu has no \"%s\"", idx, source_fields[i]);
			ok = false;
		}
	}
	if (!ok)
		return false;
	*out = (struct pack_source){vals[0], vals[1], vals[2], vals[3]};
	return true;
}

static bool sources_value(struct ctx *c, const struct ynode *n, struct pack_page *page)
{
	if (is_null(n) || (n->type == Y_SEQ && n->n == 0)) {
		PROBLEM(c, n->line, "sources is empty: every page names at least one source");
		return false;
	}
	if (n->type != Y_SEQ) {
		PROBLEM(c, n->line,
		        "sources must be a list (lines starting with \"- title:\"), one entry "
		        "per source");
		return false;
	}
	if (n->n > FRONTMATTER_MAX_SOURCES) {
		PROBLEM(c, n->line, "sources lists %zu sources; at most %d are allowed", n->n,
		        FRONTMATTER_MAX_SOURCES);
		return false;
	}
	struct pack_source *src = arena_calloc(c->a, n->n, sizeof *src);
	if (!src) {
		c->err = -ENOMEM;
		return false;
	}
	bool ok = true;
	size_t i = 0;
	for (const struct ynode *e = n->first; e; e = e->next, i++)
		ok = source_value(c, e, i + 1, &src[i]) && ok;
	if (ok) {
		page->sources = src;
		page->n_sources = n->n;
	}
	return ok;
}

/* Checks one field's value and stores it in page; false after recording
 * why. */
static bool field_value(struct ctx *c, enum ftype t, const struct ynode *v, struct pack_page *page,
                        bool lesson)
{
	const char *s;
	switch (t) {
	case F_TITLE:
		return (page->title = text_value(c, v, "title", PACK_TITLE_MAX, false)) != NULL;
	case F_SUMMARY:
		return (page->summary = text_value(c, v, "summary", PACK_SUMMARY_MAX, true)) !=
		        NULL;
	case F_REVIEWED:
		return (page->reviewed = date_value(c, v, "reviewed")) != NULL;
	case F_SLUG:
		if (v->type == Y_SCALAR && !is_null(v) && !frontmatter_slug_valid(v->s, v->len)) {
			PROBLEM(c, v->line,
			        "slug \"%s\" must be lower-case letters, digits and inner "
			        "hyphens, at most %d characters",
			        shown(c, v->s, v->len), PACK_SLUG_MAX);
			return false;
		}
		return (page->slug = text_value(c, v, "slug", PACK_SLUG_MAX, false)) != NULL;
	case F_KIND:
		if (!(s = text_value(c, v, "kind", 32, false)))
			return false;
		if (lesson && strcmp(s, "lesson") != 0) {
			PROBLEM(c, v->line,
			        "kind must be \"lesson\" in a course's lessons/, not \"%s\"",
			        shown(c, s, strlen(s)));
			return false;
		}
		if (lesson)
			return true;
		if (strcmp(s, "lesson") == 0) {
			PROBLEM(c, v->line,
			        "kind \"lesson\" is only for a course's lessons "
			        "(course/SLUG/lessons/); here the kind is guide, practice or "
			        "resource");
			return false;
		}
		if (page_kind_parse(s, &page->kind) != 0) {
			PROBLEM(c, v->line, "kind must be guide, practice or resource, not \"%s\"",
			        shown(c, s, strlen(s)));
			return false;
		}
		return true;
	case F_VISIBILITY:
		if (lesson) {
			PROBLEM(c, v->line,
			        "a lesson has no visibility of its own (it is its course's): "
			        "remove the field");
			return false;
		}
		if (!(s = text_value(c, v, "visibility", 32, false)))
			return false;
		if (page_visibility_parse(s, &page->visibility) != 0) {
			PROBLEM(c, v->line,
			        "visibility must be public, members, law_enforcement or org, "
			        "not \"%s\"",
			        shown(c, s, strlen(s)));
			return false;
		}
		return true;
	case F_ORDER: {
		int64_t n = 0;
		if (v->type != Y_SCALAR || !v->plain ||
		    str_to_i64((struct str){v->s, v->len}, -1000000, 1000000, &n) != 0) {
			PROBLEM(c, v->line,
			        "order must be a whole number between -1000000 and 1000000, "
			        "written without quotes");
			return false;
		}
		page->order = (int)n;
		return true;
	}
	case F_SOURCES:
		return sources_value(c, v, page);
	}
	return false;
}

/* ------------------------------------------------------------ the block */

/* The length of the line starting at p (up to, not including, '\n'), and
 * whether it is a front-matter fence: "---" with optional trailing spaces
 * or CR. */
static size_t line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? (size_t)(nl - p) : (size_t)(end - p);
}

static bool is_fence(const char *p, size_t n)
{
	while (n > 3 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n == 3 && memcmp(p, "---", 3) == 0;
}

static int parse(struct arena *a, const char *file, const char *data, size_t len,
                 struct pack_page *page, struct frontmatter_lines *lines, struct pack_problems *pr,
                 bool lesson)
{
	struct ctx c = {a, file, pr, 0};
	struct frontmatter_lines dummy;
	if (!lines)
		lines = &dummy;
	memset(lines, 0, sizeof *lines);
	memset(page, 0, sizeof *page);
	page->path = file;

	const char *p = data, *end = data + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	size_t first = line_len(p, end);
	const char *yaml = NULL, *body = p;
	size_t yaml_len = 0;
	int body_line = 1;
	if (!is_fence(p, first)) {
		PROBLEM(&c, 1, "the page has no front matter: its first line must be \"---\"");
	} else {
		const char *q = p + first + (p + first < end);
		int line = 1 + (p + first < end);
		yaml = q;
		for (;;) {
			if (q >= end) {
				PROBLEM(&c, 1,
				        "the front matter is not closed: end it with a line "
				        "\"---\"");
				yaml = NULL;
				body = end;
				body_line = line;
				break;
			}
			size_t n = line_len(q, end);
			if (is_fence(q, n)) {
				yaml_len = (size_t)(q - yaml);
				body = q + n + (q + n < end);
				body_line = line + (q + n < end);
				break;
			}
			bool nl = q + n < end;
			q += n + nl;
			line += nl;
		}
		if (yaml && yaml_len > FRONTMATTER_MAX_BYTES) {
			PROBLEM(&c, 1, "the front matter is over %d KiB",
			        FRONTMATTER_MAX_BYTES / 1024);
			yaml = NULL;
		}
	}
	page->markdown_len = (size_t)(end - body);
	page->markdown = arena_strndup(a, body, page->markdown_len);
	page->body_line = body_line;
	if (!page->markdown)
		return -ENOMEM;
	if (!yaml)
		return c.err;
	int cr = frontmatter_bare_cr(data, len);
	if (cr) {
		PROBLEM(&c, cr, "%s", FRONTMATTER_BARE_CR);
		return c.err;
	}

	bool failed;
	struct ynode *root = parse_yaml(&c, yaml, yaml_len, 2, &failed);
	if (failed || c.err)
		return c.err;
	if (root && root->type != Y_MAP) {
		PROBLEM(&c, root->line,
		        "the front matter must be fields written \"name: value\", one a line");
		return c.err;
	}
	bool seen[N_FIELDS] = {false};
	for (const struct ynode *k = root ? root->first : NULL; k && k->next; k = k->next->next) {
		const struct ynode *v = k->next;
		size_t f = N_FIELDS;
		for (size_t i = 0; k->type == Y_SCALAR && i < N_FIELDS; i++)
			if (strcmp(k->s, fields[i].name) == 0)
				f = i;
		if (f == N_FIELDS) {
			PROBLEM(&c, k->line,
			        "unknown field \"%s\" (the fields are title, slug, kind, order, "
			        "visibility, summary, sources, reviewed)",
			        k->type == Y_SCALAR ? shown(&c, k->s, k->len) : "?");
			continue;
		}
		if (seen[f]) {
			PROBLEM(&c, k->line, "field \"%s\" is given twice", fields[f].name);
			continue;
		}
		seen[f] = true;
		if (field_value(&c, fields[f].type, v, page, lesson))
			*(int *)((char *)lines + fields[f].line_off) = k->line;
	}
	for (size_t i = 0; i < N_FIELDS; i++)
		if (!seen[i] && !(lesson && fields[i].type == F_VISIBILITY))
			PROBLEM(&c, 1, "missing field \"%s\"", fields[i].name);
	return c.err;
}

int frontmatter_parse(struct arena *a, const char *file, const char *data, size_t len,
                      struct pack_page *page, struct frontmatter_lines *lines,
                      struct pack_problems *pr)
{
	return parse(a, file, data, len, page, lines, pr, false);
}

int frontmatter_parse_lesson(struct arena *a, const char *file, const char *data, size_t len,
                             struct pack_page *page, struct frontmatter_lines *lines,
                             struct pack_problems *pr)
{
	return parse(a, file, data, len, page, lines, pr, true);
}
