// Black-box tests of the course's final test (issue 6 points 3, 7 and 12;
// docs/course-test.md), on the fixture course (tests/content/course-fixture:
// 5 questions drawn from a pool of 12, pass mark 80%, 3 attempts, no wait,
// 30 minutes): the rules page and its refusals (not enrolled, under way,
// attempt limit, passed, the waiting time of a copy of the fixture with
// wait_minutes 1), the draw, the questions page with no answer anywhere in
// its HTML, every tampered submission refused with the store unchanged,
// a submission out of time, scoring on the server with its events and
// audit records, the highest attempt counting, and the item analysis that
// shows leaders and trainers their own organization's learners only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { client, seedWorld, signIn, addUser } from './lib/accounts.mjs';

const FIXTURE = new URL('../content/course-fixture', import.meta.url).pathname;
const COURSE = '/courses/fixture/test';

let srv, store, world, tmp;
const pool = new Map(); // qid → {type, right: [ids], wrong: [ids], whys: [...], explanation}

before(async () => {
  for (const f of await readdir(join(FIXTURE, 'course/fixture/questions'))) {
    const j = JSON.parse(await readFile(join(FIXTURE, 'course/fixture/questions', f), 'utf8'));
    for (const q of j.questions) {
      pool.set(q.id, {
        type: q.type,
        right: q.choices.filter((c) => c.correct).map((c) => c.id),
        wrong: q.choices.filter((c) => !c.correct).map((c) => c.id),
        whys: q.choices.map((c) => c.why),
        explanation: q.explanation,
      });
    }
  }
  tmp = await mkdtemp(join(tmpdir(), 'csec-course-test-'));
  store = await freshStore();
  world = await seedWorld(store);
  for (const [email, name] of [['learner1@a.example', 'Learner One'], ['learner2@a.example', 'Learner Two'], ['learner3@a.example', 'Learner Three'], ['learner4@a.example', 'Learner Four'], ['learner5@a.example', 'Learner Five']]) {
    await addUser(store, { email, name, org: 'metro-pd', role: 'officer' });
  }
  await addUser(store, { email: 'learner1@b.example', name: 'Learner B', org: 'county-cw', role: 'officer' });
  const r = await run(['content', 'import', FIXTURE, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store });
});

after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
async function q(text) { return sql(srv, text); }
async function one(text) { return (await q(text))[0]?.[0]; }
async function userId(email) { return one(`SELECT id FROM users WHERE email = '${email}'`); }

/** Enrols EMAIL in the fixture course through ORG (a slug), as the course
 * pages would (the rows the enrolment writes). */
async function enrol(email, org = 'metro-pd') {
  await q(`INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at) VALUES (${await userId(email)}, (SELECT id FROM organizations WHERE slug = '${org}'), 'fixture', 1)`);
}

/** Starts an attempt; returns {id, path, html}. */
async function start(c) {
  const res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 303, `start answered ${res.status}: ${await res.text()}`);
  const path = res.headers.get('location');
  assert.match(path, /^\/courses\/fixture\/test\/\d+$/);
  const page = await c.fetch(path);
  assert.equal(page.status, 200);
  return { id: path.split('/').pop(), path, html: await page.text() };
}

/** The questions an attempt page shows: [{qid, type: radio|checkbox, values}]. */
function questionsOf(html) {
  const out = new Map();
  for (const m of html.matchAll(/<input id="[^"]+" name="answer\.([a-z0-9-]+)(?:\[\])?" type="(radio|checkbox)" value="([^"]+)">/g)) {
    if (!out.has(m[1])) out.set(m[1], { qid: m[1], type: m[2], values: [] });
    out.get(m[1]).values.push(m[3]);
  }
  return [...out.values()];
}

/** Form fields answering the first RIGHT questions rightly, the others
 * wrongly, and leaving the last SKIP unanswered. */
function answers(qs, right, skip = 0) {
  const f = new URLSearchParams();
  qs.forEach((x, i) => {
    if (i >= qs.length - skip) return;
    const p = pool.get(x.qid);
    for (const id of i < right ? p.right : [p.wrong[0]]) f.append(`answer.${x.qid}`, id);
  });
  return f;
}

async function submit(c, path, fields, csrf = true) {
  const body = new URLSearchParams(fields);
  if (csrf) body.set('_csrf', await c.token('/account/profile'));
  return c.fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: body.toString() });
}

