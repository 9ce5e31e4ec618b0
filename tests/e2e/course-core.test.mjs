// Black-box tests of the learner's side of the course (docs/course.md):
// who sees which course (anonymous, a partner of a child-welfare agency, an
// officer of a law-enforcement agency), enrolment, lessons (progress and
// resume), knowledge checks scored on the server, scenarios, completion and
// its certificate row, topic coverage and the API; every tampered input
// (unknown lesson, question or choice, another person's run) is refused and
// changes nothing. Runs on SQLite, or PostgreSQL with CSEC_TEST_STORE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { client, seedWorld, signIn } from './lib/accounts.mjs';

const FIXTURE = new URL('../content/course-fixture', import.meta.url).pathname;

let srv, store, world, tmp;
const as = {};

async function rows(q) { return sql(store, q); }
async function one(q) { return (await rows(q))[0]?.[0]; }
async function content(...args) { return run(['content', ...args, ...store.args]); }
async function events(verb) {
  return rows(`SELECT object_type, object_id, COALESCE(result_json, '') FROM learning_events WHERE verb = '${verb}' ORDER BY id`);
}

/** A second pack: the fixture course copied as "open-course" (public, a
 * topic no lesson covers) and "police-course" (law_enforcement). */
async function secondPack() {
  const dir = await mkdtemp(join(tmp, 'pack2-'));
  await cp(FIXTURE, dir, { recursive: true });
  await rm(join(dir, 'guide'), { recursive: true });
  const pj = join(dir, 'pack.json');
  await writeFile(pj, (await readFile(pj, 'utf8')).replace('"course-fixture"', '"course-fixture-two"'));
  const src = join(dir, 'course', 'fixture');
  for (const [slug, vis] of [['police-course', 'law_enforcement'], ['open-course', 'public']]) {
    const d = join(dir, 'course', slug);
    await cp(src, d, { recursive: true });
    const cj = join(d, 'course.json');
    let text = (await readFile(cj, 'utf8')).replace('"slug": "fixture"', `"slug": "${slug}"`).replace('"visibility": "members"', `"visibility": "${vis}"`)
      .replace('Fixture course for tests', `Fixture ${slug}`);
    if (vis === 'public') text = text.replace('{"id": 3, "title": "Talking with a youth"}', '{"id": 3, "title": "Talking with a youth"},\n    {"id": 4, "title": "A topic nobody wrote"}');
    await writeFile(cj, text);
    const l1 = join(d, 'lessons', '10-what-it-is.md');
    await writeFile(l1, (await readFile(l1, 'utf8')).replace('(/guide/fixture-notes)', '(/guide)'));
    const l2 = join(d, 'lessons', '20-indicators.md');
    await writeFile(l2, (await readFile(l2, 'utf8')).replace('/courses/fixture/', `/courses/${slug}/`));
    // Question ids stay unique within each course; a copy may reuse them.
  }
  await rm(src, { recursive: true });
  return dir;
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-course-core-'));
  store = await freshStore();
  world = await seedWorld(store);
  let r = await content('import', FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  r = await content('import', await secondPack());
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  as.anonymous = client(srv);
  as.partner = await signIn(srv, world.b.partner); // county-cw, child welfare
  as.officer = await signIn(srv, world.a.officer); // metro-pd, law enforcement
  as.trainer = await signIn(srv, world.a.trainer);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const slugsOn = (html) => [...html.matchAll(/href="\/courses\/([a-z0-9-]+)"/g)].map((m) => m[1]).sort();

test('who sees which course: anonymous, a partner, an officer of a law-enforcement agency', async () => {
  const seen = {};
  for (const who of ['anonymous', 'partner', 'officer']) {
    const res = await as[who].fetch('/courses');
    assert.equal(res.status, 200);
    seen[who] = slugsOn(await res.text());
    const api = await (await as[who].fetch('/api/v1/courses')).json();
    assert.deepEqual(api.courses.map((c) => c.slug).sort(), seen[who]);
    assert.ok(api.courses.every((c) => typeof c.title === 'string' && Object.keys(c).length === 2));
  }
  assert.deepEqual(seen.anonymous, ['open-course']);
  assert.deepEqual(seen.partner, ['fixture', 'open-course']);
  assert.deepEqual(seen.officer, ['fixture', 'open-course', 'police-course']);
  for (const path of ['/courses/police-course', '/courses/police-course/coverage', '/api/v1/courses/police-course/coverage']) {
    assert.equal((await as.anonymous.fetch(path)).status, 404, path);
    assert.equal((await as.partner.fetch(path)).status, 404, path);
    assert.equal((await as.officer.fetch(path)).status, 200, path);
  }
  assert.equal((await as.anonymous.fetch('/courses/fixture')).status, 404);
  assert.equal((await as.officer.fetch('/courses/no-such-course')).status, 404);
  assert.equal((await as.officer.fetch('/courses/BAD..slug')).status, 404);
  const page = await (await as.anonymous.fetch('/courses/open-course')).text();
  assert.match(page, /1\.5 credit hours/);
  assert.match(page, /The Fixture Training Board/);
  assert.match(page, /What did your last stop with a youth in the car look like\?/, 'discussion prompts');
  assert.match(page, /href="\/login"/, 'anonymous is asked to sign in to enrol');
  assert.ok(!/\/enrol"/.test(page));
});

test('coverage: topic → lessons, a topic without a lesson flagged; the API shape', async () => {
  const html = await (await as.anonymous.fetch('/courses/open-course/coverage')).text();
  assert.match(html, /A topic nobody wrote<\/th>\s*<td><strong class="course-missing">No lesson covers this topic yet\.<\/strong>/);
  assert.match(html, /1 of 4 topics have no lesson yet\./);
  const api = await (await as.anonymous.fetch('/api/v1/courses/open-course/coverage')).json();
  assert.deepEqual(api, {
    course: 'open-course',
    topics: [
      { id: 1, title: 'What trafficking of a minor is', lessons: [{ slug: 'what-it-is', title: 'What it is' }] },
      { id: 2, title: 'Indicators at a traffic stop', lessons: [{ slug: 'indicators', title: 'Indicators at a stop' }] },
      { id: 3, title: 'Talking with a youth', lessons: [{ slug: 'talking', title: 'Talking with a youth' }] },
      { id: 4, title: 'A topic nobody wrote', lessons: [] },
    ],
  });
  const full = await (await as.officer.fetch('/courses/fixture/coverage')).text();
  assert.match(full, /All 3 topics are covered/);
});

test('enrol: CSRF, anonymous refused; once, with the session organization, a launched event and an audit record', async () => {
  let snap = await storeSnapshot(srv);
  let res = await as.officer.post('/courses/fixture/enrol', {});
  assert.equal(res.status, 403);
  res = await as.anonymous.post('/courses/open-course/enrol', { _csrf: 'x' });
  assert.ok([401, 403, 303].includes(res.status), `anonymous enrol: ${res.status}`);
  res = await as.partner.form('/courses/police-course/enrol', {}, '/courses/fixture');
  assert.equal(res.status, 404, 'a course the partner may not see');
  assert.equal(await storeSnapshot(srv), snap);

  const page = await (await as.officer.fetch('/courses/fixture')).text();
  assert.match(page, /action="\/courses\/fixture\/enrol"/);
  res = await as.officer.form('/courses/fixture/enrol', {}, '/courses/fixture');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/courses/fixture');
  res = await as.officer.form('/courses/fixture/enrol', {}, '/courses/open-course');
  assert.equal(res.status, 303, 'a second enrolment is harmless');
  assert.deepEqual(await rows("SELECT e.course_slug, o.slug FROM course_enrolments e JOIN users u ON u.id = e.user_id JOIN organizations o ON o.id = e.org_id WHERE u.email = 'officer@a.example'"), [['fixture', 'metro-pd']]);
  assert.deepEqual(await events('launched'), [['course', 'fixture', '']]);
  assert.equal(await one("SELECT count(*) FROM audit_log WHERE action = 'course.enrol' AND target_id = 'fixture'"), '1');
  const after = await (await as.officer.fetch('/courses')).text();
  assert.match(after, /0 of 3 lessons complete/);
});

test('a lesson: not enrolled goes to the overview; opening it is recorded; placeholders filled; no answer leaks', async () => {
  let res = await as.partner.fetch('/courses/fixture/lessons/what-it-is');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/courses/fixture');
  assert.equal((await as.anonymous.fetch('/courses/open-course/lessons/what-it-is')).status === 200, false);
  assert.equal((await as.officer.fetch('/courses/fixture/lessons/nowhere')).status, 404);
  assert.equal((await as.officer.fetch('/courses/police-course/lessons/nowhere')).status, 404);
  res = await as.officer.fetch('/courses/fixture/lessons/indicators');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Indicators at a stop<\/h1>/);
  assert.match(html, /course video player goes here|<h2 id="signs-to-note">/);
  assert.match(html, /name="q-ind-1\[\]" type="checkbox" value="a"/);
  assert.ok(!/Control of speech is a common sign/.test(html), 'the feedback is not sent before an answer');
  assert.ok(!/correct/.test(html));
  assert.match(html, /href="\/courses\/fixture\/scenarios\/night-stop"/);
  assert.match(html, /rel="prev" href="\/courses\/fixture\/lessons\/what-it-is"/);
  assert.match(html, /rel="next" href="\/courses\/fixture\/lessons\/talking"/);
  assert.equal(await one("SELECT count(*) FROM course_progress p JOIN users u ON u.id = p.user_id WHERE u.email = 'officer@a.example' AND p.lesson_slug = 'indicators' AND p.completed_at IS NULL"), '1');
  assert.equal(await one("SELECT e.last_lesson_slug FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE u.email = 'officer@a.example'"), 'indicators');
  const first = await (await as.officer.fetch('/courses/fixture/lessons/what-it-is')).text();
  assert.match(first, /Metro Police Department/, '{{agency.name}} filled for the reader');
  const overview = await (await as.officer.fetch('/courses/fixture')).text();
  assert.match(overview, /href="\/courses\/fixture\/lessons\/what-it-is">Resume/, 'resume goes to the last lesson opened');
  // Reading the same lesson again within the minute writes nothing; another
  // lesson is recorded at once.
  const seen = "SELECT e.last_seen_at || ' ' || e.last_lesson_slug FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE u.email = 'officer@a.example'";
  await sql(store, "UPDATE course_enrolments SET last_seen_at = last_seen_at - 5 WHERE user_id = (SELECT id FROM users WHERE email = 'officer@a.example')");
  const before = await one(seen);
  assert.equal((await as.officer.fetch('/courses/fixture/lessons/what-it-is')).status, 200);
  assert.equal(await one(seen), before, 'no write for a lesson reopened within the minute');
  assert.equal((await as.officer.fetch('/courses/fixture/lessons/indicators')).status, 200);
  assert.match(await one(seen), / indicators$/, 'another lesson is recorded at once');
});

test('knowledge checks: scored on the server, feedback of what was chosen, recorded with an answered event', async () => {
  const path = '/courses/fixture/lessons/what-it-is';
  let res = await as.officer.form(`${path}/check`, { 'q-wii-1': 'b', 'q-wii-2': 'false' }, path);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Federal law treats her as a victim, not an offender\./, 'why of the chosen choice');
  assert.ok(!/no force need be shown/.test(html), 'the why of a choice not chosen stays hidden');
  assert.match(html, /Not quite\.<\/strong> Age alone makes it trafficking under federal law\./);
  assert.match(html, /Right\.<\/strong> For a minor the means need not be proven\./);
  assert.deepEqual(await rows("SELECT qid, choices_json, correct FROM course_check_answers ORDER BY id"), [['wii-1', '["b"]', '0'], ['wii-2', '["false"]', '1']]);
  const ev = await events('answered');
  assert.deepEqual(ev.map((e) => e.slice(0, 2)), [['question', 'wii-1'], ['question', 'wii-2']]);
  assert.deepEqual(JSON.parse(ev[0][2]), { success: false, response: 'b' });
  const multi = '/courses/fixture/lessons/indicators';
  res = await as.officer.form(`${multi}/check`, { 'q-ind-1': 'a' }, multi);
  // URLSearchParams from an object holds one value per name: send both.
  res = await as.officer.post(`${multi}/check`, new URLSearchParams([['_csrf', await as.officer.token(multi)], ['q-ind-1[]', 'a'], ['q-ind-1[]', 'b']]));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Right\.<\/strong>/);
  assert.deepEqual((await rows("SELECT choices_json, correct FROM course_check_answers WHERE qid = 'ind-1' ORDER BY id")), [['["a"]', '0'], ['["a","b"]', '1']]);
  assert.equal(JSON.parse((await events('answered')).at(-1)[2]).response, 'a[,]b');
});

