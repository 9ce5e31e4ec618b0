// tests/browser/library.test.mjs — reading the knowledge base in a real
// Chromium, with the keyboard alone: from the guide's listing to a part,
// through its table of contents to a heading; and an org admin following a
// page's prompt for a missing profile field to the settings, filling it in
// and seeing the page use it. Each page passes axe on the way. The store
// holds the test pack of tests/fixtures/library/small.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, screenshot, VIEWPORTS } from './harness.mjs';

const FIXTURE = new URL('../fixtures/library/small', import.meta.url).pathname;
let srv, browser, world;

before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  const r = await run(['content', 'import', FIXTURE, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
});

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

/** Presses Tab until the focused element's text matches RE (at most 60 times). */
async function tabTo(page, re) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => document.activeElement?.innerText || '');
    if (re.test(text)) return;
  }
  assert.fail(`Tab never reached ${re}`);
}

test('read the guide with the keyboard: listing, a part, its table of contents', async () => {
  await browser.context.clearCookies();
  const v = await visit(browser.context, srv.url + '/guide', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    await tabTo(page, /^First part: public$/);
    await Promise.all([page.waitForURL(srv.url + '/guide/test-first'), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').innerText(), 'First part: public');
    assert.match(await page.locator('main').innerText(), /Draft — not yet reviewed by a subject-matter expert/);
    assert.match(await page.locator('main').innerText(), /Test material only: not legal advice\./);
    const toc = page.getByRole('navigation', { name: 'On this page' });
    assert.equal(await toc.getByRole('link').count(), 2);
    await tabTo(page, /^What this part says$/);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.length > 1);
    const id = await page.evaluate(() => decodeURIComponent(location.hash.slice(1)));
    const heading = page.locator(`[id="${id}"]`);
    assert.equal(await heading.innerText(), 'What this part says');
    assert.ok(await heading.isVisible());
    const box = await heading.boundingBox();
    assert.ok(box && box.y >= 0 && box.y < VIEWPORTS.phone.height, 'the heading is on screen');
    // The sources and the review date close the page.
    assert.match(await page.locator('.library-sources').innerText(), /Human Trafficking Resources[\s\S]*Last reviewed 2026-11-28/);
    assertNone(await axeViolations(page), 'axe on a guide part');
    await screenshot(page, 'library-flow-part-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});

test("an org admin follows a missing field's prompt to the settings and fills it in", async () => {
  const c = await signIn(srv, world.a.org_admin);
  await browser.context.clearCookies();
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
  const v = await visit(browser.context, srv.url + '/guide/test-first', { viewport: VIEWPORTS.desktop });
  const { page } = v;
  try {
    const prompt = page.locator('.prose .placeholder-unset a').first();
    assert.equal(await prompt.getAttribute('href'), '/org/settings');
    await tabTo(page, /local hotline numbers/);
    await Promise.all([page.waitForURL(srv.url + '/org/settings'), page.keyboard.press('Enter')]);
    const field = page.getByLabel('Local hotline numbers (optional)');
    await field.focus();
    await page.keyboard.type('Metro hotline 555-0100');
    await Promise.all([page.waitForURL(/\/org\/settings\?done=saved$/), page.keyboard.press('Enter')]);
    assertNone(await axeViolations(page), 'axe on the settings after saving');
    await page.goto(srv.url + '/guide/test-first');
    assert.match(await page.locator('.prose').innerText(), /Metro hotline 555-0100/);
    assertNone(await axeViolations(page), 'axe on the filled page');
    await screenshot(page, 'library-flow-filled-desktop');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
