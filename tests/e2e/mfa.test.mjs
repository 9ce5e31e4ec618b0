// Two-step sign-in (identity issue, point 9) end to end: a role that needs
// MFA reaches nothing but the enrolment page until it is set up; enrolment by
// the secret in text (codes computed here, RFC 6238); sign-in then asks for a
// code; a code is accepted once; recovery codes work once; turning MFA off
// needs the password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { run, startServer, freshStore, setCookies } from './lib/server.mjs';

const PASSWORD = 'maple syrup on snow 11';
let srv;

before(async () => {
  const store = await freshStore();
  let r = await run(['org', 'add', '--name', 'State Coordinating Council', '--kind', 'coordinator', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['user', 'add', '--email', 'lead@state.example', '--name', 'Robin Park', '--org', 'state-coordinating-council', '--role', 'leader', '--password-stdin', ...store.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store });
});
after(async () => { await srv.stop(); await srv.cleanup(); });

function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** RFC 6238 TOTP, HMAC-SHA-1, 6 digits, 30 s steps, at step offset `ahead`. */
function totp(secret, ahead = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + ahead;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, '0');
}

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
        if (/max-age=0/i.test(attrs.join(';'))) jar.delete(pair.slice(0, i)); else jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
      return res;
    },
    async post(path, fields) {
      return this.fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: new URLSearchParams(fields).toString() });
    },
    async token(path) {
      const html = await (await this.fetch(path)).text();
      return /name="_csrf" value="([^"]+)"/.exec(html)[1];
    },
  };
}

async function signIn(b) {
  const t = await b.token('/login');
  return b.post('/login', { _csrf: t, email: 'lead@state.example', password: PASSWORD });
}

let secret, recovery;

test('a leader must set up MFA before reaching anything else', async () => {
  const b = browser();
  assert.equal((await signIn(b)).status, 303);
  let res = await b.fetch('/account');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/mfa');
  res = await b.fetch('/account/mfa');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<svg[^>]*viewBox/);
  assert.doesNotMatch(html, /style=/);
  secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(html)[1];
  const again = await (await b.fetch('/account/mfa')).text();
  assert.equal(/<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(again)[1], secret, 'the secret stays the same on reload');
  const t = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  res = await b.post('/account/mfa', { _csrf: t, code: '000000' === totp(secret) ? '111111' : '000000' });
  assert.equal(res.status, 422);
  const before = b.jar.get('__Host-csec_session');
  res = await b.post('/account/mfa', { _csrf: t, code: totp(secret) });
  assert.equal(res.status, 200);
  // Enrolling is a privilege change: a new session token, the old one ends.
  const after = b.jar.get('__Host-csec_session');
  assert.ok(after && after !== before, 'a new session cookie');
  const old = await fetch(srv.url + '/account', { headers: { Cookie: `__Host-csec_session=${before}` }, redirect: 'manual' });
  assert.equal(old.status, 401, 'the old session token no longer works');
  const codes = [...(await res.text()).matchAll(/<li><code>([0-9a-z]{5}-[0-9a-z]{5})<\/code><\/li>/g)].map((m) => m[1]);
  assert.equal(codes.length, 10);
  recovery = codes;
  assert.equal((await b.fetch('/account')).status, 200, 'with MFA on, the account opens');
});

test('sign-in then asks for a code; a used code is refused; the next one works', async () => {
  const b = browser();
  let res = await signIn(b);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login/code');
  assert.equal((await b.fetch('/account')).status, 401, 'no session after the password alone');
  const t = await b.token('/login/code');
  res = await b.post('/login/code', { _csrf: t, code: totp(secret) });
  assert.equal(res.status, 401, 'the enrolment code cannot be used again');
  res = await b.post('/login/code', { _csrf: t, code: totp(secret, 1) });
  assert.equal(res.status, 303);
  assert.equal((await b.fetch('/account')).status, 200);
});

test('a recovery code signs in once', async () => {
  const b = browser();
  await signIn(b);
  let t = await b.token('/login/code');
  let res = await b.post('/login/code', { _csrf: t, code: recovery[0].toUpperCase() });
  assert.equal(res.status, 303);
  const c = browser();
  await signIn(c);
  t = await c.token('/login/code');
  res = await c.post('/login/code', { _csrf: t, code: recovery[0] });
  assert.equal(res.status, 401);
});

test('"next" survives the code step', async () => {
  const b = browser();
  const t0 = await b.token('/login');
  let res = await b.post('/login', { _csrf: t0, email: 'lead@state.example', password: PASSWORD, next: '/account/mfa' });
  assert.equal(res.headers.get('location'), '/login/code?next=/account/mfa');
  const html = await (await b.fetch('/login/code?next=/account/mfa')).text();
  assert.match(html, /name="next" value="\/account\/mfa"/);
  const t = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  res = await b.post('/login/code', { _csrf: t, code: recovery[5], next: '/account/mfa' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/mfa');
});

test('without a challenge the code page sends people back to the password', async () => {
  const b = browser();
  assert.equal((await b.fetch('/login/code')).headers.get('location'), '/login');
});

test('turning MFA off needs the password', async () => {
  const b = browser();
  await signIn(b);
  let t = await b.token('/login/code');
  await b.post('/login/code', { _csrf: t, code: recovery[1] });
  t = await b.token('/account/mfa');
  let res = await b.post('/account/mfa/disable', { _csrf: t, password: 'not my password' });
  assert.equal(res.status, 401);
  res = await b.post('/account/mfa/disable', { _csrf: t, password: PASSWORD });
  assert.equal(res.status, 303);
  // MFA is off, and the role requires it: the gate applies again.
  assert.equal((await b.fetch('/account')).headers.get('location'), '/account/mfa');
  const v = await run(['audit', 'verify', ...srv.store.args]);
  assert.equal(v.code, 0, v.stderr);
});
