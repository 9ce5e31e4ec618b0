-- 0011_course: the online course (issue 6; docs/course-format.md,
-- docs/course.md). Two halves:
--   content: what a pack version's course/ folder held, written by the
--     import in the same transaction as the rest of the pack, one set of rows
--     per pack version (course_id → courses.version_id), so a rollback is a
--     change of the active version and nothing else;
--   records: what learners did, keyed by the course's and lessons' slugs and
--     the questions' ids (stable across pack versions), so a new version of
--     the pack never loses anyone's progress.
-- Times the code compares are Unix seconds.

-- ---------------------------------------------------------------- content

-- One course of one pack version. credit_centihours: 4.25 hours = 425.
CREATE TABLE courses (
	id @ID@,
	version_id BIGINT NOT NULL REFERENCES library_versions (id),
	slug TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	audience TEXT NOT NULL DEFAULT '',
	instructor TEXT NOT NULL,
	credit_centihours INTEGER NOT NULL CHECK (credit_centihours > 0),
	visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'law_enforcement')),
	sort_order INTEGER NOT NULL DEFAULT 0,
	test_questions INTEGER NOT NULL CHECK (test_questions > 0),
	pass_mark INTEGER NOT NULL CHECK (pass_mark BETWEEN 1 AND 100),
	max_attempts INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 10),
	wait_minutes INTEGER NOT NULL DEFAULT 0 CHECK (wait_minutes >= 0),
	time_limit_minutes INTEGER NOT NULL CHECK (time_limit_minutes > 0),
	grading TEXT NOT NULL DEFAULT 'highest' CHECK (grading IN ('highest')),
	topics_json TEXT NOT NULL DEFAULT '[]', -- [{"id", "title"}]
	sources_json TEXT NOT NULL DEFAULT '[]',
	path TEXT NOT NULL, -- "course/officers/course.json", for export
	UNIQUE (version_id, slug)
);

-- Modules in course order; discussion_json: ["prompt", ...].
CREATE TABLE course_modules (
	course_id BIGINT NOT NULL REFERENCES courses (id),
	position INTEGER NOT NULL,
	slug TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	discussion_json TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (course_id, slug)
);

-- Lessons in course order (position counts across the whole course). html is
-- the Markdown rendered at import (placeholders still in it, filled per
-- reader like a guide page); markdown is kept for export. video_*: names
-- of course_media rows (NULL: no video).
CREATE TABLE course_lessons (
	course_id BIGINT NOT NULL REFERENCES courses (id),
	position INTEGER NOT NULL,
	module_slug TEXT NOT NULL,
	slug TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	minutes INTEGER NOT NULL DEFAULT 0,
	required INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
	topics_json TEXT NOT NULL DEFAULT '[]', -- [1, 3]
	scenario_slug TEXT,
	video_name TEXT,
	captions_name TEXT,
	transcript_name TEXT,
	reviewed TEXT NOT NULL DEFAULT '',
	sources_json TEXT NOT NULL DEFAULT '[]',
	markdown TEXT NOT NULL,
	html TEXT NOT NULL,
	toc_json TEXT NOT NULL DEFAULT '[]',
	path TEXT NOT NULL,
	PRIMARY KEY (course_id, slug)
);

-- Every question of a course: a lesson's knowledge checks (purpose 'check',
-- lesson_slug set) and the final test's pool (purpose 'test'). choices_json
-- [{"id", "text", "correct", "why"}] never leaves the server before the
-- learner has answered. path: the file it came from.
CREATE TABLE course_questions (
	course_id BIGINT NOT NULL REFERENCES courses (id),
	qid TEXT NOT NULL,
	purpose TEXT NOT NULL CHECK (purpose IN ('check', 'test')),
	lesson_slug TEXT,
	position INTEGER NOT NULL,
	qtype TEXT NOT NULL CHECK (qtype IN ('single', 'multiple', 'true_false')),
	topic INTEGER,
	prompt TEXT NOT NULL,
	choices_json TEXT NOT NULL,
	explanation TEXT NOT NULL DEFAULT '',
	path TEXT NOT NULL,
	PRIMARY KEY (course_id, qid)
);

