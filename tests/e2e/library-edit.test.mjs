// tests/e2e/library-edit.test.mjs — editing the knowledge base in the
// browser (issue 5, points 4, 8 and 10; docs/library-editing.md): saving a
// shared page as a new revision (its HTML rendered, the page marked edited
// here, audited); each kind of bad input (422, input kept, the store
// unchanged); a missing CSRF token; the wrong roles; preview never saves;
// history, diff, rollback; publish and unpublish and what readers then see;
// an organization's own pages, seen by its members only and out of reach of
// every other organization; a save over a newer revision; and the choice a
// waiting content-pack update asks for (keep mine, take the update). Runs on
// SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { client, seedWorld, signIn } from './lib/accounts.mjs';

const FIXTURE = new URL('../fixtures/library/small', import.meta.url).pathname;

let srv, store, world, tmp;
const as = {};

async function one(q) { return (await sql(store, q))[0]?.[0]; }
async function content(...args) { return run(['content', ...args, ...store.args]); }
/** A text column as SQL that keeps it on one line (sql() splits rows at
 * line breaks): read it back with lines(). */
function flat(expr) { return `replace(replace(${expr}, '\n', '<NL>'), '\t', '<TAB>')`; }
function lines(v) { return v === undefined ? v : v.replace(/<NL>/g, '\n').replace(/<TAB>/g, '\t'); }
async function sharedId(slug) { return one(`SELECT id FROM library_pages WHERE org_id IS NULL AND slug = '${slug}'`); }

/** The audit records of ACTION, oldest first. */
async function audits(action) {
  const rows = await sql(store, `SELECT actor, target_type, target_id, outcome, detail FROM audit_log WHERE action = '${action}' ORDER BY seq`);
  return rows.map(([actor, type, id, outcome, detail]) => ({ actor, type, id, outcome, detail: detail ? JSON.parse(detail) : null }));
}

function decode(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&amp;/g, '&');
}

/** The fields of the edit form on HTML as a browser would send them. */
function formOf(html) {
  const start = html.indexOf('<form class="form library-edit-form"');
  assert.ok(start >= 0, 'the page holds the edit form');
  const form = html.slice(start, html.indexOf('</form>', start));
  const f = {};
  for (const m of form.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) f[m[1]] = decode(m[2]);
  // A browser drops the line break right after <textarea>.
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) f[m[1]] = decode(m[2].replace(/^\n/, ''));
  for (const m of form.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)" selected>/.exec(m[2]);
    if (sel) f[m[1]] = decode(sel[1]);
  }
  return f;
}

/** The edit form of PATH as C sees it, with CHANGES applied. */
async function filled(c, path, changes = {}) {
  const res = await c.fetch(path);
  assert.equal(res.status, 200, `GET ${path}`);
  return { ...formOf(await res.text()), ...changes };
}

async function packCopy(edit) {
  const dir = await mkdtemp(join(tmp, 'pack-'));
  await cp(FIXTURE, dir, { recursive: true });
  if (edit) await edit(dir);
  return dir;
}

async function replaceIn(file, from, to) {
  const text = await readFile(file, 'utf8');
  assert.ok(text.includes(from), `${file} holds ${from}`);
  await writeFile(file, text.replace(from, to));
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-library-edit-'));
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  const r = await content('import', FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  as.anonymous = client(srv);
  as.editor = await signIn(srv, world.a.editor);
  as.admin = await signIn(srv, world.admin);
  as.orgAdminA = await signIn(srv, world.a.org_admin);
  as.leaderA = await signIn(srv, world.a.leader);
  as.officerA = await signIn(srv, world.a.officer);
  as.partnerA = await signIn(srv, world.a.partner);
  as.orgAdminB = await signIn(srv, world.b.org_admin);
  as.officerB = await signIn(srv, world.b.officer);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the index lists the shared pages with their state; who may open the editor', async () => {
  const res = await as.editor.fetch('/library/edit');
  assert.equal(res.status, 200);
  const html = await res.text();
  const id = await sharedId('test-first');
  assert.ok(html.includes(`href="/library/edit/${id}"`));
  assert.ok(html.includes('First part: public'));
  assert.ok(html.includes('Published'));
  assert.equal((await as.admin.fetch('/library/edit')).status, 200, 'site admins edit too');
  assert.equal((await as.admin.fetch(`/library/edit/${id}`)).status, 200);
  for (const who of ['officerA', 'partnerA', 'orgAdminA', 'leaderA']) {
    assert.equal((await as[who].fetch('/library/edit')).status, 403, `${who}: /library/edit`);
    assert.equal((await as[who].fetch(`/library/edit/${id}`)).status, 403, `${who}: the form`);
  }
  assert.equal((await as.anonymous.fetch(`/library/edit/${id}`)).status, 401);
  assert.equal((await as.editor.fetch('/library/edit/999999')).status, 404);
  assert.equal((await as.editor.fetch('/library/edit/abc')).status, 404);
});

