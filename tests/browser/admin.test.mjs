// tests/browser/admin.test.mjs — a site admin adds an organization with the
// keyboard alone, in a real Chromium at phone width: Tab from field to
// field, type-ahead in the kind list, Enter to send; a mistake comes back
// announced (role="alert"), named next to its field and with everything
// typed kept; fixed, the organization's page opens, and the audit log shows
// the record. Each page passes axe, and the console shows no error or CSP
// violation. Then the audit log's filter form, also by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshStore } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, screenshot, VIEWPORTS } from './harness.mjs';

let srv, browser, world;

before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  browser = await openBrowser();
  // Sign in over HTTP (two-step sign-in enrolled on the way), then hand the
  // session cookie to the browser, as the sweep does.
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

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

/** The id of the element that has the focus. */
const focused = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

test('adding an organization with the keyboard: a mistake named and kept, then fixed', async () => {
  const v = await visit(browser.context, srv.url + '/admin/orgs', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    // From the list to the form by the keyboard: focus the link, Enter.
    await page.getByRole('link', { name: 'Add an organization' }).focus();
    await Promise.all([page.waitForURL(srv.url + '/admin/orgs/new'), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').innerText(), 'Add an organization');

    await page.getByLabel('Organization name').focus();
    await page.keyboard.type('Harbor County Sheriff');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'kind');
    await page.keyboard.type('Law'); // type-ahead picks "Law enforcement agency"
    assert.equal(await page.locator('#kind').inputValue(), 'law_enforcement');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'state');
    await page.keyboard.type('W1'); // not a postal code
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'jurisdiction');
    await page.keyboard.type('Harbor County');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'time_zone');
    assert.equal(await page.locator('#time_zone').inputValue(), 'America/New_York', 'the default is filled in');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('America/Los_Angeles');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'ori');
    await page.keyboard.type('wa014'); // too short
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'slug');
    await page.keyboard.type('harbor-sheriff');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);

    // 422: announced, named next to the field, everything kept.
    assert.match(await page.getByRole('alert').innerText(), /There is a problem/);
    assert.match(await page.locator('#state-error').innerText(), /two-letter postal code/);
    assert.equal(await page.locator('#state').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#state').getAttribute('aria-describedby'), /state-error/);
    assert.equal(await page.getByLabel('Organization name').inputValue(), 'Harbor County Sheriff');
    assert.equal(await page.locator('#kind').inputValue(), 'law_enforcement');
    assert.equal(await page.locator('#slug').inputValue(), 'harbor-sheriff');
    assert.match(await page.locator('#ori-error').innerText(), /exactly 9 letters and digits/);
    assert.match(await page.locator('#ori').getAttribute('aria-describedby'), /ori-error/);
    assert.equal(await page.locator('#jurisdiction').inputValue(), 'Harbor County');
    assert.equal(await page.locator('#time_zone').inputValue(), 'America/Los_Angeles');
    assert.equal(await page.locator('#ori').inputValue(), 'wa014');
    assertNone(await axeViolations(page), 'axe on the form with a mistake');
    await screenshot(page, 'admin-org-new-invalid-phone');

    // Fix the state and send again with Enter.
    await page.locator('#state').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('wa');
    await page.locator('#ori').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('wa0140000');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/admin\/orgs\/\d+$/);
    assert.equal(await page.locator('h1').innerText(), 'Harbor County Sheriff');
    assert.match(await page.locator('main').innerText(), /harbor-sheriff[\s\S]*Law enforcement agency[\s\S]*WA[\s\S]*Harbor County[\s\S]*America\/Los_Angeles[\s\S]*WA0140000/);
    assertNone(await axeViolations(page), 'axe on the new organization\'s page');
    await screenshot(page, 'admin-org-created-phone');

    // The audit log has the record, found with the filter form and the keyboard.
    await page.goto(srv.url + '/admin/audit');
    await page.getByLabel('Action').focus();
    await page.keyboard.type('site.org.create');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /action=site\.org\.create/);
    const row = page.locator('tbody tr').first();
    assert.match(await row.innerText(), /admin@site\.example[\s\S]*Harbor County Sheriff[\s\S]*site\.org\.create[\s\S]*organization: harbor-sheriff[\s\S]*Success/);
    assertNone(await axeViolations(page), 'axe on the filtered audit log');
    // The table scrolls in its own region, which the keyboard can reach.
    assert.equal(await page.locator('section.table-scroll').getAttribute('tabindex'), '0');
    await screenshot(page, 'admin-audit-filtered-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});

test('disabling a person from the people list, by keyboard', async () => {
  const v = await visit(browser.context, srv.url + '/admin/users?q=officer%40b.example', { viewport: VIEWPORTS.desktop });
  const { page } = v;
  try {
    const button = page.getByRole('button', { name: 'Disable officer B' });
    await button.focus();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(page.url(), srv.url + '/admin/users?q=officer%40b.example');
    assert.match(await page.locator('tbody').innerText(), /Disabled/);
    await page.getByRole('button', { name: 'Re-enable officer B' }).focus();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('tbody').innerText(), /Active/);
    assertNone(await axeViolations(page), 'axe on the people list');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
