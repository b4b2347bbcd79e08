// records.test.mjs — the generic record life cycle for every entity in
// GET /api/v1/meta: create, get, patch, stale If-Match, delete, recycle
// bin, restore. Bodies are generated from the meta field types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API, useServer, expectStatus, expectProblem, fmt, etag, create } from './lib/server.mjs';
import { ENTITIES, Fixtures, getMeta, assertRoundTrip, isReadOnly, isWriteOnly, fieldMaxLen } from './lib/gen.mjs';

const srv = useServer();

function pickPatchField(e, body) {
  const writable = e.fields.filter((f) => f.type === 'text' && !isReadOnly(f) && f.name !== 'time_zone');
  return writable.find((f) => f.name === 'name') || writable.find((f) => f.name === 'subject') ||
    writable.find((f) => f.name in body) || writable[0];
}

async function listIds(client, ent, query = '') {
  const r = await client.get(`${API}/${ent}?limit=500${query}`);
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.json.data), `no data[]: ${fmt(r)}`);
  return r.json.data.map((x) => x.id);
}

test('every contract entity is in /meta', async () => {
  const meta = await getMeta(srv.admin);
  const names = meta.entities.map((e) => e.name);
  for (const e of ENTITIES) assert.ok(names.includes(e), `meta lacks ${e}; has ${names.join(', ')}`);
});

test('serve initialised a default pipeline with stages', async () => {
  const p = await srv.admin.get(`${API}/pipelines?is_default=true&sort=id`);
  expectStatus(p, 200);
  assert.ok(p.json.data.length >= 1, `a default pipeline: ${fmt(p)}`);
  const s = await srv.admin.get(`${API}/stages?pipeline_id=${p.json.data[0].id}&sort=position`);
  expectStatus(s, 200);
  assert.ok(s.json.data.length >= 2, `default pipeline has stages: ${fmt(s)}`);
  assert.ok(s.json.data.some((x) => x.kind === 'won') && s.json.data.some((x) => x.kind === 'lost'), 'won and lost stages');
});

test('a deal made or moved into a Won or Lost stage is won or lost, closed when it was', async () => {
  const p = await srv.admin.get(`${API}/pipelines?is_default=true&sort=id`);
  const stages = (await srv.admin.get(`${API}/stages?pipeline_id=${p.json.data[0].id}&sort=position`)).json.data;
  const won = stages.find((s) => s.kind === 'won');
  const lost = stages.find((s) => s.kind === 'lost');
  const open = stages.find((s) => s.kind === 'open');
  const made = await create(srv.admin, 'deals', { name: 'Born won', stage_id: won.id });
  assert.equal(made.status, 'won');
  assert.ok(made.closed_at, 'closed when made');
  const moved = await create(srv.admin, 'deals', { name: 'Moved later', stage_id: open.id });
  assert.deepEqual([moved.status, moved.closed_at], ['open', null]);
  const r = await srv.admin.patch(`${API}/deals/${moved.id}`, { stage_id: lost.id });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'lost');
  assert.ok(r.json.closed_at);
  const back = await srv.admin.patch(`${API}/deals/${moved.id}`, { stage_id: open.id });
  assert.deepEqual([back.json.status, back.json.closed_at], ['open', null]);
});

