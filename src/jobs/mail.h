/* jobs/mail.h — outgoing mail through the outbox (migration 0005,
 * docs/mail.md). A feature calls mail_enqueue inside the transaction of the
 * action the mail belongs to (an invitation, a password reset), so the mail
 * exists exactly when the action committed, then mail_kick after the
 * commit. One worker thread per process (mail_worker_start) claims due
 * messages — any number of nodes may share the store — and delivers them
 * over SMTP with libcurl or, when no SMTP server is configured, as .eml
 * files under <data>/outbox/. A failed attempt is retried with exponential
 * backoff; after MAIL_MAX_ATTEMPTS the message is marked failed.
 *
 * Bodies carry tokens (reset and invitation links): nothing here logs a
 * body, a subject, a recipient or the SMTP password, and a sent message's
 * body is emptied in the store. Links in bodies are the caller's to build,
 * from the public URL, never from a Host header (DESIGN.md §4).
 *
 * Errors: functions that act return 0 or a negative code, either a DB_E*
 * code of db.h or a MAIL_E* code below; mail_strerror names both. */
#ifndef CSEC_JOBS_MAIL_H
#define CSEC_JOBS_MAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct db;

#define MAIL_MAX_ADDR 254 /* RFC 5321 forward-path, less the brackets */
#define MAIL_MAX_SUBJECT 200 /* bytes of UTF-8 */
#define MAIL_MAX_BODY (64 * 1024) /* bytes of UTF-8 */
#define MAIL_MAX_ATTEMPTS 10 /* then status 'failed' */
#define MAIL_BACKOFF_FIRST 60 /* seconds after the first failure, doubling */
#define MAIL_BACKOFF_MAX (6 * 60 * 60) /* the doubling stops here */
#define MAIL_CLAIM_SECONDS (10 * 60) /* a claim's lease; then another node may take it */
#define MAIL_BATCH 5 /* messages one claim takes; 5 x the timeout fits in the lease */
#define MAIL_TIMEOUT 60 /* seconds for one SMTP transaction */
#define MAIL_POLL_SECONDS 5 /* how often an idle worker looks for due mail */

enum {
	MAIL_EADDR = -20, /* the recipient (or smtp.from) is not one plain address */
	MAIL_EHEADER = -21, /* a subject with CR, LF or another control, or not UTF-8 */
	MAIL_E2BIG = -22, /* subject over MAIL_MAX_SUBJECT or body over MAIL_MAX_BODY */
	MAIL_EBODY = -23, /* body not UTF-8, or holding a NUL */
	MAIL_ELOST = -24, /* the claim is gone: another worker took the message over */
	MAIL_ESEND = -25, /* delivery failed; the reason is in the caller's err */
	MAIL_ECONFIG = -26, /* the SMTP settings are unusable (reason in err) */
	MAIL_EIO = -27, /* the .eml file could not be written (reason in err) */
	MAIL_ECANCELED = -28, /* the worker is stopping; the message goes back */
};

/* A message as claimed: strings live in the arena given to the claim. */
struct mail_msg {
	int64_t id;
	int64_t created_at; /* Unix seconds; the Date header */
	int attempts; /* counting the one this claim started */
	const char *to;
	const char *subject;
	const char *body; /* text, LF or CRLF line ends */
	const char *message_id; /* the Message-ID's random left part */
};

/* Where and how to deliver, read from the site settings by
 * mail_config_load before every batch. Strings are not owned. */
struct mail_config {
	const char *smtp_url; /* NULL or "": write .eml files instead */
	const char *smtp_user; /* NULL or "": no AUTH */
	const char *smtp_password;
	const char *from_addr; /* envelope sender and From address */
	const char *from_name; /* the deployment's name, shown in From */
	const char *host; /* the public URL's host: Message-ID's right part */
	const char *outbox_dir; /* <data>/outbox */
	int timeout_seconds; /* one SMTP transaction; 0 means MAIL_TIMEOUT */
	const atomic_bool *stop; /* may be NULL; a send in progress is cut short */
};

/* The text for a code of this header or of db.h ("" never: unknown codes
 * read "error"). Static storage. */
const char *mail_strerror(int rc);

/* true when s is one plain ASCII address local@domain, at most
 * MAIL_MAX_ADDR bytes: no display name, no brackets, no comma, no quotes,
 * no spaces or controls (so never a second header line), and a domain of
 * letters, digits and hyphens in dot-separated labels. Stricter than
 * RFC 5322 on purpose: quoted local parts and address literals are refused. */
bool mail_address_valid(const char *s);

/* Checks a message as mail_enqueue does: 0 or MAIL_EADDR, MAIL_EHEADER,
 * MAIL_E2BIG, MAIL_EBODY. */
int mail_check(const char *to, const char *subject, const char *body_text);

/* Queues a message, due at now (Unix seconds), with a fresh random
 * Message-ID part. Call it inside the transaction of the action it belongs
 * to; it opens none itself. Then, after the commit, call mail_kick. Stores
 * the new id in *id when id is not NULL. Returns 0, a MAIL_E* code of
 * mail_check (nothing is written), or a negative DB_E* code. */
int mail_enqueue(struct db *db, const char *to, const char *subject, const char *body_text,
                 int64_t now, int64_t *id);

/* Fills cfg from the site settings smtp.url, smtp.user, smtp.password,
 * smtp.from and deployment.name, with strings in arena a; data_dir gives
 * outbox_dir, public_url ("http(s)://HOST[:PORT]") gives host. Without
 * smtp.from the sender is noreply@HOST (noreply@localhost when HOST is an IP
 * address). Returns 0; MAIL_ECONFIG with the reason in err when smtp.url or
 * smtp.from is unusable (cfg is then not to be used); a DB_E* code. */
