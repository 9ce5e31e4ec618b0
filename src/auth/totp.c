/* auth/totp.c — see totp.h. liboath computes and checks the codes,
 * libqrencode lays out the QR symbol; sealing, hashing and randomness go
 * through core/crypto like everywhere else. */
#include "auth/totp.h"

#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"

#include <errno.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Labels of the keys derived from the deployment secret. Changing one
 * makes every stored value of that kind unreadable: add a new one instead. */
#define SEAL_LABEL "csec-totp-secret-v1"
#define RECOVERY_LABEL "csec-recovery-code-v1"

/* Crockford's base32 alphabet: no i, l, o or u, and the look-alikes are read
 * as the digits they resemble, so whatever a person copies down works. 32
 * symbols, so a random byte's low 5 bits pick one without bias. */
static const char recovery_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* ------------------------------------------------------------ liboath */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_status = OATH_OK;

static void oath_start(void)
{
	oath_status = oath_init();
	if (oath_status != OATH_OK)
		log_msg(LOG_ERROR, "totp: liboath will not start: %s", oath_strerror(oath_status));
}

int totp_init(void)
{
	pthread_once(&oath_once, oath_start);
	return oath_status == OATH_OK ? 0 : TOTP_ELIB;
}

/* true when s is exactly TOTP_SECRET_LEN characters of RFC 4648 base32. */
static bool secret_ok(const char *s)
{
	if (!s || strnlen(s, TOTP_SECRET_LEN + 1) != TOTP_SECRET_LEN)
		return false;
	for (size_t i = 0; i < TOTP_SECRET_LEN; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '7')))
			return false;
	return true;
}

int totp_new_secret(char *out, size_t outlen)
{
	uint8_t raw[TOTP_SECRET_BYTES];
	char *enc = NULL;
	size_t n = 0;
	if (outlen < TOTP_SECRET_LEN + 1 || totp_init() != 0)
		return TOTP_ELIB;
	crypto_random(raw, sizeof raw);
	int rc = oath_base32_encode((const char *)raw, sizeof raw, &enc, &n);
	crypto_wipe(raw, sizeof raw);
	if (rc != OATH_OK || n != TOTP_SECRET_LEN) {
		if (enc) {
			crypto_wipe(enc, n);
			free(enc);
		}
		return TOTP_ELIB;
	}
	memcpy(out, enc, TOTP_SECRET_LEN);
	out[TOTP_SECRET_LEN] = '\0';
	crypto_wipe(enc, n);
	free(enc);
	return 0;
}

/* ---------------------------------------------------------- otpauth URI */

static bool label_ok(const char *s)
{
	size_t n = s ? strnlen(s, TOTP_LABEL_MAX + 1) : 0;
	if (n == 0 || n > TOTP_LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

/* Percent-encodes s (RFC 3986: everything but the unreserved characters)
 * into out at *n; out has room (3 x TOTP_LABEL_MAX per label). */
static void pct(char *out, size_t *n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[(*n)++] = (char)c;
		} else {
			out[(*n)++] = '%';
			out[(*n)++] = hex[c >> 4];
			out[(*n)++] = hex[c & 15];
		}
	}
}

static void put(char *out, size_t *n, const char *s)
{
	size_t len = strlen(s);
	memcpy(out + *n, s, len);
	*n += len;
}

int totp_uri(const char *issuer, const char *email, const char *secret, struct buf *out)
{
	/* Built on the stack and appended once, so the secret is not left
	 * behind in a buffer's earlier, freed allocations. */
	char uri[64 + 9 * TOTP_LABEL_MAX + TOTP_SECRET_LEN];
	size_t n = 0;
	if (!label_ok(issuer) || !label_ok(email) || !secret_ok(secret))
		return -EINVAL;
	put(uri, &n, "otpauth://totp/");
	pct(uri, &n, issuer);
	put(uri, &n, ":");
	pct(uri, &n, email);
	put(uri, &n, "?secret=");
	put(uri, &n, secret);
	put(uri, &n, "&issuer=");
	pct(uri, &n, issuer);
	put(uri, &n, "&algorithm=SHA1&digits=6&period=30");
	int rc = buf_append(out, uri, n);
	crypto_wipe(uri, sizeof uri);
	return rc;
}

