// Sign-in, sign-out and the account page, end to end on the real binary:
// users made with `csec org add` / `csec user add` / `csec admin create`,
// the stateless pre-session CSRF token, session cookies, lockout, the
// per-address rate limit, and the audit records they leave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore, setCookies, sql } from './lib/server.mjs';

const PASSWORD = 'correct horse battery staple 42';
let srv, store;

before(async () => {
  store = await freshStore();
  const env = { CSEC_LOCKOUT_SECONDS: '2', CSEC_SIGNIN_PER_MINUTE: '1000' };
  let r = await run(['org', 'add', '--name', 'Metro Police Department', '--kind', 'law_enforcement', '--state', 'VA', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['user', 'add', '--email', 'Officer.Lee@Metro.example', '--name', 'Jordan Lee', '--org', 'metro-police-department', '--role', 'officer', '--password-stdin', ...store.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store, env });
});
after(async () => { await srv.stop(); await srv.cleanup(); });

/** A tiny cookie jar over fetch, as a browser would keep it. */
function browser() {
  const jar = new Map();
  return {
    jar,
    async fetch(path, opts = {}) {
      const headers = { ...(opts.headers || {}) };
      if (jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(srv.url + path, { ...opts, headers, redirect: 'manual' });
      for (const c of setCookies(res)) {
        const [pair, ...attrs] = c.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i), value = pair.slice(i + 1);
        if (/max-age=0/i.test(attrs.join(';'))) jar.delete(name); else jar.set(name, value);
      }
      return res;
    },
  };
}

async function formToken(b, path = '/login') {
  const html = await (await b.fetch(path)).text();
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'the form carries a CSRF token');
  return m[1];
}

function post(b, path, fields) {
  return b.fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url },
    body: new URLSearchParams(fields).toString(),
  });
}

test('the sign-in form sets a __Host- nonce cookie and writes nothing to the store', async () => {
  const b = browser();
  const res = await b.fetch('/login');
  assert.equal(res.status, 200);
  const c = setCookies(res).find((x) => x.startsWith('__Host-csec_pre='));
  assert.ok(c, 'pre-session cookie');
  assert.match(c, /Path=\//);
  assert.match(c, /Secure/);
  assert.match(c, /HttpOnly/);
});

test('sign in, see the account page, sign out', async () => {
  const b = browser();
  const token = await formToken(b);
  let res = await post(b, '/login', { _csrf: token, email: 'officer.lee@metro.example', password: PASSWORD });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account');
  const cookie = setCookies(res).find((x) => x.startsWith('__Host-csec_session='));
  assert.ok(cookie);
  for (const attr of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']) assert.ok(cookie.includes(attr), attr);
  res = await b.fetch('/account');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /Jordan Lee/);
  assert.match(html, /Metro Police Department/);
  assert.match(html, /Officer/);
  const t2 = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  assert.notEqual(t2, token, 'the signed-in token differs from the pre-session one');
  // Sign-out needs the session's CSRF token.
  res = await post(b, '/logout', { _csrf: token });
  assert.equal(res.status, 403);
  res = await post(b, '/logout', { _csrf: t2 });
  assert.equal(res.status, 303);
  res = await b.fetch('/account');
  assert.equal(res.status, 401);
});

test('the old session token stops working after sign-out', async () => {
  const b = browser();
  const token = await formToken(b);
  await post(b, '/login', { _csrf: token, email: 'officer.lee@metro.example', password: PASSWORD });
  const stolen = b.jar.get('__Host-csec_session');
  const t2 = /name="_csrf" value="([^"]+)"/.exec(await (await b.fetch('/account')).text())[1];
  await post(b, '/logout', { _csrf: t2 });
  const res = await fetch(srv.url + '/account', { headers: { Cookie: `__Host-csec_session=${stolen}` } });
  assert.equal(res.status, 401);
});

test('a sign-in without the CSRF token or from another origin is refused', async () => {
  const b = browser();
  await b.fetch('/login');
  let res = await post(b, '/login', { email: 'officer.lee@metro.example', password: PASSWORD });
  assert.equal(res.status, 403);
  const token = await formToken(b);
  res = await b.fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    body: new URLSearchParams({ _csrf: token, email: 'officer.lee@metro.example', password: PASSWORD }).toString(),
  });
  assert.equal(res.status, 403);
  // A token made for another browser's nonce does not fit this one.
  const other = browser();
  const foreign = await formToken(other);
  res = await post(b, '/login', { _csrf: foreign, email: 'officer.lee@metro.example', password: PASSWORD });
  assert.equal(res.status, 403);
});

test('a wrong password and an unknown email get the same answer', async () => {
  const b = browser();
  const token = await formToken(b);
  const a = await post(b, '/login', { _csrf: token, email: 'officer.lee@metro.example', password: 'not the password' });
  const u = await post(b, '/login', { _csrf: token, email: 'nobody@metro.example', password: 'not the password' });
  assert.equal(a.status, 401);
  assert.equal(u.status, 401);
  const strip = (h) => h.replace(/name="_csrf" value="[^"]+"/, '').replace(/value="[^"]*@metro\.example"/, '');
  assert.equal(strip(await a.text()), strip(await u.text()));
  // The email is kept in the form; the password is not.
  const again = await post(b, '/login', { _csrf: token, email: 'officer.lee@metro.example', password: 'nope' });
  const html = await again.text();
  assert.match(html, /value="officer\.lee@metro\.example"/);
  assert.doesNotMatch(html, /nope/);
  // Sign in successfully to clear the count for the next test.
  const ok = await post(b, '/login', { _csrf: token, email: 'officer.lee@metro.example', password: PASSWORD });
  assert.equal(ok.status, 303);
});

