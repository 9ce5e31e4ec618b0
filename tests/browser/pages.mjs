// tests/browser/pages.mjs — every page a person uses, swept by
// tests/browser/sweep.test.mjs in headless Chromium.
//
// To add a page to the sweep, add ONE line here:
//
//   { name: 'guide', path: '/guide', status: 200 },
//
// name    becomes the test names and the screenshot files
//         build/screenshots/NAME-phone.png and NAME-desktop.png
// path    is requested with a browser GET on a fresh server (startServer)
// status  is the HTTP status the page must answer with
// as      (optional) who is signed in: a role ('org_admin', 'officer', ...)
//         in the sweep's law-enforcement organization, or 'site_admin'
//         (tests/e2e/lib/accounts.mjs seedWorld; MFA is enrolled for roles
//         that need it); without it the page is visited anonymously
//
// Each page then gets every check: it renders with that status, the console
// shows no error and no CSP violation, axe-core finds no WCAG 2.1 A/AA
// violation (phone and desktop), html-validate passes on the served HTML, no
// horizontal scrolling at 320 px, the first Tab focuses the skip link to
// #main, and screenshots at phone and desktop widths.
//
// Pages a browser GET cannot reach (e.g. the 405 error page) are not listed.
//
// setups: functions run on the sweep's store once its server has started
// (and imported the starter pack), for data some pages need (a course pack,
// an enrolment).
import { readdirSync, readFileSync } from 'node:fs';
import { run, sql } from '../e2e/lib/server.mjs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// library: the pages of the starter pack built into the binary (content/,
// imported when the sweep's server starts) — every guide part and practice
// profile, and the resources that hold a table or come first (the short
// resource pages are alike) — read by whom they are for: public pages
// anonymously and one as an org admin (whose unset profile fields show the
// prompt), law-enforcement pages as an officer of the sweep's
// law-enforcement organization, and anonymously, where they answer 404.
function starterPages() {
  const root = fileURLToPath(new URL('../../content', import.meta.url));
  const dirs = { guide: 'guide', practices: 'practice', resources: 'resource' };
  const out = [];
  for (const dir of Object.keys(dirs)) {
    let names = [];
    try { names = readdirSync(join(root, dir)).filter((n) => n.endsWith('.md')).sort(); } catch { continue; }
    for (const [i, n] of names.entries()) {
      const text = readFileSync(join(root, dir, n), 'utf8');
      if (dir === 'resources' && i >= 3 && !/^\|/m.test(text)) continue;
      const slug = /^slug:\s*"?([a-z0-9-]+)"?\s*$/m.exec(text)?.[1];
      const visibility = /^visibility:\s*"?([a-z_]+)"?\s*$/m.exec(text)?.[1];
      if (!slug) continue;
      const path = `/${dir}/${slug}`;
      if (visibility === 'public') {
        out.push({ name: `${dir}-${slug}`, path, status: 200 });
      } else if (visibility === 'law_enforcement') {
        out.push({ name: `${dir}-${slug}-officer`, path, status: 200, as: 'officer' });
        out.push({ name: `${dir}-${slug}-anonymous`, path, status: 404 });
      } else if (visibility === 'members') {
        out.push({ name: `${dir}-${slug}-partner`, path, status: 200, as: 'partner' });
      }
    }
  }
  const first = out.find((p) => p.path.startsWith('/guide/') && !p.as && p.status === 200);
  if (first) out.push({ ...first, name: `${first.name}-org-admin`, as: 'org_admin' });
  return out;
}

