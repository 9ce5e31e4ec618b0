/* audit/audit.c — see audit.h. Appending reads the head of the chain from
 * the checkpoint row (O(1): never the log's tail), so the checkpoint is both
 * the chain's head and its keyed seal; verification walks the log a page at
 * a time inside one read snapshot. */
#include "audit/audit.h"

#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* pg_advisory_xact_lock key of the audit writer ("CSEC_AUD" in ASCII; the
 * migration runner takes "CSEC_MIG"). */
#define LOCK_KEY INT64_C(0x435345435f415544)

#define HEX_LEN (2 * CRYPTO_SHA256_BYTES) /* 64 */
#define RECORD_TAG "csec-audit-v1\n"
#define CHECKPOINT_TAG "csec-audit-checkpoint-v1\n"
/* The encoding of one record we write is at most ~5 KiB; a record grown past
 * this by tampering cannot match its hash anyway. */
#define MAX_ENCODED (1u << 20)
#define PAGE 256 /* records per query while verifying */
#define RETRIES 5

/* Fields of a record in hash order. */
enum {
	F_SEQ,
	F_AT,
	F_ACTOR_USER_ID,
	F_ACTOR,
	F_ORG_ID,
	F_ACTION,
	F_TARGET_TYPE,
	F_TARGET_ID,
	F_OUTCOME,
	F_SOURCE,
	F_DETAIL,
	F_PREV_HASH,
	NFIELDS
};

/* One record as text: f[i] NULL for SQL NULL. */
struct rec {
	const char *f[NFIELDS];
	size_t len[NFIELDS];
};

static const char genesis[HEX_LEN + 1] =
        "0000000000000000000000000000000000000000000000000000000000000000";

static const char lock_sql[] = "SELECT pg_advisory_xact_lock($1)";
static const char checkpoint_sql[] =
        "SELECT count, last_hash, mac FROM audit_checkpoint WHERE id = 1";
static const char any_record_sql[] = "SELECT seq FROM audit_log LIMIT 1";
static const char insert_sql[] =
        "INSERT INTO audit_log (seq, at, actor_user_id, actor, org_id, action, "
        "target_type, target_id, outcome, source, detail, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
static const char cp_insert_sql[] =
        "INSERT INTO audit_checkpoint (id, count, last_hash, mac) VALUES (1, $1, $2, $3)";
static const char cp_update_sql[] =
        "UPDATE audit_checkpoint SET count = $1, last_hash = $2, mac = $3 WHERE id = 1";
static const char page_sql[] =
        "SELECT seq, at, actor_user_id, actor, org_id, action, target_type, target_id, "
        "outcome, source, detail, prev_hash, hash, id FROM audit_log "
        "WHERE seq >= $1 AND (seq > $1 OR id > $2) ORDER BY seq, id LIMIT 256";