test('save: a new revision with its HTML, the page edited here, audited; 303', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  const revs = Number(await one(`SELECT count(*) FROM library_revisions WHERE page_id = ${id}`));
  const f = await filled(as.editor, path);
  assert.equal(f.title, 'First part: public');
  assert.ok(f.body.startsWith('\nCall {{agency.name}}'), 'the Markdown round-trips, leading line break included');
  assert.equal(f.source_url_0, 'https://ojjdp.ojp.gov/programs/human-trafficking-resources');
  const res = await as.editor.post(path, {
    ...f,
    title: 'First part: public, edited',
    body: f.body.replace(/\n/g, '\r\n') + '\r\n## Saved section\r\n\r\nA saved paragraph, with **bold**.\r\n',
    message: 'Added a saved section',
    action: 'save',
  });
  assert.equal(res.status, 303, await res.text());
  assert.equal(res.headers.get('location'), `${path}?done=saved`);
  assert.equal(Number(await one(`SELECT count(*) FROM library_revisions WHERE page_id = ${id}`)), revs + 1);
  const [row] = await sql(store, `SELECT ${flat('r.markdown')}, ${flat('r.html')}, r.message, u.email, p.locally_edited, p.title, r.author_id FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id JOIN users u ON u.id = r.author_id WHERE p.id = ${id}`);
  const [markdown, html, message, author, edited, title] = [lines(row[0]), lines(row[1]), ...row.slice(2)];
  assert.ok(!markdown.includes('\r'), 'line ends made LF');
  assert.ok(html.includes('<h2 id="saved-section">Saved section</h2>'), html);
  assert.ok(html.includes('<strong>bold</strong>'));
  assert.equal(message, 'Added a saved section');
  assert.equal(author, world.a.editor);
  assert.equal(edited, '1');
  assert.equal(title, 'First part: public, edited', "the listing's copy");
  const rec = (await audits('library.page.save')).at(-1);
  assert.equal(rec.actor, world.a.editor);
  assert.equal(rec.type, 'library_page');
  assert.equal(rec.id, String(id));
  assert.equal(rec.outcome, 'success');
  assert.equal(rec.detail.revision, revs + 1);
  assert.equal(rec.detail.message, 'Added a saved section');
  const reader = await (await as.anonymous.fetch('/guide/test-first')).text();
  assert.ok(reader.includes('A saved paragraph'), 'readers see the new revision');
  const found = await (await as.anonymous.fetch('/api/v1/search?q=saved+paragraph')).json();
  assert.ok(JSON.stringify(found).includes('test-first'), 'search finds the saved text at once');
  const page = await (await as.editor.fetch(`${path}?done=saved`)).text();
  assert.ok(page.includes('Saved as a new revision.'));
  assert.ok(page.includes('Edited here'));
});

test('preview renders the page below the form and never saves', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  const f = await filled(as.editor, path);
  const before = await storeSnapshot(srv);
  const res = await as.editor.post(path, { ...f, body: f.body + '\n## Previewed\n\nOnly a preview {{agency.name}}.\n', action: 'preview' });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes('<h2 id="previewed">Previewed</h2>'), 'the Markdown rendered');
  assert.ok(html.includes('Metro Police Department'), "placeholders filled from the editor's organization");
  assert.ok(html.includes('Nothing is saved yet'));
  assert.ok(html.includes('## Previewed'), 'the text is kept in the form');
  // No action at all (a script, or Enter in a field with no button) previews too.
  const res2 = await as.editor.post(path, { ...f, body: 'Other text' });
  assert.equal(res2.status, 200);
  assert.equal(await storeSnapshot(srv), before, 'nothing written');
});

