// timeline.test.mjs — an account's timeline holds the activities on the
// account, on its contacts and on its deals, newest first; an activity
// carries the account it belongs to (read-only), and follows its contact
// or deal to another account; the record itself is never in two places.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { API, useServer, expectStatus, expectFieldError, create, uniq } from './lib/server.mjs';

const srv = useServer();
const tag = uniq('tl');
const S = {};

before(async () => {
  await srv.ready;
  S.a = await create(srv.admin, 'accounts', { name: `Timeline A ${tag}` });
  S.b = await create(srv.admin, 'accounts', { name: `Timeline B ${tag}` });
  S.contact = await create(srv.admin, 'contacts', { name: `Tl Contact ${tag}`, account_id: S.a.id });
  S.deal = await create(srv.admin, 'deals', { name: `Tl Deal ${tag}`, account_id: S.a.id });
  S.onAccount = await create(srv.admin, 'activities', { type: 'note', subject: `on account ${tag}`, related_type: 'accounts', related_id: S.a.id });
  S.onContact = await create(srv.admin, 'activities', { type: 'call', subject: `on contact ${tag}`, related_type: 'contacts', related_id: S.contact.id });
  S.onDeal = await create(srv.admin, 'activities', { type: 'task', subject: `on deal ${tag}`, related_type: 'deals', related_id: S.deal.id });
});

async function timelineIds(accountId) {
  const r = await srv.admin.get(`${API}/accounts/${accountId}/timeline?limit=200`);
  expectStatus(r, 200, 'timeline');
  return r.json.data.filter((x) => x.entity === 'activities').map((x) => x.id);
}

test("an activity carries the account of what it is about; the account's timeline has them all once", async () => {
  for (const a of [S.onAccount, S.onContact, S.onDeal]) assert.equal(a.account_id, S.a.id, a.subject);
  const ids = await timelineIds(S.a.id);
  assert.deepEqual([...ids].sort(), [S.onAccount.id, S.onContact.id, S.onDeal.id].sort());
  assert.equal(new Set(ids).size, ids.length, 'an activity is listed twice');
  assert.deepEqual(await timelineIds(S.b.id), []);
});

test('account_id is read-only to clients', async () => {
  const r = await srv.admin.patch(`${API}/activities/${S.onContact.id}`, { account_id: S.b.id });
  expectFieldError(r, 'account_id', 'read_only');
});

test('a contact or deal moving to another account takes its activities along', async () => {
  let r = await srv.admin.patch(`${API}/contacts/${S.contact.id}`, { account_id: S.b.id });
  expectStatus(r, 200, 'move the contact');
  r = await srv.admin.patch(`${API}/deals/${S.deal.id}`, { account_id: S.b.id });
  expectStatus(r, 200, 'move the deal');
  assert.deepEqual(await timelineIds(S.a.id), [S.onAccount.id]);
  assert.deepEqual((await timelineIds(S.b.id)).sort(), [S.onContact.id, S.onDeal.id].sort());
  const moved = (await srv.admin.get(`${API}/activities/${S.onContact.id}`)).json;
  assert.equal(moved.account_id, S.b.id);
  // re-pointing an activity to the account itself, then to nothing's account
  r = await srv.admin.patch(`${API}/activities/${S.onDeal.id}`, { related_type: 'accounts', related_id: S.a.id });
  expectStatus(r, 200);
  assert.equal(r.json.account_id, S.a.id);
  r = await srv.admin.patch(`${API}/contacts/${S.contact.id}`, { account_id: null });
  expectStatus(r, 200);
  assert.equal((await srv.admin.get(`${API}/activities/${S.onContact.id}`)).json.account_id, null);
});

test('the timeline is newest first across activities and deals, and a shorter page is its beginning', async () => {
  const acc = await create(srv.admin, 'accounts', { name: `Timeline order ${tag}` });
  for (let i = 0; i < 4; i++) {
    await create(srv.admin, 'deals', { name: `Order deal ${i} ${tag}`, account_id: acc.id });
    await create(srv.admin, 'activities', { type: 'note', subject: `order note ${i} ${tag}`, related_type: 'accounts', related_id: acc.id });
  }
  const page = async (limit) => {
    const r = await srv.admin.get(`${API}/accounts/${acc.id}/timeline?limit=${limit}`);
    expectStatus(r, 200, `timeline limit=${limit}`);
    return r.json.data.map((x) => ({ key: `${x.entity}/${x.id}`, at: x.at, id: x.id, entity: x.entity }));
  };
  const all = await page(200);
  assert.equal(all.length, 8, JSON.stringify(all));
  assert.equal(all.filter((x) => x.key.startsWith('deals/')).length, 4);
  for (let i = 1; i < all.length; i++) {
    const [p, q] = [all[i - 1], all[i]];
    const before = p.at > q.at || (p.at === q.at && (p.id > q.id || (p.id === q.id && p.entity < q.entity)));
    assert.ok(before, `out of order at ${i}: ${JSON.stringify(all)}`);
  }
  for (const k of [1, 2, 3, 5, 7]) assert.deepEqual((await page(k)).map((x) => x.key), all.slice(0, k).map((x) => x.key), `limit=${k}`);
});
