/* tests/unit/test_outbox.c — outgoing mail (jobs/mail.h, migration 0005) on
 * SQLite, always, and on PostgreSQL when CSEC_TEST_PG_URL names a server
 * (scripts/with-pg). SMTP delivery goes to a real local server when
 * CSEC_TEST_SMTP_URL names one (scripts/with-smtp starts tests/smtp/sink.py,
 * which saves each message and decodes it with Python's email package, an
 * implementation independent of ours). Run everything with
 *   scripts/with-pg scripts/with-smtp build/tests/test_outbox
 * Each test gets a fresh migrated store (PostgreSQL: a fresh schema
 * csec_unit_mail) and a fresh data directory. The message format is checked
 * by decoders of the test's own, written from RFC 2045 and RFC 2047. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/pool.h"
#include "db/settings.h"
#include "jobs/mail.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_helpers.h"

#define T0 1700000000 /* Tue, 14 Nov 2023 22:13:20 +0000 */

static struct {
	bool pg;
	char base[1024]; /* PostgreSQL: the URL given */
	char dir[256]; /* the group's temporary directory */
	int n; /* tests run so far in the group */
	char url[1400]; /* the current test's store */
	char path[300]; /* SQLite: the current test's file */
	char data[300]; /* the current test's data directory */
	char outbox[320]; /* <data>/outbox */
} B;

/* One outbox row, as the test reads it back. */
struct row {
	char status[16];
	int64_t attempts, next_attempt_at, sent_at, claimed_until;
	bool sent_at_null, claimed_by_null, claimed_until_null, last_error_null;
	char claimed_by[128];
	char last_error[400];
	char body[8];
	size_t body_len;
	char message_id[80];
};

static void read_row(struct db *db, int64_t id, struct row *r)
{
	static const char sql[] =
	        "SELECT status, attempts, next_attempt_at, sent_at, claimed_by, claimed_until, "
	        "last_error, body_text, message_id FROM outbox WHERE id = $1";
	struct db_stmt *st;
	size_t n;

	memset(r, 0, sizeof *r);
	CHECK(db, db_prepare(db, sql, &st));
	CHECK(db, db_bind_int64(st, 1, id));
	if (db_step(st) != DB_ROW)
		fail_msg("no outbox row %lld", (long long)id);
	snprintf(r->status, sizeof r->status, "%s", db_column_text(st, 0, NULL));
	r->attempts = db_column_int64(st, 1);
	r->next_attempt_at = db_column_int64(st, 2);
	r->sent_at_null = db_column_is_null(st, 3);
	r->sent_at = db_column_int64(st, 3);
	r->claimed_by_null = db_column_is_null(st, 4);
	snprintf(r->claimed_by, sizeof r->claimed_by, "%s", db_column_text(st, 4, NULL));
	r->claimed_until_null = db_column_is_null(st, 5);
	r->claimed_until = db_column_int64(st, 5);
	r->last_error_null = db_column_is_null(st, 6);
	snprintf(r->last_error, sizeof r->last_error, "%s", db_column_text(st, 6, NULL));
	snprintf(r->body, sizeof r->body, "%s", db_column_text(st, 7, &n));
	r->body_len = n;
	snprintf(r->message_id, sizeof r->message_id, "%s", db_column_text(st, 8, NULL));
	db_finalize(st);
}

static int64_t enqueue(struct db *db, const char *to, const char *subject, const char *body,
                       int64_t now)
{
	int64_t id = 0;
	int rc = mail_enqueue(db, to, subject, body, now, &id);

	if (rc != 0)
		fail_msg("mail_enqueue -> %d (%s): %s", rc, mail_strerror(rc), db_errmsg(db));
	assert_true(id > 0);
	return id;
}

static int64_t outbox_rows(struct db *db)
{
	return query_int(db, "SELECT count(*) FROM outbox");
}

/* A recipient no other test uses, so its message is easy to find at the
 * sink that every test (and both stores) shares. */
static void unique_addr(char *out, size_t len, const char *local)
{
	uint8_t r[6];
	char hex[13];

	crypto_random(r, sizeof r);
	crypto_hex(hex, r, sizeof r);
	snprintf(out, len, "%s-%s@agency.example", local, hex);
}

/* --------------------------------------------------------------- fixtures */

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[1024];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static int setup(void **state)
{
	struct db *db;

	B.n++;
	if (B.pg) {
		struct db *admin = open_url(B.base);
		if (db_exec_script(admin,
		                   "DROP SCHEMA IF EXISTS csec_unit_mail CASCADE; "
		                   "CREATE SCHEMA csec_unit_mail") < 0)
			fail_msg("schema reset: %s", db_errmsg(admin));
		db_close(admin);
		snprintf(B.url, sizeof(B.url), "%s%soptions=-csearch_path%%3Dcsec_unit_mail",
		         B.base, strchr(B.base, '?') ? "&" : "?");
	} else {
		snprintf(B.path, sizeof(B.path), "%s/m%d.db", B.dir, B.n);
		snprintf(B.url, sizeof(B.url), "sqlite:%s", B.path);
	}
	snprintf(B.data, sizeof(B.data), "%s/data%d", B.dir, B.n);
	snprintf(B.outbox, sizeof(B.outbox), "%s/outbox", B.data);
	if (mkdir(B.data, 0700) != 0)
		fail_msg("mkdir %s: %s", B.data, strerror(errno));
	db = open_url(B.url);
	CHECK(db, db_migrate(db, NULL, NULL));
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	char p[400];
	const char *suffix[] = {"", "-wal", "-shm"};

	db_close(*state);
	if (!B.pg)
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s%s", B.path, suffix[i]);
			unlink(p);
		}
	rm_tree(B.data);
	return 0;
}

static int group_start(bool pg)
{
	B.pg = pg;
	B.n = 0;
	snprintf(B.dir, sizeof(B.dir), "/tmp/csec-test-mail.XXXXXX");
	return mkdtemp(B.dir) ? 0 : -1;
}

static int group_sqlite(void **state)
{
	(void)state;
	return group_start(false);
}

static int group_pg(void **state)
{
	(void)state;
	return group_start(true);
}

static int group_done(void **state)
{
	(void)state;
	rm_tree(B.dir);
	return 0;
}

/* The configuration of a deployment at https://portal.example writing
 * files to the test's outbox, as the worker would load it. */
static void load_config(struct db *db, struct arena *a, struct mail_config *cfg)
{
	char err[300] = "";
	int rc = mail_config_load(db, a, B.data, "https://portal.example", cfg, err, sizeof err);

	if (rc != 0)
		fail_msg("mail_config_load -> %d: %s", rc, err);
}

/* ------------------------------------------------- the test's own decoders */

