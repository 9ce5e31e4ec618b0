// Black-box tests of `csec content validate`: the real binary on each
// fixture pack of tests/fixtures/packs/ (one per class of error, and good/),
// asserting the exact FILE:LINE: MESSAGE lines on stdout and the exit
// status; plus the built-in starter pack, refused symbolic links, and usage
// and I/O errors (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './lib/server.mjs';

const FIXTURES = new URL('../fixtures/packs/', import.meta.url).pathname;
const G = 'guide/10-first-steps.md';
const P = 'practices/task-force-model.md';
const R = 'resources/national-hotline.md';

// What each fixture must print, in order (sorted by file, then line).
const expected = {
  'missing-field': [`${G}:1: missing field "summary"`, `${R}:9: source 1 has no "url"`],
  'unknown-field': [
    `${G}:6: unknown field "author" (the fields are title, slug, kind, order, visibility, summary, sources, reviewed)`,
    `${P}:15: source 1: unknown field "note" (a source has title, publisher, url and checked)`,
  ],
  'no-sources': [`${R}:8: sources is empty: every page names at least one source`],
  'duplicate-slug': ['guide/20-copy.md:3: slug "first-steps" is already used by guide/10-first-steps.md'],
  'broken-link': [
    `${P}:24: link to /guide/first-step: no page of the pack has the slug "first-step"`,
    `${P}:24: link to /practices/first-steps: that page is a guide, so its address is /guide/first-steps`,
    `${P}:25: link to /guide/first-steps#nowhere: that page has no heading with that anchor`,
    `${P}:25: link to /guide/first-steps#train--every-officer-: that page has no heading with that anchor (did you mean #train-every-officer?)`,
    `${P}:25: link to #nothing-here: this page has no heading with that anchor`,
  ],
  'unknown-placeholder': [
    `${G}:20: unknown placeholder {{partners.police}}`,
    `${G}:20: placeholder {{ agency.name }} has spaces: write {{agency.name}}`,
  ],
  'malformed-yaml': [`${G}:5: malformed YAML: mapping values are not allowed in this context`],
  'raw-html': [
    `${G}:31: raw HTML is not allowed (it is dropped): write it in Markdown instead`,
    `${P}:26: raw HTML is not allowed (it is dropped): write it in Markdown instead`,
  ],
  h1: [
    `${G}:18: a level-1 heading (# or ===) is not allowed: the title is the page's only h1; use ## for sections`,
    `${R}:16: a level-1 heading (# or ===) is not allowed: the title is the page's only h1; use ## for sections`,
  ],
  'aligned-table': [
    `${G}:27: table columns may not set an alignment (write the separator row as |---|---|, without colons)`,
  ],
  oversize: [`${R}:0: the file is 264408 bytes; the limit is 256 KiB`],
  'bad-pack-json': [
    'pack.json:1: pack.json has no "disclaimer"',
    'pack.json:7: as_of must be a real date written YYYY-MM-DD',
    'pack.json:8: review_status must be "draft" or "reviewed"',
    'pack.json:9: unknown field "author" in pack.json (the fields are id, version, title, language, license, as_of, review_status, disclaimer)',
  ],
  'bad-date': [
    `${G}:13: reviewed must be a real date written YYYY-MM-DD, not "2026-02-30"`,
    `${P}:18: source 2: checked must be a real date written YYYY-MM-DD, not "27/11/2026"`,
  ],
  'kind-folder': [
    `${P}:4: kind is "guide" but the page is in practices/: move it to guide/ or change its kind to "practice"`,
  ],
};

test('the good pack is clean: exit 0, nothing on stdout', async () => {
  const r = await run(['content', 'validate', join(FIXTURES, 'good')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /is clean: pack test-pack 1\.0\.0, 3 pages \(1 guide, 1 practice, 1 resource\)/);
});

for (const [name, lines] of Object.entries(expected)) {
  test(`fixture ${name}: exactly its problems, exit 1`, async () => {
    const r = await run(['content', 'validate', join(FIXTURES, name)]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), lines);
    const files = new Set(lines.map((l) => l.split(':')[0])).size;
    assert.match(r.stderr, new RegExp(`${lines.length} problems? in ${files} files? of `));
  });
}

test('the starter pack built into the binary is clean', async () => {
  const r = await run(['content', 'validate']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /the built-in starter pack is clean: pack csec-starter /);
});

test('symbolic links in a pack are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csec-pack-'));
  try {
    await cp(join(FIXTURES, 'good'), dir, { recursive: true });
    await symlink('/etc/passwd', join(dir, 'guide', 'passwd.md'));
    await symlink(join(dir, 'practices'), join(dir, 'guide', 'sub'));
    await writeFile(join(dir, 'guide', 'bad name.md'), 'x');
    const r = await run(['content', 'validate', dir]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), [
      "guide/bad name.md:0: file name not allowed: use letters, digits, '.', '-' and '_', ending in .md",
      'guide/passwd.md:0: is a symbolic link; links are refused',
      'guide/sub:0: is a symbolic link; links are refused',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('usage and I/O errors exit 2', async () => {
  const missing = await run(['content', 'validate', join(FIXTURES, 'no-such-pack')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*no-such-pack: No such file or directory/);
  const extra = await run(['content', 'validate', 'a', 'b']);
  assert.equal(extra.code, 2);
  const unknown = await run(['content', 'frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown subcommand "frobnicate"/);
  const none = await run(['content']);
  assert.equal(none.code, 2);
  const help = await run(['content', 'validate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: csec content validate \[DIR\]/);
});
