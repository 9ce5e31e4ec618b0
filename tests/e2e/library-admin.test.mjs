// tests/e2e/library-admin.test.mjs — the site admin's content page (issue 5,
// points 3 and 4; DESIGN.md §6 and §7; docs/content-admin.md), on the real
// binary and on both stores: who reaches it; an upload of a .zip checked
// (a bad pack, a file that is no zip, an entry that leaves the pack, a zip
// bomb, a header that lies, a body over the limit: each refused, nothing
// changed), summed up, then imported on a second POST, or discarded; the
// CSRF token on every action; roll back through the confirmation page; a
// review recorded (the draft banner goes) and cleared (it comes back); the
// active pack downloaded as a .zip that uploads again unchanged; and the
// audit record of every change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { client, seedWorld, signIn } from './lib/accounts.mjs';
import { makeZip, readZip } from './lib/zip.mjs';

const CONTENT = new URL('../../content', import.meta.url).pathname;
const PUBLIC_PAGE = '/guide/about-this-guide'; // a public page of the starter pack
const BANNER = 'class="draft-banner"';

let srv, store, world, admin;
let starter; // [{name, data}] the starter pack's files, as content/ holds them

async function one(q) { return (await sql(store, q))[0]?.[0]; }
const count = async (q) => Number(await one(q));

/** The newest audit record of ACTION, with its detail parsed. */
async function lastAudit(action) {
  const rows = await sql(store, `SELECT actor, outcome, target_type, target_id, source, detail FROM audit_log WHERE action = '${action}' ORDER BY seq DESC LIMIT 1`);
  if (!rows.length) return null;
  const [actor, outcome, targetType, targetId, source, detail] = rows[0];
  return { actor, outcome, targetType, targetId, source, detail: detail ? JSON.parse(detail) : null };
}

/** The starter pack's files (pack.json and the pages) from content/. */
async function readStarter() {
  const files = [{ name: 'pack.json', data: await readFile(join(CONTENT, 'pack.json'), 'utf8') }];
  for (const dir of ['guide', 'practices', 'resources']) {
    for (const n of (await readdir(join(CONTENT, dir))).filter((x) => x.endsWith('.md')).sort()) {
      files.push({ name: `${dir}/${n}`, data: await readFile(join(CONTENT, dir, n), 'utf8') });
    }
  }
  return files;
}

/** The starter pack as version VERSION, its files changed by EDIT(files). */
function packZip(version, edit) {
  let files = starter.map((f) => ({ ...f }));
  const meta = JSON.parse(files[0].data);
  meta.version = version;
  files[0].data = JSON.stringify(meta, null, 2);
  if (edit) files = edit(files) || files;
  const zip = makeZip(files);
  zip.gone = files.gone;
  return zip;
}

/** Sends ZIP to the upload form as C (multipart, as a browser does). */
async function upload(c, zip, { name = 'pack.zip', type = 'application/zip', csrf = true } = {}) {
  const fd = new FormData();
  if (csrf) fd.append('_csrf', await c.token('/admin/content'));
  fd.append('pack', new Blob([zip], { type }), name);
  return c.fetch('/admin/content/upload', { method: 'POST', headers: { Origin: srv.url }, body: fd });
}

