// tests/e2e/course-training.test.mjs — the trainers' and leaders' views
// (issue 6 points 4 and 7; docs/training-views.md): the roster with each
// member's progress, completion rates, overdue assignments first (in the
// organization's time zone), and assigning a course with a due date (a
// mail to each member; audited) or cancelling it. Trainers and leaders
// only (403 for the other roles); another organization's members and
// assignments are never listed and answer 404. Runs on SQLite and
// PostgreSQL. Courses, enrolments and progress are inserted as the course
// engine writes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { client, signIn, seedWorld } from './lib/accounts.mjs';

let srv, store, world, trainer, leader, trainerB;
const ids = {};

async function addCourse(slug, visibility, lessons) {
  await sql(store, `INSERT INTO courses (version_id, slug, title, instructor, credit_centihours, visibility, test_questions, pass_mark, max_attempts, time_limit_minutes, path, sort_order)
    VALUES ((SELECT id FROM library_versions WHERE active = 1 ORDER BY id LIMIT 1), '${slug}', 'Course ${slug}', 'Test Academy', 100, '${visibility}', 5, 80, 3, 30, 'course/${slug}/course.json', ${visibility === 'members' ? 1 : 2})`);
  let pos = 0;
  for (const [lesson, required] of lessons)
    await sql(store, `INSERT INTO course_lessons (course_id, position, module_slug, slug, title, required, markdown, html, path)
      VALUES ((SELECT c.id FROM courses c JOIN library_versions v ON v.id = c.version_id AND v.active = 1 WHERE c.slug = '${slug}'), ${pos++}, 'm1', '${lesson}', 'Lesson ${lesson}', ${required}, 'x', '<p>x</p>', 'course/${slug}/lessons/${lesson}.md')`);
}

const now = () => Math.floor(Date.now() / 1000);

async function enrol(email, course, { org = 'a', done = [], completed = false, score } = {}) {
  const uid = ids[email];
  const orgId = ids[org];
  await sql(store, `INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at, completed_at) VALUES (${uid}, ${orgId}, '${course}', ${now() - 86400}, ${completed ? now() - 3600 : 'NULL'})`);
  for (const l of done)
    await sql(store, `INSERT INTO course_progress (user_id, course_slug, lesson_slug, started_at, completed_at) VALUES (${uid}, '${course}', '${l}', ${now() - 7200}, ${now() - 7000})`);
  if (score !== undefined)
    await sql(store, `INSERT INTO course_attempts (user_id, course_slug, number, started_at, deadline_at, submitted_at, score, passed, pass_mark) VALUES (${uid}, '${course}', 1, ${now() - 5000}, ${now() - 3000}, ${now() - 4000}, ${score}, ${score >= 80 ? 1 : 0}, 80)`);
}

async function audits(action) {
  const rows = await sql(store, `SELECT actor, org_id, target_type, target_id, outcome, detail FROM audit_log WHERE action = '${action}' ORDER BY seq`);
  return rows.map(([actor, org, type, id, outcome, detail]) => ({ actor, org, type, id, outcome, detail: JSON.parse(detail) }));
}

async function mailSettled() {
  for (let i = 0; i < 100; i++) {
    const [[n]] = await sql(store, "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')");
    if (Number(n) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('mail stayed in the outbox');
}

async function unchanged(c, fn) {
  await c.fetch('/org/training');
  await mailSettled();
  const before = await storeSnapshot(srv);
  const r = await fn();
  assert.equal(await storeSnapshot(srv), before, 'the store changed');
  return r;
}

/** The date (YYYY-MM-DD) days from now in time zone zone. */
function localDate(zone, days = 0) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + days * 86400000));
}

async function assign(c, fields) {
  const body = new URLSearchParams();
  body.append('_csrf', fields._csrf ?? (await c.token('/org/training')));
  if (fields.course !== undefined) body.append('course', fields.course);
  for (const u of fields.users || []) body.append('user[]', String(u));
  if (fields.due !== undefined) body.append('due', fields.due);
  return c.fetch('/org/training/assign', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: body.toString() });
}

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  for (const k of ['a', 'b']) {
    for (const email of Object.values(world[k])) ids[email] = Number((await sql(store, `SELECT id FROM users WHERE email = '${email}'`))[0][0]);
    ids[k] = Number((await sql(store, `SELECT id FROM organizations WHERE slug = '${world.slugs[k]}'`))[0][0]);
  }
  await sql(store, `UPDATE organizations SET time_zone = 'America/Chicago' WHERE id = ${ids.a}`);
  await addCourse('train-members', 'members', [['one', 1], ['two', 1], ['extra', 0]]);
  await addCourse('train-le', 'law_enforcement', [['only', 1]]);
  // Org A: officer done; analyst half-way; editor completed; partner enrolled with nothing.
  await enrol(world.a.officer, 'train-members', { done: ['one', 'two'], completed: true, score: 90 });
  await enrol(world.a.analyst, 'train-members', { done: ['one', 'extra'], score: 60 });
  await enrol(world.a.editor, 'train-members', { done: ['one', 'two'], completed: true, score: 85 });
  await enrol(world.a.partner, 'train-members');
  // The org admin of A enrolled through org B: not A's to see.
  await enrol(world.b.officer, 'train-members', { org: 'b', done: ['one'] });
  trainer = await signIn(srv, world.a.trainer);
  leader = await signIn(srv, world.a.leader);
  trainerB = await signIn(srv, world.b.trainer);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
});

