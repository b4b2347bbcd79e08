// search.test.mjs — GET /api/v1/search: CJK substrings, pinyin,
// Cyrillic case folding and transliteration, diacritics, e-mail local
// parts, phone digits, prefixes, deleted records, hostile queries, and
// texts left to write after their records (an import's) written when idle.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { API, PG_DIR, useServer, expectStatus, fmt, create, sqlOn } from './lib/server.mjs';

const srv = useServer();
const enc = encodeURIComponent;
const rec = {};

before(async () => {
  await srv.ready;
  rec.wang = await create(srv.admin, 'contacts', { name: '王小明', family_name: '王', given_name: '小明' });
  rec.zhang = await create(srv.admin, 'contacts', { name: '张三' });
  rec.ivanov = await create(srv.admin, 'contacts', { name: 'Иванов Сергей' });
  rec.petr = await create(srv.admin, 'contacts', { name: 'Пётр Смирнов' });
  rec.olga = await create(srv.admin, 'contacts', { name: 'Olga Kuznetsova', email: 'olga.kuznetsova@example.org', phone: '+7 (916) 123-45-67' });
  rec.cafe = await create(srv.admin, 'accounts', { name: 'Café Lumière' });
  rec.other = await create(srv.admin, 'accounts', { name: 'Northwind Traders' });
  // one of each searchable entity sharing a token
  rec.qAccount = await create(srv.admin, 'accounts', { name: 'Quokkafirm Ltd' });
  rec.qContact = await create(srv.admin, 'contacts', { name: 'Quokkafirm Contact' });
  rec.qLead = await create(srv.admin, 'leads', { name: 'Quokkafirm Lead' });
  rec.qDeal = await create(srv.admin, 'deals', { name: 'Quokkafirm Deal', amount: 100 });
  rec.qActivity = await create(srv.admin, 'activities', { type: 'note', subject: 'Quokkafirm note' });
  rec.qProduct = await create(srv.admin, 'products', { name: 'Quokkafirm Widget', sku: 'QW-1' });
  const role = (await srv.admin.get(`${API}/roles?name=sales`)).json.data[0];
  rec.qUser = await create(srv.admin, 'users', { email: 'quokkafirm.user@example.com', name: 'Quokkafirm User', password: 'password-1234', role_id: role.id });
});

async function search(q, what) {
  const r = await srv.admin.get(`${API}/search?q=${enc(q)}`);
  expectStatus(r, 200, what || `search ${q}`);
  assert.ok(Array.isArray(r.json.data), `no data[]: ${fmt(r)}`);
  return r;
}

function hit(r, entity, id) {
  return r.json.data.find((h) => h.entity === entity && h.id === id);
}

async function finds(q, entity, record, what) {
  const r = await search(q, what);
  const h = hit(r, entity, record.id);
  assert.ok(h, `search q=${JSON.stringify(q)} did not find ${entity} ${record.id} "${record.name}": ${fmt(r)}`);
  return { r, h };
}

async function misses(q, entity, record) {
  const r = await search(q);
  assert.ok(!hit(r, entity, record.id), `search q=${JSON.stringify(q)} found unrelated ${entity} "${record.name}": ${fmt(r)}`);
}

test('result items have entity, id, title (and subtitle)', async () => {
  const { h } = await finds('王小明', 'contacts', rec.wang);
  assert.equal(h.title, '王小明');
  assert.ok('subtitle' in h, 'subtitle member');
});

test('Chinese: any 2+ character substring', async () => {
  await finds('小明', 'contacts', rec.wang);
  await finds('王小', 'contacts', rec.wang);
  await finds('张三', 'contacts', rec.zhang);
  await misses('小明', 'contacts', rec.zhang);
  await misses('张三', 'contacts', rec.wang);
});

test('Chinese: by pinyin', async () => {
  await finds('zhang', 'contacts', rec.zhang);
  await finds('zhangsan', 'contacts', rec.zhang);
  await finds('zhang san', 'contacts', rec.zhang);
  await finds('Zhang', 'contacts', rec.zhang);
  await finds('xiaoming', 'contacts', rec.wang);
  await finds('wang', 'contacts', rec.wang);
  await misses('zhang', 'contacts', rec.wang);
});

