// The audit log's JSON-lines export (/admin/audit.jsonl) on a long log:
// 20,000 records inserted straight into the store come out whole, newest
// first, one valid line each, with the viewer's filters, while the server
// streams the file in bounded pieces. The inserted records sit at seq
// 1,000,001 and up, out of the way of the server's own appends (which go
// on from the checkpoint's count); their hashes are fake, and this store is
// never verified. The server's anonymous memory (RssAnon) during the export
// is reported as a diagnostic (docs/administration.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, freshStore, sql } from './lib/server.mjs';
import { seedWorld, signIn } from './lib/accounts.mjs';

const BULK = 20000;
const TOP = 1000000; // the bulk records are TOP + 1 .. TOP + BULK
let srv, store, admin, top;

before(async () => {
  store = await freshStore();
  await seedWorld(store);
  top = TOP;
  // Half "bulk.even", half "bulk.odd"; a detail and hashes of realistic size.
  await sql(store, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BULK})
    INSERT INTO audit_log (seq, at, actor, action, target_type, target_id, outcome, source, detail, prev_hash, hash)
    SELECT ${top} + i, '2026-01-02T03:04:05.000Z', 'bulk@a.example',
      CASE WHEN i % 2 = 0 THEN 'bulk.even' ELSE 'bulk.odd' END, 'user', CAST(i AS TEXT), 'success',
      '192.0.2.1', '{"n":' || CAST(i AS TEXT) || ',"note":"a record inserted by the export test"}',
      '${'a'.repeat(64)}', '${'b'.repeat(64)}' FROM n`);
  srv = await startServer({ store });
  admin = await signIn(srv, 'admin@site.example');
});
after(async () => { await srv.stop(); await srv.cleanup(); });

/** RssAnon of the server, in KiB. */
async function rssAnon() {
  const status = await readFile(`/proc/${srv.proc.pid}/status`, 'utf8');
  return Number(/^RssAnon:\s+(\d+) kB/m.exec(status)[1]);
}

/** Fetches PATH while sampling the server's RssAnon; the body's lines and the peak. */
async function exportWatched(path) {
  const base = await rssAnon();
  let peak = base, done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, await rssAnon());
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const res = await admin.fetch(path);
  const text = await res.text();
  done = true;
  await sampler;
  return { res, text, base, peak };
}

test(`an export of ${BULK} and more records: whole, in order, valid JSON lines`, async (t) => {
  const { res, text, base, peak } = await exportWatched('/admin/audit.jsonl');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="csec-audit-\d{8}T\d{6}Z\.jsonl"$/);
  assert.equal(res.headers.get('x-csec-export-next-before'), null, 'not cut short');
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  // Every record up to the export: the bulk, then the server's own (which,
  // in this layout only, sit below the bulk: hence no exact count there).
  const [[own]] = await sql(store, `SELECT count(*) FROM audit_log WHERE seq < ${TOP} AND action <> 'audit.export'`);
  assert.equal(lines.length, BULK + Number(own));
  const seqs = lines.map((line, i) => {
    const r = JSON.parse(line);
    if (i < BULK) {
      assert.equal(r.seq, TOP + BULK - i, 'the bulk: newest first, no gap, no repeat');
      assert.equal(r.action, r.seq % 2 ? 'bulk.odd' : 'bulk.even');
      assert.equal(r.detail.n, r.seq - TOP);
      assert.equal(r.hash, 'b'.repeat(64));
    }
    return r.seq;
  });
  assert.ok(seqs.every((q, i) => i === 0 || q < seqs[i - 1]), 'newest first throughout');
  const [[records]] = await sql(store, "SELECT detail FROM audit_log WHERE action = 'audit.export' ORDER BY seq DESC LIMIT 1");
  assert.deepEqual(JSON.parse(records), { filters: {}, records: lines.length, truncated: false });
  t.diagnostic(`RssAnon during the export of ${lines.length} records (${text.length} bytes): ${base} kB before, ${peak} kB at most (+${peak - base} kB)`);
});

test('the filters hold on a long export, and an org filter that matches nothing gives an empty file', async () => {
  let res = await admin.fetch('/admin/audit.jsonl?action=bulk.even');
  assert.equal(res.status, 200);
  let lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, BULK / 2);
  assert.ok(lines.every((r) => r.action === 'bulk.even' && r.seq % 2 === top % 2));
  assert.equal(lines[0].seq, top + BULK);

  res = await admin.fetch(`/admin/audit.jsonl?action=bulk.&before=${top + 101}`);
  lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((r) => r.seq), Array.from({ length: 100 }, (_, i) => top + 100 - i));

  const [[org]] = await sql(store, "SELECT id FROM organizations WHERE slug = 'county-cw'");
  res = await admin.fetch(`/admin/audit.jsonl?org=${org}&action=bulk.`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  const [[detail]] = await sql(store, "SELECT detail FROM audit_log WHERE action = 'audit.export' ORDER BY seq DESC LIMIT 1");
  assert.deepEqual(JSON.parse(detail), { filters: { org: Number(org), action: 'bulk.' }, records: 0, truncated: false });
});

test('a download dropped halfway ends the stream; the server carries on', async () => {
  const ac = new AbortController();
  const res = await admin.fetch('/admin/audit.jsonl', { signal: ac.signal });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const { value } = await reader.read();
  assert.ok(value.length > 0);
  ac.abort();
  await reader.cancel().catch(() => {});
  assert.equal((await fetch(srv.url + '/healthz')).status, 200);
  const again = await admin.fetch('/admin/audit.jsonl?action=bulk.odd');
  assert.equal((await again.text()).split('\n').filter(Boolean).length, BULK / 2);
});
