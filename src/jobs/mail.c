/* jobs/mail.c — see mail.h. In order: validation, enqueue, settings,
 * formatting (RFC 5322 headers, RFC 2047 encoded-words, quoted-printable),
 * the claim/mark model, delivery (SMTP through smtp.c, or .eml files), and
 * the worker thread. */
#include "jobs/mail.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "db/settings.h"
#include "jobs/smtp.h"
#include "jobs/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A formatted message: 64 KiB of body at most triples in quoted-printable,
 * plus soft line breaks, plus headers. */
#define EML_MAX (512 * 1024)

const char *mail_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case MAIL_EADDR:
		return "not one plain email address";
	case MAIL_EHEADER:
		return "the subject holds a line break or another control character, or is not "
		       "UTF-8";
	case MAIL_E2BIG:
		return "the subject or the body is too long";
	case MAIL_EBODY:
		return "the body is not UTF-8 text";
	case MAIL_ELOST:
		return "the claim on the message was lost";
	case MAIL_ESEND:
		return "delivery failed";
	case MAIL_ECONFIG:
		return "the mail settings are unusable";
	case MAIL_EIO:
		return "the outbox file could not be written";
	case MAIL_ECANCELED:
		return "stopped";
	case DB_ERR:
		return "store error";
	case DB_ERETRY:
		return "store conflict (retry)";
	case DB_ECONSTRAINT:
		return "store constraint violated";
	case DB_ENOMEM:
		return "out of memory";
	case DB_EINVAL:
		return "invalid store call";
	default:
		return "error";
	}
}

/* ------------------------------------------------------------ validation */

static bool atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	        (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	        c == '-';
}

bool mail_address_valid(const char *s)
{
	if (!s)
		return false;
	size_t len = strlen(s);
	const char *at = strchr(s, '@');
	if (len > MAIL_MAX_ADDR || !at || strchr(at + 1, '@'))
		return false;
	/* local part: a dot-atom of at most 64 characters */
	size_t local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
		return false;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' ? s[i + 1] == '.' : !atext(c))
			return false;
	}
	/* domain: labels of 1..63 letters, digits and inner hyphens */
	const char *d = at + 1;
	size_t dlen = len - local - 1;
	if (dlen == 0 || dlen > 253)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= dlen; i++) {
		if (i < dlen && d[i] != '.') {
			if (!label_char((unsigned char)d[i]))
				return false;
			continue;
		}
		size_t n = i - start;
		if (n == 0 || n > 63 || d[start] == '-' || d[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

int mail_check(const char *to, const char *subject, const char *body_text)
{
	if (!mail_address_valid(to))
		return MAIL_EADDR;
	if (!subject || !body_text)
		return MAIL_EHEADER;
	size_t slen = strlen(subject), blen = strlen(body_text);
	if (slen > MAIL_MAX_SUBJECT || blen > MAIL_MAX_BODY)
		return MAIL_E2BIG;
	/* CR and LF would end the header line (header injection); the other
	 * controls have no business in a subject either. */
	for (size_t i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)subject[i];
		if (c < 0x20 || c == 0x7f)
			return MAIL_EHEADER;
	}
	if (!str_utf8_valid(subject, slen))
		return MAIL_EHEADER;
	if (!str_utf8_valid(body_text, blen))
		return MAIL_EBODY;
	return 0;
}

int mail_enqueue(struct db *db, const char *to, const char *subject, const char *body_text,
                 int64_t now, int64_t *id)
{
	static const char sql[] =
	        "INSERT INTO outbox (created_at, to_addr, subject, body_text, message_id, status, "
	        "attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $1) "
	        "RETURNING id";
	uint8_t raw[16];
	char mid[2 * sizeof raw + 1];
	struct db_stmt *st;
	int rc = mail_check(to, subject, body_text);

	if (rc != 0)
		return rc;
	crypto_random(raw, sizeof raw);
	crypto_hex(mid, raw, sizeof raw);
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, now)) == DB_OK &&
	    (rc = db_bind_text(st, 2, to, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 3, subject, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 4, body_text, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 5, mid, (size_t)-1)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW && id)
		*id = db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc == DB_DONE ? DB_ERR : rc;
}

