-- 0014_course_media_storage (PostgreSQL part): a course's video is served in
-- byte ranges (docs/course-video.md). Stored uncompressed (EXTERNAL), a
-- bytea's substring() reads only the TOAST chunks of the range instead of
-- decompressing the whole value; video is compressed already anyway.
ALTER TABLE course_media ALTER COLUMN bytes SET STORAGE EXTERNAL;
