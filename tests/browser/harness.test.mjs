// tests/browser/harness.test.mjs — proves that every check of the page sweep
// can fail. Each test serves a broken copy of the real home page, with the
// real server's headers (its Content-Security-Policy included), through
// Playwright's request routing, and expects the check to report the fault.
// A sweep whose checks could never fail would pass for the wrong reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../e2e/lib/server.mjs';
import {
  openBrowser, visit, axeViolations, htmlProblems, pageWidths, firstTabStop, VIEWPORTS,
} from './harness.mjs';

let srv;
let browser;
let home; // {status, headers, html} of the real home page
before(async () => {
  srv = await startServer();
  browser = await openBrowser();
  const res = await fetch(srv.url + '/');
  const headers = Object.fromEntries(res.headers);
  delete headers['content-length'];
  home = { status: res.status, headers, html: await res.text() };
  assert.match(headers['content-security-policy'], /default-src 'none'/);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
});

// Replaces FROM with TO in the real home page, insisting that FROM is there.
function edit(from, to) {
  assert.ok(home.html.includes(from), `the home page contains ${from}`);
  return home.html.replace(from, to);
}

// Visits a copy of the home page whose HTML is HTML; EXTRA maps further
// same-origin paths to {type, body} responses.
function visitCopy(html, { viewport, extra = {} } = {}) {
  const url = srv.url + '/';
  return visit(browser.context, url, {
    viewport,
    route: async (page) => {
      await page.route(url, (r) => r.fulfill({ status: home.status, headers: home.headers, body: html }));
      for (const [path, { type, body }] of Object.entries(extra)) {
        await page.route(srv.url + path, (r) =>
          r.fulfill({ status: 200, headers: { ...home.headers, 'content-type': type }, body }));
      }
    },
  });
}

async function problemsOf(html, opts) {
  const v = await visitCopy(html, opts);
  try { return await v.problems(); } finally { await v.close(); }
}

test('the unbroken copy is clean, so the faults below are what the checks see', async () => {
  assert.deepEqual(await problemsOf(home.html), []);
});

test('an inline style attribute is a CSP violation and an html-validate error', async () => {
  const html = edit('<main id="main"', '<main style="color:red" id="main"');
  const problems = await problemsOf(html);
  assert.ok(problems.some((p) => /^CSP violation: style-src/.test(p)), problems.join('\n'));
  const found = await htmlProblems(html);
  assert.ok(found.some((p) => /no-inline-style/.test(p)), found.join('\n'));
});

test('an inline script is a CSP violation', async () => {
  const problems = await problemsOf(edit('</main>', '<script>document.title = "x";</script></main>'));
  assert.ok(problems.some((p) => /^CSP violation: script-src/.test(p)), problems.join('\n'));
});

test('an uncaught script error is reported', async () => {
  const problems = await problemsOf(edit('</body>', '<script src="/static/boom.js"></script></body>'), {
    extra: { '/static/boom.js': { type: 'text/javascript', body: 'throw new Error("boom");' } },
  });
  assert.ok(problems.some((p) => /^page error: boom/.test(p)), problems.join('\n'));
});

test('a console error is reported', async () => {
  const problems = await problemsOf(edit('</body>', '<script src="/static/log.js"></script></body>'), {
    extra: { '/static/log.js': { type: 'text/javascript', body: 'console.error("logged");' } },
  });
  assert.ok(problems.some((p) => /^console error: logged/.test(p)), problems.join('\n'));
});

test('a missing subresource is reported', async () => {
  const problems = await problemsOf(edit('</main>', '<img src="/static/missing.png" alt="x"></main>'));
  assert.ok(problems.some((p) => /missing\.png answered 404/.test(p)), problems.join('\n'));
});

test('axe finds a missing lang and an image without alt', async () => {
  const v = await visitCopy(edit('<html lang="en">', '<html>').replace('</main>', '<img src="/static/missing.png"></main>'));
  try {
    const violations = await axeViolations(v.page);
    assert.ok(violations.some((x) => x.startsWith('html-has-lang')), violations.join('\n'));
    assert.ok(violations.some((x) => x.startsWith('image-alt')), violations.join('\n'));
  } finally { await v.close(); }
});

test('axe finds text with too little contrast', async () => {
  const v = await visitCopy(edit('</head>', '<link rel="stylesheet" href="/static/pale.css"></head>'), {
    extra: { '/static/pale.css': { type: 'text/css', body: 'h1 { color: #ccc; }' } },
  });
  try {
    const violations = await axeViolations(v.page);
    assert.ok(violations.some((x) => x.startsWith('color-contrast')), violations.join('\n'));
  } finally { await v.close(); }
});

test('html-validate finds an unclosed element and a duplicate id', async () => {
  const found = await htmlProblems(edit('</main>', '<div><p id="main">x</p></main>'));
  assert.ok(found.some((p) => /no-dup-id/.test(p)), found.join('\n'));
  assert.ok(found.some((p) => /close-order|element-required|no-implicit-close/.test(p)), found.join('\n'));
});

test('content wider than 320 px is caught', async () => {
  const v = await visitCopy(edit('</head>', '<link rel="stylesheet" href="/static/wide.css"></head>'), {
    viewport: VIEWPORTS.narrow,
    extra: { '/static/wide.css': { type: 'text/css', body: 'main { min-width: 600px; }' } },
  });
  try {
    const w = await pageWidths(v.page);
    assert.ok(w.scrollWidth > 320, JSON.stringify(w));
  } finally { await v.close(); }
});

test('a page without the skip link fails the first-Tab check', async () => {
  const html = home.html.replace(/<a class="skip-link"[^>]*>[^<]*<\/a>/, '');
  assert.notEqual(html, home.html, 'the home page has a skip link to remove');
  const v = await visitCopy(html);
  try {
    const stop = await firstTabStop(v.page);
    assert.ok(!/\bskip-link\b/.test(stop.className || ''), JSON.stringify(stop));
  } finally { await v.close(); }
});
