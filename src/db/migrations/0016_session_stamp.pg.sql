-- 0016_session_stamp, PostgreSQL's part: sessions.auth_stamp changes, in the
-- same transaction, whenever anything a signed-in request's principal is
-- made of changes: the person (name, e-mail, site admin, status), any of
-- their memberships (role, status, added or removed: the MFA rule looks at
-- all of them), an organization they belong to (name, status, whether it
-- requires MFA) or their MFA. src/auth/session.c keeps the principal of a
-- recently seen session in memory and, on each request, reads only the
-- session row: an unchanged stamp means the kept principal is still what
-- the full lookup would build. A new stamp is random, not a count, so a
-- store restored from a backup does not repeat a stamp with other data.
-- The migration's SQLite twin does the same with a trigger per event.
ALTER TABLE sessions ADD COLUMN auth_stamp BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION sessions_restamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	stamp BIGINT := (random() * 9007199254740991)::BIGINT;
BEGIN
	IF TG_TABLE_NAME = 'organizations' THEN
		UPDATE sessions SET auth_stamp = stamp
			WHERE user_id IN (SELECT user_id FROM memberships WHERE org_id = NEW.id);
	ELSIF TG_TABLE_NAME = 'users' THEN
		UPDATE sessions SET auth_stamp = stamp WHERE user_id = NEW.id;
	ELSE -- memberships, user_mfa: OLD is NULL on INSERT, NEW on DELETE
		UPDATE sessions SET auth_stamp = stamp WHERE user_id IN (OLD.user_id, NEW.user_id);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER users_restamp_sessions AFTER UPDATE OF email, name, site_admin, status ON users
	FOR EACH ROW EXECUTE FUNCTION sessions_restamp();
CREATE TRIGGER memberships_restamp_sessions AFTER INSERT OR UPDATE OR DELETE ON memberships
	FOR EACH ROW EXECUTE FUNCTION sessions_restamp();
CREATE TRIGGER organizations_restamp_sessions
	AFTER UPDATE OF name, status, mfa_required ON organizations
	FOR EACH ROW EXECUTE FUNCTION sessions_restamp();
CREATE TRIGGER user_mfa_restamp_sessions AFTER INSERT OR UPDATE OR DELETE ON user_mfa
	FOR EACH ROW EXECUTE FUNCTION sessions_restamp();