test('trainers and leaders see their organization only; other roles 403, anonymous 401', async () => {
  for (const c of [trainer, leader]) {
    const res = await c.fetch('/org/training');
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<h1>Training in your organization<\/h1>/);
    for (const email of Object.values(world.a)) assert.ok(page.includes(`data-member="${email}"`), `${email} is on the roster`);
    for (const email of Object.values(world.b)) assert.ok(!page.includes(email), `${email} of the other organization is not`);
    assert.match(page, /data-roster="train-le"/, 'a police department sees the law-enforcement course');
  }
  for (const role of ['officer', 'partner', 'org_admin', 'editor', 'analyst']) {
    const c = await signIn(srv, world.a[role]);
    assert.equal((await c.fetch('/org/training')).status, 403, role);
  }
  assert.equal((await client(srv).fetch('/org/training')).status, 401);
  const pageB = await (await trainerB.fetch('/org/training')).text();
  assert.ok(!pageB.includes('data-roster="train-le"'), 'a child-welfare agency does not see the law-enforcement course');
  for (const email of Object.values(world.a)) assert.ok(!pageB.includes(email));
});

test('the roster: enrolled, required lessons done, best score, completed date', async () => {
  const page = await (await trainer.fetch('/org/training?course=train-members')).text();
  const row = (email) => {
    const m = new RegExp(`<tr data-member="${email.replace(/[.]/g, '\\.')}">([\\s\\S]*?)</tr>`).exec(page);
    assert.ok(m, `a row for ${email}`);
    return m[1].replace(/\s*\n\s*/g, '').replace(/<[^>]+>/g, '|').replace(/\|+/g, '|');
  };
  assert.match(row(world.a.officer), /\|Yes\|2 \/ 2\|90%\|\d+ \w+ \d{4}\|—\|/);
  assert.match(row(world.a.analyst), /\|Yes\|1 \/ 2\|60%\|—\|—\|/, 'an optional lesson does not count');
  assert.match(row(world.a.partner), /\|Yes\|0 \/ 2\|—\|—\|—\|/);
  assert.match(row(world.a.leader), /\|No\|0 \/ 2\|—\|—\|—\|/);
  assert.ok(!page.includes('data-roster="train-le"'), 'filtered by course');
  const search = await (await trainer.fetch('/org/training?q=ANALYST')).text();
  assert.ok(search.includes(`data-member="${world.a.analyst}"`));
  assert.ok(!search.includes(`data-member="${world.a.officer}"`));
  const wild = await (await trainer.fetch('/org/training?q=%25')).text();
  assert.ok(!wild.includes('data-member='), '% is not a wildcard');
});

