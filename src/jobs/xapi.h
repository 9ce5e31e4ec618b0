/* jobs/xapi.h — xAPI 1.0.3 delivery of the course's learning events (issue 6
 * point 8, docs/xapi.md). The course engine writes one learning_events row
 * per event inside the action's transaction (features/course/events.h),
 * with the statement id fixed there; this worker turns the rows into
 * statements and POSTs them in batches to the Learning Record Store the
 * site admin configured (site settings lrs.endpoint, lrs.user,
 * lrs.password). It follows the mail outbox (jobs/mail.h): claims with
 * FOR UPDATE SKIP LOCKED (PostgreSQL) or under BEGIN IMMEDIATE (SQLite), a
 * lease (claimed_until) after which another node takes a batch over,
 * exponential backoff with a cap, a kick after commit.
 *
 * Outcomes of one POST of a batch:
 *  - 2xx: every statement of the batch is sent.
 *  - the LRS already has it (409, or a 400 whose body names the id and says
 *    so): a re-send after a crash; statements keep their ids, so the LRS
 *    stored each once. For a batch of one that statement is sent; a bigger
 *    batch goes back untried and the worker sends its statements one per
 *    POST, so new statements in it are not taken for old ones.
 *  - 5xx, 401, 403, 404, 408, 429, a network error: the LRS is down or
 *    misconfigured, not the statements' fault: queued again after a backoff
 *    (XAPI_BACKOFF_FIRST doubling up to XAPI_BACKOFF_MAX), for ever.
 *  - any other 4xx: the LRS refuses the content. A batch of more than one
 *    goes back untried and is sent one by one (as above); a statement
 *    sent alone and refused on its XAPI_REJECT_TRIES-th attempt or later
 *    (attempts while the LRS was down count) is held (status 'held' with
 *    last_error: the schema's "held" state, reused for "held back by the
 *    LRS"), shown to the site admin, who may queue it again.
 * With no LRS configured nothing is claimed: events stay queued, and are
 * sent once an LRS is configured.
 *
 * Privacy: the actor is an account whose name is an opaque id, a keyed
 * hash (under a key derived from the deployment secret) of the user id; no
 * name or email leaves the portal. Logs name events by id and statement
 * id only, never a statement's content or the LRS password. */
#ifndef CSEC_JOBS_XAPI_H
#define CSEC_JOBS_XAPI_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"

struct arena;
struct buf;
struct db;

#define XAPI_BATCH 50 /* statements in one POST at most */
#define XAPI_TIMEOUT 30 /* seconds for one POST */
#define XAPI_CLAIM_SECONDS (5 * 60) /* a claim's lease; then another node may take it */
#define XAPI_BACKOFF_FIRST 30 /* seconds after the first failure, doubling */
#define XAPI_BACKOFF_MAX (60 * 60) /* the doubling stops here */
#define XAPI_REJECT_TRIES 3 /* refused at this attempt or later: held */
#define XAPI_POLL_SECONDS 5 /* how often an idle worker looks for due events */
#define XAPI_ACTOR_LEN 32 /* hex characters of the actor's opaque name */
#define XAPI_MAX_URL 300 /* bytes of lrs.endpoint */

enum {
	XAPI_ELOST = -40, /* the claim is gone: another worker took the batch over */
	XAPI_ERETRY = -41, /* the LRS is down or unreachable: try again later */
	XAPI_EREJECT = -42, /* the LRS refused the statements (a 4xx about them) */
	XAPI_EDUP = -43, /* the LRS already has (one of) them */
	XAPI_ECONFIG = -44, /* lrs.endpoint is unusable */
	XAPI_ECANCELED = -45, /* the worker is stopping; the batch goes back */
};

/* One learning event as claimed or exported; strings in an arena. */
struct xapi_event {
	int64_t id;
	const char *statement_id; /* a UUID */
	int64_t created_at; /* Unix seconds: the statement's timestamp */
	int64_t user_id;
	const char *course_slug;
	const char *verb; /* launched experienced answered passed failed completed */
	const char *object_type; /* course lesson question scenario test */
	const char *object_id;
	const char *object_name; /* "" when none */
	const char *result_json; /* NULL when none */
	int attempts; /* counting the one this claim started */
};

/* Where to send, read from the site settings before every batch. */
struct xapi_config {
	const char *endpoint; /* "" : no LRS, nothing is sent; no trailing slash */
	const char *user;
	const char *password;
	const char *public_url; /* the activities' and the actor's home */
	int timeout_seconds; /* 0 means XAPI_TIMEOUT */
	const atomic_bool *stop; /* may be NULL; a POST in progress is cut short */
};

/* The text for a code of this header or of db.h. Static storage. */
const char *xapi_strerror(int rc);

/* Derives this process's actor key from the deployment secret (call once,
 * before the worker starts or a request exports statements). */
void xapi_init(const uint8_t master[CRYPTO_KEY_BYTES]);

/* The actor's opaque name for user_id under key: lower-case hex of the
 * first XAPI_ACTOR_LEN / 2 bytes of HMAC-SHA-256(key, "csec-user:ID").
 * The same on every node and every day; not reversible without the key.
 * xapi_actor_name uses the key of xapi_init. */
void xapi_actor_name_key(const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                         char out[XAPI_ACTOR_LEN + 1]);
void xapi_actor_name(int64_t user_id, char out[XAPI_ACTOR_LEN + 1]);

