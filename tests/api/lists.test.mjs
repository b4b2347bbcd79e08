// lists.test.mjs — list endpoints: filters and operators, sort, limit,
// keyset cursors (with NULLs and ties), fields=, include=, q=.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { API, useServer, expectStatus, expectProblem, fmt, create, listAll } from './lib/server.mjs';

const srv = useServer();
const deals = []; // every deal in the database, as created
let accA; let accB;
const products = [];

const enc = encodeURIComponent;
const ids = (rows) => rows.map((r) => r.id);
const sortedIds = (rows) => ids(rows).sort((a, b) => a - b);

async function parallel(items, n, fn) {
  const out = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k], k);
    }
  }));
  return out;
}

before(async () => {
  await srv.ready;
  accA = await create(srv.admin, 'accounts', { name: 'List Account A' });
  accB = await create(srv.admin, 'accounts', { name: 'List Account B' });
  const bodies = [];
  const amounts = [500, 100, 300, 100, 200, 500, 0, 300, 100, 700, 200, 500, 0, 900, 300, 100, 200, 700, 500, 300];
  const statuses = ['open', 'won', 'lost'];
  for (let i = 1; i <= 20; i++) {
    const b = {
      name: `Deal-${String(i).padStart(2, '0')}`,
      amount: amounts[i - 1],
      status: statuses[i % 3],
      expected_close: i % 3 === 0 ? null : `2025-0${1 + (i % 4)}-15`,
    };
    if (i % 4 === 1) b.account_id = accA.id;
    if (i % 4 === 2) b.account_id = accB.id;
    bodies.push(b);
  }
  bodies.push({ name: 'Иван Петров deal', amount: 1001, status: 'open', expected_close: '2025-06-01' });
  bodies.push({ name: 'иванова сделка', amount: 1002, status: 'open', expected_close: null });
  bodies.push({ name: 'Пётр Сидоров', amount: 1003, status: 'won', expected_close: '2025-06-02' });
  bodies.push({ name: 'ИВАНОВСКИЙ завод', amount: 1004, status: 'lost', expected_close: '2025-06-03' });
  bodies.push({ name: 'Сергей Иванович', amount: 1005, status: 'open', expected_close: '2025-06-04' });
  bodies.push({ name: '王小明的订单', amount: 1006, status: 'open', expected_close: '2025-06-05', account_id: accA.id });
  // sequential, so ids follow creation order
  for (const b of bodies) {
    const d = await create(srv.admin, 'deals', b, `create deal ${b.name}`);
    deals.push({ ...d, _sent: b });
  }
  // 55 products for the default page size
  const pb = Array.from({ length: 55 }, (_, i) => ({ name: `Product ${String(i).padStart(2, '0')}`, sku: `SKU-${i}`, price: i * 10, active: i % 5 !== 0 }));
  products.push(...await parallel(pb, 8, (b) => create(srv.admin, 'products', b)));
});

async function list(query, what) {
  const r = await srv.admin.get(`${API}/deals?limit=500${query ? `&${query}` : ''}`);
  expectStatus(r, 200, what || query);
  assert.ok(Array.isArray(r.json.data), `no data[]: ${fmt(r)}`);
  assert.ok('next_cursor' in r.json, `no next_cursor member: ${fmt(r)}`);
  return r;
}

async function expectSet(query, pred, what) {
  const r = await list(query, what);
  const want = deals.filter(pred).map((d) => d.id).sort((a, b) => a - b);
  assert.deepEqual(sortedIds(r.json.data), want, `${what || query}: ${fmt(r)}`);
}

test('list shape: {data, next_cursor:null} when everything fits; rows are full records', async () => {
  const r = await list('');
  assert.equal(r.json.next_cursor, null);
  assert.equal(r.json.data.length, deals.length);
  const row = r.json.data.find((x) => x.id === deals[0].id);
  for (const k of ['id', 'name', 'amount', 'status', 'version', 'owner_id', 'created_at', 'tags']) assert.ok(k in row, `row lacks ${k}`);
});

test('default limit is 50 with a next_cursor; following it gives the rest', async () => {
  const r = await srv.admin.get(`${API}/products`);
  expectStatus(r, 200);
  assert.equal(r.json.data.length, 50);
  assert.equal(typeof r.json.next_cursor, 'string');
  const r2 = await srv.admin.get(`${API}/products?cursor=${enc(r.json.next_cursor)}`);
  expectStatus(r2, 200);
  assert.equal(r2.json.data.length, products.length - 50);
  assert.equal(r2.json.next_cursor, null);
  const all = [...ids(r.json.data), ...ids(r2.json.data)];
  assert.deepEqual([...all].sort((a, b) => a - b), ids(products).sort((a, b) => a - b));
});

