-- 0012_course_core: what a course's question files (checks/*.json and
-- questions/*.json, docs/course-format.md) say besides their questions —
-- the lesson of a checks file and the file's sources — one row per file
-- and pack version, so an export writes the files back as they were.
CREATE TABLE course_question_files (
	course_id BIGINT NOT NULL REFERENCES courses (id),
	path TEXT NOT NULL,
	lesson_slug TEXT,
	sources_json TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (course_id, path)
);
