-- 0003_identity: organizations, people, memberships with one role each,
-- sessions, and the counters behind lockout and rate limits (DESIGN.md §2,
-- §6). Times a person reads are ISO-8601 UTC text; times the code compares
-- (expiry, lockout, windows) are Unix seconds.
CREATE TABLE organizations (
	id @ID@,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('law_enforcement', 'prosecutor', 'child_welfare',
		'victim_services', 'school', 'juvenile_justice', 'probation_parole', 'health',
		'community', 'federal', 'coordinator')),
	state TEXT NOT NULL DEFAULT '',
	jurisdiction TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT 'America/New_York',
	ori TEXT NOT NULL DEFAULT '',
	mfa_required INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'disabled')),
	created_at TEXT NOT NULL DEFAULT (@NOW@)
);

CREATE TABLE users (
	id @ID@,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'pending', 'active',
		'locked', 'disabled')),
	site_admin INTEGER NOT NULL DEFAULT 0,
	email_verified INTEGER NOT NULL DEFAULT 0,
	officer_id TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (@NOW@)
);

CREATE TABLE memberships (
	user_id BIGINT NOT NULL REFERENCES users (id),
	org_id BIGINT NOT NULL REFERENCES organizations (id),
	role TEXT NOT NULL CHECK (role IN ('org_admin', 'leader', 'trainer', 'editor', 'officer',
		'partner', 'analyst')),
	created_at TEXT NOT NULL DEFAULT (@NOW@),
	PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id);

-- A session is known by the SHA-256 of its token; the token itself is only
-- ever in the person's cookie.
CREATE TABLE sessions (
	id @ID@,
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	active_org_id BIGINT REFERENCES organizations (id),
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	client TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Consecutive sign-in failures per submitted email, whether or not an
-- account has that email, so the answer never tells which exist.
CREATE TABLE signin_failures (
	email TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);

-- Fixed-window counters (key = what is limited, e.g. "signin:203.0.113.9").
CREATE TABLE rate_limits (
	key TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (key, window_start)
);
