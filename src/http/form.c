/* http/form.c — see form.h. Both parsers are byte-driven state machines, so a
 * chunk border may fall anywhere (inside %XX, inside a delimiter, inside a part
 * header) without changing the result, and every limit is checked before the
 * bytes that would pass it are stored. The multipart delimiter is found with
 * Knuth–Morris–Pratt: a body full of near-matches still costs linear time, and
 * the bytes held back while a delimiter may be starting are always a prefix of
 * the delimiter itself, so holding them back needs no buffer. */
#include "http/form.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BOUNDARY_MAX 70 /* RFC 2046 */
#define DELIM_MAX (BOUNDARY_MAX + 4) /* "\r\n--" boundary */
#define HDR_BLOCK_MAX 8192 /* one part's header block, CRLFs included */
#define HDR_LINES_MAX 16 /* header lines in one part */
#define LIMIT_CAP (SIZE_MAX / 4) /* so limit + 1 and buffer doubling never overflow */

enum state {
	/* urlencoded */
	U_NAME,
	U_VALUE,
	/* multipart */
	M_PREAMBLE, /* discarding until the first delimiter */
	M_DELIM_END, /* just after "\r\n--boundary" */
	M_PAD, /* transport padding (spaces, tabs) after a delimiter */
	M_CLOSE, /* seen "-" after a delimiter, need the second "-" */
	M_DELIM_LF, /* seen CR after a delimiter */
	M_HDR, /* inside a part header line */
	M_HDR_LF, /* seen CR at the end of a header line */
	M_BODY, /* part content, until the next delimiter */
	M_EPILOGUE, /* after the close delimiter: ignored */
};

struct form_parser {
	struct arena *a;
	enum form_kind kind;
	struct form_limits lim;
	enum state st;
	int err; /* sticky */
	bool finished;
	size_t total; /* bytes accepted so far */

	struct form_field *fields;
	size_t count, cap;

	struct buf name; /* urlencoded: the current pair's decoded name */
	struct buf val; /* the current decoded value or part content (scratch, reused) */

	/* urlencoded */
	bool pair_started; /* the current pair has at least one byte */
	int pct; /* 0; 1 after '%'; 2 after '%' and one hex digit */
	unsigned hi; /* that first hex digit */

	/* multipart */
	char delim[DELIM_MAX];
	size_t delim_len;
	unsigned char fail[DELIM_MAX + 1]; /* KMP failure function of delim */
	size_t match; /* bytes of delim matched so far */
	struct buf line; /* the current header line */
	size_t hdr_bytes, hdr_lines;
	bool have_disp;
	const char *part_name;
	size_t part_name_len;
	const char *part_filename;
	const char *part_ctype;
};

void form_limits_default(struct form_limits *l)
{
	l->max_body = 1024 * 1024;
	l->max_fields = 1000;
	l->max_field_bytes = 64 * 1024;
	l->max_name_bytes = 256;
}

const char *form_strerror(int err)
{
	switch (err) {
	case FORM_OK:
		return "Success.";
	case FORM_ETOOBIG:
		return "The request body is larger than allowed.";
	case FORM_ETOOMANY:
		return "The form has more fields than allowed.";
	case FORM_EFIELD:
		return "A form field name or value is longer than allowed.";
	case FORM_EENCODING:
		return "The form has a bad percent-encoding.";
	case FORM_EUTF8:
		return "A form field is not valid UTF-8 text.";
	case FORM_EMULTIPART:
		return "The multipart form body is malformed.";
	case FORM_ENOMEM:
		return "Out of memory while parsing the form.";
	default:
		return "Unknown form error.";
	}
}

int form_error_status(int err)
{
	switch (err) {
	case FORM_OK:
		return 200;
	case FORM_ETOOBIG:
	case FORM_ETOOMANY:
	case FORM_EFIELD:
		return 413;
	case FORM_EENCODING:
	case FORM_EUTF8:
	case FORM_EMULTIPART:
		return 400;
	default:
		return 500;
	}
}

/* ---- small character helpers ---- */

static bool is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* RFC 7230 tchar. */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars (space is allowed, but not last). */
static bool is_bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Names and non-file values: well-formed UTF-8 and no NUL, so handlers can
 * treat them as C strings. */
static bool text_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && str_utf8_valid(s, n);
}

