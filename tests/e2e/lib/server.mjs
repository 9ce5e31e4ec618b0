// tests/e2e/lib/server.mjs — starts the real build/csec on a free port with a
// temporary data directory, on SQLite or (CSEC_TEST_STORE=postgres) on a
// fresh database of the PostgreSQL server that scripts/with-pg started.
import { spawn, execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

export const execFile = promisify(execFileCb);
export const BIN = process.env.CSEC_BIN || new URL('../../../build/csec', import.meta.url).pathname;
export const STORE = process.env.CSEC_TEST_STORE || 'sqlite';

// A server still running when a test file's process ends (a failed assertion
// skipped the test's stop and cleanup) must not keep that process alive and
// hang the suite: servers are unref'd, and killed when the process exits.
const live = new Set();
process.on('exit', () => { for (const s of live) s.proc.kill('SIGKILL'); });

/** Creates an empty PostgreSQL database and returns its URL. */
export async function freshPgDatabase() {
  const base = process.env.CSEC_TEST_PG_URL;
  if (!base) throw new Error('CSEC_TEST_PG_URL is not set (run through scripts/run-e2e)');
  const name = 'e2e_' + randomBytes(6).toString('hex');
  await execFile('psql', [base, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

/** A temporary data directory and the store options for it. */
export async function freshStore() {
  const data = await mkdtemp(join(tmpdir(), 'csec-e2e-'));
  const db = STORE === 'postgres' ? await freshPgDatabase() : `sqlite:${data}/csec.db`;
  return { data, db, args: ['--data', data, '--db', db] };
}

/** Runs a csec command to completion: {code, stdout, stderr}. */
export function run(args, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    if (input !== undefined) p.stdin.end(input); else p.stdin.end();
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Starts `csec serve` and waits until it listens. Returns
 * {url, port, data, db, logs(), stop(signal) → exit code, proc}.
 */
export async function startServer({ args = [], env = {}, diagnostics = true, store } = {}) {
  const s = store || (await freshStore());
  const argv = ['serve', '--listen', '127.0.0.1:0', ...s.args, ...(diagnostics ? ['--diagnostics'] : []), ...args];
  const proc = spawn(BIN, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.unref();
  proc.stdout.unref?.();
  proc.stderr.unref?.();
  const lines = [];
  let partial = '';
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  let exitCode = null;
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { exitCode = code; resolve({ code, signal }); }));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('csec did not start:\n' + lines.join('\n'))), 20000);
    proc.stderr.on('data', (d) => {
      partial += d;
      let i;
      while ((i = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, i);
        partial = partial.slice(i + 1);
        lines.push(line);
        const m = /listening on [^ ]*:(\d+),/.exec(line);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`csec exited (${code}) before listening:\n` + lines.join('\n'))); });
  });
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url, port, proc, data: s.data, db: s.db, store: s,
    logs: () => lines.map((l) => { try { return JSON.parse(l); } catch { return { raw: l }; } }),
    rawLogs: () => lines.slice(),
    stdout: () => out,
    /** Resolves to stdout once it holds a whole line (the server may have
     * written it before "listening", but the pipe is read separately). */
    async firstLine(ms = 10000) {
      const until = Date.now() + ms;
      while (!out.includes('\n') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return out;
    },
    async stop(signal = 'SIGTERM') {
      proc.ref(); // waiting for its exit must keep this process alive
      if (exitCode === null) proc.kill(signal);
      const r = await exited;
      return r;
    },
    async cleanup() {
      live.delete(server);
      proc.ref();
      if (exitCode === null) { proc.kill('SIGKILL'); await exited; }
      await rm(s.data, { recursive: true, force: true });
    },
  };
  live.add(server);
  return server;
}

// A dump holds the knowledge base (the starter pack, its rendered HTML and
// its search index: several MiB), far past execFile's 1 MiB default.
const SNAPSHOT_MAX = 256 * 1024 * 1024;

/** Everything the store holds, as text, to prove a request changed nothing. */
export async function storeSnapshot(server) {
  if (server.db.startsWith('sqlite:')) {
    const { stdout } = await execFile('sqlite3', ['-cmd', '.timeout 5000', server.db.slice(7), '.dump'], { maxBuffer: SNAPSHOT_MAX });
    return stdout;
  }
  const { stdout } = await execFile('pg_dump', ['--data-only', '--no-owner', server.db], { maxBuffer: SNAPSHOT_MAX });
  // Drop comments, settings and the random \restrict key newer pg_dump writes.
  return stdout.split('\n').filter((l) => !l.startsWith('--') && !/^SET |^SELECT pg_catalog|^\\(un)?restrict /.test(l)).join('\n');
}

/**
 * The Set-Cookie headers of a fetch response, one string each. Debian 12's
 * Node 18 is built on an undici without Headers.getSetCookie(); the portal's
 * cookies use Max-Age and never Expires, so they hold no comma and the
 * combined header splits exactly.
 */
export function setCookies(res) {
  if (typeof res.headers.getSetCookie === 'function') return res.headers.getSetCookie();
  const v = res.headers.get('set-cookie');
  return v === null ? [] : v.split(/,\s*(?=[^;,=\s]+=)/);
}

/**
 * Runs SQL on the store of STORE (a freshStore() or a server) with the
 * command-line client and returns the rows, each an array of strings.
 * For test set-up and checks that no page offers (and for tampering).
 */
export async function sql(store, text) {
  const out = store.db.startsWith('sqlite:')
    ? (await execFile('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '\t', store.db.slice(7), text])).stdout
    : (await execFile('psql', [store.db, '-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', text])).stdout;
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
