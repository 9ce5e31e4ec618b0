// The authorization matrix (identity issue, point 12): every route of
// `csec routes --json` × anonymous, every role, a site admin, checked against
// the policy table that the same command prints — so a route added later is
// covered without touching this file, and a route whose path parameter has
// no value here fails until one is added. Then, for every route that reaches
// organization or personal data by an id, every member of organization A
// tries organization B's ids (with valid CSRF tokens, so the request is
// really attempted): the answer is 404 and nothing of B changes. And no page
// a member of A may open shows any record of B.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore, sql } from './lib/server.mjs';
import { ROLES, seedWorld, signIn } from './lib/accounts.mjs';

let srv, world, routes;
const actors = new Map(); // name -> client (anonymous: null)
const ids = { a: {}, b: {} };

const POLICY_DENIAL = /does not have permission/;
const FAKE_TOKEN = 'A'.repeat(43);

async function one(q) { return (await sql(srv, q))[0]?.[0]; }

before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  const r = await run(['routes', '--json', '--diagnostics']);
  assert.equal(r.code, 0, r.stderr);
  routes = JSON.parse(r.stdout);

  actors.set('anonymous', null);
  for (const role of ROLES) actors.set(role, await signIn(srv, world.a[role]));
  actors.set('site_admin', await signIn(srv, world.admin));
  // Organization B's records that its people's ids reach: a session, an
  // invitation, a request to join, an API token.
  await signIn(srv, world.b.officer);
  const now = Math.floor(Date.now() / 1000);
  for (const k of ['a', 'b']) {
    const org = await one(`SELECT id FROM organizations WHERE slug = '${world.slugs[k]}'`);
    const user = await one(`SELECT id FROM users WHERE email = '${world[k].officer}'`);
    ids[k].org = org;
    ids[k].user = user;
    await sql(srv, `INSERT INTO users (email, name, status) VALUES ('joiner@${k}.example', 'Joiner ${k}', 'active')`);
    const joiner = await one(`SELECT id FROM users WHERE email = 'joiner@${k}.example'`);
    await sql(srv, `INSERT INTO join_requests (user_id, org_id, created_at) VALUES (${joiner}, ${org}, ${now})`);
    ids[k].request = await one(`SELECT id FROM join_requests WHERE user_id = ${joiner}`);
    await sql(srv, `INSERT INTO invitations (token_hash, org_id, email, role, created_at, expires_at) VALUES ('${k.repeat(64)}', ${org}, 'invitee@${k}.example', 'officer', ${now}, ${now + 86400})`);
    ids[k].invitation = await one(`SELECT id FROM invitations WHERE email = 'invitee@${k}.example'`);
    await sql(srv, `INSERT INTO api_tokens (token_hash, user_id, name, scope, created_at, expires_at) VALUES ('${(k === 'a' ? 'c' : 'd').repeat(64)}', ${user}, 'matrix', 'read', ${now}, ${now + 86400})`);
    ids[k].apitoken = await one(`SELECT id FROM api_tokens WHERE user_id = ${user}`);
    ids[k].session = await one(`SELECT max(id) FROM sessions WHERE user_id = ${user}`) || '999999';
  }
  // Each organization's own private page of the knowledge base, for {page}
  // (B's title names B, so a leak shows).
  for (const k of ['a', 'b']) {
    const org = ids[k].org;
    const title = k === 'a' ? 'Metro page' : 'County Child Welfare page';
    await sql(srv, `INSERT INTO library_pages (org_id, slug, kind, visibility, title, summary, created_at, updated_at) VALUES (${org}, 'own-page', 'guide', 'org', '${title}', '', ${now}, ${now})`);
    ids[k].page = await one(`SELECT id FROM library_pages WHERE org_id = ${org} AND slug = 'own-page'`);
    await sql(srv, `INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, summary, markdown, html, content_hash) VALUES (${ids[k].page}, ${now}, 'guide', 'org', '${title}', '', 'x', '<p>x</p>', 'x')`);
    await sql(srv, `UPDATE library_pages SET current_revision_id = (SELECT max(id) FROM library_revisions WHERE page_id = ${ids[k].page}) WHERE id = ${ids[k].page}`);
  }
  // A public page of the starter pack (imported at start-up), for {slug}.
  ids.slug = await one("SELECT slug FROM library_pages WHERE org_id IS NULL AND visibility = 'public' AND published = 1 ORDER BY id LIMIT 1") || 'no-such-page';
});
after(async () => { await srv?.stop(); await srv?.cleanup(); });

// The value of each path parameter, for organization K's records.
function fill(pattern, k) {
  return pattern.replace(/\{([a-z_]+)\}/g, (_, name) => {
    switch (name) {
      case 'user': case 'org': case 'request': case 'invitation': case 'session': case 'apitoken': case 'page':
        return ids[k][name];
      // course: records (a certificate's id for site admins; a public code).
      case 'certificate': return '1';
      case 'code': return 'ABCD-EFGH-JK23';
      case 'token': return FAKE_TOKEN;
      case 'name': return 'app.css';
      case 'slug': return ids.slug;
      // course: core — a course that does not exist answers 404 to anyone the
      // policy lets in (the course's own visibility is tested in course-core).
      case 'course': return 'no-such-course';
      case 'lesson': case 'scenario': return 'no-such-slug';
      case 'run': return '1';
      // course: final test (an attempt id is checked against its learner).
      case 'attempt': return '1';
      // course: video and training (a media file's and an assignment's id).
      case 'media': return '1';
      case 'assignment': return '1';
      default: throw new Error(`the matrix has no value for {${name}} in ${pattern}: add one to fill()`);
    }
  });
}

