// The signed-in person's profile, password and sessions, and forgotten
// passwords (identity issue, points 5 and 8), black-box on the real binary:
// every path with good and bad input, CSRF refusal, another person's
// session id (404), a password change ending the other sessions while the
// changing session goes on under a new token, the wrong current password
// counting toward the lockout, reset links that work once, expire, and are
// replaced by newer ones, and the audit records of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshStore, execFile, storeSnapshot, setCookies, run } from './lib/server.mjs';
import { client, seedWorld, signIn as libSignIn, PASSWORD } from './lib/accounts.mjs';
import { rawRequest } from './lib/http.mjs';

const NEW_PASSWORD = 'lantern over the quiet bay 8';
let srv, store, world;

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  // Many sign-ins from one address in a minute: lift the per-address limit
  // (its own test below uses a server with a small one).
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '100000' } });
});
after(async () => {
  await srv.stop();
  await srv.cleanup();
});

// ------------------------------------------------------------------ helpers

/** Runs SQL on the store; returns the rows as arrays of text. */
async function sql(statement) {
  const { stdout } = store.db.startsWith('sqlite:')
    ? await execFile('sqlite3', ['-cmd', '.timeout 5000', '-separator', '\t', store.db.slice(7), statement])
    : await execFile('psql', [store.db, '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', statement]);
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const one = async (statement) => (await sql(statement))[0]?.[0];
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

/**
 * The store as text, without the rows of EXCLUDE (tables a request may
 * touch without changing anything that matters: a session's last_seen moves
 * at most once a minute, a rate-limit counter counts every attempt).
 * Sessions are then compared by their ids.
 */
async function snapshot(exclude = ['sessions']) {
  const text = await storeSnapshot(srv);
  const out = [];
  let skipping = false;
  for (const l of text.split('\n')) {
    if (skipping) { if (l === '\\.') skipping = false; continue; }
    if (exclude.some((t) => l.startsWith(`INSERT INTO ${t} `) || l.startsWith(`INSERT INTO "${t}" `))) continue;
    if (exclude.some((t) => l.startsWith(`COPY public.${t} `))) { skipping = true; continue; }
    out.push(l);
  }
  const ids = (await sql('SELECT id FROM sessions ORDER BY id')).map((r) => r[0]).join(',');
  return out.join('\n') + '\nsessions: ' + ids;
}

async function audits(action) {
  return (await sql(`SELECT actor, target_type, target_id, outcome, COALESCE(detail, '') FROM audit_log WHERE action = ${q(action)} ORDER BY seq`))
    .map(([actor, type, id, outcome, detail]) => ({ actor, type, id, outcome, detail }));
}

/** Signs EMAIL in on a fresh client, with User-Agent UA when given. */
async function signIn(email, { password = PASSWORD, ua } = {}) {
  const c = client(srv);
  const t = await c.token('/login');
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url };
  if (ua) headers['User-Agent'] = ua;
  const res = await c.fetch('/login', { method: 'POST', headers, body: new URLSearchParams({ _csrf: t, email, password }).toString() });
  assert.equal(res.status, 303, `sign-in of ${email} answered ${res.status}`);
  assert.equal(res.headers.get('location'), '/account');
  return c;
}

/** A sign-in attempt on a fresh client: its status. */
async function trySignIn(email, password) {
  const c = client(srv);
  return (await c.form('/login', { email, password })).status;
}

const sessionOf = (c) => c.jar.get('__Host-csec_session');

