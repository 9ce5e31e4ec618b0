// tests/e2e/library.test.mjs — the knowledge base's store and reading side
// (issue 5, points 3, 4, 6, 7): the starter pack imported on first start;
// `csec content import|export|versions|rollback` (a pack with a problem or
// a failure halfway changes nothing; rollback; export round-trips through
// validate and import; a page edited locally is never overwritten); who
// sees which page, listing and API answer (anonymous, a partner, an officer
// of agency A, an officer of agency B, a site admin: no title or snippet
// leaks anywhere); placeholders filled from the organization's profile, the
// prompt to set a missing field only for its org admins, hostile profile
// values escaped. Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startServer, freshStore, storeSnapshot, sql, STORE } from './lib/server.mjs';
import { addOrg, addUser, client, seedWorld, signIn } from './lib/accounts.mjs';

const FIXTURE = new URL('../fixtures/library/small', import.meta.url).pathname;
const CONTENT = new URL('../../content', import.meta.url).pathname;

let srv, store, world, tmp;
const as = {}; // name -> signed-in client (anonymous: a client without cookies)

async function one(q) { return (await sql(store, q))[0]?.[0]; }
async function content(...args) { return run(['content', ...args, ...store.args]); }

/** The audit records of ACTION, oldest first. */
async function audits(action) {
  const rows = await sql(store, `SELECT actor, outcome, detail FROM audit_log WHERE action = '${action}' ORDER BY seq`);
  return rows.map(([actor, outcome, detail]) => ({ actor, outcome, detail: detail ? JSON.parse(detail) : null }));
}

/** A copy of the fixture pack in a new directory, changed by EDIT(dir). */
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
  tmp = await mkdtemp(join(tmpdir(), 'csec-library-'));
  store = await freshStore();
  world = await seedWorld(store);
  // Agency B: a second law-enforcement organization with an officer.
  world.slugs.c = await addOrg(store, { name: 'Harbor County Sheriff', kind: 'law_enforcement', slug: 'harbor-so', state: 'WA' });
  world.c = { officer: 'officer@c.example' };
  await addUser(store, { email: world.c.officer, name: 'Officer C', org: world.slugs.c, role: 'officer' });
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  as.anonymous = client(srv);
  as.partner = await signIn(srv, world.b.partner); // county-cw, child welfare
  as.officerA = await signIn(srv, world.a.officer); // metro-pd, law enforcement
  as.officerB = await signIn(srv, world.c.officer); // harbor-so, law enforcement
  as.orgAdminA = await signIn(srv, world.a.org_admin);
  as.admin = await signIn(srv, world.admin);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The guide pages of the embedded starter pack, by visibility, read from content/. */
async function starterGuidePages() {
  const out = [];
  let names = [];
  try { names = await readdir(join(CONTENT, 'guide')); } catch { /* no guide yet */ }
  for (const n of names.filter((x) => x.endsWith('.md'))) {
    const text = await readFile(join(CONTENT, 'guide', n), 'utf8');
    out.push({ slug: /^slug:\s*"?([a-z0-9-]+)"?\s*$/m.exec(text)[1], visibility: /^visibility:\s*"?([a-z_]+)"?\s*$/m.exec(text)[1] });
  }
  return out;
}

test('first start imports the starter pack built into the binary', async () => {
  const pack = JSON.parse(await readFile(join(CONTENT, 'pack.json'), 'utf8'));
  const r = await content('versions');
  assert.equal(r.code, 0, r.stderr);
  const row = r.stdout.split('\n').find((l) => l.includes(pack.id));
  assert.ok(row, `versions lists ${pack.id}:\n${r.stdout}`);
  assert.match(row, /\*/, 'it is active');
  assert.match(row, /starter/);
  assert.match(row, new RegExp(pack.version.replace(/\./g, '\\.')));
  assert.ok(srv.rawLogs().some((l) => l.includes('imported the starter pack')), 'one log line says so');
  // Its public guide pages are listed, in a listing of exactly that many.
  const guide = (await starterGuidePages()).filter((p) => p.visibility === 'public');
  const html = await (await as.anonymous.fetch('/guide')).text();
  for (const p of guide) assert.ok(html.includes(`href="/guide/${p.slug}"`), `/guide lists ${p.slug}`);
  const api = await (await as.anonymous.fetch('/api/v1/library/pages?kind=guide')).json();
  assert.equal(api.pages.filter((p) => !p.slug.startsWith('test-')).length, guide.length);
  // A draft pack says so on the page (CONTENT.md rule 9).
  if (pack.review_status === 'draft' && guide.length > 0) {
    const page = await (await as.anonymous.fetch(`/guide/${guide[0].slug}`)).text();
    assert.ok(page.includes('Draft — not yet reviewed by a subject-matter expert'));
  }
  // Another start on the same store imports nothing again (stopped, not
  // cleaned up: the data directory is the running server's too).
  const imports = (await audits('library.pack.import')).length;
  const again = await startServer({ store });
  await again.stop();
  assert.ok(!again.rawLogs().some((l) => l.includes('imported the starter pack')));
  assert.equal((await audits('library.pack.import')).length, imports);
});

