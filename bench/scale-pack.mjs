#!/usr/bin/env node
// bench/scale-pack.mjs — writes content packs that, with the starter pack,
// make the knowledge base TIMES as large as the starter pack alone, for the
// search rows of bench/run (docs/benchmarks.md).
//
//   node bench/scale-pack.mjs FROM OUT [TIMES] [SEED]
//
// FROM is a pack (content/), OUT an empty directory; TIMES defaults to 100.
// It writes (TIMES - 1) x the pages of FROM, spread over packs bench-1,
// bench-2, ... under OUT (each within the pack limits: at most PER_PACK pages,
// far below 32 MiB), and prints each pack's directory on a line, so that
// `csec content import` can load them one after the other; with FROM itself
// (the starter pack, imported at the server's first start) the store then
// holds TIMES x its pages.
//
// Every page is made from real text: page i takes the kind, visibility,
// summary and sources of FROM's page i mod N, and a body of that page's
// paragraphs (some left out) mixed with paragraphs of two other pages, in
// an order of their own; its title is the base page's with words of another
// title and its number. Links to the pack's own pages become plain text
// (their slugs are not in the generated pack); links out are kept. The
// sequence is fixed by SEED, so two runs write the same packs.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PER_PACK = 1900; // pages in one generated pack (the limit is 2000 files)
const KINDS = { guide: 'guide', practice: 'practices', resource: 'resources' };

const [from, out, timesArg = '100', seedArg = '1'] = process.argv.slice(2);
const times = Number(timesArg);
if (!from || !out || !Number.isInteger(times) || times < 2 || times > 1000) {
  console.error('usage: node bench/scale-pack.mjs FROM OUT [TIMES 2..1000] [SEED]');
  process.exit(2);
}

// A small deterministic generator (mulberry32).
let seed = Number(seedArg) >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

/** The pages of FROM: front matter fields we reuse, and the body's paragraphs. */
async function readPack(dir) {
  const pages = [];
  for (const folder of Object.values(KINDS)) {
    let names = [];
    try { names = (await readdir(join(dir, folder))).filter((n) => n.endsWith('.md')).sort(); } catch { continue; }
    for (const name of names) {
      const text = await readFile(join(dir, folder, name), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!m) throw new Error(`${folder}/${name}: no front matter`);
      const [, front, body] = m;
      const field = (k) => (new RegExp(`^${k}: (.*)$`, 'm').exec(front) || [])[1];
      const sources = /^sources:\n((?:[ \t]+.*\n?)*)/m.exec(front + '\n');
      pages.push({
        title: JSON.parse(field('title')),
        kind: field('kind'),
        visibility: field('visibility'),
        summary: field('summary'),
        reviewed: field('reviewed'),
        sources: sources ? sources[1].replace(/\n$/, '') : null,
        blocks: body
          // [text](/guide/x) or [text](#anchor) -> text: not this pack's pages.
          .replace(/\[([^\]]*)\]\((?:\/|#)[^)]*\)/g, '$1')
          .split(/\n{2,}/)
          .map((b) => b.trim())
          .filter((b) => b !== ''),
      });
    }
  }
  if (!pages.length) throw new Error(`${dir}: no pages`);
  return pages;
}

function page(pages, i, slug) {
  const base = pages[i % pages.length];
  const other1 = pick(pages), other2 = pick(pages);
  // The base page's paragraphs, three in four of them, with a few of two
  // other pages' in between; headings stay at the start of their part.
  const blocks = [];
  for (const b of base.blocks) {
    if (b.startsWith('#') || random() < 0.75) blocks.push(b);
    if (random() < 0.2) {
      const o = pick(random() < 0.5 ? other1.blocks : other2.blocks);
      if (!o.startsWith('#')) blocks.push(o);
    }
  }
  const words = pick(pages).title.split(/[\s:,()]+/).filter((w) => w.length > 3);
  const extra = words.length ? ` ${pick(words)} ${pick(words)}` : '';
  const title = `${base.title}:${extra} ${i + 1}`.slice(0, 190);
  const front = [
    '---',
    `title: ${JSON.stringify(title)}`,
    `slug: ${slug}`,
    `kind: ${base.kind}`,
    `order: ${i + 1}`,
    `visibility: ${base.visibility}`,
    `summary: ${base.summary}`,
    ...(base.sources ? ['sources:', base.sources] : []),
    `reviewed: ${base.reviewed}`,
    '---',
    '',
  ];
  return { kind: base.kind, text: front.join('\n') + blocks.join('\n\n') + '\n' };
}

const starter = JSON.parse(await readFile(join(from, 'pack.json'), 'utf8'));
const pages = await readPack(from);
const total = (times - 1) * pages.length;
let made = 0;
for (let p = 1; made < total; p++) {
  const id = `bench-${p}`;
  const dir = join(out, id);
  for (const folder of Object.values(KINDS)) await mkdir(join(dir, folder), { recursive: true });
  await writeFile(join(dir, 'pack.json'), JSON.stringify({
    ...starter,
    id,
    version: '1',
    title: `Benchmark pack ${p} (generated from ${starter.id})`,
  }, null, 2) + '\n');
  for (let k = 0; k < PER_PACK && made < total; k++, made++) {
    const slug = `bench-${p}-${k + 1}`;
    const { kind, text } = page(pages, made, slug);
    await writeFile(join(dir, KINDS[kind], `${slug}.md`), text);
  }
  console.log(dir);
}