/** Takes a whole attempt with RIGHT answers right; returns the attempt. */
async function take(c, right, skip = 0) {
  const a = await start(c);
  const res = await submit(c, a.path, answers(questionsOf(a.html), right, skip));
  assert.equal(res.status, 303, `submit answered ${res.status}`);
  assert.equal(res.headers.get('location'), a.path);
  return a;
}

test('the rules page; not enrolled: no Start, and a start is refused with nothing created', async () => {
  const c = await signIn(srv, 'learner1@a.example');
  let res = await c.fetch(COURSE);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /5 questions, drawn at random/);
  assert.match(html, /80% or more/);
  assert.match(html, /30 minutes from the moment you start/);
  assert.match(html, /0 of 3 used, 3 left/);
  assert.match(html, /Your highest attempt counts/);
  assert.match(html, /counts as wrong/);
  assert.match(html, /data-block="not_enrolled"/);
  assert.doesNotMatch(html, /action="\/courses\/fixture\/test\/start"/);

  const before = await storeSnapshot(srv);
  res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 403);
  assert.match(await res.text(), /not enrolled in this course/);
  assert.equal(await storeSnapshot(srv), before);

  // A course that does not exist, or a bad slug: 404.
  assert.equal((await c.fetch('/courses/nope/test')).status, 404);
  assert.equal((await c.fetch('/courses/BAD_slug/test')).status, 404);
  // A law-enforcement course is not there for another kind of organization.
  await q("UPDATE courses SET visibility = 'law_enforcement' WHERE slug = 'fixture'");
  const cw = await signIn(srv, 'learner1@b.example');
  assert.equal((await cw.fetch(COURSE)).status, 404);
  assert.equal((await c.fetch(COURSE)).status, 200);
  await q("UPDATE courses SET visibility = 'members' WHERE slug = 'fixture'");
  assert.equal((await cw.fetch(COURSE)).status, 200);
  // Anonymous: sign in first.
  assert.notEqual((await client(srv).fetch(COURSE)).status, 200);
});