test('tampered checks: unknown question, unknown choice, two answers to one, none, no CSRF: refused, nothing changed', async () => {
  const path = '/courses/fixture/lessons/what-it-is';
  // (Opening a lesson is recorded: the form's token is read first.)
  const t = await as.officer.token(path);
  const snap = await storeSnapshot(srv);
  for (const fields of [{ 'q-zzz': 'a' }, { 'q-ind-1': 'a' }, { 'q-wii-1': 'z' }, {}]) {
    const res = await as.officer.post(`${path}/check`, { _csrf: t, ...fields });
    assert.equal(res.status, 422, JSON.stringify(fields));
    assert.match(await res.text(), /role="alert"/);
  }
  let res = await as.officer.post(`${path}/check`, new URLSearchParams([['_csrf', t], ['q-wii-1', 'a'], ['q-wii-1', 'b']]));
  assert.equal(res.status, 422);
  res = await as.officer.post(`${path}/check`, { 'q-wii-1': 'a' });
  assert.equal(res.status, 403);
  res = await as.officer.post('/courses/fixture/lessons/nowhere/check', { _csrf: t, 'q-wii-1': 'a' });
  assert.equal(res.status, 404);
  res = await as.partner.form(`${path}/check`, { 'q-wii-1': 'a' }, '/courses/fixture');
  assert.equal(res.status, 303, 'not enrolled');
  assert.equal(await storeSnapshot(srv), snap);
});