/** The problems an upload page lists. */
const problems = (html) => [...html.matchAll(/<li><code>([^<]*)<\/code><\/li>/g)].map((m) => m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
const field = (html, name) => (new RegExp(`name="${name}" value="([^"]*)"`).exec(html) || [])[1];
const countOf = (html, id) => Number((new RegExp(`id="count-${id}">(\\d+)<`).exec(html) || [])[1]);

before(async () => {
  starter = await readStarter();
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  admin = await signIn(srv, world.admin);
});
after(async () => { await srv?.stop(); await srv?.cleanup(); });

const GETS = ['/admin/content', '/admin/content/rollback?version=1', '/admin/content/export.zip'];
const POSTS = ['/admin/content/upload', '/admin/content/import', '/admin/content/discard',
  '/admin/content/rollback', '/admin/content/review', '/admin/content/review/clear'];

test('only a site admin reaches the content page and its actions', async () => {
  const members = {};
  for (const role of ['officer', 'editor', 'org_admin', 'leader']) members[role] = await signIn(srv, world.a[role]);
  const before = await storeSnapshot(srv);
  const post = (c, path) => {
    const opts = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url }, body: 'version=1' };
    return c ? c.fetch(path, opts) : fetch(srv.url + path, { ...opts, redirect: 'manual' });
  };
  for (const path of GETS) assert.equal((await fetch(srv.url + path, { redirect: 'manual' })).status, 401, `anonymous GET ${path}`);
  for (const path of POSTS) assert.equal((await post(null, path)).status, 401, `anonymous POST ${path}`);
  for (const [role, c] of Object.entries(members)) {
    for (const path of GETS) assert.equal((await c.fetch(path)).status, 403, `${role} GET ${path}`);
    for (const path of POSTS) assert.equal((await post(c, path)).status, 403, `${role} POST ${path}`);
  }
  assert.equal(await storeSnapshot(srv), before, 'nothing changed');

  const res = await admin.fetch('/admin/content');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Content packs<\/h1>/);
  assert.match(html, /<code>csec-starter<\/code>/, 'the active pack');
  assert.match(html, /Draft — not yet reviewed/, 'its review status');
  assert.match(html, /Starter pack \(built in\)/, 'where the version came from');
  assert.match(html, /enctype="multipart\/form-data"/, 'the upload form');
  assert.match(await (await admin.fetch('/admin')).text(), /href="\/admin\/content"/, 'linked from /admin');
});

test('a missing CSRF token changes nothing (403)', async () => {
  const before = await storeSnapshot(srv);
  const res = await upload(admin, packZip('2027.1.1'), { csrf: false });
  assert.equal(res.status, 403);
  for (const path of ['/admin/content/import', '/admin/content/rollback', '/admin/content/review', '/admin/content/review/clear', '/admin/content/discard']) {
    const r = await admin.post(path, { version: '1', reviewer: 'A', role: 'B', date: '2026-01-01', sha256: '0'.repeat(64) });
    assert.equal(r.status, 403, path);
  }
  assert.equal(await storeSnapshot(srv), before);
});

test('a pack with problems is refused with each problem as file:line: message (422), nothing changed', async () => {
  const before = await storeSnapshot(srv);
  const zip = packZip('2027.1.1', (files) => {
    const f = files.find((x) => x.name === 'guide/10-definitions-and-law.md');
    f.data = f.data.replace(/^title: .*$/m, 'title: ""').replace(/\n\n/, '\n\nHello {{agency.nonsense}}.\n\n');
    files.push({ name: 'guide/99-no-front-matter.md', data: '# No front matter\n' });
  });
  const res = await upload(admin, zip, { name: 'broken.zip' });
  assert.equal(res.status, 422);
  const html = await res.text();
  const list = problems(html);
  assert.ok(list.length >= 2, `problems listed: ${list.join(' | ')}`);
  for (const p of list) assert.match(p, /^[^:]+(:\d+)?: \S/, `file:line: message — ${p}`);
  assert.ok(list.some((p) => p.startsWith('guide/10-definitions-and-law.md:')), list.join(' | '));
  assert.ok(list.some((p) => p.startsWith('guide/99-no-front-matter.md')), list.join(' | '));
  assert.match(html, /broken\.zip/, 'names the file');
  assert.match(html, /role="alert"/);
  assert.equal(await storeSnapshot(srv), before, 'nothing changed');
});

test('files that are no pack archive are refused (422), nothing changed', async () => {
  const before = await storeSnapshot(srv);
  const cases = [
    ['not a zip', () => upload(admin, Buffer.from('just text, not a zip archive'), { name: 'pack.zip' })],
    ['wrong extension', () => upload(admin, packZip('2027.1.1'), { name: 'pack.tar' })],
    ['wrong type', () => upload(admin, packZip('2027.1.1'), { type: 'text/plain' })],
    ['empty', () => upload(admin, Buffer.alloc(0))],
    ['a torn zip', () => upload(admin, packZip('2027.1.1').subarray(0, 5000))],
    ['no file', async () => {
      const fd = new FormData();
      fd.append('_csrf', await admin.token('/admin/content'));
      return admin.fetch('/admin/content/upload', { method: 'POST', headers: { Origin: srv.url }, body: fd });
    }],
  ];
  for (const [what, send] of cases) {
    const res = await send();
    assert.equal(res.status, 422, what);
    assert.match(await res.text(), /role="alert"/, what);
  }
  assert.equal(await storeSnapshot(srv), before, 'nothing changed');
});