static int unhex1(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable (RFC 2045 §6.7) into out; fails the test on anything a
 * correct encoder would not write (lowercase hex, a bare "=", long lines,
 * trailing blanks, 8-bit bytes). */
static size_t qp_decode(const char *in, size_t n, char *out)
{
	size_t o = 0, col = 0;

	for (size_t i = 0; i < n;) {
		if (in[i] == '\r') {
			if (i + 1 >= n || in[i + 1] != '\n')
				fail_msg("bare CR in the body at %zu", i);
			if (i > 0 && (in[i - 1] == ' ' || in[i - 1] == '\t'))
				fail_msg("a blank ends an encoded line at %zu", i);
			out[o++] = '\r';
			out[o++] = '\n';
			i += 2;
			col = 0;
			continue;
		}
		if ((unsigned char)in[i] >= 0x80 || in[i] == '\n')
			fail_msg("raw byte 0x%02x in the quoted-printable body at %zu",
			         (unsigned char)in[i], i);
		if (++col > 76)
			fail_msg("an encoded line longer than 76 characters at %zu", i);
		if (in[i] != '=') {
			out[o++] = in[i++];
			continue;
		}
		if (i + 2 < n && in[i + 1] == '\r' && in[i + 2] == '\n') {
			i += 3; /* soft line break */
			col = 0;
			continue;
		}
		if (i + 2 >= n || unhex1(in[i + 1]) < 0 || unhex1(in[i + 2]) < 0)
			fail_msg("bad escape at %zu", i);
		out[o++] = (char)(unhex1(in[i + 1]) * 16 + unhex1(in[i + 2]));
		i += 3;
		col += 2;
	}
	out[o] = '\0';
	return o;
}

static size_t b64_decode(const char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	unsigned v = 0;
	int bits = 0;

	for (size_t i = 0; i < n && in[i] != '='; i++) {
		const char *p = strchr(a, in[i]);
		if (!p || !in[i])
			fail_msg("bad base64 character '%c'", in[i]);
		v = (v << 6) | (unsigned)(p - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((v >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return o;
}

/* An unstructured header value: unfolded, each utf-8 B encoded-word decoded
 * (and required to hold whole UTF-8 characters), blanks between adjacent
 * encoded-words dropped (RFC 2047 §6.2). */
static void decode_header(const char *v, char *out, size_t outlen)
{
	char unf[4096];
	size_t u = 0, o = 0;
	bool prev_word = false;

	for (size_t i = 0; v[i]; i++) {
		if (v[i] == '\r' && v[i + 1] == '\n' && (v[i + 2] == ' ' || v[i + 2] == '\t')) {
			i++;
			continue;
		}
		unf[u++] = v[i];
	}
	unf[u] = '\0';
	for (size_t i = 0; i < u;) {
		if (strncmp(unf + i, "=?utf-8?B?", 10) == 0) {
			const char *end = strstr(unf + i + 10, "?=");
			assert_non_null(end);
			size_t len = (size_t)(end - (unf + i));
			assert_true(len + 2 <= 75); /* RFC 2047 §2 */
			char dec[128];
			size_t d = b64_decode(unf + i + 10, (size_t)(end - unf) - i - 10, dec);
			/* each word holds whole characters */
			assert_true(d == 0 || ((unsigned char)dec[0] & 0xC0) != 0x80);
			assert_true(o + d < outlen);
			memcpy(out + o, dec, d);
			o += d;
			i = (size_t)(end - unf) + 2;
			prev_word = true;
			continue;
		}
		if (prev_word && (unf[i] == ' ' || unf[i] == '\t')) {
			size_t j = i;
			while (unf[j] == ' ' || unf[j] == '\t')
				j++;
			if (strncmp(unf + j, "=?", 2) == 0) {
				i = j;
				continue;
			}
		}
		assert_true(o + 1 < outlen);
		out[o++] = unf[i++];
		prev_word = false;
	}
	out[o] = '\0';
}

/* A parsed message: header values (raw, folded) by name, and the body. */
struct eml {
	int nh;
	char name[20][40];
	char value[20][2048];
	const char *body;
	size_t body_len;
};

/* Checks the form as it goes: CRLF only, no NUL, and lines of at most 78
 * characters of 7-bit ASCII, except in an 8bit body (eight_bit), whose
 * lines may hold UTF-8 up to 998 bytes. */
static void parse_eml(const char *m, size_t n, bool eight_bit, struct eml *e)
{
	const char *sep = strstr(m, "\r\n\r\n");
	const char *p = m;

	memset(e, 0, sizeof *e);
	assert_non_null(sep);
	size_t col = 0, body = (size_t)(sep - m) + 4;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)m[i];
		bool in_body8 = eight_bit && i >= body;
		if (c == 0 || (c >= 0x80 && !in_body8))
			fail_msg("8-bit or NUL byte at %zu", i);
		if (c == '\n' && (i == 0 || m[i - 1] != '\r'))
			fail_msg("bare LF at %zu", i);
		if (c == '\r' && (i + 1 >= n || m[i + 1] != '\n'))
			fail_msg("bare CR at %zu", i);
		if (c == '\r' || c == '\n') {
			col = 0;
		} else if (++col > (in_body8 ? 998u : 78u)) {
			fail_msg("line too long at %zu", i);
		}
	}
	while (p < sep + 2) {
		const char *eol = strstr(p, "\r\n");
		while (eol[2] == ' ' || eol[2] == '\t')
			eol = strstr(eol + 2, "\r\n");
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		assert_non_null(colon);
		assert_true(e->nh < 20);
		snprintf(e->name[e->nh], sizeof e->name[0], "%.*s", (int)(colon - p), p);
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		snprintf(e->value[e->nh], sizeof e->value[0], "%.*s", (int)(eol - v), v);
		e->nh++;
		p = eol + 2;
	}
	e->body = sep + 4;
	e->body_len = n - (size_t)(e->body - m);
}

static const char *header(const struct eml *e, const char *name)
{
	const char *found = NULL;

	for (int i = 0; i < e->nh; i++)
		if (strcasecmp(e->name[i], name) == 0) {
			if (found)
				fail_msg("header %s twice", name);
			found = e->value[i];
		}
	return found;
}

/* What the body decodes to: every line break CRLF, one at the end. */
static size_t crlf_text(const char *s, char *out)
{
	size_t o = 0, n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			if (s[i] == '\r' && s[i + 1] == '\n')
				i++;
		} else {
			out[o++] = s[i];
		}
	}
	if (n && s[n - 1] != '\n' && s[n - 1] != '\r') {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	out[o] = '\0';
	return o;
}

/* The same with LF line breaks (what the sink's Python hands back). */
static void lf_text(const char *s, char *out)
{
	size_t n = crlf_text(s, out), o = 0;

	for (size_t i = 0; i < n; i++)
		if (out[i] != '\r')
			out[o++] = out[i];
	out[o] = '\0';
}

/* A body with everything that trips encoders: non-ASCII, "=", blanks at
 * line ends, very long lines, lines that are or start with ".", "From ",
 * CRLF, a lone CR, tabs, an emoji, and no line break at the end. */
static char *tricky_body(void)
{
	static char body[8192];
	struct buf b;

	buf_init(&b, NULL, sizeof body - 1);
	buf_puts(&b,
	         "Hello J\xc3\xbcrgen,\n\nSet your password here:\n"
	         "https://portal.example/reset?token=");
	for (int i = 0; i < 90; i++)
		buf_putc(&b, "abcdefghijklmnopqrstuvwxyz0123456789-_"[i % 38]);
	buf_puts(&b,
	         "\n.\n..double\n.hidden\nFrom the start of a line\n"
	         "trailing spaces   \ntrailing tab\t\n= and =3D and =\n"
	         "a CRLF line\r\na lone CR\rthen more\ntab\tinside\n"
	         "\xf0\x9f\x98\x80 emoji, \xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f and \xe2\x82\xac\n");
	for (int i = 0; i < 300; i++)
		buf_puts(&b, i % 7 ? "a\xc3\xa9" : "= ");
	buf_puts(&b, "\n\n\nno line break at the end");
	assert_int_equal(b.err, 0);
	memcpy(body, b.data, b.len + 1);
	buf_free(&b);
	return body;
}

/* ------------------------------------------------------------- validation */

static void test_address_valid(void **state)
{
	static const char *const good[] = {
	        "officer@agency.example",
	        "j.smith+csec@sheriff.county.example.gov",
	        "a@b",
	        "o'brien@pd.example",
	        "x_y-z@sub-domain.example",
	        "1234567890123456789012345678901234567890123456789012345678901234@example.org",
	};
	static const char *const bad[] = {
	        "",
	        "officer",
	        "@agency.example",
	        "officer@",
	        "a@b@c.example",
	        "Officer <officer@agency.example>",
	        "<officer@agency.example>",
	        "a@b.example, c@d.example",
	        "a@b.example\r\nBcc: everyone@example.org",
	        "a@b.example\nBcc: x@y.example",
	        "a@b.example\r",
	        "a b@c.example",
	        "\"quoted\"@c.example",
	        ".lead@c.example",
	        "trail.@c.example",
	        "two..dots@c.example",
	        "a@-bad.example",
	        "a@bad-.example",
	        "a@bad..example",
	        "a@bad.example.",
	        "a@[127.0.0.1]",
	        "a@b_c.example",
	        "j\xc3\xbcrgen@agency.example",
	        "a@b.example\t",
	        "12345678901234567890123456789012345678901234567890123456789012345@example.org",
	};
	char longaddr[300];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!mail_address_valid(good[i]))
			fail_msg("refused good address \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (mail_address_valid(bad[i]))
			fail_msg("accepted bad address \"%s\"", bad[i]);
	assert_false(mail_address_valid(NULL));
	/* 254 characters is the limit */
	memset(longaddr, 0, sizeof longaddr);
	memcpy(longaddr, "x@", 2);
	for (size_t i = 2; i < 254; i++)
		longaddr[i] = (i % 60 == 0) ? '.' : 'a';
	assert_true(mail_address_valid(longaddr));
	longaddr[254] = 'a';
	assert_false(mail_address_valid(longaddr));
}

static void test_enqueue_validation(void **state)
{
	struct db *db = *state;
	char subject[MAIL_MAX_SUBJECT + 2];
	char *body = malloc(MAIL_MAX_BODY + 2);
	struct {
		const char *to, *subject, *body;
		int want;
	} bad[] = {
	        {"a@b.example\r\nBcc: all@example.org", "Hi", "x", MAIL_EADDR},
	        {"a@b.example, c@d.example", "Hi", "x", MAIL_EADDR},
	        {"Name <a@b.example>", "Hi", "x", MAIL_EADDR},
	        {"", "Hi", "x", MAIL_EADDR},
	        {"a@b.example", "Hi\r\nBcc: all@example.org", "x", MAIL_EHEADER},
	        {"a@b.example", "Hi\nthere", "x", MAIL_EHEADER},
	        {"a@b.example", "Hi\rthere", "x", MAIL_EHEADER},
	        {"a@b.example", "Tab\there", "x", MAIL_EHEADER},
	        {"a@b.example", "bad \xc3\x28 utf-8", "x", MAIL_EHEADER},
	        {"a@b.example", "Hi", "bad \xff utf-8", MAIL_EBODY},
	        {"a@b.example", NULL, "x", MAIL_EHEADER},
	        {"a@b.example", "Hi", NULL, MAIL_EHEADER},
	};

	assert_non_null(body);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = mail_enqueue(db, bad[i].to, bad[i].subject, bad[i].body, T0, NULL);
		if (rc != bad[i].want)
			fail_msg("case %zu: %d (%s), want %d", i, rc, mail_strerror(rc),
			         bad[i].want);
	}
	/* sizes: up to the limits, and one byte past them */
	memset(subject, 's', sizeof subject);
	subject[MAIL_MAX_SUBJECT + 1] = '\0';
	assert_int_equal(mail_enqueue(db, "a@b.example", subject, "x", T0, NULL), MAIL_E2BIG);
	memset(body, 'b', MAIL_MAX_BODY + 1);
	body[MAIL_MAX_BODY + 1] = '\0';
	assert_int_equal(mail_enqueue(db, "a@b.example", "Hi", body, T0, NULL), MAIL_E2BIG);
	assert_int_equal(outbox_rows(db), 0); /* a refusal writes nothing */

	subject[MAIL_MAX_SUBJECT] = '\0';
	body[MAIL_MAX_BODY] = '\0';
	int64_t id = enqueue(db, "a@b.example", subject, body, T0);
	free(body);
	struct row r;
	read_row(db, id, &r);
	assert_string_equal(r.status, "queued");
	assert_int_equal(r.attempts, 0);
	assert_int_equal(r.next_attempt_at, T0);
	assert_true(r.sent_at_null && r.claimed_by_null && r.claimed_until_null);
	assert_int_equal(strlen(r.message_id), 32);
	assert_int_equal(strspn(r.message_id, "0123456789abcdef"), 32);
	/* a second message gets another Message-ID */
	struct row r2;
	read_row(db, enqueue(db, "a@b.example", "Hi", "x", T0), &r2);
	assert_string_not_equal(r.message_id, r2.message_id);
	assert_int_equal(mail_check("a@b.example", "Hi", ""), 0);
	assert_string_equal(mail_strerror(MAIL_EADDR), "not one plain email address");
}

/* The mail exists exactly when the caller's transaction commits. */
static void test_enqueue_follows_transaction(void **state)
{
	struct db *db = *state;

	CHECK(db, db_begin_write(db));
	enqueue(db, "a@b.example", "Invitation", "Join us", T0);
	CHECK(db, db_rollback(db));
	assert_int_equal(outbox_rows(db), 0);

	CHECK(db, db_begin_write(db));
	enqueue(db, "a@b.example", "Invitation", "Join us", T0);
	CHECK(db, db_commit(db));
	assert_int_equal(outbox_rows(db), 1);
}

/* ------------------------------------------------------------- formatting */

static void format(const struct mail_config *cfg, const struct mail_msg *m, bool prefer_8bit,
                   struct buf *b)
{
	buf_init(b, NULL, 0);
	assert_int_equal(mail_format_eml(cfg, m, prefer_8bit, b), 0);
	assert_non_null(b->data);
}

static void test_format_eml(void **state)
{
	struct mail_config cfg = {
	        .from_addr = "noreply@portal.example",
	        .from_name = "CSEC Toolkit",
	        .host = "portal.example",
	};
	struct mail_msg m = {
	        .id = 42,
	        .created_at = T0,
	        .to = "officer@agency.example",
	        .subject = "Reset your password",
	        .body = tricky_body(),
	        .message_id = "0123456789abcdef0123456789abcdef",
	};
	static char decoded[16384], want[16384];
	char subj[1024];
	struct buf b, b2;
	struct eml e;

	(void)state;
	format(&cfg, &m, false, &b);
	parse_eml(b.data, b.len, false, &e);
	assert_string_equal(header(&e, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
	assert_string_equal(header(&e, "From"), "\"CSEC Toolkit\" <noreply@portal.example>");
	assert_string_equal(header(&e, "To"), "<officer@agency.example>");
	assert_string_equal(header(&e, "Subject"), "Reset your password");
	assert_string_equal(header(&e, "Message-ID"),
	                    "<0123456789abcdef0123456789abcdef@portal.example>");
	assert_string_equal(header(&e, "MIME-Version"), "1.0");
	assert_string_equal(header(&e, "Content-Type"), "text/plain; charset=utf-8");
	assert_string_equal(header(&e, "Content-Transfer-Encoding"), "quoted-printable");
	assert_string_equal(header(&e, "Auto-Submitted"), "auto-generated");
	assert_null(header(&e, "Bcc"));
	assert_int_equal(e.nh, 9);

	/* the body decodes to the text, byte for byte (line breaks as CRLF) */
	size_t n = qp_decode(e.body, e.body_len, decoded);
	size_t wn = crlf_text(m.body, want);
	assert_int_equal(n, wn);
	assert_memory_equal(decoded, want, n);
	/* blanks that end a line are encoded, blanks inside are not */
	assert_non_null(strstr(e.body, "trailing spaces  =20\r\n"));
	assert_non_null(strstr(e.body, "trailing tab=09\r\n"));
	assert_non_null(strstr(e.body, "tab\tinside\r\n"));
	assert_non_null(strstr(e.body, "=3D and =3D3D and =3D\r\n"));
	assert_non_null(strstr(e.body, "Hello J=C3=BCrgen,\r\n"));

	/* a retry formats the same bytes */
	format(&cfg, &m, false, &b2);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.data, b2.data, b.len);
	buf_free(&b2);
	buf_free(&b);

	/* non-ASCII subject and name: encoded-words that decode back */
	m.subject = "R\xc3\xa9initialiser \xe2\x80\x94 \xf0\x9f\x94\x91 cl\xc3\xa9";
	m.body = "short";
	cfg.from_name = "Bo\xc3\xaete \xc3\xa0 outils CSEC";
	format(&cfg, &m, false, &b);
	parse_eml(b.data, b.len, false, &e);
	assert_true(strncmp(header(&e, "Subject"), "=?utf-8?B?", 10) == 0);
	decode_header(header(&e, "Subject"), subj, sizeof subj);
	assert_string_equal(subj, m.subject);
	decode_header(header(&e, "From"), subj, sizeof subj);
	assert_string_equal(subj, "Bo\xc3\xaete \xc3\xa0 outils CSEC <noreply@portal.example>");
	n = qp_decode(e.body, e.body_len, decoded);
	assert_string_equal(decoded, "short\r\n");
	buf_free(&b);

	/* ASCII that looks like an encoded-word, or is long, is encoded too */
	m.subject = "=?utf-8?B?QQ==?= is not a word here";
	cfg.from_name = "Say \"hi\"";
	format(&cfg, &m, false, &b);
	parse_eml(b.data, b.len, false, &e);
	decode_header(header(&e, "Subject"), subj, sizeof subj);
	assert_string_equal(subj, m.subject);
	decode_header(header(&e, "From"), subj, sizeof subj);
	assert_string_equal(subj, "Say \"hi\" <noreply@portal.example>");
	buf_free(&b);

	/* an empty name leaves the bare address; an empty body one empty line */
	cfg.from_name = "";
	m.subject = "";
	m.body = "";
	format(&cfg, &m, false, &b);
	parse_eml(b.data, b.len, false, &e);
	assert_string_equal(header(&e, "From"), "<noreply@portal.example>");
	assert_string_equal(header(&e, "Subject"), "");
	assert_int_equal(e.body_len, 0);
	buf_free(&b);
}

/* The .eml files' form: 8bit, the text as it is (CRLF line ends), so a
 * person reading the file sees the links whole; quoted-printable still when
 * a line is too long for 8bit (998 bytes). */
static void test_format_8bit(void **state)
{
	struct mail_config cfg = {
	        .from_addr = "noreply@portal.example",
	        .from_name = "CSEC Toolkit",
	        .host = "portal.example",
	};
	struct mail_msg m = {
	        .id = 42,
	        .created_at = T0,
	        .to = "officer@agency.example",
	        .subject = "Reset your password",
	        .body = tricky_body(),
	        .message_id = "0123456789abcdef0123456789abcdef",
	};
	static char want[16384], decoded[16384], longbody[2100];
	struct buf b;
	struct eml e;

	(void)state;
	format(&cfg, &m, true, &b);
	parse_eml(b.data, b.len, true, &e);
	assert_string_equal(header(&e, "Content-Transfer-Encoding"), "8bit");
	assert_string_equal(header(&e, "Subject"), "Reset your password");
	size_t wn = crlf_text(m.body, want);
	assert_int_equal(e.body_len, wn);
	assert_memory_equal(e.body, want, wn);
	assert_non_null(strstr(e.body, "\r\nhttps://portal.example/reset?token=abcdefghij"));
	buf_free(&b);

	/* 998 bytes on a line is fine; 999 is not */
	memset(longbody, 'x', 998);
	memcpy(longbody + 998, "\nend", 5);
	m.body = longbody;
	format(&cfg, &m, true, &b);
	parse_eml(b.data, b.len, true, &e);
	assert_string_equal(header(&e, "Content-Transfer-Encoding"), "8bit");
	buf_free(&b);
	memset(longbody, 'y', 2000);
	memcpy(longbody + 2000, "\nend", 5);
	format(&cfg, &m, true, &b);
	parse_eml(b.data, b.len, false, &e);
	assert_string_equal(header(&e, "Content-Transfer-Encoding"), "quoted-printable");
	size_t n = qp_decode(e.body, e.body_len, decoded);
	wn = crlf_text(longbody, want);
	assert_int_equal(n, wn);
	assert_memory_equal(decoded, want, n);
	buf_free(&b);
}

/* The longest subject, all multi-byte characters: split into many words,
 * none cutting a character in two, and it decodes whole. */
static void test_format_long_subject(void **state)
{
	struct mail_config cfg = {
	        .from_addr = "a@b.example", .from_name = "x", .host = "b.example"};
	struct mail_msg m = {.id = 1, .created_at = 0, .to = "c@d.example", .body = "x"};
	char subject[MAIL_MAX_SUBJECT + 1], dec[1024];
	struct buf b;
	struct eml e;

	(void)state;
	for (int k = 0; k < 3; k++) {
		/* 2-, 3- and 4-byte characters, offset so words fall on every phase */
		static const char *const ch[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
		size_t cl = strlen(ch[k]), n = 0;
		subject[n++] = 'x';
		while (n + cl <= MAIL_MAX_SUBJECT) {
			memcpy(subject + n, ch[k], cl);
			n += cl;
		}
		subject[n] = '\0';
		assert_int_equal(mail_check("c@d.example", subject, "x"), 0);
		m.subject = subject;
		format(&cfg, &m, false, &b);
		parse_eml(b.data, b.len, false, &e);
		decode_header(header(&e, "Subject"), dec, sizeof dec);
		assert_string_equal(dec, subject);
		assert_string_equal(header(&e, "Date"), "Thu, 01 Jan 1970 00:00:00 +0000");
		buf_free(&b);
	}
	/* a long ASCII subject is folded as encoded-words too (78 columns) */
	memset(subject, 'w', MAIL_MAX_SUBJECT);
	subject[MAIL_MAX_SUBJECT] = '\0';
	m.subject = subject;
	format(&cfg, &m, false, &b);
	parse_eml(b.data, b.len, false, &e);
	decode_header(header(&e, "Subject"), dec, sizeof dec);
	assert_string_equal(dec, subject);
	buf_free(&b);
}

/* ------------------------------------------------------------------ claims */

static int claim(struct db *db, struct arena *a, const char *worker, int64_t now, int max,
                 struct mail_msg *out)
{
	int n = -1;
	int rc = mail_claim_batch(db, a, worker, now, max, out, &n);

	if (rc != 0)
		fail_msg("mail_claim_batch -> %d: %s", rc, db_errmsg(db));
	return n;
}

static void test_claim(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	int64_t id[7];
	struct row r;

	for (int i = 0; i < 7; i++) {
		char subject[32];
		snprintf(subject, sizeof subject, "message %d", i);
		/* the last two are due later */
		id[i] = enqueue(db, "a@b.example", subject, "body \xc3\xa9", i < 5 ? T0 : T0 + 100);
	}
	assert_int_equal(claim(db, a, "w1", T0 - 1, MAIL_BATCH, m), 0); /* none due yet */
	assert_int_equal(claim(db, a, "w1", T0, 3, m), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(m[i].id, id[i]);
		assert_int_equal(m[i].attempts, 1);
		assert_int_equal(m[i].created_at, T0);
		assert_string_equal(m[i].to, "a@b.example");
		assert_string_equal(m[i].body, "body \xc3\xa9");
		assert_int_equal(strlen(m[i].message_id), 32);
		read_row(db, id[i], &r);
		assert_string_equal(r.status, "sending");
		assert_string_equal(r.claimed_by, "w1");
		assert_int_equal(r.claimed_until, T0 + MAIL_CLAIM_SECONDS);
		assert_int_equal(r.next_attempt_at, T0 + MAIL_CLAIM_SECONDS);
		assert_int_equal(r.attempts, 1);
	}
	assert_string_equal(m[2].subject, "message 2");
	/* another worker gets the rest that is due, never the claimed ones */
	assert_int_equal(claim(db, a, "w2", T0 + 10, MAIL_BATCH, m), 2);
	assert_int_equal(m[0].id, id[3]);
	assert_int_equal(m[1].id, id[4]);
	assert_int_equal(claim(db, a, "w2", T0 + 99, MAIL_BATCH, m), 0);
	/* max is capped at MAIL_BATCH; later mail becomes due */
	assert_int_equal(claim(db, a, "w2", T0 + 100, 100, m), 2);
	assert_int_equal(claim(db, a, "w2", T0 + 100, 0, m), 0);
	arena_destroy(a);
}

/* A node that stopped mid-send leaves a claim that runs out; then another
 * takes the message over, and the first can no longer record anything. */
static void test_claim_expiry(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	struct row r;
	int64_t id = enqueue(db, "a@b.example", "Hi", "x", T0);

	assert_int_equal(claim(db, a, "crashed", T0, MAIL_BATCH, m), 1);
	assert_int_equal(claim(db, a, "w2", T0 + MAIL_CLAIM_SECONDS - 1, MAIL_BATCH, m), 0);
	assert_int_equal(claim(db, a, "w2", T0 + MAIL_CLAIM_SECONDS, MAIL_BATCH, m), 1);
	assert_int_equal(m[0].id, id);
	assert_int_equal(m[0].attempts, 2); /* the lost attempt counts */
	read_row(db, id, &r);
	assert_string_equal(r.claimed_by, "w2");
	assert_int_equal(r.claimed_until, T0 + 2 * MAIL_CLAIM_SECONDS);

	assert_int_equal(mail_mark_sent(db, id, "crashed", T0 + 700), MAIL_ELOST);
	assert_int_equal(mail_mark_failed(db, id, "crashed", T0 + 700, "x", NULL), MAIL_ELOST);
	assert_int_equal(mail_release(db, id, "crashed", T0 + 700), MAIL_ELOST);
	read_row(db, id, &r);
	assert_string_equal(r.status, "sending");
	assert_string_equal(r.claimed_by, "w2");

	CHECK(db, mail_mark_sent(db, id, "w2", T0 + 701));
	read_row(db, id, &r);
	assert_string_equal(r.status, "sent");
	assert_int_equal(r.sent_at, T0 + 701);
	assert_true(r.claimed_by_null && r.claimed_until_null && r.last_error_null);
	assert_int_equal(r.body_len, 0); /* the body (and its tokens) is gone */
	/* sent is final: never claimed again, not even by its own worker */
	assert_int_equal(claim(db, a, "w2", T0 + 100000, MAIL_BATCH, m), 0);
	assert_int_equal(mail_mark_sent(db, id, "w2", T0 + 702), MAIL_ELOST);
	arena_destroy(a);
}

static void test_backoff_schedule(void **state)
{
	static const int64_t want[] = {60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600};
	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(mail_backoff(i + 1), want[i]);
	assert_int_equal(mail_backoff(11), MAIL_BACKOFF_MAX);
	assert_int_equal(mail_backoff(1000), MAIL_BACKOFF_MAX);
	assert_int_equal(mail_backoff(0), MAIL_BACKOFF_FIRST);
}

/* Ten attempts, each failing: queued again after 1, 2, 4 ... minutes (not
 * claimable a second early), then failed for good. */
static void test_retry_then_give_up(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	struct row r;
	int64_t id = enqueue(db, "a@b.example", "Hi", "x", T0), now = T0, retry;

	for (int attempt = 1; attempt <= MAIL_MAX_ATTEMPTS; attempt++) {
		assert_int_equal(claim(db, a, "w", now, MAIL_BATCH, m), 1);
		assert_int_equal(m[0].attempts, attempt);
		CHECK(db,
		      mail_mark_failed(db, id, "w", now + 3, "RCPT failed: 450 (SMTP 450)",
		                       &retry));
		read_row(db, id, &r);
		assert_int_equal(r.attempts, attempt);
		assert_string_equal(r.last_error, "RCPT failed: 450 (SMTP 450)");
		assert_true(r.claimed_by_null && r.claimed_until_null);
		if (attempt < MAIL_MAX_ATTEMPTS) {
			assert_string_equal(r.status, "queued");
			assert_int_equal(retry, now + 3 + mail_backoff(attempt));
			assert_int_equal(r.next_attempt_at, retry);
			assert_int_equal(claim(db, a, "w", retry - 1, MAIL_BATCH, m), 0);
			now = retry;
		} else {
			assert_string_equal(r.status, "failed");
			assert_int_equal(retry, 0);
		}
	}
	assert_int_equal(claim(db, a, "w", now + 10 * MAIL_BACKOFF_MAX, MAIL_BATCH, m), 0);
	/* 1 + 2 + 4 + ... + 256 minutes of waiting, plus 3 s per attempt */
	assert_int_equal(now, T0 + 511 * 60 + 9 * 3);
	arena_destroy(a);
}

/* The last attempt's node stopped: the expired claim fails the message
 * instead of giving it an eleventh attempt. */
static void test_expired_last_attempt_fails(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	struct row r;
	int64_t id = enqueue(db, "a@b.example", "Hi", "x", T0), now = T0, retry;
	int64_t keep = enqueue(db, "b@b.example", "Hi", "x", T0 + 10 * 86400);

	for (int attempt = 1; attempt < MAIL_MAX_ATTEMPTS; attempt++) {
		assert_int_equal(claim(db, a, "w", now, MAIL_BATCH, m), 1);
		CHECK(db, mail_mark_failed(db, id, "w", now, "timeout", &retry));
		now = retry;
	}
	assert_int_equal(claim(db, a, "w", now, MAIL_BATCH, m), 1);
	assert_int_equal(m[0].attempts, MAIL_MAX_ATTEMPTS);
	/* ... and the worker dies. */
	assert_int_equal(claim(db, a, "w2", now + MAIL_CLAIM_SECONDS, MAIL_BATCH, m), 0);
	read_row(db, id, &r);
	assert_string_equal(r.status, "failed");
	assert_int_equal(r.attempts, MAIL_MAX_ATTEMPTS);
	assert_non_null(strstr(r.last_error, "gave up"));
	assert_true(r.claimed_by_null);
	read_row(db, keep, &r);
	assert_string_equal(r.status, "queued");
	arena_destroy(a);
}

static void test_release(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	struct row r;
	int64_t id = enqueue(db, "a@b.example", "Hi", "x", T0);

	assert_int_equal(claim(db, a, "w", T0, MAIL_BATCH, m), 1);
	CHECK(db, mail_release(db, id, "w", T0 + 5));
	read_row(db, id, &r);
	assert_string_equal(r.status, "queued");
	assert_int_equal(r.attempts, 0); /* never tried */
	assert_int_equal(r.next_attempt_at, T0 + 5);
	assert_true(r.claimed_by_null);
	assert_int_equal(claim(db, a, "w", T0 + 5, MAIL_BATCH, m), 1);
	assert_int_equal(m[0].attempts, 1);
	arena_destroy(a);
}

/* A long error from a server is cut, and only printable ASCII is kept. */
static void test_last_error_sanitized(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	char err[1000];
	struct row r;
	int64_t id = enqueue(db, "a@b.example", "Hi", "x", T0);

	memset(err, 'e', sizeof err - 1);
	err[sizeof err - 1] = '\0';
	memcpy(err, "550\r\nX-Injected: \xc3\xa9\t", 20);
	assert_int_equal(claim(db, a, "w", T0, MAIL_BATCH, m), 1);
	CHECK(db, mail_mark_failed(db, id, "w", T0, err, NULL));
	read_row(db, id, &r);
	assert_int_equal(strlen(r.last_error), 300);
	assert_true(strncmp(r.last_error, "550??X-Injected: ???", 20) == 0);
	arena_destroy(a);
}

/* PostgreSQL: rows another node is claiming right now (locked, not yet
 * committed) are skipped, not waited for and not taken. */
static void test_pg_skip_locked(void **state)
{
	struct db *db = *state;
	struct db *other = open_url(B.url);
	struct arena *a = arena_create(0);
	struct mail_msg m[MAIL_BATCH];
	int64_t id[6];

	for (int i = 0; i < 6; i++)
		id[i] = enqueue(db, "a@b.example", "Hi", "x", T0);
	/* "other" is a node inside its claim: it holds the first two rows */
	CHECK(other, db_begin_write(other));
	struct db_stmt *st;
	CHECK(other,
	      db_prepare(other, "SELECT id FROM outbox ORDER BY id LIMIT 2 FOR UPDATE", &st));
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	/* without SKIP LOCKED the claim below would wait: make that an error */
	CHECK(db, db_exec(db, "SET lock_timeout = '3s'"));
	int64_t t = time(NULL);
	assert_int_equal(claim(db, a, "w1", T0, MAIL_BATCH, m), 4);
	assert_true(time(NULL) - t < 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal(m[i].id, id[i + 2]);
	CHECK(other, db_rollback(other));
	/* released: now they are claimable */
	assert_int_equal(claim(db, a, "w2", T0, MAIL_BATCH, m), 2);
	assert_int_equal(m[0].id, id[0]);
	assert_int_equal(m[1].id, id[1]);

	/* and two claims at once from two connections: disjoint */
	for (int i = 0; i < 6; i++)
		enqueue(db, "a@b.example", "Hi", "x", T0);
	CHECK(other, db_begin_write(other));
	CHECK(other,
	      db_prepare(other,
	                 "SELECT id FROM outbox WHERE status = 'queued' ORDER BY id "
	                 "LIMIT 3 FOR UPDATE SKIP LOCKED",
	                 &st));
	int held = 0;
	while (db_step(st) == DB_ROW)
		held++;
	db_finalize(st);
	assert_int_equal(held, 3);
	assert_int_equal(claim(db, a, "w3", T0, MAIL_BATCH, m), 3);
	CHECK(other, db_commit(other));
	assert_int_equal(claim(db, a, "w4", T0, MAIL_BATCH, m), 3);
	db_close(other);
	arena_destroy(a);
}

/* Several workers, each on its own connection, drain one outbox: every
 * message is claimed by exactly one of them. */
#define WORKERS 3
#define MESSAGES 60

struct drainer {
	int n;
	int rc;
	char err[512];
	int64_t got[MESSAGES];
	int ngot;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;
	struct db *db = NULL;
	char worker[16];
	struct mail_msg m[MAIL_BATCH];
	int idle = 0;

	snprintf(worker, sizeof worker, "drain%d", d->n);
	d->rc = db_open(B.url, &db, d->err, sizeof d->err);
	if (d->rc < 0)
		return NULL;
	while (idle < 3) {
		struct arena *a = arena_create(0);
		int n = 0;
		int rc = mail_claim_batch(db, a, worker, T0, 2, m, &n);
		if (rc == DB_ERETRY) {
			arena_destroy(a);
			continue;
		}
		if (rc < 0) {
			d->rc = rc;
			snprintf(d->err, sizeof d->err, "claim: %s", db_errmsg(db));
			arena_destroy(a);
			break;
		}
		idle = n ? 0 : idle + 1;
		for (int i = 0; i < n; i++) {
			if (d->ngot < MESSAGES)
				d->got[d->ngot++] = m[i].id;
			usleep(500); /* "sending" */
			rc = mail_mark_sent(db, m[i].id, worker, T0 + 1);
			if (rc != 0) {
				d->rc = rc;
				snprintf(d->err, sizeof d->err, "mark_sent %lld: %d %s",
				         (long long)m[i].id, rc, db_errmsg(db));
			}
		}
		arena_destroy(a);
		if (d->rc < 0)
			break;
	}
	db_close(db);
	return NULL;
}

static void test_concurrent_claims(void **state)
{
	struct db *db = *state;
	struct drainer d[WORKERS];
	pthread_t t[WORKERS];
	int seen[MESSAGES + 1] = {0};
	int64_t first = 0;

	for (int i = 0; i < MESSAGES; i++) {
		int64_t id = enqueue(db, "a@b.example", "Hi", "x", T0);
		if (!first)
			first = id;
	}
	for (int i = 0; i < WORKERS; i++) {
		memset(&d[i], 0, sizeof d[i]);
		d[i].n = i;
		assert_int_equal(pthread_create(&t[i], NULL, drain_thread, &d[i]), 0);
	}
	int total = 0, busy = 0;
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], NULL);
		if (d[i].rc < 0)
			fail_msg("worker %d: %d: %s", i, d[i].rc, d[i].err);
		total += d[i].ngot;
		busy += d[i].ngot > 0;
		for (int k = 0; k < d[i].ngot; k++) {
			int64_t idx = d[i].got[k] - first + 1;
			assert_true(idx >= 1 && idx <= MESSAGES);
			seen[idx]++;
		}
	}
	assert_int_equal(total, MESSAGES);
	for (int i = 1; i <= MESSAGES; i++)
		if (seen[i] != 1)
			fail_msg("message %d claimed %d times", i, seen[i]);
	assert_true(busy >= 2); /* they really ran side by side */
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM outbox WHERE status = 'sent' AND "
	                           "attempts = 1"),
	                 MESSAGES);
}