/* -------------------------------------------------------------- settings */

/* The setting's value with surrounding blanks trimmed, or "" when absent. */
static int setting(struct db *db, struct arena *a, const char *key, const char **out)
{
	const char *v;
	int rc = db_setting_get(db, a, key, &v);

	if (rc != DB_OK)
		return rc;
	struct str s = str_trim(str_from(v ? v : ""));
	*out = arena_strndup(a, s.p, s.len);
	return *out ? DB_OK : DB_ENOMEM;
}

/* The host of "http(s)://HOST[:PORT][/]", lower-cased; "[v6]" keeps its
 * brackets. "localhost" when public_url is NULL or has no host. */
static const char *url_host(struct arena *a, const char *public_url)
{
	const char *p = public_url ? strstr(public_url, "://") : NULL;
	size_t n = 0;

	if (p) {
		p += 3;
		if (*p == '[') {
			const char *end = strchr(p, ']');
			n = end ? (size_t)(end - p) + 1 : 0;
		} else {
			n = strcspn(p, ":/?#");
		}
	}
	if (!n)
		return "localhost";
	char *h = arena_strndup(a, p, n);
	for (char *q = h; q && *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return h;
}

static bool is_hostname(const char *h)
{
	bool alpha = false;
	for (; *h; h++) {
		if (*h == '[' || *h == ':')
			return false;
		if ((*h >= 'a' && *h <= 'z') || *h == '-')
			alpha = true;
	}
	return alpha;
}

int mail_config_load(struct db *db, struct arena *a, const char *data_dir, const char *public_url,
                     struct mail_config *cfg, char *err, size_t errlen)
{
	const char *from;
	int rc;

	memset(cfg, 0, sizeof *cfg);
	if ((rc = setting(db, a, "smtp.url", &cfg->smtp_url)) != DB_OK ||
	    (rc = setting(db, a, "smtp.user", &cfg->smtp_user)) != DB_OK ||
	    (rc = setting(db, a, "smtp.from", &from)) != DB_OK ||
	    (rc = setting(db, a, "deployment.name", &cfg->from_name)) != DB_OK)
		return rc;
	/* A password may begin or end with a blank: not trimmed. */
	if ((rc = db_setting_get(db, a, "smtp.password", &cfg->smtp_password)) != DB_OK)
		return rc;
	cfg->host = url_host(a, public_url);
	cfg->outbox_dir = arena_printf(a, "%s/outbox", data_dir ? data_dir : ".");
	cfg->timeout_seconds = MAIL_TIMEOUT;
	if (!cfg->host || !cfg->outbox_dir)
		return DB_ENOMEM;
	if (*from) {
		if (!mail_address_valid(from)) {
			snprintf(err, errlen,
			         "the site setting smtp.from is not one plain address "
			         "(name@example.org)");
			return MAIL_ECONFIG;
		}
		cfg->from_addr = from;
	} else {
		cfg->from_addr = arena_printf(a, "noreply@%s",
		                              is_hostname(cfg->host) ? cfg->host : "localhost");
		if (!cfg->from_addr)
			return DB_ENOMEM;
	}
	if (*cfg->smtp_url && smtp_url_check(cfg->smtp_url, err, errlen) != 0)
		return MAIL_ECONFIG;
	return 0;
}

/* ------------------------------------------------------------ formatting */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {B64[v >> 18], B64[(v >> 12) & 63],
		             i + 1 < n ? B64[(v >> 6) & 63] : '=', i + 2 < n ? B64[v & 63] : '='};
		buf_append(b, q, 4);
	}
}

/* RFC 2047 B-encoded words, folded onto continuation lines. 42 bytes make 56
 * base64 characters, a 68-character word: the first fits after
 * "Subject: " in 78 columns. Words never split a UTF-8 sequence, as
 * RFC 2047 §5 asks. */
static void encoded_words(struct buf *b, const char *s, size_t len)
{
	const size_t chunk = 42;
	size_t i = 0;

	while (i < len) {
		size_t n = len - i < chunk ? len - i : chunk;
		while (n < len - i && n > 0 && ((unsigned char)s[i + n] & 0xC0) == 0x80)
			n--; /* back to the start of a character */
		if (i)
			buf_puts(b, "\r\n ");
		buf_puts(b, "=?utf-8?B?");
		b64(b, (const unsigned char *)s + i, n);
		buf_puts(b, "?=");
		i += n;
	}
}

