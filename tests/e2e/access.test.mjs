// access.test.mjs — a demo sales user sees only what the API lets them see:
// no other team's deals on /board or /deals (compared with the API's answer
// for that user), and another team's deal URL gives a not-found page.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, rowIds, waitRows, until, textOf, usersOfRole, sleep, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

let U; // the sales user
let S; // their browser session
let mine; // ids of deals the API shows them
let others; // deals of other teams (admin view)
let allDeals;
before(async () => {
  await srv.ready;
  const sales = (await usersOfRole(srv.api, 'sales')).filter((u) => u.team_id);
  assert.ok(sales.length, 'no demo sales users with a team');
  allDeals = await srv.api.all('/deals');
  // a sales user whose team has deals, while other teams have some too
  U = sales.find((u) => allDeals.some((d) => d.team_id === u.team_id) && allDeals.some((d) => d.team_id !== u.team_id && d.team_id));
  assert.ok(U, 'no sales user with deals in their team');
  S = await br.session(srv, U.email, srv.demoPassword);
  mine = new Set((await S.client.all('/deals')).map((d) => d.id));
  others = allDeals.filter((d) => !mine.has(d.id) && d.team_id !== U.team_id);
  assert.ok(mine.size > 0, `the API shows ${U.email} no deals`);
  assert.ok(others.length > 0, `the API hides no deals from ${U.email}`);
});

test('/deals shows the sales user only deals the API shows them', async () => {
  const { page } = S;
  await page.goto(srv.url('/deals'));
  const ids = await waitRows(page, 1);
  const leaked = ids.filter((id) => !mine.has(id));
  assert.deepEqual(leaked, [], `/deals shows ${U.email} (team ${U.team_id}) deals the API hides: ${leaked.join(', ')}`);
  // the page lists as many as the API's first page (or all)
  assert.ok(ids.length >= Math.min(mine.size, 20), `/deals shows ${ids.length} rows, the API has ${mine.size} for this user`);
  // no other team's deal name appears anywhere on the page
  const body = await textOf(page.locator('body'));
  const named = others.filter((d) => d.name && d.name.length > 6 && body.includes(d.name)).filter((d) => !allDeals.some((x) => mine.has(x.id) && x.name === d.name));
  assert.deepEqual(named.map((d) => d.name), [], 'names of other teams\' deals appear on /deals');
});

test('/board shows the sales user only deals the API shows them', async () => {
  const { page } = S;
  await page.goto(srv.url('/board'));
  await page.locator('[data-stage-id]').first().waitFor({ state: 'visible' });
  const cards = await until(async () => {
    const ids = await page.$$eval('[data-deal-id]', (els) => els.map((e) => Number(e.getAttribute('data-deal-id'))));
    return ids.length ? ids : null;
  }, `the board shows ${U.email} no cards although the API has ${mine.size} deals for them`);
  const leaked = cards.filter((id) => !mine.has(id));
  assert.deepEqual(leaked, [], `the board shows ${U.email} deals of other teams: ${leaked.join(', ')}`);
  // the column totals do not count hidden deals: sum of [data-count] ≤ what the API shows them
  await page.locator('[data-stage-id] [data-count]').first().waitFor({ state: 'visible' });
  const counts = await page.$$eval('[data-stage-id] [data-count]', (els) => els.map((e) => {
    const raw = e.getAttribute('data-count') || e.textContent;
    return Number(String(raw).replace(/[^\d]/g, '') || 0);
  }));
  const total = counts.reduce((a, b) => a + b, 0);
  assert.ok(total <= mine.size, `the board's [data-count] add up to ${total}, the user may see ${mine.size} deals`);
});

test('another team\'s deal URL gives a not-found page', async () => {
  const { page } = S;
  const other = others[0];
  const own = [...mine][0];
  // control: an own deal opens
  await page.goto(srv.url(`/deals/${own}`));
  await page.locator('#record').waitFor({ state: 'visible' });

  await page.goto(srv.url(`/deals/${other.id}`));
  await sleep(300);
  await until(async () => /not found|404|找不到|未找到|不存在|не найден/i.test(await textOf(page.locator('body'))),
    async () => `/deals/${other.id} (team ${other.team_id}) shows no not-found message: "${(await textOf(page.locator('body'))).slice(0, 200)}"`);
  assert.equal(await page.locator('#record [data-field]').count(), 0, `/deals/${other.id} shows record fields to a user who may not see it`);
  const body = await textOf(page.locator('body'));
  assert.ok(!body.includes(other.name), `/deals/${other.id} shows the hidden deal's name "${other.name}"`);
});
