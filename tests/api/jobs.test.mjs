// jobs.test.mjs — the job queue under stops, take-overs and clock jumps,
// with imports as the jobs (every row must land exactly once):
//   - a server stopped (SIGTERM) during an import takes it up again when
//     it starts, after the last batch it committed, and every row is found
//     by search at the end (the texts are written after the rows);
//   - a job taken over by another worker (its claim renewed elsewhere): the
//     first run's next batch is refused and the rows land once;
//   - a server's clock set back (libfaketime) does not hold queued jobs
//     back, and a server whose clock runs hours ahead does not take a
//     running job from another server (leases go by the database's clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API, BIN, PG_DIR, expectStatus, listAll, randomPassword, sqlOn, startServer, uniq } from './lib/server.mjs';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ACTIVE = ['queued', 'running', 'cancelling'];
// rows enough for an import to be under way for seconds (PostgreSQL writes
// them more slowly)
const ROWS = PG_DIR ? 5000 : /asan/.test(BIN) ? 15000 : 40000;

/** A folder with servers on one database, stopped and removed at the end. */
function cluster(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-jobs-'));
  const adminPassword = randomPassword();
  const servers = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    for (const s of servers) assert.equal(s.sanitizerReport(), null, 'a sanitizer report from a server');
    if (!process.env.RAPPORT_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    async start(env = {}) {
      const s = await startServer({ dir, adminPassword, env, args: ['--quiet'] });
      servers.push(s);
      const session = await s.login(s.adminEmail, adminPassword);
      assert.equal(session.status, 200, 'admin login');
      s.client = s.as(session);
      s.session = session;
      return s;
    },
  };
}

/** The environment of a server whose wall clock reads the offset in the
 * returned file ("+0", "-2h", ...), changed while it runs. The monotonic
 * clock stays true, as it does when a real clock is set. */