test('five failures lock the email; the sixth fails even with the right password; the lock ends', async () => {
  const b = browser();
  const token = await formToken(b);
  const email = 'officer.lee@metro.example';
  for (let i = 1; i <= 4; i++) {
    const r = await post(b, '/login', { _csrf: token, email, password: 'wrong ' + i });
    assert.equal(r.status, 401, `attempt ${i}`);
  }
  const fifth = await post(b, '/login', { _csrf: token, email, password: 'wrong 5' });
  assert.equal(fifth.status, 429);
  assert.match(await fifth.text(), /paused after too many failed attempts.*\d\d:\d\d UTC/s);
  const sixth = await post(b, '/login', { _csrf: token, email, password: PASSWORD });
  assert.equal(sixth.status, 429, 'locked even with the right password');
  // Unknown emails lock the same way, so a lock reveals nothing.
  for (let i = 1; i <= 5; i++) await post(b, '/login', { _csrf: token, email: 'ghost@metro.example', password: 'x' + i });
  const ghost = await post(b, '/login', { _csrf: token, email: 'ghost@metro.example', password: 'x' });
  assert.equal(ghost.status, 429);
  // The test server locks for 2 seconds (CSEC_LOCKOUT_SECONDS).
  await new Promise((r) => setTimeout(r, 2200));
  const after = await post(b, '/login', { _csrf: token, email, password: PASSWORD });
  assert.equal(after.status, 303);
});

test("the lock's end is shown in the time zone of the organization that lists the email's domain", async () => {
  // Chosen by the domain, not by the account, so known and unknown emails of
  // a domain read the same zone.
  const org = (await sql(srv, "SELECT id FROM organizations WHERE slug = 'metro-police-department'"))[0][0];
  await sql(srv, `UPDATE organizations SET time_zone = 'America/Chicago' WHERE id = ${org}`);
  await sql(srv, `INSERT INTO org_domains (org_id, domain) VALUES (${org}, 'metro.example')`);
  const b = browser();
  const token = await formToken(b);
  for (const email of ['ghost2@metro.example', 'ghost@elsewhere.example']) {
    let last;
    for (let i = 1; i <= 5; i++) last = await post(b, '/login', { _csrf: token, email, password: 'x' + i });
    assert.equal(last.status, 429);
    const zone = email.endsWith('metro.example') ? /\d\d:\d\d C[SD]T/ : /\d\d:\d\d UTC/;
    assert.match(await last.text(), zone, email);
  }
});

test('signed-in-only pages answer 401 to anonymous visitors', async () => {
  const res = await fetch(srv.url + '/account');
  assert.equal(res.status, 401);
  assert.match(await res.text(), /sign in/i);
});

test('the CLI refuses bad input with a clear message', async () => {
  const s = await freshStore();
  let r = await run(['org', 'add', '--name', 'X PD', '--kind', 'police', ...s.args]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--kind must be one of/);
  r = await run(['user', 'add', '--email', 'not-an-email', '--name', 'A', '--org', 'x', '--role', 'officer', '--password-stdin', ...s.args], { input: PASSWORD });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--email/);
  r = await run(['admin', 'create', '--email', 'admin@example.org', '--name', 'Admin', '--password-stdin', ...s.args], { input: 'password\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /common passwords|at least 8/);
  r = await run(['admin', 'create', '--email', 'admin@example.org', '--name', 'Admin', '--password-stdin', ...s.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 0, r.stderr);
  r = await run(['admin', 'create', '--email', 'ADMIN@example.org', '--name', 'Admin', '--password-stdin', ...s.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already exists/);
  r = await run(['user', 'add', '--email', 'a@example.org', '--name', 'A', '--org', 'nope', '--role', 'officer', '--password-stdin', ...s.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no organization/);
  for (const cmd of [['org', '--help'], ['user', '--help'], ['admin', '--help']]) {
    const h = await run(cmd);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /usage: csec/);
  }
});

test('sign-ins are in the audit log, and the log verifies', async () => {
  const r = await run(['audit', 'verify', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /intact: \d+ records/);
});

test('after signing in, "next" leads back to a page of this site, and nowhere else', async () => {
  const b = browser();
  const token = await formToken(b);
  const email = 'officer.lee@metro.example';
  let res = await post(b, '/login', { _csrf: token, email, password: PASSWORD, next: '/account/sessions' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/sessions');
  for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/a/../b', '/x?y=1', 'javascript:alert(1)']) {
    const c = browser();
    const t = await formToken(c);
    res = await post(c, '/login', { _csrf: t, email, password: PASSWORD, next });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/account', `next=${next} is ignored`);
  }
});
