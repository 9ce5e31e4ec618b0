// tests/e2e/search.test.mjs — search of the knowledge base (issue 5, points
// 7, 9 and 16; docs/search.md) on the store of CSEC_TEST_STORE (the runner
// runs this file on SQLite and on PostgreSQL): every query of the committed
// set (tests/search/queries.json) against the starter pack; hostile input
// (operators, quotes, parentheses, NEAR, *, :, -, control characters, emoji,
// very long input) that must never give an error page; visibility for an
// anonymous visitor, a partner of county-cw, officers of two
// law-enforcement agencies and a site admin, with an organization's own
// page and a members' page made in SQL — no title or snippet leaks; a
// snippet of a page holding <script> comes out escaped; the index follows
// an import, a rollback and unpublishing; the page, the API's limits and the
// OpenAPI document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startServer, freshStore, sql } from './lib/server.mjs';
import { addOrg, addUser, client, signIn, seedWorld } from './lib/accounts.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const QUERIES = JSON.parse(await readFile(join(ROOT, 'tests/search/queries.json'), 'utf8')).queries;

let srv, store, world;
const as = {};

// An organization's own page (metro-pd's) and a members' page, made in SQL
// as the editing slice will make them; the triggers index them.
const ORG_WORD = 'quetzalcoatl';
const MEMBERS_WORD = 'xylophonist';
const ORG_TITLE = 'Metro after-hours callout protocol';
const MEMBERS_TITLE = 'Members roster of partner liaisons';

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  await addOrg(store, { name: 'River Police Department', kind: 'law_enforcement', slug: 'river-pd' });
  await addUser(store, { email: 'officer@c.example', name: 'Officer C', org: 'river-pd', role: 'officer' });
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  as.anonymous = client(srv);
  as.officer = await signIn(srv, world.a.officer);
  as.partner = await signIn(srv, world.b.partner);
  as.site_admin = await signIn(srv, world.admin);
  as.officer_c = await signIn(srv, 'officer@c.example');

  const [[metro]] = await sql(store, "SELECT id FROM organizations WHERE slug = 'metro-pd'");
  const now = Math.floor(Date.now() / 1000);
  await sql(store, `INSERT INTO library_pages (org_id, pack, slug, kind, visibility, sort_order, title, summary, published, created_at, updated_at)
    VALUES (${metro}, NULL, 'after-hours', 'guide', 'org', 1, '${ORG_TITLE}', 'Who to call at night.', 1, ${now}, ${now})`);
  await sql(store, `INSERT INTO library_pages (org_id, pack, slug, kind, visibility, sort_order, title, summary, published, created_at, updated_at)
    VALUES (NULL, 'search-fixture', 'liaison-roster', 'resource', 'members', 1, '${MEMBERS_TITLE}', 'Liaisons.', 1, ${now}, ${now})`);
  await sql(store, `INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, summary, markdown, html, plain_text, content_hash)
    SELECT id, ${now}, kind, visibility, title, summary, 'x', '<p>x</p>',
      'Call the ${ORG_WORD} desk first. Never paste <script>alert(''x'')</script> & "quotes" into a report.', 'h1'
    FROM library_pages WHERE slug = 'after-hours'`);
  await sql(store, `INSERT INTO library_revisions (page_id, created_at, kind, visibility, title, summary, markdown, html, plain_text, content_hash)
    SELECT id, ${now}, kind, visibility, title, summary, 'x', '<p>x</p>', 'The ${MEMBERS_WORD} on call keeps the roster.', 'h2'
    FROM library_pages WHERE slug = 'liaison-roster'`);
  await sql(store, `UPDATE library_pages SET current_revision_id = (SELECT max(r.id) FROM library_revisions r
    WHERE r.page_id = library_pages.id) WHERE slug IN ('after-hours', 'liaison-roster')`);
});

after(async () => {
  await srv?.stop();
  await srv?.cleanup();
});

/** GET /api/v1/search as WHO (a key of `as`) with the given parameters. */
async function api(who, params) {
  const res = await as[who].fetch('/api/v1/search?' + new URLSearchParams(params).toString());
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { assert.fail(`not JSON (${res.status}): ${text.slice(0, 300)}`); }
  return { status: res.status, body, text };
}

/** GET /search as WHO; the status and the HTML. */
async function page(who, params) {
  const res = await as[who].fetch('/search?' + new URLSearchParams(params).toString());
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
}

const slugs = (body) => body.results.map((r) => r.slug);

// --- the committed query set -------------------------------------------------

