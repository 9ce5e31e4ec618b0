// tests/browser/sweep.test.mjs — every page in pages.mjs, in headless
// Chromium against the real build/csec (tests/e2e/lib/server.mjs starts it on
// a free port with a temporary data directory). To sweep one more page, add
// one line to pages.mjs; nothing here changes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshStore } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { pages, setups } from './pages.mjs';
import {
  openBrowser, visit, axeViolations, htmlProblems, pageWidths, firstTabStop,
  screenshot, VIEWPORTS,
} from './harness.mjs';

let srv;
let browser;
let world;
before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  // Data some pages need (pages.mjs), once the starter pack is in.
  for (const setup of setups) await setup(store);
  browser = await openBrowser();
});

// One signed-in client per `as` (a role in the world's organization "a", or
// 'site_admin'), made on first use and kept for the rest of the sweep.
const sessions = new Map();
async function sessionFor(as) {
  if (!sessions.has(as)) sessions.set(as, await signIn(srv, as === 'site_admin' ? world.admin : world.a[as]));
  return sessions.get(as);
}

// Gives the browser the cookies of P's person (none for anonymous pages).
async function actAs(p) {
  await browser.context.clearCookies();
  if (!p.as) return;
  const c = await sessionFor(p.as);
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    // Chromium refuses url: for a Secure cookie on http://127.0.0.1, and
    // takes domain + path (stored host-only, as the __Host- prefix needs).
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
}
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
});

// Fails with one readable line per finding when FINDINGS is not empty.
function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

// Opens the page, runs CHECK(v), then fails on any console error, page error,
// CSP violation or failed subresource seen meanwhile.
async function withPage(p, viewport, check) {
  await actAs(p);
  const v = await visit(browser.context, srv.url + p.path, { viewport });
  try {
    assert.equal(v.response.status(), p.status, `${p.path} answered ${v.response.status()}`);
    await check(v);
    const problems = await v.problems();
    assertNone(problems, `${p.path} at ${viewport.width} px`);
  } finally {
    await v.close();
  }
}

for (const p of pages) {
  describe(`${p.name} (${p.path})${p.as ? ` as ${p.as}` : ''}`, () => {
    test(`renders with status ${p.status}, console clean, no CSP violation`, async () => {
      await withPage(p, VIEWPORTS.desktop, async ({ page, response }) => {
        assert.match(response.headers()['content-type'] || '', /^text\/html/);
        assert.ok((await page.title()).length > 0, 'the page has a title');
        assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
      });
    });

    for (const [size, viewport] of [['phone', VIEWPORTS.phone], ['desktop', VIEWPORTS.desktop]]) {
      test(`axe: no WCAG 2.1 A/AA violations at ${size} width, screenshot`, async () => {
        await withPage(p, viewport, async ({ page }) => {
          const violations = await axeViolations(page);
          await screenshot(page, `${p.name}-${size}`);
          assertNone(violations, `axe on ${p.path} at ${viewport.width} px`);
        });
      });
    }

    test('the served HTML validates (html-validate, recommended)', async () => {
      const res = p.as ? await (await sessionFor(p.as)).fetch(p.path) : await fetch(srv.url + p.path);
      assert.equal(res.status, p.status);
      const problems = await htmlProblems(await res.text(), `${p.name}.html`);
      assertNone(problems, `html-validate on ${p.path}`);
    });

    test('no horizontal scrolling at 320 px', async () => {
      await withPage(p, VIEWPORTS.narrow, async ({ page }) => {
        const w = await pageWidths(page);
        assert.ok(w.scrollWidth <= 320, `${p.path} is ${w.scrollWidth} px wide at a 320 px viewport`);
      });
    });

    test('keyboard: the first Tab focuses a visible skip link to #main', async () => {
      await withPage(p, VIEWPORTS.desktop, async ({ page }) => {
        const stop = await firstTabStop(page);
        assert.equal(stop.tag, 'a', `first Tab focused ${JSON.stringify(stop)}`);
        assert.match(stop.className, /\bskip-link\b/, `first Tab focused ${JSON.stringify(stop)}`);
        assert.equal(stop.href, '#main');
        assert.ok(stop.targetExists, 'the page has an element with id="main"');
        assert.ok(stop.visible, 'the focused skip link is visible on screen');
      });
    });
  });
}
