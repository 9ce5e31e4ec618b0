-- 0009_search, SQLite's part: the full-text index of the knowledge base
-- (docs/search.md), an FTS5 table with one row per published page, rowid =
-- library_pages.id: the current revision's title, and its summary and plain
-- text as the body. Words are split like PostgreSQL's english
-- configuration does (Unicode letters and digits, case and accents folded,
-- Porter stemming). The title weighs ten times the body in the ranking
-- (bm25). Who may see a page is not copied here: a search joins
-- library_pages and applies the listings' own condition to it.
--
-- Triggers keep the index current whenever a page's current revision,
-- published state or existence changes, whoever changes it (import,
-- rollback, an edit, SQL by hand). The private-use characters U+E000 to
-- U+E004 are the snippets' marks and stand-ins (features/search/search.h),
-- so the body drops them.
CREATE VIRTUAL TABLE library_search USING fts5(
	title,
	body,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO library_search (library_search, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

CREATE TRIGGER library_search_insert AFTER INSERT ON library_pages
WHEN NEW.published = 1 AND NEW.current_revision_id IS NOT NULL
BEGIN
	INSERT INTO library_search (rowid, title, body)
	SELECT NEW.id, r.title,
		replace(replace(replace(replace(replace(r.summary || char(10) || char(10) ||
			r.plain_text, char(57344), ''), char(57345), ''), char(57346), ''),
			char(57347), ''), char(57348), '')
	FROM library_revisions r WHERE r.id = NEW.current_revision_id;
END;

CREATE TRIGGER library_search_update AFTER UPDATE OF current_revision_id, published
ON library_pages
WHEN OLD.current_revision_id IS NOT NEW.current_revision_id
	OR OLD.published IS NOT NEW.published
BEGIN
	DELETE FROM library_search WHERE rowid = NEW.id;
	INSERT INTO library_search (rowid, title, body)
	SELECT NEW.id, r.title,
		replace(replace(replace(replace(replace(r.summary || char(10) || char(10) ||
			r.plain_text, char(57344), ''), char(57345), ''), char(57346), ''),
			char(57347), ''), char(57348), '')
	FROM library_revisions r WHERE r.id = NEW.current_revision_id AND NEW.published = 1;
END;

CREATE TRIGGER library_search_delete AFTER DELETE ON library_pages
BEGIN
	DELETE FROM library_search WHERE rowid = OLD.id;
END;

-- The pages already in the store.
INSERT INTO library_search (rowid, title, body)
SELECT p.id, r.title,
	replace(replace(replace(replace(replace(r.summary || char(10) || char(10) ||
		r.plain_text, char(57344), ''), char(57345), ''), char(57346), ''),
		char(57347), ''), char(57348), '')
FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id
WHERE p.published = 1;
