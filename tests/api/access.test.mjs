// access.test.mjs — roles, teams, ownership: who sees and changes what,
// through every endpoint (get, list + filters, search, timeline,
// include, history, patch, delete, restore), plus hidden and read-only
// fields set by an admin on a role.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  API, useServer, expectStatus, expectProblem, fmt, create, makeUser, roles as getRoles, listAll, count, uniq, Soft,
} from './lib/server.mjs';

const srv = useServer();
const enc = encodeURIComponent;
const S = {}; // the set-up

function scopeOf(role, entity, action) {
  const p = role.permissions || {};
  return (p[entity] && p[entity][action]) || (p['*'] && p['*'][action]) || 'none';
}

before(async () => {
  await srv.ready;
  S.roles = await getRoles(srv.admin);
  S.teamA = await create(srv.admin, 'teams', { name: 'Team Alpha' });
  S.teamB = await create(srv.admin, 'teams', { name: 'Team Bravo' });
  S.sa = await makeUser(srv, { role: 'sales', team_id: S.teamA.id, name: 'Sales Alpha' });
  S.sa2 = await makeUser(srv, { role: 'sales', team_id: S.teamA.id, name: 'Sales Alpha Two' });
  S.sb = await makeUser(srv, { role: 'sales', team_id: S.teamB.id, name: 'Sales Bravo' });
  S.ro = await makeUser(srv, { role: 'read-only', team_id: S.teamA.id, name: 'Read Only' });

  // account X in team A (visible to sa), account Y in team B
  S.X = await create(srv.admin, 'accounts', { name: 'Xylophone Industries', owner_id: S.sa.user.id, team_id: S.teamA.id });
  S.Y = await create(srv.admin, 'accounts', { name: 'Yonderbravo Holdings', owner_id: S.sb.user.id, team_id: S.teamB.id });

  // the hidden deal: created by sb, then linked to X by the admin
  S.H = await create(S.sb.client, 'deals', { name: 'Hiddenbravo Deal', amount: 5000 }, 'sb creates a deal');
  const hp = await srv.admin.patch(`${API}/deals/${S.H.id}`, { account_id: S.X.id });
  expectStatus(hp, 200, 'admin links the hidden deal to X');
  S.H = hp.json;
  S.Hact = await create(S.sb.client, 'activities', { type: 'call', subject: 'Hiddenbravo call', related_type: 'deals', related_id: S.H.id }, 'sb logs a call on its deal');

  // a visible deal of sa2 (same team as sa) on X
  S.V = await create(S.sa2.client, 'deals', { name: 'Visiblealpha Deal', amount: 700, account_id: S.X.id }, 'sa2 creates a deal on X');
  S.Vact = await create(S.sa2.client, 'activities', { type: 'meeting', subject: 'Visiblealpha meeting', related_type: 'accounts', related_id: S.X.id }, 'sa2 logs a meeting on X');
});

test('the default roles exist', async () => {
  for (const n of ['admin', 'manager', 'sales', 'service', 'marketing', 'finance', 'read-only']) {
    assert.ok(S.roles[n], `no default role ${n}; have ${Object.keys(S.roles).join(', ')}`);
    assert.equal(typeof S.roles[n].permissions, 'object', `role ${n} permissions is not an object`);
  }
});

test('records get the creator\'s team; the hidden deal is sb\'s in team B', async () => {
  assert.equal(S.H.owner_id, S.sb.user.id);
  assert.equal(S.H.team_id, S.teamB.id);
  assert.equal(S.V.owner_id, S.sa2.user.id);
  assert.equal(S.V.team_id, S.teamA.id);
});

