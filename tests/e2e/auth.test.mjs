// auth.test.mjs — signing in through form#login (a wrong password shows
// [data-error] and no shell), the shell after sign-in, and signing out
// through #user-menu → #logout (the session is gone on the server too).
import assert from 'node:assert/strict';
import { useServer, useBrowser, textOf, until, API, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

async function sessionCookie(context, srvBase) {
  const cs = await context.cookies(srvBase);
  return cs.find((c) => c.name === 'rapport_session');
}

test('a wrong password shows [data-error] and does not sign in', async () => {
  const { page, context } = await br.page();
  await page.goto(srv.url('/'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(srv.adminEmail);
  await form.locator('input[name=password]').fill('not-the-password');
  await form.locator('button[type=submit]').click();
  const err = page.locator('[data-error]').first();
  await err.waitFor({ state: 'visible' });
  const msg = await textOf(err);
  assert.ok(msg.length > 0, '[data-error] is visible but empty');
  assert.ok(await form.isVisible(), 'the login form went away after a failed sign-in');
  assert.equal(await page.locator('#user-menu').count(), 0, 'the shell (#user-menu) is shown after a failed sign-in');
  const c = await sessionCookie(context, srv.base);
  assert.ok(!c, 'a session cookie was set after a failed sign-in');
});

test('sign in through the form, reload keeps the session, sign out through #user-menu → #logout', async () => {
  const { page, context } = await br.page();
  await page.goto(srv.url('/contacts'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  assert.equal(await page.locator('table.records tr[data-id]').count(), 0, 'records are shown before signing in');
  await form.locator('input[name=email]').fill(srv.adminEmail);
  await form.locator('input[name=password]').fill(srv.adminPassword);
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached' });

  // the shell: nav links and the user menu
  await page.locator('#user-menu').waitFor({ state: 'visible' });
  for (const href of ['/contacts', '/accounts', '/deals', '/board']) {
    assert.ok(await page.locator(`a[href="${href}"]`).count() > 0, `no nav link a[href="${href}"] in the shell`);
  }
  const c = await sessionCookie(context, srv.base);
  assert.ok(c, 'no rapport_session cookie after signing in');
  assert.ok(c.httpOnly, 'the session cookie is not HttpOnly');

  // the page asked for (/contacts) is where we are, and it shows records
  await page.locator('table.records tr[data-id]').first().waitFor({ state: 'visible' });
  assert.match(new URL(page.url()).pathname, /^\/contacts/, `after signing in on /contacts the page is ${page.url()}`);

  // a reload keeps the session
  await page.reload();
  await page.locator('#user-menu').waitFor({ state: 'visible' });
  assert.equal(await page.locator('form#login').count(), 0, 'the login form is back after a reload');

  // sign out
  await page.locator('#user-menu').click();
  await page.locator('#logout').click();
  await page.locator('form#login').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-menu').count(), 0, '#user-menu still shown after logout');

  // the server forgot the session: the old cookie no longer works
  const r = await fetch(`${srv.base}${API}/auth/me`, { headers: { Cookie: `rapport_session=${c.value}` } });
  assert.equal(r.status, 401, `GET /auth/me with the signed-out session answered ${r.status}`);

  // and a reload stays signed out
  await page.reload();
  await page.locator('form#login').waitFor({ state: 'visible' });
  await until(async () => (await page.locator('table.records tr[data-id]').count()) === 0, 'records are shown after signing out');
});

test('a demo sales user signs in with RAPPORT_DEMO_PASSWORD', async () => {
  const users = await srv.api.all('/users');
  const demo = users.find((u) => u.email.endsWith('@demo.rapport.test'));
  assert.ok(demo, 'no demo user');
  const { page } = await br.page();
  await page.goto(srv.url('/'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(demo.email);
  await form.locator('input[name=password]').fill(srv.demoPassword);
  await form.locator('button[type=submit]').click();
  await page.locator('#user-menu').waitFor({ state: 'visible' });
  // the user menu names the user (their name or e-mail)
  await page.locator('#user-menu').click();
  const shell = await textOf(page.locator('body'));
  assert.ok(shell.includes(demo.name) || shell.includes(demo.email),
    `the page after signing in as ${demo.email} names neither "${demo.name}" nor the e-mail`);
});
