// tests/e2e/course-video.test.mjs — the course's video (issue 6 point 1;
// docs/course-video.md): a short video made at test time with ffmpeg and a
// WebVTT file are uploaded by a site admin (type checked by content,
// size, role, CSRF; audited), then served with byte ranges (206, suffix,
// open-ended, 416, If-Range, If-None-Match, HEAD), byte for byte, to
// whoever may see the course and to no one else. A pack's file (inserted
// as the import writes it) is served until an upload of its name replaces
// it. Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { startServer, freshStore, storeSnapshot, sql, execFile } from './lib/server.mjs';
import { client, signIn, seedWorld } from './lib/accounts.mjs';

let srv, store, world, admin, officer, partnerB, tmp, video, webm;
const VTT = 'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nA patrol car stops on a quiet road.\n\n00:00:01.500 --> 00:00:02.000\nThe officer speaks to the driver.\n';
const TRANSCRIPT = 'Transcript\n\nA patrol car stops on a quiet road. The officer speaks to the driver.\n';

/** Adds a course of the active pack version, as the course import writes it. */
async function addCourse(slug, visibility) {
  await sql(store, `INSERT INTO courses (version_id, slug, title, instructor, credit_centihours, visibility, test_questions, pass_mark, max_attempts, time_limit_minutes, path)
    VALUES ((SELECT id FROM library_versions WHERE active = 1 ORDER BY id LIMIT 1), '${slug}', 'Course ${slug}', 'Test Academy', 100, '${visibility}', 5, 80, 3, 30, 'course/${slug}/course.json')`);
}

/** A pack's media file (source 'pack'), as the course import writes it. */
async function addPackMedia(course, name, type, bytes) {
  const hex = Buffer.from(bytes).toString('hex');
  const blob = store.db.startsWith('sqlite:') ? `X'${hex}'` : `'\\x${hex}'::bytea`;
  const sha = createHash('sha256').update(bytes).digest('hex');
  await sql(store, `INSERT INTO course_media (course_slug, name, source, content_type, size, sha256, bytes, created_at)
    VALUES ('${course}', '${name}', 'pack', '${type}', ${bytes.length}, '${sha}', ${blob}, 1700000000)`);
}

async function upload(c, { course, name, file, filename, type = 'application/octet-stream', token, origin = srv.url }) {
  const fd = new FormData();
  if (token !== null) fd.append('_csrf', token ?? (await c.token('/admin/course-media')));
  fd.append('course', course);
  fd.append('name', name);
  fd.append('file', new Blob([file], { type }), filename);
  return c.fetch('/admin/course-media', { method: 'POST', headers: { Origin: origin }, body: fd });
}

async function audits(action) {
  const rows = await sql(store, `SELECT actor, target_type, target_id, outcome, detail FROM audit_log WHERE action = '${action}' ORDER BY seq`);
  return rows.map(([actor, type, id, outcome, detail]) => ({ actor, type, id, outcome, detail: JSON.parse(detail) }));
}

async function unchanged(c, fn) {
  await c.fetch('/admin/course-media');
  const before = await storeSnapshot(srv);
  const r = await fn();
  assert.equal(await storeSnapshot(srv), before, 'the store changed');
  return r;
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'csec-video-'));
  // Two seconds of test pattern: H.264 in MP4 (moov first) and VP9 in WebM.
  await execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=10',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(tmp, 'intro.mp4')]);
  await execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=10',
    '-c:v', 'libvpx-vp9', '-b:v', '100k', join(tmp, 'intro.webm')]);
  video = await readFile(join(tmp, 'intro.mp4'));
  webm = await readFile(join(tmp, 'intro.webm'));
  assert.ok(video.length > 2000, 'ffmpeg made a video');

  store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store, env: { CSEC_SIGNIN_PER_MINUTE: '10000' } });
  await addCourse('vid-members', 'members');
  await addCourse('vid-public', 'public');
  await addCourse('vid-le', 'law_enforcement');
  await addPackMedia('vid-public', 'media/pack.vtt', 'text/vtt', Buffer.from(VTT));
  await addPackMedia('vid-members', 'media/intro.txt', 'text/plain; charset=utf-8', Buffer.from('the pack transcript\n'));
  admin = await signIn(srv, world.admin);
  officer = await signIn(srv, world.a.officer);
  partnerB = await signIn(srv, world.b.partner);
});
after(async () => {
  await srv?.stop();
  await srv?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the admin page lists the courses and the pack files; others are refused', async () => {
  const res = await admin.fetch('/admin/course-media');
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /<h1>Course videos, captions and transcripts<\/h1>/);
  assert.match(page, /<option value="vid-members">/);
  assert.match(page, /media\/pack\.vtt/);
  assert.match(page, /enctype="multipart\/form-data"/);
  assert.equal((await officer.fetch('/admin/course-media')).status, 403);
  assert.equal((await client(srv).fetch('/admin/course-media')).status, 401);
});

