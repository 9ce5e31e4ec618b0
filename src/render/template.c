/* render/template.c — see template.h and docs/templates.md.
 *
 * Compiling turns a template source into a tree of nodes that lives in one
 * arena per template (replacing or destroying a template frees it in one go).
 * Rendering walks the tree with a chain of scopes kept on the C stack, so a
 * render allocates nothing except what the output buffer needs. The compiler
 * is iterative (an explicit block stack bounded by TPL_MAX_NESTING); the
 * renderer recurses once per block and per partial, at most
 * TPL_MAX_RENDER_DEPTH times (frames of about 200 bytes, so ~50 KiB of
 * stack in the worst case, fine for small thread stacks). */
#include "render/template.h"

#include "core/arena.h"
#include "core/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small open-addressing hash map; keys are borrowed byte strings ---- */

struct slot {
	const char *key; /* NULL when the slot is empty */
	size_t klen;
	size_t hash;
	void *val;
};

struct map {
	struct slot *slots;
	size_t cap; /* 0 or a power of two */
	size_t count;
};

static size_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

/* The slot holding key, or the empty slot where it would go. cap > 0. */
static struct slot *map_slot(const struct map *m, const char *k, size_t n, size_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->klen == n && memcmp(s->key, k, n) == 0))
			return s;
	}
}

static void *map_get(const struct map *m, const char *k, size_t n)
{
	if (!m->cap)
		return NULL;
	struct slot *s = map_slot(m, k, n, hash_bytes(k, n));
	return s->key ? s->val : NULL;
}

static int map_grow(struct map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	if (ncap > SIZE_MAX / sizeof(struct slot))
		return -ENOMEM;
	struct map nm = {.slots = calloc(ncap, sizeof(struct slot)), .cap = ncap};
	if (!nm.slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		struct slot *s = &m->slots[i];
		if (s->key)
			*map_slot(&nm, s->key, s->klen, s->hash) = *s;
	}
	nm.count = m->count;
	free(m->slots);
	*m = nm;
	return 0;
}

/* Inserts or replaces; *old gets the replaced value (NULL when new). The key
 * bytes must outlive the entry. */
static int map_put(struct map *m, const char *k, size_t n, void *val, void **old)
{
	*old = NULL;
	if ((m->count + 1) * 2 > m->cap) {
		int rc = map_grow(m);
		if (rc)
			return rc;
	}
	size_t h = hash_bytes(k, n);
	struct slot *s = map_slot(m, k, n, h);
	if (s->key)
		*old = s->val;
	else
		m->count++;
	*s = (struct slot){.key = k, .klen = n, .hash = h, .val = val};
	return 0;
}