// What the policy table says ACTOR gets on route R: 'allow', 'deny' (403) or
// 'unauth' (401).
function expected(r, actor) {
  const p = r.policy;
  if (p.anyone) return 'allow';
  if (actor === 'anonymous') return 'unauth';
  if (p.signed_in) return 'allow';
  if (p.site_admin && actor === 'site_admin') return 'allow';
  return p.roles.includes(actor) ? 'allow' : 'deny';
}

// Sends R as ACTOR. State-changing requests carry the Origin but, unless
// csrf is given, no CSRF token: the policy decides before the CSRF check, so
// a denial is the policy's, and an allowed request stops at the CSRF check
// without changing anything.
async function send(c, r, path, csrf) {
  const opts = { method: r.method, headers: {} };
  if (!['GET', 'HEAD'].includes(r.method)) {
    opts.headers.Origin = srv.url;
    opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    opts.body = csrf ? new URLSearchParams({ _csrf: csrf }).toString() : '';
  }
  const res = c ? await c.fetch(path, opts) : await fetch(srv.url + path, { ...opts, redirect: 'manual' });
  return { status: res.status, body: r.method === 'HEAD' ? '' : await res.text() };
}

test('the matrix covers every route and every answer matches the policy table', async () => {
  assert.ok(routes.length >= 15, `only ${routes.length} routes`);
  const wrong = [];
  let checked = 0;
  for (const r of routes) {
    for (const [actor, c] of actors) {
      const path = fill(r.path, 'a');
      const want = expected(r, actor);
      const got = await send(c, r, path);
      checked++;
      const denied = got.status === 403 && POLICY_DENIAL.test(got.body);
      const ok = want === 'unauth' ? got.status === 401
        : want === 'deny' ? denied
          : got.status !== 401 && !denied;
      if (!ok) wrong.push(`${r.method} ${r.path} as ${actor}: want ${want}, got ${got.status}`);
    }
  }
  assert.equal(checked, routes.length * actors.size, 'every route × every actor');
  assert.deepEqual(wrong, []);
});

// B's records as text, without what moves on its own (last_seen, last use).
async function bState() {
  const org = ids.b.org;
  const parts = await Promise.all([
    sql(srv, `SELECT * FROM organizations WHERE id = ${org}`),
    sql(srv, `SELECT user_id, role, status FROM memberships WHERE org_id = ${org} ORDER BY user_id`),
    sql(srv, `SELECT u.id, u.email, u.name, u.status, u.password_hash, u.officer_id FROM users u WHERE u.email LIKE '%@b.example' ORDER BY u.id`),
    sql(srv, `SELECT * FROM invitations WHERE org_id = ${org} ORDER BY id`),
    sql(srv, `SELECT * FROM join_requests WHERE org_id = ${org} ORDER BY id`),
    sql(srv, `SELECT * FROM org_domains WHERE org_id = ${org} ORDER BY domain`),
    sql(srv, `SELECT id, user_id, name, scope, expires_at, revoked_at FROM api_tokens WHERE user_id = ${ids.b.user}`),
    sql(srv, `SELECT id, user_id FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email LIKE '%@b.example') ORDER BY id`),
    sql(srv, `SELECT p.id, p.title, p.published, p.current_revision_id, r.markdown FROM library_pages p JOIN library_revisions r ON r.page_id = p.id WHERE p.org_id = ${org} ORDER BY r.id`),
  ]);
  return JSON.stringify(parts);
}

test("no member of organization A can reach organization B's records by id", async () => {
  const before = await bState();
  const byId = routes.filter((r) => /\{(user|org|request|invitation|session|apitoken|page)\}/.test(r.path) && !r.policy.anyone);
  const wrong = [];
  for (const r of byId) {
    for (const [actor, c] of actors) {
      if (!c || actor === 'site_admin' || expected(r, actor) !== 'allow') continue;
      const csrf = await c.token('/account');
      const got = await send(c, r, fill(r.path, 'b'), csrf);
      if (got.status !== 404) wrong.push(`${r.method} ${r.path} with B's ids as A's ${actor}: ${got.status}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.equal(await bState(), before, "organization B's records are unchanged");
});

test("no page a member of A may open shows a record of B", async () => {
  const leaks = [];
  for (const r of routes.filter((x) => x.method === 'GET')) {
    for (const [actor, c] of actors) {
      if (!c || actor === 'site_admin' || expected(r, actor) !== 'allow') continue;
      const got = await send(c, r, fill(r.path, 'a'));
      if (got.status !== 200) continue;
      for (const needle of ['@b.example', 'County Child Welfare']) {
        if (got.body.includes(needle)) leaks.push(`${r.path} as A's ${actor} shows "${needle}"`);
      }
    }
  }
  assert.deepEqual(leaks, []);
});