test('upload: a video, its captions and a transcript, stored and audited', async () => {
  let res = await upload(admin, { course: 'vid-members', name: 'media/intro.mp4', file: video, filename: 'intro.mp4', type: 'video/mp4' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/course-media?course=vid-members&done=uploaded');
  res = await upload(admin, { course: 'vid-members', name: 'media/intro.vtt', file: Buffer.from(VTT), filename: 'intro.vtt' });
  assert.equal(res.status, 303);
  res = await upload(admin, { course: 'vid-members', name: 'media/intro.webm', file: webm, filename: 'x.webm' });
  assert.equal(res.status, 303);
  res = await upload(admin, { course: 'vid-members', name: 'media/intro.txt', file: Buffer.from(TRANSCRIPT), filename: 'intro.txt' });
  assert.equal(res.status, 303);
  const rows = await sql(store, "SELECT name, content_type, size, sha256, source FROM course_media WHERE course_slug = 'vid-members' ORDER BY name, source");
  const byName = Object.fromEntries(rows.filter((r) => r[4] === 'upload').map((r) => [r[0], r]));
  assert.deepEqual(byName['media/intro.mp4'].slice(1, 4), ['video/mp4', String(video.length), createHash('sha256').update(video).digest('hex')]);
  assert.equal(byName['media/intro.vtt'][1], 'text/vtt; charset=utf-8');
  assert.equal(byName['media/intro.webm'][1], 'video/webm');
  assert.equal(byName['media/intro.txt'][1], 'text/plain; charset=utf-8');
  const a = await audits('course.media.uploaded');
  const mp4 = a.find((x) => x.detail.name === 'media/intro.mp4');
  assert.ok(mp4, 'the upload is audited');
  assert.equal(mp4.actor, world.admin);
  assert.equal(mp4.outcome, 'success');
  assert.equal(mp4.detail.course, 'vid-members');
  assert.equal(mp4.detail.size, video.length);
  const page = await (await admin.fetch('/admin/course-media?course=vid-members&done=uploaded')).text();
  assert.match(page, /The file was uploaded/);
  assert.match(page, /media\/intro\.mp4/);
  assert.ok(page.includes(world.admin), 'who uploaded it');
});

test('upload refused: wrong type, bad name, unknown course, empty, too big (422/413, nothing stored, input kept)', async () => {
  const cases = [
    { name: 'media/fake.mp4', file: Buffer.from('<html>not a video</html>'), filename: 'fake.mp4', status: 422, msg: /does not match its name/ },
    { name: 'media/fake.webm', file: video, filename: 'fake.webm', status: 422, msg: /does not match its name/ },
    { name: 'media/fake.vtt', file: Buffer.from('1\n00:00 --> 00:01\nhi\n'), filename: 'fake.vtt', status: 422, msg: /does not match its name/ },
    { name: 'media/fake.txt', file: Buffer.from([0xff, 0xfe, 0x00, 0x41]), filename: 'fake.txt', status: 422, msg: /does not match its name/ },
    { name: 'media/page.html', file: Buffer.from('<p>hi</p>'), filename: 'page.html', status: 422, msg: /does not match its name/ },
    { name: '../etc/passwd.txt', file: Buffer.from('x'), filename: 'x.txt', status: 422, msg: /Give a name such as media\/intro\.mp4/ },
    { name: 'media/UPPER.mp4', file: video, filename: 'x.mp4', status: 422, msg: /Give a name such as/ },
    { name: 'media/empty.mp4', file: Buffer.alloc(0), filename: 'empty.mp4', status: 422, msg: /Choose a file to upload/ },
    { course: 'no-such-course', name: 'media/x.mp4', file: video, filename: 'x.mp4', status: 422, msg: /Choose a course from the list/ },
  ];
  for (const c of cases) {
    await unchanged(admin, async () => {
      const res = await upload(admin, { course: c.course ?? 'vid-members', ...c });
      assert.equal(res.status, c.status, c.name);
      const page = await res.text();
      assert.match(page, c.msg, c.name);
      assert.match(page, /role="alert"/);
      assert.ok(page.includes(`value="${c.name.replace(/&/g, '&amp;')}"`) || c.name.includes('.'), 'the name is kept');
      assert.match(page, /aria-invalid="true"/);
    });
  }
  // One byte past 64 MiB: the body parser refuses the file part (413)
  // before any handler runs.
  await unchanged(admin, async () => {
    const big = Buffer.alloc(64 * 1024 * 1024 + 1);
    video.copy(big);
    const res = await upload(admin, { course: 'vid-members', name: 'media/big.mp4', file: big, filename: 'big.mp4' });
    assert.equal(res.status, 413);
    await res.arrayBuffer();
  });
});

test('a large upload (60 MiB) is taken, and a small range of it is served', async () => {
  const big = Buffer.alloc(60 * 1024 * 1024);
  video.copy(big);
  big.write('the end', big.length - 7);
  let res = await upload(admin, { course: 'vid-members', name: 'media/large.mp4', file: big, filename: 'large.mp4' });
  assert.equal(res.status, 303, srv.rawLogs().slice(-4).join('\n') + await res.text());
  res = await officer.fetch('/courses/vid-members/media/large.mp4', { headers: { Range: 'bytes=-7' } });
  assert.equal(res.status, 206);
  assert.equal(await res.text(), 'the end');
  res = await officer.fetch('/courses/vid-members/media/large.mp4');
  assert.equal(res.status, 200);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(big), 'the whole file, byte for byte');
  const [[id]] = await sql(store, "SELECT id FROM course_media WHERE name = 'media/large.mp4'");
  assert.equal((await admin.form(`/admin/course-media/${id}/delete`, {}, '/admin/course-media')).status, 303);
});

test('upload refused: not a site admin (403), no CSRF token or another origin (403), anonymous (401)', async () => {
  const leader = await signIn(srv, world.a.leader);
  await unchanged(admin, async () => {
    const t = await admin.token('/admin/course-media');
    let res = await upload(leader, { course: 'vid-members', name: 'media/x.mp4', file: video, filename: 'x.mp4', token: t });
    assert.equal(res.status, 403);
    res = await upload(admin, { course: 'vid-members', name: 'media/x.mp4', file: video, filename: 'x.mp4', token: null });
    assert.equal(res.status, 403);
    res = await upload(admin, { course: 'vid-members', name: 'media/x.mp4', file: video, filename: 'x.mp4', token: 'forged' });
    assert.equal(res.status, 403);
    res = await upload(admin, { course: 'vid-members', name: 'media/x.mp4', file: video, filename: 'x.mp4', origin: 'http://evil.example' });
    assert.equal(res.status, 403);
    res = await upload(client(srv), { course: 'vid-members', name: 'media/x.mp4', file: video, filename: 'x.mp4', token: 'x' });
    assert.equal(res.status, 401);
  });
});

// Default deny before the bytes: someone the policy refuses is answered as
// soon as the headers arrive, so a 60 MiB body is never read, let alone held.
test('an upload from someone refused is answered before its body is sent (401 anonymous, 403 an officer)', async () => {
  const officerCookie = officer.cookie();
  for (const [cookie, want] of [[null, 401], [officerCookie, 403]]) {
    const { hostname: host, port } = new URL(srv.url);
    const answer = await new Promise((resolve, reject) => {
      const sock = connect(Number(port), host, () => {
        sock.write(`POST /admin/course-media HTTP/1.1\r\nHost: ${host}:${port}\r\nOrigin: ${srv.url}\r\n` +
          (cookie ? `Cookie: ${cookie}\r\n` : '') +
          'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 62914560\r\n\r\n--x\r\n');
      });
      let got = '';
      const timer = setTimeout(() => { sock.destroy(); resolve(got); }, 10000);
      sock.on('data', (d) => { got += d; if (got.includes('\r\n\r\n')) { clearTimeout(timer); sock.destroy(); resolve(got); } });
      sock.on('error', reject);
    });
    assert.match(answer, new RegExp(`^HTTP/1\\.1 ${want} `), `answered without the body: ${answer.slice(0, 40)}`);
  }
});

test('serving: the whole file, byte for byte, with its type, ETag and Accept-Ranges', async () => {
  const res = await officer.fetch('/courses/vid-members/media/intro.mp4');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('etag'), `"${createHash('sha256').update(video).digest('hex')}"`);
  assert.equal(Number(res.headers.get('content-length')), video.length);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video), 'the bytes are the file');
  assert.match(res.headers.get('content-security-policy'), /media-src 'self'/);
  const vtt = await officer.fetch('/courses/vid-members/media/intro.vtt');
  assert.equal(vtt.status, 200);
  assert.equal(vtt.headers.get('content-type'), 'text/vtt; charset=utf-8');
  assert.equal(await vtt.text(), VTT);
  const pack = await client(srv).fetch('/courses/vid-public/media/pack.vtt');
  assert.equal(pack.headers.get('content-type'), 'text/vtt; charset=utf-8', 'captions are text/vtt whatever the pack said');
  assert.equal(await pack.text(), VTT);
});