test('GET /deals/{id}: sb\'s deal → 404 for sa (admin sees it); sa2\'s deal → 200 for sa', async () => {
  expectStatus(await srv.admin.get(`${API}/deals/${S.H.id}`), 200, 'admin GET hidden deal');
  expectStatus(await S.sb.client.get(`${API}/deals/${S.H.id}`), 200, 'owner GET');
  expectProblem(await S.sa.client.get(`${API}/deals/${S.H.id}`), 404, null, 'sa GET hidden deal');
  const v = await S.sa.client.get(`${API}/deals/${S.V.id}`);
  expectStatus(v, 200, 'sa GET team deal');
  assert.equal(v.json.name, 'Visiblealpha Deal');
  expectProblem(await S.sb.client.get(`${API}/deals/${S.V.id}`), 404, null, 'sb GET team A deal');
});

test('lists: the hidden deal is in no list of sa, whatever the filter, sort, fields or include', async () => {
  const adminAll = await listAll(srv.admin, `${API}/deals?limit=500`);
  assert.ok(adminAll.some((d) => d.id === S.H.id), 'control: admin lists the hidden deal');
  const queries = ['', `id=${S.H.id}`, `id[in]=${S.H.id},${S.V.id}`, `name[contains]=hiddenbravo`, `name[prefix]=Hidden`,
    'sort=-amount', 'sort=name&limit=1', 'fields=name', 'include=account', `q=hiddenbravo`, `account_id=${S.X.id}`,
    `owner_id=${S.sb.user.id}`, `team_id=${S.teamB.id}`, 'amount[gte]=5000'];
  for (const q of queries) {
    const rows = await listAll(S.sa.client, `${API}/deals?${q}`);
    assert.ok(!rows.some((d) => d.id === S.H.id), `sa sees the hidden deal in GET /deals?${q}`);
    assert.ok(!JSON.stringify(rows).includes('Hiddenbravo'), `sa sees the hidden deal's name in GET /deals?${q}`);
  }
  const mine = await listAll(S.sa.client, `${API}/deals?limit=500`);
  assert.ok(mine.some((d) => d.id === S.V.id), 'sa lists the team deal');
  const sbs = await listAll(S.sb.client, `${API}/deals?limit=500`);
  assert.ok(sbs.some((d) => d.id === S.H.id) && !sbs.some((d) => d.id === S.V.id), 'sb lists its own deal but not team A\'s');
});

test('recycle bin: sa does not see team B\'s deleted deals', async () => {
  const h2 = await create(S.sb.client, 'deals', { name: 'Hiddenbravo Binned', amount: 1 });
  expectStatus(await srv.admin.del(`${API}/deals/${h2.id}`), 204);
  const a = await srv.admin.get(`${API}/deals?deleted=true&limit=500`);
  assert.ok(a.json.data.some((d) => d.id === h2.id), 'control: admin sees it in the bin');
  const r = await S.sa.client.get(`${API}/deals?deleted=true&limit=500`);
  expectStatus(r, [200, 403], 'sa lists the bin');
  if (r.status === 200) assert.ok(!r.json.data.some((d) => d.id === h2.id), `sa sees a team B deal in the bin: ${fmt(r)}`);
  expectStatus(await S.sa.client.post(`${API}/deals/${h2.id}/restore`), [403, 404], 'sa restores a team B deal');
  expectStatus(await srv.admin.get(`${API}/deals/${h2.id}`), 404, 'the deal stays deleted');
});

test('search: sa does not find the hidden deal (admin does); finds the team deal', async () => {
  const a = await srv.admin.get(`${API}/search?q=hiddenbravo`);
  expectStatus(a, 200);
  assert.ok(a.json.data.some((h) => h.entity === 'deals' && h.id === S.H.id), `control: admin finds it: ${fmt(a)}`);
  for (const q of ['hiddenbravo', 'Hiddenbravo Deal', 'hidd']) {
    const r = await S.sa.client.get(`${API}/search?q=${enc(q)}`);
    expectStatus(r, 200);
    assert.ok(!r.json.data.some((h) => h.entity === 'deals' && h.id === S.H.id), `sa finds the hidden deal with q=${q}: ${fmt(r)}`);
    assert.ok(!r.json.data.some((h) => h.entity === 'activities' && h.id === S.Hact.id), `sa finds sb's activity with q=${q}: ${fmt(r)}`);
    assert.ok(!r.text.includes('Hiddenbravo'), `search q=${q} leaks the name: ${fmt(r)}`);
  }
  const v = await S.sa.client.get(`${API}/search?q=visiblealpha`);
  assert.ok(v.json.data.some((h) => h.entity === 'deals' && h.id === S.V.id), `sa finds the team deal: ${fmt(v)}`);
});

