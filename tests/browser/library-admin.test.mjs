// tests/browser/library-admin.test.mjs — a site admin uploads a content pack
// in a real Chromium: a broken pack first (the problems announced as a list
// of file:line: message), then a good one (the summary of what importing it
// would change), imported with the keyboard; then a review recorded with
// the keyboard alone, a mistake named next to its field and the input kept.
// Every page passes axe and html-validate, with no console error or CSP
// violation, at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshStore } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { makeZip } from '../e2e/lib/zip.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, pageWidths, screenshot, VIEWPORTS } from './harness.mjs';

const CONTENT = new URL('../../content', import.meta.url).pathname;
let srv, browser, world, files;

before(async () => {
  files = [{ name: 'pack.json', data: await readFile(join(CONTENT, 'pack.json'), 'utf8') }];
  for (const dir of ['guide', 'practices', 'resources']) {
    for (const n of (await readdir(join(CONTENT, dir))).filter((x) => x.endsWith('.md'))) {
      files.push({ name: `${dir}/${n}`, data: await readFile(join(CONTENT, dir, n), 'utf8') });
    }
  }
  const store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  browser = await openBrowser();
  const admin = await signIn(srv, world.admin);
  await browser.context.addCookies([...admin.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
});

/** V's problems but the 422 of the pages this test expects (documents
 * answering a form, which the harness counts as failed subresources). */
async function problems(v) {
  const expected = /(\/admin\/content\/upload|\/admin\/content\/review)\b.*\b422\b|\b422\b.*(\/admin\/content\/upload|\/admin\/content\/review)\)/;
  return (await v.problems()).filter((p) => !expected.test(p));
}

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

/** The starter pack as VERSION, with EDIT applied to its files. */
function pack(version, edit) {
  const copy = files.map((f) => ({ ...f }));
  const meta = JSON.parse(copy[0].data);
  meta.version = version;
  copy[0].data = JSON.stringify(meta);
  if (edit) edit(copy);
  return makeZip(copy);
}

/** Checks what every page must pass, with NAME in the messages; RES is the
 * navigation's response (html-validate reads the HTML as served). */
async function checkPage(page, res, name) {
  assertNone(await axeViolations(page), `axe on ${name}`);
  assertNone(await htmlProblems(await res.text(), `${name}.html`), `html-validate on ${name}`);
  const w = await pageWidths(page);
  assert.ok(w.scrollWidth <= w.clientWidth, `${name} scrolls sideways at 320 px (${w.scrollWidth} > ${w.clientWidth})`);
  await screenshot(page, `${name}-phone`);
}

test('uploading a pack: problems listed, then a good pack summed up and imported', async () => {
  const v = await visit(browser.context, srv.url + '/admin/content', { viewport: VIEWPORTS.phone });
  const { page } = v;
  let res;
  try {
    const broken = pack('2027.1.1', (f) => { f[1].data = f[1].data.replace(/^title: .*$/m, 'title: ""'); });
    await page.getByLabel('The pack (.zip)').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: broken });
    await page.getByRole('button', { name: 'Check the pack' }).focus();
    res = (await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]))[0];
    assert.equal(await page.locator('h1').innerText(), 'The pack was not imported');
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /broken\.zip/);
    assert.match(await alert.locator('li').first().innerText(), /^guide\/[^:]+\.md:\d+: /);
    await checkPage(page, res, 'admin-content-problems');

    await page.getByLabel('The pack (.zip)').setInputFiles({ name: 'metro.zip', mimeType: 'application/zip', buffer: pack('2027.1.2', (f) => {
      // One page removed, one added: the summary names them.
      const gone = f.pop();
      f.push({ name: 'guide/07-added.md', data: f[1].data.replace(/^slug: .*$/m, 'slug: added-page').replace(/^title: .*$/m, 'title: "An added page"') });
      return gone;
    }) });
    await page.getByRole('button', { name: 'Check the pack' }).focus();
    res = (await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]))[0];
    assert.equal(await page.locator('h1').innerText(), 'Import this pack?');
    assert.match(await page.locator('main').innerText(), /It replaces version 2026\.11\.28/);
    assert.match(await page.locator('main').innerText(), /An added page added-page/);
    await checkPage(page, res, 'admin-content-confirm');

    await page.getByRole('button', { name: 'Import the pack' }).focus();
    res = (await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]))[0];
    assert.equal(page.url(), srv.url + '/admin/content?done=imported');
    assert.match(await page.getByRole('status').innerText(), /The pack was imported/);
    assert.match(await page.locator('main').innerText(), /2027\.1\.2/);
    assertNone(await problems(v), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});

test('recording a review with the keyboard: a mistake named and kept, then fixed', async () => {
  const v = await visit(browser.context, srv.url + '/admin/content', { viewport: VIEWPORTS.phone });
  const { page } = v;
  let res;
  try {
    await page.getByLabel("Reviewer's name").focus();
    await page.keyboard.type('Dana Ruiz');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Human trafficking unit commander');
    res = (await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]))[0];
    assert.match(await page.getByRole('alert').innerText(), /There is a problem/);
    const date = page.getByLabel('Date of the review');
    assert.equal(await date.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('[id$="-date-error"], [id^="date-"][id$="-error"]').first().innerText(), /Enter the date/);
    assert.equal(await page.getByLabel("Reviewer's name").inputValue(), 'Dana Ruiz');
    await checkPage(page, res, 'admin-content-review-invalid');

    await date.focus();
    await page.keyboard.type('03142026'); // Chromium's date field, month first
    assert.equal(await date.inputValue(), '2026-03-14');
    res = (await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]))[0];
    assert.equal(page.url(), srv.url + '/admin/content?done=reviewed');
    assert.match(await page.locator('main').innerText(), /Reviewed by Dana Ruiz \(Human trafficking unit commander\) on 2026-03-14/);
    await checkPage(page, res, 'admin-content-reviewed');
    assertNone(await problems(v), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