/* ------------------------------------------------------------ QR as SVG */

/* Appends s with the five XML-special characters escaped. */
static int put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_putc(b, *s);
		}
	}
	return b->err;
}

int totp_qr_svg(const char *text, const char *aria_label, struct buf *out)
{
	enum { QUIET = 4 };
	size_t tn = text ? strnlen(text, TOTP_QR_TEXT_MAX + 1) : 0;
	if (tn == 0 || tn > TOTP_QR_TEXT_MAX || !label_ok(aria_label))
		return -EINVAL;
	if (out->err)
		return out->err;
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr) {
		if (errno == ENOMEM)
			return -ENOMEM;
		log_msg(LOG_ERROR, "totp: libqrencode refused %zu bytes: %s", tn, strerror(errno));
		return TOTP_ELIB;
	}
	/* Drawn into a buffer of its own, within what out has left, so out is
	 * unchanged when the drawing does not fit. */
	struct buf b;
	buf_init(&b, NULL, out->max - out->len);
	int w = qr->width, size = w + 2 * QUIET;
	buf_printf(&b,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
	           "aria-label=\"",
	           size, size);
	put_escaped(&b, aria_label);
	buf_printf(&b,
	           "\" class=\"totp-qr\" shape-rendering=\"crispEdges\">"
	           "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	           size, size);
	/* One subpath per horizontal run of dark modules: compact, and exact
	 * at any scale with crispEdges. Bit 0 of each byte is "dark". */
	for (int y = 0; y < w && !b.err; y++) {
		const unsigned char *row = qr->data + (size_t)y * (size_t)w;
		for (int x = 0; x < w;) {
			if (!(row[x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (row[x + run] & 1))
				run++;
			buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
			x += run;
		}
	}
	buf_puts(&b, "\"/></svg>");
	QRcode_free(qr);
	int rc = b.err ? b.err : buf_append(out, b.data, b.len);
	buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------ checking */

/* Strips ASCII spaces; true when exactly TOTP_DIGITS digits remain. */
static bool code_digits(const char *code, char out[TOTP_DIGITS + 1])
{
	size_t n = code ? strnlen(code, TOTP_CODE_MAX + 1) : TOTP_CODE_MAX + 1, k = 0;
	if (n > TOTP_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (code[i] == ' ')
			continue;
		if (code[i] < '0' || code[i] > '9' || k == TOTP_DIGITS)
			return false;
		out[k++] = code[i];
	}
	out[k] = '\0';
	return k == TOTP_DIGITS;
}

/* liboath's comparison hook, so the typed code is compared in constant
 * time with each candidate (its default is strcmp). 0 means equal. */
static int code_cmp(void *handle, const char *candidate)
{
	return crypto_equal(handle, candidate, TOTP_DIGITS + 1) ? 0 : 1;
}

int totp_check(const char *secret, const char *code, int64_t now, int64_t last_step,
               int64_t *matched_step)
{
	char digits[TOTP_DIGITS + 1];
	char *raw = NULL;
	size_t rawlen = 0;
	uint64_t step = 0;
	int pos = 0;
	*matched_step = 0;
	if (!code_digits(code, digits))
		return TOTP_EFORMAT;
	/* Before 1970-01-01T00:00:30 the window would reach step -1. */
	if (!secret_ok(secret) || now < (int64_t)TOTP_PERIOD * TOTP_WINDOW || totp_init() != 0)
		return TOTP_ELIB;
	if (oath_base32_decode(secret, TOTP_SECRET_LEN, &raw, &rawlen) != OATH_OK || !raw)
		return TOTP_ELIB;
	int rc = oath_totp_validate3_callback(raw, rawlen, (time_t)now, TOTP_PERIOD, 0, TOTP_DIGITS,
	                                      TOTP_WINDOW, &pos, &step, code_cmp, digits);
	crypto_wipe(raw, rawlen);
	free(raw);
	crypto_wipe(digits, sizeof digits);
	if (rc == OATH_INVALID_OTP)
		return TOTP_EINVALID;
	if (rc < 0)
		return TOTP_ELIB;
	/* A code is right for one step; if it matched one already used, it
	 * is a replay. (It could also match a newer step in the window by
	 * chance, about 2 in 10^6: the person then waits for the next code.) */
	if ((int64_t)step <= last_step)
		return TOTP_EREUSED;
	*matched_step = (int64_t)step;
	return 0;
}

/* ------------------------------------------------------------ store helpers */

/* Runs a prepared statement to completion and finalizes it. */
static int finish(struct db_stmt *st, int rc)
{
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

/* Runs a statement whose parameter $1 is a user id. */
static int exec_user(struct db *db, const char *sql, int64_t user_id)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_int64(st, 1, user_id));
}

/* What the sealed secret is bound to: its row. */
static void seal_context(char out[40], int64_t user_id)
{
	snprintf(out, 40, "user_mfa:%lld", (long long)user_id);
}

struct mfa_row {
	bool found, enabled;
	int64_t last_step;
	char sealed[128];
};

static int load_row(struct db *db, int64_t user_id, struct mfa_row *r)
{
	static const char sql[] =
	        "SELECT secret_sealed, enabled, last_step FROM user_mfa WHERE user_id = $1";
	struct db_stmt *st;
	memset(r, 0, sizeof *r);
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, user_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n;
		const char *s = db_column_text(st, 0, &n);
		r->found = true;
		r->enabled = db_column_int64(st, 1) != 0;
		r->last_step = db_column_int64(st, 2);
		/* Longer than any sealed secret: it cannot open anyway. */
		if (n >= sizeof r->sealed)
			n = 0;
		memcpy(r->sealed, s, n);
		r->sealed[n] = '\0';
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Opens a row's sealed secret into out (TOTP_SECRET_LEN + 1 bytes). */
static int open_secret(const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                       const struct mfa_row *r, char out[TOTP_SECRET_LEN + 1])
{
	uint8_t k[CRYPTO_KEY_BYTES];
	char ctx[40];
	size_t n = 0;
	seal_context(ctx, user_id);
	int rc = crypto_derive_key(k, key, SEAL_LABEL);
	if (rc == 0)
		rc = crypto_open_text(out, TOTP_SECRET_LEN, &n, k, r->sealed, strlen(r->sealed),
		                      ctx);
	crypto_wipe(k, sizeof k);
	out[rc == 0 ? n : 0] = '\0';
	if (rc != 0 || !secret_ok(out)) {
		crypto_wipe(out, TOTP_SECRET_LEN + 1);
		/* Either the deployment secret changed or someone edited the
		 * row: worth an operator's attention, never a person's. */
		log_msg(LOG_ERROR, "totp: the secret of user %lld does not open",
		        (long long)user_id);
		return TOTP_ESEALED;
	}
	return 0;
}

/* ------------------------------------------------------------ enrolment */

int totp_enrol_begin(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                     const char *secret)
{
	/* The upsert only touches a row that is not enabled; RETURNING tells
	 * whether it did. */
	static const char sql[] =
	        "INSERT INTO user_mfa (user_id, secret_sealed, enabled, last_step) "
	        "VALUES ($1, $2, 0, 0) ON CONFLICT (user_id) DO UPDATE SET "
	        "secret_sealed = excluded.secret_sealed, last_step = 0 "
	        "WHERE user_mfa.enabled = 0 RETURNING user_id";
	uint8_t k[CRYPTO_KEY_BYTES];
	char sealed[128], ctx[40];
	if (!secret_ok(secret))
		return TOTP_ELIB;
	_Static_assert(sizeof sealed >= 3 + (24 + TOTP_SECRET_LEN + 16 + 2) / 3 * 4 + 1,
	               "room for a sealed secret");
	seal_context(ctx, user_id);
	int rc = crypto_derive_key(k, key, SEAL_LABEL);
	if (rc == 0)
		rc = crypto_seal_text(sealed, sizeof sealed, k, secret, TOTP_SECRET_LEN, ctx);
	crypto_wipe(k, sizeof k);
	if (rc != 0)
		return TOTP_ELIB;
	struct db_stmt *st;
	rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_text(st, 2, sealed, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	if (rc == DB_ROW)
		return DB_OK;
	return rc == DB_DONE ? TOTP_EENABLED : rc;
}

int totp_pending_secret(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                        char *out, size_t outlen)
{
	struct mfa_row r;
	if (outlen < TOTP_SECRET_LEN + 1)
		return TOTP_ELIB;
	out[0] = '\0';
	int rc = load_row(db, user_id, &r);
	if (rc != DB_OK)
		return rc;
	if (!r.found)
		return TOTP_ENOTENROLLED;
	if (r.enabled)
		return TOTP_EENABLED;
	return open_secret(key, user_id, &r, out);
}

/* The HMAC of a normalised recovery code, hex, under the derived key. The
 * user id goes in too, so equal codes of two people hash differently. */
static int recovery_hash(const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                         const char norm[TOTP_RECOVERY_CHARS], char out[65])
{
	uint8_t k[CRYPTO_KEY_BYTES], mac[CRYPTO_HMAC_BYTES];
	char msg[40];
	int n = snprintf(msg, sizeof msg, "%lld:", (long long)user_id);
	memcpy(msg + n, norm, TOTP_RECOVERY_CHARS);
	int rc = crypto_derive_key(k, key, RECOVERY_LABEL);
	if (rc == 0) {
		crypto_hmac(mac, k, msg, (size_t)n + TOTP_RECOVERY_CHARS);
		crypto_hex(out, mac, sizeof mac);
	}
	crypto_wipe(k, sizeof k);
	crypto_wipe(msg, sizeof msg);
	crypto_wipe(mac, sizeof mac);
	return rc == 0 ? 0 : TOTP_ELIB;
}

/* Ten new codes for user_id: the old ones go, the HMACs of the new ones are
 * stored, and their display form ("abcde-fghij") is written to codes. */
static int recovery_replace(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                            char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT])
{
	static const char del[] = "DELETE FROM recovery_codes WHERE user_id = $1";
	static const char ins[] = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
	char norm[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_CHARS];
	uint8_t rnd[TOTP_RECOVERY_CHARS];
	int rc = exec_user(db, del, user_id);
	if (rc != DB_OK)
		return rc;
	for (int i = 0; i < TOTP_RECOVERY_COUNT; i++) {
		bool dup;
		do {
			crypto_random(rnd, sizeof rnd);
			for (int j = 0; j < TOTP_RECOVERY_CHARS; j++)
				norm[i][j] = recovery_alphabet[rnd[j] & 31];
			/* Two equal codes in one set (2^-50 a pair) would hit
			 * the unique index; draw again. */
			dup = false;
			for (int j = 0; j < i && !dup; j++)
				dup = memcmp(norm[i], norm[j], TOTP_RECOVERY_CHARS) == 0;
		} while (dup);
	}
	crypto_wipe(rnd, sizeof rnd);
	for (int i = 0; i < TOTP_RECOVERY_COUNT && rc == DB_OK; i++) {
		char hash[65];
		struct db_stmt *st;
		if ((rc = recovery_hash(key, user_id, norm[i], hash)) != 0)
			break;
		if ((rc = db_prepare(db, ins, &st)) != DB_OK)
			break;
		if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
			rc = db_bind_text(st, 2, hash, 64);
		rc = finish(st, rc);
	}
	if (rc == DB_OK)
		for (int i = 0; i < TOTP_RECOVERY_COUNT; i++) {
			memcpy(codes[i], norm[i], 5);
			codes[i][5] = '-';
			memcpy(codes[i] + 6, norm[i] + 5, 5);
			codes[i][11] = '\0';
		}
	crypto_wipe(norm, sizeof norm);
	return rc;
}

int totp_enrol_confirm(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                       const char *code, int64_t now,
                       char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT])
{
	/* The sealed value is matched too: if a second enrol_begin replaced
	 * the secret meanwhile, the code was checked against the wrong one. */
	static const char sql[] =
	        "UPDATE user_mfa SET enabled = 1, last_step = $2 WHERE user_id = $1 AND "
	        "enabled = 0 AND secret_sealed = $3 RETURNING user_id";
	struct mfa_row r;
	char secret[TOTP_SECRET_LEN + 1];
	int64_t step = 0;
	memset(codes, 0, (size_t)TOTP_RECOVERY_COUNT * TOTP_RECOVERY_TEXT);
	int rc = load_row(db, user_id, &r);
	if (rc != DB_OK)
		return rc;
	if (!r.found)
		return TOTP_ENOTENROLLED;
	if (r.enabled)
		return TOTP_EENABLED;
	if ((rc = open_secret(key, user_id, &r, secret)) != 0)
		return rc;
	rc = totp_check(secret, code, now, 0, &step);
	crypto_wipe(secret, sizeof secret);
	if (rc != 0)
		return rc;
	struct db_stmt *st;
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, step)) == DB_OK)
		rc = db_bind_text(st, 3, r.sealed, (size_t)-1);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	if (rc == DB_DONE)
		return TOTP_ENOTENROLLED; /* changed under us: start again */
	if (rc != DB_ROW)
		return rc;
	return recovery_replace(db, key, user_id, codes);
}

