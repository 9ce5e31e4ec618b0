-- 0009_search, PostgreSQL's part: the full-text index of the knowledge base
-- (docs/search.md), one row per published page: the current revision's
-- title, and its summary and plain text as the body, with their tsvector
-- in the english configuration (title weight A, body weight D, so the title
-- counts ten times the body in ts_rank_cd) under a GIN index. Who may see a
-- page is not copied here: a search joins library_pages and applies the
-- listings' own condition to it.
--
-- A trigger keeps the index current whenever a page's current revision or
-- published state changes, whoever changes it (import, rollback, an edit,
-- SQL by hand); a page deleted takes its row along (ON DELETE CASCADE). The
-- private-use characters U+E000 to U+E004 are the snippets' marks and
-- stand-ins (features/search/search.h), so the body drops them.
CREATE TABLE library_search (
	page_id BIGINT PRIMARY KEY REFERENCES library_pages (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	doc tsvector NOT NULL
);
CREATE INDEX library_search_doc ON library_search USING GIN (doc);

CREATE FUNCTION library_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM library_search WHERE page_id = NEW.id;
	IF NEW.published = 1 AND NEW.current_revision_id IS NOT NULL THEN
		INSERT INTO library_search (page_id, title, body, doc)
		SELECT NEW.id, t.title, t.body,
			setweight(to_tsvector('english', t.title), 'A') ||
			setweight(to_tsvector('english', t.body), 'D')
		FROM (SELECT r.title,
			translate(r.summary || E'\n\n' || r.plain_text,
				chr(57344) || chr(57345) || chr(57346) || chr(57347) || chr(57348), '')
				AS body
			FROM library_revisions r WHERE r.id = NEW.current_revision_id) t;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER library_search_insert AFTER INSERT ON library_pages
	FOR EACH ROW EXECUTE FUNCTION library_search_sync();
CREATE TRIGGER library_search_update AFTER UPDATE OF current_revision_id, published
	ON library_pages FOR EACH ROW
	WHEN (OLD.current_revision_id IS DISTINCT FROM NEW.current_revision_id
		OR OLD.published IS DISTINCT FROM NEW.published)
	EXECUTE FUNCTION library_search_sync();

-- The pages already in the store.
INSERT INTO library_search (page_id, title, body, doc)
SELECT t.id, t.title, t.body,
	setweight(to_tsvector('english', t.title), 'A') ||
	setweight(to_tsvector('english', t.body), 'D')
FROM (SELECT p.id, r.title,
	translate(r.summary || E'\n\n' || r.plain_text,
		chr(57344) || chr(57345) || chr(57346) || chr(57347) || chr(57348), '') AS body
	FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id
	WHERE p.published = 1) t;
