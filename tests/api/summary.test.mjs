// summary.test.mjs — GET /api/v1/{entity}/summary: counts and sums by
// group, with the list filters, inside the caller's access scope.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { API, useServer, expectStatus, expectProblem, create, makeUser } from './lib/server.mjs';

const srv = useServer();
let teamA; let teamB; let sa; let sb; let stages;

before(async () => {
  await srv.ready;
  teamA = await create(srv.admin, 'teams', { name: 'Summary A' });
  teamB = await create(srv.admin, 'teams', { name: 'Summary B' });
  sa = await makeUser(srv, { role: 'sales', team_id: teamA.id });
  sb = await makeUser(srv, { role: 'sales', team_id: teamB.id });
  const r = await srv.admin.get(`${API}/stages?sort=position`);
  stages = r.json.data;
  const plan = [
    [sa, 0, 1000, 'USD'], [sa, 0, 2500, 'USD'], [sa, 1, 700, 'CNY'],
    [sb, 0, 99999, 'USD'], [sb, 2, 5, 'RUB'],
  ];
  for (const [who, stage, amount, currency] of plan) {
    await create(who.client, 'deals', { name: `S ${amount}`, stage_id: stages[stage].id, amount, currency });
  }
});

const key = (row) => `${row.stage_id}/${row.currency}`;

test('admin sees counts and sums of every deal, grouped by stage and currency', async () => {
  const r = await srv.admin.get(`${API}/deals/summary?group_by=stage_id,currency&sum=amount`);
  expectStatus(r, 200);
  const by = Object.fromEntries(r.json.data.map((row) => [key(row), row]));
  assert.deepEqual(by[`${stages[0].id}/USD`], { stage_id: stages[0].id, currency: 'USD', count: 3, sum: 103499 });
  assert.deepEqual(by[`${stages[1].id}/CNY`], { stage_id: stages[1].id, currency: 'CNY', count: 1, sum: 700 });
  assert.equal(by[`${stages[2].id}/RUB`].sum, 5);
});

test('a sales user only counts what they may read', async () => {
  const r = await sa.client.get(`${API}/deals/summary?group_by=stage_id&sum=amount`);
  expectStatus(r, 200);
  const by = Object.fromEntries(r.json.data.map((row) => [row.stage_id, row]));
  assert.equal(by[stages[0].id].count, 2, 'team B deal must not be counted');
  assert.equal(by[stages[0].id].sum, 3500);
  assert.equal(by[stages[2].id], undefined);
});

test('filters apply, and counts without a sum work', async () => {
  const r = await srv.admin.get(`${API}/deals/summary?group_by=currency&amount[gte]=1000`);
  expectStatus(r, 200);
  const by = Object.fromEntries(r.json.data.map((row) => [row.currency, row]));
  assert.equal(by.USD.count, 3);
  assert.equal(by.USD.sum, undefined);
  assert.equal(by.CNY, undefined);
});

test('groups come in their values\' order, on either store', async () => {
  const r = await srv.admin.get(`${API}/deals/summary?group_by=currency`);
  expectStatus(r, 200);
  const codes = r.json.data.map((row) => row.currency);
  assert.deepEqual(codes, [...codes].sort(), `the groups came as ${codes.join(', ')}`);
  assert.ok(codes.length >= 3);
});

test('bad group or sum fields are 400 invalid_summary', async () => {
  expectProblem(await srv.admin.get(`${API}/deals/summary?group_by=nope`), 400, 'invalid_summary');
  expectProblem(await srv.admin.get(`${API}/deals/summary?sum=name`), 400, 'invalid_summary');
  expectProblem(await srv.admin.get(`${API}/deals/summary?group_by=a,b,c,d`), 400, 'invalid_summary');
  expectProblem(await srv.admin.get(`${API}/deals/summary?bogus[eq]=1`), 400, 'invalid_filter');
});

test('a number field sums with its fractions (it was cut to a whole number)', async () => {
  const field = `weight_${Date.now() % 100000}`;
  expectStatus(await srv.admin.post(`${API}/meta/products/fields`, { name: field, type: 'number' }), 201, 'add a number field');
  const tag = `Sum ${field}`;
  for (const w of [0.5, 0.25, 1.125]) await create(srv.admin, 'products', { name: `${tag} ${w}`, [field]: w });
  const r = await srv.admin.get(`${API}/products/summary?sum=${field}&name[prefix]=${encodeURIComponent(tag)}`);
  expectStatus(r, 200);
  assert.deepEqual(r.json.data, [{ count: 3, sum: 1.875 }]);
  const none = await srv.admin.get(`${API}/products/summary?sum=${field}&name[prefix]=nothing-${field}`);
  expectStatus(none, 200);
  assert.deepEqual(none.json.data, [{ count: 0, sum: 0 }], 'no rows sum to 0');
});