/** The mails in the outbox to ADDRESS, oldest first, once there are at least MIN. */
async function mailsTo(address, min = 1, timeoutMs = 8000) {
  const dir = join(srv.data, 'outbox');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let names = [];
    try { names = (await readdir(dir)).filter((n) => n.endsWith('.eml')); } catch { /* not yet */ }
    const mails = [];
    for (const n of names.sort((a, b) => parseInt(a) - parseInt(b))) {
      const text = await readFile(join(dir, n), 'utf8');
      if (new RegExp(`^To: .*${address.replace(/[.]/g, '\\.')}`, 'mi').test(text)) mails.push(text);
    }
    if (mails.length >= min || Date.now() > deadline) return mails;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const linkIn = (mail) => {
  const m = /(\/password\/reset\/[A-Za-z0-9_-]{43})\b/.exec(mail);
  assert.ok(m, 'the mail holds a reset link:\n' + mail);
  return m[1];
};

/** Asks for a reset link for EMAIL on a fresh client; returns the response. */
async function forgot(email) {
  const c = client(srv);
  return c.form('/password/forgot', { email });
}

// ------------------------------------------------------------------ profile

test('profile: shows name, POST/officer ID and the email read-only; saves; audited', async () => {
  const email = world.a.officer;
  const c = await signIn(email);
  let res = await c.fetch('/account/profile');
  assert.equal(res.status, 200);
  let html = await res.text();
  assert.match(html, /<dd>officer@a\.example<\/dd>/, 'the email is shown');
  assert.doesNotMatch(html, /name="email"/, 'and not as a field');
  assert.match(html, /id="name" name="name"[^>]*value="officer A"/);

  res = await c.form('/account/profile', { name: '  Olivia Ortiz  ', officer_id: ' IL-12345/B ' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/profile?saved=1');
  assert.deepEqual(await sql(`SELECT name, officer_id FROM users WHERE email = ${q(email)}`), [['Olivia Ortiz', 'IL-12345/B']]);
  html = await (await c.fetch('/account/profile?saved=1')).text();
  assert.match(html, /role="status"[\s\S]*Your profile is saved/);
  assert.match(html, /value="IL-12345\/B"/);
  // The new name is what the portal shows from now on.
  assert.match(await (await c.fetch('/account')).text(), /<dd>Olivia Ortiz<\/dd>/);

  // The officer ID may be cleared; the record names the fields, not values.
  res = await c.form('/account/profile', { name: 'Olivia Ortiz', officer_id: '' });
  assert.equal(res.status, 303);
  assert.equal(await one(`SELECT '[' || officer_id || ']' FROM users WHERE email = ${q(email)}`), '[]');
  const recs = await audits('profile.update');
  assert.equal(recs.length, 2);
  assert.deepEqual(recs.map((r) => [r.actor, r.type, r.id, r.outcome]), [[email, 'user', email, 'success'], [email, 'user', email, 'success']]);
  assert.deepEqual(JSON.parse(recs[0].detail), { fields: ['name', 'officer_id'] });
  assert.deepEqual(JSON.parse(recs[1].detail), { fields: ['officer_id'] });
  assert.doesNotMatch(recs.map((r) => r.detail).join(), /Olivia|IL-12345/);
});

test('profile: bad input is refused field by field (422), input kept, nothing changed', async () => {
  const c = await signIn(world.b.officer);
  const cases = [
    [{ name: '', officer_id: 'A1' }, 'name', /Enter a name/],
    [{ name: '   ', officer_id: '' }, 'name', /Enter a name/],
    [{ name: 'x'.repeat(201), officer_id: '' }, 'name', /at most 200/],
    [{ name: 'Bad\u0007Bell', officer_id: '' }, 'name', /control characters/],
    [{ name: 'Ok Name', officer_id: '<script>alert(1)</script>' }, 'officer_id', /Use only letters/],
    [{ name: 'Ok Name', officer_id: 'A'.repeat(33) }, 'officer_id', /at most 32/],
    [{ name: 'Ok Name', officer_id: '--/--' }, 'officer_id', /at least one letter or digit/],
    [{ name: 'Ok Name', officer_id: 'Ünïcode1' }, 'officer_id', /Use only letters/],
  ];
  for (const [fields, bad, message] of cases) {
    await c.fetch('/account/profile'); // moves last_seen first, if it is due
    const before = await snapshot();
    const res = await c.form('/account/profile', fields);
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, new RegExp(`<a href="#${bad}">`), 'the summary links to the field');
    assert.match(html, new RegExp(`id="${bad}-error">[^<]*`));
    assert.match(html, message);
    assert.match(html, new RegExp(`id="${bad}" name="${bad}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*${bad}-error`));
    // What was typed is kept, escaped.
    const kept = fields.officer_id.includes('<') ? '&lt;script&gt;alert(1)&lt;/script&gt;' : null;
    if (kept) assert.ok(html.includes(`value="${kept}"`));
    assert.ok(!html.includes('<script>alert(1)'), 'never unescaped');
    assert.equal(await snapshot(), before, `nothing changed for ${JSON.stringify(fields)}`);
  }
});

test('profile: CSRF token and Origin are required; anonymous answers 401', async () => {
  const c = await signIn(world.b.officer);
  await c.fetch('/account/profile');
  const before = await snapshot();
  let res = await c.post('/account/profile', { name: 'Mallory' });
  assert.equal(res.status, 403);
  res = await c.post('/account/profile', { _csrf: 'x'.repeat(43), name: 'Mallory' });
  assert.equal(res.status, 403);
  const t = await c.token('/account/profile');
  res = await c.fetch('/account/profile', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    body: new URLSearchParams({ _csrf: t, name: 'Mallory' }).toString(),
  });
  assert.equal(res.status, 403);
  assert.equal(await snapshot(), before);
  for (const path of ['/account/profile', '/account/password', '/account/sessions']) {
    assert.equal((await fetch(srv.url + path)).status, 401, path);
  }
  res = await fetch(srv.url + '/account/profile', {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url },
    body: 'name=Anon',
  });
  assert.equal(res.status, 401);
});

