// tests/browser/xapi.test.mjs — a site admin sets up xAPI delivery with the
// keyboard alone, in a real Chromium at phone width: a plain-http endpoint
// off this machine comes back announced (role="alert"), named next to its
// field, with what was typed kept (the password never); fixed, the settings
// are saved; with the LRS stand-in answering 503 the page shows the waiting
// statements and the LRS's answer; once it is up, "Send waiting statements
// now" (Enter on the focused button) sends them. Each state passes axe, and
// the console shows no error or CSP violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, freshStore, sql } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { startLrs } from '../e2e/lib/lrs.mjs';
import { openBrowser, visit, axeViolations, screenshot, VIEWPORTS } from './harness.mjs';

let srv, browser, world, store, lrs;

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  browser = await openBrowser();
  const admin = await signIn(srv, world.admin);
  await browser.context.addCookies([...admin.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
  lrs = await startLrs({ mode: 'unavailable' });
  // Three learning events of an officer, as the course engine writes them.
  const [[uid]] = await sql(store, `SELECT id FROM users WHERE email = '${world.a.officer}'`);
  const t = Math.floor(Date.now() / 1000);
  const rows = ['launched', 'experienced', 'completed'].map((verb, i) =>
    `('${randomUUID()}', ${t}, ${uid}, 'frontline', '${verb}', '${i === 1 ? 'lesson' : 'course'}', '${i === 1 ? 'intro' : 'frontline'}', 'Course', 'queued', ${t})`);
  await sql(store, `INSERT INTO learning_events (statement_id, created_at, user_id, course_slug, verb, object_type, object_id, object_name, status, next_attempt_at) VALUES ${rows.join(', ')}`);
});
after(async () => {
  await lrs?.stop();
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
});

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

const focused = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

/** Reloads PAGE until the element SEL's text matches RE. */
async function reloadUntil(page, sel, re, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const el = page.locator(sel);
    const text = (await el.count()) ? await el.innerText() : '';
    if (re.test(text)) return text;
    if (Date.now() > end) assert.fail(`${sel} never matched ${re}: "${text}"`);
    await new Promise((r) => setTimeout(r, 300));
    await page.reload({ waitUntil: 'load' });
  }
}

test('setting up the LRS with the keyboard, then sending what waits', async () => {
  const v = await visit(browser.context, srv.url + '/admin/xapi', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    assert.equal(await page.locator('h1').innerText(), 'Learning record store (xAPI)');
    assert.match(await page.locator('main').innerText(), /No LRS is set up/);
    assert.equal(await page.locator('[data-xapi="queued"]').innerText(), '3');

    // A plain-http endpoint on another host: refused, announced, kept.
    await page.getByLabel('LRS endpoint').focus();
    await page.keyboard.type('http://lrs.example.org/xapi');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'user');
    await page.keyboard.type(lrs.user);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'password');
    await page.keyboard.type(lrs.password);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.getByRole('alert').innerText(), /There is a problem/);
    assert.match(await page.locator('#endpoint-error').innerText(), /https:\/\//);
    assert.equal(await page.locator('#endpoint').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#endpoint').getAttribute('aria-describedby'), /endpoint-error/);
    assert.equal(await page.locator('#endpoint').inputValue(), 'http://lrs.example.org/xapi');
    assert.equal(await page.locator('#user').inputValue(), lrs.user);
    assert.equal(await page.locator('#password').inputValue(), '', 'a password is never sent back');
    assertNone(await axeViolations(page), 'axe on the form with a mistake');
    await screenshot(page, 'course-xapi-invalid-phone');

    // Fixed: the stand-in on this machine.
    await page.locator('#endpoint').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(lrs.endpoint);
    await page.locator('#password').focus();
    await page.keyboard.type(lrs.password);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/admin\/xapi\?saved=1$/);
    assert.match(await page.getByRole('status').first().innerText(), /The LRS settings are saved/);
    assert.match(await page.locator('#password-hint').innerText(), /A password is saved/);

    // The LRS answers 503: the statements wait, and the page says why.
    await reloadUntil(page, '[data-xapi="last-error"]', /HTTP 503/);
    assert.equal(await page.locator('[data-xapi="queued"]').innerText(), '3');
    assert.equal(await page.locator('[data-xapi="sent"]').innerText(), '0');
    assertNone(await axeViolations(page), 'axe on the page with waiting statements');
    await screenshot(page, 'course-xapi-waiting-phone');

    // Up again: send now, by keyboard.
    lrs.mode = 'up';
    await page.getByRole('button', { name: 'Send waiting statements now' }).focus();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.getByRole('status').first().innerText(), /being sent/);
    await reloadUntil(page, '[data-xapi="sent"]', /^3$/);
    assert.equal(lrs.statements.size, 3);
    assert.deepEqual(lrs.problems, []);
    assertNone(await axeViolations(page), 'axe on the page after sending');
    await screenshot(page, 'course-xapi-sent-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