static const char total_sql[] = "SELECT count(*) FROM audit_log";
static const char snapshot_pg[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/* ------------------------------------------------------------ encoding */

/* F(value): 'N' for NULL, else 'T', 8-byte big-endian length, bytes. */
static void put_field(struct buf *b, const char *s, size_t n)
{
	unsigned char len[8];

	if (!s) {
		buf_putc(b, 'N');
		return;
	}
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	buf_putc(b, 'T');
	buf_append(b, len, sizeof(len));
	buf_append(b, s, n);
}

/* The record's hash as lower-case hex into out; -1 when the record is too
 * large to encode (it cannot be one we wrote). */
static int hash_record(struct buf *b, const struct rec *r, char out[HEX_LEN + 1])
{
	uint8_t h[CRYPTO_SHA256_BYTES];

	buf_reset(b);
	buf_puts(b, RECORD_TAG);
	for (int i = 0; i < NFIELDS; i++)
		put_field(b, r->f[i], r->len[i]);
	if (b->err)
		return -1;
	crypto_sha256(h, b->data, b->len);
	crypto_hex(out, h, sizeof(h));
	return 0;
}

/* The checkpoint's MAC over (count, last_hash) as raw bytes. */
static void checkpoint_mac(const uint8_t key[CRYPTO_KEY_BYTES], const char *count, size_t countlen,
                           const char *last, size_t lastlen, uint8_t mac[CRYPTO_HMAC_BYTES])
{
	struct buf b;

	/* Callers pass at most 20 digits and 64 hex digits. */
	buf_init(&b, NULL, 256);
	buf_puts(&b, CHECKPOINT_TAG);
	put_field(&b, count, countlen);
	put_field(&b, last, lastlen);
	if (b.err)
		memset(mac, 0, CRYPTO_HMAC_BYTES);
	else
		crypto_hmac(mac, key, b.data, b.len);
	buf_free(&b);
}

/* true when the stored hex MAC is the one key gives (count, last). */
static bool mac_ok(const uint8_t key[CRYPTO_KEY_BYTES], const char *count, size_t countlen,
                   const char *last, size_t lastlen, const char *hex, size_t hexlen)
{
	uint8_t want[CRYPTO_HMAC_BYTES], got[CRYPTO_HMAC_BYTES];

	if (countlen > 20 || lastlen != HEX_LEN || crypto_unhex(got, sizeof(got), hex, hexlen) != 0)
		return false;
	checkpoint_mac(key, count, countlen, last, lastlen, want);
	return crypto_equal(want, got, sizeof(want));
}

/* ------------------------------------------------------------ appending */

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* NULL for an absent optional field (NULL or ""). */
static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

/* A short one-line field: present (when required), at most max bytes of
 * UTF-8, no control characters. */
static bool field_ok(const char *s, size_t max, bool required)
{
	size_t n;

	if (!s || !*s)
		return !required;
	n = strlen(s);
	return n <= max && str_utf8_valid(s, n) && !has_control(s);
}

static bool action_ok(const char *s)
{
	if (!field_ok(s, AUDIT_MAX_ACTION, true) || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.'))
			return false;
	return true;
}

static bool detail_ok(const char *s)
{
	json_error_t err;
	json_t *j;
	bool ok;

	if (!s || !*s)
		return true;
	if (strlen(s) > AUDIT_MAX_DETAIL)
		return false;
	j = json_loads(s, JSON_REJECT_DUPLICATES, &err);
	ok = j && json_is_object(j);
	json_decref(j);
	return ok;
}

/* Checks e; the name of the first bad field, or NULL when e is fine. */
static const char *bad_field(const struct audit_event *e)
{
	if (!e)
		return "event";
	if (e->actor_user_id < 0)
		return "actor_user_id";
	if (!field_ok(e->actor, AUDIT_MAX_ACTOR, true))
		return "actor";
	if (e->org_id < 0)
		return "org_id";
	if (!action_ok(e->action))
		return "action";
	if (!field_ok(e->target_type, AUDIT_MAX_TARGET_TYPE, false))
		return "target_type";
	if (!field_ok(e->target_id, AUDIT_MAX_TARGET_ID, false))
		return "target_id";
	if (!e->outcome ||
	    (strcmp(e->outcome, "success") != 0 && strcmp(e->outcome, "failure") != 0 &&
	     strcmp(e->outcome, "denied") != 0))
		return "outcome";
	if (!field_ok(e->source, AUDIT_MAX_SOURCE, false))
		return "source";
	if (!detail_ok(e->detail_json))
		return "detail_json";
	return NULL;
}

/* Now, UTC, with milliseconds: 2025-01-31T23:59:59.123Z. */
static void now_utc(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

static int take_lock(struct db *db)
{
	struct db_stmt *st;
	int rc;

	if (db_dialect(db) != DB_POSTGRES)
		return DB_OK; /* the caller's BEGIN IMMEDIATE holds the write lock */
	rc = db_prepare(db, lock_sql, &st);
	if (rc < 0)
		return rc;
	rc = db_bind_int64(st, 1, LOCK_KEY);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc < 0 ? rc : DB_OK;
}

/* The head of the chain: *count and last (hex) from the checkpoint, after
 * checking its MAC; 0 and the genesis hash when there is none yet (then the
 * log must be empty). *exists says whether the row is there. */
static int read_head(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], int64_t *count,
                     char last[HEX_LEN + 1], bool *exists)
{
	struct db_stmt *st;
	int rc = db_prepare(db, checkpoint_sql, &st);

	if (rc < 0)
		return rc;
	rc = db_step(st);
	*exists = rc == DB_ROW;
	if (rc == DB_ROW) {
		size_t clen, llen, mlen;
		const char *c = db_column_text(st, 0, &clen);
		const char *l = db_column_text(st, 1, &llen);
		const char *m = db_column_text(st, 2, &mlen);
		*count = db_column_int64(st, 0);
		if (*count < 0 || !mac_ok(key, c, clen, l, llen, m, mlen)) {
			log_msg(LOG_ERROR,
			        "audit: the checkpoint fails its check (forged, or another "
			        "deployment secret): nothing more is appended until it is "
			        "resolved; run csec audit verify");
			rc = DB_EINVAL;
		} else {
			memcpy(last, l, HEX_LEN);
			last[HEX_LEN] = '\0';
			rc = DB_OK;
		}
	} else if (rc == DB_DONE) {
		*count = 0;
		memcpy(last, genesis, sizeof(genesis));
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK || *exists)
		return rc;
	/* No checkpoint: a log with records lost it. */
	rc = db_prepare(db, any_record_sql, &st);
	if (rc < 0)
		return rc;
	rc = db_step(st);
	db_finalize(st);
	if (rc == DB_ROW) {
		log_msg(LOG_ERROR,
		        "audit: the checkpoint is missing but the log holds records: "
		        "nothing more is appended; run csec audit verify");
		return DB_EINVAL;
	}
	return rc < 0 ? rc : DB_OK;
}

static int bind_opt(struct db_stmt *st, int idx, const char *s)
{
	return s ? db_bind_text(st, idx, s, (size_t)-1) : db_bind_null(st, idx);
}

static int bind_id(struct db_stmt *st, int idx, int64_t id)
{
	return id > 0 ? db_bind_int64(st, idx, id) : db_bind_null(st, idx);
}

/* Runs a bound statement to its end; DB_OK or the error. */
static int finish(struct db_stmt *st, int rc)
{
	if (rc == DB_OK) {
		do
			rc = db_step(st);
		while (rc == DB_ROW);
	}
	db_finalize(st);
	return rc < 0 ? rc : DB_OK;
}

int audit_append(struct db *db, const uint8_t key[32], const struct audit_event *e)
{
	char at[32], seqs[24], uid[24], oid[24], last[HEX_LEN + 1], hash[HEX_LEN + 1];
	char mac_hex[2 * CRYPTO_HMAC_BYTES + 1];
	uint8_t mac[CRYPTO_HMAC_BYTES];
	const char *bad = bad_field(e);
	struct db_stmt *st;
	struct rec r = {{NULL}, {0}};
	struct buf enc;
	int64_t count, seq;
	bool exists;
	int rc;

	if (bad) {
		log_msg(LOG_ERROR, "audit: refused an event with a bad %s (action %s)", bad,
		        e && e->action && action_ok(e->action) ? e->action : "?");
		return DB_EINVAL;
	}
	rc = take_lock(db);
	if (rc == DB_OK)
		rc = read_head(db, key, &count, last, &exists);
	if (rc < 0)
		return rc;
	seq = count + 1;
	now_utc(at);
	snprintf(seqs, sizeof(seqs), "%lld", (long long)seq);
	snprintf(uid, sizeof(uid), "%lld", (long long)e->actor_user_id);
	snprintf(oid, sizeof(oid), "%lld", (long long)e->org_id);
	r.f[F_SEQ] = seqs;
	r.f[F_AT] = at;
	r.f[F_ACTOR_USER_ID] = e->actor_user_id > 0 ? uid : NULL;
	r.f[F_ACTOR] = e->actor;
	r.f[F_ORG_ID] = e->org_id > 0 ? oid : NULL;
	r.f[F_ACTION] = e->action;
	r.f[F_TARGET_TYPE] = opt(e->target_type);
	r.f[F_TARGET_ID] = opt(e->target_id);
	r.f[F_OUTCOME] = e->outcome;
	r.f[F_SOURCE] = opt(e->source);
	r.f[F_DETAIL] = opt(e->detail_json);
	r.f[F_PREV_HASH] = last;
	for (int i = 0; i < NFIELDS; i++)
		r.len[i] = r.f[i] ? strlen(r.f[i]) : 0;
	buf_init(&enc, NULL, MAX_ENCODED);
	rc = hash_record(&enc, &r, hash);
	buf_free(&enc);
	if (rc != 0)
		return DB_ENOMEM;

	rc = db_prepare(db, insert_sql, &st);
	if (rc < 0)
		return rc;
	rc = db_bind_int64(st, 1, seq);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, at, (size_t)-1);
	if (rc == DB_OK)
		rc = bind_id(st, 3, e->actor_user_id);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, e->actor, (size_t)-1);
	if (rc == DB_OK)
		rc = bind_id(st, 5, e->org_id);
	if (rc == DB_OK)
		rc = db_bind_text(st, 6, e->action, (size_t)-1);
	if (rc == DB_OK)
		rc = bind_opt(st, 7, r.f[F_TARGET_TYPE]);
	if (rc == DB_OK)
		rc = bind_opt(st, 8, r.f[F_TARGET_ID]);
	if (rc == DB_OK)
		rc = db_bind_text(st, 9, e->outcome, (size_t)-1);
	if (rc == DB_OK)
		rc = bind_opt(st, 10, r.f[F_SOURCE]);
	if (rc == DB_OK)
		rc = bind_opt(st, 11, r.f[F_DETAIL]);
	if (rc == DB_OK)
		rc = db_bind_text(st, 12, last, HEX_LEN);
	if (rc == DB_OK)
		rc = db_bind_text(st, 13, hash, HEX_LEN);
	rc = finish(st, rc);
	if (rc < 0)
		return rc;

	checkpoint_mac(key, seqs, strlen(seqs), hash, HEX_LEN, mac);
	crypto_hex(mac_hex, mac, sizeof(mac));
	rc = db_prepare(db, exists ? cp_update_sql : cp_insert_sql, &st);
	if (rc < 0)
		return rc;
	rc = db_bind_int64(st, 1, seq);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, hash, HEX_LEN);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, mac_hex, (size_t)-1);
	return finish(st, rc);
}

