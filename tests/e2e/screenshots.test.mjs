// screenshots.test.mjs — screenshots of the main pages for the README, in
// docs/screenshots/*.png (1280×800; the phone 375×812). Each page must show
// its content (the hooks) before it is taken, and each file stays small.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServer, useBrowser, shot, until, sleep, usersOfRole, guardedTest } from './lib.mjs';
import { dayStart } from '../../web/app/format.js';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();
const MAX = 300 * 1024;
const taken = [];

async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
  await page.evaluate(() => document.fonts && document.fonts.ready);
  await sleep(200);
}

async function save(page, name) {
  await settle(page);
  const r = await shot(page, name);
  taken.push(r);
  assert.ok(r.size < MAX, `${r.file} is ${r.size} bytes (> ${MAX})`);
}

let S;
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
});

test('login', async () => {
  const { page } = await br.page();
  await page.goto(srv.url('/'));
  await page.locator('form#login').waitFor({ state: 'visible' });
  await save(page, 'login');
});

test('contacts list', async () => {
  const { page } = S;
  await page.goto(srv.url('/contacts'));
  await page.locator('table.records tr[data-id]').first().waitFor();
  await save(page, 'contacts');
});

test('record page with timeline', async () => {
  const { page } = S;
  // the account with the longest timeline among the first ones
  const accts = (await srv.api.ok('/accounts?limit=10&fields=id')).data;
  let best = accts[0].id;
  let most = -1;
  for (const a of accts) {
    const n = (await srv.api.ok(`/accounts/${a.id}/timeline?limit=20`)).data.length;
    if (n > most) { most = n; best = a.id; }
  }
  await page.goto(srv.url(`/accounts/${best}`));
  await page.locator('#record').waitFor();
  await page.locator('#tab-timeline').click();
  await until(async () => (await page.locator('[data-timeline-item]').count()) > 0, 'no [data-timeline-item]');
  await save(page, 'record');
});

test('board', async () => {
  const { page } = S;
  await page.goto(srv.url('/board'));
  await page.locator('[data-deal-id]').first().waitFor();
  await save(page, 'board');
});

test('my day', async () => {
  // the demo sales user with the most open tasks due by the end of their
  // day, signed in; days are the user's own (time_zone), as on the page
  const open = await srv.api.all('/activities?done_at[null]=true&fields=id,owner_id,due_at');
  const sales = await usersOfRole(srv.api, 'sales');
  const n = (u) => open.filter((a) => a.owner_id === u.id && a.due_at && a.due_at < dayStart(1, u.time_zone)).length;
  const u = sales.filter((x) => x.locale === 'en').sort((a, b) => n(b) - n(a))[0] || sales[0];
  // and something due later today, so that Today is not empty
  const [from, to] = [dayStart(0, u.time_zone), dayStart(1, u.time_zone)];
  const today = await srv.api.all(`/activities?owner_id=${u.id}&done_at[null]=true&due_at[gte]=${from}&due_at[lt]=${to}&fields=id`);
  if (today.length < 2) {
    const soon = Math.min(Date.now() + 2 * 3600_000, Date.parse(to) - 60_000);
    const later = new Date(Math.max(soon, Date.now())).toISOString().replace(/\.\d+Z$/, 'Z');
    for (const subject of ['Call back about the renewal quote', 'Send the signed NDA']) {
      await srv.api.create('activities', { type: 'task', subject, due_at: later, owner_id: u.id });
    }
  }
  const { page } = await br.session(srv, u.email, srv.demoPassword);
  await page.goto(srv.url('/my-day'));
  await page.locator('#today').waitFor();
  await until(async () => (await page.locator('#today li, #overdue li').count()) > 0, `My day of ${u.email} shows no tasks`);
  await save(page, 'my-day');
});

test('search results in Chinese', async () => {
  const { page, client } = S;
  await page.goto(srv.url('/contacts'));
  await page.locator('select#locale').selectOption('zh');
  await page.locator('table.records tr[data-id]').first().waitFor();
  // the Chinese query whose results span the most kinds of record
  let q = '张伟';
  let best = 0;
  for (const cand of ['众诚', '上海', '科技', '北京', '张伟']) {
    const r = await srv.api.ok(`/search?q=${encodeURIComponent(cand)}`);
    const kinds = new Set(r.data.map((x) => x.entity)).size * 100 + r.data.length;
    if (kinds > best) { best = kinds; q = cand; }
  }
  const input = page.locator('input#global-search');
  await input.click();
  await input.pressSequentially(q, { delay: 30 });
  await until(async () => (await page.locator('#search-results [data-search-result]').count()) > 0, `no search results for ${q}`);
  await save(page, 'search-zh');
  await page.keyboard.press('Escape');
  await page.locator('select#locale').selectOption('en');
  await until(async () => (await client.ok('/auth/me')).user.locale === 'en', 'locale not back to en');
});

test('dark theme', async () => {
  const { page } = S;
  await page.goto(srv.url('/deals'));
  await page.locator('table.records tr[data-id]').first().waitFor();
  const bg = () => page.evaluate(() => {
    const c = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g).map(Number);
    return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
  });
  const light = await bg();
  await page.locator('#theme').click();
  await until(async () => (await bg()) < 0.3 && (await bg()) < light, async () => `after #theme the body background luminance is ${await bg()} (was ${light})`);
  await save(page, 'dark');
  // the theme stays after a reload
  await page.reload();
  await page.locator('table.records tr[data-id]').first().waitFor();
  assert.ok((await bg()) < 0.3, 'the dark theme did not survive a reload');
  await page.locator('#theme').click();
  await until(async () => (await bg()) > 0.7, 'toggling #theme again did not go back to light');
});

test('import: the dry run\'s mapping and outcome', async () => {
  const { page } = S;
  const file = path.join(srv.dir, 'import-shot.csv');
  fs.writeFileSync(file, [
    'Full name,Email,Mobile phone,Company,City,Date of birth',
    '王小明,wang.xm@example.cn,138 0013 8000,上海众诚科技,上海,1988-03-05',
    'Иван Петров,i.petrov@example.ru,8 (912) 345-67-89,ООО Вектор,Москва,05.03.1990',
    'Emily Clark,emily.clark@example,+44 20 7946 0000,Northwind Ltd,London,',
    'Zhang Wei,zhang.wei@example.com,+86 21 5555 0101,Orient Trading,Shanghai,1979-11-30',
  ].join('\n') + '\n');
  await page.goto(srv.url('/import?entity=contacts'));
  await page.locator('#import-file').setInputFiles(file);
  await page.locator('#import-check').click();
  await page.locator('#import-mapping').waitFor({ timeout: 15_000 });
  // the mapping from its heading down, below the sticky top bar
  await page.evaluate(() => window.scrollTo(0, document.querySelector('#import-step2').getBoundingClientRect().top + window.scrollY - 72));
  await save(page, 'import');
});

test('phone layout', async () => {
  const { page } = await br.session(srv, srv.adminEmail, srv.adminPassword,
    { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await page.goto(srv.url('/contacts'));
  await page.locator('table.records tr[data-id]').first().waitFor();
  await save(page, 'phone');
  await page.goto(srv.url('/board'));
  await page.locator('[data-stage-id]').first().waitFor();
  await save(page, 'phone-board');
});

test('report', (t) => {
  for (const r of taken) t.diagnostic(`${r.file} ${r.size} bytes`);
});
