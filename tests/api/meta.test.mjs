// meta.test.mjs — /meta and /openapi.json, custom fields (every type,
// validation, filters, admin only, kept across a restart), record
// history, timelines and Idempotency-Key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  API, useServer, startServer, expectStatus, expectProblem, expectFieldError, fmt, create, count, makeUser, uniq, listAll, Soft,
} from './lib/server.mjs';
import { ENTITIES, SYSTEM_FIELDS, getMeta } from './lib/gen.mjs';

const srv = useServer();
const S = {};
const enc = encodeURIComponent;

const CORE = {
  accounts: ['name', 'industry', 'website', 'phone', 'country', 'region', 'city', 'lifecycle', 'owner_id', 'team_id'],
  contacts: ['name', 'family_name', 'given_name', 'email', 'phone', 'title', 'account_id', 'birthday', 'owner_id'],
  leads: ['name', 'company', 'email', 'phone', 'source', 'status', 'campaign_id', 'owner_id'],
  deals: ['name', 'account_id', 'contact_id', 'pipeline_id', 'stage_id', 'amount', 'currency', 'expected_close', 'status', 'owner_id'],
  activities: ['type', 'subject', 'body', 'due_at', 'done_at', 'related_type', 'related_id', 'owner_id'],
  users: ['email', 'name', 'password', 'role_id', 'team_id', 'locale', 'time_zone', 'active'],
  teams: ['name'],
  roles: ['name', 'permissions'],
  pipelines: ['name'],
  stages: ['name', 'pipeline_id'],
  products: ['name'],
  tags: ['name'],
};

function field(meta, ent, name) {
  const e = meta.entities.find((x) => x.name === ent);
  return e && e.fields.find((f) => f.name === name);
}

function openapiPaths(doc, ent) {
  const keys = Object.keys(doc.paths || {});
  const coll = keys.find((k) => new RegExp(`^(/api/v1)?/${ent}$`).test(k));
  const item = keys.find((k) => new RegExp(`^(/api/v1)?/${ent}/\\{[^}]+\\}$`).test(k));
  return { coll, item };
}

test('GET /meta describes every entity and its fields', async () => {
  const meta = await getMeta(srv.admin);
  for (const ent of ENTITIES) {
    const e = meta.entities.find((x) => x.name === ent);
    assert.ok(e, `no ${ent} in meta`);
    assert.equal(typeof e.label, 'string');
    assert.ok(Array.isArray(e.fields));
    for (const f of e.fields) {
      assert.equal(typeof f.name, 'string');
      assert.equal(typeof f.type, 'string', `${ent}.${f.name} type`);
      assert.equal(typeof f.required, 'boolean', `${ent}.${f.name} required`);
      assert.equal(typeof f.read_only, 'boolean', `${ent}.${f.name} read_only`);
    }
    for (const n of [...CORE[ent], ...SYSTEM_FIELDS]) assert.ok(e.fields.some((f) => f.name === n), `${ent} lacks field ${n}`);
  }
  assert.equal(field(meta, 'deals', 'amount').type, 'money');
  assert.equal(field(meta, 'contacts', 'account_id').type, 'reference');
  assert.equal(field(meta, 'contacts', 'birthday').type, 'date');
  assert.equal(field(meta, 'activities', 'due_at').type, 'datetime');
  assert.equal(field(meta, 'accounts', 'lifecycle').type, 'enum');
  assert.equal(field(meta, 'accounts', 'name').required, true);
  assert.equal(field(meta, 'accounts', 'industry').required, false);
  assert.equal(field(meta, 'accounts', 'id').read_only, true);
  assert.equal(field(meta, 'accounts', 'created_at').read_only, true);
  assert.equal(field(meta, 'accounts', 'version').read_only, true);
  assert.equal(field(meta, 'accounts', 'name').read_only, false);
  assert.equal(field(meta, 'users', 'role_id').required, true);
  assert.equal(field(meta, 'stages', 'pipeline_id').required, true);
});

