// The site settings page (features/settings): only site admins, values
// checked before anything is saved (422, every value kept, store unchanged),
// the SMTP password write-only, changes audited by key (never by value), and
// a test message through the outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { startServer, freshStore, storeSnapshot, sql } from './lib/server.mjs';
import { seedWorld, signIn } from './lib/accounts.mjs';

let srv, world, admin;
before(async () => {
  const store = await freshStore();
  world = await seedWorld(store);
  srv = await startServer({ store });
  admin = await signIn(srv, world.admin);
});
after(async () => { await srv?.stop(); await srv?.cleanup(); });

const good = {
  name: 'State CSEC Response Portal',
  support: 'help@portal.example.org · 555-0100',
  time_zone: 'America/Chicago',
  smtp_url: 'smtp://mail.portal.example.org:587',
  smtp_user: 'portal',
  smtp_password: 'mail secret 77',
  smtp_from: 'noreply@portal.example.org',
};

async function setting(key) {
  return (await sql(srv, `SELECT value FROM site_settings WHERE key = '${key}'`))[0]?.[0];
}

test('only site admins reach the settings', async () => {
  assert.equal((await fetch(srv.url + '/admin/settings')).status, 401);
  const officer = await signIn(srv, world.a.officer);
  assert.equal((await officer.fetch('/admin/settings')).status, 403);
  const orgAdmin = await signIn(srv, world.a.org_admin);
  assert.equal((await orgAdmin.form('/admin/settings', good, '/account')).status, 403);
  assert.equal((await admin.fetch('/admin/settings')).status, 200);
});

test('bad values are named next to their fields, kept, and nothing is saved', async () => {
  const snap = await storeSnapshot(srv);
  const bad = { ...good, name: '', time_zone: 'Mars/Olympus', smtp_url: 'http://user:pw@mail.example', smtp_from: 'two@a.example, three@b.example', support: 'line one\nline two' };
  const res = await admin.form('/admin/settings', bad);
  assert.equal(res.status, 422);
  const html = await res.text();
  for (const id of ['name', 'time_zone', 'smtp_url', 'smtp_from', 'support']) assert.match(html, new RegExp(`id="${id}-error"`), id);
  assert.match(html, /value="Mars\/Olympus"/);
  assert.doesNotMatch(html, /mail secret 77/, 'the password is never sent back');
  assert.equal(await storeSnapshot(srv), snap);
});

test('a CSRF-less save is refused and changes nothing', async () => {
  const snap = await storeSnapshot(srv);
  const res = await admin.post('/admin/settings', good);
  assert.equal(res.status, 403);
  assert.equal(await storeSnapshot(srv), snap);
});

test('good values are saved, shown on every page, and audited by key', async () => {
  const res = await admin.form('/admin/settings', good);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/settings?saved=1');
  assert.equal(await setting('deployment.name'), good.name);
  assert.equal(await setting('deployment.time_zone'), 'America/Chicago');
  assert.equal(await setting('smtp.password'), good.smtp_password);
  const page = await (await admin.fetch('/admin/settings?saved=1')).text();
  assert.match(page, /The settings are saved/);
  assert.match(page, /A password is saved/);
  assert.doesNotMatch(page, /mail secret 77/);
  assert.match(await (await fetch(srv.url + '/')).text(), /State CSEC Response Portal/);
  // A signed-in page reads the settings with the session, in one statement.
  const signedIn = await (await admin.fetch('/account')).text();
  assert.match(signedIn, /State CSEC Response Portal/);
  assert.match(signedIn, /help@portal\.example\.org/);
  const [row] = await sql(srv, "SELECT actor, detail FROM audit_log WHERE action = 'site.settings' ORDER BY seq DESC LIMIT 1");
  assert.equal(row[0], world.admin);
  const detail = JSON.parse(row[1]);
  assert.ok(detail.changed.includes('smtp.password') && detail.changed.includes('deployment.name'));
  assert.doesNotMatch(row[1], /mail secret 77/);
  // An empty password field keeps the password; the box removes it.
  await admin.form('/admin/settings', { ...good, smtp_password: '' });
  assert.equal(await setting('smtp.password'), good.smtp_password);
  await admin.form('/admin/settings', { ...good, smtp_password: '', smtp_password_clear: '1' });
  assert.equal((await setting('smtp.password')) ?? '', '');
});

test('the test message goes through the outbox to the admin', async () => {
  await admin.form('/admin/settings', { ...good, smtp_url: '', smtp_password: '' });
  const res = await admin.form('/admin/settings/test-mail', {}, '/admin/settings');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /test message to your address is on its way/);
  let eml;
  for (let i = 0; i < 100 && !eml; i++) {
    const files = (await readdir(`${srv.data}/outbox`).catch(() => [])).filter((f) => f.endsWith('.eml'));
    for (const f of files) {
      const text = await readFile(`${srv.data}/outbox/${f}`, 'utf8');
      if (/Subject: Test message from the portal/.test(text)) eml = text;
    }
    if (!eml) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(eml, 'the test message was written to the outbox');
  assert.match(eml, /To: <admin@site\.example>/);
});