test('Cyrillic: case-insensitive and transliterated', async () => {
  for (const q of ['иван', 'ИВАН', 'Иванов', 'ivanov', 'Ivanov', 'иванов сергей']) await finds(q, 'contacts', rec.ivanov);
  await misses('иван', 'contacts', rec.petr);
  await finds('пётр', 'contacts', rec.petr);
  await finds('ПЁТР', 'contacts', rec.petr);
});

test('diacritics: "cafe" finds "Café"', async () => {
  await finds('cafe', 'accounts', rec.cafe);
  await finds('café', 'accounts', rec.cafe);
  await finds('CAFE', 'accounts', rec.cafe);
  await finds('lumiere', 'accounts', rec.cafe);
  await misses('cafe', 'accounts', rec.other);
});

test('e-mail local part and phone digits', async () => {
  await finds('olga.kuznetsova', 'contacts', rec.olga);
  await finds('olga.kuznetsova@example.org', 'contacts', rec.olga);
  await finds('79161234567', 'contacts', rec.olga);
  await finds('+7 916 123 45 67', 'contacts', rec.olga);
  await misses('79161234567', 'contacts', rec.ivanov);
});

test('as-you-type prefixes', async () => {
  await finds('iva', 'contacts', rec.ivanov);
  await finds('Ива', 'contacts', rec.ivanov);
  await finds('quokk', 'accounts', rec.qAccount);
  await finds('Northw', 'accounts', rec.other);
});

test('search spans accounts, contacts, leads, deals, activities, products and users', async () => {
  const r = await search('quokkafirm');
  const want = [['accounts', rec.qAccount], ['contacts', rec.qContact], ['leads', rec.qLead], ['deals', rec.qDeal],
    ['activities', rec.qActivity], ['products', rec.qProduct], ['users', rec.qUser]];
  for (const [e, x] of want) assert.ok(hit(r, e, x.id), `no ${e} ${x.id} in ${fmt(r)}`);
  const act = hit(r, 'activities', rec.qActivity.id);
  assert.equal(act.title, 'Quokkafirm note');
  assert.ok(!r.json.data.some((h) => h.entity === 'accounts' && h.id === rec.other.id), 'unrelated account in results');
});

test('edits are searchable at once; deleted records disappear and come back on restore', async () => {
  const c = await create(srv.admin, 'contacts', { name: 'Zephyrine Marlowe' });
  await finds('zephyrine', 'contacts', c);
  expectStatus(await srv.admin.patch(`${API}/contacts/${c.id}`, { name: 'Xanthippe Marlowe' }), 200);
  await finds('xanthippe', 'contacts', c);
  await misses('zephyrine', 'contacts', c);
  expectStatus(await srv.admin.del(`${API}/contacts/${c.id}`), 204);
  await misses('xanthippe', 'contacts', c);
  await misses('marlowe', 'contacts', c);
  expectStatus(await srv.admin.post(`${API}/contacts/${c.id}/restore`), 200);
  await finds('xanthippe', 'contacts', c);
});

test('empty q → 200 with empty data', async () => {
  for (const q of ['', '   ']) {
    const r = await search(q);
    assert.deepEqual(r.json.data, []);
  }
});

test('hostile queries never give 5xx', async () => {
  const qs = ['"', '""', '"unbalanced', '*', '**', 'a*', '-', '-x', '+', '(', ')', 'a OR', 'OR', 'AND b', 'NOT', 'NEAR(a b)',
    'name:x', '^', '{}', '[', "'", "'; DROP TABLE contacts; --", '%', '_', '\\', 'a'.repeat(5000), '小', '∑∂ƒ', '\u0000x',
    '😀', 'zhang*', '"zhang" AND "san"', 'col:*', '\t\n'];
  for (const q of qs) {
    const r = await srv.admin.get(`${API}/search?q=${enc(q)}`);
    assert.ok(r.status === 200 || r.status === 400, `q=${JSON.stringify(q.slice(0, 40))}: ${fmt(r)}`);
    if (r.status === 200) assert.ok(Array.isArray(r.json.data), fmt(r));
  }
  // still works afterwards
  await finds('张三', 'contacts', rec.zhang);
});

