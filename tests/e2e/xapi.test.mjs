// xAPI delivery (issue 6 point 8, docs/xapi.md): learning events become
// xAPI 1.0.3 statements sent to a Learning Record Store stand-in
// (tests/e2e/lib/lrs.mjs, which validates each statement with the npm
// package xapi-validation). With no LRS nothing is attempted; with the LRS
// down (not listening, then 503) nothing is lost and retries back off; once
// it is up every statement arrives exactly once and validates; a csec
// restart while statements are claimed loses nothing and stores nothing
// twice; a refused statement is held for the site admin; the export returns
// the same statements; no learner's name or email is in any of them. Events
// are written straight into learning_events (what course_event_add writes),
// so this file needs no course.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { seedWorld, signIn } from './lib/accounts.mjs';
import { startLrs, freePort } from './lib/lrs.mjs';

const SLUG = 'frontline-officers';
let srv, world, admin, store, users, lrs, lrsPort;
const written = []; // statement ids, in order

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  admin = await signIn(srv, world.admin);
  users = {};
  for (const [email, name, org] of await sql(store, "SELECT u.email, u.name, m.org_id FROM users u LEFT JOIN memberships m ON m.user_id = u.id"))
    users[email] = { email, name, org };
  for (const [id, email] of await sql(store, 'SELECT id, email FROM users')) users[email].id = Number(id);
  lrsPort = await freePort();
});
after(async () => {
  await lrs?.stop();
  await srv?.stop();
  await srv?.cleanup();
});

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}: ${JSON.stringify((await events()).filter((e) => e.status !== 'sent'))}`);
    await sleep(100);
  }
}

// The events a learner's path through a course writes, one of each kind.
const kinds = [
  ['launched', 'course', SLUG, 'Recognizing and Responding to CSEC', null],
  ['experienced', 'lesson', 'indicators', 'Indicators in the field', null],
  ['answered', 'question', 'q-017', 'Which sign is most telling?', { success: true, response: 'b', score: { raw: 1, min: 0, max: 1 } }],
  ['experienced', 'scenario', 'traffic-stop', 'A traffic stop with an adult and a youth', { completion: true, duration: 'PT4M12S' }],
  ['failed', 'test', 'final', 'Final test', { success: false, completion: true, score: { scaled: 0.6, raw: 12, min: 0, max: 20 } }],
  ['passed', 'test', 'final', 'Final test', { success: true, completion: true, score: { scaled: 0.9, raw: 18, min: 0, max: 20 } }],
  ['completed', 'course', SLUG, 'Recognizing and Responding to CSEC', { completion: true }],
];

/** Writes n events (cycling through kinds) for email, as course_event_add does. */
async function addEvents(n, email = world.a.officer, at = now()) {
  const u = users[email];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const [verb, type, id, name, result] = kinds[(written.length + i) % kinds.length];
    const sid = randomUUID();
    rows.push(`(${q(sid)}, ${at}, ${u.id}, ${u.org || 'NULL'}, ${q(SLUG)}, ${q(verb)}, ${q(type)}, ${q(id)}, ${q(name)}, ${result ? q(JSON.stringify(result)) : 'NULL'}, 'queued', ${at})`);
    written.push(sid);
  }
  await sql(store, `INSERT INTO learning_events (statement_id, created_at, user_id, org_id, course_slug, verb, object_type, object_id, object_name, result_json, status, next_attempt_at) VALUES ${rows.join(', ')}`);
}

async function events() {
  const rows = await sql(store, "SELECT statement_id, status, attempts, next_attempt_at, COALESCE(last_error, ''), COALESCE(claimed_by, '') FROM learning_events ORDER BY id");
  return rows.map(([sid, status, attempts, next, error, claimed]) => ({ sid, status, attempts: Number(attempts), next: Number(next), error, claimed }));
}

const count = async (status) => (await events()).filter((e) => e.status === status).length;

async function configure(fields) {
  const res = await admin.form('/admin/xapi', fields);
  assert.equal(res.status, 303, await res.text());
}

async function sendNow() {
  const res = await admin.form('/admin/xapi/send', {}, '/admin/xapi');
  assert.equal(res.status, 200);
}

test('only site admins reach the xAPI page and the export', async () => {
  assert.equal((await fetch(srv.url + '/admin/xapi')).status, 401);
  assert.equal((await fetch(srv.url + '/admin/xapi/statements.json')).status, 401);
  for (const role of ['officer', 'trainer', 'leader', 'org_admin']) {
    const c = await signIn(srv, world.a[role]);
    assert.equal((await c.fetch('/admin/xapi')).status, 403, role);
    assert.equal((await c.fetch('/admin/xapi/statements.json')).status, 403, role);
    assert.equal((await c.form('/admin/xapi', { endpoint: 'https://lrs.example.org/xapi' }, '/account')).status, 403, role);
    assert.equal((await c.form('/admin/xapi/send', {}, '/account')).status, 403, role);
  }
  const res = await admin.fetch('/admin/xapi');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /No LRS is set up/);
});

test('with no LRS, events stay queued and nothing is attempted', async () => {
  await addEvents(kinds.length);
  await sleep(6500); // longer than the worker's poll
  for (const e of await events()) {
    assert.equal(e.status, 'queued');
    assert.equal(e.attempts, 0);
  }
  const html = await (await admin.fetch('/admin/xapi')).text();
  assert.match(html, new RegExp(`data-xapi="queued">${kinds.length}<`));
});

test('bad LRS settings are named, kept, and nothing is saved', async () => {
  const snap = await storeSnapshot(srv);
  for (const [fields, bad] of [
    [{ endpoint: 'http://lrs.example.org/xapi', user: 'k', password: 'p' }, 'endpoint'], // plain http off this machine
    [{ endpoint: 'https://key:secret@lrs.example.org/xapi', user: 'k', password: 'p' }, 'endpoint'],
    [{ endpoint: 'https://lrs.example.org/xapi?x=1', user: 'k', password: 'p' }, 'endpoint'],
    [{ endpoint: 'ftp://lrs.example.org/', user: 'k', password: 'p' }, 'endpoint'],
    [{ endpoint: 'https://lrs.example.org/xapi', user: 'a:b', password: 'p' }, 'user'],
    [{ endpoint: 'https://lrs.example.org/xapi', user: 'k', password: 'p\nq' }, 'password'],
  ]) {
    const res = await admin.form('/admin/xapi', fields);
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, new RegExp(`id="${bad}-error"`), JSON.stringify(fields));
    assert.match(html, /role="alert"/);
    if (bad !== 'endpoint') assert.match(html, /value="https:\/\/lrs\.example\.org\/xapi"/, 'the input is kept');
    assert.doesNotMatch(html, /value="p"/, 'a password is never sent back');
  }
  const res = await admin.post('/admin/xapi', { endpoint: 'https://lrs.example.org/xapi' });
  assert.equal(res.status, 403, 'no CSRF token');
  assert.equal((await admin.post('/admin/xapi/send', {})).status, 403, 'no CSRF token');
  assert.equal(await storeSnapshot(srv), snap);
});

test('LRS down: not listening, then 503 — nothing lost, the retries back off', async () => {
  const endpoint = `http://127.0.0.1:${lrsPort}/xapi`;
  const t0 = now();
  await configure({ endpoint, user: 'lrs-key', password: 'lrs secret 9' });
  // The settings are saved, audited by key, the password never shown.
  const [row] = await sql(store, "SELECT actor, detail FROM audit_log WHERE action = 'xapi.settings' ORDER BY seq DESC LIMIT 1");
  assert.equal(row[0], world.admin);
  assert.deepEqual(JSON.parse(row[1]).changed.sort(), ['lrs.endpoint', 'lrs.password', 'lrs.user']);
  assert.doesNotMatch(row[1], /lrs secret 9/);
  const page = await (await admin.fetch('/admin/xapi?saved=1')).text();
  assert.match(page, /A password is saved/);
  assert.doesNotMatch(page, /lrs secret 9/);

  // Not listening: the first attempt fails, the next one waits about 30 s.
  const first = await until('a first failed attempt', async () => {
    const e = await events();
    return e.every((x) => x.status === 'queued' && x.attempts === 1 && x.error) && e;
  });
  for (const e of first) {
    assert.ok(e.next >= t0 + 30 && e.next <= now() + 31, `backoff after the first attempt: ${e.next - now()} s`);
    assert.doesNotMatch(e.error, /lrs secret/);
  }
  // Events written while the LRS is down join the queue: a backlog of
  // three batches.
  await addEvents(3, world.b.officer);
  await addEvents(100);
  // 503: "send now" tries again at once; the next wait doubles.
  lrs = await startLrs({ port: lrsPort, mode: 'unavailable' });
  await sendNow();
  const second = await until('a 503 on every event', async () => {
    const e = await events();
    return e.every((x) => x.status === 'queued' && /HTTP 503/.test(x.error)) && e;
  }, 30000);
  // One batch per poll while the LRS is down, not the whole backlog at once.
  assert.deepEqual(lrs.posts.map((p) => p.ids.length), [50, 50, 10]);
  for (let i = 1; i < lrs.posts.length; i++) assert.ok(lrs.posts[i].at - lrs.posts[i - 1].at >= 4000, 'batches of a down LRS wait for the next poll');
  // Each event's next try is 60 s after the attempt of the batch that
  // carried it (which batch that is depends on the claim order, oldest due
  // first, so it is looked up, not assumed).
  for (const e of second.slice(0, kinds.length)) {
    assert.equal(e.attempts, 2);
    const post = lrs.posts.find((p) => p.ids.includes(e.sid));
    assert.ok(post, `event ${e.sid} was posted`);
    const t1 = Math.floor(post.at / 1000);
    assert.ok(e.next >= t1 + 59 && e.next <= t1 + 61, `backoff after the second attempt: ${e.next - t1} s`);
  }
  assert.equal(lrs.statements.size, 0);
  assert.ok(lrs.posts.length >= 1 && lrs.posts.every((p) => p.status === 503));
  const html = await (await admin.fetch('/admin/xapi')).text();
  assert.match(html, /data-xapi="last-error"><code>HTTP 503/);
  assert.match(html, new RegExp(`data-xapi="queued">${written.length}<`));
  assert.deepEqual(lrs.problems, []);
});

