// The active organization (DESIGN.md §2): a person in several organizations
// switches explicitly; the switch is checked against the memberships, gets a
// new session token, and is audited; an organization they do not belong to
// is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore, execFile, setCookies } from './lib/server.mjs';

const PASSWORD = 'harbor lights at nine 3';
let srv, store;

async function sql(statement) {
  if (store.db.startsWith('sqlite:')) await execFile('sqlite3', ['-cmd', '.timeout 5000', store.db.slice(7), statement]);
  else await execFile('psql', [store.db, '-q', '-v', 'ON_ERROR_STOP=1', '-c', statement]);
}

before(async () => {
  store = await freshStore();
  for (const [name, kind] of [['Northside School District', 'school'], ['Valley Youth Shelter', 'victim_services'], ['Other Agency', 'community']]) {
    const r = await run(['org', 'add', '--name', name, '--kind', kind, ...store.args]);
    assert.equal(r.code, 0, r.stderr);
  }
  const r = await run(['user', 'add', '--email', 'casey@northside.example', '--name', 'Casey Diaz', '--org', 'northside-school-district', '--role', 'partner', '--password-stdin', ...store.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 0, r.stderr);
  await sql("INSERT INTO memberships (user_id, org_id, role) SELECT u.id, o.id, 'trainer' FROM users u, organizations o WHERE u.email = 'casey@northside.example' AND o.slug = 'valley-youth-shelter'");
  srv = await startServer({ store });
});
after(async () => { await srv.stop(); await srv.cleanup(); });

async function signIn() {
  const login = await fetch(srv.url + '/login');
  const nonce = /__Host-csec_pre=([^;]+)/.exec(setCookies(login).join('\n'))[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())[1];
  const res = await fetch(srv.url + '/login', {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url, Cookie: `__Host-csec_pre=${nonce}` },
    body: new URLSearchParams({ _csrf: token, email: 'casey@northside.example', password: PASSWORD }).toString(),
  });
  assert.equal(res.status, 303);
  return /__Host-csec_session=([^;]+)/.exec(setCookies(res).join('\n'))[1];
}

const page = (session, path = '/account') => fetch(srv.url + path, { headers: { Cookie: `__Host-csec_session=${session}` } });
const post = (session, fields) => fetch(srv.url + '/account/org', {
  method: 'POST', redirect: 'manual',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url, Cookie: `__Host-csec_session=${session}` },
  body: new URLSearchParams(fields).toString(),
});

test('switching the active organization: checked, a new token, audited', async () => {
  const session = await signIn();
  let html = await (await page(session)).text();
  assert.match(html, /<dd>Northside School District<\/dd>/, 'the first organization by name is active');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  const valley = /name="org" value="(\d+)">Valley Youth Shelter/.exec(html)[1];

  let res = await post(session, { _csrf: csrf, org: valley });
  assert.equal(res.status, 303);
  const fresh = /__Host-csec_session=([^;]+)/.exec(setCookies(res).join('\n'))[1];
  assert.notEqual(fresh, session, 'a new session token');
  assert.equal((await page(session)).status, 401, 'the old token is gone');
  html = await (await page(fresh)).text();
  assert.match(html, /<dd>Valley Youth Shelter<\/dd>/);
  assert.match(html, /Trainer/);

  // An organization the person does not belong to is refused.
  const csrf2 = /name="_csrf" value="([^"]+)"/.exec(html)[1];
  res = await post(fresh, { _csrf: csrf2, org: '999999' });
  assert.equal(res.status, 403);
  res = await post(fresh, { _csrf: csrf2, org: 'abc' });
  assert.equal(res.status, 400);
  res = await post(fresh, { org: valley });
  assert.equal(res.status, 403, 'the CSRF token is required');

  const v = await run(['audit', 'verify', ...store.args]);
  assert.equal(v.code, 0, v.stderr);
});
