// tests/browser/setup.test.mjs — the first-run setup page in a real
// Chromium: it passes the sweep's checks, empty and after a failed attempt
// (field errors), and a completed setup lands on the account page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, setCookies } from '../e2e/lib/server.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

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

test('the setup page: accessible when empty and with field errors; setup signs the admin in', async () => {
  const url = (await srv.firstLine()).trim();
  assertNone(await htmlProblems(await (await fetch(url)).text(), 'setup.html'), 'html-validate on the setup page');
  const v = await visit(browser.context, url, { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    assert.equal(v.response.status(), 200);
    assertNone(await axeViolations(page), 'axe on the empty setup page');
    await page.getByLabel('Your full name').fill('Alex Morgan');
    await page.getByLabel('Email address').fill('not an email');
    await page.getByLabel('Choose a password').fill('short');
    // Wait for the answer's navigation itself: the URL does not change, and
    // waiting for 'load' alone could see the old page.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: /Create the administrator/ }).click(),
    ]);
    assert.equal(await page.getByLabel('Your full name').inputValue(), 'Alex Morgan');
    assert.match(await page.locator('#email-error').innerText(), /name@example\.org/);
    assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
    assertNone(await axeViolations(page), 'axe on the setup page with errors');
    // The served HTML of the error page (not the DOM Chromium serialises).
    const first = await fetch(url);
    const nonce = /__Host-csec_pre=([^;]+)/.exec(setCookies(first).join('\n'))[1];
    const token = /name="_csrf" value="([^"]+)"/.exec(await first.text())[1];
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url, Cookie: `__Host-csec_pre=${nonce}` },
      body: new URLSearchParams({ _csrf: token, name: '', email: 'x', password: 'short', org_name: '', org_kind: '', org_state: 'virginia' }).toString(),
    });
    assert.equal(bad.status, 422);
    assertNone(await htmlProblems(await bad.text(), 'setup-errors.html'), 'html-validate with errors');
    await screenshot(page, 'setup-errors-phone');

    await page.getByLabel('Email address').fill('alex@riverside.example');
    await page.getByLabel('Choose a password').fill('tide pools at dawn 9');
    await page.getByLabel('Organization name').fill('Riverside County Sheriff');
    await page.getByLabel('Kind of organization').selectOption('law_enforcement');
    await page.getByRole('button', { name: /Create the administrator/ }).click();
    // A site admin must set up two-step sign-in first: the enrolment page.
    await page.waitForURL(srv.url + '/account/mfa');
    assert.match(await page.locator('main').innerText(), /scanning this QR code/);
    assertNone(await axeViolations(page), 'axe on the two-step sign-in page');
    await screenshot(page, 'mfa-enrol-phone');
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === '__Host-csec_session').value;
    const served = await fetch(srv.url + '/account/mfa', { headers: { Cookie: `__Host-csec_session=${session}` } });
    assertNone(await htmlProblems(await served.text(), 'mfa.html'), 'html-validate on the two-step sign-in page');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