test('csec content import: the fixture pack becomes a version, its pages are listed', async () => {
  const r = await content('import', FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /imported pack test-pack version 1\.0\.0 \(version id \d+\): 4 added/);
  const html = await (await as.anonymous.fetch('/guide')).text();
  assert.ok(html.includes('href="/guide/test-first"'));
  const rec = (await audits('library.pack.import')).at(-1);
  assert.equal(rec.actor, 'cli');
  assert.equal(rec.outcome, 'success');
  assert.deepEqual([rec.detail.pack, rec.detail.version, rec.detail.added, rec.detail.source], ['test-pack', '1.0.0', 4, 'cli']);
  const v = await content('versions');
  assert.match(v.stdout, /test-pack\s+1\.0\.0\s+cli/);
});

test('a pack with a validation problem changes nothing', async () => {
  const dir = await packCopy(async (d) => {
    await replaceIn(join(d, 'guide', '20-members.md'), 'slug: test-members', 'slug: test-first');
    await replaceIn(join(d, 'pack.json'), '"1.0.0"', '"1.0.1"');
  });
  const before = await storeSnapshot(srv);
  const r = await content('import', dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^guide\/(10-first|20-members)\.md(:\d+)?: .*test-first/m);
  assert.match(r.stderr, /nothing was imported/);
  assert.equal(await storeSnapshot(srv), before, 'the store is unchanged');
});

test('a failure halfway through an import changes nothing', async () => {
  // A trigger refuses the second page's new revision, after the first page
  // has been written in the same transaction.
  if (STORE === 'sqlite') {
    await sql(store, "CREATE TRIGGER halfway BEFORE INSERT ON library_revisions WHEN NEW.title = 'Second part, changed' BEGIN SELECT RAISE(ABORT, 'halfway'); END");
  } else {
    await sql(store, "CREATE FUNCTION halfway() RETURNS trigger AS $$ BEGIN IF NEW.title = 'Second part, changed' THEN RAISE EXCEPTION 'halfway'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
    await sql(store, 'CREATE TRIGGER halfway BEFORE INSERT ON library_revisions FOR EACH ROW EXECUTE FUNCTION halfway()');
  }
  try {
    const dir = await packCopy(async (d) => {
      await replaceIn(join(d, 'pack.json'), '"1.0.0"', '"1.0.2"');
      await replaceIn(join(d, 'guide', '10-first.md'), 'A public paragraph', 'A changed public paragraph');
      await replaceIn(join(d, 'guide', '20-members.md'), 'title: "Second part: members only"', 'title: "Second part, changed"');
    });
    const before = await storeSnapshot(srv);
    const r = await content('import', dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the import failed, nothing was changed/);
    assert.equal(await storeSnapshot(srv), before, 'the store is unchanged');
    const page = await (await as.anonymous.fetch('/guide/test-first')).text();
    assert.ok(!page.includes('A changed public paragraph'));
  } finally {
    await sql(store, 'DROP TRIGGER halfway' + (STORE === 'sqlite' ? '' : ' ON library_revisions'));
    if (STORE !== 'sqlite') await sql(store, 'DROP FUNCTION halfway()');
  }
});

test('a newer version, then rollback: pages follow the active version', async () => {
  const dir = await packCopy(async (d) => {
    await replaceIn(join(d, 'pack.json'), '"1.0.0"', '"2.0.0"');
    await replaceIn(join(d, 'guide', '10-first.md'), 'A public paragraph', 'Version two paragraph');
    await rm(join(d, 'resources', '10-hotline.md'));
  });
  const v1 = await one("SELECT id FROM library_versions WHERE pack = 'test-pack' AND active = 1");
  let r = await content('import', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /0 added, 1 updated, 2 unchanged, 0 waiting .*, 1 unpublished/);
  assert.ok((await (await as.anonymous.fetch('/guide/test-first')).text()).includes('Version two paragraph'));
  assert.equal((await as.anonymous.fetch('/resources/test-hotline')).status, 404);
  assert.ok(!(await (await as.anonymous.fetch('/resources')).text()).includes('test-hotline'));

  r = await content('versions');
  assert.match(r.stdout, /\*\s+test-pack\s+2\.0\.0/);
  r = await content('rollback', v1);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /rolled back to pack test-pack version 1\.0\.0/);
  assert.ok((await (await as.anonymous.fetch('/guide/test-first')).text()).includes('A public paragraph'));
  assert.equal((await as.anonymous.fetch('/resources/test-hotline')).status, 200);
  r = await content('versions');
  assert.match(r.stdout, new RegExp(`^${v1}\\s+\\*\\s+test-pack`, 'm'));
  const rec = (await audits('library.pack.rollback')).at(-1);
  assert.equal(rec.actor, 'cli');
  assert.equal(rec.detail.version, '1.0.0');
  // An unknown version: refused, nothing changed.
  const before = await storeSnapshot(srv);
  r = await content('rollback', '999999');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no version 999999/);
  assert.equal((await content('rollback', 'abc')).code, 2);
  assert.equal(await storeSnapshot(srv), before);
});