// Each kind of bad input: the fields that differ from a good form, a text the
// answer must hold, and a value it must keep.
const BAD = [
  { name: 'empty title', change: { title: '   ' }, says: 'Enter a title.' },
  { name: 'title over 200 characters', change: { title: 't'.repeat(201) }, says: 'at most 200 characters', keeps: 't'.repeat(201) },
  { name: 'a placeholder in the title', change: { title: 'Call {{agency.name}}' }, says: 'not in its title', keeps: 'value="Call {{agency.name}}"' },
  { name: 'summary over 400 characters', change: { summary: 's'.repeat(401) }, says: 'at most 400 characters', keeps: 's'.repeat(401) },
  { name: 'visibility org on a shared page', change: { visibility: 'org' }, says: 'Choose who may read the page' },
  { name: 'unknown visibility', change: { visibility: 'secret' }, says: 'Choose who may read the page' },
  { name: 'order not a number', change: { order: 'first' }, says: 'Enter a whole number', keeps: 'value="first"' },
  { name: 'order out of range', change: { order: '1000001' }, says: 'Enter a whole number' },
  { name: 'reviewed not a real day', change: { reviewed: '2026-02-30' }, says: 'Enter a real date', keeps: 'value="2026-02-30"' },
  { name: 'no sources', change: { source_title_0: '', source_publisher_0: '', source_url_0: '', source_checked_0: '' }, says: 'Name at least one source' },
  { name: 'a source without publisher', change: { source_publisher_0: '' }, says: 'Enter who published this source.' },
  { name: 'a source address not http(s)', change: { source_url_0: 'ftp://example.org/x' }, says: 'Enter a full web address', keeps: 'ftp://example.org/x' },
  { name: 'a source checked date wrong', change: { source_checked_0: '28/11/2026' }, says: 'Enter a real date', keeps: '28/11/2026' },
  { name: 'raw HTML in the text', body: '\n<script>alert(1)</script>\n', says: 'raw HTML is not allowed', keeps: '&lt;script&gt;alert(1)&lt;/script&gt;' },
  { name: 'a level-1 heading', bodyAll: 'First line.\n\n# Second title\n', says: 'Line 3 of the text: a level-1 heading' },
  { name: 'a link to a page that does not exist', body: '\nSee [this](/guide/no-such-page).\n', says: 'the link /guide/no-such-page leads to no page' },
  { name: 'a link to a missing anchor', body: '\nSee [that](/guide/test-members#nowhere).\n', says: 'points to a heading that does not exist' },
  { name: 'an unknown placeholder', body: '\nCall {{agency.phone}} now.\n', says: 'unknown placeholder {{agency.phone}}' },
  { name: 'aligned table columns', body: '\n| a | b |\n|:--|--:|\n| 1 | 2 |\n', says: 'table columns may not set an alignment' },
  { name: 'text over 256 KiB', body: 'x'.repeat(256 * 1024 + 1), says: 'The text is too long' },
  { name: 'no message', change: { message: '' }, says: 'Say in a few words what changed.' },
  { name: 'message over 200 characters', change: { message: 'm'.repeat(201) }, says: 'The note can be at most 200 characters', keeps: 'm'.repeat(201) },
];

test('bad input, each kind: 422, every problem named, input kept, the store unchanged', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  const good = await filled(as.editor, path, { message: 'Should not be saved', action: 'save' });
  const before = await storeSnapshot(srv);
  for (const b of BAD) {
    const fields = { ...good, ...(b.change || {}) };
    if (b.body !== undefined) fields.body = good.body + b.body;
    if (b.bodyAll !== undefined) fields.body = b.bodyAll;
    const res = await as.editor.post(path, fields);
    const html = await res.text();
    assert.equal(res.status, 422, `${b.name}: status`);
    assert.ok(html.includes('There is a problem'), `${b.name}: the error summary`);
    assert.ok(html.includes(b.says.replace(/&/g, '&amp;')) || html.includes(b.says), `${b.name}: says "${b.says}"`);
    if (b.keeps) assert.ok(html.includes(b.keeps), `${b.name}: keeps the input`);
    if (!('message' in (b.change || {}))) assert.ok(html.includes('value="Should not be saved"'), `${b.name}: keeps the message`);
    assert.ok(html.includes('aria-invalid="true"') || html.includes('id="ed_sources-error"'), `${b.name}: the field is marked`);
  }
  assert.equal(await storeSnapshot(srv), before, 'nothing written by any of them');
});