test('start: 5 of the pool drawn, copied with their type, deadline and pass mark; no answer in the HTML', async () => {
  await enrol('learner1@a.example');
  const c = await signIn(srv, 'learner1@a.example');
  let res = await c.fetch(COURSE);
  let html = await res.text();
  assert.match(html, /action="\/courses\/fixture\/test\/start"/);

  // CSRF missing: 403, nothing created.
  const before = await storeSnapshot(srv);
  res = await c.post(`${COURSE}/start`, {});
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), before);

  const t0 = Math.floor(Date.now() / 1000);
  const a = await start(c);
  const [row] = await q(`SELECT number, started_at, deadline_at - started_at, pass_mark, submitted_at IS NULL FROM course_attempts WHERE id = ${a.id}`);
  assert.equal(row[0], '1');
  assert.ok(Math.abs(Number(row[1]) - t0) <= 5);
  assert.equal(row[2], '1800');
  assert.equal(row[3], '80');
  assert.ok(['1', 't'].includes(row[4]));
  const items = await q(`SELECT position, qid, qtype, prompt, choices_json FROM course_attempt_items WHERE attempt_id = ${a.id} ORDER BY position`);
  assert.deepEqual(items.map((i) => i[0]), ['1', '2', '3', '4', '5']);
  assert.equal(new Set(items.map((i) => i[1])).size, 5, 'five different questions');
  for (const i of items) {
    assert.ok(pool.has(i[1]), `${i[1]} is in the pool`);
    assert.equal(i[2], pool.get(i[1]).type);
    assert.match(i[4], /"correct"/, 'the copy keeps what scoring needs');
  }
  assert.equal(await one(`SELECT count(*) FROM learning_events WHERE verb = 'launched' AND object_type = 'test' AND object_id = 'fixture' AND user_id = ${await userId('learner1@a.example')}`), '1');
  assert.equal(await one(`SELECT count(*) FROM audit_log WHERE action = 'course.test.started' AND target_id = '${a.id}'`), '1');

  // The questions page: each question a fieldset with a legend, radio or
  // checkboxes by type, and nothing of the answers.
  const qs = questionsOf(a.html);
  assert.deepEqual(qs.map((x) => x.qid), items.map((i) => i[1]), 'in the drawn order');
  for (const x of qs) assert.equal(x.type, pool.get(x.qid).type === 'multiple' ? 'checkbox' : 'radio');
  assert.equal((a.html.match(/<fieldset/g) || []).length, 5);
  assert.equal((a.html.match(/<legend>/g) || []).length, 5);
  assert.doesNotMatch(a.html, /correct/i);
  assert.doesNotMatch(a.html, /\bwhy\b/i);
  assert.doesNotMatch(a.html, /explanation/i);
  for (const x of qs) {
    for (const w of pool.get(x.qid).whys) assert.ok(!a.html.includes(w), `feedback "${w}" is not on the page`);
    assert.ok(!a.html.includes(pool.get(x.qid).explanation));
  }
  assert.match(a.html, /Submit by .+ About 30 minutes left/);
  assert.match(a.html, /counts as wrong/);

  // Under way: another start is refused, with a link to it; nothing created.
  const snap = await storeSnapshot(srv);
  res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 409);
  html = await res.text();
  assert.match(html, /attempt under way/);
  assert.ok(html.includes(`href="${a.path}"`));
  assert.equal(await storeSnapshot(srv), snap);
});

