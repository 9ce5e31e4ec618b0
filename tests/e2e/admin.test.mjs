// The site admin's pages (identity issue #4, points 4, 5 and 14): the
// organizations (list, search, add, approve, disable, re-enable), people
// (list, search, disable, re-enable) and the audit log (filters, pages,
// export as JSON lines), on the real binary and on both stores. Every change
// leaves its audit record; bad input answers 422 with the input kept and the
// store unchanged; a missing CSRF token answers 403 and changes nothing;
// nobody but a site admin reaches any of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { run, startServer, freshStore, storeSnapshot, execFile, STORE } from './lib/server.mjs';
import { client, seedWorld, signIn, PASSWORD } from './lib/accounts.mjs';

let srv, store, world, admin;
const ids = {};

/** Rows of a SELECT as objects, from the sqlite3 or psql client. */
async function query(text) {
  if (STORE === 'postgres') {
    const { stdout } = await execFile('psql', [store.db, '-At', '-v', 'ON_ERROR_STOP=1', '-c',
      `SELECT coalesce(json_agg(t), '[]') FROM (${text}) t`]);
    return JSON.parse(stdout);
  }
  const { stdout } = await execFile('sqlite3', ['-cmd', '.timeout 5000', '-json', store.db.slice(7), text]);
  return stdout.trim() ? JSON.parse(stdout) : [];
}
const sql = (text) => (STORE === 'postgres'
  ? execFile('psql', [store.db, '-q', '-v', 'ON_ERROR_STOP=1', '-c', text])
  : execFile('sqlite3', ['-cmd', '.timeout 5000', store.db.slice(7), text]));
const one = async (text) => (await query(text))[0];

/** The newest audit record of ACTION (with its detail parsed). */
async function lastRecord(action) {
  const r = await one(`SELECT seq, actor, actor_user_id, org_id, action, target_type, target_id, outcome, source, detail FROM audit_log WHERE action = '${action}' ORDER BY seq DESC LIMIT 1`);
  if (r && r.detail) r.detail = JSON.parse(r.detail);
  return r;
}
const maxSeq = async () => Number((await one('SELECT coalesce(max(seq), 0) AS n FROM audit_log')).n);

/** The text of each cell of each row of the page's first table body. */
function tableRows(html) {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html);
  if (!body) return [];
  return [...body[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)]
    .map((c) => c[1].replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').trim()));
}

/** The value attribute of the input named NAME. */
const inputValue = (html, name) => (new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) || [])[1];

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  // An organization that asked to be added and waits for approval.
  await sql("INSERT INTO organizations (slug, name, kind, state, status) VALUES ('valley-shelter', 'Valley Youth Shelter', 'victim_services', 'IL', 'pending')");
  srv = await startServer({ store });
  admin = await signIn(srv, world.admin);
  for (const r of await query('SELECT id, slug FROM organizations')) ids[r.slug] = Number(r.id);
  for (const r of await query('SELECT id, email FROM users')) ids[r.email] = Number(r.id);
});
after(async () => { await srv?.stop(); await srv?.cleanup(); });

const GETS = ['/admin', '/admin/orgs', '/admin/orgs/new', '/admin/orgs/1', '/admin/users', '/admin/audit', '/admin/audit.jsonl'];
const POSTS = ['/admin/orgs', '/admin/orgs/1/approve', '/admin/orgs/1/disable', '/admin/orgs/1/enable', '/admin/users/1/disable', '/admin/users/1/enable'];

test('nobody but a site admin reaches any admin page or action', async () => {
  const before = await storeSnapshot(srv);
  for (const path of GETS) {
    const res = await fetch(srv.url + path, { redirect: 'manual' });
    assert.equal(res.status, 401, `anonymous GET ${path}`);
  }
  for (const path of POSTS) {
    const res = await fetch(srv.url + path, {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url },
      body: 'name=X&kind=school',
    });
    assert.equal(res.status, 401, `anonymous POST ${path}`);
  }
  assert.equal(await storeSnapshot(srv), before, 'anonymous: nothing changed');
  for (const role of ['org_admin', 'officer']) {
    const c = await signIn(srv, world.a[role]);
    const token = await c.token('/account');
    const snap = await storeSnapshot(srv);
    for (const path of GETS) assert.equal((await c.fetch(path)).status, 403, `${role} GET ${path}`);
    for (const path of POSTS) {
      const res = await c.post(path, { _csrf: token, name: 'Sneaky Org', kind: 'school' });
      assert.equal(res.status, 403, `${role} POST ${path}`);
    }
    assert.equal(await storeSnapshot(srv), snap, `${role}: nothing changed`);
  }
});