/* Plain when every byte is printable ASCII, nothing looks like an
 * encoded-word, and the line stays within 78 columns. */
static bool plain_header(const char *s, size_t len, size_t room)
{
	if (len > room || strstr(s, "=?"))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* The From display name: a quoted string when plain, else encoded-words;
 * controls become spaces and the name is cut at 100 bytes on a character
 * boundary (it is a site setting, not checked like a subject). */
static void display_name(struct buf *b, const char *name)
{
	char n[101];
	size_t len = strlen(name);

	if (len > 100) {
		len = 100;
		while (len && ((unsigned char)name[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(n, name, len);
	n[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)n[i] < 0x20 || n[i] == 0x7f)
			n[i] = ' ';
	if (!str_utf8_valid(n, len) || len == 0)
		return;
	if (plain_header(n, len, 100) && !strpbrk(n, "\"\\")) {
		buf_printf(b, "\"%s\" ", n);
	} else {
		encoded_words(b, n, len);
		buf_puts(b, "\r\n ");
	}
}

/* One line of text in quoted-printable (RFC 2045 §6.7), with its CRLF.
 * Encoded lines hold at most 76 characters, a soft break's "=" included;
 * a space or tab that would end a line is encoded. */
static void qp_line(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		bool last = i + 1 == n;
		bool literal =
		        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
		size_t w = literal ? 1 : 3;
		if (col + w > (last ? 76u : 75u)) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		if (literal) {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'=', hex[c >> 4], hex[c & 15]};
			buf_append(b, e, 3);
		}
		col += w;
	}
	buf_puts(b, "\r\n");
}

/* Calls line(b, p, n) for each line of s: lines end at LF, CRLF or a lone
 * CR, and a text that does not end with a line break gets one. */
static void each_line(struct buf *b, const char *s,
                      void (*line)(struct buf *b, const unsigned char *p, size_t n))
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, len = strlen(s);

	while (i < len) {
		if (p[i] == '\r' || p[i] == '\n') {
			line(b, p + start, i - start);
			i += p[i] == '\r' && i + 1 < len && p[i + 1] == '\n' ? 2 : 1;
			start = i;
		} else {
			i++;
		}
	}
	if (start < len)
		line(b, p + start, len - start);
}

static void raw_line(struct buf *b, const unsigned char *p, size_t n)
{
	buf_append(b, p, n);
	buf_puts(b, "\r\n");
}

/* true when no line of s is longer than RFC 5322's 998 octets, so the text
 * can go as it is (8bit). */
static bool short_lines(const char *s)
{
	size_t run = 0;

	for (; *s; s++) {
		run = *s == '\r' || *s == '\n' ? 0 : run + 1;
		if (run > 998)
			return false;
	}
	return true;
}

/* "Thu, 01 Jan 1970 00:00:00 +0000", in English whatever the locale. */
static void rfc5322_date(struct buf *b, int64_t t)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof tm);
	buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
	           months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int mail_format_eml(const struct mail_config *cfg, const struct mail_msg *msg, bool prefer_8bit,
                    struct buf *out)
{
	size_t slen = strlen(msg->subject);
	bool raw = prefer_8bit && short_lines(msg->body);

	buf_puts(out, "Date: ");
	rfc5322_date(out, msg->created_at);
	buf_puts(out, "\r\nFrom: ");
	display_name(out, cfg->from_name ? cfg->from_name : "");
	buf_printf(out, "<%s>\r\n", cfg->from_addr);
	buf_printf(out, "To: <%s>\r\n", msg->to);
	buf_puts(out, "Subject: ");
	if (plain_header(msg->subject, slen, 78 - 9))
		buf_append(out, msg->subject, slen);
	else
		encoded_words(out, msg->subject, slen);
	buf_printf(out, "\r\nMessage-ID: <%s@%s>\r\n", msg->message_id, cfg->host);
	/* RFC 3834: an automatic message, so vacation responders stay quiet. */
	buf_puts(out,
	         "Auto-Submitted: auto-generated\r\n"
	         "MIME-Version: 1.0\r\n"
	         "Content-Type: text/plain; charset=utf-8\r\n");
	buf_printf(out, "Content-Transfer-Encoding: %s\r\n\r\n", raw ? "8bit" : "quoted-printable");
	each_line(out, msg->body, raw ? raw_line : qp_line);
	return out->err;
}