test('assign: a course to members with a due date at the end of that day in the org time zone; mailed; audited', async () => {
  const res = await assign(trainer, { course: 'train-members', users: [ids[world.a.analyst], ids[world.a.leader]], due: '2099-01-15' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/training?course=train-members&done=assigned');
  const rows = await sql(store, `SELECT user_id, due_at, assigned_by, cancelled_at FROM course_assignments WHERE org_id = ${ids.a} ORDER BY user_id`);
  assert.equal(rows.length, 2);
  // 15 Jan 2099 ends at 23:59:59 CST (UTC-6): 16 Jan 05:59:59 UTC.
  const due = Date.UTC(2099, 0, 16, 6, 0, 0) / 1000 - 1;
  for (const r of rows) {
    assert.equal(Number(r[1]), due);
    assert.equal(Number(r[2]), ids[world.a.trainer]);
    assert.equal(r[3], '');
  }
  const a = (await audits('course.assigned')).filter((x) => x.detail.course === 'train-members');
  assert.equal(a.length, 2);
  assert.equal(a[0].actor, world.a.trainer);
  assert.equal(Number(a[0].org), ids.a);
  assert.equal(a[0].type, 'user');
  assert.deepEqual(new Set(a.map((x) => Number(x.id))), new Set([ids[world.a.analyst], ids[world.a.leader]]));
  assert.equal(a[0].detail.due, '2099-01-15');
  assert.equal(a[0].detail.due_at, due);
  // the mail
  const dir = join(srv.data, 'outbox');
  let text;
  for (let i = 0; i < 100 && !text; i++) {
    let names = [];
    try { names = (await readdir(dir)).filter((n) => n.endsWith('.eml')); } catch { /* not yet */ }
    for (const n of names) {
      const t = await readFile(join(dir, n), 'utf8');
      if (t.includes(world.a.analyst)) text = t;
    }
    if (!text) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(text, 'a mail to the member');
  assert.match(text, /Course train-members/);
  assert.match(text, /15 Jan 2099/);
  assert.ok(text.includes(`${srv.url}/courses/train-members`), 'a link built from the public URL');
  // Nobody is enrolled by an assignment.
  const [[n]] = await sql(store, `SELECT count(*) FROM course_enrolments WHERE user_id = ${ids[world.a.leader]}`);
  assert.equal(Number(n), 0);
  // Assigning again changes the due date.
  assert.equal((await assign(leader, { course: 'train-members', users: [ids[world.a.leader]], due: '2099-02-01' })).status, 303);
  const [[due2]] = await sql(store, `SELECT due_at FROM course_assignments WHERE user_id = ${ids[world.a.leader]}`);
  assert.equal(Number(due2), Date.UTC(2099, 1, 2, 6, 0, 0) / 1000 - 1);
  const page = await (await trainer.fetch('/org/training?course=train-members&done=assigned')).text();
  assert.match(page, /The course was assigned/);
  assert.match(page, /15 Jan 2099/);
});

test('assign refused: past or bad date, no course, no member (422, input kept, nothing changed); other org (404); CSRF, role (403)', async () => {
  const tz = 'America/Chicago';
  const cases = [
    [{ course: 'train-members', users: [ids[world.a.partner]], due: localDate(tz, -1) }, /The due date has passed/],
    [{ course: 'train-members', users: [ids[world.a.partner]], due: '2099-02-30' }, /as a calendar date/],
    [{ course: 'train-members', users: [ids[world.a.partner]], due: '31/12/2099' }, /as a calendar date/],
    [{ course: 'train-members', users: [ids[world.a.partner]], due: '' }, /Give the date the course is due/],
    [{ course: 'nope', users: [ids[world.a.partner]], due: '2099-01-01' }, /Choose a course from the list/],
    [{ course: 'train-members', users: [], due: '2099-01-01' }, /Choose at least one member/],
  ];
  for (const [fields, msg] of cases) {
    await unchanged(trainer, async () => {
      const res = await assign(trainer, fields);
      assert.equal(res.status, 422, JSON.stringify(fields));
      const page = await res.text();
      assert.match(page, msg);
      assert.match(page, /role="alert"/);
      if (fields.due) assert.ok(page.includes(`value="${fields.due}"`), 'the date is kept');
      for (const u of fields.users) assert.match(page, new RegExp(`value="${u}" checked`), 'the member stays chosen');
    });
  }
  const officer = await signIn(srv, world.a.officer);
  await unchanged(trainer, async () => {
    // another organization's member, and an id that does not exist: 404
    assert.equal((await assign(trainer, { course: 'train-members', users: [ids[world.a.partner], ids[world.b.officer]], due: '2099-01-01' })).status, 404);
    assert.equal((await assign(trainer, { course: 'train-members', users: [999999], due: '2099-01-01' })).status, 404);
    assert.equal((await assign(trainer, { course: 'train-members', users: ['x'], due: '2099-01-01' })).status, 404);
    // a law-enforcement course in a child-welfare agency: not offered
    assert.equal((await assign(trainerB, { course: 'train-le', users: [ids[world.b.officer]], due: '2099-01-01' })).status, 422);
    // CSRF and roles
    assert.equal((await assign(trainer, { _csrf: 'forged', course: 'train-members', users: [ids[world.a.partner]], due: '2099-01-01' })).status, 403);
    const t = await officer.token('/account');
    assert.equal((await assign(officer, { _csrf: t, course: 'train-members', users: [ids[world.a.partner]], due: '2099-01-01' })).status, 403);
  });
});

test('due today in the organization time zone is accepted, whatever the date is in UTC', async () => {
  for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
    await sql(store, `UPDATE organizations SET time_zone = '${zone}' WHERE id = ${ids.b}`);
    const res = await assign(trainerB, { course: 'train-members', users: [ids[world.b.analyst]], due: localDate(zone) });
    assert.equal(res.status, 303, zone);
    const [[due]] = await sql(store, `SELECT due_at FROM course_assignments WHERE user_id = ${ids[world.b.analyst]}`);
    const left = Number(due) - now();
    assert.ok(left >= 0 && left < 86400, `${zone}: due at the end of the local day (${left} s left)`);
    const past = await assign(trainerB, { course: 'train-members', users: [ids[world.b.analyst]], due: localDate(zone, -1) });
    assert.equal(past.status, 422, `${zone}: yesterday there is past`);
    await past.text();
  }
  await sql(store, `UPDATE organizations SET time_zone = 'America/Chicago' WHERE id = ${ids.b}`);
});

test('overdue assignments come first; completion rates of enrolled and assigned', async () => {
  // The partner's is overdue (an hour ago); the editor's too, but the editor has completed.
  for (const [email, due] of [[world.a.partner, now() - 3600], [world.a.editor, now() - 86400 * 3]])
    await sql(store, `INSERT INTO course_assignments (org_id, user_id, course_slug, due_at, assigned_by, assigned_at) VALUES (${ids.a}, ${ids[email]}, 'train-members', ${due}, ${ids[world.a.trainer]}, ${now() - 86400 * 10})`);
  const page = await (await trainer.fetch('/org/training')).text();
  const overdue = page.indexOf('Overdue assignments'), roster = page.indexOf("Members&#39; progress");
  assert.ok(overdue > 0 && overdue < roster, 'the overdue list is before the roster');
  const list = page.slice(overdue, roster);
  assert.ok(list.includes(`data-overdue="${world.a.partner}"`), 'the partner is overdue');
  assert.ok(!list.includes(`data-overdue="${world.a.editor}"`), 'a completed assignment is not overdue');
  assert.ok(!list.includes(`data-overdue="${world.a.analyst}"`), 'a future due date is not overdue');
  assert.match(list, /Course train-members, due \d+ \w+ \d{4} \(days overdue: 1\)/);
  const prow = new RegExp(`<tr data-member="${world.a.partner.replace('.', '\\.')}">[\\s\\S]*?</tr>`).exec(page.slice(page.indexOf('data-roster="train-members"')))[0];
  assert.match(prow, /data-flag="overdue"/);
  // Rates of train-members in A: enrolled 4 (officer, analyst, editor, partner), completed 2 → 50%;
  // assigned 4 (analyst, leader, partner, editor), completed 1 (editor) → 25%.
  const rates = /<tr data-course="train-members">([\s\S]*?)<\/tr>/.exec(page)[1];
  assert.match(rates, /<td data-rate="enrolled">50%<\/td>/);
  assert.match(rates, /<td data-rate="assigned">25%<\/td>/);
  const cells = [...rates.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  assert.deepEqual(cells, ['4', '2', '50%', '4', '25%', '1']);
  const le = /<tr data-course="train-le">([\s\S]*?)<\/tr>/.exec(page)[1];
  assert.match(le, /<td data-rate="enrolled">—<\/td>/, 'no one enrolled: no rate');
});

test('cancel: audited; again or from another organization 404; roles and CSRF 403', async () => {
  const [[id]] = await sql(store, `SELECT id FROM course_assignments WHERE org_id = ${ids.a} AND user_id = ${ids[world.a.partner]}`);
  const officer = await signIn(srv, world.a.officer);
  await unchanged(trainer, async () => {
    const tB = await trainerB.token('/org/training');
    assert.equal((await trainerB.post(`/org/training/assignments/${id}/cancel`, { _csrf: tB })).status, 404, 'another organization');
    assert.equal((await trainer.post(`/org/training/assignments/${id}/cancel`, { _csrf: 'forged' })).status, 403);
    assert.equal((await officer.post(`/org/training/assignments/${id}/cancel`, { _csrf: await officer.token('/account') })).status, 403);
    assert.equal((await trainer.form('/org/training/assignments/abc/cancel', {}, '/org/training')).status, 404);
  });
  const res = await trainer.form(`/org/training/assignments/${id}/cancel`, {}, '/org/training');
  assert.equal(res.status, 303);
  const [[cancelled]] = await sql(store, `SELECT cancelled_at FROM course_assignments WHERE id = ${id}`);
  assert.ok(Number(cancelled) > 0);
  assert.equal((await trainer.form(`/org/training/assignments/${id}/cancel`, {}, '/org/training')).status, 404, 'already cancelled');
  const a = await audits('course.assignment.cancelled');
  assert.equal(a.length, 1);
  assert.equal(a[0].actor, world.a.trainer);
  assert.equal(a[0].id, String(id));
  assert.deepEqual(a[0].detail, { course: 'train-members', user: ids[world.a.partner] });
  const page = await (await trainer.fetch('/org/training')).text();
  assert.ok(!page.includes(`data-overdue="${world.a.partner}"`), 'a cancelled assignment is no longer overdue');
});
