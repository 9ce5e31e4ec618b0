// Black-box tests of a content pack's courses (docs/course-format.md):
// `csec content validate` on each fixture pack of tests/content/course-bad/
// (one per class of course error) with the exact FILE:LINE: MESSAGE lines;
// the valid fixture course (tests/content/course-fixture/) imported with
// `csec content import` into one set of rows per pack version, a rollback
// that is a switch of the active version, a failed import that changes
// nothing, and export → validate → import round-tripping the course files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, freshStore, sql, storeSnapshot } from './lib/server.mjs';

const CONTENT = new URL('../content/', import.meta.url).pathname;
const FIXTURE = join(CONTENT, 'course-fixture');
const C = 'course/fixture/course.json';
const L = 'course/fixture/lessons';
const S = 'course/fixture/scenarios/night-stop.json';
const Q = 'course/fixture/questions/pool.json';

const expected = {
  'course-json': [
    `${C}:0: unknown field "author" (the fields are slug, title, summary, audience, credit_hours, instructor, visibility, order, final_test, topics, modules, sources)`,
    `${C}:0: missing field "instructor"`,
    `${C}:0: visibility: must be public, members or law_enforcement, not "everyone"`,
    `${C}:0: credit_hours: must be a number of hours from 0.25 to 40 with at most two decimals`,
    `${C}:0: final_test.max_attempts: must be a whole number from 1 to 10`,
    `${C}:0: modules[1].discussion: must list 1 to 50 entries (it lists 0)`,
    `${C}:0: modules[1].lessons[0].topics: topic 11 is not one of the course's topics`,
    `${C}:0: modules[1].lessons[0].video.file: must name a video file in media/ (.mp4 or .webm)`,
  ],
  'json-syntax': [
    `course/fixture/checks/indicators.json:2: not valid JSON: string or '}' expected near ','`,
    `${S}:6: not valid JSON: '}' expected near '"start"'`,
  ],
  'lesson-files': [
    `${C}:0: modules[1].lessons[0]: lesson "talking" has no file in course/fixture/lessons/`,
    `${C}:0: modules[0].lessons[1].scenario: no scenario of this course has the slug "day-stop"`,
    `${L}/10-what-it-is.md:6: a lesson has no visibility of its own (it is its course's): remove the field`,
    `${L}/20-indicators.md:4: kind must be "lesson" in a course's lessons/, not "guide"`,
    `${L}/40-extra.md:3: lesson "extra" is not listed in the modules of course/fixture/course.json`,
  ],
  markdown: [
    `${L}/10-what-it-is.md:17: a level-1 heading (# or ===) is not allowed: the title is the page's only h1; use ## for sections`,
    `${L}/10-what-it-is.md:19: raw HTML is not allowed (it is dropped): write it in Markdown instead`,
    `${L}/10-what-it-is.md:25: unknown placeholder {{agency.nickname}}`,
    `${L}/10-what-it-is.md:25: link to /guide/no-such-page: no page of the pack has the slug "no-such-page"`,
    `${L}/10-what-it-is.md:25: link to /courses/fixture/lessons/nowhere: the course has no lesson "nowhere"`,
    `${S}:0: debrief: placeholder {{ agency.name }} has spaces: write {{agency.name}}`,
    `${S}:0: debrief: raw HTML is not allowed (it is dropped): write it in Markdown instead`,
    `${S}:0: debrief: link to /practices/fixture-notes: that page is a guide, so its address is /guide/fixture-notes`,
  ],
  media: [
    `${C}:0: modules[0].lessons[1].video.transcript: there is no file course/fixture/media/intro.txt`,
    'course/fixture/media/intro.vtt:1: a WebVTT file starts with the line "WEBVTT"',
    "course/fixture/media/notes.pdf:0: not a course file: a course's folders hold lessons/*.md, checks/*.json, questions/*.json, scenarios/*.json and media/*.mp4, .webm, .vtt or .txt, named with letters, digits, '.', '-' and '_'",
  ],
  questions: [
    'course/fixture/checks/indicators.json:0: lesson: "talking-more" is not a lesson of this course',
    `${C}:0: final_test.questions: the final test draws 12 questions but the pool (questions/*.json) holds 7`,
    `${Q}:0: questions[0].id: question id "wii-1" is already used in course/fixture/checks/what-it-is.json`,
    `${Q}:0: questions[1].choices: a true/false question has two choices with ids "true" and "false", one of them right`,
    `${Q}:0: questions[2].choices: a single-choice question has exactly one right choice (it has 2)`,
    `${Q}:0: questions[3].topic: topic 9 is not one of the course's topics`,
    `${Q}:0: questions[4].lesson: "nowhere" is not a lesson of this course`,
    `${Q}:0: questions[5]: missing field "explanation"`,
  ],
  scenario: [
    `${S}:0: steps: the choice "press" of step "talk" leads back to step "stop": a scenario has no cycles`,
    `${S}:0: steps[4]: step "lost" cannot be reached from the start "stop"`,
  ],
  'scenario-steps': [
    `${S}:0: steps[0].choices: must list 2 to 5 entries (it lists 1)`,
    `${S}:0: steps[2]: an ending ("end": true) has no choices`,
    `${S}:0: steps[1].choices[0].next: no step has the id "nowhere"`,
  ],
};

