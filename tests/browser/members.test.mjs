// tests/browser/members.test.mjs — an org admin invites someone with the
// keyboard alone in a real Chromium (a mistake first: the problem is
// announced and linked, the input kept), the invitation is listed, and the
// person opens the mailed link, creates their account and lands signed in.
// Every page on the way passes axe (WCAG 2.1 AA) and html-validate, with
// the console clean and no CSP violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshStore } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

let srv, browser, world;

before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
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

/** Gives the browser the session of a signed-in client (as the sweep does). */
async function actAs(c) {
  await browser.context.clearCookies();
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
}

/** Presses Tab until the element with ID has the focus (at most LIMIT times). */
async function tabTo(page, id, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
  }
  assert.fail(`#${id} was not reached with Tab`);
}

/** Submits the focused form with Enter; the answer's navigation response. */
async function enter(page) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  return res;
}

/** axe on the page, html-validate on the HTML as served (RES). */
async function checkPage(page, res, what) {
  assertNone(await axeViolations(page), `axe on ${what}`);
  assertNone(await htmlProblems(await res.text(), `${what}.html`), `html-validate on ${what}`);
}

async function mailTo(email) {
  const dir = join(srv.data, 'outbox');
  for (let i = 0; i < 100; i++) {
    for (const n of await readdir(dir).catch(() => [])) {
      const text = await readFile(join(dir, n), 'utf8');
      if (text.includes(`To: <${email}>`)) return /\/invite\/[A-Za-z0-9_-]{43}/.exec(text)[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no mail to ${email}`);
}

test('invite someone with the keyboard; they accept and land signed in', async () => {
  await actAs(await signIn(srv, world.a.org_admin));
  let v = await visit(browser.context, srv.url + '/org/members', { viewport: VIEWPORTS.phone });
  let { page } = v;
  try {
    // A mistake first: an address without a domain.
    await tabTo(page, 'invite-email');
    await page.keyboard.type('robin.reyes');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'invite-name');
    await page.keyboard.type('Robin Reyes');
    let res = await enter(page);
    assert.equal(res.status(), 422);
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /Enter an email address in the form/);
    assert.equal(await page.getByLabel('Their email address').inputValue(), 'robin.reyes');
    assert.equal(await page.getByLabel('Their name (optional)').inputValue(), 'Robin Reyes');
    assert.equal(await page.getByLabel('Their email address').getAttribute('aria-invalid'), 'true');
    await checkPage(page, res, 'members-invite-error');
    await screenshot(page, 'members-invite-error-phone');

    // The summary links to the field; fix it and choose the role by keyboard.
    await alert.getByRole('link').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#invite-email');
    await page.getByLabel('Their email address').focus();
    await page.keyboard.press('End');
    await page.keyboard.type('@a.example');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'invite-role');
    await page.keyboard.type('Analyst');
    assert.equal(await page.getByLabel('Role', { exact: true }).inputValue(), 'analyst');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Send the invitation');
    res = await enter(page);
    assert.equal(page.url(), srv.url + '/org/members?done=invited');
    assert.match(await page.getByRole('status').innerText(), /The invitation is on its way/);
    const pending = page.locator('section', { has: page.getByRole('heading', { name: 'Invitations waiting for an answer' }) });
    assert.match(await pending.innerText(), /robin\.reyes@a\.example[\s\S]*Analyst/);
    assert.equal(await page.getByRole('button', { name: 'Revoke robin.reyes@a.example' }).count(), 1);
    await checkPage(page, res, 'members-invited');
    // The harness counts any 4xx but the visited page's; the invitation
    // form's own 422 answer above was meant.
    const invite = `${srv.url}/org/members/invite`;
    assertNone((await v.problems()).filter((p) => !(p.includes(invite) && /\b422\b/.test(p))), 'console, CSP and subresources');
  } finally {
    await v.close();
  }

  // The person opens the link in the mail, with nobody signed in.
  const link = await mailTo('robin.reyes@a.example');
  await browser.context.clearCookies();
  v = await visit(browser.context, srv.url + link, { viewport: VIEWPORTS.phone });
  ({ page } = v);
  try {
    assert.equal(v.response.status(), 200);
    assert.match(await page.locator('h1').innerText(), /Join Metro Police Department/);
    await checkPage(page, v.response, 'invite-accept');
    await screenshot(page, 'invite-accept-phone');
    await tabTo(page, 'name');
    assert.equal(await page.getByLabel('Your full name').inputValue(), 'Robin Reyes');
    await page.keyboard.press('Tab');
    await page.keyboard.type('short');
    const res = await enter(page);
    assert.equal(res.status(), 422);
    assert.match(await page.getByRole('alert').innerText(), /at least 8 characters/);
    await checkPage(page, res, 'invite-accept-error');
    await page.getByLabel('Choose a password').focus();
    await page.keyboard.type('willow harbor signal 27');
    await enter(page);
    assert.equal(page.url(), srv.url + '/account');
    assert.match(await page.locator('main').innerText(), /Robin Reyes[\s\S]*Metro Police Department[\s\S]*Analyst/);
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
