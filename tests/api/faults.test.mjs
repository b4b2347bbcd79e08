// faults.test.mjs — a full disk or failing writes: the server runs under
// build/tests/faultfs.so (tests/shim/faultfs.c), which fails every write
// under its folder while a flag file exists. Writes must fail with a clear
// problem (507 for a full disk, 503 for an I/O error), reads keep working,
// nothing acknowledged is lost, the database stays consistent, and writes
// work again once the disk is back, without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API, BIN, ROOT, PG_DIR, startServer, runRapport, expectProblem } from './lib/server.mjs';

const SHIM = path.join(ROOT, 'build/tests/faultfs.so');
// Under a sanitizer its runtime must be loaded first; on PostgreSQL the
// disk is PostgreSQL's (the server writes no database files).
const skip = /asan|tsan/.test(BIN) ? 'under a sanitizer runtime' : PG_DIR ? 'SQLite only' : false;

test('a full disk and I/O errors fail writes clearly; reads go on; the server recovers', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-fault-'));
  const flag = path.join(os.tmpdir(), `${path.basename(dir)}.flag`);
  const srv = await startServer({ dir, env: { LD_PRELOAD: SHIM, FAULT_DIR: dir, FAULT_FLAG: flag } });
  try {
    const s = await srv.login(srv.adminEmail, srv.adminPassword);
    const admin = srv.as(s);
    const kept = [];
    for (let i = 0; i < 20; i++) {
      const r = await admin.post(`${API}/accounts`, { name: `before fault ${i}` });
      assert.equal(r.status, 201, r.text);
      kept.push(r.json);
    }
    for (const [mode, status, code] of [['enospc', 507, 'insufficient_storage'], ['eio', 503, null]]) {
      fs.writeFileSync(flag, mode);
      for (let i = 0; i < 5; i++) {
        const w = await admin.post(`${API}/accounts`, { name: `during ${mode} ${i}` });
        expectProblem(w, status, code || undefined, `a write while the disk fails (${mode})`);
        const u = await admin.patch(`${API}/accounts/${kept[i].id}`, { industry: `lost ${mode}` });
        expectProblem(u, status, code || undefined, `an update while the disk fails (${mode})`);
      }
      const g = await admin.get(`${API}/accounts/${kept[0].id}`);
      assert.equal(g.status, 200, `reads go on: ${g.text}`);
      const l = await admin.get(`${API}/accounts?name[prefix]=before%20fault&limit=50`);
      assert.equal(l.status, 200, l.text);
      assert.equal(l.json.data.length, 20);
      fs.rmSync(flag);
      const again = await admin.post(`${API}/accounts`, { name: `after ${mode}` });
      assert.equal(again.status, 201, `writes work again once the disk is back: ${again.text}`);
      kept.push(again.json);
    }
    for (const k of kept) {
      const g = await admin.get(`${API}/accounts/${k.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.name, k.name);
      assert.equal(g.json.industry ?? null, k.industry ?? null, `${k.name} unchanged by the failed updates`);
    }
  } finally {
    fs.rmSync(flag, { force: true });
    await srv.stop();
  }
  const check = runRapport(['check'], { db: srv.db });
  assert.equal(check.code, 0, check.err);
  fs.rmSync(dir, { recursive: true, force: true });
});
