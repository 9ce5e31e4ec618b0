// tests/browser/api.test.mjs — personal access tokens in a real Chromium,
// with the keyboard alone: from the account page to /account/tokens, a form
// sent with a problem (announced, input kept), then a token created (read
// and change access, 30 days) and shown once, used against /api/v1/me, and
// revoked with its button. Each state passes axe (WCAG 2.1 AA) and
// html-validate, with no console error or CSP violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore } from '../e2e/lib/server.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

const PASSWORD = 'copper kettle morning 5';
let srv, browser;

before(async () => {
  const store = await freshStore();
  let r = await run(['org', 'add', '--name', 'Lakeside Police Department', '--kind', 'law_enforcement', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['user', 'add', '--email', 'dana@lakeside.example', '--name', 'Dana Ortiz', '--org', 'lakeside-police-department', '--role', 'officer', '--password-stdin', ...store.args], { input: PASSWORD + '\n' });
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

/** The page as shown, checked: axe on the DOM, html-validate on the HTML
 * the server sent (RESPONSE of the navigation). */
async function checkPage(page, response, what) {
  assertNone(await axeViolations(page), `axe on ${what}`);
  assertNone(await htmlProblems(await response.text(), `${what}.html`), `html-validate on ${what}`);
}

/** Presses KEY and waits for the navigation it causes; its response. */
async function pressAndWait(page, key) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
  return response;
}

test('create a token with the keyboard, see it once, use it, revoke it', async () => {
  const v = await visit(browser.context, srv.url + '/login', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    await page.getByLabel('Email address').fill('dana@lakeside.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await pressAndWait(page, 'Enter');
    assert.equal(page.url(), srv.url + '/account');

    // From the account page to the tokens page by its link.
    await page.getByRole('link', { name: 'Manage your API tokens' }).focus();
    let res = await pressAndWait(page, 'Enter');
    assert.equal(page.url(), srv.url + '/account/tokens');
    assert.match(await page.locator('main').innerText(), /You have no API tokens/);
    await checkPage(page, res, 'api-tokens-empty');

    // A first try without a name: the problem is announced, the rest kept.
    await page.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.press('Tab'); // to the access choice (one tab stop)
    await page.keyboard.press('ArrowDown'); // read and change
    await page.keyboard.press('Tab'); // to the days
    await page.keyboard.press('Control+A');
    await page.keyboard.type('30');
    res = await pressAndWait(page, 'Enter');
    assert.equal(res.status(), 422);
    assert.match(await page.getByRole('alert').innerText(), /needs a change/);
    assert.match(await page.locator('#name-error').innerText(), /Enter a name for the token/);
    assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Expires after (days)').inputValue(), '30');
    assert.ok(await page.getByLabel('Read and change').isChecked(), 'the access choice is kept');
    await checkPage(page, res, 'api-tokens-invalid');

    // Now with a name; Enter in a field sends the form.
    await page.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.type('Roster sync');
    res = await pressAndWait(page, 'Enter');
    assert.equal(res.status(), 200);
    const shown = page.getByLabel('Token', { exact: true });
    const token = await shown.inputValue();
    assert.match(token, /^csec_pat_[A-Za-z0-9_-]{43}$/);
    assert.match(await page.locator('main').innerText(), /Copy this token now/);
    assert.match(await page.locator('main').innerText(), /Roster sync[\s\S]*Read and change/);
    await checkPage(page, res, 'api-tokens-created');
    await screenshot(page, 'api-tokens-created-phone');

    const me = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).name, 'Dana Ortiz');

    // Shown once: reloading the list does not show it again.
    await page.goto(srv.url + '/account/tokens');
    assert.ok(!(await page.content()).includes(token));
    await page.getByRole('button', { name: 'Revoke Roster sync' }).focus();
    res = await pressAndWait(page, 'Enter');
    assert.equal(page.url(), srv.url + '/account/tokens');
    assert.match(await page.locator('main').innerText(), /Roster sync[\s\S]*Revoked/);
    assert.equal(await page.getByRole('button', { name: /Revoke/ }).count(), 0);
    await checkPage(page, res, 'api-tokens-revoked');
    const gone = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 401);
    // The harness counts documents other than the first as subresources:
    // the 422 answer to the form without a name is expected, nothing else.
    const expected = (f) => f.includes(`${srv.url}/account/tokens`) && /\b422\b/.test(f);
    assertNone((await v.problems()).filter((f) => !expected(f)), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