test('limit bounds: 1 and 500 work; 0, 501, -1, abc, 1.5 and empty → 400 invalid_limit', async () => {
  const one = await srv.admin.get(`${API}/products?limit=1`);
  expectStatus(one, 200);
  assert.equal(one.json.data.length, 1);
  assert.equal(typeof one.json.next_cursor, 'string');
  expectStatus(await srv.admin.get(`${API}/products?limit=500`), 200);
  for (const l of ['0', '501', '-1', 'abc', '1.5', '', '99999999999999999999']) {
    expectProblem(await srv.admin.get(`${API}/products?limit=${l}`), 400, 'invalid_limit', `limit=${l}`);
  }
});

test('filter: equality and eq/ne', async () => {
  await expectSet('status=won', (d) => d.status === 'won');
  await expectSet('status[eq]=won', (d) => d.status === 'won');
  await expectSet('status[ne]=won', (d) => d.status !== 'won');
  await expectSet('amount=500', (d) => d.amount === 500);
  await expectSet(`account_id=${accA.id}`, (d) => d.account_id === accA.id);
  await expectSet(`name=${enc('Пётр Сидоров')}`, (d) => d.name === 'Пётр Сидоров');
});

test('filter: lt lte gt gte on money and dates', async () => {
  await expectSet('amount[lt]=300', (d) => d.amount < 300);
  await expectSet('amount[lte]=300', (d) => d.amount <= 300);
  await expectSet('amount[gt]=500', (d) => d.amount > 500);
  await expectSet('amount[gte]=500', (d) => d.amount >= 500);
  await expectSet('amount[gte]=200&amount[lt]=700', (d) => d.amount >= 200 && d.amount < 700);
  await expectSet('expected_close[gte]=2025-03-01', (d) => d.expected_close !== null && d.expected_close >= '2025-03-01');
  await expectSet('expected_close[lt]=2025-03-01', (d) => d.expected_close !== null && d.expected_close < '2025-03-01');
});

test('filter: a time compared with a date is compared with that whole UTC day; [ne] with a date is refused', async () => {
  const tag = `day${Date.now()}`;
  const made = [];
  for (const due of ['2026-03-09T23:59:59Z', '2026-03-10T00:00:00Z', '2026-03-10T23:59:59Z', '2026-03-11T00:00:00Z']) {
    made.push(await create(srv.admin, 'activities', { type: 'task', subject: due, due_at: due, tags: [tag] }));
  }
  const subjects = async (q) => {
    const r = await srv.admin.get(`${API}/activities?tags[contains]=${tag}&sort=due_at&${q}`);
    expectStatus(r, 200, q);
    return r.json.data.map((a) => a.subject);
  };
  const [d9, d10a, d10b, d11] = made.map((a) => a.subject);
  assert.deepEqual(await subjects('due_at=2026-03-10'), [d10a, d10b]);
  assert.deepEqual(await subjects('due_at[eq]=2026-03-10'), [d10a, d10b]);
  assert.deepEqual(await subjects('due_at[gte]=2026-03-10'), [d10a, d10b, d11]);
  assert.deepEqual(await subjects('due_at[gt]=2026-03-10'), [d11]);
  assert.deepEqual(await subjects('due_at[lt]=2026-03-10'), [d9]);
  assert.deepEqual(await subjects('due_at[lte]=2026-03-10'), [d9, d10a, d10b]);
  assert.deepEqual(await subjects('due_at[gte]=2026-03-10&due_at[lt]=2026-03-11'), [d10a, d10b]);
  assert.deepEqual(await subjects('due_at[gte]=2026-03-10T00:00:00Z'), [d10a, d10b, d11], 'a time is as before');
  expectProblem(await srv.admin.get(`${API}/activities?due_at[ne]=2026-03-10`), 400, 'invalid_filter');
  expectStatus(await srv.admin.get(`${API}/activities?due_at[gte]=2026-02-30`), 400, 'no such day');
});

test('filter: in (comma-separated)', async () => {
  await expectSet('status[in]=won,lost', (d) => d.status === 'won' || d.status === 'lost');
  const pick = [deals[0].id, deals[5].id, deals[22].id];
  await expectSet(`id[in]=${pick.join(',')}`, (d) => pick.includes(d.id));
  await expectSet('amount[in]=0,900', (d) => d.amount === 0 || d.amount === 900);
});

