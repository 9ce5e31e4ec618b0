// tests/browser/search.test.mjs — searching in a real Chromium with the
// keyboard alone: the Search link in the navigation, the search landmark and
// its labelled field, Enter to search, the count announced in a status,
// Tab to the first result and Enter to read it; then a kind filter chosen
// from the select, and the marked words of a snippet. Each step passes the
// checks of every swept page (console, CSP, axe).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../e2e/lib/server.mjs';
import { openBrowser, visit, axeViolations, screenshot, VIEWPORTS } from './harness.mjs';

let srv, browser;

before(async () => {
  srv = await startServer();
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

test('search with the keyboard: type, Enter, Tab to a result, Enter to read it', async () => {
  const v = await visit(browser.context, srv.url + '/', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    await Promise.all([page.waitForURL(srv.url + '/search'), page.getByRole('link', { name: 'Search', exact: true }).press('Enter')]);
    const form = page.getByRole('search', { name: 'Search the knowledge base' });
    assert.equal(await form.count(), 1);
    await page.getByLabel('Words to look for').focus();
    await page.keyboard.type('CyberTipline');
    await Promise.all([page.waitForURL(/\/search\?q=CyberTipline/), page.keyboard.press('Enter')]);
    const status = await page.getByRole('status').innerText();
    assert.match(status, /pages? match(es)? “CyberTipline”/);
    assert.equal(await page.getByLabel('Words to look for').inputValue(), 'CyberTipline');
    const first = page.locator('.search-title a').first();
    assert.equal(await first.innerText(), 'NCMEC CyberTipline');
    assert.ok((await page.locator('.search-snippet mark').count()) > 0, 'no marked words');
    assertNone(await axeViolations(page), 'axe on the results');
    await screenshot(page, 'search-flow-phone');

    // Tab from the search button to the first result, and open it.
    await page.getByRole('button', { name: 'Search' }).focus();
    let href = '';
    for (let i = 0; i < 5 && !href.includes('/resources/'); i++) {
      await page.keyboard.press('Tab');
      href = await page.evaluate(() => document.activeElement?.getAttribute('href') || '');
    }
    assert.equal(href, '/resources/ncmec-cybertipline');
    await Promise.all([page.waitForURL(srv.url + '/resources/ncmec-cybertipline'), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), /CyberTipline/);
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});

test('the kind filter narrows the results, chosen from the keyboard', async () => {
  const v = await visit(browser.context, srv.url + '/search?q=safe+harbor', { viewport: VIEWPORTS.desktop });
  const { page } = v;
  try {
    const all = await page.locator('.search-title a').count();
    await page.getByLabel('Look in').selectOption('guide');
    // Enter on a select does not submit a form: Tab to the button, then Enter.
    await page.getByLabel('Look in').press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Search');
    await Promise.all([page.waitForURL(/kind=guide/), page.keyboard.press('Enter')]);
    const kinds = await page.locator('.search-list .tag').allInnerTexts();
    assert.ok(kinds.length > 0 && kinds.length < all, `${kinds.length} of ${all}`);
    for (const k of kinds) assert.equal(k, 'Guide');
    assertNone(await axeViolations(page), 'axe on the filtered results');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