/* ------------------------------------------------------------ sign-in */

int totp_verify(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                const char *code, int64_t now)
{
	/* The guard against replay under a race: of two requests that both
	 * checked the code against the old last_step, the second finds the
	 * row already moved (PostgreSQL re-reads it after the first commits;
	 * SQLite has one writer) and updates nothing. */
	static const char sql[] = "UPDATE user_mfa SET last_step = $2 WHERE user_id = $1 AND "
	                          "enabled = 1 AND last_step < $2 RETURNING user_id";
	struct mfa_row r;
	char secret[TOTP_SECRET_LEN + 1], digits[TOTP_DIGITS + 1];
	int64_t step = 0;
	/* A malformed code is refused before the store is asked anything. */
	if (!code_digits(code, digits))
		return TOTP_EFORMAT;
	crypto_wipe(digits, sizeof digits);
	int rc = load_row(db, user_id, &r);
	if (rc != DB_OK)
		return rc;
	if (!r.found || !r.enabled)
		return TOTP_ENOTENROLLED;
	if ((rc = open_secret(key, user_id, &r, secret)) != 0)
		return rc;
	rc = totp_check(secret, code, now, r.last_step, &step);
	crypto_wipe(secret, sizeof secret);
	if (rc != 0)
		return rc;
	struct db_stmt *st;
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK)
		rc = db_bind_int64(st, 2, step);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	if (rc == DB_ROW)
		return DB_OK;
	return rc == DB_DONE ? TOTP_EREUSED : rc;
}

