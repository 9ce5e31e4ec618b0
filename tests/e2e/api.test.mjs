// Personal access tokens and the JSON API (identity issue, point 13;
// DESIGN.md §4 and §6): `csec token create` prints the token alone on
// standard output and refuses site admins and bad input; tokens work as
// `Authorization: Bearer` under /api/v1/ only, carry their person's own
// permissions, need no CSRF token, and a read token only reads; a revoked,
// expired or disabled person's token answers 401 with WWW-Authenticate; the
// page /account/tokens creates (shown once) and revokes, and another
// person's token id answers 404; everything is audited; no token ever
// reaches the server's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore, storeSnapshot, execFile } from './lib/server.mjs';
import { seedWorld, signIn } from './lib/accounts.mjs';

const TOKEN_RE = /^csec_pat_[A-Za-z0-9_-]{43}$/;
let srv, store, world;
const seen = new Set(); // every token value this file has made

/** Runs SQL on the store; returns the rows as arrays of text fields. */
async function sql(statement) {
  const { stdout } = store.db.startsWith('sqlite:')
    ? await execFile('sqlite3', ['-cmd', '.timeout 5000', store.db.slice(7), statement])
    : await execFile('psql', [store.db, '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', statement]);
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

async function cliToken(...args) {
  const r = await run(['token', 'create', ...args, ...store.args]);
  if (r.code === 0) seen.add(r.stdout.trim());
  return r;
}

async function newToken(email, ...args) {
  const r = await cliToken('--user', email, ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const bearer = (token, path = '/api/v1/me', opts = {}) => fetch(srv.url + path, {
  ...opts, redirect: 'manual', headers: { Authorization: `Bearer ${token}`, ...(opts.headers || {}) },
});

const patchMe = (token, body, method = 'PATCH', headers = {}) => bearer(token, '/api/v1/me', {
  method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
});

async function assertInvalidToken(res, why) {
  assert.equal(res.status, 401, why);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"', why);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.equal(body.error.code, 'invalid_token');
  assert.ok(body.error.message.length > 10);
}

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
});
after(async () => { await srv.stop(); await srv.cleanup(); });

test('csec token create prints the token alone on stdout, stores only its hash, audits', async () => {
  const r = await cliToken('--user', world.a.officer, '--name', 'nightly export', '--expires', '30', '--scope', 'write');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^csec_pat_[A-Za-z0-9_-]{43}\n$/, 'stdout holds the token and nothing else');
  const token = r.stdout.trim();
  assert.doesNotMatch(r.stderr, /csec_pat_/, 'the token is not repeated on stderr');
  assert.match(r.stderr, /nightly export/);
  assert.match(r.stderr, /shown only now/);

  const dump = await storeSnapshot(srv);
  assert.ok(!dump.includes(token), 'the store does not hold the token');
  assert.ok(!dump.includes(token.slice(9)), 'nor its random part');
  const [[name, scope, days, used, revoked]] = await sql(
    "SELECT t.name, t.scope, (t.expires_at - t.created_at) / 86400, t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'officer@a.example' AND t.name = 'nightly export'");
  assert.deepEqual([name, scope, days, used, revoked], ['nightly export', 'write', '30', '', '']);

  // Defaults: name "cli", scope read, 90 days.
  const d = await cliToken('--user', world.a.trainer);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout.trim(), TOKEN_RE);
  const [[dn, ds, dd]] = await sql(
    "SELECT t.name, t.scope, (t.expires_at - t.created_at) / 86400 FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'trainer@a.example'");
  assert.deepEqual([dn, ds, dd], ['cli', 'read', '90']);

  const audit = await sql("SELECT actor, target_type, outcome, detail FROM audit_log WHERE action = 'token.create' AND actor = 'cli' AND outcome = 'success' ORDER BY seq");
  assert.equal(audit.length, 2);
  assert.deepEqual(audit[0].slice(0, 3), ['cli', 'api_token', 'success']);
  assert.match(audit[0][3], /"user":"officer@a.example"/);
  assert.ok(!audit.some((row) => row.join('|').includes('csec_pat_')), 'no token in the audit log');

  const help = await run(['token', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: csec token create --user EMAIL/);
  const help2 = await run(['token', 'create', '--help']);
  assert.equal(help2.code, 0);
  assert.match(help2.stdout, /--expires DAYS/);
  const bare = await run(['token']);
  assert.equal(bare.code, 2);
});

