// tests/e2e/lib/accounts.mjs — people for tests: RFC 6238 codes, a cookie
// jar that behaves like a browser (client), signing in (through two-step
// sign-in, enrolling on the way when the role needs it), and a small world
// of two organizations with one member per role, for the sweep and the
// authorization matrix.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { run, setCookies } from './server.mjs';

export const ROLES = ['org_admin', 'leader', 'trainer', 'editor', 'officer', 'partner', 'analyst'];
export const PASSWORD = 'amber harbor compass 42';

function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** RFC 6238 TOTP, HMAC-SHA-1, 6 digits, 30 s steps, at step offset `ahead`. */
export function totp(secret, ahead = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + ahead;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, '0');
}

/**
 * A cookie jar over fetch, like one browser: fetch(path, opts) keeps the
 * cookies the server sets; post(path, fields) sends a form with the Origin a
 * browser would; token(path) reads the _csrf of the form on a page;
 * form(path, fields) does both. Redirects are not followed.
 */
export function client(srv) {
  const jar = new Map();
  return {
    jar,
    cookie() { return [...jar].map(([k, v]) => `${k}=${v}`).join('; '); },
    async fetch(path, opts = {}) {
      const headers = { ...(opts.headers || {}) };
      if (jar.size) headers.Cookie = this.cookie();
      const res = await fetch(srv.url + path, { ...opts, headers, redirect: 'manual' });
      for (const c of setCookies(res)) {
        const [pair, ...attrs] = c.split(';');
        const i = pair.indexOf('=');
        if (/max-age=0/i.test(attrs.join(';'))) jar.delete(pair.slice(0, i)); else jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
      return res;
    },
    async post(path, fields) {
      return this.fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url },
        body: new URLSearchParams(fields).toString(),
      });
    },
    async token(path) {
      const res = await this.fetch(path);
      const html = await res.text();
      const m = /name="_csrf" value="([^"]+)"/.exec(html);
      assert.ok(m, `no _csrf field on ${path} (status ${res.status})`);
      return m[1];
    },
    async form(path, fields, from = path) {
      return this.post(path, { _csrf: await this.token(from), ...fields });
    },
  };
}

// What each person's second factor holds between sign-ins: the secret, the
// last time step used (a code works once), and unused recovery codes.
const factors = new Map();

/**
 * Signs EMAIL in on a fresh client and returns it. When the person has MFA,
 * answers the code step (a code for a time step not used before, else a
 * recovery code); when their role needs MFA and it is not set up, enrols
 * them (and remembers the secret for later sign-ins in this process).
 */
export async function signIn(srv, email, password = PASSWORD) {
  const c = client(srv);
  let res = await c.form('/login', { email, password });
  assert.equal(res.status, 303, `sign-in of ${email} answered ${res.status}: ${await res.text()}`);
  if (res.headers.get('location') === '/login/code') {
    const f = factors.get(srv.url + ' ' + email);
    assert.ok(f, `${email} has MFA on, but this process does not know the secret`);
    let code;
    const step = Math.floor(Date.now() / 1000 / 30);
    if (f.lastStep < step + 1) {
      const ahead = f.lastStep < step ? 0 : 1;
      code = totp(f.secret, ahead);
      f.lastStep = step + ahead;
    } else {
      code = f.recovery.shift();
      assert.ok(code, `${email}: out of codes`);
    }
    res = await c.form('/login/code', { code });
    assert.equal(res.status, 303, `code step of ${email} answered ${res.status}`);
  }
  res = await c.fetch('/account');
  if (res.status === 303 && res.headers.get('location') === '/account/mfa') {
    const html = await (await c.fetch('/account/mfa')).text();
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(html)[1];
    const t = /name="_csrf" value="([^"]+)"/.exec(html)[1];
    const step = Math.floor(Date.now() / 1000 / 30);
    res = await c.post('/account/mfa', { _csrf: t, code: totp(secret) });
    assert.equal(res.status, 200, `MFA enrolment of ${email} answered ${res.status}`);
    const recovery = [...(await res.text()).matchAll(/<li><code>([0-9a-z]{5}-[0-9a-z]{5})<\/code><\/li>/g)].map((m) => m[1]);
    factors.set(srv.url + ' ' + email, { secret, lastStep: step, recovery });
  } else {
    assert.equal(res.status, 200, `the account page of ${email} answered ${res.status}`);
  }
  return c;
}

/** `csec org add`; returns the slug. */
export async function addOrg(store, { name, kind = 'law_enforcement', slug, state }) {
  const args = ['org', 'add', '--name', name, '--kind', kind];
  if (slug) args.push('--slug', slug);
  if (state) args.push('--state', state);
  const r = await run([...args, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  return slug || name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** `csec user add` (active, verified) as ROLE of the organization ORG (a slug). */
export async function addUser(store, { email, name, org, role, password = PASSWORD }) {
  const r = await run(['user', 'add', '--email', email, '--name', name, '--org', org, '--role', role, '--password-stdin', ...store.args], { input: password + '\n' });
  assert.equal(r.code, 0, r.stderr);
}

/** `csec admin create`. */
export async function addSiteAdmin(store, { email, name, password = PASSWORD }) {
  const r = await run(['admin', 'create', '--email', email, '--name', name, '--password-stdin', ...store.args], { input: password + '\n' });
  assert.equal(r.code, 0, r.stderr);
}

/**
 * Two organizations, "a" (Metro Police Department, law enforcement) and "b"
 * (County Child Welfare), with one member per role in each —
 * ROLE@a.example and ROLE@b.example — and a site admin, admin@site.example.
 * Call before starting the server on STORE. Returns the emails by org and
 * role: { a: { org_admin: 'org_admin@a.example', ... }, b: {...}, admin }.
 */
export async function seedWorld(store) {
  const world = { a: {}, b: {}, admin: 'admin@site.example', slugs: {} };
  world.slugs.a = await addOrg(store, { name: 'Metro Police Department', kind: 'law_enforcement', slug: 'metro-pd', state: 'IL' });
  world.slugs.b = await addOrg(store, { name: 'County Child Welfare', kind: 'child_welfare', slug: 'county-cw', state: 'IL' });
  for (const k of ['a', 'b']) {
    for (const role of ROLES) {
      const email = `${role.replace('_', '-')}@${k}.example`;
      await addUser(store, { email, name: `${role.replace('_', ' ')} ${k.toUpperCase()}`, org: world.slugs[k], role });
      world[k][role] = email;
    }
  }
  await addSiteAdmin(store, { email: world.admin, name: 'Site Admin' });
  return world;
}
