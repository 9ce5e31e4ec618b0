// tests/browser/course-flow.test.mjs — the course's records in a real
// Chromium (issue 6, point 13): an officer opens their transcript and
// downloads their certificate with the keyboard; the PDF's text is checked
// (pdftotext), its page rasterized (pdftoppm) and its QR code decoded
// (zbarimg, Debian's zbar-tools); the decoded address opens the public
// verify page, which says data-verify="valid". Then a site admin revokes the
// certificate with the keyboard alone (a missing reason first: announced,
// linked, the field marked), and the same address says data-verify="revoked".
// Every page on the way passes axe (WCAG 2.1 AA) and html-validate.
//
// The certificate is inserted into the store as the course's completion
// (course_complete_if_done, on feat/course-core) writes it: the steps before
// it — enrolling in the fixture course, completing every lesson and the
// scenario, failing the final test once and passing it — join this test when
// the course's learner pages and final test are merged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, freshStore, sql } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

const exec = promisify(execFileCb);
let srv, store, browser, world, tmp;
const CODE = 'K7QM-2XRP-94TD';
const COURSE = 'Recognizing and responding to child sex trafficking';

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-flow-'));
  store = await freshStore();
  world = await seedWorld(store);
  const q = (s) => `'${s.replace(/'/g, "''")}'`;
  const user = (await sql(store, `SELECT id FROM users WHERE email = ${q(world.a.officer)}`))[0][0];
  const org = (await sql(store, "SELECT id FROM organizations WHERE slug = 'metro-pd'"))[0][0];
  await sql(store, `INSERT INTO certificates (code, user_id, org_id, course_slug, learner_name, course_title, provider, instructor, credit_centihours, completed_at, score)
    VALUES (${q(CODE)}, ${user}, ${org}, 'officers', 'Officer Dana Whitfield', ${q(COURSE)}, 'CSEC Toolkit', 'State POST Academy', 400, ${Math.floor(Date.now() / 1000) - 3600}, 85)`);
  srv = await startServer({ store });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

/** Gives the browser the session of a signed-in client. */
async function actAs(c) {
  await browser.context.clearCookies();
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
}

/** Presses Tab until the focused element matches TEST (at most LIMIT times). */
async function tabUntil(page, what, test, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) return;
  }
  assert.fail(`${what} was not reached with Tab`);
}

async function enter(page) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  return res;
}

/** axe on the page, html-validate on the HTML as served (RES). */
async function checkPage(page, res, what) {
  assertNone(await axeViolations(page), `axe on ${what}`);
  assertNone(await htmlProblems(await res.text(), `${what}.html`), `html-validate on ${what}`);
}

let verifyUrl;

test('an officer downloads their certificate with the keyboard; its text and its QR code', async () => {
  await actAs(await signIn(srv, world.a.officer));
  const v = await visit(browser.context, srv.url + '/account/transcript', { viewport: VIEWPORTS.phone });
  const { page } = v;
  try {
    assert.equal(v.response.status(), 200);
    await checkPage(page, v.response, 'course-flow-transcript');
    await screenshot(page, 'course-flow-transcript-phone');
    await tabUntil(page, 'the certificate link', () => /certificate\.pdf$/.test(document.activeElement?.getAttribute('href') || ''));
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), `certificate-${CODE}.pdf`);
    const file = join(tmp, 'certificate.pdf');
    await download.saveAs(file);
    // A download ends the navigation that started it: Chromium reports it
    // as aborted, which is not a problem.
    assertNone((await v.problems()).filter((p) => !/certificate\.pdf \(net::ERR_ABORTED\)/.test(p)), 'console, CSP and subresources');
  } finally {
    await v.close();
  }

  const file = join(tmp, 'certificate.pdf');
  const info = await exec('pdfinfo', [file]);
  assert.equal(info.stderr, '');
  assert.match(info.stdout, /^Pages:\s+1$/m);
  const text = (await exec('pdftotext', [file, '-'])).stdout.replace(/\s+/g, ' ');
  for (const want of ['Certificate of completion', 'Officer Dana Whitfield', COURSE, 'CSEC Toolkit',
    'State POST Academy', '4.00 credit hours', `Verification code ${CODE}`, `${srv.url}/verify/${CODE}`]) {
    assert.ok(text.includes(want), `the certificate says "${want}": ${text}`);
  }
  // As a phone would: the printed page as an image, the QR code read from it.
  await exec('pdftoppm', ['-r', '150', '-png', '-singlefile', file, join(tmp, 'certificate')]);
  const { stdout } = await exec('zbarimg', ['--quiet', '--raw', join(tmp, 'certificate.png')]);
  verifyUrl = stdout.trim();
  assert.equal(verifyUrl, `${srv.url}/verify/${CODE}`);
});