/* ------------------------------------------------------ delivery to files */

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The names in dir (without . and ..), sorted, into names; returns how many. */
static int list_dir(const char *dir, char names[][128], int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		fail_msg("opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		assert_true(n < max);
		snprintf(names[n++], 128, "%.127s", e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, 128, by_name);
	return n;
}

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	static char data[300000];

	if (!f)
		fail_msg("open %s: %s", path, strerror(errno));
	*len = fread(data, 1, sizeof data - 1, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

static void test_eml_file(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	struct mail_msg m[MAIL_BATCH];
	char names[8][128], path[600], err[300];
	struct stat sb;
	struct buf want;
	size_t len;

	load_config(db, a, &cfg);
	assert_string_equal(cfg.smtp_url, "");
	assert_string_equal(cfg.outbox_dir, B.outbox);
	int64_t id = enqueue(db, "officer@agency.example", "Welcome", tricky_body(), T0);
	assert_int_equal(claim(db, a, "w", T0, MAIL_BATCH, m), 1);

	assert_int_equal(mail_deliver(&cfg, &m[0], err, sizeof err), 0);
	assert_int_equal(stat(B.outbox, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	/* exactly one file, <id>-<16 hex>.eml, 0600, holding the message */
	assert_int_equal(list_dir(B.outbox, names, 8), 1);
	char prefix[32];
	snprintf(prefix, sizeof prefix, "%lld-", (long long)id);
	assert_true(strncmp(names[0], prefix, strlen(prefix)) == 0);
	assert_int_equal(strlen(names[0]), strlen(prefix) + 16 + 4);
	assert_int_equal(strspn(names[0] + strlen(prefix), "0123456789abcdef"), 16);
	assert_string_equal(names[0] + strlen(names[0]) - 4, ".eml");
	snprintf(path, sizeof path, "%s/%s", B.outbox, names[0]);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	char *got = read_whole(path, &len);
	format(&cfg, &m[0], true, &want);
	assert_int_equal(len, want.len);
	assert_memory_equal(got, want.data, len);
	buf_free(&want);

	/* the same message again (a retry) is a second file beside it */
	assert_int_equal(mail_deliver(&cfg, &m[0], err, sizeof err), 0);
	assert_int_equal(list_dir(B.outbox, names, 8), 2);

	/* the outbox may not be a symlink; nothing is written through it */
	rm_tree(B.outbox);
	char elsewhere[400];
	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", B.data);
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	assert_int_equal(symlink(elsewhere, B.outbox), 0);
	assert_int_equal(mail_deliver(&cfg, &m[0], err, sizeof err), MAIL_EIO);
	assert_non_null(strstr(err, "outbox"));
	assert_int_equal(list_dir(elsewhere, names, 8), 0);
	unlink(B.outbox);

	/* a data directory that does not exist yet (a PostgreSQL deployment's)
	 * is made, 0700 too */
	rm_tree(B.data);
	assert_int_equal(mail_deliver(&cfg, &m[0], err, sizeof err), 0);
	assert_int_equal(stat(B.data, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(list_dir(B.outbox, names, 8), 1);
	arena_destroy(a);
}

/* The worker's round with no SMTP server: files, rows marked sent. */
static void test_process_due_files(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	char names[8][128];
	int sent = 0, failed = 0;
	int64_t id[3];
	struct row r;

	load_config(db, a, &cfg);
	for (int i = 0; i < 3; i++)
		id[i] = enqueue(db, "officer@agency.example", "Verify your email", "Link", T0);
	enqueue(db, "later@agency.example", "Later", "x", T0 + 3600);
	assert_int_equal(mail_process_due(db, &cfg, "w", T0, &sent, &failed), 3);
	assert_int_equal(sent, 3);
	assert_int_equal(failed, 0);
	assert_int_equal(list_dir(B.outbox, names, 8), 3);
	for (int i = 0; i < 3; i++) {
		read_row(db, id[i], &r);
		assert_string_equal(r.status, "sent");
		assert_int_equal(r.body_len, 0);
		assert_int_equal(r.attempts, 1);
	}
	assert_int_equal(mail_process_due(db, &cfg, "w", T0 + 1, &sent, &failed), 0);
	/* a stopping worker gives its claims back untried */
	atomic_bool stop = true;
	cfg.stop = &stop;
	assert_int_equal(mail_process_due(db, &cfg, "w", T0 + 3600, &sent, &failed), 1);
	assert_int_equal(query_int(db,
	                           "SELECT count(*) FROM outbox WHERE status = 'queued' AND "
	                           "attempts = 0"),
	                 1);
	assert_int_equal(list_dir(B.outbox, names, 8), 3);
	arena_destroy(a);
}

/* --------------------------------------------------------------- settings */

static void test_config_from_settings(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	char err[300] = "", note[600];

	/* nothing configured: files, a sender at the public host */
	assert_int_equal(mail_config_load(db, a, B.data, "https://Portal.Example:8443/", &cfg, err,
	                                  sizeof err),
	                 0);
	assert_string_equal(cfg.smtp_url, "");
	assert_string_equal(cfg.from_addr, "noreply@portal.example");
	assert_string_equal(cfg.host, "portal.example");
	assert_string_equal(cfg.from_name, "CSEC Toolkit");
	assert_int_equal(cfg.timeout_seconds, MAIL_TIMEOUT);
	assert_int_equal(
	        mail_config_load(db, a, B.data, "http://127.0.0.1:8080", &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.from_addr, "noreply@localhost");
	assert_string_equal(cfg.host, "127.0.0.1");
	assert_int_equal(
	        mail_config_load(db, a, B.data, "http://[::1]:8080", &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.host, "[::1]");
	assert_string_equal(cfg.from_addr, "noreply@localhost");
	assert_non_null(mail_outbox_note(db, B.data, note, sizeof note));
	assert_non_null(strstr(note, "/outbox/"));
	assert_non_null(strstr(note, B.data + 4)); /* the real path (tmp may be a link) */
	assert_non_null(strstr(note, "no SMTP server is configured"));

	/* a site admin's settings, read at the next load (no restart) */
	CHECK(db, db_setting_set(db, "smtp.url", " smtp://mail.agency.example:587 "));
	CHECK(db, db_setting_set(db, "smtp.user", "portal"));
	CHECK(db, db_setting_set(db, "smtp.password", " pa ss "));
	CHECK(db, db_setting_set(db, "smtp.from", "csec@agency.example"));
	CHECK(db, db_setting_set(db, "deployment.name", "State CSEC Portal"));
	assert_int_equal(
	        mail_config_load(db, a, B.data, "https://portal.example", &cfg, err, sizeof err),
	        0);
	assert_string_equal(cfg.smtp_url, "smtp://mail.agency.example:587");
	assert_string_equal(cfg.smtp_user, "portal");
	assert_string_equal(cfg.smtp_password, " pa ss ");
	assert_string_equal(cfg.from_addr, "csec@agency.example");
	assert_string_equal(cfg.from_name, "State CSEC Portal");
	assert_null(mail_outbox_note(db, B.data, note, sizeof note));

	/* unusable settings are refused with a reason, never echoing secrets */
	static const char *const bad_urls[] = {
	        "http://mail.agency.example",
	        "mail.agency.example:25",
	        "smtp://portal:hunter2@mail.agency.example",
	        "smtp://",
	        "file:///etc/passwd",
	};
	for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
		CHECK(db, db_setting_set(db, "smtp.url", bad_urls[i]));
		err[0] = '\0';
		int rc = mail_config_load(db, a, B.data, "https://portal.example", &cfg, err,
		                          sizeof err);
		if (rc != MAIL_ECONFIG)
			fail_msg("smtp.url \"%s\" -> %d, want MAIL_ECONFIG", bad_urls[i], rc);
		assert_non_null(strstr(err, "smtp.url"));
		assert_null(strstr(err, "hunter2"));
	}
	CHECK(db, db_setting_set(db, "smtp.url", "smtps://mail.agency.example"));
	CHECK(db, db_setting_set(db, "smtp.from", "CSEC <csec@agency.example>"));
	assert_int_equal(
	        mail_config_load(db, a, B.data, "https://portal.example", &cfg, err, sizeof err),
	        MAIL_ECONFIG);
	assert_non_null(strstr(err, "smtp.from"));
	CHECK(db, db_setting_set(db, "smtp.from", ""));
	assert_int_equal(
	        mail_config_load(db, a, B.data, "https://portal.example", &cfg, err, sizeof err),
	        0);
	assert_string_equal(cfg.from_addr, "noreply@portal.example");
	arena_destroy(a);
}

/* ------------------------------------------------------------------- SMTP */

static const char *smtp_env(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		print_message("no SMTP test server (run through scripts/with-smtp)\n");
		skip();
	}
	return v;
}

/* The sink's record of the message sent to rcpt (NULL when none arrived). */
static json_t *sink_find(const char *rcpt, char *eml_path, size_t pathlen)
{
	const char *dir = smtp_env("CSEC_TEST_SMTP_DIR");
	char names[512][128], path[700];
	int n = list_dir(dir, names, 512);
	json_t *found = NULL;

	for (int i = 0; i < n && !found; i++) {
		size_t l = strlen(names[i]);
		if (l < 6 || strcmp(names[i] + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		json_error_t je;
		json_t *j = json_load_file(path, 0, &je);
		if (!j)
			fail_msg("%s: %s", path, je.text);
		json_t *to = json_array_get(json_object_get(j, "rcpt_tos"), 0);
		if (to && strcmp(json_string_value(to), rcpt) == 0) {
			found = j;
			if (eml_path)
				snprintf(eml_path, pathlen, "%s/%.*s.eml", dir, (int)(l - 5),
				         names[i]);
		} else {
			json_decref(j);
		}
	}
	return found;
}

static void set_smtp(struct db *db, const char *url, const char *user, const char *password)
{
	CHECK(db, db_setting_set(db, "smtp.url", url));
	CHECK(db, db_setting_set(db, "smtp.user", user ? user : ""));
	CHECK(db, db_setting_set(db, "smtp.password", password ? password : ""));
}

static void test_smtp_delivery(void **state)
{
	struct db *db = *state;
	const char *url = smtp_env("CSEC_TEST_SMTP_URL");
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	static char want[16384], eml_path[800];
	char to[128];
	const char *subject = "R\xc3\xa9initialisez votre mot de passe \xe2\x80\x94 CSEC";
	const char *body = tricky_body();
	int sent = 0, failed = 0;
	struct row r;

	unique_addr(to, sizeof to, "officer");
	set_smtp(db, url, NULL, NULL);
	CHECK(db, db_setting_set(db, "smtp.from", "csec@portal.example"));
	load_config(db, a, &cfg);
	int64_t id = enqueue(db, to, subject, body, T0);
	assert_int_equal(mail_process_due(db, &cfg, "w", T0, &sent, &failed), 1);
	assert_int_equal(sent, 1);
	read_row(db, id, &r);
	assert_string_equal(r.status, "sent");

	json_t *j = sink_find(to, eml_path, sizeof eml_path);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "mail_from")),
	                    "csec@portal.example");
	assert_int_equal(json_array_size(json_object_get(j, "rcpt_tos")), 1);
	assert_true(json_is_null(json_object_get(j, "auth_user")));
	/* decoded by Python's email package: the same subject and body */
	assert_string_equal(json_string_value(json_object_get(j, "subject")), subject);
	lf_text(body, want);
	assert_string_equal(json_string_value(json_object_get(j, "body")), want);
	json_decref(j);
	/* and the bytes the server received are the ones we formatted: the
	 * lines "." and ".hidden" survived SMTP's dot-stuffing (libcurl's) */
	struct mail_msg m = {.id = id,
	                     .created_at = T0,
	                     .to = to,
	                     .subject = subject,
	                     .body = body,
	                     .message_id = r.message_id};
	struct buf fmt;
	size_t len;
	format(&cfg, &m, false, &fmt);
	char *got = read_whole(eml_path, &len);
	assert_int_equal(len, fmt.len);
	assert_memory_equal(got, fmt.data, len);
	buf_free(&fmt);
	arena_destroy(a);
}

static void test_smtp_auth(void **state)
{
	struct db *db = *state;
	const char *url = smtp_env("CSEC_TEST_SMTP_URL");
	const char *user = smtp_env("CSEC_TEST_SMTP_USER");
	const char *password = smtp_env("CSEC_TEST_SMTP_PASSWORD");
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	char to[128], to2[128];
	int sent = 0, failed = 0;
	struct row r;

	/* the right password: AUTH on a loopback server without TLS */
	unique_addr(to, sizeof to, "auth");
	set_smtp(db, url, user, password);
	load_config(db, a, &cfg);
	enqueue(db, to, "Hi", "Authenticated", T0);
	assert_int_equal(mail_process_due(db, &cfg, "w", T0, &sent, &failed), 1);
	assert_int_equal(sent, 1);
	json_t *j = sink_find(to, NULL, 0);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "auth_user")), user);
	json_decref(j);

	/* a wrong one: refused, retried later, the password in no error */
	unique_addr(to2, sizeof to2, "badauth");
	set_smtp(db, url, user, "wrong-Pa55word");
	load_config(db, a, &cfg);
	int64_t id = enqueue(db, to2, "Hi", "x", T0);
	assert_int_equal(mail_process_due(db, &cfg, "w", T0, &sent, &failed), 1);
	assert_int_equal(failed, 1);
	read_row(db, id, &r);
	assert_string_equal(r.status, "queued");
	assert_int_equal(r.next_attempt_at, T0 + MAIL_BACKOFF_FIRST);
	assert_true(strstr(r.last_error, "535") || strstr(r.last_error, "ogin"));
	assert_null(strstr(r.last_error, "wrong-Pa55word"));
	assert_null(sink_find(to2, NULL, 0));
	arena_destroy(a);
}

static void test_smtp_refused_recipient(void **state)
{
	struct db *db = *state;
	const char *url = smtp_env("CSEC_TEST_SMTP_URL");
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	char to[128];
	int sent = 0, failed = 0;
	struct row r;

	unique_addr(to, sizeof to, "refuse");
	set_smtp(db, url, NULL, NULL);
	load_config(db, a, &cfg);
	int64_t id = enqueue(db, to, "Hi", "x", T0);
	assert_int_equal(mail_process_due(db, &cfg, "w", T0, &sent, &failed), 1);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 1);
	read_row(db, id, &r);
	assert_string_equal(r.status, "queued");
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.next_attempt_at, T0 + 60);
	assert_non_null(strstr(r.last_error, "550"));
	assert_null(sink_find(to, NULL, 0));
	/* the next attempt, a minute later, fails too and waits two */
	assert_int_equal(mail_process_due(db, &cfg, "w", T0 + 60, &sent, &failed), 1);
	read_row(db, id, &r);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.next_attempt_at, T0 + 60 + 120);
	arena_destroy(a);
}