function fakeClock(dir, name) {
  assert.ok(fs.existsSync(FAKETIME), `${FAKETIME} is missing (scripts/deps.sh test installs libfaketime)`);
  const file = path.join(dir, `${name}.faketime`);
  fs.writeFileSync(file, '+0\n');
  return {
    file,
    set: (offset) => fs.writeFileSync(file, `${offset}\n`),
    env: {
      LD_PRELOAD: FAKETIME,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ? process.env.ASAN_OPTIONS + ':' : ''}verify_asan_link_order=0`,
    },
  };
}

function csvOf(rows, t) {
  let csv = 'Name,Email,Tags\r\n';
  for (let i = 0; i < rows; i++) csv += `Job ${i} ${t},job${i}.${t}@example.com,${t}\r\n`;
  return csv;
}

// strategy "create": no matching by e-mail, so a row written twice (two
// runs of one job) is two contacts, not an update that hides it
async function upload(s, csv) {
  const fd = new FormData();
  fd.append('entity', 'contacts');
  fd.append('strategy', 'create');
  fd.append('file', new Blob([csv], { type: 'text/csv' }), 'rows.csv');
  const res = await fetch(`${s.base}${API}/imports`, {
    method: 'POST', body: fd, headers: { Cookie: s.session.cookie, 'X-CSRF-Token': s.session.csrf },
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  return JSON.parse(text).id;
}

async function importOf(s, id) {
  const r = await s.client.get(`${API}/imports/${id}`);
  expectStatus(r, 200, `import ${id}`);
  return r.json;
}

async function until(what, fn, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const running = (s, id) => until(`import ${id} to be under way`, async () => {
  const imp = await importOf(s, id);
  assert.ok(ACTIVE.includes(imp.status), `import ${id} ended (${imp.status}) before the test could act`);
  return imp.status === 'running' && imp.processed_rows > 0 && imp;
});

const ended = (s, id, ms) => until(`import ${id} to end`, async () => {
  const imp = await importOf(s, id);
  return !ACTIVE.includes(imp.status) && imp;
}, ms);

/** Every row of the file landed once: created, never updated or skipped. */
async function landedOnce(s, imp, rows, t) {
  assert.equal(imp.status, 'done', JSON.stringify(imp));
  assert.equal(imp.processed_rows, rows);
  assert.deepEqual([imp.created, imp.updated, imp.merged, imp.skipped, imp.rejected], [rows, 0, 0, 0, 0],
    'created, updated, merged, skipped, rejected');
  const got = await listAll(s.client, `${API}/contacts?tags[contains]=${t}&fields=id,email&limit=500`);
  assert.equal(got.length, rows, 'contacts imported');
  assert.equal(new Set(got.map((c) => c.email)).size, rows, 'each row once');
  // the search texts, written after the rows, are all written by the end
  assert.equal(sqlOn(s.db, 'SELECT count(*) FROM search_backlog'), '0', 'search texts left unwritten');
  for (const i of [0, rows >> 1, rows - 1]) {
    const email = `job${i}.${t}@example.com`;
    const r = await s.client.get(`${API}/search?q=${encodeURIComponent(email)}`);
    expectStatus(r, 200, 'search');
    assert.ok(r.json.data.some((h) => h.entity === 'contacts' && h.subtitle === email), `row ${i} is found: ${JSON.stringify(r.json)}`);
  }
}

/** An import of `rows` rows, queued on s and under way: {id, tag, mid}. */
async function bigImport(s, name, rows = ROWS) {
  const tag = uniq(name);
  const id = await upload(s, csvOf(rows, tag));
  return { id, tag, mid: await running(s, id) };
}

test('a server stopped during an import takes it up again when it starts; every row once', async (t) => {
  const c = cluster(t);
  let s = await c.start();
  const { id, tag, mid } = await bigImport(s, 'stop');
  assert.ok(mid.processed_rows < ROWS);
  await s.stop(); // SIGTERM: the worker stops after the batch under way
  s = await c.start();
  await landedOnce(s, await ended(s, id, 120_000), ROWS, tag);
});

test('a job taken over after its lease ran out: the first run stops and the rows land once', async (t) => {
  const c = cluster(t);
  const a = await c.start();
  const b = await c.start();
  const { id, tag } = await bigImport(a, 'fence');
  // what a worker that found the lease run out does: claim the job anew
  sqlOn(a.db, `UPDATE jobs SET attempts=attempts+1, locked_until=0 WHERE kind='import' AND ref_id=${id}`);
  await landedOnce(a, await ended(a, id, 120_000), ROWS, tag);
  // On SQLite the import's batches hold the write lock back to back, so
  // the outside UPDATE may only get in once the last one is written; on
  // PostgreSQL it waits for the batch under way, and the next one is
  // refused. (tests/unit/test_store.c has the fence step by step.)
  if (PG_DIR) {
    assert.match(a.stderr + b.stderr, /lease ran out and another worker took it over/,
      'the first run noticed it lost the job');
  }
});

/** The server's wall clock, from its Date header, in ms. */
async function serverTime(s) {
  const r = await fetch(`${s.base}/healthz`);
  await r.arrayBuffer();
  return Date.parse(r.headers.get('date'));
}

test('a clock set back does not hold queued jobs back', async (t) => {
  const c = cluster(t);
  const clock = fakeClock(c.dir, 'one');
  const s = await c.start(clock.env);
  // long enough to be running still once the clock has been set back
  // (waiting for the server to see it took up to 2 s)
  const { id: first, tag: big } = await bigImport(s, 'back', 2 * ROWS);
  const small = uniq('queued');
  const second = await upload(s, csvOf(5, small)); // queued behind the first
  clock.set('-3h');
  await until('the server clock to be set back', async () => (await serverTime(s)) < Date.now() - 2 * 3600_000);
  const now = await importOf(s, first);
  assert.equal(now.status, 'running', 'the first import ended before the clock was set back: make it bigger');
  await landedOnce(s, await ended(s, first, 120_000), 2 * ROWS, big);
  await landedOnce(s, await ended(s, second, 20_000), 5, small);
});

test('a server whose clock runs hours ahead does not take a running job from another', async (t) => {
  const c = cluster(t);
  const a = await c.start();
  const { id, tag } = await bigImport(a, 'ahead');
  const clock = fakeClock(c.dir, 'ahead');
  clock.set('+3h');
  const b = await c.start(clock.env); // its worker looks for due jobs every second
  await landedOnce(b, await ended(b, id, 120_000), ROWS, tag);
  // On PostgreSQL the lease is the database server's clock, which the two
  // share. SQLite's is each process's own (on one machine, one clock: this
  // test's skew cannot happen there for real); B then takes the job over
  // and A's next batch is refused, as in the test above.
  if (PG_DIR) assert.doesNotMatch(a.stderr + b.stderr, /took it over/);
});