test('ranges: first bytes, a middle, suffix, open-ended (206 with Content-Range); 416; several ranges get the whole body', async () => {
  const size = video.length;
  const get = (range, extra = {}) => officer.fetch('/courses/vid-members/media/intro.mp4', { headers: { Range: range, ...extra } });
  let res = await get('bytes=0-99');
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), `bytes 0-99/${size}`);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video.subarray(0, 100)));
  res = await get('bytes=1000-1499');
  assert.equal(res.status, 206);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video.subarray(1000, 1500)));
  res = await get('bytes=-500');
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), `bytes ${size - 500}-${size - 1}/${size}`);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video.subarray(size - 500)));
  res = await get(`bytes=${size - 10}-`);
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), `bytes ${size - 10}-${size - 1}/${size}`);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video.subarray(size - 10)));
  res = await get(`bytes=100-${size + 5000}`);
  assert.equal(res.status, 206, 'a last byte past the end is cut to the end');
  assert.equal(res.headers.get('content-range'), `bytes 100-${size - 1}/${size}`);
  res = await get('bytes=-99999999');
  assert.equal(res.status, 206, 'a suffix longer than the file is the whole file');
  assert.equal(Number(res.headers.get('content-length')), size);
  for (const r of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=-0']) {
    res = await get(r);
    assert.equal(res.status, 416, r);
    assert.equal(res.headers.get('content-range'), `bytes */${size}`);
    await res.arrayBuffer();
  }
  res = await get('bytes=0-9, 20-29');
  assert.equal(res.status, 200, 'several ranges: the whole body');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video));
  for (const r of ['bytes=9-0', 'items=0-9', 'bytes=abc', 'bytes=-']) {
    res = await get(r);
    assert.equal(res.status, 200, `${r} is ignored`);
    assert.equal(Number(res.headers.get('content-length')), size);
    await res.arrayBuffer();
  }
});

