// tests/browser/course-test.test.mjs — taking the course's final test in a
// real Chromium with the keyboard alone, on a phone-sized screen: the rules
// page, Start, every question answered with Tab, the arrow keys and Space,
// the submission, and the results. Each page (rules, questions, results,
// item analysis) passes the sweep's checks: axe (WCAG 2.1 AA), html-validate,
// no console error or CSP violation, no sideways scrolling at 320 px. The
// fixture course (tests/content/course-fixture) is imported for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startServer, freshStore, sql } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, pageWidths, screenshot, VIEWPORTS } from './harness.mjs';

const FIXTURE = new URL('../content/course-fixture', import.meta.url).pathname;
let srv, browser, world;
const right = new Map(); // qid → the right choice ids

before(async () => {
  const dir = join(FIXTURE, 'course/fixture/questions');
  for (const f of await readdir(dir)) {
    for (const q of JSON.parse(await readFile(join(dir, f), 'utf8')).questions) {
      right.set(q.id, q.choices.filter((c) => c.correct).map((c) => c.id));
    }
  }
  const store = await freshStore();
  world = await seedWorld(store);
  const r = await run(['content', 'import', FIXTURE, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  await sql(store, "INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at) SELECT u.id, o.id, 'fixture', 1 FROM users u, organizations o WHERE u.email = 'officer@a.example' AND o.slug = 'metro-pd'");
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

async function actAs(email) {
  const c = await signIn(srv, email);
  await browser.context.clearCookies();
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
}

/** The sweep's checks on the page now shown; HTML is the page as served. */
async function checkPage(page, name, html) {
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  assertNone(await axeViolations(page), `axe on ${name}`);
  assertNone(await htmlProblems(html, `${name}.html`), `html-validate on ${name}`);
  const w = await pageWidths(page);
  assert.ok(w.scrollWidth <= w.clientWidth, `${name} scrolls sideways (${w.scrollWidth} > ${w.clientWidth})`);
  await screenshot(page, `${name}-phone`);
}

/** What has the focus: {tag, type, name, value, text}. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', value: el.value || '', text: el.textContent.trim() };
  });
}

/** Presses Tab until the focus is on an element matching WANT (at most N presses). */
async function tabTo(page, want, n = 60) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (want(f)) return f;
  }
  assert.fail('the keyboard never reached the element');
}

test('take the final test with the keyboard alone, on a phone', async () => {
  await actAs('officer@a.example');
  const v = await visit(browser.context, srv.url + '/courses/fixture/test', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    assert.equal(v.response.status(), 200);
    await checkPage(page, 'course-test-rules', await v.response.text());
    await tabTo(page, (f) => f.tag === 'button' && /Start the final test/.test(f.text));
    let [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/courses\/fixture\/test\/\d+$/);
    const html = await res.text();
    await checkPage(page, 'course-test-attempt', html);
    assert.doesNotMatch(html, /correct|\bwhy\b|explanation/i);

    // Every question, right: a radio group is one Tab stop (the arrow keys
    // choose within it, Space chooses the focused one); each checkbox is
    // its own stop (Space ticks it). Then Enter on the submit button.
    const done = new Set();
    for (;;) {
      const f = await tabTo(page, (x) => x.name.startsWith('answer.') || x.tag === 'button');
      if (f.tag === 'button') {
        assert.match(f.text, /Submit my answers/);
        break;
      }
      const qid = f.name.slice('answer.'.length).replace(/\[\]$/, '');
      const want = right.get(qid);
      if (f.type === 'checkbox') {
        if (want.includes(f.value)) await page.keyboard.press('Space');
      } else {
        let g = f;
        for (let i = 0; i < 6 && g.value !== want[0]; i++) {
          await page.keyboard.press('ArrowDown');
          g = await focused(page);
        }
        assert.equal(g.value, want[0]);
        await page.keyboard.press('Space');
      }
      done.add(qid);
    }
    assert.equal(done.size, 5, 'five questions reached');
    [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/courses\/fixture\/test\/\d+$/);
    const status = page.locator('[data-result]');
    assert.equal(await status.getAttribute('data-result'), 'passed');
    assert.equal(await status.getAttribute('data-score'), '100');
    assert.match(await page.locator('main').innerText(), /You passed/);
    await checkPage(page, 'course-test-results', await res.text());
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }

  // The rules page after the pass: the best score, no Start.
  const after = await visit(browser.context, srv.url + '/courses/fixture/test', { viewport: VIEWPORTS.phone });
  try {
    assert.match(await after.page.locator('main').innerText(), /Your best score: 100%/);
    assert.equal(await after.page.getByRole('button', { name: /Start the final test/ }).count(), 0);
    await checkPage(after.page, 'course-test-passed', await after.response.text());
    assertNone(await after.problems(), 'console, CSP and subresources');
  } finally {
    await after.close();
  }
});

test('the item analysis page for a trainer', async () => {
  await actAs(world.a.trainer);
  const v = await visit(browser.context, srv.url + '/org/training/items?course=fixture', { viewport: VIEWPORTS.phone });
  try {
    assert.equal(v.response.status(), 200);
    assert.equal(await v.page.locator('tr[data-qid]').count(), 5);
    await checkPage(v.page, 'course-items', await v.response.text());
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});