test('the fixture course is clean', async () => {
  const r = await run(['content', 'validate', FIXTURE]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /is clean: pack course-fixture 1\.0\.0, 1 page .*, 1 course \(3 lessons, 15 questions, 1 scenarios\)/);
});

for (const [name, lines] of Object.entries(expected)) {
  test(`course fixture ${name}: exactly its problems, exit 1`, async () => {
    const r = await run(['content', 'validate', join(CONTENT, 'course-bad', name)]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), lines);
  });
}

test('kind: lesson outside a course is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csec-course-'));
  try {
    await cp(FIXTURE, dir, { recursive: true });
    const g = join(dir, 'guide', '10-fixture-notes.md');
    await writeFile(g, (await readFile(g, 'utf8')).replace('kind: guide', 'kind: lesson'));
    const r = await run(['content', 'validate', dir]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), [
      'guide/10-fixture-notes.md:4: kind "lesson" is only for a course\'s lessons (course/SLUG/lessons/); here the kind is guide, practice or resource',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------ the store

let store, tmp;
async function content(...args) { return run(['content', ...args, ...store.args]); }
async function rows(q) { return sql(store, q); }

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-course-pack-'));
  store = await freshStore();
});
after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (store) await rm(store.data, { recursive: true, force: true });
});

const ACTIVE = "SELECT c.id, v.version FROM courses c JOIN library_versions v ON v.id = c.version_id WHERE v.active = 1 AND c.slug = 'fixture'";

test('import: one set of course rows per pack version; rollback switches the active one', async () => {
  let r = await content('import', FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  const [[c1, ver1]] = await rows(ACTIVE);
  assert.equal(ver1, '1.0.0');
  assert.deepEqual(await rows(`SELECT title, credit_centihours, visibility, test_questions, pass_mark, max_attempts, wait_minutes, time_limit_minutes FROM courses WHERE id = ${c1}`),
    [['Fixture course for tests', '150', 'members', '5', '80', '3', '0', '30']]);
  assert.deepEqual(await rows(`SELECT position, slug FROM course_modules WHERE course_id = ${c1} ORDER BY position`), [['0', 'basics'], ['1', 'response']]);
  assert.deepEqual(await rows(`SELECT position, module_slug, slug, required, COALESCE(scenario_slug, '-') FROM course_lessons WHERE course_id = ${c1} ORDER BY position`),
    [['0', 'basics', 'what-it-is', '1', '-'], ['1', 'basics', 'indicators', '1', 'night-stop'], ['2', 'response', 'talking', '0', '-']]);
  // (LIKE: the command-line clients print a row's newlines as they are.)
  assert.deepEqual(await rows(`SELECT count(*) FROM course_lessons WHERE course_id = ${c1} AND slug = 'what-it-is' AND html LIKE '%<h2 id="the-law-in-one-sentence">%' AND html LIKE '%{{agency.name}}%'`), [['1']],
    'rendered at import, placeholders left to fill per reader');
  assert.deepEqual(await rows(`SELECT purpose, count(*) FROM course_questions WHERE course_id = ${c1} GROUP BY purpose ORDER BY purpose`), [['check', '3'], ['test', '12']]);
  const body = JSON.parse((await rows(`SELECT body_json FROM course_scenarios WHERE course_id = ${c1}`))[0][0]);
  assert.equal(body.start, 'stop');
  assert.match(body.steps[0].choices[0].feedback, /<strong>without<\/strong>/);

  // Version 2 changes a title; version 1's rows stay.
  const dir = await mkdtemp(join(tmp, 'v2-'));
  await cp(FIXTURE, dir, { recursive: true });
  const pj = join(dir, 'pack.json');
  await writeFile(pj, (await readFile(pj, 'utf8')).replace('"1.0.0"', '"2.0.0"'));
  const cj = join(dir, 'course', 'fixture', 'course.json');
  await writeFile(cj, (await readFile(cj, 'utf8')).replace('Fixture course for tests', 'Fixture course, second edition'));
  r = await content('import', dir);
  assert.equal(r.code, 0, r.stderr);
  const [[c2, ver2]] = await rows(ACTIVE);
  assert.equal(ver2, '2.0.0');
  assert.notEqual(c2, c1);
  assert.equal((await rows("SELECT count(*) FROM courses WHERE slug = 'fixture'"))[0][0], '2');
  const v1 = (await rows("SELECT id FROM library_versions WHERE pack = 'course-fixture' AND version = '1.0.0'"))[0][0];
  r = await content('rollback', v1);
  assert.equal(r.code, 0, r.stderr);
  const [[c3, ver3]] = await rows(ACTIVE);
  assert.equal(c3, c1);
  assert.equal(ver3, '1.0.0');
});

test('a pack whose course has a problem, or another pack taking the slug, changes nothing', async () => {
  const snap = { db: store.db };
  const before = await storeSnapshot(snap);
  let r = await content('import', join(CONTENT, 'course-bad', 'questions'));
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /question id "wii-1" is already used/);
  const dir = await mkdtemp(join(tmp, 'other-'));
  await cp(FIXTURE, dir, { recursive: true });
  const pj = join(dir, 'pack.json');
  await writeFile(pj, (await readFile(pj, 'utf8')).replace('"course-fixture"', '"other-pack"'));
  const g = join(dir, 'guide', '10-fixture-notes.md');
  await writeFile(g, (await readFile(g, 'utf8')).replace('slug: fixture-notes', 'slug: other-notes'));
  for (const f of ['10-what-it-is.md']) {
    const p = join(dir, 'course', 'fixture', 'lessons', f);
    await writeFile(p, (await readFile(p, 'utf8')).replace('/guide/fixture-notes', '/guide/other-notes'));
  }
  r = await content('import', dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /course\/fixture\/course\.json:?0?: the course slug "fixture" belongs to the pack "course-fixture"/);
  assert.equal(await storeSnapshot(snap), before);
});

