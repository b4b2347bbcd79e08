// twoservers.test.mjs — two `rapport serve` processes on one database, the
// scale-out setup PostgreSQL is for (SQLite allows it on one machine too):
// a session made on one is honoured by the other, a write on one is read
// and guarded by If-Match on the other, creates on both at once all land,
// and import jobs queued on both are each run exactly once (PostgreSQL's
// workers claim them with FOR UPDATE SKIP LOCKED).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API, expectStatus, expectProblem, listAll, randomPassword, startServer, uniq } from './lib/server.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-two-'));
const adminPassword = randomPassword();
let A;
let B;
let onA;
let onB;
let session;

before(async () => {
  A = await startServer({ dir, adminPassword });
  B = await startServer({ dir, adminPassword });
  session = await A.login(A.adminEmail, adminPassword);
  assert.equal(session.status, 200);
  onA = A.as(session);
  onB = B.as(session); // the same session, on the other server
});

after(async () => {
  await A?.stop();
  await B?.stop();
  if (!process.env.RAPPORT_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
});

test('a session made on one server is valid on the other', async () => {
  const me = await onB.get(`${API}/auth/me`);
  expectStatus(me, 200, 'GET /auth/me on the second server');
  assert.equal(me.json.user.email, A.adminEmail);
});

test('a write on one server is read, and guarded by If-Match, on the other', async () => {
  const made = await onA.post(`${API}/accounts`, { name: uniq('Both') });
  expectStatus(made, 201);
  const read = await onB.get(`${API}/accounts/${made.json.id}`);
  expectStatus(read, 200);
  assert.equal(read.json.name, made.json.name);
  const etag = read.headers.get('etag');
  const changed = await onB.patch(`${API}/accounts/${made.json.id}`, { city: 'Oslo' }, { headers: { 'If-Match': etag } });
  expectStatus(changed, 200);
  const stale = await onA.patch(`${API}/accounts/${made.json.id}`, { city: 'Bergen' }, { headers: { 'If-Match': etag } });
  expectProblem(stale, 412, 'version_conflict', 'a stale If-Match on the first server');
  assert.equal((await onA.get(`${API}/accounts/${made.json.id}`)).json.city, 'Oslo');
});

test('creates on both servers at once all land, each with its own id', async () => {
  const tag = uniq('two');
  const rs = await Promise.all(Array.from({ length: 24 }, (_, i) =>
    (i % 2 ? onA : onB).post(`${API}/contacts`, { name: `Two ${i}`, tags: [tag] })));
  for (const r of rs) expectStatus(r, 201);
  assert.equal(new Set(rs.map((r) => r.json.id)).size, 24);
  for (const c of [onA, onB]) {
    const rows = await listAll(c, `${API}/contacts?tags[contains]=${tag}&limit=10`);
    assert.equal(rows.length, 24);
  }
});

async function upload(server, tag) {
  const fd = new FormData();
  fd.append('entity', 'contacts');
  const csv = `Name,Tags\r\n${[1, 2, 3].map((i) => `Imported ${tag} ${i},${tag}`).join('\r\n')}\r\n`;
  fd.append('file', new Blob([csv], { type: 'text/csv' }), 'two.csv');
  const res = await fetch(`${server.base}${API}/imports`, {
    method: 'POST', body: fd, headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrf },
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  return JSON.parse(text).id;
}

test('import jobs queued on both servers each run once', async () => {
  const tags = [uniq('ja'), uniq('jb'), uniq('jc'), uniq('jd')];
  const ids = [];
  for (const [i, t] of tags.entries()) ids.push(await upload(i % 2 ? A : B, t));
  for (const id of ids) {
    let imp;
    for (let i = 0; i < 300; i++) {
      imp = (await onA.get(`${API}/imports/${id}`)).json;
      if (!['queued', 'running', 'cancelling'].includes(imp.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(imp.status, 'done', JSON.stringify(imp));
  }
  for (const t of tags) {
    const rows = await listAll(onB, `${API}/contacts?tags[contains]=${t}`);
    assert.equal(rows.length, 3, `the rows tagged ${t} were imported once`);
  }
});