test('export, validate, import again: the same pages', async () => {
  const out = join(tmp, 'export');
  let r = await content('export', out, '--pack', 'test-pack');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['guide', 'pack.json', 'practices', 'resources']);
  const exported = await readFile(join(out, 'guide', '10-first.md'), 'utf8');
  assert.match(exported, /^---\ntitle: "First part: public"\nslug: test-first\n/);
  r = await run(['content', 'validate', out]);
  assert.equal(r.code, 0, `validate: ${r.stderr}`);
  r = await content('import', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /0 added, 0 updated, 4 unchanged/, 'every page reads back the same');
  const rec = (await audits('library.pack.export')).at(-1);
  assert.equal(rec.detail.pack, 'test-pack');
  assert.equal(rec.detail.files, 5);
  // A directory that is not empty is refused.
  r = await content('export', out, '--pack', 'test-pack');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not empty/);
});

test('a page edited locally is not overwritten by a newer version', async () => {
  await sql(store, "UPDATE library_pages SET locally_edited = 1 WHERE slug = 'test-first' AND org_id IS NULL");
  const dir = await packCopy(async (d) => {
    await replaceIn(join(d, 'pack.json'), '"1.0.0"', '"3.0.0"');
    await replaceIn(join(d, 'guide', '10-first.md'), 'A public paragraph', 'Version three paragraph');
    await replaceIn(join(d, 'guide', '20-members.md'), 'Text for members.', 'Text for members, version three.');
  });
  const r = await content('import', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /1 updated, .*1 waiting/);
  const page = await (await as.anonymous.fetch('/guide/test-first')).text();
  assert.ok(page.includes('A public paragraph') && !page.includes('Version three'), 'the local text stays');
  const pending = await one("SELECT count(*) FROM library_pages p JOIN library_revisions r ON r.id = p.pending_revision_id WHERE p.slug = 'test-first' AND r.markdown LIKE '%Version three paragraph%'");
  assert.equal(pending, '1', 'the update waits for an editor');
  assert.ok((await (await as.partner.fetch('/guide/test-members')).text()).includes('version three'));
  const rec = (await audits('library.pack.import')).at(-1);
  assert.deepEqual(rec.detail.waiting_slugs, ['test-first']);
  await sql(store, "UPDATE library_pages SET locally_edited = 0 WHERE slug = 'test-first' AND org_id IS NULL");
});

// ---------------------------------------------------------------- visibility

const ORG_PAGE = 'metro-protocol';

/** Organization A's own private page, written straight into the store (the
 * editing pages are another slice). */
async function addOrgPage() {
  const org = await one(`SELECT id FROM organizations WHERE slug = '${world.slugs.a}'`);
  const now = Math.floor(Date.now() / 1000);
  await sql(store, `INSERT INTO library_pages (org_id, slug, kind, visibility, title, summary, created_at, updated_at) VALUES (${org}, '${ORG_PAGE}', 'guide', 'org', 'Metro protocol marker-org-title', 'marker-org-snippet', ${now}, ${now})`);
  const page = await one(`SELECT id FROM library_pages WHERE slug = '${ORG_PAGE}'`);
  await sql(store, `INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, summary, markdown, html, content_hash) VALUES (${page}, ${now}, 'guide', 'org', 'Metro protocol marker-org-title', 'marker-org-snippet', 'x', '<p>marker-org-body</p>', 'x')`);
  await sql(store, `UPDATE library_pages SET current_revision_id = (SELECT max(id) FROM library_revisions WHERE page_id = ${page}) WHERE id = ${page}`);
}

