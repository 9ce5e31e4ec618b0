// Asking to join an organization by email domain (identity issue point 4,
// DESIGN.md §2; docs/joining.md): /join makes a pending account and mails a
// confirmation link; /verify-email/{token} confirms it and asks every organization
// that lists the domain — a membership at once where that exact domain is
// auto-approved, else a request that waits for an org admin at
// /org/requests. The answer for an address that has an account is the same
// page, and that address gets a different mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startServer, freshStore, storeSnapshot, execFile, setCookies } from './lib/server.mjs';
import { client, signIn, seedWorld } from './lib/accounts.mjs';

const NEW_PASSWORD = 'lantern over the bay 12';
let srv, store, world;

/** Runs SQL on the test's store; the rows as text (columns split by |). */
async function sql(statement, db = store.db) {
  const { stdout } = db.startsWith('sqlite:')
    ? await execFile('sqlite3', ['-cmd', '.timeout 5000', db.slice(7), statement])
    : await execFile('psql', [db, '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', statement]);
  return stdout.trim();
}

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  // Organization A (Metro Police Department, law enforcement) takes requests
  // from metro.example and a.example, and auto-approves fast.example;
  // B (County Child Welfare) takes county.example and auto-approves
  // cw.example. shared.example: A auto-approves it, B does not.
  await sql(`INSERT INTO org_domains (org_id, domain, auto_approve)
    SELECT id, 'metro.example', 0 FROM organizations WHERE slug = 'metro-pd' UNION ALL
    SELECT id, 'a.example', 0 FROM organizations WHERE slug = 'metro-pd' UNION ALL
    SELECT id, 'fast.example', 1 FROM organizations WHERE slug = 'metro-pd' UNION ALL
    SELECT id, 'shared.example', 1 FROM organizations WHERE slug = 'metro-pd' UNION ALL
    SELECT id, 'county.example', 0 FROM organizations WHERE slug = 'county-cw' UNION ALL
    SELECT id, 'cw.example', 1 FROM organizations WHERE slug = 'county-cw' UNION ALL
    SELECT id, 'shared.example', 0 FROM organizations WHERE slug = 'county-cw'`);
  // Every request here comes from 127.0.0.1: lift the per-address limit
  // (its own test below starts a server with a low one).
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '1000' } });
});
after(async () => { await srv?.stop(); await srv?.cleanup(); });

/** The mails in the outbox directory addressed to TO, oldest first. */
async function mailsTo(to, server = srv) {
  const dir = join(server.data, 'outbox');
  let names = [];
  try { names = await readdir(dir); } catch { return []; }
  names = names.filter((n) => n.endsWith('.eml')).sort((x, y) => parseInt(x, 10) - parseInt(y, 10));
  const out = [];
  for (const n of names) {
    const text = (await readFile(join(dir, n), 'utf8')).replace(/\r\n/g, '\n');
    const i = text.indexOf('\n\n');
    const head = text.slice(0, i), body = text.slice(i + 2);
    if (!new RegExp(`^To: <${to.replace(/[.+]/g, '\\$&')}>$`, 'm').test(head)) continue;
    out.push({ subject: /^Subject: (.*)$/m.exec(head)[1], body });
  }
  return out;
}

