// replica.test.mjs — `serve --db-replica`: a streaming replica of the
// test cluster (scripts/pg.sh replica) serves the deal totals and exports;
// a user who just wrote reads them from the primary until the replica has
// replayed that write, while another user reads the replica's (older)
// totals; a replica that stops answering sends reports back to the
// primary; a database that is no replica, or a SQLite store, is refused.
// PostgreSQL only (make api-pg).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  API, PG_DIR, ROOT, dbUrl, startServer, runRapport, randomPassword, create, makeUser, expectStatus,
} from './lib/server.mjs';

const skip = PG_DIR ? false : 'needs the PostgreSQL run (make api-pg)';
const pgsh = (...args) => {
  const r = spawnSync(path.join(ROOT, 'scripts/pg.sh'), args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`scripts/pg.sh ${args.join(" ")}: ${r.status} ${r.error || ""} ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-replica-'));
const adminPassword = randomPassword();
let replicaDir;
let replicaUrl;
let dbName;
let srv;
let admin;
let reader;

before(async () => {
  if (skip) return;
  // the test database is made on the primary before the base backup, so
  // the replica starts with it
  const primaryUrl = dbUrl(path.join(dir, 't.db'));
  dbName = new URL(primaryUrl).pathname.slice(1);
  replicaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-pg-replica-'));
  fs.rmSync(replicaDir, { recursive: true });
  const base = pgsh('replica', PG_DIR, replicaDir);
  replicaUrl = base.replace(/\/[^/]*$/, `/${dbName}`);
  srv = await startServer({ dir, adminPassword, args: ['--db-replica', replicaUrl] });
  const s = await srv.login(srv.adminEmail, adminPassword);
  admin = srv.as(s);
  reader = await makeUser({ admin, server: srv }, { role: 'admin' });
});

after(async () => {
  await srv?.stop();
  if (replicaDir) pgsh('stop', replicaDir);
  fs.rmSync(dir, { recursive: true, force: true });
});

const totals = async (client) => {
  const r = await client.get(`${API}/deals/summary?sum=amount`);
  expectStatus(r, 200, 'GET /deals/summary');
  const row = r.json.data[0] || { count: 0, sum: 0 };
  return { count: row.count, sum: row.sum, from: r.headers.get('x-rapport-read-from') };
};

const replay = (on) => pgsh('sql', replicaDir, dbName, `SELECT pg_wal_replay_${on ? 'resume' : 'pause'}()`);

async function eventually(fn, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('totals come from the replica once it has the caller\'s writes; the writer never sees them stale', { skip }, async () => {
  await create(admin, 'deals', { name: 'Replica 1', amount: 1000 });
  const mine = await totals(admin);
  assert.deepEqual([mine.count, mine.sum], [1, 1000], 'the writer\'s own totals miss the deal');
  // the other user's totals come from the replica once it has replayed
  const theirs = await eventually(async () => {
    const t = await totals(reader.client);
    return t.from === 'replica' && t.count === 1 ? t : null;
  }, 'the replica serving the totals');
  assert.equal(theirs.sum, 1000);

  replay(false); // the replica falls behind from here
  try {
    await create(admin, 'deals', { name: 'Replica 2', amount: 250 });
    const after = await totals(admin);
    assert.deepEqual([after.count, after.sum, after.from], [2, 1250, 'primary'],
      'a user who just wrote reads totals from the primary while the replica lags');
    const stale = await totals(reader.client);
    assert.deepEqual([stale.count, stale.sum, stale.from], [1, 1000, 'replica'],
      'a user who wrote nothing reads the replica (which has not replayed the second deal)');
    // an export is a report too
    const csv = await reader.client.get(`${API}/deals/export?format=csv`);
    expectStatus(csv, 200, 'export from the replica');
    assert.equal(csv.headers.get('x-rapport-read-from'), 'replica');
    assert.ok(!csv.text.includes('Replica 2') && csv.text.includes('Replica 1'), 'the export is the replica\'s');
    // records are always read from the primary
    const list = await reader.client.get(`${API}/deals?name=Replica 2`);
    assert.equal(list.json.data.length, 1, 'a list read from the replica');
  } finally {
    replay(true);
  }
  await eventually(async () => (await totals(reader.client)).count === 2, 'the replica catching up');
  const back = await totals(admin);
  assert.deepEqual([back.count, back.sum, back.from], [2, 1250, 'replica'], 'the writer back on the caught-up replica');
});

test('a replica that stops answering sends reports to the primary', { skip }, async () => {
  pgsh('stop', replicaDir);
  replicaDir = null;
  const t = await totals(reader.client);
  assert.deepEqual([t.count, t.from], [2, 'primary']);
  await create(admin, 'deals', { name: 'Replica 3', amount: 1 });
  assert.equal((await totals(admin)).count, 3);
  assert.match(srv.tail(), /replica/, 'the fallback is logged');
});

test('a database that is no replica, or a SQLite store, is refused as --db-replica', { skip }, () => {
  const primary = dbUrl(path.join(dir, 't.db'));
  const notStandby = runRapport(['migrate', '--db-replica', primary], { db: path.join(dir, 't.db') });
  assert.equal(notStandby.code, 1);
  assert.match(notStandby.err, /not a standby/);
  const lite = runRapport(['migrate', '--db-replica', primary], { env: { RAPPORT_DB: path.join(dir, 'x.db') } });
  assert.equal(lite.code, 1);
  assert.match(lite.err, /needs PostgreSQL/);
});
