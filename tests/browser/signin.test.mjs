// tests/browser/signin.test.mjs — signing in and out in a real Chromium: the
// __Host- cookies work on the local test server, the form keeps the email
// and names the problem after a failure, the account page passes the same
// checks as every swept page (console, CSP, axe, html-validate), and the
// sign-out button ends the session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore, execFile, setCookies } from '../e2e/lib/server.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

const PASSWORD = 'quiet river lantern 7';
let srv, browser;

before(async () => {
  const store = await freshStore();
  let r = await run(['org', 'add', '--name', 'County Child Welfare', '--kind', 'child_welfare', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['user', 'add', '--email', 'sam@county.example', '--name', 'Sam Rivera', '--org', 'county-child-welfare', '--role', 'partner', '--password-stdin', ...store.args], { input: PASSWORD + '\n' });
  assert.equal(r.code, 0, r.stderr);
  // A second membership, so the account page shows the organization switcher.
  r = await run(['org', 'add', '--name', 'Regional MDT', '--kind', 'coordinator', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  await execFile('sqlite3', ['-cmd', '.timeout 5000', store.db.slice(7), "INSERT INTO memberships (user_id, org_id, role) SELECT u.id, o.id, 'analyst' FROM users u, organizations o WHERE u.email = 'sam@county.example' AND o.slug = 'regional-mdt'"]);
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

test('sign in with the keyboard, land on the account page, sign out', async () => {
  const v = await visit(browser.context, srv.url + '/login', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    // A wrong password first: the email stays, the problem is announced.
    await page.getByLabel('Email address').fill('sam@county.example');
    await page.getByLabel('Password').fill('not my password');
    // Wait for the answer's navigation itself: the URL does not change, and
    // waiting for 'load' alone could see the old page.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getByLabel('Email address').inputValue(), 'sam@county.example');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.match(await page.getByRole('alert').innerText(), /not right/);
    assertNone(await axeViolations(page), 'axe on the failed sign-in');
    await screenshot(page, 'login-failed-phone');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(srv.url + '/account');
    assert.match(await page.locator('main').innerText(), /Sam Rivera[\s\S]*County Child Welfare[\s\S]*Partner/);
    assertNone(await axeViolations(page), 'axe on the account page');
    // Switch to the other organization with the keyboard-reachable button.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: /Switch to Regional MDT/ }).click(),
    ]);
    assert.equal(page.url(), srv.url + '/account');
    assert.match(await page.locator('main').innerText(), /Regional MDT[\s\S]*Analyst/);
    assertNone(await axeViolations(page), 'axe on the account page after switching');
    const html = await page.content();
    assert.ok(html.length > 0);
    await screenshot(page, 'account-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(srv.url + '/');
    const res = await page.goto(srv.url + '/account');
    assert.equal(res.status(), 401);
  } finally {
    await v.close();
  }
});

test('the account page HTML validates', async () => {
  // Sign in over HTTP the way the browser does, then validate what is served.
  const login = await fetch(srv.url + '/login');
  const nonce = /__Host-csec_pre=([^;]+)/.exec(setCookies(login).join('\n'))[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())[1];
  const res = await fetch(srv.url + '/login', {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url, Cookie: `__Host-csec_pre=${nonce}` },
    body: new URLSearchParams({ _csrf: token, email: 'sam@county.example', password: PASSWORD }).toString(),
  });
  assert.equal(res.status, 303);
  const session = /__Host-csec_session=([^;]+)/.exec(setCookies(res).join('\n'))[1];
  const page = await fetch(srv.url + '/account', { headers: { Cookie: `__Host-csec_session=${session}` } });
  assert.equal(page.status, 200);
  assertNone(await htmlProblems(await page.text(), 'account.html'), 'html-validate on /account');
});