test('tampered submissions are refused and change nothing; other people\'s and other courses\' attempts are 404', async () => {
  const c = await signIn(srv, 'learner1@a.example');
  const [[id]] = await q(`SELECT id FROM course_attempts WHERE user_id = ${await userId('learner1@a.example')} AND submitted_at IS NULL`);
  const path = `${COURSE}/${id}`;
  const qs = questionsOf(await (await c.fetch(path)).text());
  const drawn = new Set(qs.map((x) => x.qid));
  const notDrawn = [...pool.keys()].find((k) => !drawn.has(k));
  const single = qs.find((x) => pool.get(x.qid).type !== 'multiple');
  const good = answers(qs, 5);
  const before = await storeSnapshot(srv);

  const cases = [
    ['an answer to a question not drawn', [...good, [`answer.${notDrawn}`, pool.get(notDrawn).right[0]]], 422, /not part of this attempt/],
    ['a choice the question does not have', [...good].map(([k, v]) => (k === `answer.${qs[0].qid}` ? [k, 'zz'] : [k, v])), 422, /not one of the question&#39;s choices/],
    ['a second choice on a one-choice question', [...good, [`answer.${single.qid}`, pool.get(single.qid).wrong[0]]], 422, /more than one answer/],
  ];
  for (const [what, fields, status, message] of cases) {
    const res = await submit(c, path, fields);
    assert.equal(res.status, status, what);
    assert.match(await res.text(), message, what);
    assert.equal(await storeSnapshot(srv), before, `${what}: nothing changed`);
  }
  // Without the CSRF token: 403.
  let res = await submit(c, path, good, false);
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), before);

  // Someone else's attempt (same organization, another organization):
  // 404 for reading and for submitting.
  await enrol('learner1@b.example', 'county-cw');
  for (const email of ['learner2@a.example', 'learner1@b.example']) {
    const other = await signIn(srv, email);
    assert.equal((await other.fetch(path)).status, 404, email);
    res = await other.fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: new URLSearchParams({ _csrf: await other.token('/account/profile'), ...Object.fromEntries(good) }).toString() });
    assert.equal(res.status, 404, email);
  }
  // The attempt under another course's address: 404.
  await q(`INSERT INTO courses (version_id, slug, title, summary, audience, instructor, credit_centihours, visibility, sort_order, test_questions, pass_mark, max_attempts, wait_minutes, time_limit_minutes, grading, path) SELECT version_id, 'other', title, summary, audience, instructor, credit_centihours, visibility, sort_order, test_questions, pass_mark, max_attempts, wait_minutes, time_limit_minutes, grading, 'course/other/course.json' FROM courses WHERE slug = 'fixture'`);
  const snap = await storeSnapshot(srv);
  assert.equal((await c.fetch(`/courses/other/test/${id}`)).status, 404);
  res = await c.fetch(`/courses/other/test/${id}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: new URLSearchParams({ _csrf: await c.token(path), ...Object.fromEntries(good) }).toString() });
  assert.equal(res.status, 404);
  assert.equal((await c.fetch(`${COURSE}/999999`)).status, 404);
  assert.equal((await c.fetch(`${COURSE}/abc`)).status, 404);
  assert.equal(await storeSnapshot(srv), snap);
  await q("DELETE FROM courses WHERE slug = 'other'");
});

test('scored on the server: a failed attempt (unanswered counts as wrong), the results, events and audit; a second submission is 409', async () => {
  const c = await signIn(srv, 'learner1@a.example');
  const uid = await userId('learner1@a.example');
  const [[id]] = await q(`SELECT id FROM course_attempts WHERE user_id = ${uid} AND submitted_at IS NULL`);
  const path = `${COURSE}/${id}`;
  const qs = questionsOf(await (await c.fetch(path)).text());
  // Two right, two wrong, the last unanswered: 40%.
  const fields = answers(qs, 2, 1);
  let res = await submit(c, path, fields);
  assert.equal(res.status, 303);
  const [row] = await q(`SELECT score, passed, submitted_at IS NOT NULL FROM course_attempts WHERE id = ${id}`);
  assert.deepEqual(row.slice(0, 2), ['40', '0']);
  const items = await q(`SELECT qid, answer_json, correct FROM course_attempt_items WHERE attempt_id = ${id} ORDER BY position`);
  assert.deepEqual(items.map((i) => i[2]), ['1', '1', '0', '0', '0']);
  assert.equal(items[4][1], '[]', 'the unanswered question is recorded as no choice');
  assert.deepEqual(JSON.parse(items[0][1]).sort(), [...pool.get(items[0][0]).right].sort());

  const answered = await q(`SELECT object_id, result_json FROM learning_events WHERE verb = 'answered' AND user_id = ${uid} ORDER BY id`);
  assert.equal(answered.length, 5);
  assert.deepEqual(answered.map((e) => e[0]), items.map((i) => i[0]));
  const r0 = JSON.parse(answered[0][1]);
  assert.equal(r0.success, true);
  assert.equal(r0.response, pool.get(items[0][0]).right.join('[,]'));
  assert.deepEqual(JSON.parse(answered[4][1]), { response: '', success: false });
  const [[verb, result]] = await q(`SELECT verb, result_json FROM learning_events WHERE object_type = 'test' AND verb IN ('passed', 'failed') AND user_id = ${uid}`);
  assert.equal(verb, 'failed');
  assert.deepEqual(JSON.parse(result), { score: { scaled: 0.4, raw: 40, min: 0, max: 100 }, success: false, completion: true });
  const [[outcome, detail]] = await q(`SELECT outcome, detail FROM audit_log WHERE action = 'course.test.submitted' AND target_id = '${id}'`);
  assert.equal(outcome, 'success');
  assert.deepEqual(JSON.parse(detail), { course: 'fixture', number: 1, passed: false, score: 40 });

  // The results page: score, verdict, each answer with its feedback.
  res = await c.fetch(path);
  const html = await res.text();
  assert.match(html, /data-result="failed" data-score="40"/);
  assert.match(html, /You scored 40%: 2 of 5 questions right. The pass mark is 80%./);
  assert.match(html, /Not answered \(counts as wrong\)/);
  assert.equal((html.match(/data-ok="1"/g) || []).length, 2);
  for (const x of qs) {
    for (const w of pool.get(x.qid).whys) assert.ok(html.includes(esc(w)), `feedback "${w}" shown`);
    assert.ok(html.includes(esc(pool.get(x.qid).explanation)));
  }

  // A second submission: 409, nothing changed.
  const before = await storeSnapshot(srv);
  res = await submit(c, path, answers(qs, 5));
  assert.equal(res.status, 409);
  assert.match(await res.text(), /submitted already/);
  assert.equal(await storeSnapshot(srv), before);

  // The overview lists it.
  const ov = await (await c.fetch(COURSE)).text();
  assert.match(ov, /data-attempt="1" data-status="failed"/);
  assert.match(ov, /1 of 3 used, 2 left/);
  assert.match(ov, /data-best="40"/);
});

test('a pass: the highest attempt counts, and nothing more can start', async () => {
  const c = await signIn(srv, 'learner1@a.example');
  const uid = await userId('learner1@a.example');
  const a = await take(c, 4, 0); // 80%: exactly the pass mark
  assert.deepEqual((await q(`SELECT number, score, passed FROM course_attempts WHERE id = ${a.id}`))[0], ['2', '80', '1']);
  const [[result]] = await q(`SELECT result_json FROM learning_events WHERE verb = 'passed' AND user_id = ${uid}`);
  assert.deepEqual(JSON.parse(result), { score: { scaled: 0.8, raw: 80, min: 0, max: 100 }, success: true, completion: true });
  const html = await (await c.fetch(a.path)).text();
  assert.match(html, /data-result="passed" data-score="80"/);
  assert.match(html, /You passed/);

  const ov = await (await c.fetch(COURSE)).text();
  assert.match(ov, /data-best="80"/);
  assert.match(ov, /data-block="passed"/);
  const before = await storeSnapshot(srv);
  const res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 409);
  assert.match(await res.text(), /You have passed this test/);
  assert.equal(await storeSnapshot(srv), before);
});

test('a pass that finishes the course completes the enrolment and writes the certificate, in the same transaction', async () => {
  const c = await signIn(srv, 'learner5@a.example');
  // Enrolled through the course page, every required lesson done.
  let res = await c.form('/courses/fixture/enrol', {}, '/courses/fixture');
  assert.equal(res.status, 303, `enrol answered ${res.status}`);
  const uid = await userId('learner5@a.example');
  for (const lesson of ['what-it-is', 'indicators']) {
    await q(`INSERT INTO course_progress (user_id, course_slug, lesson_slug, started_at, completed_at) VALUES (${uid}, 'fixture', '${lesson}', 1, 2)`);
  }
  await take(c, 2); // a failed attempt does not complete it
  assert.equal(await one(`SELECT count(*) FROM certificates WHERE user_id = ${uid}`), '0');
  assert.equal(await one(`SELECT completed_at IS NULL FROM course_enrolments WHERE user_id = ${uid}`), await one('SELECT 1 = 1'));
  const a = await take(c, 5);
  const [[submitted]] = await q(`SELECT submitted_at FROM course_attempts WHERE id = ${a.id}`);
  assert.equal(await one(`SELECT completed_at FROM course_enrolments WHERE user_id = ${uid}`), submitted);
  assert.deepEqual((await q(`SELECT score, completed_at FROM certificates WHERE user_id = ${uid} AND course_slug = 'fixture'`))[0], ['100', submitted]);
  assert.equal(await one(`SELECT count(*) FROM learning_events WHERE verb = 'completed' AND user_id = ${uid}`), '1');
});

test('attempt limit: three failed attempts, the best of them counts, a fourth is refused', async () => {
  await enrol('learner2@a.example');
  const c = await signIn(srv, 'learner2@a.example');
  await take(c, 3); // 60
  await take(c, 2); // 40
  await take(c, 1); // 20
  const ov = await (await c.fetch(COURSE)).text();
  assert.match(ov, /3 of 3 used, 0 left/);
  assert.match(ov, /data-best="60"/, 'the highest, not the latest');
  assert.match(ov, /data-block="limit"/);
  const before = await storeSnapshot(srv);
  const res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 409);
  assert.match(await res.text(), /used all 3 attempts/);
  assert.equal(await storeSnapshot(srv), before);
});

test('out of time: the late answers are not recorded, the attempt counts as failed with 0', async () => {
  await enrol('learner3@a.example');
  const c = await signIn(srv, 'learner3@a.example');
  const uid = await userId('learner3@a.example');
  const a = await start(c);
  const qs = questionsOf(a.html);
  // Past the deadline and its minute of grace: refused.
  await q(`UPDATE course_attempts SET started_at = started_at - 1920, deadline_at = ${Math.floor(Date.now() / 1000) - 120} WHERE id = ${a.id}`);
  const token = await c.token(COURSE);
  const body = answers(qs, 5);
  body.set('_csrf', token);
  let res = await c.fetch(a.path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: body.toString() });
  assert.equal(res.status, 409);
  assert.match(await res.text(), /ran out before your answers arrived/);
  const [row] = await q(`SELECT score, passed, submitted_at = deadline_at FROM course_attempts WHERE id = ${a.id}`);
  assert.deepEqual(row.slice(0, 2), ['0', '0']);
  assert.equal(await one(`SELECT count(*) FROM course_attempt_items WHERE attempt_id = ${a.id} AND (answer_json IS NOT NULL OR correct IS NOT NULL)`), '0');
  assert.equal(await one(`SELECT count(*) FROM learning_events WHERE verb = 'answered' AND user_id = ${uid}`), '0');
  assert.equal(await one(`SELECT count(*) FROM learning_events WHERE verb = 'failed' AND user_id = ${uid}`), '1');
  assert.equal(await one(`SELECT outcome FROM audit_log WHERE action = 'course.test.submitted' AND target_id = '${a.id}'`), 'denied');
  const ov = await (await c.fetch(COURSE)).text();
  assert.match(ov, /data-attempt="1" data-status="expired"/);
  assert.match(ov, /1 of 3 used, 2 left/);
  const page = await (await c.fetch(a.path)).text();
  assert.match(page, /Time ran out before your answers arrived/);

  // Within the grace: accepted.
  const b = await start(c);
  await q(`UPDATE course_attempts SET deadline_at = ${Math.floor(Date.now() / 1000) - 30} WHERE id = ${b.id}`);
  res = await submit(c, b.path, answers(questionsOf(b.html), 5));
  assert.equal(res.status, 303);
  assert.equal(await one(`SELECT score FROM course_attempts WHERE id = ${b.id}`), '100');
});

test('item analysis: per question, the organization\'s own learners only', async () => {
  // A learner of the other organization answers every question wrongly.
  const cb = await signIn(srv, 'learner1@b.example');
  await take(cb, 0);

  // Who may see it.
  const officer = await signIn(srv, 'officer@a.example');
  assert.equal((await officer.fetch('/org/training/items')).status, 403);
  const trainer = await signIn(srv, 'trainer@a.example');
  assert.equal((await trainer.fetch('/org/training/items?course=nope')).status, 404);
  const res = await trainer.fetch('/org/training/items?course=fixture');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /What the numbers mean/);

  // Expected: org a's submitted, answered items.
  const rows = await q(`SELECT i.qid, i.correct, a.score FROM course_attempt_items i JOIN course_attempts a ON a.id = i.attempt_id JOIN users u ON u.id = a.user_id WHERE u.email LIKE '%@a.example' AND i.answer_json IS NOT NULL`);
  const byQid = new Map();
  for (const [qid, correct] of rows) {
    const s = byQid.get(qid) || { n: 0, right: 0 };
    s.n++; s.right += Number(correct);
    byQid.set(qid, s);
  }
  const shown = [...html.matchAll(/<tr data-qid="([a-z0-9-]+)" data-n="(\d+)" data-difficulty="([0-9.]+)" data-discrimination="([-0-9.]*)">/g)];
  assert.equal(shown.length, byQid.size);
  for (const [, qid, n, difficulty] of shown) {
    const s = byQid.get(qid);
    assert.ok(s, `${qid} was answered in org a`);
    assert.equal(Number(n), s.n, `${qid}: answers of org a only`);
    assert.equal(difficulty, (s.right / s.n).toFixed(2));
  }
  const attempts = await one(`SELECT count(*) FROM course_attempts a JOIN users u ON u.id = a.user_id WHERE u.email LIKE '%@a.example' AND EXISTS (SELECT 1 FROM course_attempt_items i WHERE i.attempt_id = a.id AND i.answer_json IS NOT NULL)`);
  assert.match(html, new RegExp(`data-attempts="${attempts}"`));

  // Org b's trainer sees b's one attempt only: every answer wrong.
  const tb = await signIn(srv, 'trainer@b.example');
  const hb = await (await tb.fetch('/org/training/items')).text();
  assert.match(hb, /data-attempts="1"/);
  const rb = [...hb.matchAll(/<tr data-qid="[a-z0-9-]+" data-n="(\d+)" data-difficulty="([0-9.]+)"/g)];
  assert.equal(rb.length, 5);
  for (const [, n, d] of rb) { assert.equal(n, '1'); assert.equal(d, '0.00'); }
  assert.match(hb, /data-flag="too_hard"/);
  assert.doesNotMatch(hb, /Learner One|learner1@a/);
});

test('waiting time: a copy of the fixture with wait_minutes 1 refuses a start until the wait is over', async () => {
  const dir = join(tmp, 'wait');
  await cp(FIXTURE, dir, { recursive: true });
  const cj = join(dir, 'course/fixture/course.json');
  await writeFile(cj, (await readFile(cj, 'utf8')).replace('"wait_minutes": 0', '"wait_minutes": 1'));
  const pj = join(dir, 'pack.json');
  await writeFile(pj, (await readFile(pj, 'utf8')).replace('"1.0.0"', '"1.0.1"'));
  const r = await run(['content', 'import', dir, ...srv.store.args]);
  assert.equal(r.code, 0, r.stderr);

  await enrol('learner4@a.example');
  const c = await signIn(srv, 'learner4@a.example');
  let ov = await (await c.fetch(COURSE)).text();
  assert.match(ov, /1 minutes after an attempt that did not pass/);
  const a = await take(c, 1);
  ov = await (await c.fetch(COURSE)).text();
  assert.match(ov, /data-block="waiting"/);
  assert.match(ov, /You may start the next attempt after \d+ \w+ \d{4} \d\d:\d\d/);
  const before = await storeSnapshot(srv);
  let res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 409);
  assert.match(await res.text(), /did not pass. You may start the next attempt after/);
  assert.equal(await storeSnapshot(srv), before);

  // A minute later (the attempt moved back in time): it starts.
  await q(`UPDATE course_attempts SET started_at = started_at - 120, deadline_at = deadline_at - 120, submitted_at = submitted_at - 61 WHERE id = ${a.id}`);
  res = await c.form(`${COURSE}/start`, {}, '/account/profile');
  assert.equal(res.status, 303);
});