test('CRUD life cycle of every entity', async (t) => {
  const meta = await getMeta(srv.admin);
  const fx = new Fixtures(srv.admin, meta, srv.adminUser);
  for (const e of meta.entities.filter((x) => x.generic_create)) {
    const ent = e.name;
    await t.test(ent, async () => {
      const body = await fx.build(ent);
      // create
      const c = await srv.admin.post(`${API}/${ent}`, body);
      expectStatus(c, 201, `create ${ent}`);
      const rec = c.json;
      assert.equal(typeof rec.id, 'number', `id: ${fmt(c)}`);
      assert.equal(c.headers.get('location'), `${API}/${ent}/${rec.id}`, 'Location header');
      assert.equal(c.headers.get('etag'), etag(1), 'ETag of a new record');
      assert.equal(rec.version, 1);
      assert.equal(rec.owner_id, srv.adminUser.id, 'owner_id defaults to the caller');
      assert.equal(rec.created_by, srv.adminUser.id, 'created_by');
      assert.equal(rec.deleted_at, null);
      assert.ok(!Number.isNaN(Date.parse(rec.created_at)) && /Z$/.test(rec.created_at), `created_at ${rec.created_at}`);
      assert.ok(!Number.isNaN(Date.parse(rec.updated_at)), `updated_at ${rec.updated_at}`);
      assert.ok('team_id' in rec, 'team_id member');
      assert.ok(Array.isArray(rec.tags), 'tags is an array');
      assertRoundTrip(meta, ent, body, rec, `POST ${ent}`);
      for (const f of e.fields) {
        if (isWriteOnly(f)) assert.ok(!(f.name in rec), `write-only ${f.name} returned`);
      }
      assert.ok(!/\$argon2/.test(c.text), 'a password hash in the response');

      // get
      const g = await srv.admin.get(`${API}/${ent}/${rec.id}`);
      expectStatus(g, 200, `get ${ent}`);
      assert.equal(g.headers.get('etag'), etag(1));
      assert.deepEqual(g.json, rec, 'GET returns what POST returned');

      // patch
      const pf = pickPatchField(e, body);
      assert.ok(pf, `${ent} has no writable text field to patch`);
      const max = fieldMaxLen(pf);
      let nv = `${String(rec[pf.name] ?? 'x').slice(0, 40)} v2`;
      if (max) nv = nv.slice(-max);
      const p = await srv.admin.patch(`${API}/${ent}/${rec.id}`, { [pf.name]: nv });
      expectStatus(p, 200, `patch ${ent}.${pf.name}`);
      assert.equal(p.json.version, 2);
      assert.equal(p.headers.get('etag'), etag(2));
      assert.equal(p.json[pf.name], nv);
      assert.ok(Date.parse(p.json.updated_at) >= Date.parse(rec.updated_at), 'updated_at moves forward');
      for (const [k, v] of Object.entries(rec)) {
        if (['updated_at', 'version', pf.name].includes(k)) continue;
        assert.deepEqual(p.json[k], v, `PATCH of ${pf.name} changed ${k}`);
      }

      // stale If-Match
      const stale = await srv.admin.patch(`${API}/${ent}/${rec.id}`, { [pf.name]: `${nv}!` }, { headers: { 'If-Match': etag(1) } });
      expectProblem(stale, 412, 'version_conflict', 'PATCH with a stale If-Match');
      const g2 = await srv.admin.get(`${API}/${ent}/${rec.id}`);
      expectStatus(g2, 200);
      assert.equal(g2.json[pf.name], nv, 'a refused PATCH changed the record');
      assert.equal(g2.json.version, 2);

      // current If-Match
      const cur = await srv.admin.patch(`${API}/${ent}/${rec.id}`, { [pf.name]: rec[pf.name] }, { headers: { 'If-Match': etag(2) } });
      expectStatus(cur, 200, 'PATCH with the current If-Match');
      assert.equal(cur.json.version, 3);
      assert.equal(cur.headers.get('etag'), etag(3));

      // delete
      const d = await srv.admin.del(`${API}/${ent}/${rec.id}`);
      expectStatus(d, 204, `delete ${ent}`);
      assert.equal(d.text, '', '204 with a body');
      expectStatus(await srv.admin.get(`${API}/${ent}/${rec.id}`), 404, 'GET after delete');
      expectStatus(await srv.admin.patch(`${API}/${ent}/${rec.id}`, { [pf.name]: 'zombie' }), 404, 'PATCH after delete');
      expectStatus(await srv.admin.del(`${API}/${ent}/${rec.id}`), 404, 'DELETE twice');
      assert.ok(!(await listIds(srv.admin, ent)).includes(rec.id), 'deleted record still in the list');
      const bin = await srv.admin.get(`${API}/${ent}?deleted=true&limit=500`);
      expectStatus(bin, 200, 'list ?deleted=true');
      const inBin = bin.json.data.find((x) => x.id === rec.id);
      assert.ok(inBin, `deleted record not in ?deleted=true: ${fmt(bin)}`);
      assert.ok(inBin.deleted_at, 'deleted_at is set in the recycle bin');
      assert.ok(bin.json.data.every((x) => x.deleted_at), '?deleted=true lists live records');

      // restore
      const rs = await srv.admin.post(`${API}/${ent}/${rec.id}/restore`);
      expectStatus(rs, 200, `restore ${ent}`);
      assert.equal(rs.json.id, rec.id);
      assert.equal(rs.json.deleted_at, null);
      const g3 = await srv.admin.get(`${API}/${ent}/${rec.id}`);
      expectStatus(g3, 200, 'GET after restore');
      assert.equal(g3.json[pf.name], rec[pf.name]);
      assert.ok((await listIds(srv.admin, ent)).includes(rec.id), 'restored record not in the list');
      const bin2 = await srv.admin.get(`${API}/${ent}?deleted=true&limit=500`);
      assert.ok(!bin2.json.data.some((x) => x.id === rec.id), 'restored record still in the recycle bin');
      expectStatus(await srv.admin.post(`${API}/${ent}/${rec.id}/restore`), [404, 409, 200], 'restoring a live record');
    });
  }
});

