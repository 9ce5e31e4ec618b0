-- 0006_setup: one-time setup URLs that create the first site admin and the
-- first organization (valid one hour, used once). Only the SHA-256 of a
-- token is stored.
CREATE TABLE setup_tokens (
	token_hash TEXT PRIMARY KEY,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
