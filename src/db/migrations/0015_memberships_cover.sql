-- 0015_memberships_cover: an index that answers, from the index alone, what
-- every signed-in request asks of a person's memberships (the session lookup
-- in src/auth/session.c joins the active organization's membership for its
-- role and status, and the MFA rule looks at the roles of all of them).
-- Without it each of those reads the index and then the table row: some
-- 4 000 instructions of a signed-in page's 92 000 on SQLite
-- (docs/benchmarks.md). The primary key (user_id, org_id) stays as it is.
CREATE INDEX memberships_cover ON memberships (user_id, org_id, status, role);