/** Waits (up to 10 s) until TO has COUNT mails; returns the last. */
async function waitMail(to, count = 1, server = srv) {
  for (let i = 0; i < 200; i++) {
    const m = await mailsTo(to, server);
    if (m.length >= count) return m[count - 1];
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no mail #${count} to ${to}`);
}

/** Waits until the outbox holds nothing unsent (so a snapshot is stable). */
async function outboxIdle() {
  for (let i = 0; i < 200; i++) {
    if ((await sql("SELECT count(*) FROM outbox WHERE status <> 'sent'")) === '0') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('the outbox did not empty');
}

/** The mails to TO that tell of a request to join from WHO. */
const noticesAbout = async (who, to) => (await mailsTo(to)).filter((m) => m.body.includes(`<${who}>`));

const linkIn = (mail) => /(http:\/\/\S+\/verify-email\/[A-Za-z0-9_-]{43})/.exec(mail.body)?.[1];

async function join_(c, fields) {
  return c.form('/join', { name: 'Ann Lee', password: NEW_PASSWORD, ...fields });
}

/** Opens LINK in C and presses the confirm button; the result page. */
async function confirm(c, link) {
  const path = link.slice(srv.url.length);
  const res = await c.form(path, {});
  assert.equal(res.status, 200);
  return res.text();
}

/** What the join tables hold, to prove a refused request changed nothing. */
async function joinState() {
  return sql(`SELECT (SELECT count(*) FROM users) || ',' || (SELECT count(*) FROM memberships) || ',' ||
    (SELECT count(*) FROM join_requests WHERE status = 'pending') || ',' || (SELECT count(*) FROM audit_log) || ',' ||
    (SELECT count(*) FROM outbox)`);
}

const actions = async (where) => (await sql(`SELECT action || ' ' || outcome || ' ' || coalesce(org_id, 0) || ' ' || coalesce(target_type, '') || ' ' || coalesce(target_id, '') FROM audit_log WHERE ${where} ORDER BY seq`)).split('\n').filter(Boolean);

test('register, confirm by mail, the org admin approves, the person signs in as a member', async () => {
  const c = client(srv);
  let res = await c.fetch('/join');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /name="email"[\s\S]*name="password"/);
  res = await join_(c, { email: 'ann@metro.example' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/join/sent');
  res = await c.fetch('/join/sent');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Check your email/);
  assert.equal(await sql("SELECT status || ' ' || email_verified || ' ' || name FROM users WHERE email = 'ann@metro.example'"), 'pending 0 Ann Lee');

  // Not verified: no sign-in yet.
  res = await client(srv).form('/login', { email: 'ann@metro.example', password: NEW_PASSWORD });
  assert.equal(res.status, 401);

  const mail = await waitMail('ann@metro.example');
  assert.match(mail.subject, /Confirm your email address/);
  const link = linkIn(mail);
  assert.ok(link && link.startsWith(srv.url + '/verify-email/'), 'the link is built from the public URL');

  // Opening the link (as a mail scanner would) changes nothing.
  await outboxIdle();
  const before = await storeSnapshot(srv);
  res = await client(srv).fetch(link.slice(srv.url.length));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /ann@metro\.example[\s\S]*Confirm my email address/);
  assert.equal(await storeSnapshot(srv), before);

  const html = await confirm(c, link);
  assert.match(html, /Waiting for an administrator[\s\S]*Metro Police Department/);
  assert.doesNotMatch(html, /County Child Welfare/);
  assert.match(html, /href="\/login"/);
  assert.equal(await sql("SELECT status || ' ' || email_verified FROM users WHERE email = 'ann@metro.example'"), 'active 1');
  const reqId = await sql("SELECT r.id FROM join_requests r JOIN users u ON u.id = r.user_id WHERE u.email = 'ann@metro.example' AND r.status = 'pending'");
  assert.match(reqId, /^\d+$/);
  // The token is spent.
  assert.equal((await client(srv).fetch(link.slice(srv.url.length))).status, 410);
  assert.equal((await c.form(link.slice(srv.url.length), {}, '/join')).status, 410);

  // The org admins of A, and no one else, are told the request waits for them.
  const notice = await waitMail(world.a.org_admin);
  assert.equal(notice.subject, 'A request to join Metro Police Department waits for your approval');
  assert.match(notice.body, /Hello org admin A,/);
  assert.match(notice.body, /Ann Lee <ann@metro\.example> confirmed their email address/);
  assert.ok(notice.body.includes(`\n${srv.url}/org/requests\n`), 'the link to the pending requests, from the public URL');
  await outboxIdle();
  assert.deepEqual(await noticesAbout('ann@metro.example', world.b.org_admin), [], "not B's admins");
  for (const role of ['leader', 'officer', 'trainer'])
    assert.deepEqual(await noticesAbout('ann@metro.example', world.a[role]), [], `not A's ${role}`);
  assert.equal((await noticesAbout('ann@metro.example', world.a.org_admin)).length, 1, 'one mail');

  // Signed in without a membership: the request shows on the account page.
  let ann = await signIn(srv, 'ann@metro.example', NEW_PASSWORD);
  let account = await (await ann.fetch('/account')).text();
  assert.match(account, /Your requests to join[\s\S]*Metro Police Department: waiting/);
  assert.match(account, /not a member of an organization yet/);

  // The org admin of A sees it and approves it with another role.
  const admin = await signIn(srv, world.a.org_admin);
  res = await admin.fetch('/org/requests');
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /Ann Lee[\s\S]*ann@metro\.example/);
  assert.match(page, new RegExp(`action="/org/requests/${reqId}/approve"`));
  assert.match(page, /<option value="officer" selected>/, 'officer is the default in a law-enforcement organization');
  res = await admin.form(`/org/requests/${reqId}/approve`, { role: 'analyst' }, '/account');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/requests?done=approved');
  const after_ = await (await admin.fetch('/org/requests?done=approved')).text();
  assert.match(after_, /role="status"[^>]*>The request was approved/);
  assert.doesNotMatch(after_, /ann@metro\.example/);
  assert.equal(await sql(`SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id WHERE u.email = 'ann@metro.example' AND o.slug = 'metro-pd'`), 'analyst');
  assert.equal(await sql(`SELECT r.status || ' ' || u.email FROM join_requests r JOIN users u ON u.id = r.decided_by WHERE r.id = ${reqId}`), `approved ${world.a.org_admin}`);

  const decided = await waitMail('ann@metro.example', 2);
  assert.match(decided.subject, /Your request to join Metro Police Department was approved/);
  assert.match(decided.body, /Your role is: Analyst\./);
  assert.match(decided.body, new RegExp(`${srv.url}/login`));

  ann = await signIn(srv, 'ann@metro.example', NEW_PASSWORD);
  account = await (await ann.fetch('/account')).text();
  assert.match(account, /<dd>Metro Police Department<\/dd>[\s\S]*<dd>Analyst/);
  assert.doesNotMatch(account, /Your requests to join/);

  const orgA = await sql("SELECT id FROM organizations WHERE slug = 'metro-pd'");
  const annId = await sql("SELECT id FROM users WHERE email = 'ann@metro.example'");
  assert.deepEqual(await actions(`(actor = 'anonymous' AND target_id = '${annId}' AND action LIKE 'join.%') OR actor = 'ann@metro.example' AND action LIKE 'join.%' OR (action = 'join.approve' AND target_id = '${reqId}')`), [
    `join.register success 0 user ${annId}`,
    `join.verify success 0 user ${annId}`,
    `join.request success ${orgA} join_request ${reqId}`,
    `join.approve success ${orgA} join_request ${reqId}`,
  ]);
  // The token is never in the request log.
  const token = link.slice(-43);
  assert.ok(!srv.rawLogs().some((l) => l.includes(token)), 'the token stays out of the log');
});