int mail_config_load(struct db *db, struct arena *a, const char *data_dir, const char *public_url,
                     struct mail_config *cfg, char *err, size_t errlen);

/* Appends msg as an RFC 5322 message to out: Date (from created_at), From
 * (the deployment's name and from_addr), To, Subject (RFC 2047 utf-8
 * B encoded-words unless it is printable ASCII that fits on one line),
 * Message-ID <message_id@host>, Auto-Submitted, MIME-Version, Content-Type
 * text/plain; charset=utf-8, and the body in quoted-printable (7-bit, lines
 * of at most 76 characters: what goes over SMTP) or, when prefer_8bit and
 * no line passes 998 bytes, as it is with Content-Transfer-Encoding 8bit
 * (the .eml files, so a person reads the links as they are). Line ends are
 * CRLF throughout; a retry formats the same bytes. 0, or -ENOMEM / -E2BIG
 * from the buffer. */
int mail_format_eml(const struct mail_config *cfg, const struct mail_msg *msg, bool prefer_8bit,
                    struct buf *out);

/* Claims up to max (at most MAIL_BATCH) due messages for worker_id:
 * queued ones whose backoff has ended, and sending ones whose claim ran out
 * (the node sending them stopped). Each gets status 'sending', one more
 * attempt, and a claim until now + MAIL_CLAIM_SECONDS. Runs in its own write
 * transaction (not inside another): on PostgreSQL the candidates are chosen
 * FOR UPDATE SKIP LOCKED, so nodes claiming at once neither wait for nor
 * take each other's messages; on SQLite under BEGIN IMMEDIATE. A message
 * whose claim ran out with no attempt left is marked failed, not returned.
 * Fills out[0..*n-1] in due order, strings in arena a. Returns 0 or a
 * negative DB_E* code (DB_ERETRY: try again later). */
int mail_claim_batch(struct db *db, struct arena *a, const char *worker_id, int64_t now, int max,
                     struct mail_msg *out, int *n);

/* Delivers one message: over SMTP (quoted-printable) when cfg->smtp_url is
 * set, else as the file <outbox_dir>/<id>-<random>.eml (8bit when it can),
 * mode 0600, written to a hidden temporary file, synced and renamed (the
 * directory is created with mode 0700, and may not be a symlink).
 * Returns 0; MAIL_ESEND, MAIL_ECONFIG or MAIL_EIO with a one-line reason in
 * err (no body, no password); MAIL_ECANCELED when cfg->stop cut it short. */
int mail_deliver(const struct mail_config *cfg, const struct mail_msg *msg, char *err,
                 size_t errlen);

/* Seconds to wait after the attempts-th failed attempt (1-based):
 * MAIL_BACKOFF_FIRST x 2^(attempts-1), at most MAIL_BACKOFF_MAX. */
int64_t mail_backoff(int attempts);

/* Marks a claimed message sent (and empties its body). 0, MAIL_ELOST when
 * worker_id no longer holds the claim, or a DB_E* code. */
int mail_mark_sent(struct db *db, int64_t id, const char *worker_id, int64_t now);

/* Records a failed attempt of a claimed message: queued again, due at
 * now + mail_backoff(attempts), or, after MAIL_MAX_ATTEMPTS attempts,
 * status 'failed'. error (cut to 300 bytes of printable ASCII) becomes
 * last_error. *retry_at (when not NULL) is the new due time, or 0 when the
 * message failed for good. 0, MAIL_ELOST, or a DB_E* code. */
int mail_mark_failed(struct db *db, int64_t id, const char *worker_id, int64_t now,
                     const char *error, int64_t *retry_at);

/* Gives a claimed message back untried (the worker is stopping): queued,
 * due now, the attempt not counted. 0, MAIL_ELOST, or a DB_E* code. */
int mail_release(struct db *db, int64_t id, const char *worker_id, int64_t now);

/* One round of the worker: claims up to MAIL_BATCH due messages, delivers
 * each with cfg and marks it sent or failed; once cfg->stop is set, the
 * rest go back untried. Logs one line per message (id, attempt, outcome).
 * Adds to *sent and *failed when not NULL. Returns the number claimed
 * (MAIL_BATCH means more may be due), or a negative DB_E* code. */
int mail_process_due(struct db *db, const struct mail_config *cfg, const char *worker_id,
                     int64_t now, int *sent, int *failed);

/* Starts this process's mail worker: a thread that, every
 * MAIL_POLL_SECONDS and whenever mail_kick is called, reads the settings,
 * then claims and delivers due mail with its own store connection from
 * db/pool.h (db_pool_init must have been called). data_dir is where .eml
 * files go (under outbox/); public_url gives the Message-ID's host. Both are
 * copied. 0, or -1 when the thread cannot start or one is running. */
int mail_worker_start(const char *data_dir, const char *public_url);

/* Wakes the worker now (after committing an enqueue). No-op without one. */
void mail_kick(void);

/* Stops the worker and waits for it: an SMTP transfer in progress is cut
 * short and its message goes back to the queue. Call before
 * db_pool_shutdown. No-op when none runs. */
void mail_worker_stop(void);

/* For serve's start-up: when no SMTP server is configured (smtp.url empty
 * or absent), writes into buf a sentence saying where mail goes instead,
 * e.g. "no SMTP server is configured (site setting smtp.url), so mail is
 * written as .eml files to /srv/csec/var/outbox/", and returns buf; returns
 * NULL when SMTP is configured or the store cannot say. */
const char *mail_outbox_note(struct db *db, const char *data_dir, char *buf, size_t len);

#endif
