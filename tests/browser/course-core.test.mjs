// tests/browser/course-core.test.mjs — the learner's main flow in a real
// Chromium, with the keyboard where it matters: an officer enrols in the
// fixture course, opens the first lesson, answers its knowledge checks
// (arrow keys in the radio groups, Space, Enter), reads the feedback, marks
// the lesson complete, and plays the scenario to an ending; each page on the
// way passes axe, and the console stays clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, freshStore } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, screenshot, VIEWPORTS } from './harness.mjs';

const FIXTURE = new URL('../content/course-fixture', import.meta.url).pathname;
let srv, browser, world;

before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  const r = await run(['content', 'import', FIXTURE, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store });
  browser = await openBrowser();
  const c = await signIn(srv, world.a.officer);
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
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

async function submit(page, press) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), press()]);
}

test('enrol, a lesson and its checks, mark complete, a scenario to its end — by keyboard', async () => {
  const v = await visit(browser.context, srv.url + '/courses', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    await submit(page, () => page.getByRole('link', { name: 'Fixture course for tests' }).click());
    const enrol = page.getByRole('button', { name: 'Enrol in this course' });
    await enrol.focus();
    await submit(page, () => page.keyboard.press('Enter'));
    assert.match(await page.locator('main').innerText(), /0 of 3 lessons complete/);
    await submit(page, () => page.getByRole('link', { name: 'Resume where you left off' }).click());
    assert.equal(page.url(), srv.url + '/courses/fixture/lessons/what-it-is');
    assert.match(await page.locator('main').innerText(), /Metro Police Department/);
    assertNone(await axeViolations(page), 'axe on the lesson');

    // First question: focus the group's first radio, arrow to the second
    // (a wrong answer), which selects it. Second: the right answer.
    await page.getByLabel('A victim of sex trafficking').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('Committing an offense').isChecked(), true);
    await page.getByLabel('False').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Check my answers' }).focus();
    await submit(page, () => page.keyboard.press('Enter'));
    const text = await page.locator('.course-checks').innerText();
    assert.match(text, /Federal law treats her as a victim, not an offender\./);
    assert.match(text, /Not quite\. Age alone makes it trafficking/);
    assert.match(text, /Right\. For a minor the means need not be proven\./);
    assertNone(await axeViolations(page), 'axe on the feedback');
    await screenshot(page, 'course-check-feedback-phone');

    const done = page.getByRole('button', { name: 'Mark complete and go to the next lesson' });
    await done.focus();
    await submit(page, () => page.keyboard.press('Enter'));
    assert.equal(page.url(), srv.url + '/courses/fixture/lessons/indicators');

    await submit(page, () => page.getByRole('link', { name: 'A stop at night' }).click());
    const start = page.getByRole('button', { name: 'Start the scenario' });
    await start.focus();
    await submit(page, () => page.keyboard.press('Enter'));
    assert.match(page.url(), /\/runs\/\d+$/);
    for (const choice of ['Ask the youth to step out and talk apart', 'Say she is not in trouble and call the lead']) {
      await page.getByLabel(choice).focus();
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: 'Choose' }).focus();
      await submit(page, () => page.keyboard.press('Enter'));
      assertNone(await axeViolations(page), `axe after "${choice}"`);
    }
    const end = await page.locator('main').innerText();
    assert.match(end, /The youth is taken to a safe place/);
    assert.match(end, /Debrief[\s\S]*Separate, slow down/);
    await screenshot(page, 'course-scenario-end-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
