/* auth/totp.h — the second factor (DESIGN.md §6; docs/mfa.md): TOTP (RFC
 * 6238: HMAC-SHA-1, 6 digits, 30-second steps) through liboath, enrolment
 * by QR code (libqrencode, drawn as SVG) or by the secret in text, ten
 * single-use recovery codes, and the half-signed-in state ("challenge")
 * between a right password and a right code.
 *
 * At rest: the TOTP secret is sealed (XChaCha20-Poly1305, core/crypto) under
 * a key derived from the deployment secret and bound to its user id;
 * recovery codes are kept as HMACs under another derived key; challenges as
 * SHA-256 of their token. Every model function takes the deployment secret
 * itself (secret_load's 32 bytes) and derives what it needs.
 *
 * Reuse: user_mfa.last_step holds the last accepted time step, and a code is
 * only accepted for a later one. totp_verify moves it with a conditional
 * UPDATE, so two requests racing with one code cannot both pass.
 *
 * Transactions: model functions run in whatever the caller has open (or in
 * autocommit); they never begin or commit. Those that write several rows
 * (totp_enrol_confirm, totp_recovery_regenerate, totp_disable) must be
 * called inside db_begin_write, with the audit record of the change
 * appended in the same transaction. On DB_ERETRY roll back and retry all.
 *
 * Return codes: 0 (DB_OK) on success; the TOTP_E* values below; or a
 * negative DB_E* code from the store (-1..-5). The lockout (DESIGN.md §6)
 * is the caller's: count TOTP_EFORMAT, TOTP_EINVALID and TOTP_EREUSED as
 * sign-in failures. */
#ifndef CSEC_AUTH_TOTP_H
#define CSEC_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"

struct buf;
struct db;

#define TOTP_SECRET_BYTES 20 /* 160 bits, RFC 4226's recommendation */
#define TOTP_SECRET_LEN 32 /* its base32, A-Z2-7, no padding */
#define TOTP_DIGITS 6
#define TOTP_PERIOD 30 /* seconds per time step */
#define TOTP_WINDOW 1 /* steps accepted either side of now's */
#define TOTP_CODE_MAX 32 /* bytes of input looked at, spaces included */

#define TOTP_RECOVERY_COUNT 10
#define TOTP_RECOVERY_CHARS 10 /* 50 bits each */
#define TOTP_RECOVERY_TEXT 12 /* "abcde-fghij" and the NUL */
#define TOTP_RECOVERY_MAX 64 /* bytes of input looked at */

#define MFA_CHALLENGE_TOKEN_LEN CRYPTO_TOKEN_LEN /* base64url of 32 bytes, unpadded */
#define MFA_CHALLENGE_SECONDS 300 /* DESIGN.md §6: 5 minutes */

#define TOTP_LABEL_MAX 200 /* issuer, email and aria-label, in bytes */
#define TOTP_QR_TEXT_MAX 1024 /* bytes a QR code is asked to hold */

/* DB codes are -1..-5 and audit's -16; these stay clear of both. */
enum {
	TOTP_EFORMAT = -20, /* not 6 digits (or not shaped like a recovery code) */
	TOTP_EINVALID = -21, /* a well-formed code that is wrong */
	TOTP_EREUSED = -22, /* right, but for a time step already used */
	TOTP_ENOTENROLLED = -23, /* no secret stored, or MFA not (yet) enabled */
	TOTP_EENABLED = -24, /* MFA already on: turn it off first */
	TOTP_ESEALED = -25, /* the stored secret will not open: another deployment
	                       secret, or the row was altered (logged) */
	TOTP_ELIB = -26, /* liboath or libqrencode failed, or a bad argument */
};

/* Calls liboath's oath_init once per process (pthread_once; the other
 * functions call it too, so forgetting it costs nothing). Call it at
 * start-up after crypto_init. 0, or TOTP_ELIB when liboath will not start. */
int totp_init(void);