test('a missing CSRF token: 403, nothing changed; wrong roles: 403, anonymous: 401', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  const f = await filled(as.editor, path, { message: 'No token', action: 'save' });
  const before = await storeSnapshot(srv);
  const { _csrf, ...noToken } = f;
  assert.ok(_csrf);
  assert.equal((await as.editor.post(path, noToken)).status, 403);
  for (const tail of ['/publish', '/unpublish', '/rollback']) assert.equal((await as.editor.post(path + tail, { revision: '1' })).status, 403);
  for (const who of ['officerA', 'partnerA']) {
    const csrf = await as[who].token('/account');
    assert.equal((await as[who].post(path, { ...f, _csrf: csrf })).status, 403, `${who} saving`);
    assert.equal((await as[who].post(path + '/unpublish', { _csrf: csrf })).status, 403, `${who} unpublishing`);
  }
  assert.equal((await as.anonymous.post(path, noToken)).status, 401);
  assert.equal(await storeSnapshot(srv), before);
});

test('history, the diff of two revisions, and rollback as a new revision', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  let html = await (await as.editor.fetch(`${path}/history`)).text();
  assert.ok(html.includes('Added a saved section'), 'the message');
  assert.ok(html.includes('editor A'), "the author's name");
  assert.ok(html.includes('Content pack 1.0.0'), 'the imported revision');
  assert.ok(html.includes('Roll back to revision 1'));
  const n = Number(await one(`SELECT count(*) FROM library_revisions WHERE page_id = ${id}`));

  const res = await as.editor.fetch(`${path}/diff?from=1&to=2`);
  assert.equal(res.status, 200);
  html = await res.text();
  assert.ok(/<tr class="diff-add">.*\+ Added.*<code class="diff-text">A saved paragraph, with \*\*bold\*\*.<\/code>/.test(html), 'the added line, marked in words');
  assert.ok(/<tr class="diff-del">.*− Removed.*title: First part: public<\/code>/.test(html), 'the changed title, removed');
  assert.ok(html.includes('title: First part: public, edited'), '... and added');
  assert.match(html, /\d+ lines added, \d+ lines removed\./);
  assert.equal((await as.editor.fetch(`${path}/diff?from=1&to=99`)).status, 404);
  assert.equal((await as.editor.fetch(`${path}/diff?from=x&to=1`)).status, 404);
  html = await (await as.editor.fetch(`${path}/diff?from=1&to=1`)).text();
  assert.ok(html.includes('The two revisions are the same.'));

  let r = await as.editor.form(`${path}/rollback`, { revision: '1' }, `${path}/history`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `${path}/history?done=rolledback`);
  const [row] = await sql(store, `SELECT ${flat('r.markdown')}, r.message, p.title, p.locally_edited FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id WHERE p.id = ${id}`);
  const first = await one(`SELECT ${flat('markdown')} FROM library_revisions WHERE page_id = ${id} ORDER BY id LIMIT 1`);
  assert.equal(row[0], first, 'the text of revision 1');
  assert.equal(row[1], 'Rolled back to revision 1');
  assert.equal(row[2], 'First part: public');
  assert.equal(row[3], '1', 'still edited here');
  assert.equal(Number(await one(`SELECT count(*) FROM library_revisions WHERE page_id = ${id}`)), n + 1, 'a new revision');
  const rec = (await audits('library.page.rollback')).at(-1);
  assert.equal(rec.detail.to_revision, 1);
  assert.equal(rec.detail.revision, n + 1);
  assert.ok(!(await (await as.anonymous.fetch('/guide/test-first')).text()).includes('A saved paragraph'));
  // An unknown revision: 404, nothing changed.
  const before = await storeSnapshot(srv);
  r = await as.editor.form(`${path}/rollback`, { revision: '999' }, `${path}/history`);
  assert.equal(r.status, 404);
  assert.equal(await storeSnapshot(srv), before);
});