test('scenario: start, a choice with its feedback, an ending with the debrief; tampering refused', async () => {
  const base = '/courses/fixture/scenarios/night-stop';
  assert.equal((await as.officer.fetch('/courses/fixture/scenarios/nowhere')).status, 404);
  let res = await as.officer.form(`${base}/start`, {}, base);
  assert.equal(res.status, 303);
  const runPath = res.headers.get('location');
  assert.match(runPath, /^\/courses\/fixture\/scenarios\/night-stop\/runs\/\d+$/);
  let html = await (await as.officer.fetch(runPath)).text();
  assert.match(html, /You stop a car at 1 a\.m\./);
  assert.match(html, /name="choice" type="radio" value="apart"/);
  // Another person's run: 404 to read and to choose, nothing changed.
  const partnerRun = await as.partner.fetch(runPath);
  assert.ok(partnerRun.status === 303 || partnerRun.status === 404);
  const trainerEnrol = await as.trainer.form('/courses/fixture/enrol', {}, '/courses/fixture');
  assert.equal(trainerEnrol.status, 303);
  let snap = await storeSnapshot(srv);
  assert.equal((await as.trainer.fetch(runPath)).status, 404);
  assert.equal((await as.trainer.form(runPath, { choice: 'apart' }, base)).status, 404);
  assert.equal((await as.officer.fetch(`${base}/runs/999999`)).status, 404);
  assert.equal((await as.officer.fetch(`${base}/runs/abc`)).status, 404);
  // A choice not offered at this step: 422, nothing changed.
  res = await as.officer.form(runPath, { choice: 'help' }, runPath);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /Choose one of the actions offered at this step\./);
  res = await as.officer.form(runPath, {}, runPath);
  assert.equal(res.status, 422);
  assert.equal(await storeSnapshot(srv), snap);
  res = await as.officer.form(runPath, { choice: 'apart' }, runPath);
  assert.equal(res.status, 303);
  html = await (await as.officer.fetch(runPath)).text();
  assert.match(html, /Talking apart lets the youth speak <strong>without<\/strong> the adult listening\./);
  assert.match(html, /The youth says she does not know where she is\./);
  res = await as.officer.form(runPath, { choice: 'help' }, runPath);
  assert.equal(res.status, 303);
  html = await (await as.officer.fetch(runPath)).text();
  assert.match(html, /The youth is taken to a safe place/);
  assert.match(html, /Separate, slow down, and say the youth is not in trouble\./);
  assert.match(html, /What made the youth talk, or not\?/);
  const id = runPath.split('/').at(-1);
  assert.deepEqual(await rows(`SELECT current_step, path_json, finished_at IS NOT NULL FROM course_scenario_runs WHERE id = ${id}`).then((r) => r.map(([a, b, c]) => [a, JSON.parse(b), c === '1' || c === 't'])),
    [['safe', [{ step: 'stop', choice: 'apart' }, { step: 'talk', choice: 'help' }], true]]);
  assert.deepEqual((await events('experienced')).filter((e) => e[0] === 'scenario').map((e) => e[1]), ['night-stop']);
  snap = await storeSnapshot(srv);
  res = await as.officer.form(runPath, { choice: 'help' }, base);
  assert.equal(res.status, 422, 'a finished run takes no more choices');
  assert.equal(await storeSnapshot(srv), snap);
});