test('an entry that leaves the pack, a zip bomb and a lying header are refused; an oversized body answers 413', async () => {
  const before = await storeSnapshot(srv);
  const base = () => starter.map((f) => ({ ...f }));
  const traversal = makeZip([...base(), { name: '../../etc/evil.md', data: 'x' }]);
  let res = await upload(admin, traversal);
  assert.equal(res.status, 422, 'path traversal');
  assert.ok(problems(await res.text()).some((p) => /leaves the pack/.test(p)));

  const absolute = makeZip([...base(), { name: '/guide/abs.md', data: 'x' }]);
  assert.equal((await upload(admin, absolute)).status, 422, 'absolute path');

  const link = makeZip([...base(), { name: 'guide/link.md', data: '/etc/passwd', mode: 0o120777 }]);
  assert.equal((await upload(admin, link)).status, 422, 'symbolic link');

  // 64 MiB of zeros deflates to about 64 KiB: one page far over its limit.
  const bomb = makeZip([...base(), { name: 'guide/95-bomb.md', data: Buffer.alloc(64 << 20) }]);
  assert.ok(bomb.length < 1 << 20, `the bomb is small (${bomb.length} bytes)`);
  res = await upload(admin, bomb);
  assert.equal(res.status, 422, 'zip bomb');
  assert.ok(problems(await res.text()).some((p) => p.startsWith('guide/95-bomb.md')));

  // A header that says 10 bytes where the data inflates to 1 MiB.
  const liar = makeZip([...base(), { name: 'guide/96-liar.md', data: Buffer.alloc(1 << 20, 0x61), size: 10 }]);
  assert.equal((await upload(admin, liar)).status, 422, 'lying size');

  // Many small files past the pack's file count.
  const many = makeZip([...base(), ...Array.from({ length: 4100 }, (_, i) => ({ name: `resources/x${i}.md`, data: '' }))]);
  assert.equal((await upload(admin, many)).status, 422, 'too many entries');

  const big = Buffer.concat([packZip('2027.1.1'), Buffer.alloc(9 << 20)]);
  res = await upload(admin, big);
  assert.equal(res.status, 413, 'over the upload limit');
  assert.equal(await storeSnapshot(srv), before, 'nothing changed');
});

