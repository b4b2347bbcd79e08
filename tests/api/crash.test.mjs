// crash.test.mjs — nothing acknowledged is lost, nothing is half written.
// Clients create, update (with If-Match) and delete accounts at full speed
// while the server is killed with SIGKILL at a random moment, CRASH_ROUNDS
// times in a row (50; 12 under a sanitizer build or on PostgreSQL).
// After each kill `rapport check` must pass (pages, references, search
// index) and, once restarted, every write that got a 2xx must be there
// exactly once: created records once, updates at least at the version
// acknowledged, deletes gone. A write whose answer was lost may or may not
// have happened, but never twice and never in part.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API, BIN, PG_DIR, startServer, runRapport, listAll, etag } from './lib/server.mjs';

// Fewer rounds where a round is slow (sanitizers) or the durability under
// test is mostly the database server's own (PostgreSQL).
const ROUNDS = Number(process.env.CRASH_ROUNDS || (/asan|tsan/.test(BIN) || PG_DIR ? 12 : 50));
const WRITERS = 8;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-crash-'));
after(() => { if (!process.env.RAPPORT_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true }); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (arr) => arr[Math.floor(Math.random() * arr.length)];

// What the clients were told. name → {id, version, industry, deleted}; an
// entry with `unsure` had a write in flight when the server died.
const known = new Map();

async function write(srv, client, round, n) {
  const live = [...known.values()].filter((k) => !k.deleted && !k.unsure);
  const roll = Math.random();
  if (roll < 0.55 || live.length < 5) {
    const name = `crash ${round}-${n}`;
    const body = { name, industry: `i${n}`, website: `w${n}.example.com` };
    known.set(name, { name, unsure: 'create', industry: body.industry });
    const r = await srv.request('POST', `${API}/accounts`, { auth: client, body });
    assert.equal(r.status, 201, `create: ${r.status} ${r.text}`);
    known.set(name, { name, id: r.json.id, version: r.json.version, industry: body.industry });
    return;
  }
  const k = pick(live);
  if (roll < 0.85) {
    const industry = `u${round}-${n}`;
    k.unsure = 'update';
    k.next = industry;
    const r = await srv.request('PATCH', `${API}/accounts/${k.id}`, {
      auth: client, body: { industry }, headers: { 'If-Match': etag(k.version) },
    });
    assert.equal(r.status, 200, `update: ${r.status} ${r.text}`);
    Object.assign(k, { version: r.json.version, industry, unsure: undefined, next: undefined });
    return;
  }
  k.unsure = 'delete';
  const r = await srv.request('DELETE', `${API}/accounts/${k.id}`, { auth: client });
  assert.ok([200, 204].includes(r.status), `delete: ${r.status} ${r.text}`);
  Object.assign(k, { deleted: true, unsure: undefined });
}

/** Writes from WRITERS loops until the server dies; returns the count. */
async function writeUntilKilled(srv, client, round) {
  let n = 0;
  let stop = false;
  let killed = false;
  const loop = async () => {
    while (!stop) {
      try {
        await write(srv, client, round, n++);
      } catch (e) {
        if (killed) return; // the answer was lost with the server
        stop = true;
        throw e;
      }
    }
  };
  const loops = Array.from({ length: WRITERS }, loop);
  await sleep(150 + Math.random() * 450);
  killed = true;
  srv.proc.kill('SIGKILL');
  await srv.exited;
  stop = true;
  await Promise.all(loops);
  return n;
}

function verify(rows) {
  const byName = new Map();
  for (const r of rows) {
    assert.ok(!byName.has(r.name), `${r.name} exists twice (ids ${byName.get(r.name)?.id} and ${r.id})`);
    byName.set(r.name, r);
  }
  for (const k of known.values()) {
    const row = byName.get(k.name);
    if (k.unsure === 'create') {
      // created or not; if created, whole
      if (row) {
        assert.equal(row.industry, k.industry, `${k.name} half written`);
        Object.assign(k, { id: row.id, version: row.version });
      } else known.delete(k.name);
      delete k.unsure;
      continue;
    }
    if (k.deleted) {
      assert.ok(!row, `${k.name} (${k.id}) was deleted with a 2xx but is back`);
      continue;
    }
    if (k.unsure === 'delete') {
      if (!row) k.deleted = true;
      delete k.unsure;
      continue;
    }
    assert.ok(row, `${k.name} (${k.id}) was acknowledged but is missing`);
    assert.equal(row.id, k.id);
    if (k.unsure === 'update' && row.version === k.version + 1) {
      assert.equal(row.industry, k.next, `${k.name}: an update half applied`);
      Object.assign(k, { version: row.version, industry: row.industry });
    } else {
      assert.equal(row.version, k.version, `${k.name}: version ${row.version}, acknowledged ${k.version}`);
      assert.equal(row.industry, k.industry, `${k.name}: an acknowledged update is lost`);
    }
    delete k.unsure;
    delete k.next;
  }
}

test(`${ROUNDS} kills with SIGKILL during writes lose nothing acknowledged and leave the database consistent`, { timeout: 15 * 60_000 }, async () => {
  let srv = await startServer({ dir });
  let total = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const s = await srv.login(srv.adminEmail, srv.adminPassword);
    assert.equal(s.status, 200);
    total += await writeUntilKilled(srv, s, round);
    const check = runRapport(['check'], { db: srv.db });
    assert.equal(check.code, 0, `after kill ${round}: ${check.err}`);
    const next = await startServer({ dir, adminPassword: srv.adminPassword });
    srv = next;
    const again = await srv.login(srv.adminEmail, srv.adminPassword);
    const rows = await listAll(srv.as(again), `${API}/accounts?name[prefix]=crash&limit=500&fields=name,industry,version`, { max: 1000 });
    verify(rows);
  }
  assert.ok(total > ROUNDS * 20, `only ${total} writes were tried`);
  await srv.stop();
});