test('timeline of X: sa sees team A items but not the hidden deal or its activity (admin sees all)', async () => {
  const a = await srv.admin.get(`${API}/accounts/${S.X.id}/timeline`);
  expectStatus(a, 200);
  const has = (r, e, id) => r.json.data.some((i) => i.entity === e && i.id === id);
  assert.ok(has(a, 'deals', S.H.id), `control: admin timeline lacks the hidden deal: ${fmt(a)}`);
  assert.ok(has(a, 'activities', S.Hact.id), `control: admin timeline lacks the activity on the hidden deal: ${fmt(a)}`);
  const r = await S.sa.client.get(`${API}/accounts/${S.X.id}/timeline`);
  expectStatus(r, 200, 'sa timeline of X');
  assert.ok(!has(r, 'deals', S.H.id), `sa's timeline has the hidden deal: ${fmt(r)}`);
  assert.ok(!has(r, 'activities', S.Hact.id), `sa's timeline has sb's activity on the hidden deal: ${fmt(r)}`);
  assert.ok(!r.text.includes('Hiddenbravo'), `sa's timeline leaks the hidden names: ${fmt(r)}`);
  assert.ok(has(r, 'deals', S.V.id), `sa's timeline lacks the team deal: ${fmt(r)}`);
  assert.ok(has(r, 'activities', S.Vact.id), `sa's timeline lacks the team activity: ${fmt(r)}`);
});

test('history, timeline, PATCH, DELETE and restore of the hidden deal → 404 for sa; nothing changes', async () => {
  expectStatus(await srv.admin.get(`${API}/deals/${S.H.id}/history`), 200, 'control: admin history');
  expectProblem(await S.sa.client.get(`${API}/deals/${S.H.id}/history`), 404, null, 'sa history');
  expectProblem(await S.sa.client.get(`${API}/deals/${S.H.id}/timeline`), 404, null, 'sa deal timeline');
  expectProblem(await S.sa.client.patch(`${API}/deals/${S.H.id}`, { name: 'pwned' }), 404, null, 'sa PATCH');
  expectProblem(await S.sa.client.patch(`${API}/deals/${S.H.id}`, { name: 'pwned' }, { headers: { 'If-Match': '"1"' } }), 404, null, 'sa PATCH with If-Match');
  expectProblem(await S.sa.client.del(`${API}/deals/${S.H.id}`), 404, null, 'sa DELETE');
  expectStatus(await S.sa.client.post(`${API}/deals/${S.H.id}/restore`), 404, 'sa restore');
  const g = await srv.admin.get(`${API}/deals/${S.H.id}`);
  expectStatus(g, 200, 'the hidden deal still exists');
  assert.equal(g.json.name, 'Hiddenbravo Deal');
  assert.equal(g.json.version, S.H.version);
});

test('sa cannot link records to the hidden deal or to team B\'s account (reference → 422 not_found)', async () => {
  const r = await S.sa.client.post(`${API}/activities`, { type: 'note', subject: 'probe', related_type: 'deals', related_id: S.H.id });
  expectStatus(r, [403, 404, 422], 'activity on a hidden deal');
  if (r.status === 422) assert.ok(r.json.errors.some((e) => e.field === 'related_id' && e.code === 'not_found'), fmt(r));
  if (scopeOf(S.roles.sales, 'accounts', 'read') !== 'all') {
    const d = await S.sa.client.post(`${API}/deals`, { name: 'Probe deal', account_id: S.Y.id });
    expectStatus(d, [403, 404, 422], 'deal on a hidden account');
    if (d.status === 422) assert.ok(d.json.errors.some((e) => e.field === 'account_id' && e.code === 'not_found'), fmt(d));
  }
  assert.equal(await count(srv.admin, 'activities', 'subject=probe'), 0);
});

