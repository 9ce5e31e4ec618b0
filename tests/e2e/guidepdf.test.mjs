// tests/e2e/guidepdf.test.mjs — /guide.pdf (issue 5, points 7 and 11): the
// print-ready guide holds exactly the guide pages the reader may see (an
// anonymous visitor and a partner never get a law-enforcement part, an
// officer does), carries the reader's agency on its cover, fills the
// placeholders from the profile as text (a hostile value opens no link),
// and opens cleanly in poppler's pdfinfo and pdftotext. An organization's
// own guide page is in its members' PDF and in no one else's. The layout itself
// (contents page numbers, tables, links) is checked in tests/unit/test_pdf.c.
// Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, freshStore, sql } from './lib/server.mjs';
import { addOrg, addUser, client, seedWorld, signIn } from './lib/accounts.mjs';

const exec = promisify(execFile);
let srv, store, world, tmp, leTitles, publicTitles;
const as = {};

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-guidepdf-'));
  store = await freshStore();
  world = await seedWorld(store);
  // Agency B: a second law-enforcement organization with an officer.
  const slugC = await addOrg(store, { name: 'Harbor County Sheriff', kind: 'law_enforcement', slug: 'harbor-so', state: 'WA' });
  await addUser(store, { email: 'officer@c.example', name: 'Officer C', org: slugC, role: 'officer' });
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  as.officerB = await signIn(srv, 'officer@c.example');
  as.anonymous = client(srv);
  as.partner = await signIn(srv, world.b.partner); // county-cw, child welfare
  as.officer = await signIn(srv, world.a.officer); // metro-pd, law enforcement
  as.orgAdmin = await signIn(srv, world.a.org_admin);
  const titles = async (vis) => (await sql(store,
    `SELECT title FROM library_pages WHERE kind = 'guide' AND visibility = '${vis}' AND org_id IS NULL ORDER BY sort_order`)).map((r) => r[0]);
  leTitles = await titles('law_enforcement');
  publicTitles = await titles('public');
  assert.ok(leTitles.length >= 3 && publicTitles.length >= 6, 'the starter guide is imported');
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Fetches /guide.pdf as WHO; returns its text (pdftotext) and page count. */
async function guide(who) {
  const res = await as[who].fetch('/guide.pdf');
  assert.equal(res.status, 200, who);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const file = join(tmp, `${who}.pdf`);
  await writeFile(file, bytes);
  const info = await exec('pdfinfo', [file]);
  assert.equal(info.stderr, '', 'pdfinfo has no warning');
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)[1]);
  const { stdout: text, stderr } = await exec('pdftotext', ['-layout', file, '-']);
  assert.equal(stderr, '', 'pdftotext has no warning');
  return { text: text.replace(/\s+/g, ' '), pages };
}

const flat = (s) => s.replace(/\s+/g, ' ');

test('anonymous visitors and partners get the public guide, never a law-enforcement part', async () => {
  for (const who of ['anonymous', 'partner']) {
    const { text, pages } = await guide(who);
    assert.ok(pages > 20, `${who}: a booklet, not a page (${pages})`);
    for (const t of publicTitles) assert.ok(text.includes(flat(t)), `${who} gets ${t}`);
    for (const t of leTitles) assert.ok(!text.includes(flat(t)), `${who} never gets ${t}`);
    assert.ok(text.includes('Draft — not yet reviewed by a subject-matter expert'), 'the draft notice');
    if (who === 'anonymous') assert.ok(!text.includes('Prepared for'), 'no agency on the cover');
    else assert.ok(text.includes('Prepared for County'), "the partner's agency on the cover");
    assert.ok(!text.includes('{{'), 'no placeholder left as it is');
  }
});

test('an officer of a law-enforcement agency gets its parts and its name on the cover', async () => {
  const { text } = await guide('officer');
  for (const t of [...publicTitles, ...leTitles]) assert.ok(text.includes(flat(t)), `officer gets ${t}`);
  assert.ok(text.includes('Prepared for Metro'), 'the agency on the cover');
});

test('placeholders are filled from the profile as text: a hostile value opens no link', async () => {
  const res = await as.orgAdmin.form('/org/settings', {
    name: 'Metro Police Department', jurisdiction: '', state: 'IL', time_zone: 'America/Chicago', ori: '',
    display_name: 'Metro [click](https://evil.example) *PD*',
    hotline: '555-0100 # not a heading',
  });
  assert.equal(res.status, 303, await res.text());
  const { text } = await guide('officer');
  assert.ok(text.includes('Metro [click](https://evil.example) *PD*'), 'the name as typed');
  assert.ok(text.includes('555-0100 # not a heading'), 'the hotline as typed');
  const { stdout } = await exec('pdftohtml', ['-xml', '-stdout', '-i', join(tmp, 'officer.pdf')]);
  assert.ok(!stdout.includes('evil.example"'), 'no link to the value');
});

test("an organization's own guide page is in its members' PDF only", async () => {
  const res = await as.orgAdmin.form('/org/pages/new', {
    slug: 'metro-local-protocol', kind: 'guide', order: '5',
    title: 'Metro local protocol pdfmarker', summary: 'Who we call first.',
    source_title_0: 'Our general order', source_publisher_0: 'Metro Police Department',
    source_url_0: 'https://metro.example/orders/12', source_checked_0: '2026-11-28',
    body: '\n## First call\n\nCall the duty sergeant pdfmarkerbody.\n',
    reviewed: '2026-11-28', message: 'First version', action: 'save',
  });
  assert.equal(res.status, 303, await res.text());
  const own = await guide('officer');
  assert.ok(own.text.includes('Metro local protocol pdfmarker') && own.text.includes('pdfmarkerbody'));
  for (const who of ['officerB', 'partner', 'anonymous']) {
    const { text } = await guide(who);
    assert.ok(!text.includes('pdfmarker'), `${who} never gets agency A's own page`);
  }
});
