// Black-box tests of `csec audit verify` on the real binary, on SQLite and
// PostgreSQL (scripts/run-e2e): exit codes, messages, --help, the secret
// file. Nothing over HTTP writes audit records yet, so records are written
// here straight into the store, hashed by this file's own encoder of the
// format in docs/audit.md — which also checks that the document is enough to
// write an independent verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, rm, chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { run, execFile, freshStore, startServer, storeSnapshot, STORE } from './lib/server.mjs';

const ZEROS = '0'.repeat(64);

/** Runs SQL on the store with the sqlite3 or psql command-line client. */
async function sql(store, text) {
  if (store.db.startsWith('sqlite:')) return execFile('sqlite3', ['-cmd', '.timeout 5000', store.db.slice(7), text]);
  return execFile('psql', [store.db, '-q', '-v', 'ON_ERROR_STOP=1', '-c', text]);
}

/** What an attacker with write access to the store does first. */
function dropTriggers(store) {
  const on = (t) => (STORE === 'postgres' ? ` ON ${t}` : '');
  return sql(store, [
    `DROP TRIGGER audit_log_no_update${on('audit_log')};`,
    `DROP TRIGGER audit_log_no_delete${on('audit_log')};`,
    `DROP TRIGGER audit_checkpoint_no_delete${on('audit_checkpoint')};`,
  ].join(' '));
}

// docs/audit.md: F(NULL) = 'N'; F(v) = 'T' + 8-byte big-endian length + UTF-8 bytes.
function F(v) {
  if (v === null || v === undefined) return Buffer.from('N');
  const b = Buffer.from(String(v), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(b.length));
  return Buffer.concat([Buffer.from('T'), len, b]);
}

const FIELDS = ['seq', 'at', 'actor_user_id', 'actor', 'org_id', 'action', 'target_type',
  'target_id', 'outcome', 'source', 'detail', 'prev_hash'];

function recordHash(r) {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from('csec-audit-v1\n'), ...FIELDS.map((f) => F(r[f]))]))
    .digest('hex');
}

function checkpointMac(keyHex, count, lastHash) {
  return createHmac('sha256', Buffer.from(keyHex, 'hex'))
    .update(Buffer.concat([Buffer.from('csec-audit-checkpoint-v1\n'), F(count), F(lastHash)]))
    .digest('hex');
}