test('csec token create refuses site admins, unknown people, MFA not set up and bad input', async () => {
  const before = await storeSnapshot(srv);
  for (const [args, re] of [
    [[], /--user EMAIL is required/],
    [['--user', 'not-an-email'], /--user must be an address/],
    [['--user', world.a.officer, '--expires', '0'], /--expires must be a whole number of days from 1 to 365/],
    [['--user', world.a.officer, '--expires', '366'], /from 1 to 365/],
    [['--user', world.a.officer, '--expires', 'soon'], /from 1 to 365/],
    [['--user', world.a.officer, '--scope', 'admin'], /--scope must be read or write/],
    [['--user', world.a.officer, '--name', ''], /--name/],
    [['--user', world.a.officer, '--name', 'x'.repeat(101)], /--name must be at most 100 characters/],
    [['--user', world.a.officer, '--frobnicate'], /unexpected argument/],
  ]) {
    const r = await cliToken(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.match(r.stderr, re);
  }
  const nobody = await cliToken('--user', 'nobody@a.example');
  assert.equal(nobody.code, 1);
  assert.equal(nobody.stdout, '');
  assert.match(nobody.stderr, /no account has that email address/);
  assert.equal(await storeSnapshot(srv), before, 'bad input changes nothing');

  const admin = await cliToken('--user', world.admin);
  assert.equal(admin.code, 1);
  assert.equal(admin.stdout, '');
  assert.match(admin.stderr, /site administrators cannot have API tokens/);
  // A leader must use MFA and has not set it up yet: no token either.
  const leader = await cliToken('--user', world.b.leader);
  assert.equal(leader.code, 1);
  assert.equal(leader.stdout, '');
  assert.match(leader.stderr, /two-step sign-in/);
  const denied = await sql("SELECT target_id, detail FROM audit_log WHERE action = 'token.create' AND outcome = 'denied' ORDER BY seq");
  assert.deepEqual(denied.map((r) => r[0]), [world.admin, world.b.leader]);
  assert.match(denied[0][1], /"reason":"site_admin"/);
  assert.match(denied[1][1], /"reason":"mfa_required"/);
  const [[n]] = await sql("SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.site_admin = 1 OR u.email = 'leader@b.example'");
  assert.equal(n, '0');
});

test('GET /api/v1/me with a bearer token: the person, their organization, memberships', async () => {
  const token = await newToken(world.a.editor);
  const res = await bearer(token);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const me = await res.json();
  assert.equal(me.email, world.a.editor);
  assert.equal(me.name, 'editor A');
  assert.equal(me.officer_id, '');
  assert.equal(me.organization.name, 'Metro Police Department');
  assert.equal(me.organization.role, 'editor');
  assert.deepEqual(me.memberships.map((m) => [m.name, m.role]), [['Metro Police Department', 'editor']]);
  assert.deepEqual(me.credential, { type: 'token', scope: 'read' });
  assert.equal(typeof me.id, 'number');
  // HEAD is a read too; the scheme is case-insensitive.
  assert.equal((await bearer(token, '/api/v1/me', { method: 'HEAD' })).status, 200);
  assert.equal((await fetch(srv.url + '/api/v1/me', { headers: { Authorization: `bearer ${token}` } })).status, 200);
  // last_used_at is recorded (at most once a minute).
  const [[used]] = await sql("SELECT last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'editor@a.example'");
  assert.ok(Number(used) > 0);

  // Without credentials: 401 that says how to authenticate.
  const anon = await fetch(srv.url + '/api/v1/me');
  assert.equal(anon.status, 401);
  assert.equal(anon.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await anon.json()).error.code, 'unauthenticated');
});

test('a bearer token is ignored outside /api/v1/: pages see an anonymous visitor', async () => {
  const token = await newToken(world.a.partner);
  let res = await bearer(token, '/account');
  assert.equal(res.status, 401, 'the account page does not open with a token');
  assert.match(res.headers.get('content-type'), /^text\/html/);
  res = await bearer(token, '/');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.doesNotMatch(html, /partner A/, 'the home page shows nobody signed in');
  assert.match(html, /href="\/login"/);
  // A page's form is not opened to a token either (CSRF still applies).
  res = await bearer(token, '/account/tokens', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url },
    body: 'name=sneaky&scope=write&days=30',
  });
  assert.equal(res.status, 401);
  const [[n]] = await sql("SELECT COUNT(*) FROM api_tokens WHERE name = 'sneaky'");
  assert.equal(n, '0');
});