int audit_record(struct db *db, const uint8_t key[32], const struct audit_event *e)
{
	int rc;

	if (bad_field(e))
		return audit_append(db, key, e); /* refuses and logs why */
	for (int attempt = 0;; attempt++) {
		rc = db_begin_write(db);
		if (rc < 0 && (rc != DB_ERETRY || attempt + 1 >= RETRIES))
			return rc;
		if (rc == DB_OK) {
			rc = audit_append(db, key, e);
			if (rc == DB_OK)
				rc = db_commit(db);
			if (rc == DB_OK)
				return DB_OK;
			db_rollback(db); /* keeps the failure's message */
			if (rc != DB_ERETRY || attempt + 1 >= RETRIES)
				return rc;
		}
		/* Lost a race: back off a little, longer each time, with jitter
		 * so the losers do not collide again in step. */
		uint32_t jitter;
		crypto_random(&jitter, sizeof(jitter));
		usleep((useconds_t)((1000u << attempt) + jitter % 1000u));
	}
}

/* ------------------------------------------------------------ verifying */

struct walk {
	const uint8_t *key;
	int64_t next; /* the seq the next record must have */
	char prev[HEX_LEN + 1]; /* hash of the record before */
	int64_t last_seq, last_id; /* paging position */
	int64_t bad;
	char *msg;
	size_t msglen;
	struct buf enc;
};

