/* audit/audit.h — the append-only, hash-chained audit log (DESIGN.md §5, §6;
 * docs/audit.md). Every record is appended inside the transaction of the
 * action it records, one writer at a time, and holds the SHA-256 of its own
 * content and of the record before it. A checkpoint row (the count and the
 * last hash, under an HMAC keyed with the deployment secret) lets
 * audit_verify notice a log cut off at the end too.
 *
 * Record hash (hex, lower case) = SHA-256 of
 *     "csec-audit-v1\n" F(seq) F(at) F(actor_user_id) F(actor) F(org_id)
 *     F(action) F(target_type) F(target_id) F(outcome) F(source) F(detail)
 *     F(prev_hash)
 * Checkpoint MAC (hex) = HMAC-SHA-256(deployment secret,
 *     "csec-audit-checkpoint-v1\n" F(count) F(last_hash))
 * where F(NULL) is the byte 'N', and F(value) is the byte 'T', the value's
 * length in bytes as 8 bytes big-endian, then the value's bytes. Every value
 * is text: numbers in decimal without sign or leading zeros, hashes in lower
 * case hex; record 1's prev_hash and an empty log's last hash are 64 '0's. */
#ifndef CSEC_AUDIT_AUDIT_H
#define CSEC_AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* audit_verify's answer when the log is not intact (DB codes are -1..-5). */
#define AUDIT_EBROKEN (-16)

/* Size limits of an event's fields, in bytes; longer is refused. */
#define AUDIT_MAX_ACTOR 320
#define AUDIT_MAX_ACTION 64
#define AUDIT_MAX_TARGET_TYPE 64
#define AUDIT_MAX_TARGET_ID 256
#define AUDIT_MAX_SOURCE 64
#define AUDIT_MAX_DETAIL 4096

struct audit_event {
	int64_t actor_user_id; /* 0 = none */
	const char *actor; /* the user's email, "system", "cli" or "anonymous" */
	int64_t org_id; /* 0 = none */
	const char *action; /* dotted name, [a-z0-9_.], e.g. "auth.signin" */
	const char *target_type, *target_id; /* NULL or "" = none */
	const char *outcome; /* "success", "failure" or "denied" */
	const char *source; /* client address; NULL or "" = none */
	const char *detail_json; /* a JSON object, never secrets; NULL or "" = none */
};

/* Appends e inside the caller's open write transaction (db_begin_write; the
 * caller commits or rolls back, and the record goes with the action). On
 * PostgreSQL takes pg_advisory_xact_lock on a fixed key first, so appends
 * queue; on SQLite BEGIN IMMEDIATE already did. Reads the checkpoint and
 * refuses to extend one whose MAC does not check out under key (it would
 * otherwise launder a forged checkpoint), then inserts record count + 1,
 * linked to the checkpoint's last hash and timed now (UTC, milliseconds),
 * and moves the checkpoint on. Returns 0, DB_EINVAL for a malformed event
 * or a checkpoint that fails its check (both logged: db_errmsg is not set),
 * or another negative DB code (DB_ERETRY: roll back and retry the whole
 * transaction). */
int audit_append(struct db *db, const uint8_t key[32], const struct audit_event *e);

/* audit_append in a write transaction of its own, committed; the whole
 * transaction is retried a few times on DB_ERETRY. For events that go with
 * no other write (a failed sign-in, a denied request). Call it outside any
 * transaction. Returns as audit_append. */
int audit_record(struct db *db, const uint8_t key[32], const struct audit_event *e);

/* Walks the whole log in seq order inside one read-only snapshot (a page at
 * a time: it never holds the whole log in memory), recomputing every hash
 * and link, then checks the checkpoint's MAC, count and last hash. Call it
 * outside any transaction.
 * Returns 0 when intact, with *bad_seq = 0 and msg = "audit log intact: N
 * records". Returns AUDIT_EBROKEN when not, with *bad_seq = the first bad
 * record's seq and msg a sentence naming it ("record 17: its hash does not
 * match its content", "record 9 is missing", "the log ends at record 40 but
 * the checkpoint says 42", "the checkpoint's MAC is wrong: it was not
 * written with this deployment's secret"); for a fault of the checkpoint
 * *bad_seq is where it shows: the first record missing or uncovered, else
 * the checkpoint's count. Any other negative code is a store failure
 * (*bad_seq = 0, msg = its message). An empty log without a checkpoint is
 * intact. msg may be NULL. */
int audit_verify(struct db *db, const uint8_t key[32], int64_t *bad_seq, char *msg, size_t msglen);

#endif
