-- 0013_course_test (0012 on its branch; renumbered after course-core's 0012): the final test (issue 6 point 3; docs/course-test.md).
-- An attempt's questions keep their type as it was when the attempt
-- started, like the prompt and choices copied beside it: the type decides
-- how the question is shown (one choice or several) and which answers are
-- valid, and a new pack version must not change an attempt under way.
ALTER TABLE course_attempt_items ADD COLUMN qtype TEXT NOT NULL DEFAULT 'single'
	CHECK (qtype IN ('single', 'multiple', 'true_false'));