test('GET of a missing id → 404 problem; version 1 ETag on GET of a fresh record', async () => {
  const meta = await getMeta(srv.admin);
  for (const e of meta.entities.filter((x) => x.generic_create)) {
    expectProblem(await srv.admin.get(`${API}/${e.name}/987654321`), 404, null, `GET ${e.name}/987654321`);
  }
});

test('owner_id may be set explicitly by an admin; created_by stays the caller', async () => {
  const other = await create(srv.admin, 'users', {
    email: `owner-${Date.now()}@example.com`, name: 'Owner', password: 'password-1234',
    role_id: (await srv.admin.get(`${API}/roles?name=sales`)).json.data[0].id,
  });
  const a = await create(srv.admin, 'accounts', { name: 'Owned elsewhere', owner_id: other.id });
  assert.equal(a.owner_id, other.id);
  assert.equal(a.created_by, srv.adminUser.id);
});

test('read-only system fields cannot be written', async () => {
  const a = await create(srv.admin, 'accounts', { name: 'RO' });
  for (const [k, v] of [['id', 999], ['version', 9], ['created_at', '2020-01-01T00:00:00Z'], ['created_by', a.owner_id], ['deleted_at', null]]) {
    const r = await srv.admin.patch(`${API}/accounts/${a.id}`, { [k]: v });
    expectStatus(r, 422, `PATCH ${k}`);
    assert.ok(r.json.errors.some((x) => x.field === k && x.code === 'read_only'), `PATCH ${k}: ${fmt(r)}`);
  }
  const g = await srv.admin.get(`${API}/accounts/${a.id}`);
  assert.equal(g.json.version, 1, 'a refused PATCH bumped the version');
});

test('DELETE with a stale If-Match → 412, record kept', async () => {
  const a = await create(srv.admin, 'accounts', { name: 'Stale delete' });
  expectStatus(await srv.admin.patch(`${API}/accounts/${a.id}`, { city: 'X' }), 200);
  const d = await srv.admin.del(`${API}/accounts/${a.id}`, { headers: { 'If-Match': etag(1) } });
  expectProblem(d, 412, 'version_conflict');
  expectStatus(await srv.admin.get(`${API}/accounts/${a.id}`), 200, 'record after a refused DELETE');
  expectStatus(await srv.admin.del(`${API}/accounts/${a.id}`, { headers: { 'If-Match': etag(2) } }), 204, 'DELETE with the current If-Match');
});

