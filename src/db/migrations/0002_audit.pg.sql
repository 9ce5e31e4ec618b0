-- 0002_audit, PostgreSQL's part: audit_log refuses UPDATE, DELETE and
-- TRUNCATE (which skips row triggers), and the checkpoint refuses DELETE and
-- TRUNCATE (it is only ever updated). The error is SQLSTATE 23001
-- (restrict_violation), a constraint violation like SQLite's RAISE(ABORT)
-- (DB_ECONSTRAINT). A superuser or the table owner can drop these; `csec
-- audit verify` still finds the change.
CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
		USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