test('a good pack is summed up, then imported by a second POST (audited); a second confirmation finds nothing', async () => {
  await sql(store, "UPDATE library_pages SET locally_edited = 1 WHERE slug = 'how-the-crime-works' AND org_id IS NULL");
  const versionsBefore = await count('SELECT count(*) FROM library_versions');
  const zip = packZip('2027.2.1', (files) => {
    const about = files.find((x) => x.name === 'guide/05-about-this-guide.md');
    about.data = about.data.replace(/\n---\n/, '\n---\n\nA line only version 2027.2.1 has.\n');
    const crime = files.find((x) => x.name === 'guide/20-how-the-crime-works.md');
    crime.data = crime.data.replace(/\n---\n/, '\n---\n\nAn update the local edit keeps waiting.\n');
    const added = { ...about, name: 'guide/06-added.md' };
    added.data = about.data.replace(/^slug: .*$/m, 'slug: added-page').replace(/^title: .*$/m, 'title: "An added page"');
    const removed = files.findIndex((x) => x.name.startsWith('resources/'));
    const gone = files[removed].name;
    files.splice(removed, 1);
    files.push(added);
    files.gone = gone;
  });
  let res = await upload(admin, zip, { name: 'metro <pack>.zip' });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Import this pack\?/);
  assert.match(html, /metro &lt;pack&gt;\.zip/, 'the file name, escaped');
  assert.equal(countOf(html, 'added'), 1, 'added');
  assert.equal(countOf(html, 'updated'), 1, 'changed');
  assert.equal(countOf(html, 'removed'), 1, 'removed');
  assert.equal(countOf(html, 'kept'), 1, 'kept as edited locally');
  assert.equal(countOf(html, 'unchanged'), starter.length - 1 - 3, 'unchanged');
  assert.match(html, /It replaces version 2026\.11\.28/);
  // The pages behind the counts, named.
  assert.match(html, /<li>An added page <code>added-page<\/code><\/li>/);
  assert.match(html, /<li>[^<]+ <code>how-the-crime-works<\/code><\/li>/, 'the page edited locally');
  const goneSlug = /^slug: *"?([a-z0-9-]+)/m.exec(starter.find((f) => f.name === zip.gone).data)[1];
  assert.ok(html.includes(`<code>${goneSlug}</code></li>`), `the removed page ${goneSlug}`);
  assert.equal(await count('SELECT count(*) FROM library_versions'), versionsBefore, 'nothing imported yet');
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 1, 'the upload waits');
  assert.equal(await one("SELECT count(*) FROM audit_log WHERE action = 'library.pack.import' AND actor = 'admin@site.example'"), '0');

  const sha = field(html, 'sha256');
  assert.match(sha, /^[0-9a-f]{64}$/);
  const t0 = Date.now();
  res = await admin.post('/admin/content/import', { _csrf: field(html, '_csrf'), sha256: sha });
  const took = Date.now() - t0;
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/content?done=imported');
  console.log(`# importing the starter pack (${starter.length} files, ${zip.length} bytes zipped) took ${took} ms on ${process.env.CSEC_TEST_STORE || 'sqlite'}`);
  assert.equal(await count('SELECT count(*) FROM library_versions'), versionsBefore + 1);
  assert.equal(await one("SELECT version || ' ' || source || ' ' || active FROM library_versions ORDER BY id DESC LIMIT 1"), '2027.2.1 upload 1');
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 0, 'the upload is gone');
  assert.match(await (await fetch(srv.url + PUBLIC_PAGE)).text(), /A line only version 2027\.2\.1 has\./, 'the new text is read');
  assert.equal((await fetch(srv.url + '/guide/added-page')).status, 200, 'the added page');
  const a = await lastAudit('library.pack.import');
  assert.equal(a.actor, 'admin@site.example');
  assert.equal(a.outcome, 'success');
  assert.equal(a.detail.source, 'upload');
  assert.equal(a.detail.added, 1);
  assert.equal(a.detail.waiting, 1);
  const page = await (await admin.fetch('/admin/content?done=imported')).text();
  assert.match(page, /The pack was imported/);
  assert.match(page, /<dd>2027\.2\.1<\/dd>/, 'the active version');

  res = await admin.post('/admin/content/import', { _csrf: field(html, '_csrf'), sha256: sha });
  assert.equal(res.status, 409, 'imported once');
  assert.equal(await count('SELECT count(*) FROM library_versions'), versionsBefore + 1);
  await sql(store, "UPDATE library_pages SET locally_edited = 0 WHERE slug = 'how-the-crime-works' AND org_id IS NULL");
});

test('an upload can be discarded; a newer upload replaces an older one; another session cannot import it', async () => {
  let res = await upload(admin, packZip('2027.3.1'));
  assert.equal(res.status, 200);
  const first = await res.text();
  res = await upload(admin, packZip('2027.3.2'));
  assert.equal(res.status, 200);
  const second = await res.text();
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 1, 'one upload per session');
  // The older summary does not import the newer upload.
  res = await admin.post('/admin/content/import', { _csrf: field(first, '_csrf'), sha256: field(first, 'sha256') });
  assert.equal(res.status, 409);
  // Another session of the same person does not see it.
  const other = await signIn(srv, world.admin);
  res = await other.form('/admin/content/import', { sha256: field(second, 'sha256') }, '/admin/content');
  assert.equal(res.status, 409);
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 1);

  const versions = await count('SELECT count(*) FROM library_versions');
  res = await admin.post('/admin/content/discard', { _csrf: field(second, '_csrf') });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/content?done=discarded');
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 0);
  res = await admin.post('/admin/content/import', { _csrf: field(second, '_csrf'), sha256: field(second, 'sha256') });
  assert.equal(res.status, 409, 'nothing left to import');
  assert.equal(await count('SELECT count(*) FROM library_versions'), versions);

  // An upload more than an hour old is not imported.
  res = await upload(admin, packZip('2027.3.3'));
  const old = await res.text();
  await sql(store, 'UPDATE library_uploads SET created_at = created_at - 3601');
  res = await admin.post('/admin/content/import', { _csrf: field(old, '_csrf'), sha256: field(old, 'sha256') });
  assert.equal(res.status, 409, 'expired');
  assert.equal(await count('SELECT count(*) FROM library_versions'), versions);
  await sql(store, 'DELETE FROM library_uploads');

  // Signing out deletes the session's upload with it.
  const leaving = await signIn(srv, world.admin);
  assert.equal((await upload(leaving, packZip('2027.3.4'))).status, 200);
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 1);
  assert.equal((await leaving.form('/logout', {}, '/admin/content')).status, 303);
  assert.equal(await count('SELECT count(*) FROM library_uploads'), 0, 'gone with the session');
});