test('unpublish hides a page from readers (editors still see it); publish brings it back', async () => {
  const id = await sharedId('test-members');
  const path = `/library/edit/${id}`;
  let r = await as.editor.form(`${path}/unpublish`, {}, path);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `${path}?done=unpublished`);
  assert.equal((await as.officerA.fetch('/guide/test-members')).status, 404);
  assert.ok(!(await (await as.officerA.fetch('/guide')).text()).includes('test-members'));
  const hits = async () => JSON.stringify(await (await as.officerA.fetch('/api/v1/search?q=marker+members+body')).json());
  assert.ok(!(await hits()).includes('test-members'), 'search no longer finds it');
  const view = await as.editor.fetch(`${path}/view`);
  assert.equal(view.status, 200);
  const html = await view.text();
  assert.ok(html.includes('marker-members-body') && html.includes('Not published.'));
  assert.equal((await audits('library.page.unpublish')).at(-1).id, String(id));
  assert.equal(await one(`SELECT locally_edited FROM library_pages WHERE id = ${id}`), '1', 'a local decision');

  // A newer pack with the same text for the page leaves it unpublished.
  const dir = await packCopy(async (d) => {
    await replaceIn(join(d, 'pack.json'), '"1.0.0"', '"1.1.0"');
  });
  const imp = await content('import', dir);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal((await as.officerA.fetch('/guide/test-members')).status, 404, 'still unpublished');

  r = await as.editor.form(`${path}/publish`, {}, path);
  assert.equal(r.status, 303);
  assert.equal((await as.officerA.fetch('/guide/test-members')).status, 200);
  assert.ok((await hits()).includes('test-members'), 'search finds it again');
  assert.equal((await audits('library.page.publish')).at(-1).id, String(id));
});

test("organizations' own pages: created by org admins and leaders, read by their members only", async () => {
  assert.equal((await as.orgAdminA.fetch('/org/pages')).status, 200);
  assert.equal((await as.leaderA.fetch('/org/pages')).status, 200);
  for (const who of ['editor', 'officerA', 'partnerA']) assert.equal((await as[who].fetch('/org/pages/new')).status, 403, who);
  assert.equal((await as.anonymous.fetch('/org/pages')).status, 401);

  const f = await filled(as.orgAdminA, '/org/pages/new', {
    slug: 'metro-local-protocol',
    kind: 'guide',
    title: 'Metro local protocol marker-own-title',
    summary: 'Who we call first marker-own-summary.',
    order: '5',
    source_title_0: 'Our general order',
    source_publisher_0: 'Metro Police Department',
    source_url_0: 'https://metro.example/orders/12',
    source_checked_0: '2026-11-28',
    body: '\n## First call\n\nCall the duty sergeant marker-own-body. See [the guide](/guide/test-first).\n',
    message: 'First version',
    action: 'save',
  });
  assert.equal(f.visibility, undefined, 'no visibility field: org only');
  let r = await as.orgAdminA.post('/org/pages/new', f);
  assert.equal(r.status, 303, await r.text());
  const id = await one("SELECT id FROM library_pages WHERE slug = 'metro-local-protocol'");
  assert.equal(r.headers.get('location'), `/org/pages/${id}?done=created`);
  const [org, vis, pub] = (await sql(store, `SELECT o.slug, p.visibility, p.published FROM library_pages p JOIN organizations o ON o.id = p.org_id WHERE p.id = ${id}`))[0];
  assert.deepEqual([org, vis, pub], [world.slugs.a, 'org', '1']);
  const rec = (await audits('library.page.create')).at(-1);
  assert.equal(rec.detail.slug, 'metro-local-protocol');
  assert.equal(rec.detail.scope, 'org');

  // Its members read it and find it in the listing; nobody else does.
  assert.equal((await as.officerA.fetch('/guide/metro-local-protocol')).status, 200);
  assert.ok((await (await as.officerA.fetch('/guide')).text()).includes('marker-own-title'));
  for (const who of ['officerB', 'orgAdminB', 'anonymous']) {
    assert.equal((await as[who].fetch('/guide/metro-local-protocol')).status, 404, who);
    const listing = await (await as[who].fetch('/guide')).text();
    assert.ok(!listing.includes('marker-own'), `${who}: not listed`);
    const api = await (await as[who].fetch('/api/v1/library/pages')).text();
    assert.ok(!api.includes('marker-own'), `${who}: not in the API`);
  }

  // A leader of the same organization edits it.
  const e = await filled(as.leaderA, `/org/pages/${id}`, { summary: 'Edited by the leader marker-own-summary.', message: 'Leader edit', action: 'save' });
  r = await as.leaderA.post(`/org/pages/${id}`, e);
  assert.equal(r.status, 303);
  assert.equal(await one(`SELECT locally_edited FROM library_pages WHERE id = ${id}`), '0', 'no pack behind it');

  // The same slug again: 422, nothing written.
  let before = await storeSnapshot(srv);
  r = await as.orgAdminA.post('/org/pages/new', { ...f, _csrf: await as.orgAdminA.token('/org/pages/new') });
  assert.equal(r.status, 422);
  assert.ok((await r.text()).includes('Your organization has a page at this address already.'));
  r = await as.orgAdminA.post('/org/pages/new', { ...f, slug: 'Bad Slug', _csrf: await as.orgAdminA.token('/org/pages/new') });
  assert.equal(r.status, 422);
  assert.equal(await storeSnapshot(srv), before);

  // Another organization's admin, and the shared editor's routes: 404, unchanged.
  before = await storeSnapshot(srv);
  const csrfB = await as.orgAdminB.token('/account');
  for (const tail of ['', '/view', '/history', '/diff?from=1&to=2']) {
    assert.equal((await as.orgAdminB.fetch(`/org/pages/${id}${tail}`)).status, 404, `B: GET ${tail}`);
    assert.equal((await as.editor.fetch(`/library/edit/${id}${tail}`)).status, 404, `shared route: GET ${tail}`);
  }
  for (const tail of ['', '/rollback', '/publish', '/unpublish']) {
    const res = await as.orgAdminB.post(`/org/pages/${id}${tail}`, { ...e, revision: '1', _csrf: csrfB });
    assert.equal(res.status, 404, `B: POST ${tail}`);
  }
  const csrfE = await as.editor.token('/account');
  assert.equal((await as.editor.post(`/library/edit/${id}/unpublish`, { _csrf: csrfE })).status, 404);
  assert.ok(!(await (await as.orgAdminB.fetch('/org/pages')).text()).includes('marker-own'), "B's index");
  assert.ok(!(await (await as.editor.fetch('/library/edit')).text()).includes('marker-own'), 'the shared index');
  assert.equal(await storeSnapshot(srv), before, "A's page unchanged");

  // Unpublished, its members no longer read it; its editors still do.
  r = await as.orgAdminA.form(`/org/pages/${id}/unpublish`, {}, `/org/pages/${id}`);
  assert.equal(r.status, 303);
  assert.equal((await as.officerA.fetch('/guide/metro-local-protocol')).status, 404);
  assert.equal((await as.leaderA.fetch(`/org/pages/${id}/view`)).status, 200);
  r = await as.orgAdminA.form(`/org/pages/${id}/publish`, {}, `/org/pages/${id}`);
  assert.equal(r.status, 303);
  assert.equal((await as.officerA.fetch('/guide/metro-local-protocol')).status, 200);
});