test('the query set has at least 20 queries, each well formed', () => {
  assert.ok(QUERIES.length >= 20, `only ${QUERIES.length} queries`);
  for (const q of QUERIES) {
    assert.equal(typeof q.q, 'string');
    assert.ok(Array.isArray(q.must_find) || Array.isArray(q.must_not_find), JSON.stringify(q));
    assert.ok(!q.as || ['anonymous', 'officer', 'partner', 'site_admin'].includes(q.as), q.as);
    assert.ok(!q.kind || ['guide', 'practice', 'resource'].includes(q.kind), q.kind);
  }
});

for (const q of QUERIES) {
  const who = q.as || 'anonymous';
  test(`query ${JSON.stringify(q.q)}${q.kind ? ` in ${q.kind}` : ''} as ${who}`, async () => {
    const params = { q: q.q, limit: '50' };
    if (q.kind) params.kind = q.kind;
    const { status, body } = await api(who, params);
    assert.equal(status, 200);
    const found = slugs(body);
    for (const s of q.must_find || []) assert.ok(found.includes(s), `${s} not found; got ${found.join(', ')}`);
    for (const s of q.must_not_find || []) assert.ok(!found.includes(s), `${s} found; got ${found.join(', ')}`);
    if (q.first) assert.equal(found[0], q.first, `best match: got ${found.join(', ')}`);
    if (q.kind) for (const r of body.results) assert.equal(r.kind, q.kind);
    assert.ok(body.total >= found.length);
    for (const r of body.results) {
      assert.match(r.url, /^\/(guide|practices|resources)\/[a-z0-9-]+$/);
      assert.equal(typeof r.snippet, 'string');
    }
  });
}

// --- hostile input -----------------------------------------------------------

const HOSTILE = [
  'a OR b', 'safe OR harbor', 'NEAR(safe harbor, 2)', 'NEAR(', 'title:safe', 'body:harbor', '-harbor',
  'safe -harbor', 'safe*', '*', '**', '(', ')', '((safe)', 'safe)', '"', '""', '"""', '"safe harbor',
  'safe" harbor"', "'", "' OR 1=1 --", "'; DROP TABLE library_pages; --", '\\', '\\"', ':', '::', 'a:b:c',
  '&', '|', '!', '&|!', '<->', 'safe & harbor', 'safe | harbor', '!harbor', 'harbor:*', 'harbor:A',
  '{title body}: x', '^safe', '+safe', 'NOT', 'AND', 'OR OR OR', 'NEAR', 'safe NEAR/2 harbor', '%', '_',
  '%_\\', '\u0001\u0002\u0003', '\t\n\r', '\u007f', '\u0085', '😀', '👮‍♀️ harbor', '🙂'.repeat(100),
  'x'.repeat(5000), 'safe '.repeat(300), 'ß', 'İstanbul', 'e\u0301te', '\u0301', 'الاتجار بالبشر',
  '\u202eharbor', 'safe\u200bharbor', '\uE000harbor\uE001', '\uFFFD', 'null', 'undefined', '0', '-1',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '{{site.name}}', '${7*7}', '%00',
];

test('hostile input never gives an error page or an API error', async () => {
  for (const q of HOSTILE) {
    for (const who of ['anonymous', 'officer']) {
      const p = await page(who, { q });
      assert.equal(p.status, 200, `/search for ${JSON.stringify(q)} as ${who}: ${p.status}`);
      assert.match(p.type, /^text\/html/);
      assert.equal((p.html.match(/<h1[ >]/g) || []).length, 1);
      assert.ok(!p.html.includes('<script>alert'), `unescaped input for ${JSON.stringify(q)}`);
      assert.ok(!p.html.includes('<img src=x'), `unescaped input for ${JSON.stringify(q)}`);
      const a = await api(who, { q });
      assert.equal(a.status, 200, `/api/v1/search for ${JSON.stringify(q)} as ${who}: ${a.text}`);
      assert.ok(Array.isArray(a.body.results));
      for (const r of a.body.results) assert.ok(!/<(?!\/?mark>)/.test(r.snippet_html), r.snippet_html);
    }
  }
});

test('operators are words: NEAR, OR, quotes and stars change nothing but the words', async () => {
  const plain = slugs((await api('anonymous', { q: 'safe harbor', limit: '50' })).body).sort();
  for (const q of ['safe OR harbor', 'safe* harbor*', '(safe) AND (harbor)', 'safe -harbor', 'safe: harbor:*']) {
    const got = slugs((await api('anonymous', { q, limit: '50' })).body).sort();
    assert.deepEqual(got, plain, q);
  }
  const near = await api('anonymous', { q: 'NEAR(safe harbor)' });
  assert.equal(near.status, 200); // "near" is a word to find, like any other
});