static bool boundary_ok(const char *b, size_t n)
{
	if (n < 1 || n > BOUNDARY_MAX || b[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_bchar((unsigned char)b[i]))
			return false;
	return true;
}

static void advance(struct str *s, size_t n)
{
	s->p += n;
	s->len -= n;
}

static void skip_ows(struct str *s)
{
	while (s->len && (s->p[0] == ' ' || s->p[0] == '\t'))
		advance(s, 1);
}

/* ---- header parameters (Content-Type, Content-Disposition) ---- */

struct param {
	struct str key;
	struct str raw; /* between the quotes, escapes still in, when quoted */
	bool quoted;
	bool pairs; /* backslash starts a quoted-pair (RFC 9110) */
};

/* Reads the next "; key=value" from *s, where value is a token-like run or a
 * quoted string. Returns 1 and fills *out, 0 at the end (a trailing ';' is
 * tolerated), or -1 when malformed. Never reads past s->len. With pairs,
 * a backslash escapes the next character (RFC 9110 quoted-pair); without,
 * it is an ordinary character, as browsers write Content-Disposition of
 * form parts (WHATWG HTML: they percent-encode '"', CR and LF instead), so
 * "C:\fakepath\x.png" arrives intact. */
static int param_next(struct str *s, struct param *out, bool pairs)
{
	out->pairs = pairs;
	skip_ows(s);
	if (!s->len)
		return 0;
	if (s->p[0] != ';')
		return -1;
	advance(s, 1);
	skip_ows(s);
	if (!s->len)
		return 0;
	size_t k = 0;
	while (k < s->len && is_tchar((unsigned char)s->p[k]))
		k++;
	if (k == 0)
		return -1;
	out->key = (struct str){s->p, k};
	advance(s, k);
	skip_ows(s);
	if (!s->len || s->p[0] != '=')
		return -1;
	advance(s, 1);
	skip_ows(s);
	if (s->len && s->p[0] == '"') {
		size_t j = 1;
		for (;;) {
			if (j >= s->len)
				return -1; /* no closing quote */
			unsigned char c = (unsigned char)s->p[j];
			if (c == '"')
				break;
			if (c == '\\' && pairs) {
				if (++j >= s->len)
					return -1;
				c = (unsigned char)s->p[j];
			}
			if (is_ctl(c))
				return -1;
			j++;
		}
		out->raw = (struct str){s->p + 1, j - 1};
		out->quoted = true;
		advance(s, j + 1);
		return 1;
	}
	k = 0;
	while (k < s->len) {
		unsigned char c = (unsigned char)s->p[k];
		if (c <= ' ' || c == 0x7f || c == ';' || c == '"')
			break;
		k++;
	}
	if (k == 0)
		return -1;
	out->raw = (struct str){s->p, k};
	out->quoted = false;
	advance(s, k);
	return 1;
}

/* An arena copy of a parameter's value with quoted-pair escapes undone.
 * NULL when out of memory. */
static char *param_value(struct arena *a, const struct param *pm, size_t *len)
{
	char *d = arena_alloc(a, pm->raw.len + 1);
	if (!d)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < pm->raw.len; i++) {
		if (pm->quoted && pm->pairs && pm->raw.p[i] == '\\' && i + 1 < pm->raw.len)
			i++;
		d[n++] = pm->raw.p[i];
	}
	d[n] = '\0';
	*len = n;
	return d;
}

int form_multipart_boundary(struct arena *a, const char *content_type, const char **boundary)
{
	if (!content_type)
		return FORM_EMULTIPART;
	struct str s = str_trim(str_from(content_type));
	size_t k = 0;
	while (k < s.len && (is_tchar((unsigned char)s.p[k]) || s.p[k] == '/'))
		k++;
	if (!str_ieq_cstr((struct str){s.p, k}, "multipart/form-data"))
		return FORM_EMULTIPART;
	advance(&s, k);

	struct param pm, found;
	bool have = false;
	int rc;
	while ((rc = param_next(&s, &pm, true)) > 0) {
		if (!str_ieq_cstr(pm.key, "boundary"))
			continue;
		if (have)
			return FORM_EMULTIPART;
		found = pm;
		have = true;
	}
	if (rc < 0 || !have)
		return FORM_EMULTIPART;
	size_t n;
	char *b = param_value(a, &found, &n);
	if (!b)
		return FORM_ENOMEM;
	if (!boundary_ok(b, n))
		return FORM_EMULTIPART;
	*boundary = b;
	return 0;
}

