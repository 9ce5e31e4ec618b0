-- 0010_library_uploads: a content pack uploaded on /admin/content, waiting
-- between its check and its import (docs/content-admin.md). Kept in the
-- store rather than on one server's disk, so the confirming request may
-- reach any node. One per session, deleted with the session, taken out by
-- the import, and deleted by the next upload once an hour old. bytes is the
-- .zip as uploaded (at most 8 MiB); BYTEA is PostgreSQL's binary type, and
-- SQLite keeps a blob as it is under any declared type. file_name is the
-- name the browser sent, shown and never used as a path.
CREATE TABLE library_uploads (
	id @ID@,
	session_id BIGINT NOT NULL UNIQUE REFERENCES sessions (id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	created_at BIGINT NOT NULL,
	file_name TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	bytes BYTEA NOT NULL
);
CREATE INDEX library_uploads_created ON library_uploads (created_at);