test('input the query string itself cannot carry is refused by the server before search (400, not 500)', async () => {
  for (const raw of ['%FF', '%C3', 'a%00b']) {
    const res = await as.anonymous.fetch('/search?q=' + raw);
    assert.equal(res.status, 400, raw);
    const j = await as.anonymous.fetch('/api/v1/search?q=' + raw);
    assert.equal(j.status, 400, raw);
    assert.equal((await j.json()).error.code, 'bad_request');
  }
});

test('a query of common words only, or of no letters at all, says so', async () => {
  let p = await page('anonymous', { q: 'the and of' });
  assert.equal(p.status, 200);
  assert.match(p.html, /holds only very common words/);
  p = await page('anonymous', { q: '😀 !!' });
  assert.match(p.html, /holds no letters or digits/);
  const a = await api('anonymous', { q: 'the' });
  assert.equal(a.body.only_common_words, true);
  assert.equal(a.body.total, 0);
});

// --- visibility ----------------------------------------------------------------

// Each law-enforcement page, its title, and a word only it holds.
const LE_PAGES = [
  ['le-identifying-victims', 'Identifying possible child victims during routine contacts', 'sextortion'],
  ['le-victim-contact-and-interviews', 'Engaging a youth who may be a victim: contact, interviews and reporting', 'developmentally'],
  ['le-holding-exploiters-accountable', 'Holding traffickers and buyers accountable', 'tampering'],
];
const escaped = (t) => t.replace(/&/g, '&amp;').replace(/'/g, '&#39;');

test('law-enforcement pages: found by officers and site admins, never a title or snippet for anyone else', async () => {
  for (const [slug, title, word] of LE_PAGES) {
    for (const who of ['officer', 'officer_c', 'site_admin']) {
      for (const q of [title, word]) {
        const { body } = await api(who, { q, limit: '50' });
        assert.ok(slugs(body).includes(slug), `${who} does not find ${slug} with ${q}`);
      }
    }
    for (const who of ['anonymous', 'partner']) {
      // By its title: other pages may match, never this one.
      const byTitle = await api(who, { q: title, limit: '50' });
      assert.ok(!slugs(byTitle.body).includes(slug), `${who} finds ${slug}`);
      assert.ok(!byTitle.text.includes(slug), `${who}: the slug ${slug} is in the answer`);
      const p = await page(who, { q: title });
      assert.equal(p.status, 200);
      assert.ok(!p.html.includes(slug), `${who}: the slug ${slug} is on the page`);
      // By its own word: nothing at all, and no title of any of them.
      const a = await api(who, { q: word });
      assert.equal(a.body.total, 0, `${who}: ${word}`);
      const w = await page(who, { q: word });
      for (const [s, t] of LE_PAGES) {
        assert.ok(!a.text.includes(t) && !a.text.includes(s), `${who}: "${t}" leaks through the API`);
        assert.ok(!w.html.includes(escaped(t)) && !w.html.includes(s), `${who}: "${t}" leaks through the page`);
      }
      assert.match(w.html, new RegExp(`No results for “${word}”`));
    }
  }
});

test("an organization's own page: its members only (and site admins), not another agency's officers", async () => {
  for (const who of ['officer', 'site_admin']) {
    const { body } = await api(who, { q: ORG_WORD });
    assert.deepEqual(slugs(body), ['after-hours'], who);
    assert.equal(body.results[0].title, ORG_TITLE);
  }
  for (const who of ['anonymous', 'partner', 'officer_c']) {
    const a = await api(who, { q: ORG_WORD });
    assert.equal(a.body.total, 0, who);
    assert.ok(!a.text.includes(ORG_TITLE), who);
    const p = await page(who, { q: ORG_WORD });
    assert.ok(!p.html.includes(ORG_TITLE) && !p.html.includes('after-hours'), who);
    assert.match(p.html, /No results for “quetzalcoatl”/);
    // Nor by its title's words.
    const t = await api(who, { q: 'after-hours callout protocol' });
    assert.ok(!t.text.includes(ORG_TITLE), who);
  }
});

test("a members' page: any member of an active organization, not anonymous visitors", async () => {
  for (const who of ['officer', 'partner', 'officer_c', 'site_admin']) {
    const { body } = await api(who, { q: MEMBERS_WORD });
    assert.deepEqual(slugs(body), ['liaison-roster'], who);
  }
  const a = await api('anonymous', { q: MEMBERS_WORD });
  assert.equal(a.body.total, 0);
  assert.ok(!a.text.includes(MEMBERS_TITLE));
});

test('a disabled organization loses its pages at once (the same condition as the listings)', async () => {
  await sql(store, "UPDATE organizations SET status = 'disabled' WHERE slug = 'river-pd'");
  try {
    const le = await api('officer_c', { q: 'sextortion' });
    assert.ok(!slugs(le.body).includes('le-identifying-victims'));
    const m = await api('officer_c', { q: MEMBERS_WORD });
    assert.equal(m.body.total, 0);
  } finally {
    await sql(store, "UPDATE organizations SET status = 'active' WHERE slug = 'river-pd'");
  }
});

test('a snippet is escaped text with <mark> around the matches, on the page and in the API', async () => {
  const { body } = await api('officer', { q: ORG_WORD });
  const hit = body.results[0];
  assert.match(hit.snippet_html, /<mark>quetzalcoatl<\/mark>/);
  assert.match(hit.snippet_html, /&lt;script&gt;alert\(&#39;x&#39;\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  assert.ok(!hit.snippet_html.includes('<script'));
  assert.ok(hit.snippet.includes("<script>alert('x')</script>")); // the plain text, for programs
  const p = await page('officer', { q: ORG_WORD });
  assert.match(p.html, /<p class="search-snippet">[^<]*<mark>quetzalcoatl<\/mark>/);
  assert.ok(p.html.includes('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;'));
  assert.ok(!p.html.includes("<script>alert('x')"));
});

test('the query shown back is escaped, never markup', async () => {
  const q = '<b>bold</b> "><svg onload=alert(1)> harbor';
  const p = await page('anonymous', { q });
  assert.equal(p.status, 200);
  assert.ok(!p.html.includes('<b>bold</b>') && !p.html.includes('<svg'));
  assert.ok(p.html.includes('&lt;b&gt;bold&lt;/b&gt;'));
});

// --- the index follows the pages ------------------------------------------------

test('unpublishing and republishing a page takes it out of and back into the results', async () => {
  const before = await api('anonymous', { q: 'Polaris' });
  assert.ok(slugs(before.body).includes('polaris'));
  await sql(store, "UPDATE library_pages SET published = 0 WHERE slug = 'polaris'");
  const gone = await api('anonymous', { q: 'Polaris', limit: '50' });
  assert.ok(!slugs(gone.body).includes('polaris'));
  await sql(store, "UPDATE library_pages SET published = 1 WHERE slug = 'polaris'");
  const back = await api('anonymous', { q: 'Polaris' });
  assert.ok(slugs(back.body).includes('polaris'));
});

test('an import and a rollback change what search finds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csec-search-pack-'));
  try {
    await cp(join(ROOT, 'content'), dir, { recursive: true });
    const meta = JSON.parse(await readFile(join(dir, 'pack.json'), 'utf8'));
    meta.version = '2099.1.1';
    await writeFile(join(dir, 'pack.json'), JSON.stringify(meta, null, 2));
    const file = join(dir, 'resources/020-ncmec-cybertipline.md');
    await writeFile(file, (await readFile(file, 'utf8')) + '\nReports about wolframite mines go here too.\n');
    const page = await readFile(join(dir, 'resources/230-polaris.md'), 'utf8');
    await writeFile(join(dir, 'resources/999-search-fixture.md'), page
      .replace(/^title: .*$/m, 'title: "Zirconium test page"')
      .replace(/^slug: .*$/m, 'slug: zirconium-test-page')
      .replace(/^order: .*$/m, 'order: 999'));
    const imp = await run(['content', 'import', dir, ...store.args]);
    assert.equal(imp.code, 0, imp.stderr);

    assert.deepEqual(slugs((await api('anonymous', { q: 'wolframite' })).body), ['ncmec-cybertipline']);
    assert.deepEqual(slugs((await api('anonymous', { q: 'Zirconium' })).body), ['zirconium-test-page']);

    const [[first]] = await sql(store, "SELECT min(id) FROM library_versions WHERE pack = 'csec-starter'");
    const rb = await run(['content', 'rollback', first, ...store.args]);
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal((await api('anonymous', { q: 'wolframite' })).body.total, 0);
    assert.equal((await api('anonymous', { q: 'Zirconium' })).body.total, 0);
    assert.ok(slugs((await api('anonymous', { q: 'CyberTipline' })).body).includes('ncmec-cybertipline'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// --- the page -----------------------------------------------------------------

test('the page: a labelled search landmark, an empty state, results with kind, link, snippet and count', async () => {
  let p = await page('anonymous', {});
  assert.equal(p.status, 200);
  assert.match(p.html, /<form class="form search-form" method="get" action="\/search" role="search" aria-label="[^"]+">/);
  assert.match(p.html, /<label for="q">/);
  assert.match(p.html, /<input id="q" name="q" type="search"/);
  assert.match(p.html, /Type one or more words/);
  assert.match(p.html, /<a href="\/search" aria-current="page">Search<\/a>/);

  p = await page('anonymous', { q: 'CyberTipline' });
  assert.match(p.html, /<p role="status">\d+ pages match “CyberTipline”; showing 1 to \d+/);
  assert.match(p.html, /<p class="tag">Resource<\/p>\s*<h3 class="search-title"><a href="\/resources\/ncmec-cybertipline">NCMEC CyberTipline<\/a><\/h3>/);
  assert.match(p.html, /<mark>CyberTipline<\/mark>/i);

  p = await page('anonymous', { q: 'zzqqxx' });
  assert.match(p.html, /No results for “zzqqxx”/);

  p = await page('anonymous', { q: 'CyberTipline', kind: 'practice' });
  assert.ok(!p.html.includes('/resources/ncmec-cybertipline'));
  assert.match(p.html, /<option value="practice" selected>/);
});

test('the page: pages of 20 with previous and next links', async () => {
  const total = (await api('anonymous', { q: 'law' })).body.total;
  assert.ok(total > 20, `only ${total} pages hold "law"`);
  let p = await page('anonymous', { q: 'law' });
  assert.match(p.html, /<a href="\/search\?q=law&amp;page=2" rel="next">/);
  assert.equal((p.html.match(/class="search-title"/g) || []).length, 20);
  p = await page('anonymous', { q: 'law', page: '2' });
  assert.match(p.html, /<a href="\/search\?q=law" rel="prev">/);
  assert.match(p.html, /showing 21 to/);
  p = await page('anonymous', { q: 'law', page: '40' });
  assert.equal(p.status, 200);
  assert.match(p.html, /no more results/);
  for (const bad of ['0', '-1', 'x', '99', '1e3']) {
    p = await page('anonymous', { q: 'law', page: bad });
    assert.equal(p.status, 422, bad);
    assert.match(p.html, /role="alert"/);
  }
  p = await page('anonymous', { q: 'law', kind: 'org' });
  assert.equal(p.status, 422);
  assert.match(p.html, /aria-describedby="kind-error"/);
});

// --- the API ------------------------------------------------------------------

test('the API: limit and offset page through the same results; bad values are named', async () => {
  const all = (await api('anonymous', { q: 'law', limit: '50' })).body;
  const a = (await api('anonymous', { q: 'law', limit: '5' })).body;
  const b = (await api('anonymous', { q: 'law', limit: '5', offset: '5' })).body;
  assert.equal(a.results.length, 5);
  assert.equal(a.total, all.total);
  assert.equal(b.total, all.total);
  assert.deepEqual([...slugs(a), ...slugs(b)], slugs(all).slice(0, 10));
  const past = (await api('anonymous', { q: 'law', offset: '1000' })).body;
  assert.deepEqual(past.results, []);
  assert.equal(past.total, all.total);
  for (const [k, v] of [['limit', '0'], ['limit', '51'], ['limit', 'ten'], ['offset', '-1'], ['offset', '1001'], ['kind', 'org'], ['kind', 'Guide']]) {
    const r = await api('anonymous', { q: 'law', [k]: v });
    assert.equal(r.status, 422, `${k}=${v}`);
    assert.equal(r.body.error.code, 'invalid');
    assert.equal(r.body.error.field, k);
  }
  const empty = (await api('anonymous', {})).body;
  assert.deepEqual(empty.results, []);
  assert.equal(empty.total, 0);
});

test('the API answers a bearer token like a session (an officer finds law-enforcement pages)', async () => {
  const t = await run(['token', 'create', '--user', world.a.officer, ...store.args]);
  assert.equal(t.code, 0, t.stderr);
  const res = await fetch(srv.url + '/api/v1/search?q=sextortion', { headers: { Authorization: 'Bearer ' + t.stdout.trim() } });
  assert.equal(res.status, 200);
  assert.ok((await res.json()).results.some((r) => r.slug === 'le-identifying-victims'));
});

test('the OpenAPI document describes /api/v1/search', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const op = doc.paths['/api/v1/search']?.get;
  assert.ok(op, 'no GET /api/v1/search');
  const names = op.parameters.map((p) => p.name ?? p.$ref).join(' ');
  for (const n of ['q', 'kind', 'limit', 'offset']) assert.ok(names.includes(n), n);
});