/* The xAPI 1.0.3 statement for ev (a new reference, NULL when out of
 * memory or ev is unusable: an unknown verb or object type). public_url
 * (no trailing slash) is the actor's homePage and the activities' base;
 * actor_name the opaque name. result_json is kept when it is an object,
 * with only the keys xAPI defines for a result. */
json_t *xapi_statement(const struct xapi_event *ev, const char *public_url, const char *actor_name);

/* Checks an lrs.endpoint setting: http or https, a host, no user name or
 * password, no query or fragment; plain http only to a loopback host (the
 * password goes in every request). 0, or XAPI_ECONFIG with the reason. */
int xapi_endpoint_check(const char *url, char *err, size_t errlen);

/* Fills cfg from the site settings, strings in a; a trailing slash of the
 * endpoint is dropped. 0 (cfg->endpoint "" when none is set),
 * XAPI_ECONFIG with the reason in err, or a DB_E* code. */
int xapi_config_load(struct db *db, struct arena *a, const char *public_url,
                     struct xapi_config *cfg, char *err, size_t errlen);

/* Seconds to wait after the attempts-th failed attempt (1-based). */
int64_t xapi_backoff(int attempts);

/* Claims up to max (at most XAPI_BATCH) due events as claim (a string
 * unique to this batch: the worker's id and a counter): queued ones whose
 * backoff ended and sending ones whose lease ran out. Each gets status
 * 'sending', one more attempt and a lease until now + XAPI_CLAIM_SECONDS.
 * Its own write transaction. Fills out[0..*n-1] in id order. 0 or DB_E*. */
int xapi_claim_batch(struct db *db, struct arena *a, const char *claim, int64_t now, int max,
                     struct xapi_event *out, int *n);

/* The batch claim is sent: *n (may be NULL) gets how many rows were still
 * held by the claim. 0 or DB_E*. */
int xapi_mark_sent(struct db *db, const char *claim, int64_t now, int *n);

/* A failed attempt of the batch claim: queued again, due at now +
 * xapi_backoff(attempts), or held (due never) when hold. error (cut to 300
 * bytes of printable ASCII) becomes last_error. 0 or DB_E*. */
int xapi_mark_failed(struct db *db, const char *claim, int64_t now, int attempts, bool hold,
                     const char *error);

/* Gives the batch back untried: queued, due now, the attempt not counted. */
int xapi_release(struct db *db, const char *claim, int64_t now);

/* POSTs body (a JSON array of n statements whose first id is first_id) to
 * cfg->endpoint/statements. 0 when the LRS stored them, else XAPI_EDUP,
 * XAPI_EREJECT, XAPI_ERETRY, XAPI_ECONFIG or XAPI_ECANCELED with a one-line
 * reason in err (the HTTP status and the start of the LRS's answer, never
 * the password). *status gets the HTTP status (0: none). */
int xapi_post(const struct xapi_config *cfg, const char *body, size_t len, int n,
              const char *first_id, long *status, char *err, size_t errlen);

/* One round: claims up to max due events as claim, sends them in one POST
 * and records the outcome. *singles counts the rounds left that send one
 * statement per POST (max is then 1): a batch of n that must be split sets
 * it to n, each round of one lowers it. *down (may be NULL) is set when the
 * LRS could not take the batch (an error to retry later), so the caller
 * waits instead of trying the next batch at once. Returns the number
 * claimed, or a negative DB_E* code. */
int xapi_process_due(struct db *db, const struct xapi_config *cfg, const char *claim, int64_t now,
                     int max, int *singles, bool *down);

/* The queue as the site admin sees it. */
struct xapi_status {
	int64_t queued, sending, sent, held;
	int64_t last_sent_at; /* 0: never */
	int64_t next_attempt_at; /* the earliest due queued event, 0: none */
	const char *last_error; /* of the most recently failed unsent event, or NULL */
};
int xapi_status_read(struct db *db, struct arena *a, struct xapi_status *st);

/* Makes every queued event due now and queues held ones again (attempts
 * back to 0): the site admin's "send now", and new LRS settings. Inside the
 * caller's write transaction. *n gets the number
 * of events changed. 0 or DB_E*. */
int xapi_requeue(struct db *db, int64_t now, int64_t *n);

/* Appends to out, as JSON array elements separated by commas (the caller
 * writes the brackets), the statements of events with id > after and
 * created_at in [from, to) (0: unbounded), in id order, until max events
 * or out's cap. *count gets the number written, *last the last id written
 * (the next call's after), *more whether more remain. 0 or DB_E*. */
int xapi_export(struct db *db, const char *public_url, int64_t from, int64_t to, int64_t after,
                int64_t max, struct buf *out, int64_t *count, int64_t *last, bool *more);

/* The worker thread of this process (like mail_worker_start): every
 * XAPI_POLL_SECONDS and on xapi_kick, when an LRS is configured, claims
 * and sends due events with a store connection from db/pool.h. 0 or -1. */
int xapi_worker_start(const char *public_url);

/* Wakes the worker (after committing events, or new LRS settings). */
void xapi_kick(void);

/* Stops the worker and waits: a POST in progress is cut short and its
 * batch goes back to the queue. Call before db_pool_shutdown. */
void xapi_worker_stop(void);

#endif