test('revoked, expired, malformed and disabled-person tokens answer 401 invalid_token', async () => {
  await assertInvalidToken(await bearer('csec_pat_' + 'A'.repeat(43)), 'unknown');
  await assertInvalidToken(await bearer('not-a-token'), 'malformed');
  await assertInvalidToken(await bearer('csec_pat_' + 'A'.repeat(42) + '!'), 'outside the alphabet');
  // "Bearer" with no credential at all is no token: an anonymous request.
  const none = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: 'Bearer' } });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  // Another scheme is not a bearer token either.
  const basic = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: 'Basic b2ZmaWNlcjpwdw==' } });
  assert.equal(basic.status, 401);
  assert.equal(basic.headers.get('www-authenticate'), 'Bearer');

  const revoked = await newToken(world.a.analyst, '--name', 'to revoke');
  assert.equal((await bearer(revoked)).status, 200);
  await sql("UPDATE api_tokens SET revoked_at = 1 WHERE name = 'to revoke'");
  await assertInvalidToken(await bearer(revoked), 'revoked');

  const expired = await newToken(world.a.analyst, '--name', 'to expire');
  assert.equal((await bearer(expired)).status, 200);
  await sql("UPDATE api_tokens SET expires_at = 1000 WHERE name = 'to expire'");
  await assertInvalidToken(await bearer(expired), 'expired');

  const disabled = await newToken(world.b.editor, '--name', 'disabled person');
  assert.equal((await bearer(disabled)).status, 200);
  await sql("UPDATE users SET status = 'disabled' WHERE email = 'editor@b.example'");
  try {
    await assertInvalidToken(await bearer(disabled), 'disabled person');
  } finally {
    await sql("UPDATE users SET status = 'active' WHERE email = 'editor@b.example'");
  }
  assert.equal((await bearer(disabled)).status, 200, 'the token itself was not spent');

  // Someone who became a site admin after the token was made loses it.
  const promoted = await newToken(world.b.trainer, '--name', 'promoted');
  await sql("UPDATE users SET site_admin = 1 WHERE email = 'trainer@b.example'");
  try {
    await assertInvalidToken(await bearer(promoted), 'now a site admin');
  } finally {
    await sql("UPDATE users SET site_admin = 0 WHERE email = 'trainer@b.example'");
  }

  // A bad token is not rescued by a session cookie on the same request.
  const c = await signIn(srv, world.a.officer);
  const res = await c.fetch('/api/v1/me', { headers: { Authorization: 'Bearer csec_pat_' + 'B'.repeat(43) } });
  await assertInvalidToken(res, 'bad token with a good cookie');
});