// ------------------------------------------------------------------ password change

test('password change: other sessions end at once, this one goes on with a new token', async () => {
  const email = world.a.trainer;
  const a = await signIn(email);
  const b = await signIn(email);
  const other = await signIn(world.a.editor); // someone else: untouched
  // An outstanding reset link, which the change must spend.
  assert.equal((await forgot(email)).status, 303);
  const [mail] = await mailsTo(email);
  const link = linkIn(mail);
  assert.equal((await fetch(srv.url + link)).status, 200);

  const oldToken = sessionOf(a);
  const res = await a.form('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/password?done=1');
  assert.match(setCookies(res).join('\n'), /__Host-csec_session=[^;]+; Path=\/; Secure; HttpOnly; SameSite=Lax/);
  assert.notEqual(sessionOf(a), oldToken, 'a new token');

  // The changing session works with its new cookie ...
  let page = await a.fetch('/account/password?done=1');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /role="status"[\s\S]*Your password is changed/);
  assert.equal((await a.fetch('/account')).status, 200);
  // ... the old token is dead, and so is the other session, at once.
  page = await fetch(srv.url + '/account', { headers: { Cookie: `__Host-csec_session=${oldToken}` } });
  assert.equal(page.status, 401);
  assert.equal((await b.fetch('/account')).status, 401);
  assert.equal((await other.fetch('/account')).status, 200, 'another person is not signed out');
  assert.equal(await one(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${q(email)}`), '1');
  // The outstanding reset link is spent.
  assert.equal((await fetch(srv.url + link)).status, 410);

  // The new password signs in; the old one does not.
  assert.equal(await trySignIn(email, PASSWORD), 401);
  await signIn(email, { password: NEW_PASSWORD });
  // The failure above counted; the successful sign-in cleared it.
  assert.equal(await one(`SELECT COUNT(*) FROM signin_failures WHERE email = ${q(email)}`), '0');

  const recs = await audits('auth.password.change');
  assert.deepEqual(recs.map((r) => [r.actor, r.id, r.outcome]), [[email, email, 'success']]);
  const v = await run(['audit', 'verify', ...store.args]);
  assert.equal(v.code, 0, v.stderr);
});

test('password change: bad input is refused (422) before anything is checked or counted', async () => {
  const email = world.a.editor;
  const c = await signIn(email);
  const cases = [
    [{ current_password: '', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }, 'current_password', /Enter your current password/],
    [{ current_password: PASSWORD, new_password: '', confirm_password: '' }, 'new_password', /Enter a new password/],
    [{ current_password: PASSWORD, new_password: 'short1', confirm_password: 'short1' }, 'new_password', /at least 8 characters/],
    [{ current_password: PASSWORD, new_password: 'password', confirm_password: 'password' }, 'new_password', /used very often/],
    [{ current_password: PASSWORD, new_password: 'x'.repeat(129), confirm_password: 'x'.repeat(129) }, 'new_password', /at most 128/],
    [{ current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD + 'x' }, 'confirm_password', /not the same/],
    [{ current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: '' }, 'confirm_password', /again/],
    [{ current_password: PASSWORD, new_password: PASSWORD, confirm_password: PASSWORD }, 'new_password', /same as the current one/],
  ];
  for (const [fields, bad, message] of cases) {
    await c.fetch('/account/password');
    const before = await snapshot();
    const res = await c.form('/account/password', fields);
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, new RegExp(`<a href="#${bad}">`));
    assert.match(html, new RegExp(`id="${bad}" name="${bad}"[^>]*aria-invalid="true"`));
    assert.doesNotMatch(html, new RegExp(`value="${NEW_PASSWORD}"|value="${PASSWORD}"`), 'passwords are never put back');
    assert.equal(await snapshot(), before);
  }
  // CSRF: refused, nothing changed.
  const before = await snapshot();
  const res = await c.post('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(await snapshot(), before);
  assert.equal(await trySignIn(email, PASSWORD), 303, 'the password is unchanged');
});

test('password change: a wrong current password counts toward the lockout, then the page says it is locked', async () => {
  const email = world.a.partner;
  const c = await signIn(email);
  const sessionsBefore = await one(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${q(email)}`);
  const wrong = { current_password: 'not my password 1', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD };
  for (let i = 1; i <= 4; i++) {
    const res = await c.form('/account/password', wrong);
    assert.equal(res.status, 401, `attempt ${i}`);
    const html = await res.text();
    assert.match(html, /That is not your current password/);
    assert.match(html, /id="current_password" name="current_password"[^>]*aria-invalid="true"/);
    assert.equal(await one(`SELECT failures FROM signin_failures WHERE email = ${q(email)}`), String(i));
  }
  // The fifth failure locks, and the page says until when (the
  // organization's zone: Metro PD is in America/New_York by default).
  let res = await c.form('/account/password', wrong);
  assert.equal(res.status, 429);
  let html = await res.text();
  assert.match(html, /role="alert"[\s\S]*cannot be checked for now[\s\S]*try again after \d{1,2} \w{3} \d{4} \d\d:\d\d (EST|EDT)/);
  // Now even the right password is refused, on this page and at sign-in.
  res = await c.form('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 429);
  assert.equal(await trySignIn(email, PASSWORD), 429);
  assert.equal(await one(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${q(email)}`), sessionsBefore, 'no session ended');
  assert.equal((await c.fetch('/account')).status, 200, 'the session itself goes on');

  const recs = await audits('auth.password.change');
  const mine = recs.filter((r) => r.actor === email);
  assert.deepEqual(mine.map((r) => r.outcome), ['failure', 'failure', 'failure', 'failure', 'failure', 'denied']);
  assert.deepEqual(JSON.parse(mine[4].detail), { reason: 'password', locked: true });
  assert.deepEqual(JSON.parse(mine[5].detail), { reason: 'locked' });
  // The lock ends as any lock does; here the store says it is over.
  await sql(`UPDATE signin_failures SET locked_until = 1 WHERE email = ${q(email)}`);
  res = await c.form('/account/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 303);
});

// ------------------------------------------------------------------ sessions

test('sessions: lists one\'s live sessions with times, address, browser; "this session" marked; the agent is escaped', async () => {
  const email = world.b.trainer;
  await sql(`UPDATE organizations SET time_zone = 'America/Chicago' WHERE slug = 'county-cw'`);
  const firefox = await signIn(email, { ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });
  await signIn(email, { ua: '<script>alert("ua")</script> & friends' });
  const me = await signIn(email, { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0' });
  // Someone else's session and an expired one of this person are not listed.
  await signIn(world.b.editor, { ua: 'Other Person Browser/1.0' });
  const stale = await signIn(email, { ua: 'Stale Browser/1.0' });
  await sql(`UPDATE sessions SET last_seen_at = last_seen_at - 4000 WHERE token_hash IN (SELECT token_hash FROM sessions ORDER BY id DESC LIMIT 1)`);
  void stale;

  const res = await me.fetch('/account/sessions');
  assert.equal(res.status, 200);
  const html = await res.text();
  const items = html.split('<li class="session">').slice(1);
  assert.equal(items.length, 3, 'three live sessions of this person');
  assert.match(items[0] + items[1] + items[2], /Edge on Windows <span class="session-current">\(this session\)<\/span>/);
  assert.match(html, /Firefox on Linux/);
  assert.ok(html.includes('&lt;script&gt;alert(&quot;ua&quot;)&lt;/script&gt; &amp; friends'), 'the agent is escaped');
  assert.ok(!html.includes('<script>alert'), 'never raw');
  assert.doesNotMatch(html, /Other Person|Stale Browser/);
  assert.match(html, /time zone America\/Chicago/);
  assert.match(html, /<dd>\d{1,2} \w{3} \d{4} \d\d:\d\d (CST|CDT)<\/dd>/);
  assert.match(html, /<dd>127\.0\.0\.1<\/dd>/);
  // Only the other sessions have an end button.
  assert.equal((html.match(/action="\/account\/sessions\/\d+\/end"/g) || []).length, 2);
  assert.match(html, /action="\/account\/sessions\/end-others"/);
  void firefox;

  // A person with no organization sees UTC.
  const admin = await signInSiteAdmin();
  const adminHtml = await (await admin.fetch('/account/sessions')).text();
  assert.match(adminHtml, /time zone UTC/);
  assert.match(adminHtml, /You are signed in only here/);
});

// The site admin needs MFA: the shared helper enrols it.
const signInSiteAdmin = () => libSignIn(srv, world.admin);

test('sessions: end one of one\'s own; another person\'s id answers 404; end all others; audited', async () => {
  const email = world.a.analyst;
  const me = await signIn(email);
  const laptop = await signIn(email);
  const phone = await signIn(email);
  const stranger = await signIn(world.b.analyst);
  const ids = async (who) => (await sql(`SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${q(who)} ORDER BY s.id`)).map((r) => r[0]);
  const [, laptopId, phoneId] = await ids(email);
  const [strangerId] = await ids(world.b.analyst);
  const t = await me.token('/account/sessions');

  // Someone else's session, a missing one, and nonsense: 404, nothing ends.
  for (const id of [strangerId, '999999', 'abc', '0', '-1', '1e3']) {
    const res = await me.post(`/account/sessions/${id}/end`, { _csrf: t });
    assert.equal(res.status, 404, `session ${id}`);
  }
  assert.equal((await stranger.fetch('/account')).status, 200);
  const denied = (await audits('auth.session.end')).filter((r) => r.actor === email);
  assert.deepEqual(denied.map((r) => [r.id, r.outcome]), [[strangerId, 'denied'], ['999999', 'denied']]);
  // Without the CSRF token: 403, and nothing changes at all.
  const before = await snapshot();
  let res = await me.post(`/account/sessions/${laptopId}/end`, {});
  assert.equal(res.status, 403);
  res = await me.post('/account/sessions/end-others', {});
  assert.equal(res.status, 403);
  assert.equal(await snapshot(), before);

  // One's own: ended at once.
  res = await me.post(`/account/sessions/${laptopId}/end`, { _csrf: t });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/sessions?done=one');
  assert.equal((await laptop.fetch('/account')).status, 401);
  assert.equal((await phone.fetch('/account')).status, 200);
  assert.match(await (await me.fetch('/account/sessions?done=one')).text(), /That session is signed out/);

  // Everywhere else: only this one is left.
  res = await me.post('/account/sessions/end-others', { _csrf: t });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/sessions?done=others');
  assert.equal((await phone.fetch('/account')).status, 401);
  assert.equal((await me.fetch('/account')).status, 200);
  assert.equal((await stranger.fetch('/account')).status, 200, 'another person is untouched');
  assert.equal((await ids(email)).length, 1);
  const html = await (await me.fetch('/account/sessions?done=others')).text();
  assert.match(html, /Every other session is signed out/);
  assert.match(html, /You are signed in only here/);

  const ended = (await audits('auth.session.end')).filter((r) => r.actor === email && r.outcome === 'success');
  assert.deepEqual(ended.map((r) => [r.type, r.id]), [['session', laptopId]]);
  const others = (await audits('auth.session.end_others')).filter((r) => r.actor === email);
  assert.deepEqual(others.map((r) => [r.outcome, JSON.parse(r.detail)]), [['success', { ended: 1 }]]);
  void phoneId;

  // Ending the session one is using signs one out.
  const [myId] = await ids(email);
  res = await me.post(`/account/sessions/${myId}/end`, { _csrf: t });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login');
  assert.equal((await me.fetch('/account')).status, 401);
});

test('sessions: the User-Agent is kept as whole UTF-8 characters without control characters', async () => {
  const email = world.b.partner;
  const uaOf = async () => one(`SELECT s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${q(email)} ORDER BY s.id DESC LIMIT 1`);
  // 198 ASCII bytes and a two-byte "é": cutting at 199 bytes would split it
  // (and PostgreSQL refuses the insert). The whole character is dropped.
  await signIn(email, { ua: 'a'.repeat(198) + Buffer.from('é').toString('latin1') });
  assert.equal(await uaOf(), 'a'.repeat(198));
  await signIn(email, { ua: 'a'.repeat(197) + Buffer.from('é').toString('latin1') });
  assert.equal(await uaOf(), 'a'.repeat(197) + 'é');
  // Control characters (tab, DEL, C1 NEL) and a stray byte are dropped;
  // fetch() will not send some of them, so the request goes raw.
  const login = await fetch(srv.url + '/login');
  const nonce = /__Host-csec_pre=([^;]+)/.exec(setCookies(login).join('\n'))[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())[1];
  const body = new URLSearchParams({ _csrf: token, email, password: PASSWORD }).toString();
  const head = Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${srv.url}\r\nCookie: __Host-csec_pre=${nonce}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\nUser-Agent: `, 'latin1');
  const ua = Buffer.concat([Buffer.from('Fire\tfox'), Buffer.from([0x7f]), Buffer.from('/1'), Buffer.from([0xc2, 0x85]), Buffer.from([0xff]), Buffer.from('2 Ω')]);
  const res = await rawRequest(srv.port, Buffer.concat([head, ua, Buffer.from('\r\n\r\n' + body, 'latin1')]));
  assert.equal(res.status, 303);
  assert.equal(await uaOf(), 'Firefox/12 Ω');
});

// ------------------------------------------------------------------ forgotten password

test('forgot: the same answer for known and unknown emails; a mail only for an active account', async () => {
  const known = world.b.leader; // any active account: MFA does not matter here
  const responses = [];
  for (const email of [known, 'nobody@nowhere.example', world.b.leader.toUpperCase()]) {
    const res = await forgot(email);
    responses.push([res.status, res.headers.get('location'), await res.text(), setCookies(res).join()]);
  }
  assert.deepEqual(responses[0], [303, '/password/forgot?sent=1', responses[0][2], '']);
  assert.deepEqual(responses[1], responses[0], 'an unknown email gets the very same answer');
  assert.deepEqual(responses[2], responses[0]);
  const page = await fetch(srv.url + '/password/forgot?sent=1');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /If an account on this portal has that email address, a link/);

  const mails = await mailsTo(known, 2);
  assert.equal(mails.length, 2, 'one mail for each request for the known address (any letter case)');
  assert.match(mails[0], /^Subject: Reset your password on /m);
  assert.ok(mails[0].includes(srv.url + '/password/reset/'), 'the link comes from the public URL');
  assert.match(mails[0], /works once, for 30 minutes/);
  assert.equal((await mailsTo('nobody@nowhere.example', 1, 1500)).length, 0);

  // A disabled account gets no mail, and the same answer.
  await sql(`UPDATE users SET status = 'disabled' WHERE email = ${q(world.b.editor)}`);
  const res = await forgot(world.b.editor);
  assert.deepEqual([res.status, res.headers.get('location')], [303, '/password/forgot?sent=1']);
  assert.equal((await mailsTo(world.b.editor, 1, 1500)).length, 0);
  await sql(`UPDATE users SET status = 'active' WHERE email = ${q(world.b.editor)}`);

  const recs = (await audits('auth.password.reset_request')).filter((r) => [known, 'nobody@nowhere.example', world.b.editor].includes(r.id));
  assert.deepEqual(recs.map((r) => [r.actor, r.id, r.outcome]), [
    ['anonymous', known, 'success'],
    ['anonymous', 'nobody@nowhere.example', 'failure'],
    ['anonymous', known, 'success'],
    ['anonymous', world.b.editor, 'failure'],
  ]);
  // Neither the links nor their tokens are in the request log.
  assert.doesNotMatch(srv.rawLogs().join('\n'), /\/password\/reset\/[A-Za-z0-9_-]{10}/);
});

test('forgot: bad input (422, input kept) and CSRF (403) change nothing', async () => {
  for (const [email, message] of [['', /Enter an email address/], ['not-an-email', /name@example\.org/], ['<b>@x', /name@example\.org/]]) {
    const before = await snapshot(['sessions', 'rate_limits']);
    const c = client(srv);
    const res = await c.form('/password/forgot', { email });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, /role="alert"/);
    assert.match(html, /id="email" name="email"[^>]*aria-invalid="true"[^>]*aria-describedby="email-error"/);
    if (email) assert.ok(html.includes(`value="${email.replace('<', '&lt;').replace('>', '&gt;')}"`), 'input kept, escaped');
    assert.equal(await snapshot(['sessions', 'rate_limits']), before);
  }
  const before = await snapshot(['sessions', 'rate_limits']);
  let res = await fetch(srv.url + '/password/forgot', {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url },
    body: new URLSearchParams({ email: world.a.officer }).toString(),
  });
  assert.equal(res.status, 403);
  const c = client(srv);
  const t = await c.token('/password/forgot');
  res = await c.fetch('/password/forgot', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    body: new URLSearchParams({ _csrf: t, email: world.a.officer }).toString(),
  });
  assert.equal(res.status, 403);
  assert.equal(await snapshot(['sessions', 'rate_limits']), before);
});

