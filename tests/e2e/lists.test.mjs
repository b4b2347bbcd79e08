// lists.test.mjs — list pages (table.records): sorting by a header click
// (th[data-field]) changes the order and puts sort= in the URL, a filter in
// the URL applies, and infinite scroll (#more) loads the next page. The
// order and the rows are compared with the API's answer for the same query.
import { before } from 'node:test';
import assert from 'node:assert/strict';
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
