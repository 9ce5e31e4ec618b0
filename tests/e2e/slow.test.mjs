// Slow work runs on the bounded worker pool (DESIGN.md §3): cheap pages are
// answered while it runs, a full queue answers 503 with Retry-After, and a
// stop waits for it. Uses the diagnostics route GET /_diag/slow?ms=N.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); await srv.cleanup(); });

test('a cheap page is answered while slow work runs on every worker', async () => {
  const order = [];
  // More slow jobs than cores, so every worker is busy and some wait.
  const slow = Array.from({ length: 4 }, (_, i) =>
    fetch(`${srv.url}/_diag/slow?ms=1500`).then(async (r) => { order.push('slow'); assert.equal(r.status, 200); await r.json(); }));
  await new Promise((r) => setTimeout(r, 200));
  const cheap = fetch(srv.url + '/healthz').then(async (r) => { order.push('cheap'); assert.equal(r.status, 200); await r.json(); });
  await Promise.all([...slow, cheap]);
  assert.equal(order[0], 'cheap', `completion order: ${order.join(', ')}`);
});

test('a full queue answers 503 with Retry-After, and nothing else fails', async () => {
  // Occupy the workers, then send more jobs than the queue holds (64).
  const blockers = Array.from({ length: 8 }, () => fetch(`${srv.url}/_diag/slow?ms=1500`));
  await new Promise((r) => setTimeout(r, 200));
  const burst = await Promise.all(Array.from({ length: 90 }, () => fetch(`${srv.url}/_diag/slow?ms=0`)));
  const statuses = burst.map((r) => r.status);
  const busy = burst.filter((r) => r.status === 503);
  assert.ok(busy.length >= 1, `some requests were refused: ${statuses.join(',')}`);
  for (const r of busy) assert.match(r.headers.get('retry-after'), /^\d+$/);
  assert.ok(statuses.every((s) => s === 200 || s === 503), statuses.join(','));
  for (const r of burst) await r.arrayBuffer();
  for (const r of await Promise.all(blockers)) assert.equal(r.status, 200);
  assert.equal((await fetch(srv.url + '/healthz')).status, 200);
});

test('an out-of-range parameter to a slow route is refused with 422', async () => {
  const res = await fetch(`${srv.url}/_diag/slow?ms=99999`);
  assert.equal(res.status, 422);
});

test('SIGTERM waits for slow work in flight', async () => {
  const other = await startServer();
  const pending = fetch(`${other.url}/_diag/slow?ms=800`);
  await new Promise((r) => setTimeout(r, 200));
  const stopped = other.stop('SIGTERM');
  const res = await pending;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { slept_ms: 800 });
  assert.equal((await stopped).code, 0);
  await other.cleanup();
});
