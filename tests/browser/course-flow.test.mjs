// tests/browser/course-flow.test.mjs — the course from enrolment to a
// verified certificate in a real Chromium (issue 6, point 13). An officer
// enrols in the fixture course (tests/content/course-fixture), completes
// every lesson and the scenario, fails the final test once, passes it, and
// downloads the certificate from their transcript with the keyboard; the
// PDF's text is checked (pdftotext), its page rasterized (pdftoppm) and its
// QR code decoded (zbarimg, Debian's zbar-tools); the decoded address opens
// the public verify page, which says data-verify="valid".
//
// Then, on a certificate written straight into the store (as the course's
// completion writes it), the same download and QR code, and a site admin
// revokes it with the keyboard alone (a missing reason first: announced,
// linked, the field marked), after which its address says
// data-verify="revoked". Every records page on the way passes axe (WCAG 2.1
// AA) and html-validate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run, startServer, freshStore, sql } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, screenshot, VIEWPORTS } from './harness.mjs';

const exec = promisify(execFileCb);
let srv, store, browser, world, tmp;
const CODE = 'K7QM-2XRP-94TD';
const FIXTURE = new URL('../content/course-fixture', import.meta.url).pathname;
const right = new Map(); // the final test's questions: qid → the right choice ids
const COURSE = 'Recognizing and responding to child sex trafficking';

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-flow-'));
  const dir = join(FIXTURE, 'course/fixture/questions');
  for (const f of await readdir(dir)) {
    for (const x of JSON.parse(await readFile(join(dir, f), 'utf8')).questions) {
      right.set(x.id, x.choices.filter((c) => c.correct).map((c) => c.id));
    }
  }
  store = await freshStore();
  world = await seedWorld(store);
  const r = await run(['content', 'import', FIXTURE, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  const q = (s) => `'${s.replace(/'/g, "''")}'`;
  const user = (await sql(store, `SELECT id FROM users WHERE email = ${q(world.a.analyst)}`))[0][0];
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

/** Opens PATH in a new page (phone size); checks it answered 200. */
async function open(path) {
  const v = await visit(browser.context, srv.url + path, { viewport: VIEWPORTS.phone });
  assert.equal(v.response.status(), 200, path);
  return v;
}

/** Clicks the button named NAME and waits for the page it leads to. */
async function press(page, name) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name }).click()]);
  return res;
}

/** Answers the final test's questions on PAGE: all right, or each wrong. */
async function answer(page, correct) {
  const inputs = await page.$$eval('input[name^="answer."]', (els) => els.map((e) => ({ id: e.id, name: e.name, value: e.value, type: e.type })));
  const byQ = new Map();
  for (const i of inputs) {
    const qid = i.name.slice('answer.'.length).replace(/\[\]$/, '');
    if (!byQ.has(qid)) byQ.set(qid, []);
    byQ.get(qid).push(i);
  }
  assert.equal(byQ.size, 5, 'five questions drawn');
  for (const [qid, choices] of byQ) {
    const want = right.get(qid);
    assert.ok(want, `a question of the pool: ${qid}`);
    const pick = correct ? choices.filter((c) => want.includes(c.value)) : [choices.find((c) => !want.includes(c.value))];
    for (const c of pick) await page.check(`#${c.id}`);
  }
}

let flowUrl;