test('include=account does not embed an account sa cannot see', async (t) => {
  if (scopeOf(S.roles.sales, 'accounts', 'read') === 'all') {
    t.skip('sales may read every account by default');
    return;
  }
  expectStatus(await S.sa.client.get(`${API}/accounts/${S.Y.id}`), 404, 'sa GET team B account');
  const c = await create(srv.admin, 'contacts', { name: 'Crossteam Contact', owner_id: S.sa.user.id, team_id: S.teamA.id, account_id: S.Y.id });
  const d = await create(srv.admin, 'deals', { name: 'Crossteam Deal', owner_id: S.sa.user.id, team_id: S.teamA.id, account_id: S.Y.id });
  for (const [p, id] of [[`${API}/contacts?include=account&id=${c.id}`, c.id], [`${API}/deals?include=account&id=${d.id}`, d.id]]) {
    const r = await S.sa.client.get(p);
    expectStatus(r, 200, p);
    const row = r.json.data.find((x) => x.id === id);
    assert.ok(row, `sa should see its own record: ${fmt(r)}`);
    assert.ok(row.account === null || row.account === undefined, `include=account embedded a hidden account: ${fmt(r)}`);
    assert.ok(!r.text.includes('Yonderbravo'), `the hidden account's name leaked: ${fmt(r)}`);
  }
  const one = await S.sa.client.get(`${API}/contacts/${c.id}?include=account`);
  if (one.status === 200) assert.ok(!one.text.includes('Yonderbravo'), `GET one with include leaked: ${fmt(one)}`);
});

test('a sales user cannot create users', async () => {
  const before = await count(srv.admin, 'users');
  const r = await S.sa.client.post(`${API}/users`, { email: `${uniq('x')}@example.com`, name: 'Sneaky', password: 'password-1234', role_id: S.roles.admin.id });
  expectProblem(r, 403, 'forbidden', 'sales POST /users');
  assert.equal(await count(srv.admin, 'users'), before);
});

test('a sales user cannot change another user, nor roles or passwords', async () => {
  const id2 = S.sa2.user.id;
  for (const body of [{ name: 'Renamed' }, { role_id: S.roles.admin.id }, { password: 'new-password-123' }, { active: false }, { team_id: S.teamB.id }]) {
    const r = await S.sa.client.patch(`${API}/users/${id2}`, body);
    expectStatus(r, [403, 404], `sa PATCH users/${id2} ${JSON.stringify(body)}`);
  }
  const g = await srv.admin.get(`${API}/users/${id2}`);
  assert.equal(g.json.name, 'Sales Alpha Two');
  assert.equal(g.json.role_id, S.roles.sales.id);
  assert.equal(g.json.active, true);
  assert.equal(g.json.team_id, S.teamA.id);
  const own = await S.sa.client.patch(`${API}/users/${S.sa.user.id}`, { role_id: S.roles.admin.id });
  expectStatus(own, [403, 422], 'sa makes itself admin');
  const me = await srv.admin.get(`${API}/users/${S.sa.user.id}`);
  assert.equal(me.json.role_id, S.roles.sales.id, 'sa changed its own role');
  expectStatus(await S.sa.client.del(`${API}/users/${id2}`), [403, 404], 'sa deletes a user');
  const login = await srv.login(S.sa2.email, S.sa2.password);
  expectStatus(login.res, 200, 'sa2 still logs in with the old password');
});

test('a sales user cannot give a new deal to someone in another team', async () => {
  const name = uniq('Foreign owner ');
  const r = await S.sa.client.post(`${API}/deals`, { name, owner_id: S.sb.user.id });
  expectStatus(r, [403, 422], 'sa creates a deal owned by sb');
  if (r.status === 403) expectProblem(r, 403, 'forbidden');
  assert.equal(await count(srv.admin, 'deals', `name=${enc(name)}`), 0, 'the deal was created');
  const ok = await S.sa.client.post(`${API}/deals`, { name: uniq('Team owner '), owner_id: S.sa2.user.id });
  expectStatus(ok, 201, 'sa creates a deal owned by a team mate');
});

