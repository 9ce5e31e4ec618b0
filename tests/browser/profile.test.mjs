// tests/browser/profile.test.mjs — a forgotten password in a real Chromium,
// driven with the keyboard: the link on the sign-in page, the request, the
// mail (an .eml in <data>/outbox), the reset page (a mistake first, named
// and announced), then signing in with the new password. Then the profile
// form's errors and the sessions page, each page checked by axe and for
// console, CSP and subresource problems.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startServer, freshStore } from '../e2e/lib/server.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

const OLD = 'copper kettle morning 5';
const NEW = 'seven herons over the marsh';
const EMAIL = 'dana@metro.example';
let srv, browser;

before(async () => {
  const store = await freshStore();
  let r = await run(['org', 'add', '--name', 'Metro Police Department', '--kind', 'law_enforcement', '--slug', 'metro-pd', ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['user', 'add', '--email', EMAIL, '--name', 'Dana Brooks', '--org', 'metro-pd', '--role', 'officer', '--password-stdin', ...store.args], { input: OLD + '\n' });
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

/** The reset link of the first mail to EMAIL in the outbox, once it is there. */
async function resetLink() {
  const dir = join(srv.data, 'outbox');
  for (let i = 0; i < 100; i++) {
    let names = [];
    try { names = (await readdir(dir)).filter((n) => n.endsWith('.eml')); } catch { /* not yet */ }
    for (const n of names) {
      const mail = await readFile(join(dir, n), 'utf8');
      const m = /(http:\/\/127\.0\.0\.1:\d+\/password\/reset\/[A-Za-z0-9_-]{43})/.exec(mail);
      if (/^To: .*dana@metro\.example/mi.test(mail) && m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('no reset mail in the outbox');
}

/** Presses Enter on the focused control; the response of the page it loads. */
async function submitWithEnter(page) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  return res;
}

// The pages this flow opens on purpose with a 4xx status (a form with a
// mistake, a spent link) are documents, not failed subresources: their
// lines in the problems are expected, every other line fails.
const planned = (p) => {
  const m = /^subresource (\S+) answered (\d+)$/.exec(p) || /status of (\d+) .*\((\S+)\)$/.exec(p);
  if (!m) return false;
  const [url, status] = m[0].startsWith('subresource') ? [m[1], m[2]] : [m[2], m[1]];
  return ['410', '422'].includes(status) && /\/(password\/forgot|password\/reset\/[A-Za-z0-9_-]+|account\/profile)$/.test(new URL(url).pathname);
};

test('forgot password → mail → reset → sign in, with the keyboard', async () => {
  const v = await visit(browser.context, srv.url + '/login', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    // The link on the sign-in page, reached by Tab.
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Forgot your password?');
    }
    assert.ok(reached, 'the link is reachable with Tab');
    await submitWithEnter(page);
    assert.equal(page.url(), srv.url + '/password/forgot');
    assertNone(await axeViolations(page), 'axe on the forgot page');

    // A mistake first: named, announced, the input kept.
    await page.getByLabel('Email address').focus();
    await page.keyboard.type('dana-at-metro');
    await submitWithEnter(page);
    assert.match(await page.getByRole('alert').innerText(), /name@example\.org/);
    assert.equal(await page.getByLabel('Email address').inputValue(), 'dana-at-metro');
    assert.equal(await page.getByLabel('Email address').getAttribute('aria-describedby'), 'email-error');
    assertNone(await axeViolations(page), 'axe on the forgot page with an error');
    await page.getByLabel('Email address').fill('');
    await page.getByLabel('Email address').focus();
    await page.keyboard.type(EMAIL);
    await submitWithEnter(page);
    assert.equal(page.url(), srv.url + '/password/forgot?sent=1');
    assert.match(await page.getByRole('status').innerText(), /a link to choose a new password is on its way/);
    assertNone(await axeViolations(page), 'axe on the sent page');

    // The link from the mail.
    const link = await resetLink();
    await page.goto(link);
    assert.match(await page.locator('h1').innerText(), /Choose a new password/);
    assertNone(await axeViolations(page), 'axe on the reset page');
    await page.getByLabel('New password', { exact: true }).focus();
    await page.keyboard.type(NEW);
    await page.keyboard.press('Tab'); // the next field, by keyboard
    await page.keyboard.type(NEW + ' typo');
    await submitWithEnter(page);
    assert.match(await page.getByRole('alert').innerText(), /not the same/);
    assert.equal(await page.getByLabel('New password again').getAttribute('aria-invalid'), 'true');
    assertNone(await axeViolations(page), 'axe on the reset page with an error');
    await screenshot(page, 'password-reset-error-flow-phone');
    await page.getByLabel('New password', { exact: true }).fill(NEW);
    await page.getByLabel('New password again').fill(NEW);
    await page.getByLabel('New password again').focus();
    await submitWithEnter(page);
    assert.equal(page.url(), srv.url + '/password/changed');
    assertNone(await axeViolations(page), 'axe on the done page');

    // The link works once.
    const again = await page.goto(link);
    assert.equal(again.status(), 410);
    await page.goBack();

    // Sign in with the new password.
    await page.goto(srv.url + '/login');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(NEW);
    await page.getByLabel('Password').focus();
    await submitWithEnter(page);
    assert.equal(page.url(), srv.url + '/account');
    assertNone((await v.problems()).filter((p) => !planned(p)), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});

test('profile and sessions pages: errors named and announced; this session marked', async () => {
  // The browser is signed in from the test above (the cookies live in the context).
  const v = await visit(browser.context, srv.url + '/account', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('link', { name: 'Your name and POST or officer ID' }).click()]);
    assert.equal(page.url(), srv.url + '/account/profile');
    assert.match(await page.locator('main').innerText(), /dana@metro\.example/);
    await page.getByLabel('POST or officer ID (optional)').fill('ID#42');
    await page.getByLabel('POST or officer ID (optional)').focus();
    const res = await submitWithEnter(page);
    assert.equal(res.status(), 422);
    assert.match(await page.getByRole('alert').innerText(), /Use only letters/);
    assert.equal(await page.getByLabel('POST or officer ID (optional)').inputValue(), 'ID#42');
    assertNone(await axeViolations(page), 'axe on the profile page with an error');
    assertNone(await htmlProblems(await res.text(), 'profile-error.html'), 'html-validate on the profile page with an error');
    await screenshot(page, 'profile-error-flow-phone');
    await page.getByLabel('POST or officer ID (optional)').fill('IL-4242');
    await page.getByLabel('POST or officer ID (optional)').focus();
    await submitWithEnter(page);
    assert.equal(page.url(), srv.url + '/account/profile?saved=1');
    assert.match(await page.getByRole('status').innerText(), /Your profile is saved/);

    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('link', { name: 'Sessions' }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Chrome on Linux \(this session\)/);
    assertNone(await axeViolations(page), 'axe on the sessions page');
    await screenshot(page, 'sessions-flow-phone');

    // A password change keeps this browser signed in (a new cookie).
    await page.goto(srv.url + '/account/password');
    await page.getByLabel('Current password').fill(NEW);
    await page.getByLabel('New password', { exact: true }).fill(OLD + ' again');
    await page.getByLabel('New password again').fill(OLD + ' again');
    await page.getByLabel('New password again').focus();
    await submitWithEnter(page);
    assert.equal(page.url(), srv.url + '/account/password?done=1');
    assert.match(await page.getByRole('status').innerText(), /Your password is changed/);
    assertNone(await axeViolations(page), 'axe on the password page after a change');
    assertNone((await v.problems()).filter((p) => !planned(p)), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
