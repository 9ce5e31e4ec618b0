// tests/e2e/course-records.test.mjs — the course's records (issue 6, points
// 5 and 6): the certificate PDF (the learner's own only; its text and its
// page), /verify/CODE (200 valid with name, course and date only; 404
// unknown; 410 revoked, without the reason; any case, dashes or not; a rate
// limit), revocation by site admins (a reason required: 422 with the text
// kept and nothing changed; CSRF; 403 for everyone else; audited), the
// learner's transcript (page, PDF, CSV) and the organization's transcript
// for leaders and trainers (date range in the organization's zone, revoked
// certificates and other organizations' never in it, CSV quoting and
// formula-injection guards, audited). Certificates are inserted directly
// (the course's completion, which writes them, is tested with the course).
// Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run, startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { client, signIn, seedWorld } from './lib/accounts.mjs';

const exec = promisify(execFileCb);
let srv, store, world, tmp;
const as = {};
const ids = {};

const FIXTURE = new URL('../content/course-fixture', import.meta.url).pathname;
const COURSE = 'Recognizing and responding to child sex trafficking';
const PROVIDER = 'State Training Portal';
const INSTRUCTOR = 'State POST Academy';
// 2026-03-01 03:00 UTC: 28 February 2026, 21:00 in Chicago (metro-pd's zone).
const T_LATE_FEB = Date.UTC(2026, 2, 1, 3, 0, 0) / 1000;
const T_MID_MAR = Date.UTC(2026, 2, 15, 17, 0, 0) / 1000;
const T_APRIL = Date.UTC(2026, 3, 2, 12, 0, 0) / 1000;

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const one = async (text) => (await sql(store, text))[0]?.[0];

/** Inserts a certificate row as the course's completion would. */
async function addCert({ code, email, org, slug = 'officers', name, title = COURSE, at, hours = 425, score = 90 }) {
  const user = await one(`SELECT id FROM users WHERE email = ${q(email)}`);
  const orgId = org ? await one(`SELECT id FROM organizations WHERE slug = ${q(org)}`) : null;
  await sql(store, `INSERT INTO certificates (code, user_id, org_id, course_slug, learner_name, course_title, provider, instructor, credit_centihours, completed_at, score)
    VALUES (${q(code)}, ${user}, ${orgId ?? 'NULL'}, ${q(slug)}, ${q(name)}, ${q(title)}, ${q(PROVIDER)}, ${q(INSTRUCTOR)}, ${hours}, ${at}, ${score})`);
  return Number(await one(`SELECT id FROM certificates WHERE code = ${q(code)}`));
}

async function audits(action) {
  const rows = await sql(store, `SELECT actor, target_type, target_id, outcome, detail FROM audit_log WHERE action = ${q(action)} ORDER BY seq`);
  return rows.map(([actor, type, id, outcome, detail]) => ({ actor, type, id, outcome, detail: detail ? JSON.parse(detail) : null }));
}

/** Runs FN and checks the store is exactly as before (C reads a page first,
 * so that its session's last_seen does not move during FN). */
async function unchanged(c, fn) {
  await c.fetch('/account');
  const before = await storeSnapshot(srv);
  const r = await fn();
  assert.equal(await storeSnapshot(srv), before, 'the store changed');
  return r;
}

async function pdfText(bytes, name) {
  const file = join(tmp, name);
  await writeFile(file, bytes);
  const info = await exec('pdfinfo', [file]);
  const text = (await exec('pdftotext', ['-layout', file, '-'])).stdout;
  return { info: info.stdout, infoErr: info.stderr, text };
}