test('filter: contains / prefix are case-insensitive, also for Cyrillic', async () => {
  // case- and accent-insensitive (ё matches е), as documented
  const fold = (x) => x.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const has = (s) => (d) => fold(d.name).includes(fold(s));
  const starts = (s) => (d) => fold(d.name).startsWith(fold(s));
  await expectSet(`name[contains]=${enc('иван')}`, has('иван'), 'name[contains]=иван');
  await expectSet(`name[contains]=${enc('ИВАН')}`, has('иван'), 'name[contains]=ИВАН');
  await expectSet(`name[prefix]=${enc('ив')}`, starts('ив'), 'name[prefix]=ив');
  await expectSet(`name[prefix]=${enc('ИВ')}`, starts('ив'), 'name[prefix]=ИВ');
  await expectSet(`name[contains]=${enc('пётр')}`, has('пётр'), 'name[contains]=пётр');
  await expectSet('name[contains]=deal-1', has('deal-1'), 'name[contains]=deal-1');
  await expectSet('name[prefix]=DEAL-0', starts('deal-0'), 'name[prefix]=DEAL-0');
  await expectSet(`name[contains]=${enc('小明')}`, (d) => d.name.includes('小明'), 'name[contains]=小明');
});

test('filter: contains / prefix treat % and _ literally (no LIKE wildcards)', async () => {
  await expectSet(`name[contains]=${enc('%')}`, () => false, 'name[contains]=%');
  await expectSet(`name[contains]=${enc('_')}`, () => false, 'name[contains]=_');
  await expectSet(`name[prefix]=${enc('%eal')}`, () => false, 'name[prefix]=%eal');
  await expectSet(`name[contains]=${enc('Deal_0')}`, () => false, 'name[contains]=Deal_0');
});

test('filter: null=true/false; a bad null value → 400', async () => {
  await expectSet('expected_close[null]=true', (d) => d.expected_close === null);
  await expectSet('expected_close[null]=false', (d) => d.expected_close !== null);
  await expectSet('account_id[null]=true', (d) => d.account_id === null);
  expectStatus(await srv.admin.get(`${API}/deals?expected_close[null]=maybe`), 400, 'null=maybe');
});

test('filter: booleans', async () => {
  const r = await srv.admin.get(`${API}/products?active=false&limit=500`);
  expectStatus(r, 200);
  assert.deepEqual(sortedIds(r.json.data), ids(products.filter((p) => !p.active)).sort((a, b) => a - b));
  const r2 = await srv.admin.get(`${API}/products?active[eq]=true&limit=500`);
  assert.equal(r2.json.data.length, products.filter((p) => p.active).length);
});

test('filter errors: unknown field or operator → 400 invalid_filter; bad values → 400', async () => {
  for (const q of ['nope=1', 'nope[eq]=1', 'amount[like]=1', 'amount[]=1', 'amount[eq=1', 'name[regex]=a', 'password=x']) {
    expectProblem(await srv.admin.get(`${API}/deals?${q}`), 400, 'invalid_filter', q);
  }
  for (const q of ['amount[gt]=abc', 'amount=1.5', 'expected_close[gte]=someday', 'status[eq]=nonsense_status_value', 'id[in]=1,x']) {
    const r = await srv.admin.get(`${API}/deals?${q}`);
    if (r.status === 200) {
      // an impossible enum value may simply match nothing
      assert.ok(q.startsWith('status') && r.json.data.length === 0, `${q}: ${fmt(r)}`);
    } else {
      expectStatus(r, 400, q);
    }
  }
});

test('users: password is not filterable, sortable or selectable', async () => {
  expectProblem(await srv.admin.get(`${API}/users?password=x`), 400, 'invalid_filter', 'users?password=x');
  expectProblem(await srv.admin.get(`${API}/users?password[prefix]=${enc('$argon2')}`), 400, 'invalid_filter', 'users?password[prefix]=$argon2');
  expectProblem(await srv.admin.get(`${API}/users?password[null]=false`), 400, 'invalid_filter', 'users?password[null]=false');
  expectStatus(await srv.admin.get(`${API}/users?sort=password`), 400, 'users?sort=password');
  const f = await srv.admin.get(`${API}/users?fields=password,email`);
  if (f.status === 200) {
    assert.ok(!/password|argon2/.test(f.text), `fields=password returned it: ${fmt(f)}`);
  } else {
    expectStatus(f, 400, 'fields=password');
  }
});