test('a save over a revision someone saved meanwhile: 409 once, input kept', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  const stale = await filled(as.editor, path, { message: 'Stale', action: 'save', title: 'Stale title' });
  const fresh = await filled(as.admin, path, { message: 'Meanwhile', action: 'save' });
  assert.equal((await as.admin.post(path, fresh)).status, 303);
  const before = await storeSnapshot(srv);
  const res = await as.editor.post(path, stale);
  assert.equal(res.status, 409);
  const html = await res.text();
  assert.ok(html.includes('Someone else saved this page meanwhile'));
  assert.ok(html.includes('value="Stale title"'));
  assert.equal(await storeSnapshot(srv), before);
  // Saving again from that form is deliberate: it goes through.
  const again = formOf(html);
  assert.equal((await as.editor.post(path, { ...again, action: 'save' })).status, 303);
});

test('a waiting content-pack update: keep mine, then take a later one', async () => {
  const id = await sharedId('test-first');
  const path = `/library/edit/${id}`;
  assert.equal(await one(`SELECT locally_edited FROM library_pages WHERE id = ${id}`), '1');
  const mine = await one(`SELECT ${flat('r.markdown')} FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id WHERE p.id = ${id}`);
  const version = (v, text) => packCopy(async (d) => {
    await replaceIn(join(d, 'pack.json'), '"1.0.0"', `"${v}"`);
    await replaceIn(join(d, 'guide', '10-first.md'), 'A public paragraph', text);
  });
  let r = await content('import', await version('2.0.0', 'Version two paragraph'));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Number(await one(`SELECT COALESCE(pending_revision_id, 0) FROM library_pages WHERE id = ${id}`)) > 0);
  assert.ok((await (await as.editor.fetch('/library/edit')).text()).includes('Update waiting'));
  let html = await (await as.editor.fetch(`${path}/update`)).text();
  assert.ok(html.includes('Content pack version 2.0.0'));
  assert.ok(/<tr class="diff-add">.*Version two paragraph/.test(html), 'the difference against the local version');
  assert.ok(html.includes('Keep this version') && html.includes('Take the update'));
  const update = /name="update" value="(\d+)"/.exec(html)[1];

  // Without the update's id, or a stale one: back to the page, nothing done.
  let before = await storeSnapshot(srv);
  r = await as.editor.form(`${path}/update/dismiss`, { update: '1' }, `${path}/update`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `${path}/update`);
  assert.equal(await storeSnapshot(srv), before);

  r = await as.editor.form(`${path}/update/dismiss`, { update }, `${path}/update`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `${path}?done=dismissed`);
  assert.equal(await one(`SELECT COALESCE(pending_revision_id, 0) FROM library_pages WHERE id = ${id}`), '0');
  assert.equal(await one(`SELECT ${flat('r.markdown')} FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id WHERE p.id = ${id}`), mine, 'mine kept');
  assert.equal((await audits('library.page.update.dismiss')).at(-1).detail.version, '2.0.0');
  html = await (await as.editor.fetch(`${path}/update`)).text();
  assert.ok(html.includes('No update of the content pack is waiting'));

  r = await content('import', await version('3.0.0', 'Version three paragraph'));
  assert.equal(r.code, 0, r.stderr);
  html = await (await as.editor.fetch(`${path}/update`)).text();
  const update3 = /name="update" value="(\d+)"/.exec(html)[1];
  r = await as.editor.form(`${path}/update/take`, { update: update3 }, `${path}/update`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `${path}?done=taken`);
  const [row] = await sql(store, `SELECT ${flat('r.markdown')}, r.message, r.author_id IS NOT NULL, p.locally_edited, COALESCE(p.pending_revision_id, 0) FROM library_pages p JOIN library_revisions r ON r.id = p.current_revision_id WHERE p.id = ${id}`);
  assert.ok(row[0].includes('Version three paragraph'), "the pack's text");
  assert.equal(row[1], 'Took the update of content pack 3.0.0');
  assert.ok(['1', 't'].includes(row[2]), 'by the editor');
  assert.equal(row[3], '0', 'the page follows the pack again');
  assert.equal(row[4], '0');
  assert.equal((await audits('library.page.update.take')).at(-1).detail.version, '3.0.0');
  assert.ok((await (await as.anonymous.fetch('/guide/test-first')).text()).includes('Version three paragraph'));
  // CSRF and role hold here too.
  before = await storeSnapshot(srv);
  assert.equal((await as.editor.post(`${path}/update/take`, { update: update3 })).status, 403);
  assert.equal((await as.officerA.post(`${path}/update/take`, { update: update3, _csrf: await as.officerA.token('/account') })).status, 403);
  assert.equal(await storeSnapshot(srv), before);
});

