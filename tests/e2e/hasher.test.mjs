// Password hashing in helper processes (auth/hasher.h): `csec serve` starts
// them as children in the idle scheduling class, sign-ins are answered
// through them (also while every CPU is busy), a helper that dies is
// replaced on the next sign-in, and they end with the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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

// /proc/PID/stat field 41 is the scheduling policy; 5 is SCHED_IDLE.
function policyOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
}

test('the helpers hash in the idle scheduling class, the server does not', async () => {
  const pids = await helpers();
  for (const pid of pids) assert.equal(policyOf(pid), 5, `helper ${pid} runs SCHED_IDLE`);
  assert.equal(policyOf(srv.proc.pid), 0, 'the server itself stays SCHED_OTHER');
});

test('with every CPU busy with normal work, the helpers still answer sign-ins', async () => {
  // SCHED_IDLE is a small share, not "only when idle": a hash must still be
  // answered by its helper, not left to time out and be replaced (which the
  // server logs, and which changes the helpers' pids).
  const before = await helpers();
  const busy = [];
  for (let i = 0; i < availableParallelism(); i++) {
    busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  try {
    await new Promise((r) => setTimeout(r, 200));
    const c = await signIn(srv, 'dock@harbor.example');
    assert.equal((await c.fetch('/account')).status, 200);
  } finally {
    for (const p of busy) p.kill('SIGKILL');
  }
  assert.deepEqual((await helpers()).sort(), before.sort(), 'the same helpers answered');
  const replaced = srv.logs().filter((l) => /stopped answering/.test(l.msg ?? ''));
  assert.deepEqual(replaced, [], 'no helper was given up on');
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
