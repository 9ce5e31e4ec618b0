// tests/browser/course-video.test.mjs — the course's video in a real
// Chromium. A short VP9 video made at test time (ffmpeg) and its WebVTT
// captions are uploaded by the site admin; the admin page, with files
// listed, passes axe and html-validate. Then, on a page of the portal (its
// real CSP: media-src 'self'), the player's markup (as
// web/templates/course/video/player.html renders it) loads the video's
// metadata with range requests and the captions track: textTracks cues > 0,
// captions showing by default; no console error, no CSP violation. Last,
// the fixture pack with a video in its first lesson (media/ in the pack,
// imported with it): the lesson page shows the player, passes axe and
// html-validate, and its captions load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startServer, freshStore, sql, execFile } from '../e2e/lib/server.mjs';
import { seedWorld, signIn } from '../e2e/lib/accounts.mjs';
import { openBrowser, visit, axeViolations, htmlProblems, pageWidths, screenshot, VIEWPORTS } from './harness.mjs';

let srv, store, browser, world, tmp, admin, officer;
const VTT = 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nAn officer walks to a parked car.\n\n00:00:01.000 --> 00:00:02.000\nShe asks the driver how the youth is doing.\n';

function assertNone(findings, what) {
  if (findings.length) assert.fail(`${what}:${findings.map((f) => '\n  - ' + f).join('')}`);
}

async function actAs(c) {
  await browser.context.clearCookies();
  await browser.context.addCookies([...c.jar].map(([name, value]) => ({
    name, value, domain: new URL(srv.url).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  })));
}

async function upload(name, bytes) {
  const fd = new FormData();
  fd.append('_csrf', await admin.token('/admin/course-media'));
  fd.append('course', 'frontline');
  fd.append('name', name);
  fd.append('file', new Blob([bytes]), name.slice(6));
  const res = await admin.fetch('/admin/course-media', { method: 'POST', headers: { Origin: srv.url }, body: fd });
  assert.equal(res.status, 303, `upload of ${name}`);
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-video-'));
  await execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=10',
    '-c:v', 'libvpx-vp9', '-b:v', '100k', join(tmp, 'intro.webm')]);
  store = await freshStore();
  world = await seedWorld(store);
  // The fixture pack, its first lesson with a video, captions and transcript.
  const pack = join(tmp, 'pack');
  await cp(new URL('../content/course-fixture', import.meta.url).pathname, pack, { recursive: true });
  const cj = join(pack, 'course', 'fixture', 'course.json');
  await writeFile(cj, (await readFile(cj, 'utf8')).replace('{"slug": "what-it-is", "topics": [1], "minutes": 10, "required": true}',
    '{"slug": "what-it-is", "topics": [1], "minutes": 10, "required": true, "video": {"file": "media/intro.webm", "captions": "media/intro.vtt", "transcript": "media/intro.txt"}}'));
  await mkdir(join(pack, 'course', 'fixture', 'media'));
  await cp(join(tmp, 'intro.webm'), join(pack, 'course', 'fixture', 'media', 'intro.webm'));
  await writeFile(join(pack, 'course', 'fixture', 'media', 'intro.vtt'), VTT);
  await writeFile(join(pack, 'course', 'fixture', 'media', 'intro.txt'), 'Transcript. An officer walks to a parked car.\n');
  const r = await run(['content', 'import', pack, ...store.args]);
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ store });
  await sql(store, `INSERT INTO courses (version_id, slug, title, instructor, credit_centihours, visibility, test_questions, pass_mark, max_attempts, time_limit_minutes, path)
    VALUES ((SELECT id FROM library_versions WHERE active = 1 ORDER BY id LIMIT 1), 'frontline', 'Frontline officers', 'Test Academy', 400, 'members', 5, 80, 3, 30, 'course/frontline/course.json')`);
  admin = await signIn(srv, world.admin);
  officer = await signIn(srv, world.a.officer);
  await upload('media/intro.webm', await readFile(join(tmp, 'intro.webm')));
  await upload('media/intro.vtt', Buffer.from(VTT));
  await upload('media/intro.txt', Buffer.from('An officer walks to a parked car. She asks the driver how the youth is doing.\n'));
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the admin page with files: accessible, valid, no sideways scroll at 320 px', async () => {
  await actAs(admin);
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const v = await visit(browser.context, srv.url + '/admin/course-media?course=frontline', { viewport });
    assert.equal(v.response.status(), 200);
    assertNone(await axeViolations(v.page), `axe (${name})`);
    assertNone(await htmlProblems(await v.response.text(), `course-media-${name}.html`), 'html-validate');
    const w = await pageWidths(v.page);
    assert.ok(w.scrollWidth <= w.clientWidth, `${name}: sideways scroll`);
    assert.equal(await v.page.locator('tbody tr').count(), 3);
    await screenshot(v.page, `course-media-files-${name}`);
    assertNone(await v.problems(), 'console and CSP');
    await v.close();
  }
});