/* A new secret: TOTP_SECRET_BYTES random bytes in base32 (liboath's
 * encoder), TOTP_SECRET_LEN characters, into out (outlen >= 33). Show it to
 * the person (QR code and text) and hand it to totp_enrol_begin. Wipe out
 * after use. 0, or TOTP_ELIB. */
int totp_new_secret(char *out, size_t outlen);

/* The otpauth URI an authenticator app reads from the QR code:
 *   otpauth://totp/ISSUER:EMAIL?secret=S&issuer=ISSUER&algorithm=SHA1
 *       &digits=6&period=30
 * with issuer and email percent-encoded (every byte but A-Z a-z 0-9 - . _ ~,
 * so '+' is %2B, ' ' is %20 and '@' is %40). Appends to out. 0; -EINVAL when
 * issuer or email is empty, longer than TOTP_LABEL_MAX, or holds ':' (the
 * label's separator) or a control byte, or the secret is not base32;
 * -ENOMEM or -E2BIG from the buffer. The URI holds the secret: wipe out. */
int totp_uri(const char *issuer, const char *email, const char *secret, struct buf *out);

/* Draws text (at most TOTP_QR_TEXT_MAX bytes) as a QR code (libqrencode,
 * byte mode, error correction M) in SVG, appended to out:
 *   <svg xmlns=... viewBox="0 0 N N" role="img" aria-label="LABEL"
 *   class="totp-qr"><rect .../><path fill="#000" d="..."/></svg>
 * one <path> of the dark modules, a quiet zone of 4 modules on a white
 * <rect>, no width or height (size it with CSS on .totp-qr) and no style
 * attribute (the CSP forbids inline styles; fill is a presentation
 * attribute). aria_label is HTML-escaped here. The SVG is meant to be
 * written into the page as is (raw output): it is built from digits and
 * the escaped label only. A 300-byte URI needs under 16 KiB; give out a
 * maximum of 64 KiB. 0; -EINVAL for a bad argument; TOTP_ELIB when
 * libqrencode refuses; -ENOMEM or -E2BIG from the buffer. */
int totp_qr_svg(const char *text, const char *aria_label, struct buf *out);

/* Checks code against the base32 secret at time now (Unix seconds), with
 * TOTP_WINDOW steps either side. code: 6 ASCII digits; ASCII spaces are
 * ignored, anything else fails. A step <= last_step is refused, so a code
 * works once. On success returns 0 and the step it matched in
 * *matched_step (store it as the new last_step). Otherwise TOTP_EFORMAT,
 * TOTP_EINVALID, TOTP_EREUSED or TOTP_ELIB (bad secret). Pure: no store.
 * The comparison is constant-time. */
int totp_check(const char *secret, const char *code, int64_t now, int64_t last_step,
               int64_t *matched_step);

/* Enrolment, step 1: stores secret (from totp_new_secret) sealed, not yet
 * enabled; a pending secret from an earlier step 1 is replaced. Refuses
 * with TOTP_EENABLED when MFA is already on (turning it off needs the
 * password; replacing an active secret must not be a way round that).
 * TOTP_ELIB when secret is not TOTP_SECRET_LEN base32 characters. */
int totp_enrol_begin(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                     const char *secret);

/* The pending (not yet enabled) secret, for showing the same QR code again
 * when the enrolment page is reloaded, into out (outlen >= 33; wipe it).
 * TOTP_ENOTENROLLED when none is pending, TOTP_EENABLED when MFA is on
 * (an active secret is never read back), TOTP_ESEALED. */
int totp_pending_secret(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                        char *out, size_t outlen);

/* Enrolment, step 2: checks code against the pending secret; when right,
 * enables MFA, records the step (so this code cannot be used again to sign
 * in) and replaces the recovery codes with ten new ones, written in plain
 * text to codes ("abcde-fghij") for the caller to show ONCE: only their
 * HMACs are stored. Wipe codes after rendering. Call inside
 * db_begin_write. TOTP_ENOTENROLLED (no pending secret), TOTP_EENABLED,
 * TOTP_EFORMAT, TOTP_EINVALID, TOTP_ESEALED, or a DB code. */
int totp_enrol_confirm(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                       const char *code, int64_t now,
                       char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT]);