static int broken(struct walk *w, int64_t bad, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int broken(struct walk *w, int64_t bad, const char *fmt, ...)
{
	va_list ap;

	w->bad = bad;
	if (w->msg && w->msglen) {
		va_start(ap, fmt);
		vsnprintf(w->msg, w->msglen, fmt, ap);
		va_end(ap);
	}
	return AUDIT_EBROKEN;
}

/* Checks the current row of the page. DB_OK, or AUDIT_EBROKEN. */
static int check_row(struct walk *w, struct db_stmt *st)
{
	char want[HEX_LEN + 1];
	struct rec r;
	int64_t seq = db_column_int64(st, 0);
	size_t hlen;
	const char *hash = db_column_text(st, 12, &hlen);

	if (seq > w->next)
		return broken(w, w->next, "record %lld is missing", (long long)w->next);
	if (seq < w->next)
		return broken(w, seq,
		              seq == w->next - 1 ? "record %lld appears twice"
		                                 : "record %lld is out of order",
		              (long long)seq);
	/* The page's columns 0..11 are the fields in hash order. */
	for (int i = 0; i < NFIELDS; i++) {
		r.len[i] = 0;
		r.f[i] = db_column_is_null(st, i) ? NULL : db_column_text(st, i, &r.len[i]);
	}
	if (hash_record(&w->enc, &r, want) != 0 || hlen != HEX_LEN ||
	    memcmp(hash, want, HEX_LEN) != 0)
		return broken(w, seq, "record %lld: its hash does not match its content",
		              (long long)seq);
	if (!r.f[F_PREV_HASH] || r.len[F_PREV_HASH] != HEX_LEN ||
	    memcmp(r.f[F_PREV_HASH], w->prev, HEX_LEN) != 0) {
		if (seq == 1)
			return broken(w, seq,
			              "record 1: it does not start the chain (its "
			              "previous hash should be all zeros)");
		return broken(w, seq,
		              "record %lld: it does not link to record %lld before it (one of "
		              "the two was rewritten)",
		              (long long)seq, (long long)(seq - 1));
	}
	memcpy(w->prev, want, sizeof(want));
	w->next = seq + 1;
	w->last_seq = seq;
	w->last_id = db_column_int64(st, 13);
	return DB_OK;
}

/* Walks every record; DB_OK when all of them hold, AUDIT_EBROKEN, or a DB
 * error. */
static int walk_log(struct db *db, struct walk *w)
{
	for (;;) {
		struct db_stmt *st;
		int rows = 0, rc = db_prepare(db, page_sql, &st);

		if (rc < 0)
			return rc;
		rc = db_bind_int64(st, 1, w->last_seq);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, w->last_id);
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			rows++;
			rc = check_row(w, st);
		}
		db_finalize(st);
		if (rc < 0)
			return rc;
		if (rows < PAGE)
			return DB_OK;
	}
}