/* ----------------------------------------------------------------- model */

/* The claim, one statement per dialect. Candidates are due queued messages
 * and sending ones whose claim (next_attempt_at = claimed_until) ran out.
 * One that has no attempt left is failed on the spot instead. */
#define CLAIM_SET                                                                                  \
	"UPDATE outbox SET "                                                                       \
	"status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'sending' END, "                     \
	"attempts = CASE WHEN attempts >= $4 THEN attempts ELSE attempts + 1 END, "                \
	"claimed_by = CASE WHEN attempts >= $4 THEN NULL ELSE CAST($2 AS TEXT) END, "              \
	"claimed_until = CASE WHEN attempts >= $4 THEN NULL ELSE CAST($3 AS BIGINT) END, "         \
	"next_attempt_at = CAST($3 AS BIGINT), "                                                   \
	"last_error = CASE WHEN attempts >= $4 THEN 'gave up: the worker sending it stopped "      \
	"during the last attempt' ELSE last_error END "                                            \
	"WHERE id IN (SELECT id FROM outbox WHERE status IN ('queued', 'sending') AND "            \
	"next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $5"
#define CLAIM_RETURNING                                                                            \
	") RETURNING id, status, attempts, created_at, to_addr, subject, body_text, message_id"

static const char claim_sqlite[] = CLAIM_SET CLAIM_RETURNING;
static const char claim_pg[] = CLAIM_SET " FOR UPDATE SKIP LOCKED" CLAIM_RETURNING;

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
	size_t n;
	const char *v = db_column_text(st, col, &n);
	return arena_strndup(a, v, n);
}

static int by_id(const void *x, const void *y)
{
	const struct mail_msg *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

int mail_claim_batch(struct db *db, struct arena *a, const char *worker_id, int64_t now, int max,
                     struct mail_msg *out, int *n)
{
	struct db_stmt *st = NULL;
	int rc;

	*n = 0;
	if (max <= 0)
		return DB_OK;
	if (max > MAIL_BATCH)
		max = MAIL_BATCH;
	rc = db_begin_write(db);
	if (rc != DB_OK)
		return rc;
	rc = db_prepare(db, db_dialect(db) == DB_POSTGRES ? claim_pg : claim_sqlite, &st);
	if (rc == DB_OK && (rc = db_bind_int64(st, 1, now)) == DB_OK &&
	    (rc = db_bind_text(st, 2, worker_id, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now + MAIL_CLAIM_SECONDS)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, MAIL_MAX_ATTEMPTS)) == DB_OK)
		rc = db_bind_int64(st, 5, max);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t len;
		rc = DB_OK;
		if (strcmp(db_column_text(st, 1, &len), "sending") != 0)
			continue; /* failed for good: nothing to deliver */
		if (*n >= max) { /* NEVER: the LIMIT holds */
			rc = DB_ERR;
			break;
		}
		struct mail_msg *m = &out[(*n)++];
		m->id = db_column_int64(st, 0);
		m->attempts = (int)db_column_int64(st, 2);
		m->created_at = db_column_int64(st, 3);
		m->to = col_dup(a, st, 4);
		m->subject = col_dup(a, st, 5);
		m->body = col_dup(a, st, 6);
		m->message_id = col_dup(a, st, 7);
		if (!m->to || !m->subject || !m->body || !m->message_id)
			rc = DB_ENOMEM;
	}
	db_finalize(st);
	if (rc == DB_DONE)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		*n = 0;
		return rc;
	}
	qsort(out, (size_t)*n, sizeof *out, by_id);
	return DB_OK;
}