/** Parses RFC 4180 CSV (CRLF records) into rows of fields. */
function parseCsv(s) {
  const rows = [];
  let row = [], f = '', i = 0, quoted = false;
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { f += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      f += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(f); f = ''; i++; continue; }
    if (c === '\r' && s[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i += 2; continue; }
    f += c; i++;
  }
  assert.equal(f, '', 'the file ends with CRLF');
  assert.equal(row.length, 0);
  return rows;
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-records-'));
  store = await freshStore();
  world = await seedWorld(store);
  await sql(store, "UPDATE organizations SET time_zone = 'America/Chicago' WHERE slug = 'metro-pd'");
  await sql(store, `UPDATE users SET officer_id = 'IL-4471' WHERE email = ${q(world.a.officer)}`);
  // The officer's formula-looking POST ID, for the injection check.
  await sql(store, `UPDATE users SET officer_id = '+15551234' WHERE email = ${q(world.a.trainer)}`);
  ids.valid = await addCert({ code: 'ABCD-EFGH-JK23', email: world.a.officer, org: 'metro-pd', name: 'Officer Ann Lee', at: T_LATE_FEB });
  ids.other = await addCert({ code: 'WXYZ-2345-MNPQ', email: world.a.officer, org: 'metro-pd', slug: 'advanced', name: 'Officer Ann Lee', title: 'Advanced, "field" interviews', at: T_APRIL, hours: 150 });
  ids.revokeMe = await addCert({ code: 'RVKD-0000-1111', email: world.a.trainer, org: 'metro-pd', name: '=HYPERLINK("http://evil.example","x")', title: '@SUM(1+1)', at: T_MID_MAR });
  ids.inject = await addCert({ code: 'INJC-2222-3333', email: world.a.leader, org: 'metro-pd', name: '-2+3', title: '\tTabbed course', at: T_MID_MAR });
  ids.orgB = await addCert({ code: 'ORGB-4444-5555', email: world.b.officer, org: 'county-cw', name: 'Officer of County', at: T_MID_MAR });
  // The fixture course, and the officer half-way through it: enrolled, one
  // of its two required lessons done (and the optional one started).
  const r = await run(['content', 'import', FIXTURE, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  const officer = await one(`SELECT id FROM users WHERE email = ${q(world.a.officer)}`);
  const metro = await one("SELECT id FROM organizations WHERE slug = 'metro-pd'");
  await sql(store, `INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at) VALUES (${officer}, ${metro}, 'fixture', ${T_APRIL})`);
  await sql(store, `INSERT INTO course_progress (user_id, course_slug, lesson_slug, started_at, completed_at) VALUES (${officer}, 'fixture', 'what-it-is', ${T_APRIL}, ${T_APRIL + 600}), (${officer}, 'fixture', 'talking', ${T_APRIL}, ${T_APRIL + 900}), (${officer}, 'fixture', 'indicators', ${T_APRIL}, NULL)`);
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  as.anonymous = client(srv);
  as.officer = await signIn(srv, world.a.officer);
  as.officerB = await signIn(srv, world.b.officer);
  as.leader = await signIn(srv, world.a.leader);
  as.trainer = await signIn(srv, world.a.trainer);
  as.orgAdmin = await signIn(srv, world.a.org_admin);
  as.leaderB = await signIn(srv, world.b.leader);
  as.admin = await signIn(srv, world.admin);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------ verify

test('a valid code: 200, data-verify="valid", the name, course and date only', async () => {
  const res = await as.anonymous.fetch('/verify/ABCD-EFGH-JK23');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /data-verify="valid"/);
  assert.match(html, /Officer Ann Lee/);
  assert.match(html, new RegExp(COURSE));
  assert.match(html, /28 February 2026/, 'the date in the organization\'s zone (Chicago)');
  assert.doesNotMatch(html, /officer@a\.example|Metro Police|IL-4471|90%|State POST Academy/, 'nothing more than name, course and date');
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('a code in any case, with or without dashes, finds the same certificate', async () => {
  for (const code of ['abcd-efgh-jk23', 'ABCDEFGHJK23', 'abcdefghjk23', 'AbCd-EfGh-Jk23', 'abcd%20efgh%20jk23']) {
    const res = await as.anonymous.fetch(`/verify/${code}`);
    assert.equal(res.status, 200, code);
    assert.match(await res.text(), /data-verify="valid"/);
  }
});

test('an unknown or malformed code: 404, data-verify="unknown", a clear message', async () => {
  for (const code of ['ZZZZ-ZZZZ-ZZZZ', 'short', 'ABCD-EFGH-JK23-XX', '%3Cscript%3E', 'ABCD_EFGH_JK23']) {
    const res = await as.anonymous.fetch(`/verify/${code}`);
    assert.equal(res.status, 404, code);
    const html = await res.text();
    assert.match(html, /data-verify="unknown"/, code);
    assert.match(html, /No certificate has this code/);
    assert.doesNotMatch(html, /<script>/);
  }
});

// ------------------------------------------------------------------ the PDF

test('the learner downloads their own certificate: one landscape page with everything on it', async () => {
  const res = await as.officer.fetch('/courses/officers/certificate.pdf');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.match(res.headers.get('content-disposition'), /attachment; filename="certificate-ABCD-EFGH-JK23\.pdf"/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const { info, infoErr, text } = await pdfText(bytes, 'cert.pdf');
  assert.equal(infoErr, '', 'pdfinfo has no warning');
  assert.match(info, /^Pages:\s+1$/m);
  assert.match(info, /^Page size:\s+792 x 612 pts/m, 'US Letter, landscape');
  const flat = text.replace(/\s+/g, ' ');
  for (const want of ['Certificate of completion', 'Officer Ann Lee', COURSE, PROVIDER, INSTRUCTOR,
    '28 February 2026', '4.25 credit hours', 'ABCD-EFGH-JK23', `${srv.url}/verify/ABCD-EFGH-JK23`]) {
    assert.ok(flat.includes(want), `the certificate says "${want}":\n${flat}`);
  }
});

test('a certificate that is not the learner\'s own: 404; anonymous: not served', async () => {
  let res = await as.orgAdmin.fetch('/courses/officers/certificate.pdf');
  assert.equal(res.status, 404, 'a learner of the same organization without a certificate');
  // Another learner with a certificate of the same course gets theirs, never Ann's.
  res = await as.officerB.fetch('/courses/officers/certificate.pdf');
  assert.equal(res.status, 200);
  const { text } = await pdfText(Buffer.from(await res.arrayBuffer()), 'cert-b.pdf');
  assert.ok(text.includes('ORGB-4444-5555') && text.includes('Officer of County'));
  assert.ok(!text.includes('ABCD-EFGH-JK23') && !text.includes('Ann Lee'));
  res = await as.leader.fetch('/courses/advanced/certificate.pdf');
  assert.equal(res.status, 404, 'a learner without that certificate');
  res = await as.officer.fetch('/courses/nope/certificate.pdf');
  assert.equal(res.status, 404);
  res = await as.officer.fetch('/courses/BAD%20SLUG/certificate.pdf');
  assert.equal(res.status, 404);
  res = await as.anonymous.fetch('/courses/officers/certificate.pdf');
  assert.notEqual(res.status, 200);
  assert.notEqual(res.headers.get('content-type'), 'application/pdf');
});

// ------------------------------------------------------------------ revocation

test('revocation is for site admins only: 403 for every organization role and anonymous', async () => {
  for (const who of ['officer', 'leader', 'trainer', 'orgAdmin']) {
    let res = await as[who].fetch('/admin/certificates');
    assert.equal(res.status, 403, `${who} list`);
    res = await as[who].fetch(`/admin/certificates/${ids.revokeMe}`);
    assert.equal(res.status, 403, `${who} show`);
    const token = await as[who].token('/account');
    res = await unchanged(as[who], () => as[who].post(`/admin/certificates/${ids.revokeMe}/revoke`, { _csrf: token, reason: 'no' }));
    assert.equal(res.status, 403, `${who} revoke`);
  }
  const res = await as.anonymous.post(`/admin/certificates/${ids.revokeMe}/revoke`, { reason: 'no' });
  assert.notEqual(res.status, 303);
  assert.equal(await one(`SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL`), '0');
});

test('site admins find certificates by code (any form), name or email', async () => {
  let html = await (await as.admin.fetch('/admin/certificates')).text();
  for (const code of ['ABCD-EFGH-JK23', 'WXYZ-2345-MNPQ', 'RVKD-0000-1111', 'ORGB-4444-5555']) assert.ok(html.includes(code), code);
  html = await (await as.admin.fetch('/admin/certificates?q=rvkd00001111')).text();
  assert.ok(html.includes('data-code="RVKD-0000-1111"'));
  assert.ok(!html.includes('data-code="ABCD-EFGH-JK23"'));
  html = await (await as.admin.fetch('/admin/certificates?q=ann+lee')).text();
  assert.ok(html.includes('data-code="ABCD-EFGH-JK23"') && html.includes('data-code="WXYZ-2345-MNPQ"'));
  assert.ok(!html.includes('data-code="ORGB-4444-5555"'));
  html = await (await as.admin.fetch('/admin/certificates?q=officer%40b.example')).text();
  assert.ok(html.includes('data-code="ORGB-4444-5555"'));
  const res = await as.admin.fetch('/admin/certificates?q=' + 'x'.repeat(201));
  assert.equal(res.status, 422);
  assert.equal((await as.admin.fetch('/admin/certificates?page=0')).status, 422);
  assert.equal((await as.admin.fetch('/admin/certificates/999999')).status, 404);
  assert.equal((await as.admin.fetch('/admin/certificates/abc')).status, 404);
});

test('a revocation needs a reason: 422 with the text kept, nothing changed; CSRF refused', async () => {
  const path = `/admin/certificates/${ids.revokeMe}`;
  for (const reason of ['', '   ', 'x'.repeat(1001), 'bad\u0001char']) {
    const token = await as.admin.token(path);
    const res = await unchanged(as.admin, () => as.admin.post(`${path}/revoke`, { _csrf: token, reason }));
    assert.equal(res.status, 422, JSON.stringify(reason.slice(0, 20)));
    const html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, /aria-describedby="reason-hint reason-error"/);
    if (reason.length > 100) assert.ok(html.includes('x'.repeat(1001)), 'the text is kept');
  }
  let res = await unchanged(as.admin, () => as.admin.post(`${path}/revoke`, { reason: 'Issued in error' }));
  assert.equal(res.status, 403, 'no CSRF token');
  res = await unchanged(as.admin, () => as.admin.post(`${path}/revoke`, { _csrf: 'forged', reason: 'Issued in error' }));
  assert.equal(res.status, 403, 'a wrong CSRF token');
  const token = await as.admin.token(path);
  res = await as.admin.post('/admin/certificates/999999/revoke', { _csrf: token, reason: 'x' });
  assert.equal(res.status, 404);
});

test('a site admin revokes a certificate: audited with the reason; verify answers 410 without it', async () => {
  const path = `/admin/certificates/${ids.revokeMe}`;
  const token = await as.admin.token(path);
  let res = await as.admin.post(`${path}/revoke`, { _csrf: token, reason: 'Completed by someone else (case 26-118)' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `${path}?done=revoked`);
  const html = await (await as.admin.fetch(`${path}?done=revoked`)).text();
  assert.match(html, /The certificate was revoked/);
  assert.match(html, /data-status="revoked"/);
  assert.match(html, /case 26-118/);
  assert.doesNotMatch(html, /name="reason"/, 'no form for a revoked certificate');
  const row = (await sql(store, `SELECT revoked_at, revoked_by, revoke_reason FROM certificates WHERE id = ${ids.revokeMe}`))[0];
  assert.ok(Number(row[0]) > 0);
  assert.equal(row[1], await one(`SELECT id FROM users WHERE email = ${q(world.admin)}`));
  assert.equal(row[2], 'Completed by someone else (case 26-118)');
  const a = await audits('course.certificate.revoked');
  assert.equal(a.length, 1);
  assert.equal(a[0].actor, world.admin);
  assert.equal(a[0].type, 'certificate');
  assert.equal(a[0].id, String(ids.revokeMe));
  assert.equal(a[0].outcome, 'success');
  assert.equal(a[0].detail.reason, 'Completed by someone else (case 26-118)');
  assert.equal(a[0].detail.code, 'RVKD-0000-1111');

  res = await as.anonymous.fetch('/verify/rvkd-0000-1111');
  assert.equal(res.status, 410);
  const v = await res.text();
  assert.match(v, /data-verify="revoked"/);
  assert.match(v, /was revoked on \d{1,2} [A-Z][a-z]+ \d{4}/);
  assert.doesNotMatch(v, /case 26-118|someone else/, 'the reason is never public');
  assert.doesNotMatch(v, /HYPERLINK/, 'nor the name');

  // Revoking again: nothing changes, and it says so.
  const t2 = await as.admin.token(`${path}?done=revoked`).catch(() => null);
  assert.equal(t2, null, 'no form is offered');
  const t3 = await as.admin.token('/admin/certificates/' + ids.valid);
  res = await unchanged(as.admin, () => as.admin.post(`${path}/revoke`, { _csrf: t3, reason: 'again' }));
  assert.equal(res.status, 409);
  assert.equal((await audits('course.certificate.revoked')).length, 1);

  // The learner cannot download it any more.
  const trainerPdf = await as.trainer.fetch('/courses/officers/certificate.pdf');
  assert.equal(trainerPdf.status, 410);
  assert.match(await trainerPdf.text(), /This certificate was revoked/);
});

// ------------------------------------------------------------------ the learner's transcript

test('the learner\'s transcript page: completed courses with dates, hours, codes and links', async () => {
  const res = await as.officer.fetch('/account/transcript');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes('data-code="ABCD-EFGH-JK23"') && html.includes('data-code="WXYZ-2345-MNPQ"'));
  assert.ok(html.indexOf('WXYZ-2345-MNPQ') < html.indexOf('ABCD-EFGH-JK23'), 'newest first');
  assert.match(html, /href="\/courses\/officers\/certificate\.pdf"/);
  assert.match(html, /href="\/verify\/ABCD-EFGH-JK23"/);
  assert.match(html, /4\.25/);
  assert.match(html, /Total: 5\.75 credit hours/);
  assert.match(html, /Advanced, &quot;field&quot; interviews/);
  assert.ok(!html.includes('RVKD') && !html.includes('ORGB'), 'only their own');
  // The course under way, with its required lessons counted (the optional
  // one completed does not count).
  assert.match(html, /href="\/courses\/fixture">Fixture course for tests<\/a>/);
  assert.match(html, /1 of 2 required lessons done/);
  assert.match(html, /2 Apr 2026/, 'enrolled, in the organization\'s zone');
  // The trainer's revoked certificate shows as revoked, with no download.
  const t = await (await as.trainer.fetch('/account/transcript')).text();
  assert.match(t, /Revoked on/);
  assert.doesNotMatch(t, /certificate\.pdf/);
});

test('the learner\'s transcript as CSV and PDF (audited)', async () => {
  let res = await as.officer.fetch('/account/transcript.csv');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(res.headers.get('content-disposition'), /attachment; filename="transcript-\d{8}\.csv"/);
  const rows = parseCsv(await res.text());
  assert.deepEqual(rows[0], ['Course', 'Provider', 'Instructor', 'Completion date', 'Credit hours', 'Certificate code']);
  assert.deepEqual(rows.slice(1), [
    ['Advanced, "field" interviews', PROVIDER, INSTRUCTOR, '2026-04-02', '1.50', 'WXYZ-2345-MNPQ'],
    [COURSE, PROVIDER, INSTRUCTOR, '2026-02-28', '4.25', 'ABCD-EFGH-JK23'],
  ]);
  // The revoked certificate is not in the trainer's CSV.
  const trows = parseCsv(await (await as.trainer.fetch('/account/transcript.csv')).text());
  assert.equal(trows.length, 1);

  res = await as.officer.fetch('/account/transcript.pdf');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const { infoErr, text } = await pdfText(Buffer.from(await res.arrayBuffer()), 'transcript.pdf');
  assert.equal(infoErr, '');
  const flat = text.replace(/\s+/g, ' ');
  for (const want of ['Training transcript', 'officer A', 'ABCD-EFGH-JK23', 'WXYZ-2345-MNPQ', '28 Feb 2026', 'Total: 5.75 credit hours', 'Page 1 of 1',
    'Courses in progress', 'Fixture course for tests', '1 of 2 required lessons done']) {
    assert.ok(flat.includes(want), `the transcript says "${want}":\n${flat}`);
  }
  const a = (await audits('course.transcript.exported')).filter((r) => r.actor === world.a.officer);
  assert.deepEqual(a.map((r) => [r.detail.scope, r.detail.format, r.detail.rows]), [['own', 'csv', 2], ['own', 'pdf', 2]]);
});

test('a learner with nothing yet gets an empty transcript, not an error', async () => {
  const c = as.orgAdmin;
  const html = await (await c.fetch('/account/transcript')).text();
  assert.match(html, /You have not completed a course yet/);
  const rows = parseCsv(await (await c.fetch('/account/transcript.csv')).text());
  assert.equal(rows.length, 1);
  const res = await c.fetch('/account/transcript.pdf');
  assert.equal(res.status, 200);
});

// ------------------------------------------------------------------ the organization's transcript

test('the organization\'s transcript is for its leaders and trainers only', async () => {
  for (const who of ['officer', 'orgAdmin']) {
    assert.equal((await as[who].fetch('/org/transcript')).status, 403, who);
    assert.equal((await as[who].fetch('/org/transcript.csv')).status, 403, who);
  }
  assert.equal((await as.admin.fetch('/org/transcript.csv')).status, 403, 'a site admin without the role');
  assert.notEqual((await as.anonymous.fetch('/org/transcript.csv')).status, 200);
  assert.equal((await as.leader.fetch('/org/transcript')).status, 200);
  assert.equal((await as.trainer.fetch('/org/transcript')).status, 200);
});

test('the organization\'s CSV: its members\' valid certificates only, quoted and injection-safe', async () => {
  const res = await as.leader.fetch('/org/transcript.csv');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  const body = await res.text();
  assert.ok(!body.includes('ORGB-4444-5555') && !body.includes('Officer of County'), 'never another organization\'s');
  assert.ok(!body.includes('RVKD-0000-1111'), 'never a revoked certificate');
  const rows = parseCsv(body);
  assert.deepEqual(rows[0], ['Name', 'Officer/POST ID', 'Course', 'Provider', 'Instructor', 'Completion date', 'Credit hours', 'Certificate code']);
  assert.deepEqual(rows.slice(1), [
    ['Officer Ann Lee', 'IL-4471', COURSE, PROVIDER, INSTRUCTOR, '2026-02-28', '4.25', 'ABCD-EFGH-JK23'],
    ["'-2+3", '', "'\tTabbed course", PROVIDER, INSTRUCTOR, '2026-03-15', '4.25', 'INJC-2222-3333'],
    ['Officer Ann Lee', 'IL-4471', 'Advanced, "field" interviews', PROVIDER, INSTRUCTOR, '2026-04-02', '1.50', 'WXYZ-2345-MNPQ'],
  ]);
  // Every cell that a spreadsheet would run as a formula starts with '.
  for (const row of rows) for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell), `cell ${JSON.stringify(cell)}`);
  // The other organization's leader sees only theirs.
  const b = parseCsv(await (await as.leaderB.fetch('/org/transcript.csv')).text());
  assert.deepEqual(b.slice(1).map((r) => r[7]), ['ORGB-4444-5555']);
});

test('the injection guard on a formula in a name and in an officer ID', async () => {
  // Un-revoke a copy: a second valid certificate with hostile values.
  await addCert({ code: 'HSTL-6666-7777', email: world.a.trainer, org: 'metro-pd', slug: 'hostile', name: '=HYPERLINK("http://evil.example","x")', title: '@SUM(1+1)', at: T_MID_MAR + 60 });
  const rows = parseCsv(await (await as.trainer.fetch('/org/transcript.csv?from=2026-03-15&to=2026-03-15')).text());
  const r = rows.find((x) => x[7] === 'HSTL-6666-7777');
  assert.deepEqual(r.slice(0, 3), ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+15551234", "'@SUM(1+1)"]);
  await sql(store, "DELETE FROM certificates WHERE code = 'HSTL-6666-7777'");
});

test('the date range: days in the organization\'s zone, inclusive; bad dates are named (422)', async () => {
  const codes = async (qs) => {
    const res = await as.leader.fetch('/org/transcript.csv' + qs);
    assert.equal(res.status, 200, qs);
    return parseCsv(await res.text()).slice(1).map((r) => r[7]);
  };
  // 28 Feb 21:00 in Chicago is 1 March in UTC: the organization's day counts.
  assert.deepEqual(await codes('?from=2026-02-28&to=2026-02-28'), ['ABCD-EFGH-JK23']);
  assert.deepEqual(await codes('?from=2026-03-01&to=2026-03-31'), ['INJC-2222-3333']);
  assert.deepEqual(await codes('?from=2026-03-01'), ['INJC-2222-3333', 'WXYZ-2345-MNPQ']);
  assert.deepEqual(await codes('?to=2026-03-14'), ['ABCD-EFGH-JK23']);
  assert.deepEqual(await codes('?from=2027-01-01'), []);
  for (const qs of ['?from=2026-02-30', '?from=26-1-1', '?to=yesterday', '?from=2026-04-01&to=2026-03-01', '?from=2026-13-01']) {
    const res = await as.leader.fetch('/org/transcript.csv' + qs);
    assert.equal(res.status, 422, qs);
    const html = await res.text();
    assert.match(html, /role="alert"/);
    const page = await as.leader.fetch('/org/transcript' + qs);
    assert.equal(page.status, 422, qs);
  }
  const page = await (await as.leader.fetch('/org/transcript?from=2026-03-01&to=2026-03-31')).text();
  assert.match(page, /1 certificates in this range/);
  assert.match(page, /value="2026-03-01"/);
  assert.match(page, /href="\/org\/transcript\.csv\?from=2026-03-01&amp;to=2026-03-31"/);
});

test('organization exports are audited with the range and the row count', async () => {
  await as.trainer.fetch('/org/transcript.csv?from=2026-02-01&to=2026-02-28');
  const a = (await audits('course.transcript.exported')).filter((r) => r.detail.scope === 'org' && r.actor === world.a.trainer && r.detail.from === '2026-02-01');
  assert.equal(a.length, 1);
  assert.deepEqual(a[0].detail, { format: 'csv', from: '2026-02-01', rows: 1, scope: 'org', to: '2026-02-28' });
});

// ------------------------------------------------------------------ the rate limit (last: it uses up this address's lookups)

test('verification lookups are rate-limited per address (429 with Retry-After)', async () => {
  let limited = null;
  for (let i = 0; i < 70 && !limited; i++) {
    const res = await as.anonymous.fetch('/verify/ZZZZ-ZZZZ-ZZ' + String(i % 10) + String(i % 7));
    if (res.status === 429) limited = res;
    else assert.equal(res.status, 404);
  }
  assert.ok(limited, 'a 429 came within 70 lookups');
  assert.equal(limited.headers.get('retry-after'), '60');
});