/* Reads one integer; DB_OK or an error. */
static int query_count(struct db *db, const char *sql, int64_t *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc < 0)
		return rc;
	rc = db_step(st);
	*out = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERR;
}

struct checkpoint {
	bool exists;
	int64_t count;
	char count_text[24], last[HEX_LEN + 2], mac[2 * CRYPTO_HMAC_BYTES + 2];
	size_t count_len, last_len, mac_len;
};

static void copy_col(struct db_stmt *st, int col, char *out, size_t cap, size_t *len)
{
	size_t n;
	const char *s = db_column_text(st, col, &n);

	/* One byte more than any valid value, so a longer one stays wrong. */
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	*len = n;
}

static int read_checkpoint(struct db *db, struct checkpoint *cp)
{
	struct db_stmt *st;
	int rc = db_prepare(db, checkpoint_sql, &st);

	memset(cp, 0, sizeof(*cp));
	if (rc < 0)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		cp->exists = true;
		cp->count = db_column_int64(st, 0);
		copy_col(st, 0, cp->count_text, sizeof(cp->count_text), &cp->count_len);
		copy_col(st, 1, cp->last, sizeof(cp->last), &cp->last_len);
		copy_col(st, 2, cp->mac, sizeof(cp->mac), &cp->mac_len);
	}
	db_finalize(st);
	return rc < 0 ? rc : DB_OK;
}

