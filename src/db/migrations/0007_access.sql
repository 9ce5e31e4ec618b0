-- 0007_access: joining organizations, mail links, members' state and API
-- tokens (identity issue points 4, 5, 13; DESIGN.md §2, §6). Only hashes of
-- tokens are stored (SHA-256, hex); the tokens themselves go out once, in a
-- mail or on a page. Times the code compares are Unix seconds.

-- An org admin may disable a member of their organization (and re-enable
-- them) without touching the person's other memberships.
ALTER TABLE memberships ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
	CHECK (status IN ('active', 'disabled'));

-- The email domains whose people may ask to join an organization. A request
-- still waits for an org admin unless auto_approve is set for that exact
-- domain (DESIGN.md §2). Domains are lower-case, without "@".
CREATE TABLE org_domains (
	org_id BIGINT NOT NULL REFERENCES organizations (id),
	domain TEXT NOT NULL,
	auto_approve INTEGER NOT NULL DEFAULT 0 CHECK (auto_approve IN (0, 1)),
	PRIMARY KEY (org_id, domain)
);
CREATE INDEX org_domains_domain ON org_domains (domain);

-- An org admin's invitation by email, valid 7 days, used once. The person
-- it names is a users row with status 'invited' until they accept.
CREATE TABLE invitations (
	id @ID@,
	token_hash TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES organizations (id),
	email TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('org_admin', 'leader', 'trainer', 'editor', 'officer',
		'partner', 'analyst')),
	invited_by BIGINT REFERENCES users (id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	accepted_at BIGINT,
	revoked_at BIGINT
);
CREATE INDEX invitations_org ON invitations (org_id);

-- A request to join an organization from a person whose verified email's
-- domain it lists; decided by an org admin (or approved at once when the
-- org auto-approves that domain).
CREATE TABLE join_requests (
	id @ID@,
	user_id BIGINT NOT NULL REFERENCES users (id),
	org_id BIGINT NOT NULL REFERENCES organizations (id),
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved',
		'declined')),
	created_at BIGINT NOT NULL,
	decided_by BIGINT REFERENCES users (id),
	decided_at BIGINT
);
CREATE INDEX join_requests_org ON join_requests (org_id, status);

-- Single-use links sent by mail: 'verify' (an email address, 24 hours) and
-- 'reset' (a forgotten password, 30 minutes).
CREATE TABLE email_tokens (
	token_hash TEXT PRIMARY KEY,
	purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
	user_id BIGINT NOT NULL REFERENCES users (id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id);

-- Personal access tokens for /api/v1/ (DESIGN.md §6): shown once, read-only
-- or read-write, 90 days unless said otherwise, never for a site admin,
-- revoked with their user.
CREATE TABLE api_tokens (
	id @ID@,
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	name TEXT NOT NULL,
	scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
