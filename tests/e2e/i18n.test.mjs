// i18n.test.mjs — switching the language with select#locale to 中文 and
// Русский changes the UI's text (the nav label of contacts, the list's
// headers), stores the choice on the server (PATCH /auth/me → locale) and
// keeps it after a reload and in a fresh browser profile.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, textOf, until, waitRows, API, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

const HAN = /[\u4e00-\u9fff]/;
const CYR = /[\u0400-\u04ff]/;

let S;
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
});

const navContacts = (page) => page.locator('a[href="/contacts"]').filter({ visible: true }).first();

async function chooseLocale(page, value) {
  let sel = page.locator('select#locale');
  if (!(await sel.isVisible().catch(() => false))) {
    await page.locator('#user-menu').click();
  }
  sel = page.locator('select#locale');
  await sel.waitFor({ state: 'visible' });
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `${API}/auth/me`, { timeout: 5000 }).catch(() => null);
  await sel.selectOption(value);
  return patched;
}

async function me(client) {
  const r = await client.get('/auth/me');
  assert.equal(r.status, 200);
  return r.json.user || r.json;
}

test('switching to 中文 and Русский changes the UI text and persists (server-side)', async () => {
  const { page, client } = S;
  await page.goto(srv.url('/contacts'));
  await waitRows(page, 1);
  const en = await textOf(navContacts(page));
  assert.ok(en.length > 0 && !HAN.test(en) && !CYR.test(en), `the English nav label of contacts is "${en}"`);

  // 中文
  let res = await chooseLocale(page, 'zh');
  assert.ok(res, 'choosing zh in select#locale sent no PATCH /api/v1/auth/me');
  assert.equal(res.status(), 200, `PATCH /auth/me answered ${res.status()}`);
  await until(async () => HAN.test(await textOf(navContacts(page))),
    async () => `after choosing zh the nav label of contacts is "${await textOf(navContacts(page))}"`);
  const zh = await textOf(navContacts(page));
  assert.equal((await me(client)).locale, 'zh', 'the server did not store locale=zh');
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.match(lang, /^zh/, `<html lang> is "${lang}" in Chinese`);
  await page.reload();
  await waitRows(page, 1);
  await until(async () => (await textOf(navContacts(page))) === zh, 'the Chinese UI did not survive a reload');

  // Русский
  res = await chooseLocale(page, 'ru');
  assert.ok(res, 'choosing ru in select#locale sent no PATCH /api/v1/auth/me');
  await until(async () => CYR.test(await textOf(navContacts(page))),
    async () => `after choosing ru the nav label of contacts is "${await textOf(navContacts(page))}"`);
  const ru = await textOf(navContacts(page));
  assert.equal((await me(client)).locale, 'ru', 'the server did not store locale=ru');
  // the list's headers are translated too
  const headers = await textOf(page.locator('table.records thead'));
  assert.ok(CYR.test(headers), `the list's headers are not in Russian: "${headers}"`);
  await page.reload();
  await waitRows(page, 1);
  await until(async () => (await textOf(navContacts(page))) === ru, 'the Russian UI did not survive a reload');

  // a fresh profile (no local storage) signing in gets Russian from the server
  const fresh = await br.page();
  await fresh.page.goto(srv.url('/'));
  const form = fresh.page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(srv.adminEmail);
  await form.locator('input[name=password]').fill(srv.adminPassword);
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached' });
  await until(async () => (await textOf(navContacts(fresh.page))) === ru,
    async () => `a fresh browser signed in as a user with locale=ru shows the nav label "${await textOf(navContacts(fresh.page)).catch(() => '?')}"`);
  await br.close(fresh.context);

  // back to English
  await chooseLocale(page, 'en');
  await until(async () => (await textOf(navContacts(page))) === en, 'switching back to English did not restore the label');
  assert.equal((await me(client)).locale, 'en');
});

test('a demo user whose locale is zh gets the Chinese UI on sign-in', async () => {
  const users = await srv.api.all('/users');
  const zhUser = users.find((u) => u.locale === 'zh' && u.email.endsWith('@demo.rapport.test'));
  assert.ok(zhUser, 'no demo user with locale zh');
  const { page } = await br.page();
  await page.goto(srv.url('/'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(zhUser.email);
  await form.locator('input[name=password]').fill(srv.demoPassword);
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached' });
  await until(async () => HAN.test(await textOf(navContacts(page))),
    async () => `${zhUser.email} (locale zh) sees the nav label "${await textOf(navContacts(page))}"`);
});
