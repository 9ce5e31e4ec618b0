// Behind a trusted reverse proxy: the client address comes from
// X-Forwarded-For, and an https public URL turns on HSTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, setCookies } from './lib/server.mjs';

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

test('state-changing requests must come from the public origin, with a CSRF token', async () => {
  const login = await fetch(srv.url + '/login');
  const nonce = /__Host-csec_pre=([^;]+)/.exec(setCookies(login).join('\n'))[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())[1];
  const send = (origin, fields) => fetch(srv.url + '/login', {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin, Cookie: `__Host-csec_pre=${nonce}` },
    body: new URLSearchParams(fields).toString(),
  });
  let res = await send('https://evil.example', { _csrf: token, email: 'a@example.org', password: 'whatever123' });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /accepts forms only from its own pages/);
  res = await send('https://portal.example.org', { email: 'a@example.org', password: 'whatever123' });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /form has expired/);
  res = await send('https://portal.example.org', { _csrf: token, email: 'a@example.org', password: 'whatever123' });
  assert.equal(res.status, 401, 'origin and token accepted; the password is simply wrong');
});