int64_t mail_backoff(int attempts)
{
	int64_t s = MAIL_BACKOFF_FIRST;

	for (int i = 1; i < attempts && s < MAIL_BACKOFF_MAX; i++)
		s *= 2;
	return s < MAIL_BACKOFF_MAX ? s : MAIL_BACKOFF_MAX;
}

/* Steps a statement ending in "RETURNING id": 0 when a row was changed,
 * MAIL_ELOST when none was. Finalizes it. */
static int changed(struct db_stmt *st, int rc)
{
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? MAIL_ELOST : rc;
}

int mail_mark_sent(struct db *db, int64_t id, const char *worker_id, int64_t now)
{
	/* The body goes: it holds links with tokens, and it was delivered. */
	static const char sql[] =
	        "UPDATE outbox SET status = 'sent', sent_at = $3, body_text = '', "
	        "claimed_by = NULL, claimed_until = NULL, last_error = NULL "
	        "WHERE id = $1 AND status = 'sending' AND claimed_by = $2 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, worker_id, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	return changed(st, rc);
}

int mail_mark_failed(struct db *db, int64_t id, const char *worker_id, int64_t now,
                     const char *error, int64_t *retry_at)
{
	static const char get[] =
	        "SELECT attempts FROM outbox WHERE id = $1 AND status = 'sending' AND "
	        "claimed_by = $2";
	/* attempts = $3 makes the pair safe without a transaction: a message
	 * taken over in between has another claimant and another count. */
	static const char set[] =
	        "UPDATE outbox SET status = $4, next_attempt_at = $5, last_error = $6, "
	        "claimed_by = NULL, claimed_until = NULL "
	        "WHERE id = $1 AND status = 'sending' AND claimed_by = $2 AND attempts = $3 "
	        "RETURNING id";
	char why[301];
	struct db_stmt *st;
	size_t n = 0;
	int rc = db_prepare(db, get, &st);

	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK)
		rc = db_bind_text(st, 2, worker_id, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	int64_t attempts = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? MAIL_ELOST : rc;

	bool give_up = attempts >= MAIL_MAX_ATTEMPTS;
	int64_t due = give_up ? now : now + mail_backoff((int)attempts);
	/* Servers' replies are untrusted text: printable ASCII only. */
	for (const char *p = error ? error : ""; *p && n < sizeof why - 1; p++)
		why[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	why[n] = '\0';
	if (retry_at)
		*retry_at = give_up ? 0 : due;
	rc = db_prepare(db, set, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, worker_id, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, attempts)) == DB_OK &&
	    (rc = db_bind_text(st, 4, give_up ? "failed" : "queued", (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 5, due)) == DB_OK)
		rc = db_bind_text(st, 6, why, n);
	return changed(st, rc);
}

int mail_release(struct db *db, int64_t id, const char *worker_id, int64_t now)
{
	static const char sql[] =
	        "UPDATE outbox SET status = 'queued', attempts = attempts - 1, "
	        "next_attempt_at = $3, claimed_by = NULL, claimed_until = NULL "
	        "WHERE id = $1 AND status = 'sending' AND claimed_by = $2 RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, worker_id, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	return changed(st, rc);
}

/* -------------------------------------------------------------- delivery */

static void hex_random(char *out, size_t bytes)
{
	uint8_t raw[16];

	if (bytes > sizeof raw)
		bytes = sizeof raw;
	crypto_random(raw, bytes);
	crypto_hex(out, raw, bytes);
}

/* Creates dir (mode 0700) and, when missing, its parent (the data
 * directory, which a PostgreSQL deployment may not have made). */
