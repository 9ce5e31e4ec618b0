// Failed personal access tokens (identity issue, points 7 and 13; DESIGN.md
// §6): every refused "Authorization: Bearer" under /api/v1/ is audited as
// api.token.failed (why, the token's id when known, the client address;
// never the token) and counts against its client address; past the limit
// (CSEC_TOKEN_FAILURES_PER_MINUTE, 3 here) that address gets 429 with
// Retry-After, even with a good token, while other addresses carry on.
// Addresses come from X-Forwarded-For behind a trusted proxy (127.0.0.1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { run, startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { seedWorld } from './lib/accounts.mjs';

const LIMIT = 3;
let srv, store, world;

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({
    store,
    args: ['--trusted-proxies', '127.0.0.1/32, ::1'],
    env: { CSEC_TOKEN_FAILURES_PER_MINUTE: String(LIMIT) },
  });
});
after(async () => { await srv.stop(); await srv.cleanup(); });

async function newToken(email) {
  const r = await run(['token', 'create', '--user', email, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const from = (addr, token, path = '/api/v1/me') => fetch(srv.url + path, {
  redirect: 'manual', headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': addr },
});

const unknownToken = () => 'csec_pat_' + randomBytes(32).toString('base64url');

/** The api.token.failed records, oldest first, as objects. */
async function failures() {
  const rows = await sql(store, "SELECT actor, org_id, target_type, target_id, outcome, source, detail FROM audit_log WHERE action = 'api.token.failed' ORDER BY seq");
  return rows.map(([actor, org, type, id, outcome, source, detail]) =>
    ({ actor, org, type, id, outcome, source, detail: JSON.parse(detail) }));
}

/** The counts are per wall-clock minute: start a sequence well inside one. */
async function awayFromMinuteEdge() {
  const s = (Date.now() / 1000) % 60;
  if (s > 45) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
}

async function assertRefused(res, why) {
  assert.equal(res.status, 401, why);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"', why);
  assert.equal((await res.json()).error.code, 'invalid_token', why);
}

test('unknown, expired, revoked and malformed tokens: 401, each audited without the token', async () => {
  await awayFromMinuteEdge();
  const expired = await newToken(world.a.officer);
  const revoked = await newToken(world.a.trainer);
  await sql(store, "UPDATE api_tokens SET expires_at = created_at - 1 WHERE id = (SELECT MAX(id) - 1 FROM api_tokens)");
  await sql(store, "UPDATE api_tokens SET revoked_at = created_at WHERE id = (SELECT MAX(id) FROM api_tokens)");
  const [[expiredId], [revokedId]] = await sql(store, 'SELECT id FROM api_tokens ORDER BY id');
  const unknown = unknownToken();

  await assertRefused(await from('198.51.100.7', unknown), 'unknown');
  await assertRefused(await from('198.51.100.7', expired), 'expired');
  await assertRefused(await from('198.51.100.8', revoked), 'revoked');
  await assertRefused(await from('198.51.100.8', 'not-a-token'), 'malformed');

  const recs = await failures();
  assert.deepEqual(recs, [
    { actor: 'anonymous', org: '', type: 'api_token', id: '', outcome: 'failure', source: '198.51.100.7', detail: { reason: 'unknown' } },
    { actor: 'anonymous', org: '', type: 'api_token', id: expiredId, outcome: 'failure', source: '198.51.100.7', detail: { reason: 'expired' } },
    { actor: 'anonymous', org: '', type: 'api_token', id: revokedId, outcome: 'failure', source: '198.51.100.8', detail: { reason: 'revoked' } },
    { actor: 'anonymous', org: '', type: 'api_token', id: '', outcome: 'failure', source: '198.51.100.8', detail: { reason: 'malformed' } },
  ]);
  const dump = await storeSnapshot(srv);
  for (const t of [unknown, expired, revoked])
    assert.ok(!dump.includes(t.slice(9)), 'no part of a token is stored');

  // A disabled person's token: "inactive".
  const disabled = await newToken(world.b.officer);
  await sql(store, `UPDATE users SET status = 'disabled' WHERE email = '${world.b.officer}'`);
  await assertRefused(await from('198.51.100.9', disabled), 'disabled person');
  assert.deepEqual((await failures()).at(-1).detail, { reason: 'inactive' });
});

test('past the limit an address gets 429 with Retry-After, even with a good token; others carry on', async () => {
  await awayFromMinuteEdge();
  const good = await newToken(world.b.trainer);
  const a = '203.0.113.20', b = '203.0.113.21';
  assert.equal((await from(a, good)).status, 200, 'a good token does not count');
  for (let i = 0; i < LIMIT; i++)
    await assertRefused(await from(a, unknownToken()), `failure ${i + 1}`);
  const before = (await failures()).length;

  for (const token of [unknownToken(), good]) {
    const res = await from(a, token);
    assert.equal(res.status, 429, 'past the limit: even a good token');
    const wait = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    const body = await res.json();
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /Too many requests/);
  }
  assert.equal((await failures()).length, before, 'refusals past the limit write nothing');

  // Another address: its good token works and its failures are its own.
  assert.equal((await from(b, good)).status, 200);
  await assertRefused(await from(b, unknownToken()), 'another address has its own count');
  assert.equal((await from(b, good)).status, 200);

  // The session cookie and pages are not affected by the limit.
  assert.equal((await from(a, good, '/healthz')).status, 200);
});

test('the audit log still verifies', async () => {
  const r = await run(['audit', 'verify', ...store.args]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
});