/* ---- fields ---- */

static int add_field(struct form_parser *p, const struct form_field *f)
{
	if (p->count >= p->lim.max_fields)
		return FORM_ETOOMANY;
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		if (cap > p->lim.max_fields)
			cap = p->lim.max_fields;
		struct form_field *nf = arena_calloc(p->a, cap, sizeof *nf);
		if (!nf)
			return FORM_ENOMEM;
		if (p->count)
			memcpy(nf, p->fields, p->count * sizeof *nf);
		p->fields = nf;
		p->cap = cap;
	}
	p->fields[p->count++] = *f;
	return 0;
}

/* Appends n bytes to b unless that would take it past limit. */
static int put(struct buf *b, size_t limit, const char *s, size_t n)
{
	if (n > limit - b->len)
		return FORM_EFIELD;
	return buf_append(b, s, n) ? FORM_ENOMEM : 0;
}

/* ---- urlencoded ---- */

static int url_put(struct form_parser *p, const char *s, size_t n)
{
	if (p->st == U_NAME)
		return put(&p->name, p->lim.max_name_bytes, s, n);
	return put(&p->val, p->lim.max_field_bytes, s, n);
}

static int url_end_pair(struct form_parser *p)
{
	if (!p->pair_started)
		return 0; /* empty pair: skipped */
	const char *n = buf_cstr(&p->name), *v = buf_cstr(&p->val);
	if (!text_ok(n, p->name.len) || !text_ok(v, p->val.len))
		return FORM_EUTF8;
	struct form_field f = {0};
	f.name = arena_strndup(p->a, n, p->name.len);
	f.value = arena_strndup(p->a, v, p->val.len);
	if (!f.name || !f.value)
		return FORM_ENOMEM;
	f.name_len = p->name.len;
	f.value_len = p->val.len;
	int rc = add_field(p, &f);
	if (rc)
		return rc;
	buf_reset(&p->name);
	buf_reset(&p->val);
	p->st = U_NAME;
	p->pair_started = false;
	return 0;
}

static bool url_special(const struct form_parser *p, char c)
{
	return c == '&' || c == '%' || c == '+' || (c == '=' && p->st == U_NAME);
}

static int url_feed(struct form_parser *p, const char *s, size_t n)
{
	size_t i = 0;
	int rc = 0;
	while (i < n && !rc) {
		unsigned char c = (unsigned char)s[i];
		if (p->pct) {
			int h = hexval(c);
			if (h < 0)
				return FORM_EENCODING;
			if (p->pct == 1) {
				p->hi = (unsigned)h;
				p->pct = 2;
			} else {
				char d = (char)(p->hi << 4 | (unsigned)h);
				p->pct = 0;
				rc = url_put(p, &d, 1);
			}
			i++;
			continue;
		}
		if (c == '&') {
			rc = url_end_pair(p);
			i++;
			continue;
		}
		if (!p->pair_started) {
			/* Refuse the extra field at its first byte, before buffering it. */
			if (p->count >= p->lim.max_fields)
				return FORM_ETOOMANY;
			p->pair_started = true;
		}
		if (c == '=' && p->st == U_NAME) {
			p->st = U_VALUE;
			i++;
		} else if (c == '%') {
			p->pct = 1;
			i++;
		} else if (c == '+') {
			rc = url_put(p, " ", 1);
			i++;
		} else {
			size_t j = i + 1;
			while (j < n && !url_special(p, s[j]))
				j++;
			rc = url_put(p, s + i, j - i);
			i = j;
		}
	}
	return rc;
}

static int url_finish(struct form_parser *p)
{
	if (p->pct)
		return FORM_EENCODING;
	return url_end_pair(p);
}

/* ---- multipart ---- */

static void kmp_init(struct form_parser *p)
{
	size_t k = 0;
	p->fail[0] = 0;
	p->fail[1] = 0;
	for (size_t i = 1; i < p->delim_len; i++) {
		while (k > 0 && p->delim[i] != p->delim[k])
			k = p->fail[k];
		if (p->delim[i] == p->delim[k])
			k++;
		p->fail[i + 1] = (unsigned char)k;
	}
}