test('GET /openapi.json is OpenAPI 3.1 with paths for every entity', async () => {
  const r = await srv.admin.get(`${API}/openapi.json`);
  expectStatus(r, 200);
  assert.match(r.headers.get('content-type') || '', /json/);
  const doc = r.json;
  assert.match(String(doc.openapi), /^3\.1\./);
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  for (const ent of ENTITIES) {
    const { coll, item } = openapiPaths(doc, ent);
    assert.ok(coll, `openapi has no collection path for ${ent}`);
    assert.ok(item, `openapi has no item path for ${ent}`);
    assert.ok(doc.paths[coll].get && doc.paths[coll].post, `${coll} lacks get/post`);
    assert.ok(doc.paths[item].get && doc.paths[item].patch && doc.paths[item].delete, `${item} lacks get/patch/delete`);
  }
  const text = JSON.stringify(doc);
  assert.ok(text.includes('"expected_close"') && text.includes('"birthday"'), 'schemas do not name the entity fields');
  // every $ref resolves
  const refs = [...text.matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
  for (const ref of new Set(refs)) {
    let node = doc;
    for (const part of ref.split('/')) node = node && node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    assert.ok(node !== undefined, `unresolved $ref #/${ref}`);
  }
});

test('custom field (enum): accepted, returned, filterable, in /meta and /openapi.json at once', async () => {
  const r = await srv.admin.post(`${API}/meta/contacts/fields`, { name: 'loyalty_level', type: 'enum', options: ['gold', 'silver'], label: 'Loyalty' });
  expectStatus(r, 201, 'add loyalty_level');
  const meta = await getMeta(srv.admin);
  const f = field(meta, 'contacts', 'loyalty_level');
  assert.ok(f, 'loyalty_level not in /meta');
  assert.equal(f.type, 'enum');
  assert.equal(f.label, 'Loyalty');
  const oa = await srv.admin.get(`${API}/openapi.json`);
  assert.ok(oa.text.includes('loyalty_level'), 'loyalty_level not in openapi.json');

  const g = await create(srv.admin, 'contacts', { name: 'Gold Member', loyalty_level: 'gold' });
  assert.equal(g.loyalty_level, 'gold');
  const s = await create(srv.admin, 'contacts', { name: 'Silver Member', loyalty_level: 'silver' });
  const n = await create(srv.admin, 'contacts', { name: 'No Level' });
  assert.equal(n.loyalty_level, null);
  expectFieldError(await srv.admin.post(`${API}/contacts`, { name: 'Bronze', loyalty_level: 'bronze' }), 'loyalty_level', 'invalid_value');
  const got = await srv.admin.get(`${API}/contacts/${g.id}`);
  assert.equal(got.json.loyalty_level, 'gold');
  const p = await srv.admin.patch(`${API}/contacts/${s.id}`, { loyalty_level: 'gold' });
  expectStatus(p, 200);
  assert.equal(p.json.loyalty_level, 'gold');
  const l = await srv.admin.get(`${API}/contacts?loyalty_level=gold&limit=500`);
  expectStatus(l, 200);
  assert.deepEqual(l.json.data.map((x) => x.id).sort((a, b) => a - b), [g.id, s.id].sort((a, b) => a - b));
  const l2 = await srv.admin.get(`${API}/contacts?loyalty_level[null]=true&limit=500`);
  expectStatus(l2, 200);
  assert.ok(l2.json.data.some((x) => x.id === n.id) && !l2.json.data.some((x) => x.id === g.id));
});

test('custom fields of every type', async () => {
  const defs = [
    { name: 'cf_text', type: 'text', ok: 'hello', bad: 5, code: 'invalid_type' },
    { name: 'cf_int', type: 'integer', ok: 42, bad: 4.5, code: 'invalid_type' },
    { name: 'cf_num', type: 'number', ok: 2.75, bad: 'x', code: 'invalid_type' },
    { name: 'cf_bool', type: 'boolean', ok: true, bad: 'yes', code: 'invalid_type' },
    { name: 'cf_date', type: 'date', ok: '2025-05-06', bad: '2025-02-30', code: 'invalid_value' },
    { name: 'cf_time', type: 'datetime', ok: '2025-05-06T07:08:09Z', bad: 'noon', code: 'invalid_value' },
    { name: 'cf_pick', type: 'enum', options: ['a', 'b'], ok: 'b', bad: 'c', code: 'invalid_value' },
    { name: 'cf_money', type: 'money', ok: 1999, bad: 19.99, code: 'invalid_type' },
    { name: 'cf_mail', type: 'email', ok: 'x@example.com', bad: 'nope', code: 'invalid_value' },
    { name: 'cf_phone', type: 'phone', ok: '+15550100', bad: 'call me', code: 'invalid_value' },
    { name: 'cf_url', type: 'url', ok: 'https://example.com/a', bad: 'not a url', code: 'invalid_value' },
    { name: 'cf_parent', type: 'reference', ref: 'accounts', ok: null, bad: 987654, code: 'not_found' },
  ];
  for (const d of defs) {
    const body = { name: d.name, type: d.type, label: d.name.toUpperCase() };
    if (d.options) body.options = d.options;
    if (d.ref) body.ref = d.ref;
    expectStatus(await srv.admin.post(`${API}/meta/accounts/fields`, body), 201, `add ${d.type} field`);
  }
  const parent = await create(srv.admin, 'accounts', { name: 'Parent Co' });
  const body = { name: 'Custom Co' };
  for (const d of defs) body[d.name] = d.name === 'cf_parent' ? parent.id : d.ok;
  const a = await create(srv.admin, 'accounts', body, 'create with every custom type');
  for (const d of defs) {
    const want = d.name === 'cf_parent' ? parent.id : d.ok;
    assert.deepEqual(a[d.name], want, `${d.name}: ${JSON.stringify(a[d.name])}`);
  }
  const g = await srv.admin.get(`${API}/accounts/${a.id}`);
  for (const d of defs) assert.deepEqual(g.json[d.name], a[d.name], `GET ${d.name}`);
  for (const d of defs) {
    expectFieldError(await srv.admin.post(`${API}/accounts`, { name: 'Bad', [d.name]: d.bad }), d.name, d.code, { what: `${d.type} ${JSON.stringify(d.bad)}` });
  }
  // filters on custom fields
  const f1 = await srv.admin.get(`${API}/accounts?cf_int[gte]=40&cf_bool=true&cf_date[lt]=2025-06-01`);
  expectStatus(f1, 200);
  assert.deepEqual(f1.json.data.map((x) => x.id), [a.id]);
  const f2 = await srv.admin.get(`${API}/accounts?cf_int[gt]=42`);
  expectStatus(f2, 200);
  assert.equal(f2.json.data.length, 0);
  const f3 = await srv.admin.get(`${API}/accounts?cf_parent=${parent.id}`);
  expectStatus(f3, 200);
  assert.deepEqual(f3.json.data.map((x) => x.id), [a.id]);
});

test('a sortable text field takes values of up to 2,000 bytes on either store', async () => {
  // a sort key is indexed, and a PostgreSQL index entry holds at most
  // 2,704 bytes: 1,000 Chinese characters (3,000 bytes) were a 500 there
  expectStatus(await srv.admin.post(`${API}/meta/products/fields`, { name: 'shelf_note', type: 'text', sortable: true }), 201);
  expectStatus(await srv.admin.post(`${API}/meta/products/fields`, { name: 'long_note', type: 'text', max_length: 5000 }), 201);
  const han = (n) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join('');
  const fits = await create(srv.admin, 'products', { name: 'Shelf fits', shelf_note: han(666) });
  assert.equal(fits.shelf_note, han(666));
  expectFieldError(await srv.admin.post(`${API}/products`, { name: 'Shelf long', shelf_note: han(1000) }), 'shelf_note', 'too_long');
  expectFieldError(await srv.admin.patch(`${API}/products/${fits.id}`, { shelf_note: han(667) }), 'shelf_note', 'too_long');
  const free = await create(srv.admin, 'products', { name: 'Not sorted', long_note: han(5000) });
  assert.equal(free.long_note.length, 5000, 'a field that is not sorted keeps its own limit');
  const l = await srv.admin.get(`${API}/products?sort=-shelf_note&shelf_note[null]=false&limit=5`);
  expectStatus(l, 200);
  assert.equal(l.json.data[0].id, fits.id);
});

test('custom field definitions are validated', async () => {
  const cases = [
    { name: 'Bad Name', type: 'text' }, { name: '1abc', type: 'text' }, { name: '', type: 'text' }, { name: 'x', type: 'text' },
    { name: 'a'.repeat(60), type: 'text' }, { name: 'name', type: 'text' }, { name: 'id', type: 'text' }, { name: 'owner_id', type: 'text' },
    { name: 'drop_table;', type: 'text' }, { name: 'поле', type: 'text' }, { name: 'ok_name', type: 'blob' }, { name: 'ok_name' },
    { name: 'ok_enum', type: 'enum' }, { name: 'ok_enum', type: 'enum', options: [] }, { name: 'ok_ref', type: 'reference' },
    { name: 'ok_ref', type: 'reference', ref: 'nope' }, { name: 'ok_pw', type: 'password' }, { type: 'text' }, { name: 5, type: 'text' },
  ];
  for (const c of cases) {
    const r = await srv.admin.post(`${API}/meta/leads/fields`, c);
    expectProblem(r, 422, 'validation_failed', `custom field ${JSON.stringify(c)}`);
  }
  // a name taken by an earlier custom field
  expectStatus(await srv.admin.post(`${API}/meta/leads/fields`, { name: 'lead_extra', type: 'text' }), 201);
  expectProblem(await srv.admin.post(`${API}/meta/leads/fields`, { name: 'lead_extra', type: 'integer' }), [409, 422], null, 'the same name twice');
  expectStatus(await srv.admin.post(`${API}/meta/nope/fields`, { name: 'abc', type: 'text' }), [404, 422], 'unknown entity');
  const meta = await getMeta(srv.admin);
  const names = meta.entities.find((e) => e.name === 'leads').fields.map((f) => f.name);
  for (const c of cases) if (typeof c.name === 'string' && c.name.startsWith('ok_')) assert.ok(!names.includes(c.name), `refused field ${c.name} is in /meta`);
  assert.equal(names.filter((n) => n === 'lead_extra').length, 1);
});

test('only admins add custom fields (403 for others)', async () => {
  const sales = await makeUser(srv, { role: 'sales' });
  expectProblem(await sales.client.post(`${API}/meta/contacts/fields`, { name: 'sneaky', type: 'text' }), 403, 'forbidden');
  const meta = await getMeta(srv.admin);
  assert.ok(!field(meta, 'contacts', 'sneaky'), 'a refused field was added');
});

test('history: create, update (changed fields only, old and new), delete, restore — newest first', async () => {
  const a = await create(srv.admin, 'accounts', { name: 'Hist Co', city: 'Berlin', industry: 'Retail' });
  expectStatus(await srv.admin.patch(`${API}/accounts/${a.id}`, { name: 'Hist Co 2', city: 'Paris', industry: 'Retail' }), 200);
  expectStatus(await srv.admin.patch(`${API}/accounts/${a.id}`, { city: 'Rome' }), 200);
  expectStatus(await srv.admin.del(`${API}/accounts/${a.id}`), 204);
  expectStatus(await srv.admin.post(`${API}/accounts/${a.id}/restore`), 200);
  const h = await srv.admin.get(`${API}/accounts/${a.id}/history`);
  expectStatus(h, 200);
  const d = h.json.data;
  assert.deepEqual(d.map((e) => e.action), ['restore', 'delete', 'update', 'update', 'create'], fmt(h));
  for (const e of d) {
    assert.equal(typeof e.id, 'number');
    assert.equal(e.user_id, srv.adminUser.id);
    assert.ok(!Number.isNaN(Date.parse(e.at)), `at ${e.at}`);
    assert.ok(Array.isArray(e.changes), 'changes[]');
  }
  for (let i = 1; i < d.length; i++) assert.ok(Date.parse(d[i - 1].at) >= Date.parse(d[i].at), 'not newest first');
  const ch = (entry) => Object.fromEntries(entry.changes.filter((c) => !['updated_at', 'version'].includes(c.field)).map((c) => [c.field, [c.old, c.new]]));
  assert.deepEqual(ch(d[3]), { name: ['Hist Co', 'Hist Co 2'], city: ['Berlin', 'Paris'] }, `first update: ${JSON.stringify(d[3])}`);
  assert.deepEqual(ch(d[2]), { city: ['Paris', 'Rome'] }, `second update: ${JSON.stringify(d[2])}`);
  expectProblem(await srv.admin.get(`${API}/accounts/987654/history`), 404);
});

test('history of a user never contains the password hash', async () => {
  const u = await makeUser(srv, { role: 'sales' });
  expectStatus(await srv.admin.patch(`${API}/users/${u.user.id}`, { password: 'another-password-99' }), 200);
  const h = await srv.admin.get(`${API}/users/${u.user.id}/history`);
  expectStatus(h, 200);
  assert.ok(!/argon2|another-password-99/.test(h.text), `history leaks the password: ${fmt(h)}`);
});

test('timeline: activities of the account, its contacts and deals, and its deals — newest first', async () => {
  const A = await create(srv.admin, 'accounts', { name: 'Timeline Co' });
  const B = await create(srv.admin, 'accounts', { name: 'Other Co' });
  const C = await create(srv.admin, 'contacts', { name: 'Tim Line', account_id: A.id });
  const D = await create(srv.admin, 'deals', { name: 'Timeline Deal', account_id: A.id, amount: 10 });
  const DB = await create(srv.admin, 'deals', { name: 'Other Deal', account_id: B.id, amount: 10 });
  const a1 = await create(srv.admin, 'activities', { type: 'call', subject: 'on account', related_type: 'accounts', related_id: A.id });
  const a2 = await create(srv.admin, 'activities', { type: 'email', subject: 'on contact', related_type: 'contacts', related_id: C.id });
  const a3 = await create(srv.admin, 'activities', { type: 'meeting', subject: 'on deal', related_type: 'deals', related_id: D.id });
  const a4 = await create(srv.admin, 'activities', { type: 'note', subject: 'on other account', related_type: 'accounts', related_id: B.id });
  const a5 = await create(srv.admin, 'activities', { type: 'note', subject: 'on other deal', related_type: 'deals', related_id: DB.id });
  const a6 = await create(srv.admin, 'activities', { type: 'task', subject: 'unlinked' });

  const r = await srv.admin.get(`${API}/accounts/${A.id}/timeline`);
  expectStatus(r, 200);
  const items = r.json.data;
  const keys = items.map((i) => `${i.entity}:${i.id}`).sort();
  assert.deepEqual(keys, [`activities:${a1.id}`, `activities:${a2.id}`, `activities:${a3.id}`, `deals:${D.id}`].sort(), fmt(r));
  for (const i of items) {
    assert.equal(i.record.id, i.id);
    assert.ok(!Number.isNaN(Date.parse(i.at)));
    assert.equal(Date.parse(i.at), Date.parse(i.record.created_at), 'at is the created_at');
  }
  for (let k = 1; k < items.length; k++) assert.ok(Date.parse(items[k - 1].at) >= Date.parse(items[k].at), 'not newest first');
  assert.ok(!r.text.includes(`"${a4.subject}"`) && !r.text.includes(`"${a5.subject}"`) && !r.text.includes(`"${a6.subject}"`));

  const ct = await srv.admin.get(`${API}/contacts/${C.id}/timeline`);
  expectStatus(ct, 200);
  assert.ok(ct.json.data.some((i) => i.entity === 'activities' && i.id === a2.id), `contact timeline lacks its activity: ${fmt(ct)}`);
  assert.ok(!ct.json.data.some((i) => i.id === a4.id && i.entity === 'activities'));
  const dt = await srv.admin.get(`${API}/deals/${D.id}/timeline`);
  expectStatus(dt, 200);
  assert.ok(dt.json.data.some((i) => i.entity === 'activities' && i.id === a3.id), `deal timeline lacks its activity: ${fmt(dt)}`);
  assert.ok(!dt.json.data.some((i) => i.entity === 'activities' && (i.id === a5.id || i.id === a1.id)));

  // deleted items leave the timeline
  expectStatus(await srv.admin.del(`${API}/activities/${a1.id}`), 204);
  const r2 = await srv.admin.get(`${API}/accounts/${A.id}/timeline`);
  assert.ok(!r2.json.data.some((i) => i.entity === 'activities' && i.id === a1.id), 'a deleted activity is still on the timeline');
  expectStatus(await srv.admin.get(`${API}/accounts/987654/timeline`), 404, 'timeline of a missing account');
});

test('Idempotency-Key: a retry replays the first response and creates nothing', async () => {
  const key = uniq('idem-');
  const body = { name: uniq('Idem Co ') };
  const r1 = await srv.admin.post(`${API}/accounts`, body, { headers: { 'Idempotency-Key': key } });
  expectStatus(r1, 201);
  assert.notEqual(r1.headers.get('idempotent-replayed'), 'true');
  const r2 = await srv.admin.post(`${API}/accounts`, body, { headers: { 'Idempotency-Key': key } });
  expectStatus(r2, 201, 'replay');
  assert.equal(r2.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(r2.json, r1.json, 'replayed body differs');
  S.idem = { r1, r2 };
  assert.equal(await count(srv.admin, 'accounts', `name=${enc(body.name)}`), 1, 'the retry created a second record');

  // same key, other body → 422
  const soft = new Soft();
  const r3 = await srv.admin.post(`${API}/accounts`, { name: `${body.name} changed` }, { headers: { 'Idempotency-Key': key } });
  await soft.check(() => expectProblem(r3, 422, 'idempotency_key_reused', 'same key, other body'));
  assert.equal(await count(srv.admin, 'accounts', `name=${enc(`${body.name} changed`)}`), 0, 'same key with another body created a record');

  // another key, same body → a new record
  const r4 = await srv.admin.post(`${API}/accounts`, body, { headers: { 'Idempotency-Key': `${key}-2` } });
  expectStatus(r4, 201);
  assert.notEqual(r4.json.id, r1.json.id);
  soft.done('idempotency');
});

test('an idempotent replay carries the first Location and ETag', async () => {
  assert.ok(S.idem, 'the replay test did not run');
  const { r1, r2 } = S.idem;
  const soft = new Soft();
  await soft.check(() => assert.equal(r2.headers.get('location'), r1.headers.get('location'), `replay Location ${r2.headers.get('location')} ≠ ${r1.headers.get('location')}`));
  await soft.check(() => assert.equal(r2.headers.get('etag'), r1.headers.get('etag'), `replay ETag ${r2.headers.get('etag')} ≠ ${r1.headers.get('etag')}`));
  soft.done('replayed headers');
});

test('Idempotency-Key is per user: another user with the same key gets its own result', async () => {
  const key = uniq('shared-');
  const body = { name: uniq('Shared Key Co ') };
  const r1 = await srv.admin.post(`${API}/accounts`, body, { headers: { 'Idempotency-Key': key } });
  expectStatus(r1, 201);
  const sales = await makeUser(srv, { role: 'sales' });
  const r2 = await sales.client.post(`${API}/accounts`, body, { headers: { 'Idempotency-Key': key } });
  assert.notEqual(r2.headers.get('idempotent-replayed'), 'true', `another user got the admin's replay: ${fmt(r2)}`);
  if (r2.status === 201) {
    assert.notEqual(r2.json.id, r1.json.id);
    assert.equal(r2.json.owner_id, sales.user.id);
  }
});

test('Idempotency-Key with a bearer token, and concurrent retries create one record', async () => {
  const t = await srv.admin.post(`${API}/tokens`, { name: 'idem' });
  expectStatus(t, 201);
  const bearer = srv.as({ token: t.json.token });
  const key = uniq('conc-');
  const body = { name: uniq('Concurrent Co ') };
  const rs = await Promise.all(Array.from({ length: 6 }, () => bearer.post(`${API}/accounts`, body, { headers: { 'Idempotency-Key': key } })));
  for (const r of rs) expectStatus(r, [201, 409], 'concurrent retry');
  const created = rs.filter((r) => r.status === 201);
  assert.ok(created.length >= 1);
  assert.equal(new Set(created.map((r) => r.json.id)).size, 1, 'concurrent retries returned different records');
  assert.equal(await count(srv.admin, 'accounts', `name=${enc(body.name)}`), 1, 'concurrent retries created several records');
});

test('custom fields survive a restart', async () => {
  // the main server added loyalty_level and cf_* earlier; restart a copy on the same database
  expectStatus(await srv.admin.post(`${API}/meta/deals/fields`, { name: 'restart_flag', type: 'boolean' }), 201);
  const d = await create(srv.admin, 'deals', { name: 'Restart Deal', restart_flag: true });
  const old = srv.server;
  await old.stop();
  assert.equal(old.sanitizerReport(), null, 'sanitizer report before the restart');
  const again = await startServer({ dir: srv.server.dir, adminPassword: srv.server.adminPassword });
  srv.server = again;
  const s = await again.login(again.adminEmail, again.adminPassword);
  expectStatus(s.res, 200, 'login after restart');
  srv.admin = again.as(s);
  const meta = await getMeta(srv.admin);
  assert.ok(field(meta, 'deals', 'restart_flag'), 'custom field lost on restart');
  assert.ok(field(meta, 'contacts', 'loyalty_level'), 'custom field lost on restart');
  const g = await srv.admin.get(`${API}/deals/${d.id}`);
  expectStatus(g, 200);
  assert.equal(g.json.restart_flag, true);
  const rows = await listAll(srv.admin, `${API}/deals?restart_flag=true`);
  assert.deepEqual(rows.map((x) => x.id), [d.id]);
});