const lit = (v) => (v === null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

function insertRecord(r) {
  const cols = [...FIELDS, 'hash'];
  return `INSERT INTO audit_log (${cols.join(', ')}) VALUES (${cols.map((c) => lit(r[c])).join(', ')});`;
}

/** n records chained as csec writes them, and their checkpoint under keyHex. */
function chain(n, keyHex) {
  const records = [];
  let prev = ZEROS;
  for (let i = 1; i <= n; i++) {
    const r = {
      seq: String(i), at: `2025-03-0${i}T10:00:00.000Z`, actor_user_id: i % 2 ? String(i) : null,
      actor: i % 2 ? `officer${i}@agency.example` : 'system', org_id: i === 1 ? null : '7',
      action: 'auth.signin', target_type: i % 2 ? 'user' : null, target_id: i % 2 ? String(i) : null,
      outcome: ['success', 'failure', 'denied'][i % 3], source: i % 2 ? '203.0.113.9' : null,
      detail: i === 2 ? '{"reason":"bad password","note":"Jürgen"}' : null, prev_hash: prev,
    };
    r.hash = recordHash(r);
    prev = r.hash;
    records.push(r);
  }
  const mac = checkpointMac(keyHex, String(n), prev);
  const cp = `INSERT INTO audit_checkpoint (id, count, last_hash, mac) VALUES (1, ${n}, '${prev}', '${mac}');`;
  return { records, sql: records.map(insertRecord).join(' ') + ' ' + cp, last: prev };
}

/** A migrated store with a secret file; {store, key, secretFile, args}. */
async function migratedStore() {
  const store = await freshStore();
  const m = await run(['migrate', ...store.args]);
  assert.equal(m.code, 0, m.stderr);
  const key = randomBytes(32).toString('hex');
  const secretFile = join(store.data, 'secret.key');
  await writeFile(secretFile, key + '\n', { mode: 0o600 });
  return { store, key, secretFile, args: ['audit', 'verify', ...store.args] };
}

async function verify(args, opts) {
  const r = await run(args, opts);
  assert.equal(r.stdout, '', 'verify prints nothing on stdout');
  return r;
}

test('csec audit --help, csec audit verify --help, and bad usage', async () => {
  for (const argv of [['audit', '--help'], ['audit', '-h'], ['audit', 'verify', '--help']]) {
    const r = await run(argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.match(r.stdout, /^usage: csec audit verify/);
  }
  const h = await run(['audit', 'verify', '--help']);
  for (const opt of ['--data', '--db', '--secret-file']) assert.match(h.stdout, new RegExp(opt));
  const none = await run(['audit']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: csec audit/);
  const unknown = await run(['audit', 'repair']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown subcommand "repair"/);
  const bad = await run(['audit', 'verify', '--frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unexpected argument "--frobnicate"/);
  const noValue = await run(['audit', 'verify', '--secret-file']);
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /--secret-file needs a value/);
});

test('an empty log is intact; the secret file is required and never created', async () => {
  const store = await freshStore();
  assert.equal((await run(['migrate', ...store.args])).code, 0);
  const secretFile = join(store.data, 'secret.key');
  const missing = await verify(['audit', 'verify', ...store.args]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot open secret file .*secret\.key/);
  assert.match(missing.stderr, /--secret-file/);
  await assert.rejects(stat(secretFile), 'the secret file is not created');

  await writeFile(secretFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  const ok = await verify(['audit', 'verify', ...store.args]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stderr, 'audit log intact: 0 records\n');

  // elsewhere, by flag or environment variable
  const other = join(store.data, 'elsewhere.key');
  await writeFile(other, randomBytes(32).toString('hex'), { mode: 0o600 });
  assert.equal((await verify(['audit', 'verify', ...store.args, '--secret-file', other])).code, 0);
  assert.equal((await verify(['audit', 'verify', ...store.args], { env: { CSEC_SECRET_FILE: other } })).code, 0);
  const gone = await verify(['audit', 'verify', ...store.args, '--secret-file', join(store.data, 'nope.key')]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /nope\.key/);

  await chmod(secretFile, 0o644);
  const open = await verify(['audit', 'verify', ...store.args]);
  assert.equal(open.code, 1);
  assert.match(open.stderr, /chmod 600/);
  await writeFile(other, 'not hex at all', { mode: 0o600 });
  const junk = await verify(['audit', 'verify', ...store.args, '--secret-file', other]);
  assert.equal(junk.code, 1);
  assert.match(junk.stderr, /64 hex digits/);
  await rm(store.data, { recursive: true, force: true });
});

test('a store that was never migrated: exit 1, run csec migrate', async () => {
  const store = await freshStore();
  await writeFile(join(store.data, 'secret.key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  const r = await verify(['audit', 'verify', ...store.args]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /run csec migrate/);
  await rm(store.data, { recursive: true, force: true });
});

test('a chain written by the documented format verifies; a change names its record', async () => {
  const { store, key, secretFile, args } = await migratedStore();
  const c = chain(5, key);
  await sql(store, c.sql);
  const ok = await verify(args);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stderr, 'audit log intact: 5 records\n');

  // verifying writes nothing
  const before = await storeSnapshot(store);
  await verify(args);
  assert.equal(await storeSnapshot(store), before);

  // another deployment's secret
  await writeFile(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const wrong = await verify(args);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /the checkpoint's MAC is wrong: it was not written with this deployment's secret/);
  await writeFile(secretFile, key, { mode: 0o600 });

  // the store refuses changes, until the attacker drops the triggers
  await assert.rejects(sql(store, "UPDATE audit_log SET outcome = 'success' WHERE seq = 3"), /append-only/);
  await assert.rejects(sql(store, 'DELETE FROM audit_log WHERE seq = 5'), /append-only/);
  assert.equal((await verify(args)).code, 0);
  await dropTriggers(store);
  await sql(store, "UPDATE audit_log SET actor = 'mallory@example.org' WHERE seq = 3");
  const changed = await verify(args);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /NOT intact: record 3: its hash does not match its content/);
  await sql(store, "UPDATE audit_log SET actor = 'officer3@agency.example' WHERE seq = 3");
  assert.equal((await verify(args)).code, 0);

  await sql(store, 'DELETE FROM audit_log WHERE seq = 2');
  const deleted = await verify(args);
  assert.equal(deleted.code, 1);
  assert.match(deleted.stderr, /record 2 is missing/);
  await sql(store, insertRecord(c.records[1]));
  assert.equal((await verify(args)).code, 0);

  await sql(store, 'DELETE FROM audit_log WHERE seq >= 4');
  const cut = await verify(args);
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, /the log ends at record 3 but the checkpoint says 5/);

  await sql(store, 'DELETE FROM audit_checkpoint');
  const noCheckpoint = await verify(args);
  assert.equal(noCheckpoint.code, 1);
  assert.match(noCheckpoint.stderr, /the checkpoint is missing/);
  await rm(store.data, { recursive: true, force: true });
});

test('a bogus record or checkpoint in an empty log is named', async () => {
  const { store, args } = await migratedStore();
  await sql(store, `INSERT INTO audit_log (seq, at, actor, action, outcome, prev_hash, hash)
    VALUES (1, '2025-01-01T00:00:00.000Z', 'system', 'auth.signin', 'success', '${ZEROS}', '${ZEROS}')`);
  const bogus = await verify(args);
  assert.equal(bogus.code, 1);
  assert.match(bogus.stderr, /record 1: its hash does not match its content/);

  const { store: s2, key: k2, args: a2 } = await migratedStore();
  await sql(s2, `INSERT INTO audit_checkpoint (id, count, last_hash, mac) VALUES (1, 2, '${ZEROS}', '${ZEROS}')`);
  const forged = await verify(a2);
  assert.equal(forged.code, 1);
  assert.match(forged.stderr, /the checkpoint's MAC is wrong/);
  // a properly keyed checkpoint of 2 records with none in the log: cut off
  await dropTriggers(s2);
  await sql(s2, `DELETE FROM audit_checkpoint; INSERT INTO audit_checkpoint (id, count, last_hash, mac)
    VALUES (1, 2, '${ZEROS}', '${checkpointMac(k2, '2', ZEROS)}')`);
  const empty = await verify(a2);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /the log is empty but the checkpoint says 2/);
  await rm(store.data, { recursive: true, force: true });
  await rm(s2.data, { recursive: true, force: true });
});

test('verify runs beside a server, with the secret the server made', async () => {
  const srv = await startServer();
  const r = await verify(['audit', 'verify', ...srv.store.args]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /audit log intact: \d+ records?/);
  assert.equal((await srv.stop()).code, 0);
  await srv.cleanup();
});