test('export, validate, import again: the course round-trips', async () => {
  const out = join(tmp, 'export');
  let r = await content('export', out, '--pack', 'course-fixture');
  assert.equal(r.code, 0, r.stderr);
  const files = (await readdir(join(out, 'course', 'fixture'), { recursive: true })).sort();
  for (const f of ['course.json', 'lessons/10-what-it-is.md', 'lessons/20-indicators.md', 'lessons/30-talking.md',
    'checks/what-it-is.json', 'checks/indicators.json', 'questions/pool.json', 'questions/more.json', 'scenarios/night-stop.json']) {
    assert.ok(files.includes(f), `${f} exported (${files.join(', ')})`);
  }
  const lesson = await readFile(join(out, 'course', 'fixture', 'lessons', '10-what-it-is.md'), 'utf8');
  assert.match(lesson, /^---\ntitle: "What it is"\nslug: what-it-is\nkind: lesson\n/);
  assert.ok(!/visibility/.test(lesson));
  const course = JSON.parse(await readFile(join(out, 'course', 'fixture', 'course.json'), 'utf8'));
  assert.equal(course.credit_hours, 1.5);
  assert.equal(course.modules[1].lessons[0].required, false);
  const checks = JSON.parse(await readFile(join(out, 'course', 'fixture', 'checks', 'what-it-is.json'), 'utf8'));
  assert.equal(checks.sources.length, 1, 'a question file keeps its sources');
  r = await run(['content', 'validate', out]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const pj = join(out, 'pack.json');
  await writeFile(pj, (await readFile(pj, 'utf8')).replace('"1.0.0"', '"3.0.0"'));
  r = await content('import', out);
  assert.equal(r.code, 0, r.stderr);
  const [[id, ver]] = await rows(ACTIVE);
  assert.equal(ver, '3.0.0');
  const same = async (q) => assert.deepEqual(await rows(q.replaceAll('ID', id)), await rows(q.replaceAll('ID', (await rows("SELECT c.id FROM courses c JOIN library_versions v ON v.id = c.version_id WHERE v.version = '1.0.0'"))[0][0])));
  await same('SELECT position, module_slug, slug, title, minutes, required, topics_json, markdown, html, sources_json FROM course_lessons WHERE course_id = ID ORDER BY position');
  await same('SELECT qid, purpose, COALESCE(lesson_slug, \'\'), qtype, topic, prompt, choices_json, explanation, path FROM course_questions WHERE course_id = ID ORDER BY qid');
  await same('SELECT slug, body_json, source_json FROM course_scenarios WHERE course_id = ID');
  await same('SELECT position, slug, title, summary, discussion_json FROM course_modules WHERE course_id = ID ORDER BY position');
});