// What each tier's page shows, and who may see it.
const TIERS = [
  { slug: 'test-first', section: 'guide', markers: [], who: ['anonymous', 'partner', 'officerA', 'officerB', 'admin'] },
  { slug: 'test-members', section: 'guide', markers: ['Second part: members only', 'marker-members-snippet', 'marker-members-body'], who: ['partner', 'officerA', 'officerB', 'admin'] },
  { slug: 'test-le-notes', section: 'practices', markers: ['notes: law enforcement only', 'marker-le-snippet', 'marker-le-body'], who: ['officerA', 'officerB', 'admin'] },
  { slug: ORG_PAGE, section: 'guide', markers: ['marker-org-title', 'marker-org-snippet', 'marker-org-body'], who: ['officerA', 'admin'] },
];
const READERS = ['anonymous', 'partner', 'officerA', 'officerB', 'admin'];

test('each reader sees exactly the pages of their tiers, and nothing of the others anywhere', async () => {
  await addOrgPage();
  const wrong = [];
  // The answer for a page one may not see is the answer for no page at all.
  for (const reader of READERS) {
    const c = as[reader];
    const missing = { html: await (await c.fetch('/guide/no-such-page')).text(), api: await (await c.fetch('/api/v1/library/pages/no-such-page')).text() };
    for (const t of TIERS) {
      const may = t.who.includes(reader);
      for (const path of [`/${t.section}/${t.slug}`, `/api/v1/library/pages/${t.slug}`]) {
        const res = await c.fetch(path);
        const body = await res.text();
        if (may && res.status !== 200) wrong.push(`${reader} ${path}: ${res.status}, want 200`);
        if (!may && res.status !== 404) wrong.push(`${reader} ${path}: ${res.status}, want 404`);
        if (!may && body !== (path.startsWith('/api/') ? missing.api : missing.html)) wrong.push(`${reader} ${path}: the 404 differs from a missing page's`);
      }
    }
  }
  // No title or snippet of a page one may not see, in any listing, page or
  // API answer of the library.
  const paths = ['/guide', '/practices', '/resources', '/api/v1/library/pages', '/api/v1/library/pages?kind=guide', '/api/v1/library/pages?kind=practice'];
  for (const t of TIERS) paths.push(`/guide/${t.slug}`, `/practices/${t.slug}`, `/resources/${t.slug}`, `/api/v1/library/pages/${t.slug}`);
  for (const reader of READERS) {
    const bodies = [];
    for (const p of paths) bodies.push([p, await (await as[reader].fetch(p)).text()]);
    for (const t of TIERS) {
      if (t.who.includes(reader)) continue;
      for (const m of t.markers) {
        for (const [p, body] of bodies) if (body.includes(m)) wrong.push(`${reader} sees "${m}" on ${p}`);
      }
    }
  }
  // And every reader finds their pages listed.
  for (const reader of READERS) {
    const api = await (await as[reader].fetch('/api/v1/library/pages')).json();
    const slugs = new Set(api.pages.map((p) => p.slug));
    for (const t of TIERS) if (t.who.includes(reader) !== slugs.has(t.slug)) wrong.push(`${reader}: listing ${t.slug} is ${slugs.has(t.slug)}`);
  }
  assert.deepEqual(wrong, []);
  // The tier is named on the page; a kind that does not exist is refused.
  assert.ok((await (await as.officerA.fetch('/practices/test-le-notes')).text()).includes('Law enforcement only'));
  const kinds = await as.anonymous.fetch('/api/v1/library/pages?kind=bogus');
  assert.equal(kinds.status, 422);
  assert.equal((await kinds.json()).error.code, 'invalid');
});

test('a guide page is not found under another section', async () => {
  assert.equal((await as.anonymous.fetch('/practices/test-first')).status, 404);
  assert.equal((await as.anonymous.fetch('/guide/Test-First')).status, 404);
  assert.equal((await as.anonymous.fetch('/guide/' + 'a'.repeat(65))).status, 404);
});