-- A branching scenario; body_json is the file's steps with every Markdown
-- field rendered to HTML at import (and the source kept for export).
CREATE TABLE course_scenarios (
	course_id BIGINT NOT NULL REFERENCES courses (id),
	slug TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	topics_json TEXT NOT NULL DEFAULT '[]',
	body_json TEXT NOT NULL,
	source_json TEXT NOT NULL,
	sources_json TEXT NOT NULL DEFAULT '[]',
	path TEXT NOT NULL,
	PRIMARY KEY (course_id, slug)
);

-- Video, captions and transcripts, by course slug and name: a pack's
-- (source 'pack', written at import) or uploaded by a site admin (source
-- 'upload'; an upload of the same name wins over the pack's). Kept in the
-- store so every node serves them; served with range requests.
CREATE TABLE course_media (
	id @ID@,
	course_slug TEXT NOT NULL,
	name TEXT NOT NULL, -- "media/intro.mp4"
	source TEXT NOT NULL CHECK (source IN ('pack', 'upload')),
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	bytes BYTEA NOT NULL,
	uploaded_by BIGINT REFERENCES users (id),
	created_at BIGINT NOT NULL,
	UNIQUE (course_slug, name, source)
);

-- ---------------------------------------------------------------- records

-- A learner in a course. org_id: the organization they were in when they
-- enrolled (whose leaders and trainers see their progress).
-- last_lesson_slug: where "resume" goes.
CREATE TABLE course_enrolments (
	id @ID@,
	user_id BIGINT NOT NULL REFERENCES users (id),
	org_id BIGINT REFERENCES organizations (id),
	course_slug TEXT NOT NULL,
	enrolled_at BIGINT NOT NULL,
	last_lesson_slug TEXT,
	last_seen_at BIGINT,
	completed_at BIGINT,
	UNIQUE (user_id, course_slug)
);
CREATE INDEX course_enrolments_org ON course_enrolments (org_id, course_slug);

-- A course assigned by a trainer or leader to a member of their
-- organization, with a due date (Unix seconds: the end of the due day in
-- the organization's time zone).
CREATE TABLE course_assignments (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organizations (id),
	user_id BIGINT NOT NULL REFERENCES users (id),
	course_slug TEXT NOT NULL,
	due_at BIGINT NOT NULL,
	assigned_by BIGINT REFERENCES users (id),
	assigned_at BIGINT NOT NULL,
	cancelled_at BIGINT,
	UNIQUE (org_id, user_id, course_slug)
);

-- A lesson started and (once the learner finished it) completed.
CREATE TABLE course_progress (
	user_id BIGINT NOT NULL REFERENCES users (id),
	course_slug TEXT NOT NULL,
	lesson_slug TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	completed_at BIGINT,
	PRIMARY KEY (user_id, course_slug, lesson_slug)
);

-- Each knowledge-check answer (choices_json: the ids chosen).
CREATE TABLE course_check_answers (
	id @ID@,
	user_id BIGINT NOT NULL REFERENCES users (id),
	course_slug TEXT NOT NULL,
	qid TEXT NOT NULL,
	choices_json TEXT NOT NULL,
	correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
	answered_at BIGINT NOT NULL
);
CREATE INDEX course_check_answers_user ON course_check_answers (user_id, course_slug);

-- One run through a scenario; path_json [{"step", "choice"}, ...].
CREATE TABLE course_scenario_runs (
	id @ID@,
	user_id BIGINT NOT NULL REFERENCES users (id),
	course_slug TEXT NOT NULL,
	scenario_slug TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	finished_at BIGINT,
	current_step TEXT NOT NULL,
	path_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX course_scenario_runs_user ON course_scenario_runs (user_id, course_slug);

-- A final-test attempt. The rules in force when it started are copied in,
-- so a new pack version does not change an attempt under way.
-- score: percent right (0-100) once submitted.
CREATE TABLE course_attempts (
	id @ID@,
	user_id BIGINT NOT NULL REFERENCES users (id),
	course_slug TEXT NOT NULL,
	number INTEGER NOT NULL,
	started_at BIGINT NOT NULL,
	deadline_at BIGINT NOT NULL,
	submitted_at BIGINT,
	score INTEGER,
	passed INTEGER CHECK (passed IN (0, 1)),
	pass_mark INTEGER NOT NULL,
	UNIQUE (user_id, course_slug, number)
);

-- The questions drawn for an attempt, with the question as it was shown
-- (prompt and choices_json copied from course_questions), the learner's
-- answer and whether it was right: the item analysis reads this table.
CREATE TABLE course_attempt_items (
	attempt_id BIGINT NOT NULL REFERENCES course_attempts (id),
	position INTEGER NOT NULL,
	qid TEXT NOT NULL,
	prompt TEXT NOT NULL,
	choices_json TEXT NOT NULL,
	explanation TEXT NOT NULL DEFAULT '',
	answer_json TEXT, -- the ids chosen, once submitted
	correct INTEGER CHECK (correct IN (0, 1)),
	PRIMARY KEY (attempt_id, position)
);
CREATE INDEX course_attempt_items_qid ON course_attempt_items (qid);

-- A certificate, written when an enrolment completes: everything printed on
-- it is copied in, so it reads the same for ever. code: the public
-- verification code (/verify/CODE), random, unguessable.
CREATE TABLE certificates (
	id @ID@,
	code TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	org_id BIGINT REFERENCES organizations (id),
	course_slug TEXT NOT NULL,
	learner_name TEXT NOT NULL,
	course_title TEXT NOT NULL,
	provider TEXT NOT NULL,
	instructor TEXT NOT NULL,
	credit_centihours INTEGER NOT NULL,
	completed_at BIGINT NOT NULL,
	score INTEGER,
	revoked_at BIGINT,
	revoked_by BIGINT REFERENCES users (id),
	revoke_reason TEXT,
	UNIQUE (user_id, course_slug)
);
CREATE INDEX certificates_org ON certificates (org_id, completed_at);

-- ------------------------------------------------------------------- xAPI

-- Every learning event, written in the transaction of the action, with the
-- xAPI statement id fixed then (a UUID). It is also the outbox the xAPI
-- worker (src/jobs/xapi.c) sends from, like the mail outbox (0005):
-- status, attempts, next_attempt_at, claims. verb: launched, experienced,
-- answered, passed, failed, completed. object_type: course, lesson,
-- question, scenario, test. result_json: xAPI result fields or NULL.
CREATE TABLE learning_events (
	id @ID@,
	statement_id TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	user_id BIGINT NOT NULL REFERENCES users (id),
	org_id BIGINT REFERENCES organizations (id),
	course_slug TEXT NOT NULL,
	verb TEXT NOT NULL CHECK (verb IN ('launched', 'experienced', 'answered', 'passed',
		'failed', 'completed')),
	object_type TEXT NOT NULL CHECK (object_type IN ('course', 'lesson', 'question',
		'scenario', 'test')),
	object_id TEXT NOT NULL, -- the slug or question id
	object_name TEXT NOT NULL DEFAULT '',
	result_json TEXT,
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent',
		'held')), -- held: refused by the LRS on its own; kept, with last_error, until a
		-- site admin sends it again (docs/xapi.md)
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	last_error TEXT,
	sent_at BIGINT,
	claimed_by TEXT,
	claimed_until BIGINT
);
CREATE INDEX learning_events_due ON learning_events (next_attempt_at)
	WHERE status IN ('queued', 'sending');
CREATE INDEX learning_events_user ON learning_events (user_id, course_slug);
