// busy.test.mjs — another process holds the SQLite database's write lock
// (a `BEGIN IMMEDIATE` from Python's sqlite3, as a maintenance script or
// a second program on the file would): the server's writes wait
// --busy-timeout and then fail with 503 `busy` and Retry-After, reads go
// on from the WAL meanwhile, nothing is half-written, and writes work
// again as soon as the lock is released, without a restart. SQLite only
// (PostgreSQL's row locks and lock_timeout are covered by the records
// tests' concurrent writes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { API, PG_DIR, startServer, expectProblem, expectStatus, listAll } from './lib/server.mjs';

const skip = PG_DIR ? 'SQLite only' : false;

// Holds the write lock until its stdin closes; resolves once it has it.
function holdWriteLock(db) {
  const py = spawn('python3', ['-c', `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute('BEGIN IMMEDIATE')
print('locked', flush=True)
sys.stdin.read()
c.execute('ROLLBACK')
`, db], { stdio: ['pipe', 'pipe', 'inherit'] });
  const locked = new Promise((resolve, reject) => {
    py.stdout.on('data', (d) => { if (String(d).includes('locked')) resolve(); });
    py.on('exit', (code) => reject(new Error(`the lock holder ended (${code})`)));
  });
  const release = () => new Promise((resolve) => { py.on('exit', resolve); py.stdin.end(); });
  return { locked, release };
}

test('a write lock held by another process: writes get 503 busy, reads go on, then writes work again', { skip }, async () => {
  const srv = await startServer({ args: ['--busy-timeout', '300'] });
  try {
    const admin = srv.as(await srv.login(srv.adminEmail, srv.adminPassword));
    const before = await admin.post(`${API}/accounts`, { name: 'Before the lock' });
    expectStatus(before, 201);
    const lock = holdWriteLock(srv.db);
    await lock.locked;
    try {
      const t0 = Date.now();
      const w = await admin.post(`${API}/accounts`, { name: 'During the lock' });
      expectProblem(w, 503, 'busy', 'a create while another process holds the lock');
      assert.equal(w.headers.get('retry-after'), '1');
      assert.ok(Date.now() - t0 >= 250, 'the write did not wait for the busy timeout');
      const u = await admin.patch(`${API}/accounts/${before.json.id}`, { industry: 'Locked' });
      expectProblem(u, 503, 'busy', 'an update while another process holds the lock');
      const g = await admin.get(`${API}/accounts/${before.json.id}`);
      expectStatus(g, 200, 'a read while another process holds the lock');
      assert.equal(g.json.industry, null, 'the refused update is visible');
      const list = await listAll(admin, `${API}/accounts?name=During the lock`);
      assert.equal(list.length, 0, 'the refused create is visible');
    } finally {
      await lock.release();
    }
    const after = await admin.post(`${API}/accounts`, { name: 'After the lock' });
    expectStatus(after, 201, 'a create once the lock is released');
    const u2 = await admin.patch(`${API}/accounts/${before.json.id}`, { industry: 'Unlocked' });
    expectStatus(u2, 200);
    assert.equal(u2.json.version, 2, 'the refused update counted a version');
  } finally {
    await srv.stop();
  }
});