test('the index counts organizations and people by status', async () => {
  const res = await admin.fetch('/admin');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Site administration<\/h1>/);
  assert.match(html, /href="\/admin\/orgs\?status=pending">Waiting for approval: 1</);
  assert.match(html, /href="\/admin\/orgs\?status=active">Active: 2</);
  assert.match(html, /href="\/admin\/users\?status=active">Active: 15</);
  assert.match(html, /href="\/admin\/audit"/);
});

test('organizations: list, filter by status, search by name, bad filters', async () => {
  let html = await (await admin.fetch('/admin/orgs')).text();
  let rows = tableRows(html);
  assert.deepEqual(rows.map((r) => r[0]), ['County Child Welfare', 'Metro Police Department', 'Valley Youth Shelter']);
  assert.deepEqual(rows[1], ['Metro Police Department', 'Law enforcement agency', 'IL', 'Active', '7']);
  assert.equal(rows[2][3], 'Waiting for approval');

  rows = tableRows(await (await admin.fetch('/admin/orgs?status=pending')).text());
  assert.deepEqual(rows.map((r) => r[0]), ['Valley Youth Shelter']);
  rows = tableRows(await (await admin.fetch('/admin/orgs?q=METRO')).text());
  assert.deepEqual(rows.map((r) => r[0]), ['Metro Police Department']);
  rows = tableRows(await (await admin.fetch('/admin/orgs?q=100%25')).text());
  assert.deepEqual(rows, [], 'a % is searched for, not a wildcard');
  html = await (await admin.fetch('/admin/orgs?q=nothing+like+it')).text();
  assert.match(html, /No organization matches/);

  for (const [qs, what] of [['status=closed', /Choose a status/], ['page=0', /page number/], ['page=abc', /page number/], [`q=${'x'.repeat(201)}`, /at most 200 characters/]]) {
    const res = await admin.fetch('/admin/orgs?' + qs);
    assert.equal(res.status, 422, qs);
    html = await res.text();
    assert.match(html, what);
    assert.match(html, /role="alert"/);
  }
  html = await (await admin.fetch('/admin/orgs?status=closed&q=metro')).text();
  assert.equal(inputValue(html, 'q'), 'metro', 'the search is kept');
});