// course: core — the fixture course (tests/content/course-fixture), the
// officer of the sweep's organization enrolled, one scenario run under way
// (id 1) and one ended (id 2).
async function courseCoreSetup(store) {
  const fixture = fileURLToPath(new URL('../content/course-fixture', import.meta.url));
  const r = await run(['content', 'import', fixture, ...store.args]);
  if (r.code !== 0) throw new Error(`course fixture import: ${r.stderr}`);
  const uid = "(SELECT id FROM users WHERE email = 'officer@a.example')";
  await sql(store, `INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at, last_lesson_slug) SELECT ${uid}, m.org_id, 'fixture', 1, 'indicators' FROM memberships m WHERE m.user_id = ${uid}`);
  await sql(store, `INSERT INTO course_scenario_runs (user_id, course_slug, scenario_slug, started_at, current_step, path_json) VALUES (${uid}, 'fixture', 'night-stop', 1, 'talk', '[{"step":"stop","choice":"apart"}]')`);
  await sql(store, `INSERT INTO course_scenario_runs (user_id, course_slug, scenario_slug, started_at, finished_at, current_step, path_json) VALUES (${uid}, 'fixture', 'night-stop', 1, 2, 'safe', '[{"step":"stop","choice":"apart"},{"step":"talk","choice":"help"}]')`);
}

export const setups = [courseCoreSetup, courseTestSetup, courseRecordsSetup];

// course: final test — the fixture course (imported by courseCoreSetup
// above): the trainer of the sweep's organization enrolled, with attempt 1
// submitted (2 of 5 right) and attempt 2 under way; the officer, enrolled
// by courseCoreSetup, has no attempt (the rules page offers Start). Attempt
// ids 1 and 2: the sweep's store is fresh. The keyboard flow of taking a
// test is tests/browser/course-test.test.mjs.
async function courseTestSetup(store) {
  const uid = "(SELECT id FROM users WHERE email = 'trainer@a.example')";
  const now = Math.floor(Date.now() / 1000);
  await sql(store, `INSERT INTO course_enrolments (user_id, org_id, course_slug, enrolled_at) SELECT ${uid}, m.org_id, 'fixture', 1 FROM memberships m WHERE m.user_id = ${uid}`);
  await sql(store, `INSERT INTO course_attempts (user_id, course_slug, number, started_at, deadline_at, submitted_at, score, passed, pass_mark) VALUES (${uid}, 'fixture', 1, ${now - 3600}, ${now - 1800}, ${now - 3000}, 40, 0, 80)`);
  await sql(store, `INSERT INTO course_attempts (user_id, course_slug, number, started_at, deadline_at, pass_mark) VALUES (${uid}, 'fixture', 2, ${now - 60}, ${now + 86400}, 80)`);
  for (const [attempt, answered] of [[1, true], [2, false]]) {
    await sql(store, `INSERT INTO course_attempt_items (attempt_id, position, qid, qtype, prompt, choices_json, explanation, answer_json, correct) SELECT ${attempt}, n, qid, qtype, prompt, choices_json, explanation, ${answered ? `'["a"]', CASE WHEN n <= 2 THEN 1 ELSE 0 END` : 'NULL, NULL'} FROM (SELECT q.qid, q.qtype, q.prompt, q.choices_json, q.explanation, ROW_NUMBER() OVER (ORDER BY q.position, q.qid) AS n FROM course_questions q JOIN courses c ON c.id = q.course_id WHERE c.slug = 'fixture' AND q.purpose = 'test') t WHERE n <= 5`);
  }
}

// course: records — certificates of the sweep's organization: the
// officer's, valid (id 1), and the analyst's, revoked (id 2), for the
// verify page's answers, the transcripts and the site admins' pages.
async function courseRecordsSetup(store) {
  const now = Math.floor(Date.now() / 1000);
  for (const [email, code, revoked] of [['officer@a.example', 'SWP0-0000-0001', false], ['analyst@a.example', 'SWP0-0000-0002', true]]) {
    await sql(store, `INSERT INTO certificates (code, user_id, org_id, course_slug, learner_name, course_title, provider, instructor, credit_centihours, completed_at, score, revoked_at, revoke_reason)
      SELECT '${code}', u.id, m.org_id, 'officers', u.name, 'Recognizing and responding to child sex trafficking', 'CSEC Toolkit', 'State POST Academy', 425, ${now - 86400}, 90,
        ${revoked ? now - 3600 : 'NULL'}, ${revoked ? "'Issued in error'" : 'NULL'}
      FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = '${email}'`);
  }
}