// An If-Match that names no version (a negative number, text, a bad
// quote) was taken as "no If-Match": PATCH with "-5" and DELETE with any
// unusable value went through unchecked.
test('an unusable If-Match → 400 invalid_if_match, record kept', async () => {
  const a = await create(srv.admin, 'accounts', { name: 'Odd precondition' });
  for (const v of ['"-5"', '-1', 'W/"abc"', '" 1"', '"+1"', '"1']) {
    const p = await srv.admin.patch(`${API}/accounts/${a.id}`, { city: 'Y' }, { headers: { 'If-Match': v } });
    expectProblem(p, 400, 'invalid_if_match', `PATCH with If-Match ${v}`);
    const d = await srv.admin.del(`${API}/accounts/${a.id}`, { headers: { 'If-Match': v } });
    expectProblem(d, 400, 'invalid_if_match', `DELETE with If-Match ${v}`);
  }
  const g = await srv.admin.get(`${API}/accounts/${a.id}`);
  expectStatus(g, 200, 'record after the refused requests');
  assert.equal(g.json.version, 1, 'a refused request changed the record');
  expectStatus(await srv.admin.del(`${API}/accounts/${a.id}`, { headers: { 'If-Match': '*' } }), 204, 'DELETE with If-Match *');
});

test('PATCH with null clears an optional field; null on a required field → 422 required', async () => {
  const c = await create(srv.admin, 'contacts', { name: 'Nullable', title: 'CEO' });
  const p = await srv.admin.patch(`${API}/contacts/${c.id}`, { title: null });
  expectStatus(p, 200);
  assert.equal(p.json.title, null);
  const r = await srv.admin.patch(`${API}/contacts/${c.id}`, { name: null });
  expectStatus(r, 422);
  assert.ok(r.json.errors.some((x) => x.field === 'name' && x.code === 'required'), fmt(r));
  const e = await srv.admin.patch(`${API}/contacts/${c.id}`, { name: '' });
  expectStatus(e, 422, 'empty required text');
});

test('tags round-trip and duplicates collapse', async () => {
  const a = await create(srv.admin, 'accounts', { name: 'Tagged', tags: ['vip', 'north', 'vip'] });
  assert.deepEqual([...a.tags].sort(), ['north', 'vip']);
  const p = await srv.admin.patch(`${API}/accounts/${a.id}`, { tags: ['south'] });
  expectStatus(p, 200);
  assert.deepEqual(p.json.tags, ['south']);
});

test('datetime with an offset is returned in UTC Z form', async () => {
  const a = await create(srv.admin, 'activities', { type: 'call', subject: 'tz', due_at: '2025-03-14T12:30:00+03:00' });
  assert.equal(a.due_at, '2025-03-14T09:30:00Z');
  const g = await srv.admin.get(`${API}/activities/${a.id}`);
  assert.equal(g.json.due_at, '2025-03-14T09:30:00Z');
});

test('concurrent writes with the same If-Match: one wins, the others get 412, no version is lost', async () => {
  for (let round = 0; round < 5; round++) {
    const a = await create(srv.admin, 'accounts', { name: `Race ${round}` });
    const tries = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      srv.admin.patch(`${API}/accounts/${a.id}`, { name: `Race ${round} by ${i}` }, { headers: { 'If-Match': etag(1) } })));
    const won = tries.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `round ${round}: ${tries.map((r) => r.status).join(' ')}`);
    for (const r of tries) if (r.status !== 200) expectProblem(r, 412, 'version_conflict');
    const g = await srv.admin.get(`${API}/accounts/${a.id}`);
    assert.equal(g.json.version, 2);
    assert.equal(g.json.name, won[0].json.name, 'the stored name is not the winner\'s');
  }
  // without If-Match every write goes in, one after another
  const b = await create(srv.admin, 'accounts', { name: 'Race free' });
  const all = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    srv.admin.patch(`${API}/accounts/${b.id}`, { name: `Race free ${i}` })));
  for (const r of all) expectStatus(r, 200);
  assert.deepEqual(all.map((r) => r.json.version).sort((x, y) => x - y), [2, 3, 4, 5, 6, 7, 8, 9]);
});