test('an organization\'s page: settings and members; unknown ids are 404', async () => {
  const res = await admin.fetch(`/admin/orgs/${ids['metro-pd']}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Metro Police Department<\/h1>/);
  assert.match(html, /<code>metro-pd<\/code>/);
  const rows = tableRows(html);
  assert.equal(rows.length, 7);
  assert.ok(rows.some((r) => r[1] === 'org-admin@a.example' && r[2] === 'Organization administrator'));
  assert.ok(rows.some((r) => r[1] === 'officer@a.example' && r[2] === 'Officer'));
  assert.ok(!html.includes('@b.example'), 'only its own members');
  for (const path of ['/admin/orgs/999999', '/admin/orgs/abc', '/admin/orgs/0', '/admin/orgs/-1']) {
    assert.equal((await admin.fetch(path)).status, 404, path);
  }
});

test('adding an organization: created active and audited', async () => {
  let res = await admin.fetch('/admin/orgs/new');
  assert.equal(res.status, 200);
  const form = await res.text();
  assert.equal(inputValue(form, 'time_zone'), 'America/New_York', 'the default zone is shown');
  assert.match(form, /<datalist id="zones">[\s\S]*<option value="America\/Chicago">/);
  for (const f of ['jurisdiction', 'ori']) assert.equal(inputValue(form, f), '');
  res = await admin.form('/admin/orgs', { name: '  Northside School District ', kind: 'school', state: 'va', jurisdiction: ' Fairfax County ', time_zone: ' America/New_York ', ori: '', slug: '' }, '/admin/orgs/new');
  assert.equal(res.status, 303);
  const org = await one("SELECT id, name, kind, state, jurisdiction, time_zone, ori, status FROM organizations WHERE slug = 'northside-school-district'");
  assert.deepEqual({ ...org, id: undefined }, { id: undefined, name: 'Northside School District', kind: 'school', state: 'VA', jurisdiction: 'Fairfax County', time_zone: 'America/New_York', ori: '', status: 'active' });
  assert.equal(res.headers.get('location'), `/admin/orgs/${org.id}`);
  const r = await lastRecord('site.org.create');
  assert.equal(r.actor, world.admin);
  assert.equal(Number(r.org_id), Number(org.id));
  assert.equal(r.target_type, 'organization');
  assert.equal(r.target_id, 'northside-school-district');
  assert.equal(r.outcome, 'success');
  assert.equal(r.source, '127.0.0.1');
  assert.deepEqual(r.detail, { id: Number(org.id), name: 'Northside School District', kind: 'school', state: 'VA', jurisdiction: 'Fairfax County', time_zone: 'America/New_York', ori: '' });

  // Without a zone (empty or not sent): America/New_York, as on the command line.
  res = await admin.form('/admin/orgs', { name: 'Regional MDT', kind: 'coordinator', state: '', time_zone: '', slug: 'mdt-7' }, '/admin/orgs/new');
  assert.equal(res.status, 303);
  assert.deepEqual(await one("SELECT name, time_zone FROM organizations WHERE slug = 'mdt-7'"), { name: 'Regional MDT', time_zone: 'America/New_York' });

  // A law-enforcement agency with its ORI (upper-cased), and its page shows them.
  res = await admin.form('/admin/orgs', { name: 'Harbor County Sheriff', kind: 'law_enforcement', state: 'WA', jurisdiction: 'Harbor County', time_zone: 'America/Los_Angeles', ori: ' wa0140000 ', slug: '' }, '/admin/orgs/new');
  assert.equal(res.status, 303);
  const sheriff = await one("SELECT id, jurisdiction, time_zone, ori FROM organizations WHERE slug = 'harbor-county-sheriff'");
  assert.deepEqual({ ...sheriff, id: undefined }, { id: undefined, jurisdiction: 'Harbor County', time_zone: 'America/Los_Angeles', ori: 'WA0140000' });
  assert.equal((await lastRecord('site.org.create')).detail.ori, 'WA0140000');
  const page = await (await admin.fetch(`/admin/orgs/${sheriff.id}`)).text();
  assert.match(page, /<dd>Harbor County<\/dd>[\s\S]*<dd>America\/Los_Angeles<\/dd>[\s\S]*<dd>WA0140000<\/dd>/);
});

test('adding an organization: each bad input is named, the input kept, nothing changed', async () => {
  const good = { name: 'Bay County Sheriff', kind: 'law_enforcement', state: 'WA', jurisdiction: 'Bay County', time_zone: 'America/Los_Angeles', ori: 'WA0150000', slug: '' };
  const cases = [
    [{ name: '' }, 'name', /Enter a name/],
    [{ name: 'x'.repeat(201) }, 'name', /at most 200 characters/],
    [{ kind: 'pirates' }, 'kind', /Choose one of the kinds/],
    [{ kind: '' }, 'kind', /Choose one of the kinds/],
    [{ state: 'Washington' }, 'state', /two-letter postal code/],
    [{ state: 'W1' }, 'state', /two-letter postal code/],
    [{ slug: 'Harbor County' }, 'slug', /lower-case letters/],
    [{ slug: 'metro-pd' }, 'slug', /already has this short name/],
    [{ name: 'Ωμέγα' }, 'slug', /no letters a–z or digits/],
    [{ jurisdiction: 'x'.repeat(201) }, 'jurisdiction', /at most 200 characters/],
    [{ jurisdiction: 'Bay\tCounty' }, 'jurisdiction', /without control characters/],
    [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone', /time zone from the list/],
    [{ time_zone: 'america/chicago' }, 'time_zone', /time zone from the list/],
    [{ ori: 'WA015' }, 'ori', /exactly 9 letters and digits/],
    [{ ori: 'WA015000!' }, 'ori', /exactly 9 letters and digits/],
    [{ kind: 'school' }, 'ori', /Only a law enforcement agency has an ORI/],
  ];
  for (const [change, field, message] of cases) {
    const token = await admin.token('/admin/orgs/new');
    const snap = await storeSnapshot(srv);
    const fields = { ...good, ...change };
    const res = await admin.post('/admin/orgs', { _csrf: token, ...fields });
    assert.equal(res.status, 422, JSON.stringify(change));
    const html = await res.text();
    assert.match(html, message, JSON.stringify(change));
    assert.match(html, new RegExp(`id="${field}-error"`), `the problem is next to ${field}`);
    assert.match(html, new RegExp(`aria-describedby="[^"]*${field}-error"`));
    assert.match(html, /role="alert"/);
    for (const f of ['name', 'state', 'jurisdiction', 'time_zone', 'ori', 'slug']) {
      const kept = fields[f].replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      assert.equal(inputValue(html, f), kept, `${f} is kept for ${JSON.stringify(change)}`);
    }
    if (fields.kind === 'law_enforcement') assert.match(html, /<option value="law_enforcement" selected>/);
    assert.equal(await storeSnapshot(srv), snap, `nothing changed for ${JSON.stringify(change)}`);
  }
  // Without the CSRF token: 403, nothing changed.
  const snap = await storeSnapshot(srv);
  const res = await admin.post('/admin/orgs', good);
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), snap);
});