test('a sales user cannot change a team mate\'s deal it may only read (edit: own)', async (t) => {
  if (scopeOf(S.roles.sales, 'deals', 'edit') !== 'own') {
    t.skip('sales may edit team deals by default');
    return;
  }
  const r = await S.sa.client.patch(`${API}/deals/${S.V.id}`, { name: 'Stolen' });
  expectStatus(r, [403, 404], 'sa PATCH sa2 deal');
  const g = await srv.admin.get(`${API}/deals/${S.V.id}`);
  assert.equal(g.json.name, 'Visiblealpha Deal');
});

test('the read-only user reads but every write → 403 forbidden, nothing changed', async () => {
  const c = S.ro.client;
  expectStatus(await c.get(`${API}/deals`), 200);
  expectStatus(await c.get(`${API}/accounts/${S.X.id}`), 200);
  const before = await count(srv.admin, 'accounts');
  expectProblem(await c.post(`${API}/accounts`, { name: 'RO write' }), 403, 'forbidden', 'ro POST');
  expectProblem(await c.post(`${API}/deals`, { name: 'RO deal' }), 403, 'forbidden', 'ro POST deal');
  expectProblem(await c.patch(`${API}/accounts/${S.X.id}`, { name: 'RO renamed' }), 403, 'forbidden', 'ro PATCH');
  expectProblem(await c.del(`${API}/accounts/${S.X.id}`), 403, 'forbidden', 'ro DELETE');
  expectProblem(await c.post(`${API}/teams`, { name: 'RO team' }), 403, 'forbidden', 'ro POST team');
  expectProblem(await c.post(`${API}/meta/accounts/fields`, { name: 'ro_field', type: 'text' }), 403, 'forbidden', 'ro adds a custom field');
  const g = await srv.admin.get(`${API}/accounts/${S.X.id}`);
  assert.equal(g.json.name, 'Xylophone Industries');
  assert.equal(await count(srv.admin, 'accounts'), before);
});

