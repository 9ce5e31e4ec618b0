-- 0014_course_media_storage (SQLite part): nothing to change. SQLite never
-- compresses a BLOB, and media_file_read reads a range with its incremental
-- BLOB I/O (db_blob_read), which touches only the pages of the range.
SELECT 1;