test('approving a pending organization; twice is a conflict; CSRF is needed', async () => {
  const id = ids['valley-shelter'];
  const path = `/admin/orgs/${id}/approve`;
  let snap = await storeSnapshot(srv);
  let res = await admin.post(path, {});
  assert.equal(res.status, 403, 'no CSRF token');
  assert.equal(await storeSnapshot(srv), snap);

  const html = await (await admin.fetch(`/admin/orgs/${id}`)).text();
  assert.match(html, /Approve this organization/);
  res = await admin.form(path, {}, `/admin/orgs/${id}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/orgs/${id}`);
  assert.equal((await one(`SELECT status FROM organizations WHERE id = ${id}`)).status, 'active');
  const r = await lastRecord('site.org.approve');
  assert.equal(r.actor, world.admin);
  assert.equal(Number(r.org_id), id);
  assert.equal(r.target_id, 'valley-shelter');
  assert.deepEqual(r.detail, { id, from: 'pending', to: 'active' });

  const token = await admin.token(`/admin/orgs/${id}`);
  snap = await storeSnapshot(srv);
  res = await admin.post(path, { _csrf: token });
  assert.equal(res.status, 409);
  assert.match(await res.text(), /not waiting for approval/);
  assert.equal(await storeSnapshot(srv), snap);
  res = await admin.post(`/admin/orgs/${id}/enable`, { _csrf: token });
  assert.equal(res.status, 409, 'an active organization cannot be re-enabled');
  for (const bad of ['999999', 'abc']) {
    res = await admin.post(`/admin/orgs/${bad}/approve`, { _csrf: token });
    assert.equal(res.status, 404, bad);
  }
  assert.equal(await storeSnapshot(srv), snap);
});