test('reading pages link to the editor for those who may edit, and only for them', async () => {
  const id = await sharedId('test-first');
  let html = await (await as.editor.fetch('/guide/test-first')).text();
  assert.ok(html.includes(`<a href="/library/edit/${id}">Edit this page</a>`));
  assert.ok((await (await as.editor.fetch('/guide')).text()).includes('<a href="/library/edit">Edit the shared pages</a>'));
  for (const who of ['officerA', 'anonymous', 'orgAdminA']) {
    html = await (await as[who].fetch('/guide/test-first')).text();
    assert.ok(!html.includes('Edit this page') && !html.includes('/library/edit'), `${who}: no link on a shared page`);
  }
  const own = await one("SELECT id FROM library_pages WHERE slug = 'metro-local-protocol'");
  html = await (await as.orgAdminA.fetch('/guide/metro-local-protocol')).text();
  assert.ok(html.includes(`<a href="/org/pages/${own}">Edit this page</a>`));
  assert.ok((await (await as.leaderA.fetch('/guide')).text()).includes('<a href="/org/pages">'));
  html = await (await as.officerA.fetch('/guide/metro-local-protocol')).text();
  assert.ok(!html.includes('Edit this page'), 'an officer reads it, without the link');
  html = await (await as.editor.fetch('/guide/metro-local-protocol')).text();
  assert.ok(!html.includes('Edit this page'), "the shared pages' editor does not edit it");
});
