// Password hashing in helper processes (auth/hasher.h): `csec serve` starts
// them as children, sign-ins are answered through them, a helper that dies
// is replaced on the next sign-in, and they end with the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshStore, execFile } from './lib/server.mjs';
import { addOrg, addUser, signIn } from './lib/accounts.mjs';

let srv;
before(async () => {
  const store = await freshStore();
  const org = await addOrg(store, { name: 'Harbor Police Department' });
  await addUser(store, { email: 'dock@harbor.example', name: 'Dana Dock', org, role: 'officer' });
  srv = await startServer({ store });
});
after(async () => { await srv?.stop(); await srv?.cleanup(); });

async function helpers() {
  try {
    const { stdout } = await execFile('pgrep', ['-P', String(srv.proc.pid), '-f', 'hash-helper']);
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch (e) {
    if (e.code === 1) return []; // pgrep: none matched
    throw e;
  }
}

test('the server runs its password hashing in helper processes', async () => {
  const pids = await helpers();
  assert.ok(pids.length >= 1, 'at least one hash-helper child');
  const c = await signIn(srv, 'dock@harbor.example');
  assert.equal((await c.fetch('/account')).status, 200);
});

test('a helper that dies is replaced, and sign-in goes on working', async () => {
  const before = await helpers();
  for (const pid of before) process.kill(pid, 'SIGKILL');
  // Each sign-in finds a dead helper at most once, then a fresh one.
  for (let i = 0; i < before.length + 1; i++) {
    const c = await signIn(srv, 'dock@harbor.example');
    assert.equal((await c.fetch('/account')).status, 200, `sign-in ${i + 1}`);
  }
  const after = await helpers();
  assert.ok(after.length >= 1, 'helpers are running again');
  assert.ok(after.every((p) => !before.includes(p)), 'they are new processes');
});

test('the helpers end with the server', async () => {
  const pids = await helpers();
  assert.equal((await srv.stop()).code, 0);
  await new Promise((r) => setTimeout(r, 300));
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `helper ${pid} is gone`);
});