test('an auto-approved domain makes a member at once; the others still wait', async () => {
  const c = client(srv);
  assert.equal((await join_(c, { email: 'sam@shared.example', name: 'Sam Ortiz' })).status, 303);
  const html = await confirm(c, linkIn(await waitMail('sam@shared.example')));
  assert.match(html, /You are a member now[\s\S]*Metro Police Department, as Officer[\s\S]*Waiting for an administrator[\s\S]*County Child Welfare/);
  assert.equal(await sql(`SELECT o.slug || ' ' || m.role FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id WHERE u.email = 'sam@shared.example'`), 'metro-pd officer');
  assert.equal(await sql(`SELECT o.slug FROM join_requests r JOIN users u ON u.id = r.user_id JOIN organizations o ON o.id = r.org_id WHERE u.email = 'sam@shared.example' AND r.status = 'pending'`), 'county-cw');
  const sam = await signIn(srv, 'sam@shared.example', NEW_PASSWORD);
  const account = await (await sam.fetch('/account')).text();
  assert.match(account, /<dd>Metro Police Department<\/dd>[\s\S]*<dd>Officer/);
  assert.match(account, /County Child Welfare: waiting/);
  const orgA = await sql("SELECT id FROM organizations WHERE slug = 'metro-pd'");
  const samId = await sql("SELECT id FROM users WHERE email = 'sam@shared.example'");
  const orgB = await sql("SELECT id FROM organizations WHERE slug = 'county-cw'");
  const reqB = await sql(`SELECT id FROM join_requests WHERE user_id = ${samId}`);
  // Organizations in order of name: County Child Welfare, then Metro.
  assert.deepEqual(await actions("actor = 'sam@shared.example' AND action LIKE 'join.%'"), [
    `join.verify success 0 user ${samId}`,
    `join.request success ${orgB} join_request ${reqB}`,
    `join.auto_approve success ${orgA} user ${samId}`,
  ]);

  // Only the organization where the request waits mails its admins.
  assert.match((await waitMail(world.b.org_admin)).subject, /request to join County Child Welfare waits/);
  await outboxIdle();
  assert.equal((await noticesAbout('sam@shared.example', world.b.org_admin)).length, 1);
  assert.deepEqual(await noticesAbout('sam@shared.example', world.a.org_admin), [], 'no mail for an auto-approval');

  // Outside law enforcement the default role is partner.
  const d = client(srv);
  assert.equal((await join_(d, { email: 'dee@cw.example', name: 'Dee Park' })).status, 303);
  assert.match(await confirm(d, linkIn(await waitMail('dee@cw.example'))), /County Child Welfare, as Partner/);
  assert.equal(await sql(`SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'dee@cw.example'`), 'partner');
  await outboxIdle();
  assert.deepEqual(await noticesAbout('dee@cw.example', world.b.org_admin), [], 'no mail for an auto-approval');
});