test('LRS up: every statement arrives exactly once, and validates', async () => {
  lrs.mode = 'up';
  lrs.posts = [];
  await sendNow();
  await until('every event sent', async () => (await count('sent')) === written.length);
  assert.equal(lrs.statements.size, written.length);
  assert.deepEqual([...lrs.statements.keys()].sort(), [...written].sort());
  const accepted = lrs.posts.filter((p) => p.status === 200).flatMap((p) => p.ids);
  assert.equal(accepted.length, written.length, 'no statement was sent twice');
  assert.deepEqual(lrs.problems, []);
  const [row] = await sql(store, "SELECT action FROM audit_log WHERE action = 'xapi.requeued' LIMIT 1");
  assert.ok(row, 'send now is audited');

  // A bigger backlog goes in batches of at most 50, kicked by nothing but the worker's poll.
  lrs.posts = [];
  await addEvents(120);
  await until('the backlog sent', async () => (await count('sent')) === written.length, 20000);
  const sizes = lrs.posts.map((p) => p.ids.length);
  assert.ok(sizes.every((n) => n <= 50), `batches: ${sizes}`);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 120);
  assert.equal(lrs.statements.size, written.length);
  assert.deepEqual(lrs.problems, []);
});

test('the statements: ADL verbs and activity types, the course as parent, an opaque actor', async () => {
  const all = [...lrs.statements.values()];
  const home = srv.url;
  const actors = new Map();
  for (const s of all) {
    assert.deepEqual(Object.keys(s.actor).sort(), ['account', 'objectType']);
    assert.equal(s.actor.objectType, 'Agent');
    assert.equal(s.actor.account.homePage, home);
    assert.match(s.actor.account.name, /^[0-9a-f]{32}$/);
    assert.match(s.verb.id, /^http:\/\/adlnet\.gov\/expapi\/verbs\/(launched|experienced|answered|passed|failed|completed)$/);
    assert.equal(s.verb.display['en-US'], s.verb.id.split('/').pop());
    assert.match(s.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(s.object.objectType, 'Activity');
    assert.ok(s.object.id.startsWith(`${home}/courses/${SLUG}`));
    if (s.object.id === `${home}/courses/${SLUG}`) {
      assert.equal(s.object.definition.type, 'http://adlnet.gov/expapi/activities/course');
      assert.equal(s.context, undefined);
    } else {
      assert.deepEqual(s.context.contextActivities.parent.map((p) => p.id), [`${home}/courses/${SLUG}`]);
    }
    actors.set(s.actor.account.name, (actors.get(s.actor.account.name) || 0) + 1);
  }
  const byId = Object.fromEntries(all.map((s) => [s.object.id.slice(home.length), s]));
  assert.equal(byId[`/courses/${SLUG}/lessons/indicators`].object.definition.type, 'http://adlnet.gov/expapi/activities/lesson');
  assert.equal(byId[`/courses/${SLUG}/questions/q-017`].object.definition.type, 'http://adlnet.gov/expapi/activities/cmi.interaction');
  assert.equal(byId[`/courses/${SLUG}/scenarios/traffic-stop`].object.definition.type, 'http://adlnet.gov/expapi/activities/simulation');
  assert.equal(byId[`/courses/${SLUG}/test`].object.definition.type, 'http://adlnet.gov/expapi/activities/assessment');
  assert.deepEqual(byId[`/courses/${SLUG}/lessons/indicators`].object.definition.name, { 'en-US': 'Indicators in the field' });
  const answered = all.find((s) => s.verb.id.endsWith('/answered'));
  assert.deepEqual(answered.result, { success: true, response: 'b', score: { raw: 1, min: 0, max: 1 } });
  // Two learners, two stable ids; no name or email of anyone leaves the portal.
  assert.equal(actors.size, 2);
  const text = JSON.stringify(all);
  for (const u of Object.values(users)) {
    assert.ok(!text.includes(u.email), `${u.email} in a statement`);
    assert.ok(!text.toLowerCase().includes(u.name.toLowerCase()), `${u.name} in a statement`);
  }
  // The statement id is the one fixed when the event was written.
  const [[sid]] = await sql(store, 'SELECT statement_id FROM learning_events ORDER BY id LIMIT 1');
  assert.ok(lrs.statements.has(sid));
});

test('the export: the same statements as a JSON array, by date, audited', async () => {
  // Three events from January 2025, sent too.
  const jan = Date.UTC(2025, 0, 15, 12) / 1000;
  const before = written.length;
  await addEvents(3, world.a.officer, jan);
  await until('the January events sent', async () => (await count('sent')) === written.length);
  let res = await admin.fetch('/admin/xapi/statements.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.match(res.headers.get('content-disposition'), /attachment; filename="csec-xapi-statements-\d{8}T\d{6}Z\.json"/);
  const all = await res.json();
  assert.equal(all.length, written.length);
  for (const s of all) assert.deepEqual(s, lrs.statements.get(s.id));
  res = await admin.fetch('/admin/xapi/statements.json?from=2025-01-01&to=2025-01-15');
  const janOnly = await res.json();
  assert.deepEqual(janOnly.map((s) => s.id), written.slice(before));
  res = await admin.fetch('/admin/xapi/statements.json?to=2025-01-14');
  assert.deepEqual(await res.json(), []);
  res = await admin.fetch('/admin/xapi/statements.json?from=2025-13-01');
  assert.equal(res.status, 400);
  const rows = await sql(store, "SELECT actor, detail FROM audit_log WHERE action = 'xapi.exported' ORDER BY seq");
  assert.equal(rows.length, 3);
  assert.equal(rows[0][0], world.admin);
  assert.deepEqual(JSON.parse(rows[1][1]), { filters: { from: '2025-01-01', to: '2025-01-15' }, statements: 3, truncated: false });
});

test('a statement the LRS refuses is held for the site admin, then sent again', async () => {
  lrs.mode = 'reject';
  const from = written.length;
  await addEvents(2);
  // The batch of two is refused: back untried, then one by one; each is tried
  // XAPI_REJECT_TRIES (3) times, then held.
  await until('a first refusal', async () => (await events()).slice(from).every((e) => e.status === 'queued' && e.attempts === 1 && /HTTP 400/.test(e.error)));
  await sendNow();
  await until('a second refusal', async () => (await events()).slice(from).every((e) => e.status === 'queued' && e.attempts === 2));
  await sendNow();
  await until('both held', async () => (await count('held')) === 2);
  let html = await (await admin.fetch('/admin/xapi')).text();
  assert.match(html, /data-xapi="held">2</);
  assert.match(html, /data-xapi="last-error"><code>HTTP 400: .*refused by policy/);
  await sleep(6000); // held means held: the worker leaves them alone
  assert.equal(await count('held'), 2);
  lrs.mode = 'up';
  await sendNow();
  await until('the held ones sent', async () => (await count('sent')) === written.length);
  html = await (await admin.fetch('/admin/xapi')).text();
  assert.match(html, /data-xapi="held">0</);
  assert.equal(lrs.statements.size, written.length);
  assert.deepEqual(lrs.problems, []);
});

test('a restart while statements are claimed loses nothing and stores nothing twice', async () => {
  // 1. csec stops gracefully while a POST hangs: the batch goes back to the queue.
  lrs.mode = 'hang';
  const from = written.length;
  await addEvents(4);
  await until('a hanging POST', async () => lrs.hanging.length === 1 && (await count('sending')) === 4);
  assert.equal((await srv.stop('SIGTERM')).code, 0);
  for (const e of (await events()).slice(from)) {
    assert.equal(e.status, 'queued');
    assert.equal(e.attempts, 0, 'a cut-short attempt is not counted');
    assert.equal(e.claimed, '');
  }
  lrs.dropHanging();

  // 2. csec is killed after the LRS stored the batch but before it answered:
  // the claim outlives the process until its lease runs out.
  lrs.mode = 'store-hang';
  srv = await startServer({ store, args: ['--listen', `127.0.0.1:${srv.port}`] });
  await until('stored without an answer', async () => lrs.hanging.length === 1 && lrs.statements.size === written.length);
  assert.equal(await count('sending'), 4);
  await srv.stop('SIGKILL');
  lrs.dropHanging();
  const stuck = (await events()).slice(from);
  assert.ok(stuck.every((e) => e.status === 'sending' && e.claimed), 'still claimed by the dead process');
  // The lease (5 minutes) runs out: the test moves the clock of these rows.
  await sql(store, "UPDATE learning_events SET claimed_until = 1, next_attempt_at = 1 WHERE status = 'sending'");

  // 3. Up again: the re-sent batch is answered 409, split, and each one
  // found already stored: all sent, none stored twice.
  lrs.mode = 'up';
  lrs.posts = [];
  srv = await startServer({ store, args: ['--listen', `127.0.0.1:${srv.port}`] });
  await until('all sent after the restart', async () => (await count('sent')) === written.length);
  assert.equal(lrs.statements.size, written.length);
  const statuses = lrs.posts.map((p) => p.status);
  assert.ok(statuses.includes(409), `the LRS saw the re-send: ${statuses}`);
  const logs = srv.rawLogs().join('\n');
  assert.match(logs, /already had it/);
  assert.doesNotMatch(logs, /lrs secret 9/);
  assert.deepEqual(lrs.problems, []);
  // The export after the restart: the actor ids did not change.
  const all = await (await admin.fetch('/admin/xapi/statements.json')).json();
  for (const s of all) assert.deepEqual(s, lrs.statements.get(s.id));
});

test('nothing in the logs but ids: no statement content, no password', async () => {
  const logs = srv.rawLogs().join('\n');
  for (const u of Object.values(users)) assert.ok(!logs.includes(u.name), u.name);
  assert.doesNotMatch(logs, /Indicators in the field|lrs secret 9/);
});