static void map_free(struct map *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

/* ---- compiled form ---- */

enum path_kind {
	P_PLAIN, /* a.b.c, looked up from the innermost scope outward */
	P_DOT, /* . or ./a.b: the current item only */
	P_ROOT, /* @root or @root.a.b */
	P_INDEX, /* @index */
	P_NUMBER, /* @number */
	P_FIRST, /* @first */
	P_LAST, /* @last */
};

struct seg {
	const char *key; /* NUL-terminated, for json_object_get */
	size_t idx; /* array index when numeric */
	bool numeric;
};

struct path {
	enum path_kind kind;
	unsigned nseg;
	struct seg *seg;
};

enum node_kind {
	N_TEXT,
	N_VAR,
	N_RAW,
	N_URL,
	N_IF,
	N_UNLESS,
	N_EACH,
	N_PARTIAL,
	N_T,
	N_ASSET,
	N_YIELD,
};

enum cmp { CMP_NONE, CMP_EQ, CMP_NE };

struct node {
	enum node_kind kind;
	unsigned line;
	struct node *next;
	const char *text; /* TEXT run; partial name, message key or asset path */
	size_t len;
	struct path path; /* VAR RAW URL IF UNLESS EACH */
	enum cmp cmp; /* IF UNLESS */
	const char *lit; /* the literal compared against */
	size_t litlen;
	struct node *body, *alt; /* IF UNLESS EACH: main and {{else}} branches */
	struct path *args; /* T */
	unsigned nargs;
	const struct msg *msg; /* T: the message, once tpl_set_prepare found it */
};

struct tpl {
	struct arena *arena; /* owns everything below and the struct itself */
	const char *name;
	size_t namelen;
	const char *layout; /* NULL when none */
	unsigned layout_line;
	struct node *body;
};

struct msg {
	const char *text; /* NUL-terminated */
	size_t len;
};

struct tpl_set {
	struct map tpls; /* name -> struct tpl * */
	struct map msgs; /* key -> struct msg * (key and msg in msg_arena) */
	struct arena *msg_arena;
	const char *(*asset_fn)(void *ctx, const char *path);
	void *asset_ctx;
};

/* ---- errors ---- */

static void verr(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
                 va_list ap) __attribute__((format(printf, 5, 0)));

static void verr(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
                 va_list ap)
{
	if (!err || !errlen)
		return;
	int n;
	if (name)
		n = snprintf(err, errlen, "%s:%u: ", name, line);
	else
		n = snprintf(err, errlen, "%u: ", line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static void set_err(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static void set_err(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(err, errlen, name, line, fmt, ap);
	va_end(ap);
}

/* ---- character classes ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_seg_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

static bool is_name_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > TPL_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

static bool valid_key(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_key_char(s[i]))
			return false;
	return true;
}

static bool eq_lit(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n == l && memcmp(s, lit, n) == 0;
}

static unsigned count_lines(const char *p, const char *end)
{
	unsigned n = 0;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* ---- the compiler ---- */

struct open_block {
	struct node *node;
	struct node **after; /* where the list continues once the block closes */
	bool has_else;
};

struct parser {
	struct tpl *t;
	const char *name;
	unsigned line; /* line of the tag being compiled */
	bool seen_tag; /* a tag other than a comment has been compiled */
	struct node **tail;
	struct open_block stack[TPL_MAX_NESTING];
	unsigned depth;
	char *err;
	size_t errlen;
};

static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(ps->err, ps->errlen, ps->name, ps->line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *const kind_names[] = {
        [N_IF] = "if",
        [N_UNLESS] = "unless",
        [N_EACH] = "each",
};

/* Tokens inside a tag. */
enum tok { T_END, T_WORD, T_STR, T_EQ, T_NE, T_BAD };

struct lex {
	const char *p, *end;
};

static bool is_word_char(char c)
{
	return !is_space(c) && c != '"' && c != '=' && c != '!';
}

/* Reads the next token; for T_WORD and T_STR, *s and *n give its raw text (a string
 * without its quotes and with escapes still in). */
static enum tok lex_next(struct lex *lx, const char **s, size_t *n)
{
	while (lx->p < lx->end && is_space(*lx->p))
		lx->p++;
	if (lx->p == lx->end)
		return T_END;
	const char *p = lx->p;
	if (*p == '"') {
		const char *q = p + 1;
		while (q < lx->end && *q != '"')
			q += (*q == '\\' && q + 1 < lx->end) ? 2 : 1;
		if (q >= lx->end)
			return T_BAD;
		*s = p + 1;
		*n = (size_t)(q - p - 1);
		lx->p = q + 1;
		return T_STR;
	}
	if (*p == '=' || *p == '!') {
		if (p + 1 < lx->end && p[1] == '=') {
			lx->p = p + 2;
			return *p == '=' ? T_EQ : T_NE;
		}
		return T_BAD;
	}
	const char *q = p;
	while (q < lx->end && is_word_char(*q))
		q++;
	*s = p;
	*n = (size_t)(q - p);
	lx->p = q;
	return T_WORD;
}

/* Copies a string literal's raw text into the arena, resolving \" and \\ (a
 * backslash before any other character keeps that character). */
static char *unquote(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		d[j++] = s[i];
	}
	d[j] = '\0';
	*outlen = j;
	return d;
}

static int parse_path(struct parser *ps, const char *s, size_t n, struct path *pa)
{
	const char *orig = s;
	size_t orign = n;
	memset(pa, 0, sizeof *pa);
	if (eq_lit(s, n, ".")) {
		pa->kind = P_DOT;
		return 0;
	}
	if (n > 2 && s[0] == '.' && s[1] == '/') {
		pa->kind = P_DOT;
		s += 2;
		n -= 2;
	} else if (n && s[0] == '@') {
		static const struct {
			const char *name;
			enum path_kind kind;
		} vars[] = {
		        {"@index", P_INDEX},
		        {"@number", P_NUMBER},
		        {"@first", P_FIRST},
		        {"@last", P_LAST},
		};
		for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
			if (eq_lit(s, n, vars[i].name)) {
				pa->kind = vars[i].kind;
				return 0;
			}
		}
		if (eq_lit(s, n, "@root")) {
			pa->kind = P_ROOT;
			return 0;
		}
		if (n <= 6 || memcmp(s, "@root.", 6) != 0)
			return perr(ps, "invalid path '%.*s'", (int)orign, orig);
		pa->kind = P_ROOT;
		s += 6;
		n -= 6;
	}
	unsigned nseg = 1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			nseg++;
		else if (!is_seg_char(s[i]))
			return perr(ps, "invalid path '%.*s'", (int)orign, orig);
	}
	pa->seg = arena_calloc(ps->t->arena, nseg, sizeof *pa->seg);
	if (!pa->seg)
		return -ENOMEM;
	pa->nseg = nseg;
	size_t start = 0;
	for (unsigned k = 0; k < nseg; k++) {
		size_t end = start;
		while (end < n && s[end] != '.')
			end++;
		if (end == start)
			return perr(ps, "invalid path '%.*s'", (int)orign, orig);
		struct seg *g = &pa->seg[k];
		g->key = arena_strndup(ps->t->arena, s + start, end - start);
		if (!g->key)
			return -ENOMEM;
		/* Up to 9 digits: an array index that cannot overflow. */
		if (end - start <= 9) {
			g->numeric = true;
			for (size_t i = start; i < end; i++) {
				if (s[i] < '0' || s[i] > '9') {
					g->numeric = false;
					break;
				}
				g->idx = g->idx * 10 + (size_t)(s[i] - '0');
			}
		}
		start = end + 1;
	}
	return 0;
}

/* Reads exactly one path token and nothing after it. */
static int parse_one_path(struct parser *ps, struct lex *lx, const char *what, struct path *pa)
{
	const char *s;
	size_t n;
	enum tok tk = lex_next(lx, &s, &n);
	if (tk != T_WORD)
		return perr(ps, "%s needs a path", what);
	int rc = parse_path(ps, s, n, pa);
	if (rc)
		return rc;
	if (lex_next(lx, &s, &n) != T_END)
		return perr(ps, "unexpected text after %s", what);
	return 0;
}

/* Reads exactly one string literal and nothing after it. */
static int parse_one_str(struct parser *ps, struct lex *lx, const char *what, const char **out,
                         size_t *outlen)
{
	const char *s;
	size_t n;
	if (lex_next(lx, &s, &n) != T_STR)
		return perr(ps, "%s needs a quoted string", what);
	*out = unquote(ps->t->arena, s, n, outlen);
	if (!*out)
		return -ENOMEM;
	if (lex_next(lx, &s, &n) != T_END)
		return perr(ps, "unexpected text after %s", what);
	return 0;
}

static struct node *new_node(struct parser *ps, enum node_kind kind)
{
	struct node *n = arena_calloc(ps->t->arena, 1, sizeof *n);
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = ps->line;
	*ps->tail = n;
	ps->tail = &n->next;
	return n;
}

static int open_block(struct parser *ps, const char *kw, size_t kwlen, struct lex *lx)
{
	enum node_kind kind;
	if (eq_lit(kw, kwlen, "if"))
		kind = N_IF;
	else if (eq_lit(kw, kwlen, "unless"))
		kind = N_UNLESS;
	else if (eq_lit(kw, kwlen, "each"))
		kind = N_EACH;
	else
		return perr(ps, "unknown block '#%.*s'", (int)kwlen, kw);
	if (ps->depth >= TPL_MAX_NESTING)
		return perr(ps, "blocks nested deeper than %d", TPL_MAX_NESTING);

	struct node *n = new_node(ps, kind);
	if (!n)
		return -ENOMEM;
	const char *s;
	size_t len;
	if (lex_next(lx, &s, &len) != T_WORD)
		return perr(ps, "#%s needs a path", kind_names[kind]);
	int rc = parse_path(ps, s, len, &n->path);
	if (rc)
		return rc;
	enum tok tk = lex_next(lx, &s, &len);
	if (kind != N_EACH && (tk == T_EQ || tk == T_NE)) {
		n->cmp = tk == T_EQ ? CMP_EQ : CMP_NE;
		if (lex_next(lx, &s, &len) != T_STR)
			return perr(ps, "%s needs a quoted string", tk == T_EQ ? "==" : "!=");
		n->lit = unquote(ps->t->arena, s, len, &n->litlen);
		if (!n->lit)
			return -ENOMEM;
		tk = lex_next(lx, &s, &len);
	}
	if (tk != T_END)
		return perr(ps, "unexpected text in #%s", kind_names[kind]);

	ps->stack[ps->depth++] = (struct open_block){.node = n, .after = ps->tail};
	ps->tail = &n->body;
	return 0;
}

static int close_block(struct parser *ps, const char *kw, size_t kwlen, struct lex *lx)
{
	const char *s;
	size_t n;
	if (lex_next(lx, &s, &n) != T_END)
		return perr(ps, "unexpected text in {{/%.*s}}", (int)kwlen, kw);
	if (!ps->depth)
		return perr(ps, "{{/%.*s}} without an open block", (int)kwlen, kw);
	struct open_block *b = &ps->stack[ps->depth - 1];
	const char *want = kind_names[b->node->kind];
	if (!eq_lit(kw, kwlen, want))
		return perr(ps, "{{/%.*s}} does not match {{#%s}} on line %u", (int)kwlen, kw, want,
		            b->node->line);
	ps->tail = b->after;
	ps->depth--;
	return 0;
}

static int do_else(struct parser *ps, struct lex *lx)
{
	const char *s;
	size_t n;
	if (lex_next(lx, &s, &n) != T_END)
		return perr(ps, "unexpected text after else");
	if (!ps->depth)
		return perr(ps, "{{else}} outside a block");
	struct open_block *b = &ps->stack[ps->depth - 1];
	if (b->has_else)
		return perr(ps, "second {{else}} in {{#%s}} on line %u", kind_names[b->node->kind],
		            b->node->line);
	b->has_else = true;
	ps->tail = &b->node->alt;
	return 0;
}

static int do_partial(struct parser *ps, struct lex *lx)
{
	const char *s;
	size_t n;
	const char *name;
	size_t namelen;
	enum tok tk = lex_next(lx, &s, &n);
	if (tk == T_WORD) {
		name = s;
		namelen = n;
	} else if (tk == T_STR) {
		name = s;
		namelen = n;
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\\')
				return perr(ps, "invalid partial name '%.*s'", (int)n, s);
	} else {
		return perr(ps, "{{>}} needs a partial name");
	}
	if (!valid_name(name, namelen))
		return perr(ps, "invalid partial name '%.*s'", (int)namelen, name);
	if (lex_next(lx, &s, &n) != T_END)
		return perr(ps, "unexpected text after partial name");
	struct node *nd = new_node(ps, N_PARTIAL);
	if (!nd)
		return -ENOMEM;
	nd->text = arena_strndup(ps->t->arena, name, namelen);
	if (!nd->text)
		return -ENOMEM;
	nd->len = namelen;
	return 0;
}

static int do_layout(struct parser *ps, struct lex *lx, bool first)
{
	if (!first || ps->depth)
		return perr(ps, "{{layout}} must be the first tag");
	const char *s;
	size_t n;
	int rc = parse_one_str(ps, lx, "layout", &s, &n);
	if (rc)
		return rc;
	if (!valid_name(s, n))
		return perr(ps, "invalid layout name '%s'", s);
	ps->t->layout = s;
	ps->t->layout_line = ps->line;
	return 0;
}

static int do_t(struct parser *ps, struct lex *lx)
{
	const char *s;
	size_t n;
	if (lex_next(lx, &s, &n) != T_STR)
		return perr(ps, "t needs a quoted message key");
	if (!valid_key(s, n))
		return perr(ps, "invalid message key '%.*s'", (int)n, s);
	struct node *nd = new_node(ps, N_T);
	if (!nd)
		return -ENOMEM;
	nd->text = arena_strndup(ps->t->arena, s, n);
	if (!nd->text)
		return -ENOMEM;
	nd->len = n;

	/* Count the arguments first so they can live in one array. */
	struct lex save = *lx;
	unsigned nargs = 0;
	enum tok tk;
	while ((tk = lex_next(lx, &s, &n)) == T_WORD)
		nargs++;
	if (tk != T_END)
		return perr(ps, "t arguments must be paths");
	if (nargs > TPL_MAX_ARGS)
		return perr(ps, "t takes at most %d arguments", TPL_MAX_ARGS);
	if (!nargs)
		return 0;
	nd->args = arena_calloc(ps->t->arena, nargs, sizeof *nd->args);
	if (!nd->args)
		return -ENOMEM;
	*lx = save;
	for (unsigned i = 0; i < nargs; i++) {
		lex_next(lx, &s, &n);
		int rc = parse_path(ps, s, n, &nd->args[i]);
		if (rc)
			return rc;
	}
	nd->nargs = nargs;
	return 0;
}

/* Compiles one tag; s/n is what lies between {{ and }}, comments excluded. */
static int compile_tag(struct parser *ps, const char *s, size_t n)
{
	bool first = !ps->seen_tag;
	ps->seen_tag = true;
	struct lex lx = {s, s + n};
	while (lx.p < lx.end && is_space(*lx.p))
		lx.p++;
	if (lx.p == lx.end)
		return perr(ps, "empty tag");

	char sigil = *lx.p;
	if (sigil == '#' || sigil == '/' || sigil == '>') {
		lx.p++;
		if (sigil == '>')
			return do_partial(ps, &lx);
		const char *kw = lx.p;
		while (lx.p < lx.end && is_alnum(*lx.p))
			lx.p++;
		size_t kwlen = (size_t)(lx.p - kw);
		if (lx.p < lx.end && !is_space(*lx.p))
			return perr(ps, "unknown tag '%.*s'", (int)n, s);
		if (!kwlen)
			return perr(ps, "'%c' needs a block name", sigil);
		if (sigil == '#')
			return open_block(ps, kw, kwlen, &lx);
		return close_block(ps, kw, kwlen, &lx);
	}

	const char *w;
	size_t wn;
	enum tok tk = lex_next(&lx, &w, &wn);
	if (tk != T_WORD)
		return perr(ps, "unknown tag '%.*s'", (int)n, s);

	if (eq_lit(w, wn, "else"))
		return do_else(ps, &lx);
	if (eq_lit(w, wn, "layout"))
		return do_layout(ps, &lx, first);
	if (eq_lit(w, wn, "t"))
		return do_t(ps, &lx);
	if (eq_lit(w, wn, "yield")) {
		const char *x;
		size_t xn;
		if (lex_next(&lx, &x, &xn) != T_END)
			return perr(ps, "unexpected text after yield");
		return new_node(ps, N_YIELD) ? 0 : -ENOMEM;
	}
	if (eq_lit(w, wn, "asset")) {
		struct node *nd = new_node(ps, N_ASSET);
		if (!nd)
			return -ENOMEM;
		int rc = parse_one_str(ps, &lx, "asset", &nd->text, &nd->len);
		return rc;
	}
	if (eq_lit(w, wn, "raw") || eq_lit(w, wn, "url")) {
		struct node *nd = new_node(ps, w[0] == 'r' ? N_RAW : N_URL);
		if (!nd)
			return -ENOMEM;
		return parse_one_path(ps, &lx, w[0] == 'r' ? "raw" : "url", &nd->path);
	}

	/* Anything else must be a bare path. */
	struct node *nd = new_node(ps, N_VAR);
	if (!nd)
		return -ENOMEM;
	int rc = parse_path(ps, w, wn, &nd->path);
	if (rc)
		return rc;
	const char *x;
	size_t xn;
	if (lex_next(&lx, &x, &xn) != T_END)
		return perr(ps, "unknown tag '%.*s'", (int)n, s);
	return 0;
}

/* Like memmem, which is a GNU extension. */
static const char *find_bytes(const char *p, const char *end, const char *needle, size_t nlen)
{
	while ((size_t)(end - p) >= nlen) {
		const char *q = memchr(p, needle[0], (size_t)(end - p) - nlen + 1);
		if (!q)
			return NULL;
		if (memcmp(q, needle, nlen) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* Finds the "}}" that closes a tag, skipping over string literals. */
static const char *find_close(const char *p, const char *end)
{
	bool in_str = false;
	for (; p < end; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '}' && p + 1 < end && p[1] == '}') {
			return p;
		}
	}
	return NULL;
}

static int compile(struct parser *ps, const char *src, size_t len)
{
	const char *p = src, *end = src + len;
	unsigned line = 1;
	int rc;

	while (p < end) {
		const char *open = find_bytes(p, end, "{{", 2);
		const char *stop = open ? open : end;
		if (stop > p) {
			ps->line = line;
			struct node *nd = new_node(ps, N_TEXT);
			if (!nd)
				return -ENOMEM;
			nd->text = p;
			nd->len = (size_t)(stop - p);
			line += count_lines(p, stop);
		}
		if (!open)
			break;

		ps->line = line;
		const char *in = open + 2;
		const char *close;
		size_t skip;
		if (end - in >= 3 && memcmp(in, "!--", 3) == 0) {
			close = find_bytes(in + 3, end, "--}}", 4);
			skip = 4;
		} else if (in < end && *in == '!') {
			close = find_bytes(in + 1, end, "}}", 2);
			skip = 2;
		} else {
			close = find_close(in, end);
			skip = 2;
			if (close && (rc = compile_tag(ps, in, (size_t)(close - in))) != 0)
				return rc;
		}
		if (!close)
			return perr(ps,
			            in < end && *in == '!' ? "unclosed comment" : "unclosed tag");
		line += count_lines(open, close);
		p = close + skip;
	}

	if (ps->depth) {
		struct node *open = ps->stack[ps->depth - 1].node;
		ps->line = open->line;
		return perr(ps, "unclosed {{#%s}}", kind_names[open->kind]);
	}
	return 0;
}

/* ---- the set ---- */

struct tpl_set *tpl_set_create(void)
{
	struct tpl_set *set = calloc(1, sizeof *set);
	if (!set)
		return NULL;
	set->msg_arena = arena_create(0);
	if (!set->msg_arena) {
		free(set);
		return NULL;
	}
	return set;
}

void tpl_set_destroy(struct tpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->tpls.cap; i++) {
		struct slot *s = &set->tpls.slots[i];
		if (s->key)
			arena_destroy(((struct tpl *)s->val)->arena);
	}
	map_free(&set->tpls);
	map_free(&set->msgs);
	arena_destroy(set->msg_arena);
	free(set);
}

int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len, char *err,
                size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!name || !valid_name(name, strlen(name))) {
		set_err(err, errlen, name ? name : "(null)", 0, "invalid template name");
		return -EINVAL;
	}
	if (len > TPL_MAX_SIZE) {
		set_err(err, errlen, name, 0, "template larger than %u bytes", TPL_MAX_SIZE);
		return -E2BIG;
	}
	if (len && !src)
		return -EINVAL;

	struct arena *a = arena_create(0);
	if (!a)
		return -ENOMEM;
	int rc = -ENOMEM;
	struct tpl *t = arena_calloc(a, 1, sizeof *t);
	char *copy = arena_strndup(a, len ? src : "", len);
	if (!t || !copy)
		goto out_destroy;
	t->arena = a;
	t->namelen = strlen(name);
	t->name = arena_strndup(a, name, t->namelen);
	if (!t->name)
		goto out_destroy;

	const char *nul = memchr(copy, '\0', len);
	if (nul) {
		set_err(err, errlen, name, 1 + count_lines(copy, nul), "NUL byte in template");
		rc = -EINVAL;
		goto out_destroy;
	}

	struct parser ps = {
	        .t = t, .name = t->name, .tail = &t->body, .err = err, .errlen = errlen};
	rc = compile(&ps, copy, len);
	if (rc)
		goto out_destroy;

	void *old;
	rc = map_put(&set->tpls, t->name, t->namelen, t, &old);
	if (rc)
		goto out_destroy;
	if (old)
		arena_destroy(((struct tpl *)old)->arena);
	return 0;

out_destroy:
	if (rc == -ENOMEM)
		set_err(err, errlen, name, 0, "out of memory");
	arena_destroy(a);
	return rc;
}

/* Checks UTF-8 (no overlongs, surrogates, > U+10FFFF or NUL bytes). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

struct pending {
	const char *key, *text;
	size_t klen, tlen;
};

int tpl_set_add_messages(struct tpl_set *set, const char *src, size_t len, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (len > TPL_MAX_CATALOGUE) {
		set_err(err, errlen, NULL, 0, "catalogue larger than %u bytes", TPL_MAX_CATALOGUE);
		return -E2BIG;
	}
	if (len && !src)
		return -EINVAL;
	if (!len)
		return 0;

	const char *p = src, *end = src + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;

	/* At most one entry per line. */
	size_t maxent = 1 + count_lines(p, end);
	struct pending *pend = calloc(maxent, sizeof *pend);
	struct map seen = {0};
	size_t count = 0;
	unsigned line = 0;
	int rc = -ENOMEM;
	if (!pend)
		goto out;

	while (p < end) {
		line++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		if (!utf8_ok((const unsigned char *)p, (size_t)(le - p))) {
			set_err(err, errlen, NULL, line, "invalid UTF-8 or NUL byte");
			rc = -EINVAL;
			goto out;
		}
		while (le > p && is_space(le[-1]))
			le--;
		while (p < le && is_space(*p))
			p++;
		if (p == le || *p == '#') {
			p = next;
			continue;
		}
		const char *k = p;
		while (p < le && is_key_char(*p))
			p++;
		size_t klen = (size_t)(p - k);
		bool key_ok = klen && (p == le || is_space(*p) || *p == '=');
		while (p < le && is_space(*p))
			p++;
		if (!key_ok || p == le || *p != '=') {
			set_err(err, errlen, NULL, line, "%s",
			        key_ok ? "expected 'key = text'"
			               : "invalid key (want [a-z0-9_.-]+)");
			rc = -EINVAL;
			goto out;
		}
		p++;
		while (p < le && is_space(*p))
			p++;
		void *old;
		if (map_get(&set->msgs, k, klen) || map_get(&seen, k, klen)) {
			set_err(err, errlen, NULL, line, "duplicate key");
			rc = -EINVAL;
			goto out;
		}
		if ((rc = map_put(&seen, k, klen, pend, &old)) != 0)
			goto out;
		pend[count++] = (struct pending){k, p, klen, (size_t)(le - p)};
		p = next;
	}

	/* Everything checked; copy into the set. An allocation failure here can
	 * leave part of the catalogue in, which only matters if the caller goes
	 * on after -ENOMEM. */
	for (size_t i = 0; i < count; i++) {
		struct msg *m = arena_alloc(set->msg_arena, sizeof *m);
		char *key = arena_strndup(set->msg_arena, pend[i].key, pend[i].klen);
		char *text = arena_strndup(set->msg_arena, pend[i].text, pend[i].tlen);
		rc = -ENOMEM;
		if (!m || !key || !text)
			goto out;
		m->text = text;
		m->len = pend[i].tlen;
		void *old;
		if ((rc = map_put(&set->msgs, key, pend[i].klen, m, &old)) != 0)
			goto out;
	}
	rc = 0;
out:
	if (rc == -ENOMEM)
		set_err(err, errlen, NULL, line, "out of memory");
	map_free(&seen);
	free(pend);
	return rc;
}