function cmp(a, b, desc) {
  const r = a < b ? -1 : a > b ? 1 : 0;
  return desc ? -r : r;
}

test('sort=-amount,name orders by amount desc, then name', async () => {
  const r = await list('sort=-amount,name');
  const got = r.json.data;
  const want = [...deals].sort((a, b) => cmp(a.amount, b.amount, true) || cmp(a.name, b.name, false));
  assert.deepEqual(got.map((x) => `${x.amount}:${x.name}`), want.map((x) => `${x.amount}:${x.name}`));
  const r2 = await list('sort=amount,-name');
  const want2 = [...deals].sort((a, b) => cmp(a.amount, b.amount, false) || cmp(a.name, b.name, true));
  assert.deepEqual(r2.json.data.map((x) => `${x.amount}:${x.name}`), want2.map((x) => `${x.amount}:${x.name}`));
});

test('sort errors: unknown field → 400 invalid_sort', async () => {
  for (const s of ['nope', '-nope', 'amount,nope', '--amount', '', ',']) {
    const r = await srv.admin.get(`${API}/deals?sort=${s}`);
    if (s === '' && r.status === 200) continue; // an empty sort may mean the default
    expectProblem(r, 400, 'invalid_sort', `sort=${s}`);
  }
});

/** Pages through a query with a small limit; checks every row once, in the one-page order. */
async function checkPaging(query, limit, check) {
  const full = (await list(query)).json.data;
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const r = await srv.admin.get(`${API}/deals?${query ? `${query}&` : ''}limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    expectStatus(r, 200, `page ${page} of ${query}`);
    assert.ok(r.json.data.length <= limit, 'page larger than limit');
    seen.push(...r.json.data);
    cursor = r.json.next_cursor;
    if (cursor === null) break;
    assert.equal(typeof cursor, 'string');
    assert.ok(r.json.data.length === limit, `a page before the last is short (${r.json.data.length}) for ${query}`);
  }
  assert.equal(cursor, null, `pagination of ${query} did not end`);
  const seenIds = ids(seen);
  assert.equal(new Set(seenIds).size, seenIds.length, `${query} limit=${limit}: a row came twice: ${seenIds}`);
  assert.deepEqual(seenIds, ids(full), `${query} limit=${limit}: pages differ from the one-page order`);
  if (check) check(seen);
  return seen;
}

function nullsTogether(vals) {
  const firstNull = vals.indexOf(null);
  if (firstNull < 0) return true;
  const lastNull = vals.lastIndexOf(null);
  return vals.slice(firstNull, lastNull + 1).every((v) => v === null) && (firstNull === 0 || lastNull === vals.length - 1);
}

test('cursor: every row exactly once, in order, with NULLs and ties in the sort key', async () => {
  const all = deals.length;
  for (const limit of [1, 3, 7]) {
    await checkPaging('sort=expected_close', limit, (rows) => {
      assert.equal(rows.length, all);
      const v = rows.map((r) => r.expected_close);
      assert.ok(nullsTogether(v), `NULLs not grouped at one end: ${v}`);
      const nn = v.filter((x) => x !== null);
      assert.deepEqual(nn, [...nn].sort(), 'expected_close not ascending');
    });
  }
  await checkPaging('sort=-expected_close,-amount', 4, (rows) => {
    assert.equal(rows.length, all);
    const nn = rows.filter((r) => r.expected_close !== null);
    for (let i = 1; i < nn.length; i++) {
      const a = nn[i - 1]; const b = nn[i];
      assert.ok(a.expected_close > b.expected_close || (a.expected_close === b.expected_close && a.amount >= b.amount),
        `order broken at ${a.name} → ${b.name}`);
    }
    assert.ok(nullsTogether(rows.map((r) => r.expected_close)));
  });
  await checkPaging('sort=amount', 3, (rows) => {
    assert.equal(rows.length, all);
    const v = rows.map((r) => r.amount);
    assert.deepEqual(v, [...v].sort((a, b) => a - b));
  });
  await checkPaging('sort=-amount,name', 5, (rows) => assert.equal(rows.length, all));
  await checkPaging('sort=name', 6, (rows) => assert.equal(rows.length, all));
  await checkPaging('', 4, (rows) => assert.equal(rows.length, all));
  await checkPaging('status=open&sort=-expected_close', 2, (rows) => {
    assert.deepEqual(sortedIds(rows), ids(deals.filter((d) => d.status === 'open')).sort((a, b) => a - b));
  });
});

test('cursor: rows created after the first page do not make the walk repeat rows', async () => {
  const p1 = await srv.admin.get(`${API}/products?sort=-price&limit=10`);
  expectStatus(p1, 200);
  await create(srv.admin, 'products', { name: 'Late product', sku: 'SKU-late', price: 1 });
  const seen = ids(p1.json.data);
  let cursor = p1.json.next_cursor;
  while (cursor) {
    const r = await srv.admin.get(`${API}/products?sort=-price&limit=10&cursor=${enc(cursor)}`);
    expectStatus(r, 200);
    seen.push(...ids(r.json.data));
    cursor = r.json.next_cursor;
  }
  assert.equal(new Set(seen).size, seen.length, 'a row came twice');
  for (const p of products) assert.ok(seen.includes(p.id), `product ${p.name} skipped`);
});

test('cursor: garbage → 400 invalid_cursor', async () => {
  for (const c of ['garbage', '!!!', 'eyJ4IjoxfQ', 'AAAA', '0', `${'A'.repeat(5000)}`, '%FF']) {
    const q = c === '%FF' ? c : enc(c);
    expectProblem(await srv.admin.get(`${API}/deals?cursor=${q}`), 400, c === '%FF' ? null : 'invalid_cursor', `cursor=${c.slice(0, 20)}`);
  }
});

test('fields= returns only id and the named fields', async () => {
  const r = await list('fields=name,amount');
  assert.equal(r.json.data.length, deals.length);
  for (const row of r.json.data) assert.deepEqual(Object.keys(row).sort(), ['amount', 'id', 'name']);
  const g = await srv.admin.get(`${API}/deals?fields=nope`);
  expectStatus(g, 400, 'fields=nope');
});

test('include=account embeds the account on deals and contacts', async () => {
  const r = await list('include=account');
  for (const row of r.json.data) {
    const d = deals.find((x) => x.id === row.id);
    if (d.account_id) {
      assert.ok(row.account && typeof row.account === 'object', `deal ${d.name} lacks account: ${JSON.stringify(row).slice(0, 300)}`);
      assert.equal(row.account.id, d.account_id);
      assert.equal(row.account.name, d.account_id === accA.id ? accA.name : accB.name);
    } else {
      assert.ok(row.account === null || row.account === undefined, `deal ${d.name} has an account ${JSON.stringify(row.account)}`);
    }
  }
  const c = await create(srv.admin, 'contacts', { name: 'Included', account_id: accB.id });
  const rc = await srv.admin.get(`${API}/contacts?include=account&id=${c.id}`);
  expectStatus(rc, 200);
  assert.equal(rc.json.data.length, 1);
  assert.equal(rc.json.data[0].account.id, accB.id);
  assert.equal(rc.json.data[0].account.name, accB.name);
  expectStatus(await srv.admin.get(`${API}/deals?include=nope`), 400, 'include=nope');
});

test('q= full-text on a list', async () => {
  const r = await list(`q=${enc('小明')}`);
  assert.deepEqual(ids(r.json.data), [deals.find((d) => d.name === '王小明的订单').id]);
  const r2 = await list(`q=${enc('ИВАН')}`);
  const names = r2.json.data.map((x) => x.name);
  assert.ok(names.includes('Иван Петров deal'), `q=ИВАН: ${names}`);
  assert.ok(!names.includes('Пётр Сидоров') && !names.includes('Deal-01'), `q=ИВАН matched unrelated rows: ${names}`);
  const r3 = await list(`q=${enc('小明')}&status=won`);
  assert.equal(r3.json.data.length, 0, 'q combined with a filter');
});

test('deleted=true lists only deleted rows and honours filters', async () => {
  const d = await create(srv.admin, 'deals', { name: 'To the bin', amount: 77 });
  expectStatus(await srv.admin.del(`${API}/deals/${d.id}`), 204);
  const r = await srv.admin.get(`${API}/deals?deleted=true`);
  expectStatus(r, 200);
  assert.deepEqual(ids(r.json.data), [d.id]);
  const r2 = await srv.admin.get(`${API}/deals?deleted=true&amount=78`);
  assert.equal(r2.json.data.length, 0);
  const live = await listAll(srv.admin, `${API}/deals?limit=500`);
  assert.ok(!ids(live).includes(d.id));
});
