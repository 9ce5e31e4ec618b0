// First run (identity issue, point 3): with no site admin, `csec serve`
// prints a one-time setup URL alone on standard output; the page creates the
// first site admin and organization and signs the admin in; the URL then
// stops working, and never appears in the request log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, startServer, setCookies } from './lib/server.mjs';

async function csrfFor(url) {
  const res = await fetch(url);
  const nonce = /__Host-csec_pre=([^;]+)/.exec(setCookies(res).join('\n'))[1];
  const html = await res.text();
  return { status: res.status, html, nonce, token: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] };
}

function submit(url, origin, nonce, fields) {
  return fetch(url, {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin, Cookie: `__Host-csec_pre=${nonce}` },
    body: new URLSearchParams(fields).toString(),
  });
}

test('the setup URL creates the first site admin and organization, once', async () => {
  const srv = await startServer();
  try {
    const url = (await srv.firstLine()).trim();
    assert.match(url, new RegExp(`^${srv.url}/setup/[A-Za-z0-9_-]{43}$`), 'the URL alone on stdout');
    const form = await csrfFor(url);
    assert.equal(form.status, 200);
    assert.match(form.html, /Set up this portal/);

    // Problems are named next to their fields, and the input is kept.
    let res = await submit(url, srv.url, form.nonce, { _csrf: form.token, name: 'Alex Morgan', email: 'bad', password: 'password', org_name: 'Riverside County Sheriff', org_kind: 'nonsense' });
    assert.equal(res.status, 422);
    let html = await res.text();
    assert.match(html, /id="email-error"/);
    assert.match(html, /id="password-error"/);
    assert.match(html, /value="Alex Morgan"/);
    assert.match(html, /value="Riverside County Sheriff"/);
    assert.doesNotMatch(html, /value="password"/);

    res = await submit(url, srv.url, form.nonce, { _csrf: form.token, name: 'Alex Morgan', email: 'alex@riverside.example', password: 'tide pools at dawn 9', org_name: 'Riverside County Sheriff', org_kind: 'law_enforcement', org_state: 'CA' });
    assert.equal(res.status, 303);
    const session = /__Host-csec_session=([^;]+)/.exec(setCookies(res).join('\n'))[1];
    // A site admin must set up two-step sign-in before anything else.
    const gated = await fetch(srv.url + '/account', { redirect: 'manual', headers: { Cookie: `__Host-csec_session=${session}` } });
    assert.equal(gated.status, 303);
    assert.equal(gated.headers.get('location'), '/account/mfa');
    const mfa = await fetch(srv.url + '/account/mfa', { headers: { Cookie: `__Host-csec_session=${session}` } });
    assert.equal(mfa.status, 200);
    assert.match(await mfa.text(), /Two-step sign-in/);
    const account = await fetch(srv.url + '/about', { headers: { Cookie: `__Host-csec_session=${session}` } });
    html = await account.text();
    assert.match(html, /Your account/, 'public pages still open, and show the person signed in');

    // The URL is spent.
    assert.equal((await fetch(url)).status, 410);
    res = await submit(url, srv.url, form.nonce, { _csrf: form.token, name: 'Mallory', email: 'm@evil.example', password: 'tide pools at dawn 9', org_name: 'Evil', org_kind: 'community' });
    assert.equal(res.status, 410);

    // A fresh one is refused now that a site admin exists.
    const again = await run(['admin', 'setup-url', ...srv.store.args]);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /has a site administrator already/);

    // The token never reached the request log.
    await new Promise((r) => setTimeout(r, 100));
    const token = url.split('/').pop();
    assert.ok(!srv.rawLogs().join('\n').includes(token), 'no token in the log');
    assert.ok(srv.logs().some((l) => l.path === '/setup/{token}'), 'the pattern is logged instead');

    // The action is audited and the log verifies.
    const v = await run(['audit', 'verify', ...srv.store.args]);
    assert.equal(v.code, 0, v.stderr);
  } finally {
    await srv.stop();
    await srv.cleanup();
  }
});

test('csec admin setup-url prints a fresh URL alone on stdout; unknown tokens are refused', async () => {
  const srv = await startServer();
  try {
    const r = await run(['admin', 'setup-url', '--public-url', 'https://portal.example.org/', ...srv.store.args]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^https:\/\/portal\.example\.org\/setup\/[A-Za-z0-9_-]{43}\n$/);
    assert.equal((await fetch(srv.url + '/setup/' + 'A'.repeat(43))).status, 410);
    assert.equal((await fetch(srv.url + '/setup/short')).status, 410);
  } finally {
    await srv.stop();
    await srv.cleanup();
  }
});
