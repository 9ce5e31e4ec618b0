// Behind a trusted reverse proxy: the client address comes from
// X-Forwarded-For, and an https public URL turns on HSTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer({ args: ['--trusted-proxies', '127.0.0.1/32, ::1', '--public-url', 'https://portal.example.org'] });
});
after(async () => { await srv.stop(); await srv.cleanup(); });

test('the client is the nearest untrusted address in X-Forwarded-For', async () => {
  await fetch(srv.url + '/healthz', { headers: { 'X-Forwarded-For': '198.51.100.7, 203.0.113.9, 127.0.0.1', 'X-Forwarded-Proto': 'https' } });
  await new Promise((r) => setTimeout(r, 100));
  const l = srv.logs().filter((x) => x.path === '/healthz').at(-1);
  assert.equal(l.client, '203.0.113.9');
});

test('garbage in X-Forwarded-For is not believed', async () => {
  await fetch(srv.url + '/about', { headers: { 'X-Forwarded-For': 'not-an-ip' } });
  await new Promise((r) => setTimeout(r, 100));
  const l = srv.logs().filter((x) => x.path === '/about').at(-1);
  assert.equal(l.client, '127.0.0.1');
});

test('HSTS and the public URL come from --public-url, not from Host', async () => {
  const res = await fetch(srv.url + '/api/v1/openapi.json');
  assert.match(res.headers.get('strict-transport-security'), /max-age=\d+/);
  assert.deepEqual((await res.json()).servers, [{ url: 'https://portal.example.org' }]);
});

test('state-changing requests must come from the public origin', async () => {
  let res = await fetch(srv.url + '/_diag/form', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' }, body: 'a=1',
  });
  assert.equal(res.status, 403);
  res = await fetch(srv.url + '/_diag/form', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://portal.example.org' }, body: 'a=1',
  });
  assert.equal(res.status, 200);
});