test('disabling an organization ends its members\' sessions in it at once; re-enabling', async () => {
  const id = ids['county-cw'];
  const officer = await signIn(srv, world.b.officer);
  const cookie = officer.cookie();
  assert.equal((await officer.fetch('/account')).status, 200);
  const other = await signIn(srv, world.a.trainer); // works in Metro: not affected

  const res = await admin.form(`/admin/orgs/${id}/disable`, {}, `/admin/orgs/${id}`);
  assert.equal(res.status, 303);
  assert.equal((await one(`SELECT status FROM organizations WHERE id = ${id}`)).status, 'disabled');
  const gone = await fetch(srv.url + '/account', { headers: { Cookie: cookie } });
  assert.equal(gone.status, 401, 'the member\'s old session no longer works');
  assert.equal((await other.fetch('/account')).status, 200, 'another organization\'s member still works');
  assert.equal(Number((await one(`SELECT count(*) AS n FROM sessions WHERE active_org_id = ${id}`)).n), 0);
  const r = await lastRecord('site.org.disable');
  assert.equal(Number(r.org_id), id);
  assert.equal(r.target_id, 'county-cw');
  assert.equal(r.detail.from, 'active');
  assert.ok(r.detail.sessions_ended >= 1, JSON.stringify(r.detail));
  let html = await (await admin.fetch(`/admin/orgs/${id}`)).text();
  assert.match(html, /Re-enable this organization/);
  assert.doesNotMatch(html, /Disable this organization/);

  const token = await admin.token(`/admin/orgs/${id}`);
  assert.equal((await admin.post(`/admin/orgs/${id}/disable`, { _csrf: token })).status, 409);
  assert.equal((await admin.post(`/admin/orgs/${id}/approve`, { _csrf: token })).status, 409);
  const again = await admin.post(`/admin/orgs/${id}/enable`, { _csrf: token });
  assert.equal(again.status, 303);
  assert.equal((await one(`SELECT status FROM organizations WHERE id = ${id}`)).status, 'active');
  const e = await lastRecord('site.org.enable');
  assert.deepEqual(e.detail, { id, from: 'disabled', to: 'active' });
  html = await (await (await signIn(srv, world.b.officer)).fetch('/account')).text();
  assert.match(html, /County Child Welfare/, 'members work in it again');
});

test('disabling the organization the admin works in gives the admin a new session without it', async () => {
  let res = await admin.form('/admin/orgs', { name: 'Admin Home Office', kind: 'coordinator', state: '', slug: 'admin-home' }, '/admin/orgs/new');
  assert.equal(res.status, 303);
  const id = Number(/(\d+)$/.exec(res.headers.get('location'))[1]);
  await sql(`INSERT INTO memberships (user_id, org_id, role) VALUES (${ids[world.admin]}, ${id}, 'analyst')`);
  const a2 = await signIn(srv, world.admin);
  assert.match(await (await a2.fetch('/account')).text(), /Admin Home Office/);
  const old = a2.cookie();
  res = await a2.form(`/admin/orgs/${id}/disable`, {}, `/admin/orgs/${id}`);
  assert.equal(res.status, 303);
  assert.notEqual(a2.cookie(), old, 'a new session token');
  assert.equal((await fetch(srv.url + '/account', { headers: { Cookie: old } })).status, 401);
  const html = await (await a2.fetch('/account')).text();
  assert.doesNotMatch(html, /Admin Home Office/);
  assert.match(html, /not a member of an organization/);
});

test('people: list with memberships, search by name or email, filter by status, bad filters', async () => {
  let html = await (await admin.fetch('/admin/users?q=officer')).text();
  let rows = tableRows(html);
  assert.deepEqual(rows.map((r) => r[1]).sort(), ['officer@a.example', 'officer@b.example']);
  const a = rows.find((r) => r[1] === 'officer@a.example');
  assert.equal(a[2], 'Active');
  assert.match(a[3], /Metro Police Department: Officer/);
  rows = tableRows(await (await admin.fetch('/admin/users?q=Site+Admin')).text());
  assert.equal(rows.length, 1);
  assert.match(rows[0][0], /Site Admin/);
  assert.match(rows[0][4], /This is you/);
  rows = tableRows(await (await admin.fetch('/admin/users?q=%40B.EXAMPLE')).text());
  assert.equal(rows.length, 7);
  rows = tableRows(await (await admin.fetch('/admin/users?q=_')).text());
  assert.deepEqual(rows.map((r) => r[1]), [], 'an underscore is searched for, not a wildcard');
  for (const qs of ['status=gone', 'page=10001', `q=${'%01'}`]) {
    const res = await admin.fetch('/admin/users?' + qs);
    assert.equal(res.status, 422, qs);
  }
  html = await (await admin.fetch('/admin/users?status=gone&q=lee')).text();
  assert.equal(inputValue(html, 'q'), 'lee');
});