test('roll back through the confirmation page (audited)', async () => {
  const starterId = await one("SELECT id FROM library_versions WHERE version = '2026.11.28' ORDER BY id LIMIT 1");
  const activeId = await one("SELECT id FROM library_versions WHERE active = 1");
  let html = await (await admin.fetch('/admin/content')).text();
  assert.ok(html.includes(`href="/admin/content/rollback?version=${starterId}"`), 'the versions list links to the roll back');

  let res = await admin.fetch(`/admin/content/rollback?version=${starterId}`);
  assert.equal(res.status, 200);
  html = await res.text();
  assert.match(html, /Roll back to version 2026\.11\.28\?/);
  assert.match(html, /The active version now is 2027\.2\.1/);
  assert.equal((await admin.fetch('/admin/content/rollback?version=999999')).status, 404);
  assert.equal((await admin.fetch('/admin/content/rollback?version=x')).status, 404);

  const before = await storeSnapshot(srv);
  res = await admin.form('/admin/content/rollback', { version: activeId }, '/admin/content');
  assert.equal(res.status, 409, 'the active version already');
  res = await admin.form('/admin/content/rollback', { version: '999999' }, '/admin/content');
  assert.equal(res.status, 404);
  assert.equal(await storeSnapshot(srv), before, 'nothing changed');

  res = await admin.post('/admin/content/rollback', { _csrf: field(html, '_csrf'), version: starterId });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/content?done=rolled_back');
  assert.equal(await one('SELECT id FROM library_versions WHERE active = 1'), starterId);
  assert.doesNotMatch(await (await fetch(srv.url + PUBLIC_PAGE)).text(), /A line only version 2027\.2\.1 has\./);
  assert.equal((await fetch(srv.url + '/guide/added-page')).status, 404, 'a page the version did not hold');
  const a = await lastAudit('library.pack.rollback');
  assert.equal(a.actor, 'admin@site.example');
  assert.equal(a.targetId, starterId);
  assert.match(await (await admin.fetch('/admin/content?done=rolled_back')).text(), /The pack was rolled back/);
});

