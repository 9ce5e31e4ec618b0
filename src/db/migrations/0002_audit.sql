-- 0002_audit: the audit log (DESIGN.md §5, §6; docs/audit.md). Records are
-- only ever appended, by src/audit/audit.c, inside the transaction of the
-- action they record, one writer at a time. Each holds the SHA-256 of its own
-- content and of the record before it (prev_hash; 64 zeros for record 1), so
-- a changed, removed or reordered record breaks the chain. The single row of
-- audit_checkpoint holds the count and the last hash under an HMAC keyed with
-- the deployment secret, so a log cut off at the end is noticed too.
-- The dialects' parts (0002_audit.sqlite.sql, 0002_audit.pg.sql) add the
-- triggers that refuse UPDATE and DELETE. Nothing deletes records: retention
-- is the store's lifetime (at least a year, DESIGN.md §6).
CREATE TABLE audit_log (
	id @ID@,
	seq BIGINT NOT NULL UNIQUE, -- 1, 2, 3, ... without gaps
	at TEXT NOT NULL, -- UTC, YYYY-MM-DDTHH:MM:SS.mmmZ
	actor_user_id BIGINT, -- users.id; no foreign key: records outlive users
	actor TEXT NOT NULL, -- the user's email, 'system', 'cli' or 'anonymous'
	org_id BIGINT,
	action TEXT NOT NULL, -- dotted, e.g. auth.signin
	target_type TEXT,
	target_id TEXT,
	outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
	source TEXT, -- the client address
	detail TEXT, -- a small JSON object, never secrets
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);

-- The viewer's filters, newest first within each.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- One row (id = 1) once the first record is written: count = the last seq,
-- last_hash = its hash, mac = hex HMAC-SHA-256 under the deployment secret.
CREATE TABLE audit_checkpoint (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	count BIGINT NOT NULL,
	last_hash TEXT NOT NULL,
	mac TEXT NOT NULL
);