// course: final test — the rules page of each course of the starter pack
// (content/course/SLUG/course.json), seen by an officer of the sweep's
// law-enforcement organization who has not enrolled (the page says so and
// offers no Start). The pages of an attempt need one: they are checked in
// tests/browser/course-test.test.mjs, which takes a test on the fixture
// course with the keyboard.
function courseTestPages() {
  const root = fileURLToPath(new URL('../../content/course', import.meta.url));
  let names = [];
  try { names = readdirSync(root).sort(); } catch { return []; }
  return names
    .filter((n) => { try { readFileSync(join(root, n, 'course.json')); return true; } catch { return false; } })
    .map((n) => ({ name: `course-test-${n}`, path: `/courses/${n}/test`, status: 200, as: 'officer' }));
}

export const pages = [
  { name: 'home', path: '/', status: 200 },
  { name: 'about', path: '/about', status: 200 },
  { name: 'not-found', path: '/no-such-page', status: 404 },
  { name: 'login', path: '/login', status: 200 },
  { name: 'account', path: '/account', status: 200, as: 'officer' },
  { name: 'account-org-admin', path: '/account', status: 200, as: 'org_admin' },
  { name: 'mfa', path: '/account/mfa', status: 200, as: 'leader' },
  // profile
  { name: 'profile', path: '/account/profile', status: 200, as: 'officer' },
  { name: 'profile-saved', path: '/account/profile?saved=1', status: 200, as: 'officer' },
  { name: 'password-change', path: '/account/password', status: 200, as: 'officer' },
  { name: 'password-changed-notice', path: '/account/password?done=1', status: 200, as: 'officer' },
  { name: 'sessions', path: '/account/sessions', status: 200, as: 'officer' },
  { name: 'sessions-ended', path: '/account/sessions?done=others', status: 200, as: 'officer' },
  { name: 'password-forgot', path: '/password/forgot', status: 200 },
  { name: 'password-forgot-sent', path: '/password/forgot?sent=1', status: 200 },
  { name: 'password-reset-gone', path: '/password/reset/an-unknown-or-used-link', status: 410 },
  { name: 'password-changed', path: '/password/changed', status: 200 },
  // members
  { name: 'members', path: '/org/members', status: 200, as: 'org_admin' },
  { name: 'members-search', path: '/org/members?q=officer', status: 200, as: 'org_admin' },
  { name: 'members-search-too-long', path: '/org/members?q=' + 'x'.repeat(101), status: 422, as: 'org_admin' },
  { name: 'members-forbidden', path: '/org/members', status: 403, as: 'officer' },
  { name: 'org-settings', path: '/org/settings', status: 200, as: 'org_admin' },
  { name: 'invite-unknown', path: '/invite/' + 'A'.repeat(43), status: 404 },
  // joining
  { name: 'join', path: '/join', status: 200 },
  { name: 'join-sent', path: '/join/sent', status: 200 },
  { name: 'verify-unknown', path: '/verify-email/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', status: 404 },
  { name: 'org-requests', path: '/org/requests', status: 200, as: 'org_admin' },
  // admin
  { name: 'admin', path: '/admin', status: 200, as: 'site_admin' },
  { name: 'admin-orgs', path: '/admin/orgs', status: 200, as: 'site_admin' },
  { name: 'admin-orgs-invalid', path: '/admin/orgs?status=closed', status: 422, as: 'site_admin' },
  { name: 'admin-org-new', path: '/admin/orgs/new', status: 200, as: 'site_admin' },
  { name: 'admin-org', path: '/admin/orgs/1', status: 200, as: 'site_admin' },
  { name: 'admin-users', path: '/admin/users', status: 200, as: 'site_admin' },
  { name: 'admin-audit', path: '/admin/audit', status: 200, as: 'site_admin' },
  { name: 'admin-audit-invalid', path: '/admin/audit?actor=*&from=2025-02-30', status: 422, as: 'site_admin' },
  // api
  { name: 'api-tokens', path: '/account/tokens', status: 200, as: 'officer' },
  { name: 'api-tokens-site-admin', path: '/account/tokens', status: 200, as: 'site_admin' },
  // settings
  { name: 'site-settings', path: '/admin/settings', status: 200, as: 'site_admin' },
  // library (and every page of the starter pack, below)
  { name: 'guide', path: '/guide', status: 200 },
  { name: 'guide-officer', path: '/guide', status: 200, as: 'officer' },
  { name: 'practices', path: '/practices', status: 200 },
  { name: 'resources', path: '/resources', status: 200 },
  ...starterPages(),
  // library-admin
  { name: 'admin-content', path: '/admin/content', status: 200, as: 'site_admin' },
  { name: 'admin-content-done', path: '/admin/content?done=imported', status: 200, as: 'site_admin' },
  { name: 'admin-content-rollback', path: '/admin/content/rollback?version=1', status: 200, as: 'site_admin' },
  // search
  { name: 'search', path: '/search', status: 200 },
  { name: 'search-results', path: '/search?q=safe+harbor', status: 200 },
  { name: 'search-results-paged', path: '/search?q=law&page=2', status: 200 },
  { name: 'search-officer', path: '/search?q=sextortion&kind=guide', status: 200, as: 'officer' },
  { name: 'search-no-results', path: '/search?q=%3Cscript%3Ezzqqxx', status: 200 },
  { name: 'search-common-words', path: '/search?q=the+and+of', status: 200 },
  { name: 'search-invalid', path: '/search?q=law&kind=org', status: 422 },
  // library-edit (page 1 is the starter pack's first page, imported at start-up)
  { name: 'library-edit-index', path: '/library/edit', status: 200, as: 'editor' },
  { name: 'library-edit-form', path: '/library/edit/1', status: 200, as: 'editor' },
  { name: 'library-edit-saved', path: '/library/edit/1?done=saved', status: 200, as: 'editor' },
  { name: 'library-edit-view', path: '/library/edit/1/view', status: 200, as: 'editor' },
  { name: 'library-edit-history', path: '/library/edit/1/history', status: 200, as: 'editor' },
  { name: 'library-edit-diff', path: '/library/edit/1/diff?from=1&to=1', status: 200, as: 'editor' },
  { name: 'library-edit-update', path: '/library/edit/1/update', status: 200, as: 'editor' },
  { name: 'library-edit-forbidden', path: '/library/edit', status: 403, as: 'officer' },
  { name: 'library-edit-site-admin', path: '/library/edit', status: 200, as: 'site_admin' },
  { name: 'org-pages', path: '/org/pages', status: 200, as: 'org_admin' },
  { name: 'org-pages-new', path: '/org/pages/new', status: 200, as: 'leader' },
  { name: 'org-pages-not-found', path: '/org/pages/1', status: 404, as: 'org_admin' },
  // course: video
  { name: 'admin-course-media', path: '/admin/course-media', status: 200, as: 'site_admin' },
  { name: 'admin-course-media-done', path: '/admin/course-media?done=uploaded', status: 200, as: 'site_admin' },
  { name: 'admin-course-media-forbidden', path: '/admin/course-media', status: 403, as: 'officer' },
  { name: 'course-media-not-found', path: '/courses/no-such-course/media/intro.mp4', status: 404 },
  // course: training
  { name: 'org-training', path: '/org/training', status: 200, as: 'trainer' },
  { name: 'org-training-leader', path: '/org/training?q=officer', status: 200, as: 'leader' },
  { name: 'org-training-search-too-long', path: '/org/training?q=' + 'x'.repeat(101), status: 422, as: 'trainer' },
  { name: 'org-training-forbidden', path: '/org/training', status: 403, as: 'officer' },
  // course: core
  { name: 'courses', path: '/courses', status: 200 },
  { name: 'courses-officer', path: '/courses', status: 200, as: 'officer' },
  { name: 'course-overview-officer', path: '/courses/fixture', status: 200, as: 'officer' },
  { name: 'course-overview-partner', path: '/courses/fixture', status: 200, as: 'partner' },
  { name: 'course-overview-anonymous', path: '/courses/fixture', status: 404 },
  { name: 'course-lesson', path: '/courses/fixture/lessons/what-it-is', status: 200, as: 'officer' },
  { name: 'course-lesson-scenario', path: '/courses/fixture/lessons/indicators', status: 200, as: 'officer' },
  { name: 'course-lesson-last', path: '/courses/fixture/lessons/talking', status: 200, as: 'officer' },
  { name: 'course-lesson-not-found', path: '/courses/fixture/lessons/nowhere', status: 404, as: 'officer' },
  { name: 'course-scenario', path: '/courses/fixture/scenarios/night-stop', status: 200, as: 'officer' },
  { name: 'course-scenario-run', path: '/courses/fixture/scenarios/night-stop/runs/1', status: 200, as: 'officer' },
  { name: 'course-scenario-ended', path: '/courses/fixture/scenarios/night-stop/runs/2', status: 200, as: 'officer' },
  { name: 'course-coverage', path: '/courses/fixture/coverage', status: 200, as: 'officer' },
  // course: final test
  { name: 'course-items', path: '/org/training/items', status: 200, as: 'trainer' },
  { name: 'course-items-leader', path: '/org/training/items', status: 200, as: 'leader' },
  { name: 'course-items-forbidden', path: '/org/training/items', status: 403, as: 'officer' },
  { name: 'course-test-not-found', path: '/courses/no-such-course/test', status: 404, as: 'officer' },
  { name: 'course-test-rules', path: '/courses/fixture/test', status: 200, as: 'officer' },
  { name: 'course-test-under-way', path: '/courses/fixture/test', status: 200, as: 'trainer' },
  { name: 'course-test-questions', path: '/courses/fixture/test/2', status: 200, as: 'trainer' },
  { name: 'course-test-results', path: '/courses/fixture/test/1', status: 200, as: 'trainer' },
  { name: 'course-test-others-attempt', path: '/courses/fixture/test/1', status: 404, as: 'officer' },
  { name: 'course-items-fixture', path: '/org/training/items?course=fixture', status: 200, as: 'trainer' },
  ...courseTestPages(),
  // course: records (courseRecordsSetup: certificate 1 valid, 2 revoked)
  { name: 'certificate-verify-valid', path: '/verify/swp0-0000-0001', status: 200 },
  { name: 'certificate-verify-revoked', path: '/verify/SWP0-0000-0002', status: 410 },
  { name: 'certificate-verify-unknown', path: '/verify/ZZZZ-ZZZZ-ZZZZ', status: 404 },
  { name: 'transcript', path: '/account/transcript', status: 200, as: 'officer' },
  { name: 'transcript-revoked', path: '/account/transcript', status: 200, as: 'analyst' },
  { name: 'transcript-empty', path: '/account/transcript', status: 200, as: 'partner' },
  { name: 'certificate-revoked', path: '/courses/officers/certificate.pdf', status: 410, as: 'analyst' },
  { name: 'org-transcript', path: '/org/transcript', status: 200, as: 'leader' },
  { name: 'org-transcript-range', path: '/org/transcript?from=2026-01-01&to=2026-12-31', status: 200, as: 'trainer' },
  { name: 'org-transcript-invalid', path: '/org/transcript?from=2026-02-30&to=someday', status: 422, as: 'leader' },
  { name: 'admin-certificates', path: '/admin/certificates', status: 200, as: 'site_admin' },
  { name: 'admin-certificates-search', path: '/admin/certificates?q=swp000000001', status: 200, as: 'site_admin' },
  { name: 'admin-certificates-invalid', path: '/admin/certificates?page=0', status: 422, as: 'site_admin' },
  { name: 'admin-certificate', path: '/admin/certificates/1', status: 200, as: 'site_admin' },
  { name: 'admin-certificate-revoked', path: '/admin/certificates/2', status: 200, as: 'site_admin' },
  // course: xapi
  { name: 'course-xapi', path: '/admin/xapi', status: 200, as: 'site_admin' },
  { name: 'course-xapi-saved', path: '/admin/xapi?saved=1', status: 200, as: 'site_admin' },
  { name: 'course-xapi-forbidden', path: '/admin/xapi', status: 403, as: 'trainer' },
];