test('a review is recorded (the draft banner goes, audited) and cleared (it comes back)', async () => {
  const id = await one('SELECT id FROM library_versions WHERE active = 1');
  assert.match(await (await fetch(srv.url + PUBLIC_PAGE)).text(), new RegExp(BANNER), 'a draft shows its banner');

  const before = await storeSnapshot(srv);
  const bad = [
    [{ reviewer: '', role: 'Sergeant', date: '2026-03-14' }, /Enter the reviewer/],
    [{ reviewer: 'Dana Ruiz', role: '  ', date: '2026-03-14' }, /Enter the reviewer&#39;s role/],
    [{ reviewer: 'Dana Ruiz', role: 'Sergeant', date: '2026-02-30' }, /Enter a real date/],
    [{ reviewer: 'Dana Ruiz', role: 'Sergeant', date: '14/03/2026' }, /Enter a real date/],
    [{ reviewer: 'Dana Ruiz', role: 'Sergeant', date: '2999-01-01' }, /cannot be in the future/],
    [{ reviewer: 'D'.repeat(201), role: 'Sergeant', date: '2026-03-14' }, /200 characters/],
    [{ reviewer: 'Dana\u0007Ruiz', role: 'Sergeant', date: '2026-03-14' }, /control characters/],
  ];
  for (const [fields, message] of bad) {
    const res = await admin.form('/admin/content/review', { version: id, ...fields }, '/admin/content');
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, /role="alert"/);
    assert.match(html, /aria-invalid="true"/);
    if (fields.role.trim()) assert.ok(html.includes(`value="${fields.role}"`), 'the input is kept');
  }
  assert.equal((await admin.form('/admin/content/review', { version: '999999', reviewer: 'A', role: 'B', date: '2026-03-14' }, '/admin/content')).status, 404);
  assert.equal(await storeSnapshot(srv), before, 'nothing changed');

  let res = await admin.form('/admin/content/review', { version: id, reviewer: ' Dana Ruiz ', role: 'Human trafficking unit commander', date: '2026-03-14' }, '/admin/content');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/content?done=reviewed');
  assert.equal(await one(`SELECT reviewer || '|' || reviewer_role || '|' || reviewed_on FROM library_versions WHERE id = ${id}`), 'Dana Ruiz|Human trafficking unit commander|2026-03-14');
  assert.doesNotMatch(await (await fetch(srv.url + PUBLIC_PAGE)).text(), new RegExp(BANNER), 'the banner is gone');
  let a = await lastAudit('library.pack.review');
  assert.equal(a.actor, 'admin@site.example');
  assert.equal(a.targetId, id);
  assert.deepEqual(a.detail, { reviewer: 'Dana Ruiz', role: 'Human trafficking unit commander', date: '2026-03-14' });
  const html = await (await admin.fetch('/admin/content?done=reviewed')).text();
  assert.match(html, /Reviewed by Dana Ruiz \(Human trafficking unit commander\) on 2026-03-14/);

  res = await admin.form('/admin/content/review/clear', { version: id }, '/admin/content');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/content?done=review_cleared');
  assert.match(await (await fetch(srv.url + PUBLIC_PAGE)).text(), new RegExp(BANNER), 'the banner is back');
  a = await lastAudit('library.pack.review.clear');
  assert.equal(a.actor, 'admin@site.example');
  assert.deepEqual(a.detail.cleared, { reviewer: 'Dana Ruiz', role: 'Human trafficking unit commander', date: '2026-03-14' });
  res = await admin.form('/admin/content/review/clear', { version: id }, '/admin/content');
  assert.equal(res.status, 404, 'no review left to clear');
});

test('the active pack downloads as a .zip (audited) that uploads again with nothing to change', async () => {
  const res = await admin.fetch('/admin/content/export.zip');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/zip');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="csec-starter-2026\.11\.28\.zip"$/);
  const zip = Buffer.from(await res.arrayBuffer());
  const entries = readZip(zip);
  assert.ok(entries.has('pack.json'));
  assert.equal(JSON.parse(entries.get('pack.json')).id, 'csec-starter');
  assert.equal([...entries.keys()].filter((n) => n.endsWith('.md') && !n.startsWith('course/')).length, starter.length - 1);
  assert.ok(entries.has('course/officers/course.json') && entries.has('course/officers/lessons/10-what-it-is.md'), 'the starter course is in the download');
  const a = await lastAudit('library.pack.export');
  assert.equal(a.actor, 'admin@site.example');
  assert.equal((await admin.fetch('/admin/content/export.zip?pack=no-such-pack')).status, 404);
  assert.equal((await admin.fetch("/admin/content/export.zip?pack=..%2Fx")).status, 404);

  const back = await upload(admin, zip, { name: 'csec-starter-2026.11.28.zip' });
  assert.equal(back.status, 200, 'the download is a valid pack');
  const html = await back.text();
  assert.equal(countOf(html, 'added') + countOf(html, 'updated') + countOf(html, 'removed'), 0, 'nothing would change');
  assert.equal(countOf(html, 'unchanged'), starter.length - 1);
  assert.equal((await admin.post('/admin/content/discard', { _csrf: field(html, '_csrf') })).status, 303);
});
