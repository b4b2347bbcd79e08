// dedup.test.mjs — duplicates on demand and merge, on a database of their
// own (the order of the duplicate groups is the order of all the keys): a
// group is two records, never one record twice; paging by cursor shows
// every group once; merging two accounts brings their people's names
// together; a stale If-Match refuses a merge; the records moved by a
// merge say so in their history; a phone written "+44 (0)20 …" is the
// number without the 0, and keys an older version made are made again.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  API, useServer, expectStatus, expectProblem, expectFieldError, create, makeUser, uniq, etag, sqlOn,
} from './lib/server.mjs';

const srv = useServer();
const tag = uniq('dd');

before(async () => {
  await srv.ready;
});

/** Every group of entity, following next_cursor with pages of limit. */
async function allGroups(entity, limit) {
  const groups = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const r = await srv.admin.get(`${API}/${entity}/duplicates?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expectStatus(r, 200, `duplicates page ${page}`);
    groups.push(...r.json.data);
    cursor = r.json.next_cursor;
    if (!cursor) return groups;
  }
  assert.fail('the duplicates did not end after 100 pages');
}

test('paging by cursor shows every group once, past groups of deleted records', async () => {
  // five e-mail keys in this order; the first one's pair is half deleted,
  // so the first read of a page finds one group fewer than it asked for
  const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `${k}-${tag}@paging.example`);
  const ids = [];
  for (const email of keys) {
    const one = await create(srv.admin, 'leads', { name: `Lead one ${email}`, email });
    const two = await create(srv.admin, 'leads', { name: `Lead two ${email}`, email: email.toUpperCase() });
    ids.push([one.id, two.id]);
  }
  expectStatus(await srv.admin.del(`${API}/leads/${ids[0][1]}`), 204);
  const want = keys.slice(1);
  for (const limit of [1, 2, 3, 4, 100]) {
    const got = (await allGroups('leads', limit)).filter((g) => g.key.includes(tag)).map((g) => g.key);
    assert.deepEqual(got, want, `pages of ${limit}`);
  }
});

test('names spelled almost alike in one company are offered as pairs after the shared keys, on every page size; not across companies', async () => {
  const a = await create(srv.admin, 'accounts', { name: `Zeta Alike ${tag}` });
  const b = await create(srv.admin, 'accounts', { name: `Other Zeta ${tag}` });
  const person = (name, account) => create(srv.admin, 'contacts', { name, account_id: account.id });
  const cat = await person('Catherine Zeta', a);
  const kat = await person('Katherine Zeta', a);
  await person('Peter Zeta', a);
  const elsewhere = await person('Katherine Zeta', b);
  // other people: a whole first name apart, one Chinese syllable apart
  const others = [await person('Наталья Михайлова', a), await person('Татьяна Михайлова', a),
    await person('陈娟', a), await person('陈军', a)];
  const ours = new Set([cat.id, kat.id, elsewhere.id, ...others.map((o) => o.id)]);
  for (const limit of [1, 2, 100]) {
    const groups = await allGroups('contacts', limit);
    const mine = groups.filter((g) => g.records.some((r) => ours.has(r.id)));
    assert.deepEqual(mine.map((g) => [g.kind, g.records.map((r) => r.id).sort((x, y) => x - y)]),
      [['similar_name', [cat.id, kat.id].sort((x, y) => x - y)]], `pages of ${limit}`);
    const firstSimilar = groups.findIndex((g) => g.kind === 'similar_name');
    assert.ok(groups.slice(firstSimilar).every((g) => g.kind === 'similar_name'), 'the pairs come after the shared keys');
  }
});

test('a record whose two e-mails or two phones are the same is not its own duplicate', async () => {
  const email = `same-${tag}@twice.example`;
  const c = await create(srv.admin, 'contacts', {
    name: `Twice ${tag}`, email, email2: email.toUpperCase(), phone: '+7 916 555-01-02', mobile: '8 916 555 01 02',
  });
  const mine = (await allGroups('contacts', 100)).filter((g) => g.records.some((r) => r.id === c.id));
  assert.deepEqual(mine, [], 'a group of the one record');
  // with a real duplicate, the group lists each record once
  const other = await create(srv.admin, 'contacts', { name: `Twice other ${tag}`, email });
  const group = (await allGroups('contacts', 100)).find((g) => g.kind === 'email' && g.key === email);
  assert.ok(group, 'the pair is not offered');
  assert.deepEqual(group.records.map((r) => r.id).sort((x, y) => x - y), [c.id, other.id]);
});

test("merging two accounts makes their people's names duplicates within the survivor", async () => {
  const keep = await create(srv.admin, 'accounts', { name: `ООО «Ромашка ${tag}»` });
  const dup = await create(srv.admin, 'accounts', { name: `Romashka ${tag} LLC` });
  const ru = await create(srv.admin, 'contacts', { name: 'Иван Петров', account_id: keep.id });
  const en = await create(srv.admin, 'contacts', { name: 'Ivan Petrov', account_id: dup.id });
  const names = async () => (await allGroups('contacts', 100)).filter((g) => g.kind === 'name'
    && g.records.some((r) => r.id === ru.id) && g.records.some((r) => r.id === en.id));
  assert.deepEqual(await names(), [], 'namesakes of two companies are not duplicates');
  const accounts = (await allGroups('accounts', 100)).find((g) => g.records.some((r) => r.id === keep.id));
  assert.ok(accounts && accounts.records.some((r) => r.id === dup.id), 'the two accounts are not offered');
  expectStatus(await srv.admin.post(`${API}/accounts/${keep.id}/merge`, { duplicate_id: dup.id }), 200, 'merge');
  assert.equal((await srv.admin.get(`${API}/contacts/${en.id}`)).json.account_id, keep.id);
  const after = await names();
  assert.equal(after.length, 1, 'the two Ivan Petrovs, now of one company, are not offered');
});

test('a merge with a stale If-Match is refused and changes nothing', async () => {
  const email = `stale-${tag}@example.com`;
  const keep = await create(srv.admin, 'contacts', { name: `Stale keep ${tag}`, email });
  const dup = await create(srv.admin, 'contacts', { name: `Stale dup ${tag}`, email, city: 'Тверь' });
  expectStatus(await srv.admin.patch(`${API}/contacts/${keep.id}`, { title: 'Changed meanwhile' }), 200);
  const stale = await srv.admin.post(`${API}/contacts/${keep.id}/merge`, { duplicate_id: dup.id },
    { headers: { 'If-Match': etag(keep.version) } });
  expectProblem(stale, 412, 'version_conflict');
  expectStatus(await srv.admin.get(`${API}/contacts/${dup.id}`), 200, 'the duplicate is still there');
  assert.equal((await srv.admin.get(`${API}/contacts/${keep.id}`)).json.city, null);
  expectProblem(await srv.admin.post(`${API}/contacts/${keep.id}/merge`, { duplicate_id: dup.id },
    { headers: { 'If-Match': 'nonsense' } }), 400, 'invalid_if_match');
  const ok = await srv.admin.post(`${API}/contacts/${keep.id}/merge`, { duplicate_id: dup.id },
    { headers: { 'If-Match': etag(keep.version + 1) } });
  expectStatus(ok, 200, 'merge with the current version');
  assert.equal(ok.json.city, 'Тверь');
});

test('a merge by a role that may not change a field leaves that field as it was; picking its value is refused', async () => {
  const role = await create(srv.admin, 'roles', {
    name: uniq('merger'),
    permissions: { contacts: { read: 'own', create: 'all', edit: 'own', delete: 'own', readonly: ['title'] } },
  });
  const u = await makeUser(srv, { role: role.name });
  const email = `ro-merge-${tag}@example.com`;
  const keep = await create(u.client, 'contacts', { name: `RO keep ${tag}`, email });
  // the admin gave the duplicate a title the user may not write
  const dup = await create(u.client, 'contacts', { name: `RO dup ${tag}`, email, city: 'Казань' });
  expectStatus(await srv.admin.patch(`${API}/contacts/${dup.id}`, { title: 'Директор' }), 200);
  const picked = await u.client.post(`${API}/contacts/${keep.id}/merge`, { duplicate_id: dup.id, values: { title: 'Директор' } });
  expectFieldError(picked, 'title', 'read_only');
  expectStatus(await srv.admin.get(`${API}/contacts/${dup.id}`), 200, 'a refused merge keeps the duplicate');
  const r = await u.client.post(`${API}/contacts/${keep.id}/merge`, { duplicate_id: dup.id });
  expectStatus(r, 200, 'merge by a role with a read-only field');
  assert.equal(r.json.city, 'Казань', 'a field the role may write is filled');
  assert.equal(r.json.title, null, 'a read-only field is filled by a merge');
  expectStatus(await srv.admin.get(`${API}/contacts/${dup.id}`), 404, 'the duplicate is not binned');
  const bin = await srv.admin.get(`${API}/contacts?deleted=true&email=${encodeURIComponent(email)}`);
  expectStatus(bin, 200, 'the recycle bin');
  const binned = bin.json.data.find((x) => x.id === dup.id);
  assert.equal(binned && binned.title, 'Директор', `the binned duplicate: ${JSON.stringify(bin.json.data)}`);
});

test('a merge writes the move in the history of every record that pointed at the duplicate', async () => {
  const keep = await create(srv.admin, 'accounts', { name: `Kept Co ${tag}` });
  const dup = await create(srv.admin, 'accounts', { name: `Binned Co ${tag}` });
  const person = await create(srv.admin, 'contacts', { name: `Moved Person ${tag}`, account_id: dup.id });
  const deal = await create(srv.admin, 'deals', { name: `Moved deal ${tag}`, account_id: dup.id });
  const call = await create(srv.admin, 'activities', { type: 'call', subject: `Moved call ${tag}`, related_type: 'accounts', related_id: dup.id });
  expectStatus(await srv.admin.post(`${API}/accounts/${keep.id}/merge`, { duplicate_id: dup.id }), 200, 'merge');
  for (const [entity, rec, field] of [['contacts', person, 'account_id'], ['deals', deal, 'account_id'], ['activities', call, 'related_id']]) {
    const hist = (await srv.admin.get(`${API}/${entity}/${rec.id}/history`)).json.data;
    const moved = hist.find((h) => h.action === 'merge' && h.changes[0].field === field);
    assert.ok(moved, `${entity} ${rec.id} has no merge of ${field} in its history: ${JSON.stringify(hist)}`);
    assert.deepEqual(moved.changes, [{ field, old: dup.id, new: keep.id }]);
  }
});

test('"+44 (0)20 …" and "+44 20 …" are one number; keys an older version made are made again while idle', async () => {
  const a = await create(srv.admin, 'accounts', { name: `Trunk one ${tag}`, phone: '+44 (0)20 7946 0301' });
  const b = await create(srv.admin, 'accounts', { name: `Trunk two ${tag}`, phone: '+44 20 7946 0301' });
  const pair = async () => (await allGroups('accounts', 100)).find((g) => g.kind === 'phone' && g.key === '442079460301');
  const group = await pair();
  assert.ok(group, 'the two ways of writing the number are not offered as duplicates');
  assert.deepEqual(group.records.map((r) => r.id).sort((x, y) => x - y), [a.id, b.id]);
  // what a database keyed before this version holds: the trunk 0 kept in
  // the key, and (the upgrade's migration) the record waiting to be keyed
  // again, which the idle server does
  sqlOn(srv.server.db, `UPDATE dedup_keys SET key = '4402079460301' WHERE entity = 4 AND record_id = ${a.id} AND kind = 'phone'`);
  assert.equal(await pair(), undefined, 'the old key is no duplicate');
  sqlOn(srv.server.db, `INSERT INTO dedup_backlog (key) VALUES (${4 * 2 ** 40 + a.id})`);
  const deadline = Date.now() + 20_000;
  while (!(await pair())) {
    assert.ok(Date.now() < deadline, 'the record was not keyed again within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(sqlOn(srv.server.db, 'SELECT count(*) FROM dedup_backlog'), '0');
});
