// backup.test.mjs — an online backup taken while clients write is
// consistent (`rapport backup` checks it once written, `backup --verify`
// again), and restoring it — serving the copy — gives back every record
// acknowledged before the backup began. On SQLite the copy is a database
// file; on PostgreSQL a pg_dump archive, restored with pg_restore into an
// empty database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { API, PG_DIR, ROOT, startServer, runRapport, listAll } from './lib/server.mjs';

/** The database a copy is served from: the SQLite file itself, or an
 * empty PostgreSQL database the archive is restored into. */
function restoreCopy(copy) {
  if (!PG_DIR) return copy;
  const name = `t_restore_${crypto.randomBytes(6).toString('hex')}`;
  const made = spawnSync(path.join(ROOT, 'scripts/pg.sh'), ['createdb', PG_DIR, name], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const url = made.stdout.trim();
  const r = spawnSync('pg_restore', ['--no-password', '--exit-on-error', `--dbname=${url}`, copy], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `pg_restore: ${r.stderr}`);
  return url;
}

test('a backup taken during writes is consistent and restores every record acknowledged before it', { timeout: 180_000 }, async () => {
  const srv = await startServer();
  const copy = path.join(srv.dir, PG_DIR ? 'copy.dump' : 'copy.db');
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
    if (PG_DIR) assert.equal(fs.readFileSync(copy).subarray(0, 5).toString(), 'PGDMP', 'a pg_dump archive');
    // a copy cut short is found out, and an existing file is not overwritten
    const cut = path.join(srv.dir, 'cut.copy');
    fs.writeFileSync(cut, fs.readFileSync(copy).subarray(0, Math.floor(fs.statSync(copy).size / 2)));
    const bad = runRapport(['backup', '--verify', cut], { db: cut });
    assert.equal(bad.code, 1, bad.err);
    assert.doesNotMatch(bad.err, /is consistent/);
    const again = runRapport(['backup', copy], { db: srv.db });
    assert.equal(again.code, 1);
    assert.match(again.err, /exists; not overwriting it/);

    fs.mkdirSync(path.join(srv.dir, 'restore'));
    restored = await startServer({ dir: path.join(srv.dir, 'restore'), args: ['--db', restoreCopy(copy)] });
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