static int make_dir(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	char parent[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	if (!slash || slash == dir || (size_t)(slash - dir) >= sizeof parent)
		return -1;
	memcpy(parent, dir, (size_t)(slash - dir));
	parent[slash - dir] = '\0';
	if (mkdir(parent, 0700) != 0 && errno != EEXIST)
		return -1;
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* <outbox>/<id>-<random>.eml, 0600, complete or absent: written under a
 * hidden temporary name, synced, renamed, and the directory synced. The
 * directory is opened without following a symlink. */
static int write_eml(const struct mail_config *cfg, const struct mail_msg *msg, const char *data,
                     size_t len, char *err, size_t errlen)
{
	char rnd[17], name[64], tmp[64];
	int dfd, fd = -1;

	if (make_dir(cfg->outbox_dir) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", cfg->outbox_dir, strerror(errno));
		return MAIL_EIO;
	}
	dfd = open(cfg->outbox_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", cfg->outbox_dir, strerror(errno));
		return MAIL_EIO;
	}
	hex_random(rnd, 8);
	snprintf(name, sizeof name, "%lld-%s.eml", (long long)msg->id, rnd);
	snprintf(tmp, sizeof tmp, ".%lld-%s.tmp", (long long)msg->id, rnd);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) != 0)
		goto fail;
	fsync(dfd); /* the rename itself; a failure here loses nothing yet */
	close(dfd);
	return 0;
fail:
	snprintf(err, errlen, "cannot write %s/%s: %s", cfg->outbox_dir, name, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp, 0);
	close(dfd);
	return MAIL_EIO;
}

int mail_deliver(const struct mail_config *cfg, const struct mail_msg *msg, char *err,
                 size_t errlen)
{
	struct buf b;
	int rc;

	if (!mail_address_valid(msg->to) || !mail_address_valid(cfg->from_addr)) {
		snprintf(err, errlen, "the %s address is not one plain address",
		         mail_address_valid(cfg->from_addr) ? "recipient" : "sender");
		return MAIL_ESEND;
	}
	buf_init(&b, NULL, EML_MAX);
	/* SMTP: quoted-printable, 7-bit clean for any relay (libcurl does not
	 * ask for 8BITMIME). A file: 8bit, so the links read as they are. */
	bool file = !cfg->smtp_url || !*cfg->smtp_url;
	rc = mail_format_eml(cfg, msg, file, &b);
	if (rc != 0) {
		snprintf(err, errlen, "cannot format the message: %s",
		         rc == -E2BIG ? "too large" : "out of memory");
		buf_free(&b);
		return MAIL_ESEND;
	}
	if (file) {
		rc = write_eml(cfg, msg, b.data, b.len, err, errlen);
	} else {
		struct smtp_target t = {
		        .url = cfg->smtp_url,
		        .user = cfg->smtp_user,
		        .password = cfg->smtp_password,
		        .timeout_seconds =
		                cfg->timeout_seconds ? cfg->timeout_seconds : MAIL_TIMEOUT,
		        .stop = cfg->stop,
		};
		rc = smtp_send(&t, cfg->from_addr, msg->to, b.data, b.len, err, errlen);
		rc = rc == 0                   ? 0
		        : rc == SMTP_ECANCELED ? MAIL_ECANCELED
		        : rc == SMTP_ECONFIG   ? MAIL_ECONFIG
		                               : MAIL_ESEND;
	}
	/* The body held tokens; the buffer is malloc'd, so clear it ourselves. */
	if (b.data)
		crypto_wipe(b.data, b.len);
	buf_free(&b);
	return rc;
}

int mail_process_due(struct db *db, const struct mail_config *cfg, const char *worker_id,
                     int64_t now, int *sent, int *failed)
{
	struct mail_msg msgs[MAIL_BATCH];
	struct arena *a = arena_create(0);
	char err[400];
	int n = 0, rc;

	if (!a)
		return DB_ENOMEM;
	rc = mail_claim_batch(db, a, worker_id, now, MAIL_BATCH, msgs, &n);
	if (rc != DB_OK) {
		arena_destroy(a);
		return rc;
	}
	for (int i = 0; i < n; i++) {
		const struct mail_msg *m = &msgs[i];
		if (cfg->stop && atomic_load(cfg->stop)) {
			mail_release(db, m->id, worker_id, now);
			continue;
		}
		err[0] = '\0';
		rc = mail_deliver(cfg, m, err, sizeof err);
		if (rc == 0) {
			rc = mail_mark_sent(db, m->id, worker_id, now);
			if (sent)
				(*sent)++;
			log_msg(LOG_INFO, "mail %lld delivered (%s, attempt %d)%s",
			        (long long)m->id,
			        cfg->smtp_url && *cfg->smtp_url ? "SMTP" : "outbox file",
			        m->attempts,
			        rc == MAIL_ELOST ? ", but its claim had been lost" : "");
		} else if (rc == MAIL_ECANCELED) {
			rc = mail_release(db, m->id, worker_id, now);
		} else {
			int64_t retry = 0;
			rc = mail_mark_failed(db, m->id, worker_id, now, err, &retry);
			if (failed)
				(*failed)++;
			if (retry)
				log_msg(LOG_WARN,
				        "mail %lld: attempt %d failed: %s; next in %lld s",
				        (long long)m->id, m->attempts, err,
				        (long long)(retry - now));
			else
				log_msg(LOG_ERROR, "mail %lld: attempt %d failed: %s; giving up",
				        (long long)m->id, m->attempts, err);
		}
		if (rc < 0 && rc != MAIL_ELOST)
			log_msg(LOG_ERROR, "mail %lld: cannot record the outcome: %s",
			        (long long)m->id, db_errmsg(db));
	}
	arena_destroy(a);
	return n;
}

