// tests/browser/library-edit.test.mjs — an editor changes a shared page of
// the guide with the keyboard alone in a real Chromium: types Markdown,
// previews it (nothing saved; the page rendered below the form), tries to
// save without saying what changed (the problem announced and linked, the
// text kept), then saves; the reading page shows the new text, and the
// history and the line diff list the change. An org admin then adds a page
// for their organization the same way. Every page on the way passes axe
// (WCAG 2.1 AA) and html-validate, with the console clean and no CSP
// violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshStore, sql } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, pageWidths, screenshot, VIEWPORTS } from './harness.mjs';

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

async function actAs(c) {
  await browser.context.clearCookies();
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
}

/** Presses Tab until the element with ID has the focus. */
async function tabTo(page, id, limit = 200) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
  }
  assert.fail(`#${id} was not reached with Tab`);
}

/** Presses Enter on the focused control; the navigation's response. */
async function enter(page) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  return res;
}

async function checkPage(page, res, what) {
  assertNone(await axeViolations(page), `axe on ${what}`);
  assertNone(await htmlProblems(await res.text(), `${what}.html`), `html-validate on ${what}`);
}

test('an editor previews, fixes and saves a page with the keyboard; history and diff show it', async () => {
  const id = (await sql(srv, "SELECT id FROM library_pages WHERE org_id IS NULL AND kind = 'guide' AND visibility = 'public' ORDER BY id LIMIT 1"))[0][0];
  const slug = (await sql(srv, `SELECT slug FROM library_pages WHERE id = ${id}`))[0][0];
  await actAs(await signIn(srv, world.a.editor));
  const path = `/library/edit/${id}`;
  const v = await visit(browser.context, srv.url + path, { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    assert.equal(v.response.status(), 200);
    // Type a new section at the end of the Markdown, then preview.
    await tabTo(page, 'ed_body');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n## Typed at the keyboard\n\nA paragraph typed for the browser test.\n\n' +
      '| Partner | What to ask of them | When to call | Who calls |\n|---|---|---|---|\n' +
      '| Child welfare | A caseworker who knows trafficking cases | At once, day or night | The officer on scene |\n');
    await tabTo(page, 'ed_preview_button', 5);
    let res = await enter(page);
    assert.equal(res.status(), 200);
    assert.match(await page.getByRole('status').first().innerText(), /Nothing is saved yet/);
    const preview = page.locator('section.library-preview');
    assert.equal(await preview.getByRole('heading', { name: 'Typed at the keyboard' }).count(), 1);
    assert.match(await page.getByLabel('Text of the page (Markdown)').inputValue(), /A paragraph typed for the browser test\./);
    await checkPage(page, res, 'library-edit-preview');
    await page.setViewportSize(VIEWPORTS.narrow);
    const w = await pageWidths(page);
    assert.ok(w.scrollWidth <= 320, `the preview, its table included, is ${w.scrollWidth} px wide at 320 px`);
    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, 'library-edit-preview-phone');

    // Save without a message: the problem is announced and linked.
    await tabTo(page, 'ed_save_button');
    res = await enter(page);
    assert.equal(res.status(), 422);
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /Say in a few words what changed/);
    assert.equal(await page.getByLabel('What changed').getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByLabel('Text of the page (Markdown)').inputValue(), /A paragraph typed for the browser test\./);
    await checkPage(page, res, 'library-edit-error');
    await alert.getByRole('link').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#ed_message');
    await page.getByLabel('What changed').focus();
    await page.keyboard.type('Added a typed section');
    await tabTo(page, 'ed_save_button', 5);
    res = await enter(page);
    assert.equal(page.url(), `${srv.url}${path}?done=saved`);
    assert.match(await page.getByRole('status').innerText(), /Saved as a new revision/);
    await checkPage(page, res, 'library-edit-saved-flow');
    assertNone((await v.problems()).filter((p) => !(p.includes(path) && /\b422\b/.test(p))), 'console, CSP and subresources');
  } finally {
    await v.close();
  }

  // Readers see it; the history and the diff list the change.
  for (const [where, check] of [
    [`/guide/${slug}`, async (page) => assert.match(await page.locator('main').innerText(), /A paragraph typed for the browser test/)],
    [`${path}/view`, async (page) => {
      assert.match(await page.locator('main').innerText(), /A caseworker who knows trafficking cases/);
      await page.setViewportSize(VIEWPORTS.narrow);
      const w = await pageWidths(page);
      assert.ok(w.scrollWidth <= 320, `the view is ${w.scrollWidth} px wide at 320 px`);
    }],
    [`${path}/history`, async (page) => assert.match(await page.locator('table').innerText(), /Added a typed section/)],
    [`${path}/diff?from=1&to=2`, async (page) => {
      const added = page.locator('tr.diff-add', { hasText: 'A paragraph typed for the browser test.' });
      assert.equal(await added.count(), 1);
      assert.match(await added.innerText(), /\+ Added/);
    }],
  ]) {
    const w = await visit(browser.context, srv.url + where, { viewport: VIEWPORTS.phone });
    try {
      assert.equal(w.response.status(), 200, where);
      await check(w.page);
      await checkPage(w.page, w.response, where);
      assertNone(await w.problems(), `console on ${where}`);
    } finally {
      await w.close();
    }
  }
});

test('an org admin adds a page for their organization with the keyboard', async () => {
  await actAs(await signIn(srv, world.a.org_admin));
  const v = await visit(browser.context, srv.url + '/org/pages/new', { viewport: VIEWPORTS.desktop });
  const { page } = v;
  try {
    await tabTo(page, 'ed_slug');
    await page.keyboard.type('our-first-call');
    await tabTo(page, 'ed_title', 3);
    await page.keyboard.type('Our first call');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Whom our officers call first.');
    await tabTo(page, 'ed_source_title_0');
    await page.keyboard.type('General order 12');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Metro Police Department');
    await page.keyboard.press('Tab');
    await page.keyboard.type('https://metro.example/orders/12');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2026-11-28');
    await tabTo(page, 'ed_body');
    await page.keyboard.type('## The duty sergeant\n\nCall {{agency.hotline}} first.\n');
    await tabTo(page, 'ed_message', 3);
    await page.keyboard.type('First version');
    await tabTo(page, 'ed_save_button', 5);
    const res = await enter(page);
    assert.match(page.url(), /\/org\/pages\/\d+\?done=created$/);
    assert.match(await page.getByRole('status').innerText(), /created and published/);
    await checkPage(page, res, 'org-pages-created');
    await screenshot(page, 'org-pages-created-desktop');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
  const w = await visit(browser.context, srv.url + '/guide/our-first-call', { viewport: VIEWPORTS.phone });
  try {
    assert.equal(w.response.status(), 200);
    assert.match(await w.page.locator('main').innerText(), /Your organization only/);
    await checkPage(w.page, w.response, 'org-page-read');
  } finally {
    await w.close();
  }
});
