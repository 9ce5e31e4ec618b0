-- 0016_session_stamp, SQLite's part: sessions.auth_stamp changes, in the
-- same transaction, whenever anything a signed-in request's principal is
-- made of changes: the person (name, e-mail, site admin, status), any of
-- their memberships (role, status, added or removed: the MFA rule looks at
-- all of them), an organization they belong to (name, status, whether it
-- requires MFA) or their MFA. src/auth/session.c keeps the principal of a
-- recently seen session in memory and, on each request, reads only the
-- session row: an unchanged stamp means the kept principal is still what
-- the full lookup would build. A new stamp is random, not a count, so a
-- store restored from a backup does not repeat a stamp with other data.
-- The migration's PostgreSQL twin does the same with one function.
ALTER TABLE sessions ADD COLUMN auth_stamp INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER users_restamp_sessions AFTER UPDATE OF email, name, site_admin, status ON users
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id = NEW.id;
END;

CREATE TRIGGER memberships_insert_restamp_sessions AFTER INSERT ON memberships
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id = NEW.user_id;
END;

CREATE TRIGGER memberships_update_restamp_sessions AFTER UPDATE ON memberships
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id IN (OLD.user_id, NEW.user_id);
END;

CREATE TRIGGER memberships_delete_restamp_sessions AFTER DELETE ON memberships
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id = OLD.user_id;
END;

CREATE TRIGGER organizations_restamp_sessions
	AFTER UPDATE OF name, status, mfa_required ON organizations
BEGIN
	UPDATE sessions SET auth_stamp = random()
		WHERE user_id IN (SELECT user_id FROM memberships WHERE org_id = NEW.id);
END;

CREATE TRIGGER user_mfa_insert_restamp_sessions AFTER INSERT ON user_mfa
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id = NEW.user_id;
END;

CREATE TRIGGER user_mfa_update_restamp_sessions AFTER UPDATE ON user_mfa
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id IN (OLD.user_id, NEW.user_id);
END;

CREATE TRIGGER user_mfa_delete_restamp_sessions AFTER DELETE ON user_mfa
BEGIN
	UPDATE sessions SET auth_stamp = random() WHERE user_id = OLD.user_id;
END;