/* ---------------------------------------------------------------- worker */

static bool round_once(void);
static void forget_paths(void);

static struct job_worker W = JOB_WORKER_INIT("mail", MAIL_POLL_SECONDS, round_once, forget_paths);
static char *data_dir_kept, *public_url_kept; /* under W.mu while it starts or stops */

/* One round; true when a full batch was claimed (more may be due). */
static bool round_once(void)
{
	struct db *db = db_pool_get();
	struct mail_config cfg;
	char err[300] = "", msg[400];
	int n = 0;

	if (!db) {
		snprintf(msg, sizeof msg, "cannot reach the store: %s", db_pool_errmsg());
		job_worker_report(&W, msg);
		return false;
	}
	struct arena *a = arena_create(0);
	if (!a)
		return false;
	int rc = mail_config_load(db, a, data_dir_kept, public_url_kept, &cfg, err, sizeof err);
	if (rc == MAIL_ECONFIG) {
		snprintf(msg, sizeof msg, "mail is not being sent: %s", err);
		job_worker_report(&W, msg);
	} else if (rc != 0) {
		snprintf(msg, sizeof msg, "cannot read the settings: %s", db_errmsg(db));
		job_worker_report(&W, msg);
	} else {
		cfg.stop = &W.stop;
		n = mail_process_due(db, &cfg, W.id, (int64_t)time(NULL), NULL, NULL);
		if (n < 0 && n != DB_ERETRY) {
			snprintf(msg, sizeof msg, "cannot claim mail: %s", db_errmsg(db));
			job_worker_report(&W, msg);
		} else {
			job_worker_report(&W, NULL);
		}
	}
	arena_destroy(a);
	return n >= MAIL_BATCH;
}

static void forget_paths(void)
{
	free(data_dir_kept);
	free(public_url_kept);
	data_dir_kept = public_url_kept = NULL;
}

struct paths {
	const char *data_dir, *public_url;
};

static int keep_paths(void *arg)
{
	const struct paths *p = arg;
	data_dir_kept = strdup(p->data_dir ? p->data_dir : ".");
	public_url_kept = strdup(p->public_url ? p->public_url : "");
	return data_dir_kept && public_url_kept ? 0 : -1;
}

int mail_worker_start(const char *data_dir, const char *public_url)
{
	struct paths p = {data_dir, public_url};
	return job_worker_start(&W, keep_paths, &p);
}

void mail_kick(void)
{
	job_worker_kick(&W);
}

void mail_worker_stop(void)
{
	job_worker_stop(&W);
}

const char *mail_outbox_note(struct db *db, const char *data_dir, char *buf, size_t len)
{
	struct arena *a = arena_create(0);
	const char *url = NULL;
	char real[PATH_MAX];

	if (!a)
		return NULL;
	int rc = setting(db, a, "smtp.url", &url);
	bool smtp = rc != DB_OK || *url;
	arena_destroy(a);
	if (smtp || !len)
		return NULL;
	if (!data_dir)
		data_dir = ".";
	snprintf(buf, len,
	         "no SMTP server is configured (site setting smtp.url), so mail is written as "
	         ".eml files to %s/outbox/ (docs/mail.md)",
	         realpath(data_dir, real) ? real : data_dir);
	return buf;
}