/* The checkpoint against the walked log (w->next - 1 records). */
static int check_checkpoint(struct walk *w, const struct checkpoint *cp)
{
	int64_t n = w->next - 1;

	if (!cp->exists)
		return n == 0 ? DB_OK
		              : broken(w, n,
		                       "the checkpoint is missing: nothing vouches that the log "
		                       "(%lld records) ends where it should",
		                       (long long)n);
	if (!mac_ok(w->key, cp->count_text, cp->count_len, cp->last, cp->last_len, cp->mac,
	            cp->mac_len))
		return broken(w, cp->count > 0 ? cp->count : 0,
		              "the checkpoint's MAC is wrong: it was not written with this "
		              "deployment's secret");
	if (cp->count > n)
		return n == 0
		        ? broken(w, 1, "the log is empty but the checkpoint says %lld records",
		                 (long long)cp->count)
		        : broken(w, n + 1,
		                 "the log ends at record %lld but the checkpoint "
		                 "says %lld",
		                 (long long)n, (long long)cp->count);
	if (cp->count < n)
		return broken(w, cp->count + 1,
		              "record %lld is not covered by the checkpoint, which ends at record "
		              "%lld",
		              (long long)(cp->count + 1), (long long)cp->count);
	if (cp->last_len != HEX_LEN || memcmp(cp->last, w->prev, HEX_LEN) != 0)
		return broken(w, n, "the checkpoint's last hash does not match record %lld",
		              (long long)n);
	return DB_OK;
}

int audit_verify(struct db *db, const uint8_t key[32], int64_t *bad_seq, char *msg, size_t msglen)
{
	struct walk w = {.key = key,
	                 .next = 1,
	                 .last_seq = INT64_MIN,
	                 .last_id = INT64_MIN,
	                 .msg = msg,
	                 .msglen = msglen};
	struct checkpoint cp;
	int64_t total = 0;
	int rc;

	memcpy(w.prev, genesis, sizeof(genesis));
	buf_init(&w.enc, NULL, MAX_ENCODED);
	if (msg && msglen)
		msg[0] = '\0';
	/* One snapshot for the checkpoint and every page, so appends that
	 * commit meanwhile are not mistaken for damage. */
	rc = db_dialect(db) == DB_POSTGRES ? db_exec(db, snapshot_pg) : db_begin(db);
	if (rc < 0)
		goto out_db;
	rc = read_checkpoint(db, &cp);
	if (rc == DB_OK)
		rc = walk_log(db, &w);
	if (rc == DB_OK)
		rc = query_count(db, total_sql, &total);
	if (rc == DB_OK && total != w.next - 1)
		rc = broken(&w, w.next,
		            "the log holds %lld records but only %lld of them are in sequence",
		            (long long)total, (long long)(w.next - 1));
	if (rc == DB_OK)
		rc = check_checkpoint(&w, &cp);
	if (rc < 0 && rc != AUDIT_EBROKEN) {
		char err[512];
		snprintf(err, sizeof(err), "%s", db_errmsg(db));
		db_rollback(db);
		if (msg && msglen)
			snprintf(msg, msglen, "%s", err);
		w.bad = 0;
		goto out;
	}
	db_rollback(db); /* read only: nothing to keep */
	if (rc == DB_OK && msg && msglen)
		snprintf(msg, msglen, "audit log intact: %lld record%s", (long long)(w.next - 1),
		         w.next == 2 ? "" : "s");
	goto out;
out_db:
	if (msg && msglen)
		snprintf(msg, msglen, "%s", db_errmsg(db));
	w.bad = 0;
out:
	if (bad_seq)
		*bad_seq = rc == DB_OK ? 0 : w.bad;
	buf_free(&w.enc);
	return rc;
}