test('a domain no organization lists is refused, and nothing changes', async () => {
  await outboxIdle();
  const c = client(srv);
  const token = await c.token('/join');
  const before = await storeSnapshot(srv);
  // sub.fast.example: only the exact domain fast.example is listed.
  for (const email of ['kim@elsewhere.example', 'kim@sub.fast.example', 'kim@example']) {
    const res = await c.post('/join', { _csrf: token, name: 'Kim Young', email, password: NEW_PASSWORD });
    assert.equal(res.status, 422, email);
    const html = await res.text();
    if (email !== 'kim@example') {
      assert.match(html, /role="alert"[\s\S]*No organization on this portal accepts requests to join from this email address&#39;s domain\. Ask your organization&#39;s administrator to invite you/);
    }
    assert.match(html, /id="email-error"/);
    assert.match(html, new RegExp(`value="${email.replace(/\./g, '\\.')}"`));
    assert.match(html, /value="Kim Young"/);
    assert.doesNotMatch(html, new RegExp(NEW_PASSWORD));
  }
  assert.equal(await storeSnapshot(srv), before);
  assert.deepEqual(await mailsTo('kim@elsewhere.example'), []);
});

test('an address with an account gets the same answer, and a different mail', async () => {
  // officer@a.example is an active member; a.example is listed by A.
  const answer = async (email) => {
    const c = client(srv);
    const res = await join_(c, { email, name: 'Somebody Else' });
    const sent = await c.fetch(res.headers.get('location'));
    return {
      status: res.status, location: res.headers.get('location'), body: await res.text(),
      cookies: setCookies(res).map((s) => s.split('=')[0]).sort(),
      page: { status: sent.status, body: await sent.text() },
    };
  };
  const fresh = await answer('newcomer@a.example');
  const known = await answer(world.a.officer);
  assert.equal(fresh.status, 303);
  assert.deepEqual(known, fresh);

  const mail = await waitMail(world.a.officer);
  assert.match(mail.subject, /Someone asked to join .* with your email address/);
  assert.match(mail.body, /already has an account/);
  assert.match(mail.body, /officer A/, 'the greeting uses the account name, not what was typed');
  assert.doesNotMatch(mail.body, /Somebody Else/);
  assert.match(mail.body, new RegExp(`${srv.url}/login`));
  assert.equal(linkIn(mail), undefined, 'no confirmation link for a confirmed address');
  assert.match((await waitMail('newcomer@a.example')).subject, /Confirm your email address/);
  // The account is untouched: same name, the old password still works.
  assert.equal(await sql(`SELECT name || ' ' || status FROM users WHERE email = '${world.a.officer}'`), 'officer A active');
  await signIn(srv, world.a.officer);
  const officerId = await sql(`SELECT id FROM users WHERE email = '${world.a.officer}'`);
  assert.deepEqual(await sql(`SELECT outcome || ' ' || detail FROM audit_log WHERE action = 'join.register' AND target_id = '${officerId}'`),
    'denied {"mailed":true,"reason":"account_exists"}');

  // An account that never confirmed its address gets a fresh link instead.
  const first = client(srv);
  await join_(first, { email: 'late@metro.example' });
  const old = linkIn(await waitMail('late@metro.example'));
  await join_(client(srv), { email: 'late@metro.example', password: 'a different password 77' });
  const again = await waitMail('late@metro.example', 2);
  assert.match(again.subject, /Someone asked to join/);
  const fresher = linkIn(again);
  assert.ok(fresher && fresher !== old);
  assert.match(await confirm(client(srv), fresher), /Metro Police Department/);
  // The password is the one chosen first, not the one typed later.
  await signIn(srv, 'late@metro.example', NEW_PASSWORD);
});

test('bad input is named next to its field, the input kept, and the store unchanged', async () => {
  await outboxIdle();
  const c = client(srv);
  const token = await c.token('/join');
  const before = await storeSnapshot(srv);
  const cases = [
    [{ name: '', email: 'x@metro.example', password: NEW_PASSWORD }, 'name', /Enter a name/],
    [{ name: 'Pat Lane', email: 'not an address', password: NEW_PASSWORD }, 'email', /Enter an email address in the form/],
    [{ name: 'Pat Lane', email: '', password: NEW_PASSWORD }, 'email', /Enter an email address\./],
    [{ name: 'Pat Lane', email: 'pat@metro.example', password: 'short' }, 'password', /at least 8 characters/],
    [{ name: 'Pat Lane', email: 'pat@metro.example', password: 'password1' }, 'password', /used very often/],
    [{ name: 'Pat Lane', email: 'pat@metro.example', password: '' }, 'password', /at least 8 characters/],
    [{ name: 'x'.repeat(201), email: 'pat@metro.example', password: NEW_PASSWORD }, 'name', /at most 200 characters/],
  ];
  for (const [fields, field, message] of cases) {
    const res = await c.post('/join', { _csrf: token, ...fields });
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, new RegExp(`<p class="field-error" id="${field}-error">[^<]*${message.source}`));
    assert.match(html, new RegExp(`aria-describedby="[^"]*${field}-error"`));
    if (fields.name) assert.ok(html.includes(`value="${fields.name}"`), 'the name is kept');
    if (fields.email) assert.ok(html.includes(`value="${fields.email}"`), 'the email is kept');
    if (fields.password) assert.ok(!html.includes(fields.password), 'the password is not sent back');
  }
  assert.equal(await storeSnapshot(srv), before);
});