test('If-Range and If-None-Match: the range only for the same file; 304 for a known one', async () => {
  const etag = `"${createHash('sha256').update(video).digest('hex')}"`;
  const path = '/courses/vid-members/media/intro.mp4';
  let res = await officer.fetch(path, { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
  assert.equal(res.status, 206);
  await res.arrayBuffer();
  res = await officer.fetch(path, { headers: { Range: 'bytes=0-9', 'If-Range': '"0000"' } });
  assert.equal(res.status, 200, 'another version: the whole file');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(video));
  res = await officer.fetch(path, { headers: { Range: 'bytes=0-9', 'If-Range': 'Sat, 28 Nov 2026 00:00:00 GMT' } });
  assert.equal(res.status, 200, 'a date: the whole file');
  await res.arrayBuffer();
  res = await officer.fetch(path, { headers: { 'If-None-Match': `"x", ${etag}` } });
  assert.equal(res.status, 304);
  assert.equal(res.headers.get('etag'), etag);
});

test('HEAD: the headers and length of GET, no body', async () => {
  const path = '/courses/vid-members/media/intro.mp4';
  let res = await officer.fetch(path, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(Number(res.headers.get('content-length')), video.length);
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.equal((await res.arrayBuffer()).byteLength, 0);
  res = await officer.fetch(path, { method: 'HEAD', headers: { Range: 'bytes=10-19' } });
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), `bytes 10-19/${video.length}`);
  assert.equal(Number(res.headers.get('content-length')), 10);
});

