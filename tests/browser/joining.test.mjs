// tests/browser/joining.test.mjs — asking to join an organization in a real
// Chromium, with the keyboard: the /join form names a refused domain and
// keeps the input, the mailed link's confirm button works from the keyboard,
// and the org admin approves the request on /org/requests. Each page on the
// way passes the sweep's checks (console, CSP, axe), and the pages that only
// exist with data (the form with errors, the confirm and result pages, the
// requests list) are validated with html-validate as served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshStore, execFile } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

const PASSWORD = 'maple ferry window 8';
let srv, browser, world, dbPath;

before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  dbPath = store.db.slice(7);
  await execFile('sqlite3', ['-cmd', '.timeout 5000', dbPath, "INSERT INTO org_domains (org_id, domain) SELECT id, 'metro.example' FROM organizations WHERE slug = 'metro-pd'"]);
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

async function verifyLink(to) {
  const dir = join(srv.data, 'outbox');
  for (let i = 0; i < 200; i++) {
    for (const n of await readdir(dir).catch(() => [])) {
      const text = await readFile(join(dir, n), 'utf8');
      if (text.includes(`To: <${to}>`)) return /(http:\/\/\S+\/verify-email\/[A-Za-z0-9_-]{43})/.exec(text)[1];
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no mail to ${to}`);
}

// Submits the focused form with Enter and waits for the answer's navigation.
const enter = (page) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);

test('ask to join with the keyboard, confirm the address, the org admin approves', async () => {
  let v = await visit(browser.context, srv.url + '/login', { viewport: VIEWPORTS.phone });
  let { page } = v;
  try {
    // From the sign-in page, the link to the form.
    await page.getByRole('link', { name: 'Ask to join your organization' }).focus();
    await enter(page);
    assert.equal(page.url(), srv.url + '/join');

    // Name, Tab, email, Tab, password: the fields come in that order.
    await page.getByLabel('Your full name').focus();
    await page.keyboard.type('Jordan Blake');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
    await page.keyboard.type('jordan@elsewhere.example');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
    await page.keyboard.type(PASSWORD);
    await enter(page);

    // Refused: the reason is announced, the input kept, the password not.
    assert.match(await page.getByRole('alert').innerText(), /No organization on this portal accepts requests/);
    assert.equal(await page.getByLabel('Your full name').inputValue(), 'Jordan Blake');
    assert.equal(await page.getByLabel('Your work email address').inputValue(), 'jordan@elsewhere.example');
    assert.equal(await page.getByLabel('Your work email address').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Choose a password').inputValue(), '');
    assertNone(await axeViolations(page), 'axe on /join with an error');
    await screenshot(page, 'join-refused-phone');

    await page.getByLabel('Your work email address').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('jordan@metro.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await enter(page);
    assert.equal(page.url(), srv.url + '/join/sent');
    assert.match(await page.locator('h1').innerText(), /Check your email/);
    // The refused form's own 422 is the page, not a failed subresource.
    const expected = (f) => f === `subresource ${srv.url}/join answered 422` ||
      f.startsWith('console error: Failed to load resource: the server responded with a status of 422') && f.endsWith(`(${srv.url}/join)`);
    assertNone((await v.problems()).filter((f) => !expected(f)), 'console, CSP and subresources on the way');
  } finally {
    await v.close();
  }

  // The link from the mail: a page with one button, pressed with the keyboard.
  const link = await verifyLink('jordan@metro.example');
  v = await visit(browser.context, link, { viewport: VIEWPORTS.phone });
  page = v.page;
  try {
    assert.equal(v.response.status(), 200);
    assert.match(await page.locator('main').innerText(), /jordan@metro\.example/);
    assertNone(await axeViolations(page), 'axe on the confirm page');
    await page.getByRole('button', { name: 'Confirm my email address' }).focus();
    await enter(page);
    assert.match(await page.locator('main').innerText(), /Waiting for an administrator[\s\S]*Metro Police Department/);
    assertNone(await axeViolations(page), 'axe on the result page');
    assertNone(await htmlProblems(await page.content(), 'verified.html'), 'html-validate on the result page');
    await screenshot(page, 'join-verified-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }

  // The org admin decides, with the keyboard.
  const admin = await signIn(srv, world.a.org_admin);
  const served = await (await admin.fetch('/org/requests')).text();
  assert.match(served, /jordan@metro\.example/);
  assertNone(await htmlProblems(served, 'requests.html'), 'html-validate on /org/requests with a request');
  await browser.context.clearCookies();
  await browser.context.addCookies([...admin.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
  for (const viewport of [VIEWPORTS.phone, VIEWPORTS.desktop]) {
    v = await visit(browser.context, srv.url + '/org/requests', { viewport });
    try {
      assertNone(await axeViolations(v.page), `axe on /org/requests at ${viewport.width} px`);
      const wide = await v.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= viewport.width, `no sideways scrolling at ${viewport.width} px (${wide})`);
    } finally {
      await v.close();
    }
  }
  v = await visit(browser.context, srv.url + '/org/requests', { viewport: { width: 320, height: 640 } });
  page = v.page;
  try {
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 320, 'fits 320 px');
    await screenshot(page, 'org-requests-320');
    const role = page.getByLabel('Role for Jordan Blake');
    assert.equal(await role.inputValue(), 'officer', 'officer is the default in law enforcement');
    await role.focus();
    await role.selectOption('trainer');
    await page.keyboard.press('Tab');
    assert.match(await page.evaluate(() => document.activeElement.textContent), /Approve\s+Jordan Blake/);
    await enter(page);
    assert.equal(page.url(), srv.url + '/org/requests?done=approved');
    assert.match(await page.getByRole('status').innerText(), /approved/);
    assert.match(await page.locator('main').innerText(), /No one is waiting/);
    assertNone(await axeViolations(page), 'axe after approving');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
  const { stdout } = await execFile('sqlite3', ['-cmd', '.timeout 5000', dbPath, "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'jordan@metro.example'"]);
  assert.equal(stdout.trim(), 'trainer');
  // And Jordan signs in as a member.
  const jordan = await signIn(srv, 'jordan@metro.example', PASSWORD);
  assert.match(await (await jordan.fetch('/account')).text(), /<dd>Metro Police Department<\/dd>[\s\S]*Trainer/);
});