test('forms without their CSRF token are refused and change nothing', async () => {
  await outboxIdle();
  const c = client(srv);
  await c.token('/join'); // the pre-session cookie, but no _csrf field
  let before = await storeSnapshot(srv);
  let res = await c.post('/join', { name: 'Rae Moss', email: 'rae@metro.example', password: NEW_PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), before);

  // The confirm button: the token stays good.
  await join_(c, { email: 'rae@metro.example', name: 'Rae Moss' });
  const link = linkIn(await waitMail('rae@metro.example'));
  await outboxIdle();
  before = await storeSnapshot(srv);
  res = await c.post(link.slice(srv.url.length), {});
  assert.equal(res.status, 403);
  res = await c.post(link.slice(srv.url.length), { _csrf: 'x'.repeat(43) });
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), before);
  await confirm(c, link);

  // The org admin's decisions.
  const id = await sql("SELECT r.id FROM join_requests r JOIN users u ON u.id = r.user_id WHERE u.email = 'rae@metro.example'");
  const admin = await signIn(srv, world.a.org_admin);
  const state = await joinState();
  for (const what of ['approve', 'decline']) {
    res = await admin.post(`/org/requests/${id}/${what}`, { role: 'officer' });
    assert.equal(res.status, 403);
  }
  assert.equal(await joinState(), state);
  assert.equal(await sql(`SELECT status FROM join_requests WHERE id = ${id}`), 'pending');
});

