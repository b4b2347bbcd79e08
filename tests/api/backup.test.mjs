// backup.test.mjs — an online backup taken while clients write is
// consistent (`rapport backup` checks it once written, `backup --verify`
// again), and restoring it — serving the copy — gives back every record
// acknowledged before the backup began.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { API, PG_DIR, startServer, runRapport, listAll } from './lib/server.mjs';

test('a backup taken during writes is consistent and restores every record acknowledged before it', { timeout: 120_000, skip: PG_DIR ? 'rapport backup copies SQLite files; PostgreSQL has pg_dump' : false }, async () => {
  const srv = await startServer();
  const copy = path.join(srv.dir, 'copy.db');
  let restored;
  try {
    const s = await srv.login(srv.adminEmail, srv.adminPassword);
    const admin = srv.as(s);
    const before = [];
    for (let i = 0; i < 100; i++) {
      const r = await admin.post(`${API}/contacts`, { name: `backup before ${i}`, email: `b${i}@backup.example.com` });
      assert.equal(r.status, 201, r.text);
      before.push(r.json);
    }
    let writing = true;
    let during = 0;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      while (writing) {
        const r = await admin.post(`${API}/contacts`, { name: `backup during ${w}-${during++}` });
        assert.equal(r.status, 201, r.text);
      }
    });
    const b = runRapport(['backup', copy], { db: srv.db, timeout: 60_000 });
    writing = false;
    await Promise.all(writers);
    assert.equal(b.code, 0, b.err);
    assert.match(b.err, /is consistent/);
    assert.ok(during > 0, 'clients wrote while the backup ran');
    const v = runRapport(['backup', '--verify', copy], { db: copy });
    assert.equal(v.code, 0, v.err);

    fs.mkdirSync(path.join(srv.dir, 'restore'));
    restored = await startServer({ dir: path.join(srv.dir, 'restore'), args: ['--db', copy] });
    const rs = await restored.login(srv.adminEmail, srv.adminPassword);
    assert.equal(rs.status, 200, 'the restored database has its users');
    const rows = await listAll(restored.as(rs), `${API}/contacts?name[prefix]=backup%20before&limit=500`);
    const names = new Set(rows.map((r) => r.name));
    for (const c of before) assert.ok(names.has(c.name), `${c.name} is in the restored copy`);
    const one = await restored.as(rs).get(`${API}/contacts/${before[7].id}`);
    assert.equal(one.json.email, before[7].email);
    const found = await restored.as(rs).get(`${API}/search?q=${encodeURIComponent('backup before 42')}`);
    assert.equal(found.status, 200, found.text);
    assert.ok(found.text.includes('backup before 42'), `search finds records in the copy: ${found.text.slice(0, 300)}`);
  } finally {
    if (restored) await restored.stop();
    await srv.stop();
    fs.rmSync(srv.dir, { recursive: true, force: true });
  }
});