/* A port on which nothing listens. */
static int closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* No server at all: a quick failure, retried with backoff. Needs no sink. */
static void test_smtp_down(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct mail_config cfg;
	char url[64];
	int sent = 0, failed = 0;
	struct row r;

	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", closed_port());
	set_smtp(db, url, NULL, NULL);
	load_config(db, a, &cfg);
	int64_t id = enqueue(db, "officer@agency.example", "Hi", "x", T0);
	time_t t = time(NULL);
	assert_int_equal(mail_process_due(db, &cfg, "w", T0, &sent, &failed), 1);
	assert_true(time(NULL) - t < 5);
	assert_int_equal(failed, 1);
	read_row(db, id, &r);
	assert_string_equal(r.status, "queued");
	assert_int_equal(r.next_attempt_at, T0 + 60);
	assert_non_null(strstr(r.last_error, "onnect"));
	arena_destroy(a);
}

/* ----------------------------------------------------------------- worker */

static void wait_status(struct db *db, int64_t id, const char *status, int seconds)
{
	struct row r;

	for (int i = 0; i < seconds * 20; i++) {
		read_row(db, id, &r);
		if (strcmp(r.status, status) == 0)
			return;
		usleep(50000);
	}
	fail_msg("message %lld still %s after %d s, not %s", (long long)id, r.status, seconds,
	         status);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The thread: woken by mail_kick, it delivers with its own connection; it
 * reads the settings at every round; it stops at once. */
static void test_worker(void **state)
{
	struct db *db = *state;
	char names[8][128];

	assert_int_equal(db_pool_init(B.url), 0);
	assert_int_equal(mail_worker_start(B.data, "https://portal.example"), 0);
	assert_int_equal(mail_worker_start(B.data, "https://portal.example"), -1); /* one */
	usleep(200000); /* let it settle into its wait */
	int64_t id = enqueue(db, "officer@agency.example", "Hi", "x", time(NULL));
	double t = now_s();
	mail_kick();
	wait_status(db, id, "sent", 4);
	assert_true(now_s() - t < 1.0); /* the kick, not the poll */
	assert_int_equal(list_dir(B.outbox, names, 8), 1);

	/* a settings change is seen without a restart */
	const char *url = getenv("CSEC_TEST_SMTP_URL");
	if (url && *url) {
		char to[128];
		unique_addr(to, sizeof to, "worker");
		set_smtp(db, url, NULL, NULL);
		id = enqueue(db, to, "Hi", "x", time(NULL));
		mail_kick();
		wait_status(db, id, "sent", 4);
		json_t *j = sink_find(to, NULL, 0);
		assert_non_null(j);
		json_decref(j);
		assert_int_equal(list_dir(B.outbox, names, 8), 1);
	}
	t = now_s();
	mail_worker_stop();
	assert_true(now_s() - t < 1.5);
	mail_worker_stop(); /* twice is fine */
	mail_kick(); /* and so is a kick with no worker */
	db_pool_shutdown();
}

/* A server that accepts connections and never answers: the worker, stopped
 * mid-transfer, returns within a second or two and gives the message back. */
static void test_worker_stops_mid_send(void **state)
{
	struct db *db = *state;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	char url[64];
	struct row r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 8), 0); /* the kernel completes the handshake */
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", ntohs(sa.sin_port));
	set_smtp(db, url, NULL, NULL);

	assert_int_equal(db_pool_init(B.url), 0);
	int64_t id = enqueue(db, "officer@agency.example", "Hi", "x", time(NULL));
	assert_int_equal(mail_worker_start(B.data, "https://portal.example"), 0);
	mail_kick();
	wait_status(db, id, "sending", 4);
	usleep(300000); /* inside the transfer, waiting for a greeting */
	double t = now_s();
	mail_worker_stop();
	assert_true(now_s() - t < 2.5);
	read_row(db, id, &r);
	assert_string_equal(r.status, "queued");
	assert_int_equal(r.attempts, 0);
	assert_true(r.claimed_by_null);
	db_pool_shutdown();
	close(fd);
}