test('visibility: as the course; unknown course or file 404; an upload wins over the pack', async () => {
  const anon = client(srv);
  assert.equal((await anon.fetch('/courses/vid-members/media/intro.mp4')).status, 404, 'anonymous: a members course is not found');
  assert.equal((await anon.fetch('/courses/vid-members/media/intro.mp4', { method: 'HEAD' })).status, 404);
  assert.equal((await anon.fetch('/courses/vid-public/media/pack.vtt')).status, 200, 'anonymous: a public course');
  assert.equal((await partnerB.fetch('/courses/vid-members/media/intro.txt')).status, 200, 'any member: a members course');
  // A law-enforcement course: the officer of a police department, not the child-welfare agency's partner.
  await upload(admin, { course: 'vid-le', name: 'media/le.vtt', file: Buffer.from(VTT), filename: 'le.vtt' });
  assert.equal((await officer.fetch('/courses/vid-le/media/le.vtt')).status, 200);
  assert.equal((await partnerB.fetch('/courses/vid-le/media/le.vtt')).status, 404);
  assert.equal((await anon.fetch('/courses/vid-le/media/le.vtt')).status, 404);
  assert.equal((await admin.fetch('/courses/vid-le/media/le.vtt')).status, 200, 'site admins see every course');
  for (const p of ['/courses/no-such/media/intro.mp4', '/courses/vid-members/media/none.mp4', '/courses/vid-members/media/..%2Fintro.mp4',
    '/courses/vid-members/media/.hidden', '/courses/VID-MEMBERS/media/intro.mp4']) {
    const res = await officer.fetch(p);
    assert.ok(res.status === 404 || res.status === 400, `${p}: ${res.status}`);
  }
  // The upload of intro.txt replaced the pack's transcript of that name.
  assert.equal(await (await officer.fetch('/courses/vid-members/media/intro.txt')).text(), TRANSCRIPT);
});

test('delete an upload: audited; the pack file of that name is served again; pack files cannot be deleted', async () => {
  const [[id]] = await sql(store, "SELECT id FROM course_media WHERE course_slug = 'vid-members' AND name = 'media/intro.txt' AND source = 'upload'");
  const [[packId]] = await sql(store, "SELECT id FROM course_media WHERE source = 'pack' AND name = 'media/pack.vtt'");
  await unchanged(admin, async () => {
    const officerToken = await officer.token('/account');
    assert.equal((await officer.post(`/admin/course-media/${id}/delete`, { _csrf: officerToken })).status, 403);
    assert.equal((await admin.post(`/admin/course-media/${id}/delete`, {})).status, 403, 'no CSRF token');
    assert.equal((await admin.form(`/admin/course-media/${packId}/delete`, {}, '/admin/course-media')).status, 404, 'a pack file');
    assert.equal((await admin.form('/admin/course-media/999999/delete', {}, '/admin/course-media')).status, 404);
  });
  const res = await admin.form(`/admin/course-media/${id}/delete`, {}, '/admin/course-media');
  assert.equal(res.status, 303);
  assert.equal(await (await officer.fetch('/courses/vid-members/media/intro.txt')).text(), 'the pack transcript\n');
  const a = (await audits('course.media.deleted')).filter((x) => x.detail.name === 'media/intro.txt');
  assert.equal(a.length, 1);
  assert.equal(a[0].id, id);
  assert.deepEqual(a[0].detail, { course: 'vid-members', name: 'media/intro.txt' });
});