/* The match length after byte c, given m < delim_len bytes matched. */
static size_t kmp_step(const struct form_parser *p, size_t m, char c)
{
	/* m < delim_len <= DELIM_MAX, which cppcheck cannot see */
	/* cppcheck-suppress arrayIndexOutOfBoundsCond */
	while (m > 0 && p->delim[m] != c)
		m = p->fail[m]; /* cppcheck-suppress arrayIndexOutOfBoundsCond */
	if (p->delim[m] == c)
		m++;
	return m;
}

static int emit(struct form_parser *p, const char *s, size_t n)
{
	return put(&p->val, p->lim.max_field_bytes, s, n);
}

static int part_end(struct form_parser *p)
{
	const char *v = buf_cstr(&p->val);
	if (!p->part_filename && !text_ok(v, p->val.len))
		return FORM_EUTF8;
	struct form_field f = {0};
	f.name = p->part_name;
	f.name_len = p->part_name_len;
	if (p->part_filename && p->val.data) {
		/* A file part's bytes are handed over, not copied (an upload of
		 * many MiB would otherwise need its size twice over); the next
		 * part starts a buffer of its own. */
		f.value = p->val.data;
		f.value_len = p->val.len;
		size_t max = p->val.max;
		buf_init(&p->val, p->a, max);
	} else {
		f.value = arena_strndup(p->a, v, p->val.len);
		if (!f.value)
			return FORM_ENOMEM;
		f.value_len = p->val.len;
	}
	f.filename = p->part_filename;
	f.content_type = p->part_ctype;
	return add_field(p, &f);
}

/* Scans the preamble or part content for the delimiter. Content bytes are
 * stored once they cannot be the start of a delimiter. Sets *used to the
 * bytes consumed: all of them, or up to the end of a delimiter. */
static int scan(struct form_parser *p, const char *s, size_t n, size_t *used)
{
	bool keep = p->st == M_BODY;
	size_t i = 0;
	int rc = 0;
	while (i < n) {
		if (p->match == 0) {
			/* Fast path: nothing held back, so copy up to the next CR. */
			const char *cr = memchr(s + i, '\r', n - i);
			size_t run = cr ? (size_t)(cr - (s + i)) : n - i;
			if (keep && run && (rc = emit(p, s + i, run)) != 0)
				return rc;
			i += run;
			if (!cr)
				break;
		}
		size_t m = p->match;
		size_t m2 = kmp_step(p, m, s[i]);
		if (keep && m2 <= m) {
			/* Held back were delim[0..m) and now c; the new match keeps
			 * the last m2 of those m + 1 bytes, the rest is content. */
			if (m2 == 0) {
				rc = emit(p, p->delim, m);
				if (!rc)
					rc = emit(p, s + i, 1);
			} else {
				rc = emit(p, p->delim, m + 1 - m2);
			}
			if (rc)
				return rc;
		}
		i++;
		p->match = m2;
		if (m2 == p->delim_len) {
			p->match = 0;
			if (keep && (rc = part_end(p)) != 0)
				return rc;
			p->st = M_DELIM_END;
			break;
		}
	}
	*used = i;
	return 0;
}

static int disposition(struct form_parser *p, struct str v)
{
	if (p->have_disp)
		return FORM_EMULTIPART;
	p->have_disp = true;
	size_t k = 0;
	while (k < v.len && is_tchar((unsigned char)v.p[k]))
		k++;
	if (!str_ieq_cstr((struct str){v.p, k}, "form-data"))
		return FORM_EMULTIPART;
	advance(&v, k);

	struct param pm, name = {0}, file = {0};
	bool have_name = false, have_file = false;
	int rc;
	while ((rc = param_next(&v, &pm, false)) > 0) {
		if (str_ieq_cstr(pm.key, "name")) {
			if (have_name)
				return FORM_EMULTIPART;
			name = pm;
			have_name = true;
		} else if (str_ieq_cstr(pm.key, "filename")) {
			if (have_file)
				return FORM_EMULTIPART;
			file = pm;
			have_file = true;
		}
		/* filename* (RFC 5987) and unknown parameters are ignored. */
	}
	if (rc < 0 || !have_name)
		return FORM_EMULTIPART;

	size_t len;
	char *s = param_value(p->a, &name, &len);
	if (!s)
		return FORM_ENOMEM;
	if (len > p->lim.max_name_bytes)
		return FORM_EFIELD;
	if (!text_ok(s, len))
		return FORM_EUTF8;
	p->part_name = s;
	p->part_name_len = len;

	if (have_file) {
		s = param_value(p->a, &file, &len);
		if (!s)
			return FORM_ENOMEM;
		if (!text_ok(s, len))
			return FORM_EUTF8;
		/* Keep only the last path component; "." and ".." name no file. */
		const char *base = s;
		for (size_t i = 0; i < len; i++)
			if (s[i] == '/' || s[i] == '\\')
				base = s + i + 1;
		if (!strcmp(base, ".") || !strcmp(base, ".."))
			base = "";
		p->part_filename = base;
	}
	return 0;
}