test('the QR code\'s address opens the verify page: valid, with name, course and date only', async () => {
  assert.ok(verifyUrl, 'the QR code was decoded');
  await browser.context.clearCookies(); // anyone: an employer, a POST board
  const v = await visit(browser.context, verifyUrl, { viewport: VIEWPORTS.phone });
  try {
    assert.equal(v.response.status(), 200);
    const box = v.page.locator('[data-verify]');
    assert.equal(await box.getAttribute('data-verify'), 'valid');
    const shown = await box.innerText();
    assert.match(shown, /Officer Dana Whitfield/);
    assert.match(shown, new RegExp(COURSE));
    assert.doesNotMatch(await v.page.content(), /State POST Academy|85%|officer@a\.example|Metro Police/);
    await checkPage(v.page, v.response, 'course-flow-verify-valid');
    await screenshot(v.page, 'course-flow-verify-valid-phone');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
});

test('a site admin revokes it with the keyboard alone; the verify page then says revoked', async () => {
  await actAs(await signIn(srv, world.admin));
  const v = await visit(browser.context, `${srv.url}/admin/certificates?q=${CODE.toLowerCase().replace(/-/g, '')}`);
  const { page } = v;
  try {
    assert.equal(v.response.status(), 200);
    await checkPage(page, v.response, 'course-flow-admin-list');
    await tabUntil(page, 'the certificate', () => document.activeElement?.textContent === 'K7QM-2XRP-94TD');
    let res = await enter(page);
    assert.equal(res.status(), 200);
    await checkPage(page, res, 'course-flow-admin-show');
    await screenshot(page, 'course-flow-admin-show-desktop');

    // No reason: the problem is announced and linked, the field marked.
    await tabUntil(page, 'the revoke button', () => document.activeElement?.textContent === 'Revoke the certificate');
    res = await enter(page);
    assert.equal(res.status(), 422);
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /Give the reason for revoking this certificate/);
    const reason = page.getByLabel('Reason for revocation');
    assert.equal(await reason.getAttribute('aria-invalid'), 'true');
    await checkPage(page, res, 'course-flow-revoke-error');
    await alert.getByRole('link').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#reason');

    await reason.focus();
    await page.keyboard.type('Issued in error: the test was taken by someone else.');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Revoke the certificate');
    res = await enter(page);
    assert.equal(res.status(), 200);
    assert.match(page.url(), /\/admin\/certificates\/\d+\?done=revoked$/);
    assert.match(await page.getByRole('status').innerText(), /The certificate was revoked/);
    await checkPage(page, res, 'course-flow-revoked');
    const own = `${srv.url}/admin/certificates/`;
    assertNone((await v.problems()).filter((p) => !(p.includes(own) && /\b422\b/.test(p))), 'console, CSP and subresources');
  } finally {
    await v.close();
  }

  await browser.context.clearCookies();
  const r = await visit(browser.context, `${srv.url}/verify/${CODE}`, { viewport: VIEWPORTS.phone });
  try {
    assert.equal(r.response.status(), 410);
    assert.equal(await r.page.locator('[data-verify]').getAttribute('data-verify'), 'revoked');
    assert.doesNotMatch(await r.page.content(), /someone else|Officer Dana Whitfield/);
    await checkPage(r.page, r.response, 'course-flow-verify-revoked');
    await screenshot(r.page, 'course-flow-verify-revoked-phone');
  } finally {
    await r.close();
  }
  const audit = await sql(store, "SELECT actor, detail FROM audit_log WHERE action = 'course.certificate.revoked'");
  assert.equal(audit.length, 1);
  assert.equal(audit[0][0], world.admin);
  assert.match(audit[0][1], /taken by someone else/);
});