test('disabling a person ends their sessions at once and revokes their API tokens; re-enabling', async () => {
  const email = world.a.analyst;
  const id = ids[email];
  const person = await signIn(srv, email);
  const cookie = person.cookie();
  const hash = randomBytes(32).toString('hex');
  await sql(`INSERT INTO api_tokens (token_hash, user_id, name, scope, created_at, expires_at) VALUES ('${hash}', ${id}, 'reports', 'read', 1, 99999999999)`);

  const token = await admin.token('/admin/users');
  let snap = await storeSnapshot(srv);
  let res = await admin.post(`/admin/users/${id}/disable`, {});
  assert.equal(res.status, 403, 'no CSRF token');
  assert.equal(await storeSnapshot(srv), snap);

  res = await admin.post(`/admin/users/${id}/disable`, { _csrf: token });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/users?q=analyst%40a.example');
  assert.equal((await one(`SELECT status FROM users WHERE id = ${id}`)).status, 'disabled');
  assert.equal((await fetch(srv.url + '/account', { headers: { Cookie: cookie } })).status, 401, 'the old session stops working at once');
  assert.equal(Number((await one(`SELECT count(*) AS n FROM sessions WHERE user_id = ${id}`)).n), 0);
  assert.ok((await one(`SELECT revoked_at FROM api_tokens WHERE token_hash = '${hash}'`)).revoked_at > 0, 'the API token is revoked');
  const r = await lastRecord('site.user.disable');
  assert.equal(r.actor, world.admin);
  assert.equal(r.target_type, 'user');
  assert.equal(r.target_id, email);
  assert.equal(r.outcome, 'success');
  assert.deepEqual(r.detail, { id, from: 'active', tokens_revoked: 1 });
  // Signing in again fails.
  const c = client(srv);
  res = await c.form('/login', { email, password: PASSWORD });
  assert.equal(res.status, 401);
  let html = await (await admin.fetch('/admin/users?q=analyst%40a.example')).text();
  assert.match(html, /Re-enable<span class="visually-hidden"> analyst A<\/span>/);

  snap = await storeSnapshot(srv);
  res = await admin.post(`/admin/users/${id}/disable`, { _csrf: token });
  assert.equal(res.status, 409);
  assert.equal(await storeSnapshot(srv), snap);

  res = await admin.post(`/admin/users/${id}/enable`, { _csrf: token });
  assert.equal(res.status, 303);
  assert.equal((await one(`SELECT status FROM users WHERE id = ${id}`)).status, 'active');
  assert.deepEqual((await lastRecord('site.user.enable')).detail, { id });
  assert.equal((await (await signIn(srv, email)).fetch('/account')).status, 200, 'they can sign in again');
  assert.ok((await one(`SELECT revoked_at FROM api_tokens WHERE token_hash = '${hash}'`)).revoked_at > 0, 'revoked tokens stay revoked');
  html = await (await admin.fetch('/admin/users?q=analyst%40a.example')).text();
  assert.match(html, /Disable<span class="visually-hidden"> analyst A<\/span>/);

  snap = await storeSnapshot(srv);
  res = await admin.post(`/admin/users/${id}/enable`, { _csrf: token });
  assert.equal(res.status, 409, 'an active person cannot be re-enabled');
  for (const bad of ['999999', 'abc']) assert.equal((await admin.post(`/admin/users/${bad}/disable`, { _csrf: token })).status, 404);
  assert.equal(await storeSnapshot(srv), snap);
});

test('a site admin cannot disable themselves: refused, and the attempt recorded', async () => {
  const id = ids[world.admin];
  const token = await admin.token('/admin/users');
  const res = await admin.post(`/admin/users/${id}/disable`, { _csrf: token });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /cannot disable your own account/);
  assert.equal((await one(`SELECT status FROM users WHERE id = ${id}`)).status, 'active');
  const r = await lastRecord('site.user.disable');
  assert.equal(r.outcome, 'denied');
  assert.equal(r.target_id, world.admin);
  assert.deepEqual(r.detail, { id, reason: 'self' });
  assert.equal((await admin.fetch('/admin')).status, 200, 'still signed in');
});