test('a read token reads only; a write token changes without CSRF; a cookie needs CSRF', async () => {
  const read = await newToken(world.b.officer, '--name', 'read');
  const write = await newToken(world.b.officer, '--name', 'write', '--scope', 'write');
  // A first use records last_used_at; the snapshot comes after it.
  assert.equal((await bearer(read)).status, 200);
  assert.equal((await bearer(write)).status, 200);
  let snap = await storeSnapshot(srv);
  for (const method of ['PATCH', 'POST']) {
    const res = await patchMe(read, { name: 'Changed' }, method);
    assert.equal(res.status, 403, method);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal((await res.json()).error.code, 'forbidden');
  }
  assert.equal(await storeSnapshot(srv), snap, 'a read token changed nothing');

  // A write token: no CSRF token, no Origin, and it works.
  let res = await patchMe(write, { name: '  Jordan Lee  ', officer_id: 'IL-4471' });
  assert.equal(res.status, 200);
  let me = await res.json();
  assert.equal(me.name, 'Jordan Lee', 'spaces around the name are dropped');
  assert.equal(me.officer_id, 'IL-4471');
  assert.deepEqual(me.credential, { type: 'token', scope: 'write' });
  res = await patchMe(write, { officer_id: '' }, 'POST');
  assert.equal(res.status, 200);
  me = await res.json();
  assert.equal(me.officer_id, '');
  assert.equal(me.name, 'Jordan Lee');

  // Validation: 422 naming the field, nothing changed.
  snap = await storeSnapshot(srv);
  for (const [body, field] of [
    [{ name: '' }, 'name'], [{ name: 7 }, 'name'], [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 'a\u0007b' }, 'name'], [{ officer_id: 'x'.repeat(41) }, 'officer_id'],
    [{ officer_id: null }, 'officer_id'], [{ email: 'x@y.example' }, 'email'], [{}, undefined],
  ]) {
    res = await patchMe(write, body);
    assert.equal(res.status, 422, JSON.stringify(body));
    const e = (await res.json()).error;
    assert.equal(e.code, 'invalid');
    assert.equal(e.field, field, JSON.stringify(body));
    if (field && field !== 'email') assert.match(e.message, new RegExp(field));
  }
  res = await bearer(write, '/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"name":' });
  assert.equal(res.status, 400);
  res = await bearer(write, '/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"name":"A","name":"B"}' });
  assert.equal(res.status, 400, 'a key twice');
  res = await bearer(write, '/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=A' });
  assert.equal(res.status, 415);
  assert.equal(await storeSnapshot(srv), snap, 'refused changes changed nothing');

  // With the session cookie the same request needs the CSRF token and Origin.
  const c = await signIn(srv, world.b.officer);
  const csrf = await c.token('/account');
  snap = await storeSnapshot(srv);
  const json = (headers) => ({ method: 'PATCH', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Via Cookie' }) });
  res = await c.fetch('/api/v1/me', json({ Origin: srv.url }));
  assert.equal(res.status, 403, 'cookie without CSRF token');
  assert.match(res.headers.get('content-type'), /^application\/json/);
  res = await c.fetch('/api/v1/me', json({ 'X-CSRF-Token': csrf }));
  assert.equal(res.status, 403, 'cookie without Origin');
  res = await c.fetch('/api/v1/me', json({ 'X-CSRF-Token': 'x'.repeat(csrf.length), Origin: srv.url }));
  assert.equal(res.status, 403, 'cookie with a wrong CSRF token');
  assert.equal(await storeSnapshot(srv), snap, 'refused cookie requests changed nothing');
  res = await c.fetch('/api/v1/me', json({ 'X-CSRF-Token': csrf, Origin: srv.url }));
  assert.equal(res.status, 200);
  me = await res.json();
  assert.equal(me.name, 'Via Cookie');
  assert.deepEqual(me.credential, { type: 'session' });
  res = await c.fetch('/api/v1/me');
  assert.equal(res.status, 200, 'GET with the cookie');

  const audit = await sql("SELECT actor, detail FROM audit_log WHERE action = 'profile.update' AND actor = 'officer@b.example' ORDER BY seq");
  assert.equal(audit.length, 3);
  assert.match(audit[0][1], /"fields":\["name","officer_id"\],"via":"token"/);
  assert.match(audit[2][1], /"via":"session"/);
});

test('a token is never issued to, nor honoured for, someone who must first enrol in MFA', async () => {
  const token = await newToken(world.b.analyst, '--scope', 'write');
  assert.equal((await bearer(token)).status, 200);
  // The organization starts requiring MFA: the token now answers 403 JSON,
  // not a redirect to the enrolment page.
  await sql("UPDATE organizations SET mfa_required = 1 WHERE slug = 'county-cw'");
  try {
    const res = await bearer(token);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('location'), null);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal((await res.json()).error.code, 'forbidden');
    const r = await cliToken('--user', world.b.analyst);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /two-step sign-in/);
  } finally {
    await sql("UPDATE organizations SET mfa_required = 0 WHERE slug = 'county-cw'");
  }
  assert.equal((await bearer(token)).status, 200);
});