static int header_line(struct form_parser *p)
{
	struct str line = {buf_cstr(&p->line), p->line.len};
	if (++p->hdr_lines > HDR_LINES_MAX)
		return FORM_EMULTIPART;
	size_t k = 0;
	while (k < line.len && is_tchar((unsigned char)line.p[k]))
		k++;
	/* No name, a space before the colon, or a folded line: malformed. */
	if (k == 0 || k == line.len || line.p[k] != ':')
		return FORM_EMULTIPART;
	struct str name = {line.p, k};
	struct str v = str_trim((struct str){line.p + k + 1, line.len - k - 1});
	if (str_ieq_cstr(name, "Content-Disposition"))
		return disposition(p, v);
	if (str_ieq_cstr(name, "Content-Type")) {
		if (p->part_ctype || v.len == 0)
			return FORM_EMULTIPART;
		for (size_t i = 0; i < v.len; i++)
			if ((unsigned char)v.p[i] >= 0x7f)
				return FORM_EMULTIPART;
		p->part_ctype = arena_strndup(p->a, v.p, v.len);
		return p->part_ctype ? 0 : FORM_ENOMEM;
	}
	return 0; /* other part headers are ignored */
}

static void part_begin(struct form_parser *p)
{
	buf_reset(&p->line);
	buf_reset(&p->val);
	p->hdr_bytes = 0;
	p->hdr_lines = 0;
	p->have_disp = false;
	p->part_name = NULL;
	p->part_name_len = 0;
	p->part_filename = NULL;
	p->part_ctype = NULL;
	p->st = M_HDR;
}

/* One byte between a delimiter and the part content. */
static int mp_byte(struct form_parser *p, unsigned char c)
{
	switch (p->st) {
	case M_DELIM_END:
		if (c == '-')
			p->st = M_CLOSE;
		else if (c == ' ' || c == '\t')
			p->st = M_PAD;
		else if (c == '\r')
			p->st = M_DELIM_LF;
		else
			return FORM_EMULTIPART; /* e.g. the boundary inside content */
		return 0;
	case M_PAD:
		if (c == '\r')
			p->st = M_DELIM_LF;
		else if (c != ' ' && c != '\t')
			return FORM_EMULTIPART;
		return 0;
	case M_CLOSE:
		if (c != '-')
			return FORM_EMULTIPART;
		p->st = M_EPILOGUE;
		return 0;
	case M_DELIM_LF:
		if (c != '\n')
			return FORM_EMULTIPART;
		if (p->count >= p->lim.max_fields)
			return FORM_ETOOMANY;
		part_begin(p);
		return 0;
	case M_HDR:
	case M_HDR_LF:
		if (++p->hdr_bytes > HDR_BLOCK_MAX)
			return FORM_EMULTIPART;
		if (p->st == M_HDR) {
			if (c == '\r') {
				p->st = M_HDR_LF;
				return 0;
			}
			if (is_ctl(c))
				return FORM_EMULTIPART; /* bare LF, NUL, ... */
			char ch = (char)c;
			return buf_append(&p->line, &ch, 1) ? FORM_ENOMEM : 0;
		}
		if (c != '\n')
			return FORM_EMULTIPART;
		p->st = M_HDR;
		if (p->line.len == 0) {
			if (!p->part_name)
				return FORM_EMULTIPART;
			p->st = M_BODY;
			p->match = 0;
			return 0;
		}
		int rc = header_line(p);
		buf_reset(&p->line);
		return rc;
	default:
		return FORM_EMULTIPART; /* not reached */
	}
}