test('no user list or record ever contains a password or its hash', async () => {
  for (const who of [srv.admin, S.sa.client, S.ro.client]) {
    const l = await who.get(`${API}/users?limit=500`);
    expectStatus(l, 200);
    assert.ok(!/"password|argon2/.test(l.text), `users list leaks: ${fmt(l)}`);
    const one = await who.get(`${API}/users/${S.sa2.user.id}`);
    if (one.status === 200) assert.ok(!/"password|argon2/.test(one.text), `user record leaks: ${fmt(one)}`);
    const h = await srv.admin.get(`${API}/users/${S.sa2.user.id}/history`);
    if (h.status === 200) assert.ok(!/argon2/.test(h.text), `user history leaks the hash: ${fmt(h)}`);
  }
});

test('non-admins cannot create or change roles', async () => {
  expectProblem(await S.sa.client.post(`${API}/roles`, { name: 'rogue', permissions: { '*': { read: 'all', create: 'all', edit: 'all', delete: 'all' } } }), 403, 'forbidden', 'sales POST /roles');
  const r = await S.sa.client.patch(`${API}/roles/${S.roles.sales.id}`, { permissions: { '*': { read: 'all', create: 'all', edit: 'all', delete: 'all' } } });
  expectStatus(r, [403, 404], 'sales PATCH its own role');
  const g = await srv.admin.get(`${API}/roles/${S.roles.sales.id}`);
  assert.deepEqual(g.json.permissions, S.roles.sales.permissions, 'the sales role changed');
  expectStatus(await S.sa.client.get(`${API}/deals/${S.H.id}`), 404, 'sa still cannot see the hidden deal');
});

test('role permissions are validated', async () => {
  const role = await create(srv.admin, 'roles', { name: uniq('checked'), permissions: { deals: { read: 'own' } } });
  for (const permissions of [{ deals: { read: 'bogus' } }, { nope_entity: { read: 'all' } }, { deals: { fly: 'all' } }, { deals: { hidden: 'amount' } }, { deals: 'all' }]) {
    const r = await srv.admin.patch(`${API}/roles/${role.id}`, { permissions });
    expectStatus(r, 422, `permissions ${JSON.stringify(permissions)}`);
  }
  const g = await srv.admin.get(`${API}/roles/${role.id}`);
  assert.deepEqual(g.json.permissions, { deals: { read: 'own' } });
});

test('an admin-edited role: scopes, hidden and read-only fields take effect at once', async (t) => {
  const base = {
    accounts: { read: 'all' },
    deals: { read: 'all', create: 'all', edit: 'own', delete: 'none' },
  };
  const role = await create(srv.admin, 'roles', { name: uniq('restricted'), permissions: base });
  const sr = await makeUser(srv, { role: role.name, team_id: S.teamA.id });
  const acc = await create(srv.admin, 'accounts', { name: 'Hiddenfield Account' });
  const d0 = await create(srv.admin, 'deals', { name: 'Admin Amount Deal', amount: 4242, probability: 30, account_id: acc.id });
  expectStatus(await srv.admin.patch(`${API}/deals/${d0.id}`, { amount: 4343 }), 200);
  // sr's own deal, made before any field is hidden
  const own = await create(sr.client, 'deals', { name: 'Restricted Own Deal', probability: 20 }, 'create: all');

  await t.test('scopes: read all, edit own, delete none', async () => {
    const before = await sr.client.get(`${API}/deals/${d0.id}`);
    expectStatus(before, 200, 'read: all');
    assert.equal(before.json.amount, 4343, 'amount visible before it is hidden');
    expectStatus(await sr.client.patch(`${API}/deals/${d0.id}`, { name: 'x' }), [403, 404], "edit another user's deal with edit: own");
    expectStatus(await sr.client.patch(`${API}/deals/${own.id}`, { name: 'Restricted Own Deal 2' }), 200, 'edit own deal');
    expectProblem(await sr.client.del(`${API}/deals/${own.id}`), 403, 'forbidden', 'delete: none');
    expectStatus(await srv.admin.get(`${API}/deals/${own.id}`), 200, 'the deal survives a refused delete');
  });

  const p = await srv.admin.patch(`${API}/roles/${role.id}`, {
    permissions: { ...base, deals: { ...base.deals, hidden: ['amount'], readonly: ['probability'] } },
  });
  expectStatus(p, 200, 'admin PATCH role permissions');
  assert.deepEqual(p.json.permissions.deals.hidden, ['amount']);

  await t.test('hidden field absent from GET, list, PATCH response and timeline', async () => {
    const soft = new Soft();
    await soft.check(async () => {
      const g = await sr.client.get(`${API}/deals/${d0.id}`);
      expectStatus(g, 200);
      assert.ok(!('amount' in g.json), `hidden amount returned by GET: ${fmt(g)}`);
    });
    await soft.check(async () => {
      const l = await sr.client.get(`${API}/deals?limit=500`);
      expectStatus(l, 200);
      assert.ok(l.json.data.length > 0 && l.json.data.every((x) => !('amount' in x)), `hidden amount in the list: ${fmt(l)}`);
    });
    await soft.check(async () => {
      const po = await sr.client.patch(`${API}/deals/${own.id}`, { name: 'Restricted Own Deal 3' });
      expectStatus(po, 200);
      assert.ok(!('amount' in po.json), `hidden amount in the PATCH response: ${fmt(po)}`);
    });
    await soft.check(async () => {
      const tl = await sr.client.get(`${API}/accounts/${acc.id}/timeline`);
      expectStatus(tl, 200);
      const item = tl.json.data.find((i) => i.entity === 'deals' && i.id === d0.id);
      assert.ok(item, `deal missing from the account timeline: ${fmt(tl)}`);
      assert.ok(!('amount' in item.record), `hidden amount in the timeline record: ${fmt(tl)}`);
    });
    soft.done('hidden field');
  });

  await t.test('meta marks the role\'s read-only field read_only for its users, not for the admin', async () => {
    const mine = await sr.client.get(`${API}/meta/deals`);
    expectStatus(mine, 200);
    const field = (m, n) => m.json.fields.find((f) => f.name === n);
    assert.equal(field(mine, 'probability').read_only, true, 'probability is read-only for the role');
    assert.equal(field(mine, 'name').read_only, false);
    assert.equal(field(mine, 'amount'), undefined, 'a hidden field is not described');
    const admin = await srv.admin.get(`${API}/meta/deals`);
    assert.equal(field(admin, 'probability').read_only, false, 'the admin may change probability');
  });

  await t.test('a hidden or read-only field not in the body does not block a create', async () => {
    const cr = await sr.client.post(`${API}/deals`, { name: 'Restricted New Deal' });
    expectStatus(cr, 201, 'POST without the hidden/read-only fields');
    assert.ok(!('amount' in cr.json), `hidden amount in the POST response: ${fmt(cr)}`);
  });

  await t.test('hidden field cannot be filtered or sorted (400)', async () => {
    const soft = new Soft();
    for (const q of ['amount[gt]=0', 'amount=4343', 'amount[in]=4343,1', 'amount[null]=false', 'sort=amount', 'sort=-amount', 'sort=name,amount']) {
      await soft.check(async () => expectStatus(await sr.client.get(`${API}/deals?${q}`), 400, `hidden field: GET /deals?${q}`));
    }
    await soft.check(async () => {
      const f = await sr.client.get(`${API}/deals?fields=name,amount`);
      if (f.status === 200) assert.ok(f.json.data.every((x) => !('amount' in x)), `fields=amount returned a hidden field: ${fmt(f)}`);
      else expectStatus(f, 400, 'fields=amount');
    });
    soft.done('hidden field filters');
  });

  await t.test('read-only field: PATCH refused (422 read_only or 403), value kept', async () => {
    const ro = await sr.client.patch(`${API}/deals/${own.id}`, { probability: 90 });
    expectStatus(ro, [403, 422], 'PATCH a read-only field');
    if (ro.status === 422) assert.ok(ro.json.errors.some((e) => e.field === 'probability' && e.code === 'read_only'), fmt(ro));
    const after = await srv.admin.get(`${API}/deals/${own.id}`);
    assert.equal(after.json.probability, 20, 'the read-only field changed');
  });

  await t.test('the admin still sees the field; un-hiding shows it again', async () => {
    const ag = await srv.admin.get(`${API}/deals/${d0.id}`);
    assert.equal(ag.json.amount, 4343);
    expectStatus(await srv.admin.patch(`${API}/roles/${role.id}`, { permissions: base }), 200);
    const again = await sr.client.get(`${API}/deals/${d0.id}`);
    assert.equal(again.json.amount, 4343, 'amount not visible again after un-hiding');
  });
});

test('[leak] a hidden field is not revealed by the record history', async () => {
  const role = await create(srv.admin, 'roles', {
    name: uniq('nohist'),
    permissions: { deals: { read: 'all', hidden: ['amount'] } },
  });
  const u = await makeUser(srv, { role: role.name, team_id: S.teamA.id });
  const d = await create(srv.admin, 'deals', { name: 'History Amount Deal', amount: 111 });
  expectStatus(await srv.admin.patch(`${API}/deals/${d.id}`, { amount: 98765 }), 200);
  const h = await u.client.get(`${API}/deals/${d.id}/history`);
  if (h.status === 200) {
    const leaked = h.json.data.some((e) => (e.changes || []).some((c) => c.field === 'amount'));
    assert.ok(!leaked, `history shows changes of the hidden field amount: ${fmt(h)}`);
  } else {
    expectStatus(h, [403, 404], 'history with hidden fields');
  }
});