test('reset: the link sets the password once, ends every session, clears the lockout; audited', async () => {
  const email = world.b.officer;
  const signedIn = await signIn(email);
  // Two failed sign-ins on record, which the reset clears.
  assert.equal(await trySignIn(email, 'wrong password 1'), 401);
  assert.equal(await trySignIn(email, 'wrong password 2'), 401);
  assert.equal((await forgot(email)).status, 303);
  const link = linkIn((await mailsTo(email))[0]);

  const c = client(srv);
  let res = await c.fetch(link);
  assert.equal(res.status, 200);
  let html = await res.text();
  assert.match(html, /<h1>Choose a new password<\/h1>/);
  assert.ok(html.includes(`action="${link}"`));
  // Bad input: 422, the link still works, nothing changed.
  const t = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  for (const [fields, message] of [
    [{ new_password: 'short', confirm_password: 'short' }, /at least 8/],
    [{ new_password: 'password', confirm_password: 'password' }, /used very often/],
    [{ new_password: NEW_PASSWORD, confirm_password: 'other words here 9' }, /not the same/],
    [{ new_password: '', confirm_password: '' }, /Enter a new password/],
  ]) {
    const before = await snapshot();
    res = await c.post(link, { _csrf: t, ...fields });
    assert.equal(res.status, 422);
    assert.match(await res.text(), message);
    assert.equal(await snapshot(), before);
  }
  // CSRF missing: 403, nothing changed.
  let before = await snapshot();
  res = await c.post(link, { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(await snapshot(), before);

  res = await c.post(link, { _csrf: t, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/password/changed');
  html = await (await c.fetch('/password/changed')).text();
  assert.match(html, /Your new password is set/);
  assert.match(html, /href="\/login"/);

  // Every session of the account ended; the lockout count is cleared.
  assert.equal((await signedIn.fetch('/account')).status, 401);
  assert.equal(await one(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${q(email)}`), '0');
  assert.equal(await one(`SELECT COUNT(*) FROM signin_failures WHERE email = ${q(email)}`), '0');
  // The new password works, the old one does not.
  assert.equal(await trySignIn(email, PASSWORD), 401);
  await signIn(email, { password: NEW_PASSWORD });

  // Used twice: refused, GET and POST alike, without touching the password.
  res = await c.fetch(link);
  assert.equal(res.status, 410);
  assert.match(await res.text(), /This link has expired or was already used/);
  before = await snapshot();
  res = await c.post(link, { _csrf: t, new_password: 'yet another good one 5', confirm_password: 'yet another good one 5' });
  assert.equal(res.status, 410);
  assert.equal(await snapshot(), before);
  // A link that never existed: the same page.
  assert.equal((await fetch(srv.url + '/password/reset/' + 'A'.repeat(43))).status, 410);
  assert.equal((await fetch(srv.url + '/password/reset/short')).status, 410);

  const recs = await audits('auth.password.reset');
  assert.deepEqual(recs.map((r) => [r.actor, r.type, r.id, r.outcome]), [[email, 'user', email, 'success']]);
  const actorId = await one(`SELECT actor_user_id FROM audit_log WHERE action = 'auth.password.reset'`);
  assert.equal(actorId, await one(`SELECT id FROM users WHERE email = ${q(email)}`));
  assert.doesNotMatch(srv.rawLogs().join('\n'), /\/password\/reset\/[A-Za-z0-9_-]{10}/, 'the token never reaches the log');
  const v = await run(['audit', 'verify', ...store.args]);
  assert.equal(v.code, 0, v.stderr);
});

test('reset: an expired link is refused; only the newest link works; at most 3 mails in 15 minutes', async () => {
  const email = world.b.analyst;
  assert.equal((await forgot(email)).status, 303);
  const first = linkIn((await mailsTo(email, 1))[0]);
  // Expire it in the store.
  await sql(`UPDATE email_tokens SET expires_at = created_at - 1 WHERE user_id = (SELECT id FROM users WHERE email = ${q(email)}) AND used_at IS NULL`);
  let res = await fetch(srv.url + first);
  assert.equal(res.status, 410);
  const c = client(srv);
  const t = await c.token('/password/forgot');
  res = await c.post(first, { _csrf: t, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
  assert.equal(res.status, 410);

  // Two more requests: the older of them is replaced by the newer.
  assert.equal((await forgot(email)).status, 303);
  const second = linkIn((await mailsTo(email, 2))[1]);
  assert.equal((await fetch(srv.url + second)).status, 200);
  assert.equal((await forgot(email)).status, 303);
  const third = linkIn((await mailsTo(email, 3))[2]);
  assert.equal((await fetch(srv.url + second)).status, 410, 'a newer link replaces it');
  assert.equal((await fetch(srv.url + third)).status, 200);
  // A fourth request within 15 minutes sends nothing (same answer).
  res = await forgot(email);
  assert.deepEqual([res.status, res.headers.get('location')], [303, '/password/forgot?sent=1']);
  assert.equal((await mailsTo(email, 4, 1500)).length, 3);
  assert.equal((await fetch(srv.url + third)).status, 200, 'the newest link still works');
  const recs = (await audits('auth.password.reset_request')).filter((r) => r.id === email);
  assert.deepEqual(recs.map((r) => r.outcome), ['success', 'success', 'success', 'denied']);
});

test('forgot: limited per client address (429 with Retry-After)', async () => {
  // A server of its own with a small limit, so the other tests' requests
  // do not count.
  const s2 = await startServer({ env: { CSEC_SIGNIN_PER_MINUTE: '3' } });
  try {
    const c = client(s2);
    const t = await c.token('/password/forgot');
    // Three a minute: one of the first few past the third is refused (the
    // fixed window may turn over once in between, not twice).
    let limited = null;
    const codes = [];
    for (let i = 0; i < 8 && !limited; i++) {
      const res = await c.post('/password/forgot', { _csrf: t, email: `x${i}@nowhere.example` });
      codes.push(res.status);
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, codes.join());
    assert.ok(codes.length >= 4, 'three pass first');
    assert.equal(limited.headers.get('retry-after'), '60');
    assert.match(await limited.text(), /Too many requests came from your network/);
  } finally {
    await s2.stop();
    await s2.cleanup();
  }
});