/** A pending request of organization A (made through the front door). */
async function pendingRequestOfA(local) {
  const c = client(srv);
  await join_(c, { email: `${local}@metro.example`, name: `Person ${local}` });
  await confirm(c, linkIn(await waitMail(`${local}@metro.example`)));
  return sql(`SELECT r.id FROM join_requests r JOIN users u ON u.id = r.user_id WHERE u.email = '${local}@metro.example'`);
}

test('only org admins reach the requests page: an officer gets 403', async () => {
  const id = await pendingRequestOfA('quinn');
  const people = {};
  for (const role of ['officer', 'leader', 'trainer', 'editor', 'partner', 'analyst']) people[role] = await signIn(srv, world.a[role]);
  const token = /name="_csrf" value="([^"]+)"/.exec(await (await people.officer.fetch('/account')).text())[1];
  const state = await joinState();
  assert.equal((await people.officer.fetch('/org/requests')).status, 403);
  for (const what of ['approve', 'decline']) {
    const res = await people.officer.post(`/org/requests/${id}/${what}`, { _csrf: token, role: 'org_admin' });
    assert.equal(res.status, 403);
  }
  for (const [role, c] of Object.entries(people)) assert.equal((await c.fetch('/org/requests')).status, 403, role);
  assert.ok([401, 403].includes((await client(srv).fetch('/org/requests')).status), 'anonymous: refused');
  assert.equal(await joinState(), state);
  assert.equal(await sql(`SELECT status FROM join_requests WHERE id = ${id}`), 'pending');
});

test("another organization's requests answer 404, exactly like ones that do not exist", async () => {
  const id = await pendingRequestOfA('riley');
  const adminB = await signIn(srv, world.b.org_admin);
  const page = await (await adminB.fetch('/org/requests')).text();
  assert.doesNotMatch(page, /riley@metro\.example/);
  const state = await joinState();
  for (const path of [`/org/requests/${id}/approve`, `/org/requests/${id}/decline`, '/org/requests/999999/approve', '/org/requests/abc/decline', '/org/requests/0/approve']) {
    const res = await adminB.form(path, { role: 'partner' }, '/account');
    assert.equal(res.status, 404, path);
  }
  assert.equal(await joinState(), state);
  assert.equal(await sql(`SELECT status FROM join_requests WHERE id = ${id}`), 'pending');
});