void tpl_set_asset_resolver(struct tpl_set *set, const char *(*fn)(void *ctx, const char *path),
                            void *ctx)
{
	set->asset_fn = fn;
	set->asset_ctx = ctx;
}

static const struct tpl *find_tpl(const struct tpl_set *set, const char *name)
{
	return map_get(&set->tpls, name, strlen(name));
}

bool tpl_exists(const struct tpl_set *set, const char *name)
{
	return set && name && find_tpl(set, name) != NULL;
}

const char *tpl_message(const struct tpl_set *set, const char *key)
{
	if (!set || !key)
		return NULL;
	const struct msg *m = map_get(&set->msgs, key, strlen(key));
	return m ? m->text : NULL;
}

/* ---- escaping and URLs ---- */

/* Entity index per byte: 0 = copy as is. */
static const unsigned char esc_class[256] = {
        [0] = 7, ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5, ['`'] = 6,
};

static const struct {
	const char *s;
	size_t n;
} esc_text[] = {
        {"", 0},       {"&amp;", 5}, {"&lt;", 4},  {"&gt;", 4},
        {"&quot;", 6}, {"&#39;", 5}, {"&#96;", 5}, {"\xef\xbf\xbd", 3},
};

int tpl_escape_html(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	int rc;
	for (; p < end; p++) {
		unsigned char k = esc_class[*p];
		if (!k)
			continue;
		if (p > run && (rc = buf_append(out, run, (size_t)(p - run))) != 0)
			return rc;
		if ((rc = buf_append(out, esc_text[k].s, esc_text[k].n)) != 0)
			return rc;
		run = p + 1;
	}
	return p > run ? buf_append(out, run, (size_t)(p - run)) : 0;
}