/* Lower-cases, drops spaces and hyphens, reads o/i/l as 0/1/1; true when
 * exactly TOTP_RECOVERY_CHARS characters of the alphabet remain. */
static bool recovery_normalise(const char *in, char out[TOTP_RECOVERY_CHARS])
{
	size_t n = in ? strnlen(in, TOTP_RECOVERY_MAX + 1) : TOTP_RECOVERY_MAX + 1, k = 0;
	if (n > TOTP_RECOVERY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == 'o')
			c = '0';
		else if (c == 'i' || c == 'l')
			c = '1';
		if (c == '\0' || !strchr(recovery_alphabet, c) || k == TOTP_RECOVERY_CHARS)
			return false;
		out[k++] = c;
	}
	return k == TOTP_RECOVERY_CHARS;
}

int totp_use_recovery(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                      const char *code, int64_t now)
{
	/* Spending is the check: an unused code with this HMAC, of a user
	 * whose MFA is on. Only one of two racing requests gets the row. */
	static const char sql[] =
	        "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 "
	        "AND used_at IS NULL AND EXISTS (SELECT 1 FROM user_mfa m WHERE m.user_id = $1 "
	        "AND m.enabled = 1) RETURNING id";
	char norm[TOTP_RECOVERY_CHARS], hash[65];
	if (!recovery_normalise(code, norm)) {
		crypto_wipe(norm, sizeof norm);
		return TOTP_EFORMAT;
	}
	int rc = recovery_hash(key, user_id, norm, hash);
	crypto_wipe(norm, sizeof norm);
	if (rc != 0)
		return rc;
	struct db_stmt *st;
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_int64(st, 1, user_id)) == DB_OK &&
	    (rc = db_bind_text(st, 2, hash, 64)) == DB_OK)
		rc = db_bind_int64(st, 3, now);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	if (rc == DB_ROW)
		return DB_OK;
	return rc == DB_DONE ? TOTP_EINVALID : rc;
}

