-- 0004_mfa: the second factor (DESIGN.md §6; docs/mfa.md): each person's
-- TOTP secret, sealed with a key derived from the deployment secret, their
-- single-use recovery codes, and the half-signed-in state between the
-- password and the code. Times the code compares are Unix seconds.

-- One row per person who has begun enrolment; enabled = 1 once a first code
-- has confirmed it. last_step is the last TOTP time step accepted (Unix
-- time / 30): a code is only accepted for a later step, so each code works
-- once. secret_sealed is "v1." + base64url(nonce || XChaCha20-Poly1305
-- ciphertext || tag), bound to the row's user_id (src/auth/totp.c).
CREATE TABLE user_mfa (
	user_id BIGINT PRIMARY KEY REFERENCES users (id),
	secret_sealed TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
	last_step BIGINT NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL DEFAULT (@NOW@)
);

-- Ten per person, replaced as a set. code_hash is the hex HMAC-SHA-256 of
-- the normalised code under a key derived from the deployment secret;
-- used_at (Unix seconds) is set when one is spent, and a spent code never
-- works again.
CREATE TABLE recovery_codes (
	id @ID@,
	user_id BIGINT NOT NULL REFERENCES users (id),
	code_hash TEXT NOT NULL,
	used_at BIGINT,
	UNIQUE (user_id, code_hash)
);

-- The password was right and a code is awaited: known by the SHA-256 of a
-- random token that only the person's cookie holds; good for 5 minutes.
CREATE TABLE mfa_challenges (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX mfa_challenges_expires ON mfa_challenges (expires_at);
CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);
