// tests/browser/course-training.test.mjs — a trainer's training page in a
// real Chromium, with courses, enrolments and an overdue assignment in the
// store: axe (WCAG 2.1 AA), html-validate, a clean console and no CSP
// violation at phone and desktop widths, no sideways scrolling at 320 px
// (the tables scroll in their own focusable regions), then an assignment
// made with the keyboard alone: a past date first (the problem announced
// and linked, the input kept), then a good one (the notice, the due date
// in the roster).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshStore, sql } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, pageWidths, screenshot, VIEWPORTS } from './harness.mjs';

let srv, store, browser, world;

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

before(async () => {
  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  const now = Math.floor(Date.now() / 1000);
  await sql(store, `INSERT INTO courses (version_id, slug, title, instructor, credit_centihours, visibility, test_questions, pass_mark, max_attempts, time_limit_minutes, path)
    VALUES ((SELECT id FROM library_versions WHERE active = 1 ORDER BY id LIMIT 1), 'frontline', 'Recognizing and responding: a course for frontline officers', 'Test Academy', 400, 'members', 5, 80, 3, 30, 'course/frontline/course.json')`);
  for (const [i, l] of ['one', 'two', 'three'].entries())
    await sql(store, `INSERT INTO course_lessons (course_id, position, module_slug, slug, title, markdown, html, path) VALUES ((SELECT id FROM courses WHERE slug = 'frontline'), ${i}, 'm', '${l}', '${l}', 'x', 'x', 'x')`);
  const [[org]] = await sql(store, "SELECT id FROM organizations WHERE slug = 'metro-pd'");
  const uid = async (e) => (await sql(store, `SELECT id FROM users WHERE email = '${e}'`))[0][0];
  await sql(store, `INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at, completed_at) VALUES (${await uid(world.a.officer)}, ${org}, 'frontline', ${now - 86400}, ${now - 3600})`);
  await sql(store, `INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at) VALUES (${await uid(world.a.partner)}, ${org}, 'frontline', ${now - 86400})`);
  await sql(store, `INSERT INTO course_assignments (org_id, user_id, course_slug, due_at, assigned_at) VALUES (${org}, ${await uid(world.a.partner)}, 'frontline', ${now - 7200}, ${now - 86400 * 9})`);
  browser = await openBrowser();
  const trainer = await signIn(srv, world.a.trainer);
  await browser.context.addCookies([...trainer.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
});

test('the training page with data: accessible and valid at phone and desktop, no sideways scroll at 320 px', async () => {
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const v = await visit(browser.context, srv.url + '/org/training', { viewport });
    assert.equal(v.response.status(), 200);
    assertNone(await axeViolations(v.page), `axe (${name})`);
    assertNone(await htmlProblems(await v.response.text(), `training-${name}.html`), 'html-validate');
    const w = await pageWidths(v.page);
    assert.ok(w.scrollWidth <= w.clientWidth, `${name}: the page scrolls sideways (${w.scrollWidth} > ${w.clientWidth})`);
    assert.ok(await v.page.locator('[data-overdue="partner@a.example"]').count(), 'the overdue assignment is listed');
    await screenshot(v.page, `course-training-data-${name}`);
    assertNone(await v.problems(), 'console and CSP');
    await v.close();
  }
});

/** Presses Tab until the element with ID has the focus. */
async function tabTo(page, id, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
  }
  assert.fail(`#${id} was not reached with Tab`);
}

test('assign with the keyboard: a past date is refused and linked, then a good date is taken', async () => {
  const v = await visit(browser.context, srv.url + '/org/training', { viewport: VIEWPORTS.phone });
  const page = v.page;
  const [[analyst]] = await sql(store, `SELECT id FROM users WHERE email = '${world.a.analyst}'`);
  await tabTo(page, `assign-user-${analyst}`);
  await page.keyboard.press('Space');
  await tabTo(page, 'assign-due');
  await page.keyboard.type('01012020'); // Chromium's date field: month, day, year
  let [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.equal(res.status(), 422);
  const alert = page.locator('[role="alert"]');
  assert.match(await alert.innerText(), /The due date has passed/);
  assert.equal(await page.locator('#assign-due').inputValue(), '2020-01-01', 'the date is kept');
  assert.equal(await page.locator(`#assign-user-${analyst}`).isChecked(), true, 'the member stays chosen');
  assert.equal(await page.locator('#assign-due').getAttribute('aria-describedby'), 'assign-due-hint assign-due-error');
  assertNone(await axeViolations(page), 'axe on the refused form');
  // The summary's link leads to the field.
  await page.locator('[role="alert"] a[href="#assign-due"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#assign-due');
  // Back out of the date field, then Tab into its first part (the month).
  for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement?.id)) === 'assign-due'; i++) await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'assign-due');
  await page.keyboard.type('01152099');
  [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.equal(res.status(), 200);
  assert.match(await page.locator('[role="status"]').innerText(), /The course was assigned/);
  const row = page.locator(`tr[data-member="${world.a.analyst}"]`);
  assert.match(await row.innerText(), /15 Jan 2099/);
  // The refused form's 422 is the one expected failure.
  assertNone((await v.problems()).filter((p) => !/\/org\/training\/assign.*422|422.*\/org\/training\/assign/.test(p)), 'console and CSP');
  await v.close();
});