int totp_recovery_regenerate(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                             char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT])
{
	bool on = false;
	memset(codes, 0, (size_t)TOTP_RECOVERY_COUNT * TOTP_RECOVERY_TEXT);
	int rc = totp_enabled(db, user_id, &on);
	if (rc != DB_OK)
		return rc;
	if (!on)
		return TOTP_ENOTENROLLED;
	return recovery_replace(db, key, user_id, codes);
}

/* Runs a one-row, one-integer query whose $1 is a user id. */
static int query_user_int(struct db *db, const char *sql, int64_t user_id, int64_t *v)
{
	struct db_stmt *st;
	*v = 0;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_bind_int64(st, 1, user_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		*v = db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int totp_recovery_remaining(struct db *db, int64_t user_id, int *remaining)
{
	static const char sql[] =
	        "SELECT count(*) FROM recovery_codes r JOIN user_mfa m ON m.user_id = r.user_id "
	        "WHERE r.user_id = $1 AND r.used_at IS NULL AND m.enabled = 1";
	int64_t v;
	int rc = query_user_int(db, sql, user_id, &v);
	*remaining = (int)v;
	return rc;
}

int totp_disable(struct db *db, int64_t user_id)
{
	static const char codes[] = "DELETE FROM recovery_codes WHERE user_id = $1";
	static const char challenges[] = "DELETE FROM mfa_challenges WHERE user_id = $1";
	static const char mfa[] = "DELETE FROM user_mfa WHERE user_id = $1";
	int rc = exec_user(db, codes, user_id);
	if (rc == DB_OK)
		rc = exec_user(db, challenges, user_id);
	if (rc == DB_OK)
		rc = exec_user(db, mfa, user_id);
	return rc;
}

int totp_enabled(struct db *db, int64_t user_id, bool *enabled)
{
	static const char sql[] = "SELECT enabled FROM user_mfa WHERE user_id = $1";
	int64_t v;
	int rc = query_user_int(db, sql, user_id, &v);
	*enabled = rc == DB_OK && v != 0;
	return rc;
}

int mfa_required(struct db *db, int64_t user_id, bool *required)
{
	static const char sql[] =
	        "SELECT count(*) FROM users u WHERE u.id = $1 AND " MFA_REQUIRED_SQL("u");
	int64_t v;
	int rc = query_user_int(db, sql, user_id, &v);
	*required = rc == DB_OK && v != 0;
	return rc;
}

/* ------------------------------------------------------------ challenges */

int mfa_challenge_create(struct db *db, int64_t user_id, int64_t now, char *token)
{
	static const char prune[] = "DELETE FROM mfa_challenges WHERE expires_at <= $1";
	static const char sql[] = "INSERT INTO mfa_challenges (token_hash, user_id, created_at, "
	                          "expires_at) VALUES ($1, $2, $3, $4)";
	char hash[CRYPTO_TOKEN_HASH_LEN + 1];
	struct db_stmt *st;
	token[0] = '\0';
	/* Dead challenges are worthless; dropping them here keeps the table
	 * small without a sweeper. */
	int rc = db_prepare(db, prune, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = finish(st, db_bind_int64(st, 1, now))) != DB_OK)
		return rc;
	crypto_token_new(token);
	crypto_token_hash(token, hash);
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, 64)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, user_id)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now)) == DB_OK)
		rc = db_bind_int64(st, 4, now + MFA_CHALLENGE_SECONDS);
	rc = finish(st, rc);
	if (rc != DB_OK)
		crypto_wipe(token, MFA_CHALLENGE_TOKEN_LEN + 1);
	return rc;
}

int mfa_challenge_take(struct db *db, const char *token, int64_t now, int64_t *user_id)
{
	static const char sql[] =
	        "SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND expires_at > $2";
	char hash[65];
	struct db_stmt *st;
	*user_id = 0;
	if (!crypto_token_well_formed(token, MFA_CHALLENGE_TOKEN_LEN))
		return DB_DONE;
	crypto_token_hash(token, hash);
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, hash, 64)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		*user_id = db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc;
}

int mfa_challenge_delete(struct db *db, const char *token)
{
	static const char sql[] = "DELETE FROM mfa_challenges WHERE token_hash = $1";
	char hash[65];
	if (!crypto_token_well_formed(token, MFA_CHALLENGE_TOKEN_LEN))
		return DB_OK;
	crypto_token_hash(token, hash);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	return finish(st, db_bind_text(st, 1, hash, 64));
}