test('progress and completion: lessons completed in order, then a passed attempt completes the course once', async () => {
  const base = '/courses/fixture/lessons';
  let res = await as.officer.form(`${base}/what-it-is/complete`, {}, `${base}/what-it-is`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `${base}/indicators`);
  assert.equal(await one("SELECT e.last_lesson_slug FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE u.email = 'officer@a.example'"), 'indicators');
  res = await as.officer.form(`${base}/indicators/complete`, {}, `${base}/indicators`);
  assert.equal(res.headers.get('location'), `${base}/talking`);
  assert.deepEqual((await events('experienced')).filter((e) => e[0] === 'lesson').map((e) => e[1]), ['what-it-is', 'indicators']);
  // Every required lesson is done, but no test passed: not complete.
  assert.equal(await one('SELECT count(*) FROM certificates'), '0');
  assert.match(await (await as.officer.fetch('/courses')).text(), /2 of 3 lessons complete/);
  // A passed attempt (the final test's pages are a sibling's: a row here).
  const uid = await one("SELECT id FROM users WHERE email = 'officer@a.example'");
  await sql(store, `INSERT INTO course_attempts (user_id, course_slug, number, started_at, deadline_at, submitted_at, score, passed, pass_mark) VALUES (${uid}, 'fixture', 1, 1000, 2800, 1200, 60, 0, 80), (${uid}, 'fixture', 2, 3000, 4800, 3200, 90, 1, 80)`);
  await sql(store, "INSERT INTO site_settings (key, value) VALUES ('deployment.name', 'Test Region Portal') ON CONFLICT (key) DO UPDATE SET value = excluded.value").catch(() => {});
  res = await as.officer.form(`${base}/talking/complete`, {}, `${base}/talking`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/courses/fixture');
  const cert = await rows('SELECT code, learner_name, course_title, instructor, credit_centihours, score, course_slug FROM certificates');
  assert.equal(cert.length, 1);
  assert.match(cert[0][0], /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.deepEqual(cert[0].slice(1), ['officer A', 'Fixture course for tests', 'The Fixture Training Board', '150', '90', 'fixture']);
  assert.notEqual(await one("SELECT completed_at FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE u.email = 'officer@a.example'"), '');
  assert.deepEqual((await events('completed')).map((e) => e.slice(0, 2)), [['course', 'fixture']]);
  assert.equal(await one("SELECT count(*) FROM audit_log WHERE action = 'course.completed'"), '1');
  // Idempotent: once more changes nothing.
  res = await as.officer.form(`${base}/talking/complete`, {}, `${base}/talking`);
  assert.equal(res.status, 303);
  assert.equal(await one('SELECT count(*) FROM certificates'), '1');
  assert.equal((await events('completed')).length, 1);
  assert.match(await (await as.officer.fetch('/courses')).text(), /<strong>Completed<\/strong>/);
});

test('an assignment with a due date shows on the list; overdue is flagged', async () => {
  const uid = await one("SELECT id FROM users WHERE email = 'trainer@a.example'");
  const org = await one("SELECT id FROM organizations WHERE slug = 'metro-pd'");
  await sql(store, `INSERT INTO course_assignments (org_id, user_id, course_slug, due_at, assigned_at) VALUES (${org}, ${uid}, 'fixture', 1000000000, 1), (${org}, ${uid}, 'open-course', 4102444800, 1)`);
  const html = await (await as.trainer.fetch('/courses')).text();
  assert.match(html, /Overdue: was due 8 Sept 2001|Overdue: was due 8 Sep 2001|Overdue: was due 9 Sept 2001|Overdue: was due 9 Sep 2001/);
  assert.match(html, /Due 3[01] Dec 2099|Due 1 Jan 2100/);
});

test('a new pack version: the course reads from the active version; a rollback brings the old one back', async () => {
  const dir = await mkdtemp(join(tmp, 'v2-'));
  await cp(FIXTURE, dir, { recursive: true });
  const pj = join(dir, 'pack.json');
  await writeFile(pj, (await readFile(pj, 'utf8')).replace('"1.0.0"', '"2.0.0"'));
  const cj = join(dir, 'course', 'fixture', 'course.json');
  await writeFile(cj, (await readFile(cj, 'utf8')).replace('Fixture course for tests', 'Fixture course, second edition'));
  let r = await content('import', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(await (await as.officer.fetch('/courses/fixture')).text(), /<h1>Fixture course, second edition<\/h1>/);
  assert.match(await (await as.officer.fetch('/courses')).text(), /<strong>Completed<\/strong>/, 'records are kept by slug across versions');
  const v1 = await one("SELECT id FROM library_versions WHERE pack = 'course-fixture' AND version = '1.0.0'");
  r = await content('rollback', v1);
  assert.equal(r.code, 0, r.stderr);
  assert.match(await (await as.officer.fetch('/courses/fixture')).text(), /<h1>Fixture course for tests<\/h1>/);
});