/* Sign-in, second step: checks code against the user's enabled secret and
 * moves last_step to the matched step with
 *   UPDATE ... SET last_step = $s WHERE user_id = $u AND last_step < $s
 * so of two requests racing with one code only one gets the row. 0 when
 * accepted; TOTP_ENOTENROLLED (MFA off), TOTP_EFORMAT, TOTP_EINVALID,
 * TOTP_EREUSED (also when another request won the race), TOTP_ESEALED, or
 * a DB code. */
int totp_verify(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                const char *code, int64_t now);

/* Sign-in with a recovery code instead of a TOTP code: spends one unused
 * code of the user's (used_at = now) with a conditional UPDATE, so it works
 * once even under a race. Case, spaces and hyphens are ignored, and the
 * look-alikes o, i and l read as 0, 1 and 1. 0 when accepted;
 * TOTP_EFORMAT (not 10 characters of the alphabet), TOTP_EINVALID (wrong
 * or spent, or MFA off), or a DB code. */
int totp_use_recovery(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                      const char *code, int64_t now);

/* Replaces the user's recovery codes with ten new ones (as
 * totp_enrol_confirm: plain text in codes, shown once). Ask for the
 * password or a TOTP code first. Call inside db_begin_write.
 * TOTP_ENOTENROLLED when MFA is off, or a DB code. */
int totp_recovery_regenerate(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                             char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_TEXT]);

/* Number of unused recovery codes in *remaining (0 when MFA is off). */
int totp_recovery_remaining(struct db *db, int64_t user_id, int *remaining);

/* Turns MFA off: removes the secret (pending or enabled), the recovery codes
 * and the user's open challenges. Ask for the password again first
 * (DESIGN.md §6). Call inside db_begin_write. 0 also when MFA was off. */
int totp_disable(struct db *db, int64_t user_id);

/* *enabled = true when the user has confirmed MFA (a pending enrolment does
 * not count). */
int totp_enabled(struct db *db, int64_t user_id, bool *enabled);

/* *required = true when MFA is mandatory for the user (DESIGN.md §6): a
 * site admin, an org_admin or leader in any organization, or a member of
 * any organization with mfa_required set. Every membership counts, whatever
 * the organization's status or the session's active organization, so the
 * rule cannot be dodged by switching organization. */
int mfa_required(struct db *db, int64_t user_id, bool *required);

/* The same rule as one SQL condition on a users row aliased U, for queries
 * that load a person anyway (session_load): one place says who needs MFA. */
#define MFA_REQUIRED_SQL(U)                                                                        \
	"(" U ".site_admin <> 0 OR EXISTS (SELECT 1 FROM memberships mr JOIN organizations orr "   \
	"ON orr.id = mr.org_id WHERE mr.user_id = " U ".id AND "                                   \
	"(mr.role IN ('org_admin', 'leader') OR orr.mfa_required <> 0)))"
/* True (as SQL) when the users row aliased U has MFA set up and enabled. */
#define MFA_ENABLED_SQL(U)                                                                         \
	"EXISTS (SELECT 1 FROM user_mfa me WHERE me.user_id = " U ".id AND me.enabled = 1)"

/* The half-signed-in state. mfa_challenge_create stores a new challenge for
 * user_id that expires MFA_CHALLENGE_SECONDS after now, and writes its
 * random token (MFA_CHALLENGE_TOKEN_LEN + 1 bytes) to token; only its
 * SHA-256 is stored. Expired challenges are pruned on the way. */
int mfa_challenge_create(struct db *db, int64_t user_id, int64_t now, char *token);

/* The user of a live challenge: 0 and *user_id when token is known and now
 * is before its expiry; DB_DONE when unknown, malformed or expired. Does not
 * delete it (a mistyped code may be tried again, within the lockout). */
int mfa_challenge_take(struct db *db, const char *token, int64_t now, int64_t *user_id);

/* Ends a challenge (after success, or at sign-out). 0 also when unknown. */
int mfa_challenge_delete(struct db *db, const char *token);

#endif
