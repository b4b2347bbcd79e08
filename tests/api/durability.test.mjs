// durability.test.mjs — a write is on disk before it is acknowledged. The
// server runs under build/tests/syncwatch.so (tests/shim/syncwatch.c), which
// watches its writes to the write-ahead log, the fdatasync calls on it
// and its sends on sockets: with one client writing in sequence, no answer
// may leave while a WAL write is unsynced (that write could vanish in a
// power cut after the client was told it was saved). The same run with
// --no-sync must show violations, or the watch would prove nothing.
// (SIGKILL alone cannot show this: the kernel keeps what was written.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API, BIN, ROOT, PG_DIR, startServer } from './lib/server.mjs';

const SHIM = path.join(ROOT, 'build/tests/syncwatch.so');
// Under a sanitizer its runtime must be loaded first; on PostgreSQL the
// write-ahead log and its fsync are PostgreSQL's own.
const skip = /asan|tsan/.test(BIN) ? 'under a sanitizer runtime' : PG_DIR ? 'SQLite only' : false;

async function watchedWrites(args) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-sync-')), 'watch.txt');
  const srv = await startServer({ args, env: { LD_PRELOAD: SHIM, SYNCWATCH_OUT: out } });
  try {
    const s = await srv.login(srv.adminEmail, srv.adminPassword);
    assert.equal(s.status, 200);
    const admin = srv.as(s);
    for (let i = 0; i < 40; i++) {
      const c = await admin.post(`${API}/accounts`, { name: `durable ${i}` });
      assert.equal(c.status, 201, c.text);
      const u = await admin.patch(`${API}/accounts/${c.json.id}`, { industry: 'Retail' });
      assert.equal(u.status, 200, u.text);
    }
  } finally {
    await srv.stop();
    fs.rmSync(srv.dir, { recursive: true, force: true });
  }
  const text = fs.readFileSync(out, 'utf8');
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const n = Object.fromEntries([...text.matchAll(/(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  return { ...n, text };
}

test('every acknowledged write was synced to disk before its answer left', { skip }, async () => {
  const w = await watchedWrites([]);
  assert.ok(w.wal_writes >= 80, `the watch saw the WAL writes: ${w.text}`);
  assert.ok(w.syncs >= 80, `one sync per acknowledged write at least: ${w.text}`);
  assert.equal(w.violations, 0, `answers sent before their writes were synced: ${w.text}`);
});

test('the watch does see answers sent before a sync (--no-sync)', { skip }, async () => {
  const w = await watchedWrites(['--no-sync']);
  assert.ok(w.sends > 0 && w.wal_writes > 0, w.text);
  assert.ok(w.violations >= 40, `--no-sync answers before syncing: ${w.text}`);
});

// Answers wait for their batch without holding a server thread: on a
// single thread, writes from many connections at once must share batches
// (a thread blocked on each write's fsync made one batch a write), and
// every one of them is stored and acknowledged.
test('concurrent writers share group-commit batches, even on one server thread', { skip: PG_DIR ? 'SQLite only' : false }, async () => {
  const srv = await startServer({ args: ['--threads', '1'] });
  const metric = async (name) => {
    const m = await srv.request('GET', '/metrics');
    assert.equal(m.status, 200, m.text);
    const line = m.text.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} in /metrics`);
    return Number(line.split(' ')[1]);
  };
  try {
    const s = await srv.login(srv.adminEmail, srv.adminPassword);
    assert.equal(s.status, 200);
    const admin = srv.as(s);
    const batches0 = await metric('rapport_store_commit_batches_total');
    const writes0 = await metric('rapport_store_commit_writes_total');
    const n = 48;
    const made = await Promise.all(
      Array.from({ length: n }, (_, i) => admin.post(`${API}/accounts`, { name: `batched ${i}` })),
    );
    for (const r of made) assert.equal(r.status, 201, r.text);
    assert.equal(new Set(made.map((r) => r.json.id)).size, n, 'one record each');
    const batches = (await metric('rapport_store_commit_batches_total')) - batches0;
    const writes = (await metric('rapport_store_commit_writes_total')) - writes0;
    assert.ok(writes >= n, `${writes} writes committed for ${n} creates`);
    assert.ok(batches < writes, `${batches} batches for ${writes} writes: writers did not share a batch`);
    for (const r of made) {
      const g = await admin.get(`${API}/accounts/${r.json.id}`);
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.name, r.json.name);
    }
  } finally {
    await srv.stop();
  }
});