test('search results never contain fields a caller cannot read (no password hashes)', async () => {
  const r = await search('quokkafirm');
  assert.ok(!/argon2|password/.test(r.text), `search leaked a password: ${fmt(r)}`);
});

test('records whose searchable text folds to nothing (emoji, punctuation) are created and indexed safely', async () => {
  for (const name of ['😀'.repeat(300), '😀', '---', '・・・']) {
    const r = await srv.admin.post(`${API}/accounts`, { name });
    expectStatus(r, 201, `account named ${JSON.stringify(name.slice(0, 6))}…`);
  }
  const s = await search('😀');
  assert.ok(Array.isArray(s.json.data));
  await finds('张三', 'contacts', rec.zhang);
});

test('a word found among many newer records that start alike', async () => {
  // the older record is behind 30 newer ones sharing its first three
  // letters: on PostgreSQL they are one term, read newest first and each
  // checked against the whole query
  const old = await create(srv.admin, 'contacts', { name: 'Zorgonaut Pell' });
  for (let i = 0; i < 30; i++) await create(srv.admin, 'contacts', { name: `Zorbatex ${i} Pell` });
  await finds('zorgon', 'contacts', old);
  await finds('zorgonaut pell', 'contacts', old);
  const r = await search('zorb');
  assert.equal(r.json.data.filter((h) => h.entity === 'contacts').length, 10, fmt(r));
});

test('PostgreSQL: the term index follows every change of the search index', { skip: !PG_DIR && 'SQLite has no term index' }, async () => {
  const c = await create(srv.admin, 'contacts', { name: 'Quillon Verhoeven' });
  expectStatus(await srv.admin.patch(`${API}/contacts/${c.id}`, { name: 'Ruskin Verhoeven' }), 200);
  const db = srv.server.db;
  const stale = sqlOn(db, `SELECT count(*) FROM search_terms AS k WHERE NOT EXISTS (SELECT 1 FROM search_index AS s
    WHERE s.rowid = k.rowid AND k.term IN (SELECT rp_search_terms(s.tsv)))`);
  const missing = sqlOn(db, `SELECT count(*) FROM search_index AS s, rp_search_terms(s.tsv) AS t
    WHERE NOT EXISTS (SELECT 1 FROM search_terms AS k WHERE k.term = t AND k.rowid = s.rowid)`);
  assert.deepEqual([stale, missing], ['0', '0'], 'terms of no row, rows without their terms');
  await finds('ruskin', 'contacts', c);
  await misses('quillon', 'contacts', c);
});

// the search key of a contact: its entity's code (5) above its id
const contactKey = (id) => 5 * 2 ** 40 + id;

test('texts an interrupted import left unwritten are written by the idle server', async () => {
  const c = await create(srv.admin, 'contacts', { name: 'Wendeline Abernathy' });
  await finds('wendeline', 'contacts', c);
  // what a server killed during an import leaves: a record changed
  // without its text, its key waiting in the backlog (and a key of a
  // record since removed, which is passed over)
  sqlOn(srv.server.db, `UPDATE contacts SET name = 'Xanthippe Abernathy' WHERE id = ${c.id};
    INSERT INTO search_backlog (key) VALUES (${contactKey(c.id)}), (${contactKey(987654321)})`);
  const deadline = Date.now() + 20_000;
  while (!hit(await search('xanthippe'), 'contacts', c.id)) {
    assert.ok(Date.now() < deadline, 'the waiting text was not written within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await misses('wendeline', 'contacts', c);
  assert.equal(sqlOn(srv.server.db, 'SELECT count(*) FROM search_backlog'), '0');
});
