// Bad input gets a clear error and changes nothing (issue: foundation §18):
// each case gets the right 4xx, the server keeps serving, and the store is
// byte-for-byte what it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, storeSnapshot } from './lib/server.mjs';
import { rawRequest } from './lib/http.mjs';

let srv, snapshot;
before(async () => {
  srv = await startServer();
  snapshot = await storeSnapshot(srv);
});
after(async () => {
  await srv.stop();
  const now = await storeSnapshot(srv);
  await srv.cleanup();
  assert.equal(now, snapshot, 'the store is unchanged by every bad request');
});

const form = (body, headers = {}) =>
  fetch(srv.url + '/_diag/form', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url, ...headers },
    body,
  });

async function stillServing() {
  const res = await fetch(srv.url + '/healthz');
  assert.equal(res.status, 200);
}

test('a good urlencoded body reaches the handler', async () => {
  const res = await form('name=Ana+Lu%C3%ADsa&role=officer&empty=&flag');
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.fields.map((f) => [f.name, f.size]), [['name', 10], ['role', 7], ['empty', 0], ['flag', 0]]);
});

test('a good multipart body with a file reaches the handler', async () => {
  const fd = new FormData();
  fd.append('title', 'Agency logo');
  fd.append('logo', new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255])], { type: 'image/png' }), 'C:\\Users\\me\\logo.png');
  const res = await fetch(srv.url + '/_diag/form', { method: 'POST', body: fd, headers: { Origin: srv.url } });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.fields.length, 2);
  assert.deepEqual(body.fields[1], { name: 'logo', size: 10, filename: 'logo.png', content_type: 'image/png' });
});

test('oversized body (declared): 413, and the client sees it', async () => {
  const res = await form('a=' + 'x'.repeat(1024 * 1024 + 10));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /larger than the portal accepts/);
  await stillServing();
});

test('oversized body (chunked, no length): 413', async () => {
  const chunk = 'a=' + 'x'.repeat(60000) + '&';
  const parts = ['POST /_diag/form HTTP/1.1\r\nHost: x\r\nOrigin: ' + srv.url + '\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n'];
  for (let i = 0; i < 20; i++) parts.push(chunk.length.toString(16) + '\r\n' + chunk + '\r\n');
  parts.push('0\r\n\r\n');
  const res = await rawRequest(srv.port, null, { chunks: parts });
  assert.equal(res.status, 413);
  await stillServing();
});

test('a declared body far past the limit is refused before it is sent', async () => {
  const head = `POST /_diag/form HTTP/1.1\r\nHost: x\r\nOrigin: ${srv.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`;
  const res = await rawRequest(srv.port, head);
  assert.equal(res.status, 413);
  assert.match(res.headers.connection || '', /close/i);
  await stillServing();
});

test('too many fields: 413', async () => {
  const res = await form(Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /too many fields/);
  await stillServing();
});

test('exactly 1,000 fields are accepted', async () => {
  const res = await form(Array.from({ length: 1000 }, (_, i) => `f${i}=1`).join('&'));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).fields.length, 1000);
});

test('a field over 64 KiB: 413', async () => {
  const res = await form('big=' + 'y'.repeat(64 * 1024 + 1));
  assert.equal(res.status, 413);
  await stillServing();
});

test('malformed percent-encoding in a body: 400', async () => {
  const res = await form('a=%G1');
  assert.equal(res.status, 400);
  assert.match(await res.text(), /not followed by two hexadecimal digits/);
});

test('malformed percent-encoding in a query string: 400', async () => {
  const res = await fetch(srv.url + '/about?q=%zz');
  assert.equal(res.status, 400);
});

test('invalid UTF-8 in a body: 400', async () => {
  const res = await form(Buffer.from('a=%C3%28'));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /could not be read as text/);
});

test('multipart with a malformed or missing boundary: 400', async () => {
  let res = await fetch(srv.url + '/_diag/form', {
    method: 'POST', headers: { 'Content-Type': 'multipart/form-data', Origin: srv.url }, body: 'x',
  });
  assert.equal(res.status, 400);
  res = await fetch(srv.url + '/_diag/form', {
    method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=abc', Origin: srv.url },
    body: '--abc\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--abd--\r\n',
  });
  assert.equal(res.status, 400);
  await stillServing();
});

test('an unsupported body type: 415', async () => {
  const res = await fetch(srv.url + '/_diag/form', { method: 'POST', headers: { 'Content-Type': 'text/xml', Origin: srv.url }, body: '<a/>' });
  assert.equal(res.status, 415);
});

test('a POST without an Origin or Referer of this site: 403', async () => {
  const res = await fetch(srv.url + '/_diag/form', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  assert.equal(res.status, 403);
});

for (const [name, target] of [
  ['dot-dot', '/static/../secret.key'],
  ['encoded dot-dot', '/static/%2e%2e/secret.key'],
  ['encoded slash', '/static/..%2fsecret.key'],
  ['backslash', '/static/..\\secret.key'],
  ['NUL byte', '/static/app.css%00.png'],
  ['invalid UTF-8', '/static/%ff'],
  ['bad percent', '/static/%zz'],
]) {
  test(`traversal and odd paths are refused: ${name}`, async () => {
    const res = await rawRequest(srv.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(res.status, 400, `${target} → ${res.status}`);
    assert.doesNotMatch(res.body, /[0-9a-f]{64}/, 'never the secret');
  });
}

test('an unknown method: 501', async () => {
  const res = await rawRequest(srv.port, 'BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(res.status, 501);
  await stillServing();
});

test('a URL over 8 KiB: 414', async () => {
  const res = await fetch(srv.url + '/about?q=' + 'a'.repeat(8200));
  assert.equal(res.status, 414);
  await stillServing();
});

test('absurd headers: a 4xx, and the server keeps serving', async () => {
  const res = await rawRequest(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'h'.repeat(100000) + '\r\nConnection: close\r\n\r\n');
  assert.ok(res.status >= 400 && res.status < 500, `got ${res.status}`);
  const many = Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n');
  const res2 = await rawRequest(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\n' + many + '\r\nConnection: close\r\n\r\n');
  assert.ok(res2.status >= 400 && res2.status < 500, `got ${res2.status}`);
  await stillServing();
});

test('a body cut into tiny pieces still parses', async () => {
  const body = 'alpha=one&beta=two%20three';
  const head = `POST /_diag/form HTTP/1.1\r\nHost: x\r\nOrigin: ${srv.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const res = await rawRequest(srv.port, null, { chunks: [head, ...body.split('')] });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body).fields.map((f) => f.name), ['alpha', 'beta']);
});
