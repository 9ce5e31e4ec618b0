// Black-box tests of the portal's own pages and endpoints: home, about,
// health, OpenAPI, static files, errors, security headers, request logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); await srv.cleanup(); });

function assertSecurityHeaders(res) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, 'CSP header present');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(res.headers.get('referrer-policy'));
  assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over plain http');
}

test('GET /healthz answers ok when the store answers', async () => {
  const res = await fetch(srv.url + '/healthz');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(await res.json(), { status: 'ok', db: 'ok' });
  assertSecurityHeaders(res);
});

test('home page is templated HTML with the deployment name and security headers', async () => {
  const res = await fetch(srv.url + '/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assertSecurityHeaders(res);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /CSEC Toolkit/);
  assert.match(html, /<main id="main"/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/i, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=/i, 'no inline style');
  assert.doesNotMatch(html, /\{\{|\}\}/, 'no template syntax leaks');
});

test('about page renders', async () => {
  const res = await fetch(srv.url + '/about');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1/);
  assert.match(html, /aria-current="page"/);
});

test('HEAD answers like GET without a body', async () => {
  const res = await fetch(srv.url + '/about', { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
});

test('unknown path: HTML 404 page for people, JSON under /api/', async () => {
  let res = await fetch(srv.url + '/no/such/page');
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assertSecurityHeaders(res);
  assert.match(await res.text(), /404/);
  res = await fetch(srv.url + '/api/v1/nothing-here');
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, 'not_found');
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
});

test('wrong method: 405 with Allow', async () => {
  const res = await fetch(srv.url + '/healthz', { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
});

test('OpenAPI document is 3.1, lists what exists, and names the public URL', async () => {
  const res = await fetch(srv.url + '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.match(doc.openapi, /^3\.1\./);
  assert.deepEqual(doc.servers, [{ url: srv.url }]);
  assert.ok(doc.paths['/healthz'].get);
  assert.ok(doc.paths['/api/v1/openapi.json'].get);
});

test('static assets: fingerprinted URL, strong ETag, 304, long cache', async () => {
  const html = await (await fetch(srv.url + '/')).text();
  const m = /href="(\/static\/app\.[0-9a-f]{8}\.css)"/.exec(html);
  assert.ok(m, 'stylesheet link with a fingerprinted name');
  let res = await fetch(srv.url + m[1]);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/css/);
  assert.match(res.headers.get('cache-control'), /max-age=31536000.*immutable/);
  const etag = res.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  assert.ok((await res.text()).length > 100);
  res = await fetch(srv.url + m[1], { headers: { 'If-None-Match': etag } });
  assert.equal(res.status, 304);
  res = await fetch(srv.url + '/static/app.css');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control'), /no-cache/);
  res = await fetch(srv.url + '/static/app.00000000.css');
  assert.equal(res.status, 404, 'a stale fingerprint is not served');
  res = await fetch(srv.url + '/static/nothing.css');
  assert.equal(res.status, 404);
});

test('one JSON log line per request, path without query, no cookies', async () => {
  const before = Date.now();
  await fetch(srv.url + '/about?secret=hunter2', { headers: { Cookie: 'session=topsecret' } });
  await new Promise((r) => setTimeout(r, 100));
  const lines = srv.logs().filter((l) => l.path === '/about' && l.status === 200);
  assert.ok(lines.length >= 1, 'request logged');
  const l = lines.at(-1);
  for (const k of ['time', 'level', 'request_id', 'method', 'path', 'status', 'duration_us', 'client'])
    assert.ok(k in l, `log has ${k}`);
  assert.equal(l.client, '127.0.0.1');
  assert.equal(typeof l.duration_us, 'number');
  // UTC to the millisecond, and the time of this request (the seconds part
  // is formatted once a second per thread: it must still be this second's).
  assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const at = Date.parse(l.time);
  assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `log time ${l.time} is now`);
  const all = srv.rawLogs().join('\n');
  assert.doesNotMatch(all, /hunter2|topsecret/);
});

test('X-Forwarded-For from an untrusted client is ignored', async () => {
  await fetch(srv.url + '/healthz?xff', { headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https' } });
  await new Promise((r) => setTimeout(r, 100));
  const l = srv.logs().filter((x) => x.path === '/healthz').at(-1);
  assert.equal(l.client, '127.0.0.1');
});

test('a Host header never changes the URLs the portal makes', async () => {
  const res = await fetch(srv.url + '/api/v1/openapi.json', { headers: { Host: 'evil.example' } });
  assert.deepEqual((await res.json()).servers, [{ url: srv.url }]);
});
