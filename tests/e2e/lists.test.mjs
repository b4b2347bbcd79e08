// lists.test.mjs — list pages (table.records): sorting by a header click
// (th[data-field]) changes the order and puts sort= in the URL, a filter in
// the URL applies, infinite scroll (#more) loads the next page, and Export
// downloads the filtered list (CSV, XLSX, vCard). The
// order and the rows are compared with the API's answer for the same query.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useServer, useBrowser, rowIds, waitRows, until, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

let S;
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
});

function sortOf(page) {
  return new URL(page.url()).searchParams.get('sort');
}

async function apiIds(query, n) {
  const j = await srv.api.ok(`/contacts?${query}&limit=${n}&fields=id`);
  return j.data.map((r) => r.id);
}

test('clicking a header sorts the list, puts sort= in the URL, and a second click reverses it', async () => {
  const { page } = S;
  await page.goto(srv.url('/contacts'));
  const before0 = await waitRows(page, 10);
  assert.ok(before0.length >= 10, `the contacts list shows ${before0.length} rows`);

  const th = page.locator('table.records th[data-field="name"]');
  assert.ok(await th.count(), 'no th[data-field="name"] on /contacts');
  await th.first().click();
  const s1 = await until(() => sortOf(page), `the URL has no sort= after clicking th[data-field=name] (${page.url()})`);
  assert.match(s1, /^-?name$/, `sort= in the URL is "${s1}" after clicking the name header`);
  const n = Math.min(20, before0.length);
  const want1 = await apiIds(`sort=${encodeURIComponent(s1)}`, n);
  await until(async () => JSON.stringify((await rowIds(page)).slice(0, n)) === JSON.stringify(want1),
    async () => `after sorting by ${s1} the rows are ${JSON.stringify((await rowIds(page)).slice(0, n))}, the API says ${JSON.stringify(want1)}`);
  assert.notDeepEqual(want1, before0.slice(0, n), 'sorting by name did not change the order');

  // again: the other direction
  await th.first().click();
  const s2 = await until(() => (sortOf(page) !== s1 ? sortOf(page) : null), `the URL's sort= stays "${s1}" after a second click`);
  assert.equal(s2 ?? '', s1.startsWith('-') ? 'name' : '-name', `the second click gives sort=${s2}`);
  const want2 = await apiIds(`sort=${encodeURIComponent(s2)}`, n);
  await until(async () => JSON.stringify((await rowIds(page)).slice(0, n)) === JSON.stringify(want2),
    async () => `after sorting by ${s2} the rows are ${JSON.stringify((await rowIds(page)).slice(0, n))}, the API says ${JSON.stringify(want2)}`);

  // the sort survives a reload (it lives in the URL)
  await page.reload();
  await waitRows(page, 1);
  assert.equal(sortOf(page), s2, 'the sort went from the URL after a reload');
  assert.deepEqual((await rowIds(page)).slice(0, n), want2, 'the order after a reload differs');
});

test('a filter in the URL applies (deals?status=lost&sort=-amount, contacts?name[prefix]=张)', async () => {
  const { page } = S;
  const want = (await srv.api.ok('/deals?status=lost&sort=-amount&limit=500&fields=id')).data.map((r) => r.id);
  assert.ok(want.length > 0, 'the demo data has no lost deals');
  const all = (await srv.api.ok('/deals?limit=500&fields=id')).data.length;
  assert.ok(all > want.length, 'all deals are lost?');
  await page.goto(srv.url('/deals?status=lost&sort=-amount'));
  await waitRows(page, 1);
  const got = await until(async () => {
    const ids = await rowIds(page);
    return ids.length >= Math.min(want.length, 20) ? ids : null;
  }, 'the filtered list shows too few rows');
  const extra = got.filter((id) => !want.includes(id));
  assert.deepEqual(extra, [], `deals?status=lost shows deals that are not lost: ${extra.join(', ')}`);
  assert.deepEqual(got, want.slice(0, got.length), 'deals?status=lost&sort=-amount is not in the API\'s order');
  // the filter stays in the URL
  assert.equal(new URL(page.url()).searchParams.get('status'), 'lost', `the URL lost the filter: ${page.url()}`);

  const zhang = (await srv.api.all(`/contacts?name[prefix]=${encodeURIComponent('张')}&fields=id`)).map((r) => r.id);
  assert.ok(zhang.length > 0, 'no contacts named 张… in the demo data');
  await page.goto(srv.url(`/contacts?name[prefix]=${encodeURIComponent('张')}`));
  await waitRows(page, 1);
  const got2 = await rowIds(page);
  const extra2 = got2.filter((id) => !zhang.includes(id));
  assert.deepEqual(extra2, [], `contacts?name[prefix]=张 shows other contacts: ${extra2.join(', ')}`);
  assert.equal(got2.length, Math.min(zhang.length, got2.length));
});