static int mp_feed(struct form_parser *p, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		int rc;
		if (p->st == M_EPILOGUE)
			return 0;
		if (p->st == M_PREAMBLE || p->st == M_BODY) {
			size_t used;
			rc = scan(p, s + i, n - i, &used);
			i += used;
		} else {
			rc = mp_byte(p, (unsigned char)s[i]);
			i++;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the parser ---- */

static size_t cap_limit(size_t v)
{
	return v > LIMIT_CAP ? LIMIT_CAP : v;
}

struct form_parser *form_parser_create(struct arena *a, enum form_kind kind, const char *boundary,
                                       const struct form_limits *limits)
{
	struct form_parser *p = arena_calloc(a, 1, sizeof *p);
	if (!p)
		return NULL;
	p->a = a;
	p->kind = kind;
	if (limits)
		p->lim = *limits;
	else
		form_limits_default(&p->lim);
	p->lim.max_body = cap_limit(p->lim.max_body);
	p->lim.max_fields = cap_limit(p->lim.max_fields);
	p->lim.max_field_bytes = cap_limit(p->lim.max_field_bytes);
	p->lim.max_name_bytes = cap_limit(p->lim.max_name_bytes);
	/* The limits are enforced by put(); the buffers' own caps are a backstop. */
	buf_init(&p->name, a, p->lim.max_name_bytes + 1);
	buf_init(&p->val, a, p->lim.max_field_bytes + 1);
	buf_init(&p->line, a, HDR_BLOCK_MAX);

	if (kind != FORM_MULTIPART) {
		p->kind = FORM_URLENCODED;
		p->st = U_NAME;
		return p;
	}
	size_t blen = boundary ? strlen(boundary) : 0;
	if (!boundary || !boundary_ok(boundary, blen)) {
		p->err = FORM_EMULTIPART;
		return p;
	}
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, boundary, blen);
	p->delim_len = blen + 4;
	kmp_init(p);
	p->st = M_PREAMBLE;
	p->match = 2; /* as if the body began with CRLF: it may open with "--boundary" */
	return p;
}

int form_parser_feed(struct form_parser *p, const char *data, size_t len)
{
	if (!p)
		return FORM_ENOMEM;
	if (p->err)
		return p->err;
	if (p->finished)
		return p->err = FORM_ETOOBIG;
	if (len == 0)
		return 0;
	/* Parse what fits, then refuse the rest: the first error is then the
	 * same however the body is cut into chunks. */
	size_t room = p->lim.max_body - p->total;
	size_t n = len < room ? len : room;
	int rc = 0;
	if (n)
		rc = p->kind == FORM_URLENCODED ? url_feed(p, data, n) : mp_feed(p, data, n);
	p->total += n;
	if (!rc && len > room)
		rc = FORM_ETOOBIG;
	return p->err = rc;
}

int form_parser_finish(struct form_parser *p, struct form *out)
{
	out->fields = NULL;
	out->count = 0;
	if (!p)
		return FORM_ENOMEM;
	if (!p->err && !p->finished) {
		if (p->kind == FORM_URLENCODED)
			p->err = url_finish(p);
		else if (p->st != M_EPILOGUE)
			p->err = FORM_EMULTIPART; /* truncated: no close delimiter */
	}
	p->finished = true;
	if (p->err)
		return p->err;
	out->fields = p->fields;
	out->count = p->count;
	return 0;
}

int form_parse_urlencoded(struct arena *a, const char *s, size_t len,
                          const struct form_limits *limits, struct form *out)
{
	struct form_parser *p = form_parser_create(a, FORM_URLENCODED, NULL, limits);
	int rc = form_parser_feed(p, s, len);
	if (rc) {
		out->fields = NULL;
		out->count = 0;
		return rc;
	}
	return form_parser_finish(p, out);
}

const struct form_field *form_get(const struct form *f, const char *name)
{
	if (!f || !name)
		return NULL;
	size_t n = strlen(name);
	for (size_t i = 0; i < f->count; i++)
		if (f->fields[i].name_len == n && !memcmp(f->fields[i].name, name, n))
			return &f->fields[i];
	return NULL;
}