/** The seqs the viewer shows for QS, and the page's HTML. */
async function viewer(qs) {
  const res = await admin.fetch('/admin/audit' + (qs ? '?' + qs : ''));
  const html = await res.text();
  return { status: res.status, html, seqs: tableRows(html).map((r) => Number(r[0])), rows: tableRows(html) };
}
/** The seqs of the newest 50 records WHERE holds, as the store says. */
async function expected(where) {
  return (await query(`SELECT seq FROM audit_log WHERE ${where} ORDER BY seq DESC LIMIT 50`)).map((r) => Number(r.seq));
}

test('the audit log viewer: each filter narrows as it says, paged by seq', async () => {
  // A failed sign-in, so there is a failure to find, and enough records
  // for more than one page.
  const c = client(srv);
  assert.equal((await c.form('/login', { email: world.a.editor, password: 'not the password' })).status, 401);
  while ((await maxSeq()) < 120) {
    const n = randomBytes(3).toString('hex');
    assert.equal((await admin.form('/admin/orgs', { name: `Filler ${n}`, kind: 'community', state: '', slug: '' }, '/admin/orgs/new')).status, 303);
  }
  let v = await viewer('');
  assert.equal(v.status, 200);
  assert.deepEqual(v.seqs, await expected('1 = 1'));
  assert.match(v.html, /Time \(UTC\)/);
  const first = v.rows[0];
  assert.match(first[1], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'time shown in UTC');

  // Paging: the older page continues below the last seq shown.
  const older = /href="([^"]*before=(\d+))"/.exec(v.html);
  assert.ok(older, 'a link to older records');
  assert.equal(Number(older[2]), v.seqs.at(-1));
  v = await viewer(older[1].replace('/admin/audit?', '').replace(/&amp;/g, '&'));
  assert.deepEqual(v.seqs, await expected(`seq < ${older[2]}`));
  assert.match(v.html, /Newest records/);

  const metro = ids['metro-pd'];
  const cases = [
    [`actor=${encodeURIComponent(world.a.officer)}`, `actor = '${world.a.officer}'`],
    [`actor=${encodeURIComponent(world.a.officer.toUpperCase())}`, `actor = '${world.a.officer}'`],
    ['actor=officer*', "actor LIKE 'officer%'"],
    ['actor=cli', "actor = 'cli'"],
    [`org=${metro}`, `org_id = ${metro}`],
    ['action=site.org.', "action LIKE 'site.org.%'"],
    ['action=auth.*', "action LIKE 'auth.%'"],
    ['action=auth.signin', "action LIKE 'auth.signin%'"],
    ['outcome=failure', "outcome = 'failure'"],
    ['outcome=denied', "outcome = 'denied'"],
    ['before=10', 'seq < 10'],
    [`action=auth.&org=${metro}&outcome=success`, `action LIKE 'auth.%' AND org_id = ${metro} AND outcome = 'success'`],
    [`action=site.org.&org=${ids['county-cw']}`, `action LIKE 'site.org.%' AND org_id = ${ids['county-cw']}`],
  ];
  for (const [qs, where] of cases) {
    v = await viewer(qs);
    assert.equal(v.status, 200, qs);
    const want = await expected(where);
    assert.ok(want.length > 0, `the store has records for ${qs}`);
    assert.deepEqual(v.seqs, want, qs);
  }
  // Organization and outcome show as names.
  v = await viewer(`org=${metro}&action=auth.signin&outcome=success`);
  assert.ok(v.rows.length > 0);
  for (const r of v.rows) {
    assert.equal(r[3], 'Metro Police Department');
    assert.equal(r[6], 'Success');
  }

  // Dates are UTC days: today holds everything, tomorrow and yesterday nothing.
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  v = await viewer(`from=${day(0)}&to=${day(0)}`);
  assert.deepEqual(v.seqs, await expected('1 = 1'));
  assert.deepEqual((await viewer(`from=${day(1)}`)).seqs, []);
  assert.match((await viewer(`from=${day(1)}`)).html, /No record matches/);
  assert.deepEqual((await viewer(`to=${day(-1)}`)).seqs, []);
  assert.deepEqual((await viewer(`from=${day(-1)}`)).seqs, await expected('1 = 1'));
});