/* ASCII only: strncasecmp would follow the locale. prefix is lower case. */
static bool has_iprefix(const char *s, size_t n, const char *prefix)
{
	size_t l = strlen(prefix);
	if (n < l)
		return false;
	for (size_t i = 0; i < l; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			return false;
	}
	return true;
}

bool tpl_url_is_safe(const char *url, size_t len)
{
	if (!url || !len)
		return false;
	/* Browsers drop tabs and newlines inside URLs and strip leading
	 * controls, which can turn "/\t/evil" into "//evil": refuse them all. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	if (url[0] == '/')
		return len == 1 || (url[1] != '/' && url[1] != '\\');
	if (url[0] == '#' || url[0] == '?')
		return true;
	return has_iprefix(url, len, "http:") || has_iprefix(url, len, "https:") ||
	        has_iprefix(url, len, "mailto:") || has_iprefix(url, len, "tel:");
}

/* ---- the renderer ---- */

struct scope {
	json_t *item;
	const struct scope *up;
	size_t index, count;
	bool each; /* an #each item (the root scope is not) */
};

struct rctx {
	const struct tpl_set *set;
	struct buf *out;
	json_t *root;
	const struct scope *root_scope;
	const struct tpl *body; /* what {{yield}} renders; NULL when none */
	const struct tpl *cur; /* for error messages */
	unsigned depth; /* partials currently open */
	unsigned level; /* blocks and partials currently open, yield included */
	char *err;
	size_t errlen;
	bool err_set;
};

static int rfail(struct rctx *c, const struct node *n, int rc, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int rfail(struct rctx *c, const struct node *n, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(c->err, c->errlen, c->cur->name, n->line, fmt, ap);
	va_end(ap);
	c->err_set = true;
	return rc;
}

enum val_kind { V_NONE, V_JSON, V_INT, V_BOOL };

struct val {
	enum val_kind kind;
	json_t *j;
	long long i;
	bool b;
};

static json_t *child(json_t *j, const struct seg *g)
{
	if (json_is_object(j))
		return json_object_get(j, g->key);
	if (g->numeric && json_is_array(j))
		return json_array_get(j, g->idx);
	return NULL;
}

static json_t *walk(json_t *j, const struct seg *g, unsigned n)
{
	for (unsigned i = 0; i < n && j; i++)
		j = child(j, &g[i]);
	return j;
}

static struct val resolve(const struct rctx *c, const struct path *pa, const struct scope *sc)
{
	struct val v = {.kind = V_NONE};
	json_t *j = NULL;
	const struct scope *e = sc;

	switch (pa->kind) {
	case P_PLAIN:
		/* The first segment picks the scope; the rest does not fall back. */
		for (; sc; sc = sc->up) {
			json_t *first = child(sc->item, &pa->seg[0]);
			if (first) {
				j = walk(first, pa->seg + 1, pa->nseg - 1);
				break;
			}
		}
		break;
	case P_DOT:
		j = walk(sc->item, pa->seg, pa->nseg);
		break;
	case P_ROOT:
		j = walk(c->root, pa->seg, pa->nseg);
		break;
	case P_INDEX:
	case P_NUMBER:
	case P_FIRST:
	case P_LAST:
		while (e && !e->each)
			e = e->up;
		if (!e)
			return v;
		if (pa->kind == P_INDEX || pa->kind == P_NUMBER) {
			v.kind = V_INT;
			v.i = (long long)e->index + (pa->kind == P_NUMBER);
		} else {
			v.kind = V_BOOL;
			v.b = pa->kind == P_FIRST ? e->index == 0 : e->index + 1 == e->count;
		}
		return v;
	}
	if (j) {
		v.kind = V_JSON;
		v.j = j;
	}
	return v;
}

/* The text of a value as {{path}} prints it, before escaping. tmp holds
 * numbers. */
static void val_text(const struct val *v, char *tmp, size_t tmplen, const char **s, size_t *n)
{
	*s = "";
	*n = 0;
	int k = -1;
	switch (v->kind) {
	case V_NONE:
		return;
	case V_INT:
		k = snprintf(tmp, tmplen, "%lld", v->i);
		break;
	case V_BOOL:
		*s = v->b ? "true" : "false";
		*n = strlen(*s);
		return;
	case V_JSON:
		switch (json_typeof(v->j)) {
		case JSON_STRING:
			*s = json_string_value(v->j);
			*n = json_string_length(v->j);
			return;
		case JSON_INTEGER:
			k = snprintf(tmp, tmplen, "%lld", (long long)json_integer_value(v->j));
			break;
		case JSON_REAL:
			k = snprintf(tmp, tmplen, "%g", json_real_value(v->j));
			break;
		case JSON_TRUE:
			*s = "true";
			*n = 4;
			return;
		case JSON_FALSE:
			*s = "false";
			*n = 5;
			return;
		case JSON_NULL:
		case JSON_OBJECT:
		case JSON_ARRAY:
			return;
		}
		break;
	}
	if (k > 0 && (size_t)k < tmplen) {
		*s = tmp;
		*n = (size_t)k;
	}
}

static bool val_truthy(const struct val *v)
{
	switch (v->kind) {
	case V_NONE:
		return false;
	case V_INT:
		return v->i != 0;
	case V_BOOL:
		return v->b;
	case V_JSON:
		switch (json_typeof(v->j)) {
		case JSON_STRING:
			return json_string_length(v->j) > 0;
		case JSON_INTEGER:
			return json_integer_value(v->j) != 0;
		case JSON_REAL:
			return json_real_value(v->j) != 0.0;
		case JSON_TRUE:
			return true;
		case JSON_FALSE:
		case JSON_NULL:
			return false;
		case JSON_OBJECT:
			return json_object_size(v->j) > 0;
		case JSON_ARRAY:
			return json_array_size(v->j) > 0;
		}
	}
	return false;
}

static bool test_cond(const struct rctx *c, const struct node *n, const struct scope *sc)
{
	struct val v = resolve(c, &n->path, sc);
	bool r;
	if (n->cmp == CMP_NONE) {
		r = val_truthy(&v);
	} else {
		char tmp[48];
		const char *s;
		size_t len;
		val_text(&v, tmp, sizeof tmp, &s, &len);
		r = len == n->litlen && memcmp(s, n->lit, len) == 0;
		if (n->cmp == CMP_NE)
			r = !r;
	}
	return n->kind == N_UNLESS ? !r : r;
}

static int emit_escaped(struct rctx *c, const struct path *pa, const struct scope *sc)
{
	struct val v = resolve(c, pa, sc);
	char tmp[48];
	const char *s;
	size_t n;
	val_text(&v, tmp, sizeof tmp, &s, &n);
	return tpl_escape_html(c->out, s, n);
}

/* Message text with {1}..{9} replaced by the escaped argument values; a
 * placeholder without a matching argument is copied as it is. */
static int emit_message(struct rctx *c, const struct node *n, const struct scope *sc)
{
	const struct msg *m = n->msg ? n->msg : map_get(&c->set->msgs, n->text, n->len);
	if (!m)
		return rfail(c, n, -ENOENT, "unknown message '%s'", n->text);
	const char *p = m->text, *end = p + m->len, *run = p;
	int rc;
	while (n->nargs && (p = memchr(p, '{', (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && p[1] >= '1' && p[1] <= '9' && p[2] == '}' &&
		    (unsigned)(p[1] - '0') <= n->nargs) {
			if ((rc = tpl_escape_html(c->out, run, (size_t)(p - run))) != 0)
				return rc;
			if ((rc = emit_escaped(c, &n->args[p[1] - '1'], sc)) != 0)
				return rc;
			p += 3;
			run = p;
		} else {
			p++;
		}
	}
	return tpl_escape_html(c->out, run, (size_t)(end - run));
}

static int render_list(struct rctx *c, const struct node *n, const struct scope *sc);

/* Renders a block's branch, a partial or a body on behalf of node `from`,
 * keeping the recursion (and so the stack) within TPL_MAX_RENDER_DEPTH. */
static int render_nested(struct rctx *c, const struct node *from, const struct node *list,
                         const struct scope *sc)
{
	if (!list)
		return 0;
	if (c->level >= TPL_MAX_RENDER_DEPTH)
		return rfail(c, from, -ELOOP, "blocks and partials nested deeper than %d",
		             TPL_MAX_RENDER_DEPTH);
	c->level++;
	int rc = render_list(c, list, sc);
	c->level--;
	return rc;
}

static int render_partial(struct rctx *c, const struct node *n, const struct scope *sc)
{
	const struct tpl *t = find_tpl(c->set, n->text);
	if (!t)
		return rfail(c, n, -ENOENT, "unknown partial '%s'", n->text);
	if (c->depth >= TPL_MAX_PARTIAL_DEPTH)
		return rfail(c, n, -ELOOP, "partials nested deeper than %d", TPL_MAX_PARTIAL_DEPTH);
	const struct tpl *saved = c->cur;
	c->cur = t;
	c->depth++;
	int rc = render_nested(c, n, t->body, sc);
	c->depth--;
	c->cur = saved;
	return rc;
}

static int render_yield(struct rctx *c, const struct node *n)
{
	const struct tpl *body = c->body, *saved = c->cur;
	unsigned depth = c->depth;
	if (!body)
		return 0;
	/* The body renders as if on its own: from the root scope, with its own
	 * partial budget, and a {{yield}} inside it renders nothing. */
	c->body = NULL;
	c->cur = body;
	c->depth = 0;
	int rc = render_nested(c, n, body->body, c->root_scope);
	c->depth = depth;
	c->cur = saved;
	c->body = body;
	return rc;
}

static int render_each(struct rctx *c, const struct node *n, const struct scope *sc)
{
	struct val v = resolve(c, &n->path, sc);
	if (v.kind != V_JSON || !json_is_array(v.j) || json_array_size(v.j) == 0)
		return render_nested(c, n, n->alt, sc);
	struct scope f = {.up = sc, .count = json_array_size(v.j), .each = true};
	for (f.index = 0; f.index < f.count; f.index++) {
		f.item = json_array_get(v.j, f.index);
		int rc = render_nested(c, n, n->body, &f);
		if (rc)
			return rc;
	}
	return 0;
}

static int render_list(struct rctx *c, const struct node *n, const struct scope *sc)
{
	int rc = 0;
	for (; n; n = n->next) {
		switch (n->kind) {
		case N_TEXT:
			rc = buf_append(c->out, n->text, n->len);
			break;
		case N_VAR:
			rc = emit_escaped(c, &n->path, sc);
			break;
		case N_RAW: {
			struct val v = resolve(c, &n->path, sc);
			char tmp[48];
			const char *s;
			size_t len;
			val_text(&v, tmp, sizeof tmp, &s, &len);
			rc = buf_append(c->out, s, len);
			break;
		}
		case N_URL: {
			struct val v = resolve(c, &n->path, sc);
			if (v.kind == V_JSON && json_is_string(v.j) &&
			    tpl_url_is_safe(json_string_value(v.j), json_string_length(v.j)))
				rc = tpl_escape_html(c->out, json_string_value(v.j),
				                     json_string_length(v.j));
			else
				rc = buf_append(c->out, "#", 1);
			break;
		}
		case N_IF:
		case N_UNLESS:
			rc = render_nested(c, n, test_cond(c, n, sc) ? n->body : n->alt, sc);
			break;
		case N_EACH:
			rc = render_each(c, n, sc);
			break;
		case N_PARTIAL:
			rc = render_partial(c, n, sc);
			break;
		case N_T:
			rc = emit_message(c, n, sc);
			break;
		case N_ASSET: {
			const char *url = c->set->asset_fn
			        ? c->set->asset_fn(c->set->asset_ctx, n->text)
			        : NULL;
			if (!url)
				return rfail(c, n, -ENOENT, "unknown asset '%s'", n->text);
			rc = tpl_escape_html(c->out, url, strlen(url));
			break;
		}
		case N_YIELD:
			rc = render_yield(c, n);
			break;
		}
		if (rc) {
			if (!c->err_set)
				rfail(c, n, rc, "%s",
				      rc == -E2BIG ? "output reached the buffer's cap"
				                   : "out of memory");
			return rc;
		}
	}
	return 0;
}

int tpl_render_err(const struct tpl_set *set, const char *name, json_t *data, struct buf *out,
                   char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	const struct tpl *t = name ? find_tpl(set, name) : NULL;
	if (!t) {
		set_err(err, errlen, name ? name : "(null)", 0, "unknown template");
		return -ENOENT;
	}
	struct scope root = {.item = data};
	struct rctx c = {
	        .set = set,
	        .out = out,
	        .root = data,
	        .root_scope = &root,
	        .cur = t,
	        .err = err,
	        .errlen = errlen,
	};
	const struct tpl *top = t;
	if (t->layout) {
		top = find_tpl(set, t->layout);
		if (!top) {
			set_err(err, errlen, t->name, t->layout_line, "unknown layout '%s'",
			        t->layout);
			return -ENOENT;
		}
		if (top->layout) {
			set_err(err, errlen, top->name, top->layout_line,
			        "a layout may not declare a layout");
			return -EINVAL;
		}
		c.body = t;
		c.cur = top;
	}
	return render_list(&c, top->body, &root);
}

int tpl_render(const struct tpl_set *set, const char *name, json_t *data, struct buf *out)
{
	return tpl_render_err(set, name, data, out, NULL, 0);
}

/* ---- preparing a loaded set ---- */

/* Escaped text as a new string in arena a. */
static int escaped_copy(struct arena *a, const char *s, size_t n, const char **out, size_t *outlen)
{
	struct buf b;
	buf_init(&b, NULL, 6 * (size_t)TPL_MAX_CATALOGUE); /* an entity is at most 6 bytes */
	int rc = tpl_escape_html(&b, s, n);
	size_t len = b.len;
	char *copy = rc ? NULL : arena_strndup(a, buf_cstr(&b), len);
	buf_free(&b);
	if (rc)
		return rc;
	if (!copy)
		return -ENOMEM;
	*out = copy;
	*outlen = len;
	return 0;
}

/* Folds what is constant in one node list (and the lists inside its blocks)
 * into text: a message without arguments, an asset URL; links a message with
 * arguments to its entry; then joins each run of text nodes into one. */
static int prepare_list(const struct tpl_set *set, struct arena *a, struct node *list)
{
	int rc;
	for (struct node *n = list; n; n = n->next) {
		const char *url;
		switch (n->kind) {
		case N_T:
			n->msg = map_get(&set->msgs, n->text, n->len);
			if (n->msg && !n->nargs) {
				if ((rc = escaped_copy(a, n->msg->text, n->msg->len, &n->text,
				                       &n->len)) != 0)
					return rc;
				n->kind = N_TEXT;
			}
			break;
		case N_ASSET:
			url = set->asset_fn ? set->asset_fn(set->asset_ctx, n->text) : NULL;
			if (url) {
				if ((rc = escaped_copy(a, url, strlen(url), &n->text, &n->len)) !=
				    0)
					return rc;
				n->kind = N_TEXT;
			}
			break;
		case N_IF:
		case N_UNLESS:
		case N_EACH:
			if ((rc = prepare_list(set, a, n->body)) != 0 ||
			    (rc = prepare_list(set, a, n->alt)) != 0)
				return rc;
			break;
		default:
			break;
		}
	}
	for (struct node *n = list; n; n = n->next) {
		if (n->kind != N_TEXT || !n->next || n->next->kind != N_TEXT)
			continue;
		size_t total = n->len;
		struct node *end = n->next;
		for (; end && end->kind == N_TEXT; end = end->next)
			total += end->len;
		char *joined = arena_alloc(a, total + 1);
		if (!joined)
			return -ENOMEM;
		size_t at = 0;
		for (struct node *m = n; m != end; m = m->next) {
			memcpy(joined + at, m->text, m->len);
			at += m->len;
		}
		joined[total] = '\0';
		n->text = joined;
		n->len = total;
		n->next = end;
	}
	return 0;
}

int tpl_set_prepare(struct tpl_set *set)
{
	for (size_t i = 0; i < set->tpls.cap; i++) {
		struct tpl *t = set->tpls.slots[i].key ? set->tpls.slots[i].val : NULL;
		int rc = t ? prepare_list(set, t->arena, t->body) : 0;
		if (rc)
			return rc;
	}
	return 0;
}
