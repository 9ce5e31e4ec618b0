-- 0005_outbox: outgoing mail (DESIGN.md §3 jobs/, §4, §5; docs/mail.md). A
-- message is inserted by mail_enqueue inside the transaction of the action
-- that sends it, so it exists exactly when that action committed; a worker
-- thread on any node claims due messages (PostgreSQL: FOR UPDATE SKIP LOCKED;
-- SQLite: under BEGIN IMMEDIATE), delivers them over SMTP or as .eml files,
-- and marks them sent, or queued again with exponential backoff, or failed.
-- Times are Unix seconds.
CREATE TABLE outbox (
	id @ID@,
	created_at BIGINT NOT NULL, -- also the Date header, so a retry is the same message
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL, -- emptied once sent: bodies carry tokens
	message_id TEXT NOT NULL, -- random left part of the Message-ID, kept across retries
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent',
		'failed')),
	attempts INTEGER NOT NULL DEFAULT 0, -- deliveries started (a claim counts one)
	-- When the message is next due: the backoff's end while queued; while
	-- sending, the end of the claim (claimed_until), after which another node
	-- may take it over (the first one having stopped).
	next_attempt_at BIGINT NOT NULL,
	last_error TEXT, -- why the last attempt failed; never the body or a password
	sent_at BIGINT,
	claimed_by TEXT, -- the worker that holds the claim (host:pid:random)
	claimed_until BIGINT
);

-- What a claim looks for; sent and failed mail stays out of the index.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