test('the tokens page: create (shown once), list, revoke; bad input and CSRF', async () => {
  const c = await signIn(srv, world.a.officer);
  let res = await c.fetch('/account');
  assert.match(await res.text(), /href="\/account\/tokens"/, 'the account page links to the tokens page');
  res = await c.fetch('/account/tokens');
  assert.equal(res.status, 200);
  let html = await res.text();
  assert.match(html, /<h1>API tokens<\/h1>/);
  assert.match(html, /nightly export/, 'the token made from the shell is listed');
  assert.doesNotMatch(html, /csec_pat_/, 'no token value on the list');

  // Bad input: 422, values kept, each problem named, nothing stored.
  let snap = await storeSnapshot(srv);
  for (const [fields, field, re] of [
    [{ name: '', scope: 'read', days: '30' }, 'name', /Enter a name for the token/],
    [{ name: 'Report', scope: 'admin', days: '30' }, 'scope', /Choose the token/],
    [{ name: 'Report', scope: 'read', days: '0' }, 'days', /from 1 to 365/],
    [{ name: 'Report', scope: 'read', days: 'soon' }, 'days', /from 1 to 365/],
  ]) {
    res = await c.form('/account/tokens', fields);
    assert.equal(res.status, 422, JSON.stringify(fields));
    html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, new RegExp(`id="${field}-error"`));
    assert.match(html, re);
    if (fields.name) assert.match(html, new RegExp(`value="${fields.name}"`), 'the name is kept');
    assert.match(html, new RegExp(`id="days"[^>]*value="${fields.days}"`), 'the days are kept');
  }
  res = await c.post('/account/tokens', { name: 'No CSRF', scope: 'write', days: '30' });
  assert.equal(res.status, 403, 'the CSRF token is required');
  assert.equal(await storeSnapshot(srv), snap, 'refused forms changed nothing');

  // Create: the token is on the answer page once, with the warning.
  res = await c.form('/account/tokens', { name: 'Report script', scope: 'write', days: '30' });
  assert.equal(res.status, 200);
  html = await res.text();
  const m = /<textarea id="new-token"[^>]*>(csec_pat_[A-Za-z0-9_-]{43})<\/textarea>/.exec(html);
  assert.ok(m, 'the new token is shown');
  const token = m[1];
  seen.add(token);
  assert.match(html, /Copy this token now/);
  assert.match(html, /Report script/);
  res = await bearer(token);
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).credential, { type: 'token', scope: 'write' });
  html = await (await c.fetch('/account/tokens')).text();
  assert.ok(!html.includes(token), 'shown only once');
  assert.match(html, /Report script/);

  // Revoke: own token by id; another person's id answers 404 and stays.
  const [[id]] = await sql("SELECT id FROM api_tokens WHERE name = 'Report script'");
  const [[otherId]] = await sql("SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'editor@a.example'");
  const csrf = await c.token('/account/tokens');
  snap = await storeSnapshot(srv);
  for (const bad of [otherId, '999999', 'abc', '0']) {
    res = await c.post(`/account/tokens/${bad}/revoke`, { _csrf: csrf });
    assert.equal(res.status, 404, `revoke ${bad}`);
  }
  res = await c.post(`/account/tokens/${id}/revoke`, {});
  assert.equal(res.status, 403, 'revoking needs the CSRF token');
  assert.equal(await storeSnapshot(srv), snap, 'nothing was revoked');

  res = await c.post(`/account/tokens/${id}/revoke`, { _csrf: csrf });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/tokens');
  await assertInvalidToken(await bearer(token), 'revoked on the page');
  html = await (await c.fetch('/account/tokens')).text();
  assert.match(html, /Revoked/);

  const audit = await sql(`SELECT action, actor, target_type, target_id, outcome FROM audit_log WHERE action IN ('token.create', 'token.revoke') AND actor = 'officer@a.example' ORDER BY seq`);
  assert.deepEqual(audit, [
    ['token.create', 'officer@a.example', 'api_token', id, 'success'],
    ['token.revoke', 'officer@a.example', 'api_token', id, 'success'],
  ]);
});

test('a site admin sees why there are no tokens, and creating one is refused', async () => {
  const c = await signIn(srv, world.admin);
  let res = await c.fetch('/account/tokens');
  assert.equal(res.status, 200);
  let html = await res.text();
  assert.match(html, /Site administrators cannot have API tokens/);
  assert.doesNotMatch(html, /name="scope"/, 'no form');
  res = await c.form('/account/tokens', { name: 'admin script', scope: 'write', days: '30' }, '/account');
  assert.equal(res.status, 403);
  html = await res.text();
  assert.doesNotMatch(html, /csec_pat_/);
  const [[n]] = await sql("SELECT COUNT(*) FROM api_tokens WHERE name = 'admin script'");
  assert.equal(n, '0');
  const [[outcome]] = await sql("SELECT outcome FROM audit_log WHERE action = 'token.create' AND actor = 'admin@site.example'");
  assert.equal(outcome, 'denied');
});

test('no token value ever reaches the server log; the audit log verifies', async () => {
  assert.ok(seen.size >= 10, `tokens made: ${seen.size}`);
  const log = srv.rawLogs().join('\n');
  assert.ok(log.includes('/api/v1/me'), 'API requests are logged');
  for (const t of seen) {
    assert.ok(!log.includes(t), 'a token in the log');
    assert.ok(!log.includes(t.slice(9)), 'a token body in the log');
  }
  const rows = await sql('SELECT detail FROM audit_log');
  assert.ok(!rows.some((r) => r.join('|').includes('csec_pat_')), 'no token in the audit log');
  const v = await run(['audit', 'verify', ...store.args]);
  assert.equal(v.code, 0, v.stderr);
});
