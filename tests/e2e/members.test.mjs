// tests/e2e/members.test.mjs — what an org admin does (identity issue #4,
// points 1, 2, 4, 5, 8): the members page (search, pages), invitations
// (sent by mail, accepted by a new or an existing person, replaced,
// revoked), role changes, disabling and re-enabling (sessions end), the
// last-admin rule, and the organization's settings (time zone, ORI, MFA,
// email domains). Every action: success, bad input (422, input kept, store
// unchanged), CSRF refusal, other roles (403), the other organization's ids
// (404), and its audit record. Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startServer, freshStore, storeSnapshot, execFile } from './lib/server.mjs';
import { client, signIn, seedWorld, PASSWORD, ROLES } from './lib/accounts.mjs';

let srv, store, world, admin;

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  // Many sign-ins from one address: lift the per-address limit (it has its own tests).
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  admin = await signIn(srv, world.a.org_admin);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
});

/** Rows of a query, each an array of text columns. */
async function query(statement) {
  let out;
  if (store.db.startsWith('sqlite:')) {
    ({ stdout: out } = await execFile('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '\t', store.db.slice(7), statement]));
  } else {
    ({ stdout: out } = await execFile('psql', [store.db, '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', statement]));
  }
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const one = async (statement) => (await query(statement))[0]?.[0];
const userId = (email) => one(`SELECT id FROM users WHERE email = '${email}'`);

/** The audit records of ACTION, oldest first: [{actor, org_id, target_type, target_id, outcome, detail}]. */
async function audits(action) {
  const rows = await query(`SELECT actor, org_id, target_type, target_id, outcome, detail FROM audit_log WHERE action = '${action}' ORDER BY seq`);
  return rows.map(([actor, org, type, id, outcome, detail]) => ({ actor, org_id: org, target_type: type, target_id: id, outcome, detail: detail ? JSON.parse(detail) : null }));
}

/** Waits until no mail is waiting or being sent (the worker changes the store). */
async function mailSettled() {
  for (let i = 0; i < 100; i++) {
    if (Number(await one("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('mail stayed in the outbox');
}

/**
 * Runs FN and checks the store is exactly as before. C (a signed-in client)
 * first reads a page, so that its session's last_seen (written at most once
 * a minute) does not move during FN.
 */
async function unchanged(c, fn) {
  await c.fetch('/account');
  await mailSettled();
  const before = await storeSnapshot(srv);
  const r = await fn();
  assert.equal(await storeSnapshot(srv), before, 'the store changed');
  return r;
}

const seen = new Set();
/** The invitation link of the next .eml to EMAIL in the outbox directory (waits for it). */
async function inviteLink(email) {
  const dir = join(srv.data, 'outbox');
  for (let i = 0; i < 100; i++) {
    let names = [];
    try { names = (await readdir(dir)).filter((n) => n.endsWith('.eml') && !seen.has(n)); } catch { /* not there yet */ }
    for (const n of names.sort()) {
      const text = await readFile(join(dir, n), 'utf8');
      if (!new RegExp(`^To: <?${email.replace(/[.+]/g, '\\$&')}>?\\r?$`, 'mi').test(text)) continue;
      seen.add(n);
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/invite\/([A-Za-z0-9_-]{43})/.exec(text);
      assert.ok(m, 'the mail holds an invitation link');
      assert.equal(m[1], srv.url, 'the link is built from the public URL');
      return { path: `/invite/${m[2]}`, text };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no invitation mail to ${email}`);
}

const html = async (res) => res.text();

async function invite(c, fields) {
  return c.form('/org/members/invite', fields, '/org/members');
}

test('the members page lists the active organization only, with links to requests and settings', async () => {
  const res = await admin.fetch('/org/members');
  assert.equal(res.status, 200);
  const page = await html(res);
  for (const role of ROLES) assert.ok(page.includes(world.a[role]), `${world.a[role]} is listed`);
  for (const role of ROLES) assert.ok(!page.includes(world.b[role]), `${world.b[role]} of the other org is not listed`);
  assert.match(page, /href="\/org\/requests"/);
  assert.match(page, /href="\/org\/settings"/);
  assert.match(page, /<h1>Members<\/h1>/);
});

test('search: by name or email, case-insensitive, wildcards taken literally, bounded', async () => {
  let page = await html(await admin.fetch('/org/members?q=OFFICER'));
  assert.ok(page.includes(world.a.officer));
  assert.ok(!page.includes(world.a.leader));
  page = await html(await admin.fetch('/org/members?q=' + encodeURIComponent('Trainer a')));
  assert.ok(page.includes(world.a.trainer), 'by name');
  assert.ok(!page.includes(world.a.officer));
  for (const wild of ['%', '_', '\\', 'o%r', 'of_icer']) {
    page = await html(await admin.fetch('/org/members?q=' + encodeURIComponent(wild)));
    assert.ok(!page.includes(world.a.officer), `"${wild}" is not a wildcard`);
    assert.match(page, /0 members match/);
  }
  const res = await admin.fetch('/org/members?q=' + 'x'.repeat(101));
  assert.equal(res.status, 422);
  assert.match(await html(res), /at most 100 characters/);
});

test('long lists come a page at a time', async () => {
  // 60 more members in organization B, whose admin pages through them.
  const b = await one("SELECT id FROM organizations WHERE slug = 'county-cw'");
  const values = Array.from({ length: 60 }, (_, i) => `('p${String(i).padStart(2, '0')}@b.example', 'Person ${String(i).padStart(2, '0')}')`).join(', ');
  await query(`INSERT INTO users (email, name) VALUES ${values}`);
  await query(`INSERT INTO memberships (user_id, org_id, role) SELECT id, ${b}, 'officer' FROM users WHERE email LIKE 'p__@b.example'`);
  const badmin = await signIn(srv, world.b.org_admin);
  let page = await html(await badmin.fetch('/org/members'));
  assert.match(page, /67 members\./);
  assert.match(page, /Showing 1 to 50 of 67/);
  assert.equal((page.match(/class="member"/g) || []).length, 50);
  const next = /href="([^"]+)" rel="next"/.exec(page)[1].replace(/&amp;/g, '&');
  page = await html(await badmin.fetch(next));
  assert.match(page, /Showing 51 to 67 of 67/);
  assert.equal((page.match(/class="member"/g) || []).length, 17);
  assert.match(page, /rel="prev"/);
  page = await html(await badmin.fetch('/org/members?q=person&page=2'));
  assert.match(page, /Showing 51 to 60 of 60/);
  assert.match(page, /href="\/org\/members\?q=person&amp;page=1" rel="prev"/);
  assert.equal((await badmin.fetch('/org/members?page=999')).status, 200, 'past the end: the last page');
});

test('people of every other role get 403 on every page and action, and anyone signed out is asked to sign in (401)', async () => {
  const officerId = await userId(world.a.officer);
  const actions = [
    ['/org/members/invite', { email: 'nobody@a.example', role: 'officer' }],
    [`/org/members/${officerId}/role`, { role: 'leader' }],
    [`/org/members/${officerId}/disable`, {}],
    [`/org/members/${officerId}/enable`, {}],
    ['/org/invitations/1/revoke', {}],
    ['/org/settings', { name: 'Taken over', time_zone: 'UTC' }],
  ];
  for (const role of ROLES.filter((r) => r !== 'org_admin')) {
    const c = await signIn(srv, world.a[role]);
    for (const path of ['/org/members', '/org/settings']) assert.equal((await c.fetch(path)).status, 403, `${role} GET ${path}`);
    await unchanged(c, async () => {
      const csrf = await c.token('/account');
      for (const [path, fields] of actions) assert.equal((await c.post(path, { _csrf: csrf, ...fields })).status, 403, `${role} POST ${path}`);
    });
  }
  const anon = client(srv);
  for (const path of ['/org/members', '/org/settings']) assert.equal((await anon.fetch(path)).status, 401, `signed out: ${path}`);
  // A site admin has no role in the organization: no member pages either.
  const site = await signIn(srv, world.admin);
  assert.equal((await site.fetch('/org/members')).status, 403);
});

test('invite a new person: mail, accept with a name and a password, signed in, listed', async () => {
  const email = 'jordan.new@a.example';
  let res = await invite(admin, { email: '  Jordan.New@A.example ', name: 'Jordan Blake', role: 'officer' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/members?done=invited');
  let page = await html(await admin.fetch('/org/members?done=invited'));
  assert.match(page, /role="status"/);
  assert.match(page, /The invitation is on its way/);
  assert.ok(page.includes(email), 'the pending invitation is listed');
  assert.match(page, /Link valid until/);

  const [status, name, verified, hash] = (await query(`SELECT status, name, email_verified, password_hash FROM users WHERE email = '${email}'`))[0];
  assert.deepEqual([status, name, verified, hash], ['invited', 'Jordan Blake', '0', '']);
  const [inv] = await query(`SELECT id, role, expires_at - created_at, invited_by FROM invitations WHERE email = '${email}'`);
  assert.equal(inv[1], 'officer');
  assert.equal(Number(inv[2]), 7 * 24 * 3600, 'valid 7 days');
  assert.equal(inv[3], await userId(world.a.org_admin));
  const [rec] = await audits('org.invite');
  assert.equal(rec.actor, world.a.org_admin);
  assert.equal(rec.target_type, 'invitation');
  assert.equal(rec.target_id, inv[0]);
  assert.deepEqual({ email: rec.detail.email, role: rec.detail.role, new_account: rec.detail.new_account }, { email, role: 'officer', new_account: true });

  const { path, text } = await inviteLink(email);
  assert.match(text, /^Subject: .*Metro Police Department/m);
  assert.match(text, /as Officer/);
  assert.ok(!srv.rawLogs().some((l) => l.includes(path.slice(8))), 'the token is never logged');

  const person = client(srv);
  res = await person.fetch(path);
  assert.equal(res.status, 200);
  page = await html(res);
  assert.match(page, /Join Metro Police Department/);
  assert.match(page, /Officer/);
  assert.match(page, /value="Jordan Blake"/, 'the name from the invitation is offered');

  // Bad input: named, kept, nothing changed.
  await unchanged(admin, async () => {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)[1];
    res = await person.post(path, { _csrf: csrf, name: 'Jordan B.', password: 'short' });
    assert.equal(res.status, 422);
    const p = await html(res);
    assert.match(p, /at least 8 characters/);
    assert.match(p, /value="Jordan B\."/);
    res = await person.post(path, { _csrf: csrf, name: '', password: 'password' });
    assert.equal(res.status, 422);
    assert.match(await html(res), /Enter a name[\s\S]*list of passwords/);
    res = await person.post(path, { name: 'Jordan', password: PASSWORD });
    assert.equal(res.status, 403, 'the CSRF token is required');
  });

  const pw = 'lantern meadow copper 19';
  res = await person.form(path, { name: ' Jordan Blake ', password: pw });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account');
  page = await html(await person.fetch('/account'));
  assert.match(page, /Jordan Blake[\s\S]*Metro Police Department[\s\S]*Officer/);
  const [status2, name2, verified2] = (await query(`SELECT status, name, email_verified FROM users WHERE email = '${email}'`))[0];
  assert.deepEqual([status2, name2, verified2], ['active', 'Jordan Blake', '1']);
  assert.equal(await one(`SELECT role || ' ' || status FROM memberships WHERE user_id = ${await userId(email)}`), 'officer active');
  assert.equal(await one(`SELECT count(*) FROM invitations WHERE email = '${email}' AND accepted_at IS NOT NULL`), '1');
  const [acc] = await audits('org.invite.accept');
  assert.equal(acc.actor, email);
  assert.equal(acc.org_id, await one("SELECT id FROM organizations WHERE slug = 'metro-pd'"));
  assert.equal(acc.target_id, inv[0]);

  // The link is spent; the person signs in like anyone; the list shows them.
  res = await client(srv).fetch(path);
  assert.equal(res.status, 410);
  assert.match(await html(res), /used already/);
  await signIn(srv, email, pw);
  page = await html(await admin.fetch('/org/members?q=jordan'));
  assert.match(page, /Jordan Blake[\s\S]*jordan\.new@a\.example[\s\S]*Officer[\s\S]*Active/);
  assert.ok(!/Invitations waiting[\s\S]*jordan\.new@a\.example/.test(page), 'no longer pending');
});

test('invited as a leader: accepting leads to MFA enrolment, then sign-in with a code', async () => {
  const email = 'casey.lead@a.example';
  assert.equal((await invite(admin, { email, role: 'leader' })).status, 303);
  const { path } = await inviteLink(email);
  const person = client(srv);
  const pw = 'quartz river meadow 58';
  let res = await person.form(path, { name: 'Casey Lead', password: pw });
  assert.equal(res.status, 303);
  res = await person.fetch('/account');
  assert.equal(res.status, 303, 'the MFA gate');
  assert.equal(res.headers.get('location'), '/account/mfa');
  // signIn enrols on the way (a role that needs MFA), then signs in with codes.
  await signIn(srv, email, pw);
  const again = await signIn(srv, email, pw);
  assert.equal((await again.fetch('/account')).status, 200);
});

test('bad invitations: 422, each problem named, input kept, nothing changed', async () => {
  const cases = [
    [{ email: 'not-an-email', role: 'officer' }, /Enter an email address in the form/],
    [{ email: '', role: 'officer' }, /Enter an email address\./],
    [{ email: 'sam@a.example', role: 'chief' }, /Choose one of the roles/],
    [{ email: 'sam@a.example', role: '' }, /Choose one of the roles/],
    [{ email: 'sam@a.example', role: 'officer', name: 'x'.repeat(201) }, /at most 200 characters/],
    [{ email: world.a.officer, role: 'leader' }, /already a member/],
    [{ email: world.a.officer.toUpperCase(), role: 'leader' }, /already a member/],
  ];
  await unchanged(admin, async () => {
    for (const [fields, message] of cases) {
      const res = await invite(admin, fields);
      assert.equal(res.status, 422, JSON.stringify(fields));
      const page = await html(res);
      assert.match(page, message);
      assert.match(page, /role="alert"/);
      assert.ok(page.includes(`value="${fields.email}"`), 'the email is kept');
      assert.match(page, /aria-invalid="true"/);
    }
    const res = await admin.post('/org/members/invite', { email: 'sam@a.example', role: 'officer' });
    assert.equal(res.status, 403, 'no CSRF token');
  });
});

test('an existing account: sign in to accept; someone else is refused; the account accepts', async () => {
  const email = world.b.officer; // a member of the other organization
  assert.equal((await invite(admin, { email, role: 'trainer' })).status, 303);
  const { path } = await inviteLink(email);
  const [rec] = (await audits('org.invite')).filter((r) => r.detail.email === email);
  assert.equal(rec.detail.new_account, false);

  let res = await client(srv).fetch(path);
  assert.equal(res.status, 200);
  let page = await html(res);
  assert.ok(page.includes(`Sign in as ${email}`));
  // Signing in from there comes back to the invitation.
  const back = /href="(\/login\?next=[^"]+)"/.exec(page)[1];
  assert.equal(back, `/login?next=${path}`);
  const returning = client(srv);
  const form = await (await returning.fetch(back)).text();
  assert.ok(form.includes(`name="next" value="${path}"`), 'the sign-in form carries next');
  assert.ok(!/name="password"/.test(page), 'no password form for an existing account');

  const other = await signIn(srv, world.a.partner);
  res = await other.fetch(path);
  assert.equal(res.status, 403);
  page = await html(res);
  assert.ok(page.includes(`signed in as ${world.a.partner}`));
  await unchanged(other, async () => {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)[1];
    assert.equal((await other.post(path, { _csrf: csrf })).status, 403);
  });
  const anon = client(srv);
  await anon.fetch(path);
  await unchanged(admin, async () => {
    assert.equal((await anon.form(path, { name: 'X', password: PASSWORD }, '/login')).status, 401, 'an anonymous POST cannot accept for an account');
  });

  const me = await signIn(srv, email);
  const oldCookie = me.cookie();
  res = await me.fetch(path);
  assert.equal(res.status, 200);
  assert.match(await html(res), /Accept and join Metro Police Department/);
  res = await me.form(path, {});
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account');
  assert.notEqual(me.cookie(), oldCookie, 'a new session token');
  page = await html(await me.fetch('/account'));
  assert.match(page, /<dd>Metro Police Department<\/dd>/, 'the session moved to the organization joined');
  assert.equal(await one(`SELECT role FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE o.slug = 'metro-pd' AND m.user_id = ${await userId(email)}`), 'trainer');
  const old = client(srv);
  old.jar.set('__Host-csec_session', /__Host-csec_session=([^;]+)/.exec(oldCookie)[1]);
  assert.equal((await old.fetch('/account')).status, 401, 'the old token is gone');
  const accepted = (await audits('org.invite.accept')).at(-1);
  assert.equal(accepted.actor, email);
  assert.equal(accepted.detail.new_account, false);
});

test('re-inviting replaces the pending invitation; revoking ends it', async () => {
  const email = 'riley@a.example';
  assert.equal((await invite(admin, { email, role: 'officer' })).status, 303);
  const first = await inviteLink(email);
  assert.equal((await invite(admin, { email, role: 'analyst' })).status, 303);
  const second = await inviteLink(email);
  let res = await client(srv).fetch(first.path);
  assert.equal(res.status, 410);
  assert.match(await html(res), /withdrawn/);
  res = await client(srv).fetch(second.path);
  assert.equal(res.status, 200);
  assert.match(await html(res), /Analyst/);
  const rows = await query(`SELECT id, role, revoked_at IS NOT NULL FROM invitations WHERE email = '${email}' ORDER BY id`);
  assert.equal(rows.length, 2);
  assert.equal(rows[0][1], 'officer');
  assert.match(rows[0][2], /^(1|t)$/, 'the first is revoked');
  assert.equal((await audits('org.invite')).at(-1).detail.replaced, 1);
  assert.equal(await one(`SELECT count(*) FROM users WHERE email = '${email}'`), '1', 'one account');

  const id = rows[1][0];
  let page = await html(await admin.fetch('/org/members'));
  assert.ok(page.includes(`action="/org/invitations/${id}/revoke"`));
  await unchanged(admin, async () => {
    assert.equal((await admin.post(`/org/invitations/${id}/revoke`, {})).status, 403, 'no CSRF token');
  });
  res = await admin.form(`/org/invitations/${id}/revoke`, {}, '/org/members');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/members?done=revoked');
  assert.equal((await client(srv).fetch(second.path)).status, 410);
  const rec = (await audits('org.invite.revoke')).at(-1);
  assert.equal(rec.target_id, id);
  assert.equal(rec.detail.email, email);
  await unchanged(admin, async () => {
    assert.equal((await admin.form(`/org/invitations/${id}/revoke`, {}, '/org/members')).status, 404, 'not pending any more');
  });
  page = await html(await admin.fetch('/org/members'));
  assert.ok(!page.includes(`/org/invitations/${id}/revoke`));
  // An unknown or malformed link.
  assert.equal((await client(srv).fetch('/invite/' + 'A'.repeat(43))).status, 404);
  assert.equal((await client(srv).fetch('/invite/short')).status, 404);
});

test('a long organization name still makes a valid mail: the subject is cut with an ellipsis', async () => {
  const badmin = await signIn(srv, world.b.org_admin);
  await query(`UPDATE organizations SET name = '${'Ω'.repeat(100)}' WHERE slug = 'county-cw'`);
  try {
    assert.equal((await invite(badmin, { email: 'long.name@b.example', role: 'partner' })).status, 303);
    await inviteLink('long.name@b.example');
    const subject = await one("SELECT subject FROM outbox WHERE to_addr = 'long.name@b.example'");
    assert.ok(Buffer.byteLength(subject) <= 200, `${Buffer.byteLength(subject)} bytes`);
    assert.ok(subject.endsWith('…'));
    assert.ok(!subject.includes('\uFFFD'), 'cut at a character boundary');
  } finally {
    await query("UPDATE organizations SET name = 'County Child Welfare' WHERE slug = 'county-cw'");
  }
});

test('an expired invitation answers 410 and cannot be accepted', async () => {
  const email = 'late@a.example';
  assert.equal((await invite(admin, { email, role: 'officer' })).status, 303);
  const { path } = await inviteLink(email);
  await query(`UPDATE invitations SET expires_at = created_at - 1 WHERE email = '${email}'`);
  const c = client(srv);
  const res = await c.fetch(path);
  assert.equal(res.status, 410);
  assert.match(await html(res), /expired/);
  assert.ok(!(await html(await admin.fetch('/org/members'))).includes(email), 'no longer listed as pending');
});

test("organization B's admin gets 404 for organization A's people and invitations", async () => {
  const badmin = await signIn(srv, world.b.org_admin);
  assert.equal((await invite(admin, { email: 'pending.a@a.example', role: 'officer' })).status, 303);
  await inviteLink('pending.a@a.example');
  const invId = await one("SELECT id FROM invitations WHERE email = 'pending.a@a.example'");
  const officerA = await userId(world.a.officer);
  await unchanged(badmin, async () => {
    const csrf = await badmin.token('/org/members');
    for (const path of [`/org/members/${officerA}/role`, `/org/members/${officerA}/disable`, `/org/members/${officerA}/enable`,
      `/org/invitations/${invId}/revoke`, '/org/members/999999/disable', '/org/invitations/999999/revoke',
      '/org/members/abc/role', '/org/members/0/disable', '/org/invitations/-1/revoke']) {
      const res = await badmin.post(path, { _csrf: csrf, role: 'leader' });
      assert.equal(res.status, 404, path);
    }
    // A's admin with a bad role for a B member: the id is checked first.
    const csrfA = await admin.token('/org/members');
    const officerB = await userId(world.b.officer);
    assert.equal((await admin.post(`/org/members/${await userId(world.b.analyst)}/role`, { _csrf: csrfA, role: 'chief' })).status, 404);
    assert.ok(officerB);
  });
  const page = await html(await badmin.fetch('/org/members'));
  assert.ok(!page.includes('pending.a@a.example'));
});

test('changing a role ends the person\'s sessions in the organization and is audited', async () => {
  const target = world.a.editor;
  const id = await userId(target);
  const them = await signIn(srv, target);
  await unchanged(admin, async () => {
    const csrf = await admin.token('/org/members');
    let res = await admin.post(`/org/members/${id}/role`, { _csrf: csrf, role: 'chief' });
    assert.equal(res.status, 422);
    assert.match(await html(res), /Choose one of the roles/);
    res = await admin.post(`/org/members/${id}/role`, { role: 'analyst' });
    assert.equal(res.status, 403, 'no CSRF token');
  });
  const res = await admin.form(`/org/members/${id}/role`, { role: 'analyst' }, '/org/members');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/members?done=role');
  assert.equal(await one(`SELECT role FROM memberships WHERE user_id = ${id}`), 'analyst');
  assert.equal((await them.fetch('/account')).status, 401, 'their session ended');
  const rec = (await audits('org.member.role')).at(-1);
  assert.equal(rec.actor, world.a.org_admin);
  assert.equal(rec.target_type, 'user');
  assert.equal(rec.target_id, id);
  assert.deepEqual(rec.detail, { email: target, from: 'editor', to: 'analyst' });
  const again = await signIn(srv, target);
  assert.match(await html(await again.fetch('/account')), /Analyst/);
  // Back as it was, for the tests that follow.
  assert.equal((await admin.form(`/org/members/${id}/role`, { role: 'editor' }, '/org/members')).status, 303);
});

test('disable and re-enable a member', async () => {
  const target = world.a.analyst;
  const id = await userId(target);
  const them = await signIn(srv, target);
  await unchanged(admin, async () => {
    assert.equal((await admin.post(`/org/members/${id}/disable`, {})).status, 403, 'no CSRF token');
  });
  let res = await admin.form(`/org/members/${id}/disable`, {}, '/org/members');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/members?done=disabled');
  assert.equal(await one(`SELECT status FROM memberships WHERE user_id = ${id}`), 'disabled');
  assert.equal((await them.fetch('/account')).status, 401, 'signed out at once');
  let page = await html(await admin.fetch('/org/members?q=analyst'));
  assert.match(page, /analyst A[\s\S]*Disabled[\s\S]*Re-enable/);
  // Signed in again, they are in no organization.
  const back = await signIn(srv, target);
  page = await html(await back.fetch('/account'));
  assert.match(page, /not a member of an organization/);
  // Inviting a disabled member is refused with a pointer to re-enabling.
  await unchanged(admin, async () => {
    res = await invite(admin, { email: target, role: 'analyst' });
    assert.equal(res.status, 422);
    assert.match(await html(res), /re-enable them/);
  });
  res = await admin.form(`/org/members/${id}/enable`, {}, '/org/members');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/members?done=enabled');
  assert.equal(await one(`SELECT status FROM memberships WHERE user_id = ${id}`), 'active');
  page = await html(await (await signIn(srv, target)).fetch('/account'));
  assert.match(page, /<dd>Metro Police Department<\/dd>/);
  const [dis] = (await audits('org.member.disable')).slice(-1);
  const [en] = (await audits('org.member.enable')).slice(-1);
  assert.deepEqual([dis.target_id, dis.detail], [id, { email: target, role: 'analyst' }]);
  assert.deepEqual([en.target_id, en.detail], [id, { email: target, role: 'analyst' }]);
  // Enabling an active member changes nothing.
  await unchanged(admin, async () => {
    res = await admin.form(`/org/members/${id}/enable`, {}, '/org/members');
    assert.equal(res.status, 303);
  });
});

test('the last active org admin cannot demote or disable themselves', async () => {
  const me = await userId(world.a.org_admin);
  await unchanged(admin, async () => {
    let res = await admin.form(`/org/members/${me}/role`, { role: 'officer' }, '/org/members');
    assert.equal(res.status, 422);
    assert.match(await html(res), /only active administrator/);
    res = await admin.form(`/org/members/${me}/disable`, {}, '/org/members');
    assert.equal(res.status, 422);
    assert.match(await html(res), /cannot disable yourself/);
    res = await admin.form(`/org/members/${me}/role`, { role: 'org_admin' }, '/org/members');
    assert.equal(res.status, 303, 'the same role: nothing to do');
  });
  // With a second admin, stepping down works; the session in this
  // organization ends (a privilege change) and the second admin restores it.
  const leader = await userId(world.a.leader);
  assert.equal((await admin.form(`/org/members/${leader}/role`, { role: 'org_admin' }, '/org/members')).status, 303);
  const res = await admin.form(`/org/members/${me}/role`, { role: 'trainer' }, '/org/members');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login');
  assert.equal((await admin.fetch('/account')).status, 401);
  const second = await signIn(srv, world.a.leader);
  assert.equal((await second.form(`/org/members/${me}/role`, { role: 'org_admin' }, '/org/members')).status, 303);
  assert.equal((await second.form(`/org/members/${leader}/role`, { role: 'leader' }, '/org/members')).status, 303);
  admin = await signIn(srv, world.a.org_admin);
  assert.equal((await admin.fetch('/org/members')).status, 200);
});

async function settingsForm(c) {
  const page = await html(await c.fetch('/org/settings'));
  return { page, csrf: /name="_csrf" value="([^"]+)"/.exec(page)[1] };
}

test('settings round trip: name, jurisdiction, state, time zone, ORI, MFA, domains', async () => {
  let { page, csrf } = await settingsForm(admin);
  assert.match(page, /value="Metro Police Department"/);
  assert.match(page, /value="America\/New_York"/);
  assert.match(page, /<datalist id="zones">/);
  assert.match(page, /name="ori"/, 'law enforcement: the ORI field');
  const fields = {
    _csrf: csrf, name: 'Metro Police Department (North)', jurisdiction: 'Cook County', state: 'il',
    time_zone: 'America/Chicago', ori: 'il0160000', mfa_required: '1',
    domain_0: 'Metro.Example.gov', auto_0: '1', domain_1: 'a.example', domain_2: '',
  };
  let res = await admin.post('/org/settings', fields);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/org/settings?done=saved');
  const [row] = await query("SELECT name, jurisdiction, state, time_zone, ori, mfa_required FROM organizations WHERE slug = 'metro-pd'");
  assert.deepEqual(row, ['Metro Police Department (North)', 'Cook County', 'IL', 'America/Chicago', 'IL0160000', '1']);
  assert.deepEqual(await query("SELECT domain, auto_approve FROM org_domains d JOIN organizations o ON o.id = d.org_id WHERE o.slug = 'metro-pd' ORDER BY domain"),
    [['a.example', '0'], ['metro.example.gov', '1']]);
  const rec = (await audits('org.settings')).at(-1);
  assert.equal(rec.actor, world.a.org_admin);
  assert.equal(rec.target_type, 'organization');
  assert.deepEqual(rec.detail.changed.time_zone, { from: 'America/New_York', to: 'America/Chicago' });
  assert.deepEqual(rec.detail.changed.mfa_required, { from: false, to: true });
  assert.deepEqual(rec.detail.changed.domains.added, [{ domain: 'metro.example.gov', auto_approve: true }, { domain: 'a.example', auto_approve: false }]);

  ({ page } = await settingsForm(admin));
  assert.match(page, /value="Metro Police Department \(North\)"/);
  assert.match(page, /value="America\/Chicago"/);
  assert.match(page, /value="IL0160000"/);
  assert.match(page, /id="mfa_required" name="mfa_required" type="checkbox" value="1" checked/);
  assert.match(page, /value="a\.example"[\s\S]*id="auto_0"[^>]*value="1">/, 'a.example is not auto-approved');
  assert.match(page, /value="metro\.example\.gov"[\s\S]*id="auto_1"[^>]*checked/, 'metro.example.gov is');
  assert.match(await html(await admin.fetch('/org/settings?done=saved')), /The settings are saved/);
  assert.match(await html(await admin.fetch('/org/members')), /Metro Police Department \(North\)/);

  // With MFA required for everyone, an officer without it is sent to enrol.
  const officer = client(srv);
  res = await officer.form('/login', { email: world.a.officer, password: PASSWORD });
  assert.equal(res.status, 303);
  res = await officer.fetch('/account');
  assert.equal(res.headers.get('location'), '/account/mfa');

  // Bad input: each named, the input kept, nothing changed.
  ({ csrf } = await settingsForm(admin));
  const good = { _csrf: csrf, name: 'Metro PD', jurisdiction: '', state: 'IL', time_zone: 'America/Chicago', ori: '', domain_0: 'metro.example.gov' };
  const cases = [
    [{ time_zone: 'Mars/Olympus_Mons' }, /Enter a time zone/, 'Mars/Olympus_Mons'],
    [{ time_zone: '' }, /Enter a time zone/, null],
    [{ ori: 'IL016' }, /exactly 9 letters and digits/, 'IL016'],
    [{ ori: 'IL016000!' }, /exactly 9 letters and digits/, 'IL016000!'],
    [{ state: 'Illinois' }, /two-letter postal code/, 'Illinois'],
    [{ state: '1L' }, /two-letter postal code/, '1L'],
    [{ name: '' }, /Enter a name/, null],
    [{ jurisdiction: 'x'.repeat(201) }, /at most 200 characters/, null],
    [{ domain_0: 'chief@metro.example.gov' }, /only the domain/, 'chief@metro.example.gov'],
    [{ domain_0: 'metro_pd.gov' }, /letters, digits, hyphens and dots/, 'metro_pd.gov'],
    [{ domain_0: 'localhost' }, /letters, digits, hyphens and dots/, 'localhost'],
    [{ domain_0: '-metro.gov' }, /letters, digits, hyphens and dots/, '-metro.gov'],
    [{ domain_0: 'metro..gov' }, /letters, digits, hyphens and dots/, 'metro..gov'],
    [{ domain_1: 'METRO.example.gov' }, /already in the list/, 'METRO.example.gov'],
    [{ domain_20: 'x.example' }, /at most 20 email domains/, null],
  ];
  await unchanged(admin, async () => {
    for (const [change, message, kept] of cases) {
      res = await admin.post('/org/settings', { ...good, ...change });
      assert.equal(res.status, 422, JSON.stringify(change));
      page = await html(res);
      assert.match(page, message, JSON.stringify(change));
      assert.match(page, /role="alert"/);
      if (kept) assert.ok(page.includes(`value="${kept}"`), `${kept} is kept`);
    }
    res = await admin.post('/org/settings', { ...good, _csrf: '' });
    assert.equal(res.status, 403, 'no CSRF token');
  });

  // A domain removed and one switched off; MFA off again.
  res = await admin.post('/org/settings', { ...good, name: 'Metro Police Department', time_zone: 'America/New_York', ori: 'IL0160000' });
  assert.equal(res.status, 303);
  assert.deepEqual(await query("SELECT domain, auto_approve FROM org_domains d JOIN organizations o ON o.id = d.org_id WHERE o.slug = 'metro-pd'"), [['metro.example.gov', '0']]);
  const last = (await audits('org.settings')).at(-1);
  assert.deepEqual(last.detail.changed.domains, { removed: ['a.example'], auto_approve_off: ['metro.example.gov'] });
  assert.deepEqual(last.detail.changed.mfa_required, { from: true, to: false });
  // Saving again without a change writes nothing.
  await unchanged(admin, async () => {
    ({ csrf } = await settingsForm(admin));
    res = await admin.post('/org/settings', { ...good, _csrf: csrf, name: 'Metro Police Department', time_zone: 'America/New_York', ori: 'IL0160000' });
    assert.equal(res.status, 303);
  });
});

test('a partner organization has no ORI field, and its settings are its own', async () => {
  const badmin = await signIn(srv, world.b.org_admin);
  const { page, csrf } = await settingsForm(badmin);
  assert.ok(!/name="ori"/.test(page));
  const res = await badmin.post('/org/settings', { _csrf: csrf, name: 'County Child Welfare', time_zone: 'Pacific/Honolulu', ori: 'IL0160000', state: 'IL' });
  assert.equal(res.status, 303);
  const [row] = await query("SELECT time_zone, ori FROM organizations WHERE slug = 'county-cw'");
  assert.deepEqual(row, ['Pacific/Honolulu', '']);
  assert.equal(await one("SELECT time_zone FROM organizations WHERE slug = 'metro-pd'"), 'America/New_York');
});

test('the audit log is intact after everything', async () => {
  const v = await run(['audit', 'verify', ...store.args]);
  assert.equal(v.code, 0, v.stderr);
});