/* ------------------------------------------------------------------- main */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest plain[] = {
	        cmocka_unit_test(test_address_valid),    cmocka_unit_test(test_format_eml),
	        cmocka_unit_test(test_format_8bit),      cmocka_unit_test(test_format_long_subject),
	        cmocka_unit_test(test_backoff_schedule),
	};
	const struct CMUnitTest common[] = {
	        T(test_enqueue_validation),
	        T(test_enqueue_follows_transaction),
	        T(test_claim),
	        T(test_claim_expiry),
	        T(test_retry_then_give_up),
	        T(test_expired_last_attempt_fails),
	        T(test_release),
	        T(test_last_error_sanitized),
	        T(test_concurrent_claims),
	        T(test_eml_file),
	        T(test_process_due_files),
	        T(test_config_from_settings),
	        T(test_smtp_delivery),
	        T(test_smtp_auth),
	        T(test_smtp_refused_recipient),
	        T(test_smtp_down),
	        T(test_worker),
	        T(test_worker_stops_mid_send),
	};
	const struct CMUnitTest pg_only[] = {
	        T(test_pg_skip_locked),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("mail", plain, NULL, NULL);
	failed += cmocka_run_group_tests_name("outbox on SQLite", common, group_sqlite, group_done);
	if (pg && *pg) {
		snprintf(B.base, sizeof(B.base), "%s", pg);
		failed += cmocka_run_group_tests_name("outbox on PostgreSQL", common, group_pg,
		                                      group_done);
		failed += cmocka_run_group_tests_name("outbox on PostgreSQL only", pg_only,
		                                      group_pg, group_done);
	} else {
		printf("[  SKIPPED ] outbox on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. through scripts/with-pg)\n",
		       sizeof(common) / sizeof(common[0]) + sizeof(pg_only) / sizeof(pg_only[0]));
	}
	return failed ? 1 : 0;
}
