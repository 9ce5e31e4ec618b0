-- 0008_library: the knowledge base (issue 5; DESIGN.md §7, docs/library.md):
-- imported versions of content packs, the pages of the guide and the
-- practice and resource libraries, their revisions, and the agency profile
-- fields that fill the pages' placeholders. Times the code compares are
-- Unix seconds; dates a person wrote (as_of, reviewed) are YYYY-MM-DD text.

-- The agency profile behind the placeholders agency.name (display_name,
-- else the organization's name), agency.hotline and state.law_summary;
-- agency.state, agency.jurisdiction and agency.time_zone reuse 0003's
-- columns. Edited by org admins on /org/settings.
ALTER TABLE organizations ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN hotline TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN law_summary TEXT NOT NULL DEFAULT '';

-- One import of a content pack: what its pack.json said, where it came from
-- and who brought it. Versions are never deleted, so a site admin can roll
-- back; one version per pack is active (the partial unique index). A review
-- by a subject-matter expert (who, their role, the date) is recorded by a
-- site admin only; until then a draft pack shows its banner.
CREATE TABLE library_versions (
	id @ID@,
	pack TEXT NOT NULL,
	version TEXT NOT NULL,
	title TEXT NOT NULL,
	language TEXT NOT NULL,
	license TEXT NOT NULL,
	as_of TEXT NOT NULL,
	review_status TEXT NOT NULL CHECK (review_status IN ('draft', 'reviewed')),
	disclaimer TEXT NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('starter', 'cli', 'upload')),
	imported_at BIGINT NOT NULL,
	imported_by BIGINT REFERENCES users (id),
	active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	reviewer TEXT,
	reviewer_role TEXT,
	reviewed_on TEXT,
	review_recorded_by BIGINT REFERENCES users (id),
	review_recorded_at BIGINT
);
CREATE INDEX library_versions_pack ON library_versions (pack, id);
CREATE UNIQUE INDEX library_versions_active ON library_versions (pack) WHERE active = 1;

-- A page: a pack's (org_id NULL, pack set; slugs unique across the packs'
-- pages) or an organization's own private page (org_id set, pack NULL;
-- slugs unique within the organization). kind, visibility, sort_order,
-- title and summary are copies of the current revision's, kept here so
-- listings and the visibility filter read one row. locally_edited: someone
-- changed it in the portal, so a newer pack never overwrites it; the
-- pack's new text then waits in pending_revision_id for an editor. The
-- revision ids carry no foreign key because the two tables point at each
-- other (the model sets them in the same transaction as the revision).
CREATE TABLE library_pages (
	id @ID@,
	org_id BIGINT REFERENCES organizations (id),
	pack TEXT,
	slug TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('guide', 'practice', 'resource')),
	visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'law_enforcement',
		'org')),
	sort_order INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	published INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
	current_revision_id BIGINT,
	pending_revision_id BIGINT,
	locally_edited INTEGER NOT NULL DEFAULT 0 CHECK (locally_edited IN (0, 1)),
	pack_version_id BIGINT REFERENCES library_versions (id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK ((org_id IS NULL AND pack IS NOT NULL) OR (org_id IS NOT NULL AND pack IS NULL))
);
CREATE UNIQUE INDEX library_pages_pack_slug ON library_pages (slug) WHERE org_id IS NULL;
CREATE UNIQUE INDEX library_pages_org_slug ON library_pages (org_id, slug)
	WHERE org_id IS NOT NULL;
CREATE INDEX library_pages_kind ON library_pages (kind, sort_order);

-- Every version of a page's content, never changed once written: an
-- import's (pack_version_id set, author_id NULL) or a person's edit
-- (author_id and message set). html is the Markdown rendered at import or
-- save (placeholders still in it), toc_json its h2/h3 headings
-- [{"level", "id", "text"}], sources_json [{"title", "publisher", "url",
-- "checked"}], plain_text the words for search. content_hash (SHA-256 of
-- everything a pack file says about the page) tells an unchanged page from
-- a changed one at the next import.
CREATE TABLE library_revisions (
	id @ID@,
	page_id BIGINT NOT NULL REFERENCES library_pages (id),
	pack_version_id BIGINT REFERENCES library_versions (id),
	author_id BIGINT REFERENCES users (id),
	message TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('guide', 'practice', 'resource')),
	visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'law_enforcement',
		'org')),
	sort_order INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	reviewed TEXT NOT NULL DEFAULT '',
	sources_json TEXT NOT NULL DEFAULT '[]',
	markdown TEXT NOT NULL,
	html TEXT NOT NULL,
	toc_json TEXT NOT NULL DEFAULT '[]',
	plain_text TEXT NOT NULL DEFAULT '',
	words INTEGER NOT NULL DEFAULT 0,
	content_hash TEXT NOT NULL
);
CREATE INDEX library_revisions_page ON library_revisions (page_id, id);

-- What each pack version held: its pages, the revision each had in it and
-- the file it came from. Rollback returns the pack's pages to these
-- revisions; export writes them back to the same paths.
CREATE TABLE library_version_pages (
	version_id BIGINT NOT NULL REFERENCES library_versions (id),
	page_id BIGINT NOT NULL REFERENCES library_pages (id),
	revision_id BIGINT NOT NULL REFERENCES library_revisions (id),
	path TEXT NOT NULL,
	PRIMARY KEY (version_id, page_id)
);
CREATE INDEX library_version_pages_page ON library_version_pages (page_id);