test('an officer enrols, completes every lesson and the scenario, fails the test once, passes it, downloads the certificate; its QR code opens the verify page', async () => {
  await actAs(await signIn(srv, world.a.officer));
  let v = await open('/courses/fixture');
  try {
    let res = await press(v.page, 'Enrol in this course');
    assert.ok(res.status() < 400, `enrolling answered ${res.status()}`);
    for (const lesson of ['what-it-is', 'indicators', 'talking']) {
      await v.page.goto(`${srv.url}/courses/fixture/lessons/${lesson}`, { waitUntil: 'load' });
      res = await press(v.page, /Mark complete/);
      assert.ok(res.status() < 400, `completing ${lesson} answered ${res.status()}`);
    }
    // The scenario, along the path that ends well.
    await v.page.goto(`${srv.url}/courses/fixture/scenarios/night-stop`, { waitUntil: 'load' });
    await press(v.page, 'Start the scenario');
    for (const choice of ['Ask the youth to step out and talk apart', 'Say she is not in trouble and call the lead']) {
      await v.page.getByLabel(choice).check();
      await press(v.page, 'Choose');
    }
    assert.match(await v.page.locator('main').innerText(), /Separate, slow down/, 'the debrief');
    assertNone(await v.problems(), 'console, CSP and subresources');
  } finally {
    await v.close();
  }
  const done = await sql(store, "SELECT count(*) FROM course_progress p JOIN users u ON u.id = p.user_id WHERE u.email = 'officer@a.example' AND p.course_slug = 'fixture' AND p.completed_at IS NOT NULL");
  assert.equal(done[0][0], '3', 'every lesson complete');
  assert.equal((await sql(store, "SELECT count(*) FROM certificates WHERE course_slug = 'fixture'"))[0][0], '0', 'no certificate before the test');

  // The final test: failed once, then passed.
  for (const pass of [false, true]) {
    v = await open('/courses/fixture/test');
    try {
      await press(v.page, 'Start the final test');
      assert.match(v.page.url(), /\/courses\/fixture\/test\/\d+$/);
      await answer(v.page, pass);
      await press(v.page, 'Submit my answers');
      assert.equal(await v.page.locator('[data-result]').getAttribute('data-result'), pass ? 'passed' : 'failed');
    } finally {
      await v.close();
    }
  }
  const cert = await sql(store, "SELECT c.code, c.learner_name, c.course_title, c.instructor, c.credit_centihours, c.score FROM certificates c JOIN users u ON u.id = c.user_id WHERE u.email = 'officer@a.example' AND c.course_slug = 'fixture'");
  assert.equal(cert.length, 1, 'passing wrote the certificate');
  const [code, name, title, instructor, centihours, score] = cert[0];
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.deepEqual([title, instructor, centihours, score], ['Fixture course for tests', 'The Fixture Training Board', '150', '100']);

  // The certificate, from the transcript, with the keyboard.
  v = await open('/account/transcript');
  const file = join(tmp, 'fixture-certificate.pdf');
  try {
    await checkPage(v.page, v.response, 'course-flow-officer-transcript');
    await tabUntil(v.page, 'the certificate link', () => (document.activeElement?.getAttribute('href') || '') === '/courses/fixture/certificate.pdf');
    const [download] = await Promise.all([v.page.waitForEvent('download'), v.page.keyboard.press('Enter')]);
    await download.saveAs(file);
  } finally {
    await v.close();
  }
  const text = (await exec('pdftotext', [file, '-'])).stdout.replace(/\s+/g, ' ');
  for (const want of ['Certificate of completion', name, 'Fixture course for tests', 'The Fixture Training Board',
    '1.50 credit hours', `Verification code ${code}`, `${srv.url}/verify/${code}`]) {
    assert.ok(text.includes(want), `the certificate says "${want}": ${text}`);
  }
  await exec('pdftoppm', ['-r', '150', '-png', '-singlefile', file, join(tmp, 'fixture-certificate')]);
  flowUrl = (await exec('zbarimg', ['--quiet', '--raw', join(tmp, 'fixture-certificate.png')])).stdout.trim();
  assert.equal(flowUrl, `${srv.url}/verify/${code}`);

  // The decoded address, opened by anyone.
  await browser.context.clearCookies();
  v = await visit(browser.context, flowUrl, { viewport: VIEWPORTS.phone });
  try {
    assert.equal(v.response.status(), 200);
    assert.equal(await v.page.locator('[data-verify]').getAttribute('data-verify'), 'valid');
    assert.match(await v.page.locator('[data-verify]').innerText(), new RegExp(`${name}[\\s\\S]*Fixture course for tests`));
  } finally {
    await v.close();
  }
});

let verifyUrl;

test('a learner downloads their certificate with the keyboard; its text and its QR code', async () => {
  await actAs(await signIn(srv, world.a.analyst));
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
