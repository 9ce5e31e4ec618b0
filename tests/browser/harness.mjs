// tests/browser/harness.mjs — the browser checks, shared by the page sweep
// (sweep.test.mjs) and by the self-test that proves each check can fail
// (harness.test.mjs). Each check returns what it found (an empty list when
// all is well); the tests decide what to assert.
//
// Chromium is Debian's /usr/bin/chromium (CSEC_CHROMIUM overrides it), driven
// by playwright-core; Playwright's own browser downloads are never used. The
// page's Content-Security-Policy is never bypassed: catching violations of it
// is part of the job. axe-core is injected by @axe-core/playwright through
// the DevTools protocol, which the CSP does not govern.
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilderModule from '@axe-core/playwright';
import { HtmlValidate } from 'html-validate';

const AxeBuilder = AxeBuilderModule.default || AxeBuilderModule;

export const TOP = new URL('../../', import.meta.url).pathname;
export const CHROMIUM = process.env.CSEC_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = process.env.CSEC_SCREENSHOTS || join(TOP, 'build', 'screenshots');

export const VIEWPORTS = {
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
  narrow: { width: 320, height: 740 },
};

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts headless Chromium with a fresh, empty profile: {context, close()}. */
export async function openBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'csec-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORTS.desktop,
      locale: 'en-US',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// Runs in the page before any of its own content: records CSP violations.
function recordCspViolations() {
  window.__csecCsp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csecCsp.push({
      directive: e.effectiveDirective || e.violatedDirective,
      blocked: e.blockedURI,
      source: e.sourceFile,
      line: e.lineNumber,
      sample: e.sample,
    });
  }, true);
}

/**
 * Opens URL in a new tab of CONTEXT at VIEWPORT. Returns
 * {page, response, problems(), close()}: problems() resolves to every console
 * error, uncaught page error, CSP violation and failed or 4xx/5xx subresource
 * seen so far, one string each. The main document's own status is the
 * caller's to check (a 404 page answers 404 on purpose), so Chromium's
 * console line about that one status is not counted.
 *
 * ROUTE, when given, is (page) => Promise, called before navigating (the
 * self-test uses it to serve a broken copy of a page with the real headers).
 */
export async function visit(context, url, { viewport = VIEWPORTS.desktop, route } = {}) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const found = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url || '';
    if (where === url && /^Failed to load resource: the server responded with a status of \d+/.test(msg.text())) return;
    found.push(`console error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => found.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => found.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    if (res.url() !== url && res.status() >= 400) found.push(`subresource ${res.url()} answered ${res.status()}`);
  });
  await page.addInitScript(recordCspViolations);
  if (route) await route(page);
  const response = await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    response,
    async problems() {
      // A violation event is a queued task: let the queue run first.
      const csp = await page.evaluate(() => new Promise((r) => setTimeout(() => r(window.__csecCsp || []), 0)));
      const out = found.slice();
      for (const v of csp) {
        out.push(`CSP violation: ${v.directive} blocked ${v.blocked || '(inline)'}${v.source ? ` at ${v.source}:${v.line}` : ''}${v.sample ? ` "${v.sample}"` : ''}`);
      }
      return out;
    },
    close: () => page.close(),
  };
}

/** axe-core's WCAG 2.1 A/AA violations on PAGE, one readable string each. */
export async function axeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')} — ${v.helpUrl}`);
}

let validator;
/** html-validate's findings for HTML (the repo's .htmlvalidate.json), one string each. */
export async function htmlProblems(html, name = 'page.html') {
  if (!validator) {
    const config = JSON.parse(await readFile(join(TOP, '.htmlvalidate.json'), 'utf8'));
    validator = new HtmlValidate(config);
  }
  const report = await validator.validateString(html, name);
  return report.results.flatMap((r) =>
    r.messages.map((m) => `${name}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
}

/** Widths at which PAGE scrolls sideways: {scrollWidth, clientWidth}. */
export async function pageWidths(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}

/**
 * Presses Tab once on a freshly loaded PAGE and describes what got focus:
 * {tag, className, href, text, visible, targetExists}.
 */
export async function firstTabStop(page) {
  await page.keyboard.press('Tab');
  // Measure after the next frame, once the focus styles are painted.
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return resolve({ tag: null });
    const r = el.getBoundingClientRect();
    const href = el.getAttribute('href');
    return resolve({
      tag: el.tagName.toLowerCase(),
      className: el.className,
      href,
      text: el.textContent.trim(),
      visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 &&
        r.top < window.innerHeight && r.left < window.innerWidth,
      targetExists: !!(href && href.startsWith('#') && document.getElementById(href.slice(1))),
    });
  }))));
}

/** Saves a full-page screenshot of PAGE as build/screenshots/FILE.png. */
export async function screenshot(page, file) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${file}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