test('a request decided already answers 409; a bad role 422; declining mails the person', async () => {
  const admin = await signIn(srv, world.a.org_admin);
  const id = await pendingRequestOfA('sky');
  let state = await joinState();
  let res = await admin.form(`/org/requests/${id}/approve`, { role: 'chief' }, '/account');
  assert.equal(res.status, 422);
  assert.match(await res.text(), /role="alert"[\s\S]*Choose one of the roles/);
  assert.equal(await joinState(), state);

  res = await admin.form(`/org/requests/${id}/decline`, {}, '/account');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/requests?done=declined');
  const mail = await waitMail('sky@metro.example', 2);
  assert.match(mail.subject, /was declined/);
  assert.equal(await sql(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'sky@metro.example'`), '0');
  assert.equal(await sql(`SELECT action || ' ' || target_type FROM audit_log WHERE target_id = '${id}' AND action = 'join.decline'`), 'join.decline join_request');

  state = await joinState();
  for (const what of ['approve', 'decline']) {
    res = await admin.form(`/org/requests/${id}/${what}`, { role: 'officer' }, '/account');
    assert.equal(res.status, 409, what);
    assert.match(await res.text(), /approved or declined already/);
  }
  const id2 = await pendingRequestOfA('tate');
  assert.equal((await admin.form(`/org/requests/${id2}/approve`, { role: 'trainer' }, '/account')).status, 303);
  state = await joinState();
  assert.equal((await admin.form(`/org/requests/${id2}/approve`, { role: 'trainer' }, '/account')).status, 409);
  assert.equal(await joinState(), state);
});

test('confirmation links: unknown 404, expired 410', async () => {
  const c = client(srv);
  assert.equal((await c.fetch('/verify-email/' + 'A'.repeat(43))).status, 404);
  assert.equal((await c.fetch('/verify-email/short')).status, 404);
  await join_(c, { email: 'uma@metro.example', name: 'Uma Shah' });
  const link = linkIn(await waitMail('uma@metro.example'));
  await sql("UPDATE email_tokens SET expires_at = 1000 WHERE user_id = (SELECT id FROM users WHERE email = 'uma@metro.example')");
  const res = await c.fetch(link.slice(srv.url.length));
  assert.equal(res.status, 410);
  assert.match(await res.text(), /more than 24 hours old/);
  assert.equal((await c.form(link.slice(srv.url.length), {}, '/join')).status, 410);
  assert.equal(await sql("SELECT status FROM users WHERE email = 'uma@metro.example'"), 'pending');
});

test('a signed-in person is sent from /join to their account', async () => {
  const c = await signIn(srv, world.a.partner);
  const res = await c.fetch('/join');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account');
});

test('the sign-in page links to /join', async () => {
  const html = await (await fetch(srv.url + '/login')).text();
  assert.match(html, /<a class="action" href="\/join">Ask to join your organization<\/a>/);
});

test('requests to join from one address are limited per minute (429)', async () => {
  const s = await freshStore();
  const r = await run(['org', 'add', '--name', 'Lake Police', '--kind', 'law_enforcement', ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  await sql("INSERT INTO org_domains (org_id, domain) SELECT id, 'lake.example' FROM organizations", s.db);
  const small = await startServer({ store: s, env: { CSEC_SIGNIN_PER_MINUTE: '2' } });
  try {
    const c = client(small);
    const token = await c.token('/join');
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await c.post('/join', { _csrf: token, name: 'Vic Ray', email: `vic${i}@lake.example`, password: NEW_PASSWORD });
      statuses.push(res.status);
      if (res.status === 429) assert.equal(res.headers.get('retry-after'), '60');
    }
    assert.deepEqual(statuses, [303, 303, 429]);
    assert.equal(await sql("SELECT count(*) FROM users WHERE email LIKE 'vic%'", s.db), '2');
  } finally {
    await small.stop();
    await small.cleanup();
  }
});