test('the player: metadata and captions load under the portal CSP; captions on by default', async () => {
  await actAs(officer);
  const v = await visit(browser.context, srv.url + '/account');
  const ranges = [];
  v.page.on('request', (r) => { if (r.url().includes('/media/')) ranges.push([r.url(), r.headers().range || '']); });
  // The player partial's markup, with the lesson's data.
  await v.page.evaluate(() => {
    const fig = document.createElement('figure');
    fig.innerHTML = '<video controls preload="metadata" playsinline>'
      + '<source src="/courses/frontline/media/intro.webm" type="video/webm">'
      + '<track kind="captions" srclang="en" label="English captions" src="/courses/frontline/media/intro.vtt" default>'
      + '</video>';
    document.querySelector('main').prepend(fig);
  });
  const got = await v.page.evaluate(() => new Promise((resolve) => {
    const video = document.querySelector('video');
    const until = Date.now() + 10000;
    (function poll() {
      const t = video.textTracks[0];
      const cues = t && t.cues ? t.cues.length : 0;
      if ((cues > 0 && video.readyState >= 1) || Date.now() > until)
        return resolve({ cues, mode: t && t.mode, ready: video.readyState, duration: video.duration, text: cues ? t.cues[0].text : '' });
      setTimeout(poll, 50);
    })();
  }));
  assert.ok(got.cues >= 2, `the captions track loaded its cues (${JSON.stringify(got)})`);
  assert.equal(got.mode, 'showing', 'captions on by default');
  assert.equal(got.text, 'An officer walks to a parked car.');
  assert.ok(got.ready >= 1, `the video's metadata loaded (${JSON.stringify(got)})`);
  assert.ok(Math.abs(got.duration - 2) < 0.3, `duration ${got.duration}`);
  assert.ok(ranges.some(([u, r]) => u.endsWith('intro.webm') && r.startsWith('bytes=')), `Chromium asked for a range (${JSON.stringify(ranges)})`);
  // Play a moment: the media pipeline takes the 206 answers.
  const played = await v.page.evaluate(async () => {
    const video = document.querySelector('video');
    video.muted = true;
    try { await video.play(); } catch (e) { return 'play failed: ' + e.message; }
    await new Promise((r) => setTimeout(r, 600));
    return video.currentTime;
  });
  assert.ok(typeof played === 'number' && played > 0, `the video plays (${played})`);
  assertNone(await v.problems(), 'console and CSP');
  await v.close();
});

test('a lesson with a video: the player on the lesson page, captions loaded, transcript behind a keyboard-reachable summary', async () => {
  const t = await officer.token('/courses/fixture');
  const enrol = await officer.post('/courses/fixture/enrol', { _csrf: t });
  assert.ok([303, 200].includes(enrol.status), `enrol: ${enrol.status}`);
  await actAs(officer);
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const v = await visit(browser.context, srv.url + '/courses/fixture/lessons/what-it-is', { viewport });
    assert.equal(v.response.status(), 200);
    const html = await v.response.text();
    assert.match(html, /<video controls preload="metadata"/);
    assert.match(html, /<track kind="captions" srclang="en" label="English captions" src="\/courses\/fixture\/media\/intro\.vtt" default>/);
    assert.match(html, /<details class="course-transcript">/);
    assert.match(html, /Transcript\. An officer walks to a parked car\./);
    const got = await v.page.evaluate(() => new Promise((resolve) => {
      const video = document.querySelector('video');
      const until = Date.now() + 10000;
      (function poll() {
        const tr = video.textTracks[0];
        const cues = tr && tr.cues ? tr.cues.length : 0;
        if ((cues > 0 && video.readyState >= 1) || Date.now() > until) return resolve({ cues, mode: tr && tr.mode, ready: video.readyState });
        setTimeout(poll, 50);
      })();
    }));
    assert.ok(got.cues >= 2 && got.mode === 'showing' && got.ready >= 1, `captions and metadata (${JSON.stringify(got)})`);
    assertNone(await axeViolations(v.page), `axe (${name})`);
    assertNone(await htmlProblems(html, `lesson-video-${name}.html`), 'html-validate');
    const w = await pageWidths(v.page);
    assert.ok(w.scrollWidth <= w.clientWidth, `${name}: sideways scroll (${w.scrollWidth} > ${w.clientWidth})`);
    // The transcript opens from the keyboard: focus its summary, press Enter.
    await v.page.locator('.course-transcript summary').focus();
    await v.page.keyboard.press('Enter');
    assert.equal(await v.page.locator('.course-transcript').getAttribute('open'), '');
    await screenshot(v.page, `course-lesson-video-${name}`);
    assertNone(await v.problems(), 'console and CSP');
    await v.close();
  }
});
