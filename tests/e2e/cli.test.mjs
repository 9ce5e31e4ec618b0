// Black-box tests of the csec commands: version, routes, help, migrate,
// backup and restore, the refusal to serve plain http on a public address,
// the secret file, and a graceful stop that finishes requests in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { run, startServer, freshStore, storeSnapshot, STORE } from './lib/server.mjs';

test('csec version and --help for every command', async () => {
  const v = await run(['version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^csec \S+/);
  for (const cmd of ['serve', 'migrate', 'backup', 'restore', 'routes', 'version']) {
    const r = await run([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd} --help exits 0`);
    assert.match(r.stdout, new RegExp(`usage: csec ${cmd === 'version' ? '' : cmd}`));
  }
  const bad = await run(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command/);
});

test('csec routes --json lists every route with its permission', async () => {
  const r = await run(['routes', '--json']);
  assert.equal(r.code, 0);
  const routes = JSON.parse(r.stdout);
  assert.ok(routes.length >= 5);
  for (const x of routes) {
    assert.ok(x.method && x.path && x.permission, JSON.stringify(x));
    assert.equal(typeof x.csrf, 'boolean');
  }
  assert.ok(routes.some((x) => x.method === 'GET' && x.path === '/healthz'));
  assert.ok(!routes.some((x) => x.path.startsWith('/_diag')), 'test-only routes are off by default');
});

test('csec migrate creates the schema and is idempotent', async () => {
  const s = await freshStore();
  const a = await run(['migrate', ...s.args]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /applying migration 0001/);
  const b = await run(['migrate', ...s.args]);
  assert.equal(b.code, 0);
  assert.doesNotMatch(b.stderr, /applying migration/);
  await rm(s.data, { recursive: true, force: true });
});

test('environment variables select the store like the flags do', async () => {
  const s = await freshStore();
  const r = await run(['migrate'], { env: { CSEC_DATA: s.data, CSEC_DB: s.db } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /applying migration 0001/);
  await rm(s.data, { recursive: true, force: true });
});

test('serve refuses a public address with a plain-http public URL', async () => {
  const s = await freshStore();
  const r = await run(['serve', '--listen', '0.0.0.0:0', ...s.args]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /reverse proxy/);
  assert.match(r.stderr, /docs\/deploy\.md/);
  await rm(s.data, { recursive: true, force: true });
});

test('serve rejects bad options with a clear message', async () => {
  const r1 = await run(['serve', '--listen', 'nonsense']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /--listen/);
  const r2 = await run(['serve', '--public-url', 'ftp://x']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--public-url/);
  const r3 = await run(['serve', '--trusted-proxies', '10.0.0.0/99']);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /trusted-proxies/);
});

test('first start creates the secret file with mode 0600', async () => {
  const srv = await startServer();
  const st = await stat(join(srv.data, 'secret.key'));
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal((await srv.stop()).code, 0);
  await srv.cleanup();
});

test('a secret file others may read is refused', async () => {
  const srv = await startServer();
  await srv.stop();
  const { chmod } = await import('node:fs/promises');
  await chmod(join(srv.data, 'secret.key'), 0o644);
  const r = await run(['serve', '--listen', '127.0.0.1:0', ...srv.store.args]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /chmod 600/);
  await srv.cleanup();
});

test('SIGTERM lets a request in flight finish, then exits 0', async () => {
  const srv = await startServer();
  const body = 'a=' + 'x'.repeat(1000);
  const sock = net.connect(srv.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  let reply = '';
  sock.on('data', (d) => (reply += d));
  const closed = new Promise((r) => sock.on('close', r));
  sock.write(`POST /_diag/form HTTP/1.1\r\nHost: x\r\nOrigin: ${srv.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` + body.slice(0, 500));
  await new Promise((r) => setTimeout(r, 200));
  const stopping = srv.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  // The server no longer accepts new connections...
  const refused = await new Promise((resolve) => {
    const s2 = net.connect(srv.port, '127.0.0.1');
    s2.on('connect', () => { s2.destroy(); resolve(false); });
    s2.on('error', () => resolve(true));
  });
  assert.ok(refused, 'new connections are refused while stopping');
  // ...but the request in flight completes.
  sock.write(body.slice(500));
  await closed;
  assert.match(reply, /^HTTP\/1\.1 200/);
  const { code } = await stopping;
  assert.equal(code, 0);
  await srv.cleanup();
});

test('backup while serving, restore refused while serving, restore after stop', { skip: STORE !== 'sqlite' && 'SQLite only (PostgreSQL uses pg_dump)' }, async () => {
  const srv = await startServer();
  const before = await storeSnapshot(srv);
  const dir = await mkdtemp(join(tmpdir(), 'csec-backup-'));
  const file = join(dir, 'backup.db');
  const b = await run(['backup', '--out', file, ...srv.store.args]);
  assert.equal(b.code, 0, b.stderr);
  const again = await run(['backup', '--out', file, ...srv.store.args]);
  assert.equal(again.code, 1, 'an existing file is never overwritten');
  const refused = await run(['restore', file, ...srv.store.args]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /server is running/);
  assert.equal((await srv.stop()).code, 0);
  // Damage the store, then restore the backup over it.
  const { execFile } = await import('./lib/server.mjs');
  await execFile('sqlite3', ['-cmd', '.timeout 5000', srv.db.slice(7), "UPDATE site_settings SET value = 'changed'"]);
  assert.notEqual(await storeSnapshot(srv), before);
  const r = await run(['restore', file, ...srv.store.args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await storeSnapshot(srv), before);
  const junk = join(dir, 'junk.db');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(junk, 'this is not a database');
  const bad = await run(['restore', junk, ...srv.store.args]);
  assert.equal(bad.code, 1);
  assert.equal(await storeSnapshot(srv), before, 'a bad backup changes nothing');
  await srv.cleanup();
  await rm(dir, { recursive: true, force: true });
});

test('backup on PostgreSQL points to pg_dump', { skip: STORE !== 'postgres' && 'PostgreSQL only' }, async () => {
  const s = await freshStore();
  const r = await run(['backup', '--out', join(s.data, 'x.db'), ...s.args]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pg_dump/);
  await rm(s.data, { recursive: true, force: true });
});

test('two csec processes serve one PostgreSQL store at once', { skip: STORE !== 'postgres' && 'PostgreSQL only' }, async () => {
  const s = await freshStore();
  // Both start at the same time: the migration must run once, not twice.
  const started = await Promise.allSettled([startServer({ store: s }), startServer({ store: s })]);
  const failed = started.filter((x) => x.status === 'rejected');
  if (failed.length) {
    for (const x of started) if (x.status === 'fulfilled') await x.value.cleanup();
    throw failed[0].reason;
  }
  const [a, b] = started.map((x) => x.value);
  for (const srv of [a, b]) {
    const res = await fetch(srv.url + '/healthz');
    assert.deepEqual(await res.json(), { status: 'ok', db: 'ok' });
    assert.equal((await fetch(srv.url + '/')).status, 200);
  }
  assert.equal((await a.stop()).code, 0);
  assert.equal((await b.stop()).code, 0);
  await a.cleanup();
  await rm(s.data, { recursive: true, force: true });
});
