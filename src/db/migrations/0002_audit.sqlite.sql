-- 0002_audit, SQLite's part: audit_log refuses UPDATE and DELETE, and the
-- checkpoint refuses DELETE (it is only ever updated). RAISE(ABORT) fails the
-- statement as a constraint violation (DB_ECONSTRAINT). An attacker who can
-- write to the file can drop these; `csec audit verify` still finds the change.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be deleted');
END;

CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
BEGIN
	SELECT RAISE(ABORT, 'audit_checkpoint cannot be deleted');
END;