// ---------------------------------------------------------------- placeholders

/** The rendered Markdown of a page as C sees it. */
async function prose(c, path) {
  const html = await (await c.fetch(path)).text();
  const m = /<div class="prose">([\s\S]*?)<\/div>\s*<section class="library-sources"/.exec(html);
  assert.ok(m, `${path} has a prose block`);
  return m[1];
}

const SETTINGS = { name: 'Metro Police Department', jurisdiction: '', state: 'IL', time_zone: 'America/Chicago', ori: '' };

test('placeholders come from the profile; the prompt links to the settings only for org admins', async () => {
  // Nothing set yet: the agency's name falls back to the organization's.
  let body = await prose(as.officerA, '/guide/test-first');
  assert.ok(body.includes('Metro Police Department'), 'agency.name from the organization');
  assert.ok(!body.includes('{{agency.hotline}}') && !body.includes('{{state.law_summary}}'));
  assert.ok(!body.includes('/org/settings'), 'an officer gets no link to the settings');
  body = await prose(as.orgAdminA, '/guide/test-first');
  assert.ok(body.includes('href="/org/settings"'), 'the org admin gets the prompt with its link');
  body = await prose(as.anonymous, '/guide/test-first');
  assert.ok(!body.includes('/org/settings') && !body.includes('Metro'), 'anonymous: the neutral marker');
  assert.ok((await prose(as.anonymous, '/resources/test-hotline')).includes('CSEC Toolkit'), 'deployment.name for everyone');

  // Hostile values are text, never markup.
  const res = await as.orgAdminA.form('/org/settings', {
    ...SETTINGS,
    display_name: 'Metro <b>PD</b> & "Co"',
    hotline: '555-0100 <script>alert(1)</script>',
    law_summary: 'Line one <img src=x onerror=alert(1)>\r\nLine two',
  });
  assert.equal(res.status, 303, await res.text());
  body = await prose(as.officerA, '/guide/test-first');
  assert.ok(body.includes('Metro &lt;b&gt;PD&lt;/b&gt; &amp; &quot;Co&quot;'), body);
  assert.ok(body.includes('555-0100 &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!/<script|<img|<b>/.test(body));
  // Agency B's officer sees agency B's name, never A's values.
  body = await prose(as.officerB, '/guide/test-first');
  assert.ok(body.includes('Harbor County Sheriff') && !body.includes('555-0100'));
  const rec = (await sql(store, "SELECT detail FROM audit_log WHERE action = 'org.settings' ORDER BY seq DESC LIMIT 1"))[0][0];
  const detail = JSON.parse(rec);
  assert.equal(detail.changed.display_name.to, 'Metro <b>PD</b> & "Co"');
  assert.deepEqual(Object.keys(detail.changed.law_summary), ['from_length', 'to_length']);
  // The form shows what is saved (the summary with its line break).
  const form = await (await as.orgAdminA.fetch('/org/settings')).text();
  assert.ok(form.includes('Line one &lt;img src=x onerror=alert(1)&gt;\nLine two</textarea>'));
});

test('the profile fields refuse bad input: 422, input kept, nothing changed', async () => {
  const cases = [
    { display_name: 'x'.repeat(201), field: 'display_name' },
    { hotline: 'call\u0007now', field: 'hotline' },
    { hotline: 'two\nlines', field: 'hotline' },
    { law_summary: 'y'.repeat(4001), field: 'law_summary' },
  ];
  for (const k of cases) {
    await as.orgAdminA.fetch('/account');
    const before = await storeSnapshot(srv);
    const { field, ...fields } = k;
    const res = await as.orgAdminA.form('/org/settings', { ...SETTINGS, ...fields });
    assert.equal(res.status, 422, field);
    const html = await res.text();
    assert.match(html, new RegExp(`id="${field}-error"`));
    assert.match(html, new RegExp(`aria-describedby="${field}-hint ${field}-error"`));
    assert.equal(await storeSnapshot(srv), before, `${field}: nothing changed`);
  }
  // Without the CSRF token: 403, nothing changed.
  const before = await storeSnapshot(srv);
  const res = await as.orgAdminA.post('/org/settings', { ...SETTINGS, hotline: '1' });
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), before);
  // An officer may not change them.
  const denied = await as.officerA.form('/org/settings', { ...SETTINGS, hotline: '1' }, '/account');
  assert.equal(denied.status, 403);
});