test('infinite scroll: scrolling #more into view appends the next page without duplicates', async () => {
  const { page } = S;
  const total = (await srv.api.all('/contacts?fields=id')).length;
  await page.goto(srv.url('/contacts'));
  const first = await waitRows(page, 1);
  assert.ok(first.length < total, `the first page already shows all ${total} contacts (${first.length})`);
  await page.locator('#more').scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 5000);
  const more = await until(async () => {
    const ids = await rowIds(page);
    return ids.length > first.length ? ids : null;
  }, `scrolling to #more did not load more than ${first.length} rows`);
  assert.deepEqual(more.slice(0, first.length), first, 'the first page changed when the next one was appended');
  assert.equal(new Set(more).size, more.length, 'duplicate rows after loading the next page');
});

test('Export: the filtered list as a file — CSV for Excel with its columns, XLSX, every field, vCard', async () => {
  const { page } = S;
  const lost = (await srv.api.all('/deals?status=lost&sort=-amount&fields=id')).map((r) => r.id);
  await page.goto(srv.url('/deals?status=lost&sort=-amount&cols=name,amount'));
  await waitRows(page, 1);
  const save = async (id) => {
    await page.locator('#export-records').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#${id}`).click()]);
    const file = path.join(os.tmpdir(), `export-${process.pid}-${id}`);
    await download.saveAs(file);
    const body = fs.readFileSync(file);
    fs.rmSync(file);
    return { name: download.suggestedFilename(), body };
  };
  const csv = await save('export-csv-excel');
  assert.match(csv.name, /^deals-.*\.csv$/, `the file is named ${csv.name}`);
  const text = csv.body.toString('utf8');
  assert.ok(text.startsWith('\uFEFF'), 'CSV for Excel has no byte-order mark');
  const lines = text.slice(1).trim().split('\r\n');
  assert.equal(lines[0], 'ID,Name,Amount', `the columns are ${lines[0]}, not the list's labels`);
  assert.deepEqual(lines.slice(1).map((l) => Number(l.split(',')[0])), lost,
    'the file holds other deals than the filtered, sorted list (all of its pages)');
  assert.equal((await page.locator('.export-menu [role=menu]').count()), 0, 'the menu stays open after a download');

  const xlsx = await save('export-xlsx');
  assert.match(xlsx.name, /\.xlsx$/);
  assert.equal(xlsx.body.subarray(0, 2).toString('latin1'), 'PK', 'the XLSX is no zip');
  const all = (await save('export-all-fields')).body.toString('utf8');
  assert.match(all.split('\r\n')[0], /^\uFEFF?id,.*,stage_id,.*,external_id/, 'every field is not in the all-fields file');
  assert.equal(await page.locator('#export-vcf').count(), 0, 'deals offer vCard');

  // by keyboard, as a menu button: Enter opens it on its first format, the
  // arrows, Home and End move, Tab leaves it closed, Enter downloads and
  // focus is back on the button
  const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  await page.locator('#export-records').focus();
  await page.keyboard.press('Enter');
  await page.locator('.export-menu [role=menu]').waitFor();
  await until(async () => (await focused()) === 'export-xlsx', 'the open menu does not put focus on its first format');
  for (const [key, want] of [['ArrowDown', 'export-csv-excel'], ['End', 'export-all-fields'], ['ArrowDown', 'export-xlsx'],
    ['ArrowUp', 'export-all-fields'], ['Home', 'export-xlsx']]) {
    await page.keyboard.press(key);
    assert.equal(await focused(), want, `${key} in the menu went to ${await focused()}`);
  }
  await page.keyboard.press('Tab');
  await page.locator('.export-menu [role=menu]').waitFor({ state: 'detached' });
  await page.locator('#export-records').focus();
  await page.keyboard.press('Enter');
  await until(async () => (await focused()) === 'export-xlsx', 'the menu did not open again on its first format');
  const [byKey] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.match(byKey.suggestedFilename(), /\.xlsx$/);
  await page.locator('.export-menu [role=menu]').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'export-records',
    'after a format was chosen by keyboard, focus is not back on the Export button');

  await page.goto(srv.url(`/contacts?name[prefix]=${encodeURIComponent('张')}`));
  await waitRows(page, 1);
  const vcf = (await save('export-vcf')).body.toString('utf8');
  const cards = vcf.match(/BEGIN:VCARD/g) || [];
  const zhang = await srv.api.all(`/contacts?name[prefix]=${encodeURIComponent('张')}&fields=id`);
  assert.equal(cards.length, zhang.length, 'the vCard file has other contacts than the list');
  assert.match(vcf, /FN:张/);
});