test('the audit log viewer: bad filters are named (422), the input kept', async () => {
  const cases = [
    ['actor=*', 'actor', /at least the beginning/],
    [`actor=${'a'.repeat(321)}`, 'actor', /at most 320 characters/],
    ['actor=%01x', 'actor', /without line breaks/],
    ['org=abc', 'org', /Choose an organization/],
    ['org=999999', 'org', /no such organization/],
    ['action=Auth+Sign', 'action', /letters a–z, digits/],
    ['action=auth%25', 'action', /letters a–z, digits/],
    ['outcome=maybe', 'outcome', /Choose an outcome/],
    ['from=2025-02-30', 'from', /year-month-day/],
    ['from=1969-12-31', 'from', /from 1970 on/],
    ['to=yesterday', 'to', /year-month-day/],
    ['from=2025-03-02&to=2025-03-01', 'to', /end date is before the start date/],
  ];
  for (const [qs, field, message] of cases) {
    const v = await viewer(qs);
    assert.equal(v.status, 422, qs);
    assert.match(v.html, message, qs);
    assert.match(v.html, new RegExp(`id="${field}-error"`), qs);
    assert.match(v.html, /role="alert"/);
    assert.deepEqual(v.seqs, [], 'no records under a bad filter');
  }
  let v = await viewer('before=x');
  assert.equal(v.status, 422);
  assert.match(v.html, /Start again from the newest records/);
  v = await viewer('actor=jane*&action=Auth+Sign&from=2025-03-01');
  assert.equal(inputValue(v.html, 'actor'), 'jane*');
  assert.equal(inputValue(v.html, 'action'), 'Auth Sign');
  assert.equal(inputValue(v.html, 'from'), '2025-03-01');
  const res = await admin.fetch('/admin/audit.jsonl?outcome=maybe');
  assert.equal(res.status, 422, 'the export refuses bad filters too');
});

test('the export: valid JSON lines, newest first, same filters, and itself audited', async () => {
  const top = await maxSeq();
  let res = await admin.fetch('/admin/audit.jsonl');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="csec-audit-\d{8}T\d{6}Z\.jsonl"$/);
  assert.equal(res.headers.get('x-csec-export-next-before'), null, 'not cut short');
  const text = await res.text();
  assert.ok(text.endsWith('\n'));
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, top, 'every record up to the export');
  assert.deepEqual(lines.map((l) => l.seq), Array.from({ length: top }, (_, i) => top - i));
  for (const k of ['seq', 'time', 'actor', 'org', 'action', 'target_type', 'target_id', 'outcome', 'source', 'detail', 'hash', 'prev_hash']) {
    assert.ok(k in lines[0], `each record has ${k}`);
  }
  for (let i = 0; i + 1 < lines.length; i++) assert.equal(lines[i].prev_hash, lines[i + 1].hash, 'the chain links');
  const signin = lines.find((l) => l.action === 'auth.signin' && l.outcome === 'failure');
  assert.equal(typeof signin.detail, 'object');
  assert.match(signin.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  let r = await lastRecord('audit.export');
  assert.equal(Number(r.seq), top + 1);
  assert.equal(r.actor, world.admin);
  assert.deepEqual(r.detail, { filters: {}, records: top, truncated: false });

  const metro = ids['metro-pd'];
  res = await admin.fetch(`/admin/audit.jsonl?action=auth.signin&org=${metro}&actor=officer*`);
  assert.equal(res.status, 200);
  const some = (await res.text()).trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const want = await query(`SELECT seq FROM audit_log WHERE action LIKE 'auth.signin%' AND org_id = ${metro} AND actor LIKE 'officer%' ORDER BY seq DESC`);
  assert.ok(want.length > 0);
  assert.deepEqual(some.map((l) => l.seq), want.map((w) => Number(w.seq)));
  r = await lastRecord('audit.export');
  assert.deepEqual(r.detail, { filters: { actor: 'officer', actor_prefix: true, org: metro, action: 'auth.signin' }, records: want.length, truncated: false });

  // The page's export link carries the filters shown.
  const html = (await viewer('outcome=failure')).html;
  assert.match(html, /href="\/admin\/audit.jsonl\?outcome=failure"/);

  const v = await run(['audit', 'verify', ...store.args]);
  assert.equal(v.code, 0, v.stderr);
});
